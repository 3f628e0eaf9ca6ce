//! Ringside's desktop shell: a window, a tray icon and single-instance handling around
//! `ringside-runtime`. Everything that decides anything lives in the crates; the shell loads
//! the config, starts the runtime, forwards every `SessionOutput` to the webview as a
//! `session` event, and turns clicks into calls on the [`RuntimeHandle`].

mod card_window;
mod commands;
mod desk;
mod diagnostics;
mod links;
mod probe;
mod settings;
mod tray;
mod updates;
mod words;

use std::path::PathBuf;
use std::sync::RwLock;

use ringside_config::Config;
use ringside_runtime::{Runtime, RuntimeHandle};
use tauri::{AppHandle, Emitter, Manager, RunEvent, WindowEvent};
use tokio::sync::broadcast::error::RecvError;

/// Every `SessionOutput`, as `{ kind, value }`.
pub const EVENT_SESSION: &str = "session";
/// A full `Snapshot` after the shell fell behind the session (the UI redraws from it).
pub const EVENT_SNAPSHOT: &str = "snapshot";
/// The runtime is up: the UI asks for a snapshot.
pub const EVENT_READY: &str = "ready";
/// Ringside cannot run (bad config, demo PBX port taken): the message, in words.
pub const EVENT_FATAL: &str = "fatal";
/// Something the agent asked for from the tray or a link failed: an `ErrorReport`.
pub const EVENT_NOTICE: &str = "notice";

/// The label of the one window.
pub const MAIN_WINDOW: &str = "main";

/// Where the runtime is in its life.
enum Phase {
    Starting,
    Running(RuntimeHandle),
    Failed(String),
}

/// The shell's state, managed by Tauri.
pub struct Shell {
    phase: RwLock<Phase>,
    config_path: Option<PathBuf>,
    /// Where the log goes; its last lines go into *Copy diagnostics*.
    logging: ringside_logs::Logging,
}

impl Shell {
    /// The running runtime, or why there is none.
    fn handle(&self) -> Result<RuntimeHandle, ringside_core::ErrorReport> {
        use ringside_core::ErrorReport;
        match &*self.phase.read().unwrap_or_else(|p| p.into_inner()) {
            Phase::Running(handle) => Ok(handle.clone()),
            Phase::Starting => {
                Err(ErrorReport::new("app.starting", "Ringside is still starting; try again in a moment"))
            }
            Phase::Failed(message) => {
                Err(ErrorReport::new("app.not_running", message.clone()).with_arg("reason", message.clone()))
            }
        }
    }

    /// The phase in one word, and the error when it failed.
    fn phase_name(&self) -> (&'static str, Option<String>) {
        match &*self.phase.read().unwrap_or_else(|p| p.into_inner()) {
            Phase::Starting => ("starting", None),
            Phase::Running(_) => ("running", None),
            Phase::Failed(message) => ("failed", Some(message.clone())),
        }
    }

    fn is_failed(&self) -> bool {
        matches!(&*self.phase.read().unwrap_or_else(|p| p.into_inner()), Phase::Failed(_))
    }

    fn set(&self, phase: Phase) {
        *self.phase.write().unwrap_or_else(|p| p.into_inner()) = phase;
    }
}

/// Reads the config file named by `$RINGSIDE_CONFIG` or the OS default place, over the
/// system-wide one IT may have deployed.
fn load_config() -> (Option<PathBuf>, Result<Config, String>) {
    match Config::default_path() {
        Some(path) => {
            let system = Config::system_path();
            let result = ringside_config::load_layered(&path, system.as_deref()).map_err(|e| e.to_string());
            if let Ok(layered) = &result {
                if let Some(system) = &layered.system_path {
                    tracing::info!(path = %system.display(), locked = ?layered.locked, "system-wide config");
                }
                for key in &layered.overridden {
                    tracing::warn!(setting = %key, "locked by the system-wide config; the user's value is ignored");
                }
            }
            (Some(path), result.map(|l| l.config))
        }
        None => {
            tracing::warn!("no home directory to keep a config file in; using the embedded defaults");
            (None, Ok(Config::default()))
        }
    }
}

