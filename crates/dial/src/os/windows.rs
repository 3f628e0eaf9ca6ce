//! Windows. Installers put programs under the known folders `FOLDERID_ProgramFiles`,
//! `FOLDERID_ProgramFilesX86` and `FOLDERID_UserProgramFiles` (`%LOCALAPPDATA%\Programs`), whose
//! paths the environment carries (<https://learn.microsoft.com/en-us/windows/win32/shell/knownfolderid>).
//! A URL scheme's handler is registered in the registry under `Software\Classes\SCHEME` with a
//! `URL Protocol` value and a `shell\open\command` ("Registering an Application to a URI Scheme",
//! <https://learn.microsoft.com/previous-versions/windows/internet-explorer/ie-developer/platform-apis/aa767914(v=vs.85)>);
//! which registered handler is the default the user chooses in Settings, so Ringside neither
//! reads nor sets it. Not run on Windows: type-checked only (`cargo check --target x86_64-pc-windows-gnu`).

use std::path::{Path, PathBuf};

use super::{first_program, which};
use crate::{DialError, LaunchPlan};

/// `microsip.exe` in `MicroSIP` under `%ProgramFiles%`, `%ProgramFiles(x86)%` or `%LOCALAPPDATA%`
/// (its per-user installer), then on `PATH`.
pub(crate) fn find_microsip() -> Option<PathBuf> {
    let bases = ["ProgramFiles", "ProgramFiles(x86)", "LOCALAPPDATA"].into_iter().filter_map(std::env::var_os);
    first_program(bases.map(|base| PathBuf::from(base).join("MicroSIP").join("microsip.exe")))
        .or_else(|| which("microsip.exe"))
}

/// `Zoiper5\Zoiper5.exe` or `Zoiper\Zoiper.exe` under `%ProgramFiles%`, `%ProgramFiles(x86)%` or
/// `%LOCALAPPDATA%\Programs`, then `Zoiper5.exe` on `PATH`.
pub(crate) fn find_zoiper() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    for (var, sub) in [("ProgramFiles", ""), ("ProgramFiles(x86)", ""), ("LOCALAPPDATA", "Programs")] {
        if let Some(base) = std::env::var_os(var) {
            let base = PathBuf::from(base).join(sub);
            candidates.push(base.join("Zoiper5").join("Zoiper5.exe"));
            candidates.push(base.join("Zoiper").join("Zoiper.exe"));
        }
    }
    first_program(candidates).or_else(|| which("Zoiper5.exe"))
}

/// No application bundles on Windows: a softphone is an `.exe`.
pub(crate) fn is_app_bundle(_path: &Path) -> bool {
    false
}

/// `app URL`.
pub(crate) fn app_with_url(app: PathBuf, url: String) -> Result<LaunchPlan, DialError> {
    Ok(LaunchPlan { program: app, args: vec![url] })
}

/// `rundll32 url.dll,FileProtocolHandler URL`: the shell runs the `shell\open\command` registered
/// for the URL's scheme. rundll32 from `%SystemRoot%\System32`, not whatever is first on `PATH`;
/// never `cmd /c start`, a shell.
pub(crate) fn opener(url: String) -> LaunchPlan {
    let program = std::env::var_os("SystemRoot")
        .map(|root| PathBuf::from(root).join("System32").join("rundll32.exe"))
        .unwrap_or_else(|| PathBuf::from("rundll32.exe"));
    LaunchPlan { program, args: vec!["url.dll,FileProtocolHandler".to_owned(), url] }
}

/// Not read: the user's choice is kept by Windows and shown in
/// Settings → Apps → Default apps → "Choose defaults by link type"; the error says so.
pub(crate) fn default_link_handler(scheme: &str) -> Result<Option<String>, DialError> {
    Err(DialError::LinkHandler(format!(
        "Ringside cannot read the {scheme}: handler on Windows; see Settings → Apps → Default apps → \
         \"Choose defaults by link type\" ({}) ",
        scheme.to_ascii_uppercase()
    )))
}

/// Not set: Windows lets only the user choose the default; the installer registers Ringside as
/// one handler under `HKCU\Software\Classes`. The error says where the user chooses.
pub(crate) fn become_link_handler(_desktop_id: &str) -> Result<(), DialError> {
    Err(DialError::LinkHandler(
        "On Windows, make Ringside the tel: handler in Settings → Apps → Default apps → \"Choose defaults by \
         link type\" (TEL, CALLTO, SIP); the installer registers it under HKCU\\Software\\Classes"
            .to_owned(),
    ))
}
