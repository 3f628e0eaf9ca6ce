//! The Bitrix24 connector against a real HTTP server on 127.0.0.1 that answers like a portal's
//! incoming webhook (shapes from apidocs.bitrix24.com; see docs/crm.md).

mod common;

use common::{bitrix24, json, Server, TIMEOUT};
use ringside_crm::{
    Attempt, CallLog, Connector, CrmCustomer, CrmError, CrmOrder, CrmQuery, CrmRecordKind, Prior, WriteReceipt,
};
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

// ------------------------------------------------------------------------------------------------
// Leads, responsible users, the deal a call is bound to

/// A portal like [`portal`] whose `user.get` answers `users` with `status` (a list of users, or an
/// error).
async fn portal_with_users(found: Value, batch: Value, status: u16, users: Value) -> Server {
    Server::start(move |r| {
        let (found, batch, users) = (found.clone(), batch.clone(), users.clone());
        async move {
            let method = r.path.strip_prefix(&format!("/rest/1/{CODE}/")).unwrap_or_default().to_string();
            match method.as_str() {
                "crm.duplicate.findbycomm.json" => json(200, json!({"result": found})),
                "batch.json" => json(200, json!({"result": batch})),
                "user.get.json" if status == 200 => json(200, json!({"result": users, "total": 1})),
                "user.get.json" => json(status, users),
                _ => json(404, json!({"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"})),
            }
        }
    })
    .await
}

fn paths(server: &Server) -> Vec<String> {
    server.requests().iter().map(|r| r.path.trim_start_matches(&format!("/rest/1/{CODE}/")).to_string()).collect()
}

#[tokio::test]
async fn a_lead_is_found_by_phone_and_converted_or_junk_leads_are_left_out() {
    let found = json!({"LEAD": [40, "41", 42, 43]});
    let batch = json!({
        "result": {
            "lead_43": {
                "ID": "43", "TITLE": "Call from +4930123456", "NAME": "", "LAST_NAME": "", "COMPANY_TITLE": "",
                "STATUS_ID": "NEW", "STATUS_SEMANTIC_ID": "P", "ASSIGNED_BY_ID": "5",
                "DATE_MODIFY": "2024-08-15T10:00:00+02:00"
            },
            // Converted into a contact and a deal: the contact is the customer now.
            "lead_42": {"ID": "42", "TITLE": "Old", "NAME": "Taras", "STATUS_ID": "CONVERTED", "STATUS_SEMANTIC_ID": "S"},
            // Junk.
            "lead_41": {"ID": "41", "TITLE": "Spam", "NAME": "Spam", "STATUS_ID": "JUNK", "STATUS_SEMANTIC_ID": "F"},
            "lead_40": {
                "ID": "40", "TITLE": "Printer", "NAME": "Taras", "SECOND_NAME": "H.", "LAST_NAME": "Shevchuk\u{202E}",
                "COMPANY_TITLE": "Kobzar LLC", "STATUS_ID": "IN_PROCESS", "STATUS_SEMANTIC_ID": "P",
                "ASSIGNED_BY_ID": "7", "LAST_ACTIVITY_TIME": "2024-08-16T09:00:00+00:00"
            }
        },
        "result_error": []
    });
    let users = json!([
        {"ID": "5", "NAME": "Olena", "LAST_NAME": "Petrenko", "SECOND_NAME": "I.", "ACTIVE": true},
        {"ID": "7", "NAME": "Ivan", "LAST_NAME": "", "ACTIVE": false}
    ]);
    let server = portal_with_users(found, batch, 200, users).await;
    let customers = b24(Some(&webhook(&server))).find(&query()).await.unwrap();

    let requests = server.requests();
    assert_eq!(paths(&server), ["crm.duplicate.findbycomm.json", "batch.json", "user.get.json"]);
    assert_eq!(
        requests[1].json(),
        json!({"halt": 0, "cmd": {
            "lead_43": "crm.lead.get?id=43",
            "lead_42": "crm.lead.get?id=42",
            "lead_41": "crm.lead.get?id=41",
            "lead_40": "crm.lead.get?id=40"
        }})
    );
    // One request for every responsible user, by the IN filter.
    assert_eq!(requests[2].json(), json!({"filter": {"@ID": [5, 7]}}));

    let portal = server.url("");
    assert_eq!(
        customers,
        vec![
            CrmCustomer {
                id: "lead:40".into(),
                name: "Taras H. Shevchuk".into(),
                company: Some("Kobzar LLC".into()),
                url: Some(format!("{portal}/crm/lead/details/40/")),
                orders: vec![],
                kind: Some(CrmRecordKind::Lead),
                owner: Some("Ivan".into()),
                deal: None,
            },
            // No name: the lead's title.
            CrmCustomer {
                id: "lead:43".into(),
                name: "Call from +4930123456".into(),
                company: None,
                url: Some(format!("{portal}/crm/lead/details/43/")),
                orders: vec![],
                kind: Some(CrmRecordKind::Lead),
                owner: Some("Olena Petrenko".into()),
                deal: None,
            },
        ]
    );
}

