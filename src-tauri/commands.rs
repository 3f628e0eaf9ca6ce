//! What the window may ask for. Each command is a thin call into the runtime; errors keep their
//! types up to here and cross as `{code, args, message}` (`ErrorReport`), so the window can
//! react to the code and word it in the agent's language.

use ringside_core::agent_state::WrapUpResult;
use ringside_core::{CallId, ErrorReport};
use ringside_runtime::Snapshot;
use serde::Serialize;
use tauri::State;

use crate::Shell;

type Reply<T> = Result<T, ErrorReport>;

fn report(e: ringside_runtime::RuntimeError) -> ErrorReport {
    ErrorReport::of(&e)
}

/// A blocking task that did not finish: only when the app is going away.
fn stopping(_: tauri::Error) -> ErrorReport {
    ErrorReport::of(&ringside_runtime::RuntimeError::Stopped)
}

#[tauri::command]
pub async fn snapshot(shell: State<'_, Shell>) -> Reply<Snapshot> {
    Ok(shell.handle()?.snapshot().await)
}

/// Facts for the window's footer.
#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct About {
    version: &'static str,
    config_path: Option<String>,
    /// Where the embedded demo PBX listens, when Ringside runs on it.
    demo_pbx: Option<String>,
    /// "starting", "running" or "failed".
    phase: &'static str,
    /// Why Ringside is not running, when `phase` is "failed".
    error: Option<String>,
    /// The windows report their milestones (`paint_probe`): `RINGSIDE_PAINT_PROBE=1`, for
    /// the popup benchmark.
    paint_probe: bool,
}

#[tauri::command]
pub fn about(shell: State<'_, Shell>) -> About {
    let (phase, error) = shell.phase_name();
    About {
        version: env!("CARGO_PKG_VERSION"),
        config_path: shell.config_path.as_ref().map(|p| p.display().to_string()),
        demo_pbx: shell.handle().ok().and_then(|h| h.demo_pbx_addr()).map(|a| a.to_string()),
        phase,
        error,
        paint_probe: crate::probe::enabled(),
    }
}

#[tauri::command]
pub async fn set_accepting_calls(shell: State<'_, Shell>, accepting: bool, reason: Option<String>) -> Reply<()> {
    let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    shell.handle()?.set_accepting_calls(accepting, reason).await.map_err(report)
}

#[tauri::command]
pub async fn log_in(shell: State<'_, Shell>) -> Reply<()> {
    shell.handle()?.log_in().await.map_err(report)
}

#[tauri::command]
pub async fn log_out(shell: State<'_, Shell>) -> Reply<()> {
    shell.handle()?.log_out().await.map_err(report)
}

#[tauri::command]
pub async fn finish_wrap_up(shell: State<'_, Shell>, result: WrapUpResult) -> Reply<()> {
    shell.handle()?.finish_wrap_up(result).await.map_err(report)
}

#[tauri::command]
pub async fn hang_up(shell: State<'_, Shell>) -> Reply<()> {
    shell.handle()?.hangup().await.map_err(report)
}

#[tauri::command]
pub async fn dismiss(shell: State<'_, Shell>, call_id: CallId) -> Reply<()> {
    shell.handle()?.dismiss(call_id).await;
    Ok(())
}

#[tauri::command]
pub async fn retry_lookup(shell: State<'_, Shell>, call_id: CallId) -> Reply<()> {
    shell.handle()?.retry_lookup(call_id).await.map_err(report)
}

#[tauri::command]
pub async fn choose_customer(
    shell: State<'_, Shell>,
    call_id: CallId,
    source: String,
    customer_id: String,
) -> Reply<()> {
    shell.handle()?.choose_customer(call_id, &source, &customer_id).await.map_err(report)
}

#[tauri::command]
pub async fn bind_deal(
    shell: State<'_, Shell>,
    call_id: CallId,
    source: String,
    customer_id: String,
    deal_id: Option<String>,
) -> Reply<()> {
    shell.handle()?.bind_deal(call_id, &source, &customer_id, deal_id.as_deref()).await.map_err(report)
}

