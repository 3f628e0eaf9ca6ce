//! What the history stores and hands out.

use ringside_core::agent_state::WrapUpResult;
use ringside_core::{CallId, Direction, EndCause, Timestamp};
use serde::{Deserialize, Serialize};

/// What the card does not know about a call: who handled it and over which connection.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CallContext {
    /// The agent's extension (the PBX interface's number, "100").
    pub agent_extension: String,
    pub agent_name: Option<String>,
    /// The telephony connection's name from the config (`[[dial.connection]]`): the one that
    /// placed an outgoing call, else the PBX's.
    pub connection: Option<String>,
    /// The number as that connection dialed it (after its dialing rule: prefix, format).
    pub dialed_number: Option<String>,
}

/// How a call went, from this agent's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Talked (`EndCause::Completed`).
    Answered,
    /// Rang here, nobody answered (`NoAnswer`; for an outgoing call: the customer did not answer).
    Missed,
    /// Another agent took it (ring-all, queue): not a missed call.
    AnsweredElsewhere,
    /// The caller hung up before anyone answered.
    Abandoned,
    /// Could not be placed; [`CallRecord::failure`] says why.
    Failed,
    /// The far end was busy (outgoing).
    Busy,
    Transferred,
    /// Ringside lost track of it (crash, restart: the PBX no longer knew the call).
    Interrupted,
    /// Not ended yet.
    InProgress,
}

impl Outcome {
    pub(crate) fn from_end(cause: &EndCause) -> (Outcome, Option<String>) {
        match cause {
            EndCause::Completed => (Outcome::Answered, None),
            EndCause::NoAnswer => (Outcome::Missed, None),
            EndCause::AnsweredElsewhere { .. } => (Outcome::AnsweredElsewhere, None),
            EndCause::Abandoned => (Outcome::Abandoned, None),
            EndCause::Busy => (Outcome::Busy, None),
            EndCause::Transferred => (Outcome::Transferred, None),
            EndCause::Failed(why) => (Outcome::Failed, Some(why.clone())),
            EndCause::Interrupted => (Outcome::Interrupted, None),
        }
    }

    /// How much an outcome says; a stored outcome is only ever replaced by one that says
    /// more (never "answered" → "missed", never "ended" → "in progress"). An interrupted
    /// call gives way to the PBX's own account of it.
    pub(crate) fn rank(self) -> u8 {
        match self {
            Outcome::InProgress => 0,
            Outcome::Interrupted => 1,
            Outcome::Missed | Outcome::Abandoned | Outcome::Failed | Outcome::Busy => 2,
            Outcome::AnsweredElsewhere => 3,
            Outcome::Answered | Outcome::Transferred => 4,
        }
    }

    pub fn is_ended(self) -> bool {
        self != Outcome::InProgress
    }

    /// Its name in the file, in JSON, in the CSV export and in CRM call logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Missed => "missed",
            Outcome::AnsweredElsewhere => "answered_elsewhere",
            Outcome::Abandoned => "abandoned",
            Outcome::Failed => "failed",
            Outcome::Busy => "busy",
            Outcome::Transferred => "transferred",
            Outcome::Interrupted => "interrupted",
            Outcome::InProgress => "in_progress",
        }
    }

    pub(crate) fn from_sql(s: &str) -> Option<Outcome> {
        Some(match s {
            "answered" => Outcome::Answered,
            "missed" => Outcome::Missed,
            "answered_elsewhere" => Outcome::AnsweredElsewhere,
            "abandoned" => Outcome::Abandoned,
            "failed" => Outcome::Failed,
            "busy" => Outcome::Busy,
            "transferred" => Outcome::Transferred,
            "interrupted" => Outcome::Interrupted,
            "in_progress" => Outcome::InProgress,
            _ => return None,
        })
    }
}

