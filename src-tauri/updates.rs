//! Updates through Tauri's updater plugin (docs/updates.md). Ringside looks for a signed update
//! manifest at start and daily (`[updates] check`). An update is downloaded and its signature
//! checked against the build's update key before it is offered at all: a package whose
//! signature does not match is refused, with the reason, and never offered. It is installed
//! only when the agent clicks *Install and restart*, and never while a call rings, goes on or
//! is wrapped up.

use std::sync::Mutex;
use std::time::Duration;

use ringside_core::ErrorReport;
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_updater::{Update, UpdaterExt};

use crate::Shell;

/// The windows hear every change of [`UpdateStatus`] on this event.
pub const EVENT_UPDATE: &str = "update";
/// The first look after start: after the desk and the PBX, not in their way.
const FIRST_CHECK: Duration = Duration::from_secs(20);
const EVERY: Duration = Duration::from_secs(24 * 60 * 60);
const TIMEOUT: Duration = Duration::from_secs(60);

/// Where updates stand, as the windows show it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum UpdateStatus {
    /// Not looked yet (or looking is off).
    Idle {
        checks: bool,
    },
    Checking,
    UpToDate {
        version: String,
    },
    /// Downloaded, signature checked, waiting for the agent.
    Ready {
        version: String,
        notes: Option<String>,
    },
    /// The last look failed, or its package was refused.
    Failed {
        error: ErrorReport,
    },
}

/// The updater's state in the app.
pub struct Updates {
    status: Mutex<UpdateStatus>,
    ready: Mutex<Option<(Update, Vec<u8>)>>,
    one_at_a_time: tokio::sync::Mutex<()>,
}

impl Updates {
    pub fn new(checks: bool) -> Self {
        Self {
            status: Mutex::new(UpdateStatus::Idle { checks }),
            ready: Mutex::new(None),
            one_at_a_time: tokio::sync::Mutex::new(()),
        }
    }

