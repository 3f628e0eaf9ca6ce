//! No message and no label names a secret an address carries — a user name and password before
//! the host, a key in the query, a Bitrix24 webhook's code — even when the CRM's own words quote
//! the address: real HTTP servers on 127.0.0.1.
//!
//! ringside-config refuses such addresses in the file; these connectors are built from settings
//! made in code, as a caller that skips the file could, so the masking is tested on its own.

mod common;

use std::time::Duration;

use common::{closed_port, json, redirect, Server};
use ringside_crm::{Attempt, CallDirection, CallLog, Connector, CrmError, CrmQuery};
use ringside_secrets::SecretString;
use serde_json::json;

/// Secrets the addresses below carry; no message may hold any of them.
const SECRETS: [&str; 4] = ["robo7", "pw-s3cret", "key-s3cret", "tok-s3cret"];
const SECRET_QUERY: &str = "api_key=key-s3cret&access_token=tok-s3cret";

/// `http://robo7:pw-s3cret@127.0.0.1:PORT` + `path_and_query`.
fn address(port: u16, path_and_query: &str) -> String {
    format!("http://robo7:pw-s3cret@127.0.0.1:{port}{path_and_query}")
}

/// A REST CRM `shop` searching `url`, writing calls to `log_url`.
fn shop(url: String, log_url: Option<String>, timeout: Duration) -> Connector {
    let config = common::rest_crm("shop", &url, |rest| rest.log_url = log_url);
    Connector::new(&config, None, timeout).unwrap()
}

fn query() -> CrmQuery {
    CrmQuery { raw: "+380441234567".into(), e164: Some("+380441234567".into()), digits: "380441234567".into() }
}

fn call() -> CallLog {
    CallLog {
        call_id: "1700000000.42".into(),
        direction: CallDirection::Incoming,
        outcome: "answered".into(),
        number: "+380441234567".into(),
        number_e164: Some("+380441234567".into()),
        customer_id: None,
        agent_extension: "101".into(),
        agent_name: None,
        started_at_ms: 1_700_000_000_000,
        answered_at_ms: Some(1_700_000_003_000),
        ended_at_ms: 1_700_000_060_000,
        talk_secs: 57,
        note: None,
        recording_url: None,
        deal_id: None,
    }
}

fn assert_no_secret(err: &CrmError) {
    for text in [err.to_string(), format!("{err:?}")] {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{text:?} holds {secret:?}");
        }
    }
}

/// A server whose every answer is `status` with a message quoting the address it was asked
/// (path and query as they came; the user and password arrive as a Basic header).
async fn quoting(status: u16) -> Server {
    Server::start(move |r| async move {
        let quoted = format!("cannot serve http://127.0.0.1{}?{}", r.path, r.query.unwrap_or_default());
        json(status, json!({"message": quoted}))
    })
    .await
}

#[tokio::test]
async fn a_crm_quoting_the_address_in_its_error_has_the_secrets_masked() {
    let server = quoting(500).await;
    let crm = shop(address(server.addr.port(), &format!("/find?phone={{e164}}&{SECRET_QUERY}")), None, common::TIMEOUT);
    assert_eq!(crm.label(), server.host(), "the label is the host alone");

    let err = crm.find(&query()).await.unwrap_err();
    assert_no_secret(&err);
    let text = err.to_string();
    assert!(matches!(err, CrmError::Status { .. }), "{err:?}");
    assert!(text.contains("/find?phone=%2B380441234567&api_key=••••&access_token=••••"), "{text}");
    let sent = &server.requests()[0];
    assert_eq!(sent.query.as_deref(), Some(format!("phone=%2B380441234567&{SECRET_QUERY}").as_str()), "sent as set");

    // Write-back: a refused call record quoting the address.
    let server = quoting(422).await;
    let log_url = address(server.addr.port(), &format!("/calls?{SECRET_QUERY}"));
    let crm = shop(address(server.addr.port(), "/find?phone={e164}"), Some(log_url), common::TIMEOUT);
    let err = crm.write_call(&call(), &Attempt::first("ringside-1")).await.unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
    assert_no_secret(&err);
    assert!(err.to_string().contains("/calls?api_key=••••&access_token=••••"), "{err}");
}

#[tokio::test]
async fn failed_requests_to_an_address_with_secrets_never_name_them() {
    let mut errors = Vec::new();

    let port = closed_port().await;
    let crm = shop(address(port, &format!("/find?phone={{e164}}&{SECRET_QUERY}")), None, common::TIMEOUT);
    errors.push(crm.find(&query()).await.unwrap_err());

    let slow = Server::start(|_| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        json(200, json!([]))
    })
    .await;
    let path = format!("/find?phone={{e164}}&{SECRET_QUERY}");
    let crm = shop(address(slow.addr.port(), &path), None, Duration::from_millis(300));
    errors.push(crm.find(&query()).await.unwrap_err());

    let other = Server::start(|_| async { json(200, json!([])) }).await;
    let elsewhere = format!("{}?{SECRET_QUERY}", address(other.addr.port(), "/collect"));
    let origin = Server::start(move |_| {
        let elsewhere = elsewhere.clone();
        async move { redirect(302, &elsewhere) }
    })
    .await;
    let crm = shop(address(origin.addr.port(), &path), None, common::TIMEOUT);
    errors.push(crm.find(&query()).await.unwrap_err());
    assert!(other.requests().is_empty(), "the other site was asked");

    assert!(matches!(errors[0], CrmError::Unreachable { .. }), "{:?}", errors[0]);
    assert!(matches!(errors[1], CrmError::Timeout { .. }), "{:?}", errors[1]);
    assert!(matches!(errors[2], CrmError::CrossOriginRedirect { .. }), "{:?}", errors[2]);
    for err in &errors {
        assert_no_secret(err);
    }
}

#[tokio::test]
async fn a_bitrix24_error_quoting_the_webhook_url_has_the_code_masked() {
    const CODE: &str = "s3cr3tc0de42";
    let server = Server::start(|r| async move {
        let quoted = format!("no such method at https://portal.example.com{}", r.path);
        json(400, json!({"error": "ERROR_CORE", "error_description": quoted}))
    })
    .await;
    let config = common::bitrix24("b24");
    let webhook = server.url(&format!("/rest/1/{CODE}/"));
    let crm = Connector::new(&config, Some(SecretString::from(webhook.as_str())), common::TIMEOUT).unwrap();
    let err = crm.find(&query()).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, CrmError::Bitrix { .. }), "{err:?}");
    assert!(!text.contains(CODE) && !format!("{err:?}").contains(CODE), "{text}");
    assert!(text.contains("https://portal.example.com/rest/1/••••/crm.duplicate.findbycomm.json"), "{text}");
}
