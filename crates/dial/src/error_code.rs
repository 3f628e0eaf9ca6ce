//! `DialError`'s codes for the window (see `ringside_core::ErrorCode`).

use ringside_core::error_code::args;
use ringside_core::{ErrorArgs, ErrorCode};

use crate::DialError;

impl ErrorCode for DialError {
    fn code(&self) -> &'static str {
        match self {
            DialError::Empty => "number.empty",
            DialError::Forbidden { .. } => "number.forbidden_character",
            DialError::TooLong { .. } => "number.too_long",
            DialError::BadLink { .. } => "link.not_dialable",
            DialError::NotADeepLink => "dial.not_on_this_computer",
            DialError::NotInstalled { .. } => "dial.softphone_not_installed",
            DialError::NotFound { .. } => "dial.softphone_not_found",
            DialError::Launch { .. } => "dial.not_started",
            DialError::Misconfigured { .. } => "dial.misconfigured",
            DialError::LinkHandler(_) => "dial.link_handler",
        }
    }

    fn args(&self) -> ErrorArgs {
        match self {
            DialError::Forbidden { input, ch } => args([
                ("number", input.clone()),
                ("character", ch.to_string()),
                ("code_point", format!("U+{:04X}", u32::from(*ch))),
            ]),
            DialError::TooLong { input, max } => args([("number", input.clone()), ("max", max.to_string())]),
            DialError::BadLink { link, reason } => args([("link", link.clone()), ("reason", reason.clone())]),
            DialError::NotInstalled { app, path, setting } => {
                args([("app", app.clone()), ("path", path.display().to_string()), ("setting", setting.to_string())])
            }
            DialError::NotFound { app, setting } => args([("app", app.clone()), ("setting", setting.to_string())]),
            DialError::Launch { program, reason } => args([("program", program.clone()), ("reason", reason.clone())]),
            DialError::Misconfigured { connection, reason } => {
                args([("connection", connection.clone()), ("reason", reason.clone())])
            }
            DialError::Empty | DialError::NotADeepLink | DialError::LinkHandler(_) => ErrorArgs::new(),
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_refused_character_crosses_with_its_name_and_code_point() {
        let e = crate::format_number("044\u{202E}123", &Default::default(), "UA").expect_err("refused");
        let report = ringside_core::ErrorReport::of(&e);
        assert_eq!(report.code, "number.forbidden_character");
        assert_eq!(report.args.get("code_point").map(String::as_str), Some("U+202E"));
    }
}
