//! Every call into the history file, and from there into the CRMs.
//!
//! One thread owns the `History` (SQLite blocks, and writes must keep their order): the session
//! task hands it every card change, the window its notes (as typed) and wrap-up results. Every
//! few seconds it retries writes a full or read-only disk held back. A separate async task
//! sends the outbox: it asks the thread for what is due, writes each call to its CRM, and
//! reports back — so a slow CRM never holds up a note. It sends as soon as something is
//! queued (the thread wakes it) and otherwise sleeps until the next item falls due.
//!
//! Time for the outbox (when a call was queued, when a retry is due, how long a write may take)
//! comes from a [`Clock`]: the system clock, or the one a test started the runtime with
//! ([`ringside_history::clock::with_clock`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use std::time::Duration;

use crate::RuntimeError;
use ringside_core::agent_state::WrapUpResult;
use ringside_core::{CallCard, CallId, Direction, Notice, SessionOutput, Timestamp};
use ringside_crm::{Attempt, CallDirection, CallLog, Connector, Prior};
use ringside_history::clock::{current_clock, Clock};
use ringside_history::{
    AgentSeen, AgentSwitch, CallContext, CallRecord, Callback, ConnectionSeen, History, HistoryError, HistoryQuery,
    OutboxItem, Outcome, SwitchQuery,
};
use tokio::sync::{broadcast, oneshot, Notify};

/// How often held-back writes are retried (real time).
const TICK: Duration = Duration::from_secs(5);
/// The sender looks at the outbox at least this often (real time) even when nothing woke it:
/// after a suspend (timers stop, the clock does not) or a disk that took its marks again.
const RECHECK: Duration = Duration::from_secs(60);
/// Items handed to the sender per look.
const DUE_BATCH: usize = 10;
/// Each CRM request of a write; a write is several in a row (Bitrix24: up to four).
pub(crate) const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// A whole write (all its requests), on the outbox's clock.
const WRITE_BOUND: Duration = Duration::from_secs(40);

type Reply<T> = oneshot::Sender<Result<T, RuntimeError>>;

enum Msg {
    /// Ringside stops: write what waits, close the file, and stop sending to CRMs.
    Shutdown,
    Card(Box<CallCard>),
    /// Ringside placed a call: the next outgoing card to that number is this one.
    Dialed(Dial),
    WrapUp(CallId, WrapUpResult),
    Note {
        call: CallId,
        text: String,
        reply: Reply<()>,
    },
    GetNote {
        call: CallId,
        reply: Reply<Option<String>>,
    },
    GetCall {
        call: CallId,
        reply: Reply<Option<CallRecord>>,
    },
    SetCustomer {
        call: CallId,
        customer: ringside_history::StoredCustomer,
        reply: Reply<()>,
    },
    Search {
        query: HistoryQuery,
        reply: Reply<Vec<CallRecord>>,
    },
    /// The agent filter's choices.
    Agents {
        reply: Reply<Vec<AgentSeen>>,
    },
    /// The connection filter's choices.
    Connections {
        reply: Reply<Vec<ConnectionSeen>>,
    },
    CallBacks {
        reply: Reply<Vec<Callback>>,
    },
    /// A supervisor's switch the PBX confirmed, for the audit.
    RecordSwitch {
        switch: Box<AgentSwitch>,
        reply: Reply<i64>,
    },
    Switches {
        query: SwitchQuery,
        reply: Reply<Vec<AgentSwitch>>,
    },
    CalledBack {
        number: String,
        reply: Reply<()>,
    },
    CloseInterrupted {
        live: Vec<CallId>,
    },
    /// Creating an unknown caller in a CRM by itself: the claim, on disk before the request.
    ClaimAutoCreate {
        call: CallId,
        target: String,
        reply: Reply<ringside_history::AutoCreate>,
    },
    AutoCreateDone {
        call: CallId,
        target: String,
        customer: String,
    },
    AutoCreateFailed {
        call: CallId,
        target: String,
        reason: String,
    },
    Due {
        reply: Reply<DueNow>,
    },
    /// The CRM took the item; the reply says whether that was recorded.
    Sent {
        item: Box<OutboxItem>,
        remote_id: Option<String>,
        reply: Reply<()>,
    },
    Failed {
        item: Box<OutboxItem>,
        reason: String,
        permanent: bool,
        remote_id: Option<String>,
        /// A first write that may have reached the CRM: the body sent (`History::mark_in_doubt`).
        in_doubt: Option<String>,
        reply: Reply<()>,
    },
}

