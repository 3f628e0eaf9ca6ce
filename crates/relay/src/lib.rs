//! Ringside's relay: call events taken in once — provider webhooks and the push API
//! (`ringside-push`) — and handed to each agent on their own NATS subject
//! (`ringside.<tenant>.agent.<extension>`, docs/relay-protocol.md). A desk with
//! `[source] kind = "nats"` shows them as cards.
//!
//! The relay keeps each agent's live calls, so a desk that connects (or reconnects) asks
//! `ringside.<tenant>.sync.<extension>` and gets what exists now. Queue members' state goes
//! once per queue to `ringside.<tenant>.team.<queue>` for supervisors (asked again on
//! `ringside.<tenant>.teamsync[.<queue>]`). Commands (`ringside.<tenant>.cmd.<extension>`) need
//! a PBX: a relay fed by webhooks refuses them in words. With `[ami]`, one AMI connection
//! carries the whole PBX ([`AmiInput`]), and relays sharing a tenant elect one holder.

mod ami;
mod config;
mod lease;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use ringside_core::relay::{self, RelayReply, SyncReply};
use ringside_core::{CallEvent, ErrorReport};
use ringside_push::Routed;
use tokio::sync::mpsc;

pub use ami::{AgentEntry, AmiInput};
pub use config::{ConfigError, HttpConfig, NatsConfig, RelayConfig, NATS_SECRET_ENV};
use state::Live;

/// Events between the HTTP inputs and the NATS publisher: a full queue answers `503` with
/// `Retry-After`, never drops.
const QUEUE: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("the relay's NATS servers: {0}")]
    Nats(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A running relay.
pub struct Relay {
    /// Where its HTTP inputs listen.
    pub http: SocketAddr,
    client: async_nats::Client,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    pbx: Option<Arc<lease::Pbx>>,
}

impl Relay {
    /// Connects to NATS, starts answering desks and listening for webhooks and pushes.
    pub async fn start(config: RelayConfig) -> Result<Relay, RelayError> {
        let mut options = async_nats::ConnectOptions::new().name("ringside-relay");
        if let Some(user) = &config.nats.user {
            options = options.user_and_password(user.clone(), config.nats.password.clone().unwrap_or_default());
        }
        let servers: Vec<async_nats::ServerAddr> = config.nats.servers.iter().filter_map(|s| s.parse().ok()).collect();
        let client = options.connect(servers).await.map_err(|e| RelayError::Nats(e.to_string()))?;
        let live = Arc::new(Mutex::new(Live::default()));

        let (sink, events) = mpsc::channel(QUEUE);
        let listener = tokio::net::TcpListener::bind(config.http.listen)
            .await
            .map_err(|source| RelayError::Listen { addr: config.http.listen, source })?;
        let http = listener.local_addr().map_err(|source| RelayError::Listen { addr: config.http.listen, source })?;
        let nats = |e: async_nats::SubscribeError| RelayError::Nats(e.to_string());
        let mut lease_task = None;
        let pbx = match config.ami {
            Some(input) => {
                let pbx = Arc::new(lease::Pbx::new(input.tenant.clone()));
                let beats = client.subscribe(lease::lease_subject(&input.tenant)).await.map_err(nats)?;
                let id = config.id.clone();
                lease_task =
                    Some(tokio::spawn(lease::run(client.clone(), beats, pbx.clone(), id, input, sink.clone())));
                Some(pbx)
            }
            None => None,
        };
        let app = ringside_push::router(config.push, sink);
        let mut tasks = vec![tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the HTTP inputs stopped");
            }
        })];
        let syncs = futures_util::stream::select_all([
            client.subscribe("ringside.*.sync.*").await.map_err(nats)?,
            client.subscribe("ringside.*.teamsync").await.map_err(nats)?,
            client.subscribe("ringside.*.teamsync.*").await.map_err(nats)?,
        ]);
        let commands = client.subscribe("ringside.*.cmd.*").await.map_err(nats)?;
        tasks.push(tokio::spawn(publish(client.clone(), events, live.clone())));
        tasks.push(tokio::spawn(answer_syncs(client.clone(), syncs, live, pbx.clone())));
        tasks.push(tokio::spawn(answer_commands(client.clone(), commands, pbx.clone())));
        tasks.extend(lease_task);
        // The subscriptions above are registered with the server before the relay says it is up.
        client.flush().await.map_err(|e| RelayError::Nats(e.to_string()))?;
        tracing::info!(%http, servers = ?config.nats.servers, "relay running");
        Ok(Relay { http, client, tasks, pbx })
    }

    /// Whether this relay holds its tenant's PBX connection now (`false` without `[ami]`).
    pub fn holds_pbx(&self) -> bool {
        self.pbx.as_ref().is_some_and(|p| p.is_active())
    }

    /// Stops taking input, publishes what was taken, and closes the NATS connection.
    pub async fn shutdown(self) {
        for task in &self.tasks {
            task.abort();
        }
        let _ = self.client.drain().await;
    }
}

