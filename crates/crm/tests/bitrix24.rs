//! The Bitrix24 connector against a real HTTP server on 127.0.0.1 that answers like a portal's
//! incoming webhook (shapes from apidocs.bitrix24.com; see docs/crm.md).

mod common;

use common::{bitrix24, json, Server, TIMEOUT};
use ringside_crm::{Connector, CrmCustomer, CrmError, CrmOrder, CrmQuery, CrmRecordKind};
use ringside_secrets::SecretString;
use serde_json::{json, Value};

const CODE: &str = "s3cr3tc0de";

fn b24(secret: Option<&str>) -> Connector {
    let config = bitrix24("b24");
    Connector::new(&config, secret.map(SecretString::from), TIMEOUT).unwrap()
}

fn webhook(server: &Server) -> String {
    server.url(&format!("/rest/1/{CODE}/"))
}

fn query() -> CrmQuery {
    CrmQuery { raw: "+49 30 123456".into(), e164: Some("+4930123456".into()), digits: "4930123456".into() }
}

/// A portal whose `crm.duplicate.findbycomm` answers `found` and whose `batch` answers `batch`.
async fn portal(found: Value, batch: Value) -> Server {
    Server::start(move |r| {
        let (found, batch) = (found.clone(), batch.clone());
        async move {
            if r.path == format!("/rest/1/{CODE}/crm.duplicate.findbycomm.json") {
                json(200, json!({"result": found, "time": {"start": 1.0}}))
            } else if r.path == format!("/rest/1/{CODE}/batch.json") {
                json(200, json!({"result": batch, "time": {"start": 1.0}}))
            } else {
                json(404, json!({"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"}))
            }
        }
    })
    .await
}

fn deals_cmd(field: &str, id: u64) -> String {
    format!(
        "crm.deal.list?filter[{field}]={id}&filter[CLOSED]=N&order[DATE_MODIFY]=DESC\
         &select[0]=ID&select[1]=TITLE&select[2]=STAGE_ID&select[3]=OPPORTUNITY&select[4]=CURRENCY_ID\
         &select[5]=DATE_CREATE&select[6]=ASSIGNED_BY_ID"
    )
}

#[tokio::test]
async fn contacts_and_companies_are_found_with_their_open_deals() {
    let found = json!({"CONTACT": [5, "12"], "COMPANY": [7], "LEAD": [99]});
    let batch = json!({
        "result": {
            "contact_12": {
                "ID": "12", "NAME": "Ada", "SECOND_NAME": "", "LAST_NAME": "Lovelace\u{202E}", "COMPANY_ID": "7",
                // 08:38:21 UTC: later than contact 5 as text, earlier as an instant.
                "LAST_ACTIVITY_TIME": "2024-08-15T10:38:21+02:00", "DATE_MODIFY": "2024-08-20T10:00:00+02:00"
            },
            "contact_12_company": {"ID": "7", "TITLE": "Analytical Engines Ltd"},
            "contact_12_deals": [
                {"ID": "3", "TITLE": "Difference engine", "STAGE_ID": "PREPARATION", "OPPORTUNITY": "19999.99", "CURRENCY_ID": "EUR"},
                {"ID": "4", "TITLE": "", "STAGE_ID": "NEW", "OPPORTUNITY": 0, "CURRENCY_ID": "EUR"}
            ],
            "contact_5": {"ID": "5", "NAME": "", "LAST_NAME": null, "COMPANY_ID": null, "LAST_ACTIVITY_TIME": "2024-08-15T09:38:22+00:00"},
            "contact_5_deals": [],
            "company_7": {"ID": "7", "TITLE": "Analytical Engines Ltd", "DATE_MODIFY": "2024-01-01T00:00:00+03:00"},
            "company_7_deals": [{"ID": "9", "TITLE": "Service contract", "STAGE_ID": "C1:NEW", "OPPORTUNITY": "1200.00", "CURRENCY_ID": "USD"}]
        },
        "result_error": {"contact_5_company": {"error": "", "error_description": "ID is not defined or invalid."}},
        "result_total": {"contact_12_deals": 2, "contact_5_deals": 0, "company_7_deals": 1},
        "result_next": [],
        "result_time": []
    });
    let server = portal(found, batch).await;
    let crm = b24(Some(&webhook(&server)));
    let customers = crm.find(&query()).await.unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let (search, batch) = (&requests[0], &requests[1]);
    assert_eq!(
        (search.method.as_str(), search.path.as_str()),
        ("POST", "/rest/1/s3cr3tc0de/crm.duplicate.findbycomm.json")
    );
    assert_eq!(search.header("content-type"), Some("application/json"));
    assert_eq!(search.json(), json!({"type": "PHONE", "values": ["+4930123456", "4930123456"]}));
    assert_eq!((batch.method.as_str(), batch.path.as_str()), ("POST", "/rest/1/s3cr3tc0de/batch.json"));
    assert_eq!(
        batch.json(),
        json!({"halt": 0, "cmd": {
            "contact_12": "crm.contact.get?id=12",
            "contact_12_company": "crm.company.get?id=$result[contact_12][COMPANY_ID]",
            "contact_12_deals": deals_cmd("CONTACT_ID", 12),
            "contact_5": "crm.contact.get?id=5",
            "contact_5_company": "crm.company.get?id=$result[contact_5][COMPANY_ID]",
            "contact_5_deals": deals_cmd("CONTACT_ID", 5),
            "company_7": "crm.company.get?id=7",
            "company_7_deals": deals_cmd("COMPANY_ID", 7),
            "lead_99": "crm.lead.get?id=99"
        }})
    );
    // `$result[contact_N]` must be computed before the command that reads it.
    let text = String::from_utf8(batch.body.clone()).unwrap();
    assert!(text.find("\"contact_12\"").unwrap() < text.find("\"contact_12_company\"").unwrap());

    let portal = server.url("");
    assert_eq!(
        customers,
        vec![
            CrmCustomer {
                id: "contact:5".into(),
                name: "Contact #5".into(),
                company: None,
                url: Some(format!("{portal}/crm/contact/details/5/")),
                orders: vec![],
                kind: Some(CrmRecordKind::Contact),
                owner: None,
                deal: None,
            },
            CrmCustomer {
                id: "contact:12".into(),
                name: "Ada Lovelace".into(),
                company: Some("Analytical Engines Ltd".into()),
                url: Some(format!("{portal}/crm/contact/details/12/")),
                orders: vec![
                    CrmOrder {
                        id: Some("3".into()),
                        title: "Difference engine".into(),
                        status: Some("PREPARATION".into()),
                        amount: Some("19999.99 EUR".into()),
                    },
                    CrmOrder {
                        id: Some("4".into()),
                        title: "Deal #4".into(),
                        status: Some("NEW".into()),
                        amount: Some("0 EUR".into()),
                    },
                ],
                kind: Some(CrmRecordKind::Contact),
                owner: None,
                // Neither deal has a DATE_CREATE: the smaller id.
                deal: Some("3".into()),
            },
            CrmCustomer {
                id: "company:7".into(),
                name: "Analytical Engines Ltd".into(),
                company: None,
                url: Some(format!("{portal}/crm/company/details/7/")),
                orders: vec![CrmOrder {
                    id: Some("9".into()),
                    title: "Service contract".into(),
                    status: Some("C1:NEW".into()),
                    amount: Some("1200.00 USD".into()),
                }],
                kind: Some(CrmRecordKind::Company),
                owner: None,
                deal: Some("9".into()),
            },
        ]
    );
    assert_eq!(crm.label(), "Bitrix24");
    assert_eq!(crm.name(), "b24");
}

