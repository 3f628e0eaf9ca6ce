//! The tray icon: its picture and tooltip say the agent's state; its menu logs in and out,
//! switches "accepting calls", shows the callers waiting for a call back, shows the window and
//! quits. Its words are the agent's language's (`words::current`), worded again when it changes.

use std::sync::Mutex;

use ringside_core::agent_state::Availability;
use ringside_core::session::SourceStatus;
use ringside_core::AgentState;
use ringside_core::PauseReason;
use ringside_i18n::{Args, Words};
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager};

use crate::{Shell, EVENT_NOTICE};

const ID_LOGIN: &str = "login";
const ID_ACCEPTING: &str = "accepting";
const ID_SHOW: &str = "show";
const ID_SHOW_CARD: &str = "show-card";
const ID_QUIT: &str = "quit";
const ID_SETTINGS: &str = "settings";
const ID_MISSED: &str = "missed";
const ID_PAUSE_WITH: &str = "pause_with";
/// A pause reason's item: this and the reason's code.
const ID_PAUSE_PREFIX: &str = "pause:";
/// Tells the window to open its call-back list.
pub const EVENT_SHOW_CALL_BACKS: &str = "ringside://show-call-backs";

/// A reason the PBX reports, as the agent reads it: the configured reason's label, else as the
/// PBX has it.
fn shown_reason(words: &Words, view: &View, reported: &str) -> String {
    ringside_core::pause_reason::reason_words(&view.reasons, reported, word(words))
}

/// What the tray last showed, so a menu click knows the state it acts on.
#[derive(Default)]
struct View {
    /// The configured pause reasons, for the tooltip's words.
    reasons: Vec<PauseReason>,
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
    /// "Stop accepting calls" with one of `[agent] pause_reasons` (filled once the runtime runs).
    pause_with: Submenu<tauri::Wry>,
    reasons: Mutex<Vec<(PauseReason, MenuItem<tauri::Wry>)>>,
    show_card: MenuItem<tauri::Wry>,
    show: MenuItem<tauri::Wry>,
    settings: MenuItem<tauri::Wry>,
    quit: MenuItem<tauri::Wry>,
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

/// The message naming an agent state (the desk's words for it too): `agent-` and the state's
/// key (`on_call` → `agent-on-call`).
fn state_id(agent: &AgentState) -> String {
    format!("agent-{}", agent.key().replace('_', "-"))
}

fn tooltip(words: &Words, view: &View) -> String {
    let ringside = |state: &str| words.format("tray-tooltip", &Args::new().text("state", state));
    if let Some(fatal) = &view.fatal {
        // Why Ringside cannot run comes as English text (a config error names the file and line).
        return ringside(fatal.lines().next().unwrap_or_default());
    }
    let Some(agent) = &view.agent else {
        return ringside(&words.get("app-starting"));
    };
    let mut parts = vec![match agent {
        AgentState::Paused { reason: Some(reason), .. } => words.format(
            "tray-state-reason",
            &Args::new().text("state", words.get(&state_id(agent))).text("reason", shown_reason(words, view, reason)),
        ),
        _ => words.get(&state_id(agent)),
    }];
    if let Some(SourceStatus::Disconnected { .. }) = &view.source {
        parts.push(words.get("tray-pbx-disconnected"));
    }
    if view.missed > 0 {
        parts.push(missed_text(words, view.missed));
    }
    ringside(&parts.join(" · "))
}

fn missed_text(words: &Words, waiting: u32) -> String {
    words.format("tray-missed", &Args::new().number("n", i64::from(waiting)))
}

pub fn build(app: &AppHandle) -> tauri::Result<()> {
    let words = crate::words::current(app);
    let item = |id: &str, word: &str, enabled: bool| MenuItem::with_id(app, id, words.get(word), enabled, None::<&str>);
    let login = item(ID_LOGIN, "agent-log-in", false)?;
    let accepting =
        CheckMenuItem::with_id(app, ID_ACCEPTING, words.get("agent-accepting"), false, false, None::<&str>)?;
    let pause_with = Submenu::with_id(app, ID_PAUSE_WITH, words.get("tray-pause-with"), false)?;
    let missed = MenuItem::with_id(app, ID_MISSED, missed_text(words, 0), false, None::<&str>)?;
    let show_card = item(ID_SHOW_CARD, "tray-show-card", true)?;
    let show = item(ID_SHOW, "tray-show-window", true)?;
    let settings = item(ID_SETTINGS, "tray-settings", true)?;
    let quit = item(ID_QUIT, "tray-quit", true)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(
        app,
        &[&login, &accepting, &pause_with, &missed, &separator, &show_card, &show, &settings, &quit],
    )?;
    let icon = TrayIconBuilder::with_id("ringside")
        .icon(state_icon(None))
        .tooltip(tooltip(words, &View::default()))
        .menu(&menu)
        .on_menu_event(on_menu_event)
        .build(app)?;
    app.manage(Tray {
        icon,
        login,
        missed,
        accepting,
        pause_with,
        reasons: Mutex::new(Vec::new()),
        show_card,
        show,
        settings,
        quit,
        view: Mutex::new(View::default()),
    });
    Ok(())
}

/// The language changed: every word of the menu and the tooltip again.
pub fn reword(app: &AppHandle) {
    if let Some(tray) = app.try_state::<Tray>() {
        let words = crate::words::current(app);
        let _ = tray.accepting.set_text(words.get("agent-accepting"));
        let _ = tray.show_card.set_text(words.get("tray-show-card"));
        let _ = tray.show.set_text(words.get("tray-show-window"));
        let _ = tray.settings.set_text(words.get("tray-settings"));
        let _ = tray.quit.set_text(words.get("tray-quit"));
        let _ = tray.pause_with.set_text(words.get("tray-pause-with"));
        for (reason, item) in tray.reasons.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = item.set_text(reason.words(word(words)));
        }
    }
    update(app, |_| {});
}