/// A desktop notification, so the agent hears it with the window hidden. D-Bus blocks: off the
/// async runtime. An incoming call's notice carries a "Show" button (where the notification
/// server draws buttons) that brings that call's card back.
fn notify(app: &AppHandle, notice: &ringside_core::Notice) {
    let words = words::current(app);
    let (summary, body) = words::notice(words, notice, ringside_core::Timestamp::now());
    let show = words.get("notice-show");
    let shown = ringside_notify::Notice {
        summary,
        body,
        urgency: if notice.urgent() { ringside_notify::Urgency::Critical } else { ringside_notify::Urgency::Normal },
        tag: Some(notice.tag().to_string()),
    };
    let call = match notice {
        ringside_core::Notice::IncomingCall { call, .. } => Some(call.clone()),
        _ => None,
    };
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let result = match call {
            Some(call) => {
                let on_press = move || {
                    tauri::async_runtime::spawn(async move {
                        if let Ok(handle) = app.state::<Shell>().handle() {
                            if let Err(e) = handle.show_popup_call(call).await {
                                tracing::info!(error = %e, "the call's card could not be shown again");
                            }
                        }
                    });
                };
                ringside_notify::show_with_button(&shown, &show, ringside_notify::BUTTON_WAIT, on_press).map(|_| ())
            }
            None => ringside_notify::show(&shown),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "a desktop notification could not be shown");
        }
    });
}

/// Takes a notice off the screen (an incoming call that was answered or ended).
fn withdraw(tag: String) {
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = ringside_notify::close(&tag) {
            tracing::debug!(error = %e, "a desktop notification could not be closed");
        }
    });
}

/// A window of text needs no GPU compositing. With it (WebKitGTK's DMA-BUF renderer, on Mesa's
/// software GL where there is no GPU) a window's web process grew by about 90 MB the first time
/// it was shown (docs/performance.md). `RINGSIDE_WEBVIEW_GPU=1` keeps WebKit's default.
pub(crate) fn draw_without_gpu(window: &tauri::WebviewWindow) {
    #[cfg(target_os = "linux")]
    if std::env::var_os("RINGSIDE_WEBVIEW_GPU").is_none_or(|v| v != "1") {
        let _ = window.with_webview(|webview| {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
            if let Some(settings) = WebViewExt::settings(&webview.inner()) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// Brings the desk back from the tray (or from behind other windows), building it again when
/// the agent had closed it.
pub(crate) fn show_main_window(app: &AppHandle) {
    desk::show(app);
}

/// Stops the runtime (logs off the PBX cleanly), then exits.
pub(crate) fn quit(app: &AppHandle) {
    quit_then(app, AfterQuit::Exit);
}

/// What happens once the runtime stopped.
pub(crate) enum AfterQuit {
    Exit,
    /// Start again (an installed update).
    Restart,
}

/// Stops the runtime as Quit does (Ringside's own wrap-up pause undone, the PBX logged off),
/// then exits or starts again.
pub(crate) fn quit_then(app: &AppHandle, after: AfterQuit) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let handle = app.state::<Shell>().handle().ok();
        if let Some(handle) = handle {
            let stop = handle.shutdown();
            if tokio::time::timeout(std::time::Duration::from_secs(3), stop).await.is_err() {
                tracing::warn!("the runtime did not stop within 3 s; exiting anyway");
            }
        }
        match after {
            AfterQuit::Exit => app.exit(0),
            AfterQuit::Restart => app.restart(),
        }
    });
}

/// The desktop session ending or `kill` (SIGTERM, SIGHUP, SIGINT) quits as the tray's Quit
/// does: the wrap-up pause is undone and the PBX logged off before the process exits.
async fn quit_on_signal(app: AppHandle) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hup)) = (signal(SignalKind::terminate()), signal(SignalKind::hangup())) else {
            tracing::warn!("cannot watch for SIGTERM; quitting from the tray still cleans up");
            return;
        };
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: quitting"),
            _ = hup.recv() => tracing::info!("SIGHUP: quitting"),
            _ = tokio::signal::ctrl_c() => tracing::info!("interrupted: quitting"),
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    quit(&app);
}

/// Starts the runtime again on `config` after it could not start (the settings window fixed
/// what stopped it).
fn restart(app: &AppHandle, config: Config) {
    app.state::<Shell>().set(Phase::Starting);
    tray::show_fatal_cleared(app);
    tauri::async_runtime::spawn(start_and_forward(app.clone(), Ok(config)));
}