/// The customer a call was about: the agent's pick, else the only match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StoredCustomer {
    /// `directory` or a CRM's name.
    pub source: String,
    pub id: String,
    pub name: String,
    pub company: Option<String>,
    /// The customer's page (http or https only).
    pub url: Option<String>,
    /// The open deal the call is logged to, when the CRM logs calls to deals.
    #[serde(default)]
    pub deal: Option<StoredDeal>,
}

/// A CRM deal a call is logged to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StoredDeal {
    /// The CRM's id of the deal.
    pub id: String,
    /// Its title when the call was logged.
    pub title: Option<String>,
}

/// Where the call's CRM write-back stands for one CRM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum WriteBackStatus {
    /// Waiting for its first (or next, after a re-enqueue) attempt.
    Pending,
    Sent {
        /// The CRM's id for the record, when it gave one.
        remote_id: Option<String>,
        at: Timestamp,
    },
    Failed {
        reason: String,
        attempts: u32,
        /// The next try; `None` after a permanent failure (retried only when enqueued again).
        next_at: Option<Timestamp>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct WriteBackState {
    /// The CRM's name.
    pub target: String,
    pub idempotency_key: String,
    pub state: WriteBackStatus,
}

/// One call as the history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct CallRecord {
    pub call_id: CallId,
    pub direction: Direction,
    pub outcome: Outcome,
    /// Why a failed call failed, in the PBX's words.
    pub failure: Option<String>,
    pub ring_at: Timestamp,
    pub answer_at: Option<Timestamp>,
    pub end_at: Option<Timestamp>,
    /// Final once ended; for an interrupted call, the last talk time Ringside saw.
    pub talk_secs: u64,
    pub agent_extension: String,
    pub agent_name: Option<String>,
    pub connection: Option<String>,
    pub dialed_number: Option<String>,
    /// The remote number exactly as the PBX sent it (a stranger's text).
    pub number_raw: String,
    /// The formatting-blind key of the number: the card's `number_normalized` (the runtime
    /// puts E.164 there when the number parses, else digits only).
    pub number_normalized: Option<String>,
    pub caller_name: Option<String>,
    pub queue: Option<String>,
    pub customer: Option<StoredCustomer>,
    /// The newest text, an unsaved one included; `None` when empty.
    pub note: Option<String>,
    /// When the note reached the file last.
    pub note_saved_at: Option<Timestamp>,
    /// The note (or anything else about this call) waits in memory: the file could not be written.
    pub unsaved: bool,
    pub wrap_up: Option<WrapUpResult>,
    pub recording_url: Option<String>,
    /// One per CRM the call was queued for.
    pub write_back: Vec<WriteBackState>,
    /// The `as_of` of the newest card recorded.
    pub updated_at: Timestamp,
}

/// A write-back job handed to the CRM sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxItem {
    pub id: i64,
    pub call_id: CallId,
    /// The CRM's name.
    pub target: String,
    /// The same for every attempt of this (call, target); send it so a retry never creates
    /// a second record.
    pub idempotency_key: String,
    /// Failed attempts so far (since the last enqueue after a sent or permanent failure).
    pub attempts: u32,
    /// The CRM's id from an earlier partial success ([`crate::History::set_remote_id`]), e.g.
    /// Bitrix24's `CALL_ID` after registering the call but before finishing it.
    pub remote_id: Option<String>,
    /// Bumped by every enqueue. `mark_sent` with an older revision leaves the item pending:
    /// the note changed while this attempt was on its way.
    pub revision: i64,
    /// The newest revision the CRM took ([`crate::History::mark_sent`]); `None`: it has taken
    /// none yet. When set, this attempt changes a record the CRM has (an edited note): send it
    /// as an update, never as a second record.
    pub written_revision: Option<i64>,
    /// A first write whose answer never came ([`crate::History::mark_in_doubt`]): the CRM may
    /// hold that body under the idempotency key. Until the CRM takes the call, send this body
    /// (as revision [`InDoubt::revision`]) rather than the call as it is now, so the key never
    /// goes out with another body; the newer state follows as a change.
    pub in_doubt: Option<InDoubt>,
    /// The call as it is now (note included).
    pub record: CallRecord,
}

