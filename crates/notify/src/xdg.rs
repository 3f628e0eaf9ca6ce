//! Linux/BSD: `org.freedesktop.Notifications` on the D-Bus session bus, through notify-rust (zbus):
//! `Notify` with `replaces_id` for tags, `GetCapabilities` for buttons (`actions`), and
//! `CloseNotification` (freedesktop.org's Desktop Notifications Specification,
//! <https://specifications.freedesktop.org/notification/latest>). The body is markup there, so it
//! is escaped ([`crate::BODY_IS_MARKUP`]). Tested here (Debian 12): tests/dbus.rs against dunst on a
//! private session bus (`--ignored`; `./dev.sh test` runs it), tests/no_bus.rs without a bus.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_lite::future;
use notify_rust::{Notification, NotificationHandle, NotificationResponse};

use crate::{NotifyError, Shown, Urgency, APP_NAME, BUTTON_ACTION, TIMEOUT};

/// The id the notification server gave the last notice of each tag, sent as `replaces_id` with the
/// next notice of that tag. Process-wide; the lock is held across the D-Bus call of a tagged notice,
/// so two notices of one tag cannot both miss the id and stack (the wait is bounded by [`TIMEOUT`]).
static TAG_IDS: LazyLock<Mutex<HashMap<String, u32>>> = LazyLock::new(Mutex::default);

/// Tags are a small fixed set; if callers ever used per-call tags, forget them all rather than grow.
const MAX_TAGS: usize = 64;

/// The listener for the button of the notice last shown with each tag: told to stop when a newer
/// notice of the tag replaces it (the server keeps the id, so the old listener would hear the new
/// notice's button) or the tag is closed.
static LISTENERS: LazyLock<Mutex<HashMap<String, Arc<AtomicBool>>>> = LazyLock::new(Mutex::default);

/// How often a button's listener looks whether it was told to stop or its time is up.
const LISTENER_POLL: Duration = Duration::from_millis(200);

fn notification(summary: &str, body: &str, urgency: Urgency) -> Notification {
    let mut notification = Notification::new();
    notification.appname(APP_NAME).summary(summary).body(body).urgency(match urgency {
        Urgency::Low => notify_rust::Urgency::Low,
        Urgency::Normal => notify_rust::Urgency::Normal,
        Urgency::Critical => notify_rust::Urgency::Critical,
    });
    notification
}

pub(crate) fn show(summary: &str, body: &str, urgency: Urgency, tag: Option<&str>) -> Result<(), NotifyError> {
    let notification = notification(summary, body, urgency);
    show_tagged(notification, tag, None).map(drop)
}

/// Sends `notification`, replacing the notice last shown with `tag` (whose button listener is
/// stopped, and `listener` registered instead, under the same lock); the handle keeps its D-Bus
/// connection, on which the server reports the buttons pressed.
fn show_tagged(
    mut notification: Notification,
    tag: Option<&str>,
    listener: Option<&Arc<AtomicBool>>,
) -> Result<NotificationHandle, NotifyError> {
    let Some(tag) = tag else {
        return send(&notification);
    };
    let mut ids = TAG_IDS.lock().unwrap_or_else(PoisonError::into_inner);
    stop_listener(tag);
    if let Some(&id) = ids.get(tag) {
        notification.id(id);
    }
    let handle = send(&notification)?;
    if ids.len() >= MAX_TAGS && !ids.contains_key(tag) {
        ids.clear();
    }
    ids.insert(tag.to_owned(), handle.id());
    if let Some(listener) = listener {
        LISTENERS.lock().unwrap_or_else(PoisonError::into_inner).insert(tag.to_owned(), Arc::clone(listener));
    }
    tracing::trace!(tag, id = handle.id(), "notification id for tag");
    Ok(handle)
}

fn stop_listener(tag: &str) {
    let mut listeners = LISTENERS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(stop) = listeners.remove(tag) {
        stop.store(true, Ordering::SeqCst);
    }
}

