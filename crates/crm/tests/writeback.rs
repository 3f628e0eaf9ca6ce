//! Writing a finished call back, against real HTTP servers on 127.0.0.1 that record every request:
//! a REST CRM (`log_url`) and a Bitrix24 portal's webhook (shapes from apidocs.bitrix24.com; see
//! docs/crm.md, "Write-back").

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{bitrix24, call_log, json, keyed, redirect, reply, rest_crm, Recorded, Server, TIMEOUT};
use ringside_crm::settings::UpdateMethod;
use ringside_crm::{
    Attempt, CallDirection, CallLog, Connector, CrmError, Prior, WriteReceipt, MAX_NOTE_BYTES, NOTE_CUT_MARKER,
};
use ringside_secrets::SecretString;
use serde_json::{json, Value};

const KEY: &str = "1722000000.42:shop";

/// The first write of a call under `key`.
fn first(key: &str) -> Attempt<'_> {
    Attempt::first(key)
}

/// A retry after a write that got half way (`partial` from the error).
fn partial(partial: Option<&str>) -> Attempt<'_> {
    Attempt { idempotency_key: KEY, revision: 1, prior: partial.map_or(Prior::Nothing, Prior::Partial) }
}

/// Revision `revision` of a call the CRM took before as `remote_id`: a change.
fn change(revision: u64, remote_id: Option<&str>) -> Attempt<'_> {
    Attempt { idempotency_key: KEY, revision, prior: Prior::Written { remote_id } }
}

/// The note a hostile agent (or a paste from a web page) could write: markup, quotes, control
/// characters, a bidi override, and 100 KB of it.
fn hostile_note() -> String {
    let mut note =
        String::from("<script>alert(\"x\")</script> \\ \"quoted\" {\"json\":1}\r\nline\u{0}two\u{1b}[31m\u{202E}\n");
    while note.len() < 100_000 {
        note.push_str("0123456789<b>&amp;</b>ж€\n");
    }
    note
}

/// Checks what a note became on the wire: valid JSON (the body parsed), markup kept as text,
/// line breaks kept, control and bidi characters gone, capped with the marker.
fn assert_hostile_note_sent(sent: &str) {
    assert!(sent.len() <= MAX_NOTE_BYTES, "{} bytes", sent.len());
    assert!(sent.len() > MAX_NOTE_BYTES - 64, "{} bytes", sent.len());
    assert!(sent.ends_with(NOTE_CUT_MARKER));
    assert!(
        sent.starts_with("<script>alert(\"x\")</script> \\ \"quoted\" {\"json\":1}\nlinetwo[31m\n"),
        "{}",
        &sent[..80]
    );
    assert!(!sent.chars().any(|c| (c.is_control() && c != '\n') || c == '\u{202E}'));
}

// ------------------------------------------------------------------------------------------------
// REST

fn rest(server: &Server, log_path: Option<&str>, timeout: Duration) -> Connector {
    let config = rest_crm("shop", &server.url("/api/customers?phone={e164}"), |rest| {
        keyed(rest);
        rest.log_url = log_path.map(|p| server.url(p));
    });
    Connector::new(&config, Some(SecretString::from("s3cret")), timeout).unwrap()
}

async fn rest_answering(status: u16, body: Value) -> (Server, Connector) {
    let server = Server::start(move |_| {
        let body = body.clone();
        async move { json(status, body) }
    })
    .await;
    let crm = rest(&server, Some("/api/calls/{call_id}/log"), TIMEOUT);
    (server, crm)
}

#[tokio::test]
async fn rest_posts_the_call_log_with_the_key_and_an_idempotency_key() {
    let (server, crm) = rest_answering(201, json!({"id": 9001, "status": "created"})).await;
    assert!(crm.can_write_back());

    let receipt = crm.write_call(&call_log(), &first(KEY)).await.unwrap();
    assert_eq!(receipt, WriteReceipt { remote_id: Some("9001".into()) });

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/api/calls/1722000000.42/log"));
    assert_eq!(r.header("x-api-key"), Some("Token s3cret"));
    // draft-ietf-httpapi-idempotency-key-header: a Structured Field String, quoted.
    assert_eq!(r.header("idempotency-key"), Some("\"1722000000.42:shop\""));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(
        r.json(),
        json!({
            "call_id": "1722000000.42",
            "direction": "incoming",
            "outcome": "answered",
            "number": "+49 30 123456",
            "number_e164": "+4930123456",
            "customer_id": "contact:12",
            "agent_extension": "204",
            "agent_name": "Ana Kovalenko",
            "started_at_ms": 1_723_711_101_250u64,
            "answered_at_ms": 1_723_711_106_000u64,
            "ended_at_ms": 1_723_711_226_000u64,
            "talk_secs": 120,
            "note": "Wants the invoice again.\nCall back on Monday.",
            "recording_url": "https://pbx.example.com/rec/1722000000.42.mp3",
            "deal_id": null
        })
    );
}

#[tokio::test]
async fn rest_encodes_the_call_id_and_sends_absent_values_as_null() {
    let (server, crm) = rest_answering(200, json!({"id": "c-7"})).await;
    let log = CallLog {
        call_id: "a/b?c#d".into(),
        direction: CallDirection::Outgoing,
        number_e164: None,
        customer_id: None,
        agent_name: None,
        answered_at_ms: None,
        note: Some(" \u{0} ".into()),
        recording_url: None,
        ..call_log()
    };
    assert_eq!(crm.write_call(&log, &first(KEY)).await.unwrap().remote_id.as_deref(), Some("c-7"));
    let r = &server.requests()[0];
    assert_eq!(r.path, "/api/calls/a%2Fb%3Fc%23d/log");
    let body = r.json();
    assert_eq!(body["direction"], "outgoing");
    for absent in ["number_e164", "customer_id", "agent_name", "answered_at_ms", "note", "recording_url", "deal_id"] {
        assert_eq!(body[absent], Value::Null, "{absent}");
    }
}

