//! The task that owns the [`Session`]: one place where state changes, in arrival order.

use std::time::Duration;

use ringside_core::agent_state::WrapUpResult;
use ringside_core::{
    AgentInput, CallEvent, CallId, CustomerMatch, LookupState, Session, SessionOutput, Timestamp, TransitionError,
    UnpauseRequest,
};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::ami_source::SourceMsg;
use crate::customers::CustomerLookup;
use crate::{RuntimeError, Snapshot};

type Reply = oneshot::Sender<Result<(), RuntimeError>>;

pub(crate) enum SessionMsg {
    Event(CallEvent),
    Snapshot(oneshot::Sender<Snapshot>),
    SetAccepting {
        accepting: bool,
        reason: Option<String>,
        reply: Reply,
    },
    LogIn {
        reply: Reply,
    },
    LogOut {
        reply: Reply,
    },
    FinishWrapUp {
        result: WrapUpResult,
        reply: Reply,
    },
    Dismiss(CallId),
    /// A card's customer lookup finished.
    LookupDone {
        call: CallId,
        result: Result<Vec<CustomerMatch>, String>,
    },
    Shutdown,
}

pub(crate) async fn run(
    mut session: Session,
    mut rx: mpsc::Receiver<SessionMsg>,
    me: mpsc::Sender<SessionMsg>,
    outputs: broadcast::Sender<SessionOutput>,
    source: mpsc::Sender<SourceMsg>,
    lookup: CustomerLookup,
) {
    // Wrap-up timers are checked once a second; the state machine decides.
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let mut outs = tokio::select! {
            msg = rx.recv() => match msg {
                None | Some(SessionMsg::Shutdown) => return,
                Some(msg) => handle(&mut session, msg, &source).await,
            },
            _ = tick.tick() => session.tick(Timestamp::now()),
        };
        // A new card: look its number up beside the session, which keeps taking events.
        let new_cards: Vec<(CallId, String)> = outs
            .iter()
            .filter_map(|o| match o {
                SessionOutput::Card(c) if c.lookup == LookupState::NotStarted => {
                    Some((c.call_id.clone(), c.number.clone()))
                }
                _ => None,
            })
            .collect();
        for (call, number) in new_cards {
            outs.extend(session.lookup_started(&call, Timestamp::now()));
            let (lookup, me) = (lookup.clone(), me.clone());
            tokio::spawn(async move {
                let result = lookup.find(number).await;
                let _ = me.send(SessionMsg::LookupDone { call, result }).await;
            });
        }
        for out in outs {
            if let SessionOutput::Command(cmd) = &out {
                let _ = source.send(SourceMsg::Command { cmd: cmd.clone(), reply: None }).await;
            }
            // No subscriber is fine: the UI may not be open.
            let _ = outputs.send(out);
        }
    }
}

async fn handle(session: &mut Session, msg: SessionMsg, source: &mpsc::Sender<SourceMsg>) -> Vec<SessionOutput> {
    let now = Timestamp::now();
    match msg {
        SessionMsg::Event(ev) => session.apply(ev),
        SessionMsg::Snapshot(reply) => {
            let _ = reply.send(Snapshot {
                agent: session.agent().clone(),
                source: session.source().clone(),
                cards: session.cards(now),
                team: session.team(),
            });
            Vec::new()
        }
        SessionMsg::SetAccepting { accepting, reason, reply } => {
            let request = if accepting {
                session.request_unpause(now)
            } else {
                session.request_pause(reason).map(UnpauseRequest::Send)
            };
            match request {
                // The source answers once the PBX has.
                Ok(UnpauseRequest::Send(cmd)) => {
                    forward(source, SourceMsg::Command { cmd, reply: Some(reply) }).await;
                    Vec::new()
                }
                Ok(UnpauseRequest::Done(outs)) => {
                    let _ = reply.send(Ok(()));
                    outs
                }
                Err(e) => {
                    let _ = reply.send(Err(e.into()));
                    Vec::new()
                }
            }
        }
        SessionMsg::LogIn { reply } => {
            if session.agent().is_logged_in() {
                let _ = reply
                    .send(Err(TransitionError::Illegal { state: session.agent().label(), input: "log in" }.into()));
            } else {
                forward(source, SourceMsg::Connect).await;
                let _ = reply.send(Ok(()));
            }
            Vec::new()
        }
        SessionMsg::LogOut { reply } => match session.agent_input(AgentInput::LogOut, now) {
            Ok(outs) => {
                forward(source, SourceMsg::Disconnect).await;
                let _ = reply.send(Ok(()));
                outs
            }
            Err(e) => {
                let _ = reply.send(Err(e.into()));
                Vec::new()
            }
        },
        SessionMsg::FinishWrapUp { result, reply } => {
            match session.agent_input(AgentInput::FinishWrapUp { result }, now) {
                Ok(outs) => {
                    let _ = reply.send(Ok(()));
                    outs
                }
                Err(e) => {
                    let _ = reply.send(Err(e.into()));
                    Vec::new()
                }
            }
        }
        SessionMsg::Dismiss(id) => session.dismiss(&id),
        SessionMsg::LookupDone { call, result } => session.lookup_finished(&call, result, now),
        SessionMsg::Shutdown => Vec::new(),
    }
}

async fn forward(source: &mpsc::Sender<SourceMsg>, msg: SourceMsg) {
    if let Err(mpsc::error::SendError(SourceMsg::Command { reply: Some(reply), .. })) = source.send(msg).await {
        let _ = reply.send(Err(RuntimeError::Stopped));
    }
}
