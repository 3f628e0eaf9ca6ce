//! Settings saved while Ringside runs (the settings window): against demo PBXs over real TCP, a
//! new port connects there and the next call comes from there; the agent's wrap-up pause is
//! undone on the PBX it leaves; a changed lookup is used by the next card; the open cards stay.

mod common;

use common::{start_with, until};
use ringside_config::SourceConfig;
use ringside_core::session::SourceStatus;
use ringside_core::{LookupState, SessionOutput};
use ringside_demo_pbx::{DemoPbx, DemoPbxConfig};
use ringside_lookup::seed::DEMO_CALLER_WITH_ORDERS;

async fn second_pbx() -> DemoPbx {
    let config = DemoPbxConfig { listen: "127.0.0.1:0".parse().expect("addr"), speed: 20.0, ..Default::default() };
    DemoPbx::start(config).await.expect("second demo PBX")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_port_connects_there_and_the_next_call_comes_from_there() {
    let (first, handle, mut rx, _dir) = start_with(20.0, |_| {}).await;
    let second = second_pbx().await;
    let port = second.local_addr().port();

    // (No call on the first PBX: two demo PBXs started in the same second number their calls
    // alike, and one call id is one call.)
    let mut config = handle.config();
    let SourceConfig::Ami(ami) = &mut config.source else { panic!("an AMI source") };
    ami.port = port;
    let done = handle.reconfigure(config, false).await.expect("reconfigured");
    assert!(done.reconnected);
    let source = until(&mut rx, "connected to the second PBX", |o| match o {
        SessionOutput::Source(SourceStatus::Connected { source, .. }) => Some(source.clone()),
        _ => None,
    })
    .await;
    assert!(source.ends_with(&format!(":{port}")), "{source}");
    let SourceConfig::Ami(now) = handle.config().source else { panic!("an AMI source") };
    assert_eq!(now.port, port);

    second.ring("+380 67 765 4321", Some("Taras"), "100").expect("ring on the second PBX");
    let card = until(&mut rx, "a card from the second PBX", |o| match o {
        SessionOutput::Card(c) if c.number.ends_with("7654321") => Some(c.clone()),
        _ => None,
    })
    .await;
    assert_eq!(card.caller_name.as_deref(), Some("Taras"));
    drop(first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_lookup_is_used_by_the_next_card_without_reconnecting() {
    let (pbx, handle, mut rx, _dir) = start_with(20.0, |_| {}).await;
    pbx.ring(DEMO_CALLER_WITH_ORDERS, None, "100").expect("ring");
    let (first, found) = until(&mut rx, "the directory's answer", |o| match o {
        SessionOutput::Card(c) if c.lookup == LookupState::Done => Some((c.call_id.clone(), c.customers.len())),
        _ => None,
    })
    .await;
    assert_eq!(found, 1, "the demo directory knows the caller");

    // The directory taken out of the lookup's order: the next card asks nobody.
    let mut config = handle.config();
    config.lookup.order = Vec::new();
    let done = handle.reconfigure(config, false).await.expect("reconfigured");
    assert!(!done.reconnected, "the source did not change");
    assert!(handle.snapshot().await.cards.iter().any(|c| c.call_id == first), "the open card stayed");
    pbx.ring(DEMO_CALLER_WITH_ORDERS, None, "100").expect("ring again");
    let card = until(&mut rx, "the second card's lookup", |o| match o {
        SessionOutput::Card(c) if c.lookup == LookupState::Done && c.call_id != first => Some(c.clone()),
        _ => None,
    })
    .await;
    assert!(card.customers.is_empty(), "{:?}", card.customers);
}