#[tokio::test]
async fn rest_409_means_already_recorded() {
    let (server, crm) = rest_answering(409, json!({"message": "duplicate call_id"})).await;
    assert_eq!(crm.write_call(&call_log(), &first(KEY)).await.unwrap(), WriteReceipt { remote_id: None });
    assert_eq!(server.requests().len(), 1);
    // A 2xx without a JSON body is a success too.
    let server = Server::start(|_| async { reply(204, "text/plain", "") }).await;
    let crm = rest(&server, Some("/calls"), TIMEOUT);
    assert_eq!(crm.write_call(&call_log(), &first(KEY)).await.unwrap(), WriteReceipt { remote_id: None });
}

#[tokio::test]
async fn rest_422_and_400_are_permanent_with_the_crms_message() {
    for status in [422, 400] {
        let (_server, crm) =
            rest_answering(status, json!({"message": "agent_extension\nis not an agent <b>here</b>"})).await;
        let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
        assert!(matches!(err, CrmError::Rejected { .. }), "{err:?}");
        assert!(err.is_permanent() && !err.is_transient(), "{err}");
        assert!(err.to_string().contains("agent_extension is not an agent <b>here</b>"), "{err}");
        assert!(err.to_string().contains(&status.to_string()), "{err}");
        assert_eq!(err.partial_remote_id(), None);
    }
}

#[tokio::test]
async fn rest_5xx_429_and_refusals_are_not_permanent() {
    for (status, transient) in [(500, true), (503, true), (429, true), (401, false), (404, false)] {
        let (_server, crm) = rest_answering(status, json!({"error": "nope"})).await;
        let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
        assert!(!err.is_permanent(), "{status}: {err}");
        assert_eq!(err.is_transient(), transient, "{status}: {err}");
    }
}

#[tokio::test]
async fn rest_timeout_is_not_permanent() {
    let server = Server::start(|_| async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        json(201, json!({"id": 1}))
    })
    .await;
    let crm = rest(&server, Some("/calls"), Duration::from_millis(300));
    let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(matches!(err, CrmError::Timeout { .. }), "{err:?}");
    assert!(err.is_transient() && !err.is_permanent());
}

#[tokio::test]
async fn rest_unreachable_is_not_permanent() {
    let port = common::closed_port().await;
    let config = rest_crm("shop", &format!("http://127.0.0.1:{port}/c/{{e164}}"), |rest| {
        rest.log_url = Some(format!("http://127.0.0.1:{port}/calls"));
    });
    let crm = Connector::new(&config, None, TIMEOUT).unwrap();
    let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(matches!(err, CrmError::Unreachable { .. }), "{err:?}");
    assert!(err.is_transient() && !err.is_permanent());
}

#[tokio::test]
async fn rest_a_redirected_post_is_not_followed() {
    // reqwest would follow a 302 with a body-less GET, which this server answers 200.
    let server = Server::start(|r: Recorded| async move {
        if r.path == "/calls" {
            redirect(302, "/calls/")
        } else {
            json(200, json!({"id": "not-written"}))
        }
    })
    .await;
    let crm = rest(&server, Some("/calls"), TIMEOUT);
    let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(err.to_string().contains("redirected the call log (302 Found)"), "{err}");
    assert!(err.to_string().contains("log_url"), "{err}");
    assert!(!err.is_permanent());
    assert_eq!(server.requests().len(), 1, "the redirect was not followed");
}

