//! Real child processes: the fake softphone records the argument vector it was started with.
//! Each test spawns `command(&plan)` with its own `FAKE_SOFTPHONE_LOG`, so they run in parallel.

use std::path::Path;

use ringside_dial::settings::{ConnectionConfig, ConnectionKind, DialRule, NumberFormat};
use ringside_dial::{command, format_number, plan, DialError};

const FAKE: &str = env!("CARGO_BIN_EXE_fake-softphone");

fn connection(kind: ConnectionKind) -> ConnectionConfig {
    ConnectionConfig { name: "test".into(), kind, rule: DialRule::default() }
}

/// What the agent's click does, up to the process: format, plan, start (and wait, for the test).
fn dial(raw: &str, connection: &ConnectionConfig, log: &Path) -> Result<(), DialError> {
    let number = format_number(raw, &connection.rule, "UA")?;
    let plan = plan(connection, &number)?;
    let status = command(&plan).env("FAKE_SOFTPHONE_LOG", log).status().expect("start the fake softphone");
    assert!(status.success(), "{plan}: {status}");
    Ok(())
}

fn recorded(log: &Path) -> Vec<Vec<String>> {
    std::fs::read_to_string(log)
        .expect("the fake softphone wrote its log")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON array per line"))
        .collect()
}

#[test]
fn microsip_receives_exactly_one_clean_argument() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("argv.jsonl");
    let c = connection(ConnectionKind::Microsip { path: Some(FAKE.into()) });
    dial("+380 (44) 123-45-67", &c, &log).unwrap();
    assert_eq!(recorded(&log), vec![vec!["+380441234567".to_string()]]);
}

#[test]
fn zoiper_receives_a_zoiper_url() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("argv.jsonl");
    let c = connection(ConnectionKind::Zoiper { path: Some(FAKE.into()) });
    dial("044 123 45 67", &c, &log).unwrap();
    assert_eq!(recorded(&log), vec![vec!["zoiper:+380441234567".to_string()]]);
}

#[test]
fn a_custom_command_receives_its_arguments_and_the_number() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("argv.jsonl");
    let c =
        connection(ConnectionKind::Command { program: FAKE.into(), args: vec!["--dial".into(), "{number}".into()] });
    dial("+380441234567", &c, &log).unwrap();
    assert_eq!(recorded(&log), vec![vec!["--dial".to_string(), "+380441234567".to_string()]]);
}

#[test]
fn the_rule_is_applied_before_the_softphone_sees_the_number() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("argv.jsonl");
    let mut c = connection(ConnectionKind::Microsip { path: Some(FAKE.into()) });
    c.rule = DialRule { format: NumberFormat::National, replace: Vec::new(), prefix: "9".into() };
    dial("+380441234567", &c, &log).unwrap();
    assert_eq!(recorded(&log), vec![vec!["90441234567".to_string()]]);
}

#[test]
fn hostile_numbers_never_start_anything() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("argv.jsonl");
    let kinds = [
        ConnectionKind::Microsip { path: Some(FAKE.into()) },
        ConnectionKind::Zoiper { path: Some(FAKE.into()) },
        ConnectionKind::Command { program: FAKE.into(), args: vec!["--dial".into(), "{number}".into()] },
    ];
    let hostile = [
        "123 /password:x",
        "101 /account:2",
        ";rm -rf ~",
        "$(id)",
        "`id`",
        "%0a",
        "123\n/password:x",
        "tel:123?x=1",
        "١٢٣",
        "\u{202e}0441234567",
        "",
        "+",
    ];
    let long = "1".repeat(10 * 1024);
    for kind in kinds {
        let c = connection(kind);
        for raw in hostile.iter().copied().chain([long.as_str()]) {
            for format in [NumberFormat::E164, NumberFormat::AsTyped] {
                let mut c = c.clone();
                c.rule.format = format;
                assert!(dial(raw, &c, &log).is_err(), "{:?} was dialed with {:?}", short(raw), c.kind);
            }
            // Straight to `plan`, skipping the formatting: still refused.
            assert!(plan(&c, raw).is_err(), "{:?} planned with {:?}", short(raw), c.kind);
        }
    }
    assert!(!log.exists(), "the fake softphone was started: {:?}", std::fs::read_to_string(&log));
}

fn short(s: &str) -> String {
    s.chars().take(40).collect()
}