#[tokio::test]
async fn only_converted_or_junk_leads_is_nobody_without_an_error() {
    let found = json!({"LEAD": [42]});
    let batch =
        json!({"result": {"lead_42": {"ID": "42", "NAME": "Taras", "STATUS_SEMANTIC_ID": "S", "ASSIGNED_BY_ID": 1}}});
    let server = portal_with_users(found, batch, 200, json!([])).await;
    assert_eq!(b24(Some(&webhook(&server))).find(&query()).await.unwrap(), vec![]);
    assert_eq!(paths(&server), ["crm.duplicate.findbycomm.json", "batch.json"], "no owner to name");
}

/// A contact, a company and an open deal each, with their responsible users: contact 12 is
/// Olena's (5), company 7 Ivan's (7); contact 13 has no responsible user of its own, its deal is
/// Mykola's (9).
fn owned() -> (Value, Value) {
    let found = json!({"CONTACT": [12, 13], "COMPANY": [7]});
    let batch = json!({
        "result": {
            "contact_12": {"ID": "12", "NAME": "Ada", "COMPANY_ID": "0", "ASSIGNED_BY_ID": "5", "DATE_MODIFY": "2024-08-15T10:00:00+00:00"},
            "contact_12_deals": [],
            "contact_13": {"ID": "13", "NAME": "Bob", "COMPANY_ID": null, "DATE_MODIFY": "2024-08-14T10:00:00+00:00"},
            "contact_13_deals": [{"ID": "31", "TITLE": "Printer", "DATE_CREATE": "2024-01-01T00:00:00+00:00", "ASSIGNED_BY_ID": "9"}],
            "company_7": {"ID": "7", "TITLE": "Kobzar LLC", "ASSIGNED_BY_ID": 7, "DATE_MODIFY": "2024-08-13T10:00:00+00:00"},
            "company_7_deals": []
        },
        "result_error": {
            "contact_12_company": {"error": "", "error_description": "ID is not defined or invalid."},
            "contact_13_company": {"error": "", "error_description": "ID is not defined or invalid."}
        }
    });
    (found, batch)
}

