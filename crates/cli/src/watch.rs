//! `ringside-cli watch`: the session without a window, one JSON line per card change.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use ringside_config::{AmiConfig, Config, SourceConfig};
use ringside_core::{CallCard, SessionOutput};
use ringside_runtime::{Runtime, AMI_SECRET_ENV};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

#[derive(Args)]
pub struct WatchArgs {
    /// An Asterisk AMI to log in to (HOST:PORT). Without it, the configured source is used:
    /// by default the demo PBX (started in-process, or the one already listening).
    #[arg(long, value_name = "HOST:PORT")]
    ami: Option<String>,
    /// AMI user (with --ami). The secret is read from RINGSIDE_AMI_SECRET or prompted for.
    #[arg(long, requires = "ami")]
    user: Option<String>,
    /// The agent's extension.
    #[arg(long)]
    extension: Option<String>,
    /// The agent's queue-member interface (repeat for several), e.g. PJSIP/100.
    #[arg(long = "interface", value_name = "IFACE")]
    interfaces: Vec<String>,
    /// Config file (default: $RINGSIDE_CONFIG or the OS config dir).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Also print agent-state and connection changes (as JSON lines with a "kind").
    #[arg(long)]
    all: bool,
}

/// The card as one JSON line: what a script or a test needs to follow a call.
#[derive(Serialize)]
struct CardLine<'a> {
    call_id: &'a str,
    direction: ringside_core::Direction,
    number: &'a str,
    number_normalized: Option<&'a str>,
    caller_name: Option<&'a str>,
    queue: Option<&'a str>,
    state: &'a ringside_core::CardStatus,
    outcome: Option<&'a ringside_core::EndCause>,
    customers: &'a [ringside_core::CustomerMatch],
    talk_secs: u64,
}

impl<'a> From<&'a CallCard> for CardLine<'a> {
    fn from(c: &'a CallCard) -> Self {
        Self {
            call_id: c.call_id.as_str(),
            direction: c.direction,
            number: &c.number,
            number_normalized: c.number_normalized.as_deref(),
            caller_name: c.caller_name.as_deref(),
            queue: c.queue.as_deref(),
            state: &c.status,
            outcome: c.outcome.as_ref(),
            customers: &c.customers,
            talk_secs: c.talk_secs,
        }
    }
}

pub async fn run(args: WatchArgs) -> Result<(), String> {
    let config = build_config(&args)?;
    // Never a command-line argument: it would land in the shell history.
    let secret = match &config.source {
        SourceConfig::Ami(ami) if std::env::var_os(AMI_SECRET_ENV).is_none() => {
            let prompt = format!("AMI secret for {}@{}:{}: ", ami.username, ami.host, ami.port);
            Some(
                rpassword::prompt_password(prompt)
                    .map_err(|e| format!("no AMI secret: set {AMI_SECRET_ENV} or run in a terminal ({e})"))?,
            )
        }
        _ => None,
    };
    let handle = Runtime::start_with_secret(config, secret).await.map_err(|e| e.to_string())?;
    let mut rx = handle.subscribe();
    let stdout = std::io::stdout();
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Ok(out) => print(&mut stdout.lock(), &out, args.all)?,
                Err(RecvError::Lagged(n)) => {
                    eprintln!("ringside-cli: skipped {n} updates; printing the current cards");
                    for card in handle.snapshot().await.cards {
                        print(&mut stdout.lock(), &SessionOutput::Card(card), args.all)?;
                    }
                }
                Err(RecvError::Closed) => return Err("the session stopped".into()),
            },
            _ = tokio::signal::ctrl_c() => {
                handle.shutdown().await;
                return Ok(());
            }
        }
    }
}

fn print(w: &mut impl Write, out: &SessionOutput, all: bool) -> Result<(), String> {
    let line = match out {
        SessionOutput::Card(card) => serde_json::to_string(&CardLine::from(card)),
        other if all => serde_json::to_string(other),
        SessionOutput::Source(status) => {
            eprintln!("source: {status:?}");
            return Ok(());
        }
        _ => return Ok(()),
    }
    .map_err(|e| format!("cannot print a card: {e}"))?;
    // A closed pipe (`| head`) ends the watch quietly.
    writeln!(w, "{line}").and_then(|_| w.flush()).map_err(|e| format!("stdout closed: {e}"))
}

fn build_config(args: &WatchArgs) -> Result<Config, String> {
    let mut config = match args.config.clone().or_else(Config::default_path) {
        Some(path) => Config::load(&path).map_err(|e| e.to_string())?,
        None => Config::default(),
    };
    if let Some(ami) = &args.ami {
        let (host, port) = match ami.rsplit_once(':') {
            Some((h, p)) => {
                (h.to_string(), p.parse::<u16>().map_err(|_| format!("--ami {ami}: the port must be a number"))?)
            }
            None => (ami.clone(), 5038),
        };
        let username = args.user.clone().ok_or("--ami needs --user (the AMI user name from manager.conf)")?;
        config.source = SourceConfig::Ami(AmiConfig::new(host, port, username));
    }
    if let Some(ext) = &args.extension {
        config.agent.extension = ext.clone();
        if args.interfaces.is_empty() {
            config.agent.interfaces = vec![format!("PJSIP/{ext}"), format!("Local/{ext}@agents")];
        }
    }
    if !args.interfaces.is_empty() {
        config.agent.interfaces = args.interfaces.clone();
    }
    Ok(config)
}
