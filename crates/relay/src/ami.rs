//! The relay's AMI input: one connection for the whole PBX instead of one per desk. Every
//! configured agent has its own `CallTracker` (the same one a desk runs) behind one `Fanout`,
//! which hands each event only to the trackers it can concern, so each agent's events are
//! exactly what their own desk would have made of the PBX at a cost that does not grow with
//! the number of agents per event (issue #14). Commands
//! from the desks are carried out here: an agent acts on itself only, a supervisor on the
//! queues the settings give them.

use std::collections::BTreeSet;
use std::time::Duration;

use ringside_ami::actions::QueuePause;
use ringside_ami::originate::{originate, OriginateRequest};
use ringside_ami::team::member_update;
use ringside_ami::{connect, Action, AgentIdentity, AmiError, Backoff, Client, ConnectOptions, Fanout, Message};
use ringside_core::relay::{RelayCommand, RelayReply};
use ringside_core::{CallEvent, ErrorReport, MemberUpdate, Timestamp};
use ringside_push::Routed;
use tokio::sync::{mpsc, oneshot};

/// One agent the relay follows on the PBX.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentEntry {
    pub extension: String,
    /// Queue-member interfaces, as the queues know them (`PJSIP/100`, `Local/100@agents`).
    pub interfaces: Vec<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Queues whose members this agent (a supervisor) may pause and unpause.
    #[serde(default)]
    pub supervises: Vec<String>,
}

/// Where the PBX is and whom the relay follows there.
#[derive(Clone)]
pub struct AmiInput {
    pub tenant: String,
    pub options: ConnectOptions,
    /// The dialplan context click-to-call dials from.
    pub originate_context: String,
    pub agents: Vec<AgentEntry>,
}

/// A desk's command for the AMI task, with where to answer.
pub(crate) struct Command {
    pub extension: String,
    pub command: RelayCommand,
    pub reply: oneshot::Sender<RelayReply>,
}

/// The agents the relay follows: `fanout`'s agent `i` is `entries[i]`.
struct Followed {
    entries: Vec<AgentEntry>,
    fanout: Fanout,
    /// The queue members the relay told supervisors of, as `(queue, interface)`: after a
    /// reconnect, those the PBX no longer lists are told removed.
    members: BTreeSet<(String, String)>,
}

/// Runs until the relay stops: connects, re-syncs every agent, follows, reconnects while the PBX is away
/// (soon while nothing listens, longer each time otherwise: [`Backoff`]).
pub(crate) async fn run(input: AmiInput, sink: mpsc::Sender<Routed>, mut commands: mpsc::Receiver<Command>) {
    let mut agents = Followed {
        entries: input.agents.clone(),
        fanout: Fanout::new(
            input.agents.iter().map(|entry| AgentIdentity::new(entry.extension.clone(), entry.interfaces.clone())),
        ),
        members: BTreeSet::new(),
    };
    let mut backoff = Backoff::new();
    loop {
        // Soon while nothing listens (a PBX restarting), longer each time otherwise.
        let wait = match connect(&input.options).await {
            Ok((client, events)) => {
                backoff.reset();
                tracing::info!(addr = %input.options.addr, agents = agents.entries.len(), "relay connected to AMI");
                if !follow(&client, events, &input, &mut agents, &sink, &mut commands).await {
                    client.logoff().await;
                    return;
                }
                backoff.step()
            }
            Err(e) => {
                tracing::warn!(addr = %input.options.addr, error = %e, "AMI connection failed");
                if e.nobody_listening() {
                    backoff.step_refused()
                } else {
                    backoff.step()
                }
            }
        };
        // Commands while the PBX is away are answered at once, not queued.
        let pause = tokio::time::sleep(wait);
        tokio::pin!(pause);
        loop {
            tokio::select! {
                _ = &mut pause => break,
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(cmd) => {
                        let _ = cmd.reply.send(refused(ErrorReport::new("pbx.not_connected", "the relay is not connected to the PBX")));
                    }
                }
            }
        }
    }
}

