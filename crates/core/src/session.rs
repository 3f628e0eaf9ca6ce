//! The session owns the truth for one agent: which calls exist, the agent state, and what the
//! UI and the CTI source must be told. It is a pure fold over [`CallEvent`]s and agent inputs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::agent_state::{AgentInput, AgentState, Availability, TransitionError, WrapUpPolicy, WRAP_UP_PAUSE_REASON};
use crate::call::{Call, CallPhase};
use crate::card::{CallCard, CustomerMatch, LookupOutcome, LookupState};
use crate::event::{CallEvent, CallId, Direction, EndCause};
use crate::team::{MemberUpdate, Team, TeamMember};
use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionConfig {
    pub wrap_up: WrapUpPolicy,
    /// Numbers of at most this many digits are internal extensions.
    pub internal_max_len: usize,
    /// Ended cards kept for the agent to read before the oldest is dropped.
    pub keep_ended: usize,
    /// Queues whose members the supervisor view shows; empty shows all.
    pub supervised_queues: Vec<String>,
    /// Stop accepting calls after this many queue calls in a row rang out unanswered here;
    /// `None` never does. Callers then stop waiting on an empty desk.
    pub auto_pause_after_missed: Option<u32>,
    /// Whether this session acts for the agent on the PBX (pauses for wrap-up, auto-pause,
    /// clears a wrap-up pause it left). `false` only watches: it never changes the PBX.
    pub acts_for_agent: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            wrap_up: WrapUpPolicy::default(),
            internal_max_len: 5,
            keep_ended: 20,
            supervised_queues: Vec::new(),
            auto_pause_after_missed: None,
            acts_for_agent: true,
        }
    }
}

/// The pause reason of an automatic pause after missed queue calls.
pub fn auto_pause_reason(missed: u32) -> String {
    format!("Missed {missed} queue calls in a row")
}

/// Something the agent must hear about even with the window hidden: shown as a desktop
/// notification (and in the window). Typed, not worded: the edge (shell, window) words it in
/// the agent's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Notice {
    /// `missed` queue calls in a row rang out unanswered, so Ringside paused the agent in
    /// every queue with `reason`.
    AutoPaused { missed: u32, reason: String },
    /// A caller gave up or was not answered here; `waiting` callers now wait for a call back.
    MissedCall { number: String, name: Option<String>, waiting: u32 },
    /// Ringside restarted during a wrap-up it had paused the queues for: the wrap-up goes on
    /// and ends by itself at `ends_at`.
    WrapUpResumed { ends_at: Timestamp },
    /// Ringside found the queues still paused for a wrap-up that is over (it had quit or lost
    /// the PBX meanwhile) and switched accepting calls back on.
    WrapUpPauseCleared,
    /// A call started ringing here (see [`crate::popup`] for when this is announced). `name`:
    /// the customer when the lookup found exactly one (the notice is then sent again, to update
    /// in place), else the caller ID name. Withdrawn by [`SessionOutput::NoticeWithdrawn`] when
    /// the call is answered or ends. The desktop notification offers "Show" (the call's card).
    IncomingCall { call: CallId, number: String, name: Option<String> },
}

impl Notice {
    /// A newer notice with the same tag replaces the older one instead of stacking.
    pub fn tag(&self) -> &'static str {
        match self {
            Notice::AutoPaused { .. } => "auto-pause",
            Notice::MissedCall { .. } => "missed-calls",
            Notice::WrapUpResumed { .. } | Notice::WrapUpPauseCleared => "wrap-up",
            Notice::IncomingCall { .. } => crate::popup::INCOMING_CALL_TAG,
        }
    }

    /// Stays on screen until the agent dismisses it (the agent no longer takes calls).
    pub fn urgent(&self) -> bool {
        matches!(self, Notice::AutoPaused { .. })
    }
}

/// Something the session asks the CTI source to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "command")]
pub enum CtiCommand {
    /// Pause the agent in their queues, so no queue call is offered.
    PauseQueues {
        reason: Option<String>,
    },
    UnpauseQueues,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SourceStatus {
    Connecting,
    Connected { source: String, since: Timestamp },
    Disconnected { reason: crate::ErrorReport, since: Timestamp },
}

/// How "accepting calls" on is carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnpauseRequest {
    /// Ask the PBX; its confirmation changes the state.
    Send(CtiCommand),
    /// Already done in the session (during wrap-up); these are the changes.
    Done(Vec<SessionOutput>),
}

