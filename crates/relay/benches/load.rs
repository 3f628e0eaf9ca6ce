//! The relay under a whole PBX (issue #14): a real `nats-server` (started here on a free port),
//! `--agents` desks (default 1,000), each on its own NATS connection subscribed to its own
//! subject, and the relay following every one of them over one AMI connection. An AMI peer on a
//! loopback socket replays the g_burst_200 transcript (18,000 real events; each of its 200 calls
//! moved to its own agent) at full speed, one frame per write, noting when it wrote each frame.
//!
//! Prints, per round, the end-to-end latency from the AMI frame's write to the desk's receipt of
//! the `CallEvent` it caused (p50, p90, p99, max), and checks **exact delivery**: every agent got,
//! in order, exactly the events an offline `Fanout` makes of the same frames (times aside), and
//! the agents without calls got nothing but the relay's re-sync. The bench exits with status 1
//! when a delivery is wrong; it asserts nothing about time.
//!
//! Run: `cargo bench -p ringside-relay --bench load [-- --agents N --rounds N]` (needs
//! `nats-server` on the PATH; ./dev.sh test installs it).

#[allow(dead_code)]
#[path = "../../ami/benches/shared/spread.rs"]
mod spread;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use ringside_ami::codec::{Decoder, Frame, Message};
use ringside_ami::{AgentIdentity, ConnectOptions, Fanout, Secret};
use ringside_core::relay::agent_subject;
use ringside_core::Timestamp;
use ringside_nats_server::NatsServer;
use ringside_relay::{AgentEntry, AmiInput, HttpConfig, NatsConfig, Relay, RelayConfig};

const TENANT: &str = "load";

struct Args {
    agents: usize,
    rounds: usize,
}

fn args() -> Args {
    let mut a = Args { agents: 1000, rounds: 3 };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = |name: &str| match it.next().and_then(|v| v.parse::<usize>().ok()) {
            Some(n) => n.max(1),
            None => fail(&format!("{name} needs a number")),
        };
        match arg.as_str() {
            "--agents" => a.agents = number("--agents"),
            "--rounds" => a.rounds = number("--rounds"),
            // `cargo bench` passes `--bench` to every bench binary.
            _ => {}
        }
    }
    a
}

fn fail(message: &str) -> ! {
    eprintln!("load: {message}");
    std::process::exit(1)
}

fn nats_server() -> (NatsServer, String) {
    let server = NatsServer::start().unwrap_or_else(|e| fail(&format!("cannot start nats-server: {e}")));
    let url = server.url();
    (server, url)
}

/// The burst: each event frame's bytes, and the same frame decoded.
struct Burst {
    frames: Vec<Vec<u8>>,
    messages: Vec<Message>,
}

fn burst(agents: usize) -> Burst {
    let dir = std::env::var_os("RINGSIDE_AMI_TRANSCRIPTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ami"));
    let path = dir.join("g_burst_200.ami");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", path.display())));
    let text = spread::spread_text(&bytes, agents);
    let mut frames = Vec::new();
    let mut messages = Vec::new();
    for chunk in text.split_inclusive("\r\n\r\n").filter(|c| c.starts_with("Event: ")) {
        let mut d = Decoder::without_banner(1 << 20);
        d.extend(chunk.as_bytes());
        match d.next_frame() {
            Ok(Some(Frame::Message(m))) => {
                frames.push(chunk.as_bytes().to_vec());
                messages.push(m);
            }
            other => fail(&format!("a frame of the transcript does not decode: {other:?}")),
        }
    }
    Burst { frames, messages }
}

fn identity(ext: usize) -> (String, Vec<String>) {
    (ext.to_string(), vec![format!("Local/{ext}@agents"), format!("PJSIP/{ext}")])
}

/// What each agent should receive, in order: the relay's re-sync, then the burst's events with
/// the index of the frame that caused each (as JSON without its time).
fn expected(burst: &Burst, agents: usize) -> Vec<Vec<(Option<usize>, serde_json::Value)>> {
    let mut fanout = Fanout::new((0..agents).map(|i| {
        let (ext, interfaces) = identity(1000 + i);
        AgentIdentity::new(ext, interfaces)
    }));
    let mut want = vec![Vec::new(); agents];
    let mut out = Vec::new();
    fanout.resync(&[], &[], Timestamp(0), &mut out);
    for (agent, event) in out.drain(..) {
        want[agent].push((None, timeless(&event)));
    }
    for (n, m) in burst.messages.iter().enumerate() {
        fanout.handle(m, Timestamp(0), &mut out);
        for (agent, event) in out.drain(..) {
            want[agent].push((Some(n), timeless(&event)));
        }
    }
    want
}

fn timeless<T: serde::Serialize>(event: &T) -> serde_json::Value {
    let mut v = serde_json::to_value(event).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("at");
    }
    v
}