/// `target`: `"directory"` (the default, as before) or a CRM's name from the runtime's
/// `create_targets()`.
#[tauri::command]
pub async fn create_customer(
    shell: State<'_, Shell>,
    call_id: CallId,
    target: Option<String>,
    name: String,
    company: Option<String>,
) -> Reply<()> {
    let target = target.as_deref().unwrap_or("directory");
    shell.handle()?.create_customer(call_id, target, &name, company.as_deref()).await.map(|_| ()).map_err(report)
}

/// Opens a customer's CRM page in the browser. The address comes from the card the runtime
/// holds, never from the window, and only http(s) addresses are opened.
#[tauri::command]
pub async fn open_customer_page(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    call_id: CallId,
    source: String,
    customer_id: String,
) -> Reply<()> {
    let url = shell.handle()?.customer_page(&call_id, &source, &customer_id).await.map_err(report)?;
    open_in_browser(&app, url)
}

fn open_in_browser(app: &tauri::AppHandle, url: String) -> Reply<()> {
    use tauri_plugin_opener::OpenerExt;
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        ErrorReport::new("app.no_browser", format!("the browser could not be started: {e}"))
            .with_arg("reason", e.to_string())
    })
}

#[tauri::command]
pub fn connections(shell: State<'_, Shell>) -> Reply<Vec<ringside_runtime::ConnectionSummary>> {
    Ok(shell.handle()?.connections())
}

#[tauri::command]
/// `confirmed`: the agent typed the number or said yes to it; a number from a stranger (a
/// caller ID's "Call back") with a service code is refused until they do (`dial.service_code`).
pub async fn dial(shell: State<'_, Shell>, number: String, via: Option<String>, confirmed: bool) -> Reply<()> {
    let handle = shell.handle()?;
    let placed = if confirmed {
        handle.dial(&number, via.as_deref()).await
    } else {
        handle.dial_unconfirmed(&number, via.as_deref()).await
    };
    placed.map_err(report)
}

/// The connections, what is installed, and who handles tel: links: the settings view.
#[derive(Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DialSettings {
    connections: Vec<ringside_runtime::ConnectionSummary>,
    detected: ringside_dial::Detected,
    handlers: Vec<crate::links::HandlerStatus>,
}

#[tauri::command]
pub async fn dial_settings(app: tauri::AppHandle, shell: State<'_, Shell>) -> Reply<DialSettings> {
    let connections = shell.handle()?.connections();
    // Detection runs programs (xdg-mime) and reads the disk: off the async runtime.
    let (detected, handlers) =
        tauri::async_runtime::spawn_blocking(move || (ringside_dial::detect(), crate::links::status(&app)))
            .await
            .map_err(stopping)?;
    Ok(DialSettings { connections, detected, handlers })
}

#[tauri::command]
pub async fn become_link_handler(app: tauri::AppHandle) -> Reply<()> {
    tauri::async_runtime::spawn_blocking(move || crate::links::become_handler(&app)).await.map_err(stopping)?
}

/// The agent's note for a call, sent as they type (debounced by the window).
#[tauri::command]
pub async fn save_note(shell: State<'_, Shell>, call_id: CallId, text: String) -> Reply<()> {
    shell.handle()?.save_note(call_id, text).await.map_err(report)
}

#[tauri::command]
pub async fn note(shell: State<'_, Shell>, call_id: CallId) -> Reply<Option<String>> {
    shell.handle()?.note(call_id).await.map_err(report)
}

#[tauri::command]
pub async fn recent_calls(shell: State<'_, Shell>) -> Reply<Vec<ringside_history::CallRecord>> {
    shell.handle()?.recent_calls(50).await.map_err(report)
}

/// The history view: calls matching the agent's search and filters, newest first.
#[tauri::command]
pub async fn search_history(
    shell: State<'_, Shell>,
    query: ringside_history::HistoryQuery,
) -> Reply<Vec<ringside_history::CallRecord>> {
    let query = ringside_history::HistoryQuery { limit: query.limit.clamp(1, 500), ..query };
    shell.handle()?.search_history(query).await.map_err(report)
}

/// Callers waiting for a call back.
#[tauri::command]
pub async fn call_backs(shell: State<'_, Shell>) -> Reply<Vec<ringside_history::Callback>> {
    shell.handle()?.call_backs().await.map_err(report)
}

