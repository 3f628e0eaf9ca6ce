//! Phone number normalization: one caller number in, the keys the directory is searched by out.
//!
//! # Rules
//!
//! 1. The raw text is always kept, exactly as received.
//! 2. A leading `tel:` is dropped. Formatting is ignored: spaces (including the no-break
//!    spaces spreadsheets put in), tabs, `-`, `.`, `/`, `(` and `)`.
//! 3. What is left must be ASCII digits with at most one `+`, before the first digit.
//!    Anything else — letters, `*`, `#`, a `+` in the middle, control characters, invisible
//!    direction marks (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and **non-ASCII digits**
//!    such as `٣٤٥` or `３４５` — makes the text [`NumberKind::NotANumber`], with the reason.
//!    Unicode digits are refused rather than converted: no PBX sends them, and text that
//!    mixes scripts is far more often a spoofing attempt or a copy-paste accident than a
//!    number, so turning it silently into ASCII would match the wrong customer.
//! 4. No digit at all, or more than [`LookupConfig::max_digits`] digits (20 by default; E.164
//!    allows 15 and international prefixes add a few) → not a phone number. The cap also keeps
//!    the parser's cost bounded: it only ever sees at most 21 characters.
//! 5. Only digits and no `+`, at most [`LookupConfig::internal_max_len`] of them (5 by
//!    default) → [`NumberKind::Internal`]: an extension, a colleague, never looked up.
//!    With a `+`, that short → not a phone number (too short).
//! 6. Everything else is [`NumberKind::External`] and goes to libphonenumber (the
//!    `phonenumber` crate) with the default region, inside [`std::panic::catch_unwind`]:
//!    the parser has panicked on crafted input in past releases, and a panic becomes "not
//!    parsed" here (the number is still looked up by its last digits). If the number was
//!    typed without `+` and does not parse to a number that fits the default region's
//!    numbering plan, it is tried once more as an international number (`380441234567` →
//!    `+380441234567`), since PBXs often drop the `+`.
//! 7. The parser's answer is **cross-checked** against the digits as typed: its national
//!    significant number must end with the last [`LookupConfig::suffix_len`] typed digits
//!    (or, for short local forms, the typed digits must end with it). A number typed in
//!    national form must also fit its country's numbering plan (libphonenumber's general
//!    pattern and lengths for that country code). Otherwise the answer is distrusted:
//!    `e164` and `national` stay empty and only the suffix key is used.
//! 8. `suffix` is the last `suffix_len` digits (9 by default) of the national significant
//!    number when the E.164 form is trusted, else of the typed digits. It is the fallback
//!    key: `+380 44 123 45 67`, `044 123 4567`, `0441234567` and `380441234567` all give
//!    `441234567`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::str::FromStr;

use phonenumber::country;
use regex::Regex;
use serde::{Deserialize, Serialize};

/// How numbers are read. Shared by [`normalize`] and the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LookupConfig {
    /// ISO 3166 two-letter region for numbers typed without a country code ("UA", "PL", …).
    pub default_region: String,
    /// How many trailing digits form the fallback key.
    pub suffix_len: usize,
    /// All-digit numbers up to this length are internal extensions.
    pub internal_max_len: usize,
    /// More digits than this is not a phone number.
    pub max_digits: usize,
}

impl Default for LookupConfig {
    fn default() -> Self {
        Self { default_region: "UA".to_owned(), suffix_len: 9, internal_max_len: 5, max_digits: 20 }
    }
}

impl LookupConfig {
    /// A configuration for `region` with the default lengths.
    pub fn for_region(region: &str) -> Self {
        Self { default_region: region.to_owned(), ..Self::default() }
    }

    /// Checks the region and the lengths; the directory calls this when it opens.
    pub fn validate(&self) -> Result<(), crate::LookupError> {
        if region_id(&self.default_region).is_none() {
            return Err(crate::LookupError::UnknownRegion(self.default_region.clone()));
        }
        if self.suffix_len < 6 || self.suffix_len > 15 {
            return Err(crate::LookupError::BadConfig(format!(
                "the suffix length must be between 6 and 15 digits, not {}",
                self.suffix_len
            )));
        }
        if self.internal_max_len >= self.suffix_len || self.max_digits < self.suffix_len {
            return Err(crate::LookupError::BadConfig(format!(
                "extensions (up to {} digits) must be shorter than the suffix ({} digits), \
                 and the suffix no longer than the longest number ({} digits)",
                self.internal_max_len, self.suffix_len, self.max_digits
            )));
        }
        Ok(())
    }
}