/// What changed, for whoever shows or acts on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum SessionOutput {
    /// Boxed: a card is by far the largest output, and every output waits in the broadcast
    /// channel's slots.
    Card(Box<CallCard>),
    CardRemoved(CallId),
    Agent(AgentState),
    Source(SourceStatus),
    Command(CtiCommand),
    /// A member of the supervised queues, as they now are.
    TeamMember(TeamMember),
    /// A member left every supervised queue (by interface).
    TeamMemberLeft(String),
    Notice(Notice),
    /// The notice with this tag (see [`Notice::tag`]) is out of date: take it off the screen.
    NoticeWithdrawn {
        tag: String,
    },
    /// What the card window shows now (sent when it changes; see [`crate::popup`]).
    Popup(crate::popup::PopupView),
    /// Callers waiting for a call back (missed, not reached since): the tray's count. Sent by
    /// the history, which knows them, not by the session.
    MissedCalls(u32),
    /// The agent's note for a call as last typed, in whichever window: the others show it, so
    /// two windows never hold two drafts. Sent by the runtime once the history has it.
    Note(NoteChange),
}

/// A call's note as the agent last typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct NoteChange {
    pub call_id: CallId,
    pub text: String,
}

#[derive(Debug)]
pub struct Session {
    config: SessionConfig,
    calls: BTreeMap<CallId, Call>,
    /// Call ids in the order they first rang, for a stable card list.
    order: Vec<CallId>,
    agent: AgentState,
    source: SourceStatus,
    team: Team,
    /// Queue calls that rang out unanswered here since the last answered one (auto-pause).
    missed_in_a_row: u32,
    /// The PBX holds the agent paused with Ringside's wrap-up reason, since then.
    own_pause_at_pbx: Option<Timestamp>,
    /// A re-sync finished since this session began: a wrap-up pause found later was left by
    /// this run (lost connection), not by a run before it.
    resynced: bool,
}

impl Session {
    pub fn new(config: SessionConfig) -> Self {
        Self {
            team: Team::new(config.supervised_queues.clone()),
            config,
            calls: BTreeMap::new(),
            order: Vec::new(),
            agent: AgentState::LoggedOut,
            missed_in_a_row: 0,
            source: SourceStatus::Connecting,
            own_pause_at_pbx: None,
            resynced: false,
        }
    }

    /// New settings from the settings window, applied to the running session: the calls, the
    /// agent state and the wrap-up under way stay (a wrap-up already started keeps its timer).
    /// A changed list of supervised queues starts the team view afresh; the next re-sync fills it.
    pub fn set_config(&mut self, config: SessionConfig) {
        if config.supervised_queues != self.config.supervised_queues {
            self.team = Team::new(config.supervised_queues.clone());
        }
        self.config = config;
    }

    pub fn agent(&self) -> &AgentState {
        &self.agent
    }

    pub fn source(&self) -> &SourceStatus {
        &self.source
    }

    /// The members of the supervised queues.
    pub fn team(&self) -> Vec<TeamMember> {
        self.team.members().cloned().collect()
    }

    pub fn call(&self, id: &CallId) -> Option<&Call> {
        self.calls.get(id)
    }

    /// Every card, oldest first.
    pub fn cards(&self, now: Timestamp) -> Vec<CallCard> {
        self.order
            .iter()
            .filter_map(|id| self.calls.get(id))
            .map(|c| CallCard::from_call(c, self.config.internal_max_len, now))
            .collect()
    }

