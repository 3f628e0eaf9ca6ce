//! Webhook → relay → NATS → a desk: a real `nats-server` (installed by dev.sh), the relay on a
//! loopback port, and a Ringside runtime with `[source] kind = "nats"`. A Zadarma notification
//! signed with the account's secret rings the right agent's card; a wrong signature is refused
//! and rings nothing; a desk that connects during a call gets it from the relay's sync; a
//! command the webhook relay cannot carry out is refused in words.

use futures_util::StreamExt;
use std::time::Duration;

use ringside_config::{Config, NatsConfig, SourceConfig};
use ringside_core::session::SourceStatus;
use ringside_core::{ErrorCode, SessionOutput};
use ringside_nats_server::NatsServer;
use ringside_push::{zadarma, Fields, PushConfig, Secret, ZadarmaAccount};
use ringside_relay::{HttpConfig, Relay, RelayConfig};
use ringside_runtime::{Runtime, RuntimeHandle};
use tokio::sync::broadcast::Receiver;

const SECRET: &str = "zadarma-e2e-secret";

/// A real nats-server without authentication, and its URL.
fn nats_server() -> (NatsServer, String) {
    let server = NatsServer::start().expect("nats-server");
    let url = server.url();
    (server, url)
}

async fn desk(url: &str, extension: &str, dir: &tempfile::TempDir) -> (RuntimeHandle, Receiver<SessionOutput>) {
    desk_with(url, extension, dir, None).await
}

/// A desk; a supervisor's when `supervises` names its queues.
async fn desk_with(
    url: &str,
    extension: &str,
    dir: &tempfile::TempDir,
    supervises: Option<&[&str]>,
) -> (RuntimeHandle, Receiver<SessionOutput>) {
    let mut config = Config::default();
    if let Some(queues) = supervises {
        config.supervisor.enabled = true;
        config.supervisor.queues = queues.iter().map(|q| q.to_string()).collect();
    }
    config.directory.path = Some(dir.path().join(format!("directory-{extension}.sqlite")));
    config.history.path = Some(dir.path().join(format!("history-{extension}.sqlite")));
    config.agent.extension = extension.into();
    config.agent.interfaces = vec![format!("Local/{extension}@agents")];
    config.session.wrap_up = false;
    config.source = SourceConfig::Nats(NatsConfig { servers: vec![url.into()], tenant: "acme".into(), user: None });
    let handle = Runtime::start(config).await.expect("desk");
    let mut rx = handle.subscribe();
    until(&mut rx, "the desk on the relay", |o| {
        matches!(o, SessionOutput::Source(SourceStatus::Connected { .. })).then_some(())
    })
    .await;
    (handle, rx)
}

/// Waits until `relay` holds its tenant's PBX connection; returns how long it took.
async fn until_holding(relay: &Relay) -> Duration {
    let started = tokio::time::Instant::now();
    while !relay.holds_pbx() {
        assert!(started.elapsed() < Duration::from_secs(10), "the relay never took the PBX connection");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    started.elapsed()
}

async fn until<T>(rx: &mut Receiver<SessionOutput>, what: &str, f: impl Fn(&SessionOutput) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(out)) => {
                if let Some(t) = f(&out) {
                    return t;
                }
            }
            Ok(Err(e)) => panic!("while waiting for {what}: {e}"),
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", v.replace('+', "%2B").replace(' ', "+"))).collect::<Vec<_>>().join("&")
}