    pub fn status(&self) -> UpdateStatus {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

fn set(app: &AppHandle, status: UpdateStatus) -> UpdateStatus {
    *app.state::<Updates>().status.lock().unwrap_or_else(|p| p.into_inner()) = status.clone();
    if let Err(e) = app.emit(EVENT_UPDATE, &status) {
        tracing::warn!(error = %e, "could not tell the windows about the update");
    }
    status
}

/// The build's update key: set when the release is built (`RINGSIDE_UPDATE_PUBKEY`, the
/// minisign public key in base64, as `tauri signer generate` prints it). Debug builds also read
/// it from the environment, for the update test's own key.
fn update_key() -> Option<String> {
    #[cfg(debug_assertions)]
    if let Some(key) = std::env::var("RINGSIDE_UPDATE_PUBKEY").ok().filter(|k| !k.is_empty()) {
        return Some(key);
    }
    option_env!("RINGSIDE_UPDATE_PUBKEY").filter(|k| !k.is_empty()).map(str::to_string)
}

/// `[updates] url`, else the build's own manifest address (`RINGSIDE_UPDATE_URL` at build time).
fn manifest_url(config: &ringside_config::Config) -> Option<String> {
    config
        .updates
        .url
        .clone()
        .or_else(|| option_env!("RINGSIDE_UPDATE_URL").filter(|u| !u.is_empty()).map(str::to_string))
}

fn current_config(app: &AppHandle) -> Option<ringside_config::Config> {
    app.state::<Shell>().handle().ok().map(|h| h.config())
}

/// Looks for an update now; an update found is downloaded and its signature checked before it
/// is offered.
pub async fn check(app: &AppHandle) -> UpdateStatus {
    let updates = app.state::<Updates>();
    let _one = updates.one_at_a_time.lock().await;
    set(app, UpdateStatus::Checking);
    let status = match look(app).await {
        Ok(status) => status,
        Err(error) => {
            tracing::warn!(code = %error.code, "update: {error}");
            UpdateStatus::Failed { error }
        }
    };
    set(app, status)
}

async fn look(app: &AppHandle) -> Result<UpdateStatus, ErrorReport> {
    let key = update_key().ok_or_else(|| {
        ErrorReport::new(
            "update.no_key",
            "This build of Ringside has no update key: updates come with your IT's packages",
        )
    })?;
    let config = current_config(app).unwrap_or_default();
    let url = manifest_url(&config).ok_or_else(|| {
        ErrorReport::new(
            "update.no_url",
            "No update address is set: set [updates] url, or install updates from your IT's packages",
        )
    })?;
    // `[updates] url` is checked by the config; the build's own address is checked here.
    if !url.starts_with("https://") && !cfg!(debug_assertions) {
        return Err(ErrorReport::new("update.insecure", "The update address must start with https://"));
    }
    let url = url.parse::<tauri::Url>().map_err(|e| {
        ErrorReport::new("update.unreachable", format!("The update address {url} is not valid: {e}"))
            .with_arg("reason", e.to_string())
    })?;
    let updater = app
        .updater_builder()
        .pubkey(key)
        .timeout(TIMEOUT)
        .endpoints(vec![url])
        .and_then(|b| b.build())
        .map_err(refusal)?;
    let current = app.package_info().version.to_string();
    let Some(update) = updater.check().await.map_err(refusal)? else {
        tracing::info!(%current, "update: Ringside is up to date");
        return Ok(UpdateStatus::UpToDate { version: current });
    };
    // The manifest travels over HTTPS; the package must too (debug builds: the test's server).
    if update.download_url.scheme() != "https" && !cfg!(debug_assertions) {
        return Err(ErrorReport::new(
            "update.insecure",
            format!(
                "The update {} is offered over {}, not HTTPS; it was not downloaded",
                update.version,
                update.download_url.scheme()
            ),
        )
        .with_arg("version", update.version.clone()));
    }
    // `download` checks the signature against the key: a mismatch is an error, never a package.
    let bytes =
        update.download(|_, _| {}, || {}).await.map_err(|e| refusal(e).with_arg("version", update.version.clone()))?;
    tracing::info!(version = %update.version, bytes = bytes.len(), "update downloaded; its signature matches the update key");
    let status = UpdateStatus::Ready { version: update.version.clone(), notes: update.body.clone() };
    *app.state::<Updates>().ready.lock().unwrap_or_else(|p| p.into_inner()) = Some((update, bytes));
    Ok(status)
}

/// The updater's error, as a code the windows translate.
fn refusal(e: tauri_plugin_updater::Error) -> ErrorReport {
    use tauri_plugin_updater::Error as E;
    let (code, message) = match &e {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) | E::SignedVersionMismatch { .. } | E::MissingSignedVersion => (
            "update.bad_signature",
            "An update was found, but its signature does not match Ringside's update key: it was refused and not installed",
        ),
        E::InsecureTransportProtocol => ("update.insecure", "The update address must start with https://"),
        E::TargetNotFound(_) | E::TargetsNotFound(_) => ("update.no_package", "The update has no package for this system"),
        E::Reqwest(_) | E::Network(_) | E::ReleaseNotFound | E::Serialization(_) | E::Io(_) => {
            ("update.unreachable", "The update server could not be reached or did not answer with an update")
        }
        _ => ("update.failed", "Looking for an update failed"),
    };
    ErrorReport::new(code, format!("{message} ({e})")).with_arg("reason", e.to_string())
}

/// *Install and restart*: only with a checked package, and never during a call.
pub async fn install(app: &AppHandle) -> Result<(), ErrorReport> {
    if let Ok(handle) = app.state::<Shell>().handle() {
        if handle.snapshot().await.busy_with_a_call() {
            return Err(ErrorReport::new(
                "update.on_call",
                "Ringside updates after the call: finish it and its wrap-up first",
            ));
        }
    }
    let Some((update, bytes)) = app.state::<Updates>().ready.lock().unwrap_or_else(|p| p.into_inner()).take() else {
        return Err(ErrorReport::new("update.none", "There is no update ready to install"));
    };
    let version = update.version.clone();
    tracing::info!(%version, "installing the update the agent accepted");
    let installed = tauri::async_runtime::spawn_blocking(move || update.install(bytes).map_err(refusal))
        .await
        .map_err(|e| ErrorReport::new("update.failed", format!("the installer stopped: {e}")))?;
    if let Err(error) = installed {
        set(app, UpdateStatus::Failed { error: error.clone() });
        return Err(error);
    }
    // Quit as the tray's Quit does (hands back Ringside's own wrap-up pause), then start again.
    crate::quit_then(app, crate::AfterQuit::Restart);
    Ok(())
}

/// Looks at start and then daily, while `[updates] check` is on and the build has a key.
pub fn schedule(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_CHECK).await;
        loop {
            let checks = current_config(&app).map(|c| c.updates.check).unwrap_or(false);
            if checks && update_key().is_some() {
                check(&app).await;
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}