#[tokio::test]
async fn an_empty_result_array_is_no_customers_and_no_batch() {
    let server = portal(json!([]), json!({})).await;
    // Without the trailing slash, and without an E.164 form: the digits alone are searched.
    let crm = b24(Some(&server.url(&format!("/rest/1/{CODE}"))));
    let q = CrmQuery { raw: "0301234".into(), e164: None, digits: "0301234".into() };
    assert_eq!(crm.find(&q).await.unwrap(), vec![]);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/rest/1/s3cr3tc0de/crm.duplicate.findbycomm.json");
    assert_eq!(requests[0].json(), json!({"type": "PHONE", "values": ["0301234"]}));
}

#[tokio::test]
async fn contacts_that_cannot_be_read_for_lack_of_scope_report_the_scope() {
    let scope = json!({"error": "insufficient_scope", "error_description": ""});
    let batch = json!({
        "result": [],
        "result_error": {"contact_3": scope, "contact_3_company": scope, "contact_3_deals": scope},
        "result_total": [], "result_next": [], "result_time": []
    });
    let server = portal(json!({"CONTACT": [3]}), batch).await;
    let err = b24(Some(&webhook(&server))).find(&query()).await.unwrap_err();
    assert!(matches!(err, CrmError::WebhookScope { .. }), "{err}");
}

#[tokio::test]
async fn a_contact_deleted_since_the_search_is_simply_not_there() {
    let batch = json!({
        "result": [],
        "result_error": {"contact_3": {"error": "", "error_description": "Not found"}},
    });
    let server = portal(json!({"CONTACT": [3]}), batch).await;
    assert_eq!(b24(Some(&webhook(&server))).find(&query()).await.unwrap(), vec![]);
}

/// A portal that answers every call with `status` and `body`.
async fn failing_portal(status: u16, body: Value) -> Server {
    Server::start(move |_| {
        let body = body.clone();
        async move { json(status, body) }
    })
    .await
}

