//! Zammad's generic CTI events, as a PBX already sends them to Zammad
//! (`docs.zammad.org` → API → Generic CTI), JSON or `application/x-www-form-urlencoded`.
//!
//! Fields read: `event` (`newCall` | `answer` | `hangup`), `from`, `to`, `direction` (`in` |
//! `out`), `callId`, `user` / `user[]` (repeated), `queue` (newCall), `cause` (hangup) and
//! `answeringNumber` (answer, hangup). Zammad names users by real name; Ringside routes by
//! extension, so the **values of `user[]` and `answeringNumber` are read as agents'
//! extensions** (docs/push.md). Which agents an event is for:
//!
//! - `newCall`: each `user[]` (a ring-all group rings several: one ringing each); when there is
//!   none, `to` (incoming) or `from` (outgoing);
//! - `answer`: `answeringNumber`, else the `user[]`, else `to` / `from` as above;
//! - `hangup`: `answeringNumber` and every `user[]`; a user who is not `answeringNumber` of a
//!   normally cleared call ends as *answered elsewhere*.
//!
//! Causes: `normalClearing` → completed, `busy` → busy, `cancel` → abandoned (incoming) or no
//! answer (outgoing), `noAnswer` → no answer, `congestion` / `notFound` → failed, `forwarded` →
//! transferred; none → completed; any other → failed with its text. Call ids become
//! `zammad:<callId>`. Zammad's events carry no time: the arrival time is used.

use ringside_core::{CallEvent, EndCause, Timestamp};

use crate::text::{self, QUEUE_MAX, REASON_MAX};
use crate::{Fields, PushError, Routed};

pub const PREFIX: &str = "zammad";

/// One Zammad CTI event (its fields) → events for the agents it names.
pub fn map(f: &Fields, tenant: &str, now: Timestamp) -> Result<Vec<Routed>, PushError> {
    let event = f.require("event")?;
    let call = text::call_id(PREFIX, f.require("callId")?, "callId")?;
    let outgoing = match f.get("direction") {
        None | Some("in") => false,
        Some("out") => true,
        Some(other) => {
            return Err(PushError::bad_body(format!(
                "field `direction` must be `in` or `out`, not `{}`",
                text::clean_short(other)
            )))
        }
    };
    let users = users(f);
    // The agent's own number when no user is named: the called side of an incoming call, the
    // calling side of an outgoing one.
    let own_number = if outgoing { f.non_empty("from") } else { f.non_empty("to") };
    let answering = f.non_empty("answeringNumber").map(|a| text::extension(a, "answeringNumber")).transpose()?;
    let route = |ext: String, event: CallEvent| Routed { tenant: tenant.to_string(), extension: ext, event };

    let fallback = |field: &str| -> Result<Vec<String>, PushError> {
        match own_number {
            Some(n) => Ok(vec![text::extension(n, field)?]),
            None => Err(PushError::bad_body("missing field `user[]` (or `answeringNumber`, `to`/`from`)")),
        }
    };
    let targets_or_own = |list: Vec<String>| -> Result<Vec<String>, PushError> {
        if list.is_empty() {
            fallback(if outgoing { "from" } else { "to" })
        } else {
            Ok(list)
        }
    };

    match event {
        "newCall" => {
            let targets = targets_or_own(users)?;
            let event = if outgoing {
                CallEvent::OutgoingDialing { call, to: text::party(f.get("to"), None), at: now }
            } else {
                CallEvent::IncomingRinging {
                    call,
                    from: text::party(f.get("from"), None),
                    queue: text::optional(f.get("queue"), QUEUE_MAX),
                    at: now,
                }
            };
            Ok(targets.into_iter().map(|ext| route(ext, event.clone())).collect())
        }
        "answer" => {
            let targets = match answering {
                Some(a) => vec![a],
                None => targets_or_own(users)?,
            };
            Ok(targets.into_iter().map(|ext| route(ext, CallEvent::Answered { call: call.clone(), at: now })).collect())
        }
        "hangup" => {
            let mut targets = users;
            if let Some(a) = &answering {
                if !targets.contains(a) {
                    targets.insert(0, a.clone());
                }
            }
            let targets = targets_or_own(targets)?;
            let cause = cause(f.get("cause"), outgoing);
            Ok(targets
                .into_iter()
                .map(|ext| {
                    let cause = match (&answering, &cause) {
                        (Some(a), EndCause::Completed) if *a != ext => {
                            EndCause::AnsweredElsewhere { by: Some(a.clone()) }
                        }
                        _ => cause.clone(),
                    };
                    route(ext, CallEvent::Ended { call: call.clone(), cause, at: now })
                })
                .collect())
        }
        other => Err(PushError::bad_body(format!(
            "unknown Zammad event `{}`: expected newCall, answer or hangup",
            text::clean_short(other)
        ))),
    }
}

