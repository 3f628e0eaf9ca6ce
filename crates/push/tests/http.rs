//! The push endpoint over real HTTP: a listener on 127.0.0.1:0 served by axum, requests sent with
//! reqwest, events read from the sink.

use std::collections::BTreeMap;
use std::time::Duration;

use ringside_core::{CallEvent, CallId, EndCause, RemoteParty};
use ringside_push::{
    router, zadarma, Limits, PathTokenAccount, PushConfig, Routed, Secret, TokenConfig, ZadarmaAccount,
};
use serde_json::{json, Value};
use tokio::sync::mpsc;

const TOKEN: &str = "test-token-acme-0123456789";
const ZD_SECRET: &str = "zadarma-test-secret";
const BN_TOKEN: &str = "binotel-url-token-abc";
const RS_TOKEN: &str = "ringostat-url-token-xyz";

fn config() -> PushConfig {
    PushConfig {
        tokens: vec![
            TokenConfig { tenant: "acme".into(), token: Secret::new(TOKEN) },
            TokenConfig { tenant: "other".into(), token: Secret::new("other-tenant-token") },
        ],
        zadarma: vec![ZadarmaAccount {
            tenant: "acme".into(),
            secret: Secret::new(ZD_SECRET),
            did_extensions: BTreeMap::from([("+380 44 111 22 33".into(), vec!["101".into()])]),
        }],
        binotel: vec![PathTokenAccount {
            tenant: "acme".into(),
            token: Secret::new(BN_TOKEN),
            company_id: Some("42".into()),
        }],
        ringostat: vec![PathTokenAccount { tenant: "acme".into(), token: Secret::new(RS_TOKEN), company_id: None }],
        limits: Limits::default(),
    }
}

