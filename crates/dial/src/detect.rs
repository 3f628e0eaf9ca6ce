//! What is installed on this desktop, and which program handles `tel:` links.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::DialError;

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
        microsip: find_microsip(),
        zoiper: find_zoiper(),
        tel_handler: default_link_handler("tel").ok().flatten(),
    }
}

pub(crate) fn find_microsip() -> Option<PathBuf> {
    if cfg!(windows) {
        let mut candidates = Vec::new();
        for (var, sub) in [("ProgramFiles", ""), ("ProgramFiles(x86)", ""), ("LOCALAPPDATA", "")] {
            if let Some(base) = std::env::var_os(var) {
                candidates.push(PathBuf::from(base).join(sub).join("MicroSIP").join("microsip.exe"));
            }
        }
        first_file(candidates).or_else(|| which("microsip.exe"))
    } else {
        which("microsip")
    }
}

pub(crate) fn find_zoiper() -> Option<PathBuf> {
    if cfg!(windows) {
        let mut candidates = Vec::new();
        for (var, sub) in [("ProgramFiles", ""), ("ProgramFiles(x86)", ""), ("LOCALAPPDATA", "Programs")] {
            if let Some(base) = std::env::var_os(var) {
                let base = PathBuf::from(base).join(sub);
                candidates.push(base.join("Zoiper5").join("Zoiper5.exe"));
                candidates.push(base.join("Zoiper").join("Zoiper.exe"));
            }
        }
        first_file(candidates).or_else(|| which("Zoiper5.exe"))
    } else if cfg!(target_os = "macos") {
        let mut dirs = vec![PathBuf::from("/Applications")];
        if let Some(home) = std::env::var_os("HOME") {
            dirs.push(PathBuf::from(home).join("Applications"));
        }
        dirs.iter().flat_map(|d| [d.join("Zoiper5.app"), d.join("Zoiper.app")]).find(|p| p.is_dir())
    } else {
        which("zoiper5").or_else(|| which("zoiper")).or_else(|| {
            first_file(vec![
                PathBuf::from("/usr/local/applications/Zoiper5/zoiper"),
                PathBuf::from("/usr/local/applications/Zoiper5/zoiper5"),
                PathBuf::from("/opt/Zoiper5/zoiper"),
            ])
        })
    }
}

fn first_file(candidates: Vec<PathBuf>) -> Option<PathBuf> {
    candidates.into_iter().find(|p| is_program(p))
}

/// `name` in a directory of `PATH`, if it is an executable file there.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).filter(|d| d.is_absolute()).map(|d| d.join(name)).find(|p| is_program(p))
}

#[cfg(unix)]
fn is_program(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_program(path: &Path) -> bool {
    path.is_file()
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
    let scheme = checked_scheme(scheme)?;
    if cfg!(windows) {
        return Err(DialError::LinkHandler(format!(
            "Ringside cannot read the {scheme}: handler on Windows; see Settings → Apps → Default apps → \
             \"Choose defaults by link type\" ({}) ",
            scheme.to_ascii_uppercase()
        )));
    }
    if cfg!(target_os = "macos") {
        return Err(DialError::LinkHandler(format!(
            "Ringside cannot read the {scheme}: handler on macOS; the default calling app is chosen in \
             FaceTime → Settings → Default for calls"
        )));
    }
    let out = xdg_mime(&["query", "default", &format!("x-scheme-handler/{scheme}")])?;
    let handler = out.lines().next().unwrap_or("").trim();
    Ok((!handler.is_empty()).then(|| handler.to_owned()))
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
    if cfg!(windows) {
        return Err(DialError::LinkHandler(
            "On Windows, make Ringside the tel: handler in Settings → Apps → Default apps → \"Choose defaults by \
             link type\" (TEL, CALLTO, SIP); the installer registers it under HKCU\\Software\\Classes"
                .to_owned(),
        ));
    }
    if cfg!(target_os = "macos") {
        return Err(DialError::LinkHandler(
            "On macOS, Ringside handles tel: links once installed in Applications; choose it as the default \
             calling app in FaceTime → Settings → Default for calls"
                .to_owned(),
        ));
    }
    let mut args = vec!["default".to_owned(), desktop_id.to_owned()];
    args.extend(LINK_SCHEMES.iter().map(|s| format!("x-scheme-handler/{s}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    xdg_mime(&args)?;
    for scheme in LINK_SCHEMES {
        let now = default_link_handler(scheme)?;
        if now.as_deref() != Some(desktop_id) {
            return Err(DialError::LinkHandler(format!(
                "{desktop_id} was set as the handler for {scheme}: links, but the desktop still reports {}; \
                 is {desktop_id} installed in ~/.local/share/applications or /usr/share/applications, and does \
                 its Exec= program exist?",
                now.as_deref().unwrap_or("none")
            )));
        }
    }
    Ok(())
}

/// How long xdg-mime may take; it is a shell script that may ask D-Bus which desktop runs.
const XDG_MIME_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `xdg-mime ARGS` (no shell) and returns its standard output.
fn xdg_mime(args: &[&str]) -> Result<String, DialError> {
    let mut child = Command::new("xdg-mime")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                DialError::LinkHandler(
                    "xdg-mime was not found; install xdg-utils (apt-get install xdg-utils)".to_owned(),
                )
            } else {
                DialError::LinkHandler(format!("xdg-mime could not be started: {e}"))
            }
        })?;
    // Its output is a line or two, far below a pipe's buffer: waiting first cannot deadlock.
    let deadline = Instant::now() + XDG_MIME_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(DialError::LinkHandler(format!(
                    "xdg-mime did not answer within {} seconds",
                    XDG_MIME_TIMEOUT.as_secs()
                )));
            }
            Err(e) => return Err(DialError::LinkHandler(format!("could not wait for xdg-mime: {e}"))),
        }
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.by_ref().take(64 * 1024).read_to_string(&mut stdout);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.by_ref().take(64 * 1024).read_to_string(&mut stderr);
    }
    if !status.success() {
        let said = stderr.trim();
        return Err(DialError::LinkHandler(format!(
            "xdg-mime {} failed ({status}){}{}",
            args.join(" "),
            if said.is_empty() { "" } else { ": " },
            crate::shorten(said)
        )));
    }
    Ok(stdout)
}
