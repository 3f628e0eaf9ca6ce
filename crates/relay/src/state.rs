//! What the relay remembers of each agent: the live calls (the events that told them) and the
//! last pause, for a desk's sync. Bounded: an agent has at most [`MAX_CALLS`] live calls (a
//! provider that never says a call ended cannot grow it without end).

use std::collections::{BTreeMap, HashMap};

use ringside_core::{CallEvent, CallId};

const MAX_CALLS: usize = 32;

#[derive(Default)]
pub(crate) struct Live {
    agents: HashMap<(String, String), Agent>,
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
