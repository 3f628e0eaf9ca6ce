//! Writing a finished call (its log and the agent's note) into a CRM: the types, and what both
//! connectors do to the text before it leaves (see `docs/crm.md`, "Write-back").

use serde::{Deserialize, Serialize};

use crate::text::is_bidi_control;

/// The longest note sent, in bytes of UTF-8, [`NOTE_CUT_MARKER`] included: 64 KiB.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;

/// What ends a note that was longer than [`MAX_NOTE_BYTES`].
pub const NOTE_CUT_MARKER: &str = "…";

/// Who called whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    Incoming,
    Outgoing,
}

/// What Ringside knows about a finished call, for a CRM. A REST CRM receives exactly this, as JSON
/// (`direction` as `"incoming"`/`"outgoing"`, absent values as `null`), with the note cleaned (see
/// [`MAX_NOTE_BYTES`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallLog {
    /// The PBX's call id.
    pub call_id: String,
    pub direction: CallDirection,
    /// `answered`, `missed`, `answered_elsewhere`, `abandoned`, `busy`, `failed`, `transferred` or
    /// `interrupted`.
    pub outcome: String,
    /// The remote number as received or dialed.
    pub number: String,
    pub number_e164: Option<String>,
    /// This CRM's id of the matched customer (Bitrix24: `contact:12`, `company:7`), when the match
    /// came from this CRM.
    pub customer_id: Option<String>,
    pub agent_extension: String,
    pub agent_name: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub started_at_ms: u64,
    pub answered_at_ms: Option<u64>,
    pub ended_at_ms: u64,
    pub talk_secs: u64,
    /// The agent's note, as typed.
    pub note: Option<String>,
    pub recording_url: Option<String>,
    /// The deal the agent bound the call to: its id in this CRM, as in
    /// [`CrmOrder::id`](crate::CrmOrder::id) (Bitrix24: `"31"`), usually the customer's
    /// [`CrmCustomer::deal`](crate::CrmCustomer::deal). `None`: no deal chosen (Bitrix24 keeps
    /// the binding it made by itself). A REST CRM receives it as `deal_id` in the JSON body.
    #[serde(default)]
    pub deal_id: Option<String>,
}

/// What the CRM holds of a call already, as the outbox knows it: it decides whether a write
/// creates the call's record or changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Prior<'a> {
    /// No attempt was acknowledged: this write creates the record (a retry of a lost answer is
    /// recognised by the idempotency key; Bitrix24: by `EXTERNAL_CALL_ID`).
    #[default]
    Nothing,
    /// An earlier attempt got half way: the id from [`CrmError::Partial`](crate::CrmError::Partial)
    /// (Bitrix24: the `CALL_ID` registered before `finish` failed). REST CRMs never report one.
    Partial(&'a str),
    /// The CRM took an earlier revision of this call (the note was edited since): this write
    /// changes that record, never makes a second one. `remote_id`: the CRM's id of the record,
    /// when its answer gave one (REST: JSON `/id`; Bitrix24: the `CALL_ID`).
    Written { remote_id: Option<&'a str> },
}

/// One write of a call, as the outbox hands it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt<'a> {
    /// Stable per (call, CRM): the same on every attempt and every revision (REST: the
    /// `Idempotency-Key` of the first write; Bitrix24: `EXTERNAL_CALL_ID`).
    pub idempotency_key: &'a str,
    /// Which state of the call this is: bumped by every change the outbox queued. A change to a
    /// written call goes out under [`revision_key`]`(idempotency_key, revision)`.
    pub revision: u64,
    pub prior: Prior<'a>,
}

impl<'a> Attempt<'a> {
    /// The call's first write, revision 1.
    pub fn first(idempotency_key: &'a str) -> Attempt<'a> {
        Attempt { idempotency_key, revision: 1, prior: Prior::Nothing }
    }
}

/// The `Idempotency-Key` of a change to a written call: the call's key and `-r` with the revision
/// (`ringside-3c1f…-r2`). One key per body: a retry of the same change sends the same key and the
/// same body; the next change a new key, so a CRM that compares bodies (draft-ietf-httpapi-
/// idempotency-key-header: 422 for a key reused with another body) takes every one of them.
pub fn revision_key(idempotency_key: &str, revision: u64) -> String {
    format!("{idempotency_key}-r{revision}")
}

/// What the CRM answered to a written call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WriteReceipt {
    /// The CRM's id of the record: a REST CRM's JSON `/id` when its answer has one; Bitrix24's
    /// `CALL_ID`.
    pub remote_id: Option<String>,
}

impl CallLog {
    /// The log as JSON (the note as given, not yet cleaned), e.g. to keep the body of an attempt
    /// whose answer never came and send it again as it was ([`CallLog::from_json`]).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A log kept with [`CallLog::to_json`]; `None` if `json` is not one.
    pub fn from_json(json: &str) -> Option<CallLog> {
        serde_json::from_str(json).ok()
    }

    /// The log as it is sent: the note cleaned by [`clean_note`].
    pub(crate) fn prepared(&self) -> CallLog {
        CallLog { note: self.note.as_deref().and_then(clean_note), ..self.clone() }
    }
}

/// A note as it is sent: line breaks kept (`\r\n` and `\r` become `\n`) and tabs kept; every other
/// control character and the bidi embedding, override and isolate characters removed; trimmed;
/// cut at a character boundary to at most [`MAX_NOTE_BYTES`] with [`NOTE_CUT_MARKER`] at the end.
/// `None` when nothing is left. Markup is not touched: it is text, escaped by JSON on the wire
/// and sent to Bitrix24 as plain text.
pub fn clean_note(note: &str) -> Option<String> {
    let unified = note.replace("\r\n", "\n").replace('\r', "\n");
    let kept: String =
        unified.chars().filter(|&c| !((c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))).collect();
    let kept = kept.trim();
    if kept.is_empty() {
        return None;
    }
    if kept.len() <= MAX_NOTE_BYTES {
        return Some(kept.to_string());
    }
    let mut end = MAX_NOTE_BYTES - NOTE_CUT_MARKER.len();
    while !kept.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!("{}{NOTE_CUT_MARKER}", kept[..end].trim_end()))
}