/// What the outbox has for the sender: the items due now, and when the next one falls due.
#[derive(Default)]
struct DueNow {
    items: Vec<OutboxItem>,
    next: Option<Timestamp>,
}

/// Missed calls older than this no longer wait for a call back.
pub(crate) const CALL_BACK_WINDOW_MS: u64 = 7 * 24 * 3600 * 1000;
/// The call-back list shows at most this many callers.
const MAX_CALL_BACKS: usize = 500;

fn call_back_since(now: Timestamp) -> Timestamp {
    Timestamp(now.0.saturating_sub(CALL_BACK_WINDOW_MS))
}

/// Keeps the tray's count of callers waiting for a call back, and tells the agent about each
/// call they missed.
struct MissedCalls {
    outputs: broadcast::Sender<SessionOutput>,
    waiting: Option<usize>,
    /// Calls already announced: an ended card comes again when its lookup or pick changes.
    announced: std::collections::VecDeque<CallId>,
}

impl MissedCalls {
    /// Counts again after a call ended (`ended`) or a number was dealt with.
    fn refresh(&mut self, history: &History, now: Timestamp, ended: Option<&CallCard>) {
        let list = match history.callbacks(call_back_since(now), MAX_CALL_BACKS) {
            Ok(list) => list,
            Err(e) => return tracing::warn!(error = %e, "missed calls could not be counted"),
        };
        if self.waiting != Some(list.len()) {
            self.waiting = Some(list.len());
            let _ = self.outputs.send(SessionOutput::MissedCalls(u32::try_from(list.len()).unwrap_or(u32::MAX)));
        }
        if let Some(card) = ended.filter(|c| c.is_missed_here() && !self.announced.contains(&c.call_id)) {
            if self.announced.len() >= 64 {
                self.announced.pop_front();
            }
            self.announced.push_back(card.call_id.clone());
            let _ = self.outputs.send(SessionOutput::Notice(missed_notice(card, list.len())));
        }
    }
}

fn missed_notice(card: &CallCard, waiting: usize) -> Notice {
    let customer = card.customers.iter().find(|c| c.chosen).or(if card.customers.len() == 1 {
        card.customers.first()
    } else {
        None
    });
    let name = customer.map(|c| c.name.clone()).or_else(|| card.caller_name.clone()).filter(|n| !n.trim().is_empty());
    Notice::MissedCall { number: card.number.clone(), name, waiting: u32::try_from(waiting).unwrap_or(u32::MAX) }
}

/// A call Ringside handed to a connection, waiting for the PBX to report it.
#[derive(Debug, Clone)]
pub(crate) struct Dial {
    pub connection: String,
    /// The number as the connection dialed it.
    pub dialed: String,
    pub at: Timestamp,
}

/// The PBX reports a call placed through Ringside within this; an older dial matches nothing.
const DIAL_MATCH_WINDOW_MS: u64 = 120_000;

/// Which connection placed which outgoing call: dials are matched to the first outgoing card
/// with the same number (last 9 digits), and the match is kept for the call's later cards.
#[derive(Default)]
struct Dials {
    waiting: Vec<Dial>,
    matched: HashMap<CallId, Dial>,
}

impl Dials {
    fn add(&mut self, dial: Dial) {
        self.waiting.retain(|d| dial.at.0.saturating_sub(d.at.0) < DIAL_MATCH_WINDOW_MS);
        self.waiting.push(dial);
    }

