//! Where each OS keeps an application's logs. One implementation per OS; each says what the
//! OS does and where that is documented.

use std::path::PathBuf;

/// Linux and the BSDs: `$XDG_STATE_HOME/ringside/logs` (`~/.local/state/ringside/logs`). The XDG
/// Base Directory Specification names the state directory for "actions history (logs, history,
/// recently used files, …)" that should persist between restarts but is not important enough
/// for the data directory:
/// <https://specifications.freedesktop.org/basedir-spec/latest/#variables>.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "ringside")?;
    Some(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).join("logs"))
}

/// macOS: `~/Library/Logs/Ringside`, where Console.app lists a user's application logs ("Log
/// Reports"). Apple's File System Programming Guide, "macOS Library Directory Details":
/// `Logs` holds "log files for the current user"
/// <https://developer.apple.com/library/archive/documentation/FileManagement/Conceptual/FileSystemProgrammingGuide/MacOSXDirectories/MacOSXDirectories.html>.
#[cfg(target_os = "macos")]
pub fn log_dir() -> Option<PathBuf> {
    let home = directories::BaseDirs::new()?.home_dir().to_path_buf();
    Some(home.join("Library").join("Logs").join("Ringside"))
}

/// Windows: `%LOCALAPPDATA%\ringside\data\logs`. Per-user data that does not roam with the
/// profile belongs under `FOLDERID_LocalAppData`
/// <https://learn.microsoft.com/en-us/windows/win32/shell/knownfolderid#FOLDERID_LocalAppData>;
/// logs are machine-specific, so they do not roam.
#[cfg(windows)]
pub fn log_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "ringside")?;
    Some(dirs.data_local_dir().join("logs"))
}

/// Anything else: no log folder; the log goes to stderr only.
#[cfg(not(any(unix, windows)))]
pub fn log_dir() -> Option<PathBuf> {
    None
}
