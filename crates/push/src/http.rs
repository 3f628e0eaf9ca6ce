//! The HTTP side: an axum `Router` the relay mounts.
//!
//! | route | who | check |
//! |---|---|---|
//! | `POST /v1/events` | Ringside's schema, Zammad, CRM.COM | `Authorization: Bearer <token>` |
//! | `POST /v1/events/{token}` | the same, for senders that can set only a URL | the token in the path |
//! | `GET /v1/webhooks/zadarma?zd_echo=…` | Zadarma saving the URL | none (echo only) |
//! | `POST /v1/webhooks/zadarma` | Zadarma | `Signature`, by each account's secret |
//! | `POST /v1/webhooks/binotel/{token}` | Binotel | the token (and `companyID`) |
//! | `POST /v1/webhooks/ringostat/{token}` | Ringostat | the token |
//!
//! Each request is checked in this order: who sent it (401/403), its rate (429), its body
//! (413, 400), then its events are queued all or none (202 / 200, or 503 with `Retry-After`
//! when the sink is full). Refusals are `{code, message}`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use ringside_core::{ErrorCode, Timestamp};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tokio::sync::mpsc;

use crate::limit::RateLimiter;
use crate::{binotel, parse_events, ringostat, zadarma, Fields, PushConfig, PushError, Routed, Secret};

/// Where accepted events go: the relay's bounded queue. When it is full the sender is told to
/// come back (`503`), so nothing is dropped; its capacity should be at least `limits.max_batch`.
pub type Sink = mpsc::Sender<Routed>;

struct Shared {
    config: PushConfig,
    sink: Sink,
    limiter: RateLimiter,
}

type AppState = Arc<Shared>;

/// The push endpoint's routes over `config`, queuing into `sink`.
pub fn router(config: PushConfig, sink: Sink) -> Router {
    let limiter = RateLimiter::new(config.limits.rate_per_sec, config.limits.burst);
    let body_limit = config.limits.max_body_bytes;
    let state = Arc::new(Shared { config, sink, limiter });
    Router::new()
        .route("/v1/events", post(events_bearer))
        .route("/v1/events/{token}", post(events_path))
        .route("/v1/webhooks/zadarma", post(zadarma_post).get(zadarma_echo))
        .route("/v1/webhooks/binotel/{token}", post(binotel_post))
        .route("/v1/webhooks/ringostat/{token}", post(ringostat_post))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}

#[derive(Serialize)]
struct Refusal<'a> {
    code: &'static str,
    message: &'a str,
}

#[derive(Serialize)]
struct Accepted {
    accepted: usize,
}

struct Refused(PushError);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let message = e.to_string();
        let mut response = (status, Json(Refusal { code: e.code(), message: &message })).into_response();
        let headers = response.headers_mut();
        match e {
            PushError::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"ringside-push\""));
            }
            PushError::Busy { retry_after } | PushError::RateLimited { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            }
            PushError::Closed => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(5u64));
            }
            _ => {}
        }
        response
    }
}

type Answer = Result<(StatusCode, Json<Accepted>), Refused>;

/// The index of the secret equal to `given`, comparing with every one in constant time.
fn find_secret<'a>(given: &str, secrets: impl Iterator<Item = &'a Secret>) -> Option<usize> {
    let mut found = None;
    for (i, secret) in secrets.enumerate() {
        let s = secret.expose().as_bytes();
        let equal = !s.is_empty() && bool::from(s.ct_eq(given.as_bytes()));
        if equal && found.is_none() {
            found = Some(i);
        }
    }
    found
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
        .unwrap_or(false)
}

/// A provider's body: a form when it says so, or when it does not start like a JSON object
/// (providers do not always send a content type).
fn looks_like_form(headers: &HeaderMap, body: &[u8]) -> bool {
    is_form(headers) || !body.trim_ascii_start().starts_with(b"{")
}

fn body_of(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, PushError> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            PushError::TooLarge { limit }
        } else {
            PushError::bad_body(format!("the body could not be read: {rejection}"))
        }
    })
}

impl Shared {
    fn rate(&self, key: &str) -> Result<(), PushError> {
        self.limiter.take(key, Instant::now()).map_err(|retry_after| PushError::RateLimited { retry_after })
    }

    /// All of `events` into the sink, or none.
    fn enqueue(&self, events: Vec<Routed>) -> Result<usize, PushError> {
        let n = events.len();
        if n == 0 {
            return Ok(0);
        }
        if n > self.config.limits.max_batch || n > self.sink.max_capacity() {
            let most = self.config.limits.max_batch.min(self.sink.max_capacity());
            return Err(PushError::bad_body(format!("{n} events in one request; at most {most} are taken at once")));
        }
        match self.sink.try_reserve_many(n) {
            Ok(permits) => {
                for (permit, event) in permits.zip(events) {
                    permit.send(event);
                }
                Ok(n)
            }
            Err(mpsc::error::TrySendError::Full(())) => {
                Err(PushError::Busy { retry_after: self.config.limits.busy_retry_after_secs.max(1) })
            }
            Err(mpsc::error::TrySendError::Closed(())) => Err(PushError::Closed),
        }
    }

