//! One AMI stream, many agents: each event goes only to the [`CallTracker`]s it can concern,
//! with, per agent and in order, exactly the `CallEvent`s that tracker would have made of every
//! event (issue #14: a relay following a whole PBX for 1,000 agents cannot feed each event to
//! 1,000 trackers).
//!
//! An event reaches a tracker when it names, in any field:
//! - one of the agent's devices or interfaces: a `…Channel` field whose device
//!   ([`device_of`]) or an `Interface`/`Location`/`StateInterface` field that is one of the
//!   agent's interfaces, or `PJSIP|SIP|IAX2/<extension>` (the rule of
//!   [`AgentIdentity::owns_channel`]; the index is case-insensitive, so it may hand a tracker
//!   an event it then ignores, never the reverse);
//! - the agent's extension as `CallerIDNum` (the agent's phone dialing out from a channel that
//!   is not one of its devices);
//! - a call (any `…Linkedid` field) or a channel (any `…Channel` field) the tracker follows,
//!   learned after the tracker was handed an event naming it ([`CallTracker::follows_call`],
//!   [`CallTracker::has_leg`]).
//!
//! Queue-member events go only to the member's own tracker (its pause). The team state they
//! carry (a desk tracker's `CallEvent::TeamMember`) is the same for every agent, so the fan-out
//! leaves it out: the caller takes it once per event with [`crate::team::member_update`] (the
//! relay publishes it once per queue, not once per agent). An event of a kind the tracker acts on that names no channel, call or interface goes to all
//! too. An event of a kind no tracker acts on ([`HANDLED_EVENTS`]) goes to none, unless a
//! recording link is set (then any event naming a followed call may name its recording).
//!
//! Memory stays bounded by what the trackers follow: after a tracker is handed an event, the
//! index entries for the calls and channels that event names are kept only while the tracker
//! still follows them (so a call's entry goes with its last `Hangup`, or with the
//! `AgentConnect` that names who answered elsewhere); entries that went stale with no event
//! (a tracker's bounded memory of calls answered elsewhere moved on) are swept whenever the
//! index has doubled since the last sweep.

use std::collections::HashMap;

use ringside_core::{CallEvent, CallId, Timestamp};

use crate::codec::Message;
use crate::recording::RecordingLink;
use crate::tracker::{device_of, AgentIdentity, CallTracker, HANDLED_EVENTS, TEAM_EVENTS};

/// Agents' indexes into the fan-out.
type Agents = Vec<u32>;

/// Index entries below which no sweep runs.
const MIN_SWEEP: usize = 1024;

/// Many agents' trackers behind one event stream (see the module documentation).
#[derive(Debug)]
pub struct Fanout {
    trackers: Vec<CallTracker>,
    /// Lowercased device names and interfaces → the agents they belong to.
    devices: HashMap<String, Agents>,
    /// Extensions → agents.
    extensions: HashMap<String, Agents>,
    /// Linkedids → the agents whose trackers follow the call.
    calls: HashMap<String, Agents>,
    /// Channel names → the agents whose trackers follow a leg on it.
    channels: HashMap<String, Agents>,
    /// Sweep when `calls` and `channels` together grow past this.
    sweep_at: usize,
    records: bool,
    /// Reused between events: the trackers an event goes to, their output, a lowercased key.
    targets: Vec<u32>,
    scratch: Vec<CallEvent>,
    lower: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Channel,
    Call,
    Interface,
    CallerNum,
}

/// What an AMI field names, by its key (case-insensitive, as [`Message::get`] is).
fn key_of(field: &str) -> Option<Key> {
    let ends = |suffix: &str| {
        field.len() >= suffix.len()
            && field.get(field.len() - suffix.len()..).is_some_and(|s| s.eq_ignore_ascii_case(suffix))
    };
    if ends("Channel") {
        Some(Key::Channel)
    } else if ends("Linkedid") {
        Some(Key::Call)
    } else if ends("Interface") || field.eq_ignore_ascii_case("Location") {
        Some(Key::Interface)
    } else if field.eq_ignore_ascii_case("CallerIDNum") {
        Some(Key::CallerNum)
    } else {
        None
    }
}

fn add(map: &mut HashMap<String, Agents>, key: &str, agent: u32) {
    match map.get_mut(key) {
        Some(agents) => {
            if !agents.contains(&agent) {
                agents.push(agent);
            }
        }
        None => {
            map.insert(key.to_owned(), vec![agent]);
        }
    }
}

