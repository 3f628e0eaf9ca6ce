//! Zadarma's PBX webhooks ("API → notifications of calls in the PBX"), posted as
//! `application/x-www-form-urlencoded` with a `Signature` header.
//!
//! The signature is `base64(hex(HMAC-SHA1(api_secret, S)))` — PHP's
//! `base64_encode(hash_hmac('sha1', S, API_SECRET))`, whose `hash_hmac` gives lowercase hex —
//! where `S` is the concatenation of three fields that depends on the event (Zadarma's
//! user-api-v1 `getSignatureString`):
//!
//! | event | fields | signed `S` |
//! |---|---|---|
//! | `NOTIFY_START` | `call_start, pbx_call_id, caller_id, called_did` | `caller_id . called_did . call_start` |
//! | `NOTIFY_INTERNAL` | … `internal` | `caller_id . called_did . call_start` |
//! | `NOTIFY_ANSWER` | `caller_id, destination, call_start, pbx_call_id, internal` | `caller_id . destination . call_start` |
//! | `NOTIFY_END` | … `internal, duration, disposition, status_code, is_recorded, call_id_with_rec` | `caller_id . called_did . call_start` |
//! | `NOTIFY_OUT_START` | `call_start, pbx_call_id, internal, destination` | `internal . destination . call_start` |
//! | `NOTIFY_OUT_END` | … `caller_id, disposition, …` | `internal . destination . call_start` |
//!
//! Which agent: `internal` (the extension) when the event has it. `NOTIFY_START` is sent when
//! the call reaches the PBX, before any extension rings, so it is routed only through the
//! account's `did_extensions` (the number called → the extensions it rings); so is a
//! `NOTIFY_END` without `internal`. Without a match the event is accepted and routed nowhere.
//! `disposition`: `answered` → completed, `busy` → busy, `cancel` → abandoned (incoming) or no
//! answer (outgoing), `no answer` → no answer, anything else (`failed`, `no money`,
//! `unallocated number`, …) → failed with Zadarma's words. Call ids become
//! `zadarma:<pbx_call_id>`. `call_start` is in the account's time zone with no offset, so the
//! arrival time is used instead.

use std::collections::BTreeMap;

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use ringside_core::{CallEvent, EndCause, Timestamp};
use subtle::ConstantTimeEq;

use crate::text::{self, REASON_MAX};
use crate::{Fields, PushError, Routed};

pub const PREFIX: &str = "zadarma";

/// The events mapped to call events.
pub const EVENTS: [&str; 6] =
    ["NOTIFY_START", "NOTIFY_INTERNAL", "NOTIFY_ANSWER", "NOTIFY_END", "NOTIFY_OUT_START", "NOTIFY_OUT_END"];

/// The string Zadarma signs for this event, or `None` for an event Ringside does not take.
pub fn signed_string(f: &Fields) -> Option<String> {
    let [a, b, c] = match f.get("event")? {
        "NOTIFY_START" | "NOTIFY_INTERNAL" | "NOTIFY_END" | "NOTIFY_IVR" => ["caller_id", "called_did", "call_start"],
        "NOTIFY_ANSWER" => ["caller_id", "destination", "call_start"],
        "NOTIFY_OUT_START" | "NOTIFY_OUT_END" => ["internal", "destination", "call_start"],
        _ => return None,
    };
    Some(format!("{}{}{}", f.or_empty(a), f.or_empty(b), f.or_empty(c)))
}

/// `base64(hex(HMAC-SHA1(secret, signed)))`.
pub fn signature(secret: &str, signed: &str) -> String {
    // HMAC takes a key of any length: new_from_slice cannot fail for it.
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(signed.as_bytes());
    let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    base64::engine::general_purpose::STANDARD.encode(hex)
}

/// Whether `header` is this event's signature with `secret` (compared in constant time).
pub fn verify(f: &Fields, header: &str, secret: &str) -> bool {
    let Some(signed) = signed_string(f) else { return false };
    let want = signature(secret, &signed);
    !want.is_empty() && bool::from(want.as_bytes().ct_eq(header.trim().as_bytes()))
}

/// `zd_echo`, the value Zadarma asks to be echoed when a notification URL is saved: letters,
/// digits, `-` and `_` only, at most 64 characters, so the echo can carry nothing else.
pub fn echo(value: &str) -> Option<&str> {
    let ok = !value.is_empty()
        && value.len() <= 64
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(value)
}

