//! What the relay remembers of each agent: the live calls (the events that told them) and the
//! last pause, for a desk's sync. Bounded: an agent has at most [`MAX_CALLS`] live calls (a
//! provider that never says a call ended cannot grow it without end).

use std::collections::{BTreeMap, HashMap};

use ringside_core::relay;
use ringside_core::{CallEvent, CallId, MemberUpdate};

const MAX_CALLS: usize = 32;

#[derive(Default)]
pub(crate) struct Live {
    agents: HashMap<(String, String), Agent>,
    /// Per tenant and queue, each member's last `TeamMember` event (by interface).
    teams: HashMap<(String, String), BTreeMap<String, CallEvent>>,
}

#[derive(Default)]
struct Agent {
    /// In the order the calls began; each call's events in the order they came.
    calls: BTreeMap<u64, (CallId, Vec<CallEvent>)>,
    next: u64,
    paused: Option<CallEvent>,
}

impl Live {
    pub(crate) fn record(&mut self, tenant: &str, extension: &str, event: &CallEvent) {
        if let CallEvent::TeamMember { update, .. } = event {
            let key = (tenant.to_string(), update.queue().to_string());
            match update {
                MemberUpdate::Set { interface, .. } => {
                    self.teams.entry(key).or_default().insert(interface.clone(), event.clone());
                }
                MemberUpdate::Removed { interface, .. } => {
                    if let Some(queue) = self.teams.get_mut(&key) {
                        queue.remove(interface);
                        if queue.is_empty() {
                            self.teams.remove(&key);
                        }
                    }
                }
            }
            return;
        }
        let agent = self.agents.entry((tenant.to_string(), extension.to_string())).or_default();
        match event {
            CallEvent::AgentPaused { .. } => agent.paused = Some(event.clone()),
            CallEvent::Ended { call, .. } => agent.calls.retain(|_, (id, _)| id != call),
            CallEvent::IncomingRinging { call, .. } | CallEvent::OutgoingDialing { call, .. } => {
                if !agent.calls.values().any(|(id, _)| id == call) {
                    agent.calls.insert(agent.next, (call.clone(), vec![event.clone()]));
                    agent.next += 1;
                    while agent.calls.len() > MAX_CALLS {
                        agent.calls.pop_first();
                    }
                }
            }
            other => {
                if let Some(call) = other.call() {
                    if let Some((_, events)) = agent.calls.values_mut().find(|(id, _)| id == call) {
                        events.push(other.clone());
                    }
                }
            }
        }
    }

    /// The members of `queue` (or of every queue of the tenant) as they are now, as the
    /// `TeamMember` events that told them.
    pub(crate) fn team(&self, tenant: &str, queue: Option<&str>) -> Vec<CallEvent> {
        let mut keys: Vec<&(String, String)> = self
            .teams
            .keys()
            .filter(|(t, q)| t == tenant && queue.is_none_or(|want| relay::subject_token(q) == want))
            .collect();
        keys.sort();
        keys.into_iter().filter_map(|k| self.teams.get(k)).flat_map(|members| members.values().cloned()).collect()
    }

    /// What a desk that connects now should be told.
    pub(crate) fn events(&self, tenant: &str, extension: &str) -> Vec<CallEvent> {
        let Some(agent) = self.agents.get(&(tenant.to_string(), extension.to_string())) else { return Vec::new() };
        agent
            .paused
            .iter()
            .cloned()
            .chain(agent.calls.values().flat_map(|(_, events)| events.iter().cloned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringside_core::{EndCause, RemoteParty, Timestamp};

    fn ring(id: &str) -> CallEvent {
        CallEvent::IncomingRinging {
            call: CallId::new(id),
            from: RemoteParty { number: "+380441234567".into(), name: None },
            queue: None,
            at: Timestamp(1),
        }
    }

    #[test]
    fn a_desk_is_told_the_live_calls_of_its_agent_only_and_ended_ones_are_forgotten() {
        let mut live = Live::default();
        live.record("acme", "100", &ring("a"));
        live.record("acme", "100", &CallEvent::Answered { call: CallId::new("a"), at: Timestamp(2) });
        live.record("acme", "100", &ring("b"));
        live.record("acme", "101", &ring("c"));
        live.record(
            "acme",
            "100",
            &CallEvent::Ended { call: CallId::new("b"), cause: EndCause::Abandoned, at: Timestamp(3) },
        );
        let told: Vec<_> = live.events("acme", "100").iter().map(|e| e.call().cloned()).collect();
        assert_eq!(told, [Some(CallId::new("a")), Some(CallId::new("a"))]);
        assert!(live.events("other", "100").is_empty());
    }

    fn member(interface: &str, queue: &str, paused: bool) -> CallEvent {
        CallEvent::TeamMember {
            update: MemberUpdate::Set {
                interface: interface.into(),
                name: String::new(),
                queue: queue.into(),
                membership: ringside_core::team::Membership {
                    paused,
                    reason: None,
                    paused_since: None,
                    in_call: false,
                    device: ringside_core::team::DeviceState::NotInUse,
                    calls_taken: 0,
                },
            },
            at: Timestamp(1),
        }
    }

    #[test]
    fn a_supervisor_is_told_each_members_last_state_per_queue_and_removed_members_are_forgotten() {
        let mut live = Live::default();
        live.record("acme", "", &member("PJSIP/100", "support", false));
        live.record("acme", "", &member("PJSIP/100", "support", true));
        live.record("acme", "", &member("PJSIP/101", "support", false));
        live.record("acme", "", &member("PJSIP/101", "sales.eu", false));
        live.record("other", "", &member("PJSIP/102", "support", false));
        live.record(
            "acme",
            "",
            &CallEvent::TeamMember {
                update: MemberUpdate::Removed { interface: "PJSIP/101".into(), queue: "support".into() },
                at: Timestamp(2),
            },
        );
        assert_eq!(live.team("acme", Some("support")), [member("PJSIP/100", "support", true)]);
        // The queue as its subject token names it.
        assert_eq!(live.team("acme", Some("sales_eu")), [member("PJSIP/101", "sales.eu", false)]);
        assert_eq!(live.team("acme", None).len(), 2);
        // Team state is not an agent's call.
        assert!(live.events("acme", "").is_empty());
    }

    #[test]
    fn calls_never_ended_are_bounded() {
        let mut live = Live::default();
        for i in 0..100 {
            live.record("acme", "100", &ring(&format!("c{i}")));
        }
        let told = live.events("acme", "100");
        assert_eq!(told.len(), MAX_CALLS);
        assert_eq!(told.last().and_then(|e| e.call().cloned()), Some(CallId::new("c99")));
    }
}
