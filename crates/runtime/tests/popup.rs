//! The card window as the runtime drives it, against the demo PBX over real TCP: which calls'
//! cards it shows as calls ring, are answered and end, its own timers, and the agent's actions.
//!
//! Real time, not tokio's paused clock: the demo PBX, the AMI keepalive and the lookup deadline
//! run on the same runtime, and a paused clock would fire them early. The delays here are
//! short instead; the rules' timing is tested exactly in crates/core/tests/popup.rs.

mod common;

use std::time::{Duration, Instant};

use common::{start_on, until};
use ringside_config::CardOpensOn;
use ringside_core::{CallId, CardStatus, EndCause, Notice, PopupView, SessionOutput};
use ringside_demo_pbx::{DemoAgent, DemoPbxConfig, DemoQueue};
use ringside_runtime::RuntimeError;
use tokio::sync::broadcast::Receiver;

const CUSTOMER: &str = "+380 44 123 4567";

/// Agent 100 (Ringside's agent) picks up after `answer_after`, or never; 101 after 0.5 s.
fn pbx(answer_after: Option<Duration>) -> DemoPbxConfig {
    DemoPbxConfig {
        agents: vec![DemoAgent::new("100", answer_after), DemoAgent::new("101", Some(Duration::from_millis(500)))],
        queue: DemoQueue { name: "support".into(), number: "600".into(), members: vec!["100".into(), "101".into()] },
        dial_timeout: Duration::from_secs(60),
        talk_time: Duration::from_secs(1),
        ..DemoPbxConfig::default()
    }
}

/// The next call that rings, other than those in `known` (a known call's card changes too,
/// when its lookup finishes).
async fn ringing(rx: &mut Receiver<SessionOutput>, known: &[CallId]) -> CallId {
    until(rx, "a new card ringing", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ringing && !known.contains(&c.call_id) => {
            Some(c.call_id.clone())
        }
        _ => None,
    })
    .await
}

async fn view(rx: &mut Receiver<SessionOutput>, what: &str, f: impl Fn(&PopupView) -> bool) -> PopupView {
    until(rx, what, |o| match o {
        SessionOutput::Popup(v) if f(v) => Some(v.clone()),
        _ => None,
    })
    .await
}

