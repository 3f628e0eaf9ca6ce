//! `ringside-cli diagnostics` as support asks for it on a machine where the app does not start:
//! the failing step against a PBX nobody listens on, the settings in force, the app log's last
//! 200 lines, and never the secret.

use std::process::{Command, Stdio};

mod common;

use common::{free_port, CLI};

#[test]
fn diagnostics_name_the_failing_step_and_carry_the_settings_and_the_logs_last_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let closed = free_port();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!("[agent]\nextension = \"100\"\n\n[source]\nkind = \"ami\"\nhost = \"127.0.0.1\"\nport = {closed}\nusername = \"bob\"\n"),
    )
    .expect("config");
    let log = dir.path().join("ringside.log");
    let lines: Vec<String> = (0..300).map(|i| format!("2026-12-03T10:00:00Z  INFO line {i}")).collect();
    std::fs::write(&log, lines.join("\n") + "\n").expect("log");

    let out = Command::new(CLI)
        .arg("diagnostics")
        .env("RINGSIDE_CONFIG", &config)
        .env("RINGSIDE_LOG_FILE", &log)
        .env("RINGSIDE_AMI_SECRET", "s3cr3t-Xq9")
        .stdin(Stdio::null())
        .output()
        .expect("run ringside-cli");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains(&format!("program: ringside-cli {}", env!("CARGO_PKG_VERSION"))), "{text}");
    // The check stops at the first step, with its reason.
    let check: Vec<&str> =
        text.lines().skip_while(|l| *l != "## Connection check").skip(1).take_while(|l| !l.is_empty()).collect();
    assert_eq!(check.len(), 1, "{text}");
    assert!(check[0].starts_with("[FAIL] "), "{text}");
    assert!(text.contains(&format!("port = {closed}")) && text.contains("username = \"bob\""), "{text}");
    // The last 200 lines of the log, whole.
    assert!(text.contains("INFO line 299\n") && text.contains("INFO line 100\n"), "{text}");
    assert!(!text.contains("INFO line 99\n"), "{text}");
    assert!(!text.contains("s3cr3t-Xq9"), "the secret is in the report:\n{text}");
}
