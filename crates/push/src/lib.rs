//! Call events pushed to Ringside over HTTP, for the relay to hand each agent their own.
//!
//! Two layers:
//!
//! - **Mapping** (pure, no IO, no clock: `now` comes in): a request body becomes [`Routed`]
//!   events, each a [`CallEvent`] for one agent named by extension.
//!   - [`generic`]: Ringside's own JSON schema (`ringing`, `answered`, `ended`, `agent_state`),
//!     one event or a batch (array);
//!   - [`zammad`]: Zammad's generic CTI (`newCall`, `answer`, `hangup`), JSON or form;
//!   - [`crmcom`]: CRM.COM's CTI event listener names (`dial-in`, `answer`, `hangup`), JSON or
//!     form (the fields are inferred, see the module);
//!   - [`zadarma`]: Zadarma's PBX webhooks (`NOTIFY_START`, `NOTIFY_INTERNAL`, `NOTIFY_ANSWER`,
//!     `NOTIFY_END`, `NOTIFY_OUT_START`, `NOTIFY_OUT_END`) and their `Signature`;
//!   - [`binotel`]: Binotel's API CALL SETTINGS webhooks (`receivedTheCall`, `answeredTheCall`,
//!     `hangupTheCall`, `apiCallCompleted`);
//!   - [`ringostat`]: Ringostat webhooks with the parameters docs/push.md names.
//! - **HTTP** ([`router`]): `POST /v1/events` (bearer token → tenant) and
//!   `/v1/webhooks/{zadarma,binotel,ringostat}` (each provider's own check), a body limit, a rate
//!   limit per token, and a bounded [`Sink`]: a full sink is answered `503` with `Retry-After`,
//!   never dropped, and a request's events are queued all or none.
//!
//! Every stranger's text (numbers, names, queues, ids) goes through
//! [`ringside_text::clean_text`]; call ids are namespaced per input (`push:`, `zammad:`,
//! `crmcom:`, `zadarma:`, `binotel:`, `ringostat:`) so two inputs never share a call.
//! docs/push.md has the schema, the providers' settings and the status codes.

pub mod binotel;
mod config;
pub mod crmcom;
mod error;
mod fields;
pub mod generic;
mod http;
mod limit;
pub mod ringostat;
mod text;
pub mod zadarma;
pub mod zammad;

pub use config::{Limits, PathTokenAccount, PushConfig, Secret, TokenConfig, ZadarmaAccount};
pub use error::PushError;
pub use fields::Fields;
pub use http::{router, Sink};

use ringside_core::{CallEvent, Timestamp};

/// One event for one agent: the relay publishes `event` to the agent `extension` of `tenant`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    /// Whose PBX or CRM this came from (the token's or the provider account's tenant).
    pub tenant: String,
    /// The agent it is for: their extension (or the agent id the PBX uses), cleaned text.
    /// Empty for a queue's team state (`CallEvent::TeamMember`), which is for that queue's
    /// supervisors, not one agent.
    pub extension: String,
    pub event: CallEvent,
}

/// What `POST /v1/events` accepts, told apart by the body (see [`parse_events`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsFormat {
    /// Ringside's schema: a JSON object with `type`, or an array of them.
    Generic,
    /// Zammad's generic CTI: `event` = `newCall` | `answer` | `hangup` with `callId`.
    Zammad,
    /// CRM.COM's event listener: `event` = `dial-in` | `dial-out` | `answer` | `hangup` with `call_id`.
    CrmCom,
}

/// The body of `POST /v1/events` → events for `tenant`. `form` says the body is
/// `application/x-www-form-urlencoded` (Zammad and CRM.COM only); otherwise it is read as JSON.
/// `now` stamps events that carry no time.
pub fn parse_events(body: &[u8], form: bool, tenant: &str, now: Timestamp) -> Result<Vec<Routed>, PushError> {
    let (format, fields) = if form {
        let fields = Fields::from_form(body);
        (event_format_of(&fields)?, Some(fields))
    } else {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| PushError::bad_body(format!("the body is not JSON: {e}")))?;
        match &value {
            serde_json::Value::Array(_) => return generic::parse_value(value, tenant, now),
            serde_json::Value::Object(map) if map.contains_key("type") => {
                return generic::parse_value(value, tenant, now)
            }
            serde_json::Value::Object(_) => {
                let fields = Fields::from_json(&value);
                (event_format_of(&fields)?, Some(fields))
            }
            _ => return Err(PushError::bad_body("the body must be a JSON object or an array of objects")),
        }
    };
    let fields = fields.unwrap_or_default();
    match format {
        EventsFormat::Zammad => zammad::map(&fields, tenant, now),
        EventsFormat::CrmCom => crmcom::map(&fields, tenant, now),
        EventsFormat::Generic => Err(PushError::bad_body("Ringside's schema is JSON, not a form")),
    }
}

/// Zammad or CRM.COM, by `event` (and `callId` vs `call_id` for the names both use).
fn event_format_of(fields: &Fields) -> Result<EventsFormat, PushError> {
    let Some(event) = fields.get("event") else {
        return Err(PushError::bad_body(
            "missing field `type` (Ringside's schema) or `event` (Zammad's generic CTI, CRM.COM)",
        ));
    };
    match event {
        "newCall" => Ok(EventsFormat::Zammad),
        "dial-in" | "dial-out" => Ok(EventsFormat::CrmCom),
        "answer" | "hangup" if fields.get("callId").is_some() => Ok(EventsFormat::Zammad),
        "answer" | "hangup" if fields.get("call_id").is_some() => Ok(EventsFormat::CrmCom),
        "answer" | "hangup" => Err(PushError::bad_body("missing field `callId` (Zammad) or `call_id` (CRM.COM)")),
        other => Err(PushError::bad_body(format!(
            "unknown event `{}`: expected newCall, answer, hangup (Zammad) or dial-in, dial-out, answer, hangup (CRM.COM)",
            text::clean_short(other)
        ))),
    }
}