/// The AMI peer: login, empty answers to the relay's re-sync, then (on `go`) the burst at full
/// speed, one frame per write, with the instant of each write. Answers any other action with
/// `Success` so the relay's keepalive never fails.
fn serve(
    listener: TcpListener,
    frames: Arc<Vec<Vec<u8>>>,
    go: std_mpsc::Receiver<()>,
    written: std_mpsc::Sender<Vec<Instant>>,
) -> Result<(), String> {
    let (sock, _) = listener.accept().map_err(|e| format!("accept: {e}"))?;
    sock.set_nodelay(true).ok();
    let writer = Arc::new(Mutex::new(sock.try_clone().map_err(|e| e.to_string())?));
    lock(writer.as_ref()).write_all(b"Asterisk Call Manager/11.0.0\r\n").map_err(|e| e.to_string())?;
    let answers = writer.clone();
    std::thread::spawn(move || {
        let mut sock = sock;
        let mut d = Decoder::without_banner(1 << 20);
        let mut buf = vec![0u8; 8192];
        loop {
            while let Ok(Some(Frame::Message(action))) = d.next_frame() {
                let id = action.action_id().unwrap_or("").to_owned();
                let name = action.get("Action").unwrap_or("").to_ascii_lowercase();
                let reply = match name.as_str() {
                    "challenge" => format!("Response: Success\r\nActionID: {id}\r\nChallenge: 840523804\r\n\r\n"),
                    "coreshowchannels" | "queuestatus" => {
                        let done =
                            if name == "queuestatus" { "QueueStatusComplete" } else { "CoreShowChannelsComplete" };
                        format!(
                            "Response: Success\r\nActionID: {id}\r\nEventList: start\r\nMessage: follows\r\n\r\n\
                             Event: {done}\r\nActionID: {id}\r\nEventList: Complete\r\nListItems: 0\r\n\r\n"
                        )
                    }
                    _ => format!("Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n"),
                };
                if lock(answers.as_ref()).write_all(reply.as_bytes()).is_err() {
                    return;
                }
            }
            match sock.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => d.extend(&buf[..n]),
            }
        }
    });
    go.recv().map_err(|_| "the bench stopped before the burst".to_string())?;
    let mut at = Vec::with_capacity(frames.len());
    for frame in frames.iter() {
        at.push(Instant::now());
        lock(writer.as_ref()).write_all(frame).map_err(|e| format!("burst: {e}"))?;
    }
    let _ = written.send(at);
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One desk's receipts: each message's instant and its event without time.
type Receipts = Arc<Mutex<Vec<(Instant, serde_json::Value)>>>;

struct RoundFigures {
    latencies_us: Vec<u64>,
    events: usize,
    wrong_agents: usize,
    first_wrong: Option<String>,
    span: Duration,
    /// From the first frame's write to the last's.
    written: Duration,
}

