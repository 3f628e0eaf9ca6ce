//! Call simulations. Each call is one task that takes the state lock for each burst of events
//! (never across a wait) and sleeps, scaled by `speed`, between bursts. The event order of
//! each scenario copies the Asterisk transcripts (`shared/ami/a_…`, `b_…`, `c_…`, `e_…`),
//! minus dialplan noise (VarSet, Newexten, LocalBridge).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};
use tokio::time::Instant as TokioInstant;

use crate::callerid::CallerId;
use crate::state::{CallCmd, Chan, ChanKey, Class, Ev, Shared, State, Target, Waiting, MAX_CALLS};
use crate::DemoPbxError;

/// Per-call changes to the configured behaviour (scenario steps).
#[derive(Debug, Clone, Default)]
pub(crate) struct Overrides {
    pub answer: Option<AnswerPlan>,
    pub talk: Option<Duration>,
}

#[derive(Debug, Clone)]
pub(crate) enum AnswerPlan {
    Nobody,
    /// Only this agent answers, after `after` (or its configured delay, or 3 s).
    Agent {
        ext: String,
        after: Option<Duration>,
    },
}

/// Who asked for a call with `Action: Originate`, to answer them when it is up or has failed.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub session: u64,
    pub action_id: Option<String>,
    pub asynchronous: bool,
    /// The `Channel` as requested.
    pub channel: String,
    pub dest: OrigDest,
}

#[derive(Debug, Clone)]
pub(crate) enum OrigDest {
    Exten { context: String, exten: String },
    App { app: String, data: String },
}

impl Origin {
    fn response_ev(&self, ok: bool, chan: Option<&Chan>, reason: u32) -> Ev {
        let mut ev = Ev::event("OriginateResponse", Class::Call)
            .id(self.action_id.as_deref())
            .kv("Response", if ok { "Success" } else { "Failure" })
            .kv("Channel", chan.map_or(self.channel.as_str(), |c| c.name.as_str()));
        ev = match &self.dest {
            OrigDest::Exten { context, exten } => ev.kv("Context", context).kv("Exten", exten),
            OrigDest::App { app, data } => ev.kv("Application", app).kv("Data", data),
        };
        let unknown = |s: &str| if s.is_empty() { "<unknown>".to_string() } else { s.to_string() };
        ev.kv("Reason", reason.to_string())
            .kv("Uniqueid", chan.map_or("<unknown>".to_string(), |c| c.uniqueid.clone()))
            .kv("CallerIDNum", chan.map_or("<unknown>".to_string(), |c| unknown(&c.cid.num)))
            .kv("CallerIDName", chan.map_or("<unknown>".to_string(), |c| unknown(&c.cid.name)))
    }

    /// The originated channel answered.
    pub fn succeeded(&self, st: &mut State, chan: &Chan) {
        if self.asynchronous {
            st.emit(self.response_ev(true, Some(chan), 4));
        } else {
            st.send_to(
                self.session,
                Ev::response("Success", self.action_id.as_deref()).kv("Message", "Originate successfully queued"),
            );
        }
    }

    /// The originate failed: `reason` as Asterisk reports it (0 no such channel, 1 hung up,
    /// 3 ring timeout, 5 busy).
    pub fn failed(&self, st: &mut State, chan: Option<&Chan>, reason: u32) {
        if self.asynchronous {
            st.emit(self.response_ev(false, chan, reason));
        } else {
            st.send_to(
                self.session,
                Ev::response("Error", self.action_id.as_deref()).kv("Message", "Originate failed"),
            );
        }
    }
}

/// Starts an inbound call from `caller` to an agent extension or the queue.
pub(crate) fn ring_inbound(
    shared: &Arc<Shared>,
    caller: CallerId,
    to: &str,
    ov: Overrides,
    origin: Option<Origin>,
) -> Result<(), DemoPbxError> {
    let target = shared.cfg.target(to)?;
    tracing::info!(from = %caller.num, to = %target.dialed(), "demo PBX: inbound call");
    spawn_call(shared, move |ctx| async move {
        match target {
            Target::Agent(ext) => direct(ctx, caller, ext, ov, origin).await,
            Target::Queue(_) => queue_call(ctx, caller, ov, origin).await,
        }
    })
}

/// Starts a click-to-call: the agent's phone rings, then the outside number.
pub(crate) fn ring_click_to_call(
    shared: &Arc<Shared>,
    ext: String,
    cid: CallerId,
    timeout: Duration,
    origin: Origin,
) -> Result<(), DemoPbxError> {
    tracing::info!(agent = %ext, "demo PBX: click-to-call");
    spawn_call(shared, move |ctx| click_to_call(ctx, ext, cid, timeout, origin))
}