    fn for_card(&mut self, card: &CallCard) -> Option<&Dial> {
        if card.direction != Direction::Outgoing {
            return None;
        }
        if !self.matched.contains_key(&card.call_id) {
            let key = |n: &str| {
                let digits = ringside_core::number::normalize_digits(n).unwrap_or_default();
                digits[digits.len().saturating_sub(9)..].to_string()
            };
            let number = key(&card.number);
            let found = self.waiting.iter().position(|d| {
                !number.is_empty()
                    && key(&d.dialed).ends_with(&number)
                    && card.ring_at.0.saturating_add(5_000) >= d.at.0
                    && card.ring_at.0.saturating_sub(d.at.0) < DIAL_MATCH_WINDOW_MS
            });
            let dial = self.waiting.remove(found?);
            if self.matched.len() >= 256 {
                self.matched.clear();
            }
            self.matched.insert(card.call_id.clone(), dial);
        }
        self.matched.get(&card.call_id)
    }
}

/// A cheap handle to the history thread.
#[derive(Clone)]
pub(crate) struct HistoryHandle {
    tx: std_mpsc::Sender<Msg>,
}

impl HistoryHandle {
    /// Opens the file and starts the thread, and the outbox sender for `crms` that can take
    /// a call log, on the clock of the enclosing `ringside_history::clock::with_clock` (the
    /// system clock outside one). A file that cannot be opened is not fatal: calls are then not
    /// kept, and every request says why.
    pub(crate) fn start(
        path: Option<PathBuf>,
        ctx: CallContext,
        crms: Vec<Connector>,
        numbers: ringside_lookup::LookupConfig,
        outputs: broadcast::Sender<SessionOutput>,
    ) -> HistoryHandle {
        Self::start_with_clock(path, ctx, crms, numbers, outputs, current_clock())
    }