async fn round(
    url: &str,
    burst: &Burst,
    want: &[Vec<(Option<usize>, serde_json::Value)>],
    agents: usize,
    n: usize,
) -> RoundFigures {
    // The desks: one NATS connection each, subscribed before the relay starts.
    let mut receipts: Vec<Receipts> = Vec::with_capacity(agents);
    let mut desks = Vec::with_capacity(agents);
    for i in 0..agents {
        let client = async_nats::ConnectOptions::new()
            .subscription_capacity(1 << 16)
            .connect(url)
            .await
            .unwrap_or_else(|e| fail(&format!("desk {i}: {e}")));
        let mut sub = client
            .subscribe(agent_subject(TENANT, &(1000 + i).to_string()))
            .await
            .unwrap_or_else(|e| fail(&format!("desk {i}: {e}")));
        let got: Receipts = Arc::default();
        receipts.push(got.clone());
        desks.push(client.clone());
        tokio::spawn(async move {
            while let Some(msg) = sub.next().await {
                let now = Instant::now();
                let event: serde_json::Value = serde_json::from_slice(&msg.payload).unwrap_or_default();
                let mut event = event;
                if let Some(o) = event.as_object_mut() {
                    o.remove("at");
                }
                got.lock().unwrap_or_else(|p| p.into_inner()).push((now, event));
            }
        });
    }
    for d in &desks {
        let _ = d.flush().await;
    }

    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| fail(&e.to_string()));
    let addr = listener.local_addr().unwrap_or_else(|e| fail(&e.to_string())).to_string();
    let (go_tx, go_rx) = std_mpsc::channel();
    let (written_tx, written_rx) = std_mpsc::channel();
    let frames = Arc::new(burst.frames.clone());
    let peer = std::thread::spawn(move || serve(listener, frames, go_rx, written_tx));

    let relay = Relay::start(RelayConfig {
        http: HttpConfig { listen: "127.0.0.1:0".parse().unwrap_or_else(|_| fail("addr")) },
        nats: NatsConfig::new(vec![url.to_string()]),
        push: Default::default(),
        ami: Some(AmiInput {
            tenant: TENANT.into(),
            options: ConnectOptions::new(addr, "ringside", Secret::new("load")),
            originate_context: "outbound".into(),
            agents: (0..agents)
                .map(|i| {
                    let (extension, interfaces) = identity(1000 + i);
                    AgentEntry { extension, interfaces, name: None, supervises: Vec::new() }
                })
                .collect(),
        }),
        id: format!("load-{n}"),
    })
    .await
    .unwrap_or_else(|e| fail(&e.to_string()));

    // Every desk got the relay's re-sync: the burst starts on a settled relay.
    let deadline = Instant::now() + Duration::from_secs(30);
    while receipts.iter().any(|r| r.lock().unwrap_or_else(|p| p.into_inner()).is_empty()) {
        if Instant::now() > deadline {
            fail("the desks never got the relay's re-sync");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = go_tx.send(());
    let written = tokio::task::spawn_blocking(move || written_rx.recv())
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_else(|| fail("the AMI peer stopped"));

    // Until every expected event arrived, or nothing arrives for 5 s.
    let total: usize = want.iter().map(Vec::len).sum();
    let mut last = (0, Instant::now());
    loop {
        let got: usize = receipts.iter().map(|r| r.lock().unwrap_or_else(|p| p.into_inner()).len()).sum();
        if got >= total {
            // Anything extra arrives now or never.
            tokio::time::sleep(Duration::from_millis(500)).await;
            break;
        }
        if got != last.0 {
            last = (got, Instant::now());
        } else if last.1.elapsed() > Duration::from_secs(5) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    relay.shutdown().await;
    for d in desks {
        let _ = d.drain().await;
    }
    match peer.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => fail(&format!("the AMI peer: {e}")),
        Err(_) => fail("the AMI peer panicked"),
    }

    let mut figures = RoundFigures {
        latencies_us: Vec::new(),
        events: 0,
        wrong_agents: 0,
        first_wrong: None,
        span: Duration::ZERO,
        written: match (written.first(), written.last()) {
            (Some(a), Some(b)) => b.saturating_duration_since(*a),
            _ => Duration::ZERO,
        },
    };
    let start = written.first().copied().unwrap_or_else(Instant::now);
    let mut end = start;
    for (i, (want, got)) in want.iter().zip(&receipts).enumerate() {
        let got = got.lock().unwrap_or_else(|p| p.into_inner());
        let same = want.len() == got.len() && want.iter().zip(got.iter()).all(|((_, w), (_, g))| w == g);
        if !same {
            figures.wrong_agents += 1;
            if figures.first_wrong.is_none() {
                figures.first_wrong = Some(format!(
                    "agent {}: wanted {} events, got {}; first difference: {:?}",
                    1000 + i,
                    want.len(),
                    got.len(),
                    want.iter().zip(got.iter()).find(|((_, w), (_, g))| w != g).map(|((_, w), (_, g))| (w, g))
                ));
            }
            continue;
        }
        for ((frame, _), (received, _)) in want.iter().zip(got.iter()) {
            let Some(frame) = frame else { continue };
            let Some(sent) = written.get(*frame) else { continue };
            figures.latencies_us.push(received.saturating_duration_since(*sent).as_micros() as u64);
            figures.events += 1;
            end = end.max(*received);
        }
    }
    figures.span = end.saturating_duration_since(start);
    figures
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

fn main() {
    let args = args();
    let burst = burst(args.agents);
    let want = expected(&burst, args.agents);
    let with_calls = want.iter().filter(|w| w.iter().any(|(f, _)| f.is_some())).count();
    let events: usize = want.iter().map(|w| w.iter().filter(|(f, _)| f.is_some()).count()).sum();
    println!(
        "load: g_burst_200, {} AMI events replayed at full speed; {} desks on their own NATS connections, {with_calls} of them with calls; {events} CallEvents expected",
        burst.frames.len(),
        args.agents
    );
    let (_server, url) = nats_server();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap_or_else(|e| fail(&e.to_string()));
    let mut wrong = false;
    let mut p99s = Vec::new();
    for n in 0..args.rounds {
        let mut f = rt.block_on(round(&url, &burst, &want, args.agents, n));
        f.latencies_us.sort_unstable();
        let l = &f.latencies_us;
        println!(
            "  round {}: burst written in {:.1} ms, {} events delivered in {:.1} ms; AMI frame → desk p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; agents with a wrong delivery: {}",
            n + 1,
            f.written.as_secs_f64() * 1e3,
            f.events,
            f.span.as_secs_f64() * 1e3,
            percentile(l, 0.50),
            percentile(l, 0.90),
            percentile(l, 0.99),
            percentile(l, 1.0),
            f.wrong_agents
        );
        if let Some(first) = f.first_wrong {
            println!("    {first}");
            wrong = true;
        }
        p99s.push(percentile(l, 0.99));
    }
    p99s.sort_by(f64::total_cmp);
    println!("  median p99 over {} rounds: {:.2} ms (target ≤ 20 ms)", args.rounds, p99s[p99s.len() / 2]);
    if wrong {
        fail("a desk did not get exactly its own events");
    }
    println!("  exact delivery: every desk got exactly its own events, in order");
}
