//! Binotel's webhooks ("API CALL SETTINGS" on developers.binotel.ua): `POST`, form-encoded (JSON
//! is read too), the kind in `requestType`.
//!
//! Binotel does not sign these requests (it publishes the list of its servers' addresses
//! instead), so the URL carries a secret token (`/v1/webhooks/binotel/<token>`, docs/push.md)
//! and, when the account sets `company_id`, `companyID` must match it.
//!
//! | `requestType` | fields read | event |
//! |---|---|---|
//! | `receivedTheCall` | `generalCallID`, `callType` (`0` incoming, `1` outgoing), `internalNumber`, `externalNumber` | ringing / dialing |
//! | `answeredTheCall` | `generalCallID`, `internalNumber` | answered |
//! | `hangupTheCall` | … `disposition` | ended |
//! | `apiCallCompleted` | the same under `callDetails[…]` | ended |
//!
//! Any other `requestType` (`apiCallSettings`, …) is accepted and routed nowhere. The agent is
//! `internalNumber` (the employee's internal line). `disposition`: `ANSWER` → completed,
//! `TRANSFER` → transferred, `NOANSWER` / `VM` / `VM-SUCCESS` → no answer, `BUSY` → busy, `CANCEL`
//! → abandoned (incoming) or no answer (outgoing), anything else (`CONGESTION`, `CHANUNAVAIL`, …)
//! → failed with Binotel's word. Call ids become `binotel:<generalCallID>` (`callID` when
//! there is no general id). The arrival time is used.

use ringside_core::{CallEvent, EndCause, Timestamp};

use crate::text::{self, REASON_MAX};
use crate::{Fields, PushError, Routed};

pub const PREFIX: &str = "binotel";

/// Whether `companyID` is the account's (when the account names one).
pub fn company_matches(f: &Fields, company_id: Option<&str>) -> bool {
    match company_id {
        None => true,
        Some(want) => {
            f.get("companyID").or_else(|| f.get("callDetails[companyID]")).map(str::trim) == Some(want.trim())
        }
    }
}

pub fn map(f: &Fields, tenant: &str, now: Timestamp) -> Result<Vec<Routed>, PushError> {
    let request_type = f.require("requestType")?;
    // apiCallCompleted nests the call under callDetails[…].
    let nested = request_type == "apiCallCompleted";
    let field = |name: &str| -> Option<&str> {
        if nested {
            f.non_empty(&format!("callDetails[{name}]"))
        } else {
            f.non_empty(name)
        }
    };
    let named = |name: &str| if nested { format!("callDetails[{name}]") } else { name.to_string() };
    if !matches!(request_type, "receivedTheCall" | "answeredTheCall" | "hangupTheCall" | "apiCallCompleted") {
        return Ok(Vec::new());
    }
    let (id, id_field) = match (field("generalCallID"), field("callID")) {
        (Some(id), _) => (id, named("generalCallID")),
        (None, Some(id)) => (id, named("callID")),
        (None, None) => return Err(PushError::bad_body(format!("missing field `{}`", named("generalCallID")))),
    };
    let call = text::call_id(PREFIX, id, &id_field)?;
    let internal_field = named("internalNumber");
    let extension = text::extension(
        field("internalNumber").ok_or_else(|| PushError::bad_body(format!("missing field `{internal_field}`")))?,
        &internal_field,
    )?;
    let outgoing = field("callType").map(str::trim) == Some("1");
    let event = match request_type {
        "receivedTheCall" => {
            let party = text::party(field("externalNumber"), None);
            if outgoing {
                CallEvent::OutgoingDialing { call, to: party, at: now }
            } else {
                CallEvent::IncomingRinging { call, from: party, queue: None, at: now }
            }
        }
        "answeredTheCall" => CallEvent::Answered { call, at: now },
        // hangupTheCall, apiCallCompleted
        _ => CallEvent::Ended { call, cause: cause(field("disposition"), outgoing), at: now },
    };
    Ok(vec![Routed { tenant: tenant.to_string(), extension, event }])
}

fn cause(disposition: Option<&str>, outgoing: bool) -> EndCause {
    match disposition.map(|d| d.trim().to_ascii_uppercase()).as_deref() {
        None | Some("ANSWER") => EndCause::Completed,
        Some("TRANSFER") => EndCause::Transferred,
        Some("NOANSWER" | "VM" | "VM-SUCCESS") => EndCause::NoAnswer,
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

    const NOW: Timestamp = Timestamp(11);

    fn call() -> CallId {
        CallId::new("binotel:5551")
    }

    #[test]
    fn received_answered_hangup() {
        let f = Fields::from_form(
            b"requestType=receivedTheCall&generalCallID=5551&callID=1&callType=0&internalNumber=901&externalNumber=0660000001&companyID=42",
        );
        assert!(company_matches(&f, Some("42")));
        assert!(!company_matches(&f, Some("43")));
        let r = map(&f, "t", NOW).unwrap();
        assert_eq!(r[0].extension, "901");
        assert_eq!(
            r[0].event,
            CallEvent::IncomingRinging {
                call: call(),
                from: RemoteParty { number: "0660000001".into(), name: None },
                queue: None,
                at: NOW
            }
        );
        let f = Fields::of(&[("requestType", "answeredTheCall"), ("generalCallID", "5551"), ("internalNumber", "901")]);
        assert_eq!(map(&f, "t", NOW).unwrap()[0].event, CallEvent::Answered { call: call(), at: NOW });
        let f = Fields::of(&[
            ("requestType", "hangupTheCall"),
            ("generalCallID", "5551"),
            ("internalNumber", "901"),
            ("disposition", "CANCEL"),
            ("callType", "0"),
        ]);
        assert_eq!(
            map(&f, "t", NOW).unwrap()[0].event,
            CallEvent::Ended { call: call(), cause: EndCause::Abandoned, at: NOW }
        );
    }

    #[test]
    fn outgoing_and_completed_details() {
        let f = Fields::of(&[
            ("requestType", "receivedTheCall"),
            ("generalCallID", "5551"),
            ("callType", "1"),
            ("internalNumber", "901"),
            ("externalNumber", "0501112233"),
        ]);
        assert!(matches!(map(&f, "t", NOW).unwrap()[0].event, CallEvent::OutgoingDialing { .. }));
        let v = serde_json::json!({"requestType": "apiCallCompleted", "callDetails": {"generalCallID": "5551",
            "internalNumber": "901", "disposition": "NOANSWER", "callType": "0"}});
        let r = map(&Fields::from_json(&v), "t", NOW).unwrap();
        assert_eq!(r[0].event, CallEvent::Ended { call: call(), cause: EndCause::NoAnswer, at: NOW });
    }

    #[test]
    fn settings_requests_route_nowhere_and_the_line_is_required() {
        let f = Fields::of(&[("requestType", "apiCallSettings"), ("generalCallID", "1")]);
        assert!(map(&f, "t", NOW).unwrap().is_empty());
        let f = Fields::of(&[("requestType", "answeredTheCall"), ("generalCallID", "1")]);
        assert!(map(&f, "t", NOW).unwrap_err().to_string().contains("internalNumber"));
    }

    #[test]
    fn causes() {
        assert_eq!(cause(Some("BUSY"), true), EndCause::Busy);
        assert_eq!(cause(Some("CANCEL"), true), EndCause::NoAnswer);
        assert_eq!(cause(Some("TRANSFER"), false), EndCause::Transferred);
        assert_eq!(cause(Some("CHANUNAVAIL"), false), EndCause::Failed("CHANUNAVAIL".into()));
    }
}