fn region_id(region: &str) -> Option<country::Id> {
    // Parsing the region name is a linear search over ~250 names; every number needs it,
    // and the configured region rarely changes, so the last answer is kept per thread.
    thread_local! {
        static LAST: std::cell::RefCell<Option<(String, Option<country::Id>)>> = const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((name, id)) = last.as_ref() {
            if name == region {
                return *id;
            }
        }
        let upper = region.trim().to_ascii_uppercase();
        let id = if upper.len() == 2 { country::Id::from_str(&upper).ok() } else { None };
        *last = Some((region.to_owned(), id));
        id
    })
}

/// What kind of text a number turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "reason")]
pub enum NumberKind {
    /// A customer's number: looked up.
    External,
    /// An internal extension: a colleague, never looked up.
    Internal,
    /// Not a phone number; the reason says why.
    NotANumber(NotANumber),
}

/// Why a text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum NotANumber {
    #[error("there is no number (empty)")]
    Empty,
    #[error("there are no digits in it")]
    NoDigits,
    #[error("it has more than {0} digits, which is longer than any phone number")]
    TooLong(usize),
    #[error("it has only {0} digits after the +, too short for an international number")]
    TooShort(usize),
    #[error("it contains the non-ASCII digit {0}; only 0-9 are accepted")]
    UnicodeDigit(String),
    #[error("it contains the invisible text-direction mark {0}, which can disguise a number")]
    DirectionMark(String),
    #[error("it contains {0}, which cannot be part of a phone number")]
    Forbidden(String),
    #[error("a + may only stand at the start of a number")]
    MisplacedPlus,
}

/// A number in every form the directory needs. See the module documentation for the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizedNumber {
    /// Exactly as received.
    pub raw: String,
    /// `+380441234567`, when the parser's answer was trusted.
    pub e164: Option<String>,
    /// The national form as people in that country write it (`044 123 4567`), when trusted.
    pub national: Option<String>,
    /// The last `suffix_len` digits: the fallback key. `None` unless `kind` is `External`.
    pub suffix: Option<String>,
    pub kind: NumberKind,
}

impl NormalizedNumber {
    pub fn is_external(&self) -> bool {
        self.kind == NumberKind::External
    }

    /// The ASCII digits of the number as received (`+38 (044) 123-45-67` → `380441234567`).
    pub fn digits(&self) -> String {
        self.raw.chars().filter(char::is_ascii_digit).collect()
    }

    fn refused(raw: &str, why: NotANumber) -> Self {
        Self { raw: raw.to_owned(), e164: None, national: None, suffix: None, kind: NumberKind::NotANumber(why) }
    }
}

impl fmt::Display for NormalizedNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.e164, &self.suffix) {
            (Some(e164), _) => f.write_str(e164),
            (None, Some(suffix)) => write!(f, "…{suffix}"),
            (None, None) => write!(f, "{:?}", self.raw),
        }
    }
}

/// Loads libphonenumber's metadata, which the first [`normalize`] otherwise pays for (about a
/// second in a debug build, tens of milliseconds in release): call it once at start-up, off the
/// async runtime, so the first caller's card is not late.
pub fn warm_up(cfg: &LookupConfig) {
    let _ = normalize("+380441234567", cfg);
}

/// Normalizes one number. Never panics, whatever the input.
pub fn normalize(raw: &str, cfg: &LookupConfig) -> NormalizedNumber {
    normalize_with(raw, cfg, true)
}

