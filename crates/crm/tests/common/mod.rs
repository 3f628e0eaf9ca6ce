//! A real HTTP server on 127.0.0.1 for the connector tests: it records every request it gets
//! (method, raw path and query as they came over the wire, headers, body) and answers with what
//! the test's handler returns.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use ringside_crm::settings::{CrmConfig, CrmKind, RestCrmConfig};

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

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A `kind = "rest"` CRM `name` searching at `url`; `adjust` changes its other settings, which
/// start at their defaults ([`RestCrmConfig::new`]).
pub fn rest_crm(name: &str, url: &str, adjust: impl FnOnce(&mut RestCrmConfig)) -> CrmConfig {
    let mut rest = RestCrmConfig::new(url);
    adjust(&mut rest);
    CrmConfig { name: name.to_string(), kind: CrmKind::Rest(rest) }
}

/// A `kind = "bitrix24"` CRM `name`; its webhook URL is the secret.
pub fn bitrix24(name: &str) -> CrmConfig {
    CrmConfig { name: name.to_string(), kind: CrmKind::Bitrix24(Default::default()) }
}

/// The key goes in `X-Api-Key`, after `Token `.
pub fn keyed(rest: &mut RestCrmConfig) {
    rest.auth_header = Some("X-Api-Key".to_string());
    rest.auth_prefix = "Token ".to_string();
}

pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The finished call the write-back tests send: answered, 120 s, with a note and a recording.
pub fn call_log() -> ringside_crm::CallLog {
    ringside_crm::CallLog {
        call_id: "1722000000.42".into(),
        direction: ringside_crm::CallDirection::Incoming,
        outcome: "answered".into(),
        number: "+49 30 123456".into(),
        number_e164: Some("+4930123456".into()),
        customer_id: Some("contact:12".into()),
        agent_extension: "204".into(),
        agent_name: Some("Ana Kovalenko".into()),
        started_at_ms: 1_723_711_101_250,
        answered_at_ms: Some(1_723_711_106_000),
        ended_at_ms: 1_723_711_226_000,
        talk_secs: 120,
        note: Some("Wants the invoice again.\nCall back on Monday.".into()),
        recording_url: Some("https://pbx.example.com/rec/1722000000.42.mp3".into()),
        deal_id: None,
    }
}
