//! The one HTTP client of a connector: rustls (ring) with the OS trust store, a time bound per
//! request, same-origin redirects only, and a body read chunk by chunk up to 2 MiB.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode};
use url::Url;

use crate::text::clean_text;
use crate::CrmError;

/// The most of a body that is read; past it the answer is an error.
pub(crate) const MAX_BODY: usize = 2 * 1024 * 1024;
/// Redirects followed in a row (each to the same origin).
const MAX_REDIRECTS: usize = 3;

/// `host` or `host:port` when the port is not the scheme's default: how an address is named in
/// messages and logs (never its path, which may hold a number or a webhook code).
pub(crate) fn host_label(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// The redirect policy's refusal of a redirect to another origin, found again in the error chain.
#[derive(Debug)]
struct CrossOrigin {
    from: String,
    to: String,
}

impl fmt::Display for CrossOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redirect from {} to another origin ({})", self.from, self.to)
    }
}

impl StdError for CrossOrigin {}

#[derive(Debug)]
struct TooManyRedirects;

impl fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "more than {MAX_REDIRECTS} redirects")
    }
}

impl StdError for TooManyRedirects {}

/// Follows a redirect only to the origin (scheme, host, port) of the first request, at most
/// [`MAX_REDIRECTS`] times. Anything else fails before a byte goes to the new address, so a key
/// in a custom header (which reqwest would forward) never reaches another site.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else {
            return attempt.error(TooManyRedirects);
        };
        if attempt.url().origin() != first.origin() {
            let err = CrossOrigin { from: host_label(first), to: host_label(attempt.url()) };
            return attempt.error(err);
        }
        // `previous` holds the first request too.
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(TooManyRedirects);
        }
        attempt.follow()
    })
}

/// A status and a body of at most [`MAX_BODY`] bytes.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

/// `"500 Internal Server Error"`.
pub(crate) fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

pub(crate) struct Http {
    client: reqwest::Client,
    timeout_ms: u64,
}

impl Http {
    /// A client whose every request (connect, headers and body) is bounded by `timeout`.
    pub(crate) fn new(timeout: Duration) -> Result<Http, String> {
        // reqwest is built without a default crypto provider (no aws-lc C build): install ring as
        // the process default once. A second call, or another provider already installed, is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("Ringside/", env!("CARGO_PKG_VERSION")))
            .redirect(redirect_policy())
            .referer(false)
            .build()
            .map_err(|e| format!("cannot set up HTTPS: {}", short_reason(&e)))?;
        Ok(Http { client, timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX) })
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends `request` and reads the whole body, failing as soon as it passes [`MAX_BODY`].
    /// `host` names the server in errors; `fix` says what to change after a refused redirect.
    pub(crate) async fn send(
        &self,
        request: RequestBuilder,
        source: &str,
        host: &str,
        fix: &str,
    ) -> Result<Answer, CrmError> {
        let mut response = request.send().await.map_err(|e| self.map_error(e, host, fix))?;
        let status = response.status();
        tracing::debug!(source, host, status = status.as_u16(), "CRM answered");
        let too_large = || CrmError::TooLarge { host: host.to_string() };
        if response.content_length().is_some_and(|len| len > MAX_BODY as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.map_error(e, host, fix))? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, body })
    }

    fn map_error(&self, e: reqwest::Error, host: &str, fix: &str) -> CrmError {
        // The URL may hold the caller's number or a webhook code: never let it into a message.
        let e = e.without_url();
        let host = host.to_string();
        if e.is_redirect() {
            if let Some(co) = find_source::<CrossOrigin>(&e) {
                return CrmError::CrossOriginRedirect {
                    from: co.from.clone(),
                    to: co.to.clone(),
                    fix: fix.to_string(),
                };
            }
            return CrmError::TooManyRedirects { host, fix: fix.to_string() };
        }
        if e.is_timeout() {
            return CrmError::Timeout { host, ms: self.timeout_ms };
        }
        let reason = short_reason(&e);
        if e.is_connect() {
            return CrmError::Unreachable { host, reason };
        }
        CrmError::Http { host, reason }
    }
}

fn find_source<'a, T: StdError + 'static>(e: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        next = err.source();
    }
    None
}

/// The innermost cause, which names what happened ("connection refused", "invalid peer
/// certificate: UnknownIssuer", "failed to lookup address information: …") without the outer
/// layers' URL and wrapping.
fn short_reason(e: &(dyn StdError + 'static)) -> String {
    let mut innermost = e;
    let mut next = Some(e);
    let mut tls = false;
    while let Some(err) = next {
        tls |= err.is::<rustls::Error>();
        innermost = err;
        next = match err.downcast_ref::<std::io::Error>() {
            Some(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => return "connection refused".to_string(),
            // io::Error's source() skips the error it wraps (tokio-rustls wraps rustls's that way).
            Some(io) => io.get_ref().map(|inner| inner as &(dyn StdError + 'static)),
            None => err.source(),
        };
    }
    let text = clean_text(&innermost.to_string(), 160);
    if tls {
        return format!("TLS handshake failed: {text}");
    }
    if text.is_empty() {
        "unknown error".to_string()
    } else {
        text
    }
}
