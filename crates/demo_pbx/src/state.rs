//! The PBX's state (sessions, channels, the queue) and event emission.
//!
//! One `std::sync::Mutex` guards everything; it is never held across an `.await`. An event is
//! rendered once and offered to every logged-in session whose `Events` mask and filters let
//! it through. A session whose bounded queue is full is disconnected, never silently skipped.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use ringside_ami::codec::Message;
use tokio::sync::{mpsc, watch, Notify};

use crate::callerid::CallerId;
use crate::{timefmt, DemoAgent, DemoPbxConfig, DemoPbxError};

/// Most calls up at once; more Originates are refused.
pub(crate) const MAX_CALLS: usize = 2000;

/// A [`DemoPbxConfig`] that has passed [`Cfg::validate`]: the same fields (through `Deref`),
/// with `speed` capped and `ring_to` resolved to the number it reaches. Its own type only so
/// that the PBX cannot be started on a config that was not checked.
#[derive(Debug, Clone)]
pub(crate) struct Cfg(DemoPbxConfig);

impl std::ops::Deref for Cfg {
    type Target = DemoPbxConfig;

    fn deref(&self) -> &DemoPbxConfig {
        &self.0
    }
}

impl Cfg {
    pub fn validate(mut c: DemoPbxConfig) -> Result<Cfg, DemoPbxError> {
        let bad = |m: String| Err(DemoPbxError::InvalidConfig(m));
        if !c.speed.is_finite() || c.speed <= 0.0 {
            return bad(format!("speed must be a positive number (1.0 is real time), not {}", c.speed));
        }
        if c.agents.is_empty() {
            return bad("at least one agent is needed".into());
        }
        for (i, a) in c.agents.iter().enumerate() {
            if !is_exten(&a.ext) {
                return bad(format!("agent extension {:?} must be digits", a.ext));
            }
            if c.agents[..i].iter().any(|b| b.ext == a.ext) {
                return bad(format!("agent extension {} appears twice", a.ext));
            }
            if a.name.contains(['\r', '\n']) {
                return bad(format!("agent {} has a line break in its name", a.ext));
            }
        }
        if !is_exten(&c.queue.number) || c.agents.iter().any(|a| a.ext == c.queue.number) {
            return bad(format!("queue number {:?} must be digits and not an agent's extension", c.queue.number));
        }
        if c.queue.name.is_empty() || !c.queue.name.chars().all(|ch| ch.is_ascii_alphanumeric() || "_-".contains(ch)) {
            return bad(format!("queue name {:?} must be letters, digits, - or _", c.queue.name));
        }
        for m in &c.queue.members {
            if !c.agents.iter().any(|a| &a.ext == m) {
                return bad(format!("queue member {m} is not one of the agents"));
            }
        }
        if c.client_queue < 16 {
            return bad(format!("client_queue must be at least 16 messages, not {}", c.client_queue));
        }
        c.speed = c.speed.min(100_000.0);
        if let Some(every) = c.ring_every {
            if every.is_zero() {
                return bad("ring_every must be longer than zero".into());
            }
            c.ring_to = c.target(&c.ring_to)?.dialed();
        }
        if let Some(sc) = &c.scenario {
            for step in &sc.steps {
                c.target(&step.to)?;
                if let Some(by) = step.answer_by.as_deref() {
                    if !is_nobody(by) && !c.agents.iter().any(|a| a.ext == by.trim()) {
                        return bad(format!(
                            "scenario step at {} ms: answer_by {by:?} is not an agent (or \"none\")",
                            step.at_ms
                        ));
                    }
                }
            }
        }
        Ok(Cfg(c))
    }
}

impl DemoPbxConfig {
    /// What dialing `to` reaches.
    pub(crate) fn target(&self, to: &str) -> Result<Target, DemoPbxError> {
        let t = to.trim();
        if t == self.queue.number || t.eq_ignore_ascii_case(&self.queue.name) {
            return Ok(Target::Queue(self.queue.number.clone()));
        }
        if let Some(a) = self.agents.iter().find(|a| a.ext == t) {
            return Ok(Target::Agent(a.ext.clone()));
        }
        let known = self.agents.iter().map(|a| a.ext.as_str()).chain([self.queue.number.as_str()]).collect::<Vec<_>>();
        Err(DemoPbxError::UnknownExtension { to: to.chars().take(40).collect(), known: known.join(", ") })
    }

