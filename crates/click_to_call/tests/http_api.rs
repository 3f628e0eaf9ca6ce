//! `kind = "http"`: any provider's API as a template, against a real HTTP server on 127.0.0.1.

mod common;

use std::time::Duration;

use common::{connection, http, json, provider, refuses_hostile_numbers, reply, Server, TIMEOUT};
use ringside_click_to_call::{needs_secret, CallError, Placed, Provider};
use ringside_dial::settings::{BodyFormat, ConnectionConfig, ConnectionKind, HttpConnection};
use ringside_http::HttpError;
use ringside_secrets::SecretString;
use serde_json::json;

const SECRET: &str = "tok\"en\\with quotes";

/// The `kind = "http"` connection `acme` for extension 101, a POST to `server` at `path`;
/// `adjust` changes its other settings.
fn acme_connection(server: &Server, path: &str, adjust: impl FnOnce(&mut HttpConnection)) -> ConnectionConfig {
    let mut api = http(server.url(path));
    api.extension = "101".to_string();
    adjust(&mut api);
    connection("acme", ConnectionKind::Http(api))
}

fn acme(server: &Server, path: &str, adjust: impl FnOnce(&mut HttpConnection), secret: Option<&str>) -> Provider {
    provider(&acme_connection(server, path, adjust), secret, TIMEOUT)
}

/// A JSON body and headers with every placeholder, success and the provider's words by pointer.
fn json_api(api: &mut HttpConnection) {
    api.method = "POST".to_string();
    api.body = Some(
        r#"{"from": "{extension}", "to": "{number}", "auth": {"token": "{secret}"}, "note": "click {number}"}"#
            .to_string(),
    );
    api.headers = [("Authorization", "Bearer {secret}"), ("X-Agent", "ext-{extension}")]
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    api.success_pointer = Some("/result/ok".to_string());
    api.success_value = Some("true".to_string());
    api.error_pointer = Some("/error/text".to_string());
}

/// The body as written: `template` with its placeholders, nothing else changed.
fn body(template: &str) -> impl FnOnce(&mut HttpConnection) + '_ {
    move |api| api.body = Some(template.to_string())
}

