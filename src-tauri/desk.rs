//! The desk window ("main", the `main` entry of tauri.conf.json, which Tauri does not create by
//! itself). It exists only while the agent has it open: closing it while Ringside lives in the
//! tray destroys it — a hidden webview kept its WebKit web process, the largest part of
//! Ringside's memory — and the tray's "Show window", a `tel:` link, a second launch or an error
//! to show build it again. Its state comes from the runtime's snapshot, as at start. Started
//! with `--in-tray` (e.g. at login), Ringside opens no desk until the agent asks for it.
//!
//! Events meant for the desk (a link to confirm, "show the call-back list", an error) wait
//! while its page is loading and go out once it listens (`desk_ready`).

use std::sync::Mutex;

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager, PhysicalPosition, PhysicalSize, WebviewWindowBuilder};

use crate::MAIN_WINDOW;

/// The command-line flag that starts Ringside in the tray, without the desk.
pub const IN_TRAY_FLAG: &str = "--in-tray";

/// What the shell keeps about the desk between its lives.
#[derive(Default)]
pub struct Desk {
    /// `None` while the desk's page listens; otherwise the events waiting for it.
    waiting: Mutex<Option<Vec<(&'static str, serde_json::Value)>>>,
    /// Where the agent had the desk and how big, when they closed it.
    last: Mutex<Option<(PhysicalPosition<i32>, PhysicalSize<u32>)>>,
}

impl Desk {
    pub fn new() -> Desk {
        Desk { waiting: Mutex::new(Some(Vec::new())), last: Mutex::new(None) }
    }
}

/// Whether Ringside was started with `--in-tray`.
pub fn start_in_tray() -> bool {
    std::env::args().skip(1).any(|a| a == IN_TRAY_FLAG)
}

/// Brings the desk up: shown and focused if it exists, built again if not. On the main thread,
/// one request at a time: a second launch with a link asks twice at once, and the desk must
/// not be built twice.
pub fn show(app: &AppHandle) {
    let on_main = app.clone();
    if let Err(e) = app.run_on_main_thread(move || show_now(&on_main)) {
        tracing::warn!(error = %e, "the desk window could not be shown");
    }
}

fn show_now(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
        return;
    }
    if let Err(e) = open(app) {
        tracing::warn!(error = %e, "the desk window could not be opened");
    }
}

/// Builds the desk from its entry in tauri.conf.json, where the agent last had it.
pub fn open(app: &AppHandle) -> tauri::Result<()> {
    let Some(config) = app.config().app.windows.iter().find(|w| w.label == MAIN_WINDOW).cloned() else {
        return Err(tauri::Error::WindowNotFound);
    };
    let desk = app.state::<Desk>();
    // What already waits for the desk (sent before it was asked for) stays.
    desk.waiting.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert_with(Vec::new);
    let last = *desk.last.lock().unwrap_or_else(|p| p.into_inner());
    let window = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    crate::draw_without_gpu(&window);
    if let Some((position, size)) = last {
        let _ = window.set_size(size);
        let _ = window.set_position(position);
    }
    Ok(())
}

/// The agent closed the desk while Ringside lives in the tray: remember where it was; Tauri
/// then destroys it.
pub fn closing(window: &tauri::Window) {
    if let (Ok(position), Ok(size)) = (window.outer_position(), window.inner_size()) {
        *window.app_handle().state::<Desk>().last.lock().unwrap_or_else(|p| p.into_inner()) = Some((position, size));
    }
}

/// The desk is gone: what is meant for it waits for the next one.
pub fn destroyed(app: &AppHandle) {
    app.state::<Desk>().waiting.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert_with(Vec::new);
}

/// The desk's page listens: what waited goes out to it.
pub fn ready(app: &AppHandle) {
    let waiting = app.state::<Desk>().waiting.lock().unwrap_or_else(|p| p.into_inner()).take();
    for (event, payload) in waiting.unwrap_or_default() {
        let _ = app.emit_to(MAIN_WINDOW, event, payload);
    }
}

/// Sends an event to every window, holding it for the desk while the desk's page loads.
pub fn emit<S: Serialize>(app: &AppHandle, event: &'static str, payload: &S) -> tauri::Result<()> {
    {
        let desk = app.state::<Desk>();
        let mut waiting = desk.waiting.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(queue) = waiting.as_mut() {
            queue.push((event, serde_json::to_value(payload)?));
            return Ok(());
        }
    }
    app.emit(event, payload)
}
