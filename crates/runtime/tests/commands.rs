//! Commands from the desk to the PBX, against the demo PBX over real TCP: accepting calls,
//! click-to-call, hang up, and a supervisor pausing another agent.

mod common;

use std::time::Duration;

use ringside_config::{AmiConfig, SourceConfig};
use ringside_core::session::SourceStatus;
use ringside_core::{AgentState, CallCard, CardStatus, Direction, EndCause, MemberState, SessionOutput};
use ringside_demo_pbx::{DemoPbx, DemoPbxConfig, DEMO_SECRET};
use ringside_runtime::{Runtime, RuntimeError, RuntimeHandle, DEMO_ORIGINATE_CONTEXT};
use tokio::sync::broadcast::Receiver;

/// A demo PBX, and Ringside connected to it as agent 100 (wrap-up off); `adjust` changes the
/// config first. The temporary customer directory lives as long as the returned guard.
async fn start_with(
    speed: f64,
    adjust: impl FnOnce(&mut ringside_config::Config),
) -> (DemoPbx, RuntimeHandle, Receiver<SessionOutput>, tempfile::TempDir) {
    let pbx =
        DemoPbx::start(DemoPbxConfig { listen: "127.0.0.1:0".parse().expect("addr"), speed, ..Default::default() })
            .await
            .expect("demo");
    let addr = pbx.local_addr();
    let (directory, mut config) = common::isolated_config();
    config.source = SourceConfig::Ami(AmiConfig {
        originate_context: DEMO_ORIGINATE_CONTEXT.into(),
        ..AmiConfig::new(addr.ip().to_string(), addr.port(), "ringside")
    });
    config.session.wrap_up = false;
    adjust(&mut config);
    let handle = Runtime::start_with_secret(config, Some(DEMO_SECRET.into())).await.expect("runtime");
    let mut rx = handle.subscribe();
    until(&mut rx, "connected", |o| matches!(o, SessionOutput::Source(SourceStatus::Connected { .. })).then_some(()))
        .await;
    (pbx, handle, rx, directory)
}

async fn start(speed: f64) -> (DemoPbx, RuntimeHandle, Receiver<SessionOutput>, tempfile::TempDir) {
    start_with(speed, |_| {}).await
}

async fn until<T>(rx: &mut Receiver<SessionOutput>, what: &str, f: impl Fn(&SessionOutput) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(out)) => {
                if let Some(t) = f(&out) {
                    return t;
                }
                seen.push(out);
            }
            Ok(Err(e)) => panic!("while waiting for {what}: {e}"),
            Err(_) => panic!("timed out waiting for {what}; saw {seen:#?}"),
        }
    }
}

fn card_with(status: CardStatus) -> impl Fn(&SessionOutput) -> Option<CallCard> {
    move |o| match o {
        SessionOutput::Card(c) if c.status == status => Some(c.clone()),
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
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_names_the_customer_and_an_unusable_directory_still_shows_the_number() {
    let (pbx, handle, mut rx, _directory) = start(20.0).await;
    pbx.ring("+380 44 123 4567", None, "100").expect("ring");
    let named = until(&mut rx, "the customer on the card", |o| match o {
        SessionOutput::Card(c) if c.lookup == ringside_core::LookupState::Done => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(named.customers.len(), 1);
    assert_eq!(named.customers[0].name, "Olena Kovalenko");
    assert_eq!(named.customers[0].reason, "same E.164");
    handle.shutdown().await;
    pbx.shutdown().await;

    // A directory that cannot be created: the card says why and keeps the number.
    let (pbx, handle, mut rx, _directory) = start_with(20.0, |config| {
        config.directory.path = Some("/proc/ringside-cannot-be-here/directory.sqlite".into());
    })
    .await;
    pbx.ring("+380441234567", None, "100").expect("ring");
    let failed = until(&mut rx, "the failed lookup", |o| match o {
        SessionOutput::Card(c) if matches!(c.lookup, ringside_core::LookupState::Failed(_)) => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(failed.number, "+380441234567");
    assert!(failed.customers.is_empty());
    handle.shutdown().await;
    pbx.shutdown().await;
}
