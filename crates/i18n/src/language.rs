//! Which language: the `[ui] language` setting, else the operating system's, else English.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language Ringside speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Language {
    En,
    Ru,
    Uk,
    Pl,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::En, Language::Ru, Language::Uk, Language::Pl];

    /// The ISO 639-1 code, which is also the folder under `locales/` and the BCP 47 tag the
    /// windows format dates and numbers with.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ru => "ru",
            Language::Uk => "uk",
            Language::Pl => "pl",
        }
    }

    /// The language of a locale as operating systems name it: `uk-UA`, `uk_UA.UTF-8`,
    /// `pl_PL@euro`, `ru`, `EN-gb`. `C` and `POSIX` are English. Anything else is `None`.
    pub fn of_locale(locale: &str) -> Option<Language> {
        let primary = locale.split(['-', '_', '.', '@']).next().unwrap_or_default().trim();
        if primary.eq_ignore_ascii_case("c") || primary.eq_ignore_ascii_case("posix") {
            return Some(Language::En);
        }
        Language::ALL.into_iter().find(|l| primary.eq_ignore_ascii_case(l.code()))
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A value that is not one of the languages (or `auto`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a language Ringside speaks: use \"auto\", \"en\", \"ru\", \"uk\" or \"pl\"")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::ALL.into_iter().find(|l| l.code() == s).ok_or_else(|| UnknownLanguage(s.to_string()))
    }
}

/// The `[ui] language` setting: a language, or `auto` (the operating system's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum LanguageChoice {
    #[default]
    Auto,
    En,
    Ru,
    Uk,
    Pl,
}

impl LanguageChoice {
    pub const ALL: [LanguageChoice; 5] =
        [LanguageChoice::Auto, LanguageChoice::En, LanguageChoice::Ru, LanguageChoice::Uk, LanguageChoice::Pl];

    /// The language it names; `None` for `auto`.
    pub fn fixed(self) -> Option<Language> {
        match self {
            LanguageChoice::Auto => None,
            LanguageChoice::En => Some(Language::En),
            LanguageChoice::Ru => Some(Language::Ru),
            LanguageChoice::Uk => Some(Language::Uk),
            LanguageChoice::Pl => Some(Language::Pl),
        }
    }

    pub fn code(self) -> &'static str {
        self.fixed().map_or("auto", Language::code)
    }
}

impl From<Language> for LanguageChoice {
    fn from(language: Language) -> Self {
        match language {
            Language::En => LanguageChoice::En,
            Language::Ru => LanguageChoice::Ru,
            Language::Uk => LanguageChoice::Uk,
            Language::Pl => LanguageChoice::Pl,
        }
    }
}

impl FromStr for LanguageChoice {
    type Err = UnknownLanguage;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        LanguageChoice::ALL.into_iter().find(|c| c.code() == s).ok_or_else(|| UnknownLanguage(s.to_string()))
    }
}

impl fmt::Display for LanguageChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The operating system's preferred locales, most preferred first (on Unix: `LANGUAGE`,
/// `LC_ALL`, `LC_MESSAGES`, `LANG`; elsewhere the system's language list).
pub fn os_locales() -> Vec<String> {
    sys_locale::get_locales().collect()
}

/// The language to speak: the setting when it names one; for `auto`, the first of the OS
/// locales that Ringside speaks (`C`/`POSIX` being English); else English.
pub fn choose<S: AsRef<str>>(choice: LanguageChoice, os_locales: impl IntoIterator<Item = S>) -> Language {
    if let Some(language) = choice.fixed() {
        return language;
    }
    os_locales.into_iter().find_map(|l| Language::of_locale(l.as_ref())).unwrap_or(Language::En)
}

/// What Ringside speaks, and what the agent chose (`auto`: the operating system's language):
/// what the windows are told at start and whenever it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Speaking {
    pub language: Language,
    pub choice: LanguageChoice,
}

impl Speaking {
    pub fn of<S: AsRef<str>>(choice: LanguageChoice, os_locales: &[S]) -> Speaking {
        Speaking { language: choose(choice, os_locales), choice }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locale_is_read_in_any_of_the_forms_systems_write() {
        assert_eq!(Language::of_locale("uk-UA"), Some(Language::Uk));
        assert_eq!(Language::of_locale("uk_UA.UTF-8"), Some(Language::Uk));
        assert_eq!(Language::of_locale("pl_PL@euro"), Some(Language::Pl));
        assert_eq!(Language::of_locale("RU"), Some(Language::Ru));
        assert_eq!(Language::of_locale("en-GB"), Some(Language::En));
        assert_eq!(Language::of_locale("C"), Some(Language::En));
        assert_eq!(Language::of_locale("C.UTF-8"), Some(Language::En));
        assert_eq!(Language::of_locale("POSIX"), Some(Language::En));
        assert_eq!(Language::of_locale("de-DE"), None);
        assert_eq!(Language::of_locale("be-BY"), None);
        assert_eq!(Language::of_locale(""), None);
    }

    #[test]
    fn the_setting_wins_then_the_first_os_locale_spoken_then_english() {
        assert_eq!(choose(LanguageChoice::Pl, ["uk-UA"]), Language::Pl);
        assert_eq!(choose(LanguageChoice::Auto, ["uk-UA", "ru-RU"]), Language::Uk);
        assert_eq!(choose(LanguageChoice::Auto, ["de-DE", "ru-RU"]), Language::Ru);
        assert_eq!(choose(LanguageChoice::Auto, ["de-DE"]), Language::En);
        assert_eq!(choose(LanguageChoice::Auto, Vec::<String>::new()), Language::En);
        // LC_ALL=C over LANG=ru_RU: the C locale is what the user asked for.
        assert_eq!(choose(LanguageChoice::Auto, ["C", "ru-RU"]), Language::En);
    }

    #[test]
    fn choices_read_and_write_their_codes() {
        for choice in LanguageChoice::ALL {
            assert_eq!(choice.code().parse::<LanguageChoice>(), Ok(choice));
        }
        assert_eq!("uk".parse::<Language>(), Ok(Language::Uk));
        assert!("ua".parse::<LanguageChoice>().is_err());
        assert_eq!(LanguageChoice::from(Language::Ru).fixed(), Some(Language::Ru));
    }
}
