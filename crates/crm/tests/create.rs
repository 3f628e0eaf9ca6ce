//! Creating a customer, against real HTTP servers on 127.0.0.1 that record every request: a REST
//! CRM (`create_url`) and a server posing as a Bitrix24 webhook (`crm.contact.add`,
//! `crm.lead.add`); and the page for a new order (`new_order_url`).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{bitrix24, json, keyed, rest_crm, Server, TIMEOUT};
use ringside_crm::settings::{BitrixEntity, CrmKind, FieldMap};
use ringside_crm::{Connector, CreatedKind, CrmError, CrmQuery, NewCustomer, Origin};
use ringside_secrets::SecretString;
use serde_json::{json, Value};

const CODE: &str = "s3cr3tc0de";

fn number() -> CrmQuery {
    CrmQuery { raw: "+380 50 765 43 21".into(), e164: Some("+380507654321".into()), digits: "380507654321".into() }
}

fn taras(key: &str) -> NewCustomer {
    NewCustomer {
        name: "Taras Shevchuk".into(),
        company: Some("Kobzar LLC".into()),
        number: number(),
        call_id: "1722000000.42".into(),
        idempotency_key: key.into(),
        origin: Origin::Agent,
    }
}

/// A REST CRM that creates at `/api/customers` and answers `{"data": {...}}`.
fn shop(server: &Server, adjust: impl FnOnce(&mut ringside_crm::settings::RestCrmConfig)) -> Connector {
    let config = rest_crm("shop", &server.url("/api/search?phone={e164}"), |rest| {
        keyed(rest);
        rest.create_url = Some(server.url("/api/customers?from_call={call_id}"));
        rest.card_url = Some(server.url("/app/customers/{id}"));
        rest.fields = FieldMap {
            list: "/data".into(),
            name: "/full_name".into(),
            company: Some("/company/name".into()),
            phone: "/phones/0/number".into(),
            ..FieldMap::default()
        };
        adjust(rest);
    });
    Connector::new(&config, Some(SecretString::from("k-123")), TIMEOUT).unwrap()
}

#[tokio::test]
async fn a_rest_crm_gets_one_post_with_the_mapped_body_and_the_card_gets_its_id() {
    let server =
        Server::start(|_| async { json(201, json!({"data": {"id": 9001, "full_name": "Taras Shevchuk"}})) }).await;
    let crm = shop(&server, |_| {});
    assert_eq!(crm.creates(), Some(CreatedKind::Customer));
    assert!(crm.takes_company());

    let created = crm.create(&taras("ringside-create-1")).await.expect("created");
    assert_eq!(created.id, "9001");
    assert_eq!(created.name, "Taras Shevchuk");
    assert_eq!(created.company.as_deref(), Some("Kobzar LLC"), "as sent: the answer has none");
    assert_eq!(created.url, Some(server.url("/app/customers/9001")), "card_url with the new id");

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "exactly one request: {requests:?}");
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/customers");
    assert_eq!(r.query.as_deref(), Some("from_call=1722000000.42"));
    assert_eq!(r.header("x-api-key"), Some("Token k-123"));
    assert_eq!(r.header("idempotency-key"), Some("\"ringside-create-1\""));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.json(),
        json!({"full_name": "Taras Shevchuk", "company": {"name": "Kobzar LLC"}, "phones": [{"number": "+380507654321"}]})
    );
}

#[tokio::test]
async fn a_rest_crm_that_fails_says_why_and_a_retry_sends_the_same_key() {
    // 500, then a time-out, then the CRM is back.
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let server = Server::start(move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move {
            match n {
                0 => json(500, json!({"message": "database is down"})),
                1 => {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    json(201, json!({"data": {"id": 1}}))
                }
                _ => json(200, json!({"data": {"id": "c-77", "links": {"web": "https://crm.example.com/c/77"}}})),
            }
        }
    })
    .await;
    let config = rest_crm("shop", &server.url("/api/search?phone={e164}"), |rest| {
        rest.create_url = Some(server.url("/api/customers"));
        rest.fields = FieldMap { list: "/data".into(), url: Some("/links/web".into()), ..FieldMap::default() };
    });
    let crm = Connector::new(&config, None, Duration::from_millis(500)).unwrap();
    assert!(!crm.takes_company(), "no company pointer");

    let err = crm.create(&taras("ringside-create-2")).await.expect_err("500");
    assert_eq!(
        err.to_string(),
        format!("{} had an error (500 Internal Server Error): database is down", server.host())
    );
    assert!(err.is_transient() && !err.is_permanent());
    let err = crm.create(&taras("ringside-create-2")).await.expect_err("time-out");
    assert_eq!(err, CrmError::Timeout { host: server.host(), ms: 500 });
    let created = crm.create(&taras("ringside-create-2")).await.expect("the third try");
    assert_eq!(created.id, "c-77");
    assert_eq!(created.url.as_deref(), Some("https://crm.example.com/c/77"));

    let keys: Vec<Option<String>> =
        server.requests().iter().map(|r| r.header("idempotency-key").map(str::to_string)).collect();
    assert_eq!(keys, vec![Some("\"ringside-create-2\"".to_string()); 3], "every retry under the same key");
    assert_eq!(server.requests()[0].json(), json!({"name": "Taras Shevchuk", "phone": "+380507654321"}));
}