    pub(crate) fn agent(&self, ext: &str) -> Option<&DemoAgent> {
        self.agents.iter().find(|a| a.ext == ext)
    }
}

pub(crate) fn is_nobody(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "none" | "nobody" | "never" | "")
}

fn is_exten(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Agent(String),
    Queue(String),
}

impl Target {
    pub fn dialed(&self) -> String {
        match self {
            Target::Agent(e) | Target::Queue(e) => e.clone(),
        }
    }
}

pub(crate) struct Shared {
    state: Mutex<State>,
    pub cfg: Cfg,
    pub speed: f64,
    pub shutdown: watch::Receiver<bool>,
    pub rt: tokio::runtime::Handle,
    /// Bumped whenever a queue member may have become available.
    pub queue_rx: watch::Receiver<u64>,
}

impl Shared {
    pub fn new(cfg: Cfg, shutdown: watch::Receiver<bool>, rt: tokio::runtime::Handle) -> Shared {
        let (queue_tx, queue_rx) = watch::channel(0u64);
        let now = timefmt::unix_secs();
        let members = cfg
            .queue
            .members
            .iter()
            .filter_map(|ext| cfg.agent(ext))
            .map(|a| Member {
                name: a.name.clone(),
                interface: a.interface(),
                dynamic: false,
                penalty: 0,
                calls_taken: 0,
                last_call: 0,
                last_pause: 0,
                login_time: now,
                paused: false,
                paused_reason: String::new(),
                in_call: false,
            })
            .collect();
        let queue = Queue {
            name: cfg.queue.name.clone(),
            members,
            waiting: Vec::new(),
            completed: 0,
            abandoned: 0,
            hold_total: 0,
            talk_total: 0,
        };
        let state = State {
            sessions: HashMap::new(),
            next_session: 1,
            chans: BTreeMap::new(),
            uid_seq: 0,
            local_seq: 0,
            calls: HashMap::new(),
            next_call: 1,
            queue,
            busy: HashMap::new(),
            queue_tx,
            started: Instant::now(),
            speed: cfg.speed,
        };
        Shared { state: Mutex::new(state), speed: cfg.speed, cfg, shutdown, rt, queue_rx }
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A simulated duration in real time.
    pub fn scaled(&self, d: Duration) -> Duration {
        d.div_f64(self.speed)
    }

    pub fn stopping(&self) -> bool {
        *self.shutdown.borrow()
    }
}

/// Event classes (Asterisk's `Privilege` / `Events:` words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    System,
    Call,
    Agent,
    Security,
    /// `UserEvent`s, which `ringside-cli doctor` uses to see events flow.
    User,
}

impl Class {
    fn word(self) -> &'static str {
        match self {
            Class::System => "system",
            Class::Call => "call",
            Class::Agent => "agent",
            Class::Security => "security",
            Class::User => "user",
        }
    }

    fn bit(self) -> u32 {
        class_bit(self.word()).unwrap_or(0)
    }
}

const CLASS_WORDS: &[&str] = &[
    "system",
    "call",
    "log",
    "verbose",
    "command",
    "agent",
    "user",
    "config",
    "dtmf",
    "reporting",
    "cdr",
    "dialplan",
    "originate",
    "agi",
    "cc",
    "aoc",
    "test",
    "security",
    "message",
];

fn class_bit(word: &str) -> Option<u32> {
    CLASS_WORDS.iter().position(|w| w.eq_ignore_ascii_case(word)).map(|i| 1u32 << i)
}

pub(crate) const MASK_ALL: u32 = u32::MAX;

/// The `Events:` value of Login or `EventMask:` of Events: `on`, `off`, or a list of classes.
pub(crate) fn parse_mask(v: &str) -> u32 {
    let v = v.trim();
    match v.to_ascii_lowercase().as_str() {
        "on" | "yes" | "true" | "1" | "all" => return MASK_ALL,
        "off" | "no" | "false" | "0" | "" => return 0,
        _ => {}
    }
    v.split(',')
        .filter_map(|w| if w.trim().eq_ignore_ascii_case("all") { Some(MASK_ALL) } else { class_bit(w.trim()) })
        .fold(0, |a, b| a | b)
}