#[tokio::test]
async fn placeholders_are_encoded_for_where_they_go() {
    let server = Server::start(|_| async { json(200, json!({"result": {"ok": true}})) }).await;
    let api = acme(&server, "/v2/calls/{number}?agent={extension}&to={number}", json_api, Some(SECRET));
    assert_eq!(api.label(), server.host());

    assert_eq!(api.place("+380441234567").await.unwrap(), Placed { provider_call_id: None });

    let r = &server.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/v2/calls/%2B380441234567");
    assert_eq!(r.query.as_deref(), Some("agent=101&to=%2B380441234567"));
    assert_eq!(r.header("authorization"), Some(format!("Bearer {SECRET}").as_str()), "raw in a header");
    assert_eq!(r.header("x-agent"), Some("ext-101"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    // The quotes and the backslash of the secret are escaped: the body is the template's JSON.
    assert_eq!(
        r.json(),
        json!({"from": "101", "to": "+380441234567", "auth": {"token": SECRET}, "note": "click +380441234567"})
    );
}

#[tokio::test]
async fn a_form_body_is_form_encoded() {
    let server = Server::start(|_| async { reply(204, "text/plain", "") }).await;
    let form = |api: &mut HttpConnection| {
        api.method = "POST".to_string();
        api.body_format = BodyFormat::Form;
        api.body = Some("caller={extension}&callee={number}&key={secret}".to_string());
    };
    let api = acme(&server, "/originate", form, Some("a&b=c d"));
    api.place("*21#").await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(r.text(), "caller=101&callee=%2A21%23&key=a%26b%3Dc%20d");
}

#[tokio::test]
async fn a_get_without_a_body_and_any_2xx_is_success() {
    let server = Server::start(|_| async { reply(200, "text/plain", "queued") }).await;
    let api = acme(&server, "/dial?to={number}&key={secret}", |api| api.method = "GET".to_string(), Some("k/y?"));
    api.place("0441234567").await.unwrap();
    let r = &server.requests()[0];
    assert_eq!((r.method.as_str(), r.query.as_deref()), ("GET", Some("to=0441234567&key=k%2Fy%3F")));
    assert!(r.body.is_empty() && r.header("content-type").is_none());
}

#[tokio::test]
async fn the_success_value_is_compared_by_its_json_text() {
    for (answer, value, ok) in [
        (json!({"code": 0}), "0", true),
        (json!({"code": "0"}), "0", true),
        (json!({"code": 1}), "0", false),
        (json!({"code": true}), "true", true),
        (json!({"code": "OK"}), "ok", false),
        (json!({}), "0", false),
    ] {
        let server = Server::start(move |_| {
            let answer = answer.clone();
            async move { json(200, answer) }
        })
        .await;
        let success = |api: &mut HttpConnection| {
            api.success_pointer = Some("/code".to_string());
            api.success_value = Some(value.to_string());
        };
        let result = acme(&server, "/c?n={number}", success, None).place("1").await;
        assert_eq!(result.is_ok(), ok, "{value}: {result:?}");
    }
}

#[tokio::test]
async fn the_providers_words_at_error_pointer_are_what_the_agent_reads() {
    let server = Server::start(|_| async {
        json(200, json!({"result": {"ok": false}, "error": {"text": "Agent 101 is\r\n offline\u{202E}"}}))
    })
    .await;
    let err = acme(&server, "/c", json_api, Some(SECRET)).place("1").await.unwrap_err();
    assert_eq!(err, CallError::Rejected { provider: server.host(), message: "Agent 101 is offline".to_string() });
    assert_eq!(err.to_string(), format!("{} refused the call: Agent 101 is offline", server.host()));

    let server = Server::start(|_| async { json(400, json!({"error": {"text": "x".repeat(500)}})) }).await;
    let err = acme(&server, "/c", json_api, Some(SECRET)).place("1").await.unwrap_err();
    let CallError::Rejected { message, .. } = &err else { panic!("{err:?}") };
    assert_eq!(message.chars().count(), 200, "capped at 200 characters");
}

#[tokio::test]
async fn without_words_the_status_is_said() {
    let server = Server::start(|_| async { json(200, json!({"result": {"ok": false}})) }).await;
    let err = acme(&server, "/c", json_api, Some(SECRET)).place("1").await.unwrap_err();
    assert_eq!(err.to_string(), format!("{} refused the call (200 OK)", server.host()));

    let server = Server::start(|_| async { reply(404, "text/html", "<h1>no</h1>") }).await;
    let err = acme(&server, "/c", json_api, Some(SECRET)).place("1").await.unwrap_err();
    assert_eq!(err.to_string(), format!("{} refused the call (404 Not Found)", server.host()));
}

#[tokio::test]
async fn statuses_401_500_and_a_time_out() {
    let server = Server::start(|_| async { json(401, json!({"error": {"text": "bad token"}})) }).await;
    let err = acme(&server, "/c", json_api, Some(SECRET)).place("1").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} refused the key (401 Unauthorized); store the right one with: ringside-cli secret set dial:acme",
            server.host()
        )
    );
    assert!(!err.to_string().contains(SECRET));

    // Without {secret} anywhere, a 401 is about the request.
    let server = Server::start(|_| async { reply(403, "text/plain", "") }).await;
    let err = acme(&server, "/c?n={number}", |_| {}, None).place("1").await.unwrap_err();
    assert!(err.to_string().contains("refused the request (403 Forbidden); it may want a key"), "{err}");

    let server = Server::start(|_| async { json(500, json!({"error": {"text": "db down"}})) }).await;
    let err = acme(&server, "/c", json_api, Some(SECRET)).place("1").await.unwrap_err();
    assert_eq!(err.to_string(), format!("{} had an error (500 Internal Server Error): db down", server.host()));

    let server = Server::start(|_| common::slow(Duration::from_secs(3))).await;
    let api = Provider::new(
        &acme_connection(&server, "/c", json_api),
        Some(SecretString::from(SECRET)),
        Duration::from_millis(300),
    )
    .unwrap();
    let err = api.place("1").await.unwrap_err();
    assert_eq!(err, CallError::Http(HttpError::Timeout { host: server.host(), ms: 300 }));
}

#[tokio::test]
async fn a_success_pointer_needs_a_json_answer() {
    let server = Server::start(|_| async { reply(200, "text/html", "<html>ok</html>") }).await;
    let err = acme(&server, "/c", json_api, Some(SECRET)).place("1").await.unwrap_err();
    assert!(matches!(err, CallError::NotJson { .. }), "{err:?}");
}