/// A message's words in the agent's language, `None` when the catalogue lacks it.
fn word(words: &Words) -> impl Fn(&str) -> Option<String> + '_ {
    move |id: &str| words.has(id).then(|| words.get(id))
}

/// The reasons "Stop accepting calls" offers (`[agent] pause_reasons`), in the menu's submenu.
pub fn show_pause_reasons(app: &AppHandle, reasons: &[PauseReason]) {
    let Some(tray) = app.try_state::<Tray>() else { return };
    let words = crate::words::current(app);
    let mut items = tray.reasons.lock().unwrap_or_else(|p| p.into_inner());
    for (_, item) in items.drain(..) {
        let _ = tray.pause_with.remove(&item);
    }
    for reason in reasons {
        let id = format!("{ID_PAUSE_PREFIX}{}", reason.code);
        match MenuItem::with_id(app, id, reason.words(word(words)), true, None::<&str>) {
            Ok(item) => {
                let _ = tray.pause_with.append(&item);
                items.push((reason.clone(), item));
            }
            Err(e) => tracing::warn!(error = %e, code = %reason.code, "a pause reason is missing from the tray menu"),
        }
    }
    drop(items);
    update(app, |v| v.reasons = reasons.to_vec());
}

pub fn exists(app: &AppHandle) -> bool {
    app.try_state::<Tray>().is_some()
}

/// Redraws the tray from what it knows.
fn render(tray: &Tray, words: &Words, view: &View) {
    let agent = view.agent.as_ref();
    let _ = tray.icon.set_icon(Some(state_icon(agent)));
    let _ = tray.icon.set_tooltip(Some(tooltip(words, view)));
    let logged_in = agent.is_some_and(AgentState::is_logged_in);
    let _ = tray.login.set_text(words.get(if logged_in { "agent-log-out" } else { "agent-log-in" }));
    let _ = tray.login.set_enabled(view.fatal.is_none() && agent.is_some());
    let _ = tray.accepting.set_enabled(logged_in);
    let _ = tray.accepting.set_checked(agent.is_some_and(accepting));
    let has_reasons = !tray.reasons.lock().unwrap_or_else(|p| p.into_inner()).is_empty();
    let _ = tray.pause_with.set_enabled(logged_in && has_reasons);
    let _ = tray.missed.set_text(missed_text(words, view.missed));
    let _ = tray.missed.set_enabled(view.missed > 0);
}

fn update(app: &AppHandle, change: impl FnOnce(&mut View)) {
    if let Some(tray) = app.try_state::<Tray>() {
        let mut view = tray.view.lock().unwrap_or_else(|p| p.into_inner());
        change(&mut view);
        render(&tray, crate::words::current(app), &view);
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

/// Ringside starts again (on settings the agent fixed).
pub fn show_fatal_cleared(app: &AppHandle) {
    update(app, |v| v.fatal = None);
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
        ID_SETTINGS => crate::settings::open(app, None),
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
        id => {
            if let Some(code) = id.strip_prefix(ID_PAUSE_PREFIX) {
                let code = code.to_string();
                act(app, move |handle| async move { handle.set_accepting_calls(false, Some(code)).await });
            }
        }
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

#[cfg(test)]
mod tests {
    use ringside_i18n::Language;

    use super::*;

    #[test]
    fn the_tooltip_says_the_state_the_pause_reason_and_the_callers_waiting() {
        let view = View {
            reasons: vec![],
            agent: Some(AgentState::Paused { reason: Some("Lunch".into()), since: ringside_core::Timestamp::now() }),
            source: None,
            fatal: None,
            missed: 2,
        };
        assert_eq!(tooltip(Words::of(Language::En), &view), "Ringside: paused (Lunch) · 2 missed callers to call back");
        assert_eq!(tooltip(Words::of(Language::Uk), &view), "Ringside: пауза (Lunch) · Передзвонити 2 абонентам");
        assert_eq!(tooltip(Words::of(Language::Ru), &View::default()), "Ringside: запуск…");
        // A configured reason's code reads as its label; an older Ringside's English words too.
        let lunch = |reason: &str| View {
            reasons: ringside_core::default_pause_reasons(),
            agent: Some(AgentState::Paused { reason: Some(reason.into()), since: ringside_core::Timestamp::now() }),
            ..View::default()
        };
        assert_eq!(tooltip(Words::of(Language::Uk), &lunch("lunch")), "Ringside: пауза (Обід)");
        assert_eq!(tooltip(Words::of(Language::Uk), &lunch("Lunch")), "Ringside: пауза (Обід)");
        assert_eq!(tooltip(Words::of(Language::En), &lunch("back_office")), "Ringside: paused (Back office)");
    }

    #[test]
    fn every_agent_state_has_its_words() {
        let now = ringside_core::Timestamp::now();
        let states = [
            AgentState::LoggedOut,
            AgentState::Available { since: now },
            AgentState::Paused { reason: None, since: now },
            AgentState::Ringing {
                call: ringside_core::CallId("c".into()),
                since: now,
                resume: Availability::Available,
            },
            AgentState::OnCall { call: ringside_core::CallId("c".into()), since: now, resume: Availability::Available },
            AgentState::WrapUp { call: None, since: now, ends_at: None, resume: Availability::Available },
        ];
        for state in &states {
            let id = state_id(state);
            assert!(Words::of(Language::En).has(&id), "{id}");
            assert_eq!(Words::of(Language::En).get(&id), state.label(), "the tray says what the core says");
        }
    }
}
