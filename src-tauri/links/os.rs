//! What becoming the link handler needs from each OS beyond tauri-plugin-deep-link's
//! `register`. One function per OS; each says what the OS does and where that is documented.

use ringside_core::ErrorReport;
use tauri::AppHandle;

/// Linux: the plugin wrote `$XDG_DATA_HOME/applications/<binary>-handler.desktop` with
/// `MimeType=x-scheme-handler/SCHEME` and ran `xdg-mime default` for it ("Association between
/// MIME types and applications", <https://specifications.freedesktop.org/mime-apps/latest>).
/// Ringside then writes that file's `Exec` line without quotes where none are needed
/// ([`plain_exec`]).
#[cfg(target_os = "linux")]
pub(super) fn after_registering(app: &AppHandle) {
    use tauri::Manager;
    if let Ok(dir) = app.path().data_dir() {
        plain_exec(&dir.join("applications").join(desktop_file_name()));
    }
}

/// Windows: the plugin wrote `HKEY_CURRENT_USER\Software\Classes\SCHEME` with `URL Protocol` and
/// `shell\open\command` = `"ringside.exe" "%1"` ("Registering an Application to a URI Scheme",
/// <https://learn.microsoft.com/previous-versions/windows/internet-explorer/ie-developer/platform-apis/aa767914(v=vs.85)>);
/// nothing is left to do.
#[cfg(windows)]
pub(super) fn after_registering(_app: &AppHandle) {}

/// macOS and anything else: the plugin registers nothing, so nothing follows.
#[cfg(not(any(target_os = "linux", windows)))]
pub(super) fn after_registering(_app: &AppHandle) {}

/// macOS: an app's URL schemes are declared in its bundle's `Info.plist` (`CFBundleURLTypes`,
/// <https://developer.apple.com/documentation/bundleresources/information-property-list/cfbundleurltypes>)
/// and registered with Launch Services when the bundle is installed; the plugin cannot register
/// at run time and fails. The report says what to do instead.
#[cfg(target_os = "macos")]
pub(super) fn registration_failed(_scheme: &str, _error: &tauri_plugin_deep_link::Error) -> ErrorReport {
    ErrorReport::new(
        "links.macos_at_install",
        "On macOS, Ringside handles tel: links once installed from its disk image; choose it as the \
         default calling app in FaceTime's settings",
    )
}

/// Linux, Windows and anything else: the plugin's own error, with the scheme.
#[cfg(not(target_os = "macos"))]
pub(super) fn registration_failed(scheme: &str, error: &tauri_plugin_deep_link::Error) -> ErrorReport {
    ErrorReport::new(
        "links.not_registered",
        format!("Ringside could not become the handler for {scheme}: links: {error}"),
    )
    .with_arg("scheme", scheme)
    .with_arg("reason", error.to_string())
}

/// The deep-link plugin's desktop file for this binary: `<binary>-handler.desktop`.
#[cfg(target_os = "linux")]
fn desktop_file_name() -> String {
    let bin = std::env::current_exe().ok().and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    format!("{}-handler.desktop", bin.unwrap_or_else(|| "ringside".to_string()))
}

/// The plugin always quotes the program in `Exec` (`"/usr/bin/ringside" %u`). That is valid,
/// but xdg-open's generic mode (i3, sway, any desktop it does not recognise) takes the quotes
/// as part of the file name and fails. A path without spaces or quotes needs none: drop them.
#[cfg(target_os = "linux")]
fn plain_exec(desktop: &std::path::Path) {
    let Ok(text) = std::fs::read_to_string(desktop) else { return };
    let fixed: Vec<String> = text
        .lines()
        .map(|line| match line.strip_prefix("Exec=\"").and_then(|rest| rest.split_once("\" ")) {
            Some((program, args)) if !program.contains(|c: char| c.is_whitespace() || "\"'\\$`".contains(c)) => {
                format!("Exec={program} {args}")
            }
            _ => line.to_string(),
        })
        .collect();
    let fixed = fixed.join("\n") + "\n";
    if fixed != text {
        if let Err(e) = std::fs::write(desktop, fixed) {
            tracing::warn!(error = %e, path = %desktop.display(), "could not simplify the link handler's Exec line");
        }
    }
}
