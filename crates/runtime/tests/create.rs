//! "Create customer" on a live card (the demo PBX rings, real HTTP servers on loopback pose as
//! the CRMs): the card names the customer from the CRM; a CRM that fails loses nothing and a
//! retry is the same request; an unknown caller the agent answers becomes a Bitrix24 lead once
//! per call, through a retried lookup and a restart of Ringside; "Add order" opens the CRM's page.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use common::{start_on, start_with, until};
use ringside_config::{
    AmiConfig, Bitrix24Config, BitrixEntity, CrmConfig, CrmKind, FieldMap, RestCrmConfig, SourceConfig,
};
use ringside_core::{CallCard, CardStatus, ErrorReport, LookupState, SessionOutput};
use ringside_demo_pbx::{DemoAgent, DemoPbx, DemoPbxConfig, DEMO_SECRET};
use ringside_runtime::{CreateTarget, CreatedKind, Runtime};
use serde_json::{json, Value};
use tokio::sync::broadcast::Receiver;

/// One request as the CRM saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    idempotency_key: Option<String>,
    body: Value,
}

type Answer = Arc<dyn Fn(&Seen) -> (u16, Value) + Send + Sync>;

/// A CRM on loopback that records every request and answers with `answer`.
#[derive(Clone)]
struct Crm {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    answer: Arc<Mutex<Answer>>,
    /// How long a POST waits before it is answered.
    slow_posts: Arc<Mutex<Duration>>,
}

