//! Every call ends up in the history and in the CRM: a finished call with the agent's note is
//! written to a REST CRM (a real HTTP server on loopback that checks idempotency keys strictly)
//! once, the note as an update of that record; a call left open by a run that died is closed as
//! interrupted by the next run, its note kept; and a CRM that fails, times out and recovers
//! across a restart ends up with exactly one record — on a test clock, so an hour of backoff
//! takes no time while the sockets, the files and the restart stay real.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{post, put};
use axum::{Json, Router};
use common::{start_with, until};
use ringside_config::{CrmConfig, CrmKind, FieldMap, RestCrmConfig, UpdateMethod};
use ringside_core::{CallId, CardStatus, SessionOutput, Timestamp};
use ringside_history::clock::{with_clock, Clock, Sleep};
use ringside_history::{Outcome, WriteBackStatus};
use ringside_runtime::RuntimeHandle;
use serde_json::{json, Value};
use tokio::sync::watch;

/// Waits for `condition` to hold, asking again every 50 ms, for at most `within`; the panic
/// says what never happened.
async fn eventually<T, F, Fut>(what: &str, within: Duration, mut condition: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if let Some(found) = condition().await {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn write_back_of(handle: &RuntimeHandle, call: &CallId) -> Option<WriteBackStatus> {
    let calls = handle.recent_calls(10).await.expect("history");
    let call = calls.iter().find(|c| &c.call_id == call)?;
    call.write_back.iter().find(|w| w.target == "shop").map(|w| w.state.clone())
}

fn rest_crm(base: &str, update: bool) -> CrmConfig {
    named_rest_crm("shop", base, update)
}

fn named_rest_crm(name: &str, base: &str, update: bool) -> CrmConfig {
    CrmConfig {
        name: name.into(),
        kind: CrmKind::Rest(RestCrmConfig {
            url: format!("{base}/find/{{digits}}"),
            auth_header: None,
            auth_prefix: String::new(),
            card_url: None,
            log_url: Some(format!("{base}/calls")),
            log_update_url: update.then(|| format!("{base}/calls/{{remote_id}}")),
            log_update_method: UpdateMethod::Put,
            create_url: None,
            new_order_url: None,
            auto_create: false,
            allow_plain_http: false,
            fields: FieldMap::default(),
        }),
    }
}

/// The REST CRM "shop" at `base` takes call logs; customers come from the directory only.
fn with_shop(config: &mut ringside_config::Config, base: &str, update: bool) {
    config.lookup.crm = vec![rest_crm(base, update)];
    config.lookup.order = vec!["directory".into()];
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

// ------------------------------------------------------------------------------------------------
// A strict CRM: draft-ietf-httpapi-idempotency-key-header to the letter

/// A key seen before with the same body gets the first answer again; with another body, 422.
/// `POST /calls` makes a record per key; `PUT /calls/{id}` replaces record `id`. With
/// `hang_first`, the very first request is recorded and answered to no one: the client never
/// learns that the CRM has the call.
#[derive(Default)]
struct Strict {
    keys: HashMap<String, (Value, StatusCode, Value)>,
    records: BTreeMap<String, Value>,
    /// (method, path, key) of every request, in order.
    requests: Vec<(String, String, String)>,
    refused_reuse: usize,
    hang_first: bool,
}

type StrictCrm = Arc<Mutex<Strict>>;

async fn strict_answer(
    crm: StrictCrm,
    method: &'static str,
    id: Option<String>,
    headers: HeaderMap,
    body: Value,
) -> (StatusCode, Json<Value>) {
    let (answer, hang) = {
        let answer = strict_record(&crm, method, id, &headers, body);
        let crm = crm.lock().expect("lock");
        (answer, crm.hang_first && crm.requests.len() == 1)
    };
    if hang {
        std::future::pending::<()>().await;
    }
    answer
}

fn strict_record(
    crm: &StrictCrm,
    method: &str,
    id: Option<String>,
    headers: &HeaderMap,
    body: Value,
) -> (StatusCode, Json<Value>) {
    let mut crm = crm.lock().expect("lock");
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let path = id.as_ref().map_or("/calls".to_string(), |id| format!("/calls/{id}"));
    crm.requests.push((method.to_string(), path, key.clone()));
    if let Some((first_body, status, answer)) = crm.keys.get(&key) {
        if *first_body == body {
            return (*status, Json(answer.clone()));
        }
        crm.refused_reuse += 1;
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": "Idempotency-Key reused with another body"})));
    }
    let (status, answer) = match id {
        None => {
            let id = format!("rec-{}", crm.records.len() + 1);
            crm.records.insert(id.clone(), body.clone());
            (StatusCode::CREATED, json!({ "id": id }))
        }
        Some(id) => match crm.records.get_mut(&id) {
            Some(record) => {
                *record = body.clone();
                (StatusCode::OK, json!({ "id": id }))
            }
            None => (StatusCode::NOT_FOUND, json!({"error": "no such call log"})),
        },
    };
    crm.keys.insert(key, (body, status, answer.clone()));
    (status, Json(answer))
}

async fn start_strict_crm() -> (StrictCrm, String) {
    start_strict_crm_with(Strict::default()).await
}

async fn start_strict_crm_with(strict: Strict) -> (StrictCrm, String) {
    let crm: StrictCrm = Arc::new(Mutex::new(strict));
    let app =
        Router::new().route("/calls", post(strict_post)).route("/calls/{id}", put(strict_put)).with_state(crm.clone());
    (crm, serve(app).await)
}

async fn strict_post(
    State(crm): State<StrictCrm>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    strict_answer(crm, "POST", None, headers, body).await
}

async fn strict_put(
    State(crm): State<StrictCrm>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    strict_answer(crm, "PUT", Some(id), headers, body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_call_and_its_edited_note_reach_a_strict_crm_as_one_record() {
    let (crm, base) = start_strict_crm().await;
    let (pbx, handle, mut rx, _dir) = start_with(20.0, |config| with_shop(config, &base, true)).await;
    pbx.ring("+380 44 123 4567", None, "100").expect("ring");
    let ended = until(&mut rx, "the end of the call", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ended => Some((**c).clone()),
        _ => None,
    })
    .await;
    // The call is written as it ends; the note comes after it, as an edit.
    eventually("the CRM got the call", Duration::from_secs(20), || async {
        (!crm.lock().expect("lock").records.is_empty()).then_some(())
    })
    .await;
    handle.save_note(ended.call_id.clone(), "Wants <b>12</b> windows; call back Friday".into()).await.expect("note");

    // In the history at once, with the note and the customer.
    let calls = handle.recent_calls(10).await.expect("history");
    let call = calls.iter().find(|c| c.call_id == ended.call_id).expect("the call is in the history");
    assert_eq!(call.outcome, Outcome::Answered);
    assert_eq!(call.note.as_deref(), Some("Wants <b>12</b> windows; call back Friday"));
    assert_eq!(call.customer.as_ref().map(|c| c.name.as_str()), Some("Olena Kovalenko"));

    // The CRM's one record gets the note.
    let record = eventually("the CRM got the note", Duration::from_secs(20), || async {
        let crm = crm.lock().expect("lock");
        crm.records.values().find(|r| r["note"].is_string()).cloned()
    })
    .await;
    assert_eq!(record["call_id"], ended.call_id.0.as_str());
    assert_eq!(record["direction"], "incoming");
    assert_eq!(record["outcome"], "answered");
    assert_eq!(record["number_e164"], "+380441234567");
    assert_eq!(record["note"], "Wants <b>12</b> windows; call back Friday");
    eventually("the history says it was sent", Duration::from_secs(20), || async {
        matches!(write_back_of(&handle, &ended.call_id).await, Some(WriteBackStatus::Sent { .. })).then_some(())
    })
    .await;
    {
        let crm = crm.lock().expect("lock");
        assert_eq!(crm.records.len(), 1, "one call, one record: {:?}", crm.requests);
        assert_eq!(crm.refused_reuse, 0, "no key went out with two bodies: {:?}", crm.requests);
        // The first write under the call's key; every change a PUT to the record, under a key
        // of its own (the call's key and the revision).
        let (method, path, first_key) = crm.requests[0].clone();
        assert_eq!((method.as_str(), path.as_str()), ("POST", "/calls"));
        assert!(first_key.starts_with("\"ringside-") && first_key.ends_with('"'), "{first_key}");
        let stem = first_key.trim_end_matches('"');
        for (method, path, key) in &crm.requests[1..] {
            assert_eq!((method.as_str(), path.as_str()), ("PUT", "/calls/rec-1"), "{:?}", crm.requests);
            assert!(key.starts_with(&format!("{stem}-r")), "{key} is a revision of {stem}");
        }
        assert!(crm.requests.len() >= 2, "the note went as a change: {:?}", crm.requests);
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
        SessionOutput::Card(c) if c.status == CardStatus::Ringing => Some((**c).clone()),
        _ => None,
    })
    .await;
    handle.save_note(ringing.call_id.clone(), "Caller asks about invoice 2024/118".into()).await.expect("note");
    handle.shutdown().await;
    pbx.shutdown().await;

    // The next run, on a PBX that no longer has that call.
    let file = history_file.clone();
    let (pbx, handle, _rx, _dir2) = start_with(20.0, move |config| config.history.path = Some(file)).await;
    let call = eventually("the open call is closed", Duration::from_secs(20), || async {
        let calls = handle.recent_calls(10).await.expect("history");
        calls.into_iter().find(|c| c.call_id == ringing.call_id && c.outcome == Outcome::Interrupted)
    })
    .await;
    assert_eq!(call.note.as_deref(), Some("Caller asks about invoice 2024/118"));
    assert!(call.end_at.is_some());
    handle.shutdown().await;
    pbx.shutdown().await;
}

// ------------------------------------------------------------------------------------------------
// A CRM that fails, times out and recovers, across a restart, on a test clock

/// The outbox's clock in this test: it starts at the real time and moves only when the test
/// moves it. Waits on it resolve when it is moved past their time.
struct TestClock {
    now: watch::Sender<u64>,
}

impl TestClock {
    fn starting_now() -> Arc<TestClock> {
        Arc::new(TestClock { now: watch::Sender::new(Timestamp::now().as_millis()) })
    }

    fn advance_to(&self, at: Timestamp) {
        self.now.send_modify(|now| *now = (*now).max(at.as_millis()));
    }

    fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).expect("a short wait");
        self.now.send_modify(|now| *now += by);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(*self.now.borrow())
    }

    fn sleep_until(&self, at: Timestamp) -> Sleep {
        let mut now = self.now.subscribe();
        Box::pin(async move {
            if now.wait_for(|now| *now >= at.as_millis()).await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

/// What the i-th POST gets.
#[derive(Clone, Copy, Debug)]
enum Answer {
    Fail500,
    /// Keeps the record, then never answers (the client gives up).
    StoreThenHang,
    Store,
}

/// A CRM that keeps one record per idempotency key (as a CRM honouring the header does) and
/// misbehaves on the first attempts as `script` says.
struct FlakyCrm {
    script: Vec<Answer>,
    /// (idempotency key, the test clock's time) of every attempt.
    attempts: Vec<(Option<String>, Timestamp)>,
    records: BTreeMap<String, Value>,
}

#[derive(Clone)]
struct Flaky {
    crm: Arc<Mutex<FlakyCrm>>,
    clock: Arc<TestClock>,
    /// How many attempts came in: the test waits on it.
    count: watch::Sender<usize>,
}

async fn flaky_log_call(
    State(flaky): State<Flaky>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_string);
    let answer = {
        let mut crm = flaky.crm.lock().expect("lock");
        let answer = crm.script.get(crm.attempts.len()).copied().unwrap_or(Answer::Store);
        crm.attempts.push((key.clone(), flaky.clock.now()));
        if !matches!(answer, Answer::Fail500) {
            crm.records.entry(key.clone().unwrap_or_default()).or_insert(body);
        }
        answer
    };
    flaky.count.send_modify(|n| *n += 1);
    match answer {
        Answer::Fail500 => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": "db down"}))),
        Answer::StoreThenHang => std::future::pending().await,
        Answer::Store => (StatusCode::OK, Json(json!({ "id": "log-1" }))),
    }
}

/// The write-back state once it is a failure with `attempts` tries and a retry time.
async fn failed_after(handle: &RuntimeHandle, call: &CallId, attempts: u32) -> (String, Timestamp) {
    eventually(&format!("the write-back failed {attempts} times"), Duration::from_secs(20), || async {
        match write_back_of(handle, call).await {
            Some(WriteBackStatus::Failed { attempts: a, next_at: Some(next_at), reason }) if a == attempts => {
                Some((reason, next_at))
            }
            _ => None,
        }
    })
    .await
}

/// The issue's promise: a CRM that answers 500, then takes the record but never answers, then
/// recovers — across a restart of Ringside — ends up with exactly one record of the call. The
/// 15 s and 30 s of backoff and the 40 s a write may take pass on the test clock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crm_that_fails_times_out_and_recovers_across_a_restart_gets_exactly_one_record() {
    let started = Instant::now();
    let clock = TestClock::starting_now();
    let flaky = Flaky {
        crm: Arc::new(Mutex::new(FlakyCrm {
            script: vec![Answer::Fail500, Answer::StoreThenHang],
            attempts: Vec::new(),
            records: BTreeMap::new(),
        })),
        clock: clock.clone(),
        count: watch::Sender::new(0),
    };
    let base = serve(Router::new().route("/calls", post(flaky_log_call)).with_state(flaky.clone())).await;
    let attempts_reached = |n: usize| {
        let mut count = flaky.count.subscribe();
        async move {
            let reached = tokio::time::timeout(Duration::from_secs(20), count.wait_for(|c| *c >= n)).await;
            assert!(matches!(reached, Ok(Ok(_))), "the CRM never got attempt {n}");
        }
    };
    let scratch = tempfile::tempdir().expect("tempdir");
    let history_file = scratch.path().join("history.sqlite");

    // First run: the call ends, the CRM answers 500, Ringside stops.
    let (file, b) = (history_file.clone(), base.clone());
    let (pbx, handle, mut rx, _dir) = with_clock(
        clock.clone(),
        start_with(20.0, move |config| {
            config.history.path = Some(file);
            with_shop(config, &b, false);
        }),
    )
    .await;
    pbx.ring("+380 44 123 4567", None, "100").expect("ring");
    let ended = until(&mut rx, "the end of the call", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ended => Some((**c).clone()),
        _ => None,
    })
    .await;
    attempts_reached(1).await;
    let (reason, first_retry) = failed_after(&handle, &ended.call_id, 1).await;
    assert!(reason.contains("500"), "the CRM's answer in words: {reason}");
    let wait = first_retry.as_millis() - clock.now().as_millis();
    assert!((13_500..=16_500).contains(&wait), "15 s ± 10 % on the outbox's clock: {wait} ms");
    handle.shutdown().await;
    pbx.shutdown().await;

    // Second run on the same file: the retry schedule survived. The CRM keeps the record but
    // never answers, then recovers.
    let (file, b) = (history_file.clone(), base.clone());
    let (pbx, handle, _rx, _dir2) = with_clock(
        clock.clone(),
        start_with(20.0, move |config| {
            config.history.path = Some(file);
            with_shop(config, &b, false);
        }),
    )
    .await;
    assert_eq!(failed_after(&handle, &ended.call_id, 1).await.1, first_retry, "the schedule is in the file");
    clock.advance_to(first_retry);
    attempts_reached(2).await;
    // The CRM holds the request: past the 40 s a write may take, the sender gives up.
    clock.advance(Duration::from_secs(41));
    let (reason, second_retry) = failed_after(&handle, &ended.call_id, 2).await;
    assert!(reason.contains("did not answer"), "{reason}");
    let wait = second_retry.as_millis() - clock.now().as_millis();
    assert!((27_000..=33_000).contains(&wait), "30 s ± 10 % after the second failure: {wait} ms");
    clock.advance_to(second_retry);
    attempts_reached(3).await;
    eventually("the history says it was sent", Duration::from_secs(20), || async {
        matches!(write_back_of(&handle, &ended.call_id).await, Some(WriteBackStatus::Sent { .. })).then_some(())
    })
    .await;
    {
        let crm = flaky.crm.lock().expect("lock");
        assert_eq!(crm.attempts.len(), 3, "500, time-out, success");
        let key = crm.attempts[0].0.clone().expect("an idempotency key");
        assert!(crm.attempts.iter().all(|(k, _)| k.as_deref() == Some(key.as_str())), "one key for every attempt");
        let tried_at: Vec<Timestamp> = crm.attempts.iter().map(|(_, at)| *at).collect();
        assert!(tried_at[1] >= first_retry && tried_at[2] >= second_retry, "never before its time: {tried_at:?}");
        assert_eq!(crm.records.len(), 1, "exactly one record in the CRM");
        assert_eq!(crm.records[&key]["call_id"], ended.call_id.0.as_str());
    }
    handle.shutdown().await;
    pbx.shutdown().await;
    eprintln!("fails, times out and recovers across a restart: {:.1} s", started.elapsed().as_secs_f64());
}

/// A call queued for a CRM that the next run no longer has is not due for ever (it would crowd
/// out the others): it fails in words and waits for the backoff, in case the CRM comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_queued_for_a_crm_gone_from_the_config_says_so_and_waits() {
    let clock = TestClock::starting_now();
    let failing = serve(
        Router::new()
            .route("/calls", post(|| async { (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"error": "down"}))) })),
    )
    .await;
    let scratch = tempfile::tempdir().expect("tempdir");
    let history_file = scratch.path().join("history.sqlite");
    let (file, b) = (history_file.clone(), failing.clone());
    let (pbx, handle, mut rx, _dir) = with_clock(
        clock.clone(),
        start_with(20.0, move |config| {
            config.history.path = Some(file);
            with_shop(config, &b, false);
        }),
    )
    .await;
    pbx.ring("+380 44 123 4567", None, "100").expect("ring");
    let ended = until(&mut rx, "the end of the call", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ended => Some((**c).clone()),
        _ => None,
    })
    .await;
    let (_, retry_at) = failed_after(&handle, &ended.call_id, 1).await;
    handle.shutdown().await;
    pbx.shutdown().await;

    // The next run writes to "other" only.
    let (other, base) = start_strict_crm().await;
    let file = history_file.clone();
    let (pbx, handle, _rx, _dir2) = with_clock(
        clock.clone(),
        start_with(20.0, move |config| {
            config.history.path = Some(file);
            config.lookup.crm = vec![named_rest_crm("other", &base, true)];
            config.lookup.order = vec!["directory".into()];
        }),
    )
    .await;
    clock.advance_to(retry_at);
    let (reason, next_at) = failed_after(&handle, &ended.call_id, 2).await;
    assert_eq!(reason, "there is no CRM \"shop\" that takes call logs in the config now");
    assert!(next_at > clock.now(), "waits for the backoff, not due at once");
    assert!(other.lock().expect("lock").requests.is_empty(), "nothing went to another CRM");
    handle.shutdown().await;
    pbx.shutdown().await;
}

