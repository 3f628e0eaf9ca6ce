//! From AMI events to `CallEvent`s for one agent.
//!
//! The agent is known by their queue-member interfaces (`Local/100@agents`, `PJSIP/100`) and
//! extension. A call is keyed by `Linkedid`, so every leg of a ring-all or queue call folds
//! into one call. The caller's number comes from the trunk leg (the `Channel` of the Dial or
//! Agent event), never from the agent's own leg, which carries the agent's extension.
//!
//! The tracker is a pure state machine over [`Message`]s: no IO, so the recorded transcripts
//! replay through it byte for byte, and it keeps state only for calls that touch this agent.

use std::collections::{BTreeMap, HashMap};

use ringside_core::{CallEvent, CallId, EndCause, RemoteParty, Timestamp};
use ringside_text::clean_text;

use crate::codec::Message;
use crate::recording::RecordingLink;

/// Who "me" is on the PBX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentIdentity {
    pub extension: String,
    /// Queue-member interfaces and device names, e.g. `Local/100@agents`, `PJSIP/100`.
    pub interfaces: Vec<String>,
}

impl AgentIdentity {
    pub fn new(extension: impl Into<String>, interfaces: Vec<String>) -> Self {
        Self { extension: extension.into(), interfaces }
    }

    /// Whether a channel (`Local/100@agents-00000001;1`, `PJSIP/100-0000001a`) is one of
    /// the agent's devices.
    pub fn owns_channel(&self, channel: &str) -> bool {
        let device = device_of(channel);
        if self.interfaces.iter().any(|i| i.eq_ignore_ascii_case(device)) {
            return true;
        }
        // A plain SIP device named after the extension is the agent's phone too.
        match device.split_once('/') {
            Some((tech, name)) => {
                matches!(tech.to_ascii_uppercase().as_str(), "PJSIP" | "SIP" | "IAX2") && name == self.extension
            }
            None => false,
        }
    }

    pub fn owns_interface(&self, interface: &str) -> bool {
        self.interfaces.iter().any(|i| i.eq_ignore_ascii_case(interface))
    }
}

/// `Local/100@agents-00000001;1` → `Local/100@agents`; `PJSIP/100-0000001a` → `PJSIP/100`.
pub fn device_of(channel: &str) -> &str {
    let base =
        channel
            .rsplit_once(';')
            .map_or(channel, |(b, n)| if n.chars().all(|c| c.is_ascii_digit()) { b } else { channel });
    match base.rsplit_once('-') {
        Some((dev, seq)) if !seq.is_empty() && seq.chars().all(|c| c.is_ascii_hexdigit()) => dev,
        _ => base,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Ringing,
    Talking,
    Ended,
}

#[derive(Debug)]
struct Tracked {
    phase: Phase,
    /// The caller hung up or another phone answered; the Hangup cause tells which.
    cancelled: bool,
    transferred: bool,
    outgoing: bool,
    /// Live legs of this call that belong to the agent.
    legs: usize,
    /// The recording's address last reported.
    recording: Option<ringside_text::WebUrl>,
    /// The channels that rang the agent's legs of this call (the trunk leg of the `Dial` or the
    /// queue): a colleague rung by the same channel answering is "answered elsewhere, by …".
    callers: Vec<String>,
    /// The colleague who answered, once the PBX said so.
    answered_by: Option<AnsweredBy>,
}

impl Tracked {
    fn ringing(outgoing: bool, legs: usize) -> Self {
        Tracked {
            phase: Phase::Ringing,
            cancelled: false,
            transferred: false,
            outgoing,
            legs,
            recording: None,
            callers: Vec::new(),
            answered_by: None,
        }
    }
}

/// Who answered a call that rang here too.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AnsweredBy {
    who: String,
    /// A queue member's name (`AgentConnect` `MemberName`), not only an extension.
    named: bool,
}

impl AnsweredBy {
    /// Whether `self` says more than `old`: anything beats nothing, a name beats an extension.
    fn improves(&self, old: Option<&AnsweredBy>) -> bool {
        match old {
            None => true,
            Some(old) => self.named && !old.named,
        }
    }
}