struct Endpoint {
    base: String,
    rx: mpsc::Receiver<Routed>,
    http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start(config: PushConfig, capacity: usize) -> Endpoint {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (tx, rx) = mpsc::channel(capacity);
    let app = router(config, tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    Endpoint { base: format!("http://{addr}"), rx, http, task }
}

impl Endpoint {
    async fn post(&self, path: &str, token: Option<&str>, content_type: &str, body: impl Into<String>) -> Reply {
        let mut req =
            self.http.post(format!("{}{path}", self.base)).header("content-type", content_type).body(body.into());
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        Reply::of(req.send().await.unwrap()).await
    }

    async fn events(&self, body: Value) -> Reply {
        self.post("/v1/events", Some(TOKEN), "application/json", body.to_string()).await
    }

    fn drain(&mut self) -> Vec<Routed> {
        let mut out = Vec::new();
        while let Ok(r) = self.rx.try_recv() {
            out.push(r);
        }
        out
    }
}

struct Reply {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Reply {
    async fn of(r: reqwest::Response) -> Self {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap();
        Self { status, headers, body }
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[tokio::test]
async fn ringing_answered_ended_arrive_for_agent_101() {
    let mut ep = start(config(), 16).await;
    for body in [
        json!({"type": "ringing", "call_id": "c-1", "extension": "101", "from_number": "+380441234567",
            "from_name": "Acme Ltd", "queue": "support", "at": 1000}),
        json!({"type": "answered", "call_id": "c-1", "extension": "101", "at": 2000}),
        json!({"type": "ended", "call_id": "c-1", "extension": "101", "cause": "completed", "at": 3000}),
    ] {
        let r = ep.events(body).await;
        assert_eq!(r.status, 202, "{}", r.body);
        assert_eq!(r.json()["accepted"], 1);
    }
    let got = ep.drain();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.extension == "101" && r.tenant == "acme"));
    let call = CallId::new("push:c-1");
    assert_eq!(
        got[0].event,
        CallEvent::IncomingRinging {
            call: call.clone(),
            from: RemoteParty { number: "+380441234567".into(), name: Some("Acme Ltd".into()) },
            queue: Some("support".into()),
            at: ringside_core::Timestamp(1000),
        }
    );
    assert_eq!(got[1].event, CallEvent::Answered { call: call.clone(), at: ringside_core::Timestamp(2000) });
    assert_eq!(got[2].event, CallEvent::Ended { call, cause: EndCause::Completed, at: ringside_core::Timestamp(3000) });
}

#[tokio::test]
async fn a_batch_is_taken_whole_and_a_token_names_its_tenant() {
    let mut ep = start(config(), 16).await;
    let batch = json!([
        {"type": "ringing", "call_id": "b", "extension": "101", "from_number": "555"},
        {"type": "agent_state", "extension": "102", "paused": true, "reason": "lunch"},
    ]);
    let r = ep.post("/v1/events", Some("other-tenant-token"), "application/json", batch.to_string()).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["accepted"], 2);
    let got = ep.drain();
    assert_eq!(
        got.iter().map(|r| (r.tenant.as_str(), r.extension.as_str())).collect::<Vec<_>>(),
        [("other", "101"), ("other", "102")]
    );
    // One bad event refuses the whole batch.
    let batch = json!([
        {"type": "answered", "call_id": "b", "extension": "101"},
        {"type": "answered", "extension": "101"},
    ]);
    let r = ep.events(batch).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("[1]"), "{}", r.body);
    assert!(ep.drain().is_empty());
}

#[tokio::test]
async fn a_bad_or_missing_token_is_401_and_nothing_is_queued() {
    let mut ep = start(config(), 16).await;
    let body = json!({"type": "answered", "call_id": "c", "extension": "101"}).to_string();
    for token in [Some("wrong-token"), None, Some("")] {
        let r = ep.post("/v1/events", token, "application/json", body.clone()).await;
        assert_eq!(r.status, 401, "{}", r.body);
        assert_eq!(r.json()["code"], "push.unauthorized");
        assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    }
    let r = ep.post("/v1/events/wrong-token", None, "application/json", body.clone()).await;
    assert_eq!(r.status, 401);
    // The token in the path, for senders that can set only a URL.
    let r = ep.post(&format!("/v1/events/{TOKEN}"), None, "application/json", body).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(ep.drain().len(), 1);
}

#[tokio::test]
async fn malformed_json_is_400_naming_the_problem() {
    let mut ep = start(config(), 16).await;
    let r = ep.post("/v1/events", Some(TOKEN), "application/json", "{\"type\": \"ringing\", ").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["code"], "push.bad_body");
    assert!(r.json()["message"].as_str().unwrap().contains("not JSON"), "{}", r.body);
    let r = ep.events(json!({"type": "ringing", "call_id": "c", "extension": "101"})).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("from_number"), "{}", r.body);
    let r = ep.events(json!({"type": "answered", "call_id": "c", "extension": "101", "agent": "x"})).await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("unknown field `agent`"), "{}", r.body);
    let r = ep.events(json!({"type": "ended", "call_id": "c", "extension": "101"})).await;
    assert!(r.json()["message"].as_str().unwrap().contains("missing field `cause`"), "{}", r.body);
    assert!(ep.drain().is_empty());
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let mut c = config();
    c.limits.max_body_bytes = 1024;
    let mut ep = start(c, 16).await;
    let name = "x".repeat(2000);
    let r = ep
        .events(json!({"type": "ringing", "call_id": "c", "extension": "101", "from_number": "1", "from_name": name}))
        .await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(r.json()["code"], "push.too_large");
    assert!(ep.drain().is_empty());
}

#[tokio::test]
async fn a_full_sink_is_503_with_retry_after_and_nothing_partly_queued() {
    let mut ep = start(config(), 3).await;
    let one = |id: &str| json!({"type": "answered", "call_id": id, "extension": "101"});
    assert_eq!(ep.events(json!([one("a"), one("b")])).await.status, 202);
    // One place is left: a batch of two must not put one event in it.
    let r = ep.events(json!([one("c"), one("d")])).await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.json()["code"], "push.busy");
    assert_eq!(r.header("retry-after"), Some("1"));
    let got = ep.drain();
    assert_eq!(got.len(), 2, "only the first batch: {got:?}");
    // Room again: the retried batch goes in whole.
    assert_eq!(ep.events(json!([one("c"), one("d")])).await.status, 202);
    assert_eq!(ep.drain().len(), 2);
}

