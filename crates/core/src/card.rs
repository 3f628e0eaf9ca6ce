//! What the UI shows for one call.

use serde::{Deserialize, Serialize};

use crate::call::{Call, CallPhase};
use crate::event::{CallId, Direction, EndCause};
use crate::number;
use crate::time::Timestamp;

/// A customer found for the number. Filled by the lookup crate; empty until then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CustomerMatch {
    /// Unique within `source`.
    pub id: String,
    /// Where it was found: `directory` or a CRM's name from the config.
    pub source: String,
    pub name: String,
    pub company: Option<String>,
    /// Why it matched, in English words ("same E.164", "last 9 digits"), for logs and JSON.
    pub reason: String,
    /// Why it matched, for the windows to word in the agent's language; `None` from a source
    /// that does not say (and in history rows written before it existed).
    #[serde(default)]
    pub why: Option<MatchWhy>,
    /// The customer's page in the CRM (http or https only).
    pub url: Option<String>,
    /// Open orders or deals, most recently updated first.
    pub orders: Vec<OrderSummary>,
    /// The agent picked this customer for this number, on this call or an earlier one.
    pub chosen: bool,
    /// What kind of CRM record this is, when the CRM has several (Bitrix24: a lead is shown
    /// as one, so the agent knows it is not a customer yet).
    #[serde(default)]
    pub kind: Option<RecordKind>,
    /// The CRM user responsible for the customer (Bitrix24's "responsible", a directory's
    /// owner): whom the agent hands the caller to.
    #[serde(default)]
    pub owner: Option<String>,
    /// The id of the open deal in `orders` the call is logged to: the CRM's own choice first
    /// (Bitrix24: the oldest open deal), then the agent's, until wrap-up ends. `None`: the call
    /// goes to the customer alone.
    #[serde(default)]
    pub deal: Option<String>,
}

/// The kind of a CRM record a customer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Contact,
    Company,
    Lead,
}

impl CustomerMatch {
    pub fn is(&self, source: &str, id: &str) -> bool {
        self.source == source && self.id == id
    }
}

/// Why a customer matched the number, and whether the agent picked them for it before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MatchWhy {
    pub how: MatchHow,
    /// The agent picked this customer for this number on an earlier call.
    pub chosen_before: bool,
}

impl MatchWhy {
    pub fn new(how: MatchHow) -> Self {
        Self { how, chosen_before: false }
    }
}

/// How a customer matched the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MatchHow {
    /// One of the customer's phones has the same E.164 form.
    SameE164,
    /// One of the customer's phones ends with the same last `digits` digits.
    LastDigits { digits: u32 },
    /// The CRM `crm` (as it is known: "Bitrix24", a host) has the number.
    SameNumberIn { crm: String },
    /// The agent created this customer from the card.
    Created,
}

/// An order or deal as the card lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OrderSummary {
    /// The CRM's id of the order or deal, when calls can be logged to it.
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    pub status: Option<String>,
    /// Amount with its currency, as text ("1 250.00 UAH"): as a CRM wrote it, or `money` in
    /// English.
    pub amount: Option<String>,
    /// The amount as a number, when the source has one (the directory), for the windows to
    /// write in the agent's locale.
    #[serde(default)]
    pub money: Option<Money>,
}

/// An amount of money in minor units (cents, kopiykas, grosze) and its ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Money {
    pub minor: i64,
    pub currency: Option<String>,
}

/// What a finished lookup found. Some sources may have failed while others answered: the
/// card then lists what was found and says what failed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LookupOutcome {
    /// Best first; a remembered pick first of all.
    pub customers: Vec<CustomerMatch>,
    /// Why one or more sources failed, in words.
    pub failed: Option<String>,
    /// The number as the agent reads it (national for their region, else international), when
    /// the number could be read.
    pub number_display: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "state", content = "detail")]
pub enum LookupState {
    /// No directory has been asked yet.
    NotStarted,
    Pending,
    Done,
    /// A source failed or timed out; the card still shows the number and whatever other
    /// sources found, and offers a retry.
    Failed(String),
    /// An internal extension: a colleague, never looked up as a customer.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    Ringing,
    Dialing,
    OnCall,
    Ended,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CallCard {
    pub call_id: CallId,
    pub direction: Direction,
    /// The number exactly as the PBX sent it (text from a stranger).
    pub number: String,
    /// Formatting-blind form of `number`, `None` when it has no digits.
    pub number_normalized: Option<String>,
    /// `number` formatted for the agent's region (`044 123 4567`, `+48 22 123 45 67`) once the
    /// lookup has read it; `None` until then and for what is not a phone number.
    #[serde(default)]
    pub number_display: Option<String>,
    pub caller_name: Option<String>,
    pub queue: Option<String>,
    pub customers: Vec<CustomerMatch>,
    pub lookup: LookupState,
    pub status: CardStatus,
    /// Set once the call has ended.
    pub outcome: Option<EndCause>,
    pub ring_at: Timestamp,
    pub answer_at: Option<Timestamp>,
    pub end_at: Option<Timestamp>,
    /// Talk time in seconds at `as_of` (final once ended).
    pub talk_secs: u64,
    pub as_of: Timestamp,
    /// The PBX's recording of the call (http or https), once the source names one.
    #[serde(default)]
    #[ts(as = "Option<String>")]
    pub recording_url: Option<ringside_text::WebUrl>,
}

impl CallCard {
    /// A caller who rang here and was not served: on the call-back list.
    pub fn is_missed_here(&self) -> bool {
        self.direction == crate::Direction::Incoming && self.outcome.as_ref().is_some_and(crate::EndCause::is_missed)
    }

    pub fn from_call(call: &Call, internal_max_len: usize, now: Timestamp) -> Self {
        let status = match call.phase {
            CallPhase::Ringing => CardStatus::Ringing,
            CallPhase::Dialing => CardStatus::Dialing,
            CallPhase::Talking => CardStatus::OnCall,
            CallPhase::Ended(_) => CardStatus::Ended,
        };
        let outcome = match &call.phase {
            CallPhase::Ended(cause) => Some(cause.clone()),
            _ => None,
        };
        let lookup = if number::is_internal_extension(&call.remote.number, internal_max_len) {
            LookupState::Internal
        } else {
            call.lookup.clone()
        };
        Self {
            call_id: call.id.clone(),
            direction: call.direction,
            number: call.remote.number.clone(),
            number_normalized: number::normalize_digits(&call.remote.number),
            number_display: call.number_display.clone(),
            caller_name: call.remote.name.clone(),
            queue: call.queue.clone(),
            customers: call.customers.clone(),
            lookup,
            status,
            outcome,
            ring_at: call.started_at,
            answer_at: call.answered_at,
            end_at: call.ended_at,
            talk_secs: call.talk_secs(now),
            as_of: now,
            recording_url: call.recording_url.clone(),
        }
    }
}
