//! The words the shell shows outside the window: desktop notifications. English for now; the
//! window words the same typed notices itself (`ui/src/lib/words.ts`, `noticeWords`).

use ringside_core::{Notice, Timestamp};

/// The incoming-call notification's button: brings the call's card back.
pub const SHOW: &str = "Show";

/// A notice as a summary line and a body.
pub fn notice(notice: &Notice, now: Timestamp) -> (String, String) {
    match notice {
        Notice::AutoPaused { missed, reason } => (
            "Ringside stopped accepting calls for you".to_string(),
            format!(
                "{missed} queue calls in a row rang out unanswered, so you are paused in every queue \
                 (reason: \"{reason}\"). Switch \"accepting calls\" back on when you are at your desk."
            ),
        ),
        Notice::MissedCall { number, name, waiting } => {
            let who = name
                .as_deref()
                .filter(|n| !n.trim().is_empty())
                .or(Some(number.as_str()).filter(|n| !n.trim().is_empty()))
                .unwrap_or("a withheld number");
            let body = match waiting {
                0 | 1 => "The caller is on your call-back list.".to_string(),
                n => format!("{n} callers are on your call-back list."),
            };
            (format!("Missed call from {who}"), body)
        }
        Notice::WrapUpResumed { ends_at } => (
            "Your wrap-up goes on".to_string(),
            format!(
                "Ringside restarted during your wrap-up. It ends by itself in {} s; finish it sooner in the window.",
                ends_at.secs_since(now)
            ),
        ),
        Notice::IncomingCall { number, name, .. } => {
            let number = Some(number.as_str()).filter(|n| !n.trim().is_empty());
            let name = name.as_deref().filter(|n| !n.trim().is_empty());
            let who = name.or(number).unwrap_or("a withheld number");
            let body = match (name, number) {
                (Some(_), Some(number)) => number.to_string(),
                _ => String::new(),
            };
            (format!("Incoming call from {who}"), body)
        }
        Notice::WrapUpPauseCleared => (
            "You accept calls again".to_string(),
            "Your queues were still paused for a wrap-up that is over (Ringside had quit or lost the PBX), \
             so Ringside switched accepting calls back on."
                .to_string(),
        ),
    }
}
