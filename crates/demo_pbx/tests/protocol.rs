//! Login, permissions and plain actions over real TCP.

mod common;

use std::time::{Duration, Instant};

use common::*;
use md5::{Digest, Md5};
use ringside_demo_pbx::{DemoPbx, DemoPbxConfig, DemoPbxError, DEMO_SECRET};

#[tokio::test]
async fn banner_and_plain_login() {
    let pbx = start_fast().await;
    let mut c = Raw::connect(pbx.local_addr()).await;
    assert_eq!(c.banner, "Asterisk Call Manager/11.0.0");
    c.send(&[
        ("Action", "Login"),
        ("ActionID", "capture-login"),
        ("Username", "anyone"),
        ("Secret", DEMO_SECRET),
        ("Events", "on"),
    ])
    .await;
    let resp = c.next().await.unwrap();
    assert_eq!(
        resp.iter().collect::<Vec<_>>(),
        [("Response", "Success"), ("ActionID", "capture-login"), ("Message", "Authentication accepted")]
    );
    let booted = c.next().await.unwrap();
    assert_eq!(booted.event(), Some("FullyBooted"));
    assert_eq!(booted.get("Privilege"), Some("system,all"));
    let auth = c.next().await.unwrap();
    assert_eq!(auth.event(), Some("SuccessfulAuth"));
    assert_eq!(auth.get("AccountID"), Some("anyone"));
    c.send(&[("Action", "Ping"), ("ActionID", "p1")]).await;
    let pong = c.next().await.unwrap();
    let keys: Vec<_> = pong.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["Response", "ActionID", "Ping", "Timestamp"]);
    assert_eq!(pong.get("Ping"), Some("Pong"));
    c.send(&[("Action", "Logoff"), ("ActionID", "bye")]).await;
    let bye = c.next().await.unwrap();
    assert_eq!(bye.get("Response"), Some("Goodbye"));
    assert_eq!(bye.get("Message"), Some("Thanks for all the fish."));
    assert!(c.next().await.is_none(), "the server closes after Logoff");
    pbx.shutdown().await;
}

