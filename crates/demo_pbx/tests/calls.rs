//! Calls over real TCP, compared with the recorded Asterisk transcripts.

mod common;

use std::time::Duration;

use common::*;
use ringside_ami::codec::Message;
use ringside_demo_pbx::{place_call, DemoAgent, DemoPbx, DemoPbxError, Scenario, DEMO_SECRET};

/// Fields that must match the transcript exactly (channels by role).
const KEYS: &[&str] = &[
    "Channel",
    "ChannelState",
    "CallerIDNum",
    "CallerIDName",
    "ConnectedLineNum",
    "Context",
    "Exten",
    "DestChannel",
    "DestChannelState",
    "DestCallerIDNum",
    "DestConnectedLineNum",
    "DestContext",
    "DestExten",
    "DialString",
    "DialStatus",
    "Cause",
];

const CALLER: &str = "+380 44 123 4567";

#[tokio::test]
async fn direct_call_answered_matches_transcript_a() {
    let (pbx, mut c) = start_logged_in("on", |_| {}).await;
    pbx.ring(CALLER, None, "100").unwrap();
    let ours = c.call().await;

    let theirs = transcript("a_inbound_direct_answered.ami");
    assert_same(&project(&ours, CALL_EVENTS, KEYS), &project(&theirs, CALL_EVENTS, KEYS));
    assert_linkedid_invariants(&ours);
    // The noise-free extras keep the transcript's order too.
    let more = &[
        "Newchannel",
        "NewCallerid",
        "NewConnectedLine",
        "DialBegin",
        "DialEnd",
        "BridgeCreate",
        "BridgeEnter",
        "BridgeLeave",
        "BridgeDestroy",
        "HangupRequest",
        "SoftHangupRequest",
        "Hangup",
    ];
    assert_same(&project(&ours, more, KEYS), &project(&theirs, more, KEYS));
    assert_same_layout(&ours, &theirs, 10);
    pbx.shutdown().await;
}

#[tokio::test]
async fn direct_call_unanswered_matches_transcript_b() {
    let (pbx, mut c) = start_logged_in("on", |cfg| cfg.agents[0].answer_after = None).await;
    pbx.ring(CALLER, None, "100").unwrap();
    let ours = c.call().await;

    // The transcript dialed 190 (an alias of agent 100), so extensions differ; the rest must not.
    let keys = &["Channel", "ChannelState", "DestChannel", "DestChannelState", "DialStatus", "Cause"];
    let theirs = transcript("b_inbound_direct_unanswered.ami");
    let names = &["Newchannel", "DialBegin", "Newstate", "DialEnd", "Hangup", "HangupRequest", "SoftHangupRequest"];
    assert_same(&project(&ours, names, keys), &project(&theirs, names, keys));
    assert!(ours.iter().any(|m| m.event() == Some("DialEnd") && m.get("DialStatus") == Some("NOANSWER")));
    assert!(find_event(&ours, "BridgeEnter").is_none());
    assert_linkedid_invariants(&ours);
    pbx.shutdown().await;
}

#[tokio::test]
async fn queue_call_matches_transcript_c() {
    let (pbx, mut c) = start_logged_in("on", |_| {}).await;
    pbx.ring(CALLER, None, "600").unwrap();
    let ours = c.call().await;

    let theirs = transcript("c_inbound_queue.ami");
    let names: Vec<&str> = CALL_EVENTS
        .iter()
        .copied()
        .chain(["QueueCallerJoin", "AgentCalled", "QueueCallerLeave", "AgentConnect", "AgentComplete", "HangupRequest"])
        .collect();
    let keys: Vec<&str> =
        KEYS.iter().copied().chain(["Queue", "Interface", "MemberName", "Position", "Count"]).collect();
    assert_same(&project(&ours, &names, &keys), &project(&theirs, &names, &keys));
    assert_linkedid_invariants(&ours);
    assert_same_layout(&ours, &theirs, 10);

    // Agent 101's leg: cancelled, hung up as "answered elsewhere" (not a missed call).
    let ends: Vec<_> = ours
        .iter()
        .filter(|m| m.event() == Some("DialEnd") && has_prefix(m, "DestChannel", "Local/101@agents-"))
        .collect();
    assert!(!ends.is_empty() && ends.iter().all(|m| m.get("DialStatus") == Some("CANCEL")), "{ends:?}");
    let hangups: Vec<_> =
        ours.iter().filter(|m| m.event() == Some("Hangup") && has_prefix(m, "Channel", "Local/101@agents-")).collect();
    assert_eq!(hangups.len(), 2);
    for h in hangups {
        assert_eq!(h.get("Cause"), Some("26"));
        assert_eq!(h.get("Cause-txt"), Some("Answered elsewhere"));
    }
    let complete = find_event(&ours, "AgentComplete").expect("AgentComplete");
    assert_eq!(complete.get("Reason"), Some("caller"));
    assert_eq!(complete.get("Interface"), Some("Local/100@agents"));
    pbx.shutdown().await;
}

