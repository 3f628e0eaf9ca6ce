//! Binotel against a real HTTP server on 127.0.0.1 standing in for api.binotel.com.

mod common;

use std::time::Duration;

use common::{connection, json, provider, refuses_hostile_numbers, reply, Server, TIMEOUT};
use ringside_click_to_call::{CallError, Placed, Provider, MASK};
use ringside_dial::settings::{ConnectionConfig, ConnectionKind};
use ringside_http::HttpError;
use serde_json::json;

fn office() -> ConnectionConfig {
    connection("office", ConnectionKind::Binotel { key: "pub-key-1".to_string(), extension: "901".to_string() })
}
const SECRET: &str = "s3cret-Binotel";

fn binotel(server: &Server, secret: Option<&str>, timeout: Duration) -> Provider {
    provider(&office(), secret, timeout).with_base_url(&server.url("/api/4.0/")).unwrap()
}

#[tokio::test]
async fn the_request_is_binotels_internal_to_external_call() {
    let server = Server::start(|_| async { json(200, json!({"status": "success", "generalCallID": "3851279"})) }).await;
    let office = binotel(&server, Some(SECRET), TIMEOUT);
    assert_eq!((office.name(), office.label().as_str()), ("office", "Binotel"));

    let placed = office.place("0441234567").await.unwrap();
    assert_eq!(placed, Placed { provider_call_id: Some("3851279".to_string()) });

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/4.0/calls/internal-number-to-external-number.json");
    assert_eq!(r.query, None);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.json(),
        json!({"internalNumber": "901", "externalNumber": "0441234567", "key": "pub-key-1", "secret": SECRET})
    );
}

#[tokio::test]
async fn a_numeric_call_id_is_kept_as_text() {
    let server = Server::start(|_| async { json(200, json!({"status": "success", "generalCallID": 3851279})) }).await;
    let placed = binotel(&server, Some(SECRET), TIMEOUT).place("+380441234567").await.unwrap();
    assert_eq!(placed.provider_call_id.as_deref(), Some("3851279"));
    assert_eq!(server.requests()[0].json()["externalNumber"], "+380441234567");
}

#[tokio::test]
async fn binotels_own_error_is_passed_on_cleaned() {
    // Binotel answers errors with 200 and {"status": "error", "code", "message"}.
    let server = Server::start(|_| async {
        json(
            200,
            json!({"status": "error", "code": 104, "message": "API dialing is not enabled\r\n for line 901\u{202E}"}),
        )
    })
    .await;
    let err = binotel(&server, Some(SECRET), TIMEOUT).place("0441234567").await.unwrap_err();
    assert!(matches!(err, CallError::Rejected { .. }), "{err:?}");
    assert_eq!(err.to_string(), "Binotel refused the call: API dialing is not enabled for line 901");
    assert!(!err.is_transient());
}

#[tokio::test]
async fn an_error_without_a_message_names_its_code() {
    let server = Server::start(|_| async { json(200, json!({"status": "error", "code": 121})) }).await;
    let err = binotel(&server, Some(SECRET), TIMEOUT).place("0441234567").await.unwrap_err();
    assert_eq!(err.to_string(), "Binotel refused the call: error code 121");
}

#[tokio::test]
async fn a_refused_key_says_how_to_store_it() {
    for status in [401, 403] {
        let server = Server::start(move |_| async move { json(status, json!({"status": "error"})) }).await;
        let err = binotel(&server, Some(SECRET), TIMEOUT).place("0441234567").await.unwrap_err();
        let reason = if status == 401 { "401 Unauthorized" } else { "403 Forbidden" };
        assert_eq!(
            err.to_string(),
            format!(
                "Binotel refused the key ({reason}); store the right one with: ringside-cli secret set dial:office"
            )
        );
        assert!(!err.to_string().contains(SECRET));
    }
}

#[tokio::test]
async fn a_server_error_is_transient() {
    let server = Server::start(|_| async { reply(500, "text/html", "<h1>oops</h1>") }).await;
    let err = binotel(&server, Some(SECRET), TIMEOUT).place("0441234567").await.unwrap_err();
    assert_eq!(err.to_string(), "Binotel had an error (500 Internal Server Error)");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_slow_binotel_times_out() {
    let server = Server::start(|_| common::slow(Duration::from_secs(3))).await;
    let started = std::time::Instant::now();
    let err = binotel(&server, Some(SECRET), Duration::from_millis(300)).place("0441234567").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1500), "{:?}", started.elapsed());
    assert_eq!(err, CallError::Http(HttpError::Timeout { host: server.host(), ms: 300 }));
    assert_eq!(err.to_string(), format!("{} did not answer within 300 ms", server.host()));
}