#[tokio::test]
async fn rest_without_log_url_does_not_write() {
    let server = Server::start(|_| async { json(201, json!({})) }).await;
    let crm = rest(&server, None, TIMEOUT);
    assert!(!crm.can_write_back());
    let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(matches!(err, CrmError::Config { .. }), "{err:?}");
    assert!(err.to_string().contains("log_url"), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn rest_a_missing_key_is_reported_before_sending() {
    let server = Server::start(|_| async { json(201, json!({})) }).await;
    let config = rest_crm("shop", &server.url("/c/{e164}"), |rest| {
        keyed(rest);
        rest.log_url = Some(server.url("/calls"));
    });
    let crm = Connector::new(&config, None, TIMEOUT).unwrap();
    let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(matches!(err, CrmError::NoSecret { .. }), "{err:?}");
    assert!(!err.is_permanent() && !err.is_transient());
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn rest_a_hostile_note_is_json_escaped_and_capped() {
    let (server, crm) = rest_answering(201, json!({"id": 1})).await;
    let log = CallLog { note: Some(hostile_note()), ..call_log() };
    crm.write_call(&log, &first("key with \"quotes\"\r\nand ключ")).await.unwrap();
    let r = &server.requests()[0];
    let body = r.json();
    assert_hostile_note_sent(body["note"].as_str().unwrap());
    // Every other field is intact.
    assert_eq!(body["call_id"], "1722000000.42");
    assert_eq!(body["talk_secs"], 120);
    // The key cannot break the header either.
    assert_eq!(r.header("idempotency-key"), Some("\"key with \\\"quotes\\\"%0D%0Aand %D0%BA%D0%BB%D1%8E%D1%87\""));
}

#[tokio::test]
async fn rest_a_call_id_made_of_dots_cannot_climb_the_path() {
    let (server, crm) = rest_answering(201, json!({})).await;
    let err = crm.write_call(&CallLog { call_id: "..".into(), ..call_log() }, &first(KEY)).await.unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn rest_a_placeholder_in_the_log_url_host_is_refused() {
    let config = rest_crm("shop", "https://crm.example.com/c/{e164}", |rest| {
        rest.log_url = Some("https://{call_id}.example.com/calls".to_string());
    });
    let err = Connector::new(&config, None, TIMEOUT).unwrap_err();
    assert!(err.to_string().contains("log_url has a placeholder in its host"), "{err}");
}

// ------------------------------------------------------------------------------------------------
// REST: edits against a CRM that follows draft-ietf-httpapi-idempotency-key-header to the letter

/// A CRM that honours `Idempotency-Key` strictly: a key seen before with the same body gets the
/// first answer again; with another body, 422 (as the draft says). `POST /api/calls` creates a
/// record per key (or, with `upsert`, replaces the record of the same `call_id`); `PUT` and
/// `PATCH /api/calls/{id}` change record `id` (404 if there is none).
#[derive(Clone, Default)]
struct StrictCrm {
    state: Arc<Mutex<StrictState>>,
    upsert: bool,
}

#[derive(Default)]
struct StrictState {
    /// key → (body, status, answer)
    keys: std::collections::HashMap<String, (Vec<u8>, u16, Value)>,
    /// record id → the call log
    records: std::collections::BTreeMap<String, Value>,
    refused_reuse: usize,
}

impl StrictCrm {
    async fn start(&self) -> Server {
        let crm = self.clone();
        Server::start(move |r: Recorded| {
            let crm = crm.clone();
            async move {
                let (status, body) = crm.answer(&r);
                json(status, body)
            }
        })
        .await
    }

    fn answer(&self, r: &Recorded) -> (u16, Value) {
        let mut state = self.state.lock().unwrap();
        let Some(key) = r.header("idempotency-key").map(str::to_string) else {
            return (400, json!({"error": "Idempotency-Key is required"}));
        };
        if let Some((body, status, answer)) = state.keys.get(&key) {
            if *body == r.body {
                return (*status, answer.clone());
            }
            state.refused_reuse += 1;
            return (422, json!({"error": "Idempotency-Key reused with a different body"}));
        }
        let log = r.json();
        let (status, answer) = match (r.method.as_str(), r.path.strip_prefix("/api/calls")) {
            ("POST", Some("")) => {
                let existing = if self.upsert {
                    state.records.iter().find(|(_, v)| v["call_id"] == log["call_id"]).map(|(id, _)| id.clone())
                } else {
                    None
                };
                let id = existing.unwrap_or_else(|| format!("rec-{}", state.records.len() + 1));
                state.records.insert(id.clone(), log);
                (201, json!({"id": id}))
            }
            ("PUT" | "PATCH" | "POST", Some(rest)) => {
                let id = rest.trim_start_matches('/').trim_end_matches("/update").to_string();
                match state.records.get_mut(&id) {
                    Some(record) => {
                        *record = log;
                        (200, json!({"id": id}))
                    }
                    None => (404, json!({"error": "no such call log"})),
                }
            }
            _ => (404, json!({"error": "no such endpoint"})),
        };
        state.keys.insert(key, (r.body.clone(), status, answer.clone()));
        (status, answer)
    }

    fn records(&self) -> Vec<Value> {
        self.state.lock().unwrap().records.values().cloned().collect()
    }

    fn refused_reuse(&self) -> usize {
        self.state.lock().unwrap().refused_reuse
    }
}

/// The REST CRM "shop" at `server` writing to `/api/calls`, and changes to `update`: the path of
/// `log_update_url` and its method.
fn rest_with_updates(server: &Server, update: Option<(&str, UpdateMethod)>) -> Connector {
    let config = rest_crm("shop", &server.url("/api/customers?phone={e164}"), |rest| {
        rest.log_url = Some(server.url("/api/calls"));
        if let Some((path, method)) = update {
            rest.log_update_url = Some(server.url(path));
            rest.log_update_method = method;
        }
    });
    Connector::new(&config, None, TIMEOUT).unwrap()
}

fn edited(note: &str) -> CallLog {
    CallLog { note: Some(note.into()), ..call_log() }
}

#[tokio::test]
async fn rest_the_old_way_an_edit_under_the_first_key_is_refused_by_a_strict_crm() {
    // What Ringside used to send for an edited note, and why it had to change: the first key
    // with another body.
    let strict = StrictCrm::default();
    let server = strict.start().await;
    let crm = rest_with_updates(&server, None);
    crm.write_call(&call_log(), &first(KEY)).await.unwrap();
    let err = crm.write_call(&edited("Invoice sent."), &first(KEY)).await.unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert!(err.to_string().contains("422"), "{err}");
    assert_eq!(strict.refused_reuse(), 1);
}

#[tokio::test]
async fn rest_an_edited_note_is_put_to_the_calls_own_address_and_a_strict_crm_takes_it() {
    let strict = StrictCrm::default();
    let server = strict.start().await;
    let crm = rest_with_updates(&server, Some(("/api/calls/{remote_id}", UpdateMethod::Put)));

    let created = crm.write_call(&call_log(), &first(KEY)).await.unwrap();
    assert_eq!(created.remote_id.as_deref(), Some("rec-1"));
    let change2 = change(2, created.remote_id.as_deref());
    let updated = crm.write_call(&edited("Invoice sent."), &change2).await.unwrap();
    assert_eq!(updated.remote_id.as_deref(), Some("rec-1"));
    // The answer to that was lost: the same change again gets the same answer.
    assert_eq!(crm.write_call(&edited("Invoice sent."), &change2).await.unwrap(), updated);
    // Edited once more.
    crm.write_call(&edited("Invoice sent. Paid."), &change(3, Some("rec-1"))).await.unwrap();

    let requests = server.requests();
    let sent: Vec<(&str, &str, Option<&str>)> =
        requests.iter().map(|r| (r.method.as_str(), r.path.as_str(), r.header("idempotency-key"))).collect();
    assert_eq!(
        sent,
        [
            ("POST", "/api/calls", Some("\"1722000000.42:shop\"")),
            ("PUT", "/api/calls/rec-1", Some("\"1722000000.42:shop-r2\"")),
            ("PUT", "/api/calls/rec-1", Some("\"1722000000.42:shop-r2\"")),
            ("PUT", "/api/calls/rec-1", Some("\"1722000000.42:shop-r3\"")),
        ]
    );
    assert_eq!(strict.refused_reuse(), 0, "no key ever went with two bodies");
    let records = strict.records();
    assert_eq!(records.len(), 1, "one call, one record");
    assert_eq!(records[0]["note"], "Invoice sent. Paid.");
    assert_eq!(records[0]["call_id"], "1722000000.42");
}

#[tokio::test]
async fn rest_an_edit_goes_with_the_configured_method_and_call_id() {
    let strict = StrictCrm::default();
    let server = strict.start().await;
    let crm = rest_with_updates(&server, Some(("/api/calls/rec-1", UpdateMethod::Patch)));
    crm.write_call(&call_log(), &first(KEY)).await.unwrap();
    crm.write_call(&edited("Invoice sent."), &change(2, None)).await.unwrap();
    let by_call_id = rest_with_updates(&server, Some(("/api/calls/{call_id}/update", UpdateMethod::Post)));
    // No record has the call id as its id: the CRM says so, and that is not permanent.
    let err = by_call_id.write_call(&edited("Invoice sent again."), &change(3, None)).await.unwrap_err();
    assert!(!err.is_permanent() && !err.is_transient(), "{err}");
    assert!(err.to_string().contains("404"), "{err}");

    let requests = server.requests();
    assert_eq!((requests[1].method.as_str(), requests[1].path.as_str()), ("PATCH", "/api/calls/rec-1"));
    assert_eq!((requests[2].method.as_str(), requests[2].path.as_str()), ("POST", "/api/calls/1722000000.42/update"));
    assert_eq!(requests[2].json()["note"], "Invoice sent again.", "the whole call log, with the new note");
    assert_eq!(strict.records()[0]["note"], "Invoice sent.");
}

#[tokio::test]
async fn rest_an_edit_without_log_update_url_is_posted_again_under_a_key_of_its_own() {
    // A CRM that treats call_id as unique takes the change through log_url.
    let strict = StrictCrm { upsert: true, ..StrictCrm::default() };
    let server = strict.start().await;
    let crm = rest_with_updates(&server, None);
    crm.write_call(&call_log(), &first(KEY)).await.unwrap();
    crm.write_call(&edited("Invoice sent."), &change(2, Some("rec-1"))).await.unwrap();

    let requests = server.requests();
    let keys: Vec<Option<&str>> = requests.iter().map(|r| r.header("idempotency-key")).collect();
    assert_eq!(keys, [Some("\"1722000000.42:shop\""), Some("\"1722000000.42:shop-r2\"")]);
    assert_eq!(strict.refused_reuse(), 0);
    let records = strict.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["note"], "Invoice sent.");
}

#[tokio::test]
async fn rest_an_edit_answered_conflict_was_not_applied_and_says_what_to_set() {
    let server = Server::start(|r: Recorded| async move {
        match r.header("idempotency-key") {
            Some("\"1722000000.42:shop\"") => json(201, json!({"id": 5})),
            _ => json(409, json!({"message": "call 1722000000.42 exists"})),
        }
    })
    .await;
    let crm = rest_with_updates(&server, None);
    crm.write_call(&call_log(), &first(KEY)).await.unwrap();
    let err = crm.write_call(&edited("Invoice sent."), &change(2, Some("5"))).await.unwrap_err();
    assert!(err.is_permanent(), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("409") && text.contains("call 1722000000.42 exists") && text.contains("log_update_url"),
        "{text}"
    );
}

#[tokio::test]
async fn rest_an_update_address_with_the_crms_id_needs_one() {
    let server = Server::start(|_| async { json(201, json!({"status": "created"})) }).await;
    let crm = rest_with_updates(&server, Some(("/api/calls/{remote_id}", UpdateMethod::Put)));
    let created = crm.write_call(&call_log(), &first(KEY)).await.unwrap();
    assert_eq!(created.remote_id, None, "the CRM gave no id");
    let err = crm.write_call(&edited("Invoice sent."), &change(2, None)).await.unwrap_err();
    assert!(matches!(err, CrmError::Config { .. }), "{err:?}");
    assert!(err.to_string().contains("{call_id}"), "{err}");
    assert_eq!(server.requests().len(), 1, "nothing sent for the change");
    // An id that would climb the path is refused before sending.
    let err = crm.write_call(&edited("x"), &change(3, Some(".."))).await.unwrap_err();
    assert!(err.is_permanent(), "{err}");
    assert_eq!(server.requests().len(), 1);
}

// ------------------------------------------------------------------------------------------------
// Bitrix24

const CODE: &str = "s3cr3tc0de";
const CALL_ID: &str = "externalCall.716f1cb73def9700a23842adf9c4c568.1773130779";

fn b24(server: &Server) -> Connector {
    let config = bitrix24("b24");
    let secret = SecretString::from(server.url(&format!("/rest/1/{CODE}/")));
    Connector::new(&config, Some(secret), TIMEOUT).unwrap()
}

fn method_path(method: &str) -> String {
    format!("/rest/1/{CODE}/{method}.json")
}

/// A portal whose methods answer what `answers` says (method name → `(status, body)`); a method
/// it does not know answers ERROR_METHOD_NOT_FOUND. The answers can change between attempts.
#[derive(Clone, Default)]
struct Portal {
    answers: Arc<Mutex<Vec<Answer>>>,
}

/// A method's answer: its name, the HTTP status and the body.
type Answer = (&'static str, u16, Value);

impl Portal {
    fn set(&self, method: &'static str, status: u16, body: Value) {
        let mut answers = self.answers.lock().unwrap();
        answers.retain(|(m, _, _)| *m != method);
        answers.push((method, status, body));
    }

    fn answer(&self, path: &str) -> (u16, Value) {
        let answers = self.answers.lock().unwrap();
        answers
            .iter()
            .find(|(m, _, _)| method_path(m) == path)
            .map(|(_, s, b)| (*s, b.clone()))
            .unwrap_or((404, json!({"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"})))
    }

    async fn start(&self) -> Server {
        let portal = self.clone();
        Server::start(move |r: Recorded| {
            let portal = portal.clone();
            async move {
                let (status, body) = portal.answer(&r.path);
                json(status, body)
            }
        })
        .await
    }
}

fn ok(result: Value) -> Value {
    json!({"result": result, "time": {"start": 1773130778, "finish": 1773130779.12}})
}

/// What `telephony.externalcall.finish` answers (the documentation's example).
fn finished(activity: Value) -> Value {
    ok(json!({
        "CALL_ID": CALL_ID, "EXTERNAL_CALL_ID": "1722000000.42:shop", "PORTAL_USER_ID": 7, "PHONE_NUMBER": "+4930123456",
        "INCOMING": "2", "CALL_DURATION": 120, "CALL_STATUS": 1, "CALL_FAILED_CODE": "200",
        "CRM_ACTIVITY_ID": activity, "COMMENT": null, "CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": 12, "ID": 7
    }))
}

/// A portal that knows nothing of this call yet and accepts it.
fn happy_portal() -> Portal {
    let portal = Portal::default();
    portal.set("voximplant.statistic.get", 200, ok(json!([])));
    portal.set(
        "telephony.externalcall.register",
        200,
        ok(json!({"CALL_ID": CALL_ID, "CRM_CREATED_LEAD": null, "CRM_CREATED_ENTITIES": [], "CRM_ENTITY_TYPE": "CONTACT", "CRM_ENTITY_ID": 12})),
    );
    portal.set("telephony.externalcall.finish", 200, finished(json!(7943)));
    portal.set("crm.activity.update", 200, ok(json!(true)));
    portal
}

fn count(requests: &[Recorded], method: &str) -> usize {
    requests.iter().filter(|r| r.path == method_path(method)).count()
}

fn bodies(requests: &[Recorded], method: &str) -> Vec<Value> {
    requests.iter().filter(|r| r.path == method_path(method)).map(Recorded::json).collect()
}

#[tokio::test]
async fn bitrix_registers_finishes_and_notes_the_call() {
    let portal = happy_portal();
    let server = portal.start().await;
    let crm = b24(&server);
    assert!(crm.can_write_back());

    let receipt = crm.write_call(&call_log(), &first(KEY)).await.unwrap();
    assert_eq!(receipt, WriteReceipt { remote_id: Some(CALL_ID.into()) });

    let requests = server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            method_path("voximplant.statistic.get"),
            method_path("telephony.externalcall.register"),
            method_path("telephony.externalcall.finish"),
            method_path("crm.activity.update"),
        ]
    );
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    assert_eq!(requests[0].json(), json!({"FILTER": {"EXTERNAL_CALL_ID": "1722000000.42:shop"}}));
    assert_eq!(
        requests[1].json(),
        json!({
            "USER_PHONE_INNER": "204",
            "PHONE_NUMBER": "+4930123456",
            "CALL_START_DATE": "2024-08-15T08:38:21+00:00",
            "TYPE": 2,
            "CRM_CREATE": 0,
            "SHOW": 0,
            "ADD_TO_CHAT": 0,
            "EXTERNAL_CALL_ID": "1722000000.42:shop",
            "CRM_ENTITY_TYPE": "CONTACT",
            "CRM_ENTITY_ID": 12
        })
    );
    assert_eq!(
        requests[2].json(),
        json!({
            "CALL_ID": CALL_ID,
            "USER_PHONE_INNER": "204",
            "DURATION": 120,
            "STATUS_CODE": "200",
            "ADD_TO_CHAT": 0,
            "RECORD_URL": "https://pbx.example.com/rec/1722000000.42.mp3"
        })
    );
    assert_eq!(
        requests[3].json(),
        json!({"id": 7943, "fields": {"DESCRIPTION": "Wants the invoice again.\nCall back on Monday.", "DESCRIPTION_TYPE": 1}})
    );
}

#[tokio::test]
async fn bitrix_a_missed_outgoing_call_to_a_company_without_note_or_extension() {
    let portal = happy_portal();
    let server = portal.start().await;
    let log = CallLog {
        direction: CallDirection::Outgoing,
        outcome: "busy".into(),
        number_e164: None,
        customer_id: Some("company:7".into()),
        agent_extension: "".into(),
        answered_at_ms: None,
        talk_secs: 0,
        note: None,
        recording_url: Some("javascript:alert(1)".into()),
        ..call_log()
    };
    b24(&server).write_call(&log, &first(KEY)).await.unwrap();
    let requests = server.requests();
    let register = &bodies(&requests, "telephony.externalcall.register")[0];
    assert_eq!(register["TYPE"], 1);
    assert_eq!(register["PHONE_NUMBER"], "+49 30 123456");
    assert_eq!((register["CRM_ENTITY_TYPE"].clone(), register["CRM_ENTITY_ID"].clone()), (json!("COMPANY"), json!(7)));
    // Without an extension the call goes to the webhook's user.
    assert_eq!(register["USER_ID"], 1);
    assert_eq!(register.get("USER_PHONE_INNER"), None);
    let finish = &bodies(&requests, "telephony.externalcall.finish")[0];
    assert_eq!((finish["STATUS_CODE"].clone(), finish["DURATION"].clone()), (json!("486"), json!(0)));
    assert_eq!(finish["USER_ID"], 1);
    assert_eq!(finish.get("RECORD_URL"), None, "only http(s) recordings are passed on");
    assert_eq!(count(&requests, "crm.activity.update"), 0, "no note, no update");
}

#[tokio::test]
async fn bitrix_finish_failing_carries_the_call_id_and_the_retry_does_not_register_again() {
    let portal = happy_portal();
    portal.set(
        "telephony.externalcall.finish",
        500,
        json!({"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"}),
    );
    let server = portal.start().await;
    let crm = b24(&server);

    let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert_eq!(err.partial_remote_id(), Some(CALL_ID), "{err:?}");
    assert!(matches!(err, CrmError::Partial { .. }));
    assert!(err.is_transient() && !err.is_permanent(), "{err}");
    assert!(err.to_string().contains(CALL_ID), "{err}");
    let requests = server.requests();
    assert_eq!(count(&requests, "telephony.externalcall.register"), 1);
    assert_eq!(count(&requests, "telephony.externalcall.finish"), 1);
    assert_eq!(count(&requests, "crm.activity.update"), 0);

    // The portal recovers; the outbox retries with the CALL_ID it kept.
    portal.set("telephony.externalcall.finish", 200, finished(json!("7943")));
    let receipt = crm.write_call(&call_log(), &partial(err.partial_remote_id())).await.unwrap();
    assert_eq!(receipt.remote_id.as_deref(), Some(CALL_ID));
    let requests = server.requests();
    assert_eq!(count(&requests, "telephony.externalcall.register"), 1, "no second registration");
    assert_eq!(count(&requests, "voximplant.statistic.get"), 1, "the retry goes straight to finish");
    assert_eq!(count(&requests, "telephony.externalcall.finish"), 2);
    let finishes = bodies(&requests, "telephony.externalcall.finish");
    assert_eq!(finishes[0], finishes[1], "the same finish, sent again");
    assert_eq!(bodies(&requests, "crm.activity.update")[0]["id"], 7943);
}

#[tokio::test]
async fn bitrix_a_failing_note_carries_the_call_id_and_the_retry_only_sets_the_note() {
    let portal = happy_portal();
    portal.set(
        "crm.activity.update",
        503,
        json!({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}),
    );
    let server = portal.start().await;
    let crm = b24(&server);
    let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert_eq!(err.partial_remote_id(), Some(CALL_ID));
    assert!(matches!(err.cause(), CrmError::RateLimited { .. }), "{err:?}");
    assert!(err.is_transient());

    // Retry: finish says the call is finished already; the statistics confirm it and give the
    // activity; only the note is written.
    portal.set(
        "telephony.externalcall.finish",
        400,
        json!({"error": "", "error_description": "Call is not found (call should be registered prior to finishing)"}),
    );
    portal.set(
        "voximplant.statistic.get",
        200,
        ok(json!([{"ID": "7", "CALL_ID": CALL_ID, "EXTERNAL_CALL_ID": "1722000000.42:shop", "CRM_ACTIVITY_ID": "7943"}])),
    );
    portal.set("crm.activity.update", 200, ok(json!(true)));
    let receipt = crm.write_call(&call_log(), &partial(err.partial_remote_id())).await.unwrap();
    assert_eq!(receipt.remote_id.as_deref(), Some(CALL_ID));
    let requests = server.requests();
    assert_eq!(count(&requests, "telephony.externalcall.register"), 1);
    assert_eq!(bodies(&requests, "voximplant.statistic.get").last().unwrap(), &json!({"FILTER": {"CALL_ID": CALL_ID}}));
    assert_eq!(count(&requests, "crm.activity.update"), 2);
    assert_eq!(bodies(&requests, "crm.activity.update")[1]["id"], 7943);
}

#[tokio::test]
async fn bitrix_a_call_this_key_wrote_already_is_not_written_again() {
    // Written before, but the outbox never learnt it (the answer was lost, or Ringside stopped).
    let portal = happy_portal();
    portal.set(
        "voximplant.statistic.get",
        200,
        ok(json!([{"ID": "7", "CALL_ID": CALL_ID, "EXTERNAL_CALL_ID": "1722000000.42:shop", "CRM_ACTIVITY_ID": "7943"}])),
    );
    let server = portal.start().await;
    let receipt = b24(&server).write_call(&call_log(), &first(KEY)).await.unwrap();
    assert_eq!(receipt.remote_id.as_deref(), Some(CALL_ID));
    let requests = server.requests();
    assert_eq!(count(&requests, "telephony.externalcall.register"), 0);
    assert_eq!(count(&requests, "telephony.externalcall.finish"), 0);
    assert_eq!(count(&requests, "crm.activity.update"), 1, "the note is set (again: it is not appended)");
}

#[tokio::test]
async fn bitrix_statistics_of_other_calls_do_not_count() {
    // A portal that ignores the filter lists other calls: only an exact EXTERNAL_CALL_ID counts.
    let portal = happy_portal();
    portal.set(
        "voximplant.statistic.get",
        200,
        ok(json!([
            {"CALL_ID": "externalCall.other", "EXTERNAL_CALL_ID": null, "CRM_ACTIVITY_ID": "1"},
            {"CALL_ID": "externalCall.other2", "EXTERNAL_CALL_ID": "1722000000.42:shop-2", "CRM_ACTIVITY_ID": "2"}
        ])),
    );
    let server = portal.start().await;
    b24(&server).write_call(&call_log(), &first(KEY)).await.unwrap();
    assert_eq!(count(&server.requests(), "telephony.externalcall.register"), 1);
}

#[tokio::test]
async fn bitrix_without_statistics_permission_still_writes() {
    let portal = happy_portal();
    portal.set(
        "voximplant.statistic.get",
        403,
        json!({"error": "ACCESS_DENIED", "error_description": "Access denied!"}),
    );
    let server = portal.start().await;
    b24(&server).write_call(&call_log(), &first(KEY)).await.unwrap();
    let requests = server.requests();
    assert_eq!(count(&requests, "telephony.externalcall.register"), 1);
    assert_eq!(count(&requests, "crm.activity.update"), 1);
}

#[tokio::test]
async fn bitrix_a_stale_partial_id_starts_over() {
    // The CALL_ID kept from an attempt long ago is unknown now and was never finished.
    let portal = happy_portal();
    portal.set(
        "telephony.externalcall.finish",
        400,
        json!({"error": "ERROR_CORE", "error_description": "Call is not found (call should be registered prior to finishing)"}),
    );
    let server = portal.start().await;
    let crm = b24(&server);
    let err = crm.write_call(&call_log(), &partial(Some("externalCall.stale"))).await.unwrap_err();
    // It registered anew (once) and now carries the new CALL_ID.
    assert_eq!(err.partial_remote_id(), Some(CALL_ID), "{err:?}");
    let requests = server.requests();
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            method_path("telephony.externalcall.finish"),
            method_path("voximplant.statistic.get"),
            method_path("voximplant.statistic.get"),
            method_path("telephony.externalcall.register"),
            method_path("telephony.externalcall.finish"),
        ]
    );
    assert_eq!(requests[0].json()["CALL_ID"], "externalCall.stale");
    assert_eq!(requests[1].json(), json!({"FILTER": {"CALL_ID": "externalCall.stale"}}));
}

