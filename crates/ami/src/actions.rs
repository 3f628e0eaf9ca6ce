//! The actions Ringside sends, typed: every place that pauses a member or hangs up builds the
//! same frame, so a fix to one (a field Asterisk wants, a value it refuses) fixes all.

use crate::codec::Action;

/// `QueuePause` of one member: in one queue, or (without `queue`) in every queue it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuePause<'a> {
    pub interface: &'a str,
    pub queue: Option<&'a str>,
    pub paused: bool,
    /// Shown to supervisors and in queue logs; sent only with a pause, never empty.
    pub reason: Option<&'a str>,
}

impl From<QueuePause<'_>> for Action {
    fn from(p: QueuePause<'_>) -> Action {
        let mut action =
            Action::new("QueuePause").field("Interface", p.interface).field("Paused", p.paused.to_string());
        if let Some(q) = p.queue {
            action = action.field("Queue", q);
        }
        if let Some(r) = p.reason.filter(|r| p.paused && !r.is_empty()) {
            action = action.field("Reason", r);
        }
        action
    }
}

/// `Hangup` of one channel with cause 16 (normal clearing), as a person hanging up.
pub fn hangup(channel: &str) -> Action {
    Action::new("Hangup").field("Channel", channel).field("Cause", "16")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(action: Action) -> String {
        action.encode("1").expect("encodes")
    }

    #[test]
    fn a_pause_carries_its_reason_and_an_unpause_never_does() {
        let pause = QueuePause { interface: "PJSIP/100", queue: Some("support"), paused: true, reason: Some("Lunch") };
        let text = wire(pause.into());
        assert!(text.contains("Action: QueuePause\r\n"), "{text}");
        assert!(text.contains("Interface: PJSIP/100\r\n") && text.contains("Queue: support\r\n"), "{text}");
        assert!(text.contains("Paused: true\r\n") && text.contains("Reason: Lunch\r\n"), "{text}");
        let unpause = QueuePause { interface: "PJSIP/100", queue: None, paused: false, reason: Some("Lunch") };
        let text = wire(unpause.into());
        assert!(
            text.contains("Paused: false\r\n") && !text.contains("Reason") && !text.contains("\r\nQueue:"),
            "{text}"
        );
        let empty = QueuePause { interface: "PJSIP/100", queue: None, paused: true, reason: Some("") };
        assert!(!wire(empty.into()).contains("Reason"));
    }
}
