//! The CSV export as a spreadsheet would read it.

mod common;

use common::*;
use ringside_core::{CallCard, CallId, EndCause, LookupState};
use ringside_history::{History, HistoryError, HistoryQuery, WrapUpResult, CSV_COLUMNS};

fn open() -> (tempfile::TempDir, History) {
    let dir = tempfile::tempdir().expect("temp dir");
    let history = History::open(&dir.path().join("history.sqlite")).expect("open");
    (dir, history)
}

/// The file read back: header, then one map per row.
fn read(csv_bytes: &[u8]) -> (Vec<String>, Vec<std::collections::HashMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_owned).collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.expect("a row");
            header.iter().cloned().zip(r.iter().map(str::to_owned)).collect()
        })
        .collect();
    (header, rows)
}

fn answered_call(id: &str, ring_secs: u64) -> CallCard {
    let mut card = ringing(id);
    card.ring_at = at(ring_secs);
    card.as_of = at(ring_secs);
    card.answer_at = Some(at(ring_secs + 5));
    ended(card, EndCause::Completed, ring_secs + 65)
}

#[test]
fn every_matching_call_is_written_newest_first_under_a_header() {
    let (dir, mut h) = open();
    let mut first = answered_call("e.1", 0);
    first.lookup = LookupState::Done;
    first.customers = vec![customer("7", true)];
    h.record_card(&first, &ctx()).expect("record");
    let id = CallId::new("e.1");
    h.save_note(&id, "Wants a refund, order 1042\nCall back \"tomorrow\"").expect("note");
    h.set_wrap_up(&id, WrapUpResult::Saved).expect("wrap-up");
    h.enqueue(&id, "shop", at(100)).expect("enqueue");
    h.enqueue(&id, "b24", at(100)).expect("enqueue");
    let due = h.due(at(100), 10).expect("due");
    let shop = due.iter().find(|i| i.target == "shop").expect("shop item");
    let b24 = due.iter().find(|i| i.target == "b24").expect("b24 item");
    h.mark_sent(shop, Some("r-1"), at(101)).expect("sent");
    h.mark_failed(b24, "HTTP 503", false, at(101)).expect("failed");
    h.record_card(&answered_call("e.2", 600), &ctx()).expect("record");
    h.record_card(&answered_call("e.3", 1200), &ctx()).expect("record");

    let path = dir.path().join("calls.csv");
    let file = std::fs::File::create(&path).expect("create the export");
    assert_eq!(h.export_csv(&HistoryQuery::default(), file).expect("export"), 3);
    let bytes = std::fs::read(&path).expect("read the export");
    let (header, rows) = read(&bytes);
    assert_eq!(header, CSV_COLUMNS);
    assert_eq!(rows.iter().map(|r| r["call_id"].as_str()).collect::<Vec<_>>(), ["e.3", "e.2", "e.1"]);
    let r = &rows[2];
    assert_eq!((r["direction"].as_str(), r["outcome"].as_str(), r["failure"].as_str()), ("incoming", "answered", ""));
    // T0 = 1_700_000_000 s = 2023-11-14T22:13:20Z.
    assert_eq!(r["ring_at"], "2023-11-14T22:13:20Z");
    assert_eq!(r["answer_at"], "2023-11-14T22:13:25Z");
    assert_eq!(r["end_at"], "2023-11-14T22:14:25Z");
    assert_eq!(r["talk_secs"], "60");
    assert_eq!((r["agent_extension"].as_str(), r["agent_name"].as_str()), ("100", "Olena"));
    assert_eq!(r["number_raw"], "+380 (44) 123-45-67", "a phone number stays as it is");
    assert_eq!(r["number_normalized"], "380441234567");
    assert_eq!((r["caller_name"].as_str(), r["queue"].as_str()), ("IVANENKO", "support"));
    assert_eq!((r["customer_source"].as_str(), r["customer_id"].as_str()), ("directory", "7"));
    assert_eq!((r["customer_name"].as_str(), r["customer_company"].as_str()), ("Customer 7", "Acme"));
    assert_eq!(r["customer_url"], "https://crm.example/c/7");
    assert_eq!(r["wrap_up"], "saved");
    assert_eq!(r["note"], "Wants a refund, order 1042\nCall back \"tomorrow\"", "commas, quotes, lines survive");
    assert_eq!(r["crm"], "shop: sent; b24: failed (1 try): HTTP 503");
    assert_eq!(rows[0]["customer_id"], "");

    // The query narrows it; the limit caps it.
    let mut out = Vec::new();
    let refund = HistoryQuery { text: Some("refund".into()), ..HistoryQuery::default() };
    assert_eq!(h.export_csv(&refund, &mut out).expect("export"), 1);
    assert_eq!(read(&out).1[0]["call_id"], "e.1");
    let mut out = Vec::new();
    assert_eq!(h.export_csv(&HistoryQuery { limit: 2, ..HistoryQuery::default() }, &mut out).expect("export"), 2);
    let mut out = Vec::new();
    let none = HistoryQuery { text: Some("nobody-has-this".into()), ..HistoryQuery::default() };
    assert_eq!(h.export_csv(&none, &mut out).expect("export"), 0);
    assert_eq!(read(&out), (CSV_COLUMNS.map(str::to_owned).to_vec(), Vec::new()), "just the header");
}

