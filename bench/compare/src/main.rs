//! Ringside's AMI client against the two AMI crates we evaluated, on the same corpus, over
//! real loopback TCP.
//!
//! For every round and every client a tiny AMI server (a plain OS thread with blocking
//! sockets, so it does not share the client's tokio runtime) listens on 127.0.0.1:0, sends the
//! transcript's banner, answers Challenge / Login / any other action with a Success response
//! that echoes the ActionID, and, once the client has sent its first action after Login (each
//! client here sends a Ping once it is subscribed to events; 1 s after Login otherwise),
//! writes the g_burst_200 body (every byte after the banner line) `--copies` times as fast as
//! the socket takes it. It then keeps the socket open, still answering actions, until the
//! client is done. The client counts the events it receives until it has all of them or has
//! gone 3 s without one.
//!
//! Run: `cargo run --release --manifest-path bench/compare/Cargo.toml -- [--rounds N]`
//! (`--help` for the other options).

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc as std_mpsc, Arc};
use std::time::{Duration, Instant};

use tokio_stream::StreamExt;

const USERNAME: &str = "agent100";
const SECRET: &str = "agent100secret";
const CHALLENGE: &str = "840523804";
/// The client stops waiting after this long without an event.
const IDLE: Duration = Duration::from_secs(3);
/// The server starts the burst this long after Login if the client sends nothing else.
const START_GRACE: Duration = Duration::from_secs(1);
/// The burst goes out in pieces of about this size, cut at message boundaries, so that the
/// server can answer an action between two pieces without splitting a message.
const PIECE: usize = 64 * 1024;
/// Slow consumer, by default: sleep this long every `SLOW_EVERY` events.
const SLOW_SLEEP_MS: u64 = 1;
const SLOW_EVERY: u64 = 1_000;

// ---------------------------------------------------------------------------------------------
// Corpus

struct Corpus {
    banner: Vec<u8>,
    body: Vec<u8>,
    /// Offsets in `body` where a piece of about `PIECE` bytes ends (always after "\r\n\r\n").
    cuts: Vec<usize>,
    /// Messages in one copy of the body that carry an `Event:` header.
    events: u64,
    /// Messages in one copy of the body that do not (the capture's own Login and Logoff
    /// responses, whose ActionIDs no client here has sent).
    others: u64,
}

impl Corpus {
    fn load(path: &PathBuf) -> Result<Self, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let nl = bytes.iter().position(|&b| b == b'\n').ok_or("the transcript has no banner line")?;
        let banner = bytes[..=nl].to_vec();
        if !banner.starts_with(b"Asterisk Call Manager") {
            return Err(format!("{} does not start with an AMI banner", path.display()));
        }
        let body = bytes[nl + 1..].to_vec();
        // Count messages the way an AMI client frames them: blocks ended by an empty line.
        let (mut events, mut others) = (0u64, 0u64);
        let mut cuts = Vec::new();
        let mut last_cut = 0usize;
        let mut start = 0usize;
        let mut i = 0usize;
        while i + 4 <= body.len() {
            if &body[i..i + 4] == b"\r\n\r\n" {
                let end = i + 4;
                let msg = &body[start..end];
                if msg.starts_with(b"Event:") || msg.windows(8).any(|w| w == b"\r\nEvent:") {
                    events += 1;
                } else {
                    others += 1;
                }
                if end - last_cut >= PIECE {
                    cuts.push(end);
                    last_cut = end;
                }
                start = end;
                i = end;
            } else {
                i += 1;
            }
        }
        if start != body.len() {
            return Err(format!("{} ends in the middle of a message", path.display()));
        }
        if cuts.last() != Some(&body.len()) {
            cuts.push(body.len());
        }
        Ok(Self { banner, body, cuts, events, others })
    }
}

// ---------------------------------------------------------------------------------------------
// The tiny AMI server

enum FromClient {
    Action(Vec<(String, String)>),
    Closed,
}

#[derive(Default)]
struct ServerReport {
    bytes_written: u64,
    /// From the start of the burst to the last byte accepted by the kernel.
    write_time: Option<Duration>,
    login: String,
    actions: Vec<String>,
    error: Option<String>,
}