fn spawn_call<F, Fut>(shared: &Arc<Shared>, f: F) -> Result<(), DemoPbxError>
where
    F: FnOnce(Ctx) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    if shared.stopping() {
        return Err(DemoPbxError::Stopped);
    }
    let (tx, rx) = mpsc::unbounded_channel();
    let id = {
        let mut st = shared.lock();
        if st.call_count() >= MAX_CALLS {
            return Err(DemoPbxError::TooManyCalls);
        }
        st.register_call(tx)
    };
    let ctx = Ctx {
        shared: shared.clone(),
        id,
        ctl: rx,
        shutdown: shared.shutdown.clone(),
        queue_rx: shared.queue_rx.clone(),
    };
    let fut = f(ctx);
    let shared2 = shared.clone();
    shared.rt.spawn(async move {
        fut.await;
        shared2.lock().end_call(id);
    });
    Ok(())
}

pub(crate) struct Ctx {
    shared: Arc<Shared>,
    id: u64,
    ctl: mpsc::UnboundedReceiver<CallCmd>,
    shutdown: watch::Receiver<bool>,
    queue_rx: watch::Receiver<u64>,
}

enum Wake {
    Time,
    Hangup(ChanKey),
    QueueChanged,
    Stop,
}

impl Ctx {
    fn deadline(&self, d: Duration) -> TokioInstant {
        TokioInstant::now() + self.shared.scaled(d)
    }

    async fn wait_until(&mut self, at: Option<TokioInstant>, queue: bool) -> Wake {
        if *self.shutdown.borrow() {
            return Wake::Stop;
        }
        let sleep = async move {
            match at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = sleep => Wake::Time,
            cmd = self.ctl.recv() => match cmd {
                Some(CallCmd::Hangup(k)) => Wake::Hangup(k),
                None => Wake::Stop,
            },
            _ = self.shutdown.changed() => Wake::Stop,
            r = self.queue_rx.changed(), if queue => match r {
                Ok(()) => Wake::QueueChanged,
                Err(_) => Wake::Stop,
            },
        }
    }

    /// Waits `d` (simulated); `Some(k)` if channel `k` of `ours` was hung up first, `None` if
    /// the time passed. `Err(())` when the PBX stops.
    async fn wait_or_hangup(&mut self, d: Option<Duration>, ours: &[ChanKey]) -> Result<Option<ChanKey>, ()> {
        let at = d.map(|d| self.deadline(d));
        loop {
            match self.wait_until(at, false).await {
                Wake::Time => return Ok(None),
                Wake::Hangup(k) if ours.contains(&k) => return Ok(Some(k)),
                Wake::Hangup(_) | Wake::QueueChanged => continue,
                Wake::Stop => return Err(()),
            }
        }
    }
}

fn answer_delay(shared: &Shared, ov: &Overrides, ext: &str) -> Option<Duration> {
    match &ov.answer {
        Some(AnswerPlan::Nobody) => None,
        Some(AnswerPlan::Agent { ext: who, after }) if who == ext => {
            after.or_else(|| shared.cfg.agent(ext).and_then(|a| a.answer_after)).or(Some(Duration::from_secs(3)))
        }
        Some(AnswerPlan::Agent { .. }) => None,
        None => shared.cfg.agent(ext).and_then(|a| a.answer_after),
    }
}

// ---------------------------------------------------------------------------------------------
// Steps that recur across the call flows, each sending its events in the order of the
// Asterisk transcripts. Channels: `t1`/`t2` the trunk pair (`t1` the customer's handset, `t2`
// the half that runs Dial or Queue); `a1`/`a2` an agent pair (`a1` the dialed half, `a2` the
// agent's phone); `p1`/`p2` the outside pair of a click-to-call.

impl State {
    /// The customer's side: the trunk pair `Local/<to>@inbound-…;1/;2`, their caller ID, and
    /// the Originate's own DialBegin (no Channel block), as at the top of transcripts a, b, c.
    fn trunk_setup(&mut self, call: u64, to: &str, caller: &CallerId) -> (ChanKey, ChanKey) {
        let (t1, t2) = self.new_local_pair(call, to, "inbound", None);
        self.newcallerid(t1, caller);
        self.newconnectedline(t1, caller);
        self.edit(t2, |c| c.conn = caller.clone());
        self.newcallerid(t2, caller);
        self.newconnectedline(t2, caller);
        self.set_app(t1, "AppDial2", "(Outgoing Line)");
        self.dial_begin(None, t1, &format!("{to}@inbound"));
        (t1, t2)
    }