#[tokio::test]
async fn an_answer_that_is_not_json_is_not_taken_for_success() {
    let server = Server::start(|_| async { reply(200, "text/html", "<html>maintenance</html>") }).await;
    let err = binotel(&server, Some(SECRET), TIMEOUT).place("0441234567").await.unwrap_err();
    assert!(matches!(err, CallError::NotJson { .. }), "{err:?}");
    assert!(err.to_string().starts_with("Binotel answered with something that is not JSON (expected value"), "{err}");
}

#[tokio::test]
async fn json_without_a_status_is_an_unexpected_shape() {
    let server = Server::start(|_| async { json(200, json!({"generalCallID": 1})) }).await;
    let err = binotel(&server, Some(SECRET), TIMEOUT).place("0441234567").await.unwrap_err();
    assert!(matches!(err, CallError::BadAnswer { .. }), "{err:?}");
}

#[tokio::test]
async fn an_answer_over_2_mib_is_refused() {
    let big = format!("{{\"status\":\"success\",\"pad\":\"{}\"}}", "x".repeat(3 << 20));
    let server = Server::start(move |_| {
        let big = big.clone();
        async move { reply(200, "application/json", big) }
    })
    .await;
    let err = binotel(&server, Some(SECRET), TIMEOUT).place("0441234567").await.unwrap_err();
    assert_eq!(err, CallError::Http(HttpError::TooLarge { host: server.host() }));
}

#[tokio::test]
async fn a_redirect_to_another_site_is_not_followed() {
    let other = Server::start(|_| async { json(200, json!({"status": "success"})) }).await;
    let target = other.url("/steal");
    let server = Server::start(move |_| {
        let target = target.clone();
        async move { common::redirect(307, &target) }
    })
    .await;
    let err = binotel(&server, Some(SECRET), TIMEOUT).place("0441234567").await.unwrap_err();
    assert_eq!(err, CallError::Http(HttpError::CrossOriginRedirect { from: server.host(), to: other.host() }));
    assert!(other.requests().is_empty(), "the other site got {:?}", other.requests());
}

#[tokio::test]
async fn the_preview_is_the_request_with_the_secret_masked() {
    let server = Server::start(|_| async { json(200, json!({"status": "success"})) }).await;
    let preview = binotel(&server, Some(SECRET), TIMEOUT).preview("0441234567").unwrap();
    assert_eq!(preview.method, "POST");
    assert_eq!(preview.url, server.url("/api/4.0/calls/internal-number-to-external-number.json"));
    assert_eq!(preview.headers, vec![("Content-Type".to_string(), "application/json".to_string())]);
    let body: serde_json::Value = serde_json::from_str(preview.body.as_deref().unwrap()).unwrap();
    assert_eq!(
        body,
        json!({"internalNumber": "901", "externalNumber": "0441234567", "key": "pub-key-1", "secret": MASK})
    );
    let shown = preview.to_string();
    assert!(!shown.contains(SECRET) && shown.contains("••••"), "{shown}");
    assert!(shown.starts_with(&format!("POST {}\nContent-Type: application/json\n\n{{", preview.url)), "{shown}");
    assert!(server.requests().is_empty(), "a preview sends nothing");
}

#[tokio::test]
async fn the_public_address_is_binotels() {
    let office = provider(&office(), Some(SECRET), TIMEOUT);
    assert_eq!(
        office.preview("0441234567").unwrap().url,
        "https://api.binotel.com/api/4.0/calls/internal-number-to-external-number.json"
    );
}

#[tokio::test]
async fn without_a_key_nothing_is_sent() {
    let server = Server::start(|_| async { json(200, json!({"status": "success"})) }).await;
    let office = binotel(&server, None, TIMEOUT);
    let expected =
        "no key for connection \"office\" in the keychain; store it with: ringside-cli secret set dial:office";
    assert_eq!(office.preview("0441234567").unwrap_err().to_string(), expected);
    assert_eq!(office.place("0441234567").await.unwrap_err().to_string(), expected);
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn hostile_numbers_never_reach_binotel() {
    let server = Server::start(|_| async { json(200, json!({"status": "success"})) }).await;
    refuses_hostile_numbers(&binotel(&server, Some(SECRET), TIMEOUT)).await;
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}
