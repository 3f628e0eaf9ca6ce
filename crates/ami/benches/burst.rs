//! Throughput on the g_burst_200 transcript (18,000 real events, 6.9 MB), two ways:
//!
//! 1. **in process**: codec + tracker on one core, no socket (events/s, MB/s, peak heap);
//! 2. **loopback** (issue #14): a server thread writes the transcript's body `--copies` times at
//!    full speed over loopback TCP into the real client (`connect` + `Events::recv`), and every
//!    event goes through `CallTracker::handle` for agent 100. Prints events/s per round and the
//!    median, checks that every event arrived (the bench exits with status 1 if one is missing),
//!    and reports the client's peak heap (tokio runtime, connection task, channel, tracker);
//! 3. **fanout** (issue #14): the relay's case, a whole PBX for many agents. The transcript is
//!    decoded once, each of its calls moved to its own agent (`100@agents` renamed per
//!    `Linkedid`), and every message goes through `Fanout::handle` with `--agents` agents
//!    (default 1,000: `Local/N@agents` and `PJSIP/N`), versus the naive loop that feeds every
//!    message to every one of `--naive-agents` trackers (default 100, so it finishes). Prints
//!    events/s for both and the fan-out's peak heap.
//!
//! Run: `cargo bench -p ringside-ami --bench burst [-- --copies N --rounds N --only inproc|loopback|fanout
//! --agents N --naive-agents N]`.
//! Prints figures; asserts nothing about time.

// Counting allocations needs a global allocator, which is unsafe by its nature.
#![allow(unsafe_code)]

#[path = "shared/spread.rs"]
mod spread;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use ringside_ami::codec::{Decoder, Frame};
use ringside_ami::tracker::{AgentIdentity, CallTracker};
use ringside_ami::{connect, ConnectOptions, Fanout, Secret};
use ringside_core::Timestamp;

/// Counts live heap bytes so the bench can report the peak.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

struct Args {
    copies: usize,
    rounds: usize,
    inproc: bool,
    loopback: bool,
    fanout: bool,
    agents: usize,
    naive_agents: usize,
}

fn args() -> Args {
    let mut a =
        Args { copies: 160, rounds: 5, inproc: true, loopback: true, fanout: true, agents: 1000, naive_agents: 100 };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = |name: &str| -> usize {
            match it.next().and_then(|v| v.parse().ok()) {
                Some(n) => n,
                None => {
                    eprintln!("{name} needs a number");
                    std::process::exit(2);
                }
            }
        };
        match arg.as_str() {
            "--copies" => a.copies = number("--copies"),
            "--rounds" => a.rounds = number("--rounds").max(1),
            "--agents" => a.agents = number("--agents").max(1),
            "--naive-agents" => a.naive_agents = number("--naive-agents").max(1),
            "--only" => match it.next().as_deref() {
                Some("inproc") => (a.loopback, a.fanout) = (false, false),
                Some("loopback") => (a.inproc, a.fanout) = (false, false),
                Some("fanout") => (a.inproc, a.loopback) = (false, false),
                _ => {
                    eprintln!("--only inproc|loopback|fanout");
                    std::process::exit(2);
                }
            },
            // `cargo bench` passes `--bench` to every bench binary.
            _ => {}
        }
    }
    a
}

fn main() {
    let args = args();
    let dir = std::env::var_os("RINGSIDE_AMI_TRANSCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ami"));
    let path = dir.join("g_burst_200.ami");
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {}: {e}", path.display());
            std::process::exit(1);
        }
    };
    if args.inproc {
        in_process(&bytes);
    }
    if args.fanout {
        fanout(&bytes, &args);
    }
    if args.loopback {
        if let Err(e) = loopback(bytes, &args) {
            eprintln!("loopback: {e}");
            std::process::exit(1);
        }
    }
}

fn me() -> AgentIdentity {
    AgentIdentity::new("100", vec!["Local/100@agents".into()])
}