    /// The Local pair a Dial of `exten@context` by `caller` creates (its legs linked to
    /// `linked`), with the caller IDs Asterisk gives it: the ;1 half shows the dialed number
    /// under the caller's name and is connected to the caller; the ;2 half shows the caller and
    /// is connected to the dialed number.
    fn dialed_pair(
        &mut self,
        call: u64,
        exten: &str,
        context: &str,
        linked: &str,
        caller: &CallerId,
    ) -> (ChanKey, ChanKey) {
        let (k1, k2) = self.new_local_pair(call, exten, context, Some(linked));
        let dialed = CallerId { num: exten.to_string(), name: caller.name.clone() };
        self.edit(k1, |c| c.conn = caller.clone());
        self.newcallerid(k1, &dialed);
        self.newconnectedline(k1, caller);
        self.edit(k2, |c| c.conn = dialed.clone());
        self.newcallerid(k2, caller);
        self.newconnectedline(k2, &dialed);
        (k1, k2)
    }

    fn set_app(&mut self, k: ChanKey, app: &str, data: &str) {
        self.edit(k, |c| {
            c.app = app.into();
            c.app_data = data.into();
        });
    }

    /// The agent's phone `a2` picked up: it goes Up, then its Local partner `a1`.
    fn agent_picks_up(&mut self, a1: ChanKey, a2: ChanKey) {
        self.edit(a2, |c| c.priority = 5);
        self.newstate(a2, 6);
        self.newstate(a1, 6);
    }

    /// The agent's phone `a2` talks (the demo dialplan's Echo).
    fn agent_talks(&mut self, a2: ChanKey) {
        self.edit(a2, |c| c.priority = 6);
        self.set_app(a2, "Echo", "");
    }

    /// An answered inbound call is connected: the trunk's `t2` goes Up and is bridged with the
    /// agent's `a1`, the customer's `t1` goes Up, its dial ends ANSWER and the Originate that
    /// asked for the call (if any) succeeds; the agent talks and `t1` waits out `talk`.
    /// Returns the bridge.
    fn connect_inbound(
        &mut self,
        (t1, t2): (ChanKey, ChanKey),
        (a1, a2): (ChanKey, ChanKey),
        origin: Option<&Origin>,
        talk: Duration,
    ) -> String {
        self.newstate(t2, 6);
        let b = self.bridge_create();
        self.bridge_enter(&b, a1, 1);
        self.bridge_enter(&b, t2, 2);
        self.newstate(t1, 6);
        self.dial_end(None, t1, "ANSWER");
        if let Some(o) = origin {
            let c = self.ch(t1);
            o.succeeded(self, &c);
        }
        self.agent_talks(a2);
        self.set_app(t1, "Wait", &talk.as_secs().to_string());
        b
    }

    /// The customer hung up while the call rang: the trunk's dial ends CANCEL, the Originate
    /// that asked for the call (if any) fails (reason 1) and `t1` goes. `t2` stays until the
    /// ringing legs are cancelled.
    fn customer_hangs_up_ringing(&mut self, t1: ChanKey, t2: ChanKey, origin: Option<&Origin>) {
        self.hangup_request(t2, 16);
        self.dial_end(None, t1, "CANCEL");
        self.fail_origin(origin, t1, 1);
        self.hangup(t1, 16);
    }

    /// A leg still ringing when the customer left: its dial from `t2` ends CANCEL and the
    /// pair goes.
    fn cancel_ringing_leg(&mut self, t2: ChanKey, a1: ChanKey, a2: ChanKey) {
        self.dial_end(Some(t2), a1, "CANCEL");
        self.hangup_local_pair(a1, a2, 0);
    }

    /// The agent's phone `a2` rejected the ringing leg: the pair goes and its dial from `t2`
    /// ends BUSY.
    fn agent_rejects(&mut self, t2: ChanKey, a1: ChanKey, a2: ChanKey) {
        self.hangup_request(a1, 16);
        self.hangup(a2, 16);
        self.dial_end(Some(t2), a1, "BUSY");
        self.hangup(a1, 16);
    }

    /// After a failed dial the trunk's dialplan ends and the customer's handset is hung up.
    fn trunk_gives_up(&mut self, t1: ChanKey, t2: ChanKey, origin: Option<&Origin>, status: &str, reason: u32) {
        self.soft_hangup_request(t2, 16);
        self.hangup_request(t1, 16);
        self.hangup(t2, 16);
        self.dial_end(None, t1, status);
        self.fail_origin(origin, t1, reason);
        self.hangup(t1, 16);
    }