/// Starts the runtime and then forwards its outputs until it stops.
async fn start_and_forward(app: AppHandle, config: Result<Config, String>) {
    let started = match config {
        Ok(config) => Runtime::start(config).await.map_err(|e| format!("Ringside could not start: {e}")),
        Err(message) => Err(message),
    };
    let handle = match started {
        Ok(handle) => handle,
        Err(message) => {
            tracing::error!("{message}");
            app.state::<Shell>().set(Phase::Failed(message.clone()));
            tray::show_fatal(&app, &message);
            let _ = app.emit(EVENT_FATAL, &message);
            return;
        }
    };
    if let Some(addr) = handle.demo_pbx_addr() {
        tracing::info!(%addr, "running on the demo PBX");
    }
    // Subscribe before announcing readiness, so nothing between the UI's snapshot and the
    // first forwarded output is lost.
    let mut outputs = handle.subscribe();
    app.state::<Shell>().set(Phase::Running(handle.clone()));
    let snapshot = handle.snapshot().await;
    tray::show_agent(&app, &snapshot.agent);
    tray::show_source(&app, &snapshot.source);
    tray::show_pause_reasons(&app, &snapshot.setup.pause_reasons);
    card_window::show_calls(&app, snapshot.popup.calls.len());
    let _ = app.emit(EVENT_READY, ());
    probe::mark("runtime-ready", None, None);

    loop {
        match outputs.recv().await {
            Ok(output) => {
                match &output {
                    ringside_core::SessionOutput::Agent(agent) => tray::show_agent(&app, agent),
                    ringside_core::SessionOutput::Source(source) => tray::show_source(&app, source),
                    ringside_core::SessionOutput::MissedCalls(waiting) => tray::show_missed(&app, *waiting),
                    ringside_core::SessionOutput::Notice(notice) => notify(&app, notice),
                    ringside_core::SessionOutput::NoticeWithdrawn { tag } => withdraw(tag.clone()),
                    // Hidden before its page empties, so the agent never sees an empty window.
                    ringside_core::SessionOutput::Popup(view) if view.calls.is_empty() => {
                        card_window::show_calls(&app, 0)
                    }
                    _ => {}
                }
                if let Err(e) = app.emit(EVENT_SESSION, &output) {
                    tracing::warn!(error = %e, "could not send a session update to the window");
                }
                // Shown after its page has the calls on the way: the page renders them while the
                // window is being mapped, and its first frame on screen is the new card.
                if let ringside_core::SessionOutput::Popup(view) = &output {
                    if !view.calls.is_empty() {
                        card_window::show_calls(&app, view.calls.len());
                    }
                }
            }
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the window fell behind the session; sending a full snapshot");
                let snapshot = handle.snapshot().await;
                tray::show_agent(&app, &snapshot.agent);
                tray::show_source(&app, &snapshot.source);
                card_window::show_calls(&app, snapshot.popup.calls.len());
                let _ = app.emit(EVENT_SNAPSHOT, &snapshot);
            }
            Err(RecvError::Closed) => {
                tracing::info!("the session stopped");
                break;
            }
        }
    }
}