/// A call that ended here as answered elsewhere, kept for a while: the PBX may name the
/// colleague after this agent's leg is gone (`AgentConnect` follows the `Hangup`).
#[derive(Debug)]
struct Elsewhere {
    call: String,
    callers: Vec<String>,
    by: Option<AnsweredBy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LegRole {
    /// The agent's phone ringing for a call that comes in.
    Incoming,
    /// The agent's phone placing a call.
    Outgoing,
    /// The agent's phone rung first by an Originate (click-to-call); the dial out follows.
    OriginateFirstLeg,
}

/// The agent's pause in one queue, as the PBX last reported it.
#[derive(Debug, Clone)]
struct QueuePauseState {
    paused: bool,
    reason: Option<String>,
    /// When the pause began by the PBX's clock (`LastPause`), when it says.
    since: Option<Timestamp>,
}

#[derive(Debug)]
struct Leg {
    call: String,
    role: LegRole,
}

/// Folds AMI messages into `CallEvent`s for one agent.
#[derive(Debug)]
pub struct CallTracker {
    me: AgentIdentity,
    calls: HashMap<String, Tracked>,
    legs: HashMap<String, Leg>,
    /// Pause state per queue, from QueueStatus and QueueMemberPause.
    pauses: BTreeMap<String, QueuePauseState>,
    reported_pause: Option<(bool, Option<String>)>,
    /// Calls that ended lately, so a re-sync answer that raced their Hangup cannot revive them.
    recently_ended: std::collections::VecDeque<String>,
    /// Calls that ended lately as answered elsewhere, to name who answered when the PBX says so late.
    elsewhere: std::collections::VecDeque<Elsewhere>,
    recording: Option<RecordingLink>,
}

/// The event kinds [`CallTracker::handle`] acts on (besides naming a recording): any other kind
/// changes nothing, so [`crate::fanout::Fanout`] hands it to no tracker. Keep in step with the
/// `match` in `CallTracker::event`.
pub const HANDLED_EVENTS: &[&str] = &[
    "DialBegin",
    "AgentCalled",
    "DialEnd",
    "DialState",
    "AgentConnect",
    "Hangup",
    "BlindTransfer",
    "AttendedTransfer",
    "QueueMemberPause",
    "QueueMember",
    "QueueMemberAdded",
    "QueueMemberStatus",
    "QueueMemberRemoved",
];

/// The event kinds that tell every tracker something (a `TeamMember` for the supervisor view),
/// whoever they name.
pub const TEAM_EVENTS: &[&str] =
    &["QueueMemberPause", "QueueMember", "QueueMemberAdded", "QueueMemberStatus", "QueueMemberRemoved"];

const RECENTLY_ENDED: usize = 256;
const RECENTLY_ANSWERED_ELSEWHERE: usize = 32;
/// Channels kept per call that rang the agent (one per `Dial` or queue that rang them).
const MAX_CALLERS: usize = 8;

impl CallTracker {
    pub fn new(me: AgentIdentity) -> Self {
        Self {
            me,
            calls: HashMap::new(),
            legs: HashMap::new(),
            pauses: BTreeMap::new(),
            reported_pause: None,
            recently_ended: std::collections::VecDeque::new(),
            elsewhere: std::collections::VecDeque::new(),
            recording: None,
        }
    }

    /// Reports the recording each call's events name (see [`RecordingLink`]).
    pub fn with_recording(mut self, link: RecordingLink) -> Self {
        self.recording = Some(link);
        self
    }

    pub fn identity(&self) -> &AgentIdentity {
        &self.me
    }

    /// Calls that are live for this agent (their Linkedids), e.g. to end them after a restart.
    pub fn live_calls(&self) -> Vec<CallId> {
        let mut ids: Vec<CallId> =
            self.calls.iter().filter(|(_, t)| t.phase != Phase::Ended).map(|(id, _)| CallId::new(id.clone())).collect();
        ids.sort();
        ids
    }

    /// The agent's own channels on a call, for hanging it up.
    pub fn agent_channels(&self, call: &CallId) -> Vec<String> {
        let mut channels: Vec<String> =
            self.legs.iter().filter(|(_, l)| l.call == call.as_str()).map(|(c, _)| c.clone()).collect();
        channels.sort();
        channels
    }

