//! Ringside's own push schema for `POST /v1/events`: one JSON object, or an array of them
//! accepted or refused whole.
//!
//! ```json
//! {"type": "ringing", "call_id": "c-1", "extension": "101", "from_number": "+380441234567",
//!  "from_name": "Acme", "queue": "support"}
//! {"type": "ringing", "call_id": "c-2", "extension": "101", "direction": "out", "to_number": "+380501112233"}
//! {"type": "answered", "call_id": "c-1", "extension": "101"}
//! {"type": "ended", "call_id": "c-1", "extension": "101", "cause": "completed"}
//! {"type": "agent_state", "extension": "101", "paused": true, "reason": "lunch"}
//! ```
//!
//! `at` (optional on every event) is milliseconds since the Unix epoch; without it the time the
//! request arrived is used. Unknown fields are **refused** with the field named (a typo such as
//! `extention` would otherwise route an event nowhere without a word). Call ids become
//! `push:<call_id>`.

use ringside_core::{CallEvent, EndCause, Timestamp};
use serde::Deserialize;
use serde_json::Value;

use crate::text::{self, NAME_MAX, QUEUE_MAX, REASON_MAX};
use crate::{PushError, Routed};

/// The prefix of this input's call ids.
pub const PREFIX: &str = "push";

/// Which way a `ringing` call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushDirection {
    /// A caller rings the agent (`from_number` is the caller).
    #[default]
    In,
    /// The agent dials `to_number`.
    Out,
}

/// Why a call ended, as the schema spells it (mapped onto [`EndCause`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushCause {
    /// Talked, then hung up.
    Completed,
    /// Nobody answered (a missed call). `missed` is the same.
    #[serde(alias = "missed")]
    NoAnswer,
    /// A colleague answered (`answered_by` may name them): not a missed call.
    AnsweredElsewhere,
    /// The caller hung up before anyone answered.
    Abandoned,
    /// The far end was busy (outgoing).
    Busy,
    /// Handed on to someone else.
    Transferred,
    /// Could not be placed (`reason` says why).
    Failed,
    /// The PBX lost track of it.
    Interrupted,
}

/// One event of the schema, by its `type`.
#[derive(Debug, Clone, PartialEq)]
pub enum PushEvent {
    Ringing(Ringing),
    Answered(Answered),
    Ended(Ended),
    AgentState(AgentState),
}

/// `ringing`: a call rings the agent `extension` (`direction: "in"`, the default), or the agent
/// dials `to_number` (`direction: "out"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ringing {
    pub call_id: String,
    pub extension: String,
    #[serde(default)]
    pub direction: PushDirection,
    /// The caller (required when `direction` is `in`; `""` when withheld).
    #[serde(default)]
    pub from_number: Option<String>,
    #[serde(default)]
    pub from_name: Option<String>,
    /// The number dialed (required when `direction` is `out`).
    #[serde(default)]
    pub to_number: Option<String>,
    #[serde(default)]
    pub to_name: Option<String>,
    #[serde(default)]
    pub queue: Option<String>,
    #[serde(default)]
    pub at: Option<u64>,
}

/// `answered`: the agent `extension` is talking on the call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answered {
    pub call_id: String,
    pub extension: String,
    #[serde(default)]
    pub at: Option<u64>,
}

/// `ended`: the call is over for the agent `extension`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ended {
    pub call_id: String,
    pub extension: String,
    pub cause: PushCause,
    /// With `answered_elsewhere`: who answered.
    #[serde(default)]
    pub answered_by: Option<String>,
    /// With `failed`: why, in the PBX's words.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub at: Option<u64>,
}

/// `agent_state`: the agent's queue availability changed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentState {
    pub extension: String,
    pub paused: bool,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub queue: Option<String>,
    #[serde(default)]
    pub at: Option<u64>,
}

/// A JSON value (one event or an array of them) → events; the first bad event refuses all,
/// its place and field named (`[2].at: invalid type: …`, `missing field `call_id``).
pub fn parse_value(value: Value, tenant: &str, now: Timestamp) -> Result<Vec<Routed>, PushError> {
    let (items, batch) = match value {
        Value::Array(items) => (items, true),
        one => (vec![one], false),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let place = if batch { format!("[{i}]") } else { String::new() };
            parse_one(item, &place).and_then(|event| map(event, tenant, now)).map_err(|e| match e {
                PushError::BadBody(m) if batch && !m.starts_with('[') => PushError::BadBody(format!("{place}: {m}")),
                other => other,
            })
        })
        .collect()
}

