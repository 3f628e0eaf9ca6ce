//! A first, formatting-blind form of a phone number.
//!
//! Full normalization (libphonenumber, regions, suffix keys) belongs to the lookup crate;
//! the card only needs a stable key now, so this keeps `+` (leading only) and ASCII digits.

/// `+380 (44) 123-45-67` → `+380441234567`; `044 123 4567` → `0441234567`.
/// Returns `None` when no digit is left (withheld, `<unknown>`, garbage).
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
