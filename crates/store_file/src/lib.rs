//! Ringside's SQLite files (the customer directory, the call history) are opened one way, here:
//!
//! 1. find out with plain file operations why a file could not be used ([`probe`]), because
//!    SQLite itself only says "unable to open database file";
//! 2. open it read-write, and refuse a file SQLite could open only read-only;
//! 3. read its header: a file with another program's `application_id` is refused, so is one
//!    whose `user_version` is newer than this Ringside knows ([`OpenError::TooNew`]), before
//!    anything is written to it;
//! 4. set the connection up: WAL (files only), `synchronous`, foreign keys, a busy timeout, the
//!    query planner's stability guarantee, and the format's own pragmas;
//! 5. migrate it: each missing version in its own `BEGIN IMMEDIATE` transaction that re-reads
//!    the version first, so two programs opening an old file at once migrate it once.
//!
//! A kind of file is a [`Format`]: its application id, its migrations (version N is the N-th),
//! and its settings. Each store turns an [`OpenError`] into its own error, in its own words.
//!
//! ```no_run
//! use ringside_store_file::{Format, Migration, Synchronous};
//!
//! const NOTES: Format = Format {
//!     what: "notes",
//!     application_id: 0x5247_534E,
//!     migrations: &[
//!         Migration::sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"),
//!         Migration::sql("ALTER TABLE notes ADD COLUMN saved_at INTEGER;"),
//!     ],
//!     synchronous: Synchronous::Full,
//!     pragmas: "",
//! };
//! let conn = NOTES.open(std::path::Path::new("notes.sqlite"))?;
//! # Ok::<(), ringside_store_file::OpenError>(())
//! ```

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

/// How long a statement waits for another connection's lock before it fails with "busy".
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a data file cannot be opened for reading and writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// The folder it should be in does not exist.
    MissingFolder(PathBuf),
    /// It (or its folder) may not be written.
    ReadOnly(PathBuf),
    /// Something else: a folder where the file should be, an I/O error.
    CannotOpen(PathBuf),
}

/// Checks that `path` can be opened for writing, or created (the probe file is removed again).
pub fn probe(path: &Path) -> Result<(), FileProblem> {
    let path_buf = path.to_path_buf();
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent {
        if !parent.is_dir() {
            return Err(FileProblem::MissingFolder(parent.to_path_buf()));
        }
    }
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(FileProblem::CannotOpen(path_buf)),
        Ok(_) => match OpenOptions::new().read(true).write(true).open(path) {
            Ok(_) => Ok(()),
            Err(e) => Err(problem(e, path_buf)),
        },
        Err(e) if e.kind() == ErrorKind::NotFound => {
            // Creating it must be possible; SQLite creates it for real right after.
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(_) => {
                    if let Err(e) = std::fs::remove_file(path) {
                        tracing::debug!(error = %e, "could not remove the probe file");
                    }
                    Ok(())
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
                Err(e) => Err(problem(e, path_buf)),
            }
        }
        Err(e) => Err(problem(e, path_buf)),
    }
}

fn problem(e: std::io::Error, path: PathBuf) -> FileProblem {
    match e.kind() {
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => FileProblem::ReadOnly(path),
        ErrorKind::NotFound => FileProblem::MissingFolder(path.parent().map(Path::to_path_buf).unwrap_or(path)),
        _ => FileProblem::CannotOpen(path),
    }
}

/// One schema version: SQL, or code for what SQL cannot say (data rewritten in Rust). It runs
/// inside the version's transaction; an error rolls the version back.
#[derive(Clone, Copy)]
pub struct Migration(Step);

#[derive(Clone, Copy)]
enum Step {
    Sql(&'static str),
    Code(fn(&Transaction<'_>) -> rusqlite::Result<()>),
}

impl Migration {
    /// A version that is one batch of SQL statements.
    pub const fn sql(sql: &'static str) -> Migration {
        Migration(Step::Sql(sql))
    }

    /// A version written in Rust, given the version's transaction.
    pub const fn code(run: fn(&Transaction<'_>) -> rusqlite::Result<()>) -> Migration {
        Migration(Step::Code(run))
    }

    fn run(&self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        match self.0 {
            Step::Sql(sql) => tx.execute_batch(sql),
            Step::Code(run) => run(tx),
        }
    }
}

impl std::fmt::Debug for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Step::Sql(sql) => f.debug_tuple("Migration::sql").field(&sql.len()).finish(),
            Step::Code(_) => f.write_str("Migration::code"),
        }
    }
}

/// `PRAGMA synchronous`: when a commit is on the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// Every commit syncs the WAL: what returned survives a power loss (the history).
    Full,
    /// A commit survives a crash of the program; a power loss may take the last few (the
    /// directory, which can be imported again).
    Normal,
}

