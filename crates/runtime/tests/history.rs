//! Every call ends up in the history and in the CRM: a finished call with the agent's note is
//! written to a REST CRM (a real HTTP server on loopback) with one idempotency key, and a call
//! left open by a run that died is closed as interrupted by the next run, its note kept.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use common::{start_with, until};
use ringside_config::{CrmConfig, CrmKind, FieldMap, RestCrmConfig};
use ringside_core::{CardStatus, SessionOutput};
use ringside_history::Outcome;

type Received = Arc<Mutex<Vec<(Option<String>, serde_json::Value)>>>;

async fn log_call(
    State(got): State<Received>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> Json<serde_json::Value> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let mut got = got.lock().expect("lock");
    got.push((key, body));
    Json(serde_json::json!({ "id": format!("log-{}", got.len()) }))
}

async fn start_crm() -> (Received, String) {
    let got: Received = Arc::default();
    let app = Router::new().route("/calls", post(log_call)).with_state(got.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (got, format!("http://{addr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_call_and_its_note_reach_the_history_and_the_crm() {
    let (got, base) = start_crm().await;
    let (pbx, handle, mut rx, _dir) = start_with(20.0, |config| {
        config.lookup.crm = vec![CrmConfig {
            name: "shop".into(),
            kind: CrmKind::Rest(RestCrmConfig {
                url: format!("{base}/find/{{digits}}"),
                auth_header: None,
                auth_prefix: String::new(),
                card_url: None,
                log_url: Some(format!("{base}/calls")),
                allow_plain_http: false,
                fields: FieldMap::default(),
            }),
        }];
        config.lookup.order = vec!["directory".into()];
    })
    .await;
    pbx.ring("+380 44 123 4567", None, "100").expect("ring");
    let ended = until(&mut rx, "the end of the call", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ended => Some(c.clone()),
        _ => None,
    })
    .await;
    handle.save_note(ended.call_id.clone(), "Wants <b>12</b> windows; call back Friday".into()).await.expect("note");

    // In the history at once, with the note and the customer.
    let calls = handle.recent_calls(10).await.expect("history");
    let call = calls.iter().find(|c| c.call_id == ended.call_id).expect("the call is in the history");
    assert_eq!(call.outcome, Outcome::Answered);
    assert_eq!(call.note.as_deref(), Some("Wants <b>12</b> windows; call back Friday"));
    assert_eq!(call.customer.as_ref().map(|c| c.name.as_str()), Some("Olena Kovalenko"));

    // The CRM gets the call with the note (the outbox runs every few seconds).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let (key, body) = loop {
        let found = got.lock().expect("lock").iter().rev().find(|(_, b)| b["note"].is_string()).cloned();
        if let Some(found) = found {
            break found;
        }
        assert!(tokio::time::Instant::now() < deadline, "the CRM never got the note: {:?}", got.lock().expect("lock"));
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(body["call_id"], ended.call_id.0.as_str());
    assert_eq!(body["direction"], "incoming");
    assert_eq!(body["outcome"], "answered");
    assert_eq!(body["number_e164"], "+380441234567");
    assert_eq!(body["note"], "Wants <b>12</b> windows; call back Friday");
    let key = key.expect("an idempotency key");
    // Every write of this call carries the same key: a retry never makes a second record.
    assert!(got.lock().expect("lock").iter().all(|(k, _)| k.as_deref() == Some(key.as_str())));

    // The history says it was sent.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let calls = handle.recent_calls(10).await.expect("history");
        let call = calls.iter().find(|c| c.call_id == ended.call_id).expect("call");
        let sent = call
            .write_back
            .iter()
            .any(|w| w.target == "shop" && matches!(w.state, ringside_history::WriteBackStatus::Sent { .. }));
        if sent {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never marked sent: {:?}", call.write_back);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_left_open_by_a_dead_run_is_closed_as_interrupted_with_its_note() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let history_file = scratch.path().join("history.sqlite");
    // The first run: a call rings and the agent starts typing; then Ringside and the PBX go.
    let file = history_file.clone();
    let (pbx, handle, mut rx, _dir) = start_with(0.5, move |config| config.history.path = Some(file)).await;
    pbx.ring("+48 22 123 45 67", None, "100").expect("ring");
    let ringing = until(&mut rx, "the ringing card", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ringing => Some(c.clone()),
        _ => None,
    })
    .await;
    handle.save_note(ringing.call_id.clone(), "Caller asks about invoice 2024/118".into()).await.expect("note");
    handle.shutdown().await;
    pbx.shutdown().await;

    // The next run, on a PBX that no longer has that call.
    let file = history_file.clone();
    let (pbx, handle, _rx, _dir2) = start_with(20.0, move |config| config.history.path = Some(file)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let call = loop {
        let calls = handle.recent_calls(10).await.expect("history");
        if let Some(call) =
            calls.into_iter().find(|c| c.call_id == ringing.call_id && c.outcome == Outcome::Interrupted)
        {
            break call;
        }
        assert!(tokio::time::Instant::now() < deadline, "the open call was never closed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(call.note.as_deref(), Some("Caller asks about invoice 2024/118"));
    assert!(call.end_at.is_some());
    handle.shutdown().await;
    pbx.shutdown().await;
}
