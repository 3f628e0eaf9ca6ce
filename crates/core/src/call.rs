//! One call as this agent experiences it, keyed by the PBX's call id.

use serde::{Deserialize, Serialize};

use crate::card::{CustomerMatch, LookupState};
use crate::event::{CallId, Direction, EndCause, RemoteParty};
use crate::time::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "phase", content = "cause")]
pub enum CallPhase {
    Ringing,
    Dialing,
    Talking,
    Ended(EndCause),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Call {
    pub id: CallId,
    pub direction: Direction,
    pub remote: RemoteParty,
    pub queue: Option<String>,
    pub phase: CallPhase,
    /// When it started ringing here (incoming) or dialing (outgoing).
    pub started_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// Customers found for the number, best first (empty until looked up).
    pub customers: Vec<CustomerMatch>,
    pub lookup: LookupState,
    /// The number formatted for the agent (from the lookup, which reads it anyway).
    #[serde(default)]
    pub number_display: Option<String>,
    /// Where the PBX's recording of the call can be listened to (http or https only).
    pub recording_url: Option<ringside_text::WebUrl>,
}

impl Call {
    pub fn incoming(id: CallId, from: RemoteParty, queue: Option<String>, at: Timestamp) -> Self {
        Self {
            id,
            direction: Direction::Incoming,
            remote: from,
            queue,
            phase: CallPhase::Ringing,
            started_at: at,
            answered_at: None,
            ended_at: None,
            customers: Vec::new(),
            lookup: LookupState::NotStarted,
            number_display: None,
            recording_url: None,
        }
    }

    pub fn outgoing(id: CallId, to: RemoteParty, at: Timestamp) -> Self {
        Self {
            id,
            direction: Direction::Outgoing,
            remote: to,
            queue: None,
            phase: CallPhase::Dialing,
            started_at: at,
            answered_at: None,
            ended_at: None,
            customers: Vec::new(),
            lookup: LookupState::NotStarted,
            number_display: None,
            recording_url: None,
        }
    }

    pub fn is_ended(&self) -> bool {
        matches!(self.phase, CallPhase::Ended(_))
    }

    /// Marks the call answered; false when nothing changed (a duplicate answer from another leg).
    pub fn answer(&mut self, at: Timestamp) -> bool {
        match self.phase {
            CallPhase::Ringing | CallPhase::Dialing => {
                self.phase = CallPhase::Talking;
                self.answered_at = Some(at);
                true
            }
            _ => false,
        }
    }

    /// Ends the call; false when it had already ended (the first cause wins, see
    /// [`Self::learn_who_answered`] for the one thing a later `Ended` may add).
    pub fn end(&mut self, cause: EndCause, at: Timestamp) -> bool {
        if self.is_ended() {
            return false;
        }
        // A call that was talking and then "ends with no answer" on another leg still completed.
        let cause = match (&self.phase, cause) {
            (CallPhase::Talking, EndCause::NoAnswer | EndCause::Abandoned | EndCause::AnsweredElsewhere { .. }) => {
                EndCause::Completed
            }
            (_, c) => c,
        };
        self.phase = CallPhase::Ended(cause);
        self.ended_at = Some(at);
        true
    }

    /// A call that ended as answered elsewhere learns who answered it: the PBX names the
    /// colleague in events that may come after the end here (Asterisk's `AgentConnect` follows
    /// the `Hangup` of this agent's ringing leg). True when the card changes; any other later
    /// end cause is ignored (the first cause wins).
    pub fn learn_who_answered(&mut self, cause: &EndCause) -> bool {
        let (CallPhase::Ended(EndCause::AnsweredElsewhere { by }), EndCause::AnsweredElsewhere { by: Some(who) }) =
            (&mut self.phase, cause)
        else {
            return false;
        };
        if by.as_ref() == Some(who) {
            return false;
        }
        *by = Some(who.clone());
        true
    }

    /// Seconds talked so far (live calls) or in all (ended calls).
    pub fn talk_secs(&self, now: Timestamp) -> u64 {
        match self.answered_at {
            Some(answered) => self.ended_at.unwrap_or(now).secs_since(answered),
            None => 0,
        }
    }
}