/// `user[]` (form), `user` (JSON string or array), cleaned, empties and repeats left out.
fn users(f: &Fields) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in f.all("user[]").chain(f.all("user")) {
        if let Ok(ext) = text::extension(raw, "user") {
            if !out.contains(&ext) {
                out.push(ext);
            }
        }
    }
    out
}

fn cause(cause: Option<&str>, outgoing: bool) -> EndCause {
    match cause {
        None | Some("normalClearing") => EndCause::Completed,
        Some("busy") => EndCause::Busy,
        Some("cancel") if outgoing => EndCause::NoAnswer,
        Some("cancel") => EndCause::Abandoned,
        Some("noAnswer") => EndCause::NoAnswer,
        Some("congestion") => EndCause::Failed("congestion".into()),
        Some("notFound") => EndCause::Failed("not found".into()),
        Some("forwarded") => EndCause::Transferred,
        Some(other) => EndCause::Failed(text::optional(Some(other), REASON_MAX).unwrap_or_else(|| "failed".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringside_core::{CallId, RemoteParty};

    const NOW: Timestamp = Timestamp(7);

    fn call() -> CallId {
        CallId::new("zammad:abc")
    }

    #[test]
    fn new_call_rings_every_user() {
        let f = Fields::from_form(
            b"event=newCall&from=493055571600&to=4930123&direction=in&callId=abc&user%5B%5D=101&user%5B%5D=102&queue=helpdesk",
        );
        let r = map(&f, "t", NOW).unwrap();
        assert_eq!(r.iter().map(|r| r.extension.as_str()).collect::<Vec<_>>(), ["101", "102"]);
        assert_eq!(
            r[0].event,
            CallEvent::IncomingRinging {
                call: call(),
                from: RemoteParty { number: "493055571600".into(), name: None },
                queue: Some("helpdesk".into()),
                at: NOW
            }
        );
    }

    #[test]
    fn new_call_without_users_rings_the_called_number_and_out_is_dialing() {
        let f =
            Fields::of(&[("event", "newCall"), ("from", "555"), ("to", "101"), ("direction", "in"), ("callId", "abc")]);
        assert_eq!(map(&f, "t", NOW).unwrap()[0].extension, "101");
        let f = Fields::of(&[
            ("event", "newCall"),
            ("from", "101"),
            ("to", "555"),
            ("direction", "out"),
            ("callId", "abc"),
        ]);
        let r = map(&f, "t", NOW).unwrap();
        assert_eq!(r[0].extension, "101");
        assert_eq!(
            r[0].event,
            CallEvent::OutgoingDialing { call: call(), to: RemoteParty { number: "555".into(), name: None }, at: NOW }
        );
    }

    #[test]
    fn answer_goes_to_the_answering_number() {
        let f = Fields::of(&[
            ("event", "answer"),
            ("callId", "abc"),
            ("direction", "in"),
            ("user", "102"),
            ("answeringNumber", "101"),
        ]);
        let r = map(&f, "t", NOW).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].extension, "101");
        assert_eq!(r[0].event, CallEvent::Answered { call: call(), at: NOW });
    }

    #[test]
    fn hangup_ends_for_everyone_rung_and_the_others_were_answered_elsewhere() {
        let v = serde_json::json!({"event": "hangup", "callId": "abc", "direction": "in", "from": "555", "to": "4930",
            "user": ["101", "102"], "answeringNumber": "101", "cause": "normalClearing"});
        let r = map(&Fields::from_json(&v), "t", NOW).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].event, CallEvent::Ended { call: call(), cause: EndCause::Completed, at: NOW });
        assert_eq!(r[1].extension, "102");
        assert_eq!(
            r[1].event,
            CallEvent::Ended { call: call(), cause: EndCause::AnsweredElsewhere { by: Some("101".into()) }, at: NOW }
        );
    }

    #[test]
    fn causes() {
        assert_eq!(cause(Some("cancel"), false), EndCause::Abandoned);
        assert_eq!(cause(Some("cancel"), true), EndCause::NoAnswer);
        assert_eq!(cause(Some("busy"), true), EndCause::Busy);
        assert_eq!(cause(Some("noAnswer"), false), EndCause::NoAnswer);
        assert_eq!(cause(Some("forwarded"), false), EndCause::Transferred);
        assert_eq!(cause(Some("notFound"), false), EndCause::Failed("not found".into()));
        assert_eq!(cause(Some("weird\u{7}"), false), EndCause::Failed("weird".into()));
    }

    #[test]
    fn a_missing_call_id_is_named() {
        let f = Fields::of(&[("event", "answer"), ("user", "101")]);
        assert!(map(&f, "t", NOW).unwrap_err().to_string().contains("callId"));
    }
}