fn in_process(bytes: &[u8]) {
    let rounds = 20;
    let chunk = 16 * 1024; // what one socket read typically brings
    let mut best = f64::MAX;
    let mut events = 0usize;
    let mut call_events = 0usize;
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    for _ in 0..rounds {
        let started = Instant::now();
        let mut decoder = Decoder::default();
        let mut tracker = CallTracker::new(me());
        let mut out = Vec::new();
        events = 0;
        call_events = 0;
        for piece in bytes.chunks(chunk) {
            decoder.extend(piece);
            loop {
                match decoder.next_frame() {
                    Ok(Some(Frame::Message(m))) => {
                        events += 1;
                        tracker.handle(&m, Timestamp(0), &mut out);
                        call_events += out.len();
                        out.clear();
                    }
                    Ok(Some(Frame::Banner(_))) => {}
                    Ok(None) => break,
                    Err(e) => {
                        eprintln!("codec error: {e}");
                        std::process::exit(1);
                    }
                }
            }
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    println!("g_burst_200: {} bytes, {events} AMI messages, {call_events} CallEvents for agent 100", bytes.len());
    println!("in process: codec + tracker, best of {rounds}: {:.1} ms", best * 1e3);
    println!("  {:.0} events/s", events as f64 / best);
    println!("  {:.1} MB/s", bytes.len() as f64 / best / 1e6);
    println!("  peak heap above baseline: {:.1} KiB", peak as f64 / 1024.0);
}

/// The transcript cut for the server: the banner line, and the body after it.
struct Corpus {
    banner: Vec<u8>,
    body: Vec<u8>,
    /// Messages in one copy of the body with an `Event:` header (the others are the capture
    /// session's own responses, handed over as non-event messages).
    events: u64,
}

impl Corpus {
    fn new(mut bytes: Vec<u8>) -> Result<Self, String> {
        let nl = memchr::memchr(b'\n', &bytes).ok_or("the transcript has no banner line")?;
        let body = bytes.split_off(nl + 1);
        let mut d = Decoder::without_banner(1 << 20);
        d.extend(&body);
        let mut events = 0;
        while let Some(frame) = d.next_frame().map_err(|e| e.to_string())? {
            if matches!(frame, Frame::Message(m) if m.event().is_some()) {
                events += 1;
            }
        }
        if d.pending() != 0 {
            return Err("the transcript ends in the middle of a message".into());
        }
        Ok(Self { banner: bytes, body, events })
    }
}

/// A blocking AMI server on its own OS thread (outside the client's runtime): banner, a reply
/// to Challenge and Login, then the body `copies` times as fast as the socket takes it. The
/// time the burst started is published in `started`.
fn serve(
    listener: TcpListener,
    corpus: Arc<Corpus>,
    copies: usize,
    started: Arc<OnceLock<Instant>>,
) -> Result<(), String> {
    let (mut sock, _) = listener.accept().map_err(|e| format!("accept: {e}"))?;
    sock.set_nodelay(true).ok();
    sock.write_all(&corpus.banner).map_err(|e| format!("banner: {e}"))?;
    let mut d = Decoder::without_banner(1 << 20);
    let mut buf = vec![0u8; 4096];
    loop {
        let action = loop {
            match d.next_frame().map_err(|e| e.to_string())? {
                Some(Frame::Message(m)) => break m,
                Some(Frame::Banner(_)) => {}
                None => {
                    let n = sock.read(&mut buf).map_err(|e| format!("read: {e}"))?;
                    if n == 0 {
                        return Err("the client closed during the login".into());
                    }
                    d.extend(&buf[..n]);
                }
            }
        };
        let id = action.action_id().unwrap_or("");
        let name = action.get("Action").unwrap_or("");
        let reply = if name.eq_ignore_ascii_case("Challenge") {
            format!("Response: Success\r\nActionID: {id}\r\nChallenge: 840523804\r\n\r\n")
        } else {
            format!("Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n")
        };
        sock.write_all(reply.as_bytes()).map_err(|e| format!("reply: {e}"))?;
        if name.eq_ignore_ascii_case("Login") {
            break;
        }
    }
    let _ = started.set(Instant::now());
    for _ in 0..copies {
        sock.write_all(&corpus.body).map_err(|e| format!("burst: {e}"))?;
    }
    // Keep the socket open until the client has read everything and hung up.
    while sock.read(&mut buf).map_or(0, |n| n) > 0 {}
    Ok(())
}

struct Round {
    received: u64,
    call_events: u64,
    secs: f64,
    peak_heap: usize,
}

fn loopback_round(rt: &tokio::runtime::Runtime, corpus: &Arc<Corpus>, copies: usize) -> Result<Round, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?.to_string();
    let started = Arc::new(OnceLock::new());
    let server = {
        let (corpus, started) = (corpus.clone(), started.clone());
        std::thread::spawn(move || serve(listener, corpus, copies, started))
    };
    let expected = corpus.events * copies as u64;
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    // The consumer is a spawned task, as the runtime's source task is, not the bench's main thread.
    let consumer = rt.spawn(async move {
        let mut opts = ConnectOptions::new(addr, "agent100", Secret::new("secret"));
        // No keepalive during the run: the server answers only the login.
        opts.ping_interval = Duration::from_secs(3600);
        let (client, mut events) = connect(&opts).await.map_err(|e| format!("connect: {e}"))?;
        let mut tracker = CallTracker::new(me());
        let mut out = Vec::new();
        let (mut received, mut call_events) = (0u64, 0u64);
        while received < expected {
            match tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
                Err(_) => break,
                Ok(None) => break,
                Ok(Some(Err(e))) => return Err(format!("after {received} events: {e}")),
                Ok(Some(Ok(msg))) => {
                    if msg.event().is_some() {
                        received += 1;
                        tracker.handle(&msg, Timestamp(0), &mut out);
                        call_events += out.len() as u64;
                        out.clear();
                    }
                }
            }
        }
        let done = Instant::now();
        drop(client);
        drop(events);
        Ok::<_, String>((received, call_events, done))
    });
    let outcome = rt.block_on(consumer).map_err(|e| format!("the consumer task failed: {e}"))??;
    let peak_heap = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let (received, call_events, done) = outcome;
    server.join().map_err(|_| "the server thread panicked".to_string())??;
    let secs = started.get().map_or(0.0, |s| done.duration_since(*s).as_secs_f64());
    Ok(Round { received, call_events, secs, peak_heap })
}

