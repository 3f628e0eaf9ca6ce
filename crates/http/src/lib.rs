//! The one HTTP client of Ringside's connectors (CRMs, telephony providers): rustls with the ring
//! provider and the OS trust store, a time bound per request, redirects only to the same origin
//! (at most 3), and a body read chunk by chunk up to 2 MiB.
//!
//! Every failure is an [`HttpError`] whose message names the server by its host (and port), never
//! by its URL: a URL may hold a caller's number, a webhook code or a key.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ringside_http::HttpError> {
//! use std::time::Duration;
//! let client = ringside_http::Client::new(Duration::from_secs(5))?;
//! let url = url::Url::parse("https://api.example.com/v1/ping").expect("a valid URL");
//! let host = ringside_http::host_label(&url);
//! let answer = client.send(client.get(url), &host).await?;
//! println!("{} answered {} with {} bytes", host, ringside_http::status_text(answer.status), answer.body.len());
//! # Ok(()) }
//! ```

/// The text helpers every connector shares (re-exported so connectors need one dependency).
pub use ringside_text as text;

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

pub use reqwest::{Method, RequestBuilder, StatusCode};
use url::Url;

use crate::text::clean_message;

/// The most of a body that is read; past it the answer is [`HttpError::TooLarge`].
pub const MAX_BODY: usize = 2 * 1024 * 1024;
/// Redirects followed in a row (each to the same origin).
pub const MAX_REDIRECTS: usize = 3;

/// Why a request got no complete answer. `Display` is a plain sentence that names the host (and
/// port), never a URL's path or query; every field is an owned `String` so the error is `Clone`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The server redirected to another origin (scheme, host or port). The request was not
    /// repeated there, so nothing (no number, no key) left for the other site.
    #[error("{from} redirected to {to}, another site; Ringside does not follow it")]
    CrossOriginRedirect { from: String, to: String },

    /// More than [`MAX_REDIRECTS`] redirects in a row.
    #[error("{host} redirected more than 3 times")]
    TooManyRedirects { host: String },

    /// No complete answer (headers and body) within the client's time bound.
    #[error("{host} did not answer within {ms} ms")]
    Timeout { host: String, ms: u64 },

    /// DNS, TCP or TLS failed before a request could be sent; `reason` is the innermost cause
    /// ("connection refused", "TLS handshake failed: invalid peer certificate: UnknownIssuer", …).
    #[error("cannot reach {host}: {reason}")]
    Unreachable { host: String, reason: String },

    /// The body is bigger than [`MAX_BODY`] (declared or streamed).
    #[error("{host} answered with more than 2 MiB")]
    TooLarge { host: String },

    /// Any other transport failure.
    #[error("the request to {host} failed: {reason}")]
    Other { host: String, reason: String },

    /// No client could be built (the TLS setup failed).
    #[error("cannot set up HTTPS: {reason}")]
    Setup { reason: String },
}

impl HttpError {
    /// True when asking again later may succeed without anybody changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, HttpError::Timeout { .. } | HttpError::Unreachable { .. } | HttpError::Other { .. })
    }
}

