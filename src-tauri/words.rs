//! The language the shell speaks, and the words it shows outside the windows: desktop
//! notifications (the tray words itself in `tray.rs`). The words are ringside-i18n's, from the
//! same `locales/*.ftl` the windows read; the window words the same typed notices itself
//! (`ui/src/lib/words.ts`, `noticeWords`).

use std::sync::RwLock;

use ringside_core::{Notice, Timestamp};
use ringside_i18n::{Args, Language, LanguageChoice, Speaking, Words};
use tauri::{AppHandle, Emitter, Manager};

/// The language changed: a `ringside_i18n::Speaking`, to every window.
pub const EVENT_LANGUAGE: &str = "language";

/// The shell's language, managed by Tauri.
pub struct Speech(RwLock<Speaking>);

impl Speech {
    pub fn new(choice: LanguageChoice) -> Speech {
        Speech(RwLock::new(Speaking::of(choice, &ringside_i18n::os_locales())))
    }

    pub fn now(&self) -> Speaking {
        *self.0.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// The words of the language the shell speaks now (English before it is set up).
pub fn current(app: &AppHandle) -> &'static Words {
    let language = app.try_state::<Speech>().map_or(Language::En, |s| s.now().language);
    Words::of(language)
}

/// Switches the language at once: the tray is worded again and every window is told.
pub fn switch(app: &AppHandle, choice: LanguageChoice) -> Speaking {
    let speaking = Speaking::of(choice, &ringside_i18n::os_locales());
    if let Some(speech) = app.try_state::<Speech>() {
        *speech.0.write().unwrap_or_else(|p| p.into_inner()) = speaking;
    }
    tracing::info!(language = %speaking.language, choice = %choice, "language");
    crate::tray::reword(app);
    crate::card_window::reword(app);
    crate::settings::reword(app);
    if let Err(e) = app.emit(EVENT_LANGUAGE, speaking) {
        tracing::warn!(error = %e, "the windows could not be told the language");
    }
    speaking
}

/// The text of a name or number that may be blank.
fn given(text: Option<&str>) -> Option<&str> {
    text.filter(|t| !t.trim().is_empty())
}

/// A notice as a summary line and a body.
pub fn notice(words: &Words, notice: &Notice, now: Timestamp) -> (String, String) {
    match notice {
        Notice::AutoPaused { missed, reason } => (
            words.get("notice-auto-paused-summary"),
            words.format(
                "notice-auto-paused-body",
                &Args::new().number("n", i64::from(*missed)).text("reason", reason.as_str()),
            ),
        ),
        Notice::MissedCall { number, name, waiting } => {
            let withheld = words.get("notice-withheld");
            let who = given(name.as_deref()).or(given(Some(number))).unwrap_or(&withheld);
            (
                words.format("notice-missed-call-summary", &Args::new().text("who", who)),
                words.format("notice-missed-call-body", &Args::new().number("n", i64::from((*waiting).max(1)))),
            )
        }
        Notice::WrapUpResumed { ends_at } => (
            words.get("notice-wrap-up-resumed-summary"),
            words.format(
                "notice-wrap-up-resumed-body",
                &Args::new().number("secs", i64::try_from(ends_at.secs_since(now)).unwrap_or(i64::MAX)),
            ),
        ),
        Notice::IncomingCall { number, name, .. } => {
            let number = given(Some(number));
            let name = given(name.as_deref());
            let withheld = words.get("notice-withheld");
            let who = name.or(number).unwrap_or(&withheld);
            let body = match (name, number) {
                (Some(_), Some(number)) => number.to_string(),
                _ => String::new(),
            };
            (words.format("notice-incoming-call-summary", &Args::new().text("who", who)), body)
        }
        Notice::WrapUpPauseCleared => {
            (words.get("notice-wrap-up-pause-cleared-summary"), words.get("notice-wrap-up-pause-cleared-body"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missed(waiting: u32) -> Notice {
        Notice::MissedCall { number: "+380441234567".into(), name: None, waiting }
    }

    #[test]
    fn a_missed_call_is_worded_in_the_agent_s_language_with_its_plural() {
        let now = Timestamp::now();
        let uk = Words::of(Language::Uk);
        assert_eq!(
            notice(uk, &missed(1), now),
            ("Пропущений дзвінок: +380441234567".into(), "Абонент у списку для зворотного дзвінка.".into())
        );
        assert_eq!(notice(uk, &missed(2), now).1, "У списку для зворотного дзвінка 2 абоненти.");
        assert_eq!(notice(uk, &missed(5), now).1, "У списку для зворотного дзвінка 5 абонентів.");
        let en = Words::of(Language::En);
        assert_eq!(notice(en, &missed(1), now).1, "The caller is on your call-back list.");
        assert_eq!(notice(en, &missed(3), now).1, "3 callers are on your call-back list.");
    }

    #[test]
    fn a_blank_name_and_number_is_a_withheld_number() {
        let n = Notice::MissedCall { number: " ".into(), name: Some("".into()), waiting: 1 };
        assert_eq!(
            notice(Words::of(Language::Pl), &n, Timestamp::now()).0,
            "Nieodebrane połączenie: numer zastrzeżony"
        );
    }

    #[test]
    fn every_notice_has_words_in_every_language() {
        let now = Timestamp::now();
        let notices = [
            Notice::AutoPaused { missed: 3, reason: "Missed 3 queue calls in a row".into() },
            missed(4),
            Notice::WrapUpResumed { ends_at: now },
            Notice::WrapUpPauseCleared,
        ];
        for language in Language::ALL {
            for n in &notices {
                let (summary, body) = notice(Words::of(language), n, now);
                assert!(!summary.starts_with("notice-") && !body.starts_with("notice-"), "{language}: {n:?}");
            }
        }
    }
}