    /// Folds one event from the CTI source.
    pub fn apply(&mut self, event: CallEvent) -> Vec<SessionOutput> {
        let mut out = Vec::new();
        let now = event.at();
        match event {
            CallEvent::SourceConnected { source, at } => {
                self.source = SourceStatus::Connected { source, since: at };
                out.push(SessionOutput::Source(self.source.clone()));
                if !self.agent.is_logged_in() {
                    self.agent_input_into(&AgentInput::LogIn, now, &mut out).ok();
                }
            }
            CallEvent::SourceDisconnected { reason, at } => {
                self.source = SourceStatus::Disconnected { reason, since: at };
                out.push(SessionOutput::Source(self.source.clone()));
            }
            CallEvent::IncomingRinging { call, from, queue, at } => {
                let fresh = match self.calls.get_mut(&call) {
                    // Another leg of a call we already show: one call, one card.
                    Some(existing) if !existing.is_ended() => {
                        if existing.remote.number.is_empty() && !from.number.is_empty() {
                            existing.remote = from;
                            self.push_card(&call, now, &mut out);
                        }
                        false
                    }
                    // The same call comes back (e.g. transferred back to this agent).
                    Some(existing) => {
                        *existing = Call::incoming(call.clone(), from, queue, at);
                        true
                    }
                    None => {
                        self.insert(Call::incoming(call.clone(), from, queue, at));
                        true
                    }
                };
                if fresh {
                    self.push_card(&call, now, &mut out);
                    self.agent_input_into(&AgentInput::Ring { call }, now, &mut out).ok();
                }
            }
            CallEvent::OutgoingDialing { call, to, at } => {
                match self.calls.get_mut(&call) {
                    Some(existing) if !existing.is_ended() => return out,
                    // The same id again: replace in place, one card per id.
                    Some(existing) => *existing = Call::outgoing(call.clone(), to, at),
                    None => self.insert(Call::outgoing(call.clone(), to, at)),
                }
                self.push_card(&call, now, &mut out);
                self.agent_input_into(&AgentInput::Ring { call }, now, &mut out).ok();
            }
            CallEvent::PartyChanged { call, remote, .. } => {
                let changed = match self.calls.get_mut(&call) {
                    Some(c) if !c.is_ended() && c.remote != remote && !remote.number.is_empty() => {
                        c.remote = remote;
                        true
                    }
                    _ => false,
                };
                if changed {
                    self.push_card(&call, now, &mut out);
                }
            }
            CallEvent::Answered { call, at } => {
                if self.calls.get_mut(&call).is_some_and(|c| c.answer(at)) {
                    self.push_card(&call, now, &mut out);
                    self.agent_input_into(&AgentInput::Answer { call }, now, &mut out).ok();
                }
            }
            CallEvent::Ended { call, cause, at } => {
                let Some(c) = self.calls.get_mut(&call) else { return out };
                if !c.end(cause.clone(), at) {
                    if c.learn_who_answered(&cause) {
                        self.push_card(&call, now, &mut out);
                    }
                    return out;
                }
                let answered = c.answered_at.is_some();
                let rang_out_in_queue = !answered
                    && c.direction == Direction::Incoming
                    && c.queue.is_some()
                    && matches!(c.phase, CallPhase::Ended(EndCause::NoAnswer));
                self.push_card(&call, now, &mut out);
                self.agent_input_into(&AgentInput::End { call, answered }, now, &mut out).ok();
                if answered {
                    self.missed_in_a_row = 0;
                } else if rang_out_in_queue {
                    self.count_missed(&mut out);
                }
                self.prune_ended(&mut out);
            }
            CallEvent::Recording { call, url, .. } => {
                let changed = match self.calls.get_mut(&call) {
                    Some(c) if c.recording_url.as_ref() != Some(&url) => {
                        c.recording_url = Some(url);
                        true
                    }
                    _ => false,
                };
                if changed {
                    self.push_card(&call, now, &mut out);
                }
            }
            CallEvent::TeamMember { update, .. } => {
                let interface = match &update {
                    MemberUpdate::Set { interface, .. } | MemberUpdate::Removed { interface, .. } => interface.clone(),
                };
                match self.team.apply(update) {
                    Some(Some(member)) => out.push(SessionOutput::TeamMember(member)),
                    Some(None) => out.push(SessionOutput::TeamMemberLeft(interface)),
                    None => {}
                }
            }
            CallEvent::AgentPaused { paused, reason, since, at, .. } => {
                // Our own wrap-up pause echoed back is not the agent pausing. The echo may
                // arrive after the wrap-up was cut short by a new call, so the reason decides.
                let own = paused && reason.as_deref() == Some(WRAP_UP_PAUSE_REASON);
                self.own_pause_at_pbx = own.then(|| since.unwrap_or(at));
                if !own {
                    let input = if paused { AgentInput::Pause { reason } } else { AgentInput::Unpause };
                    self.agent_input_into(&input, at, &mut out).ok();
                }
            }
            CallEvent::Resynced { at } => {
                let first = !std::mem::replace(&mut self.resynced, true);
                self.recover_own_pause(first, at, &mut out);
            }
        }
        out
    }