    /// As [`HistoryHandle::start`], on `clock`.
    pub(crate) fn start_with_clock(
        path: Option<PathBuf>,
        ctx: CallContext,
        crms: Vec<Connector>,
        numbers: ringside_lookup::LookupConfig,
        outputs: broadcast::Sender<SessionOutput>,
        clock: Arc<dyn Clock>,
    ) -> HistoryHandle {
        let opened = match &path {
            Some(p) => History::open(p).map_err(RuntimeError::history),
            None => Err(RuntimeError::NoHistoryFolder),
        };
        if let Err(e) = &opened {
            tracing::warn!(error = %e, "call history unavailable");
        }
        let targets: Vec<String> = crms.iter().filter(|c| c.can_write_back()).map(|c| c.name().to_string()).collect();
        let (tx, rx) = std_mpsc::channel();
        let wake = Arc::new(Notify::new());
        let setup = Setup {
            ctx,
            targets: targets.clone(),
            numbers: numbers.clone(),
            outputs,
            clock: clock.clone(),
            wake: wake.clone(),
        };
        let spawned = std::thread::Builder::new().name("ringside-history".into()).spawn(move || run(opened, setup, rx));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the history thread");
        }
        let handle = HistoryHandle { tx };
        if !targets.is_empty() {
            let connectors: HashMap<String, Connector> =
                crms.into_iter().filter(|c| c.can_write_back()).map(|c| (c.name().to_string(), c)).collect();
            tokio::spawn(send_outbox(Sender { history: handle.clone(), crms: connectors, numbers, clock, wake }));
        }
        handle
    }

    pub(crate) fn card(&self, card: &CallCard) {
        let _ = self.tx.send(Msg::Card(Box::new(card.clone())));
    }

    pub(crate) fn shutdown(&self) {
        let _ = self.tx.send(Msg::Shutdown);
    }

    pub(crate) fn dialed(&self, dial: Dial) {
        let _ = self.tx.send(Msg::Dialed(dial));
    }

    pub(crate) fn wrap_up(&self, call: CallId, result: WrapUpResult) {
        let _ = self.tx.send(Msg::WrapUp(call, result));
    }

    pub(crate) fn close_interrupted(&self, live: Vec<CallId>) {
        let _ = self.tx.send(Msg::CloseInterrupted { live });
    }

    /// Claims creating `call`'s caller in `target` by itself (see `ringside_history::AutoCreate`).
    pub(crate) async fn claim_auto_create(
        &self,
        call: CallId,
        target: String,
    ) -> Result<ringside_history::AutoCreate, RuntimeError> {
        self.ask(|reply| Msg::ClaimAutoCreate { call, target, reply }).await
    }

    /// The CRM created the caller; `customer` is shown again on later claims.
    pub(crate) fn auto_create_done(&self, call: CallId, target: String, customer: String) {
        let _ = self.tx.send(Msg::AutoCreateDone { call, target, customer });
    }

    pub(crate) fn auto_create_failed(&self, call: CallId, target: String, reason: String) {
        let _ = self.tx.send(Msg::AutoCreateFailed { call, target, reason });
    }

    pub(crate) async fn save_note(&self, call: CallId, text: String) -> Result<(), RuntimeError> {
        self.ask(|reply| Msg::Note { call, text, reply }).await
    }

    pub(crate) async fn note(&self, call: CallId) -> Result<Option<String>, RuntimeError> {
        self.ask(|reply| Msg::GetNote { call, reply }).await
    }

    pub(crate) async fn call(&self, call: CallId) -> Result<Option<CallRecord>, RuntimeError> {
        self.ask(|reply| Msg::GetCall { call, reply }).await
    }

    /// A customer created for an ended call's caller (from the History).
    pub(crate) async fn set_customer(
        &self,
        call: CallId,
        customer: &ringside_core::CustomerMatch,
    ) -> Result<(), RuntimeError> {
        let customer = ringside_history::StoredCustomer {
            source: customer.source.clone(),
            id: customer.id.clone(),
            name: customer.name.clone(),
            company: customer.company.clone(),
            url: customer.url.clone(),
            deal: None,
        };
        self.ask(|reply| Msg::SetCustomer { call, customer, reply }).await
    }

    pub(crate) async fn search(&self, query: HistoryQuery) -> Result<Vec<CallRecord>, RuntimeError> {
        self.ask(|reply| Msg::Search { query, reply }).await
    }

    pub(crate) async fn agents(&self) -> Result<Vec<AgentSeen>, RuntimeError> {
        self.ask(|reply| Msg::Agents { reply }).await
    }

    pub(crate) async fn connections(&self) -> Result<Vec<ConnectionSeen>, RuntimeError> {
        self.ask(|reply| Msg::Connections { reply }).await
    }

    pub(crate) async fn call_backs(&self) -> Result<Vec<Callback>, RuntimeError> {
        self.ask(|reply| Msg::CallBacks { reply }).await
    }

    pub(crate) async fn called_back(&self, number: String) -> Result<(), RuntimeError> {
        self.ask(|reply| Msg::CalledBack { number, reply }).await
    }

    /// Writes a switch the PBX confirmed; its id.
    pub(crate) async fn record_switch(&self, switch: AgentSwitch) -> Result<i64, RuntimeError> {
        self.ask(|reply| Msg::RecordSwitch { switch: Box::new(switch), reply }).await
    }

    pub(crate) async fn switches(&self, query: SwitchQuery) -> Result<Vec<AgentSwitch>, RuntimeError> {
        self.ask(|reply| Msg::Switches { query, reply }).await
    }

    async fn ask<T>(&self, msg: impl FnOnce(Reply<T>) -> Msg) -> Result<T, RuntimeError> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(msg(reply)).map_err(|_| RuntimeError::HistoryStopped)?;
        rx.await.map_err(|_| RuntimeError::HistoryStopped)?
    }
}

/// What the history thread works with, besides the file.
struct Setup {
    ctx: CallContext,
    /// The CRMs that take call logs.
    targets: Vec<String>,
    numbers: ringside_lookup::LookupConfig,
    outputs: broadcast::Sender<SessionOutput>,
    clock: Arc<dyn Clock>,
    /// Wakes the outbox sender: something was queued.
    wake: Arc<Notify>,
}

