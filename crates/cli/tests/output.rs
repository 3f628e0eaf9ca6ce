//! `ringside-cli`'s stderr as scripts and pipes get it: no colour codes unless it is a terminal
//! (and never with NO_COLOR), and the keychain fallback said once, in one line, silenced by -q.
#![cfg(target_os = "linux")]

use std::process::{Command, Output, Stdio};

mod common;

use common::{free_port, start_demo, CLI};

/// `doctor` against the demo PBX on a machine without a usable keychain (the session bus
/// address leads nowhere), the secret in the environment.
fn doctor(port: u16, extra: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("temp HOME");
    Command::new(CLI)
        .args(extra)
        .args(["doctor", "--ami", &format!("127.0.0.1:{port}"), "--user", "bob"])
        .env("HOME", home.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env("RINGSIDE_AMI_SECRET", "demo")
        .env("RINGSIDE_CONFIG", home.path().join("none.toml"))
        .env_remove("RUST_LOG")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run ringside-cli")
}

#[test]
fn in_a_pipe_the_keychain_fallback_is_one_plain_line_and_q_silences_it() {
    let port = free_port();
    let _pbx = start_demo(port, "20");
    let out = doctor(port, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "colour codes in a pipe: {stderr:?}");
    let said: Vec<&str> = stderr.lines().filter(|l| l.contains("keychain")).collect();
    assert_eq!(said.len(), 1, "the keychain fallback should be one line:\n{stderr}");
    assert!(said[0].contains("RINGSIDE_AMI_SECRET") && said[0].contains("WARN"), "{stderr}");
    assert!(!stderr.contains("demo\n") && !said[0].contains("secret=demo"), "the secret itself is never printed");

    let quiet = doctor(port, &["-q"]);
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr).trim(), "", "-q leaves only errors");
}

/// On a terminal (a pseudo-terminal from util-linux's `script`) warnings are coloured, unless
/// NO_COLOR is set.
#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let port = free_port();
    let _pbx = start_demo(port, "20");
    let home = tempfile::tempdir().expect("temp HOME");
    let on_terminal = |no_color: bool| {
        let command = format!("{CLI} doctor --ami 127.0.0.1:{port} --user bob");
        let mut script = Command::new("script");
        script
            .args(["-qec", &command, "/dev/null"])
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env("RINGSIDE_AMI_SECRET", "demo")
            .env("HOME", home.path())
            .env("RINGSIDE_CONFIG", home.path().join("none.toml"))
            .env_remove("RUST_LOG")
            .stdin(Stdio::null());
        if no_color {
            script.env("NO_COLOR", "1");
        } else {
            script.env_remove("NO_COLOR");
        }
        let out = script.output().expect("util-linux's script (Debian: bsdutils, always installed)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let coloured = on_terminal(false);
    assert!(coloured.contains("keychain") && coloured.contains('\u{1b}'), "{coloured:?}");
    let plain = on_terminal(true);
    assert!(plain.contains("keychain") && !plain.contains("\u{1b}["), "{plain:?}");
}
