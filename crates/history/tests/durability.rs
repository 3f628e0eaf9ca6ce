//! Nothing is lost: kill -9 while typing, a full disk, a read-only file.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use ringside_core::{CallId, EndCause, Timestamp};
use ringside_history::{History, HistoryError, Kept, Outcome, WriteProblem};

const TEXT: &str = "Customer asks about order 1042: the parcel went to the old address. Promised a call back \
    tomorrow before noon; check with logistics whether the courier can reroute it. Ліцензія — оплачено.";

#[test]
fn kill_9_while_typing_a_note_loses_nothing_that_was_saved() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_history_crash_helper"))
        .arg(&file)
        .arg("1700000000.77")
        .arg(TEXT)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the helper");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    assert_eq!(lines.next().and_then(Result::ok).as_deref(), Some("ready"), "the helper did not start");
    let mut saved = 0usize;
    for line in lines.by_ref() {
        let line = line.expect("a line");
        saved = line.strip_prefix("saved ").and_then(|n| n.parse().ok()).expect("saved N");
        if saved == 40 {
            break;
        }
    }
    // std's Child::kill is SIGKILL on Unix: no destructor, no flush, no checkpoint runs.
    child.kill().expect("kill -9");
    let status = child.wait().expect("reap");
    assert!(!status.success(), "the helper was killed, not finished: {status:?}");
    drop(lines);

    let mut h = History::open(&file).expect("reopen after the crash");
    let id = CallId::new("1700000000.77");
    let note = h.note(&id).expect("read").expect("the note is there");
    let typed = note.chars().count();
    assert!(typed >= saved, "the note has {typed} characters, but {saved} were reported saved");
    let full: Vec<char> = TEXT.chars().collect();
    assert_eq!(note, full[..typed].iter().collect::<String>(), "the note is what was typed");

    let r = h.call(&id).expect("read").expect("the call is in the history");
    assert_eq!((r.outcome, r.end_at), (Outcome::InProgress, None));
    assert!(r.answer_at.is_some());

    // The PBX still has it: it stays open.
    assert!(h.close_interrupted(std::slice::from_ref(&id), Timestamp::now()).expect("close").is_empty());
    assert_eq!(h.call(&id).expect("read").expect("call").outcome, Outcome::InProgress);
    // The PBX no longer knows it: interrupted.
    let now = Timestamp::now();
    assert_eq!(h.close_interrupted(&[], now).expect("close"), std::slice::from_ref(&id));
    let r = h.call(&id).expect("read").expect("call");
    assert_eq!((r.outcome, r.end_at), (Outcome::Interrupted, Some(now)));
    assert_eq!(r.note, Some(note));
}

fn note_text(len: usize) -> String {
    "Long note typed while the disk fills up. ".chars().cycle().take(len).collect()
}

#[test]
fn a_full_disk_keeps_the_note_in_memory_until_there_is_room() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    let mut h = History::open(&file).expect("open");
    let id = CallId::new("full.1");
    h.record_card(&ringing("full.1"), &ctx()).expect("card");
    h.save_note(&id, "short").expect("fits");

    h.limit_growth_for_tests(Some(0)).expect("cap the file");
    // 20 kB needs new pages (overflow pages): a real SQLITE_FULL.
    let long = note_text(20_000);
    let err = h.save_note(&id, &long).expect_err("the disk is full");
    assert!(matches!(err, HistoryError::NotSaved { problem: WriteProblem::DiskFull, kept: Kept::Note, .. }), "{err:?}");
    assert!(err.kept_in_memory());
    let message = err.to_string();
    assert_eq!(
        message,
        format!(
            "Ringside cannot write its call history ({}): the disk is full. Your note is kept and will be saved when there is room.",
            file.display()
        )
    );
    assert!(h.has_pending());
    assert_eq!(h.note(&id).expect("note").as_deref(), Some(long.as_str()), "the newest text, from memory");
    let r = h.call(&id).expect("read").expect("call");
    assert!(r.unsaved);
    assert_eq!(r.note.as_deref(), Some(long.as_str()));

    // A call that ends meanwhile is kept too (a long caller name: it needs new pages).
    let mut card = ringing("full.2");
    card.caller_name = Some(note_text(8_000));
    let err = h.record_card(&ended(card, EndCause::NoAnswer, 4), &ctx()).expect_err("full");
    assert!(matches!(err, HistoryError::NotSaved { kept: Kept::Call, .. }), "{err:?}");
    assert_eq!(h.recent(10).expect("recent").len(), 2, "the unsaved call is listed");

    // Still full: flushing fails and keeps everything.
    let err = h.flush_pending().expect_err("still full");
    assert!(err.to_string().contains("2 unsaved changes are kept"), "{err}");
    assert!(h.has_pending());

    h.limit_growth_for_tests(None).expect("room again");
    assert_eq!(h.flush_pending().expect("flush"), 2);
    assert!(!h.has_pending());
    assert_eq!(h.flush_pending().expect("nothing left"), 0);
    drop(h);

    let h = History::open(&file).expect("reopen");
    assert_eq!(h.note(&id).expect("note").as_deref(), Some(long.as_str()));
    assert_eq!(h.call(&CallId::new("full.2")).expect("read").expect("call").outcome, Outcome::Missed);
    assert!(!h.call(&id).expect("read").expect("call").unsaved);
}