/// One object → its event, by `type`; errors name the field (`{place}.field: …`).
pub fn parse_one(value: Value, place: &str) -> Result<PushEvent, PushError> {
    let Value::Object(mut map) = value else {
        return Err(PushError::bad_body("an event must be a JSON object"));
    };
    let kind = match map.remove("type") {
        Some(Value::String(kind)) => kind,
        Some(_) => return Err(PushError::bad_body("field `type` must be a string")),
        None => return Err(PushError::bad_body("missing field `type`")),
    };
    let rest = Value::Object(map);
    fn fields<T: serde::de::DeserializeOwned>(rest: Value, place: &str) -> Result<T, PushError> {
        serde_path_to_error::deserialize(rest).map_err(|e| {
            let path = e.path().to_string();
            let at = match (place.is_empty(), path == "." || path.is_empty()) {
                (true, true) => String::new(),
                (true, false) => format!("{path}: "),
                (false, true) => format!("{place}: "),
                (false, false) => format!("{place}.{path}: "),
            };
            PushError::bad_body(format!("{at}{}", e.inner()))
        })
    }
    Ok(match kind.as_str() {
        "ringing" => PushEvent::Ringing(fields(rest, place)?),
        "answered" => PushEvent::Answered(fields(rest, place)?),
        "ended" => PushEvent::Ended(fields(rest, place)?),
        "agent_state" => PushEvent::AgentState(fields(rest, place)?),
        other => {
            return Err(PushError::bad_body(format!(
                "unknown type `{}`: expected ringing, answered, ended or agent_state",
                text::clean_short(other)
            )))
        }
    })
}