pub(crate) fn show_with_button(
    summary: &str,
    body: &str,
    urgency: Urgency,
    tag: Option<&str>,
    label: &str,
    wait: Duration,
    on_press: Box<dyn FnOnce() + Send>,
) -> Result<Shown, NotifyError> {
    let buttons = supports_actions()?;
    let mut notification = notification(summary, body, urgency);
    if buttons {
        // "default" is a click on the notice itself (no button is drawn for it).
        notification.action("default", label).action(BUTTON_ACTION, label);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let handle = show_tagged(notification, tag, buttons.then_some(&stop))?;
    if !buttons {
        return Ok(Shown::WithoutButton);
    }
    let id = handle.id();
    let tag = tag.map(str::to_owned);
    let spawned = std::thread::Builder::new().name("notify-button".into()).spawn(move || {
        let pressed = std::panic::catch_unwind(AssertUnwindSafe(|| listen(&handle, wait, &stop)));
        if let Some(tag) = &tag {
            let mut listeners = LISTENERS.lock().unwrap_or_else(PoisonError::into_inner);
            if listeners.get(tag).is_some_and(|l| Arc::ptr_eq(l, &stop)) {
                listeners.remove(tag);
            }
        }
        match pressed {
            Ok(true) => {
                tracing::debug!(id, "notification button pressed");
                on_press();
            }
            Ok(false) => tracing::trace!(id, "notification closed, replaced or not pressed in time"),
            Err(_) => tracing::warn!(id, "listening for the notification's button failed"),
        }
    });
    match spawned {
        Ok(_) => Ok(Shown::WithButton),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for the notification's button");
            Ok(Shown::WithoutButton)
        }
    }
}

/// Waits until the agent presses the button or clicks the notice (true), or it closes, is
/// replaced or closed by tag (`stop`), or `wait` passes (false).
fn listen(handle: &NotificationHandle, wait: Duration, stop: &AtomicBool) -> bool {
    let started = Instant::now();
    let response = async {
        let mut pressed = false;
        handle
            .wait_for_action_async(|response| {
                pressed = match response {
                    NotificationResponse::Default => true,
                    NotificationResponse::Action(key) => key == BUTTON_ACTION,
                    _ => false,
                };
            })
            .await;
        pressed
    };
    let give_up = async {
        loop {
            async_io::Timer::after(LISTENER_POLL).await;
            if stop.load(Ordering::SeqCst) || started.elapsed() >= wait {
                return false;
            }
        }
    };
    async_io::block_on(future::or(response, give_up)) && !stop.load(Ordering::SeqCst)
}

const SERVICE: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

pub(crate) fn supports_actions() -> Result<bool, NotifyError> {
    let capabilities: Vec<String> = bounded(async {
        let connection = zbus::Connection::session().await?;
        let reply = connection.call_method(Some(SERVICE), PATH, Some(SERVICE), "GetCapabilities", &()).await?;
        reply.body().deserialize::<Vec<String>>()
    })?;
    Ok(capabilities.iter().any(|c| c == "actions"))
}

pub(crate) fn close(tag: &str) -> Result<bool, NotifyError> {
    let mut ids = TAG_IDS.lock().unwrap_or_else(PoisonError::into_inner);
    stop_listener(tag);
    let Some(id) = ids.remove(tag) else { return Ok(false) };
    let closed = bounded(async {
        let connection = zbus::Connection::session().await?;
        connection.call_method(Some(SERVICE), PATH, Some(SERVICE), "CloseNotification", &(id,)).await.map(drop)
    });
    match closed {
        Ok(()) => Ok(true),
        // The server no longer has it (dismissed, expired): nothing to take off the screen.
        Err(NotifyError::Failed { detail }) => {
            tracing::debug!(tag, id, %detail, "the notice was already gone");
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// A call to the notification server (on a connection of its own), bounded by [`TIMEOUT`]:
/// zbus has no call timeout of its own.
fn bounded<T>(call: impl std::future::Future<Output = zbus::Result<T>>) -> Result<T, NotifyError> {
    let deadline = async {
        async_io::Timer::after(TIMEOUT).await;
        None
    };
    match async_io::block_on(future::or(async { Some(call.await) }, deadline)) {
        Some(Ok(value)) => Ok(value),
        Some(Err(e)) => Err(NotifyError::from_dbus_message(e.to_string())),
        None => Err(NotifyError::Timeout { after: TIMEOUT }),
    }
}

/// Sends one `Notify` call and returns the handle with the id the server assigned, or gives up
/// after [`TIMEOUT`].
///
/// notify-rust's blocking `show()` is `block_on(show_async())` on a fresh session connection with no
/// timeout; here the same future is raced against a timer on async-io's `block_on` (which is what
/// zbus's own `block_on` is), and dropped when the timer wins, which abandons the call and closes the
/// connection.
fn send(notification: &Notification) -> Result<NotificationHandle, NotifyError> {
    let call = async { Some(notification.show_async().await) };
    let deadline = async {
        async_io::Timer::after(TIMEOUT).await;
        None
    };
    match async_io::block_on(future::or(call, deadline)) {
        Some(Ok(handle)) => Ok(handle),
        Some(Err(e)) => Err(NotifyError::from_dbus_message(e.to_string())),
        None => Err(NotifyError::Timeout { after: TIMEOUT }),
    }
}