fn loopback(bytes: Vec<u8>, args: &Args) -> Result<(), String> {
    let corpus = Arc::new(Corpus::new(bytes)?);
    let expected = corpus.events * args.copies as u64;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())?;
    println!(
        "loopback: {} events x {} copies = {expected} events, {:.1} MB per round; {} CPUs",
        corpus.events,
        args.copies,
        (corpus.body.len() * args.copies) as f64 / 1e6,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut rates = Vec::new();
    let mut peaks = Vec::new();
    let mut lost_total = 0u64;
    for i in 0..args.rounds {
        let r = loopback_round(&rt, &corpus, args.copies)?;
        let lost = expected - r.received.min(expected);
        lost_total += lost;
        let rate = r.received as f64 / r.secs;
        println!(
            "  round {}: {}/{expected} events in {:.0} ms = {rate:.0} events/s, {} CallEvents, lost {lost}, peak heap {:.2} MiB",
            i + 1,
            r.received,
            r.secs * 1e3,
            r.call_events,
            r.peak_heap as f64 / (1024.0 * 1024.0)
        );
        rates.push(rate);
        peaks.push(r.peak_heap);
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    let best = rates[rates.len() - 1];
    let peak = peaks.iter().copied().max().unwrap_or(0);
    println!("loopback, client + tracker: median {median:.0} events/s (best {best:.0}) over {} rounds", args.rounds);
    println!("  events lost: {lost_total}");
    println!("  client peak heap (runtime, connection, channel, tracker): {:.2} MiB", peak as f64 / (1024.0 * 1024.0));
    if lost_total > 0 {
        return Err(format!("{lost_total} events lost"));
    }
    Ok(())
}

fn identities(agents: usize) -> impl Iterator<Item = AgentIdentity> {
    (1000..1000 + agents)
        .map(|n| AgentIdentity::new(n.to_string(), vec![format!("Local/{n}@agents"), format!("PJSIP/{n}")]))
}

fn fanout(bytes: &[u8], args: &Args) {
    let msgs = spread::spread_over_agents(bytes, args.agents);
    let events = msgs.iter().filter(|m| m.event().is_some()).count();
    println!("fanout: g_burst_200 decoded once, {events} events, each call on its own agent");
    // Through the fan-out.
    let mut best = f64::MAX;
    let mut peak = 0;
    let mut call_events = 0;
    let mut indexed = (0, 0);
    for _ in 0..args.rounds {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let started = Instant::now();
        let mut fanout = Fanout::new(identities(args.agents));
        let mut out = Vec::new();
        call_events = 0;
        for m in &msgs {
            fanout.handle(m, Timestamp(0), &mut out);
            call_events += out.len();
            out.clear();
        }
        best = best.min(started.elapsed().as_secs_f64());
        peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        indexed = fanout.indexed();
    }
    println!(
        "  Fanout, {} agents, best of {}: {:.1} ms = {:.0} events/s, {call_events} CallEvents",
        args.agents,
        args.rounds,
        best * 1e3,
        events as f64 / best
    );
    println!("  peak heap (trackers, indexes, output): {:.2} MiB", peak as f64 / (1024.0 * 1024.0));
    println!("  index entries left after the burst (calls, channels): {indexed:?}");
    // The naive loop: every tracker gets every message.
    let naive = args.naive_agents;
    let msgs = spread::spread_over_agents(bytes, naive);
    let mut best = f64::MAX;
    for _ in 0..args.rounds.min(3) {
        let started = Instant::now();
        let mut trackers: Vec<CallTracker> = identities(naive).map(CallTracker::new).collect();
        let mut out = Vec::new();
        call_events = 0;
        for m in &msgs {
            for t in trackers.iter_mut() {
                t.handle(m, Timestamp(0), &mut out);
            }
            call_events += out.len();
            out.clear();
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "  naive, every tracker every event, {naive} agents, best of {}: {:.1} ms = {:.0} events/s, {call_events} CallEvents",
        args.rounds.min(3),
        best * 1e3,
        events as f64 / best
    );
}
