//! What is installed on this desktop, and which program handles `tel:` links.

use std::path::PathBuf;

use serde::Serialize;

use crate::{os, DialError};

/// The link schemes Ringside handles.
pub const LINK_SCHEMES: [&str; 3] = ["tel", "callto", "sip"];

/// What [`detect`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Detected {
    /// MicroSIP's executable.
    pub microsip: Option<PathBuf>,
    /// Zoiper's executable (on macOS its `.app` bundle).
    pub zoiper: Option<PathBuf>,
    /// The desktop file that handles `tel:` links (Linux only; `None` elsewhere or when unknown).
    pub tel_handler: Option<String>,
}

/// Looks for MicroSIP and Zoiper where their installers put them, and asks the desktop which
/// program handles `tel:` links. Runs `xdg-mime` on Linux: call it off an async runtime.
///
/// - MicroSIP: Windows `%ProgramFiles%\MicroSIP\microsip.exe`, `%ProgramFiles(x86)%\MicroSIP\…`,
///   `%LOCALAPPDATA%\MicroSIP\microsip.exe`, then `microsip.exe` on `PATH`; elsewhere `microsip`
///   on `PATH` (a Wine wrapper).
/// - Zoiper: Windows `%ProgramFiles%`/`%ProgramFiles(x86)%`/`%LOCALAPPDATA%\Programs` +
///   `Zoiper5\Zoiper5.exe`; macOS `/Applications/Zoiper5.app`, `/Applications/Zoiper.app`,
///   `~/Applications/…`; Linux `zoiper5`/`zoiper` on `PATH`, `/usr/local/applications/Zoiper5/zoiper`,
///   `/opt/Zoiper5/zoiper`.
pub fn detect() -> Detected {
    Detected {
        microsip: os::find_microsip(),
        zoiper: os::find_zoiper(),
        tel_handler: default_link_handler("tel").ok().flatten(),
    }
}

fn checked_scheme(scheme: &str) -> Result<&'static str, DialError> {
    LINK_SCHEMES.into_iter().find(|s| s.eq_ignore_ascii_case(scheme)).ok_or_else(|| {
        DialError::LinkHandler(format!("{scheme:?} is not a link scheme Ringside handles; use tel, callto or sip"))
    })
}

/// The desktop file that handles `scheme:` links now (`"ringside.desktop"`), `None` when there
/// is none. Linux and other freedesktop systems: `xdg-mime query default x-scheme-handler/SCHEME`
/// (needs xdg-utils). Windows and macOS: an error that says where to look by hand.
pub fn default_link_handler(scheme: &str) -> Result<Option<String>, DialError> {
    os::default_link_handler(checked_scheme(scheme)?)
}

/// Makes `desktop_id` (`"ringside.desktop"`, a file installed in an `applications` folder) the
/// default for `tel:`, `callto:` and `sip:` links for this user: `xdg-mime default DESKTOP_ID
/// x-scheme-handler/tel x-scheme-handler/callto x-scheme-handler/sip`, which writes
/// `$XDG_CONFIG_HOME/mimeapps.list` (`~/.config/mimeapps.list`); then checks that xdg-mime
/// reports it. Windows and macOS: an error that says how to do it by hand (docs/dial.md).
pub fn become_link_handler(desktop_id: &str) -> Result<(), DialError> {
    let valid = desktop_id.len() <= 255
        && desktop_id.len() > ".desktop".len()
        && desktop_id.ends_with(".desktop")
        && !desktop_id.starts_with(['-', '.'])
        && desktop_id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !valid {
        return Err(DialError::LinkHandler(format!(
            "{desktop_id:?} is not a desktop file id; it looks like \"ringside.desktop\""
        )));
    }
    os::become_link_handler(desktop_id)
}