/// A first write whose outcome is unknown: what was sent, as the connector's caller serialized it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InDoubt {
    /// The item's revision when it was sent.
    pub revision: i64,
    /// The body as sent (for the runtime: the call log as JSON).
    pub body: String,
}

/// Which calls [`crate::History::search`] and [`crate::History::export_csv`] return. Every
/// field narrows the result; the default is every call. In JSON, missing fields take their
/// default (the UI sends only what the agent set).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(default)]
pub struct HistoryQuery {
    /// Words the call must contain somewhere: number (any formatting), caller name, customer
    /// name or company, queue, note. Every word must match; case and accents do not matter.
    /// At most 200 characters; empty or blank: no text filter.
    pub text: Option<String>,
    /// Only calls nobody answered here that the caller wanted: incoming, outcome missed or
    /// abandoned.
    pub missed_only: bool,
    pub direction: Option<Direction>,
    pub outcome: Option<Outcome>,
    /// Rang at or after this.
    pub since: Option<Timestamp>,
    /// Rang before this.
    pub until: Option<Timestamp>,
    /// The agent who handled the call: their extension exactly (`"100"`), or their name in any
    /// case (`"olena kovalenko"` finds *Olena Kovalenko*). Blank: no agent filter.
    pub agent: Option<String>,
    /// The connection that placed the call, exactly as the config names it (`"office"`; calls
    /// the PBX reported on their own carry the PBX connection's name). Blank: no filter.
    pub connection: Option<String>,
    /// The call id exactly; one of [`crate::MIN_CALL_ID_PREFIX`] (4) characters or more also
    /// finds every call whose id starts with it (`"1732"`, a UUID's first block). Blank: no
    /// filter.
    pub call_id: Option<String>,
    /// 0 = no limit (export); otherwise at most this many, newest first.
    pub limit: usize,
}

/// An agent the history has calls of: a choice for the agent filter
/// ([`crate::History::agents`]). Send `extension` as [`HistoryQuery::agent`] to find their calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSeen {
    pub extension: String,
    /// The name on the newest of the extension's calls that had one.
    pub name: Option<String>,
    /// When the extension's newest call rang.
    pub last_at: Timestamp,
}

/// A connection the history has calls on: a choice for the connection filter
/// ([`crate::History::connections`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionSeen {
    /// The connection's name in the config (`[[dial.connection]]`).
    pub name: String,
    /// When the newest call on it rang.
    pub last_at: Timestamp,
}

/// A number on the call-back list: missed calls from it that nobody has dealt with yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Callback {
    /// The number as last seen raw (a stranger's text)…
    pub number_raw: String,
    /// …and its digits: the key ([`crate::History::mark_called_back`] takes it).
    pub number_normalized: String,
    /// The newest caller name the PBX gave for these calls.
    pub caller_name: Option<String>,
    /// The newest stored customer among these calls.
    pub customer: Option<StoredCustomer>,
    /// How many missed calls from this number are waiting (since `since`).
    pub missed: u32,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
    pub last_call: CallId,
    /// The queue of the newest missed call.
    pub queue: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The history's SQL calls an incoming call missed when its outcome is `missed` or
    /// `abandoned` (`missed_where!`); that must be exactly the core's `EndCause::is_missed`.
    #[test]
    fn the_sql_and_the_core_agree_on_what_is_missed() {
        let causes = [
            EndCause::Completed,
            EndCause::NoAnswer,
            EndCause::AnsweredElsewhere { by: None },
            EndCause::Abandoned,
            EndCause::Busy,
            EndCause::Transferred,
            EndCause::Failed("x".into()),
            EndCause::Interrupted,
        ];
        let sql = crate::store::missed_where!("");
        for cause in causes {
            let (outcome, _) = Outcome::from_end(&cause);
            let in_sql = sql.contains(&format!("'{}'", outcome.as_str()));
            assert_eq!(in_sql, cause.is_missed(), "{cause:?} → {outcome:?}");
        }
    }
}