#[tokio::test]
async fn queue_pause_answers_first_and_paused_member_is_not_offered() {
    let (pbx, mut c) = start_logged_in("on", |_| {}).await;
    c.send(&[
        ("Action", "QueuePause"),
        ("ActionID", "pause-1"),
        ("Queue", "support"),
        ("Interface", "Local/100@agents"),
        ("Paused", "true"),
        ("Reason", "Lunch break"),
    ])
    .await;
    let seen = c.until_event("QueueMemberPause").await;
    let resp = seen.iter().position(|m| m.action_id() == Some("pause-1")).expect("a response");
    let ev = seen.len() - 1;
    assert!(resp < ev, "the Response must come before QueueMemberPause: {seen:?}");
    assert_eq!(seen[resp].get("Response"), Some("Success"));
    assert_eq!(seen[resp].get("Message"), Some("Interface paused successfully"));
    let pause = &seen[ev];
    assert_eq!(pause.get("PausedReason"), Some("Lunch break"));
    assert_eq!(pause.get("Paused"), Some("1"));
    assert_eq!(pause.get("Interface"), Some("Local/100@agents"));
    assert_eq!(pause.get("Reason"), None);
    assert_same_layout(&seen, &transcript("d_queue_pause.ami"), 2);

    // While paused, queue calls are not offered to agent 100.
    pbx.ring(CALLER, None, "600").unwrap();
    let call = c.call().await;
    assert_eq!(agents_called(&call), ["Local/101@agents"]);
    assert!(!call.iter().any(|m| has_prefix(m, "Channel", "Local/100@agents")));
    let answered = call
        .iter()
        .find(|m| m.event() == Some("DialEnd") && m.get("DialStatus") == Some("ANSWER") && m.get("Channel").is_some());
    assert!(answered.is_some_and(|m| has_prefix(m, "DestChannel", "Local/101@agents-")));

    // A direct call still rings a paused agent (pause is about queues).
    pbx.ring(CALLER, None, "100").unwrap();
    let call = c.call().await;
    assert!(call.iter().any(|m| m.event() == Some("DialBegin") && has_prefix(m, "DestChannel", "Local/100@agents-")));

    // Unpaused, both are offered again; the event has an empty PausedReason.
    c.send(&[
        ("Action", "QueuePause"),
        ("ActionID", "unpause-1"),
        ("Interface", "Local/100@agents"),
        ("Paused", "false"),
    ])
    .await;
    let seen = c.until_event("QueueMemberPause").await;
    let resp = seen.iter().position(|m| m.action_id() == Some("unpause-1")).expect("a response");
    assert_eq!(seen[resp].get("Message"), Some("Interface unpaused successfully"));
    assert_eq!(seen.last().unwrap().get("PausedReason"), Some(""));
    pbx.ring(CALLER, None, "600").unwrap();
    assert_eq!(agents_called(&c.call().await), ["Local/100@agents", "Local/101@agents"]);

    // Unknown interface.
    let resp = c
        .ask(&[("Action", "QueuePause"), ("ActionID", "bad"), ("Interface", "Local/999@agents"), ("Paused", "true")])
        .await;
    assert_eq!(resp.get("Response"), Some("Error"));
    assert_eq!(resp.get("Message"), Some("Interface not found"));
    pbx.shutdown().await;
}

