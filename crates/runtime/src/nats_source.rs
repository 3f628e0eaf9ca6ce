//! The NATS source: the desk of an agent behind a Ringside relay. The relay holds the one AMI
//! connection (or takes providers' webhooks) and publishes each agent's `CallEvent`s on the
//! agent's own subject; commands go back by request/reply (docs/relay-protocol.md). The rest
//! of Ringside (cards, lookup, history, dialing) is the same as with a PBX of its own.

use std::time::Duration;

use async_nats::{ConnectErrorKind, Event, RequestErrorKind};
use ringside_core::relay::{self, RelayCommand, RelayReply, SyncReply};
use ringside_core::{CallEvent, CtiCommand, ErrorReport, Timestamp};
use tokio::sync::{mpsc, oneshot};

use ringside_ami::Backoff;

use crate::ami_source::{disconnected, logged_out, reconnecting, refuse, send};
use crate::session_task::SessionMsg;
use crate::source::{Next, SourceMsg, Target};
use crate::RuntimeError;

/// How long the relay may take to answer a command (an `Originate` waits for the agent's phone).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(40);
const SYNC_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the relay is and who this desk is there.
#[derive(Clone)]
pub(crate) struct NatsTarget {
    pub servers: Vec<String>,
    pub tenant: String,
    pub extension: String,
    pub user: Option<String>,
    /// From the keychain (`nats:<user>`) or `RINGSIDE_NATS_SECRET`.
    pub password: Option<String>,
    /// A supervisor's queues (`[supervisor]`): `None` for an agent, empty for every queue.
    pub team: Option<Vec<String>>,
}

impl NatsTarget {
    fn label(&self) -> String {
        format!("Ringside relay at {} ({})", self.servers.join(", "), self.tenant)
    }
}

enum Connected {
    Stop,
    Idle,
    Reconnect,
    Switch(Box<Target>, oneshot::Sender<()>),
}

/// Runs until Ringside stops, or new settings name another kind of source.
pub(crate) async fn run(
    target: NatsTarget,
    session: &mpsc::Sender<SessionMsg>,
    rx: &mut mpsc::Receiver<SourceMsg>,
) -> Next {
    let mut target = target;
    let mut backoff = Backoff::new();
    let mut enabled = true;
    loop {
        if !enabled {
            match rx.recv().await {
                None | Some(SourceMsg::Shutdown) => return None,
                Some(SourceMsg::Connect) => enabled = true,
                Some(SourceMsg::Disconnect) => {}
                Some(SourceMsg::Retarget { target: next, reply }) => match *next {
                    Target::Nats(next) => {
                        target = next;
                        enabled = true;
                        let _ = reply.send(());
                    }
                    other => return Some((other, reply)),
                },
                Some(other) => refuse(other),
            }
            continue;
        }
        let (events_tx, events_rx) = mpsc::channel(16);
        let mut options = async_nats::ConnectOptions::new()
            .name(format!("ringside desk {}", target.extension))
            .connection_timeout(CONNECT_TIMEOUT)
            .require_tls(target.servers.iter().all(|s| s.starts_with("tls://")))
            .event_callback(move |event| {
                let tx = events_tx.clone();
                async move {
                    let _ = tx.send(event).await;
                }
            });
        if let Some(user) = &target.user {
            options = options.user_and_password(user.clone(), target.password.clone().unwrap_or_default());
        }
        let servers: Vec<async_nats::ServerAddr> = target.servers.iter().filter_map(|s| s.parse().ok()).collect();
        let after = match tokio::time::timeout(CONNECT_TIMEOUT * 2, options.connect(servers)).await {
            Ok(Ok(client)) => {
                backoff.reset();
                tracing::info!(servers = ?target.servers, tenant = %target.tenant, "connected to the relay");
                serve(&client, events_rx, &target, session, rx).await
            }
            Ok(Err(e)) => {
                tracing::warn!(servers = ?target.servers, error = %e, "the relay's NATS servers refused or did not answer");
                let refused =
                    matches!(e.kind(), ConnectErrorKind::AuthorizationViolation | ConnectErrorKind::Authentication);
                let code = if refused { "relay.login_refused" } else { "relay.unreachable" };
                let report =
                    ErrorReport::new(code, format!("the relay's NATS servers: {e}")).with_arg("reason", e.to_string());
                disconnected(session, report).await;
                // A wrong password stays wrong: wait for new settings or the agent's log in.
                if refused {
                    Connected::Idle
                } else {
                    Connected::Reconnect
                }
            }
            Err(_) => {
                let report = ErrorReport::new("relay.unreachable", "the relay's NATS servers did not answer")
                    .with_arg("reason", "timed out");
                disconnected(session, report).await;
                Connected::Reconnect
            }
        };
        match after {
            Connected::Stop => return None,
            Connected::Idle => enabled = false,
            Connected::Switch(next, reply) => match *next {
                Target::Nats(next) => {
                    target = next;
                    backoff.reset();
                    let _ = reply.send(());
                }
                other => return Some((other, reply)),
            },
            Connected::Reconnect => {
                let wait = tokio::time::sleep(backoff.step());
                tokio::pin!(wait);
                loop {
                    tokio::select! {
                        _ = &mut wait => break,
                        msg = rx.recv() => match msg {
                            None | Some(SourceMsg::Shutdown) => return None,
                            Some(SourceMsg::Disconnect) => { enabled = false; disconnected(session, logged_out()).await; break }
                            Some(SourceMsg::Connect) => break,
                            Some(SourceMsg::Retarget { target: next, reply }) => match *next {
                                Target::Nats(next) => { target = next; backoff.reset(); let _ = reply.send(()); break }
                                other => return Some((other, reply)),
                            },
                            Some(other) => refuse(other),
                        }
                    }
                }
            }
        }
    }
}

