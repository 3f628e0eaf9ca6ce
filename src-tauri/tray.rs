//! The tray icon: its picture and tooltip say the agent's state; its menu logs in and out,
//! switches "accepting calls", shows the callers waiting for a call back, shows the window and
//! quits.

use std::sync::Mutex;

use ringside_core::agent_state::Availability;
use ringside_core::session::SourceStatus;
use ringside_core::AgentState;
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager};

use crate::{Shell, EVENT_NOTICE};

const ID_LOGIN: &str = "login";
const ID_ACCEPTING: &str = "accepting";
const ID_SHOW: &str = "show";
const ID_SHOW_CARD: &str = "show-card";
const ID_QUIT: &str = "quit";
const ID_MISSED: &str = "missed";
/// Tells the window to open its call-back list.
pub const EVENT_SHOW_CALL_BACKS: &str = "ringside://show-call-backs";

/// What the tray last showed, so a menu click knows the state it acts on.
#[derive(Default)]
struct View {
    agent: Option<AgentState>,
    source: Option<SourceStatus>,
    fatal: Option<String>,
    /// Callers waiting for a call back.
    missed: u32,
}

struct Tray {
    icon: TrayIcon,
    login: MenuItem<tauri::Wry>,
    missed: MenuItem<tauri::Wry>,
    accepting: CheckMenuItem<tauri::Wry>,
    view: Mutex<View>,
}

fn state_icon(agent: Option<&AgentState>) -> Image<'static> {
    match agent {
        None | Some(AgentState::LoggedOut) => tauri::include_image!("icons/tray-logged-out.png"),
        Some(AgentState::Available { .. }) => tauri::include_image!("icons/tray-available.png"),
        Some(AgentState::Paused { .. }) => tauri::include_image!("icons/tray-paused.png"),
        Some(AgentState::Ringing { .. }) => tauri::include_image!("icons/tray-ringing.png"),
        Some(AgentState::OnCall { .. }) => tauri::include_image!("icons/tray-on-call.png"),
        Some(AgentState::WrapUp { .. }) => tauri::include_image!("icons/tray-wrap-up.png"),
    }
}

/// Whether queue calls reach the agent now, or will once the current call is done.
fn accepting(agent: &AgentState) -> bool {
    match agent {
        AgentState::Available { .. } => true,
        AgentState::Ringing { resume, .. } | AgentState::OnCall { resume, .. } | AgentState::WrapUp { resume, .. } => {
            matches!(resume, Availability::Available)
        }
        AgentState::LoggedOut | AgentState::Paused { .. } => false,
    }
}

fn tooltip(view: &View) -> String {
    if let Some(fatal) = &view.fatal {
        let first_line = fatal.lines().next().unwrap_or_default();
        return format!("Ringside: {first_line}");
    }
    let Some(agent) = &view.agent else {
        return "Ringside: starting…".to_string();
    };
    let mut text = format!("Ringside: {}", agent.label());
    if let AgentState::Paused { reason: Some(reason), .. } = agent {
        text.push_str(&format!(" ({reason})"));
    }
    if let Some(SourceStatus::Disconnected { .. }) = &view.source {
        text.push_str(" · PBX disconnected");
    }
    if view.missed > 0 {
        text.push_str(&format!(" · {}", missed_text(view.missed)));
    }
    text
}

fn missed_text(waiting: u32) -> String {
    match waiting {
        0 => "No missed calls".to_string(),
        1 => "1 missed caller to call back".to_string(),
        n => format!("{n} missed callers to call back"),
    }
}

pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let login = MenuItem::with_id(app, ID_LOGIN, "Log in", false, None::<&str>)?;
    let accepting = CheckMenuItem::with_id(app, ID_ACCEPTING, "Accepting calls", false, false, None::<&str>)?;
    let missed = MenuItem::with_id(app, ID_MISSED, missed_text(0), false, None::<&str>)?;
    let show_card = MenuItem::with_id(app, ID_SHOW_CARD, "Show call card", true, None::<&str>)?;
    let show = MenuItem::with_id(app, ID_SHOW, "Show window", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, ID_QUIT, "Quit Ringside", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&login, &accepting, &missed, &separator, &show_card, &show, &quit])?;
    let icon = TrayIconBuilder::with_id("ringside")
        .icon(state_icon(None))
        .tooltip("Ringside: starting…")
        .menu(&menu)
        .on_menu_event(on_menu_event)
        .build(app)?;
    app.manage(Tray { icon, login, missed, accepting, view: Mutex::new(View::default()) });
    Ok(())
}