#[tokio::test]
async fn a_customer_the_crm_refuses_is_a_permanent_error_with_its_words() {
    let server = Server::start(|_| async { json(422, json!({"error": {"message": "phone is already taken"}})) }).await;
    let crm = shop(&server, |_| {});
    let err = crm.create(&taras("k")).await.expect_err("422");
    assert_eq!(
        err.to_string(),
        format!("{} refused the new customer (422 Unprocessable Entity: phone is already taken)", server.host())
    );
    assert!(err.is_permanent());

    let empty = Server::start(|_| async { common::reply(204, "text/plain", "") }).await;
    let created = shop(&empty, |_| {}).create(&taras("k")).await.expect("a 204 is a success");
    assert_eq!((created.id.as_str(), created.name.as_str(), created.url), ("", "Taras Shevchuk", None));
}

#[tokio::test]
async fn a_rest_crm_without_create_url_cannot_create() {
    let config = rest_crm("shop", "https://crm.example.com/find/{e164}", |_| {});
    let crm = Connector::new(&config, None, TIMEOUT).unwrap();
    assert_eq!(crm.creates(), None);
    assert_eq!(crm.auto_creates(), None);
    assert!(matches!(crm.create(&taras("k")).await, Err(CrmError::Config { .. })));

    let colliding = rest_crm("shop", "https://crm.example.com/find/{e164}", |rest| {
        rest.create_url = Some("https://crm.example.com/customers".into());
        rest.fields.company = Some("/name/company".into());
    });
    let err = Connector::new(&colliding, None, TIMEOUT).expect_err("name and company collide");
    assert!(err.to_string().contains("fields.company"), "{err}");
}

#[tokio::test]
async fn new_order_url_fills_and_encodes_the_template() {
    let config = rest_crm("shop", "https://crm.example.com/find/{e164}", |rest| {
        rest.new_order_url = Some("https://crm.example.com/orders/new?customer={customer_id}&phone={number}".into());
    });
    let crm = Connector::new(&config, None, TIMEOUT).unwrap();
    let url = crm.new_order_url(&number(), "a/b&c=1").expect("page");
    assert_eq!(url.as_str(), "https://crm.example.com/orders/new?customer=a%2Fb%26c%3D1&phone=%2B380507654321");
    let no_e164 = CrmQuery { e164: None, ..number() };
    assert!(crm.new_order_url(&no_e164, "7").unwrap().as_str().ends_with("phone=380507654321"));

    let in_path = rest_crm("shop", "https://crm.example.com/find/{e164}", |rest| {
        rest.new_order_url = Some("https://crm.example.com/customers/{customer_id}/orders/new".into());
    });
    let crm = Connector::new(&in_path, None, TIMEOUT).unwrap();
    assert_eq!(
        crm.new_order_url(&number(), "c 7").unwrap().as_str(),
        "https://crm.example.com/customers/c%207/orders/new"
    );
    assert!(matches!(crm.new_order_url(&number(), ".."), Err(CrmError::NoOrderPage { .. })));

    let none = Connector::new(&rest_crm("shop", "https://crm.example.com/find/{e164}", |_| {}), None, TIMEOUT).unwrap();
    let err = none.new_order_url(&number(), "7").expect_err("no template");
    assert_eq!(
        err.to_string(),
        "CRM \"shop\" has no page for a new order for this customer: set new_order_url in its [[lookup.crm]]"
    );
}

// ----- Bitrix24 -----

fn b24(server: &Server, adjust: impl FnOnce(&mut ringside_crm::settings::Bitrix24Config)) -> Connector {
    let mut config = bitrix24("b24");
    if let CrmKind::Bitrix24(settings) = &mut config.kind {
        adjust(settings);
    }
    Connector::new(&config, Some(SecretString::from(server.url(&format!("/rest/1/{CODE}/")))), TIMEOUT).unwrap()
}

