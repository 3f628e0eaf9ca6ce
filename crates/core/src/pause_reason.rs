//! Why an agent stops accepting calls: a short code the PBX gets (AMI `QueuePause` `Reason`,
//! shown in queue logs and wallboards) and a label people read.
//!
//! Ringside's own reasons (Break, Lunch, Training, Meeting, Back office) have no label of their
//! own: each place that shows one words it in the reader's language (`pause-reason-<code>`, with
//! `_` as `-`). A reason an administrator configured with a label is shown as they wrote it.
//! A reason the PBX reports that is none of the configured codes is shown as the PBX has it,
//! except that the English words older Ringsides sent ("Lunch", "Back office") are recognised.

use serde::{Deserialize, Serialize};

/// Ringside's own reasons: code and English label, the defaults of `[agent] pause_reasons`.
pub const BUILTIN_PAUSE_REASONS: [(&str, &str); 5] = [
    ("break", "Break"),
    ("lunch", "Lunch"),
    ("training", "Training"),
    ("meeting", "Meeting"),
    ("back_office", "Back office"),
];

/// The longest code: it travels to the PBX and into its queue log.
pub const MAX_PAUSE_CODE_CHARS: usize = 32;
/// The longest label.
pub const MAX_PAUSE_LABEL_CHARS: usize = 64;

/// One reason an agent (or a supervisor for them) may pause with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct PauseReason {
    /// What the PBX gets: letters, digits, `_` and `-`.
    pub code: String,
    /// As the administrator wrote it; `None` for one of Ringside's own codes, which every
    /// reader sees in their language (`pause-reason-<code>`).
    pub label: Option<String>,
}

impl PauseReason {
    /// One of Ringside's own reasons, worded in the reader's language.
    pub fn builtin(code: &str) -> Self {
        Self { code: code.to_string(), label: None }
    }

    /// The message that words a built-in reason (`back_office` → `pause-reason-back-office`);
    /// `None` when the reason has a label of its own or the code is not one of Ringside's.
    pub fn message_id(&self) -> Option<String> {
        if self.label.is_some() || !is_builtin_code(&self.code) {
            return None;
        }
        Some(format!("pause-reason-{}", self.code.replace('_', "-")))
    }

    /// The label in English: the administrator's, else Ringside's own English words.
    pub fn english(&self) -> &str {
        match &self.label {
            Some(label) => label,
            None => builtin_english(&self.code).unwrap_or(&self.code),
        }
    }

    /// The label as the reader reads it: the administrator's as written, else the message of
    /// a built-in code in the reader's language (`word` gives a message's words, `None` when the
    /// catalogue lacks it), else English.
    pub fn words(&self, word: impl Fn(&str) -> Option<String>) -> String {
        self.message_id().and_then(|id| word(&id)).unwrap_or_else(|| self.english().to_string())
    }
}

/// A reason the PBX reports as the reader reads it: the configured reason's [`PauseReason::words`]
/// ([`find_pause_reason`]), else as the PBX has it.
pub fn reason_words(reasons: &[PauseReason], reported: &str, word: impl Fn(&str) -> Option<String>) -> String {
    match find_pause_reason(reasons, reported) {
        Some(reason) => reason.words(word),
        None => reported.to_string(),
    }
}

/// Ringside's own reasons, in their order.
pub fn default_pause_reasons() -> Vec<PauseReason> {
    BUILTIN_PAUSE_REASONS.iter().map(|(code, _)| PauseReason::builtin(code)).collect()
}

pub fn is_builtin_code(code: &str) -> bool {
    builtin_english(code).is_some()
}

fn builtin_english(code: &str) -> Option<&'static str> {
    BUILTIN_PAUSE_REASONS.iter().find(|(c, _)| *c == code).map(|(_, english)| *english)
}

/// Why a code cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PauseCodeProblem {
    #[error("is empty; give a short code such as \"lunch\"")]
    Empty,
    #[error("{0:?} is longer than {max} characters", max = MAX_PAUSE_CODE_CHARS)]
    TooLong(String),
    #[error("{code:?} contains {found:?}; a code has only letters, digits, \"_\" and \"-\"")]
    BadCharacter { code: String, found: char },
    #[error("{0:?} is Ringside's own reason for the wrap-up pause; choose another code")]
    Reserved(String),
}

