//! A connector's HTTP client: ringside-http (rustls with the OS trust store, a time bound per
//! request, same-origin redirects only, bodies up to 2 MiB), its failures said as [`CrmError`]s.

use std::time::Duration;

use reqwest::RequestBuilder;
pub(crate) use ringside_http::{host_label, status_text, Answer};
use ringside_http::{HttpError, Method};
use url::Url;

use crate::CrmError;

pub(crate) struct Http {
    client: ringside_http::Client,
    /// For write-back: follows no redirect at all. reqwest turns a `POST` into a body-less `GET`
    /// on 301/302/303, and a `GET` that answers 2xx would pass for a written call (or, for
    /// Bitrix24's statistics, list every call); a write that is redirected fails instead.
    once: reqwest::Client,
    /// The bound of each request.
    timeout: Duration,
}

impl Http {
    /// A client whose every request (connect, headers and body) is bounded by `timeout`; the error
    /// is the problem, for [`CrmError::Config`].
    pub(crate) fn new(timeout: Duration) -> Result<Http, String> {
        // ringside-http installs the TLS provider the second client needs: build it first.
        let client = ringside_http::Client::new(timeout).map_err(|e| e.to_string())?;
        let once = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("Ringside/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .build()
            .map_err(|e| format!("cannot set up HTTPS: {}", ringside_http::text::clean_text(&e.to_string(), 160)))?;
        Ok(Http { client, once, timeout })
    }

    /// The bound of each request, as given to [`Http::new`].
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// A `POST` that is never redirected (write-back): a 3xx comes back as the answer.
    pub(crate) fn post_once(&self, url: Url) -> RequestBuilder {
        self.request_once(Method::POST, url)
    }

    /// A write (`POST`, `PUT`, `PATCH`) that is never redirected: a 3xx comes back as the answer.
    pub(crate) fn request_once(&self, method: Method, url: Url) -> RequestBuilder {
        self.once.request(method, url)
    }

    pub(crate) fn get(&self, url: Url) -> RequestBuilder {
        self.client.request(Method::GET, url)
    }

    pub(crate) fn post(&self, url: Url) -> RequestBuilder {
        self.client.request(Method::POST, url)
    }

    /// Sends `request` and reads the whole body (at most 2 MiB). `host` names the server in
    /// errors; `fix` says what to change after a refused redirect.
    pub(crate) async fn send(
        &self,
        request: RequestBuilder,
        source: &str,
        host: &str,
        fix: &str,
    ) -> Result<Answer, CrmError> {
        let answer = self.client.send(request, host).await.map_err(|e| crm_error(e, fix))?;
        tracing::debug!(source, host, status = answer.status.as_u16(), "CRM answered");
        Ok(answer)
    }
}

/// The CRM's sentence for a transport failure.
fn crm_error(e: HttpError, fix: &str) -> CrmError {
    let fix = fix.to_string();
    match e {
        HttpError::CrossOriginRedirect { from, to } => CrmError::CrossOriginRedirect { from, to, fix },
        HttpError::TooManyRedirects { host } => CrmError::TooManyRedirects { host, fix },
        HttpError::Timeout { host, ms } => CrmError::Timeout { host, ms },
        HttpError::Unreachable { host, reason } => CrmError::Unreachable { host, reason },
        HttpError::TooLarge { host } => CrmError::TooLarge { host },
        HttpError::Other { host, reason } => CrmError::Http { host, reason },
        HttpError::Setup { reason } => CrmError::Http { host: "this computer".to_string(), reason },
    }
}
