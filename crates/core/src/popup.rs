//! The card window ("popup"): which calls' cards it shows, in which order, and when it tells
//! the agent about a ringing call with a desktop notification instead.
//!
//! A pure fold like the [`Session`](crate::Session): the runtime feeds it every
//! [`SessionOutput`] the session emits ([`Popup::observe`]), the agent's actions on the window
//! ([`Popup::dismiss`], [`Popup::hide`], [`Popup::show`], [`Popup::set_compact`],
//! [`Popup::wrap_up_finished`]) and the time ([`Popup::tick`] at [`Popup::next_deadline`]). Each
//! answers with what changed: a [`SessionOutput::Popup`] only when the [`PopupView`] differs
//! from the last one, and the incoming-call notice ([`Notice::IncomingCall`]) or its withdrawal
//! ([`SessionOutput::NoticeWithdrawn`]). No IO and no clock: `now` comes in with every call, and
//! every delay is measured on it.
//!
//! The rules (docs/config.md, `[ui]`):
//!
//! - **When a card opens.** `ringing`: as soon as the call is live (ringing, dialing out, or
//!   found already talking after a re-sync). `answer`: once it is answered here. `never`: not by
//!   itself (the agent relies on the notification, and can still bring a card up from the tray).
//! - **Internal calls** (a colleague's extension: [`LookupState::Internal`]) wait
//!   `internal_call_delay_ms`, counted from the moment the card would have opened: with
//!   `ringing` from the first ring, and the card opens only if the call still rings then (a
//!   colleague the agent picked up at once, or who gave up, never opens a card); with `answer`
//!   from the answer, and it opens only if the call is still going then (a short internal chat
//!   never opens one).
//! - **Ended cards.** A call the agent talked on stays in the window for the notes and the
//!   wrap-up, until the agent closes it or finishes the wrap-up (Save/Cancel; a wrap-up that
//!   times out does not pull the card from under the agent's typing). A call never answered here
//!   — a colleague took it (the card says who), the caller gave up, it rang out, an outgoing call
//!   nobody took — closes by itself `card_autoclose_secs` after it ended: a missed call is
//!   already on the call-back list and announced by the "Missed call" notice, and a window full
//!   of stale cards would hide the next caller.
//! - **The stack.** One entry per call (the session keeps one card per call); the card that
//!   opened last is on top; at most `card_stack_limit` are shown and the rest counted in
//!   `more`. The call the agent is talking on is never counted in `more`: it takes the last
//!   place.
//! - **The agent.** Closing a card ([`Popup::dismiss`]) or the window ([`Popup::hide`]) is
//!   final for those calls: they do not open again by themselves. [`Popup::show`] brings a card
//!   back (the current call's, else the latest call's), on top, full size, and it then stays
//!   until closed. Compact (the minimized bar) lasts until the window empties.
//! - **Incoming-call notice.** When a call starts ringing here, per `notify_incoming`:
//!   `when_card_hidden` only if its card is not in view at that moment (opens on answer, never,
//!   an internal call's delay, or counted in `more`), `always`, or `never`. One such notice at a
//!   time (tag [`INCOMING_CALL_TAG`]: a newer call's replaces it); it names the customer once the
//!   lookup found exactly one (or the agent's pick), and is withdrawn when that call is answered
//!   (here or elsewhere) or ends.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::card::{CallCard, CardStatus, LookupState};
use crate::event::{CallId, Direction};
use crate::session::{Notice, SessionOutput};
use crate::time::Timestamp;

/// The tag of the incoming-call notice ([`Notice::IncomingCall`]).
pub const INCOMING_CALL_TAG: &str = "incoming-call";

/// Cards shown at once by default; the rest are counted in [`PopupView::more`].
pub const DEFAULT_STACK_LIMIT: usize = 3;
/// Seconds a card of a call never answered here stays after the call ended, by default.
pub const DEFAULT_AUTOCLOSE_SECS: u64 = 5;