#[tokio::test]
async fn owners_are_named_by_one_user_get_for_all_customers() {
    let (found, batch) = owned();
    let users = json!([
        {"ID": "9", "NAME": "Mykola", "LAST_NAME": "Hvylovy"},
        {"ID": "5", "NAME": "Olena", "LAST_NAME": "Petrenko\u{0007}"},
        {"ID": "7", "NAME": "Ivan", "LAST_NAME": "Franko"},
        // A portal that ignored the filter: not asked for, not used.
        {"ID": "1", "NAME": "Admin", "LAST_NAME": ""}
    ]);
    let server = portal_with_users(found, batch, 200, users).await;
    let customers = b24(Some(&webhook(&server))).find(&query()).await.unwrap();
    assert_eq!(paths(&server), ["crm.duplicate.findbycomm.json", "batch.json", "user.get.json"]);
    assert_eq!(server.requests()[2].json(), json!({"filter": {"@ID": [5, 7, 9]}}));
    let owners: Vec<(&str, Option<&str>)> = customers.iter().map(|c| (c.id.as_str(), c.owner.as_deref())).collect();
    assert_eq!(
        owners,
        [
            ("contact:12", Some("Olena Petrenko")),
            // No responsible user of its own: the deal's.
            ("contact:13", Some("Mykola Hvylovy")),
            ("company:7", Some("Ivan Franko")),
        ]
    );
    assert_eq!(customers[1].deal.as_deref(), Some("31"));
}

#[tokio::test]
async fn a_webhook_without_the_user_permission_still_gives_the_card_without_names() {
    let (found, batch) = owned();
    for (status, error) in [
        (
            401,
            json!({"error": "insufficient_scope", "error_description": "The request requires higher privileges than provided by the webhook token"}),
        ),
        (404, json!({"error": "ERROR_METHOD_NOT_FOUND", "error_description": "Method not found!"})),
        (500, json!({"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"})),
    ] {
        let server = portal_with_users(found.clone(), batch.clone(), status, error).await;
        let customers = b24(Some(&webhook(&server))).find(&query()).await.unwrap();
        assert_eq!(paths(&server), ["crm.duplicate.findbycomm.json", "batch.json", "user.get.json"]);
        let ids: Vec<&str> = customers.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["contact:12", "contact:13", "company:7"], "{status}");
        assert!(customers.iter().all(|c| c.owner.is_none()), "{status}: {customers:?}");
        assert_eq!(customers[1].deal.as_deref(), Some("31"), "the rest of the card is there");
    }
}

#[tokio::test]
async fn owners_names_are_reused_and_only_new_owners_are_asked_for() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (found, batch) = owned();
    // The third lookup finds contact 12 owned by user 11, not read yet, and contact 13 by 5.
    let later = json!({
        "contact_12": {"ID": "12", "NAME": "Ada", "ASSIGNED_BY_ID": "11"},
        "contact_13": {"ID": "13", "NAME": "Bob", "ASSIGNED_BY_ID": "5"}
    });
    let batches = std::sync::Arc::new(AtomicUsize::new(0));
    let server = Server::start(move |r| {
        let (found, batch, later, batches) = (found.clone(), batch.clone(), later.clone(), batches.clone());
        async move {
            let method = r.path.rsplit('/').next().unwrap_or_default().to_string();
            match method.as_str() {
                "crm.duplicate.findbycomm.json" => json(200, json!({"result": found})),
                "batch.json" if batches.fetch_add(1, Ordering::SeqCst) < 2 => json(200, json!({"result": batch})),
                "batch.json" => json(200, json!({"result": {"result": later}})),
                _ => {
                    let asked: Vec<u64> = serde_json::from_value(r.json()["filter"]["@ID"].clone()).unwrap_or_default();
                    let users: Vec<Value> = [(5, "Olena"), (7, "Ivan"), (9, "Mykola"), (11, "Lesya")]
                        .into_iter()
                        .filter(|(id, _)| asked.contains(id))
                        .map(|(id, name)| json!({"ID": id.to_string(), "NAME": name, "LAST_NAME": ""}))
                        .collect();
                    json(200, json!({"result": users}))
                }
            }
        }
    })
    .await;
    let crm = b24(Some(&webhook(&server)));
    let first = crm.find(&query()).await.unwrap();
    let again = crm.find(&query()).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(again[0].owner.as_deref(), Some("Olena"));
    let third = crm.find(&query()).await.unwrap();
    let owners: Vec<(&str, Option<&str>)> = third.iter().map(|c| (c.id.as_str(), c.owner.as_deref())).collect();
    assert_eq!(owners, [("contact:13", Some("Olena")), ("contact:12", Some("Lesya"))]);

    let asked: Vec<Value> = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/user.get.json"))
        .map(|r| r.json()["filter"]["@ID"].clone())
        .collect();
    assert_eq!(asked, [json!([5, 7, 9]), json!([11])], "the second lookup asks nobody; the third only user 11");
}

