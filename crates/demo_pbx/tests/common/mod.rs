//! A raw AMI client over real TCP (built on the codec only) and transcript helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ringside_ami::codec::{Decoder, Frame, Message};
use ringside_demo_pbx::{DemoPbx, DemoPbxConfig, DEMO_SECRET};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const STEP: Duration = Duration::from_secs(10);

/// Fast pace so the whole suite is quick (3 s ring → 60 ms).
pub fn fast_config() -> DemoPbxConfig {
    DemoPbxConfig { listen: "127.0.0.1:0".parse().unwrap(), speed: 50.0, ..DemoPbxConfig::default() }
}

pub async fn start_fast() -> DemoPbx {
    DemoPbx::start(fast_config()).await.expect("demo PBX starts")
}

/// A fast demo PBX, changed by `tweak`, and a client logged in to it with `Events: <events>`.
pub async fn start_logged_in(events: &str, tweak: impl FnOnce(&mut DemoPbxConfig)) -> (DemoPbx, Raw) {
    let mut cfg = fast_config();
    tweak(&mut cfg);
    let pbx = DemoPbx::start(cfg).await.expect("demo PBX starts");
    let c = Raw::login(pbx.local_addr(), events).await;
    (pbx, c)
}

/// The first event named `name`.
pub fn find_event<'a>(ms: &'a [Message], name: &str) -> Option<&'a Message> {
    ms.iter().find(|m| m.event() == Some(name))
}

/// True if the field `key` starts with `prefix`.
pub fn has_prefix(m: &Message, key: &str, prefix: &str) -> bool {
    m.get(key).is_some_and(|v| v.starts_with(prefix))
}

/// How many events are named `name`.
pub fn count_events(ms: &[Message], name: &str) -> usize {
    ms.iter().filter(|m| m.event() == Some(name)).count()
}

pub struct Raw {
    pub sock: TcpStream,
    dec: Decoder,
    pub banner: String,
}

impl Raw {
    pub async fn connect(addr: SocketAddr) -> Raw {
        let sock = TcpStream::connect(addr).await.expect("connect");
        Raw::from_stream(sock).await
    }

    pub async fn from_stream(sock: TcpStream) -> Raw {
        let mut raw = Raw { sock, dec: Decoder::default(), banner: String::new() };
        match raw.frame().await {
            Some(Frame::Banner(b)) => raw.banner = b,
            other => panic!("expected the banner, got {other:?}"),
        }
        raw
    }

    /// A logged-in client with the given `Events:` value.
    pub async fn login(addr: SocketAddr, events: &str) -> Raw {
        let mut raw = Raw::connect(addr).await;
        raw.send(&[
            ("Action", "Login"),
            ("ActionID", "login"),
            ("Username", "agent100"),
            ("Secret", DEMO_SECRET),
            ("Events", events),
        ])
        .await;
        let (resp, _) = raw.response("login").await;
        assert_eq!(resp.get("Message"), Some("Authentication accepted"), "{resp:?}");
        raw
    }

    pub async fn send(&mut self, pairs: &[(&str, &str)]) {
        let wire = Message::from_pairs(pairs.iter().copied()).to_wire();
        self.sock.write_all(wire.as_bytes()).await.expect("send");
    }

    async fn frame(&mut self) -> Option<Frame> {
        let work = async {
            let mut buf = [0u8; 16 * 1024];
            loop {
                if let Some(f) = self.dec.next_frame().expect("valid AMI") {
                    return Some(f);
                }
                match self.sock.read(&mut buf).await {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => self.dec.extend(&buf[..n]),
                }
            }
        };
        tokio::time::timeout(STEP, work).await.expect("the PBX answered in time")
    }

    /// The next message; `None` once the server closed the connection.
    pub async fn next(&mut self) -> Option<Message> {
        match self.frame().await? {
            Frame::Message(m) => Some(m),
            Frame::Banner(b) => panic!("a second banner {b:?}"),
        }
    }