/// When a call's card opens in the card window (`[ui] card_opens_on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardOpensOn {
    /// As soon as the call rings (or dials out).
    #[default]
    Ringing,
    /// Once the call is answered here.
    Answer,
    /// Never by itself: the agent relies on the notification (and the tray's "show").
    Never,
}

/// When a ringing call is also announced by a desktop notification (`[ui] notify_incoming`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyIncoming {
    /// Only when the card window does not show the call's card as it starts ringing.
    #[default]
    WhenCardHidden,
    Always,
    Never,
}

/// The card window's settings (from `[ui]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PopupConfig {
    pub opens_on: CardOpensOn,
    /// How long an internal call's card waits before it opens, in milliseconds; 0 opens at once.
    pub internal_delay_ms: u64,
    /// Cards shown at once; at least 1.
    pub stack_limit: usize,
    /// Seconds a card of a call never answered here stays after the call ended.
    pub autoclose_secs: u64,
    pub notify_incoming: NotifyIncoming,
}

impl Default for PopupConfig {
    fn default() -> Self {
        Self {
            opens_on: CardOpensOn::default(),
            internal_delay_ms: 0,
            stack_limit: DEFAULT_STACK_LIMIT,
            autoclose_secs: DEFAULT_AUTOCLOSE_SECS,
            notify_incoming: NotifyIncoming::default(),
        }
    }
}

/// What the card window shows. Empty `calls`: the window is hidden.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct PopupView {
    /// The calls whose cards are shown, newest first (the card that opened last on top), at
    /// most the stack limit.
    pub calls: Vec<CallId>,
    /// More cards are open than shown: how many.
    pub more: u32,
    /// The agent shrank the window to a bar.
    pub compact: bool,
}

/// Where one call's card is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    /// Not in the window: opens when its rule says so.
    Waiting,
    /// An internal call waiting out the delay: opens at `at` if the call is still `while_status`.
    Delayed { at: Timestamp, while_status: CardStatus },
    /// In the window since `since`; closes by itself at `closes_at`.
    Open { since: Timestamp, closes_at: Option<Timestamp> },
    /// Closed (by the agent, by itself, or skipped): opens again only when the agent asks.
    Closed,
}

#[derive(Debug, Clone)]
struct Entry {
    status: CardStatus,
    internal: bool,
    answered_here: bool,
    ring_at: Timestamp,
    place: Place,
}

/// The incoming-call notice on screen: for which call, naming whom.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Notified {
    call: CallId,
    name: Option<String>,
}

/// The card window's state; see the module docs for its rules.
#[derive(Debug)]
pub struct Popup {
    config: PopupConfig,
    entries: BTreeMap<CallId, Entry>,
    /// The agent's current call (ringing, talking or in its wrap-up).
    current: Option<CallId>,
    compact: bool,
    /// The view last emitted.
    view: PopupView,
    notified: Option<Notified>,
}

impl Popup {
    pub fn new(config: PopupConfig) -> Self {
        Self {
            config,
            entries: BTreeMap::new(),
            current: None,
            compact: false,
            view: PopupView::default(),
            notified: None,
        }
    }

    /// New settings from the settings window: the cards open now stay; the next call follows
    /// the new rules.
    pub fn set_config(&mut self, config: PopupConfig) {
        self.config = config;
    }

    /// What the window shows now (the last view emitted).
    pub fn view(&self) -> &PopupView {
        &self.view
    }