/// A kind of Ringside data file and how it is opened.
#[derive(Debug, Clone, Copy)]
pub struct Format {
    /// What the file is, for the log: `"call history"`, `"customer directory"`.
    pub what: &'static str,
    /// `PRAGMA application_id`: a file with another (non-zero) one is another program's.
    pub application_id: i32,
    /// Version N is `migrations[N - 1]`; the newest version is their number. Never change or
    /// remove a released one: add a version.
    pub migrations: &'static [Migration],
    pub synchronous: Synchronous,
    /// More per-connection `PRAGMA`s, run before the migrations (e.g. `"PRAGMA cache_size=-16384;"`).
    pub pragmas: &'static str,
}

/// Why a file could not be opened. Each store says it in its own words (its `From` impl).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("the folder {0} does not exist")]
    MissingFolder(PathBuf),
    #[error("{0} cannot be written: the file or its folder is read-only")]
    ReadOnly(PathBuf),
    #[error("{0} cannot be opened: permission denied or not a regular file")]
    CannotOpen(PathBuf),
    /// A database with another application id (another program's, or another Ringside file).
    #[error("{path} is a database of another kind (application id {application_id:#x})")]
    NotOurs { path: PathBuf, application_id: i32 },
    #[error("{path} was written by a newer version (format {found}; this version reads up to {supported})")]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("{0} is damaged or is not a database at all")]
    Corrupt(PathBuf),
    #[error("{0} is busy: another program holds it")]
    Busy(PathBuf),
    #[error("{path} could not be opened: {source}")]
    Sql {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

impl From<FileProblem> for OpenError {
    fn from(problem: FileProblem) -> Self {
        match problem {
            FileProblem::MissingFolder(p) => OpenError::MissingFolder(p),
            FileProblem::ReadOnly(p) => OpenError::ReadOnly(p),
            FileProblem::CannotOpen(p) => OpenError::CannotOpen(p),
        }
    }
}

/// What went wrong while the header was read or the file set up, before the path is attached.
enum SetUpError {
    NotOurs(i32),
    TooNew(i64),
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for SetUpError {
    fn from(e: rusqlite::Error) -> Self {
        SetUpError::Sql(e)
    }
}

impl Format {
    /// The newest schema version: the number of migrations.
    pub const fn version(&self) -> i64 {
        self.migrations.len() as i64
    }

    /// Opens `path` read-write, creating the file when it does not exist, and migrates it to
    /// [`Format::version`]. The errors, in order of checking: the folder is missing, the file
    /// or folder is read-only or cannot be opened, it is another program's database or newer
    /// than this version (nothing is written to it then), it is damaged, it is busy.
    pub fn open(&self, path: &Path) -> Result<Connection, OpenError> {
        self.open_file(path, self.version())
    }

    /// Opens (or creates) `path` migrated only up to `version` (at least 1), as an older
    /// Ringside left it, so a test can check that the next open migrates it with its data.
    #[cfg(feature = "test-support")]
    pub fn open_at_version(&self, path: &Path, version: i64) -> Result<Connection, OpenError> {
        self.open_file(path, version.clamp(1, self.version()))
    }

    /// A database that lives in memory only, with the whole schema.
    pub fn open_in_memory(&self) -> Result<Connection, OpenError> {
        let path = PathBuf::from(":memory:");
        let mut conn = Connection::open_in_memory().map_err(|source| OpenError::Sql { path: path.clone(), source })?;
        self.set_up(&mut conn, self.version(), false).map_err(|e| self.explain(e, &path))?;
        Ok(conn)
    }

    fn open_file(&self, path: &Path, up_to: i64) -> Result<Connection, OpenError> {
        probe(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| opening_error(e, path))?;
        if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
            return Err(OpenError::ReadOnly(path.to_path_buf()));
        }
        self.set_up(&mut conn, up_to, true).map_err(|e| self.explain(e, path))?;
        tracing::info!(path = %path.display(), what = self.what, "data file opened");
        Ok(conn)
    }

    /// Checks the header, sets the connection up, migrates to `up_to`.
    fn set_up(&self, conn: &mut Connection, up_to: i64, file: bool) -> Result<(), SetUpError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Plans that do not depend on bound values: otherwise SQLite marks a statement with
        // `column = ?` as "re-plan when rebound", and rusqlite's statement cache, which clears
        // the bindings of every statement it takes back, makes each use parse it again.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        // Reading the header first: a file that is not a database fails here, and a file that
        // is not ours or too new is refused before anything is written to it.
        let version = self.check_header(conn)?;
        if file {
            let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            if !mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(mode, what = self.what, "the file could not switch to WAL mode");
            }
        }
        let synchronous = match self.synchronous {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        };
        conn.execute_batch(&format!("PRAGMA synchronous={synchronous}; PRAGMA foreign_keys=ON; {}", self.pragmas))?;
        for target in (version + 1)..=up_to {
            self.migrate_to(conn, target)?;
        }
        Ok(())
    }

    /// The file's schema version, once its application id and version are acceptable.
    fn check_header(&self, conn: &Connection) -> Result<i64, SetUpError> {
        let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        let brand_new = app_id == 0 && version == 0 && objects == 0;
        if app_id != self.application_id && !brand_new {
            return Err(SetUpError::NotOurs(app_id));
        }
        if version > self.version() {
            return Err(SetUpError::TooNew(version));
        }
        Ok(version)
    }

    /// Version `target` in one write transaction, taken before the version is read again: a
    /// program that migrated the file meanwhile is noticed, and the step is not run twice.
    fn migrate_to(&self, conn: &mut Connection, target: i64) -> Result<(), SetUpError> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > self.version() {
            return Err(SetUpError::TooNew(version));
        }
        if version >= target {
            return Ok(());
        }
        let index = usize::try_from(target - 1).unwrap_or(usize::MAX);
        if let Some(migration) = self.migrations.get(index) {
            migration.run(&tx)?;
        }
        tx.pragma_update(None, "application_id", self.application_id)?;
        tx.pragma_update(None, "user_version", target)?;
        tx.commit()?;
        tracing::info!(version = target, what = self.what, "data file migrated");
        Ok(())
    }

    fn explain(&self, e: SetUpError, path: &Path) -> OpenError {
        let path = path.to_path_buf();
        match e {
            SetUpError::NotOurs(application_id) => OpenError::NotOurs { path, application_id },
            SetUpError::TooNew(found) => OpenError::TooNew { path, found, supported: self.version() },
            SetUpError::Sql(source) => match source.sqlite_error_code() {
                Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => OpenError::Corrupt(path),
                Some(ErrorCode::ReadOnly) | Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => {
                    OpenError::ReadOnly(path)
                }
                Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => OpenError::Busy(path),
                _ => OpenError::Sql { path, source },
            },
        }
    }
}

