//! Several relays for one PBX, without duplicates: the relays of a tenant that have `[ami]`
//! share a lease on `ringside.<tenant>.relay.lease`. The holder connects to the PBX, answers the
//! desks' commands and syncs, and says so every [`HEARTBEAT`]; the others stand by. When the
//! holder has been silent for [`LEASE`], a standby takes over (connects, re-syncs every agent,
//! so the desks keep their calls). Two holders at once (they started together, or the network
//! healed) hear each other: the one with the greater id steps down, and the desks' sessions
//! drop the repeated events meanwhile (one call id, one card).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use ringside_push::Routed;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::ami::{self, AmiInput};

/// How often the holder says it holds the PBX connection.
const HEARTBEAT: Duration = Duration::from_millis(300);
/// How long a standby waits for the holder's word before taking over.
const LEASE: Duration = Duration::from_millis(1200);

/// This relay's part in its tenant's lease.
pub(crate) struct Pbx {
    pub tenant: String,
    active: AtomicBool,
    commands: Mutex<Option<mpsc::Sender<ami::Command>>>,
}

impl Pbx {
    pub(crate) fn new(tenant: String) -> Pbx {
        Pbx { tenant, active: AtomicBool::new(false), commands: Mutex::new(None) }
    }

    /// Holds the PBX connection now.
    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::SeqCst)
    }

    /// Where this relay's PBX task takes commands, while it holds the lease.
    pub(crate) fn commands(&self) -> Option<mpsc::Sender<ami::Command>> {
        self.commands.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn hold(&self, commands: Option<mpsc::Sender<ami::Command>>) {
        self.active.store(commands.is_some(), Ordering::SeqCst);
        *self.commands.lock().unwrap_or_else(|p| p.into_inner()) = commands;
    }
}

/// Aborts the PBX task when the lease is lost or the relay stops.
struct Holding(tokio::task::JoinHandle<()>);

impl Drop for Holding {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub(crate) async fn run(
    client: async_nats::Client,
    mut beats: async_nats::Subscriber,
    pbx: Arc<Pbx>,
    id: String,
    input: AmiInput,
    sink: mpsc::Sender<Routed>,
) {
    let subject = lease_subject(&pbx.tenant);
    loop {
        // Standing by: until no other relay has held the lease for LEASE.
        let mut quiet_until = Instant::now() + LEASE;
        loop {
            tokio::select! {
                beat = beats.next() => match beat {
                    Some(m) if m.payload.as_ref() != id.as_bytes() => quiet_until = Instant::now() + LEASE,
                    Some(_) => {}
                    None => return,
                },
                _ = tokio::time::sleep_until(quiet_until) => break,
            }
        }
        tracing::info!(relay = %id, tenant = %pbx.tenant, "taking the PBX connection");
        let (commands, rx) = mpsc::channel(256);
        let holding = Holding(tokio::spawn(ami::run(input.clone(), sink.clone(), rx)));
        pbx.hold(Some(commands));
        let mut tick = tokio::time::interval(HEARTBEAT);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    if let Err(e) = client.publish(subject.clone(), id.clone().into()).await {
                        tracing::warn!(error = %e, "the lease heartbeat could not be sent");
                    }
                }
                beat = beats.next() => match beat {
                    // Another holder: the greater id steps down.
                    Some(m) if m.payload.as_ref() != id.as_bytes() && m.payload.as_ref() < id.as_bytes() => break,
                    Some(_) => {}
                    None => return,
                },
            }
        }
        tracing::info!(relay = %id, tenant = %pbx.tenant, "another relay holds the PBX connection; standing by");
        pbx.hold(None);
        drop(holding);
    }
}

pub(crate) fn lease_subject(tenant: &str) -> String {
    format!("ringside.{tenant}.relay.lease")
}