    /// Whether this tracker still keeps anything about `call` (a call being followed, a leg
    /// on it, or an end as answered elsewhere that a later `AgentConnect` may name): while it
    /// does, [`crate::fanout::Fanout`] must hand it the call's events.
    pub fn follows_call(&self, call: &str) -> bool {
        self.calls.contains_key(call)
            || self.elsewhere.iter().any(|e| e.call == call)
            || self.legs.values().any(|l| l.call == call)
    }

    /// Whether `channel` is one of the legs this tracker follows.
    pub fn has_leg(&self, channel: &str) -> bool {
        self.legs.contains_key(channel)
    }

    /// Whether a recording link is set: then every event naming a followed call may matter.
    pub fn records(&self) -> bool {
        self.recording.is_some()
    }

    /// Forgets all per-call state (after a reconnect, before re-sync).
    pub fn reset_calls(&mut self) {
        self.calls.clear();
        self.legs.clear();
        self.elsewhere.clear();
    }

    /// Feeds one message; any resulting events are pushed onto `out`.
    pub fn handle(&mut self, msg: &Message, now: Timestamp, out: &mut Vec<CallEvent>) {
        let Some(event) = msg.event() else { return };
        // Before the event itself: a Hangup may end the call's tracking.
        self.recording(msg, now, out);
        self.event(event, msg, now, out);
        // After it: the event may have started tracking the call.
        self.recording(msg, now, out);
    }

    fn event(&mut self, event: &str, msg: &Message, now: Timestamp, out: &mut Vec<CallEvent>) {
        // Every kind matched here is listed in `HANDLED_EVENTS`.
        match event {
            "DialBegin" => self.dial_begin(msg, None, now, out),
            "AgentCalled" => {
                let queue = msg.get("Queue").filter(|q| !q.is_empty()).map(str::to_owned);
                let mine = msg.get("Interface").is_some_and(|i| self.me.owns_interface(i));
                if mine || msg.get("DestChannel").is_some_and(|c| self.me.owns_channel(c)) {
                    self.incoming(msg, queue, now, out);
                }
            }
            "DialEnd" => self.dial_end(msg, now, out),
            // An attended transfer's consultation call rings the target with no DialBegin.
            "DialState" => {
                let ringing_me = msg.get("DialStatus") == Some("RINGING")
                    && msg.get("DestChannel").is_some_and(|c| self.me.owns_channel(c) && !self.legs.contains_key(c));
                if ringing_me {
                    self.incoming(msg, None, now, out);
                }
            }
            "AgentConnect" => {
                if let Some(call) = msg.get("DestChannel").and_then(|c| self.leg_call(c, LegRole::Incoming)) {
                    self.answered(&call, now, out);
                } else {
                    let by = member_name(msg);
                    self.colleague_answered(msg, by, now, out);
                }
            }
            "Hangup" => self.hangup(msg, now, out),
            "BlindTransfer" => self.transfer(msg.get("TransfererChannel")),
            "AttendedTransfer" => {
                self.transfer(msg.get("OrigTransfererChannel"));
                self.transferred_to_me(msg, now, out);
            }
            "QueueMemberPause" | "QueueMember" | "QueueMemberAdded" | "QueueMemberStatus" => {
                self.member(msg, now, out);
                self.team(msg, now, out);
            }
            "QueueMemberRemoved" => {
                self.team(msg, now, out);
                if let (Some(q), true) = (msg.get("Queue"), self.member_is_me(msg)) {
                    self.pauses.remove(q);
                    self.report_pause(msg.get("Queue"), now, out);
                }
            }
            _ => {}
        }
    }

