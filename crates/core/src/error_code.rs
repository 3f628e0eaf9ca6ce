//! Errors cross to the window (and any other client) as a stable code it can react to and
//! translate, the values the sentence needs, and the English sentence as a fallback. Each
//! crate gives its own error types their codes, next to their words.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::agent_state::TransitionError;
use crate::number::DialError;

/// The values a translated sentence needs, by name.
pub type ErrorArgs = BTreeMap<&'static str, String>;

/// An error with a code. The code is part of the contract with the UI: dotted, snake_case,
/// never reused for another meaning (`pbx.login_refused`).
pub trait ErrorCode: std::fmt::Display {
    fn code(&self) -> &'static str;

    fn args(&self) -> ErrorArgs {
        ErrorArgs::new()
    }
}

/// An error as it crosses a process or language boundary: `{code, args, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ErrorReport {
    pub code: String,
    pub args: BTreeMap<String, String>,
    /// The English sentence, for logs and for a UI with no translation of `code`.
    pub message: String,
}

impl ErrorReport {
    pub fn of(error: &(impl ErrorCode + ?Sized)) -> Self {
        Self {
            code: error.code().to_string(),
            args: error.args().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            message: error.to_string(),
        }
    }

    /// An error with no type behind it (the shell's own few).
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code: code.to_string(), args: BTreeMap::new(), message: message.into() }
    }

    /// The same, with a value its translated sentence names (`{ $name }`).
    pub fn with_arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.insert(name.to_string(), value.into());
        self
    }
}

impl std::fmt::Display for ErrorReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Arguments from `(name, value)` pairs.
pub fn args<const N: usize>(pairs: [(&'static str, String); N]) -> ErrorArgs {
    pairs.into_iter().collect()
}

impl ErrorCode for TransitionError {
    fn code(&self) -> &'static str {
        match self {
            TransitionError::Illegal { .. } => "agent.not_now",
            TransitionError::OtherCall { .. } => "agent.other_call",
            TransitionError::Busy { .. } => "agent.busy",
        }
    }

    fn args(&self) -> ErrorArgs {
        match self {
            // `state` is the state's key (`logged_out`), which translations select on.
            TransitionError::Illegal { state, input } => args([
                ("state", crate::AgentState::key_of_label(state).unwrap_or(state).to_string()),
                ("input", input.to_string()),
            ]),
            TransitionError::OtherCall { current, got } => {
                args([("current", current.to_string()), ("got", got.to_string())])
            }
            TransitionError::Busy { current } => args([("current", current.to_string())]),
        }
    }
}

impl ErrorCode for DialError {
    fn code(&self) -> &'static str {
        match self {
            DialError::Empty => "number.empty",
            DialError::Forbidden(_) => "number.forbidden_character",
            DialError::TooLong(_) => "number.too_long",
        }
    }

    fn args(&self) -> ErrorArgs {
        match self {
            DialError::Empty => ErrorArgs::new(),
            DialError::Forbidden(c) => {
                args([("character", c.to_string()), ("code_point", format!("U+{:04X}", *c as u32))])
            }
            DialError::TooLong(max) => args([("max", max.to_string())]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_carries_the_code_the_arguments_and_the_english_words() {
        let e = TransitionError::Illegal { state: "logged out", input: "stop accepting calls" };
        let report = ErrorReport::of(&e);
        assert_eq!(report.code, "agent.not_now");
        assert_eq!(report.args.get("state").map(String::as_str), Some("logged_out"));
        assert_eq!(report.message, "cannot stop accepting calls while logged out");
        let json = serde_json::to_value(&report).expect("json");
        assert_eq!(json["code"], "agent.not_now");
        assert_eq!(json["args"]["input"], "stop accepting calls");
    }
}