    fn events(&self, token: Option<&str>, headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Answer {
        let index = token
            .and_then(|t| find_secret(t, self.config.tokens.iter().map(|t| &t.token)))
            .ok_or(Refused(PushError::Unauthorized))?;
        let tenant = self.config.tokens.get(index).map(|t| t.tenant.as_str()).unwrap_or_default();
        self.rate(&format!("token:{index}")).map_err(Refused)?;
        let body = body_of(body, self.config.limits.max_body_bytes).map_err(Refused)?;
        let events = parse_events(&body, is_form(headers), tenant, Timestamp::now()).map_err(Refused)?;
        let n = self.enqueue(events).map_err(Refused)?;
        Ok((StatusCode::ACCEPTED, Json(Accepted { accepted: n })))
    }
}

fn logged(answer: Answer, route: &str) -> Answer {
    if let Err(Refused(e)) = &answer {
        tracing::debug!(route, code = e.code(), "push refused: {e}");
    }
    answer
}

async fn events_bearer(State(s): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Answer {
    logged(s.events(bearer(&headers), &headers, body), "/v1/events")
}

async fn events_path(
    State(s): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    logged(s.events(Some(&token), &headers, body), "/v1/events/{token}")
}

#[derive(Deserialize)]
struct EchoQuery {
    zd_echo: Option<String>,
}

async fn zadarma_echo(Query(q): Query<EchoQuery>) -> Response {
    match q.zd_echo.as_deref().and_then(zadarma::echo) {
        Some(echo) => {
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], echo.to_string()).into_response()
        }
        None => Refused(PushError::bad_body("`zd_echo` must be 1-64 letters, digits, `-` or `_`")).into_response(),
    }
}

async fn zadarma_post(State(s): State<AppState>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Answer {
    let answer = (|| {
        let body = body_of(body, s.config.limits.max_body_bytes).map_err(Refused)?;
        let fields = Fields::from_body(&body, looks_like_form(&headers, &body)).map_err(Refused)?;
        if !fields.get("event").is_some_and(|e| zadarma::EVENTS.contains(&e)) {
            // NOTIFY_RECORD, NOTIFY_IVR, SMS…: not call events for a card; nothing is queued.
            return Ok((StatusCode::OK, Json(Accepted { accepted: 0 })));
        }
        let signature = headers.get("signature").and_then(|v| v.to_str().ok()).unwrap_or("");
        let mut account = None;
        for (i, a) in s.config.zadarma.iter().enumerate() {
            if zadarma::verify(&fields, signature, a.secret.expose()) && account.is_none() {
                account = Some((i, a));
            }
        }
        let (i, account) = account.ok_or(Refused(PushError::BadSignature))?;
        s.rate(&format!("zadarma:{i}")).map_err(Refused)?;
        let events =
            zadarma::map(&fields, &account.tenant, &account.did_extensions, Timestamp::now()).map_err(Refused)?;
        let n = s.enqueue(events).map_err(Refused)?;
        Ok((StatusCode::OK, Json(Accepted { accepted: n })))
    })();
    logged(answer, "/v1/webhooks/zadarma")
}

async fn binotel_post(
    State(s): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let answer = (|| {
        let i =
            find_secret(&token, s.config.binotel.iter().map(|a| &a.token)).ok_or(Refused(PushError::BadSignature))?;
        let account = s.config.binotel.get(i).ok_or(Refused(PushError::BadSignature))?;
        s.rate(&format!("binotel:{i}")).map_err(Refused)?;
        let body = body_of(body, s.config.limits.max_body_bytes).map_err(Refused)?;
        let fields = Fields::from_body(&body, looks_like_form(&headers, &body)).map_err(Refused)?;
        if !binotel::company_matches(&fields, account.company_id.as_deref()) {
            return Err(Refused(PushError::BadSignature));
        }
        let events = binotel::map(&fields, &account.tenant, Timestamp::now()).map_err(Refused)?;
        let n = s.enqueue(events).map_err(Refused)?;
        Ok((StatusCode::OK, Json(Accepted { accepted: n })))
    })();
    logged(answer, "/v1/webhooks/binotel/{token}")
}

#[derive(Deserialize)]
struct EventQuery {
    event: Option<String>,
}

async fn ringostat_post(
    State(s): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<EventQuery>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Answer {
    let answer = (|| {
        let i =
            find_secret(&token, s.config.ringostat.iter().map(|a| &a.token)).ok_or(Refused(PushError::BadSignature))?;
        let account = s.config.ringostat.get(i).ok_or(Refused(PushError::BadSignature))?;
        s.rate(&format!("ringostat:{i}")).map_err(Refused)?;
        let body = body_of(body, s.config.limits.max_body_bytes).map_err(Refused)?;
        let fields = Fields::from_body(&body, looks_like_form(&headers, &body)).map_err(Refused)?;
        let events = ringostat::map(&fields, q.event.as_deref(), &account.tenant, Timestamp::now()).map_err(Refused)?;
        let n = s.enqueue(events).map_err(Refused)?;
        Ok((StatusCode::OK, Json(Accepted { accepted: n })))
    })();
    logged(answer, "/v1/webhooks/ringostat/{token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_is_compared_and_an_empty_one_never_matches() {
        let secrets = [Secret::new(""), Secret::new("abc"), Secret::new("abcd")];
        assert_eq!(find_secret("abc", secrets.iter()), Some(1));
        assert_eq!(find_secret("abcd", secrets.iter()), Some(2));
        assert_eq!(find_secret("", secrets.iter()), None);
        assert_eq!(find_secret("ab", secrets.iter()), None);
    }

    #[test]
    fn the_bearer_scheme_is_read_in_any_case() {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("bearer  tok "));
        assert_eq!(bearer(&h), Some("tok"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic tok"));
        assert_eq!(bearer(&h), None);
    }
}
