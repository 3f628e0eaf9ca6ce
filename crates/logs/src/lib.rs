//! Ringside's log: a file per day in the OS's log folder ([`log_dir`]), the last seven kept, so
//! support can ask "what happened at 10:40" after the fact, and its last lines for *Copy
//! diagnostics*.
//!
//! What is written is the code's business, not this crate's: secrets never reach a log line
//! (they are `Secret`s whose `Debug` and `Display` print a mask), and at `info` and above no
//! caller's name (a stranger's text) is logged. The end-to-end tests read the log and check
//! both.
//!
//! Writes are synchronous, one line at a time: the last lines before a crash are on disk.

mod folder;

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub use folder::log_dir;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// One file instead of the daily files (the end-to-end tests read it).
pub const LOG_FILE_ENV: &str = "RINGSIDE_LOG_FILE";
const PREFIX: &str = "ringside";
const SUFFIX: &str = "log";
/// Daily files kept: a week.
pub const KEEP_FILES: usize = 7;
/// How much of the end of the file [`Logging::tail`] reads at most.
const TAIL_BYTES: u64 = 256 * 1024;

/// Where the log goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// Daily files `ringside.YYYY-MM-DD.log` in this folder.
    Folder(PathBuf),
    /// This one file ([`LOG_FILE_ENV`]).
    File(PathBuf),
    /// No file could be opened: stderr only.
    Stderr,
}

/// The log as set up by [`init`].
#[derive(Debug, Clone)]
pub struct Logging {
    pub target: LogTarget,
    /// Why there is no file, when there is none.
    pub problem: Option<String>,
}

impl Logging {
    /// The file written now, if any.
    pub fn current_file(&self) -> Option<PathBuf> {
        match &self.target {
            LogTarget::File(file) => Some(file.clone()),
            LogTarget::Folder(dir) => newest_log(dir),
            LogTarget::Stderr => None,
        }
    }

    /// The last `lines` lines of the file written now (fewer if it has fewer; none without a
    /// file).
    pub fn tail(&self, lines: usize) -> Vec<String> {
        self.current_file().map(|f| tail(&f, lines)).unwrap_or_default()
    }
}

/// The app's log as another process (`ringside-cli diagnostics`) finds it: the file
/// [`LOG_FILE_ENV`] names, else the daily files in [`log_dir`].
pub fn app_log() -> Logging {
    let target = match std::env::var_os(LOG_FILE_ENV).filter(|p| !p.is_empty()) {
        Some(file) => LogTarget::File(PathBuf::from(file)),
        None => log_dir().map(LogTarget::Folder).unwrap_or(LogTarget::Stderr),
    };
    Logging { target, problem: None }
}

/// Sets up the log for the app: the daily files in [`log_dir`] (or the file [`LOG_FILE_ENV`]
/// names), and stderr too when it is a terminal. `RUST_LOG` filters, else `default_filter`.
/// A second call keeps the first set-up (tests).
pub fn init(default_filter: &str) -> Logging {
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let (file, logging) = open(std::env::var_os(LOG_FILE_ENV).filter(|p| !p.is_empty()).map(PathBuf::from));
    let to_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let file_layer = file.map(|appender| {
        tracing_subscriber::fmt::layer().with_ansi(false).with_target(false).with_writer(appender).with_filter(filter())
    });
    let stderr_layer = (to_terminal || file_layer.is_none()).then(|| {
        tracing_subscriber::fmt::layer().with_target(false).with_writer(std::io::stderr).with_filter(filter())
    });
    let _ = tracing_subscriber::registry().with(file_layer).with(stderr_layer).try_init();
    if let Some(problem) = &logging.problem {
        tracing::warn!(%problem, "no log file; logging to stderr only");
    }
    logging
}

