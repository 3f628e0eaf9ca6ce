//! Windows: a toast through notify-rust's WinRT backend (tauri-winrt-notification). A toast
//! belongs to an AppUserModelID, normally the one on the app's Start-menu shortcut ("How to
//! enable desktop toast notifications through an AppUserModelID",
//! <https://learn.microsoft.com/windows/win32/shell/enable-desktop-toast-with-appusermodelid>);
//! notify-rust's default is PowerShell's, until the installed app passes its own. The toast API
//! keeps no ids Ringside can replace or close, so tags are not used and there is no button.
//! Not run on Windows: type-checked only (`cargo check --target x86_64-pc-windows-gnu`).

use std::time::Duration;

use notify_rust::Notification;

use crate::{NotifyError, Shown, Urgency, APP_NAME};

/// Shows the toast; `Critical` makes it a reminder that stays until dismissed. The app name has
/// no effect (the toast carries the AppUserModelID's name).
pub(crate) fn show(summary: &str, body: &str, urgency: Urgency, _tag: Option<&str>) -> Result<(), NotifyError> {
    let mut notification = Notification::new();
    notification.appname(APP_NAME).summary(summary).body(body).urgency(match urgency {
        Urgency::Low => notify_rust::Urgency::Low,
        Urgency::Normal => notify_rust::Urgency::Normal,
        Urgency::Critical => notify_rust::Urgency::Critical,
    });
    notification.show().map(drop).map_err(|e| NotifyError::Failed { detail: e.to_string() })
}

/// The toast without a button.
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

/// No toast is known by its tag: nothing to take off.
pub(crate) fn close(_tag: &str) -> Result<bool, NotifyError> {
    Ok(false)
}