/// SQLite's refusal to open the file at all, after [`probe`] found nothing wrong.
fn opening_error(source: rusqlite::Error, path: &Path) -> OpenError {
    let path = path.to_path_buf();
    match source.sqlite_error_code() {
        Some(ErrorCode::ReadOnly) => OpenError::ReadOnly(path),
        Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => OpenError::Corrupt(path),
        Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => OpenError::CannotOpen(path),
        _ => OpenError::Sql { path, source },
    }
}

#[cfg(test)]
mod tests {
    use super::{probe, FileProblem, Format, Migration, Synchronous};

    const TWO: Format = Format {
        what: "test",
        application_id: 7,
        migrations: &[Migration::sql("CREATE TABLE a (x);"), Migration::sql("CREATE TABLE b (x);")],
        synchronous: Synchronous::Normal,
        pragmas: "",
    };

    /// Two programs (the app and the CLI) open a version-1 file at once: both read version 1,
    /// one migrates; the other, once it holds the write lock, sees version 2 and does not run
    /// the step again (CREATE TABLE b would fail).
    #[test]
    fn a_version_another_program_applied_meanwhile_is_not_applied_again() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("two.sqlite");
        let mut late = rusqlite::Connection::open(&file).unwrap();
        late.execute_batch("CREATE TABLE a (x); PRAGMA application_id = 7; PRAGMA user_version = 1;").unwrap();
        assert!(matches!(TWO.check_header(&late), Ok(1)));
        TWO.open(&file).expect("the other program migrates it");
        assert!(TWO.migrate_to(&mut late, 2).is_ok(), "seen as done, not run again");
        let tables: i64 =
            late.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'b'", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn a_new_file_in_an_existing_folder_is_fine_and_not_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite");
        assert_eq!(probe(&path), Ok(()));
        assert!(!path.exists(), "the probe file was removed");
    }

    #[test]
    fn a_missing_folder_and_a_folder_in_the_way_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        assert_eq!(probe(&missing.join("x.sqlite")), Err(FileProblem::MissingFolder(missing)));
        assert_eq!(probe(dir.path()), Err(FileProblem::CannotOpen(dir.path().to_path_buf())));
    }
}