    /// Re-syncs after a (re)connect from the `CoreShowChannel` items of `CoreShowChannels`:
    /// a call that went on while we were away gets its card (answered if bridged), and a call
    /// we showed that the PBX no longer has ends as `Interrupted`. `live_before` is
    /// [`Self::live_calls`] taken when the request was sent: a call that started after it is
    /// missing from the answer only because it is newer, not because it is gone.
    pub fn resync(&mut self, channels: &[Message], live_before: &[CallId], now: Timestamp, out: &mut Vec<CallEvent>) {
        let mine: Vec<&Message> = channels
            .iter()
            .filter(|m| m.get("Channel").is_some_and(|c| self.me.owns_channel(c)))
            .filter(|m| m.get("Linkedid").is_some_and(|l| !l.is_empty()))
            .collect();
        let alive: std::collections::HashSet<&str> = mine.iter().filter_map(|m| m.get("Linkedid")).collect();
        for call in live_before {
            if !alive.contains(call.as_str()) {
                self.ended(call.as_str(), EndCause::Interrupted, now, out);
                self.calls.remove(call.as_str());
                self.legs.retain(|_, l| l.call != call.as_str());
            }
        }
        for m in mine {
            let (Some(channel), Some(call)) = (m.get("Channel"), m.get("Linkedid")) else { continue };
            if self.legs.contains_key(channel)
                || self.calls.get(call).is_some_and(|t| t.phase != Phase::Ended)
                || self.recently_ended.iter().any(|e| e == call)
            {
                continue;
            }
            // The agent's own leg runs Dial when the agent placed the call.
            let outgoing = m.get("Application").is_some_and(|a| a.eq_ignore_ascii_case("Dial"));
            let ext = Some(self.me.extension.as_str());
            let remote = [m.get("ConnectedLineNum"), m.get("CallerIDNum")]
                .into_iter()
                .map(cid)
                .find(|n| n.is_some() && *n != ext)
                .flatten();
            let name = if cid(m.get("ConnectedLineNum")) == remote {
                m.get("ConnectedLineName")
            } else {
                m.get("CallerIDName")
            };
            let party = party(remote, name);
            let role = if outgoing { LegRole::Outgoing } else { LegRole::Incoming };
            self.legs.insert(channel.to_owned(), Leg { call: call.to_owned(), role });
            if !self.begin(call, outgoing) {
                continue;
            }
            let id = CallId::new(call);
            out.push(if outgoing {
                CallEvent::OutgoingDialing { call: id, to: party, at: now }
            } else {
                CallEvent::IncomingRinging { call: id, from: party, queue: None, at: now }
            });
            let bridged = m.get("BridgeId").or(m.get("BridgeID")).is_some_and(|b| !b.is_empty());
            if bridged || m.get("ChannelStateDesc").is_some_and(|s| s == "Up") {
                self.answered(call, now, out);
            }
        }
    }

    fn dial_begin(&mut self, msg: &Message, queue: Option<String>, now: Timestamp, out: &mut Vec<CallEvent>) {
        let dest = msg.get("DestChannel").unwrap_or("");
        if self.me.owns_channel(dest) {
            let first_leg_of_originate = msg.get("Channel").is_none()
                && (cid(msg.get("DestConnectedLineNum")) == Some(self.me.extension.as_str())
                    && cid(msg.get("DestCallerIDNum")) == Some(self.me.extension.as_str()));
            if first_leg_of_originate {
                let call = dest_call_id(msg);
                self.legs.insert(dest.to_owned(), Leg { call, role: LegRole::OriginateFirstLeg });
            } else {
                self.incoming(msg, queue, now, out);
            }
            return;
        }
        // The agent's phone dials out: from a device of theirs, or a channel with their caller ID.
        let Some(channel) = msg.get("Channel") else { return };
        let from_me = self.me.owns_channel(channel)
            || cid(msg.get("CallerIDNum")) == Some(self.me.extension.as_str())
            || self.legs.get(channel).is_some_and(|l| l.role == LegRole::OriginateFirstLeg);
        if !from_me || self.legs.get(channel).is_some_and(|l| l.role == LegRole::Incoming) {
            return;
        }
        let call = msg.get("Linkedid").or(msg.get("DestLinkedid")).unwrap_or("").to_owned();
        if call.is_empty() {
            return;
        }
        let number = dialed_number(msg);
        self.legs.insert(channel.to_owned(), Leg { call: call.clone(), role: LegRole::Outgoing });
        let fresh = self.begin(&call, true);
        if fresh {
            out.push(CallEvent::OutgoingDialing {
                call: CallId::new(call),
                to: RemoteParty { number, name: None },
                at: now,
            });
        }
    }

