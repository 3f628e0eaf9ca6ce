//! Ringostat webhooks (Integration → Webhooks in Ringostat's personal account).
//!
//! A Ringostat webhook is made per event ("Incoming call": before the call, at the moment of
//! picking up the phone, after the call; "Outgoing call": before, after), and its method,
//! format and parameters are chosen in Ringostat's editor; Ringostat does not sign them. So
//! Ringside states what it expects (docs/push.md) — a secret token in the URL
//! (`/v1/webhooks/ringostat/<token>`), and these parameters, JSON or form:
//!
//! - `event`: `ringing` (before the call), `answered` (picking up), `ended` (after the call) —
//!   in the body, or as `?event=` on the webhook's URL;
//! - `uniqueid`: the call's id; `caller`: the customer's number; `dst`: the agent's extension
//!   (SIP login); `call_type`: `in` / `out` (also `incoming` / `outgoing`), default `in`;
//!   `caller_name` (optional); `disposition` on `ended`: `ANSWERED` → completed, `NO ANSWER` →
//!   no answer, `BUSY` → busy, `CANCEL` / `NOANSWER` as Asterisk says them, anything else →
//!   failed with Ringostat's word.
//!
//! These names follow Ringostat's call-log parameters as far as they could be found; the exact
//! names of Ringostat's webhook variables could not be checked against its documentation here.
//! Call ids become `ringostat:<uniqueid>`; the arrival time is used.

use ringside_core::{CallEvent, EndCause, Timestamp};

use crate::text::{self, REASON_MAX};
use crate::{Fields, PushError, Routed};

pub const PREFIX: &str = "ringostat";

/// `event` from the body, else `query_event` (the URL's `?event=`).
pub fn map(f: &Fields, query_event: Option<&str>, tenant: &str, now: Timestamp) -> Result<Vec<Routed>, PushError> {
    let event = f.non_empty("event").or(query_event).ok_or_else(|| PushError::bad_body("missing field `event`"))?;
    let call = text::call_id(PREFIX, f.require("uniqueid")?, "uniqueid")?;
    let extension = text::extension(f.require("dst")?, "dst")?;
    let outgoing = match f.non_empty("call_type").map(str::trim) {
        None | Some("in" | "incoming") => false,
        Some("out" | "outgoing") => true,
        Some(other) => {
            return Err(PushError::bad_body(format!(
                "field `call_type` must be `in` or `out`, not `{}`",
                text::clean_short(other)
            )))
        }
    };
    let event = match event {
        "ringing" => {
            let party = text::party(Some(f.require("caller")?), f.get("caller_name"));
            if outgoing {
                CallEvent::OutgoingDialing { call, to: party, at: now }
            } else {
                CallEvent::IncomingRinging { call, from: party, queue: None, at: now }
            }
        }
        "answered" => CallEvent::Answered { call, at: now },
        "ended" => CallEvent::Ended { call, cause: cause(f.get("disposition"), outgoing), at: now },
        other => {
            return Err(PushError::bad_body(format!(
                "unknown event `{}`: expected ringing, answered or ended",
                text::clean_short(other)
            )))
        }
    };
    Ok(vec![Routed { tenant: tenant.to_string(), extension, event }])
}

fn cause(disposition: Option<&str>, outgoing: bool) -> EndCause {
    match disposition.map(|d| d.trim().to_ascii_uppercase()).as_deref() {
        None | Some("" | "ANSWERED" | "ANSWER") => EndCause::Completed,
        Some("NO ANSWER" | "NOANSWER") => EndCause::NoAnswer,
        Some("BUSY") => EndCause::Busy,
        Some("CANCEL") if outgoing => EndCause::NoAnswer,
        Some("CANCEL") => EndCause::Abandoned,
        Some(other) => EndCause::Failed(text::optional(Some(other), REASON_MAX).unwrap_or_else(|| "failed".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringside_core::{CallId, RemoteParty};

    const NOW: Timestamp = Timestamp(13);

    #[test]
    fn ringing_answered_ended() {
        let f = Fields::of(&[("uniqueid", "1700.1"), ("caller", "380501234567"), ("dst", "101")]);
        let r = map(&f, Some("ringing"), "t", NOW).unwrap();
        assert_eq!(r[0].extension, "101");
        assert_eq!(
            r[0].event,
            CallEvent::IncomingRinging {
                call: CallId::new("ringostat:1700.1"),
                from: RemoteParty { number: "380501234567".into(), name: None },
                queue: None,
                at: NOW
            }
        );
        let f = Fields::of(&[("event", "answered"), ("uniqueid", "1700.1"), ("dst", "101")]);
        assert_eq!(
            map(&f, None, "t", NOW).unwrap()[0].event,
            CallEvent::Answered { call: CallId::new("ringostat:1700.1"), at: NOW }
        );
        let f = Fields::of(&[("event", "ended"), ("uniqueid", "1700.1"), ("dst", "101"), ("disposition", "NO ANSWER")]);
        assert_eq!(
            map(&f, None, "t", NOW).unwrap()[0].event,
            CallEvent::Ended { call: CallId::new("ringostat:1700.1"), cause: EndCause::NoAnswer, at: NOW }
        );
    }

    #[test]
    fn outgoing_and_missing_fields() {
        let f = Fields::of(&[
            ("event", "ringing"),
            ("uniqueid", "2"),
            ("caller", "0501112233"),
            ("dst", "101"),
            ("call_type", "out"),
        ]);
        assert!(matches!(map(&f, None, "t", NOW).unwrap()[0].event, CallEvent::OutgoingDialing { .. }));
        let f = Fields::of(&[("event", "ringing"), ("uniqueid", "2")]);
        assert!(map(&f, None, "t", NOW).unwrap_err().to_string().contains("`dst`"));
        let f = Fields::of(&[("uniqueid", "2"), ("dst", "1")]);
        assert!(map(&f, None, "t", NOW).unwrap_err().to_string().contains("`event`"));
    }
}
