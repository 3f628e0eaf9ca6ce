//! Zadarma against a real HTTP server on 127.0.0.1 standing in for api.zadarma.com.

mod common;

use std::time::Duration;

use common::{connection, json, provider, refuses_hostile_numbers, reply, Server, TIMEOUT};
use ringside_click_to_call::{CallError, Placed, Provider};
use ringside_dial::settings::{ConnectionConfig, ConnectionKind};
use ringside_http::HttpError;
use serde_json::json;

const KEY: &str = "a1b2c3d4e5f6a7b8c9d0";
const SECRET: &str = "0f9e8d7c6b5a4f3e2d1c";

fn home() -> ConnectionConfig {
    connection("home", ConnectionKind::Zadarma { key: KEY.to_string(), extension: "101".to_string() })
}

fn zadarma(server: &Server, secret: Option<&str>, timeout: Duration) -> Provider {
    provider(&home(), secret, timeout).with_base_url(&server.url("/")).unwrap()
}

/// Expected `Authorization` values, computed outside Ringside with the algorithm of Zadarma's
/// official Python client (zadarma/user-api-py-v1, `__get_auth_string_for_header`): urlencode of
/// the parameters sorted by name, `md5(...).hexdigest()`, `hmac.new(secret, method + params +
/// md5, sha1).hexdigest()`, base64 of that hex text — run in python3 with the key and secret
/// above and method `/v1/request/callback/`.
const AUTH_PLUS: &str = "a1b2c3d4e5f6a7b8c9d0:NDUwNWM4YmJjMDIwOWRjMWJhZWQzYmVhNWU4OTg3OGYxNzkyYjc0Yw==";
const AUTH_STAR: &str = "a1b2c3d4e5f6a7b8c9d0:NTBlNDQzNTliMThiOTEzY2YwODE1NTI3YTViYWI5YmYwZGI1MDg2Ng==";

#[tokio::test]
async fn the_request_is_a_signed_callback() {
    let server = Server::start(|_| async {
        json(200, json!({"status": "success", "from": 101, "to": 380441234567_u64, "time": 1435573082}))
    })
    .await;
    let home = zadarma(&server, Some(SECRET), TIMEOUT);
    assert_eq!(home.label(), "Zadarma");

    assert_eq!(home.place("+380441234567").await.unwrap(), Placed { provider_call_id: None });

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/v1/request/callback/");
    assert_eq!(r.query.as_deref(), Some("format=json&from=101&to=%2B380441234567"));
    assert_eq!(r.header("authorization"), Some(AUTH_PLUS));
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn star_and_hash_are_encoded_as_php_does_and_signed_so() {
    let server = Server::start(|_| async { json(200, json!({"status": "success"})) }).await;
    zadarma(&server, Some(SECRET), TIMEOUT).place("*21#").await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.query.as_deref(), Some("format=json&from=101&to=%2A21%23"));
    assert_eq!(r.header("authorization"), Some(AUTH_STAR));
}

#[tokio::test]
async fn zadarmas_own_error_is_passed_on() {
    // The error shape from Zadarma's API documentation.
    let server =
        Server::start(|_| async { json(400, json!({"status": "error", "message": "Check phone's number"})) }).await;
    let err = zadarma(&server, Some(SECRET), TIMEOUT).place("+380441234567").await.unwrap_err();
    assert_eq!(err.to_string(), "Zadarma refused the call: Check phone's number");

    let server =
        Server::start(|_| async { json(200, json!({"status": "error", "message": "Not enough money"})) }).await;
    let err = zadarma(&server, Some(SECRET), TIMEOUT).place("+380441234567").await.unwrap_err();
    assert_eq!(err.to_string(), "Zadarma refused the call: Not enough money");
}

#[tokio::test]
async fn a_refused_signature_says_how_to_store_the_secret() {
    let server = Server::start(|_| async { json(401, json!({"status": "error", "message": "Not authorized"})) }).await;
    let err = zadarma(&server, Some(SECRET), TIMEOUT).place("+380441234567").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "Zadarma refused the key (401 Unauthorized); store the right one with: ringside-cli secret set dial:home"
    );
}

#[tokio::test]
async fn a_server_error_and_a_time_out() {
    let server = Server::start(|_| async { json(500, json!({"status": "error", "message": "Internal error"})) }).await;
    let err = zadarma(&server, Some(SECRET), TIMEOUT).place("+380441234567").await.unwrap_err();
    assert_eq!(err.to_string(), "Zadarma had an error (500 Internal Server Error): Internal error");

    let server = Server::start(|_| common::slow(Duration::from_secs(3))).await;
    let err = zadarma(&server, Some(SECRET), Duration::from_millis(300)).place("+380441234567").await.unwrap_err();
    assert_eq!(err, CallError::Http(HttpError::Timeout { host: server.host(), ms: 300 }));
}

#[tokio::test]
async fn an_answer_that_is_not_json_is_not_taken_for_success() {
    let server = Server::start(|_| async { reply(200, "text/xml", "<answer><status>success</status></answer>") }).await;
    let err = zadarma(&server, Some(SECRET), TIMEOUT).place("+380441234567").await.unwrap_err();
    assert!(matches!(err, CallError::NotJson { .. }), "{err:?}");
}

#[tokio::test]
async fn the_preview_masks_the_signature() {
    let home = provider(&home(), Some(SECRET), TIMEOUT);
    let preview = home.preview("+380441234567").unwrap();
    assert_eq!(preview.method, "GET");
    assert_eq!(preview.url, "https://api.zadarma.com/v1/request/callback/?format=json&from=101&to=%2B380441234567");
    assert_eq!(preview.headers, vec![("Authorization".to_string(), format!("{KEY}:••••"))]);
    assert_eq!(preview.body, None);
    let shown = preview.to_string();
    assert!(!shown.contains(SECRET) && shown.contains("••••"), "{shown}");
    assert!(!shown.contains(AUTH_PLUS.split(':').nth(1).unwrap()), "the signature is shown: {shown}");
}

#[tokio::test]
async fn the_sandbox_is_a_base_url_away() {
    let sandbox = provider(&home(), Some(SECRET), TIMEOUT).with_base_url("https://api-sandbox.zadarma.com").unwrap();
    assert!(sandbox.preview("101").unwrap().url.starts_with("https://api-sandbox.zadarma.com/v1/request/callback/?"));
    let err = provider(&home(), Some(SECRET), TIMEOUT).with_base_url("http://api.zadarma.com/").unwrap_err();
    assert!(err.to_string().contains("plain http"), "{err}");
}

#[tokio::test]
async fn hostile_numbers_never_reach_zadarma() {
    let server = Server::start(|_| async { json(200, json!({"status": "success"})) }).await;
    refuses_hostile_numbers(&zadarma(&server, Some(SECRET), TIMEOUT)).await;
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}
