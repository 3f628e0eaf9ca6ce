//! macOS. Applications are bundles (`Zoiper5.app`, directories) in `/Applications` or
//! `~/Applications` (Apple's File System Programming Guide, "The macOS Library Directory
//! Details" and "Standard Directories",
//! <https://developer.apple.com/library/archive/documentation/FileManagement/Conceptual/FileSystemProgrammingGuide/MacOSXDirectories/MacOSXDirectories.html>).
//! An app declares the URL schemes it handles in its `Info.plist` (`CFBundleURLTypes`,
//! <https://developer.apple.com/documentation/bundleresources/information-property-list/cfbundleurltypes>),
//! and Launch Services picks the default; `open(1)` hands a URL or a bundle to Launch Services.
//! Not run on macOS: type-checked only (`cargo check --target aarch64-apple-darwin`).

use std::path::{Path, PathBuf};

use super::which;
use crate::{DialError, LaunchPlan};

/// `open`, by its full path: never whatever is first on `PATH`.
const OPEN: &str = "/usr/bin/open";

/// MicroSIP is a Windows program; here it can only be a wrapper (Wine, CrossOver) called
/// `microsip` on `PATH`.
pub(crate) fn find_microsip() -> Option<PathBuf> {
    which("microsip")
}

/// `Zoiper5.app` or `Zoiper.app` in `/Applications`, then in `~/Applications`.
pub(crate) fn find_zoiper() -> Option<PathBuf> {
    let mut dirs = vec![PathBuf::from("/Applications")];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join("Applications"));
    }
    dirs.iter().flat_map(|d| [d.join("Zoiper5.app"), d.join("Zoiper.app")]).find(|p| p.is_dir())
}

/// A directory named `*.app`: an application bundle, started through `open -a`.
pub(crate) fn is_app_bundle(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("app")) && path.is_dir()
}

/// `open -a APP URL` for a bundle (Launch Services starts it, or hands the URL to the running
/// one); `app URL` for a program file.
pub(crate) fn app_with_url(app: PathBuf, url: String) -> Result<LaunchPlan, DialError> {
    if !is_app_bundle(&app) {
        return Ok(LaunchPlan { program: app, args: vec![url] });
    }
    let bundle = app.to_str().map(str::to_owned).ok_or_else(|| DialError::Launch {
        program: app.to_string_lossy().into_owned(),
        reason: "its path is not valid Unicode".to_owned(),
    })?;
    Ok(LaunchPlan { program: PathBuf::from(OPEN), args: vec!["-a".to_owned(), bundle, url] })
}

/// `open URL`: Launch Services opens it with the default app for its scheme.
pub(crate) fn opener(url: String) -> LaunchPlan {
    LaunchPlan { program: PathBuf::from(OPEN), args: vec![url] }
}

/// Not read (Launch Services' `LSCopyDefaultHandlerForURLScheme` would need Core Services);
/// the error says where the user sees it: the default calling app, in FaceTime's settings.
pub(crate) fn default_link_handler(scheme: &str) -> Result<Option<String>, DialError> {
    Err(DialError::LinkHandler(format!(
        "Ringside cannot read the {scheme}: handler on macOS; the default calling app is chosen in \
         FaceTime → Settings → Default for calls"
    )))
}

/// Not set: installing the bundle registers its `CFBundleURLTypes`; the user chooses the default
/// calling app in FaceTime. The error says so.
pub(crate) fn become_link_handler(_desktop_id: &str) -> Result<(), DialError> {
    Err(DialError::LinkHandler(
        "On macOS, Ringside handles tel: links once installed in Applications; choose it as the default \
         calling app in FaceTime → Settings → Default for calls"
            .to_owned(),
    ))
}