/// Each event to its agent's subject, in the order it came in; team state to its queue's
/// subject, once for every supervisor.
async fn publish(client: async_nats::Client, mut events: mpsc::Receiver<Routed>, live: Arc<Mutex<Live>>) {
    while let Some(Routed { tenant, extension, event }) = events.recv().await {
        live.lock().unwrap_or_else(|p| p.into_inner()).record(&tenant, &extension, &event);
        let subject = match &event {
            CallEvent::TeamMember { update, .. } => relay::team_subject(&tenant, update.queue()),
            _ => relay::agent_subject(&tenant, &extension),
        };
        match serde_json::to_vec(&event) {
            Ok(payload) => {
                if let Err(e) = client.publish(subject, payload.into()).await {
                    tracing::warn!(error = %e, %tenant, %extension, "an event could not be published");
                }
            }
            Err(e) => tracing::warn!(error = %e, "an event could not be written as JSON"),
        }
    }
}

/// The agent and tenant a desk's subject names (`ringside.<tenant>.<kind>.<extension>`).
fn agent_of(subject: &str) -> Option<(&str, &str)> {
    let mut parts = subject.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("ringside"), Some(tenant), Some(_), Some(extension), None) => Some((tenant, extension)),
        _ => None,
    }
}

/// What a sync request asks for, by its subject.
enum Ask<'a> {
    /// `ringside.<tenant>.sync.<ext>`: the agent's live calls and pause.
    Agent { tenant: &'a str, extension: &'a str },
    /// `ringside.<tenant>.teamsync[.<queue>]`: the members of a queue, or of all.
    Team { tenant: &'a str, queue: Option<&'a str> },
}

fn ask_of(subject: &str) -> Option<Ask<'_>> {
    let parts: Vec<&str> = subject.split('.').collect();
    match parts.as_slice() {
        ["ringside", tenant, "sync", extension] => Some(Ask::Agent { tenant, extension }),
        ["ringside", tenant, "teamsync"] => Some(Ask::Team { tenant, queue: None }),
        ["ringside", tenant, "teamsync", queue] => Some(Ask::Team { tenant, queue: Some(queue) }),
        _ => None,
    }
}

