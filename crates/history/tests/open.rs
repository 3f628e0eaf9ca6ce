//! Opening the history file: a file an earlier Ringside wrote opens with its data; a file from a
//! newer Ringside, a read-only or missing folder are refused in words (the same words whichever
//! version of the opener says them).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use ringside_core::CallId;
use ringside_history::{History, HistoryError, HistoryQuery, WriteBackStatus, SCHEMA_VERSION};
use rusqlite::Connection;

/// A history written by Ringside at schema version 2 (commit 20cfaf3, `History::open` then
/// `record_card`, `save_note`, `enqueue`, `mark_sent`, `set_remote_id`, `mark_failed`), closed
/// cleanly: calls `fixture.1` (answered, note "promised a refund", customer `c-7`, sent to "shop"
/// as `log-1`, failed once on "b24" with the partial id `externalCall.42`) and `fixture.2` (missed).
const V2_FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/history-v2.sqlite");

fn copy_of_fixture(dir: &Path) -> PathBuf {
    let file = dir.join("history.sqlite");
    std::fs::copy(V2_FIXTURE, &file).expect("copy the fixture");
    file
}

fn pragma(file: &Path, name: &str) -> i64 {
    let conn = Connection::open(file).expect("open raw");
    conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).expect("pragma")
}

#[test]
fn a_file_written_by_ringside_at_version_2_opens_with_its_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = copy_of_fixture(dir.path());
    assert_eq!(pragma(&file, "user_version"), 2);

    let h = History::open(&file).expect("a version 2 file opens");
    assert_eq!(pragma(&file, "user_version"), SCHEMA_VERSION);
    let calls = h.recent(10).expect("recent");
    let ids: Vec<&str> = calls.iter().map(|c| c.call_id.as_str()).collect();
    assert_eq!(ids, ["fixture.2", "fixture.1"]);
    let answered = &calls[1];
    assert_eq!(answered.note.as_deref(), Some("promised a refund"));
    assert_eq!(answered.customer.as_ref().map(|c| c.id.as_str()), Some("c-7"));
    let states: Vec<(&str, &WriteBackStatus)> =
        answered.write_back.iter().map(|w| (w.target.as_str(), &w.state)).collect();
    assert!(
        matches!(states.as_slice(), [("shop", WriteBackStatus::Sent { remote_id: Some(id), .. }), ("b24", WriteBackStatus::Failed { attempts: 1, next_at: Some(_), .. })] if id == "log-1"),
        "{states:?}"
    );
    let found: Vec<String> = h
        .search(&HistoryQuery { text: Some("refund".into()), ..HistoryQuery::default() })
        .expect("search")
        .into_iter()
        .map(|c| c.call_id.0)
        .collect();
    assert_eq!(found, ["fixture.1"], "the search index came along");
    let waiting = h.callbacks(common::at(0), 10).expect("call-back list");
    assert_eq!(waiting.iter().map(|c| c.last_call.as_str()).collect::<Vec<_>>(), ["fixture.2"]);
    // The b24 item keeps its retry time and its partial id.
    let due = h.due(common::at(3600), 10).expect("due");
    let b24 = due.iter().find(|i| i.target == "b24").expect("b24 is due again later");
    assert_eq!(b24.remote_id.as_deref(), Some("externalCall.42"));
    assert_eq!(b24.call_id, CallId::new("fixture.1"));
    assert_eq!(b24.written_revision, None, "b24 never took the call: its next attempt writes it");
    // The call "shop" took (version 2 knew it only as sent) is changed, not written again, when
    // the note is edited.
    let mut h = h;
    h.save_note(&CallId::new("fixture.1"), "promised a refund; sent").expect("edit");
    h.enqueue(&CallId::new("fixture.1"), "shop", common::at(3600)).expect("queued again");
    let due = h.due(common::at(3600), 10).expect("due");
    let shop = due.iter().find(|i| i.target == "shop").expect("shop is due");
    assert_eq!((shop.revision, shop.written_revision), (2, Some(1)));
    assert_eq!(shop.remote_id.as_deref(), Some("log-1"));
    drop(h);
    History::open(&file).expect("and opens again");
}

#[test]
fn a_file_from_a_newer_ringside_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = copy_of_fixture(dir.path());
    let newer = SCHEMA_VERSION + 1;
    Connection::open(&file).expect("raw").pragma_update(None, "user_version", newer).expect("bump");
    let before = std::fs::read(&file).expect("read");

    let err = History::open(&file).expect_err("too new");
    assert_eq!(
        err.to_string(),
        format!(
            "the call history {} was written by a newer Ringside (format {newer}; this version reads up to \
             {SCHEMA_VERSION}); update Ringside",
            file.display()
        )
    );
    assert!(
        matches!(err, HistoryError::TooNew { found, supported, .. } if found == newer && supported == SCHEMA_VERSION)
    );
    assert_eq!(std::fs::read(&file).expect("read"), before, "nothing was written to it");
}

#[test]
fn a_missing_folder_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("gone");
    let err = History::open(&folder.join("history.sqlite")).expect_err("no folder");
    assert_eq!(
        err.to_string(),
        format!("Ringside cannot open its call history: the folder {} does not exist", folder.display())
    );
}

/// `chattr +i`: not even root may create files in an immutable folder or write an immutable
/// file (file permissions do not stop root). Undone when dropped, so the temp folder can go.
struct Immutable(PathBuf);

impl Immutable {
    /// `None` (and the test says it is skipped) where chattr is missing or not allowed.
    fn set(path: &Path) -> Option<Immutable> {
        let done = Command::new("chattr").arg("+i").arg(path).status().is_ok_and(|s| s.success());
        if !done {
            eprintln!("skipped: chattr +i is not available here (needs CAP_LINUX_IMMUTABLE and ext4/xfs/btrfs)");
            return None;
        }
        Some(Immutable(path.to_path_buf()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

fn read_only_words(file: &Path) -> String {
    format!(
        "Ringside cannot write its call history ({}): the file or its folder is read-only; make it writable or \
         choose another folder, then start Ringside again",
        file.display()
    )
}

#[cfg(target_os = "linux")]
#[test]
fn a_read_only_folder_is_refused_in_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("locked");
    std::fs::create_dir(&folder).expect("folder");
    let new_file = folder.join("history.sqlite");
    let Some(_lock) = Immutable::set(&folder) else { return };
    let err = History::open(&new_file).expect_err("cannot create a file there");
    assert!(matches!(err, HistoryError::ReadOnly(_)), "{err:?}");
    assert_eq!(err.to_string(), read_only_words(&new_file));
    assert!(!new_file.exists());
}

#[cfg(target_os = "linux")]
#[test]
fn a_history_in_a_folder_that_turned_read_only_is_refused_in_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("locked");
    std::fs::create_dir(&folder).expect("folder");
    let file = copy_of_fixture(&folder);
    // The file itself may be written, but SQLite cannot create its journal beside it.
    let Some(_lock) = Immutable::set(&folder) else { return };
    let err = History::open(&file).expect_err("no room for the journal");
    assert!(matches!(err, HistoryError::ReadOnly(_)), "{err:?}");
    assert_eq!(err.to_string(), read_only_words(&file));
}

#[cfg(target_os = "linux")]
#[test]
fn a_read_only_file_is_refused_in_words() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = copy_of_fixture(dir.path());
    let Some(_lock) = Immutable::set(&file) else { return };
    let err = History::open(&file).expect_err("read-only file");
    assert!(matches!(err, HistoryError::ReadOnly(_)), "{err:?}");
    assert_eq!(err.to_string(), read_only_words(&file));
}