#[tokio::test]
async fn paused_everyone_means_the_caller_waits_then_abandons() {
    let (pbx, mut c) = start_logged_in("call,agent", |cfg| cfg.queue_timeout = Duration::from_secs(10)).await;
    for (id, iface) in [("p100", "Local/100@agents"), ("p101", "Local/101@agents")] {
        c.ask(&[
            ("Action", "QueuePause"),
            ("ActionID", id),
            ("Interface", iface),
            ("Paused", "1"),
            ("Reason", "Break"),
        ])
        .await;
    }
    pbx.ring(CALLER, None, "600").unwrap();
    let call = c.call().await;
    assert!(find_event(&call, "AgentCalled").is_none());
    let names: Vec<_> = call.iter().filter_map(|m| m.event()).filter(|e| e.starts_with("QueueCaller")).collect();
    assert_eq!(names, ["QueueCallerJoin", "QueueCallerAbandon", "QueueCallerLeave"]);
    pbx.shutdown().await;
}

#[tokio::test]
async fn unpausing_offers_a_waiting_queue_call() {
    let (pbx, mut c) = start_logged_in("on", |_| {}).await;
    for (id, iface) in [("p100", "Local/100@agents"), ("p101", "Local/101@agents")] {
        c.ask(&[("Action", "QueuePause"), ("ActionID", id), ("Interface", iface), ("Paused", "1")]).await;
    }
    pbx.ring(CALLER, None, "600").unwrap();
    c.until_event("QueueCallerJoin").await;
    c.send(&[("Action", "QueuePause"), ("ActionID", "u"), ("Interface", "Local/101@agents"), ("Paused", "0")]).await;
    let rest = c.call().await;
    let connect = find_event(&rest, "AgentConnect").expect("answered after unpause");
    assert_eq!(connect.get("Interface"), Some("Local/101@agents"));
    pbx.shutdown().await;
}

#[tokio::test]
async fn originate_click_to_call_matches_transcript_e() {
    let (pbx, mut c) = start_logged_in("on", |_| {}).await;
    c.send(&[
        ("Action", "Originate"),
        ("ActionID", "c2c-0001"),
        ("Channel", "Local/100@agents"),
        ("Context", "outbound"),
        ("Exten", "0441234567"),
        ("Priority", "1"),
        ("CallerID", "\"Agent 100\" <100>"),
        ("Timeout", "30000"),
        ("Async", "true"),
    ])
    .await;
    let (first, before) = c.response("c2c-0001").await;
    assert_eq!(first.get("Response"), Some("Success"));
    assert_eq!(first.get("Message"), Some("Originate successfully queued"));
    assert!(before.iter().all(|m| m.get("Privilege").is_some_and(|p| !p.starts_with("call"))), "{before:?}");
    let ours = c.call().await;

    let theirs = transcript("e_originate_click2call.ami");
    let names: Vec<&str> = CALL_EVENTS.iter().copied().chain(["OriginateResponse"]).collect();
    let keys: Vec<&str> = KEYS.iter().copied().chain(["Response", "Reason", "ActionID"]).collect();
    assert_same(&project(&ours, &names, &keys), &project(&theirs, &names, &keys));
    assert_linkedid_invariants(&ours);
    assert_same_layout(&ours, &theirs, 10);
    let resp = find_event(&ours, "OriginateResponse").unwrap();
    assert_eq!(resp.get("Response"), Some("Success"));
    assert_eq!(resp.action_id(), Some("c2c-0001"));
    assert_eq!(resp.get("Reason"), Some("4"));
    let ch = resp.get("Channel").unwrap();
    assert!(
        ch.starts_with("Local/100@agents-") && ch.ends_with(";1") && ch.len() == "Local/100@agents-00000000;1".len(),
        "{ch}"
    );
    // The originate's own dial events carry no Channel block.
    let dial = find_event(&ours, "DialBegin").unwrap();
    assert_eq!(dial.get("Channel"), None);
    assert_eq!(dial.get("DestChannel"), Some(ch));
    pbx.shutdown().await;
}