    fn incoming(&mut self, msg: &Message, queue: Option<String>, now: Timestamp, out: &mut Vec<CallEvent>) {
        let Some(dest) = msg.get("DestChannel") else { return };
        let call = dest_call_id(msg);
        if call.is_empty() {
            return;
        }
        let from = if msg.get("Channel").is_some() {
            party(msg.get("CallerIDNum"), msg.get("CallerIDName"))
        } else {
            // No caller block (originate, consultation): the agent leg's connected line is the caller.
            party(msg.get("DestConnectedLineNum"), msg.get("DestConnectedLineName"))
        };
        if self.legs.contains_key(dest) {
            return; // AgentCalled then DialBegin for the same leg.
        }
        self.legs.insert(dest.to_owned(), Leg { call: call.clone(), role: LegRole::Incoming });
        let fresh = self.begin(&call, false);
        if let (Some(caller), Some(t)) = (msg.get("Channel"), self.calls.get_mut(&call)) {
            if !t.callers.iter().any(|c| c == caller) && t.callers.len() < MAX_CALLERS {
                t.callers.push(caller.to_owned());
            }
        }
        if fresh {
            out.push(CallEvent::IncomingRinging { call: CallId::new(call), from, queue, at: now });
        }
    }

    /// Registers a leg of `call`; true when the call starts (or starts again) for this agent.
    fn begin(&mut self, call: &str, outgoing: bool) -> bool {
        match self.calls.get_mut(call) {
            Some(t) if t.phase != Phase::Ended => {
                t.legs += 1;
                false
            }
            Some(t) => {
                *t = Tracked::ringing(outgoing, t.legs + 1);
                true
            }
            None => {
                self.calls.insert(call.to_owned(), Tracked::ringing(outgoing, 1));
                true
            }
        }
    }

    fn dial_end(&mut self, msg: &Message, now: Timestamp, out: &mut Vec<CallEvent>) {
        let status = msg.get("DialStatus").unwrap_or("");
        if let Some(call) = msg.get("DestChannel").and_then(|c| self.leg_call(c, LegRole::Incoming)) {
            match status {
                "ANSWER" => self.answered(&call, now, out),
                "CANCEL" => {
                    if let Some(t) = self.calls.get_mut(&call) {
                        t.cancelled = true;
                    }
                }
                "NOANSWER" | "BUSY" | "CHANUNAVAIL" | "CONGESTION" => self.ended(&call, EndCause::NoAnswer, now, out),
                _ => {}
            }
            return;
        }
        if status == "ANSWER" && msg.get("Channel").is_some() {
            // Another phone the same channel rang picked up: who, by its extension. (Its
            // `DestCallerIDName` is the caller's, not the colleague's: the dialed leg carries
            // the caller ID of the call.)
            let by = msg.get("DestChannel").and_then(|c| extension_of(device_of(c)));
            self.colleague_answered(msg, by.map(|who| AnsweredBy { who, named: false }), now, out);
        }
        if let Some(call) = msg.get("Channel").and_then(|c| self.leg_call(c, LegRole::Outgoing)) {
            match status {
                "ANSWER" => self.answered(&call, now, out),
                "BUSY" => self.ended(&call, EndCause::Busy, now, out),
                "NOANSWER" | "CANCEL" => self.ended(&call, EndCause::NoAnswer, now, out),
                "CHANUNAVAIL" | "CONGESTION" => {
                    self.ended(&call, EndCause::Failed(format!("the number could not be reached ({status})")), now, out)
                }
                _ => {}
            }
        }
    }

    fn hangup(&mut self, msg: &Message, now: Timestamp, out: &mut Vec<CallEvent>) {
        let Some(channel) = msg.get("Channel") else { return };
        let Some(leg) = self.legs.remove(channel) else { return };
        let cause_code = msg.get("Cause").unwrap_or("");
        let Some(t) = self.calls.get_mut(&leg.call) else { return };
        t.legs = t.legs.saturating_sub(1);
        if leg.role == LegRole::OriginateFirstLeg && t.phase == Phase::Ended {
            // Nothing more to say about a call that already ended.
        } else if t.phase != Phase::Ended && (t.legs == 0 || cause_code == "26") {
            let cause = if t.transferred {
                EndCause::Transferred
            } else if t.phase == Phase::Talking {
                EndCause::Completed
            } else if cause_code == "26" {
                let by = t.answered_by.clone();
                let callers = t.callers.clone();
                if self.elsewhere.len() == RECENTLY_ANSWERED_ELSEWHERE {
                    self.elsewhere.pop_front();
                }
                self.elsewhere.push_back(Elsewhere { call: leg.call.clone(), callers, by: by.clone() });
                EndCause::AnsweredElsewhere { by: by.map(|b| b.who) }
            } else if t.outgoing {
                EndCause::NoAnswer
            } else {
                // Ringing ended without an answer anywhere: the caller gave up.
                EndCause::Abandoned
            };
            let call = leg.call.clone();
            self.ended(&call, cause, now, out);
        }
        if self.calls.get(&leg.call).is_some_and(|t| t.legs == 0 && t.phase == Phase::Ended) {
            self.calls.remove(&leg.call);
        }
    }

