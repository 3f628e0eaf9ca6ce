//! The AMI source task: connect, log in, re-sync, track, reconnect with backoff.

use std::time::Duration;

use ringside_ami::actions::QueuePause;
use ringside_ami::originate::{originate, OriginateRequest};
use ringside_ami::Backoff;
use ringside_ami::{connect, Action, AgentIdentity, AmiError, CallTracker, Client, ConnectOptions, Message};
use ringside_core::{CallEvent, CallId, CtiCommand, ErrorReport, Timestamp};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::session_task::SessionMsg;
use crate::RuntimeError;

pub(crate) use crate::source::SourceMsg;
use crate::source::{Next, Target};

/// What the source needs to know about this desk beyond the connection.
#[derive(Debug, Clone)]
pub(crate) struct Desk {
    pub identity: AgentIdentity,
    pub originate_context: String,
    pub caller_id: String,
    /// How the PBX names call recordings (see `ringside_ami::RecordingLink`).
    pub recording: Option<ringside_ami::RecordingLink>,
}

/// What the PBX says exists right after we connect.
struct Resync {
    channels: Vec<Message>,
    members: Vec<Message>,
}

enum After {
    Reconnect,
    /// Nothing listened: the PBX is restarting.
    ReconnectSoon,
    Idle,
    Stop,
    Retarget(Box<Target>, oneshot::Sender<()>),
}

fn tracker_for(desk: &Desk) -> CallTracker {
    let tracker = CallTracker::new(desk.identity.clone());
    match desk.recording.clone() {
        Some(link) => tracker.with_recording(link),
        None => tracker,
    }
}

/// Where the AMI source connects and who the agent is there.
pub(crate) struct AmiTarget {
    pub options: ConnectOptions,
    pub desk: Desk,
}