/// A desk asks what exists now: the agent's live calls and pause, or a queue's members, as the
/// events that told them.
async fn answer_syncs(
    client: async_nats::Client,
    mut requests: futures_util::stream::SelectAll<async_nats::Subscriber>,
    live: Arc<Mutex<Live>>,
    pbx: Option<Arc<lease::Pbx>>,
) {
    while let Some(msg) = requests.next().await {
        let (Some(reply), Some(ask)) = (msg.reply, ask_of(&msg.subject)) else { continue };
        let tenant = match ask {
            Ask::Agent { tenant, .. } | Ask::Team { tenant, .. } => tenant,
        };
        // A standby knows nothing of the PBX's calls: the holder answers.
        if pbx.as_ref().is_some_and(|p| p.tenant == tenant && !p.is_active()) {
            continue;
        }
        let events = {
            let live = live.lock().unwrap_or_else(|p| p.into_inner());
            match ask {
                Ask::Agent { tenant, extension } => live.events(tenant, extension),
                Ask::Team { tenant, queue } => live.team(tenant, queue),
            }
        };
        if let Ok(payload) = serde_json::to_vec(&SyncReply { events }) {
            let _ = client.publish(reply, payload.into()).await;
        }
    }
}

/// A desk's command: to the PBX when the relay has one for the desk's tenant, else refused in
/// words. The subject names the agent; the relay acts for that agent only.
async fn answer_commands(
    client: async_nats::Client,
    mut requests: async_nats::Subscriber,
    pbx: Option<Arc<lease::Pbx>>,
) {
    while let Some(msg) = requests.next().await {
        let Some(reply_to) = msg.reply.clone() else { continue };
        let command = serde_json::from_slice::<relay::RelayCommand>(&msg.payload);
        let target = agent_of(&msg.subject).map(|(t, e)| (t.to_string(), e.to_string()));
        let ours = match (&pbx, &target) {
            (Some(pbx), Some((tenant, _))) if &pbx.tenant == tenant => {
                // A standby stays silent: the holder answers.
                let Some(commands) = pbx.commands() else { continue };
                Some(commands)
            }
            _ => None,
        };
        let client = client.clone();
        tokio::spawn(async move {
            let reply = match (command, target, ours) {
                (Err(e), _, _) => refused("relay.bad_command", format!("the command cannot be read: {e}")),
                (_, None, _) => refused("relay.bad_command", "the subject names no agent".into()),
                (Ok(command), Some((_, extension)), Some(commands)) => {
                    let (reply, answer) = tokio::sync::oneshot::channel();
                    if commands.send(ami::Command { extension, command, reply }).await.is_err() {
                        refused("relay.stopping", "the relay is stopping".into())
                    } else {
                        answer.await.unwrap_or_else(|_| refused("relay.stopping", "the relay is stopping".into()))
                    }
                }
                _ => refused(
                    "relay.no_pbx",
                    "this relay takes calls from webhooks and pushes; it has no PBX connection to carry out commands"
                        .into(),
                ),
            };
            if let Ok(payload) = serde_json::to_vec(&reply) {
                let _ = client.publish(reply_to, payload.into()).await;
            }
        });
    }
}

fn refused(code: &'static str, message: String) -> RelayReply {
    RelayReply::Refused { error: ErrorReport::new(code, message) }
}

#[cfg(test)]
mod tests {
    use super::agent_of;

    #[test]
    fn a_sync_subject_names_an_agent_or_a_queue() {
        assert!(matches!(
            super::ask_of("ringside.acme.sync.101"),
            Some(super::Ask::Agent { tenant: "acme", extension: "101" })
        ));
        assert!(matches!(
            super::ask_of("ringside.acme.teamsync"),
            Some(super::Ask::Team { tenant: "acme", queue: None })
        ));
        assert!(matches!(
            super::ask_of("ringside.acme.teamsync.support"),
            Some(super::Ask::Team { tenant: "acme", queue: Some("support") })
        ));
        assert!(super::ask_of("ringside.acme.teamsync.support.x").is_none());
        assert!(super::ask_of("ringside.acme.cmd.101").is_none());
    }

    #[test]
    fn the_subject_names_the_agent() {
        assert_eq!(agent_of("ringside.acme.sync.101"), Some(("acme", "101")));
        assert_eq!(agent_of("ringside.acme.sync"), None);
        assert_eq!(agent_of("ringside.acme.sync.101.x"), None);
        assert_eq!(agent_of("other.acme.sync.101"), None);
    }
}