pub fn exists(app: &AppHandle) -> bool {
    app.try_state::<Tray>().is_some()
}

/// Redraws the tray from what it knows.
fn render(tray: &Tray, view: &View) {
    let agent = view.agent.as_ref();
    let _ = tray.icon.set_icon(Some(state_icon(agent)));
    let _ = tray.icon.set_tooltip(Some(tooltip(view)));
    let logged_in = agent.is_some_and(AgentState::is_logged_in);
    let _ = tray.login.set_text(if logged_in { "Log out" } else { "Log in" });
    let _ = tray.login.set_enabled(view.fatal.is_none() && agent.is_some());
    let _ = tray.accepting.set_enabled(logged_in);
    let _ = tray.accepting.set_checked(agent.is_some_and(accepting));
    let _ = tray.missed.set_text(missed_text(view.missed));
    let _ = tray.missed.set_enabled(view.missed > 0);
}

fn update(app: &AppHandle, change: impl FnOnce(&mut View)) {
    if let Some(tray) = app.try_state::<Tray>() {
        let mut view = tray.view.lock().unwrap_or_else(|p| p.into_inner());
        change(&mut view);
        render(&tray, &view);
    }
}

pub fn show_agent(app: &AppHandle, agent: &AgentState) {
    update(app, |v| v.agent = Some(agent.clone()));
}

pub fn show_source(app: &AppHandle, source: &SourceStatus) {
    update(app, |v| v.source = Some(source.clone()));
}

pub fn show_missed(app: &AppHandle, waiting: u32) {
    update(app, |v| v.missed = waiting);
}

pub fn show_fatal(app: &AppHandle, message: &str) {
    update(app, |v| v.fatal = Some(message.to_string()));
}

fn current_agent(app: &AppHandle) -> Option<AgentState> {
    let tray = app.try_state::<Tray>()?;
    let view = tray.view.lock().unwrap_or_else(|p| p.into_inner());
    view.agent.clone()
}

fn on_menu_event(app: &AppHandle, event: MenuEvent) {
    match event.id().as_ref() {
        ID_SHOW => crate::show_main_window(app),
        // The card of the current (or latest) call comes back.
        ID_SHOW_CARD => act(app, |handle| async move { handle.show_popup().await }),
        ID_QUIT => crate::quit(app),
        ID_MISSED => {
            crate::show_main_window(app);
            let _ = crate::desk::emit(app, EVENT_SHOW_CALL_BACKS, &());
        }
        ID_LOGIN => {
            let logged_in = current_agent(app).is_some_and(|a| a.is_logged_in());
            act(app, move |handle| async move {
                if logged_in {
                    handle.log_out().await
                } else {
                    handle.log_in().await
                }
            });
        }
        ID_ACCEPTING => {
            // The menu toggles its own check mark; the truth comes back as an agent update.
            let want = !current_agent(app).as_ref().is_some_and(accepting);
            act(app, move |handle| async move { handle.set_accepting_calls(want, None).await });
        }
        _ => {}
    }
}

/// Runs a runtime call for a menu click; a failure is shown in the window and the tray is
/// redrawn from the last known state (undoing the check mark the menu set by itself).
fn act<F, Fut>(app: &AppHandle, f: F)
where
    F: FnOnce(ringside_runtime::RuntimeHandle) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), ringside_runtime::RuntimeError>> + Send,
{
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let result = match app.state::<Shell>().handle() {
            Ok(handle) => f(handle).await.map_err(|e| ringside_core::ErrorReport::of(&e)),
            Err(report) => Err(report),
        };
        if let Err(report) = result {
            tracing::warn!(code = %report.code, "{report}");
            crate::show_main_window(&app);
            let _ = crate::desk::emit(&app, EVENT_NOTICE, &report);
        }
        update(&app, |_| {});
    });
}