#[tokio::test]
async fn originate_of_an_unknown_channel_fails() {
    let (pbx, mut c) = start_logged_in("on", |_| {}).await;
    let resp = c
        .ask(&[
            ("Action", "Originate"),
            ("ActionID", "o1"),
            ("Channel", "PJSIP/nobody"),
            ("Context", "outbound"),
            ("Exten", "123"),
            ("Priority", "1"),
            ("Async", "true"),
        ])
        .await;
    assert_eq!(resp.get("Message"), Some("Originate successfully queued"));
    let ev = c.next().await.unwrap();
    assert_eq!(ev.event(), Some("OriginateResponse"));
    assert_eq!(ev.get("Response"), Some("Failure"));
    assert_eq!(ev.get("Uniqueid"), Some("<unknown>"));
    assert_eq!(ev.action_id(), Some("o1"));

    // Without Async the answer is an error.
    let resp = c
        .ask(&[
            ("Action", "Originate"),
            ("ActionID", "o2"),
            ("Channel", "Local/999@agents"),
            ("Exten", "1"),
            ("Context", "x"),
        ])
        .await;
    assert_eq!(resp.get("Response"), Some("Error"));
    assert_eq!(resp.get("Message"), Some("Originate failed"));
    pbx.shutdown().await;
}

#[tokio::test]
async fn place_call_from_a_second_session_rings_agent_100() {
    let (pbx, mut observer) = start_logged_in("on", |_| {}).await;
    let addr = pbx.local_addr();
    place_call(addr, "cli", DEMO_SECRET, CALLER, "100").await.expect("call placed");
    let all = observer.call().await;
    let ringing = all
        .iter()
        .find(|m| {
            m.event() == Some("DialState") && m.get("DialStatus") == Some("RINGING") && m.get("Channel").is_some()
        })
        .expect("agent 100 rang");
    assert!(has_prefix(ringing, "DestChannel", "Local/100@agents-"), "{ringing:?}");
    assert!(has_prefix(ringing, "Channel", "Local/100@inbound-"));
    assert_eq!(ringing.get("CallerIDNum"), Some("+380441234567"));
    assert_eq!(ringing.get("CallerIDName"), Some(CALLER));
    assert_linkedid_invariants(&all);
    // The trigger was an async Originate: its OriginateResponse came when the call was answered.
    assert!(all.iter().any(|m| m.event() == Some("OriginateResponse") && m.get("Response") == Some("Success")));
    pbx.shutdown().await;
}

#[tokio::test]
async fn place_call_reports_clear_errors() {
    let pbx = start_fast().await;
    let addr = pbx.local_addr();
    let e = place_call(addr, "cli", "wrong", CALLER, "100").await.unwrap_err();
    assert!(matches!(e, DemoPbxError::LoginFailed { .. }), "{e}");
    assert!(e.to_string().contains("Authentication failed"), "{e}");
    let e = place_call(addr, "cli", DEMO_SECRET, CALLER, "999").await.unwrap_err();
    assert!(matches!(e, DemoPbxError::Rejected { .. }), "{e}");
    let e = place_call(addr, "cli", DEMO_SECRET, "no digits", "100").await.unwrap_err();
    assert!(matches!(e, DemoPbxError::InvalidInput(_)), "{e}");
    let e = place_call(addr, "cli", DEMO_SECRET, CALLER, "100\r\nAction: Hangup").await.unwrap_err();
    assert!(matches!(e, DemoPbxError::InvalidInput(_)), "{e}");
    pbx.shutdown().await;
    let e = place_call(addr, "cli", DEMO_SECRET, CALLER, "100").await.unwrap_err();
    assert!(e.to_string().contains("is the demo PBX running?"), "{e}");
}

