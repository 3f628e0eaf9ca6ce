//! *Copy diagnostics* (the settings window): `ringside_runtime::diagnostics`'s report — the
//! version, the OS, the settings in force without secrets, the connection check and the log's
//! last lines — put on the clipboard for a support ticket.

use ringside_core::ErrorReport;
use ringside_runtime::diagnostics::{report, DiagnosticsInput, LOG_LINES};
use tauri::{AppHandle, Manager};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::Shell;

/// The report for the app as it runs now.
pub async fn text(app: &AppHandle) -> String {
    let shell = app.state::<Shell>();
    let (phase, error) = shell.phase_name();
    let state = match error {
        Some(error) => format!("{phase}: {error}"),
        None => phase.to_string(),
    };
    // The settings in force; those saved when Ringside could not start with them.
    let config = match shell.handle() {
        Ok(handle) => Ok(handle.config()),
        Err(_) => crate::settings::saved_config(app).await.map_err(|e| e.message),
    };
    let log_file = shell.logging.current_file();
    let tail = shell.logging.tail(LOG_LINES);
    let program = format!("ringside {}", env!("CARGO_PKG_VERSION"));
    report(DiagnosticsInput {
        program: &program,
        state: &state,
        config: config.as_ref().map_err(String::as_str),
        config_path: shell.config_path.as_deref(),
        log_file: log_file.as_deref(),
        log_tail: &tail,
    })
    .await
}

/// The report, on the clipboard; returned too, for the window to show.
pub async fn copy(app: &AppHandle) -> Result<String, ErrorReport> {
    let text = text(app).await;
    app.clipboard().write_text(text.clone()).map_err(|e| {
        ErrorReport::new("diagnostics.clipboard", format!("The diagnostics could not be put on the clipboard: {e}"))
            .with_arg("reason", e.to_string())
    })?;
    tracing::info!(bytes = text.len(), "diagnostics copied to the clipboard");
    Ok(text)
}
