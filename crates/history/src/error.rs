//! Everything the history can fail with, in words an agent can act on.

use std::fmt;
use std::path::PathBuf;

use ringside_core::CallId;
use rusqlite::ErrorCode;

/// Why a write did not reach the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteProblem {
    /// `SQLITE_FULL`: no room on the disk (or the file reached its size limit).
    DiskFull,
    /// `SQLITE_READONLY`, `SQLITE_CANTOPEN`, `SQLITE_PERM`: the file, its folder or the disk
    /// cannot be written.
    ReadOnly,
    /// `SQLITE_IOERR`: the operating system reported an input/output error.
    Io,
    /// Another program held the file for longer than the busy timeout.
    Busy,
    /// The file is damaged.
    Damaged,
    /// Anything else, in SQLite's words.
    Other(String),
}

impl WriteProblem {
    pub(crate) fn of(e: &rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => WriteProblem::DiskFull,
            Some(ErrorCode::ReadOnly) | Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => {
                WriteProblem::ReadOnly
            }
            Some(ErrorCode::SystemIoFailure) => WriteProblem::Io,
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => WriteProblem::Busy,
            Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => WriteProblem::Damaged,
            _ => WriteProblem::Other(e.to_string()),
        }
    }

    /// "when there is room", "when the file can be written again", …
    fn when(&self) -> &'static str {
        match self {
            WriteProblem::DiskFull => "when there is room",
            WriteProblem::ReadOnly => "when the file can be written again",
            WriteProblem::Busy => "when the other program lets go of the file",
            _ => "when the history can be written again",
        }
    }
}

impl fmt::Display for WriteProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteProblem::DiskFull => f.write_str("the disk is full"),
            WriteProblem::ReadOnly => f.write_str("the file, its folder or the disk is read-only"),
            WriteProblem::Io => f.write_str("the disk reported an input/output error"),
            WriteProblem::Busy => f.write_str("another program holds the file"),
            WriteProblem::Damaged => f.write_str("the file is damaged"),
            WriteProblem::Other(why) => write!(f, "SQLite said: {why}"),
        }
    }
}

/// What happened to the change that could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// Kept in memory; `flush_pending` (or the next successful write) saves it.
    Note,
    Call,
    WrapUp,
    RecordingUrl,
    /// The call's CRM write-back request.
    WriteBack,
    /// A number marked as called back ([`crate::History::mark_called_back`]).
    CallBack,
    /// Several pending changes (from `flush_pending`).
    Pending(usize),
    /// Not kept: a write-back item's state (sent, failed) was not recorded. The item stays
    /// due, is sent again, and the idempotency key makes the CRM recognise the repeat.
    NotKept,
}