#[tokio::test]
async fn hostile_caller_id_is_harmless() {
    let (pbx, mut c) = start_logged_in("call", |_| {}).await;
    let resp = c
        .ask(&[
            ("Action", "Originate"),
            ("ActionID", "evil"),
            ("Channel", "Local/100@inbound"),
            ("Application", "Wait"),
            ("Data", "5"),
            ("CallerID", "\"Bob\\\" <0>\"\"<<+380 44 123 4567>> Ολένα 🎧\u{7}"),
            ("Async", "true"),
        ])
        .await;
    assert_eq!(resp.get("Response"), Some("Success"));
    let call = c.call().await;
    let ringing = call.iter().find(|m| m.event() == Some("DialBegin") && m.get("Channel").is_some()).unwrap();
    assert_eq!(ringing.get("CallerIDNum"), Some("+380441234567"));
    assert!(ringing.get("CallerIDName").is_some_and(|n| !n.contains('\u{7}')));
    // In-process trigger with hostile text: never a panic, never a broken line.
    pbx.ring("+1\r\nAction: Logoff\r\n", Some("\"\r\n\r\nEvent: Fake\r\n"), "100").unwrap();
    let call = c.call().await;
    assert!(find_event(&call, "Fake").is_none());
    assert!(pbx.ring("abc", None, "100").is_err());
    assert!(matches!(pbx.ring(CALLER, None, "555"), Err(DemoPbxError::UnknownExtension { .. })));
    pbx.shutdown().await;
}

#[tokio::test]
async fn hangup_action_ends_a_call_from_the_agent_side() {
    let (pbx, mut c) = start_logged_in("on", |cfg| cfg.talk_time = Duration::from_secs(3600)).await;
    pbx.ring(CALLER, None, "600").unwrap();
    let up = c.until_count("BridgeEnter", 2).await;
    let agent_leg = up
        .iter()
        .find(|m| m.event() == Some("BridgeEnter") && m.get("Channel").is_some_and(|c| c.contains("@agents-")))
        .and_then(|m| m.get("Channel"))
        .unwrap()
        .to_string();

    // Mid-call resync, as in l_resync_midcall.
    let resp = c.ask(&[("Action", "CoreShowChannels"), ("ActionID", "csc")]).await;
    assert_eq!(resp.get("EventList"), Some("start"));
    let list = c.until_event("CoreShowChannelsComplete").await;
    let items: Vec<_> = list.iter().filter(|m| m.event() == Some("CoreShowChannel")).collect();
    assert_eq!(items.len(), 4);
    assert!(items.iter().all(|m| m.get("Privilege").is_none() && m.action_id() == Some("csc")));
    let bridged: Vec<_> = items.iter().filter(|m| m.get("BridgeId").is_some_and(|b| !b.is_empty())).collect();
    assert_eq!(bridged.len(), 2);
    assert_eq!(list.last().unwrap().get("ListItems"), Some("4"));
    c.ask(&[("Action", "QueueStatus"), ("ActionID", "qs")]).await;
    let qs = c.until_event("QueueStatusComplete").await;
    let m100 =
        qs.iter().find(|m| m.event() == Some("QueueMember") && m.get("Location") == Some("Local/100@agents")).unwrap();
    assert_eq!((m100.get("InCall"), m100.get("Status")), (Some("1"), Some("2")));
    assert_eq!(qs.last().unwrap().get("ListItems"), Some("3"));

    let resp = c.ask(&[("Action", "Hangup"), ("ActionID", "h"), ("Channel", &agent_leg)]).await;
    assert_eq!(resp.get("Message"), Some("Channel Hungup"));
    let rest = c.until_count("Hangup", 4).await;
    let complete = find_event(&rest, "AgentComplete").unwrap();
    assert_eq!(complete.get("Reason"), Some("agent"));
    let resp = c.ask(&[("Action", "Hangup"), ("ActionID", "h2"), ("Channel", &agent_leg)]).await;
    assert_eq!(resp.get("Message"), Some("No such channel"));
    pbx.shutdown().await;
}

#[tokio::test]
async fn every_session_gets_every_event_of_a_burst() {
    let (pbx, mut a) = start_logged_in("on", |cfg| cfg.speed = 500.0).await;
    let mut b = Raw::login(pbx.local_addr(), "call").await;
    let calls = 100;
    for i in 0..calls {
        let to = ["100", "101", "600"][i % 3];
        pbx.ring(&format!("+38044{i:07}"), None, to).unwrap();
    }
    for c in [&mut a, &mut b] {
        let all = c
            .until(|ms| {
                count_events(ms, "Hangup") == count_events(ms, "Newchannel")
                    && ms.iter().filter(|m| m.event() == Some("DialBegin") && m.get("Channel").is_none()).count()
                        == calls
            })
            .await;
        let linked: std::collections::HashSet<_> = all.iter().filter_map(|m| m.get("Linkedid")).collect();
        assert_eq!(linked.len(), calls);
    }
    pbx.shutdown().await;
}