impl Crm {
    async fn start(answer: impl Fn(&Seen) -> (u16, Value) + Send + Sync + 'static) -> Crm {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let answer: Arc<Mutex<Answer>> = Arc::new(Mutex::new(Arc::new(answer)));
        let slow_posts = Arc::new(Mutex::new(Duration::ZERO));
        let (log, answers, slow) = (seen.clone(), answer.clone(), slow_posts.clone());
        let app = axum::Router::new().fallback(move |req: Request| {
            let (log, answers, slow) = (log.clone(), answers.clone(), slow.clone());
            async move {
                let delay = *slow.lock().unwrap();
                if req.method() == axum::http::Method::POST && !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
                let seen = Seen {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_string(),
                    idempotency_key: parts.headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(Into::into),
                    body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                };
                log.lock().unwrap().push(seen.clone());
                let answer = answers.lock().unwrap().clone();
                let (status, body) = answer(&seen);
                Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Crm { base, seen, answer, slow_posts }
    }

    fn answer_with(&self, answer: impl Fn(&Seen) -> (u16, Value) + Send + Sync + 'static) {
        *self.answer.lock().unwrap() = Arc::new(answer);
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Requests whose path ends with `suffix` (`/customers`, `crm.lead.add.json`).
    fn calls_to(&self, suffix: &str) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.path.ends_with(suffix)).collect()
    }
}

/// The REST CRM "shop" at `base`: searched at `/find/{e164}` (answering nobody), creating at
/// `/customers`, with a page for new orders.
fn shop(base: &str) -> CrmConfig {
    let mut rest = RestCrmConfig::new(format!("{base}/find/{{e164}}"));
    rest.create_url = Some(format!("{base}/customers"));
    rest.card_url = Some(format!("{base}/app/customers/{{id}}"));
    rest.new_order_url = Some(format!("{base}/app/orders/new?customer={{customer_id}}&phone={{number}}"));
    rest.fields = FieldMap { list: "/data".into(), company: Some("/company".into()), ..FieldMap::default() };
    CrmConfig { name: "shop".into(), kind: CrmKind::Rest(rest) }
}

/// A Bitrix24 portal at `crm` named `name`, its webhook URL in the environment (no keychain in
/// tests), creating leads for unknown callers by itself.
fn b24(name: &str, crm: &Crm) -> CrmConfig {
    let var = ringside_crm::secret_env_var(name);
    // Each test has its own CRM name, so tests running at once do not share the variable.
    std::env::set_var(var, format!("{}/rest/1/c0de42/", crm.base));
    CrmConfig {
        name: name.into(),
        kind: CrmKind::Bitrix24(Bitrix24Config { auto_create: Some(BitrixEntity::Lead), ..Default::default() }),
    }
}

/// A portal where nobody is known, that answers `crm.lead.add` with lead 72.
fn empty_portal(seen: &Seen) -> (u16, Value) {
    let method = seen.path.rsplit('/').next().unwrap_or_default().trim_end_matches(".json");
    let result = match method {
        "crm.lead.add" => json!(72),
        "crm.duplicate.findbycomm" | "crm.lead.list" => json!([]),
        _ => json!(null),
    };
    (200, json!({"result": result}))
}

/// Ringside on the demo PBX with the REST CRM "shop" first, which answers POSTs with `created`
/// and finds nobody.
async fn start_with_shop(
    created: impl Fn(&Seen) -> (u16, Value) + Send + Sync + 'static,
) -> (Crm, DemoPbx, ringside_runtime::RuntimeHandle, Receiver<SessionOutput>, tempfile::TempDir) {
    let crm = Crm::start(move |seen| match seen.method.as_str() {
        "POST" => created(seen),
        _ => (200, json!({"data": []})),
    })
    .await;
    let base = crm.base.clone();
    let (pbx, handle, rx, dir) = start_with(20.0, move |config| {
        config.lookup.crm = vec![shop(&base)];
    })
    .await;
    (crm, pbx, handle, rx, dir)
}

/// The next card for `call` that `f` accepts.
async fn card_where(rx: &mut Receiver<SessionOutput>, what: &str, f: impl Fn(&CallCard) -> bool) -> CallCard {
    until(rx, what, |o| match o {
        SessionOutput::Card(c) if f(c) => Some((**c).clone()),
        _ => None,
    })
    .await
}

async fn unknown_caller(rx: &mut Receiver<SessionOutput>) -> CallCard {
    card_where(rx, "the unknown caller's card", |c| c.lookup == LookupState::Done && c.customers.is_empty()).await
}

fn names(card: &CallCard) -> Vec<(&str, &str, bool)> {
    card.customers.iter().map(|c| (c.source.as_str(), c.name.as_str(), c.chosen)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_created_in_the_crm_is_named_on_the_card_from_that_crm() {
    let crm = Crm::start(|seen| match seen.method.as_str() {
        "POST" => (201, json!({"data": {"id": 9001, "name": "Taras Shevchuk", "company": "Kobzar LLC"}})),
        _ => (200, json!({"data": []})),
    })
    .await;
    let base = crm.base.clone();
    let (pbx, handle, mut rx, _dir) = start_with(20.0, move |config| {
        config.lookup.crm = vec![shop(&base)];
        config.lookup.order = vec!["shop".into(), "directory".into()];
    })
    .await;
    assert_eq!(
        handle.create_targets(),
        [
            CreateTarget { name: "directory".into(), label: None, creates: CreatedKind::Customer, takes_company: true },
            CreateTarget {
                name: "shop".into(),
                label: Some(crm.base.trim_start_matches("http://").into()),
                creates: CreatedKind::Customer,
                takes_company: true
            },
        ]
    );
    let targets = serde_json::to_value(handle.create_targets()).unwrap();
    assert_eq!(
        targets[1],
        json!({"name": "shop", "label": crm.base.trim_start_matches("http://"), "creates": "customer", "takes_company": true})
    );

    pbx.ring("+380 50 765 43 21", None, "100").expect("ring");
    let card = unknown_caller(&mut rx).await;
    let created = handle
        .create_customer(card.call_id.clone(), "shop", "  Taras Shevchuk ", Some("Kobzar LLC"))
        .await
        .expect("created in the CRM");
    assert_eq!((created.source.as_str(), created.id.as_str(), created.chosen), ("shop", "9001", true));

    let named =
        card_where(&mut rx, "the CRM's customer on the card", |c| c.call_id == card.call_id && !c.customers.is_empty())
            .await;
    assert_eq!(names(&named), [("shop", "Taras Shevchuk", true)]);
    assert_eq!(named.customers[0].url, Some(format!("{}/app/customers/9001", crm.base)));
    let posts = crm.calls_to("/customers");
    assert_eq!(posts.len(), 1, "one POST: {posts:?}");
    assert_eq!(posts[0].body, json!({"name": "Taras Shevchuk", "company": "Kobzar LLC", "phone": "+380507654321"}));
    assert!(posts[0].idempotency_key.as_deref().is_some_and(|k| k.starts_with("\"ringside-create-")));

    // "Add order" for the customer on the card: the CRM's page, filled in and encoded.
    let page = handle.new_order_url(&card.call_id, "shop", "9001").await.expect("page");
    assert_eq!(page.as_str(), format!("{}/app/orders/new?customer=9001&phone=%2B380507654321", crm.base));
    let err = handle.new_order_url(&card.call_id, "shop", "someone-else").await.expect_err("not on the card");
    assert_eq!(ErrorReport::of(&err).code, "card.gone");
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_created_from_the_history_after_the_call_is_named_by_their_call() {
    let (crm, pbx, handle, mut rx, _dir) =
        start_with_shop(|_| (201, json!({"data": {"id": 77, "name": "Marta Kyiv"}}))).await;
    pbx.ring("+380 50 765 43 21", None, "100").expect("ring");
    let card = unknown_caller(&mut rx).await;
    card_where(&mut rx, "the call to end", |c| c.call_id == card.call_id && c.status == CardStatus::Ended).await;
    handle.dismiss(card.call_id.clone()).await;

    // The card is gone; the History's row still creates the caller, from its number.
    let created = handle.create_customer(card.call_id.clone(), "shop", "Marta Kyiv", None).await.expect("created");
    assert_eq!((created.source.as_str(), created.id.as_str()), ("shop", "77"));
    let posts = crm.calls_to("/customers");
    assert_eq!(posts.len(), 1, "one POST: {posts:?}");
    assert_eq!(posts[0].body["phone"], json!("+380507654321"));
    let query = ringside_history::HistoryQuery { call_id: Some(card.call_id.to_string()), ..Default::default() };
    let rows = handle.search_history(query).await.expect("history");
    let customer = rows.first().and_then(|r| r.customer.clone()).expect("the row names the customer");
    assert_eq!((customer.source.as_str(), customer.name.as_str()), ("shop", "Marta Kyiv"));

    let err = handle
        .create_customer(ringside_core::CallId::new("no-such-call"), "shop", "Nobody", None)
        .await
        .expect_err("a call that never was");
    assert_eq!(ErrorReport::of(&err).code, "call.none");
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crm_that_fails_loses_nothing_and_the_retry_is_the_same_request() {
    let (crm, pbx, handle, mut rx, _dir) = start_with_shop(|_| (500, json!({"message": "database is down"}))).await;
    pbx.ring("+380 50 765 43 22", None, "100").expect("ring");
    let card = unknown_caller(&mut rx).await;

    let err = handle.create_customer(card.call_id.clone(), "shop", "Taras", Some("Kobzar LLC")).await.expect_err("500");
    let report = ErrorReport::of(&err);
    assert_eq!(report.code, "crm.create_failed");
    assert_eq!(report.args["crm"], "shop");
    assert_eq!(
        (report.args["name"].as_str(), report.args["company"].as_str()),
        ("Taras", "Kobzar LLC"),
        "kept for the retry"
    );
    assert_eq!(report.args["permanent"], "false");
    let host = crm.base.trim_start_matches("http://");
    assert_eq!(report.args["reason"], format!("{host} had an error (500 Internal Server Error): database is down"));
    assert_eq!(report.message, format!("the customer could not be created in shop: {host} had an error (500 Internal Server Error): database is down"));

    // Nothing was created in its place: the directory does not have them either.
    assert!(handle.find_customers("+380507654322").await.customers.is_empty());
    let snapshot = handle.snapshot().await;
    let now = snapshot.cards.iter().find(|c| c.call_id == card.call_id).expect("card");
    assert!(now.customers.is_empty(), "{:?}", now.customers);

    // The CRM is back: Create again with the same text is the same request.
    crm.answer_with(|seen| match seen.method.as_str() {
        "POST" => (201, json!({"data": {"id": "c-7"}})),
        _ => (200, json!({"data": []})),
    });
    let created =
        handle.create_customer(card.call_id.clone(), "shop", "Taras", Some("Kobzar LLC")).await.expect("retry");
    assert_eq!((created.id.as_str(), created.name.as_str()), ("c-7", "Taras"));
    let keys: Vec<Option<String>> = crm.calls_to("/customers").into_iter().map(|s| s.idempotency_key).collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the retry under the first request's key");
    card_where(&mut rx, "the customer on the card", |c| c.call_id == card.call_id && c.customers.len() == 1).await;
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_click_while_the_first_is_under_way_sends_nothing() {
    let crm = Crm::start(|seen| match seen.method.as_str() {
        "POST" => (201, json!({"data": {"id": 5}})),
        _ => (200, json!({"data": []})),
    })
    .await;
    *crm.slow_posts.lock().unwrap() = Duration::from_millis(800);
    let base = crm.base.clone();
    let (pbx, handle, mut rx, _dir) = start_with(20.0, move |config| config.lookup.crm = vec![shop(&base)]).await;
    pbx.ring("+380 50 765 43 25", None, "100").expect("ring");
    let card = unknown_caller(&mut rx).await;
    let first = {
        let (handle, call) = (handle.clone(), card.call_id.clone());
        tokio::spawn(async move { handle.create_customer(call, "shop", "Taras", None).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let err = handle.create_customer(card.call_id.clone(), "shop", "Taras", None).await.expect_err("under way");
    let report = ErrorReport::of(&err);
    assert_eq!((report.code.as_str(), report.args["target"].as_str()), ("customer.create_in_progress", "shop"));
    assert_eq!(first.await.expect("task").expect("the first click").id, "5");
    assert_eq!(crm.calls_to("/customers").len(), 1);
    handle.shutdown().await;
    pbx.shutdown().await;
}

/// A PBX whose agent 100 answers at once and talks for a minute (the call is still up when
/// Ringside restarts).
fn long_calls() -> DemoPbxConfig {
    DemoPbxConfig {
        agents: vec![
            DemoAgent { answer_after: Some(Duration::from_millis(200)), ..DemoAgent::new("100", None) },
            DemoAgent::new("101", None),
        ],
        talk_time: Duration::from_secs(60),
        ..DemoPbxConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_caller_becomes_one_lead_through_a_retried_lookup_and_a_restart() {
    let crm = Crm::start(empty_portal).await;
    let portal = crm.clone();
    let (pbx, handle, mut rx, dir) = start_on(long_calls(), move |config| {
        config.lookup.crm = vec![b24("b24auto", &portal)];
    })
    .await;
    pbx.ring("+380 50 765 43 23", Some("IVANENKO"), "100").expect("ring");
    let lead = card_where(&mut rx, "the lead on the card", |c| !c.customers.is_empty()).await;
    assert_eq!(names(&lead), [("b24auto", "IVANENKO", true)], "named by the caller ID");
    assert_eq!(lead.customers[0].id, "lead:72");
    assert_eq!(lead.customers[0].url, Some(format!("{}/crm/lead/details/72/", crm.base)));
    let adds = crm.calls_to("crm.lead.add.json");
    assert_eq!(adds.len(), 1);
    assert_eq!(adds[0].body["fields"]["TITLE"], "Call from +380507654323");
    assert_eq!(adds[0].body["fields"]["PHONE"], json!([{"VALUE": "+380507654323", "VALUE_TYPE": "WORK"}]));
    let origin_id = adds[0].body["fields"]["ORIGIN_ID"].clone();

    // The agent retries the lookup: Bitrix24 lists no leads, yet the card keeps it; nothing new.
    handle.retry_lookup(lead.call_id.clone()).await.expect("retry");
    let again =
        card_where(&mut rx, "the retried lookup", |c| c.call_id == lead.call_id && c.lookup == LookupState::Done).await;
    assert_eq!(names(&again), [("b24auto", "IVANENKO", true)]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(crm.calls_to("crm.lead.add.json").len(), 1, "one lead for one call");

    // Ringside restarts in the middle of the call: the re-sync brings the card back, the history
    // knows the lead: shown again, not created again.
    let config = restart_config(&pbx, &dir, &crm);
    handle.shutdown().await;
    let handle = Runtime::start_with_secret(config, Some(DEMO_SECRET.into())).await.expect("restart");
    let mut rx = handle.subscribe();
    let back =
        card_where(&mut rx, "the call after the restart", |c| c.call_id == lead.call_id && !c.customers.is_empty())
            .await;
    assert_eq!(names(&back), [("b24auto", "IVANENKO", true)]);
    assert_eq!(back.customers[0].id, "lead:72");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(crm.calls_to("crm.lead.add.json").len(), 1, "still one lead");
    assert!(crm.calls_to("crm.lead.add.json").iter().all(|a| a.body["fields"]["ORIGIN_ID"] == origin_id));
    handle.shutdown().await;
    pbx.shutdown().await;
}

/// The config of the first run again (same directory and history files), for a second Ringside
/// on the same PBX.
fn restart_config(pbx: &DemoPbx, dir: &tempfile::TempDir, crm: &Crm) -> ringside_config::Config {
    let mut config = ringside_config::Config::default();
    config.directory.path = Some(dir.path().join("directory.sqlite"));
    config.history.path = Some(dir.path().join("history.sqlite"));
    let addr = pbx.local_addr();
    config.source = SourceConfig::Ami(AmiConfig::new(addr.ip().to_string(), addr.port(), "ringside"));
    config.session.wrap_up = false;
    config.lookup.crm = vec![b24("b24auto", crm)];
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_this_agent_does_not_answer_makes_no_lead() {
    let crm = Crm::start(empty_portal).await;
    let portal = crm.clone();
    let never = DemoPbxConfig {
        agents: vec![DemoAgent::new("100", None), DemoAgent::new("101", None)],
        speed: 20.0,
        ..DemoPbxConfig::default()
    };
    let (pbx, handle, mut rx, _dir) = start_on(never, move |config| {
        config.lookup.crm = vec![b24("b24missed", &portal)];
    })
    .await;
    pbx.ring("+380 50 765 43 24", None, "100").expect("ring");
    let card = unknown_caller(&mut rx).await;
    card_where(&mut rx, "the missed call's end", |c| c.call_id == card.call_id && c.outcome.is_some()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(crm.calls_to("crm.lead.add.json").is_empty(), "{:?}", crm.seen());
    handle.shutdown().await;
    pbx.shutdown().await;
}