/// A message being built: fields in wire order.
pub(crate) struct Ev {
    class: Option<Class>,
    fields: Vec<(String, String)>,
}

impl Ev {
    /// A broadcast event with its `Privilege` header.
    pub fn event(name: &str, class: Class) -> Ev {
        let mut e = Ev { class: Some(class), fields: Vec::with_capacity(40) };
        e.fields.push(("Event".into(), name.into()));
        e.fields.push(("Privilege".into(), format!("{},all", class.word())));
        e
    }

    /// An event that answers one action (list items): no `Privilege`, sent to that session only.
    pub fn item(name: &str) -> Ev {
        Ev { class: None, fields: vec![("Event".into(), name.into())] }
    }

    /// A response: `Response`, then the `ActionID` when the action had one.
    pub fn response(kind: &str, action_id: Option<&str>) -> Ev {
        Ev { class: None, fields: vec![("Response".into(), kind.into())] }.id(action_id)
    }

    pub fn kv(mut self, k: impl Into<String>, v: impl Into<String>) -> Ev {
        let mut v: String = v.into();
        if v.contains(['\r', '\n']) {
            v = v.replace(['\r', '\n'], " ");
        }
        self.fields.push((k.into(), v));
        self
    }

    pub fn id(self, action_id: Option<&str>) -> Ev {
        match action_id {
            Some(id) => self.kv("ActionID", id),
            None => self,
        }
    }

    /// The channel block, with `prefix` `""` or `"Dest"`.
    pub fn chan(mut self, prefix: &str, c: &Chan) -> Ev {
        let unknown = |s: &str| if s.is_empty() { "<unknown>".to_string() } else { s.to_string() };
        let p = |k: &str| format!("{prefix}{k}");
        self = self
            .kv(p("Channel"), &c.name)
            .kv(p("ChannelState"), c.state.to_string())
            .kv(p("ChannelStateDesc"), state_desc(c.state))
            .kv(p("CallerIDNum"), unknown(&c.cid.num))
            .kv(p("CallerIDName"), unknown(&c.cid.name))
            .kv(p("ConnectedLineNum"), unknown(&c.conn.num))
            .kv(p("ConnectedLineName"), unknown(&c.conn.name))
            .kv(p("Language"), "en")
            .kv(p("AccountCode"), "")
            .kv(p("Context"), &c.context)
            .kv(p("Exten"), &c.exten)
            .kv(p("Priority"), c.priority.to_string())
            .kv(p("Uniqueid"), &c.uniqueid)
            .kv(p("Linkedid"), &c.linkedid);
        self
    }

    /// The fields of a queue member, as in QueueMemberStatus / QueueMemberPause.
    pub fn member(self, queue: &str, m: &Member, status: u8) -> Ev {
        self.member_fields(queue, m, status, ["MemberName", "Interface"], true)
    }

    /// The fields of a queue member as a QueueStatus `QueueMember` item lists them: `Name` and
    /// `Location` for `MemberName` and `Interface`, and no `Ringinuse`.
    pub fn member_item(self, queue: &str, m: &Member, status: u8) -> Ev {
        self.member_fields(queue, m, status, ["Name", "Location"], false)
    }

    fn member_fields(self, queue: &str, m: &Member, status: u8, [name, location]: [&str; 2], ringinuse: bool) -> Ev {
        let ev = self
            .kv("Queue", queue)
            .kv(name, &m.name)
            .kv(location, &m.interface)
            .kv("StateInterface", &m.interface)
            .kv("Membership", if m.dynamic { "dynamic" } else { "static" })
            .kv("Penalty", m.penalty.to_string())
            .kv("CallsTaken", m.calls_taken.to_string())
            .kv("LastCall", m.last_call.to_string())
            .kv("LastPause", m.last_pause.to_string())
            .kv("LoginTime", m.login_time.to_string())
            .kv("InCall", u8::from(m.in_call).to_string())
            .kv("Status", status.to_string())
            .kv("Paused", u8::from(m.paused).to_string())
            .kv("PausedReason", &m.paused_reason);
        let ev = if ringinuse { ev.kv("Ringinuse", "0") } else { ev };
        ev.kv("Wrapuptime", "0")
    }

    pub fn wire(&self) -> Arc<str> {
        Arc::from(Message::from_pairs(self.fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))).to_wire())
    }
}

