//! *Copy diagnostics*: what support needs in one text an agent can paste into a ticket — the
//! version, the OS, the settings in force without anything secret, the connection check
//! (the doctor's steps), and the last lines of the log. The same text from the app (the
//! settings window and the tray) and from `ringside-cli diagnostics`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use ringside_config::Config;

use crate::settings::{test_source, CheckOutcome};

/// How long the connection check may take before the report says so and goes on.
const CHECK_TIMEOUT: Duration = Duration::from_secs(15);
/// Log lines in the report.
pub const LOG_LINES: usize = 200;

/// What the report is made of.
pub struct DiagnosticsInput<'a> {
    /// `ringside 0.1.0`, `ringside-cli 0.1.0`.
    pub program: &'a str,
    /// The app's state in words (`running`, or why it could not start).
    pub state: &'a str,
    /// The settings in force, or why they could not be read.
    pub config: Result<&'a Config, &'a str>,
    pub config_path: Option<&'a Path>,
    pub log_file: Option<&'a Path>,
    pub log_tail: &'a [String],
}

/// The report, as plain text (English: it is for support, not the agent).
pub async fn report(input: DiagnosticsInput<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Ringside diagnostics");
    let _ = writeln!(out, "program: {}", input.program);
    let _ = writeln!(out, "os: {} ({} {})", os_name(), std::env::consts::OS, std::env::consts::ARCH);
    if let Some(desktop) = desktop() {
        let _ = writeln!(out, "desktop: {desktop}");
    }
    let _ = writeln!(out, "state: {}", input.state);
    let now = time::OffsetDateTime::now_utc();
    let now = now.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| now.to_string());
    let _ = writeln!(out, "time: {now} (UTC)");
    let path = |p: Option<&Path>| p.map(|p| p.display().to_string()).unwrap_or_else(|| "none".into());
    let _ = writeln!(out, "config file: {}", path(input.config_path));
    let _ = writeln!(out, "log file: {}", path(input.log_file));

    let _ = writeln!(out, "\n## Connection check");
    match input.config {
        Ok(config) => match tokio::time::timeout(CHECK_TIMEOUT, test_source(config)).await {
            Ok(steps) => {
                for step in steps {
                    let outcome = match step.outcome {
                        CheckOutcome::Pass => "pass",
                        CheckOutcome::Warn => "warn",
                        CheckOutcome::Fail => "FAIL",
                    };
                    let _ = writeln!(out, "[{outcome}] {}: {}", step.step, step.detail);
                }
            }
            Err(_) => {
                let _ = writeln!(out, "[FAIL] the check did not finish in {} s", CHECK_TIMEOUT.as_secs());
            }
        },
        Err(problem) => {
            let _ = writeln!(out, "not run: the settings could not be read");
            let _ = writeln!(out, "{problem}");
        }
    }

    let _ = writeln!(out, "\n## Settings in force (secrets are in the keychain, and masked here)\n");
    match input.config {
        Ok(config) => out.push_str(&config.redacted_toml()),
        Err(problem) => {
            let _ = writeln!(out, "{problem}");
        }
    }

    let _ = writeln!(out, "\n## The last {} lines of the log\n", input.log_tail.len());
    for line in input.log_tail {
        let _ = writeln!(out, "{line}");
    }
    out
}

/// Linux: the distribution's name from os-release (freedesktop.org's `os-release(5)`:
/// `/etc/os-release`, else `/usr/lib/os-release`, `PRETTY_NAME=`).
#[cfg(target_os = "linux")]
fn os_name() -> String {
    ["/etc/os-release", "/usr/lib/os-release"]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| {
            text.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string()))
        })
        .unwrap_or_else(|| "Linux".into())
}

/// Elsewhere the OS family only: macOS and Windows name their version in their own tools
/// (`sw_vers`, `winver`), which support asks for when it matters.
#[cfg(not(target_os = "linux"))]
fn os_name() -> String {
    std::env::consts::OS.to_string()
}

/// The desktop session, where the OS says (`XDG_CURRENT_DESKTOP`, `XDG_SESSION_TYPE`: X11 or
/// Wayland changes how the card window behaves).
fn desktop() -> Option<String> {
    let desktop = std::env::var("XDG_CURRENT_DESKTOP").ok().filter(|d| !d.is_empty());
    let session = std::env::var("XDG_SESSION_TYPE").ok().filter(|d| !d.is_empty());
    match (desktop, session) {
        (None, None) => None,
        (d, s) => Some(format!(
            "{} ({})",
            d.unwrap_or_else(|| "unknown".into()),
            s.unwrap_or_else(|| "unknown session".into())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_report_has_the_version_the_check_the_settings_and_the_log_and_no_secret() {
        let mut config = Config::default();
        config.agent.extension = "4242".into();
        let tail = vec!["2026-12-03T10:40:00Z  INFO connected to AMI".to_string()];
        let text = report(DiagnosticsInput {
            program: "ringside 9.9.9",
            state: "running",
            config: Ok(&config),
            config_path: Some(Path::new("/home/agent/.config/ringside/config.toml")),
            log_file: Some(Path::new("/home/agent/.local/state/ringside/logs/ringside.2026-12-03.log")),
            log_tail: &tail,
        })
        .await;
        assert!(text.contains("program: ringside 9.9.9"), "{text}");
        assert!(text.contains("[pass] demo: the built-in demo PBX"), "{text}");
        assert!(text.contains("extension = \"4242\""), "{text}");
        assert!(text.contains("INFO connected to AMI"), "{text}");
        assert!(text.contains("config.toml") && text.contains("ringside.2026-12-03.log"), "{text}");

        let text = report(DiagnosticsInput {
            program: "ringside-cli 9.9.9",
            state: "not started",
            config: Err("config.toml line 3: expected `=`"),
            config_path: None,
            log_file: None,
            log_tail: &[],
        })
        .await;
        assert!(text.contains("not run: the settings could not be read") && text.contains("line 3"), "{text}");
    }
}
