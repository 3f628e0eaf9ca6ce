//! The PBX restarts under a running Ringside: it reconnects by itself, the call it showed
//! (which the restarted PBX no longer has) ends as interrupted, and a call that started while
//! it was away gets its card from the re-sync, then follows its events to the end.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use ringside_config::{AmiConfig, SourceConfig};
use ringside_core::session::SourceStatus;
use ringside_core::{CallCard, CardStatus, EndCause, SessionOutput};
use ringside_demo_pbx::{DemoAgent, DemoPbx, DemoPbxConfig, DEMO_SECRET};
use ringside_runtime::{Runtime, RuntimeHandle};
use tokio::sync::broadcast::Receiver;

fn pbx_config(listen: SocketAddr) -> DemoPbxConfig {
    DemoPbxConfig {
        listen,
        agents: vec![
            DemoAgent { answer_after: Some(Duration::from_secs(3)), ..DemoAgent::new("100", None) },
            DemoAgent::new("101", None),
        ],
        talk_time: Duration::from_secs(1),
        ..DemoPbxConfig::default()
    }
}

async fn next_matching<T>(rx: &mut Receiver<SessionOutput>, what: &str, f: impl Fn(&SessionOutput) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
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

fn card(out: &SessionOutput) -> Option<CallCard> {
    match out {
        SessionOutput::Card(c) => Some((**c).clone()),
        _ => None,
    }
}

/// Ringside on the demo PBX at `addr` with `secret`, with the AMI settings the restart tests
/// share (the temporary folder holds its files).
async fn start_on(addr: SocketAddr, secret: &str) -> (tempfile::TempDir, RuntimeHandle, Receiver<SessionOutput>) {
    let (directory, mut config) = common::isolated_config();
    config.source = SourceConfig::Ami(AmiConfig {
        ping_interval_secs: 60,
        connect_timeout_secs: 2,
        ..AmiConfig::new(addr.ip().to_string(), addr.port(), "ringside")
    });
    let handle = Runtime::start_with_secret(config, Some(secret.into())).await.expect("runtime");
    let rx = handle.subscribe();
    (directory, handle, rx)
}

/// [`start_on`] with the demo's secret, once connected.
async fn connected_to(addr: SocketAddr) -> (tempfile::TempDir, RuntimeHandle, Receiver<SessionOutput>) {
    let (directory, handle, mut rx) = start_on(addr, DEMO_SECRET).await;
    next_matching(&mut rx, "the first connection", |o| {
        matches!(o, SessionOutput::Source(SourceStatus::Connected { .. })).then_some(())
    })
    .await;
    (directory, handle, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_and_resyncs_after_a_pbx_restart() {
    let first = DemoPbx::start(pbx_config("127.0.0.1:0".parse().expect("addr"))).await.expect("demo starts");
    let addr = first.local_addr();

    let (_directory, handle, mut rx) = connected_to(addr).await;

    // A call rings; the PBX dies under it.
    first.ring("+380441234567", None, "100").expect("ring");
    let lost = next_matching(&mut rx, "the first call", |o| card(o).filter(|c| c.status == CardStatus::Ringing)).await;
    first.shutdown().await;
    next_matching(&mut rx, "the disconnect", |o| {
        matches!(o, SessionOutput::Source(SourceStatus::Disconnected { .. })).then_some(())
    })
    .await;

    // The PBX is back (a real restart takes more than a second, so call ids do not repeat),
    // and a new call starts before Ringside has reconnected.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = DemoPbx::start(pbx_config(addr)).await.expect("demo restarts on the same port");
    second.ring("+48221234567", Some("Anna Nowak"), "100").expect("ring");

    let mut interrupted = false;
    let mut states = Vec::new();
    let mut fresh_id = None;
    while !(interrupted && states.last() == Some(&CardStatus::Ended)) {
        let c = next_matching(&mut rx, "cards after the restart", card).await;
        if c.call_id == lost.call_id {
            // Its customer lookup may still update it; the end it gets is "interrupted".
            if c.status == CardStatus::Ended {
                assert_eq!(c.outcome, Some(EndCause::Interrupted), "the call the PBX forgot: {c:?}");
                interrupted = true;
            }
        } else {
            assert_eq!(c.number, "+48221234567");
            assert_eq!(*fresh_id.get_or_insert(c.call_id.clone()), c.call_id, "one card for the new call");
            states.push(c.status.clone());
        }
    }
    assert_eq!(states.first(), Some(&CardStatus::Ringing), "{states:?}");
    assert!(states.contains(&CardStatus::OnCall), "{states:?}");
    handle.shutdown().await;
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_reported_once_without_a_reconnect_storm() {
    let pbx = DemoPbx::start(DemoPbxConfig { speed: 10.0, ..pbx_config("127.0.0.1:0".parse().expect("addr")) })
        .await
        .expect("demo");
    let addr = pbx.local_addr();
    let (_directory, handle, mut rx) = start_on(addr, "not-the-secret").await;
    let reason = next_matching(&mut rx, "the login failure", |o| match o {
        SessionOutput::Source(SourceStatus::Disconnected { reason, .. }) => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert!(reason.message.contains("wrong username or secret"), "{reason:?}");
    assert_eq!(reason.code, "pbx.login_refused", "the window can tell a wrong secret from a network fault");
    // No second attempt follows by itself.
    let again = tokio::time::timeout(Duration::from_secs(3), rx.recv()).await;
    assert!(again.is_err(), "Ringside retried a wrong secret: {again:?}");
    handle.shutdown().await;
    pbx.shutdown().await;
}

/// A PBX that restarts refuses connections for a while: Ringside keeps trying every ~¾ s
/// rather than waiting longer each time, so it is back within a second of the PBX accepting
/// logins, however long the restart took (here 10 s: the doubling backoff it had before would
/// have waited ~5 s after the PBX came back).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_within_a_second_of_a_pbx_that_restarted() {
    let first = DemoPbx::start(pbx_config("127.0.0.1:0".parse().expect("addr"))).await.expect("demo starts");
    let addr = first.local_addr();
    let (_directory, handle, mut rx) = connected_to(addr).await;
    let connected =
        |o: &SessionOutput| matches!(o, SessionOutput::Source(SourceStatus::Connected { .. })).then_some(());
    first.shutdown().await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let second = DemoPbx::start(pbx_config(addr)).await.expect("demo restarts on the same port");
    let back = std::time::Instant::now();
    next_matching(&mut rx, "the connection after the restart", connected).await;
    let took = back.elapsed();
    eprintln!("connected again {} ms after the PBX listened again", took.as_millis());
    assert!(took < Duration::from_millis(1500), "back {took:?} after the PBX listened again");
    handle.shutdown().await;
    second.shutdown().await;
}
