//! The supervisor's view: every member of the supervised queues and what they are doing.
//!
//! Built from what the PBX reports per (member, queue) — paused with a reason and since when,
//! in a call, device ringing — and summed up per member the way a supervisor reads it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// The PBX's device state for a member (Asterisk `Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DeviceState {
    Unknown,
    NotInUse,
    InUse,
    Busy,
    Invalid,
    Unavailable,
    Ringing,
    RingInUse,
    OnHold,
}

impl DeviceState {
    /// Asterisk's numeric `Status` of QueueMember events.
    pub fn from_asterisk(code: &str) -> Self {
        match code.trim() {
            "1" => DeviceState::NotInUse,
            "2" => DeviceState::InUse,
            "3" => DeviceState::Busy,
            "4" => DeviceState::Invalid,
            "5" => DeviceState::Unavailable,
            "6" => DeviceState::Ringing,
            "7" => DeviceState::RingInUse,
            "8" => DeviceState::OnHold,
            _ => DeviceState::Unknown,
        }
    }
}

/// One member in one queue, as the PBX last reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Membership {
    pub paused: bool,
    pub reason: Option<String>,
    pub paused_since: Option<Timestamp>,
    pub in_call: bool,
    pub device: DeviceState,
    pub calls_taken: u32,
}

/// What a supervisor sees at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "state")]
#[ts(export)]
pub enum MemberState {
    Available,
    Ringing,
    InCall,
    /// Paused in every queue they belong to.
    Paused {
        reason: Option<String>,
        since: Option<Timestamp>,
    },
    /// The phone is not registered or does not exist.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TeamMember {
    /// The queue-member interface, e.g. `PJSIP/100`; the key for pausing them.
    pub interface: String,
    pub name: String,
    pub queues: BTreeMap<String, Membership>,
    /// [`TeamMember::state`] as of the last change, for readers that cannot compute it (the
    /// windows).
    pub summary: MemberState,
}

impl TeamMember {
    pub fn state(&self) -> MemberState {
        let any = |f: fn(&Membership) -> bool| self.queues.values().any(f);
        if any(|m| matches!(m.device, DeviceState::Ringing | DeviceState::RingInUse)) {
            return MemberState::Ringing;
        }
        if any(|m| m.in_call || matches!(m.device, DeviceState::InUse | DeviceState::Busy | DeviceState::OnHold)) {
            return MemberState::InCall;
        }
        if !self.queues.is_empty() && self.queues.values().all(|m| m.paused) {
            let first = self.queues.values().filter(|m| m.paused).min_by_key(|m| m.paused_since);
            return MemberState::Paused {
                reason: first.and_then(|m| m.reason.clone()),
                since: first.and_then(|m| m.paused_since),
            };
        }
        if !self.queues.is_empty()
            && self.queues.values().all(|m| matches!(m.device, DeviceState::Unavailable | DeviceState::Invalid))
        {
            return MemberState::Unavailable;
        }
        MemberState::Available
    }
}

/// A change the PBX reported about a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MemberUpdate {
    /// Full state of the member in one queue (QueueStatus, QueueMemberAdded, …Status, …Pause).
    Set {
        interface: String,
        name: String,
        queue: String,
        membership: Membership,
    },
    Removed {
        interface: String,
        queue: String,
    },
}

impl MemberUpdate {
    /// The queue the change is in.
    pub fn queue(&self) -> &str {
        match self {
            MemberUpdate::Set { queue, .. } | MemberUpdate::Removed { queue, .. } => queue,
        }
    }

    /// The member's interface.
    pub fn interface(&self) -> &str {
        match self {
            MemberUpdate::Set { interface, .. } | MemberUpdate::Removed { interface, .. } => interface,
        }
    }
}

/// The members of the supervised queues.
#[derive(Debug, Default, Clone)]
pub struct Team {
    /// Queues to show; empty shows every queue.
    supervised: Vec<String>,
    members: BTreeMap<String, TeamMember>,
}

impl Team {
    pub fn new(supervised: Vec<String>) -> Self {
        Self { supervised, members: BTreeMap::new() }
    }