async fn notify(http: &reqwest::Client, relay: &Relay, pairs: &[(&str, &str)], secret: &str) -> u16 {
    let body = form(pairs);
    let signature =
        zadarma::signature(secret, &zadarma::signed_string(&Fields::from_form(body.as_bytes())).unwrap_or_default());
    http.post(format!("http://{}/v1/webhooks/zadarma", relay.http))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("Signature", signature)
        .body(body)
        .send()
        .await
        .expect("the relay answers")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: run by ./dev.sh test"]
async fn a_signed_zadarma_webhook_rings_the_right_agents_card_through_nats() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (_server, url) = nats_server();
    let push = PushConfig {
        zadarma: vec![ZadarmaAccount {
            tenant: "acme".into(),
            secret: Secret::new(SECRET),
            did_extensions: Default::default(),
        }],
        ..PushConfig::default()
    };
    let relay = Relay::start(RelayConfig {
        http: HttpConfig { listen: "127.0.0.1:0".parse().expect("addr") },
        nats: ringside_relay::NatsConfig::new(vec![url.clone()]),
        push,
        ami: None,
        id: "relay-a".into(),
    })
    .await
    .expect("relay");
    let dir = tempfile::tempdir().expect("temp dir");
    let (agent100, mut rx100) = desk(&url, "100", &dir).await;
    let (agent101, mut rx101) = desk(&url, "101", &dir).await;
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("http");

    let ringing = [
        ("event", "NOTIFY_INTERNAL"),
        ("call_start", "2026-12-03 10:11:12"),
        ("pbx_call_id", "in_e2e_1"),
        ("caller_id", "380441234567"),
        ("called_did", "380441112233"),
        ("internal", "101"),
    ];
    // A wrong signature: refused, and nobody's card rings.
    assert_eq!(notify(&http, &relay, &ringing, "not-the-secret").await, 403);
    // The right one: agent 101's card, with the caller; agent 100's desk sees nothing.
    assert_eq!(notify(&http, &relay, &ringing, SECRET).await, 200);
    let card = until(&mut rx101, "agent 101's card", |o| match o {
        SessionOutput::Card(c) => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(card.call_id.as_str(), "zadarma:in_e2e_1");
    assert!(card.number.ends_with("441234567"), "{}", card.number);
    assert!(agent100.snapshot().await.cards.is_empty(), "agent 100 got agent 101's call");
    assert!(!matches!(rx100.try_recv(), Ok(SessionOutput::Card(_))));

    // A desk that connects during the call gets it from the relay's sync.
    let (late, _rx) = desk(&url, "101", &dir).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while late.snapshot().await.cards.iter().all(|c| c.call_id.as_str() != "zadarma:in_e2e_1") {
        assert!(tokio::time::Instant::now() < deadline, "the late desk never got the live call");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Commands need a PBX: this relay says so.
    let refused = agent101.set_accepting_calls(false, None).await.expect_err("no PBX behind webhooks");
    assert_eq!(refused.code(), "relay.refused", "{refused}");
    assert!(refused.to_string().contains("no PBX"), "{refused}");

    for desk in [agent100, agent101, late] {
        desk.shutdown().await;
    }
    relay.shutdown().await;
}

/// One AMI connection for every desk: the relay follows agents 100 and 101 on the demo PBX (a
/// real AMI server over TCP); a call to 100 becomes desk 100's card only, and desk 100's
/// "stop accepting calls" is carried out on the PBX by the relay and confirmed back. Agent 101
/// supervises `support`: its desk lists the team from the queue's own subject and sees 100's
/// pause there; agent 100's own subject carries no team state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: run by ./dev.sh test"]
async fn one_ami_connection_serves_every_agents_desk_and_carries_out_their_commands() {
    let (_server, url) = nats_server();
    let pbx = demo_pbx().await;
    let mut ami = ami_input(&pbx, &["100", "101"]);
    ami.agents[1].supervises = vec!["support".into()];
    let relay = Relay::start(RelayConfig {
        http: HttpConfig { listen: "127.0.0.1:0".parse().expect("addr") },
        nats: ringside_relay::NatsConfig::new(vec![url.clone()]),
        push: PushConfig::default(),
        ami: Some(ami),
        id: "relay-a".into(),
    })
    .await
    .expect("relay");
    until_holding(&relay).await;
    let dir = tempfile::tempdir().expect("temp dir");
    // Whatever reaches agent 100's own subject, as a desk's credentials would see it.
    let watcher = async_nats::connect(url.as_str()).await.expect("a NATS client");
    let mut own100 = watcher.subscribe("ringside.acme.agent.100").await.expect("subscribe");
    watcher.flush().await.expect("flush");
    let (agent100, mut rx100) = desk(&url, "100", &dir).await;
    let (agent101, mut rx101) = desk_with(&url, "101", &dir, Some(&["support"])).await;
    // The supervisor's desk lists the team the relay took from the PBX's QueueStatus.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while agent101.snapshot().await.team.len() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "the supervisor's desk never listed both members");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    pbx.ring("+380 44 123 4567", Some("Olena"), "100").expect("ring 100");
    let card = until(&mut rx100, "desk 100's card", |o| match o {
        SessionOutput::Card(c) if c.number.ends_with("4567") => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(card.caller_name.as_deref(), Some("Olena"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        agent101.snapshot().await.cards.iter().all(|c| c.call_id != card.call_id),
        "desk 101 got the call that rang 100"
    );

    agent100.set_accepting_calls(false, Some("lunch".into())).await.expect("the relay paused agent 100");
    until(&mut rx100, "desk 100 paused by the PBX's word", |o| {
        matches!(o, SessionOutput::Agent(ringside_core::AgentState::Paused { .. })).then_some(())
    })
    .await;
    // A supervisor's switch of another agent without the right is refused in words.
    let refused = agent100.set_member_paused("Local/101@agents", Some("support"), true, None).await;
    let refused = refused.expect_err("agent 100 supervises nobody");
    assert!(refused.to_string().contains("may not pause"), "{refused}");
    // The supervisor's desk saw 100's pause on the team subject.
    until(&mut rx101, "100 paused in the supervisor's team", |o| match o {
        SessionOutput::TeamMember(m) if m.interface == "Local/100@agents" && m.queues.values().any(|q| q.paused) => {
            Some(())
        }
        _ => None,
    })
    .await;
    // Agent 100's subject carried its own events only: no member's team state, 101's least.
    let mut kinds = Vec::new();
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(300), own100.next()).await {
        let event: serde_json::Value = serde_json::from_slice(&msg.payload).expect("a CallEvent");
        kinds.push(event["type"].as_str().unwrap_or_default().to_string());
    }
    assert!(kinds.iter().any(|k| k == "agent_paused"), "{kinds:?}");
    assert!(kinds.iter().all(|k| k != "team_member"), "{kinds:?}");
    assert!(agent100.snapshot().await.team.is_empty(), "agent 100 supervises nobody but got the team");
    // The supervisor of `support` may switch 100 back; the team shows it once the PBX did.
    agent101.set_member_paused("Local/100@agents", Some("support"), false, None).await.expect("101 supervises support");
    until(&mut rx101, "100 taking calls again in the supervisor's team", |o| match o {
        SessionOutput::TeamMember(m) if m.interface == "Local/100@agents" && m.queues.values().all(|q| !q.paused) => {
            Some(())
        }
        _ => None,
    })
    .await;

    for desk in [agent100, agent101] {
        desk.shutdown().await;
    }
    relay.shutdown().await;
    pbx.shutdown().await;
}

async fn demo_pbx() -> ringside_demo_pbx::DemoPbx {
    let config = ringside_demo_pbx::DemoPbxConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        speed: 20.0,
        ..Default::default()
    };
    ringside_demo_pbx::DemoPbx::start(config).await.expect("demo PBX")
}

/// The demo PBX as the relay's AMI input, following `extensions`.
fn ami_input(pbx: &ringside_demo_pbx::DemoPbx, extensions: &[&str]) -> ringside_relay::AmiInput {
    ringside_relay::AmiInput {
        tenant: "acme".into(),
        options: ringside_ami::ConnectOptions::new(
            pbx.local_addr().to_string(),
            "ringside",
            ringside_ami::Secret::new(ringside_demo_pbx::DEMO_SECRET),
        ),
        originate_context: "outbound".into(),
        agents: extensions
            .iter()
            .map(|ext| ringside_relay::AgentEntry {
                extension: ext.to_string(),
                interfaces: vec![format!("Local/{ext}@agents")],
                name: None,
                supervises: Vec::new(),
            })
            .collect(),
    }
}

/// Two relays for one PBX: one holds the AMI connection, the other stands by; when the holder
/// dies the standby takes over within 2 s, and the desk gets every call exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs nats-server: run by ./dev.sh test"]
async fn a_standby_relay_takes_over_within_two_seconds_and_no_card_is_lost_or_doubled() {
    let (_server, url) = nats_server();
    let pbx = demo_pbx().await;
    let relay = |id: &str| RelayConfig {
        http: HttpConfig { listen: "127.0.0.1:0".parse().expect("addr") },
        nats: ringside_relay::NatsConfig::new(vec![url.clone()]),
        push: PushConfig::default(),
        ami: Some(ami_input(&pbx, &["100"])),
        id: id.into(),
    };
    let first = Relay::start(relay("relay-a")).await.expect("first relay");
    until_holding(&first).await;
    let second = Relay::start(relay("relay-b")).await.expect("second relay");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(first.holds_pbx() && !second.holds_pbx(), "exactly one relay holds the PBX connection");

    let dir = tempfile::tempdir().expect("temp dir");
    let (agent, mut rx) = desk(&url, "100", &dir).await;
    pbx.ring("+380 44 000 0001", None, "100").expect("first call");
    until(&mut rx, "the first call's card", |o| match o {
        SessionOutput::Card(c) if c.number.ends_with("0001") => Some(()),
        _ => None,
    })
    .await;

    first.shutdown().await;
    let took = until_holding(&second).await;
    assert!(took < Duration::from_secs(2), "the standby took {took:?}");
    pbx.ring("+380 44 000 0002", None, "100").expect("second call");
    until(&mut rx, "the second call's card", |o| match o {
        SessionOutput::Card(c) if c.number.ends_with("0002") => Some(()),
        _ => None,
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let numbers: Vec<String> = agent.snapshot().await.cards.iter().map(|c| c.number.clone()).collect();
    assert_eq!(numbers.iter().filter(|n| n.ends_with("0001")).count(), 1, "{numbers:?}");
    assert_eq!(numbers.iter().filter(|n| n.ends_with("0002")).count(), 1, "{numbers:?}");
    eprintln!("the standby took the PBX connection {} ms after the holder stopped", took.as_millis());

    agent.shutdown().await;
    second.shutdown().await;
    pbx.shutdown().await;
}