/// The appender for `file` (one file) or the daily files in [`log_dir`].
fn open(file: Option<PathBuf>) -> (Option<RollingFileAppender>, Logging) {
    let (target, built) = match file {
        Some(file) => {
            let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| PREFIX.into());
            let built = RollingFileAppender::builder().rotation(Rotation::NEVER).filename_prefix(name).build(&dir);
            (LogTarget::File(file), built)
        }
        None => match log_dir() {
            Some(dir) => {
                if let Err(e) = private_dir(&dir) {
                    let problem = format!("cannot create {}: {e}", dir.display());
                    return (None, Logging { target: LogTarget::Stderr, problem: Some(problem) });
                }
                let built = daily().build(&dir);
                (LogTarget::Folder(dir), built)
            }
            None => {
                let problem = "no home folder to keep a log in".to_string();
                return (None, Logging { target: LogTarget::Stderr, problem: Some(problem) });
            }
        },
    };
    match built {
        Ok(appender) => (Some(appender), Logging { target, problem: None }),
        Err(e) => (None, Logging { target: LogTarget::Stderr, problem: Some(e.to_string()) }),
    }
}

fn daily() -> tracing_appender::rolling::Builder {
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(PREFIX)
        .filename_suffix(SUFFIX)
        .max_log_files(KEEP_FILES)
}

/// The log folder, readable by its user only (a log names the PBX and the agent's calls).
fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// The newest daily file in `dir` (`ringside.YYYY-MM-DD.log`: the names sort by date).
fn newest_log(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{PREFIX}.")) && n.ends_with(&format!(".{SUFFIX}")))
        })
        .max()
}

/// The last `lines` lines of `file` (read from at most its last 256 KiB).
pub fn tail(file: &Path, lines: usize) -> Vec<String> {
    let Ok(mut f) = std::fs::File::open(file) else { return Vec::new() };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(TAIL_BYTES);
    if f.seek(SeekFrom::Start(start)).is_err() {
        return Vec::new();
    }
    let mut bytes = Vec::new();
    if f.read_to_end(&mut bytes).is_err() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut all: Vec<&str> = text.lines().collect();
    // A read that began mid-file began mid-line.
    if start > 0 && !all.is_empty() {
        all.remove(0);
    }
    all[all.len().saturating_sub(lines)..].iter().map(|l| l.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_tail_is_the_last_lines_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ringside.log");
        let mut f = std::fs::File::create(&file).unwrap();
        for i in 0..50_000 {
            writeln!(f, "line {i} with some words to make the file longer than the part read").unwrap();
        }
        let last = tail(&file, 3);
        assert_eq!(
            last,
            ["line 49997", "line 49998", "line 49999"]
                .map(|l| format!("{l} with some words to make the file longer than the part read"))
        );
        // More lines asked than the part read holds: whole lines only, none cut at the start.
        let many = tail(&file, 1_000_000);
        assert!(many.len() < 50_000 && many.iter().all(|l| l.starts_with("line ")), "{:?}", &many[..2]);
        assert!(tail(&dir.path().join("missing.log"), 5).is_empty());
    }

    #[test]
    fn the_newest_daily_file_is_read_and_a_week_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        for day in ["2020-01-30", "2020-02-01", "2020-01-31"] {
            std::fs::write(dir.path().join(format!("ringside.{day}.log")), format!("{day}\n")).unwrap();
        }
        std::fs::write(dir.path().join("other.log"), "x\n").unwrap();
        let logging = Logging { target: LogTarget::Folder(dir.path().to_path_buf()), problem: None };
        assert_eq!(logging.current_file(), Some(dir.path().join("ringside.2020-02-01.log")));
        assert_eq!(logging.tail(10), ["2020-02-01"]);
        assert_eq!(KEEP_FILES, 7);
        // The appender writes today's file there.
        let mut appender = daily().build(dir.path()).unwrap();
        writeln!(appender, "today").unwrap();
        let today = logging.current_file().unwrap();
        assert!(today.file_name().unwrap().to_string_lossy().as_ref() > "ringside.2020-02-01.log");
        assert_eq!(logging.tail(1), ["today"]);
    }

    #[test]
    fn one_named_file_is_appended_to() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("e2e.log");
        std::fs::write(&file, "before\n").unwrap();
        let (appender, logging) = open(Some(file.clone()));
        let mut appender = appender.unwrap();
        writeln!(appender, "after").unwrap();
        assert_eq!(logging.target, LogTarget::File(file.clone()));
        assert_eq!(logging.tail(5), ["before", "after"]);
    }

    #[cfg(unix)]
    #[test]
    fn the_log_folder_is_its_users_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("state/ringside/logs");
        private_dir(&logs).unwrap();
        assert_eq!(std::fs::metadata(&logs).unwrap().permissions().mode() & 0o777, 0o700);
    }
}
