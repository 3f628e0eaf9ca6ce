//! No preview, label or message names a secret an address carries — a user name and password
//! before the host, a key in the query — even when the provider's own words quote the address:
//! real HTTP servers on 127.0.0.1.
//!
//! ringside-config refuses a written-out key in a connection's `url` (`{secret}` takes it from
//! the keychain); these providers are built from settings made in code, as a caller that skips
//! the file could, so the masking is tested on its own.

mod common;

use std::time::Duration;

use common::{connection, http, json, Server, TIMEOUT};
use ringside_click_to_call::{CallError, Provider, MASK};
use ringside_dial::settings::ConnectionKind;
use ringside_secrets::SecretString;
use serde_json::json;

/// Secrets the addresses below carry; no preview or message may hold any of them.
const SECRETS: [&str; 4] = ["robo7", "pw-s3cret", "key-s3cret", "kc-s3cret"];

/// `http://robo7:pw-s3cret@127.0.0.1:PORT` + `path_and_query`.
fn address(port: u16, path_and_query: &str) -> String {
    format!("http://robo7:pw-s3cret@127.0.0.1:{port}{path_and_query}")
}

/// A `kind = "http"` connection `acme` posting to `url`, the provider's words at `/error`, with
/// `kc-s3cret` from the keychain for `{secret}`.
fn acme(url: String, timeout: Duration) -> Provider {
    let mut api = http(url);
    api.extension = "101".to_string();
    api.error_pointer = Some("/error".to_string());
    let config = connection("acme", ConnectionKind::Http(api));
    Provider::new(&config, Some(SecretString::from("kc-s3cret")), timeout).unwrap()
}

const QUERY: &str = "?to={number}&api_key=key-s3cret&token={secret}";

fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{text:?} holds {secret:?}");
    }
}

#[tokio::test]
async fn the_preview_and_the_label_keep_the_host_and_the_path_and_mask_the_rest() {
    let api = acme(address(8080, &format!("/v2/calls{QUERY}")), TIMEOUT);
    assert_eq!(api.label(), "127.0.0.1:8080");
    let preview = api.preview("+380441234567").unwrap();
    assert_eq!(
        preview.url,
        format!("http://{MASK}@127.0.0.1:8080/v2/calls?to=%2B380441234567&api_key={MASK}&token={MASK}")
    );
    assert_no_secret(&preview.to_string());
    assert_no_secret(&format!("{preview:?}"));

    // As the file has it, the key comes from the keychain through {secret}: the preview shows
    // where it goes.
    let from_file = connection(
        "acme",
        ConnectionKind::Http(http("https://api.acme.example/v2/calls?to={number}&api_key={secret}")),
    );
    let api = Provider::new(&from_file, Some(SecretString::from("kc-s3cret")), TIMEOUT).unwrap();
    let preview = api.preview("+380441234567").unwrap();
    assert_eq!(preview.url, format!("https://api.acme.example/v2/calls?to=%2B380441234567&api_key={MASK}"));
}

#[tokio::test]
async fn a_provider_quoting_the_address_in_its_refusal_has_the_secrets_masked() {
    let server = Server::start(|r| async move {
        let quoted = format!("no route for http://127.0.0.1{}?{}", r.path, r.query.unwrap_or_default());
        json(500, json!({"error": quoted}))
    })
    .await;
    let api = acme(address(server.addr.port(), &format!("/v2/calls{QUERY}")), TIMEOUT);
    let err = api.place("+380441234567").await.unwrap_err();
    assert!(matches!(err, CallError::ProviderError { .. }), "{err:?}");
    let text = err.to_string();
    assert_no_secret(&text);
    assert_no_secret(&format!("{err:?}"));
    assert!(text.contains("/v2/calls?to=%2B380441234567&api_key=••••&token=••••"), "{text}");
    // Sent as configured: the user and password as a Basic header, the key and the secret in the query.
    let sent = &server.requests()[0];
    assert_eq!(sent.query.as_deref(), Some("to=%2B380441234567&api_key=key-s3cret&token=kc-s3cret"));
    assert!(sent.header("authorization").is_some_and(|h| h.starts_with("Basic ")));
}

#[tokio::test]
async fn failed_requests_to_an_address_with_secrets_never_name_them() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = listener.local_addr().unwrap().port();
    drop(listener);
    let refused = acme(address(closed, &format!("/v2/calls{QUERY}")), TIMEOUT).place("+380441234567").await;

    let slow = Server::start(|_| common::slow(Duration::from_secs(5))).await;
    let timed_out = acme(address(slow.addr.port(), &format!("/v2/calls{QUERY}")), Duration::from_millis(300))
        .place("+380441234567")
        .await;

    for err in [refused.unwrap_err(), timed_out.unwrap_err()] {
        assert!(matches!(err, CallError::Http(_)), "{err:?}");
        assert_no_secret(&err.to_string());
        assert_no_secret(&format!("{err:?}"));
    }
}
