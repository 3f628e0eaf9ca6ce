//! Phone number normalization: one caller number in, the keys a directory is searched by out.
//!
//! # Rules
//!
//! 1. The raw text is always kept, exactly as received.
//! 2. Surrounding whitespace and a leading `tel:` are dropped; [visual
//!    separators](crate::is_visual_separator) (ASCII and typographic spaces and dashes, `.`,
//!    `(`, `)`) and `/` are skipped.
//! 3. What is left must be ASCII digits with at most one `+`, before the first digit.
//!    Anything else — letters, `*`, `#`, a `+` in the middle, tabs, line breaks, invisible
//!    characters, direction marks and **non-ASCII digits** such as `٣٤٥` or `３４５` — makes
//!    the text [`NumberKind::NotANumber`], with the reason ([`NotANumber`]).
//! 4. No digit at all, or more than [`NumberConfig::max_digits`] digits (20 by default; E.164
//!    allows 15 and international prefixes add a few) → not a phone number. The cap also keeps
//!    the parser's cost bounded: it only ever sees at most 21 characters.
//! 5. Only digits and no `+`, at most [`NumberConfig::internal_max_len`] of them (5 by
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
//!    significant number must end with the last [`NumberConfig::suffix_len`] typed digits
//!    (or, for short local forms, the typed digits must end with it). A number typed in
//!    national form must also fit its country's numbering plan (libphonenumber's general
//!    pattern and lengths for that country code). Otherwise the answer is distrusted:
//!    `e164` and `national` stay empty.
//! 8. `suffix` is the last `suffix_len` digits (9 by default) of the national significant
//!    number when the E.164 form is trusted, else of the typed digits: `+380 44 123 45 67`,
//!    `044 123 4567`, `0441234567` and `380441234567` all give `441234567`.
//! 9. `typed_suffix` is the last `suffix_len` digits **as typed**, whatever the parser made of
//!    them, when at least that many were typed. The cross-check cannot catch every misreading:
//!    `(203) 496-1816` in region UA reads as Egypt's `+20 3 4961816` (its 8-digit national
//!    number is the end of what was typed), so its `suffix` is `34961816` while the same
//!    customer called as `+1 203 496 1816` has `034961816`. Both have the typed suffix
//!    `034961816`, so a directory that keeps it for stored numbers and asks by it finds the
//!    customer by the last digits either way.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::str::FromStr;

use phonenumber::country;
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::text::{read_digits, NotANumber};

/// How numbers are read: by [`normalize`], and by every directory that stores its keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NumberConfig {
    /// ISO 3166 two-letter region for numbers typed without a country code ("UA", "PL", …).
    pub default_region: String,
    /// How many trailing digits form the fallback keys.
    pub suffix_len: usize,
    /// All-digit numbers up to this length are internal extensions.
    pub internal_max_len: usize,
    /// More digits than this is not a phone number.
    pub max_digits: usize,
}

impl Default for NumberConfig {
    fn default() -> Self {
        Self { default_region: "UA".to_owned(), suffix_len: 9, internal_max_len: 5, max_digits: 20 }
    }
}

/// Why a [`NumberConfig`] cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("unknown region {0:?}: use a two-letter country code such as UA, PL, DE, GB or US")]
    UnknownRegion(String),
    #[error("the number settings are not usable: {0}")]
    Lengths(String),
}

impl NumberConfig {
    /// A configuration for `region` with the default lengths.
    pub fn for_region(region: &str) -> Self {
        Self { default_region: region.to_owned(), ..Self::default() }
    }

