//! Ringside's desktop notifications: what the agent must learn while the window is hidden in the
//! tray ("Ringside paused you in every queue", missed and incoming calls). An incoming call's
//! notice carries a button ("Show": the call's card) where the notification service draws
//! buttons ([`show_with_button`]), and is taken off the screen when the call is answered
//! ([`close`]).
//!
//! - Linux/BSD: `org.freedesktop.Notifications` on the D-Bus session bus (dunst, GNOME Shell, KDE
//!   Plasma, mako, xfce4-notifyd, …), through notify-rust's pure-Rust zbus client.
//! - Windows: a WinRT toast; macOS: `NSUserNotificationCenter` (notify-rust's backends; only
//!   compile-checked so far).
//!
//! Every notice goes through [`sanitize_summary`] and [`sanitize_body`] first (control and bidi
//! override characters removed, length capped, the body escaped as markup on Linux/BSD), because
//! caller ID names are written by strangers. See `docs/notifications.md`.
//!
//! # Blocking
//!
//! [`show`] waits for the notification service's answer (a D-Bus round trip on Linux, at most
//! [`TIMEOUT`]). Code on an async runtime calls it through `tokio::task::spawn_blocking`:
//!
//! ```no_run
//! use ringside_notify::{show, Notice, NotifyError, Urgency};
//!
//! async fn tell_paused(reason: String) -> Result<(), NotifyError> {
//!     let notice = Notice {
//!         summary: "You missed 3 queue calls in a row".into(),
//!         body: format!(
//!             "Ringside paused you in every queue (reason: {reason}). \
//!              Switch 'accepting calls' back on when you are ready."
//!         ),
//!         urgency: Urgency::Critical,
//!         tag: Some("paused".into()),
//!     };
//!     tokio::task::spawn_blocking(move || show(&notice)).await.expect("notification thread panicked")
//! }
//! ```

mod error;
mod sanitize;

// One backend per OS, each with the same four functions (`show`, `show_with_button`, `close`,
// `supports_actions`); each module says what its OS does. Tested on Linux only (docs/platforms.md).
#[cfg(target_os = "macos")]
mod macos;
#[cfg(windows)]
mod windows;
#[cfg(all(unix, not(target_os = "macos")))]
mod xdg;

#[cfg(target_os = "macos")]
use macos as backend;
#[cfg(windows)]
use windows as backend;
#[cfg(all(unix, not(target_os = "macos")))]
use xdg as backend;

use std::time::Duration;

pub use error::NotifyError;
pub use sanitize::{
    escape_markup, is_bidi_control, sanitize_body, sanitize_summary, BODY_IS_MARKUP, BODY_MAX_CHARS, SUMMARY_MAX_CHARS,
};

/// The application name every notice carries (the `app_name` of the D-Bus `Notify` call).
pub const APP_NAME: &str = "Ringside";

/// How long [`show`] waits for the notification service (Linux/BSD: connecting to the session bus,
/// the handshake and the `Notify` call together). zbus itself has no timeout for a method call,
/// so without this a hung notification server would block the calling thread forever. Generous,
/// because the first notice of a session may start the server through D-Bus activation.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How insistent a notice is. Linux/BSD: the `urgency` hint (a critical notice does not expire by
/// itself on most servers). Windows: `Critical` shows the toast as a reminder that stays until
/// dismissed. macOS: ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Urgency {
    Low,
    #[default]
    Normal,
    Critical,
}

/// One notification. `summary` and `body` may contain text from strangers (caller ID names): [`show`]
/// sanitises them, callers do not escape anything themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// One line, shown as the title. Plain text; at most [`SUMMARY_MAX_CHARS`] characters are shown.
    pub summary: String,
    /// The text below, may have several lines. Plain text (never markup: it is escaped); at most
    /// [`BODY_MAX_CHARS`] characters are shown.
    pub body: String,
    pub urgency: Urgency,
    /// Replaces the previous notice with the same tag (e.g. `"missed-calls"`) instead of stacking,
    /// so a counter updates one notice. Tags are a small fixed set of names chosen by Ringside.
    /// Linux/BSD only; Windows and macOS stack every notice.
    pub tag: Option<String>,
}

