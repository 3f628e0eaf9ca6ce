//! The file's identity and schema version.

mod common;

use ringside_core::EndCause;
use ringside_history::{
    AgentSeen, CallContext, ConnectionSeen, History, HistoryError, HistoryQuery, APPLICATION_ID, SCHEMA_VERSION,
};
use rusqlite::Connection;

fn pragma(file: &std::path::Path, name: &str) -> i64 {
    let conn = Connection::open(file).expect("open raw");
    conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).expect("pragma")
}

#[test]
fn a_new_file_is_marked_in_wal_mode_at_the_newest_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    let h = History::open(&file).expect("create");
    assert_eq!(h.path(), Some(file.as_path()));
    drop(h);
    assert_eq!(pragma(&file, "user_version"), SCHEMA_VERSION);
    assert_eq!(pragma(&file, "application_id"), i64::from(APPLICATION_ID));
    let conn = Connection::open(&file).expect("open raw");
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
    // The search index's own tables (calls_fts_data, …) belong to SQLite's FTS5.
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'calls_fts_%' ORDER BY name")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("tables");
    assert_eq!(
        tables,
        [
            "agent_switches",
            "agents_seen",
            "auto_created",
            "callbacks_done",
            "calls",
            "calls_fts",
            "connections_seen",
            "notes",
            "outbox"
        ]
    );
    drop(conn);
    // Opening again migrates nothing and keeps the data.
    let mut h = History::open(&file).expect("reopen");
    h.record_card(&common::ringing("m.1"), &common::ctx()).expect("write");
    drop(h);
    assert_eq!(History::open(&file).expect("reopen").recent(5).expect("recent").len(), 1);
}

#[test]
fn a_file_from_a_newer_ringside_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    drop(History::open(&file).expect("create"));
    Connection::open(&file).expect("raw").pragma_update(None, "user_version", SCHEMA_VERSION + 1).expect("bump");
    let err = History::open(&file).expect_err("too new");
    assert!(
        matches!(err, HistoryError::TooNew { found, supported, .. } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION)
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the call history {} was written by a newer Ringside (format {}; this version reads up to {}); update Ringside",
            file.display(),
            SCHEMA_VERSION + 1,
            SCHEMA_VERSION
        )
    );
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("other.sqlite");
    Connection::open(&file).expect("raw").execute_batch("CREATE TABLE t (x);").expect("table");
    let err = History::open(&file).expect_err("not ours");
    assert!(matches!(err, HistoryError::NotAHistory(_)), "{err:?}");
    assert!(err.to_string().ends_with("is a database, but not Ringside's call history; choose another file"), "{err}");

    // Ringside's customer directory ("RGSD") is not a history either.
    let directory = dir.path().join("directory.sqlite");
    let conn = Connection::open(&directory).expect("raw");
    conn.execute_batch("CREATE TABLE customers (id);").expect("table");
    conn.pragma_update(None, "application_id", 0x5247_5344).expect("id");
    drop(conn);
    assert!(matches!(History::open(&directory), Err(HistoryError::NotAHistory(_))));
}

#[test]
fn a_damaged_file_a_missing_folder_and_a_folder_are_told_apart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, vec![b'x'; 8192]).expect("junk");
    let err = History::open(&junk).expect_err("junk");
    assert!(matches!(err, HistoryError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains("damaged"), "{err}");

    let missing = dir.path().join("no-such-folder").join("history.sqlite");
    let err = History::open(&missing).expect_err("no folder");
    assert!(matches!(err, HistoryError::MissingFolder(_)), "{err:?}");
    assert!(err.to_string().contains("does not exist"), "{err}");

    let err = History::open(dir.path()).expect_err("a folder");
    assert!(matches!(err, HistoryError::CannotOpen(_)), "{err:?}");
}

#[test]
fn an_empty_file_becomes_a_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("empty.sqlite");
    std::fs::write(&file, b"").expect("empty file");
    History::open(&file).expect("an empty file is a new database");
    assert_eq!(pragma(&file, "user_version"), SCHEMA_VERSION);
    History::open_in_memory().expect("in memory");
}