    /// Reads until the response with `action_id`; returns it and what came before it.
    pub async fn response(&mut self, action_id: &str) -> (Message, Vec<Message>) {
        let mut before = Vec::new();
        loop {
            let m = self.next().await.expect("connection open");
            if m.response().is_some() && m.action_id() == Some(action_id) {
                return (m, before);
            }
            before.push(m);
        }
    }

    /// Sends an action and reads up to its response, which it returns (`pairs` must hold the
    /// `ActionID`).
    pub async fn ask(&mut self, pairs: &[(&str, &str)]) -> Message {
        let id = pairs.iter().find(|(k, _)| *k == "ActionID").map(|(_, v)| v.to_string()).expect("an ActionID");
        self.send(pairs).await;
        self.response(&id).await.0
    }

    /// Sends a Ping and returns what came before its response (to see that nothing did).
    pub async fn read_to_ping(&mut self) -> Vec<Message> {
        self.send(&[("Action", "Ping"), ("ActionID", "read-to-ping")]).await;
        self.response("read-to-ping").await.1
    }

    /// Reads messages until the first event named `name` (included).
    pub async fn until_event(&mut self, name: &str) -> Vec<Message> {
        self.until(|ms| find_event(ms, name).is_some()).await
    }

    /// Reads messages until `n` events named `name` have come (the last one included).
    pub async fn until_count(&mut self, name: &str, n: usize) -> Vec<Message> {
        self.until(|ms| count_events(ms, name) == n).await
    }

    /// Reads messages until `done` says so (the last one included).
    pub async fn until(&mut self, mut done: impl FnMut(&[Message]) -> bool) -> Vec<Message> {
        let mut out = Vec::new();
        loop {
            let m = self.next().await.expect("connection open");
            out.push(m);
            if done(&out) {
                return out;
            }
        }
    }

    /// Reads one whole call: until every channel of the first call seen (by Linkedid) has
    /// hung up. Returns everything read, other calls' events included.
    pub async fn call(&mut self) -> Vec<Message> {
        self.until(|ms| {
            let Some(linked) = ms.iter().find(|m| m.event() == Some("Newchannel")).and_then(|m| m.get("Linkedid"))
            else {
                return false;
            };
            let count =
                |ev: &str| ms.iter().filter(|m| m.event() == Some(ev) && m.get("Linkedid") == Some(linked)).count();
            count("Newchannel") == count("Hangup")
        })
        .await
    }