    /// The dialplan of `a1` (the half an Originate started) is done: Asterisk soft-hangs it
    /// up, then the pair goes.
    fn dialplan_done(&mut self, a1: ChanKey, a2: ChanKey) {
        self.soft_hangup_request(a1, 16);
        self.hangup_local_pair(a1, a2, 16);
    }

    /// A queue caller event (QueueCallerJoin, …Abandon, …Leave) up to its `Queue` field.
    fn queue_caller_ev(&self, name: &str, t2: ChanKey, qname: &str) -> Ev {
        Ev::event(name, Class::Agent).chan("", &self.ch(t2)).kv("Queue", qname)
    }

    fn fail_origin(&mut self, origin: Option<&Origin>, k: ChanKey, reason: u32) {
        if let Some(o) = origin {
            let c = self.ch(k);
            o.failed(self, Some(&c), reason);
        }
    }

    /// The hangup of a call bridged between two Local pairs, each given as (its phone's half,
    /// its half in the bridge), started by the phone of `hung_up`, as in transcript a: that
    /// pair leaves the bridge, then the `other` pair follows. `also` is an event Asterisk
    /// sends right after the first HangupRequest (a queue call's AgentComplete).
    fn bridged_hangup(
        &mut self,
        bridge: &str,
        hung_up: (ChanKey, ChanKey),
        other: (ChanKey, ChanKey),
        also: Option<Ev>,
    ) {
        let (gone, bridged) = hung_up;
        self.hangup_request(bridged, 0);
        if let Some(ev) = also {
            self.emit(ev);
        }
        self.hangup(gone, 0);
        self.bridge_leave(bridge, bridged, 1);
        self.soft_hangup_request(bridged, 16);
        self.hangup(bridged, 16);
        let (phone, bridged) = other;
        self.bridge_leave(bridge, bridged, 0);
        self.bridge_destroy(bridge);
        self.hangup_local_pair(bridged, phone, 16);
    }
}

// ---------------------------------------------------------------------------------------------
// Inbound call straight to an extension (transcripts a and b).

async fn direct(mut ctx: Ctx, caller: CallerId, ext: String, ov: Overrides, origin: Option<Origin>) {
    let shared = ctx.shared.clone();
    let iface = format!("Local/{ext}@agents");
    let dial_timeout = shared.cfg.dial_timeout;
    let talk = ov.talk.unwrap_or(shared.cfg.talk_time);
    let answer_after = answer_delay(&shared, &ov, &ext);
    let origin = origin.as_ref();
    let (t1, t2, a1, a2) = {
        let mut st = shared.lock();
        let (t1, t2) = st.trunk_setup(ctx.id, &ext, &caller);
        st.edit(t2, |c| c.priority = 2);
        st.set_app(t2, "Dial", &format!("{iface},{}", dial_timeout.as_secs()));
        let linked = st.ch(t1).uniqueid;
        let (a1, a2) = st.dialed_pair(ctx.id, &ext, "agents", &linked, &caller);
        st.set_app(a1, "AppDial2", "(Outgoing Line)");
        st.set_app(a2, "Ringing", "");
        st.dial_begin(Some(t2), a1, &format!("{ext}@agents"));
        st.newstate(a1, 5);
        st.newstate(t1, 5);
        st.dial_state(Some(t2), a1, "RINGING");
        st.device_busy(&iface);
        st.dial_state(None, t1, "RINGING");
        (t1, t2, a1, a2)
    };

    let answers = answer_after.filter(|a| *a <= dial_timeout);
    let ring_for = answers.unwrap_or(dial_timeout);
    let Ok(hung) = ctx.wait_or_hangup(Some(ring_for), &[t1, t2, a1, a2]).await else { return };
    match hung {
        Some(k) if k == t1 || k == t2 => {
            // The customer gave up while it rang.
            let mut st = shared.lock();
            st.customer_hangs_up_ringing(t1, t2, origin);
            st.cancel_ringing_leg(t2, a1, a2);
            st.hangup(t2, 16);
            st.device_free(&iface);
            return;
        }
        Some(_) => {
            // The agent rejected the call.
            let mut st = shared.lock();
            st.agent_rejects(t2, a1, a2);
            st.trunk_gives_up(t1, t2, origin, "BUSY", 5);
            st.device_free(&iface);
            return;
        }
        None if answers.is_none() => {
            // Nobody answered within the dial timeout: a missed call (transcript b). Asterisk
            // interleaves the hangups of the two pairs here, so neither `hangup_local_pair`
            // nor `trunk_gives_up` fits.
            let mut st = shared.lock();
            st.dial_end(Some(t2), a1, "NOANSWER");
            st.hangup_request(a2, 0);
            st.hangup(a1, 0);
            st.soft_hangup_request(t2, 16);
            st.hangup_request(t1, 16);
            st.hangup(t2, 16);
            st.soft_hangup_request(a2, 16);
            st.hangup(a2, 0);
            st.dial_end(None, t1, "NOANSWER");
            st.fail_origin(origin, t1, 1);
            st.hangup(t1, 16);
            st.device_free(&iface);
            return;
        }
        None => {}
    }

    // Answered (transcript a).
    let bridge = {
        let mut st = shared.lock();
        st.agent_picks_up(a1, a2);
        st.edit(a1, |c| c.exten.clear());
        st.dial_end(Some(t2), a1, "ANSWER");
        let b = st.connect_inbound((t1, t2), (a1, a2), origin, talk);
        st.set_app(a1, "AppDial2", "(Outgoing Line)");
        b
    };
    let Ok(hung) = ctx.wait_or_hangup(Some(talk), &[t1, t2, a1, a2]).await else { return };
    let mut st = shared.lock();
    let (agent, trunk) = ((a2, a1), (t1, t2));
    if matches!(hung, Some(k) if k == a1 || k == a2) {
        st.bridged_hangup(&bridge, agent, trunk, None);
    } else {
        st.bridged_hangup(&bridge, trunk, agent, None);
    }
    st.device_free(&iface);
}