    /// A colleague's phone, rung by the same channel as the agent's (ring-all, a queue),
    /// answered: remembered for the "answered elsewhere" end, or, when this agent's leg has
    /// already ended so, told as a second `Ended` that names them.
    fn colleague_answered(&mut self, msg: &Message, by: Option<AnsweredBy>, now: Timestamp, out: &mut Vec<CallEvent>) {
        let (Some(caller), Some(dest), Some(by)) = (msg.get("Channel"), msg.get("DestChannel"), by) else { return };
        if self.me.owns_channel(dest) {
            return;
        }
        let call = dest_call_id(msg);
        let rang_me_too = |callers: &[String]| callers.iter().any(|c| c == caller);
        if let Some(t) = self.calls.get_mut(&call).filter(|t| t.phase != Phase::Ended && rang_me_too(&t.callers)) {
            if by.improves(t.answered_by.as_ref()) {
                t.answered_by = Some(by);
            }
            return;
        }
        let Some(e) = self.elsewhere.iter_mut().find(|e| e.call == call && rang_me_too(&e.callers)) else { return };
        if by.improves(e.by.as_ref()) {
            e.by = Some(by.clone());
            let cause = EndCause::AnsweredElsewhere { by: Some(by.who) };
            out.push(CallEvent::Ended { call: CallId::new(call), cause, at: now });
        }
    }

    fn transfer(&mut self, transferer: Option<&str>) {
        let Some(call) = transferer.and_then(|c| self.legs.get(c)).map(|l| l.call.clone()) else { return };
        if let Some(t) = self.calls.get_mut(&call) {
            t.transferred = true;
        }
    }

    /// The agent on the receiving end of an attended transfer now talks to the transferee:
    /// their card (the same call) shows the customer instead of the colleague who consulted.
    fn transferred_to_me(&mut self, msg: &Message, now: Timestamp, out: &mut Vec<CallEvent>) {
        let transferers = [msg.get("OrigTransfererChannel"), msg.get("SecondTransfererChannel")];
        let call =
            [msg.get("TransfereeLinkedid"), msg.get("OrigTransfererLinkedid"), msg.get("TransferTargetLinkedid")]
                .into_iter()
                .flatten()
                .find(|id| self.calls.get(*id).is_some_and(|t| t.phase != Phase::Ended));
        let Some(call) = call else { return };
        let mine = self
            .legs
            .iter()
            .any(|(ch, l)| l.call == call && l.role == LegRole::Incoming && !transferers.contains(&Some(ch.as_str())));
        let remote = party(msg.get("TransfereeCallerIDNum"), msg.get("TransfereeCallerIDName"));
        if mine && !remote.number.is_empty() {
            out.push(CallEvent::PartyChanged { call: CallId::new(call), remote, at: now });
        }
    }

    /// A recording named on any channel of a call this agent is on, once per address.
    fn recording(&mut self, msg: &Message, now: Timestamp, out: &mut Vec<CallEvent>) {
        let Some(link) = &self.recording else { return };
        let call = [msg.get("Linkedid"), msg.get("DestLinkedid")]
            .into_iter()
            .flatten()
            .find(|id| self.calls.contains_key(*id))
            .map(str::to_owned);
        let Some(call) = call else { return };
        let Some(url) = link.url_in(msg) else { return };
        if let Some(t) = self.calls.get_mut(&call) {
            if t.recording.as_ref() != Some(&url) {
                t.recording = Some(url.clone());
                out.push(CallEvent::Recording { call: CallId::new(call), url, at: now });
            }
        }
    }