/// Builds and runs the app; returns when it exits.
pub fn run() {
    // The daily log file in the OS's log folder (`$RINGSIDE_LOG_FILE` names one file instead:
    // WebDriver swallows the app's output, and the end-to-end tests read that file).
    let logging = ringside_logs::init("info");
    if let Some(file) = logging.current_file() {
        tracing::info!(version = env!("CARGO_PKG_VERSION"), log = %file.display(), "Ringside starting");
    }
    let (config_path, config) = load_config();
    if let (Some(path), Ok(_)) = (&config_path, &config) {
        tracing::info!(path = %path.display(), "config");
    }
    let speech = words::Speech::new(config.as_ref().map(|c| c.ui.language).unwrap_or_default());
    tracing::info!(language = %speech.now().language, "language");

    let app = tauri::Builder::default()
        // First plugin, so a second launch hands over before anything else starts.
        // With its deep-link feature it hands a second launch's tel: link to the deep-link plugin.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if argv.iter().any(|a| a == settings::SETTINGS_FLAG) {
                settings::open(app, None);
            } else {
                show_main_window(app);
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        // Start at login: `--in-tray`, so the desk does not open by itself.
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![desk::IN_TRAY_FLAG]),
        ))
        .manage(Shell { phase: RwLock::new(Phase::Starting), config_path, logging })
        .manage(card_window::Placement::default())
        .manage(desk::Desk::new())
        .manage(speech)
        .manage(updates::Updates::new(config.as_ref().map(|c| c.updates.check).unwrap_or(false)))
        .invoke_handler(tauri::generate_handler![
            commands::snapshot,
            commands::about,
            commands::set_accepting_calls,
            commands::log_in,
            commands::log_out,
            commands::finish_wrap_up,
            commands::hang_up,
            commands::dismiss,
            commands::retry_lookup,
            commands::choose_customer,
            commands::bind_deal,
            commands::create_customer,
            commands::open_customer_page,
            commands::connections,
            commands::dial,
            commands::dial_settings,
            commands::become_link_handler,
            commands::save_note,
            commands::note,
            commands::recent_calls,
            commands::search_history,
            commands::call_backs,
            commands::mark_called_back,
            commands::open_recording,
            commands::open_history_customer,
            commands::fit_card_window,
            commands::drag_card_window,
            commands::card_window_painted,
            commands::create_targets,
            commands::open_new_order,
            commands::dismiss_popup,
            commands::hide_popup,
            commands::set_popup_compact,
            commands::paint_probe,
            commands::desk_ready,
            commands::language,
            commands::set_language,
            commands::switch_member,
            commands::agent_switches,
            commands::settings,
            commands::save_settings,
            commands::remove_secret,
            commands::test_source,
            commands::test_crm,
            commands::test_dial,
            commands::open_settings,
            commands::copy_diagnostics,
            commands::update_status,
            commands::check_for_update,
            commands::install_update,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            if let Err(e) = tray::build(&handle) {
                // A desktop without a tray still gets the window; closing it then quits.
                tracing::warn!(error = %e, "no tray icon; closing the window will quit Ringside");
            }
            probe::mark("tray", None, None);
            // Without a tray the desk is the only way in: it always opens.
            if !(desk::start_in_tray() && tray::exists(&handle)) {
                if let Err(e) = desk::open(&handle) {
                    if !tray::exists(&handle) {
                        // No tray, no desk: nothing the agent could use (as before).
                        return Err(e.into());
                    }
                    tracing::error!("Ringside could not open its window: {e}");
                }
            }
            // After the desk, so the desk is the first window (WebDriver's, in the e2e tests).
            let corner = config.as_ref().map(|c| c.ui.card_corner).unwrap_or_default();
            if let Err(e) = card_window::build(&handle, corner) {
                tracing::warn!(error = %e, "no call card window; cards show in the main window only");
            }
            tauri::async_runtime::spawn(start_and_forward(handle.clone(), config));
            updates::schedule(&handle);
            if std::env::args().skip(1).any(|a| a == settings::SETTINGS_FLAG) {
                settings::open(&handle, None);
            }
            tauri::async_runtime::spawn(quit_on_signal(handle.clone()));
            {
                use tauri_plugin_deep_link::DeepLinkExt;
                // A link that started Ringside, then every link a later launch hands over.
                if let Ok(Some(urls)) = app.deep_link().get_current() {
                    links::open(&handle, urls.iter().map(|u| u.to_string()).collect());
                }
                let for_links = handle.clone();
                app.deep_link().on_open_url(move |event| {
                    links::open(&for_links, event.urls().iter().map(|u| u.to_string()).collect());
                });
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if window.label() == card_window::CARD_WINDOW {
                match event {
                    WindowEvent::Moved(to) => card_window::moved(window.app_handle(), *to),
                    WindowEvent::CloseRequested { api, .. } => {
                        // Closing is the card window's own "×": the runtime forgets its cards.
                        api.prevent_close();
                        let app = window.app_handle().clone();
                        tauri::async_runtime::spawn(async move {
                            if let Ok(handle) = app.state::<Shell>().handle() {
                                let _ = handle.hide_popup().await;
                            }
                        });
                    }
                    _ => {}
                }
                return;
            }
            match event {
                WindowEvent::CloseRequested { api, .. } => {
                    if tray::exists(window.app_handle()) {
                        // Ringside lives in the tray; the desk closes (its webview with it) and
                        // the tray brings it back.
                        desk::closing(window);
                    } else {
                        api.prevent_close();
                        quit(window.app_handle());
                    }
                }
                WindowEvent::Destroyed => desk::destroyed(window.app_handle()),
                _ => {}
            }
        })
        .build(tauri::generate_context!());

    let app = match app {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("Ringside could not open its window: {e}");
            eprintln!("Ringside could not open its window: {e}");
            std::process::exit(1);
        }
    };
    app.run(|app, event| match event {
        // The last window closed (the desk, when the card window could not be built): Ringside
        // stays in the tray. Quit asks with an exit code.
        RunEvent::ExitRequested { code: None, api, .. } if tray::exists(app) => api.prevent_exit(),
        RunEvent::Exit => tracing::info!("bye"),
        _ => {}
    });
}