#[tokio::test]
async fn md5_challenge_login() {
    let pbx = start_fast().await;
    let mut c = Raw::connect(pbx.local_addr()).await;
    let resp = c.ask(&[("Action", "Challenge"), ("ActionID", "ch"), ("AuthType", "MD5")]).await;
    let challenge = resp.get("Challenge").expect("a challenge").to_string();
    assert!(!challenge.is_empty());
    let key: String =
        Md5::digest(format!("{challenge}{DEMO_SECRET}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let resp = c
        .ask(&[
            ("Action", "Login"),
            ("ActionID", "l"),
            ("Username", "agent100"),
            ("AuthType", "MD5"),
            ("Key", &key),
            ("Events", "off"),
        ])
        .await;
    assert_eq!(resp.get("Message"), Some("Authentication accepted"));

    // A wrong key fails like a wrong secret.
    let mut d = Raw::connect(pbx.local_addr()).await;
    d.ask(&[("Action", "Challenge"), ("ActionID", "ch"), ("AuthType", "MD5")]).await;
    let resp = d
        .ask(&[("Action", "Login"), ("ActionID", "l"), ("Username", "agent100"), ("AuthType", "MD5"), ("Key", "00")])
        .await;
    assert_eq!(resp.get("Message"), Some("Authentication failed"));
    assert!(d.next().await.is_none());
    pbx.shutdown().await;
}

#[tokio::test]
async fn wrong_secret_is_refused_after_a_delay_and_closed() {
    // Real time for the delay: about one second, as Asterisk.
    let cfg = DemoPbxConfig { listen: "127.0.0.1:0".parse().unwrap(), ..DemoPbxConfig::default() };
    let pbx = DemoPbx::start(cfg).await.unwrap();
    let mut observer = Raw::login(pbx.local_addr(), "security").await;
    observer.until_event("SuccessfulAuth").await;

    let mut c = Raw::connect(pbx.local_addr()).await;
    let t = Instant::now();
    c.send(&[
        ("Action", "Login"),
        ("ActionID", "capture-login"),
        ("Username", "agent100"),
        ("Secret", "wrong-secret"),
        ("Events", "on"),
    ])
    .await;
    let resp = c.next().await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(900), "answered after {:?}", t.elapsed());
    assert_eq!(
        resp.iter().collect::<Vec<_>>(),
        [("Response", "Error"), ("ActionID", "capture-login"), ("Message", "Authentication failed")]
    );
    assert!(c.next().await.is_none(), "the socket is closed after a failed login");
    // Others with `security` see it, as in f_login_failure_observer.
    let ev = observer.next().await.unwrap();
    assert_eq!(ev.event(), Some("InvalidPassword"));
    assert_eq!(ev.get("AccountID"), Some("agent100"));
    pbx.shutdown().await;
}

#[tokio::test]
async fn actions_before_login_are_denied() {
    let pbx = start_fast().await;
    let mut c = Raw::connect(pbx.local_addr()).await;
    for action in
        ["Ping", "QueueStatus", "QueuePause", "Originate", "Hangup", "CoreShowChannels", "Events", "Filter", "Bogus"]
    {
        let resp = c.ask(&[("Action", action), ("ActionID", action)]).await;
        assert_eq!(resp.get("Response"), Some("Error"), "{action}");
        assert_eq!(resp.get("Message"), Some("Permission denied"), "{action}");
    }
    // No events reach a session that has not logged in.
    pbx.ring("+380 44 123 4567", None, "100").unwrap();
    let before = c.read_to_ping().await;
    assert!(before.is_empty(), "{before:?}");
    pbx.shutdown().await;
}

#[tokio::test]
async fn unknown_and_malformed_actions() {
    let (pbx, mut c) = start_logged_in("off", |_| {}).await;
    let resp = c.ask(&[("Action", "Frobnicate"), ("ActionID", "x")]).await;
    assert_eq!(resp.get("Response"), Some("Error"));
    assert!(resp.get("Message").is_some_and(|m| m.starts_with("Invalid/unknown command")), "{resp:?}");
    let resp = c.ask(&[("ActionID", "y"), ("Foo", "bar")]).await;
    assert_eq!(resp.get("Message"), Some("Missing action in request"));
    let resp = c.ask(&[("Action", "Events"), ("ActionID", "e"), ("EventMask", "call")]).await;
    assert_eq!(resp.get("Events"), Some("On"));
    // Garbage that is not AMI does not kill the server.
    c.sock.write_all(b"\x00\xff\xfe garbage without colon\r\n\r\n").await.unwrap();
    let resp = c.ask(&[("Action", "Ping"), ("ActionID", "still")]).await;
    assert_eq!(resp.get("Ping"), Some("Pong"));
    pbx.shutdown().await;
}

use tokio::io::AsyncWriteExt;

#[tokio::test]
async fn events_mask_and_filters() {
    let pbx = start_fast().await;
    let addr = pbx.local_addr();
    let mut off = Raw::login(addr, "off").await;
    let mut agent_only = Raw::login(addr, "agent").await;
    let mut filtered = Raw::login(addr, "on").await;
    let resp = filtered
        .ask(&[("Action", "Filter"), ("ActionID", "f"), ("Operation", "Add"), ("Filter", "Local/100@agents")])
        .await;
    assert_eq!(resp.get("Message"), Some("Filter Added Successfully"));
    filtered.ask(&[("Action", "Filter"), ("ActionID", "g"), ("Filter", "!Event: Newstate")]).await;

    pbx.ring("+380 44 123 4567", None, "600").unwrap();
    let seen = agent_only.until_event("AgentComplete").await;
    assert!(seen.iter().all(|m| m.get("Privilege").is_some_and(|p| p.starts_with("agent,"))), "{seen:?}");
    let seen = filtered.until_count("Hangup", 2).await;
    for m in &seen {
        assert_ne!(m.event(), Some("Newstate"));
        let text = m.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect::<String>();
        assert!(text.contains("Local/100@agents"), "{m:?}");
    }
    let before = off.read_to_ping().await;
    assert!(before.is_empty(), "Events: off gets no events: {before:?}");
    pbx.shutdown().await;
}

#[tokio::test]
async fn queue_status_add_remove() {
    let (pbx, mut c) = start_logged_in("on", |_| {}).await;
    let resp = c.ask(&[("Action", "QueueStatus"), ("ActionID", "qs-1"), ("Queue", "support")]).await;
    assert_eq!(resp.get("Message"), Some("Queue status will follow"));
    let list = c.until_event("QueueStatusComplete").await;
    let names: Vec<_> = list.iter().filter_map(|m| m.event()).collect();
    assert_eq!(names, ["QueueParams", "QueueMember", "QueueMember", "QueueStatusComplete"]);
    let reference = transcript("d_queue_pause.ami");
    for ev in ["QueueParams", "QueueMember", "QueueStatusComplete"] {
        let ours: Vec<_> = find_event(&list, ev).unwrap().iter().map(|(k, _)| k).collect();
        let theirs: Vec<_> = find_event(&reference, ev).unwrap().iter().map(|(k, _)| k).collect();
        assert_eq!(ours, theirs, "{ev} fields");
    }
    assert_eq!(list.last().unwrap().get("ListItems"), Some("3"));

    c.send(&[
        ("Action", "QueueAdd"),
        ("ActionID", "add-1"),
        ("Queue", "support"),
        ("Interface", "Local/102@agents"),
        ("MemberName", "Agent 102"),
        ("Penalty", "0"),
        ("Paused", "true"),
        ("Reason", "Not ready yet"),
    ])
    .await;
    let seen = c.until_event("QueueMemberAdded").await;
    assert_eq!(seen[0].get("Message"), Some("Added interface to queue"));
    assert_same_layout(&seen, &reference, 2);
    let added = seen.last().unwrap();
    assert_eq!((added.get("Membership"), added.get("PausedReason")), (Some("dynamic"), Some("Not ready yet")));
    let resp = c
        .ask(&[("Action", "QueueAdd"), ("ActionID", "add-2"), ("Queue", "support"), ("Interface", "Local/102@agents")])
        .await;
    assert_eq!(resp.get("Message"), Some("Unable to add interface: Already there"));
    c.send(&[("Action", "QueueRemove"), ("ActionID", "rm-1"), ("Queue", "support"), ("Interface", "Local/102@agents")])
        .await;
    let seen = c.until_event("QueueMemberRemoved").await;
    assert_eq!(seen[0].get("Message"), Some("Removed interface from queue"));
    assert_same_layout(&seen, &reference, 1);
    let resp = c
        .ask(&[
            ("Action", "QueueRemove"),
            ("ActionID", "rm-2"),
            ("Queue", "support"),
            ("Interface", "Local/100@agents"),
        ])
        .await;
    assert_eq!(resp.get("Response"), Some("Error"));
    c.ask(&[("Action", "CoreShowChannels"), ("ActionID", "csc")]).await;
    let done = c.next().await.unwrap();
    assert_eq!(done.event(), Some("CoreShowChannelsComplete"));
    assert_eq!(done.get("ListItems"), Some("0"));
    pbx.shutdown().await;
}

#[tokio::test]
async fn port_in_use_and_shutdown() {
    let pbx = start_fast().await;
    let addr = pbx.local_addr();
    let e = DemoPbx::start(DemoPbxConfig { listen: addr, ..DemoPbxConfig::default() }).await.unwrap_err();
    assert!(matches!(e, DemoPbxError::AddrInUse { .. }));
    assert_eq!(e.to_string(), format!("port {addr} is in use (is Ringside or another demo PBX already running?)"));
    let bad = DemoPbx::start(DemoPbxConfig { speed: 0.0, ..fast_config() }).await.unwrap_err();
    assert!(matches!(bad, DemoPbxError::InvalidConfig(_)), "{bad}");

    let mut c = Raw::login(addr, "on").await;
    pbx.shutdown().await;
    assert!(c.closed_within(Duration::from_secs(5)).await);
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn dropping_the_handle_stops_the_server() {
    let (pbx, mut c) = start_logged_in("on", |_| {}).await;
    drop(pbx);
    assert!(c.closed_within(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn a_user_without_agent_write_may_not_pause_anyone() {
    let (pbx, mut c) = start_logged_in("off", |cfg| cfg.without_agent_write = vec!["agent100".into()]).await;
    for action in ["QueuePause", "QueueAdd", "QueueRemove"] {
        let resp = c
            .ask(&[
                ("Action", action),
                ("ActionID", action),
                ("Queue", "support"),
                ("Interface", "Local/101@agents"),
                ("Paused", "true"),
            ])
            .await;
        assert_eq!(resp.get("Response"), Some("Error"), "{action}");
        assert_eq!(resp.get("Message"), Some("Permission denied"), "{action}");
    }
    // Reading the queues is still allowed.
    let resp = c.ask(&[("Action", "Ping"), ("ActionID", "p")]).await;
    assert_eq!(resp.get("Response"), Some("Success"));
    pbx.shutdown().await;
}