    /// True if the server closes the connection within `within`.
    pub async fn closed_within(&mut self, within: Duration) -> bool {
        let work = async {
            let mut buf = [0u8; 64 * 1024];
            loop {
                match self.sock.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        tokio::time::timeout(within, work).await.is_ok()
    }
}

pub fn transcript_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ami").join(name)
}

/// Every message of a recorded transcript (the banner left out).
pub fn transcript(name: &str) -> Vec<Message> {
    let bytes = std::fs::read(transcript_path(name)).expect("transcript readable");
    let mut dec = Decoder::default();
    dec.extend(&bytes);
    let mut out = Vec::new();
    while let Some(f) = dec.next_frame().expect("valid transcript") {
        if let Frame::Message(m) = f {
            out.push(m);
        }
    }
    out
}

pub const CALL_EVENTS: &[&str] =
    &["Newchannel", "DialBegin", "Newstate", "DialState", "DialEnd", "BridgeEnter", "Hangup"];

/// Gives channels names that do not depend on ids: `<context>#<n>;<half>`, numbered by first
/// appearance in each context.
#[derive(Default)]
pub struct Roles {
    seen: HashMap<String, String>,
    per_context: HashMap<String, usize>,
}

impl Roles {
    pub fn role(&mut self, channel: &str) -> String {
        let (base, half) = channel.rsplit_once(';').unwrap_or((channel, ""));
        if let Some(r) = self.seen.get(base) {
            return format!("{r};{half}");
        }
        let context = base.split('@').nth(1).and_then(|c| c.rsplit_once('-')).map_or(base, |(c, _)| c).to_string();
        let n = self.per_context.entry(context.clone()).or_default();
        *n += 1;
        let r = format!("{context}#{n}");
        self.seen.insert(base.to_string(), r.clone());
        format!("{r};{half}")
    }
}

/// The events named in `names`, each as one line of its name and `keys` (channel names
/// replaced by roles).
pub fn project(ms: &[Message], names: &[&str], keys: &[&str]) -> Vec<String> {
    let mut roles = Roles::default();
    ms.iter()
        .filter(|m| m.event().is_some_and(|e| names.contains(&e)))
        .map(|m| {
            let mut line = m.event().unwrap_or_default().to_string();
            for k in keys {
                if let Some(v) = m.get(k) {
                    let v = if k.ends_with("Channel") { roles.role(v) } else { v.to_string() };
                    line.push_str(&format!(" {k}={v}"));
                }
            }
            line
        })
        .collect()
}

/// Every leg carries the first channel's Uniqueid as Linkedid; every channel keeps one
/// Uniqueid; Uniqueids look like `<epoch>.<n>`.
pub fn assert_linkedid_invariants(ms: &[Message]) {
    let first = ms.iter().find(|m| m.event() == Some("Newchannel")).expect("a Newchannel");
    let linked = first.get("Uniqueid").expect("Uniqueid").to_string();
    let mut uid_of: HashMap<String, String> = HashMap::new();
    for m in ms {
        for p in ["", "Dest"] {
            // Only full channel blocks (OriginateResponse names a channel but has no block).
            if m.get(&format!("{p}ChannelState")).is_none() {
                continue;
            }
            let (Some(ch), Some(uid)) = (m.get(&format!("{p}Channel")), m.get(&format!("{p}Uniqueid"))) else {
                continue;
            };
            assert_eq!(m.get(&format!("{p}Linkedid")), Some(linked.as_str()), "Linkedid of {ch} in {m:?}");
            let (secs, n) = uid.split_once('.').expect("Uniqueid is <epoch>.<n>");
            assert!(secs.parse::<u64>().is_ok() && n.parse::<u64>().is_ok(), "{uid}");
            let prev = uid_of.entry(ch.to_string()).or_insert_with(|| uid.to_string());
            assert_eq!(prev, uid, "{ch} changed Uniqueid");
        }
    }
    let mut uids: Vec<_> = uid_of.values().collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), uid_of.len(), "two channels share a Uniqueid");
}

/// Compares line by line, printing both sides on failure.
pub fn assert_same(ours: &[String], theirs: &[String]) {
    if ours != theirs {
        let n = ours.len().max(theirs.len());
        let mut report = String::new();
        for i in 0..n {
            let a = ours.get(i).map_or("-", String::as_str);
            let b = theirs.get(i).map_or("-", String::as_str);
            let mark = if a == b { "  " } else { "!!" };
            report.push_str(&format!("{mark} ours:   {a}\n   theirs: {b}\n"));
        }
        panic!("event sequence differs from the transcript:\n{report}");
    }
}

/// Every event we sent has the same fields in the same order as the transcript's first event
/// of that name and shape (with or without a Channel block).
pub fn assert_same_layout(ours: &[Message], theirs: &[Message], min: usize) {
    let shape = |m: &Message| (m.event().unwrap_or_default().to_string(), m.get("Channel").is_some());
    let keys = |m: &Message| m.iter().map(|(k, _)| k.to_string()).collect::<Vec<_>>();
    let mut checked = 0;
    for m in ours.iter().filter(|m| m.event().is_some()) {
        let Some(t) = theirs.iter().find(|t| shape(t) == shape(m)) else { continue };
        assert_eq!(keys(m), keys(t), "fields of {:?}", shape(m));
        checked += 1;
    }
    assert!(checked >= min, "only {checked} events compared");
}
