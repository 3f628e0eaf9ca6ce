//! macOS: `NSUserNotificationCenter` through notify-rust's backend (mac-notification-sys), an
//! API Apple lists for macOS 10.8 to 11 and has deprecated in favour of the UserNotifications
//! framework (<https://developer.apple.com/documentation/foundation/nsusernotificationcenter>).
//! The sending app is the bundle, so the app name, urgency and tags have no effect, and there is
//! no button. Not run on macOS: type-checked only (`cargo check --target aarch64-apple-darwin`,
//! with a stand-in C compiler for mac-notification-sys's Objective-C part; see
//! docs/notifications.md).

use std::time::Duration;

use notify_rust::Notification;

use crate::{NotifyError, Shown, Urgency, APP_NAME};

/// Hands the notice over. The handle sends it when dropped, here, and swallows errors, so a
/// failure is not seen.
pub(crate) fn show(summary: &str, body: &str, _urgency: Urgency, _tag: Option<&str>) -> Result<(), NotifyError> {
    let mut notification = Notification::new();
    notification.appname(APP_NAME).summary(summary).body(body);
    notification.show().map(drop).map_err(|e| NotifyError::Failed { detail: e.to_string() })
}

/// The notice without a button.
pub(crate) fn show_with_button(
    summary: &str,
    body: &str,
    urgency: Urgency,
    tag: Option<&str>,
    _label: &str,
    _wait: Duration,
    _on_press: Box<dyn FnOnce() + Send>,
) -> Result<Shown, NotifyError> {
    show(summary, body, urgency, tag).map(|()| Shown::WithoutButton)
}

/// No buttons are drawn here.
pub(crate) fn supports_actions() -> Result<bool, NotifyError> {
    Ok(false)
}

/// No notice is known by its tag: nothing to take off.
pub(crate) fn close(_tag: &str) -> Result<bool, NotifyError> {
    Ok(false)
}
