//! The task that owns the [`Session`]: one place where state changes, in arrival order.

use std::time::Duration;

use ringside_core::agent_state::WrapUpResult;
use ringside_core::{
    AgentInput, CallEvent, CallId, CtiCommand, CustomerMatch, Direction, LookupOutcome, LookupState, Popup, Session,
    SessionOutput, Timestamp, TransitionError, UnpauseRequest,
};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::ami_source::SourceMsg;
use crate::create::Creator;
use crate::history::HistoryHandle;
use crate::lookup::Sources;
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
    /// The agent acts on the card window.
    Popup {
        action: PopupAction,
        reply: Reply,
    },
    /// Ringside is about to let go of the PBX (quit): undo what it did there by itself (the
    /// wrap-up pause), waiting for the PBX a bounded time; answered when done.
    Release(oneshot::Sender<()>),
    /// A card's customer lookup finished.
    LookupDone {
        call: CallId,
        outcome: LookupOutcome,
    },
    /// The agent pressed Retry on a failed lookup: ask every source again, past the cache.
    RetryLookup {
        call: CallId,
        reply: Reply,
    },
    /// The agent picked the caller from the card's list; remembered for the number.
    ChooseCustomer {
        call: CallId,
        source: String,
        customer: String,
        reply: Reply,
    },
    /// The agent binds the call to one of a customer's open deals (`None`: to the customer).
    BindDeal {
        call: CallId,
        source: String,
        customer: String,
        deal: Option<String>,
        reply: Reply,
    },
    /// "Create customer": add the card's caller to `target` (the directory or a CRM).
    CreateCustomer {
        call: CallId,
        target: String,
        name: String,
        company: Option<String>,
        reply: oneshot::Sender<Result<CustomerMatch, RuntimeError>>,
    },
    /// A customer was created for the card's caller: the card's chosen customer.
    CustomerCreated {
        call: CallId,
        customer: CustomerMatch,
    },
    /// New settings: the session's and the card window's rules, and the helpers built from
    /// the new config. Cards, notes and the agent state stay.
    Reconfigure {
        session: ringside_core::SessionConfig,
        popup: ringside_core::PopupConfig,
        helpers: Helpers,
        reply: oneshot::Sender<()>,
    },
    Shutdown,
}

/// What the agent does to the card window.
#[derive(Debug)]
pub(crate) enum PopupAction {
    /// Close one card.
    Dismiss(CallId),
    /// Close the window (every card in it).
    Hide,
    /// Bring a card back: this call's, else the current (or latest) call's.
    Show(Option<CallId>),
    Compact(bool),
}

/// The session and, beside it, the card window it feeds: both change only here.
pub(crate) struct Desk {
    pub session: Session,
    pub popup: Popup,
}

/// What the session task works with beside the session and its channels.
pub(crate) struct Helpers {
    pub lookup: Sources,
    pub history: HistoryHandle,
    pub creator: Creator,
    /// What the desk offers (pause reasons, supervising): in every snapshot.
    pub setup: std::sync::Arc<crate::DeskSetup>,
}

pub(crate) async fn run(
    desk: Desk,
    mut rx: mpsc::Receiver<SessionMsg>,
    me: mpsc::Sender<SessionMsg>,
    outputs: broadcast::Sender<SessionOutput>,
    source: mpsc::Sender<SourceMsg>,
    helpers: Helpers,
) {
    let Desk { mut session, mut popup } = desk;
    let Helpers { mut lookup, mut history, mut creator, mut setup } = helpers;
    // Wrap-up timers are checked once a second; the state machine decides.
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Calls a crashed run left open are closed once, after the first complete re-sync.
    let mut left_open_closed = false;
    loop {
        // The card window's next deadline (an internal call's delay, a card closing by itself).
        let popup_due = popup.next_deadline().map(|at| Duration::from_millis(at.0.saturating_sub(Timestamp::now().0)));
        let mut outs = tokio::select! {
            msg = rx.recv() => match msg {
                None | Some(SessionMsg::Shutdown) => return,
                Some(msg) => {
                    let resynced = matches!(msg, SessionMsg::Event(CallEvent::Resynced { .. }));
                    // An unknown caller the agent answered may be created in a CRM by itself.
                    let maybe_unknown = match &msg {
                        SessionMsg::LookupDone { call, .. } | SessionMsg::Event(CallEvent::Answered { call, .. }) => {
                            Some(call.clone())
                        }
                        _ => None,
                    };
                    let outs = match msg {
                        SessionMsg::Snapshot(reply) => {
                            let _ = reply.send(snapshot(&session, &popup, &setup));
                            Vec::new()
                        }
                        SessionMsg::Reconfigure { session: rules, popup: window, helpers, reply } => {
                            session.set_config(rules);
                            popup.set_config(window);
                            Helpers { lookup, history, creator, setup } = helpers;
                            let _ = reply.send(());
                            Vec::new()
                        }
                        msg => handle(&mut session, &mut popup, msg, &source, &lookup, &me, &history, &creator).await,
                    };
                    if let Some(call) = maybe_unknown {
                        create_if_unknown(&session, &call, &creator, &me);
                    }
                    if resynced && !std::mem::replace(&mut left_open_closed, true) {
                        // The PBX has told every call it still has: the rest of the last
                        // run's open calls are over.
                        let live = session.cards(Timestamp::now()).into_iter().map(|c| c.call_id).collect();
                        history.close_interrupted(live);
                    }
                    outs
                }
            },
            _ = tick.tick() => session.tick(Timestamp::now()),
            _ = tokio::time::sleep(popup_due.unwrap_or_default()), if popup_due.is_some() => popup.tick(Timestamp::now()),
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
            outs.extend(start_lookup(&mut session, &lookup, &me, call, number, false));
        }
        let now = Timestamp::now();
        for out in outs {
            // Every card change is written down before anything else sees it.
            if let SessionOutput::Card(card) = &out {
                history.card(card);
            }
            if let SessionOutput::Command(cmd) = &out {
                let _ = source.send(SourceMsg::Command { cmd: cmd.clone(), reply: None }).await;
            }
            // The card window follows every card and the agent's current call; what it
            // decides goes out right after the change that caused it.
            let window = popup.observe(&out, now);
            // No subscriber is fine: the UI may not be open.
            let _ = outputs.send(out);
            for out in window {
                let _ = outputs.send(out);
            }
        }
    }
}