/// Runs until Ringside stops (`None`), or until new settings name another kind of source.
pub(crate) async fn run(
    target: AmiTarget,
    session: &mpsc::Sender<SessionMsg>,
    rx: &mut mpsc::Receiver<SourceMsg>,
) -> Next {
    let AmiTarget { mut options, mut desk } = target;
    let mut tracker = tracker_for(&desk);
    // The calls a tracker replaced by new settings still had: the next re-sync ends those the
    // PBX no longer has.
    let mut carried: Option<Vec<CallId>> = None;
    let mut backoff = Backoff::new();
    let mut enabled = true;
    // Idle because the PBX refused the login (not because the agent logged out): new settings
    // (another secret, user or PBX) try again at once.
    let mut refused = false;
    loop {
        if !enabled {
            // Logged out: wait for "log in", refuse commands meanwhile.
            match rx.recv().await {
                None | Some(SourceMsg::Shutdown) => return None,
                Some(SourceMsg::Connect) => {
                    enabled = true;
                    refused = false;
                }
                Some(SourceMsg::Disconnect) => refused = false,
                Some(SourceMsg::Retarget { target, reply }) => match *target {
                    // New settings while logged out: used at the next log in.
                    Target::Ami(target) => {
                        retarget(&mut options, &mut desk, &mut tracker, &mut carried, target);
                        enabled = std::mem::take(&mut refused);
                        let _ = reply.send(());
                    }
                    other => return Some((other, reply)),
                },
                Some(other) => refuse(other),
            }
            continue;
        }
        let after = match connect(&options).await {
            Ok((client, events)) => {
                backoff.reset();
                refused = false;
                tracing::info!(addr = %options.addr, "connected to AMI");
                let source = format!("Asterisk AMI at {}", options.addr);
                send(session, CallEvent::SourceConnected { source, at: Timestamp::now() }).await;
                let live_before = carried.take().unwrap_or_else(|| tracker.live_calls());
                serve(&client, events, &mut tracker, live_before, &desk, session, rx).await
            }
            Err(e) => {
                tracing::warn!(addr = %options.addr, error = %e, "AMI connection failed");
                disconnected(session, ErrorReport::of(&e)).await;
                if e.is_permanent() {
                    // A wrong secret stays wrong: report once, wait for the agent to log in again
                    // (or for new settings).
                    refused = true;
                    After::Idle
                } else if e.nobody_listening() {
                    After::ReconnectSoon
                } else {
                    After::Reconnect
                }
            }
        };
        match after {
            After::Stop => return None,
            After::Idle => enabled = false,
            After::Retarget(target, reply) => match *target {
                Target::Ami(target) => {
                    retarget(&mut options, &mut desk, &mut tracker, &mut carried, target);
                    backoff.reset();
                    let _ = reply.send(());
                }
                other => return Some((other, reply)),
            },
            After::Reconnect | After::ReconnectSoon => {
                let wait = if matches!(after, After::ReconnectSoon) { backoff.step_refused() } else { backoff.step() };
                let deadline = tokio::time::sleep(wait);
                tokio::pin!(deadline);
                loop {
                    tokio::select! {
                        _ = &mut deadline => break,
                        msg = rx.recv() => match msg {
                            None | Some(SourceMsg::Shutdown) => return None,
                            Some(SourceMsg::Disconnect) => { enabled = false; disconnected(session, logged_out()).await; break }
                            Some(SourceMsg::Connect) => break,
                            Some(SourceMsg::Retarget { target, reply }) => match *target {
                                Target::Ami(target) => {
                                    retarget(&mut options, &mut desk, &mut tracker, &mut carried, target);
                                    backoff.reset();
                                    let _ = reply.send(());
                                    break;
                                }
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

/// Takes new settings. A new agent identity gets a new tracker; the calls the old one followed
/// are carried to the next re-sync, which ends those the PBX no longer has.
fn retarget(
    options: &mut ConnectOptions,
    desk: &mut Desk,
    tracker: &mut CallTracker,
    carried: &mut Option<Vec<CallId>>,
    target: AmiTarget,
) {
    tracing::info!(addr = %target.options.addr, "connecting with new settings");
    if target.desk.identity != desk.identity || target.desk.recording != desk.recording {
        let mut live = carried.take().unwrap_or_default();
        live.extend(tracker.live_calls());
        *carried = Some(live);
        *tracker = tracker_for(&target.desk);
    }
    *options = target.options;
    *desk = target.desk;
}

async fn serve(
    client: &Client,
    mut events: ringside_ami::Events,
    tracker: &mut CallTracker,
    live_before: Vec<CallId>,
    desk: &Desk,
    session: &mpsc::Sender<SessionMsg>,
    rx: &mut mpsc::Receiver<SourceMsg>,
) -> After {
    // Re-sync now rather than waiting for the next event: the calls that exist (a call that
    // started while we were away gets its card, one that ended is closed) and the pause state.
    // It runs beside the event loop: awaiting it here could stall the socket behind unread events.
    let mut resync: Option<JoinHandle<Result<Resync, AmiError>>> = {
        let c = client.clone();
        Some(tokio::spawn(async move {
            let channels = c.send_list(Action::new("CoreShowChannels")).await?;
            let members = c.send_list(Action::new("QueueStatus")).await?;
            Ok(Resync { channels, members })
        }))
    };
    let mut out = Vec::new();
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Some(Ok(msg)) => {
                    tracker.handle(&msg, Timestamp::now(), &mut out);
                    for e in out.drain(..) { send(session, e).await; }
                }
                Some(Err(e)) => { disconnected(session, ErrorReport::of(&e)).await; return After::Reconnect }
                None => { disconnected(session, ErrorReport::of(&AmiError::Closed)).await; return After::Reconnect }
            },
            done = async { match resync.as_mut() { Some(h) => h.await, None => std::future::pending().await } } => {
                resync = None;
                match done {
                    Ok(Ok(Resync { channels, members })) => {
                        let now = Timestamp::now();
                        tracker.resync(&channels, &live_before, now, &mut out);
                        for item in &members { tracker.handle(item, now, &mut out); }
                        out.push(CallEvent::Resynced { at: now });
                        for e in out.drain(..) { send(session, e).await; }
                    }
                    Ok(Err(e)) => tracing::warn!(error = %e, "re-sync after connect failed"),
                    Err(e) => tracing::warn!(error = %e, "re-sync task failed"),
                }
            },
            msg = rx.recv() => match msg {
                None | Some(SourceMsg::Shutdown) => { client.logoff().await; return After::Stop }
                Some(SourceMsg::Disconnect) => {
                    client.logoff().await;
                    disconnected(session, logged_out()).await;
                    return After::Idle;
                }
                Some(SourceMsg::Connect) => {}
                Some(SourceMsg::Retarget { target, reply }) => {
                    client.logoff().await;
                    disconnected(session, reconnecting()).await;
                    return After::Retarget(target, reply);
                }
                Some(SourceMsg::Command { cmd, reply }) => {
                    let c = client.clone();
                    let interfaces = desk.identity.interfaces.clone();
                    tokio::spawn(async move {
                        let result = execute(&c, &interfaces, &cmd).await;
                        if let Err(e) = &result { tracing::warn!(error = %e, ?cmd, "PBX command failed"); }
                        if let Some(reply) = reply { let _ = reply.send(result); }
                    });
                }
                Some(SourceMsg::Originate { number, reply }) => {
                    let request = OriginateRequest {
                        device: desk.identity.interfaces.first().cloned().unwrap_or_default(),
                        context: desk.originate_context.clone(),
                        number,
                        caller_id: desk.caller_id.clone(),
                        ring_timeout: Duration::from_secs(30),
                    };
                    let c = client.clone();
                    tokio::spawn(async move {
                        let result = originate(&c, &request).await.map(|_| ()).map_err(RuntimeError::from);
                        let _ = reply.send(result);
                    });
                }
                Some(SourceMsg::Hangup { call, reply }) => {
                    let channels = tracker.agent_channels(&call);
                    let c = client.clone();
                    tokio::spawn(async move {
                        let result = match channels.first() {
                            None => Err(RuntimeError::NoSuchCall),
                            Some(channel) => c
                                .send(ringside_ami::actions::hangup(channel))
                                .await
                                .map(|_| ())
                                .map_err(RuntimeError::from),
                        };
                        let _ = reply.send(result);
                    });
                }
                Some(SourceMsg::SetMemberPaused { interface, queue, paused, reason, reply }) => {
                    let c = client.clone();
                    tokio::spawn(async move {
                        let _ = reply.send(pause_member(&c, &interface, queue.as_deref(), paused, reason.as_deref()).await);
                    });
                }
            }
        }
    }
}

/// Pauses or unpauses every interface of the agent in all their queues.
async fn execute(client: &Client, interfaces: &[String], cmd: &CtiCommand) -> Result<(), RuntimeError> {
    for interface in interfaces {
        match cmd {
            CtiCommand::PauseQueues { reason } => {
                pause_member(client, interface, None, true, reason.as_deref()).await?
            }
            CtiCommand::UnpauseQueues => pause_member(client, interface, None, false, None).await?,
        }
    }
    Ok(())
}

/// `QueuePause` of one member, in one queue or (without `queue`) in all of theirs.
async fn pause_member(
    client: &Client,
    interface: &str,
    queue: Option<&str>,
    paused: bool,
    reason: Option<&str>,
) -> Result<(), RuntimeError> {
    client.send(QueuePause { interface, queue, paused, reason }.into()).await?;
    Ok(())
}

pub(crate) fn refuse(msg: SourceMsg) {
    let reply = match msg {
        SourceMsg::Command { reply, .. } => reply,
        SourceMsg::Originate { reply, .. }
        | SourceMsg::Hangup { reply, .. }
        | SourceMsg::SetMemberPaused { reply, .. } => Some(reply),
        SourceMsg::Retarget { .. } | SourceMsg::Connect | SourceMsg::Disconnect | SourceMsg::Shutdown => None,
    };
    if let Some(reply) = reply {
        let _ = reply.send(Err(RuntimeError::NotConnected));
    }
}

pub(crate) async fn send(session: &mpsc::Sender<SessionMsg>, event: CallEvent) {
    // Backpressure, never a drop: if the session is slow, we stop reading the socket.
    let _ = session.send(SessionMsg::Event(event)).await;
}

/// New settings: not a fault.
pub(crate) fn reconnecting() -> ErrorReport {
    ErrorReport::new("pbx.reconnecting", "connecting with the new settings")
}

/// The agent logged out of the PBX: not a fault.
pub(crate) fn logged_out() -> ErrorReport {
    ErrorReport::new("pbx.logged_out", "logged out")
}

pub(crate) async fn disconnected(session: &mpsc::Sender<SessionMsg>, reason: ErrorReport) {
    send(session, CallEvent::SourceDisconnected { reason, at: Timestamp::now() }).await;
}