#[tokio::test]
async fn bitrix_invalid_arguments_are_permanent() {
    let portal = happy_portal();
    portal.set(
        "telephony.externalcall.register",
        400,
        json!({"error": "ERROR_CORE", "error_description": "Unsupported phone number format"}),
    );
    let server = portal.start().await;
    let err = b24(&server).write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(matches!(err, CrmError::Rejected { .. }), "{err:?}");
    assert!(err.is_permanent(), "{err}");
    assert!(err.to_string().contains("ERROR_CORE: Unsupported phone number format"), "{err}");
    assert_eq!(err.partial_remote_id(), None);
}

#[tokio::test]
async fn bitrix_an_unknown_extension_says_what_to_set_and_is_not_permanent() {
    let portal = happy_portal();
    portal.set(
        "telephony.externalcall.register",
        400,
        json!({"error": "ERROR_CORE", "error_description": "User is not found or is not active"}),
    );
    let server = portal.start().await;
    let err = b24(&server).write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(!err.is_permanent() && !err.is_transient(), "{err}");
    assert!(err.to_string().contains("internal number"), "{err}");
}

#[tokio::test]
async fn bitrix_a_webhook_without_the_telephony_permission_says_so() {
    let portal = happy_portal();
    portal.set("telephony.externalcall.register", 401, json!({"error": "insufficient_scope", "error_description": "The request requires higher privileges than provided by the webhook token"}));
    let server = portal.start().await;
    let err = b24(&server).write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(matches!(err, CrmError::WebhookScope { .. }), "{err:?}");
    assert!(err.to_string().contains("tick \"Telephony (telephony)\""), "{err}");
    assert!(!err.is_permanent());
    assert!(!err.to_string().contains(CODE));

    portal.set("telephony.externalcall.register", 400, json!({"error": "WRONG_AUTH_TYPE", "error_description": "Current authorization type is denied for this method"}));
    let err = b24(&server).write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(err.to_string().contains("only from a Bitrix24 application"), "{err}");
    assert!(!err.is_permanent());
}