fn run(opened: Result<History, RuntimeError>, setup: Setup, rx: std_mpsc::Receiver<Msg>) {
    let history = match opened {
        Ok(h) => h,
        Err(why) => return refuse_all(&why, rx),
    };
    let missed = MissedCalls { outputs: setup.outputs.clone(), waiting: None, announced: Default::default() };
    let mut thread = Thread { history, setup, dials: Dials::default(), missed };
    let now = thread.setup.clock.now();
    thread.missed.refresh(&thread.history, now, None);
    loop {
        match rx.recv_timeout(TICK) {
            Ok(Msg::Shutdown) => break,
            Ok(msg) => thread.handle(msg),
            Err(std_mpsc::RecvTimeoutError::Timeout) => {}
            Err(std_mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if thread.history.has_pending() {
            match thread.history.flush_pending() {
                Ok(n) if n > 0 => {
                    tracing::info!(saved = n, "held-back history writes saved");
                    // Queued calls among them are due now.
                    thread.setup.wake.notify_one();
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(error = %e, "history still cannot be written"),
            }
        }
    }
    if thread.history.has_pending() {
        if let Err(e) = thread.history.flush_pending() {
            tracing::error!(error = %e, "history writes lost at exit");
        }
    }
}

/// Without a file, every question gets the reason.
fn refuse_all(why: &RuntimeError, rx: std_mpsc::Receiver<Msg>) {
    let why = RuntimeError::HistoryUnavailable(Box::new(why.clone()));
    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::Note { reply, .. } => drop(reply.send(Err(why.clone()))),
            Msg::GetNote { reply, .. } => drop(reply.send(Err(why.clone()))),
            Msg::Search { reply, .. } => drop(reply.send(Err(why.clone()))),
            Msg::Agents { reply } => drop(reply.send(Err(why.clone()))),
            Msg::Connections { reply } => drop(reply.send(Err(why.clone()))),
            Msg::GetCall { reply, .. } => drop(reply.send(Err(why.clone()))),
            Msg::SetCustomer { reply, .. } => drop(reply.send(Err(why.clone()))),
            Msg::CallBacks { reply } => drop(reply.send(Err(why.clone()))),
            Msg::CalledBack { reply, .. } => drop(reply.send(Err(why.clone()))),
            Msg::RecordSwitch { reply, .. } => drop(reply.send(Err(why.clone()))),
            Msg::Switches { reply, .. } => drop(reply.send(Err(why.clone()))),
            Msg::ClaimAutoCreate { reply, .. } => drop(reply.send(Err(why.clone()))),
            Msg::Due { reply } => drop(reply.send(Ok(DueNow::default()))),
            Msg::Sent { reply, .. } | Msg::Failed { reply, .. } => drop(reply.send(Err(why.clone()))),
            _ => {}
        }
    }
}

/// The history thread's state: the file, and what the card does not know.
struct Thread {
    history: History,
    setup: Setup,
    dials: Dials,
    missed: MissedCalls,
}

impl Thread {
    fn handle(&mut self, msg: Msg) {
        let now = self.setup.clock.now();
        let logged = |what: &str, r: Result<(), HistoryError>| {
            if let Err(e) = r {
                tracing::warn!(error = %e, "{what}");
            }
        };
        let history = &mut self.history;
        match msg {
            Msg::Dialed(dial) => self.dials.add(dial),
            Msg::Card(mut card) => {
                // One key per number whatever its formatting ("0441234567", "+380 44 123 4567"), so
                // the call-back list and the search see one caller.
                if let Some(e164) = ringside_lookup::normalize(&card.number, &self.setup.numbers).e164 {
                    card.number_normalized = Some(e164);
                }
                let mut call_ctx = self.setup.ctx.clone();
                if let Some(dial) = self.dials.for_card(&card) {
                    call_ctx.connection = Some(dial.connection.clone());
                    call_ctx.dialed_number = Some(dial.dialed.clone());
                }
                logged("a call could not be written to the history", history.record_card(&card, &call_ctx));
                if card.outcome.is_some() {
                    self.enqueue(&card.call_id, now);
                    self.missed.refresh(&self.history, now, Some(&card));
                }
            }
            Msg::WrapUp(call, result) => {
                logged("a wrap-up could not be written to the history", history.set_wrap_up(&call, result))
            }
            Msg::Note { call, text, reply } => {
                let saved = history.save_note(&call, &text).map_err(RuntimeError::history);
                // An ended call's note changed: the CRM gets the new text.
                if saved.is_ok() && history.call(&call).ok().flatten().is_some_and(|c| c.outcome.is_ended()) {
                    self.enqueue(&call, now);
                }
                let _ = reply.send(saved);
            }
            Msg::GetNote { call, reply } => {
                let _ = reply.send(history.note(&call).map_err(RuntimeError::history));
            }
            Msg::GetCall { call, reply } => {
                let _ = reply.send(history.call(&call).map_err(RuntimeError::history));
            }
            Msg::SetCustomer { call, customer, reply } => {
                let _ = reply.send(history.set_customer(&call, customer).map_err(RuntimeError::history));
            }
            Msg::Search { query, reply } => {
                let _ = reply.send(history.search(&query).map_err(RuntimeError::history));
            }
            Msg::Agents { reply } => {
                let _ = reply.send(history.agents().map_err(RuntimeError::history));
            }
            Msg::Connections { reply } => {
                let _ = reply.send(history.connections().map_err(RuntimeError::history));
            }
            Msg::CallBacks { reply } => {
                let _ =
                    reply.send(history.callbacks(call_back_since(now), MAX_CALL_BACKS).map_err(RuntimeError::history));
            }
            Msg::CalledBack { number, reply } => {
                let done = history.mark_called_back(&number, now).map_err(RuntimeError::history);
                self.missed.refresh(&self.history, now, None);
                let _ = reply.send(done);
            }
            Msg::RecordSwitch { switch, reply } => {
                let _ = reply.send(history.record_switch(&switch).map_err(RuntimeError::history));
            }
            Msg::Switches { query, reply } => {
                let _ = reply.send(history.switches(&query).map_err(RuntimeError::history));
            }
            Msg::CloseInterrupted { live } => match history.close_interrupted(&live, now) {
                Ok(closed) if !closed.is_empty() => {
                    tracing::info!(calls = closed.len(), "calls left open by the last run ended as interrupted");
                    for call in closed {
                        self.enqueue(&call, now);
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "calls left open by the last run could not be closed"),
            },
            Msg::ClaimAutoCreate { call, target, reply } => {
                let _ = reply.send(history.claim_auto_create(&call, &target, now).map_err(RuntimeError::history));
            }
            Msg::AutoCreateDone { call, target, customer } => logged(
                "a created caller could not be noted in the history",
                history.auto_create_done(&call, &target, &customer, now),
            ),
            Msg::AutoCreateFailed { call, target, reason } => logged(
                "a failed creation could not be noted in the history",
                history.auto_create_failed(&call, &target, &reason, now),
            ),
            Msg::Due { reply } => {
                let due = history
                    .due(now, DUE_BATCH)
                    .and_then(|items| Ok(DueNow { items, next: history.next_due()? }))
                    .map_err(RuntimeError::history);
                let _ = reply.send(due);
            }
            Msg::Sent { item, remote_id, reply } => {
                let marked = history.mark_sent(&item, remote_id.as_deref(), now);
                if let Err(e) = &marked {
                    tracing::warn!(error = %e, "a sent call could not be marked");
                }
                let _ = reply.send(marked.map_err(RuntimeError::history));
            }
            Msg::Shutdown => {}
            Msg::Failed { item, reason, permanent, remote_id, in_doubt, reply } => {
                if let Some(id) = remote_id {
                    logged("a partial write could not be noted", history.set_remote_id(&item, &id));
                }
                if let Some(body) = in_doubt {
                    logged("a write in doubt could not be noted", history.mark_in_doubt(&item, &body));
                }
                let marked = history.mark_failed(&item, &reason, permanent, now);
                if let Err(e) = &marked {
                    tracing::warn!(error = %e, "a failed write could not be noted");
                }
                let _ = reply.send(marked.map_err(RuntimeError::history));
            }
        }
    }

    /// Queues the call for every CRM that takes call logs, and wakes the sender. Another
    /// agent's call (ring-all, answered elsewhere) is theirs to log, not ours.
    fn enqueue(&mut self, call: &CallId, now: Timestamp) {
        let history = &mut self.history;
        let theirs = history.call(call).ok().flatten().is_some_and(|c| c.outcome == Outcome::AnsweredElsewhere);
        if theirs {
            return;
        }
        let mut queued = false;
        for target in &self.setup.targets {
            match history.enqueue(call, target, now) {
                Ok(()) => queued = true,
                Err(e) => tracing::warn!(error = %e, %target, "a call could not be queued for the CRM"),
            }
        }
        if queued {
            self.setup.wake.notify_one();
        }
    }
}

/// The outbox sender's side: the thread to ask, the CRMs, the clock, and the thread's wake-ups.
struct Sender {
    history: HistoryHandle,
    crms: HashMap<String, Connector>,
    numbers: ringside_lookup::LookupConfig,
    clock: Arc<dyn Clock>,
    wake: Arc<Notify>,
}

/// Sends what is due, one call at a time, and reports each result to the history thread; then
/// sleeps until the next item falls due on the clock, or the thread queues something.
async fn send_outbox(sender: Sender) {
    loop {
        let (reply, rx) = oneshot::channel();
        if sender.history.tx.send(Msg::Due { reply }).is_err() {
            return;
        }
        let (items, next, mut unmarked) = match rx.await {
            Ok(Ok(DueNow { items, next })) => (items, next, false),
            // Busy, or the disk failed: look again after a while.
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the CRM write-back queue could not be read");
                (Vec::new(), None, true)
            }
            Err(_) => return,
        };
        let full = items.len() >= DUE_BATCH;
        for item in items {
            match sender.send(item).await {
                Report::Marked => {}
                Report::NotMarked => unmarked = true,
                Report::Stopped => return,
            }
        }
        if full && !unmarked {
            continue; // more may be due
        }
        // A result the file did not take leaves its item due (and a queue that could not be read
        // tells nothing): look again after a while, not at once.
        let next = if unmarked { None } else { next };
        let due = async {
            match next {
                Some(at) => sender.clock.sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = sender.wake.notified() => {}
            () = due => {}
            () = tokio::time::sleep(if unmarked { TICK } else { RECHECK }) => {}
        }
    }
}

/// How reporting a result to the history thread went.
enum Report {
    Marked,
    /// The file could not record it (disk full, read-only): the item stays due.
    NotMarked,
    /// The thread is gone: Ringside stops.
    Stopped,
}

impl Sender {
    /// Writes one item to its CRM, bounded by [`WRITE_BOUND`] on the clock, and reports back.
    async fn send(&self, item: OutboxItem) -> Report {
        let Some(crm) = self.crms.get(&item.target) else {
            // Queued by an earlier run for a CRM that is not in the config now (or could not be
            // set up): a failure in words, tried again with the backoff (up to hourly) in case it
            // comes back — never due at once again, so it neither spins nor crowds out the rest.
            let reason = format!("there is no CRM \"{}\" that takes call logs in the config now", item.target);
            let item = Box::new(item);
            return self
                .report(|reply| Msg::Failed { item, reason, permanent: false, remote_id: None, in_doubt: None, reply })
                .await;
        };
        let prior = prior_of(&item);
        let first_write = !matches!(prior, Prior::Written { .. });
        // A first write whose answer never came goes again as it was: the CRM may hold that body
        // under the key. A newer state follows as a change once the CRM has taken it.
        let kept = item.in_doubt.as_ref().filter(|_| first_write).and_then(|doubt| {
            let log = CallLog::from_json(&doubt.body);
            if log.is_none() {
                tracing::warn!(call = %item.call_id, "the body of an earlier attempt is unreadable; sending the call as it is");
            }
            log.map(|log| (log, doubt.revision))
        });
        let (log, revision) =
            kept.unwrap_or_else(|| (call_log(&item.record, &item.target, &self.numbers), item.revision));
        let attempt =
            Attempt { idempotency_key: &item.idempotency_key, revision: u64::try_from(revision).unwrap_or(0), prior };
        let bound = u64::try_from(WRITE_BOUND.as_millis()).unwrap_or(u64::MAX);
        let deadline = Timestamp(self.clock.now().0.saturating_add(bound));
        let sent = tokio::select! {
            result = crm.write_call(&log, &attempt) => Some(result),
            () = self.clock.sleep_until(deadline) => None,
        };
        // Reported as the revision that went out: a newer one stays due.
        let item = Box::new(OutboxItem { revision, ..item });
        match sent {
            Some(Ok(receipt)) => self.report(|reply| Msg::Sent { item, remote_id: receipt.remote_id, reply }).await,
            Some(Err(e)) => {
                let (remote_id, permanent, reason) =
                    (e.partial_remote_id().map(str::to_string), e.is_permanent(), e.to_string());
                let in_doubt = (first_write && !permanent).then(|| log.to_json());
                self.report(|reply| Msg::Failed { item, reason, permanent, remote_id, in_doubt, reply }).await
            }
            None => {
                let reason = format!("{} did not answer in time", crm.label());
                let in_doubt = first_write.then(|| log.to_json());
                self.report(|reply| Msg::Failed { item, reason, permanent: false, remote_id: None, in_doubt, reply })
                    .await
            }
        }
    }

    /// Hands a result to the history thread and waits until it is recorded (or not).
    async fn report(&self, msg: impl FnOnce(Reply<()>) -> Msg) -> Report {
        let (reply, rx) = oneshot::channel();
        if self.history.tx.send(msg(reply)).is_err() {
            return Report::Stopped;
        }
        match rx.await {
            Ok(Ok(())) => Report::Marked,
            Ok(Err(_)) => Report::NotMarked,
            Err(_) => Report::Stopped,
        }
    }
}

/// What the CRM holds of the call, as the outbox knows it: a revision it took makes this
/// attempt a change of that record; a partial id (Bitrix24's registered `CALL_ID`) one to go
/// on from.
fn prior_of(item: &OutboxItem) -> Prior<'_> {
    match (item.written_revision, item.remote_id.as_deref()) {
        (Some(_), remote_id) => Prior::Written { remote_id },
        (None, Some(partial)) => Prior::Partial(partial),
        (None, None) => Prior::Nothing,
    }
}

fn call_log(record: &CallRecord, target: &str, numbers: &ringside_lookup::LookupConfig) -> CallLog {
    // A call still open when it is sent is one Ringside lost track of.
    let outcome = match record.outcome {
        Outcome::InProgress => Outcome::Interrupted.as_str(),
        other => other.as_str(),
    };
    let e164 = ringside_lookup::normalize(&record.number_raw, numbers).e164;
    CallLog {
        call_id: record.call_id.0.clone(),
        direction: match record.direction {
            Direction::Incoming => CallDirection::Incoming,
            Direction::Outgoing => CallDirection::Outgoing,
        },
        outcome: outcome.to_string(),
        number: record.number_raw.clone(),
        number_e164: e164,
        customer_id: record.customer.as_ref().filter(|c| c.source == target).map(|c| c.id.clone()),
        deal_id: record
            .customer
            .as_ref()
            .filter(|c| c.source == target)
            .and_then(|c| c.deal.as_ref())
            .map(|d| d.id.clone()),
        agent_extension: record.agent_extension.clone(),
        agent_name: record.agent_name.clone(),
        started_at_ms: record.ring_at.0,
        answered_at_ms: record.answer_at.map(|t| t.0),
        ended_at_ms: record.end_at.map_or(record.updated_at.0, |t| t.0),
        talk_secs: record.talk_secs,
        note: record.note.clone(),
        recording_url: record.recording_url.clone(),
    }
}