#[tokio::test]
async fn a_client_that_does_not_read_is_disconnected() {
    let mut cfg = fast_config();
    cfg.speed = 1000.0;
    cfg.client_queue = 16;
    let pbx = DemoPbx::start(cfg).await.unwrap();
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.set_recv_buffer_size(4096).unwrap();
    let stream = sock.connect(pbx.local_addr()).await.unwrap();
    let mut slow = Raw::from_stream(stream).await;
    slow.send(&[("Action", "Login"), ("ActionID", "l"), ("Username", "slow"), ("Secret", DEMO_SECRET)]).await;
    let mut fast = Raw::login(pbx.local_addr(), "off").await;
    // Enough traffic to fill the socket buffers and then the 16-message queue.
    for round in 0..40 {
        for i in 0..25 {
            pbx.ring(&format!("+38044{round:03}{i:04}"), None, "100").unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(slow.closed_within(Duration::from_secs(20)).await, "the slow client was never disconnected");
    // The others are unaffected.
    let pong = fast.ask(&[("Action", "Ping"), ("ActionID", "p")]).await;
    assert_eq!(pong.get("Ping"), Some("Pong"));
    pbx.shutdown().await;
}

#[tokio::test]
async fn scenario_and_timer_ring_calls() {
    let sc = Scenario::parse(
        r#"
        [[step]]
        at_ms = 25000
        from = "+380 67 765 4321"
        name = "Mykola"
        to = "600"
        answer_by = "101"
        answer_after_ms = 1000

        [[step]]
        at_ms = 60000
        from = "+380 50 555 0101"
        to = "100"
        answer_by = "none"
        "#,
    )
    .unwrap();
    let (pbx, mut c) = start_logged_in("on", |cfg| cfg.scenario = Some(sc)).await;
    let first = c.call().await;
    let connect = find_event(&first, "AgentConnect").unwrap();
    assert_eq!(connect.get("Interface"), Some("Local/101@agents"));
    assert_eq!(connect.get("CallerIDName"), Some("Mykola"));
    let second = c.call().await;
    assert!(second.iter().any(|m| m.get("DialStatus") == Some("NOANSWER")));
    pbx.shutdown().await;

    let (pbx, mut c) = start_logged_in("call", |cfg| {
        cfg.ring_every = Some(Duration::from_secs(20));
        cfg.ring_to = "101".into();
        cfg.agents = vec![DemoAgent::new("100", None), DemoAgent::new("101", Some(Duration::from_secs(1)))];
    })
    .await;
    let call = c.call().await;
    assert!(call.iter().any(|m| has_prefix(m, "DestChannel", "Local/101@agents-")));
    pbx.shutdown().await;
}

#[test]
fn scenario_files_load_with_clear_errors() {
    let dir = std::env::temp_dir().join(format!("ringside-demo-pbx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.toml");
    std::fs::write(&good, "[[step]]\nat_ms = 10\nfrom = \"+380 44 123 4567\"\nto = \"600\"\n").unwrap();
    assert_eq!(Scenario::load(&good).unwrap().steps.len(), 1);
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[step]]\nat_ms = \"soon\"\n").unwrap();
    let e = Scenario::load(&bad).unwrap_err();
    assert!(matches!(e, DemoPbxError::ScenarioInvalid { .. }) && e.to_string().contains("bad.toml"), "{e}");
    let e = Scenario::load(&dir.join("missing.toml")).unwrap_err();
    assert!(matches!(e, DemoPbxError::ScenarioRead { .. }), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The interfaces the queue offered a call to, in order.
fn agents_called(call: &[Message]) -> Vec<&str> {
    call.iter().filter(|m| m.event() == Some("AgentCalled")).filter_map(|m| m.get("Interface")).collect()
}