#[tokio::test]
async fn bitrix_timeouts_are_not_permanent_and_nothing_is_registered_twice_after_them() {
    let portal = happy_portal();
    let slow = Arc::new(AtomicUsize::new(1));
    let server = {
        let (portal, slow) = (portal.clone(), slow.clone());
        Server::start(move |r: Recorded| {
            let (portal, slow) = (portal.clone(), slow.clone());
            async move {
                if r.path == method_path("telephony.externalcall.finish") && slow.load(Ordering::SeqCst) > 0 {
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                }
                let (status, body) = portal.answer(&r.path);
                json(status, body)
            }
        })
        .await
    };
    let config = bitrix24("b24");
    let secret = SecretString::from(server.url(&format!("/rest/1/{CODE}/")));
    let crm = Connector::new(&config, Some(secret), Duration::from_millis(300)).unwrap();
    let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(matches!(err.cause(), CrmError::Timeout { .. }), "{err:?}");
    assert!(err.is_transient() && !err.is_permanent());
    assert_eq!(err.partial_remote_id(), Some(CALL_ID));

    slow.store(0, Ordering::SeqCst);
    crm.write_call(&call_log(), &partial(err.partial_remote_id())).await.unwrap();
    assert_eq!(count(&server.requests(), "telephony.externalcall.register"), 1);
}

