//! Real HTTP servers on 127.0.0.1 for the provider tests: each records every request it gets
//! (method, raw path and query as they came over the wire, headers, body) and answers with what
//! the test's handler returns.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ringside_click_to_call::{CallError, Provider};
use ringside_dial::settings::{BodyFormat, ConnectionConfig, ConnectionKind, DialRule, HttpConnection};
use ringside_secrets::SecretString;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// Still percent-encoded, exactly as sent.
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("the request body is UTF-8")
    }
}

pub struct Server {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Serves `handler` for every method and path.
    pub async fn start<F, Fut>(handler: F) -> Server
    where
        F: Fn(Recorded) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = Response> + Send + 'static,
    {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let app = axum::Router::new().fallback(move |req: Request| {
            let (log, handler) = (log.clone(), handler.clone());
            async move {
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, 16 << 20).await.map(|b| b.to_vec()).unwrap_or_default();
                let recorded = Recorded {
                    method: parts.method.to_string(),
                    path: parts.uri.path().to_string(),
                    query: parts.uri.query().map(str::to_string),
                    headers: parts.headers,
                    body,
                };
                log.lock().unwrap().push(recorded.clone());
                handler(recorded).await
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server { addr, requests, task }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `127.0.0.1:PORT`: how messages name this server.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn reply(status: u16, content_type: &str, body: impl Into<Body>) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap())
        .header("content-type", content_type)
        .body(body.into())
        .unwrap()
}

pub fn json(status: u16, body: serde_json::Value) -> Response {
    reply(status, "application/json", body.to_string())
}

pub fn redirect(status: u16, location: &str) -> Response {
    Response::builder().status(status).header("location", location).body(Body::empty()).unwrap()
}

/// A handler that answers after `delay`.
pub async fn slow(delay: Duration) -> Response {
    tokio::time::sleep(delay).await;
    json(200, serde_json::json!({"status": "success"}))
}

/// The connection `name` of `kind`, dialing with the default rule.
pub fn connection(name: &str, kind: ConnectionKind) -> ConnectionConfig {
    ConnectionConfig { name: name.to_string(), kind, rule: DialRule::default() }
}

/// A `kind = "http"` API at `url` with its other settings as a file that names only the `url`
/// has them: a `POST` without headers or body, any 2xx is success.
pub fn http(url: impl Into<String>) -> HttpConnection {
    HttpConnection {
        method: "POST".to_string(),
        url: url.into(),
        headers: BTreeMap::new(),
        body: None,
        body_format: BodyFormat::Json,
        extension: String::new(),
        success_pointer: None,
        success_value: None,
        error_pointer: None,
        allow_plain_http: false,
    }
}

pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A provider for `connection` with `secret`.
pub fn provider(connection: &ConnectionConfig, secret: Option<&str>, timeout: Duration) -> Provider {
    Provider::new(connection, secret.map(SecretString::from), timeout).unwrap()
}

/// Numbers an attacker would like to reach a provider.
pub const HOSTILE: [&str; 7] =
    ["123 /password:x", ";rm -rf ~", "$(id)", "%0a", "١٢٣", "+38044\u{202E}1234567", "0441234567\r\nX-Evil: 1"];

/// Every hostile number is refused by `preview` and `place` with [`CallError::BadNumber`].
pub async fn refuses_hostile_numbers(provider: &Provider) {
    for number in HOSTILE {
        let err = provider.preview(number).unwrap_err();
        assert!(matches!(err, CallError::BadNumber { .. }), "preview({number:?}): {err}");
        let err = provider.place(number).await.unwrap_err();
        assert!(matches!(err, CallError::BadNumber { .. }), "place({number:?}): {err}");
        let text = err.to_string();
        assert!(!text.contains('\u{202E}') && !text.contains('\n') && !text.contains('\r'), "{text:?}");
    }
}