// ---------------------------------------------------------------------------------------------
// Inbound call through the queue (transcript c).

struct Leg {
    iface: String,
    member: String,
    a1: ChanKey,
    a2: ChanKey,
    answer_at: Option<TokioInstant>,
    rang_at: Instant,
    /// The queue stops ringing this member then (`queues.conf` `timeout`).
    gives_up_at: TokioInstant,
}

struct QueueCall {
    t1: ChanKey,
    t2: ChanKey,
    linked: String,
    caller: CallerId,
    legs: Vec<Leg>,
    declined: Vec<String>,
    ring_reported: bool,
}

async fn queue_call(mut ctx: Ctx, caller: CallerId, ov: Overrides, origin: Option<Origin>) {
    let shared = ctx.shared.clone();
    let qnum = shared.cfg.queue.number.clone();
    let qname = shared.cfg.queue.name.clone();
    let talk = ov.talk.unwrap_or(shared.cfg.talk_time);
    let joined = Instant::now();
    let mut q = {
        let mut st = shared.lock();
        let (t1, t2) = st.trunk_setup(ctx.id, &qnum, &caller);
        st.edit(t2, |c| c.priority = 2);
        st.set_app(t2, "Queue", &format!("{qname},r,,,{}", shared.cfg.queue_timeout.as_secs()));
        st.queue.waiting.push(Waiting { call: ctx.id, chan: t2, since: joined });
        let count = st.queue.waiting.len().to_string();
        let ev = st.queue_caller_ev("QueueCallerJoin", t2, &qname).kv("Position", &count).kv("Count", &count);
        st.emit(ev);
        st.newstate(t1, 5);
        let linked = st.ch(t1).uniqueid;
        QueueCall { t1, t2, linked, caller, legs: Vec::new(), declined: Vec::new(), ring_reported: false }
    };
    let deadline = ctx.deadline(shared.cfg.queue_timeout);
    ctx.queue_rx.borrow_and_update();
    ring_available(&mut shared.lock(), &shared, ctx.id, &mut q, &ov);

    let winner = loop {
        let next_answer = q.legs.iter().filter_map(|l| l.answer_at).chain(q.legs.iter().map(|l| l.gives_up_at)).min();
        let wake = next_answer.map_or(deadline, |a| a.min(deadline));
        match ctx.wait_until(Some(wake), true).await {
            Wake::Stop => return,
            Wake::QueueChanged => {
                ctx.queue_rx.borrow_and_update();
                ring_available(&mut shared.lock(), &shared, ctx.id, &mut q, &ov);
            }
            Wake::Hangup(k) if k == q.t1 || k == q.t2 => break None,
            Wake::Hangup(k) => {
                if let Some(i) = q.legs.iter().position(|l| l.a1 == k || l.a2 == k) {
                    let leg = q.legs.remove(i);
                    let mut st = shared.lock();
                    st.agent_rejects(q.t2, leg.a1, leg.a2);
                    q.declined.push(leg.iface.clone());
                    st.device_free(&leg.iface);
                }
            }
            Wake::Time => {
                let now = TokioInstant::now();
                if let Some(i) = q.legs.iter().position(|l| l.answer_at.is_some_and(|t| t <= now)) {
                    break Some(q.legs.remove(i));
                }
                while let Some(i) = q.legs.iter().position(|l| l.gives_up_at <= now) {
                    let leg = q.legs.remove(i);
                    let mut st = shared.lock();
                    ring_no_answer(&mut st, &q, &leg, &qname);
                    q.declined.push(leg.iface.clone());
                    st.device_free(&leg.iface);
                }
                if now >= deadline {
                    break None;
                }
            }
        }
    };

    let Some(w) = winner else {
        // The caller hung up (or gave up after the queue timeout): an abandoned call.
        let mut st = shared.lock();
        let (t1, t2) = (q.t1, q.t2);
        st.customer_hangs_up_ringing(t1, t2, origin.as_ref());
        for l in &q.legs {
            st.cancel_ringing_leg(t2, l.a1, l.a2);
        }
        let pos = position(&st, ctx.id).to_string();
        let hold = st.sim_secs(joined);
        let ev = st
            .queue_caller_ev("QueueCallerAbandon", t2, &qname)
            .kv("Position", &pos)
            .kv("OriginalPosition", &pos)
            .kv("HoldTime", hold.to_string());
        st.emit(ev);
        leave_queue(&mut st, ctx.id, t2, &qname);
        for l in &q.legs {
            st.device_free(&l.iface);
        }
        st.queue.abandoned += 1;
        st.hangup(t2, 16);
        return;
    };

    let (t1, t2) = (q.t1, q.t2);
    let (hold, bridge) = {
        let mut st = shared.lock();
        st.agent_picks_up(w.a1, w.a2);
        st.dial_end(Some(t2), w.a1, "ANSWER");
        for l in &q.legs {
            // Asterisk 22 reports the cancel of each other ringing leg twice.
            st.dial_end(Some(t2), l.a1, "CANCEL");
            st.dial_end(Some(t2), l.a1, "CANCEL");
            st.hangup_local_pair(l.a1, l.a2, 26);
        }
        leave_queue(&mut st, ctx.id, t2, &qname);
        for l in &q.legs {
            st.device_free(&l.iface);
        }
        if let Some(m) = st.member_mut(&w.iface) {
            m.in_call = true;
        }
        let hold = st.sim_secs(joined);
        let ring = st.sim_secs(w.rang_at);
        let (ct, ca) = (st.ch(t2), st.ch(w.a1));
        st.emit(
            Ev::event("AgentConnect", Class::Agent)
                .chan("", &ct)
                .chan("Dest", &ca)
                .kv("Queue", &qname)
                .kv("Interface", &w.iface)
                .kv("MemberName", &w.member)
                .kv("HoldTime", hold.to_string())
                .kv("RingTime", ring.to_string()),
        );
        let b = st.connect_inbound((t1, t2), (w.a1, w.a2), origin.as_ref(), talk);
        (hold, b)
    };
    let talk_started = Instant::now();
    let Ok(hung) = ctx.wait_or_hangup(Some(talk), &[t1, t2, w.a1, w.a2]).await else { return };
    let mut st = shared.lock();
    let talk_secs = st.sim_secs(talk_started);
    let complete = |st: &State, reason: &str| {
        Ev::event("AgentComplete", Class::Agent)
            .chan("", &st.ch(t2))
            .chan("Dest", &st.ch(w.a1))
            .kv("Queue", &qname)
            .kv("Interface", &w.iface)
            .kv("MemberName", &w.member)
            .kv("HoldTime", hold.to_string())
            .kv("TalkTime", talk_secs.to_string())
            .kv("Reason", reason)
    };
    let (agent, trunk) = ((w.a2, w.a1), (t1, t2));
    if matches!(hung, Some(k) if k == w.a1 || k == w.a2) {
        let ev = complete(&st, "agent");
        st.bridged_hangup(&bridge, agent, trunk, Some(ev));
    } else {
        let ev = complete(&st, "caller");
        st.bridged_hangup(&bridge, trunk, agent, Some(ev));
    }
    let now = crate::timefmt::unix_secs();
    if let Some(m) = st.member_mut(&w.iface) {
        m.in_call = false;
        m.calls_taken += 1;
        m.last_call = now;
    }
    st.queue.completed += 1;
    st.queue.hold_total += hold;
    st.queue.talk_total += talk_secs;
    st.device_free(&w.iface);
}

