//! The settings window ("settings", `settings.html`) and what saving does to the running app.
//! The window edits the user's config file through `ringside-config` (toml_edit: the admin's
//! comments and order survive; validated before an atomic write); secrets typed in it go to the
//! keychain (`ringside_runtime::settings`), never to the file; then the running Ringside takes
//! the new settings without a restart: the runtime reconnects or swaps its lookup, the tray and
//! the windows change language, the card window its corner, and start-at-login is switched.

use std::path::PathBuf;

use ringside_config::{Config, Layered, SettingChange};
use ringside_core::ErrorReport;
use ringside_runtime::settings::SecretStatus;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder};

use crate::Shell;

pub const SETTINGS_WINDOW: &str = "settings";
/// `ringside --settings` opens the settings window (also in a Ringside already running).
pub const SETTINGS_FLAG: &str = "--settings";
/// Saved settings (a `SettingsView`), to every window.
pub const EVENT_SETTINGS: &str = "settings";

/// What the settings window draws: the settings in effect, where they come from, what is
/// locked, and which secrets the keychain holds (never their values).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SettingsView {
    /// The settings in effect, in the file's shape (defaults, then the system file, then the user's).
    #[ts(type = "Record<string, any>")]
    pub values: serde_json::Value,
    /// What the system-wide file sets.
    #[ts(type = "Record<string, any>")]
    pub system_values: serde_json::Value,
    /// Dotted settings and tables the system-wide file locks: shown read-only.
    pub locked: Vec<String>,
    /// The user's settings a lock ignores.
    pub overridden: Vec<String>,
    pub user_file: Option<String>,
    pub system_file: Option<String>,
    pub secrets: Vec<SecretStatus>,
    /// The AMI settings' defaults, shown where the file leaves them out.
    #[ts(type = "Record<string, any>")]
    pub ami_defaults: serde_json::Value,
    /// There is no settings file yet: the desk greets a new agent.
    pub first_start: bool,
}

/// A secret typed in the window, for the keychain.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NewSecret {
    /// `"ami"`, `"crm:NAME"`, `"dial:NAME"`.
    pub which: String,
    pub value: String,
}

/// Where the settings live: the user's file and the system-wide one.
pub fn paths(app: &AppHandle) -> Result<(PathBuf, Option<PathBuf>), ErrorReport> {
    let user = app.state::<Shell>().config_path.clone().ok_or_else(|| {
        ErrorReport::new("settings.no_folder", "there is no home folder to keep the settings file in")
    })?;
    Ok((user, Config::system_path()))
}

/// The settings as the files have them now.
pub async fn view(app: &AppHandle) -> Result<SettingsView, ErrorReport> {
    let (user, system) = paths(app)?;
    let layered = blocking(move || ringside_config::load_layered(&user, system.as_deref()))
        .await?
        .map_err(|e| ErrorReport::of(&e))?;
    view_of(layered).await
}

async fn view_of(layered: Layered) -> Result<SettingsView, ErrorReport> {
    let secrets =
        ringside_runtime::settings::secret_statuses(&layered.config).await.map_err(|e| ErrorReport::of(&e))?;
    let first_start = !layered.user_path.exists() && layered.system_path.is_none();
    Ok(SettingsView {
        values: layered.values,
        system_values: layered.system_values,
        locked: layered.locked,
        overridden: layered.overridden,
        user_file: Some(layered.user_path.display().to_string()),
        system_file: layered.system_path.map(|p| p.display().to_string()),
        secrets,
        ami_defaults: serde_json::to_value(ringside_config::ami_defaults()).unwrap_or_default(),
        first_start,
    })
}

/// Saves `changes` to the user's file and `secrets` to the keychain, then applies them to the
/// running app. Nothing is written when the changes do not validate; a secret the keychain
/// refuses is reported after the file was saved (the window says which).
pub async fn save(
    app: &AppHandle,
    changes: Vec<SettingChange>,
    secrets: Vec<NewSecret>,
) -> Result<SettingsView, ErrorReport> {
    let (user, system) = paths(app)?;
    let before = view_config(app).await.ok().map(|l| l.config);
    let layered = blocking(move || ringside_config::save_settings(&user, system.as_deref(), &changes))
        .await?
        .map_err(|e| ErrorReport::of(&e))?;
    let mut secrets_changed = !secrets.is_empty();
    if let Some(before) = before.filter(|_| !secrets.iter().any(|s| s.which == "ami")) {
        if let Err(e) = ringside_runtime::settings::carry_ami_secret(&before, &layered.config).await {
            tracing::warn!(error = %e, "the AMI secret could not follow the new PBX address");
        }
        secrets_changed |= before.source != layered.config.source;
    }
    for secret in secrets {
        ringside_runtime::settings::store_secret(&layered.config, &secret.which, secret.value)
            .await
            .map_err(|e| ErrorReport::of(&e).with_arg("which", secret.which.clone()))?;
    }
    apply(app, &layered.config, secrets_changed).await?;
    let view = view_of(layered).await?;
    let _ = app.emit(EVENT_SETTINGS, &view);
    Ok(view)
}