/// Every output that arrives within `wait`.
async fn outputs_for(rx: &mut Receiver<SessionOutput>, wait: Duration) -> Vec<SessionOutput> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut seen = Vec::new();
    while let Ok(Ok(out)) = tokio::time::timeout_at(deadline, rx.recv()).await {
        seen.push(out);
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ringing_call_opens_its_card_and_an_answered_one_stays_after_the_call() {
    let (pbx, handle, mut rx, _dir) = start_on(pbx(Some(Duration::from_millis(300))), |_| {}).await;
    pbx.ring(CUSTOMER, None, "100").expect("ring");
    let call = ringing(&mut rx, &[]).await;
    let shown = view(&mut rx, "the card in the window", |v| !v.calls.is_empty()).await;
    assert_eq!(shown, PopupView { calls: vec![call.clone()], more: 0, compact: false });
    until(&mut rx, "the call over", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ended => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(handle.snapshot().await.popup, shown, "the talked call's card stays for the wrap-up");
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_opens_on_answer_the_card_opens_only_when_answered_and_the_ring_is_notified() {
    let (pbx, handle, mut rx, _dir) = start_on(pbx(Some(Duration::from_millis(500))), |config| {
        config.ui.card_opens_on = CardOpensOn::Answer;
    })
    .await;
    pbx.ring(CUSTOMER, None, "100").expect("ring");
    let mut before_answer = Vec::new();
    let call = loop {
        let out = rx.recv().await.expect("outputs");
        if let SessionOutput::Card(c) = &out {
            if c.status == CardStatus::OnCall {
                break c.call_id.clone();
            }
        }
        before_answer.push(out);
    };
    assert!(
        !before_answer.iter().any(|o| matches!(o, SessionOutput::Popup(_))),
        "the window opened before the answer: {before_answer:#?}"
    );
    let notice = before_answer.iter().find_map(|o| match o {
        SessionOutput::Notice(n @ Notice::IncomingCall { .. }) => Some(n.clone()),
        _ => None,
    });
    assert!(
        matches!(&notice, Some(Notice::IncomingCall { call: c, number, .. }) if *c == call && number == "+380441234567"),
        "{notice:?}"
    );
    let shown = view(&mut rx, "the card in the window", |_| true).await;
    assert_eq!(shown.calls, [call]);
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_withdraws_the_incoming_call_notification() {
    let (pbx, handle, mut rx, _dir) = start_on(pbx(Some(Duration::from_millis(300))), |config| {
        config.ui.card_opens_on = CardOpensOn::Never;
    })
    .await;
    pbx.ring(CUSTOMER, None, "100").expect("ring");
    until(&mut rx, "the notification", |o| {
        matches!(o, SessionOutput::Notice(Notice::IncomingCall { .. })).then_some(())
    })
    .await;
    let answered_first = until(&mut rx, "the answer, then the withdrawal", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::OnCall => Some(true),
        SessionOutput::NoticeWithdrawn { tag } if tag == "incoming-call" => Some(false),
        _ => None,
    })
    .await;
    assert!(answered_first, "withdrawn before the answer");
    until(&mut rx, "the withdrawal", |o| {
        matches!(o, SessionOutput::NoticeWithdrawn { tag } if tag == "incoming-call").then_some(())
    })
    .await;
    assert!(handle.snapshot().await.popup.calls.is_empty(), "never: no card by itself");
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_internal_call_that_ends_within_the_delay_never_shows() {
    // A colleague's direct call rings out after 0.4 s, well within the 1.5 s delay; the queue
    // rings agent 100 alone, for 15 s.
    let config = DemoPbxConfig {
        dial_timeout: Duration::from_millis(400),
        queue: DemoQueue { name: "support".into(), number: "600".into(), members: vec!["100".into()] },
        ..pbx(None)
    };
    let (pbx, handle, mut rx, _dir) = start_on(config, |config| {
        config.ui.internal_call_delay_ms = 1_500;
    })
    .await;
    pbx.ring("101", Some("Agent 101"), "100").expect("ring");
    let call = ringing(&mut rx, &[]).await;
    let seen = outputs_for(&mut rx, Duration::from_millis(2_500)).await;
    assert!(
        seen.iter().any(|o| matches!(o, SessionOutput::Card(c) if c.call_id == call && c.status == CardStatus::Ended)),
        "the call ended: {seen:#?}"
    );
    assert!(!seen.iter().any(|o| matches!(o, SessionOutput::Popup(_))), "the window opened: {seen:#?}");
    assert_eq!(handle.snapshot().await.popup, PopupView::default());
    // A colleague who keeps ringing past the delay does get a card, then.
    let started = Instant::now();
    pbx.ring("102", None, "600").expect("ring");
    let late = ringing(&mut rx, &[call]).await;
    let shown = view(&mut rx, "the delayed card", |v| !v.calls.is_empty()).await;
    assert_eq!(shown.calls, [late]);
    assert!(started.elapsed() >= Duration::from_millis(1_400), "opened after {:?}", started.elapsed());
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_calls_stack_newest_first_up_to_the_limit_and_the_rest_count_as_more() {
    let (pbx, handle, mut rx, _dir) = start_on(pbx(None), |config| {
        config.ui.card_stack_limit = 2;
    })
    .await;
    let mut calls = Vec::new();
    for caller in [CUSTOMER, "+380 50 555 0101", "+380 93 222 3344"] {
        pbx.ring(caller, None, "100").expect("ring");
        calls.push(ringing(&mut rx, &calls).await);
    }
    let full = view(&mut rx, "three cards", |v| v.more == 1).await;
    assert_eq!(full, PopupView { calls: vec![calls[2].clone(), calls[1].clone()], more: 1, compact: false });
    // Closing the top card brings the oldest in.
    handle.dismiss_popup(calls[2].clone()).await.expect("dismiss");
    let after = view(&mut rx, "two cards left", |v| v.more == 0).await;
    assert_eq!(after.calls, [calls[1].clone(), calls[0].clone()]);
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_call_a_colleague_answered_closes_by_itself_after_saying_who() {
    let (pbx, handle, mut rx, _dir) = start_on(pbx(None), |config| {
        config.ui.card_autoclose_secs = 1;
    })
    .await;
    pbx.ring(CUSTOMER, None, "600").expect("ring the queue");
    let call = ringing(&mut rx, &[]).await;
    view(&mut rx, "the card in the window", |v| v.calls == [call.clone()]).await;
    let ended = until(&mut rx, "101 named as who answered", |o| match o {
        SessionOutput::Card(c) if c.outcome == Some(EndCause::AnsweredElsewhere { by: Some("Agent 101".into()) }) => {
            Some(Instant::now())
        }
        _ => None,
    })
    .await;
    assert_eq!(handle.snapshot().await.popup.calls, [call], "shown while it says who answered");
    view(&mut rx, "the window closing by itself", |v| v.calls.is_empty()).await;
    let after = ended.elapsed();
    assert!(after >= Duration::from_millis(800) && after < Duration::from_secs(3), "closed after {after:?}");
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_closes_cards_and_brings_the_current_one_back() {
    let (pbx, handle, mut rx, _dir) = start_on(pbx(None), |_| {}).await;
    pbx.ring(CUSTOMER, None, "100").expect("ring");
    let call = ringing(&mut rx, &[]).await;
    view(&mut rx, "the card in the window", |v| v.calls == [call.clone()]).await;
    handle.dismiss_popup(call.clone()).await.expect("dismiss");
    view(&mut rx, "the window empty", |v| v.calls.is_empty()).await;
    // From the tray: the current call's card comes back.
    handle.show_popup().await.expect("show");
    view(&mut rx, "the card back", |v| v.calls == [call.clone()]).await;
    handle.set_popup_compact(true).await.expect("compact");
    view(&mut rx, "a bar", |v| v.compact).await;
    handle.hide_popup().await.expect("hide");
    view(&mut rx, "the window closed", |v| v.calls.is_empty()).await;
    handle.show_popup_call(call.clone()).await.expect("show that call");
    let back = view(&mut rx, "the card back, full size", |v| !v.calls.is_empty()).await;
    assert_eq!(back, PopupView { calls: vec![call], more: 0, compact: false });
    let unknown = handle.show_popup_call(CallId::new("no.such.call")).await;
    assert!(matches!(unknown, Err(RuntimeError::NoSuchCard)), "{unknown:?}");
    handle.shutdown().await;
    pbx.shutdown().await;
}