/// Rings every member that is not paused, not busy (ringinuse=0) and has not declined.
/// The queue stops ringing a member who did not pick up, as app_queue does after `timeout`:
/// `AgentRingNoAnswer`, then the member's leg ends `NOANSWER`. The caller keeps waiting.
fn ring_no_answer(st: &mut State, q: &QueueCall, leg: &Leg, qname: &str) {
    let ring = st.sim_secs(leg.rang_at);
    let (ct, ca) = (st.ch(q.t2), st.ch(leg.a1));
    st.emit(
        Ev::event("AgentRingNoAnswer", Class::Agent)
            .chan("", &ct)
            .chan("Dest", &ca)
            .kv("Queue", qname)
            .kv("Interface", &leg.iface)
            .kv("MemberName", &leg.member)
            .kv("RingTime", (ring * 1000).to_string()),
    );
    st.dial_end(Some(q.t2), leg.a1, "NOANSWER");
    st.hangup_local_pair(leg.a1, leg.a2, 19);
}

fn ring_available(st: &mut State, shared: &Shared, call: u64, q: &mut QueueCall, ov: &Overrides) {
    let qnum = shared.cfg.queue.number.clone();
    let qname = shared.cfg.queue.name.clone();
    let candidates: Vec<(String, String, String)> = st
        .queue
        .members
        .iter()
        .filter(|m| !m.paused && !st.is_busy(&m.interface))
        .filter(|m| !q.legs.iter().any(|l| l.iface == m.interface) && !q.declined.contains(&m.interface))
        .filter_map(|m| Some((m.interface.clone(), m.name.clone(), m.ext()?.to_string())))
        .collect();
    let (t1, t2) = (q.t1, q.t2);
    let mut fresh = Vec::new();
    for (iface, member, ext) in candidates {
        let (a1, a2) = st.new_local_pair(call, &ext, "agents", Some(&q.linked));
        st.newcallerid(a1, &q.caller);
        st.edit(a2, |c| c.conn = q.caller.clone());
        st.newcallerid(a2, &q.caller);
        st.newconnectedline(a2, &q.caller);
        if !q.ring_reported {
            st.dial_state(None, t1, "RINGING");
            q.ring_reported = true;
        }
        let mut dest = st.ch(a1);
        dest.exten = qnum.clone();
        dest.conn = q.caller.clone();
        let ct = st.ch(t2);
        st.emit(
            Ev::event("AgentCalled", Class::Agent)
                .chan("", &ct)
                .chan("Dest", &dest)
                .kv("Queue", &qname)
                .kv("Interface", &iface)
                .kv("MemberName", &member),
        );
        st.dial_begin(Some(t2), a1, &iface);
        let caller = q.caller.clone();
        st.edit(a1, |c| {
            c.exten = qnum.clone();
            c.conn = caller;
            c.app = "AppQueue".into();
            c.app_data = "(Outgoing Line)".into();
        });
        st.set_app(a2, "Ringing", "");
        let answer_at = answer_delay(shared, ov, &ext).map(|d| TokioInstant::now() + shared.scaled(d));
        let gives_up_at = TokioInstant::now() + shared.scaled(shared.cfg.member_ring_timeout);
        fresh.push(Leg { iface, member, a1, a2, answer_at, rang_at: Instant::now(), gives_up_at });
    }
    for l in &fresh {
        st.newstate(l.a1, 5);
        st.chan_event("NewConnectedLine", l.a1);
        st.device_busy(&l.iface);
        st.dial_state(Some(t2), l.a1, "RINGING");
    }
    q.legs.extend(fresh);
}