/// Takes a secret out of the keychain; a running source or CRM that used it hears of it.
pub async fn remove_secret(app: &AppHandle, which: String) -> Result<SettingsView, ErrorReport> {
    let current = view_config(app).await?;
    ringside_runtime::settings::remove_secret(&current.config, &which).await.map_err(|e| ErrorReport::of(&e))?;
    apply(app, &current.config, true).await?;
    view_of(current).await
}

/// The settings as saved (what a test checks).
pub async fn saved_config(app: &AppHandle) -> Result<Config, ErrorReport> {
    Ok(view_config(app).await?.config)
}

async fn view_config(app: &AppHandle) -> Result<Layered, ErrorReport> {
    let (user, system) = paths(app)?;
    blocking(move || ringside_config::load_layered(&user, system.as_deref())).await?.map_err(|e| ErrorReport::of(&e))
}

/// The new settings in the running app.
async fn apply(app: &AppHandle, config: &Config, secrets_changed: bool) -> Result<(), ErrorReport> {
    if app.state::<crate::words::Speech>().now().choice != config.ui.language {
        crate::words::switch(app, config.ui.language);
    }
    crate::card_window::set_corner(app, config.ui.card_corner);
    start_at_login(app, config.ui.start_at_login);
    let shell = app.state::<Shell>();
    match shell.handle() {
        Ok(handle) => {
            handle.reconfigure(config.clone(), secrets_changed).await.map_err(|e| ErrorReport::of(&e))?;
            let snapshot = handle.snapshot().await;
            crate::tray::show_pause_reasons(app, &snapshot.setup.pause_reasons);
            let _ = app.emit(crate::EVENT_SNAPSHOT, &snapshot);
        }
        // Ringside could not start (a bad file, no secret yet): it starts on the new settings.
        Err(_) if shell.is_failed() => crate::restart(app, config.clone()),
        Err(e) => return Err(e),
    }
    Ok(())
}

/// Ringside starts in the tray when the user logs in, or not. tauri-plugin-autostart (the
/// auto-launch crate) does it the OS's way; Ringside has no per-OS code of its own here:
/// - Linux: `~/.config/autostart/Ringside.desktop` (freedesktop.org's Desktop Application
///   Autostart Specification, <https://specifications.freedesktop.org/autostart/latest>);
/// - macOS: a Launch Agent, `~/Library/LaunchAgents/Ringside.plist` (Apple's "Creating Launch
///   Daemons and Agents", <https://developer.apple.com/library/mac/documentation/macosx/conceptual/bpsystemstartup/Chapters/CreatingLaunchdJobs.html>);
/// - Windows: a value under `SOFTWARE\Microsoft\Windows\CurrentVersion\Run` (the "Run and
///   RunOnce Registry Keys"), of `HKEY_LOCAL_MACHINE` when that can be written (an administrator),
///   else of `HKEY_CURRENT_USER` (auto-launch's `WindowsEnableMode::Dynamic`).
///
/// Only Linux is exercised, by tests/e2e.rs; see docs/platforms.md.
fn start_at_login(app: &AppHandle, on: bool) {
    use tauri_plugin_autostart::ManagerExt;
    let launcher = app.autolaunch();
    let now = launcher.is_enabled().unwrap_or(false);
    if now == on {
        return;
    }
    let done = if on { launcher.enable() } else { launcher.disable() };
    match done {
        Ok(()) => tracing::info!(on, "start at login"),
        Err(e) => tracing::warn!(error = %e, on, "start at login could not be changed"),
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ErrorReport> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|_| ErrorReport::new("app.stopping", "Ringside is stopping"))
}

/// The language changed: the window's title follows.
pub fn reword(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(SETTINGS_WINDOW) {
        let _ = window.set_title(&crate::words::current(app).get("prefs-title"));
    }
}

/// Opens the settings window, or brings it up, at `section` (`"pbx"`, `"calls"`, `"crm"`,
/// `"dial"`, `"general"`).
pub fn open(app: &AppHandle, section: Option<String>) {
    let on_main = app.clone();
    let _ = app.run_on_main_thread(move || {
        if let Some(window) = on_main.get_webview_window(SETTINGS_WINDOW) {
            let _ = window.unminimize();
            let _ = window.show();
            let _ = window.set_focus();
            if let Some(section) = section {
                let _ = window.emit("settings_section", section);
            }
            return;
        }
        let page = match &section {
            Some(section) => format!("settings.html#{section}"),
            None => "settings.html".to_string(),
        };
        let title = crate::words::current(&on_main).get("prefs-title");
        let built = WebviewWindowBuilder::new(&on_main, SETTINGS_WINDOW, WebviewUrl::App(page.into()))
            .title(title)
            .inner_size(760.0, 640.0)
            .min_inner_size(560.0, 420.0)
            .build();
        match built {
            Ok(window) => crate::draw_without_gpu(&window),
            Err(e) => tracing::warn!(error = %e, "the settings window could not be opened"),
        }
    });
}