    /// After a re-sync: a wrap-up pause of Ringside's that no wrap-up here explains was left by
    /// a run that quit or crashed, or by this one while the PBX was away. Right after start a
    /// timed wrap-up with time left goes on (the agent may be finishing notes); anything else
    /// is cleared. Never a silent pause forever; pauses with other reasons are never touched.
    fn recover_own_pause(&mut self, first: bool, now: Timestamp, out: &mut Vec<SessionOutput>) {
        let Some(since) = self.own_pause_at_pbx else { return };
        if !self.config.acts_for_agent || !matches!(self.agent, AgentState::Available { .. }) {
            return;
        }
        let policy = &self.config.wrap_up;
        let ends_at = policy.timeout_secs.filter(|_| policy.enabled && first).map(|t| since.plus_secs(t));
        match ends_at {
            Some(ends_at) if ends_at > now => {
                self.agent =
                    AgentState::WrapUp { call: None, since, ends_at: Some(ends_at), resume: Availability::Available };
                out.push(SessionOutput::Agent(self.agent.clone()));
                out.push(SessionOutput::Notice(Notice::WrapUpResumed { ends_at }));
            }
            _ => {
                self.own_pause_at_pbx = None;
                self.command(CtiCommand::UnpauseQueues, out);
                out.push(SessionOutput::Notice(Notice::WrapUpPauseCleared));
            }
        }
    }

    /// What the PBX must be told before Ringside lets go of it (quit, log out): the queues
    /// it paused for a wrap-up are unpaused, so the agent is never left paused by Ringside.
    /// The agent's own pauses and a supervisor's are left as they are.
    pub fn release(&self) -> Vec<CtiCommand> {
        let wrap_up_paused = matches!(self.agent, AgentState::WrapUp { resume: Availability::Available, .. })
            || self.own_pause_at_pbx.is_some();
        if self.config.acts_for_agent && wrap_up_paused {
            vec![CtiCommand::UnpauseQueues]
        } else {
            Vec::new()
        }
    }

    /// An input from the agent (UI, tray, CLI). Illegal inputs leave everything unchanged.
    pub fn agent_input(&mut self, input: AgentInput, now: Timestamp) -> Result<Vec<SessionOutput>, TransitionError> {
        let mut out = Vec::new();
        self.agent_input_into(&input, now, &mut out)?;
        Ok(out)
    }

    /// "Accepting calls" off: the PBX decides, and its confirmation changes the state.
    pub fn request_pause(&self, reason: Option<String>) -> Result<CtiCommand, TransitionError> {
        if !self.agent.is_logged_in() {
            return Err(TransitionError::Illegal { state: self.agent.label(), input: "stop accepting calls" });
        }
        Ok(CtiCommand::PauseQueues { reason })
    }

    /// "Accepting calls" on. During wrap-up the queues stay paused until it ends, so the
    /// change is only local: the agent returns to accepting calls afterwards.
    pub fn request_unpause(&mut self, now: Timestamp) -> Result<UnpauseRequest, TransitionError> {
        if !self.agent.is_logged_in() {
            return Err(TransitionError::Illegal { state: self.agent.label(), input: "start accepting calls" });
        }
        if matches!(self.agent, AgentState::WrapUp { .. }) {
            let mut out = Vec::new();
            self.agent_input_into(&AgentInput::Unpause, now, &mut out)?;
            return Ok(UnpauseRequest::Done(out));
        }
        Ok(UnpauseRequest::Send(CtiCommand::UnpauseQueues))
    }

    /// The number's lookup began: the card says so until it finishes.
    pub fn lookup_started(&mut self, id: &CallId, now: Timestamp) -> Vec<SessionOutput> {
        self.set_lookup(id, LookupState::Pending, None, now)
    }