struct Server {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<ServerReport>,
}

impl Server {
    fn start(corpus: Arc<Corpus>, copies: usize, start_at_login: bool) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let handle = std::thread::Builder::new()
            .name("ami-server".into())
            .spawn(move || serve(listener, corpus, copies, start_at_login, stop2))?;
        Ok(Self { addr, stop, handle })
    }

    fn finish(self) -> ServerReport {
        self.stop.store(true, Ordering::SeqCst);
        self.handle
            .join()
            .unwrap_or_else(|_| ServerReport { error: Some("server thread panicked".into()), ..Default::default() })
    }
}

fn read_action(reader: &mut impl BufRead) -> std::io::Result<Option<Vec<(String, String)>>> {
    let mut fields = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            if fields.is_empty() {
                continue;
            }
            return Ok(Some(fields));
        }
        if let Some((k, v)) = l.split_once(':') {
            fields.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
}

fn field<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
}

fn md5_hex(s: &str) -> String {
    use md5::{Digest, Md5};
    Md5::digest(s.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The reply to one action; `Some(true)` in the second place when it is a successful Login.
fn answer(fields: &[(String, String)], challenged: &mut bool) -> (String, Option<bool>) {
    let action = field(fields, "Action").unwrap_or("");
    let mut out = String::with_capacity(128);
    let mut login = None;
    let id_line = field(fields, "ActionID").map(|id| format!("ActionID: {id}\r\n")).unwrap_or_default();
    if action.eq_ignore_ascii_case("Challenge") {
        *challenged = true;
        out.push_str(&format!("Response: Success\r\n{id_line}Challenge: {CHALLENGE}\r\n\r\n"));
    } else if action.eq_ignore_ascii_case("Login") {
        let user_ok = field(fields, "Username") == Some(USERNAME);
        let md5 = field(fields, "AuthType").is_some_and(|t| t.eq_ignore_ascii_case("md5"));
        let secret_ok = if md5 {
            *challenged && field(fields, "Key") == Some(md5_hex(&format!("{CHALLENGE}{SECRET}")).as_str())
        } else {
            field(fields, "Secret") == Some(SECRET)
        };
        if user_ok && secret_ok {
            out.push_str(&format!("Response: Success\r\n{id_line}Message: Authentication accepted\r\n\r\n"));
            login = Some(true);
        } else {
            out.push_str(&format!("Response: Error\r\n{id_line}Message: Authentication failed\r\n\r\n"));
            login = Some(false);
        }
    } else if action.eq_ignore_ascii_case("Ping") {
        out.push_str(&format!("Response: Success\r\n{id_line}Ping: Pong\r\nTimestamp: 1763768726.000000\r\n\r\n"));
    } else {
        out.push_str(&format!("Response: Success\r\n{id_line}Message: OK\r\n\r\n"));
    }
    (out, login)
}

fn describe_login(fields: &[(String, String)]) -> String {
    let md5 = field(fields, "AuthType").is_some_and(|t| t.eq_ignore_ascii_case("md5"));
    let events = field(fields, "Events").map(|e| format!(", Events: {e}")).unwrap_or_default();
    format!("{}{events}", if md5 { "MD5 challenge" } else { "plain secret" })
}

fn serve(
    listener: TcpListener,
    corpus: Arc<Corpus>,
    copies: usize,
    start_at_login: bool,
    stop: Arc<AtomicBool>,
) -> ServerReport {
    let mut report = ServerReport::default();
    // Wait for the client without blocking forever if it never comes.
    listener.set_nonblocking(true).ok();
    let mut stream = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if stop.load(Ordering::SeqCst) {
                    report.error = Some("no client connected".into());
                    return report;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) => {
                report.error = Some(format!("accept: {e}"));
                return report;
            }
        }
    };
    stream.set_nonblocking(false).ok();
    stream.set_nodelay(true).ok();
    let (tx, rx) = std_mpsc::channel::<FromClient>();
    let reader_stream = match stream.try_clone() {
        Ok(s) => s,
        Err(e) => {
            report.error = Some(format!("try_clone: {e}"));
            return report;
        }
    };
    let reader = std::thread::spawn(move || {
        let mut r = BufReader::new(reader_stream);
        loop {
            match read_action(&mut r) {
                Ok(Some(a)) => {
                    if tx.send(FromClient::Action(a)).is_err() {
                        return;
                    }
                }
                _ => {
                    let _ = tx.send(FromClient::Closed);
                    return;
                }
            }
        }
    });

    let result = (|| -> Result<(), String> {
        stream.write_all(&corpus.banner).map_err(|e| format!("banner: {e}"))?;
        let mut challenged = false;
        let mut logged_in_at: Option<Instant> = None;
        // Handshake: until the client logs in and then sends an action (or the grace elapses).
        loop {
            if stop.load(Ordering::SeqCst) {
                return Err("stopped before the burst".into());
            }
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(FromClient::Action(a)) => {
                    let name = field(&a, "Action").unwrap_or("?").to_owned();
                    let (reply, login) = answer(&a, &mut challenged);
                    stream.write_all(reply.as_bytes()).map_err(|e| format!("reply: {e}"))?;
                    match login {
                        Some(true) => {
                            report.login = describe_login(&a);
                            logged_in_at = Some(Instant::now());
                            if start_at_login {
                                break;
                            }
                        }
                        Some(false) => return Err(format!("the client's Login was rejected ({})", describe_login(&a))),
                        None => {
                            report.actions.push(name);
                            if logged_in_at.is_some() {
                                break;
                            }
                        }
                    }
                }
                Ok(FromClient::Closed) => return Err("the client closed before the burst".into()),
                Err(std_mpsc::RecvTimeoutError::Timeout) => {
                    if logged_in_at.is_some_and(|t| t.elapsed() >= START_GRACE) {
                        break;
                    }
                }
                Err(std_mpsc::RecvTimeoutError::Disconnected) => return Err("reader gone".into()),
            }
        }
        // The burst.
        let started = Instant::now();
        for _ in 0..copies {
            let mut from = 0;
            for &to in &corpus.cuts {
                stream.write_all(&corpus.body[from..to]).map_err(|e| format!("burst write: {e}"))?;
                report.bytes_written += (to - from) as u64;
                from = to;
                while let Ok(msg) = rx.try_recv() {
                    if let FromClient::Action(a) = msg {
                        report.actions.push(field(&a, "Action").unwrap_or("?").to_owned());
                        let (reply, _) = answer(&a, &mut challenged);
                        stream.write_all(reply.as_bytes()).map_err(|e| format!("reply: {e}"))?;
                    } else {
                        return Err("the client closed during the burst".into());
                    }
                }
            }
        }
        report.write_time = Some(started.elapsed());
        // Keep the socket open, still answering, until the client is done.
        while !stop.load(Ordering::SeqCst) {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(FromClient::Action(a)) => {
                    report.actions.push(field(&a, "Action").unwrap_or("?").to_owned());
                    let (reply, _) = answer(&a, &mut challenged);
                    if stream.write_all(reply.as_bytes()).is_err() {
                        break;
                    }
                }
                Ok(FromClient::Closed) | Err(std_mpsc::RecvTimeoutError::Disconnected) => break,
                Err(std_mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        report.error = Some(e);
    }
    // Wait for the coordinator, then close (this also ends the reader thread).
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = stream.shutdown(Shutdown::Both);
    let _ = reader.join();
    report
}

// ---------------------------------------------------------------------------------------------
// Clients

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Ringside,
    RsAmi,
    Manager,
    RawCodec,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Ringside => "ringside-ami (connect + Events::recv + CallTracker)",
            Kind::RsAmi => "asterisk-rs-ami 0.8.0 (subscribe, defaults)",
            Kind::Manager => "asterisk-manager 2.1.3 (all_events_stream, defaults)",
            Kind::RawCodec => "baseline: ringside Decoder alone on the socket",
        }
    }
    fn short(self) -> &'static str {
        match self {
            Kind::Ringside => "ringside-ami",
            Kind::RsAmi => "asterisk-rs-ami",
            Kind::Manager => "asterisk-manager",
            Kind::RawCodec => "raw codec",
        }
    }
}