/// The first write's answer is lost (the CRM kept the call but never answered) and the agent
/// edits the note before the retry: the retry sends the first body again under the call's key
/// (a strict CRM answers the same body with its first answer; another body with 422), and the
/// note follows as a change of that record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_write_in_doubt_is_retried_as_it_was_and_the_edit_follows_as_a_change() {
    let clock = TestClock::starting_now();
    let (crm, base) = start_strict_crm_with(Strict { hang_first: true, ..Strict::default() }).await;
    let b = base.clone();
    let (pbx, handle, mut rx, _dir) =
        with_clock(clock.clone(), start_with(20.0, move |config| with_shop(config, &b, true))).await;
    pbx.ring("+380 44 123 4567", None, "100").expect("ring");
    let ended = until(&mut rx, "the end of the call", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ended => Some((**c).clone()),
        _ => None,
    })
    .await;
    eventually("the CRM got the first write", Duration::from_secs(20), || async {
        (!crm.lock().expect("lock").requests.is_empty()).then_some(())
    })
    .await;
    // While the CRM holds the answer back, the agent writes the note.
    handle.save_note(ended.call_id.clone(), "Wants a refund".into()).await.expect("note");
    clock.advance(Duration::from_secs(41));
    let (reason, retry_at) = failed_after(&handle, &ended.call_id, 1).await;
    assert!(reason.contains("did not answer"), "{reason}");
    clock.advance_to(retry_at);
    eventually("the history says it was sent", Duration::from_secs(20), || async {
        matches!(write_back_of(&handle, &ended.call_id).await, Some(WriteBackStatus::Sent { .. })).then_some(())
    })
    .await;
    {
        let crm = crm.lock().expect("lock");
        assert_eq!(crm.refused_reuse, 0, "the key never went with another body: {:?}", crm.requests);
        assert_eq!(crm.records.len(), 1, "{:?}", crm.requests);
        assert_eq!(crm.records["rec-1"]["note"], "Wants a refund");
        let (_, _, key) = &crm.requests[0];
        let stem = key.trim_end_matches('"');
        let sent: Vec<(&str, &str, bool)> = crm
            .requests
            .iter()
            .map(|(m, p, k)| (m.as_str(), p.as_str(), k == key || k.starts_with(&format!("{stem}-r"))))
            .collect();
        assert_eq!(sent[..2], [("POST", "/calls", true), ("POST", "/calls", true)], "{:?}", crm.requests);
        assert_eq!(crm.requests[1].2, *key, "the retry under the call's key");
        assert!(sent[2..].iter().all(|r| *r == ("PUT", "/calls/rec-1", true)), "{:?}", crm.requests);
        assert!(crm.requests[2].2 != *key, "the note as a change, under a key of its own");
    }
    handle.shutdown().await;
    pbx.shutdown().await;
}