#[tauri::command]
pub async fn mark_called_back(shell: State<'_, Shell>, number: String) -> Reply<()> {
    shell.handle()?.mark_called_back(&number).await.map_err(report)
}

/// Opens the CRM page of the customer a past call was with (a history row's "Open in CRM").
#[tauri::command]
pub async fn open_history_customer(app: tauri::AppHandle, shell: State<'_, Shell>, call_id: CallId) -> Reply<()> {
    let url = shell.handle()?.history_customer_page(call_id).await.map_err(report)?;
    open_in_browser(&app, url)
}

/// Opens a call's recording in the browser: the address the PBX named (http or https only).
#[tauri::command]
pub async fn open_recording(app: tauri::AppHandle, shell: State<'_, Shell>, call_id: CallId) -> Reply<()> {
    let url = shell.handle()?.recording_url(call_id).await.map_err(report)?;
    open_in_browser(&app, url)
}

/// The card window's page measured its cards (CSS pixels): the window takes that height.
#[tauri::command]
pub fn fit_card_window(app: tauri::AppHandle, height: f64) {
    crate::card_window::fit(&app, height);
}

/// The card window's page painted the calls it was last sent (none: the window may hide).
#[tauri::command]
pub fn card_window_painted(app: tauri::AppHandle) {
    crate::card_window::painted(&app);
}

/// The agent pressed on the card window's bar to move it.
#[tauri::command]
pub fn drag_card_window(app: tauri::AppHandle) {
    crate::card_window::start_drag(&app);
}

/// Where "Create customer" can put a caller: the directory and every CRM that can create.
#[tauri::command]
pub fn create_targets(shell: State<'_, Shell>) -> Reply<Vec<ringside_runtime::CreateTarget>> {
    Ok(shell.handle()?.create_targets())
}

/// Opens the CRM's page for a new order or deal of a customer on a card ("Add deal/order").
#[tauri::command]
pub async fn open_new_order(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    call_id: CallId,
    source: String,
    customer_id: String,
) -> Reply<()> {
    let url = shell.handle()?.new_order_url(&call_id, &source, &customer_id).await.map_err(report)?;
    open_in_browser(&app, url.as_str().to_string())
}

/// Closes one card in the card window.
#[tauri::command]
pub async fn dismiss_popup(shell: State<'_, Shell>, call_id: CallId) -> Reply<()> {
    shell.handle()?.dismiss_popup(call_id).await.map_err(report)
}

/// Closes the card window (every card in it).
#[tauri::command]
pub async fn hide_popup(shell: State<'_, Shell>) -> Reply<()> {
    shell.handle()?.hide_popup().await.map_err(report)
}

/// The card window as a one-line bar per call, or back to full cards.
#[tauri::command]
pub async fn set_popup_compact(shell: State<'_, Shell>, compact: bool) -> Reply<()> {
    shell.handle()?.set_popup_compact(compact).await.map_err(report)
}

/// A window's milestone for the popup benchmark ("mounted", a new call's "card" painted, the
/// card window "shown" painted): logged only when the paint probe is on.
#[tauri::command]
pub fn paint_probe(what: String, call_id: Option<String>, page_us: Option<u64>) {
    crate::probe::mark(&what, call_id.as_deref(), page_us);
}

/// The desk's page listens: events that waited for it go out.
#[tauri::command]
pub fn desk_ready(app: tauri::AppHandle) {
    crate::desk::ready(&app);
}

/// The language the windows speak (the shell's), and the agent's choice.
#[tauri::command]
pub fn language(speech: State<'_, crate::words::Speech>) -> ringside_i18n::Speaking {
    speech.now()
}

/// Speaks `choice` from now on: the tray, notifications and every window (the `language`
/// event), and writes it to the settings file as `[ui] language`. A file that cannot take it
/// (locked by IT, a read-only folder) is reported; the language changes for this run anyway.
#[tauri::command]
pub async fn set_language(
    app: tauri::AppHandle,
    choice: ringside_i18n::LanguageChoice,
) -> Reply<ringside_i18n::Speaking> {
    let speaking = crate::words::switch(&app, choice);
    let change = ringside_config::SettingChange { key: "ui.language".into(), value: Some(serde_json::json!(choice)) };
    crate::settings::save(&app, vec![change], Vec::new()).await?;
    Ok(speaking)
}

