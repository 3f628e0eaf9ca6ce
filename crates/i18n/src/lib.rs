//! Every word Ringside shows outside its windows, in the agent's language: the tray, desktop
//! notifications, and `ringside-cli`'s output for people. The words are Fluent messages in
//! `locales/<lang>/ringside.ftl` at the repository's root, embedded here at compile time; the
//! windows read the very same files (`ui/src/lib/words.ts`), so a message has one id and one
//! text per language wherever it is shown (docs/i18n.md).
//!
//! - [`Language`]: English, Russian, Ukrainian, Polish; [`LanguageChoice`]: a language or
//!   `auto` (the `[ui] language` setting).
//! - [`choose`]: the setting, else the OS locale ([`os_locales`]), else English.
//! - [`Words::of`]: the messages of one language, formatted with [`Args`]; a message the
//!   language lacks, or one that fails to format, is taken from English.
//!
//! Fluent's Unicode isolation marks (FSI/PDI around every placeable) are off: every text
//! Ringside shows is left-to-right, the caller's own text has its bidi controls removed where
//! it enters (ringside-text), and the marks would end up in the tray tooltip, desktop
//! notifications, terminal output and in the literal strings tests compare.

mod language;
mod words;

pub use language::{choose, os_locales, Language, LanguageChoice, Speaking, UnknownLanguage};
pub use words::{error_message_id, Args, Words};

/// The Fluent source of each language, as embedded (the tests read them again with
/// fluent-syntax).
pub fn source(language: Language) -> &'static str {
    match language {
        Language::En => include_str!("../../../locales/en/ringside.ftl"),
        Language::Ru => include_str!("../../../locales/ru/ringside.ftl"),
        Language::Uk => include_str!("../../../locales/uk/ringside.ftl"),
        Language::Pl => include_str!("../../../locales/pl/ringside.ftl"),
    }
}