fn snapshot(session: &Session, popup: &Popup, setup: &crate::DeskSetup) -> Snapshot {
    Snapshot {
        agent: session.agent().clone(),
        source: session.source().clone(),
        cards: session.cards(Timestamp::now()),
        team: session.team(),
        popup: popup.view().clone(),
        setup: setup.clone(),
    }
}

/// An incoming call the agent answered whose lookup found nobody anywhere (and failed nowhere):
/// the CRMs with `auto_create` create the caller, once per call. Only the agent who answers
/// does, so a queue that rings ten agents makes one.
fn create_if_unknown(session: &Session, call: &CallId, creator: &Creator, me: &mpsc::Sender<SessionMsg>) {
    let Some(c) = session.call(call) else { return };
    let unknown = c.direction == Direction::Incoming
        && c.answered_at.is_some()
        && c.lookup == LookupState::Done
        && c.customers.is_empty()
        && !c.remote.number.trim().is_empty();
    if unknown {
        creator.create_unknown_caller(call, &c.remote.number, c.remote.name.as_deref(), me);
    }
}

/// Marks the card's lookup pending and runs it beside the session, which keeps taking events.
fn start_lookup(
    session: &mut Session,
    lookup: &Sources,
    me: &mpsc::Sender<SessionMsg>,
    call: CallId,
    number: String,
    fresh: bool,
) -> Vec<SessionOutput> {
    let outs = session.lookup_started(&call, Timestamp::now());
    let (lookup, me) = (lookup.clone(), me.clone());
    tokio::spawn(async move {
        let outcome = lookup.find(&number, fresh).await;
        let _ = me.send(SessionMsg::LookupDone { call, outcome }).await;
    });
    outs
}