    fn answered(&mut self, call: &str, now: Timestamp, out: &mut Vec<CallEvent>) {
        if let Some(t) = self.calls.get_mut(call) {
            if t.phase == Phase::Ringing {
                t.phase = Phase::Talking;
                out.push(CallEvent::Answered { call: CallId::new(call), at: now });
            }
        }
    }

    fn ended(&mut self, call: &str, cause: EndCause, now: Timestamp, out: &mut Vec<CallEvent>) {
        if let Some(t) = self.calls.get_mut(call) {
            if t.phase != Phase::Ended {
                t.phase = Phase::Ended;
                out.push(CallEvent::Ended { call: CallId::new(call), cause, at: now });
                if self.recently_ended.len() == RECENTLY_ENDED {
                    self.recently_ended.pop_front();
                }
                self.recently_ended.push_back(call.to_owned());
            }
        }
    }

    fn leg_call(&self, channel: &str, role: LegRole) -> Option<String> {
        self.legs.get(channel).filter(|l| l.role == role).map(|l| l.call.clone())
    }

    fn team(&self, msg: &Message, now: Timestamp, out: &mut Vec<CallEvent>) {
        if let Some(update) = crate::team::member_update(msg) {
            out.push(CallEvent::TeamMember { update, at: now });
        }
    }

    fn member_is_me(&self, msg: &Message) -> bool {
        ["Interface", "Location", "StateInterface"]
            .iter()
            .any(|k| msg.get(k).is_some_and(|i| self.me.owns_interface(i)))
    }

    fn member(&mut self, msg: &Message, now: Timestamp, out: &mut Vec<CallEvent>) {
        if !self.member_is_me(msg) {
            return;
        }
        let (Some(queue), Some(paused)) = (msg.get("Queue"), msg.get("Paused")) else { return };
        let paused = paused == "1";
        let reason = msg.get("PausedReason").filter(|r| paused && !r.is_empty()).map(str::to_owned);
        let since = crate::team::last_pause(msg).filter(|_| paused);
        self.pauses.insert(queue.to_owned(), QueuePauseState { paused, reason, since });
        self.report_pause(Some(queue), now, out);
    }

    /// "Accepting calls" is off only when the agent is paused in every queue they are in.
    fn report_pause(&mut self, queue: Option<&str>, now: Timestamp, out: &mut Vec<CallEvent>) {
        if self.pauses.is_empty() {
            return;
        }
        let paused = self.pauses.values().all(|p| p.paused);
        let reason = if paused { self.pauses.values().find_map(|p| p.reason.clone()) } else { None };
        // The pause began when the agent was last paused in a queue still paused.
        let since = if paused { self.pauses.values().filter_map(|p| p.since).max() } else { None };
        let state = (paused, reason.clone());
        if self.reported_pause.as_ref() != Some(&state) {
            self.reported_pause = Some(state);
            out.push(CallEvent::AgentPaused { paused, reason, queue: queue.map(str::to_owned), since, at: now });
        }
    }
}

fn dest_call_id(msg: &Message) -> String {
    msg.get("DestLinkedid").or(msg.get("Linkedid")).unwrap_or("").to_owned()
}

/// The extension in a device name: `Local/100@agents` → `100`, `PJSIP/101` → `101`.
fn extension_of(device: &str) -> Option<String> {
    let resource = device.split_once('/').map_or(device, |(_, r)| r);
    let name = resource.split('@').next().unwrap_or(resource);
    let name = clean_text(name.rsplit('/').next().unwrap_or(name), MAX_NUMBER_CHARS);
    (!name.is_empty()).then_some(name)
}

/// Who an `AgentConnect` says answered: the member's name when the queue has one (Asterisk
/// writes the interface there when it has none), else the interface's extension.
fn member_name(msg: &Message) -> Option<AnsweredBy> {
    let interface = msg.get("Interface").unwrap_or("");
    let name = msg
        .get("MemberName")
        .filter(|n| *n != interface && !n.contains('/'))
        .map(|n| clean_text(n, MAX_NAME_CHARS))
        .filter(|n| !n.is_empty());
    match name {
        Some(who) => Some(AnsweredBy { who, named: true }),
        None => [Some(interface), msg.get("DestChannel").map(device_of)]
            .into_iter()
            .flatten()
            .filter(|d| !d.is_empty())
            .find_map(extension_of)
            .map(|who| AnsweredBy { who, named: false }),
    }
}

/// Asterisk writes `<unknown>` for a missing caller ID.
fn cid(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty() && *v != "<unknown>")
}

