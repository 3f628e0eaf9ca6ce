//! What can go wrong when showing a notice, in words for the user.

use std::time::Duration;

/// Why a notice was not shown. The messages are meant for a log line or a status message; none of
/// them contains the notice's text.
#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotifyError {
    /// The session bus is there but nobody owns `org.freedesktop.Notifications` and no service
    /// file can start one (or starting it failed). Desktops run one; a bare window manager may not:
    /// install e.g. dunst or mako.
    #[error("no notification service is running on this desktop: {detail}")]
    NoService { detail: String },

    /// The D-Bus session bus cannot be reached: `DBUS_SESSION_BUS_ADDRESS` is unset or names a bus
    /// that is gone (typical over SSH, in a container, or after the desktop session ended).
    #[error("no notification can be shown because the desktop's D-Bus session bus cannot be reached: {detail}")]
    NoSessionBus { detail: String },

    /// The notification service (or the bus) did not answer in time; it is hung or overloaded.
    /// The notice may still appear later.
    #[error("the notification service did not answer within {} seconds", .after.as_secs())]
    Timeout { after: Duration },

    /// The service answered with an error, or the platform backend failed.
    #[error("the desktop did not show the notification: {detail}")]
    Failed { detail: String },
}

impl NotifyError {
    /// Classifies an error of the Linux/BSD backend (notify-rust over zbus) by its message, the
    /// only thing notify-rust exposes: D-Bus error names, and zbus's words for a failed connection.
    #[cfg_attr(not(all(unix, not(target_os = "macos"))), allow(dead_code))]
    pub(crate) fn from_dbus_message(message: String) -> Self {
        const NO_SERVICE: [&str; 3] = [
            "org.freedesktop.DBus.Error.ServiceUnknown",
            "org.freedesktop.DBus.Error.NameHasNoOwner",
            "org.freedesktop.DBus.Error.Spawn.",
        ];
        // zbus's Display for Error::{Address, InputOutput, Handshake, Connection}.
        const NO_BUS: [&str; 4] =
            ["address error", "I/O error", "D-Bus handshake failed", "Failed to connect to address"];
        if NO_SERVICE.iter().any(|name| message.contains(name)) {
            NotifyError::NoService { detail: message }
        } else if NO_BUS.iter().any(|prefix| message.starts_with(prefix)) {
            NotifyError::NoSessionBus { detail: message }
        } else {
            NotifyError::Failed { detail: message }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbus_errors_are_told_apart() {
        let e = NotifyError::from_dbus_message(
            "org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.Notifications was not provided by any \
             .service files"
                .into(),
        );
        assert!(matches!(e, NotifyError::NoService { .. }));
        assert!(e.to_string().starts_with("no notification service is running on this desktop: org.freedesktop"));

        let e = NotifyError::from_dbus_message("I/O error: Connection refused (os error 111)".into());
        assert!(matches!(e, NotifyError::NoSessionBus { .. }), "{e:?}");
        let e = NotifyError::from_dbus_message("Failed to connect to address `unix:path=/x`: No such file".into());
        assert!(matches!(e, NotifyError::NoSessionBus { .. }), "{e:?}");

        let e = NotifyError::from_dbus_message("org.freedesktop.DBus.Error.InvalidArgs: bad hint".into());
        assert!(matches!(e, NotifyError::Failed { .. }), "{e:?}");
    }

    #[test]
    fn timeout_says_how_long() {
        let e = NotifyError::Timeout { after: Duration::from_secs(10) };
        assert_eq!(e.to_string(), "the notification service did not answer within 10 seconds");
    }
}