#[tokio::test]
async fn bitrix_a_hostile_note_is_plain_text_and_capped() {
    let portal = happy_portal();
    let server = portal.start().await;
    let log = CallLog { note: Some(hostile_note()), ..call_log() };
    b24(&server).write_call(&log, &first(KEY)).await.unwrap();
    let update = &bodies(&server.requests(), "crm.activity.update")[0];
    assert_eq!(update["fields"]["DESCRIPTION_TYPE"], 1, "plain text: markup is shown, never rendered");
    assert_hostile_note_sent(update["fields"]["DESCRIPTION"].as_str().unwrap());
}

#[tokio::test]
async fn bitrix_a_note_without_a_crm_activity_is_not_an_error() {
    // A number that matches nothing: Ringside creates no lead, Bitrix24 makes no activity.
    let portal = happy_portal();
    portal.set("telephony.externalcall.finish", 200, finished(Value::Null));
    let server = portal.start().await;
    let log = CallLog { customer_id: None, ..call_log() };
    let receipt = b24(&server).write_call(&log, &first(KEY)).await.unwrap();
    assert_eq!(receipt.remote_id.as_deref(), Some(CALL_ID));
    let requests = server.requests();
    assert_eq!(count(&requests, "crm.activity.update"), 0);
    let register = &bodies(&requests, "telephony.externalcall.register")[0];
    assert_eq!(register.get("CRM_ENTITY_TYPE"), None);
    assert_eq!(register["CRM_CREATE"], 0);
}