/// The method a request called (`crm.contact.add`), from its path.
fn method(r: &common::Recorded) -> String {
    r.path.rsplit('/').next().unwrap_or_default().trim_end_matches(".json").to_string()
}

/// A portal that answers each method with `answers(method, body)`.
async fn portal(answers: impl Fn(&str, &Value) -> Value + Clone + Send + Sync + 'static) -> Server {
    Server::start(move |r| {
        let answers = answers.clone();
        async move {
            let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
            json(200, json!({"result": answers(&method(&r), &body), "time": {"start": 1.0}}))
        }
    })
    .await
}

#[tokio::test]
async fn bitrix24_creates_a_contact_with_the_phone_as_a_multifield_and_the_company_linked() {
    let server = portal(|method, _| match method {
        "crm.contact.list" | "crm.company.list" => json!([]),
        "crm.company.add" => json!(31),
        "crm.contact.add" => json!(46),
        _ => json!(null),
    })
    .await;
    let crm = b24(&server, |_| {});
    assert_eq!(crm.creates(), Some(CreatedKind::Contact), "contact by default");
    assert_eq!(crm.auto_creates(), None);

    let created = crm.create(&taras("ringside-create-3")).await.expect("created");
    assert_eq!(created.id, "contact:46");
    assert_eq!(created.url, Some(server.url("/crm/contact/details/46/")));
    assert_eq!((created.name.as_str(), created.company.as_deref()), ("Taras Shevchuk", Some("Kobzar LLC")));

    let requests = server.requests();
    let calls: Vec<(String, Value)> = requests.iter().map(|r| (method(r), r.json())).collect();
    assert_eq!(
        calls,
        vec![
            (
                "crm.contact.list".to_string(),
                json!({"filter": {"ORIGINATOR_ID": "ringside", "ORIGIN_ID": "ringside-create-3"}, "select": ["ID"]})
            ),
            (
                "crm.company.list".to_string(),
                json!({"filter": {"=TITLE": "Kobzar LLC"}, "order": {"ID": "ASC"}, "select": ["ID"]})
            ),
            (
                "crm.company.add".to_string(),
                json!({"fields": {"TITLE": "Kobzar LLC", "ORIGINATOR_ID": "ringside", "ORIGIN_ID": "ringside-create-3"}})
            ),
            (
                "crm.contact.add".to_string(),
                json!({"fields": {
                    "NAME": "Taras Shevchuk",
                    "PHONE": [{"VALUE": "+380507654321", "VALUE_TYPE": "WORK"}],
                    "COMPANY_ID": 31,
                    "ORIGINATOR_ID": "ringside",
                    "ORIGIN_ID": "ringside-create-3",
                }})
            ),
        ]
    );
    assert!(requests.iter().all(|r| r.path.starts_with(&format!("/rest/1/{CODE}/"))));
}

#[tokio::test]
async fn bitrix24_creates_a_lead_with_the_company_title_when_set_to() {
    let server = portal(|method, _| match method {
        "crm.lead.list" => json!([]),
        "crm.lead.add" => json!("3465"),
        _ => json!(null),
    })
    .await;
    let crm = b24(&server, |s| s.create_as = BitrixEntity::Lead);
    assert_eq!(crm.creates(), Some(CreatedKind::Lead));
    let created = crm.create(&taras("ringside-create-4")).await.expect("created");
    assert_eq!(created.id, "lead:3465");
    assert_eq!(created.url, Some(server.url("/crm/lead/details/3465/")));
    let add = server.requests().into_iter().find(|r| method(r) == "crm.lead.add").expect("lead.add");
    assert_eq!(
        add.json(),
        json!({"fields": {
            "TITLE": "Taras Shevchuk", "NAME": "Taras Shevchuk", "COMPANY_TITLE": "Kobzar LLC",
            "PHONE": [{"VALUE": "+380507654321", "VALUE_TYPE": "WORK"}], "SOURCE_ID": "CALL",
            "ORIGINATOR_ID": "ringside", "ORIGIN_ID": "ringside-create-4",
        }})
    );
    assert_eq!(server.requests().len(), 2, "the look for an earlier attempt, then the add");
}

#[tokio::test]
async fn a_bitrix24_retry_finds_what_the_lost_attempt_created_and_adds_nothing() {
    let server = portal(|method, body| match method {
        "crm.contact.list" if body["filter"]["ORIGIN_ID"] == "ringside-create-5" => json!([{"ID": "46"}]),
        _ => json!(null),
    })
    .await;
    let crm = b24(&server, |_| {});
    let created = crm.create(&taras("ringside-create-5")).await.expect("found");
    assert_eq!(created.id, "contact:46");
    let methods: Vec<String> = server.requests().iter().map(method).collect();
    assert_eq!(methods, ["crm.contact.list"], "nothing added");
}