#[test]
fn formulas_from_strangers_are_defused_and_phone_numbers_stay_readable() {
    let (_dir, mut h) = open();
    let mut card = answered_call("f.1", 0);
    card.caller_name = Some("=HYPERLINK(\"http://evil.example\",\"Click\")".into());
    card.queue = Some("@SUM(1+1)".into());
    card.number = "-2+3+cmd|' /C calc'!A0".into();
    h.record_card(&card, &ctx()).expect("record");
    h.save_note(&CallId::new("f.1"), "+1 call back").expect("note");
    let mut plain = answered_call("f.2", 60);
    plain.number = "+48 (22) 123-45-67".into();
    plain.caller_name = Some("Ola - sales".into());
    h.record_card(&plain, &ctx()).expect("record");

    let mut out = Vec::new();
    h.export_csv(&HistoryQuery::default(), &mut out).expect("export");
    let (_, rows) = read(&out);
    let f1 = &rows[1];
    assert_eq!(f1["caller_name"], "'=HYPERLINK(\"http://evil.example\",\"Click\")");
    assert_eq!(f1["queue"], "'@SUM(1+1)");
    assert_eq!(f1["number_raw"], "'-2+3+cmd|' /C calc'!A0");
    assert_eq!(f1["note"], "'+1 call back");
    let f2 = &rows[0];
    assert_eq!(f2["number_raw"], "+48 (22) 123-45-67");
    assert_eq!(f2["caller_name"], "Ola - sales", "a dash inside is harmless");
}

/// Spreadsheets trim leading white space when they import a CSV, so a formula behind spaces, a
/// tab, a line break or an invisible character runs just the same: it is defused too; a phone
/// number behind spaces is still a plain number. (Caller names and queues are stored trimmed; a
/// CRM's customer name, the raw number and the note are kept as they came.)
#[test]
fn formulas_behind_leading_white_space_are_defused() {
    let (_dir, mut h) = open();
    let mut card = answered_call("w.1", 0);
    let mut crm_customer = customer("9", true);
    crm_customer.name = "  =HYPERLINK(\"http://evil.example\",\"Click\")".into();
    card.lookup = LookupState::Done;
    card.customers = vec![crm_customer];
    card.caller_name = Some("\u{200B}@SUM(1+1)".into());
    card.number = "  +48 (22) 123-45-67".into();
    h.record_card(&card, &ctx()).expect("record");
    h.save_note(&CallId::new("w.1"), "\t+1 call back").expect("note");
    let mut second = answered_call("w.2", 60);
    second.number = "\u{a0}-2+3+cmd|' /C calc'!A0".into();
    h.record_card(&second, &ctx()).expect("record");
    h.save_note(&CallId::new("w.2"), "\n   =1+1").expect("note");

    let mut out = Vec::new();
    h.export_csv(&HistoryQuery::default(), &mut out).expect("export");
    let (_, rows) = read(&out);
    let (w2, w1) = (&rows[0], &rows[1]);
    assert_eq!(w1["customer_name"], "'  =HYPERLINK(\"http://evil.example\",\"Click\")");
    assert_eq!(w1["caller_name"], "'\u{200B}@SUM(1+1)");
    assert_eq!(w1["note"], "'\t+1 call back");
    assert_eq!(w1["number_raw"], "  +48 (22) 123-45-67", "a plain number stays readable");
    assert_eq!(w2["number_raw"], "'\u{a0}-2+3+cmd|' /C calc'!A0");
    assert_eq!(w2["note"], "'\n   =1+1");
}

#[test]
fn a_full_disk_is_reported_in_words() {
    let (_dir, mut h) = open();
    for i in 0..200u64 {
        h.record_card(&answered_call(&format!("d.{i}"), i * 60), &ctx()).expect("record");
    }
    // /dev/full takes nothing: every write fails with "no space left on device".
    let out: Box<dyn std::io::Write> = match std::fs::OpenOptions::new().write(true).open("/dev/full") {
        Ok(full) => Box::new(full),
        Err(_) => Box::new(FullDisk),
    };
    let err = h.export_csv(&HistoryQuery::default(), out).expect_err("the disk is full");
    assert!(matches!(err, HistoryError::Export(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Ringside could not finish the export: the disk is full. The exported file is incomplete; free some space, then export again"
    );
    let err = h.export_csv(&HistoryQuery::default(), Refusing).expect_err("read-only");
    assert!(err.to_string().contains("cannot be written (read-only or no permission)"), "{err}");
    assert_eq!(h.recent(1).expect("the history is unharmed").len(), 1);
}

/// A disk without room, where /dev/full does not exist.
struct FullDisk;

impl std::io::Write for FullDisk {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::StorageFull.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Refusing;

impl std::io::Write for Refusing {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::PermissionDenied.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