pub(crate) fn state_desc(s: u8) -> &'static str {
    match s {
        0 => "Down",
        1 => "Rsrvd",
        2 => "OffHook",
        3 => "Dialing",
        4 => "Ring",
        5 => "Ringing",
        6 => "Up",
        7 => "Busy",
        _ => "Unknown",
    }
}

/// One channel.
#[derive(Debug, Clone)]
pub(crate) struct Chan {
    pub name: String,
    pub state: u8,
    pub cid: CallerId,
    pub conn: CallerId,
    pub context: String,
    pub exten: String,
    pub priority: u32,
    pub uniqueid: String,
    pub linkedid: String,
    pub app: String,
    pub app_data: String,
    pub bridge: String,
    pub created: Instant,
    pub call: u64,
}

pub(crate) type ChanKey = u64;

/// What a connection's writer gets.
pub(crate) enum Out {
    Frame(Arc<str>),
    /// Flush and close the connection.
    Close,
}

pub(crate) struct Session {
    tx: mpsc::Sender<Out>,
    kick: Arc<Notify>,
    pub authed: bool,
    pub mask: u32,
    pub filters: Vec<Filter>,
    pub peer: SocketAddr,
    pub local: SocketAddr,
    pub user: String,
    pub challenge: Option<String>,
}

/// A regex-free AMI filter: `text` must (or, with `!`, must not) occur in the event.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    pub exclude: bool,
    pub text: String,
}

impl Session {
    fn wants(&self, bit: u32, wire: &str) -> bool {
        if !self.authed || self.mask & bit == 0 {
            return false;
        }
        let mut has_include = false;
        let mut included = false;
        for f in &self.filters {
            let hit = wire.contains(&f.text);
            if f.exclude {
                if hit {
                    return false;
                }
            } else {
                has_include = true;
                included |= hit;
            }
        }
        !has_include || included
    }
}

pub(crate) struct Member {
    pub name: String,
    pub interface: String,
    pub dynamic: bool,
    pub penalty: u32,
    pub calls_taken: u32,
    pub last_call: u64,
    pub last_pause: u64,
    pub login_time: u64,
    pub paused: bool,
    pub paused_reason: String,
    pub in_call: bool,
}

impl Member {
    /// `Local/<ext>@agents` → `<ext>`.
    pub fn ext(&self) -> Option<&str> {
        self.interface.strip_prefix("Local/")?.strip_suffix("@agents")
    }
}

pub(crate) struct Waiting {
    pub call: u64,
    pub chan: ChanKey,
    pub since: Instant,
}

pub(crate) struct Queue {
    pub name: String,
    pub members: Vec<Member>,
    pub waiting: Vec<Waiting>,
    pub completed: u32,
    pub abandoned: u32,
    pub hold_total: u64,
    pub talk_total: u64,
}

pub(crate) enum CallCmd {
    Hangup(ChanKey),
}

pub(crate) struct State {
    sessions: HashMap<u64, Session>,
    next_session: u64,
    pub chans: BTreeMap<ChanKey, Chan>,
    uid_seq: u64,
    local_seq: u32,
    calls: HashMap<u64, mpsc::UnboundedSender<CallCmd>>,
    next_call: u64,
    pub queue: Queue,
    /// Device (interface) → legs up on it.
    busy: HashMap<String, u32>,
    queue_tx: watch::Sender<u64>,
    started: Instant,
    speed: f64,
}

impl State {
    // ---- sessions ----

    pub fn add_session(
        &mut self,
        tx: mpsc::Sender<Out>,
        kick: Arc<Notify>,
        peer: SocketAddr,
        local: SocketAddr,
    ) -> u64 {
        let id = self.next_session;
        self.next_session += 1;
        self.sessions.insert(
            id,
            Session {
                tx,
                kick,
                authed: false,
                mask: 0,
                filters: Vec::new(),
                peer,
                local,
                user: String::new(),
                challenge: None,
            },
        );
        id
    }

    pub fn remove_session(&mut self, id: u64) {
        self.sessions.remove(&id);
    }

    pub fn session(&mut self, id: u64) -> Option<&mut Session> {
        self.sessions.get_mut(&id)
    }

    /// Sends to one session regardless of its mask (responses, list items).
    pub fn send_to(&mut self, id: u64, ev: Ev) {
        self.send_raw(id, Out::Frame(ev.wire()));
    }