fn position(st: &State, call: u64) -> usize {
    st.queue.waiting.iter().position(|w| w.call == call).map_or(1, |i| i + 1)
}

fn leave_queue(st: &mut State, call: u64, t2: ChanKey, qname: &str) {
    let pos = position(st, call);
    st.queue.waiting.retain(|w| w.call != call);
    let count = st.queue.waiting.len();
    let ev = st
        .queue_caller_ev("QueueCallerLeave", t2, qname)
        .kv("Position", pos.to_string())
        .kv("Count", count.to_string());
    st.emit(ev);
}

// ---------------------------------------------------------------------------------------------
// Click-to-call (transcript e): the agent's phone rings; when the agent answers, the outside
// number is dialed from the agent's channel.

async fn click_to_call(mut ctx: Ctx, ext: String, cid: CallerId, timeout: Duration, origin: Origin) {
    let shared = ctx.shared.clone();
    let iface = format!("Local/{ext}@agents");
    let talk = shared.cfg.talk_time;
    let answer_after = answer_delay(&shared, &Overrides::default(), &ext);
    let (a1, a2) = {
        let mut st = shared.lock();
        let (a1, a2) = st.new_local_pair(ctx.id, &ext, "agents", None);
        if !cid.num.is_empty() || !cid.name.is_empty() {
            st.newcallerid(a1, &cid);
            st.newconnectedline(a1, &cid);
            st.edit(a2, |c| c.conn = cid.clone());
            st.newcallerid(a2, &cid);
            st.newconnectedline(a2, &cid);
        }
        st.set_app(a2, "Ringing", "");
        st.dial_begin(None, a1, &format!("{ext}@agents"));
        st.newstate(a1, 5);
        st.dial_state(None, a1, "RINGING");
        st.device_busy(&iface);
        (a1, a2)
    };
    let answers = answer_after.filter(|a| *a <= timeout);
    let Ok(hung) = ctx.wait_or_hangup(Some(answers.unwrap_or(timeout)), &[a1, a2]).await else { return };
    if hung.is_some() || answers.is_none() {
        let (status, reason) = if hung.is_some() { ("BUSY", 5) } else { ("NOANSWER", 3) };
        let mut st = shared.lock();
        st.dial_end(None, a1, status);
        st.fail_origin(Some(&origin), a1, reason);
        st.hangup_local_pair(a1, a2, 0);
        st.device_free(&iface);
        return;
    }
    let outside = {
        let mut st = shared.lock();
        st.agent_picks_up(a1, a2);
        st.dial_end(None, a1, "ANSWER");
        st.agent_talks(a2);
        match &origin.dest {
            OrigDest::Exten { context, exten } => {
                let number = crate::callerid::dialable(exten);
                st.edit(a1, |c| {
                    c.context = context.clone();
                    c.exten = number.clone();
                    c.priority = 1;
                });
                let agent = st.ch(a1);
                let (p1, p2) = st.dialed_pair(ctx.id, &number, "pstn", &agent.linkedid, &agent.cid);
                st.set_app(a1, "Dial", &format!("{number}@pstn"));
                st.dial_begin(Some(a1), p1, &format!("{number}@pstn"));
                let c = st.ch(a1);
                origin.succeeded(&mut st, &c);
                st.newstate(p1, 5);
                st.dial_state(Some(a1), p1, "RINGING");
                Some((p1, p2))
            }
            OrigDest::App { app, data } => {
                st.set_app(a1, app, data);
                let c = st.ch(a1);
                origin.succeeded(&mut st, &c);
                None
            }
        }
    };
    let Some((p1, p2)) = outside else {
        if ctx.wait_or_hangup(Some(talk), &[a1, a2]).await.is_err() {
            return;
        }
        let mut st = shared.lock();
        st.hangup_local_pair(a1, a2, 16);
        st.device_free(&iface);
        return;
    };

    let outside_after = shared.cfg.outside_answer_after.filter(|d| *d <= shared.cfg.dial_timeout);
    let ring_for = outside_after.unwrap_or(shared.cfg.dial_timeout);
    let Ok(hung) = ctx.wait_or_hangup(Some(ring_for), &[a1, a2, p1, p2]).await else { return };
    if hung.is_some() || outside_after.is_none() {
        let status = match hung {
            Some(k) if k == p1 || k == p2 => "BUSY",
            Some(_) => "CANCEL",
            None => "NOANSWER",
        };
        let mut st = shared.lock();
        st.dial_end(Some(a1), p1, status);
        st.hangup_local_pair(p1, p2, 0);
        st.dialplan_done(a1, a2);
        st.device_free(&iface);
        return;
    }
    let bridge = {
        let mut st = shared.lock();
        st.newstate(p2, 6);
        st.newstate(p1, 6);
        st.edit(p1, |c| c.exten.clear());
        st.dial_end(Some(a1), p1, "ANSWER");
        let b = st.bridge_create();
        st.bridge_enter(&b, p1, 1);
        st.bridge_enter(&b, a1, 2);
        st.set_app(p2, "Echo", "");
        b
    };
    let Ok(hung) = ctx.wait_or_hangup(Some(talk), &[a1, a2, p1, p2]).await else { return };
    let mut st = shared.lock();
    if matches!(hung, Some(k) if k == a1 || k == a2) {
        st.bridged_hangup(&bridge, (a2, a1), (p2, p1), None);
    } else {
        // The outside party hangs up (transcript e).
        st.soft_hangup_request(p2, 16);
        st.hangup_request(p1, 16);
        st.hangup(p2, 16);
        st.bridge_leave(&bridge, p1, 1);
        st.hangup(p1, 16);
        st.bridge_leave(&bridge, a1, 0);
        st.bridge_destroy(&bridge);
        st.dialplan_done(a1, a2);
    }
    st.device_free(&iface);
}