/// Checks a code the PBX will get.
pub fn check_pause_code(code: &str) -> Result<(), PauseCodeProblem> {
    if code.is_empty() {
        return Err(PauseCodeProblem::Empty);
    }
    if code.chars().count() > MAX_PAUSE_CODE_CHARS {
        return Err(PauseCodeProblem::TooLong(code.to_string()));
    }
    if let Some(found) = code.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')) {
        return Err(PauseCodeProblem::BadCharacter { code: code.to_string(), found });
    }
    // The session takes a pause with this reason for its own wrap-up pause and undoes it.
    if code.eq_ignore_ascii_case(crate::agent_state::WRAP_UP_PAUSE_REASON) {
        return Err(PauseCodeProblem::Reserved(code.to_string()));
    }
    Ok(())
}

/// The reason a PBX reports, among `reasons`: its code exactly, else in any case, else the
/// English words of the reason (what older Ringsides and other tools sent: "Lunch",
/// "back office").
pub fn find_pause_reason<'a>(reasons: &'a [PauseReason], reported: &str) -> Option<&'a PauseReason> {
    let reported = reported.trim();
    if reported.is_empty() {
        return None;
    }
    reasons
        .iter()
        .find(|r| r.code == reported)
        .or_else(|| reasons.iter().find(|r| r.code.eq_ignore_ascii_case(reported)))
        .or_else(|| reasons.iter().find(|r| r.english().to_lowercase() == reported.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_reasons_have_messages_and_english_words() {
        let reasons = default_pause_reasons();
        assert_eq!(reasons.len(), 5);
        assert_eq!(reasons[4].message_id().as_deref(), Some("pause-reason-back-office"));
        assert_eq!(reasons[4].english(), "Back office");
        let own = PauseReason { code: "coaching".into(), label: Some("Coaching".into()) };
        assert_eq!(own.message_id(), None);
        assert_eq!(own.english(), "Coaching");
        let relabelled = PauseReason { code: "lunch".into(), label: Some("Обід".into()) };
        assert_eq!(relabelled.message_id(), None, "an administrator's label is shown as written");
    }

    #[test]
    fn a_reported_reason_is_found_by_code_then_by_its_words() {
        let mut reasons = default_pause_reasons();
        reasons.push(PauseReason { code: "coaching".into(), label: Some("1:1 coaching".into()) });
        let code = |r: Option<&PauseReason>| r.map(|r| r.code.clone());
        assert_eq!(code(find_pause_reason(&reasons, "lunch")), Some("lunch".into()));
        assert_eq!(code(find_pause_reason(&reasons, "LUNCH")), Some("lunch".into()));
        assert_eq!(code(find_pause_reason(&reasons, "Back office")), Some("back_office".into()));
        assert_eq!(code(find_pause_reason(&reasons, "1:1 Coaching")), Some("coaching".into()));
        assert_eq!(code(find_pause_reason(&reasons, "Lunch break")), None);
        assert_eq!(code(find_pause_reason(&reasons, " ")), None);
    }

    #[test]
    fn a_reason_is_worded_by_its_label_else_its_message_else_as_reported() {
        let mut reasons = default_pause_reasons();
        reasons.push(PauseReason { code: "coaching".into(), label: Some("Coaching".into()) });
        let ukrainian = |id: &str| (id == "pause-reason-lunch").then(|| "Обід".to_string());
        assert_eq!(reason_words(&reasons, "lunch", ukrainian), "Обід");
        assert_eq!(reason_words(&reasons, "Lunch", ukrainian), "Обід");
        assert_eq!(reason_words(&reasons, "meeting", ukrainian), "Meeting");
        assert_eq!(reason_words(&reasons, "coaching", ukrainian), "Coaching");
        assert_eq!(reason_words(&reasons, "Lunch break", ukrainian), "Lunch break");
    }

    #[test]
    fn codes_are_short_words_and_never_the_wrap_up_pause() {
        assert_eq!(check_pause_code("back_office"), Ok(()));
        assert_eq!(check_pause_code("team-1"), Ok(()));
        assert_eq!(check_pause_code(""), Err(PauseCodeProblem::Empty));
        assert!(matches!(check_pause_code("a b"), Err(PauseCodeProblem::BadCharacter { found: ' ', .. })));
        assert!(matches!(check_pause_code("x\r\nAction: Hangup"), Err(PauseCodeProblem::BadCharacter { .. })));
        assert!(matches!(check_pause_code(&"x".repeat(33)), Err(PauseCodeProblem::TooLong(_))));
        assert!(matches!(check_pause_code("wrap-up"), Err(PauseCodeProblem::Reserved(_))));
    }
}
