//! The AMI server: the accept loop, one reader and one writer per connection, and the actions.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use md5::{Digest, Md5};
use ringside_ami::codec::{Decoder, Frame, Message};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify};

use crate::callerid;
use crate::calls::{self, OrigDest, Origin, Overrides};
use crate::state::{parse_mask, Class, Ev, Filter, Out, Shared, State, MASK_ALL};
use crate::timefmt;

pub(crate) const BANNER: &str = "Asterisk Call Manager/11.0.0\r\n";

/// Largest action we accept; real ones are a few hundred bytes.
const MAX_ACTION: usize = 64 * 1024;
/// Time to log in before the connection is closed (real time, as Asterisk's default).
const AUTH_TIMEOUT: Duration = Duration::from_secs(30);
/// Filters one session may add.
const MAX_FILTERS: usize = 64;

pub(crate) async fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    let mut shutdown = shared.shutdown.clone();
    loop {
        tokio::select! {
            _ = crate::state::stopped(&mut shutdown) => break,
            r = listener.accept() => match r {
                Ok((sock, peer)) => {
                    tokio::spawn(connection(shared.clone(), sock, peer));
                }
                Err(e) => {
                    tracing::warn!("demo PBX: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
}

enum ReadEnd {
    /// The client went away (or sent garbage): close now.
    Gone,
    /// A final message is queued (Goodbye, Authentication failed): let the writer flush it.
    Closing,
}

async fn connection(shared: Arc<Shared>, sock: TcpStream, peer: SocketAddr) {
    let _ = sock.set_nodelay(true);
    let local = sock.local_addr().unwrap_or(peer);
    let (rd, wr) = sock.into_split();
    let (tx, rx) = mpsc::channel(shared.cfg.client_queue);
    let kick = Arc::new(Notify::new());
    let sid = {
        let mut st = shared.lock();
        let sid = st.add_session(tx, kick.clone(), peer, local);
        st.send_raw(sid, Out::Frame(Arc::from(BANNER)));
        sid
    };
    tracing::debug!(%peer, "demo PBX: AMI client connected");
    let mut shutdown = shared.shutdown.clone();
    let reader = read_loop(shared.clone(), sid, rd);
    let writer = write_loop(wr, rx, kick);
    tokio::pin!(reader, writer);
    tokio::select! {
        end = &mut reader => {
            if let ReadEnd::Closing = end {
                let _ = tokio::time::timeout(Duration::from_secs(5), &mut writer).await;
            }
        }
        _ = &mut writer => {}
        _ = crate::state::stopped(&mut shutdown) => {}
        _ = login_deadline(&shared, sid) => {
            tracing::info!(%peer, "demo PBX: closing an AMI client that did not log in within {} s", AUTH_TIMEOUT.as_secs());
        }
    }
    shared.lock().remove_session(sid);
    tracing::debug!(%peer, "demo PBX: AMI client disconnected");
}

/// Resolves if the session has not logged in within [`AUTH_TIMEOUT`] (as Asterisk's
/// `authtimeout`); otherwise never.
async fn login_deadline(shared: &Shared, sid: u64) {
    tokio::time::sleep(AUTH_TIMEOUT).await;
    if shared.lock().session(sid).is_some_and(|s| s.authed) {
        std::future::pending::<()>().await;
    }
}

async fn write_loop(mut wr: OwnedWriteHalf, mut rx: mpsc::Receiver<Out>, kick: Arc<Notify>) {
    let mut buf = String::with_capacity(64 * 1024);
    loop {
        let first = tokio::select! {
            biased;
            _ = kick.notified() => return,
            m = rx.recv() => m,
        };
        let mut close = false;
        match first {
            None => return,
            Some(Out::Close) => close = true,
            Some(Out::Frame(f)) => buf.push_str(&f),
        }
        while !close && buf.len() < 256 * 1024 {
            match rx.try_recv() {
                Ok(Out::Frame(f)) => buf.push_str(&f),
                Ok(Out::Close) => close = true,
                Err(_) => break,
            }
        }
        if !buf.is_empty() {
            tokio::select! {
                biased;
                _ = kick.notified() => return,
                r = wr.write_all(buf.as_bytes()) => if r.is_err() { return },
            }
            buf.clear();
        }
        if close {
            let _ = wr.shutdown().await;
            return;
        }
    }
}

async fn read_loop(shared: Arc<Shared>, sid: u64, mut rd: OwnedReadHalf) -> ReadEnd {
    let mut dec = Decoder::without_banner(MAX_ACTION);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match rd.read(&mut buf).await {
            Ok(0) | Err(_) => return ReadEnd::Gone,
            Ok(n) => n,
        };
        dec.extend(&buf[..n]);
        loop {
            let msg = match dec.next_frame() {
                Ok(Some(Frame::Message(m))) => m,
                Ok(Some(Frame::Banner(_))) => continue,
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!("demo PBX: closing an AMI client: {e}");
                    return ReadEnd::Gone;
                }
            };
            match handle(&shared, sid, &msg) {
                Flow::Continue => {}
                Flow::Close => return ReadEnd::Closing,
                Flow::LoginFailed(action_id) => {
                    tokio::time::sleep(shared.scaled(shared.cfg.login_failure_delay)).await;
                    let mut st = shared.lock();
                    st.send_to(sid, Ev::response("Error", action_id.as_deref()).kv("Message", "Authentication failed"));
                    st.send_raw(sid, Out::Close);
                    return ReadEnd::Closing;
                }
            }
        }
    }
}

enum Flow {
    Continue,
    Close,
    LoginFailed(Option<String>),
}

/// Answers an action with `Response: Error` and `message`.
fn reply_error(st: &mut State, sid: u64, id: Option<&str>, message: &str) {
    st.send_to(sid, Ev::response("Error", id).kv("Message", message));
}

/// Answers an action with `Response: Success` and `message`.
fn reply_ok(st: &mut State, sid: u64, id: Option<&str>, message: &str) {
    st.send_to(sid, Ev::response("Success", id).kv("Message", message));
}

fn truthy(v: Option<&str>) -> bool {
    matches!(v.map(|s| s.trim().to_ascii_lowercase()).as_deref(), Some("true" | "yes" | "1" | "on" | "y" | "t"))
}

fn md5_hex(s: &str) -> String {
    let digest = Md5::digest(s.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn addr_word(a: SocketAddr) -> String {
    let fam = if a.is_ipv4() { "IPV4" } else { "IPV6" };
    format!("{fam}/TCP/{}/{}", a.ip(), a.port())
}

fn handle(shared: &Arc<Shared>, sid: u64, m: &Message) -> Flow {
    let id = m.action_id();
    let mut st = shared.lock();
    let Some(authed) = st.session(sid).map(|s| s.authed) else { return Flow::Close };
    let Some(action) = m.get("Action").map(str::trim) else {
        reply_error(&mut st, sid, id, "Missing action in request");
        return Flow::Continue;
    };
    let action = action.to_ascii_lowercase();
    let err = |st: &mut State, msg: &str| reply_error(st, sid, id, msg);
    let ok = |st: &mut State, msg: &str| reply_ok(st, sid, id, msg);

    match action.as_str() {
        "login" => return login(shared, &mut st, sid, m),
        "challenge" => {
            if m.get("AuthType").is_some_and(|t| t.trim().eq_ignore_ascii_case("md5")) {
                let challenge = format!("{:09}", rand::random_range(100_000_000u32..1_000_000_000));
                if let Some(s) = st.session(sid) {
                    s.challenge = Some(challenge.clone());
                }
                st.send_to(sid, Ev::response("Success", id).kv("Challenge", challenge));
            } else {
                err(&mut st, "Must specify AuthType");
            }
            return Flow::Continue;
        }
        "logoff" => {
            st.send_to(sid, Ev::response("Goodbye", id).kv("Message", "Thanks for all the fish."));
            st.send_raw(sid, Out::Close);
            return Flow::Close;
        }
        _ if !authed => {
            err(&mut st, "Permission denied");
            return Flow::Continue;
        }
        _ => {}
    }
    // Asterisk checks an action's class against the user's `write` classes first.
    if matches!(action.as_str(), "queuepause" | "queueadd" | "queueremove") {
        let user = st.session(sid).map(|s| s.user.clone()).unwrap_or_default();
        if shared.cfg.without_agent_write.contains(&user) {
            tracing::info!(user = %user, "demo PBX: {action} refused, no agent write permission");
            err(&mut st, "Permission denied");
            return Flow::Continue;
        }
    }

    match action.as_str() {
        "ping" => {
            st.send_to(sid, Ev::response("Success", id).kv("Ping", "Pong").kv("Timestamp", timefmt::timestamp()));
        }
        "events" => {
            let mask = parse_mask(m.get("EventMask").unwrap_or("off"));
            if let Some(s) = st.session(sid) {
                s.mask = mask;
            }
            st.send_to(sid, Ev::response("Success", id).kv("Events", if mask == 0 { "Off" } else { "On" }));
        }
        "filter" => {
            let op = m.get("Operation").unwrap_or("Add").trim();
            match m.get("Filter") {
                _ if !op.eq_ignore_ascii_case("add") => err(&mut st, "Unknown operation"),
                None => err(&mut st, "Filter must be specified"),
                Some(f) => {
                    let (exclude, text) = match f.strip_prefix('!') {
                        Some(rest) => (true, rest.to_string()),
                        None => (false, f.to_string()),
                    };
                    let added = match st.session(sid) {
                        Some(s) if s.filters.len() < MAX_FILTERS => {
                            s.filters.push(Filter { exclude, text });
                            true
                        }
                        _ => false,
                    };
                    if added {
                        ok(&mut st, "Filter Added Successfully");
                    } else {
                        err(&mut st, "Too many filters");
                    }
                }
            }
        }
        "userevent" => match m.get("UserEvent").map(str::trim).filter(|u| !u.is_empty()) {
            Some(name) => {
                ok(&mut st, "Event Sent");
                let mut ev = Ev::event("UserEvent", Class::User).kv("UserEvent", name);
                for (k, v) in m
                    .iter()
                    .filter(|(k, _)| !["Action", "ActionID", "UserEvent"].iter().any(|x| k.eq_ignore_ascii_case(x)))
                {
                    ev = ev.kv(k, v);
                }
                st.emit(ev);
            }
            None => err(&mut st, "UserEvent must be specified"),
        },
        "queuestatus" => queue_status(&mut st, sid, m),
        "queuepause" => queue_pause(&mut st, sid, m),
        "queueadd" => queue_add(&mut st, sid, m),
        "queueremove" => queue_remove(&mut st, sid, m),
        "coreshowchannels" => core_show_channels(&mut st, sid, id),
        "status" => status(&mut st, sid, m),
        "hangup" => hangup(&mut st, sid, m),
        "originate" => {
            drop(st);
            originate(shared, sid, m);
        }
        _ => {
            let name = m.get("Action").unwrap_or_default().trim();
            let shown: String = name.chars().take(80).collect();
            err(
                &mut st,
                &format!("Invalid/unknown command: {shown}. Use Action: ListCommands to show available commands."),
            );
        }
    }
    Flow::Continue
}

fn login(shared: &Arc<Shared>, st: &mut State, sid: u64, m: &Message) -> Flow {
    let id = m.action_id();
    let secret = &shared.cfg.secret;
    let Some(sess) = st.session(sid) else { return Flow::Close };
    if sess.authed {
        reply_ok(st, sid, id, "Already authenticated");
        return Flow::Continue;
    }
    let user: String = m.get("Username").unwrap_or_default().trim().chars().take(80).collect();
    let md5 = m.get("AuthType").is_some_and(|t| t.trim().eq_ignore_ascii_case("md5"));
    let good = !user.is_empty()
        && if md5 {
            match (&sess.challenge, m.get("Key")) {
                (Some(ch), Some(key)) => md5_hex(&format!("{ch}{secret}")).eq_ignore_ascii_case(key.trim()),
                _ => false,
            }
        } else {
            m.get("Secret") == Some(secret.as_str())
        };
    let (peer, local) = (sess.peer, sess.local);
    let session_id = format!("0x{:012x}", 0x7fac_0000_0000u64 + sid * 0x1a0);
    let now = timefmt::since_epoch();
    // The fields both security events start with.
    let security = |name: &str, severity: &str, version: &str| {
        Ev::event(name, Class::Security)
            .kv("EventTV", timefmt::event_tv(now))
            .kv("Severity", severity)
            .kv("Service", "AMI")
            .kv("EventVersion", version)
            .kv("AccountID", &user)
            .kv("SessionID", &session_id)
            .kv("LocalAddress", addr_word(local))
            .kv("RemoteAddress", addr_word(peer))
    };
    if !good {
        tracing::info!(%peer, user = %user, "demo PBX: login refused (the demo secret is \"demo\")");
        st.emit(security("InvalidPassword", "Error", "2").kv("SessionTV", "1970-01-01T00:00:00.000+0000"));
        return Flow::LoginFailed(id.map(str::to_string));
    }
    let mask = m.get("Events").map_or(MASK_ALL, parse_mask);
    sess.authed = true;
    sess.mask = mask;
    sess.user = user.clone();
    sess.challenge = None;
    tracing::debug!(%peer, user = %user, "demo PBX: login accepted");
    reply_ok(st, sid, id, "Authentication accepted");
    let uptime = st.uptime().to_string();
    st.send_event_to(
        sid,
        Ev::event("FullyBooted", Class::System)
            .kv("Uptime", &uptime)
            .kv("LastReload", &uptime)
            .kv("Status", "Fully Booted"),
    );
    st.emit(
        security("SuccessfulAuth", "Informational", "1")
            .kv("UsingPassword", "0")
            .kv("SessionTV", timefmt::event_tv(now)),
    );
    Flow::Continue
}

fn queue_status(st: &mut State, sid: u64, m: &Message) {
    let id = m.action_id();
    let want_queue = m.get("Queue").map(str::trim).filter(|q| !q.is_empty());
    let want_member = m.get("Member").map(str::trim).filter(|q| !q.is_empty());
    st.send_to(sid, Ev::response("Success", id).kv("EventList", "start").kv("Message", "Queue status will follow"));
    let mut items = 0;
    let mut out = Vec::new();
    let q = &st.queue;
    if want_queue.is_none_or(|w| w.eq_ignore_ascii_case(&q.name)) {
        let avg = |total: u64| if q.completed == 0 { 0 } else { total / u64::from(q.completed) };
        out.push(
            Ev::item("QueueParams")
                .kv("Queue", &q.name)
                .kv("Max", "0")
                .kv("Strategy", "ringall")
                .kv("Calls", q.waiting.len().to_string())
                .kv("Holdtime", avg(q.hold_total).to_string())
                .kv("TalkTime", avg(q.talk_total).to_string())
                .kv("Completed", q.completed.to_string())
                .kv("Abandoned", q.abandoned.to_string())
                .kv("ServiceLevel", "0")
                .kv("ServicelevelPerf", "0.0")
                .kv("ServicelevelPerf2", "0.0")
                .kv("Weight", "0")
                .id(id),
        );
        for mem in &q.members {
            if want_member
                .is_some_and(|w| !w.eq_ignore_ascii_case(&mem.interface) && !w.eq_ignore_ascii_case(&mem.name))
            {
                continue;
            }
            out.push(Ev::item("QueueMember").member_item(&q.name, mem, st.device_status(&mem.interface)).id(id));
        }
        if want_member.is_none() {
            for (i, w) in q.waiting.iter().enumerate() {
                let c = st.ch(w.chan);
                let unknown = |s: &str| if s.is_empty() { "<unknown>".to_string() } else { s.to_string() };
                out.push(
                    Ev::item("QueueEntry")
                        .kv("Queue", &q.name)
                        .kv("Position", (i + 1).to_string())
                        .kv("Channel", &c.name)
                        .kv("Uniqueid", &c.uniqueid)
                        .kv("CallerIDNum", unknown(&c.cid.num))
                        .kv("CallerIDName", unknown(&c.cid.name))
                        .kv("ConnectedLineNum", unknown(&c.conn.num))
                        .kv("ConnectedLineName", unknown(&c.conn.name))
                        .kv("Wait", st.sim_secs(w.since).to_string())
                        .kv("Priority", "0")
                        .id(id),
                );
            }
        }
    }
    for ev in out {
        items += 1;
        st.send_to(sid, ev);
    }
    st.send_to(
        sid,
        Ev::item("QueueStatusComplete").id(id).kv("EventList", "Complete").kv("ListItems", items.to_string()),
    );
}

fn queue_pause(st: &mut State, sid: u64, m: &Message) {
    let id = m.action_id();
    let (Some(iface), Some(paused)) = (m.get("Interface").map(str::trim), m.get("Paused")) else {
        reply_error(st, sid, id, "Need 'Interface' and 'Paused' parameters.");
        return;
    };
    let paused = truthy(Some(paused));
    let reason = if paused { callerid::clean_text(m.get("Reason").unwrap_or_default()) } else { String::new() };
    let queue_ok =
        m.get("Queue").map(str::trim).filter(|q| !q.is_empty()).is_none_or(|q| q.eq_ignore_ascii_case(&st.queue.name));
    let found = queue_ok && st.queue.members.iter().any(|mem| mem.interface.eq_ignore_ascii_case(iface));
    if !found {
        reply_error(st, sid, id, "Interface not found");
        return;
    }
    let msg = if paused { "Interface paused successfully" } else { "Interface unpaused successfully" };
    reply_ok(st, sid, id, msg);
    let now = timefmt::unix_secs();
    let qname = st.queue.name.clone();
    let Some(mem) = st.member_mut(iface) else { return };
    mem.paused = paused;
    mem.paused_reason = reason;
    if paused {
        mem.last_pause = now;
    }
    let interface = mem.interface.clone();
    tracing::info!(interface = %interface, paused, "demo PBX: queue member pause changed");
    st.device_state_change(&format!("Queue:{qname}_pause_{interface}"), if paused { "INUSE" } else { "NOT_INUSE" });
    let status = st.device_status(&interface);
    if let Some(mem) = st.queue.members.iter().find(|x| x.interface == interface) {
        let ev = Ev::event("QueueMemberPause", Class::Agent).member(&qname, mem, status);
        st.emit(ev);
    }
    st.bump_queue();
}

/// The `Interface` a QueueAdd or QueueRemove names in our queue. Otherwise answers with
/// Asterisk's error (`missing` without `Queue` or `Interface`, `no_queue` for another queue)
/// and returns `None`.
fn our_queue_interface<'m>(st: &mut State, sid: u64, m: &'m Message, missing: &str, no_queue: &str) -> Option<&'m str> {
    let id = m.action_id();
    let (Some(q), Some(iface)) = (m.get("Queue").map(str::trim), m.get("Interface").map(str::trim)) else {
        reply_error(st, sid, id, missing);
        return None;
    };
    if !q.eq_ignore_ascii_case(&st.queue.name) {
        reply_error(st, sid, id, no_queue);
        return None;
    }
    Some(iface)
}

fn queue_add(st: &mut State, sid: u64, m: &Message) {
    let id = m.action_id();
    let missing = "'Queue' and 'Interface' not specified.";
    let no_queue = "Unable to add interface to queue: No such queue";
    let Some(iface) = our_queue_interface(st, sid, m, missing, no_queue) else { return };
    if iface.is_empty() || iface.chars().count() > 80 {
        reply_error(st, sid, id, "Unable to add interface to queue: Out of memory");
        return;
    }
    if st.queue.members.iter().any(|x| x.interface.eq_ignore_ascii_case(iface)) {
        reply_error(st, sid, id, "Unable to add interface: Already there");
        return;
    }
    let paused = truthy(m.get("Paused"));
    let now = timefmt::unix_secs();
    let name =
        m.get("MemberName").map(callerid::clean_text).filter(|n| !n.is_empty()).unwrap_or_else(|| iface.to_string());
    let mem = crate::state::Member {
        name,
        interface: iface.to_string(),
        dynamic: true,
        penalty: m.get("Penalty").and_then(|p| p.trim().parse().ok()).unwrap_or(0),
        calls_taken: 0,
        last_call: 0,
        last_pause: if paused { now } else { 0 },
        login_time: now,
        paused,
        paused_reason: if paused { callerid::clean_text(m.get("Reason").unwrap_or_default()) } else { String::new() },
        in_call: false,
    };
    reply_ok(st, sid, id, "Added interface to queue");
    let qname = st.queue.name.clone();
    if paused {
        st.device_state_change(&format!("Queue:{qname}_pause_{}", mem.interface), "INUSE");
    }
    let ev = Ev::event("QueueMemberAdded", Class::Agent).member(&qname, &mem, st.device_status(&mem.interface));
    st.queue.members.push(mem);
    st.emit(ev);
    st.bump_queue();
}

fn queue_remove(st: &mut State, sid: u64, m: &Message) {
    let id = m.action_id();
    let missing = "Need 'Queue' and 'Interface' parameters.";
    let no_queue = "Unable to remove interface from queue: No such queue";
    let Some(iface) = our_queue_interface(st, sid, m, missing, no_queue) else { return };
    let Some(pos) = st.queue.members.iter().position(|x| x.interface.eq_ignore_ascii_case(iface)) else {
        reply_error(st, sid, id, "Unable to remove interface: Not there");
        return;
    };
    if !st.queue.members[pos].dynamic {
        reply_error(st, sid, id, "Unable to remove interface: Not dynamic");
        return;
    }
    let mem = st.queue.members.remove(pos);
    reply_ok(st, sid, id, "Removed interface from queue");
    let qname = st.queue.name.clone();
    let ev = Ev::event("QueueMemberRemoved", Class::Agent).member(&qname, &mem, st.device_status(&mem.interface));
    st.emit(ev);
    if mem.paused {
        st.device_state_change(&format!("Queue:{qname}_pause_{}", mem.interface), "NOT_INUSE");
    }
}

fn core_show_channels(st: &mut State, sid: u64, id: Option<&str>) {
    st.send_to(sid, Ev::response("Success", id).kv("EventList", "start").kv("Message", "Channels will follow"));
    let chans: Vec<_> = st.chans.values().cloned().collect();
    for c in &chans {
        let dur = timefmt::hms(st.sim_secs(c.created));
        st.send_to(
            sid,
            Ev::item("CoreShowChannel")
                .id(id)
                .chan("", c)
                .kv("Application", &c.app)
                .kv("ApplicationData", &c.app_data)
                .kv("Duration", dur)
                .kv("BridgeId", &c.bridge),
        );
    }
    st.send_to(
        sid,
        Ev::item("CoreShowChannelsComplete")
            .id(id)
            .kv("EventList", "Complete")
            .kv("ListItems", chans.len().to_string()),
    );
}

fn status(st: &mut State, sid: u64, m: &Message) {
    let id = m.action_id();
    let want = m.get("Channel").map(str::trim).filter(|c| !c.is_empty());
    let chans: Vec<_> = st.chans.values().filter(|c| want.is_none_or(|w| w == c.name)).cloned().collect();
    if want.is_some() && chans.is_empty() {
        reply_error(st, sid, id, "No such channel");
        return;
    }
    st.send_to(sid, Ev::response("Success", id).kv("EventList", "start").kv("Message", "Channel status will follow"));
    let unknown = |s: &str| if s.is_empty() { "<unknown>".to_string() } else { s.to_string() };
    for c in &chans {
        let secs = st.sim_secs(c.created);
        let mut ev = Ev::item("Status").kv("Privilege", "Call").chan("", c);
        ev = ev
            .kv("Type", "Local")
            .kv("DNID", "")
            .kv("EffectiveConnectedLineNum", unknown(&c.conn.num))
            .kv("EffectiveConnectedLineName", unknown(&c.conn.name))
            .kv("TimeToHangup", "0")
            .kv("BridgeID", &c.bridge)
            .kv("Application", &c.app)
            .kv("Data", &c.app_data)
            .kv("Nativeformats", "(slin)")
            .kv("Readformat", "slin")
            .kv("Readtrans", "")
            .kv("Writeformat", "slin")
            .kv("Writetrans", "")
            .kv("Callgroup", "0")
            .kv("Pickupgroup", "0")
            .kv("Seconds", secs.to_string())
            .id(id);
        st.send_to(sid, ev);
    }
    let n = chans.len().to_string();
    st.send_to(sid, Ev::item("StatusComplete").id(id).kv("EventList", "Complete").kv("ListItems", &n).kv("Items", &n));
}

fn hangup(st: &mut State, sid: u64, m: &Message) {
    let id = m.action_id();
    let Some(want) = m.get("Channel").map(str::trim).filter(|c| !c.is_empty()) else {
        reply_error(st, sid, id, "No channel specified");
        return;
    };
    // `/text/` is a regular expression in Asterisk; here it is a plain substring.
    let pattern = want.strip_prefix('/').and_then(|w| w.strip_suffix('/')).filter(|p| !p.is_empty());
    let keys: Vec<_> = st
        .chans
        .iter()
        .filter(|(_, c)| match pattern {
            Some(p) => c.name.contains(p),
            None => c.name == want,
        })
        .map(|(k, _)| *k)
        .collect();
    if keys.is_empty() {
        reply_error(st, sid, id, "No such channel");
        return;
    }
    reply_ok(st, sid, id, "Channel Hungup");
    for k in keys {
        st.hangup_cmd(k);
    }
}

/// `Local/<exten>@<context>[/options]` → (exten, context).
fn local_parts(channel: &str) -> Option<(&str, &str)> {
    let rest = channel.get(..6).filter(|p| p.eq_ignore_ascii_case("local/")).and(channel.get(6..))?;
    let rest = rest.split('/').next().unwrap_or(rest);
    let (exten, context) = rest.split_once('@')?;
    (!exten.is_empty() && !context.is_empty()).then_some((exten, context))
}

fn originate(shared: &Arc<Shared>, sid: u64, m: &Message) {
    let id = m.action_id();
    let Some(channel) = m.get("Channel").map(str::trim).filter(|c| !c.is_empty()) else {
        reply_error(&mut shared.lock(), sid, id, "Channel not specified");
        return;
    };
    let timeout = match m.get("Timeout").map(str::trim).filter(|t| !t.is_empty()) {
        None => Duration::from_secs(30),
        Some(t) => match t.parse::<u64>() {
            Ok(ms) => Duration::from_millis(ms.min(24 * 3600 * 1000)),
            Err(_) => {
                reply_error(&mut shared.lock(), sid, id, "Invalid timeout");
                return;
            }
        },
    };
    let dest = match (m.get("Application").map(str::trim).filter(|a| !a.is_empty()), m.get("Exten")) {
        (Some(app), _) => OrigDest::App {
            app: callerid::clean_text(app),
            data: callerid::clean_text(m.get("Data").unwrap_or_default()),
        },
        (None, Some(exten)) => OrigDest::Exten {
            context: callerid::clean_text(m.get("Context").unwrap_or("default")),
            exten: callerid::clean_text(exten),
        },
        (None, None) => OrigDest::App { app: String::new(), data: String::new() },
    };
    let origin = Origin {
        session: sid,
        action_id: id.map(str::to_string),
        asynchronous: truthy(m.get("Async")),
        channel: callerid::clean_text(channel),
        dest,
    };
    let cid = m.get("CallerID").map(callerid::parse).unwrap_or_default();

    let mut st = shared.lock();
    if origin.asynchronous {
        reply_ok(&mut st, sid, id, "Originate successfully queued");
    }
    let started = match local_parts(channel) {
        Some((to, "inbound")) => {
            drop(st);
            let r = calls::ring_inbound(shared, cid, to, Overrides::default(), Some(origin.clone()));
            st = shared.lock();
            r
        }
        Some((ext, "agents")) if shared.cfg.agent(ext).is_some() => {
            let ext = ext.to_string();
            drop(st);
            let r = calls::ring_click_to_call(shared, ext, cid, timeout, origin.clone());
            st = shared.lock();
            r
        }
        _ => Err(crate::DemoPbxError::InvalidInput(format!("no such channel {channel:?}"))),
    };
    if let Err(e) = started {
        tracing::info!("demo PBX: originate of {channel:?} failed: {e}");
        origin.failed(&mut st, None, 0);
    }
}