fn remove(map: &mut HashMap<String, Agents>, key: &str, agent: u32) {
    if let Some(agents) = map.get_mut(key) {
        agents.retain(|a| *a != agent);
        if agents.is_empty() {
            map.remove(key);
        }
    }
}

/// Appends the agents `map` holds for `key` lowercased (`buf` is reused, so no allocation).
fn lookup_lower(map: &HashMap<String, Agents>, buf: &mut String, key: &str, into: &mut Vec<u32>) {
    buf.clear();
    buf.extend(key.chars().map(|c| c.to_ascii_lowercase()));
    if let Some(agents) = map.get(buf.as_str()) {
        into.extend_from_slice(agents);
    }
}

fn lookup(map: &HashMap<String, Agents>, key: &str, into: &mut Vec<u32>) {
    if let Some(agents) = map.get(key) {
        into.extend_from_slice(agents);
    }
}

impl Fanout {
    /// One tracker per identity; agent `i` in every output is `identities[i]`.
    pub fn new(identities: impl IntoIterator<Item = AgentIdentity>) -> Self {
        let trackers: Vec<CallTracker> = identities.into_iter().map(CallTracker::new).collect();
        let mut devices = HashMap::new();
        let mut extensions = HashMap::new();
        for (i, t) in trackers.iter().enumerate() {
            let i = i as u32;
            let me = t.identity();
            for interface in &me.interfaces {
                add(&mut devices, &interface.to_ascii_lowercase(), i);
            }
            // A plain SIP device named after the extension is the agent's phone too.
            for tech in ["pjsip", "sip", "iax2"] {
                add(&mut devices, &format!("{tech}/{}", me.extension.to_ascii_lowercase()), i);
            }
            add(&mut extensions, &me.extension, i);
        }
        Self {
            trackers,
            devices,
            extensions,
            calls: HashMap::new(),
            channels: HashMap::new(),
            sweep_at: MIN_SWEEP,
            records: false,
            targets: Vec::new(),
            scratch: Vec::new(),
            lower: String::new(),
        }
    }

    /// Every tracker reports the recordings its calls' events name (see [`RecordingLink`]).
    pub fn with_recording(mut self, link: RecordingLink) -> Self {
        self.trackers = self.trackers.into_iter().map(|t| t.with_recording(link.clone())).collect();
        self.records = true;
        self
    }

    /// How many agents.
    pub fn len(&self) -> usize {
        self.trackers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.trackers.is_empty()
    }

    /// Agent `agent`'s tracker.
    pub fn tracker(&self, agent: usize) -> Option<&CallTracker> {
        self.trackers.get(agent)
    }

    /// The agent's own channels on a call, for hanging it up (none for an unknown agent).
    pub fn agent_channels(&self, agent: usize, call: &CallId) -> Vec<String> {
        self.trackers.get(agent).map(|t| t.agent_channels(call)).unwrap_or_default()
    }

    /// Entries in the call and channel indexes (for tests and benches: memory stays bounded).
    pub fn indexed(&self) -> (usize, usize) {
        (self.calls.len(), self.channels.len())
    }

    /// Feeds one message to the trackers it can concern; their events are pushed onto `out` as
    /// `(agent, event)`, in agent order for this message.
    pub fn handle(&mut self, msg: &Message, now: Timestamp, out: &mut Vec<(usize, CallEvent)>) {
        let Some(kind) = msg.event() else { return };
        let handled = HANDLED_EVENTS.contains(&kind);
        if !handled && !self.records {
            return;
        }
        let mut targets = std::mem::take(&mut self.targets);
        targets.clear();
        let team = TEAM_EVENTS.contains(&kind);
        if team {
            for key in ["Interface", "Location", "StateInterface"] {
                if let Some(interface) = msg.get(key) {
                    lookup_lower(&self.devices, &mut self.lower, interface, &mut targets);
                }
            }
            targets.sort_unstable();
            targets.dedup();
        } else {
            let mut named = false;
            for (key, value) in msg.iter() {
                match key_of(key) {
                    Some(Key::Channel) => {
                        named = true;
                        lookup_lower(&self.devices, &mut self.lower, device_of(value), &mut targets);
                        lookup(&self.channels, value, &mut targets);
                    }
                    Some(Key::Call) => {
                        named = true;
                        lookup(&self.calls, value, &mut targets);
                    }
                    Some(Key::Interface) => {
                        named = true;
                        lookup_lower(&self.devices, &mut self.lower, value, &mut targets);
                    }
                    Some(Key::CallerNum) => lookup(&self.extensions, value, &mut targets),
                    None => {}
                }
            }
            if !named && handled {
                // Nothing to route by: correct first.
                targets.clear();
                targets.extend(0..self.trackers.len() as u32);
            }
            targets.sort_unstable();
            targets.dedup();
        }
        for &agent in &targets {
            let Some(tracker) = self.trackers.get_mut(agent as usize) else { continue };
            tracker.handle(msg, now, &mut self.scratch);
            let own = self.scratch.drain(..).filter(|e| !matches!(e, CallEvent::TeamMember { .. }));
            out.extend(own.map(|e| (agent as usize, e)));
            learn(tracker, agent, msg, &mut self.calls, &mut self.channels);
        }
        self.targets = targets;
        self.maybe_sweep();
    }