/// Caller ID comes from strangers: control and bidi control characters are dropped here, at the
/// edge (a name with U+202E would show reversed on the card, in the history and in a
/// notification), runs of spaces collapse, and the length is bounded.
fn party(number: Option<&str>, name: Option<&str>) -> RemoteParty {
    let number = cid(number).map(|n| clean_text(n, MAX_NUMBER_CHARS)).unwrap_or_default();
    let name = cid(name).map(|n| clean_text(n, MAX_NAME_CHARS)).filter(|n| !n.is_empty() && *n != number);
    RemoteParty { number, name }
}

/// Longest caller ID number and name kept (Asterisk allows 80 and 256 bytes).
const MAX_NUMBER_CHARS: usize = 80;
const MAX_NAME_CHARS: usize = 200;

/// The number the agent dialed: `DestExten`, else the `DialString` (`0441234567@pstn`, `PJSIP/trunk/0441234567`).
fn dialed_number(msg: &Message) -> String {
    let raw = match cid(msg.get("DestExten")).filter(|e| *e != "s") {
        Some(exten) => exten,
        None => {
            let dial = msg.get("DialString").unwrap_or("");
            let before_at = dial.split('@').next().unwrap_or(dial);
            before_at.rsplit('/').next().unwrap_or(before_at)
        }
    };
    clean_text(raw, MAX_NUMBER_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names() {
        assert_eq!(device_of("Local/100@agents-00000001;1"), "Local/100@agents");
        assert_eq!(device_of("PJSIP/100-0000001a"), "PJSIP/100");
        assert_eq!(device_of("Local/120@inbound-xfer-0000000c;2"), "Local/120@inbound-xfer");
        assert_eq!(device_of("PJSIP/100"), "PJSIP/100");
    }

    #[test]
    fn caller_id_from_strangers_loses_controls_and_bidi_overrides_at_the_edge() {
        let p = party(Some("+380 44\u{7} 123\u{202E}"), Some("  Olena\u{202E}gnp.exe\r\n\u{1b}[31m  Evil "));
        assert_eq!(p.number, "+380 44 123");
        assert_eq!(p.name.as_deref(), Some("Olenagnp.exe [31m Evil"));
        let p = party(Some("100"), Some(&"x".repeat(10_000)));
        assert_eq!(p.name.map(|n| n.chars().count()), Some(MAX_NAME_CHARS));
        // A name that is only hidden characters is no name.
        assert_eq!(party(Some("100"), Some("\u{202E}\u{2066}")).name, None);
    }

    #[test]
    fn who_answered_in_words() {
        assert_eq!(extension_of("Local/100@agents").as_deref(), Some("100"));
        assert_eq!(extension_of("PJSIP/101").as_deref(), Some("101"));
        assert_eq!(extension_of("SIP/pbx/102").as_deref(), Some("102"));
        assert_eq!(extension_of("PJSIP/"), None);
        let connect = |member: &str| {
            Message::from_pairs([
                ("Event", "AgentConnect"),
                ("DestChannel", "PJSIP/101-0000001a"),
                ("Interface", "PJSIP/101"),
                ("MemberName", member),
            ])
        };
        let named = member_name(&connect("Ana \u{202E}Kovalenko"));
        assert_eq!(named, Some(AnsweredBy { who: "Ana Kovalenko".into(), named: true }), "cleaned at the edge");
        // A queue member without a name: Asterisk writes the interface.
        assert_eq!(member_name(&connect("PJSIP/101")), Some(AnsweredBy { who: "101".into(), named: false }));
        assert_eq!(member_name(&connect("")), Some(AnsweredBy { who: "101".into(), named: false }));
    }

    #[test]
    fn ownership() {
        let me = AgentIdentity::new("100", vec!["Local/100@agents".into()]);
        assert!(me.owns_channel("Local/100@agents-00000005;1"));
        assert!(me.owns_channel("PJSIP/100-0000001a"));
        assert!(!me.owns_channel("Local/101@agents-00000006;1"));
        assert!(!me.owns_channel("PJSIP/1000-0000001a"));
        assert!(!me.owns_channel("Local/100@inbound-00000000;2"));
    }
}
