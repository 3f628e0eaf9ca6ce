//! The messages of one language, formatted; English for whatever a language lacks.

use std::borrow::Cow;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::language::Language;

/// The values a message's placeables take, by name: text (a name, a number as the PBX wrote
/// it) or a number (which plural selectors on `$n` choose by).
#[derive(Default)]
pub struct Args<'a>(FluentArgs<'a>);

impl<'a> Args<'a> {
    pub fn new() -> Self {
        Self(FluentArgs::new())
    }

    pub fn text(mut self, name: &'a str, value: impl Into<Cow<'a, str>>) -> Self {
        self.0.set(name, FluentValue::String(value.into()));
        self
    }

    pub fn number(mut self, name: &'a str, value: i64) -> Self {
        self.0.set(name, FluentValue::from(value));
        self
    }
}

/// The Fluent id of an error code: `error-` and the code with every `.` and `_` as `-`
/// (`pbx.login_refused` → `error-pbx-login-refused`). The windows apply the same rule
/// (`ui/src/lib/words.ts`).
pub fn error_message_id(code: &str) -> String {
    let mut id = String::with_capacity(code.len() + 6);
    id.push_str("error-");
    id.extend(code.chars().map(|c| if c == '.' || c == '_' { '-' } else { c }));
    id
}

/// One language's messages.
pub struct Words {
    language: Language,
    bundle: FluentBundle<FluentResource>,
}

impl Words {
    /// The messages of `language`, parsed once per process.
    pub fn of(language: Language) -> &'static Words {
        static ALL: [OnceLock<Words>; 4] = [OnceLock::new(), OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let slot = match language {
            Language::En => &ALL[0],
            Language::Ru => &ALL[1],
            Language::Uk => &ALL[2],
            Language::Pl => &ALL[3],
        };
        slot.get_or_init(|| Words::load(language))
    }

    fn load(language: Language) -> Words {
        let resource = match FluentResource::try_new(crate::source(language).to_string()) {
            Ok(resource) => resource,
            Err((partial, errors)) => {
                // The tests parse every file; a broken entry is skipped, the rest still speaks.
                tracing::error!(%language, ?errors, "the language's words have syntax errors");
                partial
            }
        };
        let id = language.code().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        bundle.set_use_isolating(false);
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(%language, ?errors, "the language's words define a message twice");
        }
        Words { language, bundle }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Whether this language (not English in its place) has the message.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }

    /// A message with no placeables.
    pub fn get(&self, id: &str) -> String {
        self.format(id, &Args::new())
    }

    /// A message with its placeables filled. A message this language lacks, or one it cannot
    /// format (a placeable without a value), is English's; one English lacks too is its id.
    pub fn format(&self, id: &str, args: &Args) -> String {
        if let Some(text) = self.try_format(id, args) {
            return text;
        }
        if self.language != Language::En {
            if let Some(text) = Words::of(Language::En).try_format(id, args) {
                return text;
            }
        }
        tracing::warn!(id, "no words for this message");
        id.to_string()
    }

    /// An error crossing from the runtime as `{code, args, message}`: its message in this
    /// language with the error's values; in English, or when this language lacks the code,
    /// `fallback`, the error's own English sentence (the most precise: it may name the cause
    /// below, and it is what the logs say). The English catalogue's `error-*` messages are the
    /// reference translations are made from.
    pub fn error<'a>(&self, code: &str, args: impl IntoIterator<Item = (&'a str, &'a str)>, fallback: &str) -> String {
        if self.language == Language::En {
            return fallback.to_string();
        }
        let args = args.into_iter().fold(Args::new(), |a, (name, value)| a.text(name, value));
        self.try_format(&error_message_id(code), &args).unwrap_or_else(|| fallback.to_string())
    }

    fn try_format(&self, id: &str, args: &Args) -> Option<String> {
        let pattern = self.bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        let text = self.bundle.format_pattern(pattern, Some(&args.0), &mut errors);
        if !errors.is_empty() {
            tracing::debug!(language = %self.language, id, ?errors, "a message could not be formatted");
            return None;
        }
        Some(text.into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_follow_each_language_s_rules() {
        let missed = |language, n| Words::of(language).format("callbacks-missed", &Args::new().number("n", n));
        assert_eq!(missed(Language::En, 1), "1 missed call");
        assert_eq!(missed(Language::En, 2), "2 missed calls");
        assert_eq!(missed(Language::Uk, 1), "1 пропущений дзвінок");
        assert_eq!(missed(Language::Uk, 2), "2 пропущені дзвінки");
        assert_eq!(missed(Language::Uk, 5), "5 пропущених дзвінків");
        assert_eq!(missed(Language::Uk, 21), "21 пропущений дзвінок");
        assert_eq!(missed(Language::Uk, 12), "12 пропущених дзвінків");
        assert_eq!(missed(Language::Ru, 22), "22 пропущенных звонка");
        assert_eq!(missed(Language::Pl, 1), "1 nieodebrane połączenie");
        assert_eq!(missed(Language::Pl, 3), "3 nieodebrane połączenia");
        assert_eq!(missed(Language::Pl, 12), "12 nieodebranych połączeń");
        // Polish "one" is 1 alone: 21 takes "many".
        assert_eq!(missed(Language::Pl, 21), "21 nieodebranych połączeń");
    }

    #[test]
    fn an_exact_number_comes_before_the_plural_category() {
        let tray = |language, n| Words::of(language).format("tray-missed", &Args::new().number("n", n));
        assert_eq!(tray(Language::En, 0), "No missed calls");
        assert_eq!(tray(Language::Uk, 0), "Пропущених дзвінків немає");
        assert_eq!(tray(Language::Uk, 3), "Передзвонити 3 абонентам");
    }

    #[test]
    fn placeables_carry_no_isolation_marks() {
        let text = Words::of(Language::Ru).format("notice-missed-call-summary", &Args::new().text("who", "Анна"));
        assert_eq!(text, "Пропущенный звонок: Анна");
        assert!(!text.contains(['\u{2068}', '\u{2069}']));
    }

    #[test]
    fn english_fills_in_for_a_message_a_language_lacks_and_the_id_for_one_nobody_has() {
        // Every shipped message exists in every language (tests/catalogues.rs), so the fallback
        // is seen through a message that cannot be formatted in Ukrainian…
        let uk = Words::of(Language::Uk);
        assert!(uk.has("card-unknown-caller"));
        assert_eq!(uk.get("card-unknown-caller"), "Невідомий абонент");
        assert_eq!(uk.get("no-such-message"), "no-such-message");
        // …a placeable without a value is an error: English is tried, then the id.
        assert_eq!(uk.format("card-queue", &Args::new()), "card-queue");
    }

    #[test]
    fn an_error_is_worded_by_its_code_or_falls_back_to_its_english_sentence() {
        assert_eq!(error_message_id("pbx.login_refused"), "error-pbx-login-refused");
        let uk = Words::of(Language::Uk);
        assert_eq!(
            uk.error("pbx.login_refused", [("username", "agent100")], "the PBX refused the AMI login"),
            "АТС відхилила вхід до AMI для користувача agent100: неправильне ім’я або пароль"
        );
        assert_eq!(
            uk.error("agent.not_now", [("state", "logged_out"), ("input", "stop accepting calls")], "cannot"),
            "Спершу увійдіть у систему"
        );
        assert_eq!(uk.error("nobody.knows_this", [], "the English sentence"), "the English sentence");
        // English speaks the error's own sentence, which may say more than the catalogue.
        let en = Words::of(Language::En);
        assert_eq!(en.error("pbx.login_refused", [("username", "agent100")], "as the error says"), "as the error says");
    }
}