fn names(file: &std::path::Path, kind: &str) -> Vec<String> {
    let conn = Connection::open(file).expect("open raw");
    conn.prepare("SELECT name FROM sqlite_master WHERE type = ?1 ORDER BY name")
        .and_then(|mut s| s.query_map([kind], |r| r.get(0))?.collect())
        .expect("names")
}

fn ms(secs: u64) -> i64 {
    i64::try_from(common::at(secs).as_millis()).expect("a time in range")
}

/// A call as an older Ringside wrote it, in the columns every version has: files are made as
/// they were, not by today's code at an older version.
struct OldCall {
    id: &'static str,
    ring: u64,
    answer: Option<u64>,
    end: u64,
    outcome: &'static str,
    extension: &'static str,
    agent_name: Option<&'static str>,
    connection: Option<&'static str>,
    number: &'static str,
    normalized: &'static str,
    caller_name: Option<&'static str>,
}

impl OldCall {
    fn new(id: &'static str, ring: u64, end: u64, outcome: &'static str) -> Self {
        OldCall {
            id,
            ring,
            answer: None,
            end,
            outcome,
            extension: "100",
            agent_name: Some("Olena"),
            connection: None,
            number: "+380 (44) 123-45-67",
            normalized: "380441234567",
            caller_name: Some("IVANENKO"),
        }
    }

    fn write(&self, conn: &Connection) {
        let talk = self.answer.map_or(0, |a| self.end - a);
        conn.execute(
            "INSERT INTO calls (call_id, direction, outcome, ring_at, answer_at, end_at, talk_secs,
                agent_extension, agent_name, connection, number_raw, number_normalized, caller_name,
                queue, updated_at)
             VALUES (?1, 'incoming', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'support', ?5)",
            rusqlite::params![
                self.id,
                self.outcome,
                ms(self.ring),
                self.answer.map(ms),
                ms(self.end),
                i64::try_from(talk).expect("talk time"),
                self.extension,
                self.agent_name,
                self.connection,
                self.number,
                self.normalized,
                self.caller_name,
            ],
        )
        .expect("an old call");
    }
}

#[test]
fn a_version_1_file_is_migrated_with_its_calls_and_notes_searchable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    drop(History::open_at_version_for_tests(&file, 1).expect("a version 1 file"));
    // As Ringside 1 left it: calls, a note typed before its call arrived, a missed call.
    let v1 = Connection::open(&file).expect("open raw");
    v1.execute("INSERT INTO notes (call_id, text, saved_at) VALUES ('old.1', 'promised a refund', ?1)", [ms(0)])
        .expect("note");
    OldCall { caller_name: Some("Петренко"), answer: Some(5), ..OldCall::new("old.1", 0, 60, "answered") }.write(&v1);
    OldCall { number: "0501112233", normalized: "0501112233", ..OldCall::new("old.2", 100, 130, "missed") }.write(&v1);
    drop(v1);
    assert_eq!(pragma(&file, "user_version"), 1);
    assert!(!names(&file, "table").contains(&"calls_fts".to_owned()), "{:?}", names(&file, "table"));

    let h = History::open(&file).expect("migrate");
    assert_eq!(pragma(&file, "user_version"), SCHEMA_VERSION);
    assert_eq!(
        names(&file, "trigger"),
        [
            "agents_seen_insert",
            "agents_seen_update",
            "calls_fts_delete",
            "calls_fts_insert",
            "calls_fts_update",
            "connections_seen_insert",
            "connections_seen_update",
            "notes_fts_delete",
            "notes_fts_insert",
            "notes_fts_update"
        ]
    );
    let indexes = names(&file, "index");
    for index in ["calls_missed", "calls_missed_number", "calls_served"] {
        assert!(indexes.contains(&index.to_owned()), "{index}: {indexes:?}");
    }
    let ids = |text: &str| -> Vec<String> {
        let query = HistoryQuery { text: Some(text.into()), ..HistoryQuery::default() };
        h.search(&query).expect("search").into_iter().map(|r| r.call_id.0).collect()
    };
    assert_eq!(ids("refund"), ["old.1"], "the old note is in the index");
    assert_eq!(ids("ПЕТРЕНКО"), ["old.1"]);
    assert_eq!(ids("050 111 22 33"), ["old.2"]);
    assert_eq!(h.recent(10).expect("recent").len(), 2);
    let callbacks = h.callbacks(common::at(0), 10).expect("call-back list");
    assert_eq!(callbacks.iter().map(|c| c.last_call.as_str()).collect::<Vec<_>>(), ["old.2"]);
    drop(h);
    // Opening again migrates nothing.
    History::open(&file).expect("reopen");
    assert_eq!(pragma(&file, "user_version"), SCHEMA_VERSION);
}

