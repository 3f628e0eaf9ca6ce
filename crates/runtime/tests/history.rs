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
    let (pbx, handle, mut rx, _dir) = start_with(20.0, |config| with_shop(config, &base)).await;
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

/// A CRM that keeps one record per idempotency key (as a CRM honouring the header does) and
/// misbehaves on the first attempts: `script[i]` is what the i-th POST gets.
#[derive(Clone, Copy)]
enum Answer {
    Fail500,
    /// Keeps the record, then answers only after the client gave up.
    StoreThenHang,
    Store,
}

#[derive(Default)]
struct FlakyCrm {
    attempts: Vec<Option<String>>,
    records: std::collections::BTreeMap<String, serde_json::Value>,
}

type Flaky = Arc<Mutex<(Vec<Answer>, FlakyCrm)>>;

async fn flaky_log_call(
    State(crm): State<Flaky>,
    headers: HeaderMap,
    Json(body): Json<serde_json::Value>,
) -> (axum::http::StatusCode, Json<serde_json::Value>) {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let answer = {
        let mut crm = crm.lock().expect("lock");
        let n = crm.1.attempts.len();
        crm.1.attempts.push(key.clone());
        let answer = crm.0.get(n).copied().unwrap_or(Answer::Store);
        if !matches!(answer, Answer::Fail500) {
            crm.1.records.entry(key.clone().unwrap_or_default()).or_insert(body);
        }
        answer
    };
    match answer {
        Answer::Fail500 => {
            (axum::http::StatusCode::INTERNAL_SERVER_ERROR, Json(serde_json::json!({"error": "db down"})))
        }
        Answer::StoreThenHang => {
            tokio::time::sleep(Duration::from_secs(15)).await;
            (axum::http::StatusCode::OK, Json(serde_json::json!({ "id": "late" })))
        }
        Answer::Store => (axum::http::StatusCode::OK, Json(serde_json::json!({ "id": "log-1" }))),
    }
}

fn rest_crm(base: &str) -> CrmConfig {
    CrmConfig {
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
    }
}

/// The REST CRM "shop" at `base` takes call logs; customers come from the directory only.
fn with_shop(config: &mut ringside_config::Config, base: &str) {
    config.lookup.crm = vec![rest_crm(base)];
    config.lookup.order = vec!["directory".into()];
}

async fn write_back_of(
    handle: &ringside_runtime::RuntimeHandle,
    call: &ringside_core::CallId,
) -> ringside_history::WriteBackStatus {
    let calls = handle.recent_calls(10).await.expect("history");
    let call = calls.iter().find(|c| &c.call_id == call).expect("the call is in the history");
    call.write_back.iter().find(|w| w.target == "shop").map(|w| w.state.clone()).expect("queued for the CRM")
}

/// The promise: a CRM that answers 500, then takes the record but times out, then
/// recovers — across a restart of Ringside — ends up with exactly one record of the call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crm_that_fails_times_out_and_recovers_across_a_restart_gets_exactly_one_record() {
    use ringside_history::WriteBackStatus;
    let crm: Flaky = Arc::new(Mutex::new((vec![Answer::Fail500, Answer::StoreThenHang], FlakyCrm::default())));
    let app = Router::new().route("/calls", post(flaky_log_call)).with_state(crm.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let attempts = || crm.lock().expect("lock").1.attempts.len();
    let scratch = tempfile::tempdir().expect("tempdir");
    let history_file = scratch.path().join("history.sqlite");

    // First run: the call ends, the CRM answers 500, Ringside stops.
    let (file, b) = (history_file.clone(), base.clone());
    let (pbx, handle, mut rx, _dir) = start_with(20.0, move |config| {
        config.history.path = Some(file);
        with_shop(config, &b);
    })
    .await;
    pbx.ring("+380 44 123 4567", None, "100").expect("ring");
    let ended = until(&mut rx, "the end of the call", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ended => Some(c.clone()),
        _ => None,
    })
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while attempts() < 1 {
        assert!(tokio::time::Instant::now() < deadline, "the outbox never tried");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    match write_back_of(&handle, &ended.call_id).await {
        WriteBackStatus::Failed { attempts: 1, next_at: Some(_), reason } => {
            assert!(reason.contains("500"), "the CRM's answer in words: {reason}")
        }
        other => panic!("after a 500: {other:?}"),
    }
    handle.shutdown().await;
    pbx.shutdown().await;

    // Second run on the same file: the retry schedule survived; the CRM keeps the record but
    // answers too late, then recovers.
    let (file, b) = (history_file.clone(), base.clone());
    let (pbx, handle, _rx, _dir2) = start_with(20.0, move |config| {
        config.history.path = Some(file);
        with_shop(config, &b);
    })
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        if matches!(write_back_of(&handle, &ended.call_id).await, WriteBackStatus::Sent { .. }) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never sent; attempts: {}", attempts());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    {
        let crm = crm.lock().expect("lock");
        assert_eq!(crm.1.attempts.len(), 3, "500, time-out, success");
        let key = crm.1.attempts[0].clone().expect("an idempotency key");
        assert!(crm.1.attempts.iter().all(|k| k.as_deref() == Some(key.as_str())), "one key for every attempt");
        assert_eq!(crm.1.records.len(), 1, "exactly one record in the CRM");
        assert_eq!(crm.1.records[&key]["call_id"], ended.call_id.0.as_str());
    }
    handle.shutdown().await;
    pbx.shutdown().await;
}