/// `host` or `host:port` when the port is not the scheme's default: how an address is named in
/// messages and logs (never its path, which may hold a number or a webhook code).
pub fn host_label(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// `"500 Internal Server Error"`.
pub fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

/// An HTTP client with Ringside's rules. Cheap to clone (reqwest's client is an `Arc` inside).
#[derive(Debug, Clone)]
pub struct Client {
    client: reqwest::Client,
    timeout_ms: u64,
}

impl Client {
    /// A client whose every request (connect, headers and body) is bounded by `timeout`, sending
    /// `User-Agent: Ringside/<version>` and no `Referer`.
    pub fn new(timeout: Duration) -> Result<Client, HttpError> {
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
            .map_err(|e| HttpError::Setup { reason: short_reason(&e) })?;
        Ok(Client { client, timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX) })
    }

    /// The time bound of each request, in milliseconds.
    pub fn timeout_ms(&self) -> u64 {
        self.timeout_ms
    }

    /// A request with `method` to `url`, to be finished (headers, body) and handed to [`send`](Self::send).
    pub fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.client.request(method, url)
    }

    /// A `GET` to `url`.
    pub fn get(&self, url: Url) -> RequestBuilder {
        self.client.get(url)
    }

    /// A `POST` to `url`.
    pub fn post(&self, url: Url) -> RequestBuilder {
        self.client.post(url)
    }

    /// Sends `request` and reads the whole body, failing as soon as it passes [`MAX_BODY`] (a
    /// `Content-Length` above it is refused before reading). `host` names the server in errors.
    pub async fn send(&self, request: RequestBuilder, host: &str) -> Result<Answer, HttpError> {
        let mut response = request.send().await.map_err(|e| self.map_error(e, host))?;
        let status = response.status();
        let too_large = || HttpError::TooLarge { host: host.to_string() };
        if response.content_length().is_some_and(|len| len > MAX_BODY as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.map_error(e, host))? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, body })
    }

    fn map_error(&self, e: reqwest::Error, host: &str) -> HttpError {
        // The URL may hold a number, a key or a webhook code: never let it into a message.
        let e = e.without_url();
        let host = host.to_string();
        if e.is_redirect() {
            if let Some(co) = find_source::<CrossOrigin>(&e) {
                return HttpError::CrossOriginRedirect { from: co.from.clone(), to: co.to.clone() };
            }
            return HttpError::TooManyRedirects { host };
        }
        if e.is_timeout() {
            return HttpError::Timeout { host, ms: self.timeout_ms };
        }
        let reason = short_reason(&e);
        if e.is_connect() {
            return HttpError::Unreachable { host, reason };
        }
        HttpError::Other { host, reason }
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
/// layers' URL and wrapping; one line of at most 160 characters. Should a cause still quote an
/// address, its credentials and secret-looking query values are masked.
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
    let text = clean_message(&innermost.to_string(), 160);
    if tls {
        return format!("TLS handshake failed: {text}");
    }
    if text.is_empty() {
        "unknown error".to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_label_names_the_port_only_when_it_is_not_the_default() {
        let url = Url::parse("https://api.example.com/secret/path?number=1").unwrap();
        assert_eq!(host_label(&url), "api.example.com");
        let url = Url::parse("http://127.0.0.1:8080/x").unwrap();
        assert_eq!(host_label(&url), "127.0.0.1:8080");
    }

    #[test]
    fn host_label_never_names_the_credentials() {
        let url = Url::parse("https://robo7:pw@api.example.com:8443/x?api_key=k").unwrap();
        assert_eq!(host_label(&url), "api.example.com:8443");
    }

    /// An error whose innermost cause quotes the address it failed on.
    #[derive(Debug)]
    struct Quoting(&'static str);

    impl fmt::Display for Quoting {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Quoting {}

    #[test]
    fn a_reason_that_quotes_an_address_has_its_secrets_masked() {
        let cause = Quoting("invalid redirect to https://robo7:pw@api.example.com/cb?token=s3cret&x=1");
        assert_eq!(short_reason(&cause), "invalid redirect to https://••••@api.example.com/cb?token=••••&x=1");
    }

    #[test]
    fn status_text_has_the_reason_when_there_is_one() {
        assert_eq!(status_text(StatusCode::INTERNAL_SERVER_ERROR), "500 Internal Server Error");
        assert_eq!(status_text(StatusCode::from_u16(599).unwrap()), "599");
    }

    #[test]
    fn messages_are_sentences_without_urls() {
        let e = HttpError::CrossOriginRedirect { from: "a.example".into(), to: "b.example".into() };
        assert_eq!(e.to_string(), "a.example redirected to b.example, another site; Ringside does not follow it");
        assert_eq!(HttpError::Timeout { host: "h:1".into(), ms: 300 }.to_string(), "h:1 did not answer within 300 ms");
        assert!(HttpError::Timeout { host: "h".into(), ms: 1 }.is_transient());
        assert!(!HttpError::TooLarge { host: "h".into() }.is_transient());
    }

    #[test]
    fn client_and_error_are_send_sync() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<Client>();
        assert_send_sync::<HttpError>();
    }
}