#[tokio::test]
async fn bitrix_a_long_idempotency_key_becomes_a_stable_external_call_id() {
    let portal = happy_portal();
    let server = portal.start().await;
    let crm = b24(&server);
    let key = format!("{}/b24 with spaces", "x".repeat(80));
    crm.write_call(&call_log(), &first(&key)).await.unwrap();
    crm.write_call(&call_log(), &first(&key)).await.unwrap();
    let requests = server.requests();
    let ids: Vec<Value> =
        bodies(&requests, "telephony.externalcall.register").iter().map(|b| b["EXTERNAL_CALL_ID"].clone()).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1]);
    let id = ids[0].as_str().unwrap();
    assert!(id.starts_with("ringside-") && id.len() <= 64, "{id}");
    assert_eq!(bodies(&requests, "voximplant.statistic.get")[0]["FILTER"]["EXTERNAL_CALL_ID"], ids[0]);
}

#[tokio::test]
async fn bitrix_without_a_webhook_nothing_is_sent() {
    let config = bitrix24("b24");
    let crm = Connector::new(&config, None, TIMEOUT).unwrap();
    assert!(crm.can_write_back());
    let err = crm.write_call(&call_log(), &first(KEY)).await.unwrap_err();
    assert!(matches!(err, CrmError::NoSecret { .. }), "{err:?}");
    assert!(!err.is_permanent());
}