/// Splits `raw` into (has_plus, ascii digits), or the reason it is not a number.
pub(crate) fn clean(raw: &str, max_digits: usize) -> Result<(bool, String), NotANumber> {
    let mut text = raw.trim_matches(is_space);
    if text.is_empty() {
        return Err(NotANumber::Empty);
    }
    if text.len() >= 4 && text.is_char_boundary(4) && text[..4].eq_ignore_ascii_case("tel:") {
        text = &text[4..];
    }
    let mut plus = false;
    let mut digits = String::with_capacity(max_digits + 1);
    for c in text.chars() {
        match c {
            '0'..='9' => {
                if digits.len() == max_digits {
                    return Err(NotANumber::TooLong(max_digits));
                }
                digits.push(c);
            }
            '+' if !plus && digits.is_empty() => plus = true,
            '+' => return Err(NotANumber::MisplacedPlus),
            c if is_space(c) || matches!(c, '-' | '.' | '/' | '(' | ')') => {}
            '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' => {
                return Err(NotANumber::DirectionMark(format!("U+{:04X}", c as u32)));
            }
            c if c.is_numeric() => return Err(NotANumber::UnicodeDigit(describe(c))),
            c => return Err(NotANumber::Forbidden(describe(c))),
        }
    }
    if digits.is_empty() {
        return Err(NotANumber::NoDigits);
    }
    Ok((plus, digits))
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{A0}' | '\u{202F}' | '\u{2007}')
}

/// `'x'` for printable characters, `U+0007` for the rest.
fn describe(c: char) -> String {
    if c.is_control() || c.is_whitespace() || ('\u{2000}'..='\u{206F}').contains(&c) {
        format!("U+{:04X}", c as u32)
    } else {
        format!("'{c}' (U+{:04X})", c as u32)
    }
}

/// `with_national` = false skips formatting the national form (the import does not store it).
pub(crate) fn normalize_with(raw: &str, cfg: &LookupConfig, with_national: bool) -> NormalizedNumber {
    let (plus, digits) = match clean(raw, cfg.max_digits) {
        Ok(v) => v,
        Err(why) => return NormalizedNumber::refused(raw, why),
    };
    if digits.len() <= cfg.internal_max_len {
        if plus {
            return NormalizedNumber::refused(raw, NotANumber::TooShort(digits.len()));
        }
        return NormalizedNumber {
            raw: raw.to_owned(),
            e164: None,
            national: None,
            suffix: None,
            kind: NumberKind::Internal,
        };
    }
    let typed_suffix = last_n(&digits, cfg.suffix_len);
    let trusted = parse_trusted(plus, &digits, typed_suffix, cfg);
    let (e164, national, suffix) = match trusted {
        Some((number, nsn)) => {
            // E.164 is "+", the country code and the national significant number, nothing else.
            let e164 = format!("+{}{nsn}", number.code().value());
            let national = if with_national {
                format_guarded(|| number.format().mode(phonenumber::Mode::National).to_string())
            } else {
                None
            };
            (Some(e164), national, last_n(&nsn, cfg.suffix_len).to_owned())
        }
        None => (None, None, typed_suffix.to_owned()),
    };
    NormalizedNumber { raw: raw.to_owned(), e164, national, suffix: Some(suffix), kind: NumberKind::External }
}

fn last_n(s: &str, n: usize) -> &str {
    // `s` is ASCII digits only, so any byte index is a char boundary.
    &s[s.len().saturating_sub(n)..]
}

fn format_guarded(f: impl FnOnce() -> String) -> Option<String> {
    panic::catch_unwind(AssertUnwindSafe(f)).ok()
}

/// Runs the parser (panic-safe) and cross-checks it; returns the number and its national
/// significant number only when both agree with what was typed.
fn parse_trusted(
    plus: bool,
    digits: &str,
    typed_suffix: &str,
    cfg: &LookupConfig,
) -> Option<(phonenumber::PhoneNumber, String)> {
    let region = region_id(&cfg.default_region);
    let first = if plus { format!("+{digits}") } else { digits.to_owned() };
    let parsed = parse_guarded(region, &first);
    let accept = |number: &phonenumber::PhoneNumber, explicit_cc: bool| -> Option<String> {
        let nsn = nsn_of(number);
        let agrees = nsn.ends_with(typed_suffix) || typed_suffix.ends_with(nsn.as_str());
        if !agrees {
            tracing::debug!(typed = digits, parsed = %nsn, "phone parser disagrees with the digits typed; using the suffix only");
            return None;
        }
        // A number typed with its country code says which country it is; a national form is
        // only trusted when it fits the numbering plan of the country it was read for.
        if !explicit_cc && !fits_plan_guarded(number, &nsn) {
            return None;
        }
        Some(nsn)
    };
    if let Some(number) = parsed {
        if let Some(nsn) = accept(&number, plus) {
            return Some((number, nsn));
        }
    }
    // Typed without `+`: maybe an international number whose `+` the PBX dropped.
    if !plus && !digits.starts_with('0') && digits.len() > cfg.suffix_len {
        if let Some(number) = parse_guarded(None, &format!("+{digits}")) {
            if let Some(nsn) = accept(&number, false) {
                return Some((number, nsn));
            }
        }
    }
    None
}

