//! The one event stream every CTI source produces.

use serde::{Deserialize, Serialize};

use ringside_text::WebUrl;

use crate::team::MemberUpdate;
use crate::time::Timestamp;

/// The PBX's id for a whole call (Asterisk: `Linkedid`), shared by every leg of it.
/// Ten ringing legs of one queue call carry the same id, so they make one call and one card.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(transparent)]
pub struct CallId(pub String);

impl CallId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CallId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Incoming,
    Outgoing,
}

/// The other end of the call as the PBX reported it. Both fields come from strangers:
/// they are plain text, never markup and never part of a command.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RemoteParty {
    /// The number exactly as received (may be empty when withheld).
    pub number: String,
    /// Caller ID name, when the PBX had one.
    pub name: Option<String>,
}

/// Why a call ended, from this agent's point of view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum EndCause {
    /// Talked, then someone hung up.
    Completed,
    /// Rang here, nobody answered here or anywhere (a missed call).
    NoAnswer,
    /// Another agent picked it up (ring-all, queue): not a missed call. `by`: who answered, as
    /// the PBX named them (a queue member's name, else their extension), when it did; it may
    /// be filled in by a second `Ended` a moment after the first (see [`crate::Call::end`]).
    AnsweredElsewhere { by: Option<String> },
    /// The caller hung up before anyone answered.
    Abandoned,
    /// The far end was busy (outgoing).
    Busy,
    /// The call was handed on to someone else.
    Transferred,
    /// The call could not be placed; the text says why in the PBX's words.
    Failed(String),
    /// Ringside lost track of it (e.g. the PBX no longer knows the call after a restart).
    Interrupted,
}

impl EndCause {
    /// The one definition of a missed call's end: nobody answered here or anywhere, or the
    /// caller gave up waiting (a colleague taking it is not missed). The history's SQL
    /// (`missed_where!`) says the same of its outcomes; a test there holds them together.
    pub fn is_missed(&self) -> bool {
        matches!(self, EndCause::NoAnswer | EndCause::Abandoned)
    }
}

/// What happened, in words every CTI source can say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum CallEvent {
    /// The source is logged in and events flow.
    SourceConnected { source: String, at: Timestamp },
    /// The source lost its connection; calls it reported may be stale until it reconnects.
    /// `reason` crosses to the window as a code with the English words (see `ErrorReport`).
    SourceDisconnected { reason: crate::ErrorReport, at: Timestamp },
    /// A call rings this agent.
    IncomingRinging {
        call: CallId,
        from: RemoteParty,
        /// The queue it came through, if any.
        queue: Option<String>,
        at: Timestamp,
    },
    /// This agent is placing a call (from the phone or click-to-call).
    OutgoingDialing { call: CallId, to: RemoteParty, at: Timestamp },
    /// The other party changed (an attended transfer hands the agent a new caller).
    PartyChanged { call: CallId, remote: RemoteParty, at: Timestamp },
    /// The agent is now talking on this call.
    Answered { call: CallId, at: Timestamp },
    /// The call is over for this agent.
    Ended { call: CallId, cause: EndCause, at: Timestamp },
    /// The PBX records the call; the recording can be listened to at `url` (http or https:
    /// the source turns the PBX's file name into an address).
    Recording { call: CallId, url: WebUrl, at: Timestamp },
    /// The PBX says the agent's queue availability changed (paused with a reason, or not).
    /// `since`: when the pause began by the PBX's clock, when it says (Asterisk's `LastPause`).
    AgentPaused { paused: bool, reason: Option<String>, queue: Option<String>, since: Option<Timestamp>, at: Timestamp },
    /// The source has told everything that exists now after a (re)connect: the calls and the
    /// pauses the PBX has. What the session showed and was not re-told is stale.
    Resynced { at: Timestamp },
    /// A queue member's state changed (any member: this feeds the supervisor view).
    TeamMember { update: MemberUpdate, at: Timestamp },
}

impl CallEvent {
    pub fn at(&self) -> Timestamp {
        match self {
            CallEvent::SourceConnected { at, .. }
            | CallEvent::SourceDisconnected { at, .. }
            | CallEvent::IncomingRinging { at, .. }
            | CallEvent::OutgoingDialing { at, .. }
            | CallEvent::Answered { at, .. }
            | CallEvent::PartyChanged { at, .. }
            | CallEvent::Ended { at, .. }
            | CallEvent::Recording { at, .. }
            | CallEvent::AgentPaused { at, .. }
            | CallEvent::Resynced { at }
            | CallEvent::TeamMember { at, .. } => *at,
        }
    }

    pub fn call(&self) -> Option<&CallId> {
        match self {
            CallEvent::IncomingRinging { call, .. }
            | CallEvent::OutgoingDialing { call, .. }
            | CallEvent::Answered { call, .. }
            | CallEvent::PartyChanged { call, .. }
            | CallEvent::Ended { call, .. } => Some(call),
            _ => None,
        }
    }
}
