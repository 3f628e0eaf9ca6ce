//! Ringside as the desktop's handler for `tel:`, `callto:` and `sip:` links: a click in the
//! browser's CRM starts Ringside with the link (or, through single-instance, hands it to the
//! running one), and the window asks "Call … ?" with the matched customer — or dials straight
//! away when `dial.confirm_links` is off.

use std::time::Duration;

use ringside_core::{CustomerMatch, ErrorReport};
use ringside_runtime::{ConnectionSummary, RuntimeHandle};
use serde::Serialize;
use tauri::{AppHandle, Manager};

use crate::{show_main_window, Shell, EVENT_NOTICE};

mod os;

/// A link to confirm: `{ number, link, customers, connections }`.
pub const EVENT_DIAL_REQUEST: &str = "dial-request";

/// The schemes Ringside offers to handle (also in tauri.conf.json, for the installers).
pub const SCHEMES: [&str; 3] = ["tel", "callto", "sip"];

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DialRequest {
    /// Dialable: only `[0-9+*#]`.
    pub number: String,
    pub link: String,
    pub customers: Vec<CustomerMatch>,
    /// Why the customers could not all be looked up, if so.
    pub lookup_failed: Option<String>,
    pub connections: Vec<ConnectionSummary>,
    /// The number has `*` or `#` (a service code): always asked, even when links are called
    /// without asking.
    pub service_code: bool,
}

/// Handles links from the command line or another instance, in order.
pub fn open(app: &AppHandle, links: Vec<String>) {
    for link in links {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            if let Err(report) = open_one(&app, &link).await {
                tracing::warn!(code = %report.code, "a link was not dialed: {report}");
                show_main_window(&app);
                let _ = crate::desk::emit(&app, EVENT_NOTICE, &report);
            }
        });
    }
}

async fn open_one(app: &AppHandle, link: &str) -> Result<(), ErrorReport> {
    let number = ringside_dial::number_from_link(link).map_err(|e| {
        ErrorReport::new("link.not_dialable", format!("That link cannot be dialed: {e}"))
            .with_arg("reason", e.to_string())
    })?;
    let handle = running(app).await?;
    if handle.link_came_back(&number) {
        return Err(ErrorReport::new(
            "link.loop",
            format!(
                "Ringside handed {number} to the desktop's tel: handler, which is Ringside itself; the call was \
                 not placed. Choose another [[dial.connection]] for calls, or another tel: handler."
            ),
        ));
    }
    let service_code = ringside_runtime::has_service_characters(&number);
    if !handle.confirm_links() && !service_code {
        return handle.dial(&number, None).await.map_err(|e| ErrorReport::of(&e));
    }
    let found = handle.find_customers(&number).await;
    let request = DialRequest {
        number,
        link: link.to_string(),
        customers: found.customers,
        lookup_failed: found.failed,
        connections: handle.connections(),
        service_code,
    };
    // Never the number at info: the log says what happened, not to whom.
    tracing::info!(customers = request.customers.len(), "a call link came in; the desk asks the agent");
    show_main_window(app);
    crate::desk::emit(app, EVENT_DIAL_REQUEST, &request).map_err(|e| ErrorReport::new("app.window_gone", e.to_string()))
}

/// The runtime, waiting a little when the link itself started Ringside.
async fn running(app: &AppHandle) -> Result<RuntimeHandle, ErrorReport> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        match app.state::<Shell>().handle() {
            Ok(handle) => return Ok(handle),
            Err(e) if tokio::time::Instant::now() >= deadline => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Which application handles each scheme now, and whether it is Ringside.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct HandlerStatus {
    pub scheme: &'static str,
    pub ringside: bool,
    /// The desktop's current handler, as the OS names it, when it can tell.
    pub current: Option<String>,
}

pub fn status(app: &AppHandle) -> Vec<HandlerStatus> {
    use tauri_plugin_deep_link::DeepLinkExt;
    SCHEMES
        .iter()
        .map(|scheme| HandlerStatus {
            scheme,
            ringside: app.deep_link().is_registered(*scheme).unwrap_or(false),
            current: ringside_dial::default_link_handler(scheme).ok().flatten(),
        })
        .collect()
}

/// Makes Ringside the handler for every scheme (Linux, Windows). macOS registers the schemes
/// when the app is installed; the user picks the default app there.
pub fn become_handler(app: &AppHandle) -> Result<(), ErrorReport> {
    register_all(app)?;
    os::after_registering(app);
    Ok(())
}

/// Registers Ringside for every scheme through the deep-link plugin, stopping at the first
/// that fails.
fn register_all(app: &AppHandle) -> Result<(), ErrorReport> {
    use tauri_plugin_deep_link::DeepLinkExt;
    for scheme in SCHEMES {
        app.deep_link().register(scheme).map_err(|e| os::registration_failed(scheme, &e))?;
    }
    Ok(())
}