#[derive(Default, Debug)]
struct ClientOutcome {
    events: u64,
    /// Non-event messages handed to the consumer (Ringside hands over responses nobody awaits).
    others: u64,
    /// What the library itself said it dropped (broadcast `Lagged(n)`), if it says so.
    lag_reported: u64,
    /// Ringside only: CallEvents the tracker produced for agent 100.
    call_events: u64,
    /// From just before the trigger action to the last event received.
    elapsed: Duration,
    ended_by: &'static str,
    error: Option<String>,
}

/// How the consumer paces itself: `every == 0` means never sleep.
#[derive(Clone, Copy)]
struct Pace {
    every: u64,
    sleep: Duration,
}

impl Pace {
    const FAST: Pace = Pace { every: 0, sleep: Duration::ZERO };
}

/// What every client does with what it receives: count the events, note when the last one
/// came, pace itself, and say how the wait ended.
struct Tally {
    o: ClientOutcome,
    expected: u64,
    pace: Pace,
    /// Events paced so far.
    paced: u64,
    /// Just before the trigger action.
    start: Instant,
    last: Instant,
}

impl Tally {
    /// Starts the clock (call it just before the trigger action).
    fn start(expected: u64, pace: Pace) -> Self {
        let start = Instant::now();
        let o = ClientOutcome { ended_by: "all received", ..Default::default() };
        Self { o, expected, pace, paced: 0, start, last: start }
    }