/// The statistics record Bitrix24 keeps for the call once it is finished.
fn in_statistics() -> Value {
    ok(json!([{"ID": "7", "CALL_ID": CALL_ID, "EXTERNAL_CALL_ID": KEY, "CRM_ACTIVITY_ID": "7943"}]))
}

#[tokio::test]
async fn bitrix_a_note_edited_after_the_write_updates_the_activity_and_registers_nothing() {
    let portal = happy_portal();
    let server = portal.start().await;
    let crm = b24(&server);
    let receipt = crm.write_call(&call_log(), &first(KEY)).await.unwrap();
    portal.set("voximplant.statistic.get", 200, in_statistics());

    // The agent edits the note: the outbox sends revision 2 of a call Bitrix24 has taken.
    let edited = CallLog { note: Some("Invoice sent. Done.".into()), ..call_log() };
    let again = crm.write_call(&edited, &change(2, receipt.remote_id.as_deref())).await.unwrap();
    assert_eq!(again, receipt, "the same call");
    // …and clears it.
    let cleared = CallLog { note: None, ..call_log() };
    crm.write_call(&cleared, &change(3, receipt.remote_id.as_deref())).await.unwrap();

    let requests = server.requests();
    assert_eq!(count(&requests, "telephony.externalcall.register"), 1, "registered once, by the first write");
    assert_eq!(count(&requests, "telephony.externalcall.finish"), 1, "finished once");
    let lookups = bodies(&requests, "voximplant.statistic.get");
    assert_eq!(lookups[1..], [json!({"FILTER": {"CALL_ID": CALL_ID}}), json!({"FILTER": {"CALL_ID": CALL_ID}})]);
    let updates = bodies(&requests, "crm.activity.update");
    assert_eq!(
        updates[1..],
        [
            json!({"id": 7943, "fields": {"DESCRIPTION": "Invoice sent. Done.", "DESCRIPTION_TYPE": 1}}),
            json!({"id": 7943, "fields": {"DESCRIPTION": "", "DESCRIPTION_TYPE": 1}}),
        ]
    );
}

#[tokio::test]
async fn bitrix_an_edit_without_a_call_id_finds_the_call_by_its_key() {
    let portal = happy_portal();
    portal.set("voximplant.statistic.get", 200, in_statistics());
    let server = portal.start().await;
    let edited = CallLog { note: Some("Invoice sent.".into()), ..call_log() };
    let receipt = b24(&server).write_call(&edited, &change(2, None)).await.unwrap();
    assert_eq!(receipt.remote_id.as_deref(), Some(CALL_ID));
    let requests = server.requests();
    assert_eq!(bodies(&requests, "voximplant.statistic.get"), [json!({"FILTER": {"EXTERNAL_CALL_ID": KEY}})]);
    assert_eq!(count(&requests, "telephony.externalcall.register"), 0);
    assert_eq!(count(&requests, "crm.activity.update"), 1);
}

#[tokio::test]
async fn bitrix_an_edit_of_a_call_it_cannot_find_is_an_error_never_a_second_call() {
    // Not in the statistics (yet, or deleted): retried later, never registered again.
    let portal = happy_portal();
    let server = portal.start().await;
    let crm = b24(&server);
    let err = crm.write_call(&call_log(), &change(2, Some(CALL_ID))).await.unwrap_err();
    assert!(matches!(err, CrmError::BadAnswer { .. }), "{err:?}");
    assert!(err.to_string().contains("not in the telephony statistics"), "{err}");
    assert!(!err.is_permanent());

    // No right to read the statistics: the message says which right the edit needs.
    portal.set(
        "voximplant.statistic.get",
        403,
        json!({"error": "ACCESS_DENIED", "error_description": "Access denied!"}),
    );
    let err = crm.write_call(&call_log(), &change(2, Some(CALL_ID))).await.unwrap_err();
    assert!(err.to_string().contains("Call statistics — View"), "{err}");
    assert!(!err.is_permanent());

    let requests = server.requests();
    assert_eq!(count(&requests, "telephony.externalcall.register"), 0);
    assert_eq!(count(&requests, "telephony.externalcall.finish"), 0);
    assert_eq!(count(&requests, "crm.activity.update"), 0);
}