async fn serve(
    client: &async_nats::Client,
    mut events: mpsc::Receiver<Event>,
    target: &NatsTarget,
    session: &mpsc::Sender<SessionMsg>,
    rx: &mut mpsc::Receiver<SourceMsg>,
) -> Connected {
    use futures_util::StreamExt;
    let mut subjects = vec![relay::agent_subject(&target.tenant, &target.extension)];
    match target.team.as_deref() {
        None => {}
        Some([]) => subjects.push(relay::every_team_subject(&target.tenant)),
        Some(queues) => subjects.extend(queues.iter().map(|q| relay::team_subject(&target.tenant, q))),
    }
    let mut sub = futures_util::stream::SelectAll::new();
    for subject in subjects {
        match client.subscribe(subject.clone()).await {
            Ok(one) => sub.push(one),
            Err(e) => {
                let report = ErrorReport::new("relay.unreachable", format!("cannot subscribe to {subject}: {e}"))
                    .with_arg("reason", e.to_string());
                disconnected(session, report).await;
                return Connected::Reconnect;
            }
        }
    }
    send(session, CallEvent::SourceConnected { source: target.label(), at: Timestamp::now() }).await;
    resync(client, target, session);
    loop {
        tokio::select! {
            msg = sub.next() => match msg {
                Some(msg) => match serde_json::from_slice::<CallEvent>(&msg.payload) {
                    Ok(event) => send(session, event).await,
                    // Never the payload itself: it carries a stranger's text.
                    Err(e) => tracing::warn!(subject = %msg.subject, error = %e, bytes = msg.payload.len(), "the relay sent an event Ringside cannot read; skipped"),
                },
                None => {
                    disconnected(session, ErrorReport::new("relay.unreachable", "the relay connection closed").with_arg("reason", "closed")).await;
                    return Connected::Reconnect;
                }
            },
            event = events.recv() => match event {
                Some(Event::Disconnected) => {
                    let report = ErrorReport::new("relay.unreachable", "lost the connection to the relay's NATS servers")
                        .with_arg("reason", "disconnected");
                    disconnected(session, report).await;
                }
                // NATS reconnected by itself (and subscribed again): re-sync what changed meanwhile.
                Some(Event::Connected) => {
                    send(session, CallEvent::SourceConnected { source: target.label(), at: Timestamp::now() }).await;
                    resync(client, target, session);
                }
                Some(Event::ServerError(e)) => tracing::warn!(error = %e, "the relay's NATS server reports an error"),
                Some(other) => tracing::debug!(event = %other, "NATS"),
                None => {}
            },
            msg = rx.recv() => match msg {
                None | Some(SourceMsg::Shutdown) => { let _ = client.drain().await; return Connected::Stop }
                Some(SourceMsg::Disconnect) => {
                    let _ = client.drain().await;
                    disconnected(session, logged_out()).await;
                    return Connected::Idle;
                }
                Some(SourceMsg::Connect) => {}
                Some(SourceMsg::Retarget { target: next, reply }) => {
                    let _ = client.drain().await;
                    disconnected(session, reconnecting()).await;
                    return Connected::Switch(next, reply);
                }
                Some(SourceMsg::Command { cmd, reply }) => {
                    let command = match cmd {
                        CtiCommand::PauseQueues { reason } => RelayCommand::Pause { reason },
                        CtiCommand::UnpauseQueues => RelayCommand::Unpause,
                    };
                    ask(client, target, command, reply);
                }
                Some(SourceMsg::Originate { number, reply }) => ask(client, target, RelayCommand::Originate { number }, Some(reply)),
                Some(SourceMsg::Hangup { call, reply }) => ask(client, target, RelayCommand::Hangup { call }, Some(reply)),
                Some(SourceMsg::SetMemberPaused { interface, queue, paused, reason, reply }) => {
                    ask(client, target, RelayCommand::SetMemberPaused { interface, queue, paused, reason }, Some(reply))
                }
            }
        }
    }
}

