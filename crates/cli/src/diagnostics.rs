//! `ringside-cli diagnostics`: the text the app's *Copy diagnostics* puts on the clipboard —
//! version, OS, the settings in force without secrets, the connection check and the last lines
//! of the app's log — printed, for a support ticket from a machine where the app does not start.

use std::path::PathBuf;

use ringside_config::Config;
use ringside_runtime::diagnostics::{report, DiagnosticsInput, LOG_LINES};

#[derive(clap::Args)]
pub struct DiagnosticsArgs {
    /// Config file (default: $RINGSIDE_CONFIG or the OS config dir).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub async fn diagnostics(args: DiagnosticsArgs) -> Result<(), String> {
    let path = args.config.or_else(Config::default_path);
    let config = match &path {
        Some(path) => Config::load_with_system(path).map_err(|e| e.to_string()),
        None => Ok(Config::default()),
    };
    let log = ringside_logs::app_log();
    let log_file = log.current_file();
    let tail = log.tail(LOG_LINES);
    let program = format!("ringside-cli {}", env!("CARGO_PKG_VERSION"));
    let text = report(DiagnosticsInput {
        program: &program,
        state: "asked from the command line",
        config: config.as_ref().map_err(String::as_str),
        config_path: path.as_deref(),
        log_file: log_file.as_deref(),
        log_tail: &tail,
    })
    .await;
    print!("{text}");
    Ok(())
}
