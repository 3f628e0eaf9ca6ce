//! The audit of supervisors' switches in a real file: written, kept across a restart, and added
//! to a file an older Ringside left (schema 5).

use ringside_core::Timestamp;
use ringside_history::{AgentSwitch, History, SwitchQuery, SCHEMA_VERSION};

fn pause_101(at: u64) -> AgentSwitch {
    AgentSwitch {
        id: 0,
        at: Timestamp(at),
        by_extension: "100".into(),
        by_name: Some("Olena Kovalenko".into()),
        interface: "Local/101@agents".into(),
        member_name: Some("Agent 101".into()),
        queue: Some("support".into()),
        paused_before: Some(false),
        reason_before: None,
        paused: true,
        reason: Some("lunch".into()),
    }
}

#[test]
fn a_switch_survives_a_restart_as_it_was_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    let mut history = History::open(&file).expect("create");
    let id = history.record_switch(&pause_101(1_795_304_655_000)).expect("written");
    let back = AgentSwitch {
        at: Timestamp(1_795_304_700_000),
        paused_before: None,
        reason_before: Some("lunch".into()),
        paused: false,
        reason: None,
        member_name: None,
        queue: None,
        by_name: None,
        ..pause_101(0)
    };
    let id2 = history.record_switch(&back).expect("written");
    drop(history);

    let history = History::open(&file).expect("reopen");
    let all = history.switches(&SwitchQuery::default()).expect("read");
    assert_eq!(all, [AgentSwitch { id: id2, ..back }, AgentSwitch { id, ..pause_101(1_795_304_655_000) }]);
    let since = SwitchQuery { since: Some(Timestamp(1_795_304_690_000)), ..SwitchQuery::default() };
    assert_eq!(history.switches(&since).expect("read").len(), 1);
}

#[test]
fn an_older_file_gets_the_audit_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    drop(History::open_at_version_for_tests(&file, 5).expect("a version 5 file"));
    let mut history = History::open(&file).expect("migrate");
    const { assert!(SCHEMA_VERSION >= 6) };
    assert!(history.switches(&SwitchQuery::default()).expect("read").is_empty());
    history.record_switch(&pause_101(1_000)).expect("written");
    assert_eq!(history.switches(&SwitchQuery::default()).expect("read").len(), 1);
}
