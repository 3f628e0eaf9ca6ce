//! Windows (WinRT toast) and macOS (`NSUserNotificationCenter`) through notify-rust's own backends.
//! Only compile-checked so far. Neither keeps ids across notices, so tags are not used here.

use notify_rust::Notification;

use crate::{NotifyError, Urgency, APP_NAME};

pub(crate) fn show(summary: &str, body: &str, urgency: Urgency) -> Result<(), NotifyError> {
    let mut notification = Notification::new();
    // The app name has no effect on macOS (the sending app is the bundle), nor on Windows, where the
    // toast belongs to the AppUserModelID (notify-rust's default: PowerShell's, until the installed
    // app passes its own).
    notification.appname(APP_NAME).summary(summary).body(body);
    #[cfg(target_os = "windows")]
    notification.urgency(match urgency {
        Urgency::Low => notify_rust::Urgency::Low,
        Urgency::Normal => notify_rust::Urgency::Normal,
        Urgency::Critical => notify_rust::Urgency::Critical,
    });
    #[cfg(not(target_os = "windows"))]
    let _ = urgency; // macOS: NSUserNotification has no urgency
                     // macOS: the handle sends the notice when dropped, here, and swallows errors.
    notification.show().map(drop).map_err(|e| NotifyError::Failed { detail: e.to_string() })
}
