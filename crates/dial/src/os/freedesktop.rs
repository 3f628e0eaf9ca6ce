//! Linux and the BSDs: freedesktop.org desktops. Programs are found on `PATH`; URLs and the
//! default `tel:` handler go through xdg-utils (`xdg-open`, `xdg-mime`), which follow the
//! "Association between MIME types and applications" specification: a URL scheme is the MIME
//! type `x-scheme-handler/SCHEME`, and a user's choice is written to
//! `$XDG_CONFIG_HOME/mimeapps.list` (<https://specifications.freedesktop.org/mime-apps/latest>).
//! Tested here (Debian 12): tests/xdg.rs, tests/plan.rs, tests/launch.rs, tests/detect.rs.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{first_program, which};
use crate::{DialError, LaunchPlan, LINK_SCHEMES};

/// MicroSIP is a Windows program; here it can only be a Wine wrapper called `microsip` on `PATH`.
pub(crate) fn find_microsip() -> Option<PathBuf> {
    which("microsip")
}

/// Zoiper 5's Linux packages: `zoiper5`/`zoiper` on `PATH` (the .deb and .rpm), else the folders
/// its tarball is unpacked into by its instructions.
pub(crate) fn find_zoiper() -> Option<PathBuf> {
    which("zoiper5").or_else(|| which("zoiper")).or_else(|| {
        first_program([
            PathBuf::from("/usr/local/applications/Zoiper5/zoiper"),
            PathBuf::from("/usr/local/applications/Zoiper5/zoiper5"),
            PathBuf::from("/opt/Zoiper5/zoiper"),
        ])
    })
}

/// No application bundles here: a softphone is a program file.
pub(crate) fn is_app_bundle(_path: &Path) -> bool {
    false
}

/// `app URL`.
pub(crate) fn app_with_url(app: PathBuf, url: String) -> Result<LaunchPlan, DialError> {
    Ok(LaunchPlan { program: app, args: vec![url] })
}

/// `xdg-open URL`: xdg-utils hands the URL to the desktop's own opener (gio, kde-open, …) or, on
/// a desktop it does not know, to the `x-scheme-handler/SCHEME` default from mimeapps.list.
pub(crate) fn opener(url: String) -> LaunchPlan {
    LaunchPlan { program: PathBuf::from("xdg-open"), args: vec![url] }
}

/// `xdg-mime query default x-scheme-handler/SCHEME` (needs xdg-utils): the desktop file id
/// (`"ringside.desktop"`), `None` when no handler is set.
pub(crate) fn default_link_handler(scheme: &str) -> Result<Option<String>, DialError> {
    let out = xdg_mime(&["query", "default", &format!("x-scheme-handler/{scheme}")])?;
    let handler = out.lines().next().unwrap_or("").trim();
    Ok((!handler.is_empty()).then(|| handler.to_owned()))
}

/// `xdg-mime default DESKTOP_ID x-scheme-handler/tel x-scheme-handler/callto x-scheme-handler/sip`,
/// which writes `$XDG_CONFIG_HOME/mimeapps.list` (`~/.config/mimeapps.list`); then checks that
/// xdg-mime reports it for every scheme.
pub(crate) fn become_link_handler(desktop_id: &str) -> Result<(), DialError> {
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