impl Notice {
    /// A notice of normal urgency without a tag.
    pub fn new(summary: impl Into<String>, body: impl Into<String>) -> Self {
        Notice { summary: summary.into(), body: body.into(), urgency: Urgency::Normal, tag: None }
    }
}

/// The action key of the button [`show_with_button`] adds (the D-Bus `actions` entry; a click on
/// the notice itself is the spec's `default` action, which does the same).
pub const BUTTON_ACTION: &str = "button";

/// How long [`show_with_button`] listens for the button by default: as long as a call rings.
pub const BUTTON_WAIT: Duration = Duration::from_secs(300);

/// Whether [`show_with_button`] drew its button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// With the button; pressing it (or clicking the notice) calls `on_press`.
    WithButton,
    /// Without: the notification service draws no buttons (no `actions` capability; Windows and
    /// macOS for now). The notice says the same; `on_press` is never called.
    WithoutButton,
}

/// As [`show`], with a button labelled `label` when the notification service draws buttons (its
/// `actions` capability), and the notice itself clickable. When the agent presses either within
/// `wait` (e.g. [`BUTTON_WAIT`]), `on_press` runs once, on a thread of its own (keep it short:
/// send to a channel, ask the runtime). Nothing runs when the notice closes (expired, dismissed,
/// [`close`]d, replaced by a newer notice of its tag) or `wait` passes first.
///
/// Blocking, like [`show`]: the capability query and the `Notify` call, each at most [`TIMEOUT`].
/// Linux/BSD; on Windows and macOS the notice is shown without a button.
pub fn show_with_button(
    notice: &Notice,
    label: &str,
    wait: Duration,
    on_press: impl FnOnce() + Send + 'static,
) -> Result<Shown, NotifyError> {
    let summary = sanitize_summary(&notice.summary);
    let body = sanitize_body(&notice.body, BODY_IS_MARKUP);
    let label = sanitize_summary(label);
    let result = backend::show_with_button(
        &summary,
        &body,
        notice.urgency,
        notice.tag.as_deref(),
        &label,
        wait,
        Box::new(on_press),
    );
    match &result {
        Ok(shown) => tracing::debug!(tag = ?notice.tag, ?shown, "notification shown"),
        Err(e) => tracing::debug!(tag = ?notice.tag, error = %e, "notification not shown"),
    }
    result
}

/// Takes the notice last shown with `tag` off the screen (an incoming call was answered), and
/// stops listening for its button. `Ok(false)` when there was none to take off (none shown with
/// the tag by this process, or the server no longer had it). Blocking, at most [`TIMEOUT`].
/// Linux/BSD; Windows and macOS keep no notice ids, so there it is always `Ok(false)`.
pub fn close(tag: &str) -> Result<bool, NotifyError> {
    let result = backend::close(tag);
    tracing::debug!(tag, ?result, "notification closed by tag");
    result
}

/// Whether the notification service draws buttons (`GetCapabilities` lists `actions`). Blocking,
/// at most [`TIMEOUT`]. Linux/BSD; elsewhere `Ok(false)`.
pub fn supports_actions() -> Result<bool, NotifyError> {
    backend::supports_actions()
}

/// Shows `notice` as a desktop notification, sanitised (see [`sanitize_summary`] and
/// [`sanitize_body`]), under the app name [`APP_NAME`], replacing the previous notice with the same
/// [`tag`](Notice::tag).
///
/// Blocking: waits for the notification service to answer, at most [`TIMEOUT`] (see the crate
/// docs for use from async code). Returns a [`NotifyError`] that says in words what is missing,
/// e.g. "no notification service is running on this desktop: …". On macOS the notice is handed
/// over without an answer, so errors there are not seen.
pub fn show(notice: &Notice) -> Result<(), NotifyError> {
    let summary = sanitize_summary(&notice.summary);
    let body = sanitize_body(&notice.body, BODY_IS_MARKUP);
    let result = backend::show(&summary, &body, notice.urgency, notice.tag.as_deref());
    match &result {
        Ok(()) => tracing::debug!(tag = ?notice.tag, urgency = ?notice.urgency, "notification shown"),
        Err(e) => tracing::debug!(tag = ?notice.tag, error = %e, "notification not shown"),
    }
    result
}