/// Follows one connection; `false` when the relay stops.
async fn follow(
    client: &Client,
    mut events: ringside_ami::Events,
    input: &AmiInput,
    agents: &mut Followed,
    sink: &mpsc::Sender<Routed>,
    commands: &mut mpsc::Receiver<Command>,
) -> bool {
    // Beside the event loop: awaiting it here could stall the socket behind unread events.
    let mut resync = {
        let c = client.clone();
        Some(tokio::spawn(async move {
            let channels = c.send_list(Action::new("CoreShowChannels")).await?;
            let members = c.send_list(Action::new("QueueStatus")).await?;
            Ok::<_, AmiError>((channels, members))
        }))
    };
    let mut out = Vec::new();
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Some(Ok(msg)) => {
                    let now = Timestamp::now();
                    agents.fanout.handle(&msg, now, &mut out);
                    route(sink, &input.tenant, &agents.entries, &mut out).await;
                    if let Some(update) = member_update(&msg) {
                        team(sink, &input.tenant, &mut agents.members, update, now).await;
                    }
                }
                Some(Err(e)) => { tracing::warn!(error = %e, "AMI connection lost"); return true }
                None => { tracing::warn!("AMI connection closed"); return true }
            },
            done = async { match resync.as_mut() { Some(h) => h.await, None => std::future::pending().await } } => {
                resync = None;
                match done {
                    Ok(Ok((channels, members))) => {
                        // Per agent: the re-sync's events, the queue members', then `Resynced`.
                        let now = Timestamp::now();
                        agents.fanout.resync(&channels, &members, now, &mut out);
                        route(sink, &input.tenant, &agents.entries, &mut out).await;
                        // The team as the PBX lists it now; members gone meanwhile are removed.
                        let mut before = std::mem::take(&mut agents.members);
                        for update in members.iter().filter_map(member_update) {
                            before.remove(&(update.queue().to_string(), update.interface().to_string()));
                            team(sink, &input.tenant, &mut agents.members, update, now).await;
                        }
                        for (queue, interface) in before {
                            let gone = MemberUpdate::Removed { interface, queue };
                            team(sink, &input.tenant, &mut agents.members, gone, now).await;
                        }
                    }
                    Ok(Err(e)) => tracing::warn!(error = %e, "re-sync after connect failed"),
                    Err(e) => tracing::warn!(error = %e, "re-sync task failed"),
                }
            },
            cmd = commands.recv() => match cmd {
                None => return false,
                Some(Command { extension, command, reply }) => {
                    let Some(agent) = agents.entries.iter().position(|a| a.extension == extension) else {
                        let _ = reply.send(refused(ErrorReport::new("relay.unknown_agent", format!("the relay does not follow extension {extension}"))));
                        continue;
                    };
                    let work = plan(agents, agent, input, command);
                    let client = client.clone();
                    tokio::spawn(async move {
                        let answer = match work {
                            Ok(work) => match work.run(&client).await {
                                Ok(()) => RelayReply::Done,
                                Err(e) => refused(ErrorReport::of(&e)),
                            },
                            Err(report) => refused(report),
                        };
                        let _ = reply.send(answer);
                    });
                }
            }
        }
    }
}

async fn route(sink: &mpsc::Sender<Routed>, tenant: &str, entries: &[AgentEntry], out: &mut Vec<(usize, CallEvent)>) {
    for (agent, event) in out.drain(..) {
        // The fan-out only names agents it was built with.
        let Some(entry) = entries.get(agent) else { continue };
        // Backpressure, never a drop: a slow publisher stops the socket being read.
        let _ = sink.send(Routed { tenant: tenant.to_string(), extension: entry.extension.clone(), event }).await;
    }
}

/// A queue member's change, for the supervisors of its queue (once, not once per agent).
async fn team(
    sink: &mpsc::Sender<Routed>,
    tenant: &str,
    members: &mut BTreeSet<(String, String)>,
    update: MemberUpdate,
    at: Timestamp,
) {
    let key = (update.queue().to_string(), update.interface().to_string());
    match update {
        MemberUpdate::Set { .. } => members.insert(key),
        MemberUpdate::Removed { .. } => members.remove(&key),
    };
    let event = CallEvent::TeamMember { update, at };
    let _ = sink.send(Routed { tenant: tenant.to_string(), extension: String::new(), event }).await;
}

fn refused(error: ErrorReport) -> RelayReply {
    RelayReply::Refused { error }
}

/// What a command does on the PBX, decided where the agent's tracker is.
enum Work {
    Pause { interfaces: Vec<String>, queue: Option<String>, paused: bool, reason: Option<String> },
    Originate(OriginateRequest),
    Hangup(String),
}

fn plan(agents: &Followed, agent: usize, input: &AmiInput, command: RelayCommand) -> Result<Work, ErrorReport> {
    let Some(entry) = agents.entries.get(agent) else {
        return Err(ErrorReport::new("relay.unknown_agent", "the relay does not follow this agent"));
    };
    Ok(match command {
        RelayCommand::Pause { reason } => {
            Work::Pause { interfaces: entry.interfaces.clone(), queue: None, paused: true, reason }
        }
        RelayCommand::Unpause => {
            Work::Pause { interfaces: entry.interfaces.clone(), queue: None, paused: false, reason: None }
        }
        RelayCommand::Originate { number } => {
            let device = entry.interfaces.first().cloned().unwrap_or_default();
            let name = entry.name.clone().unwrap_or_else(|| format!("Agent {}", entry.extension));
            Work::Originate(OriginateRequest {
                device,
                context: input.originate_context.clone(),
                number,
                caller_id: format!("\"{}\" <{}>", name.replace('"', "'"), entry.extension),
                ring_timeout: Duration::from_secs(30),
            })
        }
        RelayCommand::Hangup { call } => match agents.fanout.agent_channels(agent, &call).into_iter().next() {
            Some(channel) => Work::Hangup(channel),
            None => return Err(ErrorReport::new("call.none", "there is no call to hang up")),
        },
        RelayCommand::SetMemberPaused { interface, queue, paused, reason } => {
            // An agent may act on itself; a supervisor on members of the queues it supervises.
            let own = entry.interfaces.contains(&interface);
            let allowed = queue.as_ref().is_some_and(|q| entry.supervises.contains(q));
            if !own && !allowed {
                return Err(ErrorReport::new(
                    "supervisor.not_permitted",
                    "this agent may not pause other agents in that queue",
                ));
            }
            Work::Pause { interfaces: vec![interface], queue, paused, reason }
        }
    })
}

impl Work {
    async fn run(self, client: &Client) -> Result<(), AmiError> {
        match self {
            Work::Pause { interfaces, queue, paused, reason } => {
                for interface in &interfaces {
                    let action = QueuePause { interface, queue: queue.as_deref(), paused, reason: reason.as_deref() };
                    client.send(action.into()).await?;
                }
                Ok(())
            }
            Work::Originate(request) => originate(client, &request).await.map(drop),
            Work::Hangup(channel) => client.send(ringside_ami::actions::hangup(&channel)).await.map(drop::<Message>),
        }
    }
}