#[tokio::test]
async fn bitrix24_errors_say_what_to_do_and_never_show_the_code() {
    let cases = [
        (401, "INVALID_CREDENTIALS", "Invalid request credentials"),
        (401, "NO_AUTH_FOUND", "Wrong authorization data"),
        (401, "insufficient_scope", "The request requires higher privileges than provided by the webhook token"),
        (503, "QUERY_LIMIT_EXCEEDED", "Too many requests"),
        (400, "Communication type is not defined", "Parameter 'type' is required."),
        (400, "", "Access denied"),
    ];
    for (status, code, description) in cases {
        let server = failing_portal(status, json!({"error": code, "error_description": description})).await;
        let err = b24(Some(&webhook(&server))).find(&query()).await.unwrap_err();
        let text = err.to_string();
        let host = server.host();
        match code {
            "INVALID_CREDENTIALS" | "NO_AUTH_FOUND" => assert_eq!(
                text,
                format!(
                    "Bitrix24 ({host}) refused the webhook; create a new incoming webhook and store it with: \
                     ringside-cli secret set crm:b24"
                )
            ),
            "insufficient_scope" => {
                assert!(matches!(err, CrmError::WebhookScope { .. }));
                assert!(text.contains("lacks the CRM (crm) permission"), "{text}");
            }
            "QUERY_LIMIT_EXCEEDED" => {
                assert!(matches!(err, CrmError::RateLimited { .. }));
                assert!(text.contains("rate limiting") && text.contains("QUERY_LIMIT_EXCEEDED"), "{text}");
            }
            "" => assert_eq!(text, format!("Bitrix24 ({host}) answered with an error: Access denied")),
            _ => assert_eq!(
                text,
                format!(
                    "Bitrix24 ({host}) answered with an error: Communication type is not defined: Parameter 'type' \
                     is required."
                )
            ),
        }
        assert!(!text.contains(CODE), "{text}");
        assert_eq!(server.requests().len(), 1, "{code}: the batch is not attempted after an error");
    }
}

#[tokio::test]
async fn a_refusal_without_a_json_error_is_still_a_refused_webhook() {
    let server = Server::start(|_| async { common::reply(403, "text/html", "<h1>Forbidden</h1>") }).await;
    let err = b24(Some(&webhook(&server))).find(&query()).await.unwrap_err();
    assert!(matches!(err, CrmError::WebhookRefused { .. }), "{err}");
}

#[tokio::test]
async fn a_missing_webhook_says_how_to_store_it() {
    let err = b24(None).find(&query()).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "no key for CRM \"b24\" in the keychain; store it with: ringside-cli secret set crm:b24"
    );
}

#[tokio::test]
async fn webhook_urls_that_are_not_webhooks_are_refused_without_showing_the_code() {
    let server = failing_portal(200, json!({"result": []})).await;
    let bad = [
        "s3cr3tc0de".to_string(),
        "https://portal.example.com/rest/1/".to_string(),
        "https://portal.example.com/rest/admin/s3cr3tc0de/".to_string(),
        "https://portal.example.com/rest/1/s3cr3tc0de/crm.contact.get".to_string(),
        "https://portal.example.com/api/1/s3cr3tc0de/".to_string(),
        "https://portal.example.com/rest/1/s3cr3t%0Ac0de/".to_string(),
        "https://portal.example.com/rest/1/s3cr3tc0de/?auth=1".to_string(),
        "https://portal.example.com/rest/1/s3cr3tc0de/#x".to_string(),
        "https://user:pw@portal.example.com/rest/1/s3cr3tc0de/".to_string(),
        "http://portal.example.com/rest/1/s3cr3tc0de/".to_string(),
        "ftp://portal.example.com/rest/1/s3cr3tc0de/".to_string(),
        // A webhook of this (loopback) portal, but with a path that is not a webhook's.
        server.url("/rest/1/s3cr3tc0de/extra/"),
    ];
    let config = bitrix24("b24");
    for secret in &bad {
        let err = b24(Some(secret)).find(&query()).await.unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, CrmError::BadSecret { .. }), "{secret}: {text}");
        assert!(text.contains("is not a Bitrix24 webhook URL"), "{text}");
        assert!(text.contains("https://your-portal.bitrix24.com/rest/1/abc123xyz/"), "{text}");
        assert!(text.contains("ringside-cli secret set crm:b24"), "{text}");
        assert!(!text.contains("s3cr3t") && !text.contains("c0de"), "{secret}: {text}");
        assert!(ringside_crm::check_secret(&config, &SecretString::from(secret.as_str())).is_err(), "{secret}");
    }
    assert!(server.requests().is_empty());

    for good in [
        "https://portal.example.com/rest/1/s3cr3tc0de/",
        "https://portal.example.com/rest/15/s3cr3tc0de",
        " https://portal.bitrix24.de:8443/rest/1/ab_c-9/\n",
        "http://localhost:8080/rest/1/s3cr3tc0de/",
        "http://[::1]/rest/1/s3cr3tc0de/",
    ] {
        assert!(ringside_crm::check_secret(&config, &SecretString::from(good)).is_ok(), "{good}");
    }
}