    /// The lookup finished: the customers found (best first), and why a source failed if
    /// one did. The card keeps the number either way, and the customer the agent picked or
    /// created on this card stays its first, chosen one even when this lookup did not find them
    /// (a CRM that failed this time, or has not indexed a customer created a moment ago).
    pub fn lookup_finished(&mut self, id: &CallId, outcome: LookupOutcome, now: Timestamp) -> Vec<SessionOutput> {
        let state = match outcome.failed {
            None => LookupState::Done,
            Some(why) => LookupState::Failed(why),
        };
        let mut customers = outcome.customers;
        if let (Some(call), Some(display)) = (self.calls.get_mut(id), outcome.number_display) {
            call.number_display = Some(display);
        }
        let kept = self.calls.get(id).and_then(|c| c.customers.iter().find(|c| c.chosen).cloned());
        if let Some(kept) = kept {
            put_first_chosen(&mut customers, kept);
        }
        self.set_lookup(id, state, Some(customers), now)
    }

    /// A customer was created for the card's caller (in the directory or a CRM): they become the
    /// card's first, chosen customer. Empty when the card is gone.
    pub fn customer_created(&mut self, id: &CallId, customer: CustomerMatch, now: Timestamp) -> Vec<SessionOutput> {
        let Some(call) = self.calls.get_mut(id) else { return Vec::new() };
        put_first_chosen(&mut call.customers, customer);
        let mut out = Vec::new();
        self.push_card(id, now, &mut out);
        out
    }

    /// The agent says which of the card's customers is calling: it moves to the top, marked
    /// chosen. `None` when the card or the customer is gone.
    pub fn choose_customer(
        &mut self,
        id: &CallId,
        source: &str,
        customer: &str,
        now: Timestamp,
    ) -> Option<Vec<SessionOutput>> {
        self.chosen_first(id, source, customer)?;
        let mut out = Vec::new();
        self.push_card(id, now, &mut out);
        Some(out)
    }

    /// The card's customer moved to the top, marked chosen (the others not).
    fn chosen_first(&mut self, id: &CallId, source: &str, customer: &str) -> Option<&mut CustomerMatch> {
        let call = self.calls.get_mut(id)?;
        let pos = call.customers.iter().position(|c| c.is(source, customer))?;
        let mut picked = call.customers.remove(pos);
        picked.chosen = true;
        for other in &mut call.customers {
            other.chosen = false;
        }
        call.customers.insert(0, picked);
        call.customers.first_mut()
    }

    /// The agent says which open deal of a customer the call is logged to (`None`: to the
    /// customer alone); that customer becomes the chosen one. `None` when the card, the customer
    /// or the deal is gone.
    pub fn bind_deal(
        &mut self,
        id: &CallId,
        source: &str,
        customer: &str,
        deal: Option<&str>,
        now: Timestamp,
    ) -> Option<Vec<SessionOutput>> {
        let call = self.calls.get(id)?;
        let found = call.customers.iter().find(|c| c.is(source, customer))?;
        if let Some(deal) = deal {
            if !found.orders.iter().any(|o| o.id.as_deref() == Some(deal)) {
                return None;
            }
        }
        self.chosen_first(id, source, customer)?.deal = deal.map(str::to_string);
        let mut out = Vec::new();
        self.push_card(id, now, &mut out);
        Some(out)
    }

    fn set_lookup(
        &mut self,
        id: &CallId,
        state: LookupState,
        customers: Option<Vec<CustomerMatch>>,
        now: Timestamp,
    ) -> Vec<SessionOutput> {
        let Some(call) = self.calls.get_mut(id) else { return Vec::new() };
        call.lookup = state;
        if let Some(c) = customers {
            call.customers = c;
        }
        let mut out = Vec::new();
        self.push_card(id, now, &mut out);
        out
    }

    /// Lets time pass: ends a timed wrap-up.
    pub fn tick(&mut self, now: Timestamp) -> Vec<SessionOutput> {
        let mut out = Vec::new();
        self.agent_input_into(&AgentInput::Tick, now, &mut out).ok();
        out
    }

    /// The agent closes an ended card.
    pub fn dismiss(&mut self, id: &CallId) -> Vec<SessionOutput> {
        match self.calls.get(id) {
            Some(c) if c.is_ended() => {
                self.remove(id);
                vec![SessionOutput::CardRemoved(id.clone())]
            }
            _ => Vec::new(),
        }
    }

