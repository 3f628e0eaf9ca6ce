//! `ringside-cli watch`: the session without a window, one JSON line per card change.

use crate::said;
use std::io::Write;

use clap::Args;
use ringside_config::SourceConfig;
use ringside_core::{CallCard, SessionOutput};
use ringside_runtime::{ami_secret, Runtime, StartOptions};

use crate::target::{prompt_secret, Target};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

#[derive(Args)]
pub struct WatchArgs {
    #[command(flatten)]
    target: Target,
    /// Also print agent-state, team and connection changes (as JSON lines with a "kind").
    #[arg(long)]
    all: bool,
    /// Act as the agent, as the desktop app does: pause the queues during wrap-up (undone when
    /// the watch stops) and apply `auto_pause_after_missed`. Without it the watch only watches
    /// and never changes the PBX.
    #[arg(long)]
    as_agent: bool,
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
    lookup: &'a ringside_core::LookupState,
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
            lookup: &c.lookup,
            talk_secs: c.talk_secs,
        }
    }
}

pub async fn run(args: WatchArgs) -> Result<(), String> {
    let config = args.target.config()?;
    // Never a command-line argument: it would land in the shell history.
    let secret = match &config.source {
        SourceConfig::Ami(ami) => match ami_secret(ami).await.map_err(|e| said(&e))? {
            Some(s) => Some(s),
            None => Some(prompt_secret(ami)?),
        },
        // The demo needs none; the relay's NATS password comes from the keychain or the environment.
        SourceConfig::Demo | SourceConfig::Nats(_) => None,
    };
    let options = StartOptions { secret, observe_only: !args.as_agent };
    let handle = Runtime::start_with(config, options).await.map_err(|e| said(&e))?;
    let mut rx = handle.subscribe();
    let stdout = std::io::stdout();
    let stop = crate::stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Ok(out) => print(&mut stdout.lock(), &out, args.all)?,
                Err(RecvError::Lagged(n)) => {
                    eprintln!("ringside-cli: skipped {n} updates; printing the current cards");
                    for card in handle.snapshot().await.cards {
                        print(&mut stdout.lock(), &SessionOutput::Card(Box::new(card)), args.all)?;
                    }
                }
                Err(RecvError::Closed) => return Err("the session stopped".into()),
            },
            _ = &mut stop => {
                // Undoes a wrap-up pause of ours before logging off (with --as-agent).
                handle.shutdown().await;
                return Ok(());
            }
        }
    }
}

fn print(w: &mut impl Write, out: &SessionOutput, all: bool) -> Result<(), String> {
    let line = match out {
        SessionOutput::Card(card) => serde_json::to_string(&CardLine::from(&**card)),
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