fn parse_guarded(region: Option<country::Id>, text: &str) -> Option<phonenumber::PhoneNumber> {
    match panic::catch_unwind(|| phonenumber::parse(region, text)) {
        Ok(Ok(number)) => Some(number),
        Ok(Err(_)) => None,
        Err(_) => {
            tracing::warn!(number = text, "the phone number parser panicked; using the last digits only");
            None
        }
    }
}

/// One region's possible national lengths (empty: any) and anchored general pattern.
type Plan = (Vec<u16>, Option<Regex>);

/// Whether the national significant number fits the numbering plan of its country code:
/// libphonenumber's "general description" of that country, matched in full, with its
/// possible lengths. That is the part of `is_valid` that matters here — "could these digits
/// be a number of that country at all?" — at a fraction of the cost: `is_valid` tries the
/// pattern of every number type in turn and was the most expensive step of an import. (The
/// difference: numbers in ranges set aside for fiction, like the UK's 07700 900xxx, fit the
/// plan although they are not "valid".)
fn fits_plan_guarded(number: &phonenumber::PhoneNumber, nsn: &str) -> bool {
    thread_local! {
        /// Anchored general patterns per country calling code, compiled once per thread.
        static PLANS: RefCell<HashMap<u16, Vec<Plan>>> = RefCell::new(HashMap::new());
    }
    panic::catch_unwind(AssertUnwindSafe(|| {
        let code = number.code().value();
        PLANS.with(|plans| {
            let mut plans = plans.borrow_mut();
            let plans = plans.entry(code).or_insert_with(|| {
                let db = &*phonenumber::metadata::DATABASE;
                db.by_code(&code)
                    .unwrap_or_default()
                    .iter()
                    .map(|m| {
                        let general = m.descriptors().general();
                        // The metadata patterns are laid out over several lines: whitespace is not part of them.
                        let pattern = format!("^(?x:{})$", general.national_number().as_str());
                        (general.possible_length().to_vec(), Regex::new(&pattern).ok())
                    })
                    .collect()
            });
            plans.iter().any(|(lengths, pattern)| {
                (lengths.is_empty() || lengths.iter().any(|&l| usize::from(l) == nsn.len()))
                    && pattern.as_ref().is_some_and(|p| p.is_match(nsn))
            })
        })
    }))
    .unwrap_or(false)
}

fn nsn_of(number: &phonenumber::PhoneNumber) -> String {
    let national = number.national();
    let mut s = "0".repeat(usize::from(national.zeros()));
    s.push_str(&national.value().to_string());
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_countrys_general_pattern_compiles_anchored() {
        let db = &*phonenumber::metadata::DATABASE;
        let mut failed = Vec::new();
        let mut count = 0;
        for m in db.iter() {
            let pattern = format!("^(?x:{})$", m.descriptors().general().national_number().as_str());
            count += 1;
            if Regex::new(&pattern).is_err() {
                failed.push(m.id().to_owned());
            }
        }
        assert!(count > 200, "{count} regions");
        assert!(failed.is_empty(), "{failed:?}");
    }

    #[test]
    fn the_region_cache_follows_the_configuration() {
        assert_eq!(region_id("UA"), Some(country::Id::UA));
        assert_eq!(region_id("pl"), Some(country::Id::PL));
        assert_eq!(region_id("Ukraine"), None);
        assert_eq!(region_id("UA"), Some(country::Id::UA));
    }
}
