//! Outgoing calls on this desktop: what a "Call" button or a clicked `tel:` link turns into.
//!
//! - [`format_number`]: the number as one connection dials it. Hostile text is refused first
//!   (only ASCII digits, `*`, `#` and a leading `+` survive; visual separators — ASCII and
//!   typographic spaces and dashes, as [`ringside_numbers::is_visual_separator`] defines them
//!   for every path — are dropped), then
//!   the connection's [`DialRule`](settings::DialRule) is applied: format, the first
//!   matching `replace`, `prefix`.
//! - [`number_from_link`]: the number in a `tel:`, `callto:` or `sip:` link from a browser.
//! - [`plan`] and [`launch`]: a softphone (MicroSIP, Zoiper), the desktop's link handler or a
//!   configured program, started with an argument vector — never through a shell — with exactly
//!   one argument that carries the number, and that argument only ever holds `[0-9+*#]` (or an
//!   allow-listed `scheme:` and those characters).
//! - [`detect`], [`default_link_handler`], [`become_link_handler`]: what is installed, and who
//!   handles `tel:` links.
//!
//! ```
//! use ringside_dial::settings::{DialRule, NumberFormat};
//!
//! let rule = DialRule { format: NumberFormat::National, replace: Vec::new(), prefix: "9".into() };
//! assert_eq!(ringside_dial::format_number("+380 (44) 123-45-67", &rule, "UA").unwrap(), "90441234567");
//! assert!(ringside_dial::format_number("123 /password:x", &rule, "UA").is_err());
//! assert_eq!(ringside_dial::number_from_link("tel:+380-44-123-45-67").unwrap(), "+380441234567");
//! ```
//!
//! [`settings`] holds the values all of this runs on (connections, dialing rules), which
//! ringside-config reads from `config.toml`.
//!
//! See docs/dial.md for the argument vector of every connection kind and the reasons.

use std::fmt;
use std::path::PathBuf;

use ringside_numbers::CharName;

mod detect;
mod error_code;
mod launch;
mod link;
mod number;
mod os;
pub mod settings;

pub use detect::{become_link_handler, default_link_handler, detect, Detected, LINK_SCHEMES};
pub use launch::{command, launch, plan, LaunchPlan};
pub use link::{number_from_link, MAX_LINK_LEN};
pub use number::format_number;

/// Why a number cannot be dialed, or a softphone not started. `Display` is written for the
/// agent: it says what is wrong and, where there is one, what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialError {
    /// Nothing to dial: empty, only spaces or separators, or only `+`.
    #[error("there is no number to dial")]
    Empty,
    /// `ch` cannot be dialed. `input` is the text as given, shortened to 40 characters.
    #[error("{} is not a phone number: it contains {}", Shown(.input), Char(*.ch))]
    Forbidden { input: String, ch: char },
    /// More than `max` characters of number (digits, `+`, `*`, `#`).
    #[error("{} is not a phone number: it is longer than {max} digits", Shown(.input))]
    TooLong { input: String, max: usize },
    /// A `tel:`/`callto:`/`sip:` link that is refused; `link` is shortened to 40 characters.
    #[error("{} is not a link Ringside can dial: {reason}", Shown(.link))]
    BadLink { link: String, reason: String },
    /// The connection is not a program on this desktop (PBX, provider APIs).
    #[error(
        "this connection does not start a program on this computer; the call is placed through the PBX or the provider"
    )]
    NotADeepLink,
    /// The softphone or program is not where the configuration (or detection) says.
    #[error("{app} is not installed at {}; set {setting} in [[dial.connection]]", .path.display())]
    NotInstalled { app: String, path: PathBuf, setting: &'static str },
    /// The softphone was not found at all.
    #[error("{app} was not found on this computer; install it, or set {setting} in [[dial.connection]]")]
    NotFound { app: String, setting: &'static str },
    /// Starting the program failed for another reason.
    #[error("{program} could not be started: {reason}")]
    Launch { program: String, reason: String },
    /// A connection that the configuration file would have refused (built in code).
    #[error("the connection {connection:?} cannot be used: {reason}")]
    Misconfigured { connection: String, reason: String },
    /// Reading or changing the desktop's link handler failed, or cannot be done here.
    #[error("{0}")]
    LinkHandler(String),
}

/// `text` cut to 40 characters for an error message (a 10 KB paste stays readable).
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Quoted, with control and invisible characters escaped (`"12\n3"`, `"\u{202e}123"`).
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// One refused character named for the agent ([`CharName`]: `'/' (U+002F)`, `the invisible
/// character U+200B`, …). A `+` is only ever refused for where it stands.
pub(crate) struct Char(pub(crate) char);

impl fmt::Display for Char {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == '+' {
            f.write_str("a '+' that is not at the start")
        } else {
            CharName(self.0).fmt(f)
        }
    }
}

impl DialError {
    /// The dialer's sentence for `raw` refused by [`ringside_numbers::dialable`].
    pub(crate) fn not_dialable(raw: &str, e: ringside_numbers::DialError) -> Self {
        use ringside_numbers::DialError as E;
        match e {
            E::Empty => DialError::Empty,
            E::Forbidden(ch) => DialError::Forbidden { input: shorten(raw), ch },
            E::TooLong(max) => DialError::TooLong { input: shorten(raw), max },
        }
    }
}

/// The longest number (prefix included) that reaches a softphone or a PBX.
pub const MAX_NUMBER_LEN: usize = 64;

/// `Ok` when `number` is non-empty, at most [`MAX_NUMBER_LEN`] long and holds only `[0-9+*#]`:
/// what may reach a softphone.
pub(crate) fn check_dialable(number: &str) -> Result<(), DialError> {
    if let Some(ch) = number.chars().find(|c| !matches!(c, '0'..='9' | '+' | '*' | '#')) {
        return Err(DialError::Forbidden { input: shorten(number), ch });
    }
    if !number.chars().any(|c| c != '+') {
        return Err(DialError::Empty);
    }
    if number.len() > MAX_NUMBER_LEN {
        return Err(DialError::TooLong { input: shorten(number), max: MAX_NUMBER_LEN });
    }
    Ok(())
}