    fn agent_input_into(
        &mut self,
        input: &AgentInput,
        now: Timestamp,
        out: &mut Vec<SessionOutput>,
    ) -> Result<(), TransitionError> {
        let next = self.agent.apply(input, now, &self.config.wrap_up)?;
        if next == self.agent {
            return Ok(());
        }
        let was_wrap_up = matches!(self.agent, AgentState::WrapUp { .. });
        let is_wrap_up = matches!(next, AgentState::WrapUp { .. });
        // Entering wrap-up from a state that took queue calls: pause so none is offered.
        if is_wrap_up && !was_wrap_up {
            if let AgentState::WrapUp { resume: Availability::Available, .. } = &next {
                self.command(CtiCommand::PauseQueues { reason: Some(WRAP_UP_PAUSE_REASON.to_string()) }, out);
            }
        }
        // Leaving wrap-up (logging out too): undo our pause, so the queues are as the agent
        // left them before the call.
        if was_wrap_up && !is_wrap_up {
            if let AgentState::WrapUp { resume: Availability::Available, .. } = &self.agent {
                self.command(CtiCommand::UnpauseQueues, out);
            }
        }
        // Back to accepting calls after a pause: the agent is at the desk again.
        if matches!(self.agent, AgentState::Paused { .. }) && matches!(next, AgentState::Available { .. }) {
            self.missed_in_a_row = 0;
        }
        self.agent = next;
        out.push(SessionOutput::Agent(self.agent.clone()));
        Ok(())
    }

    /// One more queue call rang out unanswered; enough in a row pause the agent (if they still
    /// accept calls) and tell them why.
    fn count_missed(&mut self, out: &mut Vec<SessionOutput>) {
        let Some(limit) = self.config.auto_pause_after_missed.filter(|n| *n > 0) else { return };
        if !self.config.acts_for_agent || !matches!(self.agent, AgentState::Available { .. }) {
            return;
        }
        self.missed_in_a_row += 1;
        if self.missed_in_a_row < limit {
            return;
        }
        let missed = std::mem::take(&mut self.missed_in_a_row);
        let reason = auto_pause_reason(missed);
        self.command(CtiCommand::PauseQueues { reason: Some(reason.clone()) }, out);
        out.push(SessionOutput::Notice(Notice::AutoPaused { missed, reason }));
    }

    /// A change on the PBX the session decided on by itself; a session that only watches
    /// never makes one.
    fn command(&self, cmd: CtiCommand, out: &mut Vec<SessionOutput>) {
        if self.config.acts_for_agent {
            out.push(SessionOutput::Command(cmd));
        }
    }

    fn insert(&mut self, call: Call) {
        self.order.push(call.id.clone());
        self.calls.insert(call.id.clone(), call);
    }

    fn remove(&mut self, id: &CallId) {
        self.calls.remove(id);
        self.order.retain(|o| o != id);
    }

    fn push_card(&self, id: &CallId, now: Timestamp, out: &mut Vec<SessionOutput>) {
        if let Some(call) = self.calls.get(id) {
            out.push(SessionOutput::Card(Box::new(CallCard::from_call(call, self.config.internal_max_len, now))));
        }
    }

    fn prune_ended(&mut self, out: &mut Vec<SessionOutput>) {
        let ended: Vec<CallId> =
            self.order.iter().filter(|id| self.calls.get(*id).is_some_and(Call::is_ended)).cloned().collect();
        if ended.len() > self.config.keep_ended {
            for id in &ended[..ended.len() - self.config.keep_ended] {
                self.remove(id);
                out.push(SessionOutput::CardRemoved(id.clone()));
            }
        }
    }
}

/// `chosen` first and marked chosen, the others not; the same customer (source and id) found
/// again keeps what the new list says of them.
fn put_first_chosen(customers: &mut Vec<CustomerMatch>, chosen: CustomerMatch) {
    let mut first = match customers.iter().position(|c| c.is(&chosen.source, &chosen.id) && !chosen.id.is_empty()) {
        Some(pos) => {
            let mut again = customers.remove(pos);
            // The deal the agent bound the call to stays while the customer still has it open.
            let still_open = |deal: &str| again.orders.iter().any(|o| o.id.as_deref() == Some(deal));
            if chosen.deal.as_deref().is_none_or(still_open) {
                again.deal = chosen.deal;
            }
            again
        }
        None => chosen,
    };
    first.chosen = true;
    for other in customers.iter_mut() {
        other.chosen = false;
    }
    customers.insert(0, first);
}
