//! `ringside-cli history`: the newest calls in the call history, with notes and whether each
//! reached the CRM.

use std::path::PathBuf;

use clap::Args;
use ringside_history::{CallRecord, History, WriteBackStatus};

#[derive(Args)]
pub struct HistoryArgs {
    /// How many calls, newest first.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// The calls as JSON, one array.
    #[arg(long)]
    json: bool,
    /// The history file (default: `[history] path` of the config, else the OS data dir).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Config file (default: $RINGSIDE_CONFIG or the OS config dir).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub fn history(args: HistoryArgs) -> Result<(), String> {
    let path = match args.file {
        Some(p) => p,
        None => {
            let config = match args.config.or_else(ringside_config::Config::default_path) {
                Some(path) => ringside_config::Config::load(&path).map_err(|e| e.to_string())?,
                None => ringside_config::Config::default(),
            };
            config.history.resolved_path().ok_or("no home directory: pass --file FILE")?
        }
    };
    if !path.exists() {
        return Err(format!("{}: no call history yet (Ringside creates it with the first call)", path.display()));
    }
    let history = History::open(&path).map_err(|e| e.to_string())?;
    let calls = history.recent(args.limit).map_err(|e| e.to_string())?;
    if args.json {
        println!("{}", serde_json::to_string(&calls).map_err(|e| e.to_string())?);
        return Ok(());
    }
    if calls.is_empty() {
        println!("no calls yet");
    }
    for call in &calls {
        println!("{}", line(call));
        if let Some(note) = &call.note {
            println!("    note: {}", note.replace('\n', " / "));
        }
        for w in &call.write_back {
            let state = match &w.state {
                WriteBackStatus::Pending => "pending".to_string(),
                WriteBackStatus::Sent { .. } => "sent".to_string(),
                WriteBackStatus::Failed { reason, attempts, .. } => format!("failed ({attempts} tries): {reason}"),
            };
            println!("    {}: {state}", w.target);
        }
    }
    Ok(())
}

fn line(call: &CallRecord) -> String {
    let who = call.customer.as_ref().map(|c| c.name.clone()).or_else(|| call.caller_name.clone()).unwrap_or_default();
    let outcome =
        serde_json::to_value(call.outcome).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    format!(
        "{} {:?} {} {} {} {}s{}",
        call.call_id,
        call.direction,
        call.number_raw,
        who,
        outcome,
        call.talk_secs,
        call.failure.as_ref().map(|f| format!(" ({f})")).unwrap_or_default()
    )
}