    /// When [`Self::tick`] must run next: an internal call's delay or a card closing by itself.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.entries
            .values()
            .filter_map(|e| match &e.place {
                Place::Delayed { at, .. } => Some(*at),
                Place::Open { closes_at, .. } => *closes_at,
                Place::Waiting | Place::Closed => None,
            })
            .min()
    }

    /// Lets time pass: delayed cards open, cards of calls never answered here close.
    pub fn tick(&mut self, now: Timestamp) -> Vec<SessionOutput> {
        let mut out = Vec::new();
        self.due(now);
        self.emit(&mut out);
        out
    }

    /// Folds one output of the session: cards (opened, changed, removed) and the agent's
    /// current call. Anything else changes nothing.
    pub fn observe(&mut self, output: &SessionOutput, now: Timestamp) -> Vec<SessionOutput> {
        let mut out = Vec::new();
        self.due(now);
        match output {
            SessionOutput::Card(card) => {
                let fresh = self.card(card, now);
                self.emit(&mut out);
                self.notice(card, fresh, &mut out);
            }
            SessionOutput::CardRemoved(id) => {
                self.entries.remove(id);
                if self.current.as_ref() == Some(id) {
                    self.current = None;
                }
                self.emit(&mut out);
                if self.notified.as_ref().is_some_and(|n| &n.call == id) {
                    self.withdraw(&mut out);
                }
            }
            SessionOutput::Agent(agent) => {
                self.current = agent.current_call().cloned();
                self.emit(&mut out);
            }
            _ => self.emit(&mut out),
        }
        out
    }

    /// The agent closes one card. It does not open again by itself.
    pub fn dismiss(&mut self, call: &CallId, now: Timestamp) -> Vec<SessionOutput> {
        self.due(now);
        if let Some(e) = self.entries.get_mut(call) {
            if matches!(e.place, Place::Open { .. } | Place::Delayed { .. }) {
                e.place = Place::Closed;
            }
        }
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }

    /// The agent closes the window: every card in it (or waiting to open) is closed.
    pub fn hide(&mut self, now: Timestamp) -> Vec<SessionOutput> {
        self.due(now);
        for e in self.entries.values_mut() {
            if matches!(e.place, Place::Open { .. } | Place::Delayed { .. }) {
                e.place = Place::Closed;
            }
        }
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }

    /// Brings a card back on top of the window, full size: `call`'s, else the agent's current
    /// call's, else the latest call's. It stays until the agent closes it. `None` when there is
    /// no such card (no calls at all, or `call` is unknown).
    pub fn show(&mut self, call: Option<&CallId>, now: Timestamp) -> Option<Vec<SessionOutput>> {
        self.due(now);
        let target = match call {
            Some(id) => self.entries.contains_key(id).then(|| id.clone())?,
            None => self
                .current
                .clone()
                .filter(|c| self.entries.contains_key(c))
                .or_else(|| self.entries.iter().max_by_key(|(id, e)| (e.ring_at, *id)).map(|(id, _)| id.clone()))?,
        };
        if let Some(e) = self.entries.get_mut(&target) {
            e.place = Place::Open { since: now, closes_at: None };
        }
        self.compact = false;
        let mut out = Vec::new();
        self.emit(&mut out);
        Some(out)
    }

    /// The agent shrinks the window to a bar (or back). Nothing to shrink when it is empty.
    pub fn set_compact(&mut self, compact: bool, now: Timestamp) -> Vec<SessionOutput> {
        self.due(now);
        self.compact = compact;
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }

    /// The agent finished the wrap-up of `call` (Save, Cancel): its ended card closes.
    pub fn wrap_up_finished(&mut self, call: &CallId, now: Timestamp) -> Vec<SessionOutput> {
        self.due(now);
        if let Some(e) = self.entries.get_mut(call) {
            if e.status == CardStatus::Ended && matches!(e.place, Place::Open { .. }) {
                e.place = Place::Closed;
            }
        }
        let mut out = Vec::new();
        self.emit(&mut out);
        out
    }

    /// Takes in a card; true when it is a call new to the window (or one that came back).
    fn card(&mut self, card: &CallCard, now: Timestamp) -> bool {
        let fresh_entry = || Entry {
            status: card.status.clone(),
            internal: card.lookup == LookupState::Internal,
            answered_here: card.answer_at.is_some(),
            ring_at: card.ring_at,
            place: Place::Waiting,
        };
        let (fresh, was) = match self.entries.get_mut(&card.call_id) {
            // The same call rings here again (transferred back): a new start.
            Some(e) if e.status == CardStatus::Ended && card.status != CardStatus::Ended => {
                *e = fresh_entry();
                (true, None)
            }
            Some(e) => {
                let was = std::mem::replace(&mut e.status, card.status.clone());
                e.internal = card.lookup == LookupState::Internal;
                e.answered_here = card.answer_at.is_some();
                e.ring_at = card.ring_at;
                (false, Some(was))
            }
            None => {
                self.entries.insert(card.call_id.clone(), fresh_entry());
                (true, None)
            }
        };
        let config = &self.config;
        let Some(e) = self.entries.get_mut(&card.call_id) else { return fresh };
        // An internal call that changed during its delay (answered, ended) never opens.
        if let Place::Delayed { while_status, .. } = &e.place {
            if *while_status != e.status {
                e.place = Place::Closed;
            }
        }
        let wanted = match config.opens_on {
            CardOpensOn::Ringing => e.status != CardStatus::Ended,
            CardOpensOn::Answer => e.status == CardStatus::OnCall,
            CardOpensOn::Never => false,
        };
        if e.place == Place::Waiting && wanted {
            e.place = if e.internal && config.internal_delay_ms > 0 {
                let at = Timestamp(now.as_millis().saturating_add(config.internal_delay_ms));
                Place::Delayed { at, while_status: e.status.clone() }
            } else {
                Place::Open { since: now, closes_at: None }
            };
        }
        // Just ended, never answered here: closes by itself.
        let just_ended = e.status == CardStatus::Ended && was.is_some_and(|w| w != CardStatus::Ended);
        if let Place::Open { closes_at, .. } = &mut e.place {
            if just_ended && !e.answered_here {
                *closes_at = Some(now.plus_secs(config.autoclose_secs));
            }
        }
        fresh
    }

    /// The incoming-call notice: shown when a call starts ringing here (per the setting),
    /// updated when the lookup names the caller, withdrawn when the call is answered or ends.
    fn notice(&mut self, card: &CallCard, fresh: bool, out: &mut Vec<SessionOutput>) {
        let ringing_here = card.direction == Direction::Incoming && card.status == CardStatus::Ringing;
        let name = Self::caller_name(card);
        let notify = |n: Option<String>| Notice::IncomingCall {
            call: card.call_id.clone(),
            number: card.number.clone(),
            name: n,
        };
        if fresh && ringing_here {
            let announce = match self.config.notify_incoming {
                NotifyIncoming::Always => true,
                NotifyIncoming::Never => false,
                NotifyIncoming::WhenCardHidden => !self.view.calls.contains(&card.call_id),
            };
            if announce {
                out.push(SessionOutput::Notice(notify(name.clone())));
                self.notified = Some(Notified { call: card.call_id.clone(), name });
            }
            return;
        }
        if self.notified.as_ref().is_none_or(|n| n.call != card.call_id) {
            return;
        }
        if !ringing_here {
            self.withdraw(out);
        } else if let Some(notified) = self.notified.as_mut().filter(|n| n.name != name) {
            notified.name = name.clone();
            out.push(SessionOutput::Notice(notify(name)));
        }
    }

    /// Who is calling, for the notice: the customer when the lookup found exactly one (or the
    /// agent picked one), else the caller ID name.
    fn caller_name(card: &CallCard) -> Option<String> {
        let customer = match card.customers.as_slice() {
            [only] => Some(only),
            [first, ..] if first.chosen => Some(first),
            _ => None,
        };
        customer.map(|c| c.name.clone()).or_else(|| card.caller_name.clone())
    }

    fn withdraw(&mut self, out: &mut Vec<SessionOutput>) {
        if self.notified.take().is_some() {
            out.push(SessionOutput::NoticeWithdrawn { tag: INCOMING_CALL_TAG.to_string() });
        }
    }

    /// Carries out what fell due by `now`, before anything newer is taken in.
    fn due(&mut self, now: Timestamp) {
        for e in self.entries.values_mut() {
            let next = match &e.place {
                Place::Delayed { at, while_status } if *at <= now => {
                    if e.status == *while_status {
                        Place::Open { since: *at, closes_at: None }
                    } else {
                        Place::Closed
                    }
                }
                Place::Open { closes_at: Some(at), .. } if *at <= now => Place::Closed,
                _ => continue,
            };
            e.place = next;
        }
    }

    /// Pushes the view when it changed.
    fn emit(&mut self, out: &mut Vec<SessionOutput>) {
        let mut open: Vec<(&CallId, &Entry, Timestamp)> = self
            .entries
            .iter()
            .filter_map(|(id, e)| match &e.place {
                Place::Open { since, .. } => Some((id, e, *since)),
                _ => None,
            })
            .collect();
        if open.is_empty() {
            self.compact = false;
        }
        open.sort_by(|a, b| (b.2, b.1.ring_at, b.0).cmp(&(a.2, a.1.ring_at, a.0)));
        let limit = self.config.stack_limit.max(1);
        let mut calls: Vec<CallId> = open.iter().take(limit).map(|(id, _, _)| (*id).clone()).collect();
        // The call the agent is talking on is never hidden among `more`.
        let talking = open
            .iter()
            .find(|(id, e, _)| Some(*id) == self.current.as_ref() && e.status == CardStatus::OnCall)
            .map(|(id, _, _)| (*id).clone());
        if let Some(talking) = talking {
            if !calls.contains(&talking) {
                calls.pop();
                calls.push(talking);
            }
        }
        let more = u32::try_from(open.len() - calls.len()).unwrap_or(u32::MAX);
        let view = PopupView { calls, more, compact: self.compact };
        if view != self.view {
            self.view = view.clone();
            out.push(SessionOutput::Popup(view));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_crosses_as_plain_json() {
        let view = PopupView { calls: vec![CallId::new("1.2"), CallId::new("1.1")], more: 2, compact: true };
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json, serde_json::json!({"calls": ["1.2", "1.1"], "more": 2, "compact": true}));
        assert_eq!(serde_json::to_value(CardOpensOn::Never).unwrap(), "never");
        assert_eq!(serde_json::to_value(NotifyIncoming::WhenCardHidden).unwrap(), "when_card_hidden");
        let out = serde_json::to_value(SessionOutput::Popup(view)).unwrap();
        assert_eq!(
            out,
            serde_json::json!({"kind": "popup", "value": {"calls": ["1.2", "1.1"], "more": 2, "compact": true}})
        );
    }

    #[test]
    fn the_notice_its_withdrawal_and_who_answered_cross_as_plain_json() {
        let notice = Notice::IncomingCall { call: CallId::new("1.2"), number: "+380441234567".into(), name: None };
        assert_eq!(
            serde_json::to_value(SessionOutput::Notice(notice)).unwrap(),
            serde_json::json!({"kind": "notice", "value": {"kind": "incoming_call", "call": "1.2", "number": "+380441234567", "name": null}})
        );
        let withdrawn = SessionOutput::NoticeWithdrawn { tag: INCOMING_CALL_TAG.into() };
        assert_eq!(
            serde_json::to_value(withdrawn).unwrap(),
            serde_json::json!({"kind": "notice_withdrawn", "value": {"tag": "incoming-call"}})
        );
        let by = crate::EndCause::AnsweredElsewhere { by: Some("Agent 101".into()) };
        assert_eq!(
            serde_json::to_value(by).unwrap(),
            serde_json::json!({"kind": "answered_elsewhere", "detail": {"by": "Agent 101"}})
        );
    }
}
