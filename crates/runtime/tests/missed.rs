//! Missed calls as the agent lives them, against the demo PBX over real TCP: queue calls that
//! ring out unanswered, the automatic pause after enough of them, and the call-back list.

mod common;

use std::time::Duration;

use common::{start_on, until};
use ringside_core::{AgentState, CardStatus, EndCause, Notice, SessionOutput};
use ringside_demo_pbx::{DemoAgent, DemoPbxConfig, DemoQueue};

/// A queue whose only member, agent 100, never picks up; the queue gives up on them after 15 s
/// (0.75 s at this speed) and the caller waits up to a minute.
fn nobody_answers() -> DemoPbxConfig {
    DemoPbxConfig {
        speed: 20.0,
        agents: vec![DemoAgent::new("100", None), DemoAgent::new("101", None)],
        queue: DemoQueue { name: "support".into(), number: "600".into(), members: vec!["100".into()] },
        member_ring_timeout: Duration::from_secs(15),
        queue_timeout: Duration::from_secs(60),
        ..DemoPbxConfig::default()
    }
}

async fn rings_out(
    pbx: &ringside_demo_pbx::DemoPbx,
    rx: &mut tokio::sync::broadcast::Receiver<SessionOutput>,
    from: &str,
) -> ringside_core::CallCard {
    pbx.ring(from, None, "600").expect("ring the queue");
    // This call's card (an earlier call's card may still change meanwhile).
    let call = until(rx, "the queue call ringing", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ringing => Some(c.call_id.clone()),
        _ => None,
    })
    .await;
    let ended = until(rx, "the queue call ringing out", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ended && c.call_id == call => Some((**c).clone()),
        _ => None,
    })
    .await;
    assert_eq!(ended.outcome, Some(EndCause::NoAnswer), "{ended:?}");
    assert_eq!(ended.queue.as_deref(), Some("support"));
    ended
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_queue_calls_rung_out_pause_the_agent_in_the_queue_with_a_notice() {
    let (pbx, handle, mut rx, _dir) = start_on(nobody_answers(), |config| {
        config.session.auto_pause_after_missed = Some(2);
    })
    .await;
    rings_out(&pbx, &mut rx, "+380 44 123 4567").await;
    rings_out(&pbx, &mut rx, "+48 22 123 45 67").await;
    let notice = until(&mut rx, "the auto-pause notice", |o| match o {
        SessionOutput::Notice(n) if n.tag() == "auto-pause" => Some(n.clone()),
        _ => None,
    })
    .await;
    assert!(notice.urgent(), "{notice:?}");
    assert_eq!(notice, Notice::AutoPaused { missed: 2, reason: "Missed 2 queue calls in a row".into() });
    // The PBX paused the member, and says so with Ringside's reason.
    let paused = until(&mut rx, "paused by the PBX", |o| match o {
        SessionOutput::Agent(AgentState::Paused { reason, .. }) => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert_eq!(paused.as_deref(), Some("Missed 2 queue calls in a row"));
    // The supervisor view shows it too (the same PBX event, folded just after).
    let reason = until(&mut rx, "agent 100 paused in support", |o| match o {
        SessionOutput::TeamMember(m) if m.interface == "Local/100@agents" => {
            m.queues.get("support").filter(|q| q.paused).map(|q| q.reason.clone())
        }
        _ => None,
    })
    .await;
    assert_eq!(reason.as_deref(), Some("Missed 2 queue calls in a row"));
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missed_call_is_counted_announced_and_waits_on_the_call_back_list_until_done() {
    let (pbx, handle, mut rx, _dir) = start_on(nobody_answers(), |_| {}).await;
    // The history's news (count, notice) races the session's ended card: its own receiver.
    let mut news = handle.subscribe();
    let first = rings_out(&pbx, &mut rx, "+380 44 123 4567").await;
    // The count first (the tray), then the notice.
    until(&mut news, "one caller to call back", |o| matches!(o, SessionOutput::MissedCalls(1)).then_some(())).await;
    let notice = until(&mut news, "the missed-call notice", |o| match o {
        SessionOutput::Notice(n) if n.tag() == "missed-calls" => Some(n.clone()),
        _ => None,
    })
    .await;
    let Notice::MissedCall { name, waiting, .. } = &notice else { panic!("{notice:?}") };
    assert_eq!(name.as_deref(), Some("Olena Kovalenko"), "the customer's name from the directory");
    assert_eq!(*waiting, 1);
    // The ended card changes again (the agent retries its lookup): announced once only.
    handle.retry_lookup(first.call_id.clone()).await.expect("retry");
    let again = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            match news.recv().await {
                Ok(SessionOutput::Notice(n)) if n.tag() == "missed-calls" => return n,
                Ok(_) => {}
                Err(e) => panic!("{e}"),
            }
        }
    })
    .await;
    assert!(again.is_err(), "the same missed call was announced twice: {again:?}");
    let list = handle.call_backs().await.expect("call-back list");
    assert_eq!(list.len(), 1, "{list:?}");
    assert_eq!((list[0].number_normalized.as_str(), list[0].missed), ("+380441234567", 1));
    // The same caller again: still one entry, two missed calls.
    rings_out(&pbx, &mut rx, "0441234567").await;
    let list = handle.call_backs().await.expect("call-back list");
    assert_eq!((list.len(), list[0].missed), (1, 2), "{list:?}");
    handle.mark_called_back(&list[0].number_normalized).await.expect("done");
    until(&mut news, "nobody left to call back", |o| matches!(o, SessionOutput::MissedCalls(0)).then_some(())).await;
    assert!(handle.call_backs().await.expect("list").is_empty());
    handle.shutdown().await;
    pbx.shutdown().await;
}