/// Everything [`crate::History`] can fail with. Every message names the file and says what
/// happens next or what to do.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("Ringside cannot open its call history: the folder {0} does not exist")]
    MissingFolder(PathBuf),
    #[error("Ringside cannot write its call history ({0}): the file or its folder is read-only; make it writable or choose another folder, then start Ringside again")]
    ReadOnly(PathBuf),
    #[error("Ringside cannot open its call history ({0}): permission denied or not a regular file")]
    CannotOpen(PathBuf),
    #[error("{0} is a database, but not Ringside's call history; choose another file")]
    NotAHistory(PathBuf),
    #[error("Ringside's call history {0} is damaged or is not a database at all; move it aside (Ringside then starts a new one) or restore it from a backup")]
    Corrupt(PathBuf),
    #[error("the call history {path} was written by a newer Ringside (format {found}; this version reads up to {supported}); update Ringside")]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("the call history {0} is busy: another program holds it; try again")]
    Busy(PathBuf),
    /// A write failed; `kept` says whether the change waits in memory (see
    /// [`HistoryError::kept_in_memory`]).
    #[error("{}", not_saved_text(.path, .problem, .kept))]
    NotSaved { path: PathBuf, problem: WriteProblem, kept: Kept },
    #[error("there is no call {0} in the history")]
    NoSuchCall(CallId),
    #[error("the call {0} has not ended yet; queue it for the CRM once it has ended")]
    CallNotEnded(CallId),
    #[error("there is no CRM write-back item {0} in the history")]
    NoSuchItem(i64),
    #[error("{0}")]
    Invalid(String),
    /// Writing an export (CSV) failed; what was written so far is incomplete.
    #[error("Ringside could not finish the export: {}. The exported file is incomplete; {}", io_reason(.0), io_advice(.0))]
    Export(#[source] std::io::Error),
    #[error("the call history {path} could not be read or written: {source}")]
    Database {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

impl HistoryError {
    /// The change was not written but waits in memory: show the message as a warning; the
    /// runtime calls `flush_pending` later (nothing is lost while Ringside runs).
    pub fn kept_in_memory(&self) -> bool {
        matches!(self, HistoryError::NotSaved { kept, .. } if *kept != Kept::NotKept)
    }
}

fn not_saved_text(path: &std::path::Path, problem: &WriteProblem, kept: &Kept) -> String {
    let head = format!("Ringside cannot write its call history ({}): {problem}.", path.display());
    let when = problem.when();
    let tail = match kept {
        Kept::Note => format!("Your note is kept and will be saved {when}."),
        Kept::Call => format!("The call is kept and will be saved {when}."),
        Kept::WrapUp => format!("The wrap-up result is kept and will be saved {when}."),
        Kept::RecordingUrl => format!("The recording link is kept and will be saved {when}."),
        Kept::WriteBack => format!("The call is queued for the CRM and will be saved {when}."),
        Kept::CallBack => format!("The number is marked as called back; the mark is kept and will be saved {when}."),
        Kept::Pending(1) => format!("One unsaved change is kept and will be saved {when}."),
        Kept::Pending(n) => format!("{n} unsaved changes are kept and will be saved {when}."),
        Kept::NotKept => {
            "The CRM write-back state was not recorded; the call is sent again later and the CRM recognises the repeat."
                .to_owned()
        }
    };
    format!("{head} {tail}")
}

/// An I/O error in words: "the disk is full", …
fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull => "the disk is full".to_owned(),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
            "the file or its folder cannot be written (read-only or no permission)".to_owned()
        }
        ErrorKind::BrokenPipe | ErrorKind::ConnectionReset => "the program receiving it stopped reading".to_owned(),
        ErrorKind::WriteZero => "the disk took no more data".to_owned(),
        _ => format!("the system said: {e}"),
    }
}

/// What the agent can do about it.
fn io_advice(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::StorageFull | ErrorKind::WriteZero => "free some space, then export again",
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => "choose another folder, then export again",
        _ => "export again",
    }
}

impl ringside_core::ErrorCode for HistoryError {
    fn code(&self) -> &'static str {
        match self {
            HistoryError::MissingFolder(_) => "history.missing_folder",
            HistoryError::ReadOnly(_) => "history.read_only",
            HistoryError::CannotOpen(_) => "history.cannot_open",
            HistoryError::NotAHistory(_) => "history.not_a_history",
            HistoryError::Corrupt(_) => "history.damaged",
            HistoryError::TooNew { .. } => "history.too_new",
            HistoryError::Busy(_) => "history.busy",
            // The window shows a kept note as a warning, not as lost work.
            HistoryError::NotSaved { kept, .. } if *kept != Kept::NotKept => "history.not_saved_kept",
            HistoryError::NotSaved { .. } => "history.not_saved",
            HistoryError::NoSuchCall(_) => "history.no_such_call",
            HistoryError::CallNotEnded(_) => "history.call_not_ended",
            HistoryError::NoSuchItem(_) => "history.no_such_item",
            HistoryError::Invalid(_) => "history.invalid",
            HistoryError::Export(_) => "history.export_failed",
            HistoryError::Database { .. } => "history.database",
        }
    }

    fn args(&self) -> ringside_core::ErrorArgs {
        use ringside_core::error_code::args;
        match self {
            HistoryError::MissingFolder(p)
            | HistoryError::ReadOnly(p)
            | HistoryError::CannotOpen(p)
            | HistoryError::NotAHistory(p)
            | HistoryError::Corrupt(p)
            | HistoryError::Busy(p) => args([("path", p.display().to_string())]),
            HistoryError::TooNew { path, found, supported } => args([
                ("path", path.display().to_string()),
                ("found", found.to_string()),
                ("supported", supported.to_string()),
            ]),
            HistoryError::NotSaved { path, problem, .. } => {
                args([("path", path.display().to_string()), ("problem", problem.to_string())])
            }
            HistoryError::NoSuchCall(c) | HistoryError::CallNotEnded(c) => args([("call", c.to_string())]),
            _ => ringside_core::ErrorArgs::new(),
        }
    }
}