#[tokio::test]
async fn over_the_rate_is_429_with_retry_after() {
    let mut c = config();
    c.limits.burst = 2;
    c.limits.rate_per_sec = 0.5;
    let mut ep = start(c, 16).await;
    let body = json!({"type": "answered", "call_id": "c", "extension": "101"});
    assert_eq!(ep.events(body.clone()).await.status, 202);
    assert_eq!(ep.events(body.clone()).await.status, 202);
    let r = ep.events(body.clone()).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(r.json()["code"], "push.rate_limited");
    assert_eq!(r.header("retry-after"), Some("2"));
    // Another token has its own bucket.
    let r = ep.post("/v1/events", Some("other-tenant-token"), "application/json", body.to_string()).await;
    assert_eq!(r.status, 202);
    assert_eq!(ep.drain().len(), 3);
}

fn form(pairs: &[(&str, &str)]) -> String {
    url_encode(pairs)
}

fn url_encode(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

const FORM: &str = "application/x-www-form-urlencoded";

async fn zadarma_post(ep: &Endpoint, signature: &str, body: &str) -> Reply {
    let req = ep
        .http
        .post(format!("{}/v1/webhooks/zadarma", ep.base))
        .header("content-type", FORM)
        .header("Signature", signature)
        .body(body.to_string());
    Reply::of(req.send().await.unwrap()).await
}

#[tokio::test]
async fn zadarma_notify_start_with_a_good_signature_rings_the_agent_and_a_bad_one_is_refused() {
    let mut ep = start(config(), 16).await;
    let pairs = [
        ("event", "NOTIFY_START"),
        ("call_start", "2024-05-06 10:11:12"),
        ("pbx_call_id", "in_0123abcd"),
        ("caller_id", "380501234567"),
        ("called_did", "380441112233"),
    ];
    // The documented formula, spelled out: base64(hex(HMAC-SHA1(secret, caller_id.called_did.call_start))).
    // Checked against python3's hmac/hashlib/base64 for the same values and secret "test-secret":
    assert_eq!(
        zadarma::signature("test-secret", "3805012345673804411122332024-05-06 10:11:12"),
        "MWYwYmM5YzNlYTc1NTE3ZjlhZGYxYTRkYTQxZjc0OGQ2MTI1MDVkZg=="
    );
    let good = zadarma::signature(ZD_SECRET, "3805012345673804411122332024-05-06 10:11:12");

    let body = form(&pairs);
    let r = zadarma_post(&ep, "bm90IHRoZSBzaWduYXR1cmU=", &body).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.json()["code"], "push.bad_signature");
    let other = zadarma::signature("another-secret", "3805012345673804411122332024-05-06 10:11:12");
    let r = zadarma_post(&ep, &other, &body).await;
    assert_eq!(r.status, 403);
    assert!(ep.drain().is_empty());

    let r = zadarma_post(&ep, &good, &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = ep.drain();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].tenant.as_str(), got[0].extension.as_str()), ("acme", "101"));
    let CallEvent::IncomingRinging { call, from, .. } = &got[0].event else { panic!("{got:?}") };
    assert_eq!(call, &CallId::new("zadarma:in_0123abcd"));
    assert_eq!(from.number, "380501234567");

    // Saving the URL in Zadarma: the echo.
    let r =
        Reply::of(ep.http.get(format!("{}/v1/webhooks/zadarma?zd_echo=a1B2-c3", ep.base)).send().await.unwrap()).await;
    assert_eq!((r.status, r.body.as_str()), (200, "a1B2-c3"));
    let r =
        Reply::of(ep.http.get(format!("{}/v1/webhooks/zadarma?zd_echo=%3Cscript%3E", ep.base)).send().await.unwrap())
            .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn zadarma_internal_answer_end_for_the_extension() {
    let mut ep = start(config(), 16).await;
    let signed = |pairs: &[(&str, &str)]| {
        let fields = ringside_push::Fields::from_form(form(pairs).as_bytes());
        zadarma::signature(ZD_SECRET, &zadarma::signed_string(&fields).unwrap())
    };
    let steps: [&[(&str, &str)]; 3] = [
        &[
            ("event", "NOTIFY_INTERNAL"),
            ("call_start", "t"),
            ("pbx_call_id", "p1"),
            ("caller_id", "555"),
            ("called_did", "1"),
            ("internal", "102"),
        ],
        &[
            ("event", "NOTIFY_ANSWER"),
            ("call_start", "t"),
            ("pbx_call_id", "p1"),
            ("caller_id", "555"),
            ("destination", "102"),
            ("internal", "102"),
        ],
        &[
            ("event", "NOTIFY_END"),
            ("call_start", "t"),
            ("pbx_call_id", "p1"),
            ("caller_id", "555"),
            ("called_did", "1"),
            ("internal", "102"),
            ("disposition", "answered"),
        ],
    ];
    for pairs in steps {
        let r = zadarma_post(&ep, &signed(pairs), &form(pairs)).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let got = ep.drain();
    assert_eq!(got.iter().map(|r| r.extension.as_str()).collect::<Vec<_>>(), ["102", "102", "102"]);
    assert!(matches!(got[1].event, CallEvent::Answered { .. }));
    assert!(matches!(got[2].event, CallEvent::Ended { cause: EndCause::Completed, .. }));
}

#[tokio::test]
async fn a_hostile_caller_name_stays_text_without_the_control_character() {
    let mut ep = start(config(), 16).await;
    let hostile = "<img src=x onerror=alert(1)>\u{202e}";
    let r = ep
        .events(json!({"type": "ringing", "call_id": "h", "extension": "101", "from_number": "+380\u{200f}44\n1",
            "from_name": hostile}))
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let got = ep.drain();
    let CallEvent::IncomingRinging { from, .. } = &got[0].event else { panic!() };
    assert_eq!(from.name.as_deref(), Some("<img src=x onerror=alert(1)>"));
    assert!(!from.name.as_deref().unwrap().contains('\u{202e}'));
    assert_eq!(from.number, "+38044 1");
}

#[tokio::test]
async fn zammad_new_call_answer_hangup_as_form_and_json() {
    let mut ep = start(config(), 16).await;
    let new_call = "event=newCall&from=493055571600&to=4930123&direction=in&callId=z-1&user%5B%5D=101&user%5B%5D=102";
    let r = ep.post("/v1/events", Some(TOKEN), FORM, new_call).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["accepted"], 2);
    let r = ep
        .events(json!({"event": "answer", "from": "493055571600", "to": "4930123", "direction": "in",
        "callId": "z-1", "answeringNumber": "101"}))
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let r = ep
        .post(
            "/v1/events",
            Some(TOKEN),
            FORM,
            "event=hangup&direction=in&callId=z-1&user%5B%5D=101&user%5B%5D=102&answeringNumber=101&cause=normalClearing",
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let got = ep.drain();
    let call = CallId::new("zammad:z-1");
    let seen: Vec<(&str, &CallEvent)> = got.iter().map(|r| (r.extension.as_str(), &r.event)).collect();
    assert_eq!(seen.len(), 5);
    assert!(matches!(seen[0], ("101", CallEvent::IncomingRinging { .. })));
    assert!(matches!(seen[1], ("102", CallEvent::IncomingRinging { .. })));
    assert_eq!(seen[2].0, "101");
    assert!(matches!(seen[2].1, CallEvent::Answered { call: c, .. } if *c == call));
    assert!(matches!(seen[3], ("101", CallEvent::Ended { cause: EndCause::Completed, .. })));
    assert!(
        matches!(seen[4], ("102", CallEvent::Ended { cause: EndCause::AnsweredElsewhere { by: Some(b) }, .. }) if b == "101")
    );
}

#[tokio::test]
async fn binotel_and_ringostat_by_their_url_tokens() {
    let mut ep = start(config(), 16).await;
    let received = "requestType=receivedTheCall&companyID=42&generalCallID=900&callType=0&internalNumber=101&externalNumber=0660000001";
    let r = ep.post("/v1/webhooks/binotel/wrong", None, FORM, received).await;
    assert_eq!(r.status, 403);
    let r = ep
        .post(&format!("/v1/webhooks/binotel/{BN_TOKEN}"), None, FORM, received.replace("companyID=42", "companyID=7"))
        .await;
    assert_eq!(r.status, 403, "another company's request");
    assert!(ep.drain().is_empty());
    let r = ep.post(&format!("/v1/webhooks/binotel/{BN_TOKEN}"), None, FORM, received).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = ep.drain();
    assert_eq!(got[0].extension, "101");
    assert!(matches!(&got[0].event, CallEvent::IncomingRinging { call, .. } if call.as_str() == "binotel:900"));

    let r = ep
        .post(
            &format!("/v1/webhooks/ringostat/{RS_TOKEN}?event=ringing"),
            None,
            "application/json",
            json!({"uniqueid": "17.1", "caller": "380501234567", "dst": "101"}).to_string(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = ep.drain();
    assert!(matches!(&got[0].event, CallEvent::IncomingRinging { call, .. } if call.as_str() == "ringostat:17.1"));
    let r = ep.post("/v1/webhooks/ringostat/nope?event=ringing", None, "application/json", "{}").await;
    assert_eq!(r.status, 403);
}

#[tokio::test]
async fn a_burst_loses_nothing_every_request_is_queued_or_told_to_retry() {
    let mut c = config();
    c.limits.burst = 10_000;
    c.limits.rate_per_sec = 10_000.0;
    let mut ep = start(c, 50).await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (http, base) = (ep.http.clone(), ep.base.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!([
                {"type": "answered", "call_id": format!("c{i}"), "extension": "101"},
                {"type": "ended", "call_id": format!("c{i}"), "extension": "101", "cause": "completed"},
            ]);
            let r = http
                .post(format!("{base}/v1/events"))
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            (i, r.status().as_u16(), r.headers().get("retry-after").is_some())
        }));
    }
    let mut accepted = std::collections::BTreeSet::new();
    for t in tasks {
        let (i, status, retry_after) = t.await.unwrap();
        match status {
            202 => {
                accepted.insert(format!("push:c{i}"));
            }
            503 => assert!(retry_after),
            other => panic!("status {other}"),
        }
    }
    // Nobody drained while they were sent: exactly the accepted requests' events are queued,
    // both of each, and nothing of a refused one.
    let got = ep.drain();
    assert_eq!(got.len(), accepted.len() * 2);
    assert!(accepted.len() <= 25);
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for r in &got {
        *seen.entry(r.event.call().unwrap().as_str().to_string()).or_default() += 1;
    }
    assert_eq!(seen.keys().cloned().collect::<std::collections::BTreeSet<_>>(), accepted);
    assert!(seen.values().all(|n| *n == 2));
}

#[tokio::test]
async fn a_closed_sink_is_503_closed() {
    let mut ep = start(config(), 4).await;
    let (_other, dummy) = mpsc::channel(1);
    drop(std::mem::replace(&mut ep.rx, dummy));
    let r = Reply::of(
        ep.http
            .post(format!("{}/v1/events", ep.base))
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/json")
            .body(json!({"type": "answered", "call_id": "c", "extension": "101"}).to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["code"], "push.closed");
    assert!(r.header("retry-after").is_some());
}

#[tokio::test]
async fn a_form_is_not_ringsides_schema() {
    let mut ep = start(config(), 4).await;
    let r = ep.post("/v1/events", Some(TOKEN), FORM, "type=answered&call_id=c&extension=101").await;
    assert_eq!(r.status, 400);
    assert!(r.json()["message"].as_str().unwrap().contains("`event`"), "{}", r.body);
    assert!(ep.drain().is_empty());
}