/// One schema event → the agent's [`CallEvent`].
pub fn map(event: PushEvent, tenant: &str, now: Timestamp) -> Result<Routed, PushError> {
    let at = |at: Option<u64>| at.map(Timestamp::from_millis).unwrap_or(now);
    let routed = |extension: String, event: CallEvent| Routed { tenant: tenant.to_string(), extension, event };
    Ok(match event {
        PushEvent::Ringing(Ringing {
            call_id,
            extension,
            direction,
            from_number,
            from_name,
            to_number,
            to_name,
            queue,
            at: when,
        }) => {
            let call = text::call_id(PREFIX, &call_id, "call_id")?;
            let extension = text::extension(&extension, "extension")?;
            let at = at(when);
            let event = match direction {
                PushDirection::In => {
                    let number = from_number
                        .ok_or_else(|| PushError::bad_body("missing field `from_number` (direction `in`)"))?;
                    CallEvent::IncomingRinging {
                        call,
                        from: text::party(Some(&number), from_name.as_deref()),
                        queue: text::optional(queue.as_deref(), QUEUE_MAX),
                        at,
                    }
                }
                PushDirection::Out => {
                    let number =
                        to_number.ok_or_else(|| PushError::bad_body("missing field `to_number` (direction `out`)"))?;
                    CallEvent::OutgoingDialing { call, to: text::party(Some(&number), to_name.as_deref()), at }
                }
            };
            routed(extension, event)
        }
        PushEvent::Answered(Answered { call_id, extension, at: when }) => {
            let call = text::call_id(PREFIX, &call_id, "call_id")?;
            routed(text::extension(&extension, "extension")?, CallEvent::Answered { call, at: at(when) })
        }
        PushEvent::Ended(Ended { call_id, extension, cause, answered_by, reason, at: when }) => {
            let call = text::call_id(PREFIX, &call_id, "call_id")?;
            let cause = match cause {
                PushCause::Completed => EndCause::Completed,
                PushCause::NoAnswer => EndCause::NoAnswer,
                PushCause::AnsweredElsewhere => {
                    EndCause::AnsweredElsewhere { by: text::optional(answered_by.as_deref(), NAME_MAX) }
                }
                PushCause::Abandoned => EndCause::Abandoned,
                PushCause::Busy => EndCause::Busy,
                PushCause::Transferred => EndCause::Transferred,
                PushCause::Failed => {
                    EndCause::Failed(text::optional(reason.as_deref(), REASON_MAX).unwrap_or_else(|| "failed".into()))
                }
                PushCause::Interrupted => EndCause::Interrupted,
            };
            routed(text::extension(&extension, "extension")?, CallEvent::Ended { call, cause, at: at(when) })
        }
        PushEvent::AgentState(AgentState { extension, paused, reason, queue, at: when }) => routed(
            text::extension(&extension, "extension")?,
            CallEvent::AgentPaused {
                paused,
                reason: text::optional(reason.as_deref(), REASON_MAX),
                queue: text::optional(queue.as_deref(), QUEUE_MAX),
                since: None,
                at: at(when),
            },
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringside_core::{CallId, RemoteParty};
    use serde_json::json;

    const NOW: Timestamp = Timestamp(1_700_000_000_000);

    fn one(v: Value) -> Result<Routed, PushError> {
        parse_value(v, "acme", NOW).map(|mut r| r.remove(0))
    }

    #[test]
    fn ringing_in_is_an_incoming_call_for_the_extension() {
        let r = one(json!({"type": "ringing", "call_id": "c1", "extension": "101",
            "from_number": "+380441234567", "from_name": "Acme", "queue": "support", "at": 5}))
        .unwrap();
        assert_eq!(r.tenant, "acme");
        assert_eq!(r.extension, "101");
        assert_eq!(
            r.event,
            CallEvent::IncomingRinging {
                call: CallId::new("push:c1"),
                from: RemoteParty { number: "+380441234567".into(), name: Some("Acme".into()) },
                queue: Some("support".into()),
                at: Timestamp(5),
            }
        );
    }

    #[test]
    fn ringing_out_is_the_agent_dialing() {
        let r = one(json!({"type": "ringing", "call_id": "c2", "extension": "101", "direction": "out",
            "to_number": "0501112233"}))
        .unwrap();
        assert_eq!(
            r.event,
            CallEvent::OutgoingDialing {
                call: CallId::new("push:c2"),
                to: RemoteParty { number: "0501112233".into(), name: None },
                at: NOW
            }
        );
        let e = one(json!({"type": "ringing", "call_id": "c2", "extension": "101", "direction": "out"})).unwrap_err();
        assert!(e.to_string().contains("to_number"), "{e}");
    }

    #[test]
    fn answered_and_every_end_cause() {
        let r = one(json!({"type": "answered", "call_id": "c1", "extension": "101"})).unwrap();
        assert_eq!(r.event, CallEvent::Answered { call: CallId::new("push:c1"), at: NOW });
        for (cause, want) in [
            (json!({"cause": "completed"}), EndCause::Completed),
            (json!({"cause": "missed"}), EndCause::NoAnswer),
            (json!({"cause": "no_answer"}), EndCause::NoAnswer),
            (
                json!({"cause": "answered_elsewhere", "answered_by": "Olha"}),
                EndCause::AnsweredElsewhere { by: Some("Olha".into()) },
            ),
            (json!({"cause": "abandoned"}), EndCause::Abandoned),
            (json!({"cause": "busy"}), EndCause::Busy),
            (json!({"cause": "transferred"}), EndCause::Transferred),
            (json!({"cause": "failed", "reason": "no route"}), EndCause::Failed("no route".into())),
            (json!({"cause": "interrupted"}), EndCause::Interrupted),
        ] {
            let mut v = json!({"type": "ended", "call_id": "c1", "extension": "101"});
            for (k, x) in cause.as_object().unwrap() {
                v[k] = x.clone();
            }
            let r = one(v).unwrap();
            assert_eq!(r.event, CallEvent::Ended { call: CallId::new("push:c1"), cause: want, at: NOW });
        }
    }

    #[test]
    fn agent_state_is_a_pause() {
        let r = one(json!({"type": "agent_state", "extension": "101", "paused": true, "reason": "lunch"})).unwrap();
        assert_eq!(
            r.event,
            CallEvent::AgentPaused { paused: true, reason: Some("lunch".into()), queue: None, since: None, at: NOW }
        );
    }

    #[test]
    fn a_missing_or_unknown_field_is_named() {
        let e = one(json!({"type": "answered", "extension": "101"})).unwrap_err();
        assert!(e.to_string().contains("missing field `call_id`"), "{e}");
        let e = one(json!({"type": "answered", "call_id": "c", "extention": "101"})).unwrap_err();
        assert!(e.to_string().contains("extention"), "{e}");
        let e =
            parse_value(json!([{"type": "answered", "call_id": "c", "extension": "1"}, {"type": "nope"}]), "t", NOW)
                .unwrap_err();
        assert!(e.to_string().starts_with("[1]"), "{e}");
        assert!(e.to_string().contains("nope"), "{e}");
        let e = parse_value(json!([{"type": "answered", "call_id": "c", "extension": "1", "at": "x"}]), "t", NOW)
            .unwrap_err();
        assert!(e.to_string().starts_with("[0].at: invalid type"), "{e}");
        let e = one(json!({"type": "agent_state", "extension": "1", "paused": "yes"})).unwrap_err();
        assert!(e.to_string().starts_with("paused: invalid type"), "{e}");
        let e = one(json!({"call_id": "c"})).unwrap_err();
        assert!(e.to_string().contains("missing field `type`"), "{e}");
    }

    #[test]
    fn hostile_text_stays_one_line_of_text() {
        let r = one(json!({"type": "ringing", "call_id": "c\u{0}1", "extension": "10\u{202e}1",
            "from_number": "+380\n44", "from_name": "<img src=x onerror=alert(1)>\u{202e}"}))
        .unwrap();
        assert_eq!(r.extension, "101");
        let CallEvent::IncomingRinging { call, from, .. } = r.event else { panic!() };
        assert_eq!(call, CallId::new("push:c1"));
        assert_eq!(from.number, "+380 44");
        assert_eq!(from.name.as_deref(), Some("<img src=x onerror=alert(1)>"));
        let e = one(json!({"type": "answered", "call_id": "c", "extension": "\u{202e}"})).unwrap_err();
        assert!(e.to_string().contains("`extension` is empty"), "{e}");
    }
}
