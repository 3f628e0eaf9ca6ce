//! Ringside's desktop notifications: what the agent must learn while the window is hidden in the
//! tray ("Ringside paused you in every queue", later missed and incoming calls).
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

#[cfg(all(unix, not(target_os = "macos")))]
mod xdg;

#[cfg(not(all(unix, not(target_os = "macos"))))]
mod native;

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
    #[cfg(all(unix, not(target_os = "macos")))]
    let result = xdg::show(&summary, &body, notice.urgency, notice.tag.as_deref());
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    let result = native::show(&summary, &body, notice.urgency);
    match &result {
        Ok(()) => tracing::debug!(tag = ?notice.tag, urgency = ?notice.urgency, "notification shown"),
        Err(e) => tracing::debug!(tag = ?notice.tag, error = %e, "notification not shown"),
    }
    result
}