// ------------------------------------------------------------------------------------------------
// The History's filters

/// The History's filter choices come from the calls the history has: the agent (extension and
/// name from the config) and each connection that placed a call, newest first; each choice, sent
/// back as a filter, finds its calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_offers_the_agents_and_connections_of_its_calls_as_filter_choices() {
    use ringside_config::{ConnectionConfig, ConnectionKind, DialRule};
    use ringside_history::{AgentSeen, HistoryQuery};

    let (pbx, handle, mut rx, _dir) = start_with(20.0, |config| {
        config.agent.name = Some("Olena Kovalenko".into());
        config.dial.connections = ["office", "trunk-2"]
            .map(|name| ConnectionConfig { name: name.into(), kind: ConnectionKind::Pbx, rule: DialRule::default() })
            .into();
    })
    .await;
    assert!(handle.history_agents().await.expect("agents").is_empty(), "no calls yet");
    assert!(handle.history_connections().await.expect("connections").is_empty());

    let mut placed = Vec::new();
    for (number, via) in [("+380 44 123 45 67", None), ("+380 67 765 43 21", Some("trunk-2"))] {
        handle.dial(number, via).await.expect("placed");
        let call = until(&mut rx, "the outgoing card", |o| match o {
            SessionOutput::Card(c) if c.status == CardStatus::Dialing => Some(c.call_id.clone()),
            _ => None,
        })
        .await;
        until(&mut rx, "the call's end", |o| match o {
            SessionOutput::Card(c) if c.status == CardStatus::Ended && c.call_id == call => Some(()),
            _ => None,
        })
        .await;
        placed.push(call);
    }
    let (first, second) = (&placed[0], &placed[1]);
    let calls = eventually("both calls in the history with their connections", Duration::from_secs(10), || async {
        let calls = handle.recent_calls(10).await.expect("history");
        (calls.len() == 2 && calls.iter().all(|c| c.connection.is_some())).then_some(calls)
    })
    .await;
    let newest = calls.iter().map(|c| c.ring_at).max().expect("a call");

    assert_eq!(
        handle.history_agents().await.expect("agents"),
        [AgentSeen { extension: "100".into(), name: Some("Olena Kovalenko".into()), last_at: newest }]
    );
    let connections: Vec<String> =
        handle.history_connections().await.expect("connections").into_iter().map(|c| c.name).collect();
    assert_eq!(connections, ["trunk-2", "office"], "newest first");

    let ids = |query: HistoryQuery| {
        let handle = handle.clone();
        async move {
            let found = handle.search_history(query).await.expect("search");
            found.into_iter().map(|c| c.call_id.0).collect::<Vec<String>>()
        }
    };
    let on = |c: &str| HistoryQuery { connection: Some(c.into()), ..HistoryQuery::default() };
    assert_eq!(ids(on("trunk-2")).await, [second.as_str()]);
    assert_eq!(ids(on("office")).await, [first.as_str()]);
    let by = HistoryQuery { agent: Some("OLENA KOVALENKO".into()), ..HistoryQuery::default() };
    assert_eq!(ids(by).await, [second.as_str(), first.as_str()]);
    let id = HistoryQuery { call_id: Some(first.0.clone()), ..HistoryQuery::default() };
    assert_eq!(ids(id).await, [first.as_str()]);
    handle.shutdown().await;
    pbx.shutdown().await;
}
