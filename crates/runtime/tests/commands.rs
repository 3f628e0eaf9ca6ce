//! Commands from the desk to the PBX, against the demo PBX over real TCP: accepting calls,
//! click-to-call, hang up, and a supervisor pausing another agent.

mod common;

use std::time::Duration;

use common::{start, start_with, until};
use ringside_core::{AgentState, CallCard, CardStatus, Direction, EndCause, MemberState, SessionOutput};
use ringside_runtime::RuntimeError;

fn card_with(status: CardStatus) -> impl Fn(&SessionOutput) -> Option<CallCard> {
    move |o| match o {
        SessionOutput::Card(c) if c.status == status => Some((**c).clone()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepting_calls_off_and_on_goes_through_the_pbx() {
    let (pbx, handle, mut rx, _directory) = start(20.0).await;
    handle.set_accepting_calls(false, Some("Lunch break".into())).await.expect("paused");
    let paused = until(&mut rx, "paused", |o| match o {
        SessionOutput::Agent(AgentState::Paused { reason, .. }) => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert_eq!(paused.as_deref(), Some("Lunch break"));
    handle.set_accepting_calls(true, None).await.expect("unpaused");
    until(&mut rx, "available", |o| matches!(o, SessionOutput::Agent(AgentState::Available { .. })).then_some(()))
        .await;
    // A line break in the reason would inject a second AMI action: refused before the wire.
    let err = handle.set_accepting_calls(false, Some("x\r\nAction: Originate".into())).await.expect_err("refused");
    assert!(err.to_string().contains("line break"), "{err}");
    assert_eq!(ringside_core::ErrorReport::of(&err).code, "pbx.bad_action");
    // Logged out, the agent cannot switch accepting calls: a code the window can act on.
    handle.log_out().await.expect("log out");
    let err = handle.set_accepting_calls(false, None).await.expect_err("logged out");
    let report = ringside_core::ErrorReport::of(&err);
    assert_eq!(
        (report.code.as_str(), report.args.get("state").map(String::as_str)),
        ("agent.not_now", Some("logged_out"))
    );
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn click_to_call_rings_the_agent_then_dials_the_number() {
    let (pbx, handle, mut rx, _directory) = start(20.0).await;
    handle.originate("044 123 45 67").await.expect("placed");
    let dialing = until(&mut rx, "the outgoing card", card_with(CardStatus::Dialing)).await;
    assert_eq!(dialing.direction, Direction::Outgoing);
    assert_eq!(dialing.number, "0441234567");
    let ended = until(&mut rx, "the end", card_with(CardStatus::Ended)).await;
    assert_eq!(ended.call_id, dialing.call_id, "one card for the click-to-call");
    assert_eq!(ended.outcome, Some(EndCause::Completed));

    for hostile in ["123 /password:x", ";rm -rf ~", "$(id)", "tel:123?x=1"] {
        let err = handle.originate(hostile).await.expect_err("refused");
        assert!(matches!(err, RuntimeError::Number(_)), "{hostile}: {err:?}");
    }
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hang_up_ends_the_current_call_and_keeps_the_card() {
    let (pbx, handle, mut rx, _directory) = start(5.0).await;
    assert!(matches!(handle.hangup().await, Err(RuntimeError::NoSuchCall)), "nothing to hang up yet");
    pbx.ring("+380441234567", None, "100").expect("ring");
    let on_call = until(&mut rx, "the answer", card_with(CardStatus::OnCall)).await;
    handle.hangup().await.expect("hung up");
    let ended = until(&mut rx, "the end", card_with(CardStatus::Ended)).await;
    assert_eq!(ended.call_id, on_call.call_id);
    assert_eq!(ended.outcome, Some(EndCause::Completed));
    let cards = handle.snapshot().await.cards;
    assert!(cards.iter().any(|c| c.call_id == on_call.call_id), "the card stays open after hang-up");
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_sees_the_team_and_pauses_an_agent() {
    let (pbx, handle, mut rx, _directory) = start(20.0).await;
    // The re-sync after connect fills the team.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while handle.snapshot().await.team.len() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "team never filled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let team = handle.snapshot().await.team;
    assert!(team.iter().all(|m| m.state() == MemberState::Available), "{team:?}");

    handle.set_member_paused("Local/101@agents", Some("support"), true, Some("Coaching".into())).await.expect("paused");
    let m = until(&mut rx, "101 paused", |o| match o {
        SessionOutput::TeamMember(m) if m.interface == "Local/101@agents" && m.state() != MemberState::Available => {
            Some(m.clone())
        }
        _ => None,
    })
    .await;
    assert!(
        matches!(m.state(), MemberState::Paused { reason: Some(ref r), since: Some(_) } if r == "Coaching"),
        "{m:?}"
    );
    let err = handle.set_member_paused("Local/999@agents", None, true, None).await.expect_err("unknown member");
    assert!(err.to_string().contains("Interface not found"), "{err}");
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn click_to_call_from_an_unknown_device_says_why_it_failed() {
    let (pbx, handle, _rx, _directory) = start_with(20.0, |config| {
        config.agent.extension = "999".into();
        config.agent.interfaces = vec!["Local/999@agents".into()];
    })
    .await;
    let err = handle.originate("0441234567").await.expect_err("no such device");
    assert_eq!(err.to_string(), "the PBX could not ring Local/999@agents (unknown device, or it is not registered)");
    // What crosses to the window: a code to react to, the PBX's reason, the English words.
    let report = ringside_core::ErrorReport::of(&err);
    assert_eq!(report.code, "pbx.call_not_placed");
    assert_eq!(report.message, err.to_string());
    handle.shutdown().await;
    pbx.shutdown().await;
}

/// `dial` goes through the connection asked for, writes the number that connection's way, and
/// refuses hostile text before anything starts.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dialing_goes_through_the_chosen_connection_in_its_format() {
    use ringside_config::{ConnectionConfig, ConnectionKind, DialRule, NumberFormat};
    use std::os::unix::fs::PermissionsExt;

    let scratch = tempfile::tempdir().expect("tempdir");
    let softphone = scratch.path().join("softphone.sh");
    std::fs::write(&softphone, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$0.log\"\n")
        .expect("script");
    std::fs::set_permissions(&softphone, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let program = softphone.clone();
    let (pbx, handle, mut rx, _directory) = start_with(20.0, move |config| {
        config.dial.connections = vec![
            ConnectionConfig {
                name: "office".into(),
                kind: ConnectionKind::Pbx,
                rule: DialRule { format: NumberFormat::National, ..DialRule::default() },
            },
            ConnectionConfig {
                name: "desk".into(),
                kind: ConnectionKind::Command { program, args: vec!["{number}".into()] },
                rule: DialRule::default(),
            },
        ];
    })
    .await;
    let names: Vec<(String, bool)> = handle.connections().into_iter().map(|c| (c.name, c.default)).collect();
    assert_eq!(names, [("office".to_string(), true), ("desk".to_string(), false)]);

    // The default connection: the PBX, dialing the national form.
    handle.dial("+380 44 123 45 67", None).await.expect("placed");
    let dialing = until(&mut rx, "the outgoing card", card_with(CardStatus::Dialing)).await;
    assert_eq!((dialing.direction, dialing.number.as_str()), (Direction::Outgoing, "0441234567"));

    // The softphone, in E.164, as one argument.
    handle.dial("044 123 45 67", Some("desk")).await.expect("handed over");
    let log = softphone.with_extension("sh.log");
    // The fake softphone writes its one line; wait for the whole line, not for a while.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let logged = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.ends_with('\n') || std::time::Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(logged, "+380441234567\n", "the softphone ran with one argument");

    std::fs::remove_file(&log).expect("clean");
    let err = handle.dial("123 /password:x", Some("desk")).await.expect_err("refused");
    assert!(err.to_string().contains("is not a phone number"), "{err}");
    let err = handle.dial("0441234567", Some("fax")).await.expect_err("no such connection");
    assert!(err.to_string().contains("there is no connection \"fax\""), "{err}");
    // A stranger's number with a service code (*72… forwards the agent's calls) is not called
    // back until the agent confirms it; the window reacts to the code.
    let err = handle.dial_unconfirmed("*72 044 123 45 67", Some("desk")).await.expect_err("asks first");
    let report = ringside_core::ErrorReport::of(&err);
    assert_eq!((report.code.as_str(), report.args["number"].as_str()), ("dial.service_code", "*72 044 123 45 67"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!log.exists(), "hostile text started the softphone");

    // The history says which connection placed each call, and the number as it dialed it.
    let ended = until(&mut rx, "the PBX call's end", card_with(CardStatus::Ended)).await;
    assert_eq!(ended.call_id, dialing.call_id);
    // The softphone's call reaches the PBX as the phone dials it (here: an Originate).
    handle.dial("044 123 45 67", Some("desk")).await.expect("handed over");
    handle.originate("+380441234567").await.expect("the softphone's call");
    let softphone_call = until(&mut rx, "the softphone's call", card_with(CardStatus::Dialing)).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let calls = loop {
        let calls = handle.recent_calls(10).await.expect("history");
        if calls.len() >= 2 || std::time::Instant::now() > deadline {
            break calls;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let used = |id: &ringside_core::CallId| {
        let c = calls.iter().find(|c| &c.call_id == id).expect("in the history");
        (c.connection.clone(), c.dialed_number.clone())
    };
    assert_eq!(used(&dialing.call_id), (Some("office".into()), Some("0441234567".into())));
    assert_eq!(used(&softphone_call.call_id), (Some("desk".into()), Some("+380441234567".into())));
    handle.shutdown().await;
    pbx.shutdown().await;
}
