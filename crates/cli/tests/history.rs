//! `history` search, filters and CSV export on a real history file, as a user runs them.

mod common;

use std::process::{Command, Output};

use common::CLI;
use ringside_core::{CallCard, CallId, CardStatus, Direction, EndCause, LookupState, Timestamp};
use ringside_history::{CallContext, History};

fn card(id: &str, number: &str, name: &str, outcome: EndCause, minutes_ago: u64) -> CallCard {
    let now = Timestamp::now().0;
    let at = Timestamp(now - minutes_ago * 60_000);
    CallCard {
        call_id: CallId::new(id),
        direction: Direction::Incoming,
        number: number.into(),
        number_normalized: ringside_core::number::normalize_digits(number),
        number_display: None,
        caller_name: Some(name.into()),
        queue: Some("support".into()),
        customers: Vec::new(),
        lookup: LookupState::Done,
        status: CardStatus::Ended,
        outcome: Some(outcome),
        ring_at: at,
        answer_at: None,
        end_at: Some(Timestamp(at.0 + 20_000)),
        talk_secs: 0,
        as_of: Timestamp(at.0 + 20_000),
        recording_url: None,
    }
}

/// Three calls: an answered one with a note, a missed one from a caller whose name is a
/// spreadsheet formula, and one from two days ago.
fn history_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("history.sqlite");
    let mut h = History::open(&path).expect("history");
    let ctx = CallContext { agent_extension: "100".into(), ..CallContext::default() };
    h.record_card(&card("1.1", "+380 44 123 4567", "Olena", EndCause::Completed, 30), &ctx).expect("write");
    h.save_note(&CallId::new("1.1"), "Wants a refund for order 77").expect("note");
    h.record_card(&card("1.2", "+48 22 123 45 67", "=HYPERLINK(\"http://evil\")", EndCause::NoAnswer, 10), &ctx)
        .expect("write");
    h.record_card(&card("1.3", "+380 67 765 4321", "Mykola", EndCause::Completed, 2 * 24 * 60), &ctx).expect("write");
    path.display().to_string()
}

fn run(file: &str, args: &[&str]) -> Output {
    let mut all = vec!["history"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--file", file]);
    Command::new(CLI).args(&all).output().expect("run ringside-cli")
}

fn ids(o: &Output) -> Vec<String> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let calls: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    calls.as_array().expect("array").iter().map(|c| c["call_id"].as_str().unwrap_or_default().to_string()).collect()
}

#[test]
fn search_filters_and_dates_find_the_calls_a_user_means() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = history_file(&dir);
    assert_eq!(ids(&run(&file, &["--json"])), ["1.2", "1.1", "1.3"], "newest first");
    assert_eq!(ids(&run(&file, &["--search", "044 123 45 67", "--json"])), ["1.1"], "another format of the number");
    assert_eq!(ids(&run(&file, &["--search", "REFUND", "--json"])), ["1.1"], "a word of the note");
    assert_eq!(ids(&run(&file, &["--missed", "--json"])), ["1.2"]);
    assert_eq!(
        ids(&run(&file, &["--since", "today", "--json"])).len(),
        usize::from(same_day(10)) + usize::from(same_day(30))
    );
    assert_eq!(ids(&run(&file, &["--since", "1d", "--json"])), ["1.2", "1.1"]);
    assert!(ids(&run(&file, &["--search", "\" OR 1=1 --", "--json"])).is_empty(), "hostile text matches nothing");
    let text = run(&file, &["--search", "nothing-like-this"]);
    assert_eq!(String::from_utf8_lossy(&text.stdout).trim(), "no calls match");
    let bad = run(&file, &["--since", "last tuesday"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a date"), "{}", String::from_utf8_lossy(&bad.stderr));
}

/// Whether `minutes_ago` is still today here (a test run just after midnight).
fn same_day(minutes_ago: i64) -> bool {
    use chrono::Local;
    let now = Local::now();
    (now - chrono::TimeDelta::minutes(minutes_ago)).date_naive() == now.date_naive()
}

#[test]
fn export_writes_every_matching_call_as_csv_with_formulas_defused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = history_file(&dir);
    let csv = dir.path().join("calls.csv");
    let csv_arg = csv.display().to_string();
    let o = run(&file, &["export", "--csv", &csv_arg]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("3 calls written"), "{}", String::from_utf8_lossy(&o.stderr));
    let mut reader = csv::Reader::from_path(&csv).expect("CSV");
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 3);
    let missed = rows.iter().find(|r| &r[col("call_id")] == "1.2").expect("the missed call");
    assert_eq!(&missed[col("outcome")], "missed");
    assert!(missed[col("caller_name")].starts_with("'="), "a formula is defused: {:?}", &missed[col("caller_name")]);
    assert_eq!(&missed[col("number_raw")], "+48 22 123 45 67", "a phone number stays as it is");
    // Filters apply to the export, before or after the word `export`.
    let o = run(&file, &["--missed", "export", "--csv", "-"]);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(out.lines().count(), 2, "header and the missed call: {out}");
}

