//! What may be dialed, and the formatting-blind key a call card is filed under.

use crate::text::{is_visual_separator, CharName};

/// Why a number cannot be dialed. (`Forbidden('+')` is a `+` after the first digit.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialError {
    #[error("there is no number to dial")]
    Empty,
    #[error("{} cannot be part of a phone number; only digits, a leading +, * and # can be dialed", Refused(*.0))]
    Forbidden(char),
    #[error("the number is too long to be a phone number (more than {0} digits)")]
    TooLong(usize),
}

/// [`CharName`], except that a `+` is only ever refused for where it stands.
struct Refused(char);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 == '+' {
            f.write_str("a '+' after the first digit")
        } else {
            CharName(self.0).fmt(f)
        }
    }
}

/// Longest number we hand to a PBX or a softphone (E.164 allows 15 digits; prefixes add a few).
pub const MAX_DIAL_LEN: usize = 24;

/// What may be dialed: surrounding whitespace and [visual separators](is_visual_separator) are
/// dropped, and only ASCII digits, `*`, `#` and a leading `+` remain. Anything else — letters,
/// `/`, `;`, `$`, `%`, tabs, line breaks, invisible characters, Unicode digits — is refused
/// rather than silently removed, so hostile text like `123 /password:x` never turns into a
/// number either.
pub fn dialable(raw: &str) -> Result<String, DialError> {
    let mut out = String::with_capacity(raw.len().min(MAX_DIAL_LEN + 1));
    for c in raw.trim().chars() {
        match c {
            '0'..='9' | '*' | '#' => out.push(c),
            '+' if out.is_empty() => out.push(c),
            c if is_visual_separator(c) => {}
            other => return Err(DialError::Forbidden(other)),
        }
        if out.len() > MAX_DIAL_LEN {
            return Err(DialError::TooLong(MAX_DIAL_LEN));
        }
    }
    if out.trim_start_matches('+').is_empty() {
        return Err(DialError::Empty);
    }
    Ok(out)
}

/// A first, formatting-blind form of a number, for filing a call before any lookup:
/// `+380 (44) 123-45-67` → `+380441234567`; `044 123 4567` → `0441234567`. Keeps a leading
/// `+` and the ASCII digits (at most 32), whatever stands between them. `None` when no digit
/// is left (withheld, `<unknown>`, garbage).
pub fn normalize_digits(raw: &str) -> Option<String> {
    let trimmed = raw.trim_start();
    let mut out = String::with_capacity(raw.len().min(32));
    if trimmed.starts_with('+') {
        out.push('+');
    }
    out.extend(raw.chars().filter(|c| c.is_ascii_digit()).take(32));
    if out.trim_start_matches('+').is_empty() {
        None
    } else {
        Some(out)
    }
}

/// Internal extensions (short all-digit numbers) are colleagues, not customers.
pub fn is_internal_extension(raw: &str, max_len: usize) -> bool {
    let t = raw.trim();
    !t.is_empty() && t.len() <= max_len && t.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_is_ignored() {
        assert_eq!(normalize_digits("+380 (44) 123-45-67").as_deref(), Some("+380441234567"));
        assert_eq!(normalize_digits("044 123 4567").as_deref(), Some("0441234567"));
        assert_eq!(normalize_digits(" +1-555").as_deref(), Some("+1555"));
    }

    #[test]
    fn no_digits_is_none() {
        assert_eq!(normalize_digits("<unknown>"), None);
        assert_eq!(normalize_digits("+"), None);
        assert_eq!(normalize_digits(""), None);
        // Unicode digits are not ASCII digits: never silently turned into a number.
        assert_eq!(normalize_digits("٣٤٥"), None);
    }

    #[test]
    fn length_is_capped() {
        let long = "1".repeat(10_000);
        assert_eq!(normalize_digits(&long).map(|s| s.len()), Some(32));
    }

    #[test]
    fn internal_extensions() {
        assert!(is_internal_extension("100", 5));
        assert!(!is_internal_extension("+380441234567", 5));
        assert!(!is_internal_extension("", 5));
    }
}
