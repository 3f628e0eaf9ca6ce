//! CRM.COM's CTI event listener names: `dial-in`, `answer`, `hangup` (and `dial-out`).
//!
//! CRM.COM's published description of these events was not available when this was written, so
//! the fields below are **inferred** from the event names and the other CTI schemas, and
//! documented as Ringside's expectation (docs/push.md): `event`, `call_id`, `extension` (the
//! agent), `from` / `caller_name` (the caller, `dial-in`), `to` / `callee_name` (the number
//! dialed, `dial-out`), `queue`, and `cause` on `hangup` (`completed`, `no_answer`/`missed`,
//! `answered_elsewhere`, `abandoned`, `busy`, `transferred`, `failed`, as Ringside's schema; none
//! → completed). JSON or form. Call ids become `crmcom:<call_id>`; the arrival time is used.

use ringside_core::{CallEvent, EndCause, Timestamp};

use crate::text::{self, NAME_MAX, QUEUE_MAX, REASON_MAX};
use crate::{Fields, PushError, Routed};

pub const PREFIX: &str = "crmcom";

pub fn map(f: &Fields, tenant: &str, now: Timestamp) -> Result<Vec<Routed>, PushError> {
    let event = f.require("event")?;
    let call = text::call_id(PREFIX, f.require("call_id")?, "call_id")?;
    let extension = text::extension(f.require("extension")?, "extension")?;
    let event = match event {
        "dial-in" => CallEvent::IncomingRinging {
            call,
            from: text::party(f.get("from"), f.get("caller_name")),
            queue: text::optional(f.get("queue"), QUEUE_MAX),
            at: now,
        },
        "dial-out" => {
            CallEvent::OutgoingDialing { call, to: text::party(Some(f.require("to")?), f.get("callee_name")), at: now }
        }
        "answer" => CallEvent::Answered { call, at: now },
        "hangup" => {
            let cause = match f.non_empty("cause") {
                None | Some("completed") => EndCause::Completed,
                Some("no_answer" | "missed") => EndCause::NoAnswer,
                Some("answered_elsewhere") => {
                    EndCause::AnsweredElsewhere { by: text::optional(f.get("answered_by"), NAME_MAX) }
                }
                Some("abandoned") => EndCause::Abandoned,
                Some("busy") => EndCause::Busy,
                Some("transferred") => EndCause::Transferred,
                Some(other) => {
                    EndCause::Failed(text::optional(Some(other), REASON_MAX).unwrap_or_else(|| "failed".into()))
                }
            };
            CallEvent::Ended { call, cause, at: now }
        }
        other => {
            return Err(PushError::bad_body(format!(
                "unknown CRM.COM event `{}`: expected dial-in, dial-out, answer or hangup",
                text::clean_short(other)
            )))
        }
    };
    Ok(vec![Routed { tenant: tenant.to_string(), extension, event }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringside_core::{CallId, RemoteParty};

    const NOW: Timestamp = Timestamp(9);

    #[test]
    fn dial_in_answer_hangup() {
        let f = Fields::of(&[
            ("event", "dial-in"),
            ("call_id", "77"),
            ("extension", "101"),
            ("from", "555"),
            ("caller_name", "Ann"),
        ]);
        let r = map(&f, "t", NOW).unwrap();
        assert_eq!(r[0].extension, "101");
        assert_eq!(
            r[0].event,
            CallEvent::IncomingRinging {
                call: CallId::new("crmcom:77"),
                from: RemoteParty { number: "555".into(), name: Some("Ann".into()) },
                queue: None,
                at: NOW
            }
        );
        let f = Fields::of(&[("event", "answer"), ("call_id", "77"), ("extension", "101")]);
        assert_eq!(
            map(&f, "t", NOW).unwrap()[0].event,
            CallEvent::Answered { call: CallId::new("crmcom:77"), at: NOW }
        );
        let f = Fields::of(&[("event", "hangup"), ("call_id", "77"), ("extension", "101"), ("cause", "missed")]);
        assert_eq!(
            map(&f, "t", NOW).unwrap()[0].event,
            CallEvent::Ended { call: CallId::new("crmcom:77"), cause: EndCause::NoAnswer, at: NOW }
        );
    }

    #[test]
    fn the_agent_is_required() {
        let f = Fields::of(&[("event", "answer"), ("call_id", "77")]);
        assert!(map(&f, "t", NOW).unwrap_err().to_string().contains("`extension`"));
    }
}