    /// An event arrived: counts it; `true` once every expected event has.
    fn event(&mut self) -> bool {
        self.last = Instant::now();
        self.o.events += 1;
        self.o.events == self.expected
    }

    /// The slow consumer's pause after an event (none at `Pace::FAST`).
    async fn pace(&mut self) {
        self.paced += 1;
        if self.pace.every > 0 && self.paced.is_multiple_of(self.pace.every) {
            tokio::time::sleep(self.pace.sleep).await;
        }
    }

    /// Nothing came for [`IDLE`].
    fn idle(&mut self) {
        self.o.ended_by = "3 s idle";
    }

    /// The library's stream or the socket ended.
    fn stream_ended(&mut self) {
        self.o.ended_by = "stream ended";
    }

    /// The outcome, once the trigger `ping` (if any) has answered (within 1 s).
    async fn finish(mut self, ping: Option<tokio::task::JoinHandle<Result<(), String>>>) -> ClientOutcome {
        self.o.elapsed = self.last - self.start;
        if let Some(ping) = ping {
            match tokio::time::timeout(Duration::from_secs(1), ping).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => self.o.error = Some(format!("Ping failed: {e}")),
                Ok(Err(e)) => self.o.error = Some(format!("Ping task: {e}")),
                Err(_) => self.o.error = Some("Ping unanswered".into()),
            }
        }
        self.o
    }
}

async fn run_ringside(addr: String, expected: u64, pace: Pace) -> Result<ClientOutcome, String> {
    use ringside_ami::tracker::{AgentIdentity, CallTracker};
    use ringside_ami::{connect, Action, ConnectOptions, Secret};
    use ringside_core::Timestamp;

    // Ringside's defaults: MD5 login, Events: call,agent, 4,096 events buffered before we stop
    // reading the socket. (The test server ignores the Events mask and sends everything.)
    let opts = ConnectOptions::new(addr, USERNAME, Secret::new(SECRET));
    let (client, mut events) = connect(&opts).await.map_err(|e| format!("connect: {e}"))?;
    let mut tracker = CallTracker::new(AgentIdentity::new("100", vec!["Local/100@agents".into()]));
    let mut out = Vec::new();
    let mut t = Tally::start(expected, pace);
    // The trigger runs beside the consumer: with --start-at-login its answer sits behind
    // thousands of events, and Ringside stops reading the socket while Events is full.
    let c = client.clone();
    let ping = tokio::spawn(async move { c.send(Action::new("Ping")).await.map(|_| ()).map_err(|e| e.to_string()) });
    loop {
        match tokio::time::timeout(IDLE, events.recv()).await {
            Err(_) => break t.idle(),
            Ok(None) => break t.stream_ended(),
            Ok(Some(Err(e))) => {
                t.o.ended_by = "connection error";
                t.o.error = Some(e.to_string());
                break;
            }
            Ok(Some(Ok(msg))) if msg.event().is_some() => {
                let done = t.event();
                tracker.handle(&msg, Timestamp::from_millis(t.start.elapsed().as_millis() as u64), &mut out);
                t.o.call_events += out.len() as u64;
                out.clear();
                if done {
                    break;
                }
                t.pace().await;
            }
            Ok(Some(Ok(_))) => {
                t.last = Instant::now();
                t.o.others += 1;
            }
        }
    }
    let o = t.finish(Some(ping)).await;
    drop(client);
    drop(events);
    Ok(o)
}