#[test]
fn a_version_3_file_gains_the_agent_and_connection_filters_for_the_calls_it_has() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    drop(History::open_at_version_for_tests(&file, 3).expect("a version 3 file"));
    // As Ringside 3 left it: agent 100 on the PBX, then on the office softphone, and a colleague
    // who used this desk once, under another spelling of a name, with no connection known.
    let v3 = Connection::open(&file).expect("open raw");
    let call = |id: &'static str, secs: u64, ext: &'static str, name: &'static str, connection| OldCall {
        extension: ext,
        agent_name: Some(name),
        connection,
        answer: Some(secs),
        ..OldCall::new(id, secs, secs + 60, "answered")
    };
    call("1732000000.1", 0, "100", "Olena Kovalenko", Some("pbx")).write(&v3);
    call("1732000100.2", 100, "105", "OLENA KOVALENKO", None).write(&v3);
    call("1732000200.3", 200, "100", "Olena Kovalenko", Some("office")).write(&v3);
    drop(v3);
    assert_eq!(pragma(&file, "user_version"), 3);
    assert!(!names(&file, "table").contains(&"agents_seen".to_owned()));

    let mut h = History::open(&file).expect("migrate");
    assert_eq!(pragma(&file, "user_version"), SCHEMA_VERSION);
    let indexes = names(&file, "index");
    for index in ["calls_agent", "calls_agent_name", "calls_connection"] {
        assert!(indexes.contains(&index.to_owned()), "{index}: {indexes:?}");
    }
    // The filters' choices come from the calls the file already had, newest first.
    assert_eq!(
        h.agents().expect("agents"),
        [
            AgentSeen { extension: "100".into(), name: Some("Olena Kovalenko".into()), last_at: common::at(200) },
            AgentSeen { extension: "105".into(), name: Some("OLENA KOVALENKO".into()), last_at: common::at(100) },
        ]
    );
    assert_eq!(
        h.connections().expect("connections"),
        [
            ConnectionSeen { name: "office".into(), last_at: common::at(200) },
            ConnectionSeen { name: "pbx".into(), last_at: common::at(0) },
        ]
    );
    let ids = |h: &History, query: HistoryQuery| -> Vec<String> {
        h.search(&query).expect("search").into_iter().map(|r| r.call_id.0).collect()
    };
    let agent = |a: &str| HistoryQuery { agent: Some(a.into()), ..HistoryQuery::default() };
    assert_eq!(ids(&h, agent("100")), ["1732000200.3", "1732000000.1"]);
    assert_eq!(ids(&h, agent("olena kovalenko")), ["1732000200.3", "1732000100.2", "1732000000.1"]);
    let on = HistoryQuery { connection: Some("pbx".into()), ..HistoryQuery::default() };
    assert_eq!(ids(&h, on), ["1732000000.1"]);
    let id = HistoryQuery { call_id: Some("1732000".into()), ..HistoryQuery::default() };
    assert_eq!(ids(&h, id), ["1732000200.3", "1732000100.2", "1732000000.1"]);

    // New calls keep the choices up to date.
    let by = CallContext {
        agent_extension: "101".into(),
        agent_name: Some("Taras".into()),
        connection: Some("pbx".into()),
        dialed_number: None,
    };
    let mut card = common::ringing("1732000300.4");
    card.ring_at = common::at(300);
    card.as_of = common::at(300);
    h.record_card(&common::ended(card, EndCause::Completed, 360), &by).expect("call");
    let agents: Vec<String> = h.agents().expect("agents").into_iter().map(|a| a.extension).collect();
    assert_eq!(agents, ["101", "100", "105"]);
    let connections: Vec<String> = h.connections().expect("connections").into_iter().map(|c| c.name).collect();
    assert_eq!(connections, ["pbx", "office"]);
    drop(h);
    History::open(&file).expect("reopen");
    assert_eq!(pragma(&file, "user_version"), SCHEMA_VERSION);
}