    pub fn supervises(&self, queue: &str) -> bool {
        self.supervised.is_empty() || self.supervised.iter().any(|q| q == queue)
    }

    /// Applies an update; returns the member as it now is (or `None` once they left every queue).
    /// Updates for unsupervised queues are ignored (`None`).
    pub fn apply(&mut self, update: MemberUpdate) -> Option<Option<TeamMember>> {
        match update {
            MemberUpdate::Set { interface, name, queue, membership } => {
                if !self.supervises(&queue) {
                    return None;
                }
                let member = self.members.entry(interface.clone()).or_insert_with(|| TeamMember {
                    interface,
                    name: String::new(),
                    queues: BTreeMap::new(),
                    summary: MemberState::Unavailable,
                });
                if !name.is_empty() {
                    member.name = name;
                }
                if member.queues.get(&queue) == Some(&membership) {
                    return None;
                }
                member.queues.insert(queue, membership);
                member.summary = member.state();
                Some(Some(member.clone()))
            }
            MemberUpdate::Removed { interface, queue } => {
                let member = self.members.get_mut(&interface)?;
                member.queues.remove(&queue)?;
                if member.queues.is_empty() {
                    self.members.remove(&interface);
                    Some(None)
                } else {
                    member.summary = member.state();
                    Some(Some(member.clone()))
                }
            }
        }
    }

    pub fn members(&self) -> impl Iterator<Item = &TeamMember> {
        self.members.values()
    }

    pub fn member(&self, interface: &str) -> Option<&TeamMember> {
        self.members.get(interface)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(paused: bool, device: DeviceState) -> Membership {
        Membership {
            paused,
            reason: paused.then(|| "Lunch".to_string()),
            paused_since: paused.then_some(Timestamp(5_000)),
            in_call: false,
            device,
            calls_taken: 0,
        }
    }

    fn set(iface: &str, queue: &str, ms: Membership) -> MemberUpdate {
        MemberUpdate::Set {
            interface: iface.into(),
            name: format!("Agent {iface}"),
            queue: queue.into(),
            membership: ms,
        }
    }

    #[test]
    fn paused_only_when_paused_everywhere() {
        let mut team = Team::new(vec![]);
        team.apply(set("PJSIP/100", "support", m(true, DeviceState::NotInUse)));
        assert_eq!(
            team.member("PJSIP/100").map(TeamMember::state),
            Some(MemberState::Paused { reason: Some("Lunch".into()), since: Some(Timestamp(5_000)) })
        );
        team.apply(set("PJSIP/100", "sales", m(false, DeviceState::NotInUse)));
        assert_eq!(team.member("PJSIP/100").map(TeamMember::state), Some(MemberState::Available));
        assert_eq!(team.member("PJSIP/100").map(|m| m.summary.clone()), Some(MemberState::Available));
    }

    #[test]
    fn ringing_and_in_call_win_over_pause() {
        let mut team = Team::new(vec![]);
        team.apply(set("PJSIP/100", "support", m(true, DeviceState::Ringing)));
        assert_eq!(team.member("PJSIP/100").map(TeamMember::state), Some(MemberState::Ringing));
        team.apply(set("PJSIP/100", "support", m(true, DeviceState::InUse)));
        assert_eq!(team.member("PJSIP/100").map(TeamMember::state), Some(MemberState::InCall));
    }

    #[test]
    fn unsupervised_queues_and_repeats_change_nothing() {
        let mut team = Team::new(vec!["support".into()]);
        assert_eq!(team.apply(set("PJSIP/100", "sales", m(false, DeviceState::NotInUse))), None);
        assert!(team.apply(set("PJSIP/100", "support", m(false, DeviceState::NotInUse))).is_some());
        assert_eq!(team.apply(set("PJSIP/100", "support", m(false, DeviceState::NotInUse))), None);
        assert_eq!(
            team.apply(MemberUpdate::Removed { interface: "PJSIP/100".into(), queue: "support".into() }),
            Some(None)
        );
        assert_eq!(team.members().count(), 0);
    }
}