async fn run_rs_ami(port: u16, expected: u64, pace: Pace) -> Result<ClientOutcome, String> {
    use asterisk_rs_ami::AmiClient;
    use asterisk_rs_core::event::EventReceive;

    // Defaults: 1,024-slot event broadcast, MD5 challenge required, exponential reconnect.
    let client = AmiClient::builder()
        .host("127.0.0.1")
        .port(port)
        .credentials(USERNAME, SECRET)
        .build()
        .await
        .map_err(|e| format!("build: {e}"))?;
    let mut sub = client.subscribe();
    let mut t = Tally::start(expected, pace);
    let c = client.clone();
    let ping = tokio::spawn(async move { c.ping().await.map(|_| ()).map_err(|e| e.to_string()) });
    loop {
        match tokio::time::timeout(IDLE, sub.recv()).await {
            Err(_) => break t.idle(),
            Ok(EventReceive::Closed) => break t.stream_ended(),
            Ok(EventReceive::Lagged(n)) => t.o.lag_reported += n,
            Ok(EventReceive::Event(_ev)) => {
                if t.event() {
                    break;
                }
                t.pace().await;
            }
        }
    }
    let o = t.finish(Some(ping)).await;
    drop(sub);
    drop(client); // aborts its connection task
    Ok(o)
}

async fn run_manager(port: u16, expected: u64, pace: Pace) -> Result<ClientOutcome, String> {
    use asterisk_manager::{AmiAction, AmiEvent, Manager, ManagerOptions};
    use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

    // Defaults: Manager::new() = 1,024-slot broadcast. Subscribe before logging in so that no
    // event can be published before we listen.
    let mut manager = Manager::new();
    let mut stream = manager.all_events_stream().await;
    let opts = ManagerOptions {
        port,
        host: "127.0.0.1".into(),
        username: USERNAME.into(),
        password: SECRET.into(),
        events: true,
    };
    manager.connect_and_login(opts).await.map_err(|e| format!("connect_and_login: {e}"))?;
    let mut t = Tally::start(expected, pace);
    let m = manager.clone();
    let ping = tokio::spawn(async move {
        m.send_action(AmiAction::Ping { action_id: None }).await.map(|_| ()).map_err(|e| e.to_string())
    });
    loop {
        match tokio::time::timeout(IDLE, stream.next()).await {
            Err(_) => break t.idle(),
            Ok(None) => break t.stream_ended(),
            Ok(Some(Err(BroadcastStreamRecvError::Lagged(n)))) => t.o.lag_reported += n,
            Ok(Some(Ok(AmiEvent::InternalConnectionLost { error }))) => {
                t.o.ended_by = "connection lost";
                t.o.error = Some(error);
                break;
            }
            Ok(Some(Ok(_ev))) => {
                if t.event() {
                    break;
                }
                t.pace().await;
            }
        }
    }
    let o = t.finish(Some(ping)).await;
    drop(stream);
    let _ = manager.disconnect().await;
    Ok(o)
}