/// The settings window's view of the settings files and the keychain.
#[tauri::command]
pub async fn settings(app: tauri::AppHandle) -> Reply<crate::settings::SettingsView> {
    crate::settings::view(&app).await
}

/// Saves the settings window's changes (validated first; nothing is written otherwise) and its
/// new secrets (to the keychain), and applies them without a restart.
#[tauri::command]
pub async fn save_settings(
    app: tauri::AppHandle,
    changes: Vec<ringside_config::SettingChange>,
    secrets: Vec<crate::settings::NewSecret>,
) -> Reply<crate::settings::SettingsView> {
    crate::settings::save(&app, changes, secrets).await
}

/// Takes a secret out of the keychain.
#[tauri::command]
pub async fn remove_secret(app: tauri::AppHandle, which: String) -> Reply<crate::settings::SettingsView> {
    crate::settings::remove_secret(&app, which).await
}

/// "Test connection" of the PBX as saved: the doctor's steps.
#[tauri::command]
pub async fn test_source(app: tauri::AppHandle) -> Reply<Vec<ringside_runtime::settings::CheckStep>> {
    let config = crate::settings::saved_config(&app).await?;
    Ok(ringside_runtime::settings::test_source(&config).await)
}

/// Where updates stand now.
#[tauri::command]
pub fn update_status(updates: State<'_, crate::updates::Updates>) -> crate::updates::UpdateStatus {
    updates.status()
}

/// *Check for updates*: looks now (an update found is downloaded and its signature checked).
#[tauri::command]
pub async fn check_for_update(app: tauri::AppHandle) -> crate::updates::UpdateStatus {
    crate::updates::check(&app).await
}

/// *Install and restart*, with the agent's consent; refused during a call.
#[tauri::command]
pub async fn install_update(app: tauri::AppHandle) -> Reply<()> {
    crate::updates::install(&app).await
}

/// *Copy diagnostics*: the support report on the clipboard, and back to the window.
#[tauri::command]
pub async fn copy_diagnostics(app: tauri::AppHandle) -> Reply<String> {
    crate::diagnostics::copy(&app).await
}

/// "Test connection" of a CRM as saved: its key, then a lookup of `number`.
#[tauri::command]
pub async fn test_crm(
    app: tauri::AppHandle,
    name: String,
    number: String,
) -> Reply<Vec<ringside_runtime::settings::CheckStep>> {
    let config = crate::settings::saved_config(&app).await?;
    ringside_runtime::settings::test_crm(&config, &name, &number).await.map_err(report)
}

/// "Test connection" of a dialing connection: what a call to `number` would start or send.
#[tauri::command]
pub fn test_dial(
    shell: State<'_, Shell>,
    name: String,
    number: String,
) -> Reply<Vec<ringside_runtime::settings::CheckStep>> {
    Ok(shell.handle()?.test_dial(&number, Some(&name)))
}

/// Opens the settings window (at `section`).
#[tauri::command]
pub fn open_settings(app: tauri::AppHandle, section: Option<String>) {
    crate::settings::open(&app, section);
}

/// Supervisor: pauses another agent with a reason code, or unpauses them (in `queue`, else in
/// all their queues); the audit row once the PBX confirmed.
#[tauri::command]
pub async fn switch_member(
    shell: State<'_, Shell>,
    interface: String,
    queue: Option<String>,
    paused: bool,
    reason: Option<String>,
) -> Reply<ringside_history::AgentSwitch> {
    let handle = shell.handle()?;
    handle.switch_member(&interface, queue.as_deref(), paused, reason.as_deref()).await.map_err(report)
}

/// Supervisor: the audit of switches, newest first.
#[tauri::command]
pub async fn agent_switches(
    shell: State<'_, Shell>,
    query: ringside_history::SwitchQuery,
) -> Reply<Vec<ringside_history::AgentSwitch>> {
    let query = ringside_history::SwitchQuery { limit: query.limit.clamp(1, 500), ..query };
    shell.handle()?.agent_switches(query).await.map_err(report)
}
