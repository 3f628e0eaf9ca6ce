//! Phone numbers as Ringside reads them, in one place for every path that reads one: the
//! card's lookup, the dialer, `tel:` links, the call history.
//!
//! - [`is_visual_separator`]: the one definition of what only lays a number out (ASCII and
//!   typographic spaces and dashes, `.`, `(`, `)`), dropped everywhere; [`CharName`]: how any
//!   other character is named when a number is refused (visible ones quoted with their code,
//!   invisible ones by code).
//! - [`dialable`]: what may reach a PBX or a softphone (`[0-9+*#]`, hostile text refused by
//!   name, never silently stripped); [`normalize_digits`]: a formatting-blind key for a card.
//! - [`normalize`] (feature `parse`, on by default): libphonenumber with a default region,
//!   cross-checked against the digits as typed, giving E.164 and national forms and the
//!   last-digits keys a directory is searched by.
//!
//! ```
//! use ringside_numbers::{dialable, CharName, DialError};
//!
//! // A number pasted from a web page: no-break spaces and a non-breaking hyphen.
//! let pasted = "+380\u{a0}44\u{a0}123\u{2011}45\u{2011}67";
//! assert_eq!(dialable(pasted).unwrap(), "+380441234567");
//! assert_eq!(dialable("123 /password:x"), Err(DialError::Forbidden('/')));
//! assert_eq!(CharName('\u{200b}').to_string(), "the invisible character U+200B");
//! ```
//!
//! Nothing here does IO. Without the `parse` feature the crate has no dependency beyond serde
//! and thiserror, which is how `ringside-core` uses it.

mod dial;
#[cfg(feature = "parse")]
mod parse;
mod text;

pub use dial::{dialable, is_internal_extension, normalize_digits, DialError, MAX_DIAL_LEN};
#[cfg(feature = "parse")]
pub use parse::{normalize, normalize_keys, warm_up, ConfigError, NormalizedNumber, NumberConfig, NumberKind};
pub use text::{is_direction_mark, is_invisible, is_visual_separator, read_digits, CharName, Digits, NotANumber};