#[tokio::test]
async fn an_unknown_caller_gets_a_lead_or_the_open_lead_they_have() {
    let open = Arc::new(AtomicUsize::new(0));
    let has_lead = open.clone();
    let server = portal(move |method, body| match method {
        "crm.lead.list" => json!([]),
        "crm.duplicate.findbycomm" if has_lead.load(Ordering::SeqCst) > 0 => json!({"LEAD": [70, 71]}),
        "crm.duplicate.findbycomm" => json!([]),
        "crm.lead.get" if body["id"] == 71 => {
            json!({"ID": "71", "TITLE": "Call from +380507654321", "NAME": "", "STATUS_SEMANTIC_ID": "F"})
        }
        "crm.lead.get" => json!({"ID": "70", "TITLE": "Call from +380507654321", "STATUS_SEMANTIC_ID": "P"}),
        "crm.lead.add" => json!(72),
        _ => json!(null),
    })
    .await;
    let crm = b24(&server, |s| s.auto_create = Some(BitrixEntity::Lead));
    assert_eq!(crm.auto_creates(), Some(CreatedKind::Lead));
    let unknown = NewCustomer {
        name: "+380507654321".into(),
        company: None,
        origin: Origin::Automatic,
        idempotency_key: "ringside-auto-1".into(),
        ..taras("")
    };
    let created = crm.create(&unknown).await.expect("a lead");
    assert_eq!(created.id, "lead:72");
    let add = server.requests().into_iter().find(|r| method(r) == "crm.lead.add").expect("lead.add");
    assert_eq!(add.json()["fields"]["TITLE"], "Call from +380507654321");
    assert_eq!(
        server.requests().iter().find(|r| method(r) == "crm.duplicate.findbycomm").expect("search").json(),
        json!({"entity_type": "LEAD", "type": "PHONE", "values": ["+380507654321", "380507654321"]})
    );

    // The caller has a lead in progress (and a junk one, newer): it is theirs; nothing is added.
    open.store(1, Ordering::SeqCst);
    let before = server.requests().len();
    let found = crm.create(&NewCustomer { idempotency_key: "ringside-auto-2".into(), ..unknown }).await.expect("found");
    assert_eq!((found.id.as_str(), found.name.as_str()), ("lead:70", "Call from +380507654321"));
    let methods: Vec<String> = server.requests()[before..].iter().map(method).collect();
    assert_eq!(methods, ["crm.lead.list", "crm.duplicate.findbycomm", "crm.lead.get", "crm.lead.get"]);
}

#[tokio::test]
async fn bitrix24_errors_while_creating_are_typed() {
    let server = Server::start(|r| async move {
        if method(&r) == "crm.contact.add" {
            json(400, json!({"error": "", "error_description": "Access denied."}))
        } else {
            json(200, json!({"result": []}))
        }
    })
    .await;
    let crm = b24(&server, |_| {});
    let mut no_company = taras("k");
    no_company.company = None;
    let err = crm.create(&no_company).await.expect_err("denied");
    assert_eq!(err.to_string(), format!("Bitrix24 ({}) answered with an error: Access denied.", server.host()));

    let down = Server::start(|_| async {
        json(503, json!({"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}))
    })
    .await;
    let err = b24(&down, |_| {}).create(&no_company).await.expect_err("rate limited");
    assert!(err.is_transient(), "{err}");
    assert!(!err.to_string().contains(CODE));
}

#[tokio::test]
async fn bitrix24_offers_the_portals_new_deal_page_for_a_contact_or_company() {
    let server = portal(|_, _| json!(null)).await;
    let crm = b24(&server, |_| {});
    assert_eq!(
        crm.new_order_url(&number(), "contact:12").unwrap().as_str(),
        server.url("/crm/deal/details/0/?contact_id=12")
    );
    assert_eq!(
        crm.new_order_url(&number(), "company:7").unwrap().as_str(),
        server.url("/crm/deal/details/0/?company_id=7")
    );
    assert!(matches!(crm.new_order_url(&number(), "lead:5"), Err(CrmError::NoOrderPage { .. })));
    assert!(matches!(crm.new_order_url(&number(), "contact:x"), Err(CrmError::NoOrderPage { .. })));

    let templated = b24(&server, |s| {
        s.new_order_url = Some("https://portal.example.com/deal/new?client={customer_id}&tel={number}".into())
    });
    assert_eq!(
        templated.new_order_url(&number(), "contact:12").unwrap().as_str(),
        "https://portal.example.com/deal/new?client=contact%3A12&tel=%2B380507654321"
    );
}
