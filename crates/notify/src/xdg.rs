//! Linux/BSD: `org.freedesktop.Notifications` on the D-Bus session bus, through notify-rust (zbus).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

use futures_lite::future;
use notify_rust::Notification;

use crate::{NotifyError, Urgency, APP_NAME, TIMEOUT};

/// The id the notification server gave the last notice of each tag, sent as `replaces_id` with the
/// next notice of that tag. Process-wide; the lock is held across the D-Bus call of a tagged notice,
/// so two notices of one tag cannot both miss the id and stack (the wait is bounded by [`TIMEOUT`]).
static TAG_IDS: LazyLock<Mutex<HashMap<String, u32>>> = LazyLock::new(Mutex::default);

/// Tags are a small fixed set; if callers ever used per-call tags, forget them all rather than grow.
const MAX_TAGS: usize = 64;

pub(crate) fn show(summary: &str, body: &str, urgency: Urgency, tag: Option<&str>) -> Result<(), NotifyError> {
    let mut notification = Notification::new();
    notification.appname(APP_NAME).summary(summary).body(body).urgency(match urgency {
        Urgency::Low => notify_rust::Urgency::Low,
        Urgency::Normal => notify_rust::Urgency::Normal,
        Urgency::Critical => notify_rust::Urgency::Critical,
    });
    let Some(tag) = tag else {
        return send(&notification).map(drop);
    };
    let mut ids = TAG_IDS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(&id) = ids.get(tag) {
        notification.id(id);
    }
    let id = send(&notification)?;
    if ids.len() >= MAX_TAGS && !ids.contains_key(tag) {
        ids.clear();
    }
    ids.insert(tag.to_owned(), id);
    tracing::trace!(tag, id, "notification id for tag");
    Ok(())
}

/// Sends one `Notify` call and returns the id the server assigned, or gives up after [`TIMEOUT`].
///
/// notify-rust's blocking `show()` is `block_on(show_async())` on a fresh session connection with no
/// timeout; here the same future is raced against a timer on async-io's `block_on` (which is what
/// zbus's own `block_on` is), and dropped when the timer wins, which abandons the call and closes the
/// connection.
fn send(notification: &Notification) -> Result<u32, NotifyError> {
    let call = async { Some(notification.show_async().await) };
    let deadline = async {
        async_io::Timer::after(TIMEOUT).await;
        None
    };
    match async_io::block_on(future::or(call, deadline)) {
        Some(Ok(handle)) => Ok(handle.id()),
        Some(Err(e)) => Err(NotifyError::from_dbus_message(e.to_string())),
        None => Err(NotifyError::Timeout { after: TIMEOUT }),
    }
}