/// The ceiling: Ringside's codec framing the socket's bytes, no client, no channel, no tracker.
async fn run_raw_codec(addr: String, expected: u64) -> Result<ClientOutcome, String> {
    use ringside_ami::codec::{Decoder, Frame, DEFAULT_MAX_FRAME};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut s = tokio::net::TcpStream::connect(&addr).await.map_err(|e| format!("connect: {e}"))?;
    s.set_nodelay(true).ok();
    let mut dec = Decoder::new(DEFAULT_MAX_FRAME);
    let login = format!("Action: Login\r\nActionID: raw-1\r\nUsername: {USERNAME}\r\nSecret: {SECRET}\r\n\r\n");
    s.write_all(login.as_bytes()).await.map_err(|e| e.to_string())?;
    let mut t = Tally::start(expected, Pace::FAST);
    s.write_all(b"Action: Ping\r\nActionID: raw-2\r\n\r\n").await.map_err(|e| e.to_string())?;
    'outer: loop {
        loop {
            match dec.next_frame() {
                Ok(Some(Frame::Message(m))) if m.event().is_some() => {
                    if t.event() {
                        break 'outer;
                    }
                }
                Ok(Some(Frame::Message(_))) => t.o.others += 1,
                Ok(Some(Frame::Banner(_))) => {}
                Ok(None) => break,
                Err(e) => {
                    t.o.error = Some(e.to_string());
                    break 'outer;
                }
            }
        }
        match tokio::time::timeout(IDLE, s.read_buf(dec.buffer_mut())).await {
            Err(_) => break t.idle(),
            Ok(Ok(0)) => break t.stream_ended(),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                t.o.error = Some(e.to_string());
                break;
            }
        }
    }
    Ok(t.finish(None).await)
}

// ---------------------------------------------------------------------------------------------
// Rounds and report

struct Round {
    kind: Kind,
    slow: bool,
    sent: u64,
    bytes: u64,
    outcome: Result<ClientOutcome, String>,
    server: ServerReport,
}

impl Round {
    fn received(&self) -> u64 {
        self.outcome.as_ref().map(|o| o.events).unwrap_or(0)
    }
    fn lost(&self) -> u64 {
        self.sent.saturating_sub(self.received())
    }
    fn secs(&self) -> f64 {
        self.outcome.as_ref().map(|o| o.elapsed.as_secs_f64()).unwrap_or(0.0)
    }
    fn eps(&self) -> f64 {
        let s = self.secs();
        if s > 0.0 {
            self.received() as f64 / s
        } else {
            0.0
        }
    }
    fn mbps(&self) -> f64 {
        let s = self.secs();
        if s > 0.0 {
            self.bytes as f64 / s / 1e6
        } else {
            0.0
        }
    }
}

async fn run_round(kind: Kind, slow: Option<Pace>, corpus: &Arc<Corpus>, args: &Args) -> Round {
    let copies = args.copies;
    let pace = slow.unwrap_or(Pace::FAST);
    let slow = slow.is_some();
    let server = match Server::start(corpus.clone(), copies, args.start_at_login) {
        Ok(s) => s,
        Err(e) => {
            return Round {
                kind,
                slow,
                sent: 0,
                bytes: 0,
                outcome: Err(format!("server: {e}")),
                server: ServerReport::default(),
            }
        }
    };
    let expected = corpus.events * copies as u64;
    let addr = server.addr.to_string();
    let port = server.addr.port();
    // Bound a client that hangs in its own login or action (e.g. a 10 s or 30 s action timeout).
    let fut = async {
        match kind {
            Kind::Ringside => run_ringside(addr, expected, pace).await,
            Kind::RsAmi => run_rs_ami(port, expected, pace).await,
            Kind::Manager => run_manager(port, expected, pace).await,
            Kind::RawCodec => run_raw_codec(addr, expected).await,
        }
    };
    let outcome = match tokio::time::timeout(Duration::from_secs(120), fut).await {
        Ok(r) => r,
        Err(_) => Err("gave up after 120 s".into()),
    };
    // Let the client's background tasks notice the drop before the server closes.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let server = tokio::task::spawn_blocking(move || server.finish()).await.expect("join server");
    Round { kind, slow, sent: expected, bytes: (corpus.body.len() * copies) as u64, outcome, server }
}