/// Asks the relay what exists now (beside the event loop, which keeps reading): a supervisor's
/// team first, then the agent's own calls and pause, then `Resynced`.
fn resync(client: &async_nats::Client, target: &NatsTarget, session: &mpsc::Sender<SessionMsg>) {
    let (client, session) = (client.clone(), session.clone());
    let subject = relay::sync_subject(&target.tenant, &target.extension);
    let teams: Vec<String> = match target.team.as_deref() {
        None => Vec::new(),
        Some([]) => vec![relay::team_sync_subject(&target.tenant, None)],
        Some(queues) => queues.iter().map(|q| relay::team_sync_subject(&target.tenant, Some(q))).collect(),
    };
    tokio::spawn(async move {
        for team in teams {
            match sync(&client, team.clone()).await {
                Ok(reply) => {
                    for event in reply.events {
                        send(&session, event).await;
                    }
                }
                Err(e) => {
                    tracing::warn!(subject = %team, error = %e, "the relay did not list the team; it fills in as members change")
                }
            }
        }
        match sync(&client, subject).await {
            Ok(reply) => {
                for event in reply.events {
                    send(&session, event).await;
                }
                send(&session, CallEvent::Resynced { at: Timestamp::now() }).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "the relay did not say what exists now; calls on the cards may be stale")
            }
        }
    });
}

/// Sends `command` to the relay; the reply says when the PBX did it, or why not.
fn ask(
    client: &async_nats::Client,
    target: &NatsTarget,
    command: RelayCommand,
    reply: Option<oneshot::Sender<Result<(), RuntimeError>>>,
) {
    let client = client.clone();
    let subject = relay::command_subject(&target.tenant, &target.extension);
    tokio::spawn(async move {
        let result = match tokio::time::timeout(COMMAND_TIMEOUT, client.request(subject, bytes_of(&command))).await {
            Err(_) => Err(RuntimeError::RelayUnavailable("the relay did not answer in time".into())),
            Ok(Err(e)) if e.kind() == RequestErrorKind::NoResponders => {
                Err(RuntimeError::RelayUnavailable("no relay is serving this desk".into()))
            }
            Ok(Err(e)) => Err(RuntimeError::RelayUnavailable(e.to_string())),
            Ok(Ok(msg)) => match serde_json::from_slice::<RelayReply>(&msg.payload) {
                Ok(RelayReply::Done) => Ok(()),
                Ok(RelayReply::Refused { error }) => Err(RuntimeError::RelayRefused(error)),
                Err(e) => Err(RuntimeError::RelayUnavailable(format!("the relay's answer cannot be read: {e}"))),
            },
        };
        if let Err(e) = &result {
            tracing::warn!(error = %e, ?command, "relay command failed");
        }
        if let Some(reply) = reply {
            let _ = reply.send(result);
        }
    });
}

async fn sync(client: &async_nats::Client, subject: String) -> Result<SyncReply, String> {
    tokio::time::timeout(SYNC_TIMEOUT, client.request(subject, bytes_of(&())))
        .await
        .map_err(|_| "timed out".to_string())
        .and_then(|r| r.map_err(|e| e.to_string()))
        .and_then(|m| serde_json::from_slice::<SyncReply>(&m.payload).map_err(|e| e.to_string()))
}

fn bytes_of<T: serde::Serialize>(value: &T) -> bytes::Bytes {
    serde_json::to_vec(value).unwrap_or_default().into()
}