#[tokio::test]
async fn a_secret_with_a_line_break_never_goes_into_a_header() {
    let server = Server::start(|_| async { json(200, json!({"result": {"ok": true}})) }).await;
    let err = acme(&server, "/c", json_api, Some("tok\r\nX-Evil: 1")).place("1").await.unwrap_err();
    assert!(matches!(err, CallError::BadSecret { .. }), "{err:?}");
    assert!(err.to_string().contains("Authorization") && !err.to_string().contains("Evil"), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn the_preview_masks_the_secret_everywhere() {
    let server = Server::start(|_| async { json(200, json!({"result": {"ok": true}})) }).await;
    let api = acme(&server, "/c/{number}?key={secret}", json_api, Some(SECRET));
    let preview = api.preview("+380441234567").unwrap();
    assert_eq!(preview.url, server.url("/c/%2B380441234567?key=••••"));
    assert!(
        preview.headers.contains(&("Authorization".to_string(), "Bearer ••••".to_string())),
        "{:?}",
        preview.headers
    );
    assert!(preview.headers.contains(&("Content-Type".to_string(), "application/json".to_string())));
    let body: serde_json::Value = serde_json::from_str(preview.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["auth"]["token"], "••••");
    let shown = preview.to_string();
    assert!(!shown.contains(SECRET) && !shown.contains("with quotes") && shown.contains("••••"), "{shown}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_missing_secret_is_reported_when_a_template_needs_one() {
    let server = Server::start(|_| async { json(200, json!({"result": {"ok": true}})) }).await;
    let api = acme(&server, "/c", json_api, None);
    assert!(matches!(api.preview("1"), Err(CallError::NoSecret { .. })));
    assert!(matches!(api.place("1").await, Err(CallError::NoSecret { .. })));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn templates_that_cannot_work_are_refused_up_front() {
    let server = Server::start(|_| async { json(200, json!({})) }).await;
    // The config file's check looks at placeholders' names; the place of one in the host is checked here.
    let in_host = connection("acme", ConnectionKind::Http(http("https://{extension}.example.com/c")));
    let err = Provider::new(&in_host, None, TIMEOUT).unwrap_err();
    assert!(err.to_string().contains("placeholder in its host"), "{err}");

    let err = Provider::new(&acme_connection(&server, "/c", body(r#"{"to": {number}"#)), None, TIMEOUT).unwrap_err();
    assert!(err.to_string().contains("body is not JSON"), "{err}");

    // A placeholder outside quotes parses with a neutral value but not with a real number.
    let api = acme(&server, "/c", body(r#"{"to": {number}}"#), None);
    let err = api.place("+380441234567").await.unwrap_err();
    assert!(err.to_string().contains("inside quotes"), "{err}");
    assert!(server.requests().is_empty());

    let err = api.clone().with_base_url("http://127.0.0.1:1/").unwrap_err();
    assert!(matches!(err, CallError::Config { .. }), "{err:?}");
}

#[tokio::test]
async fn kinds_without_an_api_are_not_providers() {
    let desk = connection("desk", ConnectionKind::Microsip { path: None });
    let err = Provider::new(&desk, None, TIMEOUT).unwrap_err();
    assert_eq!(err, CallError::NotAProvider { name: "desk".into(), kind: "microsip".into() });
    assert!(!needs_secret(&desk.kind));
}

#[tokio::test]
async fn needs_secret_follows_the_templates() {
    let server = Server::start(|_| async { json(200, json!({})) }).await;
    assert!(needs_secret(&acme_connection(&server, "/c", json_api).kind));
    assert!(!needs_secret(&acme_connection(&server, "/c?n={number}", |_| {}).kind));
    assert!(needs_secret(&acme_connection(&server, "/c?k={secret}", |_| {}).kind));
    let binotel = ConnectionKind::Binotel { key: "k".to_string(), extension: "1".to_string() };
    assert!(needs_secret(&binotel));
}

#[tokio::test]
async fn a_redirect_to_another_site_is_not_followed() {
    let other = Server::start(|_| async { json(200, json!({"result": {"ok": true}})) }).await;
    let target = other.url("/c");
    let server = Server::start(move |_| {
        let target = target.clone();
        async move { common::redirect(302, &target) }
    })
    .await;
    let err = acme(&server, "/c", json_api, Some(SECRET)).place("1").await.unwrap_err();
    assert!(matches!(err, CallError::Http(HttpError::CrossOriginRedirect { .. })), "{err:?}");
    assert!(other.requests().is_empty());
}

#[tokio::test]
async fn hostile_numbers_never_reach_the_api() {
    let server = Server::start(|_| async { json(200, json!({"result": {"ok": true}})) }).await;
    refuses_hostile_numbers(&acme(&server, "/c/{number}", json_api, Some(SECRET))).await;
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}
