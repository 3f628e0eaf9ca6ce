//! Strangers' text, bounded per kind of value, and the ids namespaced per input.

use ringside_core::{CallId, RemoteParty};
use ringside_text::{clean_text, is_bidi_mark};

use crate::PushError;

/// A call id from the PBX: up to 250 characters (Zammad's bound).
pub(crate) const ID_MAX: usize = 250;
pub(crate) const NUMBER_MAX: usize = 64;
pub(crate) const NAME_MAX: usize = 128;
pub(crate) const EXTENSION_MAX: usize = 64;
pub(crate) const QUEUE_MAX: usize = 64;
pub(crate) const REASON_MAX: usize = 128;

/// A value echoed in an error message.
pub(crate) fn clean_short(s: &str) -> String {
    clean_text(s, 64)
}

/// A number, an id or an extension: [`clean_text`], and no bidi mark either (a name may keep
/// one; a number never carries one).
pub(crate) fn clean_code(s: &str, max: usize) -> String {
    let s: String = s.chars().filter(|c| !is_bidi_mark(*c)).collect();
    clean_text(&s, max)
}

/// `prefix:id`, the id cleaned; an id that cleans to nothing is refused, naming `field`.
pub(crate) fn call_id(prefix: &str, raw: &str, field: &str) -> Result<CallId, PushError> {
    let id = clean_code(raw, ID_MAX);
    if id.is_empty() {
        return Err(PushError::bad_body(format!("field `{field}` is empty")));
    }
    Ok(CallId::new(format!("{prefix}:{id}")))
}

/// The agent's extension, cleaned; empty is refused, naming `field`.
pub(crate) fn extension(raw: &str, field: &str) -> Result<String, PushError> {
    let ext = clean_code(raw, EXTENSION_MAX);
    if ext.is_empty() {
        return Err(PushError::bad_body(format!("field `{field}` is empty")));
    }
    Ok(ext)
}

/// The other party: the number as received (empty when withheld) and a name when there is one.
pub(crate) fn party(number: Option<&str>, name: Option<&str>) -> RemoteParty {
    RemoteParty { number: clean_code(number.unwrap_or(""), NUMBER_MAX), name: optional(name, NAME_MAX) }
}

/// Cleaned, or `None` when absent or nothing is left.
pub(crate) fn optional(raw: Option<&str>, max: usize) -> Option<String> {
    raw.map(|s| clean_text(s, max)).filter(|s| !s.is_empty())
}