fn print_round(i: usize, r: &Round) {
    let mode = if r.slow { "slow" } else { "fast" };
    match &r.outcome {
        Ok(o) => {
            let mut extra = String::new();
            if o.lag_reported > 0 {
                extra.push_str(&format!(", library reported {} lagged", o.lag_reported));
            }
            if o.others > 0 {
                extra.push_str(&format!(", {} non-event messages handed over", o.others));
            }
            if o.call_events > 0 {
                extra.push_str(&format!(", {} CallEvents", o.call_events));
            }
            if let Some(w) = r.server.write_time {
                extra.push_str(&format!(", server wrote all in {:.0} ms", w.as_secs_f64() * 1e3));
            }
            if let Some(e) = &o.error {
                extra.push_str(&format!(", error: {e}"));
            }
            if let Some(e) = &r.server.error {
                extra.push_str(&format!(", server: {e}"));
            }
            println!(
                "  {:<17} {mode} #{i}: {:>7}/{} events in {:>7.1} ms = {:>9.0} ev/s {:>6.1} MB/s, lost {:>6} [{}{}]",
                r.kind.short(),
                o.events,
                r.sent,
                o.elapsed.as_secs_f64() * 1e3,
                r.eps(),
                r.mbps(),
                r.lost(),
                o.ended_by,
                extra
            );
        }
        Err(e) => {
            let srv = r.server.error.as_deref().map(|s| format!(" (server: {s})")).unwrap_or_default();
            println!("  {:<17} {mode} #{i}: FAILED: {e}{srv}", r.kind.short());
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn summary(rounds: &[Round], kinds: &[Kind]) {
    println!();
    println!("| client | mode | rounds ok | events received / sent (worst round) | events/s median (best) | MB/s median | rounds that lost events | events lost in total |");
    println!("|---|---|---|---|---|---|---|---|");
    for &kind in kinds {
        for slow in [false, true] {
            let rs: Vec<&Round> = rounds.iter().filter(|r| r.kind == kind && r.slow == slow).collect();
            if rs.is_empty() {
                continue;
            }
            let ok: Vec<&&Round> = rs.iter().filter(|r| r.outcome.is_ok()).collect();
            let mode = if slow { "slow consumer" } else { "as fast as it can" };
            if ok.is_empty() {
                let err = rs[0].outcome.as_ref().err().cloned().unwrap_or_default();
                println!("| {} | {mode} | 0/{} | failed: {err} | | | | |", kind.short(), rs.len());
                continue;
            }
            let worst = ok.iter().min_by_key(|r| r.received()).unwrap();
            let eps: Vec<f64> = ok.iter().map(|r| r.eps()).collect();
            let best = eps.iter().cloned().fold(0.0, f64::max);
            let mbps: Vec<f64> = ok.iter().map(|r| r.mbps()).collect();
            let lossy = ok.iter().filter(|r| r.lost() > 0).count();
            let lost: u64 = ok.iter().map(|r| r.lost()).sum();
            println!(
                "| {} | {mode} | {}/{} | {} / {} | {:.0} ({:.0}) | {:.1} | {} of {} | {} |",
                kind.short(),
                ok.len(),
                rs.len(),
                worst.received(),
                worst.sent,
                median(eps),
                best,
                median(mbps),
                lossy,
                ok.len(),
                lost
            );
        }
    }
}

struct Args {
    rounds: usize,
    slow_every: u64,
    slow_ms: u64,
    start_at_login: bool,
    slow_rounds: usize,
    copies: usize,
    corpus: PathBuf,
    only: Option<Vec<Kind>>,
    baseline: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: compare [--rounds N (5)] [--slow-rounds N (1)] [--slow-every EVENTS (1000)] [--slow-ms MS (1)] \
         [--copies N (8)] [--corpus FILE] [--only ringside,rs-ami,manager] [--no-baseline] [--start-at-login]\n\
         --start-at-login: the server starts the burst right after its Login reply instead of waiting \
         for the client's first action after Login\n\
         default corpus: $RINGSIDE_AMI_TRANSCRIPTS/g_burst_200.ami, else ../../../shared/ami/g_burst_200.ami \
         relative to this package"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let dir = std::env::var_os("RINGSIDE_AMI_TRANSCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ami"));
    let mut a = Args {
        rounds: 5,
        slow_every: SLOW_EVERY,
        slow_ms: SLOW_SLEEP_MS,
        start_at_login: false,
        slow_rounds: 1,
        copies: 8,
        corpus: dir.join("g_burst_200.ami"),
        only: None,
        baseline: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let num = |it: &mut dyn Iterator<Item = String>| -> usize {
            it.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage())
        };
        match arg.as_str() {
            "--rounds" => a.rounds = num(&mut it),
            "--slow-rounds" => a.slow_rounds = num(&mut it),
            "--copies" => a.copies = num(&mut it).max(1),
            "--corpus" => a.corpus = it.next().map(PathBuf::from).unwrap_or_else(|| usage()),
            "--no-baseline" => a.baseline = false,
            "--slow-every" => a.slow_every = num(&mut it).max(1) as u64,
            "--slow-ms" => a.slow_ms = num(&mut it) as u64,
            "--start-at-login" => a.start_at_login = true,
            "--only" => {
                let v = it.next().unwrap_or_else(|| usage());
                let kinds = v
                    .split(',')
                    .map(|s| match s.trim() {
                        "ringside" => Kind::Ringside,
                        "rs-ami" | "asterisk-rs-ami" => Kind::RsAmi,
                        "manager" | "asterisk-manager" => Kind::Manager,
                        _ => usage(),
                    })
                    .collect();
                a.only = Some(kinds);
            }
            _ => usage(),
        }
    }
    a
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let corpus = match Corpus::load(&args.corpus) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let mut kinds = args.only.clone().unwrap_or_else(|| vec![Kind::Ringside, Kind::RsAmi, Kind::Manager]);
    println!(
        "corpus {}: {} body bytes, {} events + {} other messages per copy; x{} = {} events, {:.1} MB per round",
        args.corpus.display(),
        corpus.body.len(),
        corpus.events,
        corpus.others,
        args.copies,
        corpus.events * args.copies as u64,
        (corpus.body.len() * args.copies) as f64 / 1e6
    );
    println!(
        "tokio worker threads: {}, CPUs: {}",
        tokio::runtime::Handle::current().metrics().num_workers(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    println!("slow consumer: sleeps {} ms every {} events", args.slow_ms, args.slow_every);
    println!(
        "burst starts: {}",
        if args.start_at_login {
            "right after the server's Login reply (--start-at-login)"
        } else {
            "when the client sends its first action after Login (a Ping, once it listens for events)"
        }
    );
    for k in &kinds {
        println!("  {}: {}", k.short(), k.label());
    }
    let mut rounds = Vec::new();
    // Interleave the clients round by round so that drift on the machine hits all of them.
    if args.baseline && args.only.is_none() {
        kinds.push(Kind::RawCodec);
    }
    println!("\nrounds:");
    for i in 1..=args.rounds {
        for &k in &kinds {
            let r = run_round(k, None, &corpus, &args).await;
            print_round(i, &r);
            rounds.push(r);
        }
    }
    for i in 1..=args.slow_rounds {
        for &k in &kinds {
            if k == Kind::RawCodec {
                continue;
            }
            let slow = Pace { every: args.slow_every, sleep: Duration::from_millis(args.slow_ms) };
            let r = run_round(k, Some(slow), &corpus, &args).await;
            print_round(i, &r);
            rounds.push(r);
        }
    }
    println!("\nlogins seen by the server:");
    for &k in &kinds {
        if let Some(r) = rounds.iter().find(|r| r.kind == k && !r.server.login.is_empty()) {
            println!("  {}: {}; other actions: {}", k.short(), r.server.login, r.server.actions.join(", "));
        }
    }
    summary(&rounds, &kinds);
    let ringside_lost: u64 = rounds.iter().filter(|r| r.kind == Kind::Ringside).map(|r| r.lost()).sum();
    let ringside_failed = rounds.iter().filter(|r| r.kind == Kind::Ringside && r.outcome.is_err()).count();
    println!();
    if kinds.contains(&Kind::Ringside) {
        if ringside_lost == 0 && ringside_failed == 0 {
            println!("ringside-ami lost no event in any round.");
        } else {
            println!("ringside-ami LOST {ringside_lost} events; {ringside_failed} rounds failed.");
            std::process::exit(1);
        }
    }
}