// The session task's parts, each owned by the task: bundling them would only move the list.
#[allow(clippy::too_many_arguments)]
async fn handle(
    session: &mut Session,
    popup: &mut Popup,
    msg: SessionMsg,
    source: &mpsc::Sender<SourceMsg>,
    lookup: &Sources,
    me: &mpsc::Sender<SessionMsg>,
    history: &HistoryHandle,
    creator: &Creator,
) -> Vec<SessionOutput> {
    let now = Timestamp::now();
    match msg {
        SessionMsg::Event(ev) => session.apply(ev),
        // Answered by the loop, which holds the desk's setup and helpers.
        SessionMsg::Snapshot(_) | SessionMsg::Reconfigure { .. } => Vec::new(),
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
            Ok(mut outs) => {
                // Undo the wrap-up pause before the connection closes, not queued behind it.
                let mut commands = Vec::new();
                outs.retain(|o| match o {
                    SessionOutput::Command(cmd) => {
                        commands.push(cmd.clone());
                        false
                    }
                    _ => true,
                });
                carry_out_now(source, commands).await;
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
            let wrapped = match session.agent() {
                ringside_core::AgentState::WrapUp { call, .. } => call.clone(),
                _ => None,
            };
            match session.agent_input(AgentInput::FinishWrapUp { result }, now) {
                Ok(mut outs) => {
                    if let Some(call) = wrapped {
                        // The agent is done with the call: its card leaves the card window.
                        outs.extend(popup.wrap_up_finished(&call, now));
                        history.wrap_up(call, result);
                    }
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
        SessionMsg::Popup { action, reply } => {
            let outs = match action {
                PopupAction::Dismiss(call) => Some(popup.dismiss(&call, now)),
                PopupAction::Hide => Some(popup.hide(now)),
                PopupAction::Show(call) => popup.show(call.as_ref(), now).or_else(|| call.is_none().then(Vec::new)),
                PopupAction::Compact(compact) => Some(popup.set_compact(compact, now)),
            };
            let _ = reply.send(if outs.is_some() { Ok(()) } else { Err(RuntimeError::NoSuchCard) });
            outs.unwrap_or_default()
        }
        SessionMsg::Release(done) => {
            carry_out_now(source, session.release()).await;
            let _ = done.send(());
            Vec::new()
        }
        SessionMsg::LookupDone { call, outcome } => session.lookup_finished(&call, outcome, now),
        SessionMsg::RetryLookup { call, reply } => {
            let Some(number) = session.call(&call).map(|c| c.remote.number.clone()) else {
                let _ = reply.send(Err(RuntimeError::NoSuchCard));
                return Vec::new();
            };
            let _ = reply.send(Ok(()));
            start_lookup(session, lookup, me, call, number, true)
        }
        SessionMsg::ChooseCustomer { call, source, customer, reply } => {
            let number = session.call(&call).map(|c| c.remote.number.clone());
            let (Some(number), Some(outs)) = (number, session.choose_customer(&call, &source, &customer, now)) else {
                let _ = reply.send(Err(RuntimeError::NoSuchCard));
                return Vec::new();
            };
            let lookup = lookup.clone();
            tokio::spawn(async move {
                let remembered = tokio::task::spawn_blocking(move || lookup.remember_pick(&number, &source, &customer))
                    .await
                    .unwrap_or_else(|_| Err(crate::DirectoryProblem::Poisoned));
                let _ = reply.send(remembered.map_err(RuntimeError::NotRemembered));
            });
            outs
        }
        SessionMsg::BindDeal { call, source, customer, deal, reply } => {
            let Some(_) = session.call(&call) else {
                let _ = reply.send(Err(RuntimeError::NoSuchCard));
                return Vec::new();
            };
            match session.bind_deal(&call, &source, &customer, deal.as_deref(), now) {
                Some(outs) => {
                    let _ = reply.send(Ok(()));
                    outs
                }
                None => {
                    let _ = reply.send(Err(RuntimeError::NoSuchDeal));
                    Vec::new()
                }
            }
        }
        SessionMsg::CreateCustomer { call, target, name, company, reply } => {
            // A card on the desk, else a call in the History (created after the call).
            let live = session.call(&call).map(|c| c.remote.number.clone());
            let (creator, me, history) = (creator.clone(), me.clone(), history.clone());
            tokio::spawn(async move {
                let number = match live.clone() {
                    Some(number) => number,
                    None => match history.call(call.clone()).await {
                        Ok(Some(record)) => record.number_raw,
                        Ok(None) => return drop(reply.send(Err(RuntimeError::NoSuchCall))),
                        Err(e) => return drop(reply.send(Err(e))),
                    },
                };
                let created = creator.create(&call, &target, &number, &name, company.as_deref()).await;
                if let Ok(customer) = &created {
                    if live.is_some() {
                        let _ = me.send(SessionMsg::CustomerCreated { call, customer: customer.clone() }).await;
                    } else if let Err(e) = history.set_customer(call, customer).await {
                        // The customer exists in the CRM; only the History's link to them is late.
                        tracing::warn!(error = %e, "the created customer was not written to the call's history");
                    }
                }
                let _ = reply.send(created);
            });
            Vec::new()
        }
        SessionMsg::CustomerCreated { call, customer } => session.customer_created(&call, customer, now),
        SessionMsg::Shutdown => Vec::new(),
    }
}

/// How long Ringside waits for the PBX to confirm what it undoes on the way out.
const RELEASE_WAIT: Duration = Duration::from_secs(2);

/// Carries `commands` out now and waits (bounded) for the PBX to confirm each: the connection
/// is about to close, so they must not wait in a queue behind it.
async fn carry_out_now(source: &mpsc::Sender<SourceMsg>, commands: Vec<CtiCommand>) {
    for cmd in commands {
        let (reply, confirmed) = oneshot::channel();
        if source.send(SourceMsg::Command { cmd: cmd.clone(), reply: Some(reply) }).await.is_err() {
            tracing::warn!(?cmd, "the PBX connection is gone; could not undo");
            return;
        }
        match tokio::time::timeout(RELEASE_WAIT, confirmed).await {
            Ok(Ok(Ok(()))) => tracing::info!(?cmd, "undone on the PBX before letting go"),
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, ?cmd, "the PBX refused"),
            Ok(Err(_)) => tracing::warn!(?cmd, "the PBX connection closed first"),
            Err(_) => tracing::warn!(?cmd, "the PBX did not confirm within 2 s"),
        }
    }
}

async fn forward(source: &mpsc::Sender<SourceMsg>, msg: SourceMsg) {
    if let Err(mpsc::error::SendError(SourceMsg::Command { reply: Some(reply), .. })) = source.send(msg).await {
        let _ = reply.send(Err(RuntimeError::Stopped));
    }
}
