//! Who is calling, as the agent sees it on the card: the embedded directory's match, the pick
//! list for a shared number and the pick remembered for the next call, "Unknown caller" turned
//! into a customer, and a CRM (a real HTTP server on loopback) that is slow, then answers.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use common::{start, start_with, until};
use ringside_config::{CrmConfig, CrmKind, FieldMap, RestCrmConfig};
use ringside_core::{CallCard, LookupState, SessionOutput};
use tokio::sync::broadcast::Receiver;

/// The next card whose lookup has finished (done or failed) for a number with these digits.
async fn looked_up(rx: &mut Receiver<SessionOutput>, digits: &str) -> CallCard {
    until(rx, &format!("the lookup of …{digits}"), |o| match o {
        SessionOutput::Card(c)
            if c.number.chars().filter(char::is_ascii_digit).collect::<String>().ends_with(digits)
                && matches!(c.lookup, LookupState::Done | LookupState::Failed(_)) =>
        {
            Some((**c).clone())
        }
        _ => None,
    })
    .await
}

fn names(card: &CallCard) -> Vec<(&str, &str, bool)> {
    card.customers.iter().map(|c| (c.source.as_str(), c.name.as_str(), c.chosen)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_names_the_customer_and_an_unusable_directory_still_shows_the_number() {
    let (pbx, handle, mut rx, _directory) = start(20.0).await;
    pbx.ring("+380 44 123 4567", None, "100").expect("ring");
    let named = until(&mut rx, "the customer on the card", |o| match o {
        SessionOutput::Card(c) if c.lookup == ringside_core::LookupState::Done => Some((**c).clone()),
        _ => None,
    })
    .await;
    assert_eq!(named.customers.len(), 1);
    assert_eq!(named.customers[0].name, "Olena Kovalenko");
    assert_eq!(named.customers[0].reason, "same E.164");
    handle.shutdown().await;
    pbx.shutdown().await;

    // A directory that cannot be created: the card says why and keeps the number.
    let (pbx, handle, mut rx, _directory) = start_with(20.0, |config| {
        config.directory.path = Some("/proc/ringside-cannot-be-here/directory.sqlite".into());
    })
    .await;
    pbx.ring("+380441234567", None, "100").expect("ring");
    let failed = until(&mut rx, "the failed lookup", |o| match o {
        SessionOutput::Card(c) if matches!(c.lookup, ringside_core::LookupState::Failed(_)) => Some((**c).clone()),
        _ => None,
    })
    .await;
    assert_eq!(failed.number, "+380441234567");
    assert!(failed.customers.is_empty());
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_number_gives_a_pick_list_and_the_pick_is_used_next_time() {
    let (pbx, handle, mut rx, _directory) = start(20.0).await;
    pbx.ring("+48 22 123 45 67", None, "100").expect("ring");
    let card = looked_up(&mut rx, "221234567").await;
    assert_eq!(
        names(&card),
        [("directory", "Anna Kowalska", false), ("directory", "Piotr Kowalski", false)],
        "most recently contacted first, nobody chosen yet"
    );
    let piotr = card.customers[1].id.clone();
    handle.choose_customer(card.call_id.clone(), "directory", &piotr).await.expect("pick Piotr");
    let picked = until(&mut rx, "the pick on the card", |o| match o {
        SessionOutput::Card(c) if c.call_id == card.call_id && c.customers.first().is_some_and(|c| c.chosen) => {
            Some(c.clone())
        }
        _ => None,
    })
    .await;
    assert_eq!(names(&picked), [("directory", "Piotr Kowalski", true), ("directory", "Anna Kowalska", false)]);

    // Picking on a card that is gone says so.
    let err = handle
        .choose_customer(ringside_core::CallId::new("no-such-call"), "directory", &piotr)
        .await
        .expect_err("no such card");
    assert_eq!(err.to_string(), "that call's card is no longer open");
    // The directory keeps no deals: logging the call to one is refused in words; a card that is
    // gone says so.
    let err = handle.bind_deal(card.call_id.clone(), "directory", &piotr, Some("31")).await.expect_err("no deal");
    assert_eq!(ringside_core::ErrorReport::of(&err).code, "card.no_such_deal");
    let err = handle
        .bind_deal(ringside_core::CallId::new("no-such-call"), "directory", &piotr, None)
        .await
        .expect_err("no such card");
    assert_eq!(ringside_core::ErrorReport::of(&err).code, "card.gone");

    // The next call from the number, formatted differently, opens on Piotr.
    until(&mut rx, "the first call to end", |o| match o {
        SessionOutput::Card(c) if c.call_id == card.call_id && c.outcome.is_some() => Some(()),
        _ => None,
    })
    .await;
    pbx.ring("0048221234567", None, "100").expect("ring again");
    let next = looked_up(&mut rx, "221234567").await;
    assert_ne!(next.call_id, card.call_id);
    assert_eq!(names(&next), [("directory", "Piotr Kowalski", true), ("directory", "Anna Kowalska", false)]);
    assert!(next.customers[0].reason.ends_with("chosen before"), "{:?}", next.customers[0].reason);
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_caller_becomes_a_customer_with_one_click() {
    let (pbx, handle, mut rx, _directory) = start(20.0).await;
    pbx.ring("+380 50 765 43 21", None, "100").expect("ring");
    let card = looked_up(&mut rx, "507654321").await;
    assert_eq!(card.lookup, LookupState::Done);
    assert!(card.customers.is_empty(), "an unknown caller: {:?}", card.customers);

    assert_eq!(
        handle.create_targets(),
        [ringside_runtime::CreateTarget {
            name: "directory".into(),
            label: None,
            creates: ringside_runtime::CreatedKind::Customer,
            takes_company: true
        }],
        "no CRM configured: the directory only"
    );
    let err = handle.create_customer(card.call_id.clone(), "directory", "   ", None).await.expect_err("no name");
    assert_eq!(err.to_string(), "the customer could not be saved: give the customer a name");
    assert_eq!(ringside_core::ErrorReport::of(&err).code, "customer.no_name", "the window can point at the name field");
    let err = handle.create_customer(card.call_id.clone(), "shop", "Taras", None).await.expect_err("no such CRM");
    let report = ringside_core::ErrorReport::of(&err);
    assert_eq!((report.code.as_str(), report.args["known"].as_str()), ("customer.no_such_target", "directory"));
    let created = handle
        .create_customer(card.call_id.clone(), "directory", "Taras Shevchuk", Some("Kobzar LLC"))
        .await
        .expect("created");
    assert_eq!((created.source.as_str(), created.chosen), ("directory", true));
    let named = until(&mut rx, "the new customer on the card", |o| match o {
        SessionOutput::Card(c) if c.call_id == card.call_id && !c.customers.is_empty() => Some((**c).clone()),
        _ => None,
    })
    .await;
    assert_eq!(names(&named), [("directory", "Taras Shevchuk", true)], "the same card now names the caller");
    assert_eq!(named.customers[0].company.as_deref(), Some("Kobzar LLC"));
    assert_eq!(named.customers[0].id, created.id);
    let err = handle.new_order_url(&card.call_id, "directory", &created.id).await.expect_err("no orders there");
    assert_eq!(ringside_core::ErrorReport::of(&err).code, "customer.no_order_page");
    handle.shutdown().await;
    pbx.shutdown().await;
}

/// A CRM on loopback that counts its searches and can be made slow.
#[derive(Clone, Default)]
struct Crm {
    searches: Arc<AtomicUsize>,
    slow: Arc<AtomicBool>,
}

async fn search(State(crm): State<Crm>, Path(e164): Path<String>) -> Json<serde_json::Value> {
    crm.searches.fetch_add(1, Ordering::SeqCst);
    if crm.slow.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    if e164 != "+48221234567" {
        return Json(serde_json::json!({ "data": [] }));
    }
    Json(serde_json::json!({ "data": [
        { "id": 501, "full_name": "Anna Kowalska", "company": { "name": "Kowalski i Syn sp. z o.o." },
          "orders": [{ "number": "SO-77", "state": "awaiting payment", "total": "1 250.00 PLN" }] },
        { "id": 502, "full_name": "Marta Zielinska", "company": null, "orders": [] }
    ]}))
}

async fn start_crm() -> (Crm, String) {
    let crm = Crm::default();
    let app = Router::new().route("/customers/by-phone/{e164}", get(search)).with_state(crm.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (crm, format!("http://{addr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_crm_fails_in_time_the_card_keeps_what_the_directory_found_and_retry_asks_again() {
    let (crm, base) = start_crm().await;
    crm.slow.store(true, Ordering::SeqCst);
    let (pbx, handle, mut rx, _directory) = start_with(20.0, |config| {
        config.lookup.timeout_ms = 300;
        config.lookup.order = vec!["shop".into(), "directory".into()];
        config.lookup.crm = vec![CrmConfig {
            name: "shop".into(),
            kind: CrmKind::Rest(RestCrmConfig {
                url: format!("{base}/customers/by-phone/{{e164}}"),
                auth_header: None,
                auth_prefix: String::new(),
                card_url: Some(format!("{base}/app/customers/{{id}}")),
                log_url: None,
                log_update_url: None,
                log_update_method: Default::default(),
                create_url: None,
                new_order_url: None,
                auto_create: false,
                allow_plain_http: false,
                fields: FieldMap {
                    list: "/data".into(),
                    name: "/full_name".into(),
                    company: Some("/company/name".into()),
                    orders: Some("/orders".into()),
                    order_title: "/number".into(),
                    order_status: Some("/state".into()),
                    order_amount: Some("/total".into()),
                    ..FieldMap::default()
                },
            }),
        }];
    })
    .await;

    pbx.ring("+48 22 123 45 67", None, "100").expect("ring");
    let card = looked_up(&mut rx, "221234567").await;
    let host = base.trim_start_matches("http://");
    assert_eq!(card.lookup, LookupState::Failed(format!("shop: {host} did not answer within 300 ms")));
    assert_eq!(
        names(&card),
        [("directory", "Anna Kowalska", false), ("directory", "Piotr Kowalski", false)],
        "the directory's answer is on the card although the CRM failed"
    );

    // The CRM is back: Retry asks it again; its customers come first, the same person is
    // listed once, from the CRM.
    crm.slow.store(false, Ordering::SeqCst);
    handle.retry_lookup(card.call_id.clone()).await.expect("retry");
    let retried = looked_up(&mut rx, "221234567").await;
    assert_eq!(retried.lookup, LookupState::Done);
    assert_eq!(
        names(&retried),
        [("shop", "Anna Kowalska", false), ("shop", "Marta Zielinska", false), ("directory", "Piotr Kowalski", false)]
    );
    let anna = &retried.customers[0];
    assert_eq!(anna.id, "501");
    assert_eq!(anna.url.as_deref(), Some(format!("{base}/app/customers/501").as_str()));
    assert_eq!(anna.orders[0].title, "SO-77");
    assert_eq!(anna.orders[0].amount.as_deref(), Some("1 250.00 PLN"));
    assert_eq!(
        handle.customer_page(&retried.call_id, "shop", "501").await.expect("page"),
        format!("{base}/app/customers/501")
    );
    assert!(handle.customer_page(&retried.call_id, "directory", &retried.customers[2].id).await.is_err());
    let searches = crm.searches.load(Ordering::SeqCst);
    assert_eq!(searches, 2, "the first (slow) search and the retry");

    // The next call from the number is answered from the cache: the CRM is not asked again.
    until(&mut rx, "the first call to end", |o| match o {
        SessionOutput::Card(c) if c.call_id == card.call_id && c.outcome.is_some() => Some(()),
        _ => None,
    })
    .await;
    pbx.ring("+48221234567", None, "100").expect("ring again");
    let next = looked_up(&mut rx, "221234567").await;
    assert_eq!(next.lookup, LookupState::Done);
    assert_eq!(next.customers[0].name, "Anna Kowalska");
    assert_eq!(crm.searches.load(Ordering::SeqCst), searches, "served from the cache");
    handle.shutdown().await;
    pbx.shutdown().await;
}
