//! What dialing needs from the OS: where MicroSIP and Zoiper are installed, how the desktop
//! opens a URL with its registered handler, and which program handles `tel:` links. One module
//! per OS with the same functions; each says what its OS does and where that is documented.
//!
//! Tested on Linux only (Debian 12); the Windows and macOS modules are type-checked with
//! `cargo check --target`. docs/platforms.md says what was verified where.

use std::path::{Path, PathBuf};

#[cfg(not(any(windows, target_os = "macos")))]
mod freedesktop;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(windows)]
mod windows;

#[cfg(not(any(windows, target_os = "macos")))]
pub(crate) use freedesktop::{
    app_with_url, become_link_handler, default_link_handler, find_microsip, find_zoiper, is_app_bundle, opener,
};
#[cfg(target_os = "macos")]
pub(crate) use macos::{
    app_with_url, become_link_handler, default_link_handler, find_microsip, find_zoiper, is_app_bundle, opener,
};
#[cfg(windows)]
pub(crate) use windows::{
    app_with_url, become_link_handler, default_link_handler, find_microsip, find_zoiper, is_app_bundle, opener,
};

/// The first of `candidates` that is a program file.
// macOS looks for Zoiper as a bundle (a directory), so it has no list of program files.
#[cfg_attr(target_os = "macos", allow(dead_code))]
fn first_program(candidates: impl IntoIterator<Item = PathBuf>) -> Option<PathBuf> {
    candidates.into_iter().find(|p| is_program(p))
}

/// `name` in a directory of `PATH`, if it is an executable file there.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).filter(|d| d.is_absolute()).map(|d| d.join(name)).find(|p| is_program(p))
}

/// A file with an execute bit (Unix), or any file (Windows, where being a program is a matter
/// of its extension, which the callers name).
#[cfg(unix)]
fn is_program(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_program(path: &Path) -> bool {
    path.is_file()
}
