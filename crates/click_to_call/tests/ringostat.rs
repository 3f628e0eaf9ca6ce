//! Ringostat against a real HTTP server on 127.0.0.1 standing in for api.ringostat.net.

mod common;

use std::time::Duration;

use common::{connection, json, provider, refuses_hostile_numbers, reply, Server, TIMEOUT};
use ringside_click_to_call::{CallError, Placed, Provider};
use ringside_dial::settings::{ConnectionConfig, ConnectionKind};
use ringside_http::HttpError;
use serde_json::json;

fn sales() -> ConnectionConfig {
    let kind = ConnectionKind::Ringostat { project_id: "12345".to_string(), extension: "380441112233".to_string() };
    connection("sales", kind)
}
const SECRET: &str = "unique_auth_key_string";

fn ringostat(server: &Server, secret: Option<&str>, timeout: Duration) -> Provider {
    provider(&sales(), secret, timeout).with_base_url(&server.url("/")).unwrap()
}

#[tokio::test]
async fn the_request_is_ringostats_simple_callback() {
    let server = Server::start(|_| async { reply(200, "text/plain", "") }).await;
    let sales = ringostat(&server, Some(SECRET), TIMEOUT);
    assert_eq!(sales.label(), "Ringostat");

    assert_eq!(sales.place("+380671112233").await.unwrap(), Placed { provider_call_id: None });

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/callback/outward_call");
    assert_eq!(r.query, None);
    assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(r.header("auth-key"), Some(SECRET));
    assert_eq!(r.header("x-project-id"), Some("12345"));
    assert_eq!(r.text(), "extension=380441112233&destination=%2B380671112233");
}

#[tokio::test]
async fn a_json_success_is_a_success_too() {
    let server = Server::start(|_| async { json(200, json!({"status": "ok"})) }).await;
    assert!(ringostat(&server, Some(SECRET), TIMEOUT).place("380671112233").await.is_ok());
}

#[tokio::test]
async fn an_answer_that_is_not_json_is_accepted_because_ringostat_documents_none() {
    let server = Server::start(|_| async { reply(200, "text/html", "<html>OK</html>") }).await;
    assert!(ringostat(&server, Some(SECRET), TIMEOUT).place("380671112233").await.is_ok());
}

#[tokio::test]
async fn ringostats_own_words_are_passed_on() {
    let server = Server::start(|_| async {
        json(400, json!({"status": "error", "message": "Extension 380441112233 is not connected to the project"}))
    })
    .await;
    let err = ringostat(&server, Some(SECRET), TIMEOUT).place("380671112233").await.unwrap_err();
    assert_eq!(err.to_string(), "Ringostat refused the call: Extension 380441112233 is not connected to the project");

    let server = Server::start(|_| async { json(200, json!({"error": "Destination\nis blocked"})) }).await;
    let err = ringostat(&server, Some(SECRET), TIMEOUT).place("380671112233").await.unwrap_err();
    assert_eq!(err.to_string(), "Ringostat refused the call: Destination is blocked");
}

#[tokio::test]
async fn a_bare_4xx_is_refused_by_its_status() {
    let server = Server::start(|_| async { reply(422, "text/plain", "") }).await;
    let err = ringostat(&server, Some(SECRET), TIMEOUT).place("380671112233").await.unwrap_err();
    assert_eq!(err.to_string(), "Ringostat refused the call (422 Unprocessable Entity)");
}

#[tokio::test]
async fn a_refused_key_says_how_to_store_it() {
    let server = Server::start(|_| async { reply(401, "text/plain", "Unauthorized") }).await;
    let err = ringostat(&server, Some(SECRET), TIMEOUT).place("380671112233").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Ringostat refused the key (401 Unauthorized); store the right one with: ringside-cli secret set dial:sales"
    );
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_transient() {
    let server = Server::start(|_| async { reply(502, "text/html", "<h1>Bad gateway</h1>") }).await;
    let err = ringostat(&server, Some(SECRET), TIMEOUT).place("380671112233").await.unwrap_err();
    assert_eq!(err.to_string(), "Ringostat had an error (502 Bad Gateway)");
    assert!(err.is_transient());

    let server = Server::start(|_| async { json(503, json!({"message": "maintenance"})) }).await;
    let err = ringostat(&server, Some(SECRET), TIMEOUT).place("380671112233").await.unwrap_err();
    assert_eq!(err.to_string(), "Ringostat had an error (503 Service Unavailable): maintenance");

    let server = Server::start(|_| async { reply(429, "text/plain", "") }).await;
    let err = ringostat(&server, Some(SECRET), TIMEOUT).place("380671112233").await.unwrap_err();
    assert_eq!(err.to_string(), "Ringostat is rate limiting Ringside (429 Too Many Requests); try again in a moment");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_slow_ringostat_times_out() {
    let server = Server::start(|_| common::slow(Duration::from_secs(3))).await;
    let err = ringostat(&server, Some(SECRET), Duration::from_millis(300)).place("380671112233").await.unwrap_err();
    assert_eq!(err, CallError::Http(HttpError::Timeout { host: server.host(), ms: 300 }));
}

#[tokio::test]
async fn a_key_with_a_line_break_is_never_sent() {
    let server = Server::start(|_| async { reply(200, "text/plain", "") }).await;
    let sales = ringostat(&server, Some("abc\r\nX-Injected: 1"), TIMEOUT);
    let err = sales.place("380671112233").await.unwrap_err();
    assert!(matches!(err, CallError::BadSecret { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("Auth-key") && text.contains("ringside-cli secret set dial:sales"), "{text}");
    assert!(!text.contains("abc") && !text.contains("Injected"), "{text}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_preview_masks_the_auth_key() {
    let sales = provider(&sales(), Some(SECRET), TIMEOUT);
    let preview = sales.preview("+380671112233").unwrap();
    assert_eq!(preview.url, "https://api.ringostat.net/callback/outward_call");
    assert_eq!(
        preview.headers,
        vec![
            ("Content-Type".to_string(), "application/x-www-form-urlencoded".to_string()),
            ("Auth-key".to_string(), "••••".to_string()),
            ("x-project-id".to_string(), "12345".to_string()),
        ]
    );
    assert_eq!(preview.body.as_deref(), Some("extension=380441112233&destination=%2B380671112233"));
    let shown = preview.to_string();
    assert!(!shown.contains(SECRET) && shown.contains("••••"), "{shown}");
}

#[tokio::test]
async fn hostile_numbers_never_reach_ringostat() {
    let server = Server::start(|_| async { reply(200, "text/plain", "") }).await;
    refuses_hostile_numbers(&ringostat(&server, Some(SECRET), TIMEOUT)).await;
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}