/// The `Idempotency-Key` header's value: the key as a Structured Field String (RFC 8941 §3.3.3),
/// as draft-ietf-httpapi-idempotency-key-header asks, `"…"` with `\` and `"` escaped. Bytes a
/// String cannot carry (controls, non-ASCII) and `%` are percent-encoded, so every key has one
/// stable, sendable form.
pub(crate) fn idempotency_header(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 2);
    out.push('"');
    for b in key.bytes() {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            b'%' => out.push_str("%25"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.push('"');
    out
}

/// Bitrix24's `EXTERNAL_CALL_ID` for an idempotency key: the key itself when it is 1 to 64 ASCII
/// letters, digits, `.`, `_`, `-` or `:`; otherwise `ringside-` and 32 hex digits of a stable hash
/// of it (two 64-bit FNV-1a), so the same key always gives the same id.
pub(crate) fn external_call_id(key: &str) -> String {
    let plain = (1..=64).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':'));
    if plain {
        return key.to_string();
    }
    let fnv = |seed: u64| key.bytes().fold(seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    format!("ringside-{:016x}{:016x}", fnv(0xcbf2_9ce4_8422_2325), fnv(0x6c62_272e_07bb_0142))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_keep_lines_and_lose_controls() {
        assert_eq!(clean_note("  a\r\nb\rc\td\u{0}e\u{1b}[31m\u{202E}f\u{7f}  ").as_deref(), Some("a\nb\nc\tde[31mf"));
        assert_eq!(clean_note("<b>x</b> & \"y\" \\ z").as_deref(), Some("<b>x</b> & \"y\" \\ z"));
        assert_eq!(clean_note(" \u{0}\r\n "), None);
        assert_eq!(clean_note(""), None);
    }

    #[test]
    fn long_notes_are_cut_at_a_character_boundary_with_a_marker() {
        let exact = "x".repeat(MAX_NOTE_BYTES);
        assert_eq!(clean_note(&exact).as_deref(), Some(exact.as_str()));
        for note in ["y".repeat(MAX_NOTE_BYTES + 1), "ж".repeat(MAX_NOTE_BYTES), "€".repeat(40_000)] {
            let cut = clean_note(&note).unwrap();
            assert!(cut.len() <= MAX_NOTE_BYTES, "{}", cut.len());
            assert!(cut.len() > MAX_NOTE_BYTES - 8, "{}", cut.len());
            assert!(cut.ends_with(NOTE_CUT_MARKER));
        }
    }

    #[test]
    fn idempotency_keys_are_structured_field_strings() {
        assert_eq!(idempotency_header("8e03978e-40d5"), "\"8e03978e-40d5\"");
        assert_eq!(idempotency_header("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(idempotency_header("a%b\nc é"), "\"a%25b%0Ac %C3%A9\"");
        assert!(reqwest::header::HeaderValue::from_str(&idempotency_header("\r\n\u{0}ключ")).is_ok());
    }

    #[test]
    fn a_change_has_a_key_of_its_own_per_revision() {
        let key = "ringside-3c1f0a9e-0000-4000-8000-000000000000";
        assert_eq!(revision_key(key, 2), "ringside-3c1f0a9e-0000-4000-8000-000000000000-r2");
        assert_ne!(revision_key(key, 2), revision_key(key, 3));
        assert_ne!(revision_key(key, 2), key);
        assert_eq!(Attempt::first(key), Attempt { idempotency_key: key, revision: 1, prior: Prior::Nothing });
    }

    #[test]
    fn external_call_ids_are_the_key_or_a_stable_hash() {
        assert_eq!(external_call_id("1710140185.18441:b24"), "1710140185.18441:b24");
        let long = "k".repeat(65);
        let hashed = external_call_id(&long);
        assert!(hashed.starts_with("ringside-") && hashed.len() == 41, "{hashed}");
        assert_eq!(hashed, external_call_id(&long));
        assert_ne!(external_call_id("a b"), external_call_id("a  b"));
        assert!(external_call_id("").starts_with("ringside-"));
    }

    #[test]
    fn a_call_log_serializes_with_snake_case_names() {
        let log = CallLog {
            call_id: "1".into(),
            direction: CallDirection::Outgoing,
            outcome: "answered".into(),
            number: "100".into(),
            number_e164: None,
            customer_id: None,
            agent_extension: "200".into(),
            agent_name: None,
            started_at_ms: 1,
            answered_at_ms: None,
            ended_at_ms: 2,
            talk_secs: 0,
            note: None,
            recording_url: None,
            deal_id: Some("31".into()),
        };
        let v = serde_json::to_value(&log).unwrap();
        assert_eq!(v["deal_id"], "31");
        assert_eq!(v["direction"], "outgoing");
        assert_eq!(v["number_e164"], serde_json::Value::Null);
        assert_eq!(serde_json::from_value::<CallLog>(v).unwrap(), log);
        assert_eq!(CallLog::from_json(&log.to_json()), Some(log.clone()));
        assert_eq!(CallLog::from_json("{\"call_id\": 1}"), None);
        // A log kept before deal_id existed still reads.
        let mut old = serde_json::to_value(&log).unwrap();
        old.as_object_mut().unwrap().remove("deal_id");
        assert_eq!(CallLog::from_json(&old.to_string()), Some(CallLog { deal_id: None, ..log }));
    }
}