/// Calls of two agents over two connections: Olena (100) on the PBX and her softphone, Taras
/// (101) on the softphone.
fn desk_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("desk.sqlite");
    let mut h = History::open(&path).expect("history");
    let by = |extension: &str, name: &str, connection: &str| CallContext {
        agent_extension: extension.into(),
        agent_name: Some(name.into()),
        connection: Some(connection.into()),
        dialed_number: None,
    };
    h.record_card(
        &card("1732000000.1", "+380 44 123 4567", "Ivan", EndCause::Completed, 30),
        &by("100", "Olena Kovalenko", "pbx"),
    )
    .expect("write");
    h.record_card(
        &card("1732000100.2", "+380 67 765 4321", "Mykola", EndCause::Completed, 20),
        &by("101", "Taras", "office"),
    )
    .expect("write");
    h.record_card(
        &card("1732000200.3", "+48 22 123 45 67", "Piotr", EndCause::NoAnswer, 10),
        &by("100", "Olena Kovalenko", "office"),
    )
    .expect("write");
    path.display().to_string()
}

#[test]
fn agent_connection_and_call_id_filters_narrow_the_list_and_the_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = desk_file(&dir);
    assert_eq!(ids(&run(&file, &["--agent", "100", "--json"])), ["1732000200.3", "1732000000.1"]);
    assert_eq!(ids(&run(&file, &["--agent", "OLENA KOVALENKO", "--json"])), ["1732000200.3", "1732000000.1"]);
    assert_eq!(ids(&run(&file, &["--agent", "taras", "--json"])), ["1732000100.2"]);
    assert_eq!(ids(&run(&file, &["--connection", "office", "--json"])), ["1732000200.3", "1732000100.2"]);
    assert_eq!(ids(&run(&file, &["--call-id", "1732000100.2", "--json"])), ["1732000100.2"]);
    assert_eq!(ids(&run(&file, &["--call-id", "1732", "--json"])).len(), 3, "a prefix of 4 characters");
    assert!(ids(&run(&file, &["--call-id", "173", "--json"])).is_empty(), "3 characters: only that exact id");
    assert_eq!(
        ids(&run(&file, &["--agent", "100", "--connection", "office", "--missed", "--json"])),
        ["1732000200.3"],
        "filters combine"
    );
    let text = run(&file, &["--agent", "101"]);
    let out = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(out.contains("1732000100.2") && out.contains("via office by Taras (101)"), "{out}");
    let none = run(&file, &["--agent", "Olena"]);
    assert_eq!(String::from_utf8_lossy(&none.stdout).trim(), "no calls match", "a name is matched whole");
    // The export takes them too, before or after the word `export`.
    let o = run(&file, &["--agent", "olena kovalenko", "export", "--connection", "office", "--csv", "-"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(out.lines().count(), 2, "header and Olena's call on office: {out}");
    assert!(out.contains("1732000200.3"), "{out}");
}

#[test]
fn the_help_names_the_filters() {
    let o = Command::new(CLI).args(["history", "--help"]).output().expect("run ringside-cli");
    assert!(o.status.success());
    let help = String::from_utf8_lossy(&o.stdout).into_owned();
    for flag in ["--agent <AGENT>", "--connection <NAME>", "--call-id <ID>", "--search <TEXT>", "--missed"] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}

/// `agents --audit`: the supervisors' switches in the history file, newest first, in words
/// (the reason's label for its code) or as JSON lines; `--since` leaves older ones out.
#[test]
fn agents_audit_prints_the_recorded_switches() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("history.sqlite");
    let mut h = History::open(&path).expect("history");
    let now = Timestamp::now().0;
    let switch = |minutes_ago: u64, paused: bool| ringside_history::AgentSwitch {
        id: 0,
        at: Timestamp(now - minutes_ago * 60_000),
        by_extension: "100".into(),
        by_name: Some("Olena".into()),
        interface: "Local/101@agents".into(),
        member_name: Some("Agent 101".into()),
        queue: None,
        paused_before: Some(!paused),
        reason_before: None,
        paused,
        reason: paused.then(|| "back_office".to_string()),
    };
    h.record_switch(&switch(180, true)).expect("written");
    h.record_switch(&switch(5, false)).expect("written");
    drop(h);
    let file = path.display().to_string();
    let run = |args: &[&str]| {
        Command::new(CLI)
            .args(["agents", "--audit", "--file", &file])
            .args(args)
            .env("RINGSIDE_CONFIG", dir.path().join("none.toml"))
            .env("LANGUAGE", "en")
            .output()
            .expect("run ringside-cli")
    };
    let text = run(&[]);
    assert!(text.status.success(), "{}", String::from_utf8_lossy(&text.stderr));
    let lines: Vec<String> = String::from_utf8_lossy(&text.stdout).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].ends_with("Olena (100) switched Agent 101 (Local/101@agents): paused → accepting calls"),
        "{lines:?}"
    );
    assert!(lines[1].ends_with("accepting calls → paused (Back office)"), "{lines:?}");
    let json = run(&["--since", "1h", "--json"]);
    let rows: Vec<serde_json::Value> =
        String::from_utf8_lossy(&json.stdout).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["paused"], false);
    assert_eq!(rows[0]["interface"], "Local/101@agents");
}