#[test]
fn a_newer_note_that_fits_replaces_the_unsaved_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = History::open(&dir.path().join("history.sqlite")).expect("open");
    let id = CallId::new("full.3");
    h.save_note(&id, "x").expect("first");
    h.limit_growth_for_tests(Some(0)).expect("cap");
    h.save_note(&id, &note_text(20_000)).expect_err("full");
    // The agent deletes most of it; the short text fits in the existing page.
    h.save_note(&id, "x, shorter").expect("fits");
    assert!(!h.has_pending(), "the older unsaved text must not come back over the newer one");
    h.limit_growth_for_tests(None).expect("room");
    assert_eq!(h.flush_pending().expect("flush"), 0);
    assert_eq!(h.note(&id).expect("note").as_deref(), Some("x, shorter"));
}

/// Root ignores file permissions, so the read-only case uses `PRAGMA query_only` on the open
/// connection (`History::set_read_only_for_tests`), which fails writes with a real
/// `SQLITE_READONLY`, the code a file or disk that turned read-only gives.
#[test]
fn a_read_only_history_keeps_notes_and_writes_them_later() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    let mut h = History::open(&file).expect("open");
    let id = CallId::new("ro.1");
    h.record_card(&ringing("ro.1"), &ctx()).expect("card");
    h.set_read_only_for_tests(true).expect("read-only");

    let err = h.save_note(&id, "Wants a refund").expect_err("read-only");
    assert!(matches!(err, HistoryError::NotSaved { problem: WriteProblem::ReadOnly, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "Ringside cannot write its call history ({}): the file, its folder or the disk is read-only. \
             Your note is kept and will be saved when the file can be written again.",
            file.display()
        )
    );
    let err = h.set_wrap_up(&id, ringside_history::WrapUpResult::Saved).expect_err("read-only");
    assert!(matches!(err, HistoryError::NotSaved { kept: Kept::WrapUp, .. }), "{err:?}");
    assert_eq!(h.note(&id).expect("note").as_deref(), Some("Wants a refund"));
    assert_eq!(h.call(&id).expect("read").expect("call").wrap_up, Some(ringside_history::WrapUpResult::Saved));

    h.set_read_only_for_tests(false).expect("writable");
    // The next write that succeeds takes the waiting ones with it.
    h.record_card(&answered(ringing("ro.1"), 3), &ctx()).expect("card");
    assert!(!h.has_pending());
    drop(h);
    let h = History::open(&file).expect("reopen");
    let r = h.call(&id).expect("read").expect("call");
    assert_eq!(r.note.as_deref(), Some("Wants a refund"));
    assert_eq!(r.wrap_up, Some(ringside_history::WrapUpResult::Saved));
    assert_eq!(r.answer_at, Some(at(3)));
}

/// A write-protected file is refused at open with a message in words. Root ignores file
/// permissions: then there is nothing to test, and the test says so.
#[cfg(unix)]
#[test]
fn a_write_protected_file_is_refused_at_open() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    drop(History::open(&file).expect("create"));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    if std::fs::OpenOptions::new().write(true).open(&file).is_ok() {
        eprintln!("skipped: running as root (or with CAP_DAC_OVERRIDE), file permissions do not apply");
        return;
    }
    let err = History::open(&file).expect_err("read-only");
    assert!(matches!(err, HistoryError::ReadOnly(_)), "{err:?}");
    assert!(err.to_string().contains("read-only"), "{err}");
}