#[tokio::test]
async fn a_slow_user_get_does_not_hold_the_card_back() {
    let (found, batch) = owned();
    let server = Server::start(move |r| {
        let (found, batch) = (found.clone(), batch.clone());
        async move {
            if r.path.ends_with("/user.get.json") {
                tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
                return json(200, json!({"result": [{"ID": "5", "NAME": "Olena", "LAST_NAME": "Petrenko"}]}));
            }
            if r.path.ends_with("/batch.json") {
                json(200, json!({"result": batch}))
            } else {
                json(200, json!({"result": found}))
            }
        }
    })
    .await;
    let crm = Connector::new(
        &bitrix24("b24"),
        Some(SecretString::from(webhook(&server))),
        std::time::Duration::from_millis(800),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let customers = crm.find(&query()).await.unwrap();
    // user.get gets half the request bound: 400 ms.
    assert!(started.elapsed() < std::time::Duration::from_millis(1200), "{:?}", started.elapsed());
    assert_eq!(customers.len(), 3);
    assert!(customers.iter().all(|c| c.owner.is_none()), "{customers:?}");
}

#[tokio::test]
async fn the_oldest_open_deal_is_the_one_calls_are_bound_to_and_the_list_stays_newest_first() {
    let found = json!({"CONTACT": [12], "COMPANY": [7]});
    let batch = json!({
        "result": {
            "contact_12": {"ID": "12", "NAME": "Ada"},
            // Bitrix24's order: most recently modified first.
            "contact_12_deals": [
                {"ID": "77", "TITLE": "Newest", "DATE_CREATE": "2024-06-01T09:00:00+03:00"},
                // No date: after every dated deal.
                {"ID": "2", "TITLE": "Undated"},
                // 06:30 UTC: earlier than deal 31 as text, later as an instant.
                {"ID": "50", "TITLE": "Text-early", "DATE_CREATE": "2024-03-01T06:30:00+00:00"},
                // 06:00 UTC: the oldest.
                {"ID": "31", "TITLE": "Oldest", "DATE_CREATE": "2024-03-01T08:00:00+02:00"}
            ],
            "company_7": {"ID": "7", "TITLE": "Kobzar LLC"},
            // The same instant in two offsets: the smaller id.
            "company_7_deals": [
                {"ID": "90", "TITLE": "A", "DATE_CREATE": "2024-03-01T10:00:00+02:00"},
                {"ID": "88", "TITLE": "B", "DATE_CREATE": "2024-03-01T08:00:00+00:00"},
                {"ID": "89", "TITLE": "C", "DATE_CREATE": "2024-03-01T09:00:00+01:00"}
            ]
        },
        "result_error": []
    });
    let server = portal_with_users(found, batch, 200, json!([])).await;
    let customers = b24(Some(&webhook(&server))).find(&query()).await.unwrap();
    let contact = &customers[0];
    assert_eq!(contact.id, "contact:12");
    assert_eq!(contact.deal.as_deref(), Some("31"));
    let ids: Vec<Option<&str>> = contact.orders.iter().map(|o| o.id.as_deref()).collect();
    assert_eq!(ids, [Some("77"), Some("2"), Some("50"), Some("31")], "the list keeps Bitrix24's order");
    assert_eq!(customers[1].id, "company:7");
    assert_eq!(customers[1].deal.as_deref(), Some("88"));
}

#[tokio::test]
async fn the_bound_deal_is_on_the_card_even_past_the_twentieth() {
    let deals: Vec<Value> = (0..30u64)
        .map(|i| {
            // Most recently modified first; created in the opposite order, so the oldest is last.
            json!({"ID": (100 + i).to_string(), "TITLE": format!("Deal {i}"), "DATE_CREATE": format!("2024-01-{:02}T00:00:00+00:00", 31 - i)})
        })
        .collect();
    let batch = json!({"result": {"contact_12": {"ID": "12", "NAME": "Ada"}, "contact_12_deals": deals}});
    let server = portal_with_users(json!({"CONTACT": [12]}), batch, 200, json!([])).await;
    let customers = b24(Some(&webhook(&server))).find(&query()).await.unwrap();
    let contact = &customers[0];
    assert_eq!(contact.deal.as_deref(), Some("129"));
    assert_eq!(contact.orders.len(), ringside_crm::MAX_ORDERS);
    let ids: Vec<&str> = contact.orders.iter().filter_map(|o| o.id.as_deref()).collect();
    let mut expected: Vec<String> = (100..119).map(|i| i.to_string()).collect();
    expected.push("129".into());
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn one_batch_holds_at_most_fifty_commands_the_newest_records_of_each_kind() {
    let found = json!({
        "CONTACT": (1..=12).collect::<Vec<u64>>(),
        "COMPANY": (101..=112).collect::<Vec<u64>>(),
        "LEAD": (201..=215).collect::<Vec<u64>>()
    });
    let server = portal_with_users(found, json!({"result": [], "result_error": []}), 200, json!([])).await;
    assert_eq!(b24(Some(&webhook(&server))).find(&query()).await.unwrap(), vec![]);
    let batch = server.requests()[1].json();
    let cmd = batch["cmd"].as_object().unwrap();
    assert_eq!(cmd.len(), 50);
    let count = |prefix: &str, suffix: &str| {
        cmd.keys().filter(|k| k.starts_with(prefix) && k.split('_').count() == 2 && k.ends_with(suffix)).count()
    };
    assert_eq!((count("contact_", ""), count("company_", ""), count("lead_", "")), (8, 8, 10));
    assert!(cmd.contains_key("contact_12") && cmd.contains_key("contact_5") && !cmd.contains_key("contact_4"));
    assert!(cmd.contains_key("company_112") && cmd.contains_key("company_105") && !cmd.contains_key("company_104"));
    assert!(cmd.contains_key("lead_215") && cmd.contains_key("lead_206") && !cmd.contains_key("lead_205"));
}

// ------------------------------------------------------------------------------------------------
// Write-back: the call's activity bound to the chosen deal

const CALL_ID: &str = "externalCall.716f1cb73def9700a23842adf9c4c568.1773130779";
const ACTIVITY: u64 = 7943;
const KEY: &str = "1722000000.42:b24";

/// A portal's telephony with one call, kept between attempts: registered, finished (which makes
/// activity 7943 bound to the contact and, as Bitrix24 does by itself, to the contact's open deal
/// 50), its bindings changed only by the binding methods. `fail_once` makes a method answer
/// QUERY_LIMIT_EXCEEDED the next time it is called.
#[derive(Default)]
struct Telephony {
    registered: bool,
    finished: bool,
    bindings: Vec<(u64, u64)>,
    description: Option<String>,
    fail_once: Vec<&'static str>,
}

type Shared = std::sync::Arc<std::sync::Mutex<Telephony>>;

fn ok(result: Value) -> axum::response::Response {
    json(200, json!({"result": result, "time": {"start": 1773130778}}))
}

fn bitrix_error(status: u16, code: &str, description: &str) -> axum::response::Response {
    json(status, json!({"error": code, "error_description": description}))
}

fn answer(telephony: &Shared, method: &str, body: &Value) -> axum::response::Response {
    let mut t = telephony.lock().unwrap();
    if let Some(i) = t.fail_once.iter().position(|m| *m == method) {
        t.fail_once.remove(i);
        return bitrix_error(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
    }
    let binding = || (body["entityTypeId"].as_u64().unwrap_or(0), body["entityId"].as_u64().unwrap_or(0));
    match method {
        "voximplant.statistic.get" => {
            let filter = &body["FILTER"];
            let ours = filter["CALL_ID"] == CALL_ID || filter["EXTERNAL_CALL_ID"] == KEY;
            if t.finished && ours {
                ok(json!([{"CALL_ID": CALL_ID, "EXTERNAL_CALL_ID": KEY, "CRM_ACTIVITY_ID": ACTIVITY.to_string()}]))
            } else {
                ok(json!([]))
            }
        }
        "telephony.externalcall.register" => {
            t.registered = true;
            ok(
                json!({"CALL_ID": CALL_ID, "CRM_ENTITY_TYPE": body["CRM_ENTITY_TYPE"], "CRM_ENTITY_ID": body["CRM_ENTITY_ID"]}),
            )
        }
        "telephony.externalcall.finish" if t.registered && !t.finished && body["CALL_ID"] == CALL_ID => {
            t.finished = true;
            t.bindings = vec![(3, 12), (2, 50)];
            ok(json!({"CALL_ID": CALL_ID, "CRM_ACTIVITY_ID": ACTIVITY, "CALL_FAILED_CODE": "200"}))
        }
        "telephony.externalcall.finish" => {
            bitrix_error(400, "", "Call is not found (call should be registered prior to finishing)")
        }
        "crm.activity.update" if body["id"] == ACTIVITY => {
            t.description = body["fields"]["DESCRIPTION"].as_str().map(str::to_string);
            ok(json!(true))
        }
        "crm.activity.binding.list" if body["activityId"] == ACTIVITY && t.finished => {
            ok(t.bindings.iter().map(|(kind, id)| json!({"entityTypeId": kind, "entityId": id})).collect())
        }
        "crm.activity.binding.add" if body["activityId"] == ACTIVITY && t.finished => {
            if t.bindings.contains(&binding()) {
                // What a double binding would get: the test fails on it.
                return bitrix_error(400, "ERROR_CORE", "The binding exists already");
            }
            t.bindings.push(binding());
            ok(json!(true))
        }
        "crm.activity.binding.delete" if body["activityId"] == ACTIVITY && t.finished => {
            if t.bindings.len() == 1 {
                return bitrix_error(400, "ERROR_CORE", "The last binding cannot be deleted");
            }
            let before = t.bindings.len();
            let gone = binding();
            t.bindings.retain(|b| *b != gone);
            if t.bindings.len() == before {
                return bitrix_error(400, "NOT_FOUND", "Element not found");
            }
            ok(json!(true))
        }
        _ => bitrix_error(400, "NOT_FOUND", "Element not found"),
    }
}

async fn telephony_portal() -> (Server, Shared) {
    let telephony = Shared::default();
    let shared = telephony.clone();
    let server = Server::start(move |r| {
        let shared = shared.clone();
        async move {
            let method = r.path.strip_prefix(&format!("/rest/1/{CODE}/")).and_then(|m| m.strip_suffix(".json"));
            answer(&shared, method.unwrap_or_default(), &r.json())
        }
    })
    .await;
    (server, telephony)
}

fn call_log(deal: Option<&str>) -> CallLog {
    CallLog {
        agent_name: None,
        note: Some("Wants the invoice again.".into()),
        recording_url: None,
        deal_id: deal.map(str::to_string),
        ..common::call_log()
    }
}

fn methods(server: &Server) -> Vec<String> {
    paths(server).into_iter().map(|p| p.trim_end_matches(".json").to_string()).collect()
}

fn bodies_of(server: &Server, method: &str) -> Vec<Value> {
    let path = format!("/rest/1/{CODE}/{method}.json");
    server.requests().iter().filter(|r| r.path == path).map(|r| r.json()).collect()
}

#[tokio::test]
async fn write_back_binds_the_call_to_the_chosen_deal_and_removes_bitrix24s_own_binding() {
    let (server, telephony) = telephony_portal().await;
    let crm = b24(Some(&webhook(&server)));
    let receipt = crm.write_call(&call_log(Some("31")), &Attempt::first(KEY)).await.unwrap();
    assert_eq!(receipt, WriteReceipt { remote_id: Some(CALL_ID.into()) });
    assert_eq!(
        methods(&server),
        [
            "voximplant.statistic.get",
            "telephony.externalcall.register",
            "telephony.externalcall.finish",
            "crm.activity.update",
            "crm.activity.binding.list",
            "crm.activity.binding.add",
            "crm.activity.binding.delete",
        ]
    );
    assert_eq!(bodies_of(&server, "crm.activity.binding.list"), [json!({"activityId": ACTIVITY})]);
    assert_eq!(
        bodies_of(&server, "crm.activity.binding.add"),
        [json!({"activityId": ACTIVITY, "entityTypeId": 2, "entityId": 31})]
    );
    assert_eq!(
        bodies_of(&server, "crm.activity.binding.delete"),
        [json!({"activityId": ACTIVITY, "entityTypeId": 2, "entityId": 50})]
    );
    let t = telephony.lock().unwrap();
    assert_eq!(t.bindings, [(3, 12), (2, 31)], "the contact stays bound; deal 31 instead of 50");
    assert_eq!(t.description.as_deref(), Some("Wants the invoice again."));
}

#[tokio::test]
async fn without_a_chosen_deal_bitrix24s_binding_is_left_alone() {
    let (server, telephony) = telephony_portal().await;
    b24(Some(&webhook(&server))).write_call(&call_log(None), &Attempt::first(KEY)).await.unwrap();
    assert!(!methods(&server).iter().any(|m| m.starts_with("crm.activity.binding")), "{:?}", methods(&server));
    assert_eq!(telephony.lock().unwrap().bindings, [(3, 12), (2, 50)]);
}

#[tokio::test]
async fn the_deal_bitrix24_chose_itself_is_bound_once_and_nothing_removed() {
    let (server, telephony) = telephony_portal().await;
    b24(Some(&webhook(&server))).write_call(&call_log(Some("50")), &Attempt::first(KEY)).await.unwrap();
    let methods = methods(&server);
    assert_eq!(
        methods.iter().filter(|m| m.starts_with("crm.activity.binding")).collect::<Vec<_>>(),
        ["crm.activity.binding.list"]
    );
    assert_eq!(telephony.lock().unwrap().bindings, [(3, 12), (2, 50)]);
}

#[tokio::test]
async fn a_failed_binding_keeps_the_call_id_and_retries_bind_it_once_without_a_second_call() {
    let (server, telephony) = telephony_portal().await;
    let crm = b24(Some(&webhook(&server)));
    telephony.lock().unwrap().fail_once = vec!["crm.activity.binding.add"];

    let err = crm.write_call(&call_log(Some("31")), &Attempt::first(KEY)).await.unwrap_err();
    assert_eq!(err.partial_remote_id(), Some(CALL_ID), "{err}");
    assert!(err.is_transient() && !err.is_permanent(), "{err}");
    assert!(matches!(err.cause(), CrmError::RateLimited { .. }), "{err}");
    assert_eq!(telephony.lock().unwrap().bindings, [(3, 12), (2, 50)]);

    // The outbox's next attempt, with the CALL_ID kept; this time removing deal 50 fails.
    telephony.lock().unwrap().fail_once = vec!["crm.activity.binding.delete"];
    let retry = Attempt { idempotency_key: KEY, revision: 1, prior: Prior::Partial(CALL_ID) };
    let err = crm.write_call(&call_log(Some("31")), &retry).await.unwrap_err();
    assert_eq!(err.partial_remote_id(), Some(CALL_ID), "{err}");
    assert_eq!(telephony.lock().unwrap().bindings, [(3, 12), (2, 50), (2, 31)]);

    // And again: 31 is bound already (not added twice), only 50 goes.
    let receipt = crm.write_call(&call_log(Some("31")), &retry).await.unwrap();
    assert_eq!(receipt.remote_id.as_deref(), Some(CALL_ID));
    assert_eq!(telephony.lock().unwrap().bindings, [(3, 12), (2, 31)]);

    // A retry after a lost answer changes nothing.
    crm.write_call(&call_log(Some("31")), &retry).await.unwrap();
    assert_eq!(telephony.lock().unwrap().bindings, [(3, 12), (2, 31)]);

    let count = |method: &str| bodies_of(&server, method).len();
    assert_eq!(count("telephony.externalcall.register"), 1, "the call is registered once");
    assert_eq!(count("telephony.externalcall.finish"), 4, "finished once; the retries hear \"not found\"");
    assert_eq!(count("crm.activity.binding.add"), 2, "the failed add and the one that took");
    assert_eq!(count("crm.activity.binding.delete"), 2, "the failed delete and the one that took");
    assert_eq!(count("crm.activity.binding.list"), 4);
}

#[tokio::test]
async fn an_edit_moves_the_call_to_another_deal_without_writing_it_again() {
    let (server, telephony) = telephony_portal().await;
    let crm = b24(Some(&webhook(&server)));
    crm.write_call(&call_log(Some("31")), &Attempt::first(KEY)).await.unwrap();
    let before = server.requests().len();

    let change = Attempt { idempotency_key: KEY, revision: 2, prior: Prior::Written { remote_id: Some(CALL_ID) } };
    crm.write_call(&call_log(Some("77")), &change).await.unwrap();
    let later: Vec<String> = methods(&server).split_off(before);
    assert_eq!(
        later,
        [
            "voximplant.statistic.get",
            "crm.activity.update",
            "crm.activity.binding.list",
            "crm.activity.binding.add",
            "crm.activity.binding.delete",
        ]
    );
    assert_eq!(telephony.lock().unwrap().bindings, [(3, 12), (2, 77)]);
}

#[tokio::test]
async fn a_deal_id_that_is_not_bitrix24s_is_refused_before_anything_is_written() {
    let (server, _telephony) = telephony_portal().await;
    let crm = b24(Some(&webhook(&server)));
    for deal in ["deal:31", "-1", "0", "31 OR 1"] {
        let err = crm.write_call(&call_log(Some(deal)), &Attempt::first(KEY)).await.unwrap_err();
        assert!(err.is_permanent(), "{deal}: {err}");
        assert!(matches!(err, CrmError::Rejected { .. }), "{deal}: {err}");
        assert_eq!(err.partial_remote_id(), None);
    }
    assert!(server.requests().is_empty());
    // Blank is no deal.
    crm.write_call(&call_log(Some(" ")), &Attempt::first(KEY)).await.unwrap();
    assert!(!methods(&server).iter().any(|m| m.starts_with("crm.activity.binding")));
}

#[tokio::test]
async fn a_call_with_a_lead_is_registered_to_the_lead() {
    let (server, _telephony) = telephony_portal().await;
    let log = CallLog { customer_id: Some("lead:40".into()), ..call_log(None) };
    b24(Some(&webhook(&server))).write_call(&log, &Attempt::first(KEY)).await.unwrap();
    let register = &bodies_of(&server, "telephony.externalcall.register")[0];
    assert_eq!((register["CRM_ENTITY_TYPE"].as_str(), register["CRM_ENTITY_ID"].as_u64()), (Some("LEAD"), Some(40)));
}