    /// Re-syncs every agent after a (re)connect, as the relay did per tracker: each tracker's
    /// [`CallTracker::resync`] with the `CoreShowChannel` items on its devices and its live
    /// calls taken now, then the `QueueStatus` items (`members`) as events, then
    /// `CallEvent::Resynced` for every agent. Per agent the order is the same as doing all three
    /// for one agent at a time.
    pub fn resync(
        &mut self,
        channels: &[Message],
        members: &[Message],
        now: Timestamp,
        out: &mut Vec<(usize, CallEvent)>,
    ) {
        let mut owned: HashMap<u32, Vec<Message>> = HashMap::new();
        let mut targets = std::mem::take(&mut self.targets);
        for m in channels {
            let Some(channel) = m.get("Channel") else { continue };
            targets.clear();
            lookup_lower(&self.devices, &mut self.lower, device_of(channel), &mut targets);
            targets.sort_unstable();
            targets.dedup();
            for &agent in &targets {
                owned.entry(agent).or_default().push(m.clone());
            }
        }
        self.targets = targets;
        for (i, tracker) in self.trackers.iter_mut().enumerate() {
            let agent = i as u32;
            let live = tracker.live_calls();
            let mine = owned.remove(&agent).unwrap_or_default();
            if live.is_empty() && mine.is_empty() {
                continue;
            }
            tracker.resync(&mine, &live, now, &mut self.scratch);
            out.extend(self.scratch.drain(..).map(|e| (i, e)));
            for m in &mine {
                learn(tracker, agent, m, &mut self.calls, &mut self.channels);
            }
            for call in &live {
                if !tracker.follows_call(call.as_str()) {
                    remove(&mut self.calls, call.as_str(), agent);
                }
            }
        }
        for m in members {
            self.handle(m, now, out);
        }
        out.extend((0..self.trackers.len()).map(|i| (i, CallEvent::Resynced { at: now })));
        self.maybe_sweep();
    }

    fn maybe_sweep(&mut self) {
        let size = self.calls.len() + self.channels.len();
        if size <= self.sweep_at {
            return;
        }
        let trackers = &self.trackers;
        let keep = |agent: &u32, f: &dyn Fn(&CallTracker) -> bool| trackers.get(*agent as usize).is_some_and(f);
        self.calls.retain(|call, agents| {
            agents.retain(|a| keep(a, &|t| t.follows_call(call)));
            !agents.is_empty()
        });
        self.channels.retain(|channel, agents| {
            agents.retain(|a| keep(a, &|t| t.has_leg(channel)));
            !agents.is_empty()
        });
        self.sweep_at = (2 * (self.calls.len() + self.channels.len())).max(MIN_SWEEP);
    }
}

/// After `tracker` was handed `msg`: it is indexed under the calls and channels `msg` names
/// exactly while it follows them.
fn learn(
    tracker: &CallTracker,
    agent: u32,
    msg: &Message,
    calls: &mut HashMap<String, Agents>,
    channels: &mut HashMap<String, Agents>,
) {
    for (key, value) in msg.iter() {
        if value.is_empty() {
            continue;
        }
        match key_of(key) {
            Some(Key::Call) => {
                if tracker.follows_call(value) {
                    add(calls, value, agent);
                } else {
                    remove(calls, value, agent);
                }
            }
            Some(Key::Channel) => {
                if tracker.has_leg(value) {
                    add(channels, value, agent);
                } else {
                    remove(channels, value, agent);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_keys() {
        assert!(key_of("DestChannel") == Some(Key::Channel));
        assert!(key_of("channel") == Some(Key::Channel));
        assert!(key_of("BridgeNumChannels").is_none());
        assert!(key_of("TransfereeLinkedid") == Some(Key::Call));
        assert!(key_of("StateInterface") == Some(Key::Interface));
        assert!(key_of("Location") == Some(Key::Interface));
        assert!(key_of("CallerIDNum") == Some(Key::CallerNum));
        assert!(key_of("ChannelState").is_none());
    }
}
