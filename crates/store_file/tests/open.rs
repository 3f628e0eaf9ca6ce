//! The shared opener on real SQLite files: what a new file gets, what an old one goes through,
//! what is refused before anything is written.

use std::path::Path;

use ringside_store_file::{Format, Migration, OpenError, Synchronous};
use rusqlite::Connection;

/// Version 1 makes a table; version 2 adds a column and records that it ran (once per file);
/// version 3 rewrites data in Rust.
const SHOP: Format = Format {
    what: "test shop",
    application_id: 0x5247_5354,
    migrations: &[
        Migration::sql(
            "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL); CREATE TABLE ran (v INTEGER);",
        ),
        Migration::sql("ALTER TABLE items ADD COLUMN price INTEGER; INSERT INTO ran VALUES (2);"),
        Migration::code(|tx| {
            tx.execute("UPDATE items SET name = upper(name)", [])?;
            tx.execute("INSERT INTO ran VALUES (3)", [])?;
            Ok(())
        }),
    ],
    synchronous: Synchronous::Full,
    pragmas: "PRAGMA journal_size_limit=1048576;",
};

fn pragma(file: &Path, name: &str) -> i64 {
    Connection::open(file).expect("raw").query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).expect("pragma")
}

fn ran(conn: &Connection) -> Vec<i64> {
    conn.prepare("SELECT v FROM ran ORDER BY rowid")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("ran")
}

#[test]
fn a_new_file_is_marked_set_up_and_migrated_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.sqlite");
    let conn = SHOP.open(&file).expect("create");
    assert_eq!(ran(&conn), [2, 3]);
    let setting = |name: &str| -> i64 { conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).expect(name) };
    assert_eq!(setting("synchronous"), 2, "FULL");
    assert_eq!(setting("foreign_keys"), 1);
    assert_eq!(setting("journal_size_limit"), 1_048_576, "the format's own pragmas");
    assert_eq!(setting("busy_timeout"), 5000);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
    conn.execute("INSERT INTO items (name, price) VALUES ('tea', 3)", []).expect("insert");
    drop(conn);
    assert_eq!(pragma(&file, "application_id"), 0x5247_5354);
    assert_eq!(pragma(&file, "user_version"), 3);

    let conn = SHOP.open(&file).expect("reopen");
    assert_eq!(ran(&conn), [2, 3], "nothing runs twice");
    let name: String = conn.query_row("SELECT name FROM items", [], |r| r.get(0)).expect("kept");
    assert_eq!(name, "tea");
}

#[test]
fn an_old_file_is_migrated_with_its_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.sqlite");
    let old = SHOP.open_at_version(&file, 1).expect("a version 1 file");
    old.execute("INSERT INTO items (name) VALUES ('coffee')", []).expect("insert");
    drop(old);
    assert_eq!(pragma(&file, "user_version"), 1);

    let conn = SHOP.open(&file).expect("migrate");
    assert_eq!(pragma(&file, "user_version"), 3);
    assert_eq!(ran(&conn), [2, 3]);
    let (name, price): (String, Option<i64>) =
        conn.query_row("SELECT name, price FROM items", [], |r| Ok((r.get(0)?, r.get(1)?))).expect("row");
    assert_eq!((name.as_str(), price), ("COFFEE", None), "version 3's code ran over version 1's data");
}

#[test]
fn a_newer_file_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.sqlite");
    drop(SHOP.open(&file).expect("create"));
    Connection::open(&file).expect("raw").pragma_update(None, "user_version", 7).expect("bump");
    let before = std::fs::read(&file).expect("read");
    match SHOP.open(&file) {
        Err(OpenError::TooNew { path, found: 7, supported: 3 }) => assert_eq!(path, file),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&file).expect("read"), before);
}

#[test]
fn another_programs_database_is_refused_with_its_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("other.sqlite");
    let raw = Connection::open(&file).expect("raw");
    raw.execute_batch("CREATE TABLE t (x);").expect("table");
    raw.pragma_update(None, "application_id", 0x1234).expect("id");
    drop(raw);
    match SHOP.open(&file) {
        Err(OpenError::NotOurs { application_id: 0x1234, .. }) => {}
        other => panic!("{other:?}"),
    }
    // No application id, but tables: also not ours (an empty file, or no file, is new).
    let plain = dir.path().join("plain.sqlite");
    Connection::open(&plain).expect("raw").execute_batch("CREATE TABLE t (x);").expect("table");
    assert!(matches!(SHOP.open(&plain), Err(OpenError::NotOurs { application_id: 0, .. })));
    let empty = dir.path().join("empty.sqlite");
    std::fs::write(&empty, b"").expect("empty");
    SHOP.open(&empty).expect("an empty file becomes ours");
}

#[test]
fn a_failing_version_is_rolled_back_whole() {
    const BROKEN: Format = Format {
        migrations: &[
            SHOP.migrations[0],
            Migration::sql("CREATE TABLE extra (x); INSERT INTO no_such_table VALUES (1);"),
        ],
        ..SHOP
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.sqlite");
    match BROKEN.open(&file) {
        Err(OpenError::Sql { path, source }) => {
            assert_eq!(path, file);
            assert!(source.to_string().contains("no_such_table"), "{source}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(pragma(&file, "user_version"), 1, "version 1 stays, version 2 is not half done");
    let extra: i64 = Connection::open(&file)
        .expect("raw")
        .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'extra'", [], |r| r.get(0))
        .expect("count");
    assert_eq!(extra, 0);
    // The fixed program migrates it.
    SHOP.open(&file).expect("migrates from 1");
    assert_eq!(pragma(&file, "user_version"), 3);
}

#[test]
fn damaged_files_missing_folders_and_folders_are_told_apart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(&junk, vec![b'x'; 8192]).expect("junk");
    assert!(matches!(SHOP.open(&junk), Err(OpenError::Corrupt(p)) if p == junk));
    let missing = dir.path().join("gone");
    assert!(matches!(SHOP.open(&missing.join("x.sqlite")), Err(OpenError::MissingFolder(p)) if p == missing));
    assert!(matches!(SHOP.open(dir.path()), Err(OpenError::CannotOpen(_))));
}

#[test]
fn in_memory_gets_the_whole_schema_without_wal() {
    let conn = SHOP.open_in_memory().expect("memory");
    assert_eq!(ran(&conn), [2, 3]);
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, 3);
}