/// A signed notification → events. `did_extensions`: the account's number → extensions map.
pub fn map(
    f: &Fields,
    tenant: &str,
    did_extensions: &BTreeMap<String, Vec<String>>,
    now: Timestamp,
) -> Result<Vec<Routed>, PushError> {
    let Some(event) = f.get("event") else { return Err(PushError::bad_body("missing field `event`")) };
    if !EVENTS.contains(&event) {
        return Ok(Vec::new());
    }
    let call = text::call_id(PREFIX, f.require("pbx_call_id")?, "pbx_call_id")?;
    let internal = f.non_empty("internal").map(|i| text::extension(i, "internal")).transpose()?;
    let by_did = || -> Vec<String> {
        let did = digits(f.or_empty("called_did"));
        did_extensions
            .iter()
            .filter(|(k, _)| !did.is_empty() && digits(k) == did)
            .flat_map(|(_, exts)| exts.iter().filter_map(|e| text::extension(e, "did_extensions").ok()))
            .collect()
    };
    let internal_required = || internal.clone().ok_or_else(|| PushError::bad_body("missing field `internal`"));
    let (targets, event) = match event {
        "NOTIFY_START" | "NOTIFY_INTERNAL" => {
            let targets = if event == "NOTIFY_INTERNAL" { vec![internal_required()?] } else { by_did() };
            let from = text::party(Some(f.require("caller_id")?), None);
            (targets, CallEvent::IncomingRinging { call, from, queue: None, at: now })
        }
        "NOTIFY_ANSWER" => (vec![internal_required()?], CallEvent::Answered { call, at: now }),
        "NOTIFY_END" => {
            let targets = internal.clone().map(|i| vec![i]).unwrap_or_else(by_did);
            (targets, CallEvent::Ended { call, cause: cause(f.get("disposition"), false), at: now })
        }
        "NOTIFY_OUT_START" => {
            let to = text::party(Some(f.require("destination")?), None);
            (vec![internal_required()?], CallEvent::OutgoingDialing { call, to, at: now })
        }
        // NOTIFY_OUT_END
        _ => (vec![internal_required()?], CallEvent::Ended { call, cause: cause(f.get("disposition"), true), at: now }),
    };
    Ok(targets
        .into_iter()
        .map(|extension| Routed { tenant: tenant.to_string(), extension, event: event.clone() })
        .collect())
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn cause(disposition: Option<&str>, outgoing: bool) -> EndCause {
    match disposition.map(str::trim) {
        None | Some("") | Some("answered") => EndCause::Completed,
        Some("busy") => EndCause::Busy,
        Some("cancel") if outgoing => EndCause::NoAnswer,
        Some("cancel") => EndCause::Abandoned,
        Some("no answer") => EndCause::NoAnswer,
        Some(other) => EndCause::Failed(text::optional(Some(other), REASON_MAX).unwrap_or_else(|| "failed".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringside_core::{CallId, RemoteParty};

    const NOW: Timestamp = Timestamp(3);

    fn dids() -> BTreeMap<String, Vec<String>> {
        BTreeMap::from([("+380 44 111 22 33".to_string(), vec!["101".to_string()])])
    }

    #[test]
    fn the_signature_is_base64_of_the_hex_hmac_as_phps_example_computes_it() {
        // python3: base64.b64encode(hmac.new(b"test-secret", b"380501234567380441112233"
        //   b"2024-05-06 10:11:12", hashlib.sha1).hexdigest().encode())
        let f = Fields::of(&[
            ("event", "NOTIFY_START"),
            ("call_start", "2024-05-06 10:11:12"),
            ("pbx_call_id", "in_0123abcd"),
            ("caller_id", "380501234567"),
            ("called_did", "380441112233"),
        ]);
        assert_eq!(signed_string(&f).unwrap(), "3805012345673804411122332024-05-06 10:11:12");
        let sig = signature("test-secret", &signed_string(&f).unwrap());
        assert_eq!(sig, "MWYwYmM5YzNlYTc1NTE3ZjlhZGYxYTRkYTQxZjc0OGQ2MTI1MDVkZg==");
        assert!(verify(&f, &sig, "test-secret"));
        assert!(!verify(&f, &sig, "other-secret"));
        assert!(!verify(&f, "", "test-secret"));
    }

    #[test]
    fn each_event_signs_its_own_fields() {
        let f = Fields::of(&[
            ("event", "NOTIFY_ANSWER"),
            ("caller_id", "a"),
            ("destination", "b"),
            ("call_start", "c"),
            ("called_did", "x"),
        ]);
        assert_eq!(signed_string(&f).unwrap(), "abc");
        let f = Fields::of(&[
            ("event", "NOTIFY_OUT_START"),
            ("internal", "101"),
            ("destination", "555"),
            ("call_start", "t"),
        ]);
        assert_eq!(signed_string(&f).unwrap(), "101555t");
        let f = Fields::of(&[
            ("event", "NOTIFY_OUT_END"),
            ("internal", "101"),
            ("destination", "555"),
            ("call_start", "t"),
        ]);
        assert_eq!(signed_string(&f).unwrap(), "101555t");
        let f = Fields::of(&[("event", "NOTIFY_END"), ("caller_id", "a"), ("called_did", "b"), ("call_start", "c")]);
        assert_eq!(signed_string(&f).unwrap(), "abc");
        assert_eq!(signed_string(&Fields::of(&[("event", "SMS")])), None);
    }

    #[test]
    fn start_rings_the_extensions_of_the_number_called() {
        let f = Fields::of(&[
            ("event", "NOTIFY_START"),
            ("pbx_call_id", "in_1"),
            ("caller_id", "+380501234567"),
            ("called_did", "380441112233"),
            ("call_start", "t"),
        ]);
        let r = map(&f, "acme", &dids(), NOW).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].extension, "101");
        assert_eq!(
            r[0].event,
            CallEvent::IncomingRinging {
                call: CallId::new("zadarma:in_1"),
                from: RemoteParty { number: "+380501234567".into(), name: None },
                queue: None,
                at: NOW
            }
        );
        assert!(map(&f, "acme", &BTreeMap::new(), NOW).unwrap().is_empty());
    }

    #[test]
    fn internal_answer_and_end() {
        let f = Fields::of(&[
            ("event", "NOTIFY_INTERNAL"),
            ("pbx_call_id", "in_1"),
            ("caller_id", "555"),
            ("called_did", "1"),
            ("internal", "102"),
        ]);
        let r = map(&f, "t", &dids(), NOW).unwrap();
        assert_eq!(r[0].extension, "102");
        assert!(matches!(r[0].event, CallEvent::IncomingRinging { .. }));
        let f = Fields::of(&[("event", "NOTIFY_ANSWER"), ("pbx_call_id", "in_1"), ("internal", "102")]);
        assert_eq!(
            map(&f, "t", &dids(), NOW).unwrap()[0].event,
            CallEvent::Answered { call: CallId::new("zadarma:in_1"), at: NOW }
        );
        for (disp, want) in [
            ("answered", EndCause::Completed),
            ("no answer", EndCause::NoAnswer),
            ("cancel", EndCause::Abandoned),
            ("busy", EndCause::Busy),
            ("no money", EndCause::Failed("no money".into())),
        ] {
            let f = Fields::of(&[
                ("event", "NOTIFY_END"),
                ("pbx_call_id", "in_1"),
                ("internal", "102"),
                ("disposition", disp),
            ]);
            assert_eq!(
                map(&f, "t", &dids(), NOW).unwrap()[0].event,
                CallEvent::Ended { call: CallId::new("zadarma:in_1"), cause: want, at: NOW }
            );
        }
    }

    #[test]
    fn outgoing_start_and_end() {
        let f = Fields::of(&[
            ("event", "NOTIFY_OUT_START"),
            ("pbx_call_id", "out_1"),
            ("internal", "101"),
            ("destination", "0501112233"),
        ]);
        let r = map(&f, "t", &dids(), NOW).unwrap();
        assert_eq!(
            r[0].event,
            CallEvent::OutgoingDialing {
                call: CallId::new("zadarma:out_1"),
                to: RemoteParty { number: "0501112233".into(), name: None },
                at: NOW
            }
        );
        let f = Fields::of(&[
            ("event", "NOTIFY_OUT_END"),
            ("pbx_call_id", "out_1"),
            ("internal", "101"),
            ("disposition", "cancel"),
        ]);
        assert_eq!(
            map(&f, "t", &dids(), NOW).unwrap()[0].event,
            CallEvent::Ended { call: CallId::new("zadarma:out_1"), cause: EndCause::NoAnswer, at: NOW }
        );
    }

    #[test]
    fn echo_is_plain() {
        assert_eq!(echo("abc-123_X"), Some("abc-123_X"));
        assert_eq!(echo("<script>"), None);
        assert_eq!(echo(""), None);
    }
}