    pub fn send_raw(&mut self, id: u64, out: Out) {
        let Some(s) = self.sessions.get(&id) else { return };
        match s.tx.try_send(out) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => self.kick(id, "its queue of unread messages is full"),
            Err(mpsc::error::TrySendError::Closed(_)) => self.remove_session(id),
        }
    }

    /// Sends one event to its session only if the session's mask allows the event's class.
    pub fn send_event_to(&mut self, id: u64, ev: Ev) {
        let bit = ev.class.map_or(MASK_ALL, Class::bit);
        let wire = ev.wire();
        if self.sessions.get(&id).is_some_and(|s| s.wants(bit, &wire)) {
            self.send_raw(id, Out::Frame(wire));
        }
    }

    /// Offers an event to every session that wants it.
    pub fn emit(&mut self, ev: Ev) {
        let bit = ev.class.map_or(MASK_ALL, Class::bit);
        let wire = ev.wire();
        let mut full = Vec::new();
        let mut gone = Vec::new();
        for (id, s) in &self.sessions {
            if !s.wants(bit, &wire) {
                continue;
            }
            match s.tx.try_send(Out::Frame(wire.clone())) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => full.push(*id),
                Err(mpsc::error::TrySendError::Closed(_)) => gone.push(*id),
            }
        }
        for id in full {
            self.kick(id, "it is not reading events fast enough (its event queue is full)");
        }
        for id in gone {
            self.remove_session(id);
        }
    }

    /// Disconnects a session: it would otherwise miss events.
    fn kick(&mut self, id: u64, why: &str) {
        if let Some(s) = self.sessions.remove(&id) {
            tracing::warn!(peer = %s.peer, user = %s.user, "demo PBX: disconnecting AMI client: {why}");
            s.kick.notify_one();
        }
    }

    // ---- calls ----

    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    pub fn register_call(&mut self, ctl: mpsc::UnboundedSender<CallCmd>) -> u64 {
        let id = self.next_call;
        self.next_call += 1;
        self.calls.insert(id, ctl);
        id
    }

    /// Forgets a call and any channel it left behind (a call task ended early).
    pub fn end_call(&mut self, call: u64) {
        self.calls.remove(&call);
        let left: Vec<ChanKey> = self.chans.iter().filter(|(_, c)| c.call == call).map(|(k, _)| *k).collect();
        for k in left {
            self.chans.remove(&k);
        }
        let before = self.queue.waiting.len();
        self.queue.waiting.retain(|w| w.call != call);
        if self.queue.waiting.len() != before {
            self.bump_queue();
        }
    }

    pub fn hangup_cmd(&mut self, key: ChanKey) -> bool {
        let Some(call) = self.chans.get(&key).map(|c| c.call) else { return false };
        self.calls.get(&call).is_some_and(|tx| tx.send(CallCmd::Hangup(key)).is_ok())
    }

    pub fn bump_queue(&mut self) {
        self.queue_tx.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// Simulated seconds since `t`.
    pub fn sim_secs(&self, t: Instant) -> u64 {
        (t.elapsed().as_secs_f64() * self.speed).round() as u64
    }

    pub fn uptime(&self) -> u64 {
        self.sim_secs(self.started)
    }

    // ---- channels ----

    /// Creates a Local channel pair `Local/<exten>@<context>-XXXXXXXX;1/;2` and emits both
    /// Newchannel events. The ;1 half starts Down, the ;2 half in Ring.
    pub fn new_local_pair(
        &mut self,
        call: u64,
        exten: &str,
        context: &str,
        linkedid: Option<&str>,
    ) -> (ChanKey, ChanKey) {
        let seq = self.local_seq;
        self.local_seq = self.local_seq.wrapping_add(1);
        let epoch = timefmt::unix_secs();
        let mut keys = [0; 2];
        let mut linked = linkedid.map(str::to_string);
        for (i, half) in [1, 2].into_iter().enumerate() {
            let key = self.uid_seq;
            self.uid_seq += 1;
            let uniqueid = format!("{epoch}.{key}");
            let linkedid = linked.get_or_insert_with(|| uniqueid.clone()).clone();
            let c = Chan {
                name: format!("Local/{exten}@{context}-{seq:08x};{half}"),
                state: if half == 1 { 0 } else { 4 },
                cid: CallerId::default(),
                conn: CallerId::default(),
                context: context.into(),
                exten: exten.into(),
                priority: 1,
                uniqueid,
                linkedid,
                app: String::new(),
                app_data: String::new(),
                bridge: String::new(),
                created: Instant::now(),
                call,
            };
            self.emit(Ev::event("Newchannel", Class::Call).chan("", &c));
            self.chans.insert(key, c);
            keys[i] = key;
        }
        (keys[0], keys[1])
    }

    /// The channel, or a placeholder if a call task lost track (never panics).
    pub fn ch(&self, k: ChanKey) -> Chan {
        self.chans.get(&k).cloned().unwrap_or_else(|| Chan {
            name: format!("Local/gone-{k:08x};1"),
            state: 0,
            cid: CallerId::default(),
            conn: CallerId::default(),
            context: String::new(),
            exten: String::new(),
            priority: 1,
            uniqueid: String::new(),
            linkedid: String::new(),
            app: String::new(),
            app_data: String::new(),
            bridge: String::new(),
            created: Instant::now(),
            call: 0,
        })
    }

    pub fn edit(&mut self, k: ChanKey, f: impl FnOnce(&mut Chan)) {
        if let Some(c) = self.chans.get_mut(&k) {
            f(c);
        }
    }

    pub fn chan_event(&mut self, name: &str, k: ChanKey) {
        let c = self.ch(k);
        self.emit(Ev::event(name, Class::Call).chan("", &c));
    }

    pub fn newcallerid(&mut self, k: ChanKey, cid: &CallerId) {
        self.edit(k, |c| c.cid = cid.clone());
        let c = self.ch(k);
        self.emit(
            Ev::event("NewCallerid", Class::Call)
                .chan("", &c)
                .kv("CID-CallingPres", "0 (Presentation Allowed, Not Screened)"),
        );
    }

    pub fn newconnectedline(&mut self, k: ChanKey, conn: &CallerId) {
        self.edit(k, |c| c.conn = conn.clone());
        self.chan_event("NewConnectedLine", k);
    }

    pub fn newstate(&mut self, k: ChanKey, state: u8) {
        self.edit(k, |c| c.state = state);
        self.chan_event("Newstate", k);
    }

    /// DialBegin / DialState / DialEnd. With no `src` (an Originate's own dial) the event has
    /// no Channel block, as Asterisk sends it.
    pub fn dial(&mut self, name: &str, src: Option<ChanKey>, dst: ChanKey, last: (&str, &str)) {
        let mut ev = Ev::event(name, Class::Call);
        if let Some(s) = src {
            ev = ev.chan("", &self.ch(s));
        }
        let ev = ev.chan("Dest", &self.ch(dst)).kv(last.0, last.1);
        self.emit(ev);
    }

    pub fn dial_begin(&mut self, src: Option<ChanKey>, dst: ChanKey, dialstring: &str) {
        self.dial("DialBegin", src, dst, ("DialString", dialstring));
    }

    pub fn dial_state(&mut self, src: Option<ChanKey>, dst: ChanKey, status: &str) {
        self.dial("DialState", src, dst, ("DialStatus", status));
    }

    pub fn dial_end(&mut self, src: Option<ChanKey>, dst: ChanKey, status: &str) {
        self.dial("DialEnd", src, dst, ("DialStatus", status));
    }

    pub fn hangup_request(&mut self, k: ChanKey, cause: u32) {
        let c = self.ch(k);
        self.emit(Ev::event("HangupRequest", Class::Call).chan("", &c).kv("Cause", cause.to_string()));
    }

    pub fn soft_hangup_request(&mut self, k: ChanKey, cause: u32) {
        let c = self.ch(k);
        self.emit(Ev::event("SoftHangupRequest", Class::Call).chan("", &c).kv("Cause", cause.to_string()));
    }

    /// Emits Hangup and removes the channel.
    pub fn hangup(&mut self, k: ChanKey, cause: u32) {
        let Some(c) = self.chans.remove(&k) else { return };
        self.emit(
            Ev::event("Hangup", Class::Call)
                .chan("", &c)
                .kv("Cause", cause.to_string())
                .kv("Cause-txt", cause_txt(cause)),
        );
    }

    /// Hangs up a Local channel pair, in Asterisk's order, once its half `gone` is hung up
    /// with `cause`: HangupRequest of the `partner`, Hangup of `gone`, the partner's
    /// SoftHangupRequest (always cause 16), Hangup of the partner (with `cause` again).
    pub fn hangup_local_pair(&mut self, gone: ChanKey, partner: ChanKey, cause: u32) {
        self.hangup_request(partner, cause);
        self.hangup(gone, cause);
        self.soft_hangup_request(partner, 16);
        self.hangup(partner, cause);
    }

    // ---- bridges ----

    fn bridge_ev(name: &str, id: &str, n: usize) -> Ev {
        Ev::event(name, Class::Call)
            .kv("BridgeUniqueid", id)
            .kv("BridgeType", "basic")
            .kv("BridgeTechnology", "simple_bridge")
            .kv("BridgeCreator", "<unknown>")
            .kv("BridgeName", "<unknown>")
            .kv("BridgeNumChannels", n.to_string())
            .kv("BridgeVideoSourceMode", "none")
    }

    pub fn bridge_create(&mut self) -> String {
        let r: u128 = rand::random();
        let h = format!("{r:032x}");
        let id = format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32]);
        self.emit(Self::bridge_ev("BridgeCreate", &id, 0));
        id
    }

    pub fn bridge_enter(&mut self, id: &str, k: ChanKey, n: usize) {
        self.edit(k, |c| c.bridge = id.to_string());
        let c = self.ch(k);
        self.emit(Self::bridge_ev("BridgeEnter", id, n).chan("", &c));
    }

    pub fn bridge_leave(&mut self, id: &str, k: ChanKey, n: usize) {
        self.edit(k, |c| c.bridge.clear());
        let c = self.ch(k);
        self.emit(Self::bridge_ev("BridgeLeave", id, n).chan("", &c));
    }

    pub fn bridge_destroy(&mut self, id: &str) {
        self.emit(Self::bridge_ev("BridgeDestroy", id, 0));
    }

    // ---- devices and the queue ----

    pub fn device_state_change(&mut self, device: &str, state: &str) {
        self.emit(Ev::event("DeviceStateChange", Class::Call).kv("Device", device).kv("State", state));
    }

    pub fn is_busy(&self, interface: &str) -> bool {
        self.busy.get(interface).is_some_and(|n| *n > 0)
    }

    /// A leg started ringing on `interface` (a Local channel device is INUSE from then on).
    pub fn device_busy(&mut self, interface: &str) {
        let n = self.busy.entry(interface.to_string()).or_insert(0);
        *n += 1;
        if *n == 1 {
            self.device_state_change(interface, "INUSE");
            self.member_status(interface);
        }
    }

    /// A leg on `interface` ended.
    pub fn device_free(&mut self, interface: &str) {
        let Some(n) = self.busy.get_mut(interface) else { return };
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.busy.remove(interface);
            self.member_status(interface);
            self.device_state_change(interface, "NOT_INUSE");
            self.bump_queue();
        }
    }

    /// QueueMemberStatus for `interface` if it is a queue member.
    pub fn member_status(&mut self, interface: &str) {
        let status = if self.is_busy(interface) { 2 } else { 1 };
        let q = &self.queue;
        if let Some(m) = q.members.iter().find(|m| m.interface.eq_ignore_ascii_case(interface)) {
            let ev = Ev::event("QueueMemberStatus", Class::Agent).member(&q.name, m, status);
            self.emit(ev);
        }
    }

    pub fn member_mut(&mut self, interface: &str) -> Option<&mut Member> {
        self.queue.members.iter_mut().find(|m| m.interface.eq_ignore_ascii_case(interface))
    }

    pub fn device_status(&self, interface: &str) -> u8 {
        if self.is_busy(interface) {
            2
        } else {
            1
        }
    }
}

pub(crate) fn cause_txt(cause: u32) -> &'static str {
    match cause {
        0 => "Unknown",
        16 => "Normal Clearing",
        17 => "User busy",
        19 => "No user responding",
        21 => "Call Rejected",
        26 => "Answered elsewhere",
        _ => "Unknown",
    }
}

/// Resolves once the PBX is stopping (or its handle is gone).
pub(crate) async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|v| *v).await;
}