    /// Checks the region and the lengths; directories call this when they open.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if region_id(&self.default_region).is_none() {
            return Err(ConfigError::UnknownRegion(self.default_region.clone()));
        }
        if self.suffix_len < 6 || self.suffix_len > 15 {
            return Err(ConfigError::Lengths(format!(
                "the suffix length must be between 6 and 15 digits, not {}",
                self.suffix_len
            )));
        }
        if self.internal_max_len >= self.suffix_len || self.max_digits < self.suffix_len {
            return Err(ConfigError::Lengths(format!(
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
        static LAST: RefCell<Option<(String, Option<country::Id>)>> = const { RefCell::new(None) };
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

/// A number in every form a directory needs. See the module documentation for the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormalizedNumber {
    /// Exactly as received.
    pub raw: String,
    /// `+380441234567`, when the parser's answer was trusted.
    pub e164: Option<String>,
    /// The national form as people in that country write it (`044 123 4567`), when trusted.
    pub national: Option<String>,
    /// How the agent reads it on a card, when trusted: the national form for a number of the
    /// agent's own region (`044 123 4567`), the international one otherwise (`+48 22 123 45 67`).
    #[serde(default)]
    pub display: Option<String>,
    /// The last `suffix_len` digits of the national number (of the typed digits when the
    /// parser was not trusted): the fallback key. `None` unless `kind` is `External`.
    pub suffix: Option<String>,
    /// The last `suffix_len` digits exactly as typed, when at least that many were typed:
    /// the key a misread number still matches by. `None` unless `kind` is `External`.
    pub typed_suffix: Option<String>,
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

    /// Every key of this number, without repeats: E.164, suffix, typed suffix.
    pub fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = Vec::with_capacity(3);
        for key in [&self.e164, &self.suffix, &self.typed_suffix].into_iter().flatten() {
            if !keys.contains(&key.as_str()) {
                keys.push(key);
            }
        }
        keys
    }

    fn refused(raw: &str, why: NotANumber) -> Self {
        Self {
            raw: raw.to_owned(),
            e164: None,
            national: None,
            display: None,
            suffix: None,
            typed_suffix: None,
            kind: NumberKind::NotANumber(why),
        }
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
pub fn warm_up(cfg: &NumberConfig) {
    let _ = normalize("+380441234567", cfg);
}

/// Normalizes one number. Never panics, whatever the input.
///
/// ```
/// use ringside_numbers::{normalize, NumberConfig};
///
/// // A number pasted from a web page: no-break spaces and a non-breaking hyphen.
/// let n = normalize("+380\u{a0}44\u{a0}123\u{2011}45\u{2011}67", &NumberConfig::for_region("UA"));
/// assert_eq!(n.e164.as_deref(), Some("+380441234567"));
/// assert_eq!(n.national.as_deref(), Some("044 123 4567"));
/// assert_eq!(n.display.as_deref(), Some("044 123 4567"));
/// assert_eq!(n.suffix.as_deref(), Some("441234567"));
/// assert_eq!(n.typed_suffix.as_deref(), Some("441234567"));
///
/// // A foreign number reads with its country code.
/// let n = normalize("+48221234567", &NumberConfig::for_region("UA"));
/// assert_eq!(n.display.as_deref(), Some("+48 22 123 45 67"));
/// ```
pub fn normalize(raw: &str, cfg: &NumberConfig) -> NormalizedNumber {
    normalize_with(raw, cfg, true)
}

/// [`normalize`] without the national form, which only a person reads: what a directory
/// stores for each phone. Formatting it is a large part of the parser's cost in an import.
pub fn normalize_keys(raw: &str, cfg: &NumberConfig) -> NormalizedNumber {
    normalize_with(raw, cfg, false)
}

fn normalize_with(raw: &str, cfg: &NumberConfig, with_national: bool) -> NormalizedNumber {
    let (plus, digits) = match read_digits(raw, cfg.max_digits) {
        Ok(d) => (d.plus, d.digits),
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
            display: None,
            suffix: None,
            typed_suffix: None,
            kind: NumberKind::Internal,
        };
    }
    let typed_tail = last_n(&digits, cfg.suffix_len);
    let typed_suffix = (digits.len() >= cfg.suffix_len).then(|| typed_tail.to_owned());
    let trusted = parse_trusted(plus, &digits, typed_tail, cfg);
    let (e164, national, display, suffix) = match trusted {
        Some((number, nsn)) => {
            // E.164 is "+", the country code and the national significant number, nothing else.
            let e164 = format!("+{}{nsn}", number.code().value());
            let (national, display) = if with_national {
                let national = format_guarded(|| number.format().mode(phonenumber::Mode::National).to_string());
                let home = region_id(&cfg.default_region);
                let display = if home.is_some() && number.country().id() == home {
                    national.clone()
                } else {
                    format_guarded(|| number.format().mode(phonenumber::Mode::International).to_string())
                };
                (national, display)
            } else {
                (None, None)
            };
            (Some(e164), national, display, last_n(&nsn, cfg.suffix_len).to_owned())
        }
        None => (None, None, None, typed_tail.to_owned()),
    };
    NormalizedNumber {
        raw: raw.to_owned(),
        e164,
        national,
        display,
        suffix: Some(suffix),
        typed_suffix,
        kind: NumberKind::External,
    }
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
    typed_tail: &str,
    cfg: &NumberConfig,
) -> Option<(phonenumber::PhoneNumber, String)> {
    let region = region_id(&cfg.default_region);
    let first = if plus { format!("+{digits}") } else { digits.to_owned() };
    let parsed = parse_guarded(region, &first);
    let accept = |number: &phonenumber::PhoneNumber, explicit_cc: bool| -> Option<String> {
        let nsn = nsn_of(number);
        let agrees = nsn.ends_with(typed_tail) || typed_tail.ends_with(nsn.as_str());
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
