//! Queue-member events (QueueStatus items, QueueMember*, QueueMemberPause) → [`MemberUpdate`]s
//! for the supervisor view. Pure mapping, no state.

use ringside_core::team::{DeviceState, Membership};
use ringside_core::{MemberUpdate, Timestamp};

use crate::codec::Message;

/// When the member was last paused, by the PBX's clock (`LastPause`, Unix seconds; 0 = never).
pub fn last_pause(msg: &Message) -> Option<Timestamp> {
    msg.get("LastPause")
        .and_then(|s| s.trim().parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map(|s| Timestamp(s.saturating_mul(1000)))
}

/// The update a queue-member message carries, if it is one.
pub fn member_update(msg: &Message) -> Option<MemberUpdate> {
    let event = msg.event()?;
    let queue = msg.get("Queue")?.to_owned();
    // QueueStatus items name the interface `Location`; the live events name it `Interface`.
    let interface = msg.get("Interface").or(msg.get("Location")).filter(|i| !i.is_empty())?.to_owned();
    match event {
        "QueueMemberRemoved" => Some(MemberUpdate::Removed { interface, queue }),
        "QueueMember" | "QueueMemberAdded" | "QueueMemberStatus" | "QueueMemberPause" | "QueueMemberPaused" => {
            let paused = msg.get("Paused") == Some("1");
            let since = last_pause(msg);
            let name = msg.get("MemberName").or(msg.get("Name")).unwrap_or("").to_owned();
            Some(MemberUpdate::Set {
                interface,
                name,
                queue,
                membership: Membership {
                    paused,
                    reason: msg.get("PausedReason").filter(|r| paused && !r.is_empty()).map(str::to_owned),
                    paused_since: since.filter(|_| paused),
                    in_call: msg.get("InCall") == Some("1"),
                    device: DeviceState::from_asterisk(msg.get("Status").unwrap_or("")),
                    calls_taken: msg.get("CallsTaken").and_then(|c| c.trim().parse().ok()).unwrap_or(0),
                },
            })
        }
        _ => None,
    }
}
