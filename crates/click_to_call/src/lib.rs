//! Click-to-call through a telephony provider's HTTP API: the provider rings the agent's phone or
//! extension first, then the customer.
//!
//! - **Binotel** (`kind = "binotel"`): `calls/internal-number-to-external-number`, key and secret
//!   in the JSON body.
//! - **Ringostat** (`kind = "ringostat"`): `callback/outward_call`, the `Auth-key` header.
//! - **Zadarma** (`kind = "zadarma"`): `GET /v1/request/callback/`, a signed `Authorization`.
//! - **Any HTTP API** (`kind = "http"`): method, URL, headers and body as templates with
//!   `{number}`, `{extension}` and `{secret}`.
//!
//! Every request goes through ringside-http (rustls with the OS trust store, a time bound,
//! same-origin redirects only, answers up to 2 MiB). The number must be made of `0-9 + * #`
//! only; anything else is refused before a request is built. Every failure is a [`CallError`]
//! whose message is a sentence for the agent; no message and no log line holds a secret. See
//! `docs/click-to-call.md`.
//!
//! ```no_run
//! # async fn demo(connection: &ringside_dial::settings::ConnectionConfig, secret: ringside_secrets::SecretString)
//! # -> Result<(), ringside_click_to_call::CallError> {
//! use ringside_click_to_call::Provider;
//! let provider = Provider::new(connection, Some(secret), std::time::Duration::from_secs(10))?;
//! println!("{}", provider.preview("+380441234567")?); // what would be sent, secrets as ••••
//! let placed = provider.place("+380441234567").await?;
//! println!("{} is ringing your phone (call {:?})", provider.label(), placed.provider_call_id);
//! # Ok(()) }
//! ```

mod answer;
mod binotel;
mod error;
mod generic;
mod request;
mod ringostat;
mod zadarma;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ringside_dial::settings::{ConnectionConfig, ConnectionKind};
use ringside_http::host_label;
use ringside_secrets::{SecretKey, SecretString};
use url::Url;

pub use error::CallError;
pub use request::{RequestPreview, MASK};

use answer::Who;
use request::{check_number, Built};

/// The provider accepted the call: the agent's phone is about to ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The provider's id of the call when its answer has one (Binotel's `generalCallID`).
    pub provider_call_id: Option<String>,
}

/// One provider connection, ready to place calls. Cheap to clone (an `Arc` inside); `Send + Sync`;
/// its `Debug` shows the name and the label, never the key.
#[derive(Clone)]
pub struct Provider {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    name: String,
    http: ringside_http::Client,
    secret: Option<SecretString>,
    api: Api,
}

#[derive(Clone)]
enum Api {
    Binotel(binotel::Binotel),
    Ringostat(ringostat::Ringostat),
    Zadarma(zadarma::Zadarma),
    Http(Box<generic::Generic>),
}

/// The word for a connection's kind, as written in the config.
fn kind_word(kind: &ConnectionKind) -> &'static str {
    match kind {
        ConnectionKind::Pbx => "pbx",
        ConnectionKind::Microsip { .. } => "microsip",
        ConnectionKind::Zoiper { .. } => "zoiper",
        ConnectionKind::System { .. } => "system",
        ConnectionKind::Command { .. } => "command",
        ConnectionKind::Binotel { .. } => "binotel",
        ConnectionKind::Ringostat { .. } => "ringostat",
        ConnectionKind::Zadarma { .. } => "zadarma",
        ConnectionKind::Http(_) => "http",
    }
}

/// A base address: `https://`, or `http://` to this computer only; no user, query or fragment;
/// the path ends with `/` so that the method's path is appended to it.
fn parse_base(base: &str, name: &str) -> Result<Url, CallError> {
    let problem = |why: &str| CallError::Config { name: name.to_string(), problem: format!("base URL {why}") };
    let mut url = Url::parse(base).map_err(|_| problem("is not a valid address"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(problem("has no host")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(problem("is plain http to another computer; use https://")),
        _ => return Err(problem("is not an https:// address")),
    }
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err(problem("may not have a user name, a '?' or a '#' part"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// `base` + `path` (relative, no leading `/`).
pub(crate) fn endpoint(base: &Url, path: &str, name: &str) -> Result<Url, CallError> {
    base.join(path).map_err(|_| CallError::Config { name: name.to_string(), problem: format!("cannot call {path}") })
}

impl Provider {
    /// A provider for `connection` (kinds `binotel`, `ringostat`, `zadarma` and `http`; any other
    /// kind is [`CallError::NotAProvider`]). `timeout` bounds each request.
    ///
    /// A missing secret is not an error here: [`place`](Self::place) and
    /// [`preview`](Self::preview) report it ([`CallError::NoSecret`]).
    pub fn new(
        connection: &ConnectionConfig,
        secret: Option<SecretString>,
        timeout: Duration,
    ) -> Result<Provider, CallError> {
        let name = connection.name.clone();
        let base = |default: &str| parse_base(default, &name);
        let api = match &connection.kind {
            ConnectionKind::Binotel { key, extension } => Api::Binotel(binotel::Binotel {
                key: key.clone(),
                extension: extension.clone(),
                base: base(binotel::BASE)?,
            }),
            ConnectionKind::Ringostat { project_id, extension } => Api::Ringostat(ringostat::Ringostat {
                project_id: project_id.clone(),
                extension: extension.clone(),
                base: base(ringostat::BASE)?,
            }),
            ConnectionKind::Zadarma { key, extension } => Api::Zadarma(zadarma::Zadarma {
                key: key.clone(),
                extension: extension.clone(),
                base: base(zadarma::BASE)?,
            }),
            ConnectionKind::Http(http) => Api::Http(Box::new(generic::Generic::new(&name, http)?)),
            other => return Err(CallError::NotAProvider { name, kind: kind_word(other).to_string() }),
        };
        let http = ringside_http::Client::new(timeout)?;
        Ok(Provider { inner: Arc::new(Inner { name, http, secret, api }) })
    }

    /// The same provider asking `base` instead of the provider's public address (Binotel
    /// `https://api.binotel.com/api/4.0/`, Ringostat `https://api.ringostat.net/`, Zadarma
    /// `https://api.zadarma.com/`): for tests against a local server, and for self-hosted or
    /// regional endpoints (Zadarma's sandbox `https://api-sandbox.zadarma.com/`). The method's
    /// path is appended to it (`calls/internal-number-to-external-number.json`,
    /// `callback/outward_call`, `v1/request/callback/`). It must be `https://`, or `http://` to
    /// this computer. An `http` connection's address is its `url` setting: asking it for another
    /// base is a [`CallError::Config`].
    pub fn with_base_url(self, base: &str) -> Result<Provider, CallError> {
        let name = self.inner.name.clone();
        let url = parse_base(base, &name)?;
        let mut inner = Inner::clone(&self.inner);
        match &mut inner.api {
            Api::Binotel(api) => api.base = url,
            Api::Ringostat(api) => api.base = url,
            Api::Zadarma(api) => api.base = url,
            Api::Http(_) => {
                return Err(CallError::Config {
                    name,
                    problem: "an http connection's address is its url setting; it has no other base URL".to_string(),
                })
            }
        }
        Ok(Provider { inner: Arc::new(inner) })
    }

    /// The connection's name, e.g. `office`.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// What the UI calls the provider: `Binotel`, `Ringostat`, `Zadarma`, or the HTTP API's host
    /// (with the port when it is not the default).
    pub fn label(&self) -> String {
        match &self.inner.api {
            Api::Binotel(_) => "Binotel".to_string(),
            Api::Ringostat(_) => "Ringostat".to_string(),
            Api::Zadarma(_) => "Zadarma".to_string(),
            Api::Http(api) => api.host().to_string(),
        }
    }

    fn build(&self, number: &str) -> Result<Built, CallError> {
        check_number(number)?;
        let inner = &*self.inner;
        let name = inner.name.as_str();
        let secret = || inner.secret.as_ref().ok_or_else(|| CallError::NoSecret { name: name.to_string() });
        match &inner.api {
            Api::Binotel(api) => api.build(name, number, secret()?),
            Api::Ringostat(api) => api.build(name, number, secret()?),
            Api::Zadarma(api) => api.build(name, number, secret()?),
            Api::Http(api) => api.build(name, number, inner.secret.as_ref()),
        }
    }

    /// The exact request [`place`](Self::place) would send for `number`, every secret shown as
    /// `••••` (for `ringside-cli dial --dry-run`). Fails as `place` would before sending: a number
    /// that is not `0-9 + * #`, a missing or unusable key.
    pub fn preview(&self, number: &str) -> Result<RequestPreview, CallError> {
        Ok(self.build(number)?.preview())
    }

    /// Asks the provider to place the call to `number` (already written by the connection's dial
    /// rule). `Ok` when the provider accepted it: the agent's phone rings first, then the customer.
    pub async fn place(&self, number: &str) -> Result<Placed, CallError> {
        let built = self.build(number)?;
        let inner = &*self.inner;
        let host = host_label(&built.url);
        let mut request = inner.http.request(built.method, built.url);
        for header in built.headers {
            request = request.header(header.name, header.value);
        }
        if let Some((body, _)) = built.body {
            request = request.body(body);
        }
        let label = self.label();
        let answer = match inner.http.send(request, &host).await {
            Ok(answer) => answer,
            Err(e) => {
                tracing::debug!(connection = %inner.name, host, error = %e, "click-to-call request failed");
                return Err(e.into());
            }
        };
        tracing::debug!(connection = %inner.name, host, status = answer.status.as_u16(), "provider answered");
        let result = match &inner.api {
            Api::Binotel(api) => api.outcome(&Who { provider: &label, name: &inner.name, keyed: true }, &answer),
            Api::Ringostat(api) => api.outcome(&Who { provider: &label, name: &inner.name, keyed: true }, &answer),
            Api::Zadarma(api) => api.outcome(&Who { provider: &label, name: &inner.name, keyed: true }, &answer),
            Api::Http(api) => api.outcome(&Who { provider: &label, name: &inner.name, keyed: api.keyed() }, &answer),
        };
        // The provider's words may repeat the number: only whether it worked is logged.
        tracing::debug!(connection = %inner.name, host, placed = result.is_ok(), "click-to-call done");
        result.map(|provider_call_id| Placed { provider_call_id })
    }
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider").field("name", &self.inner.name).field("label", &self.label()).finish()
    }
}

/// Whether a connection of this kind needs a secret: always for Binotel, Ringostat and Zadarma;
/// for `http` when a template holds `{secret}`; never for the other kinds.
pub fn needs_secret(kind: &ConnectionKind) -> bool {
    match kind {
        ConnectionKind::Binotel { .. } | ConnectionKind::Ringostat { .. } | ConnectionKind::Zadarma { .. } => true,
        ConnectionKind::Http(http) => generic::uses_secret(http),
        _ => false,
    }
}

/// The keychain entry of a connection's secret: `dial:<name>`.
pub fn secret_key(name: &str) -> SecretKey {
    SecretKey::named("dial", name)
}

/// The environment variable a connection's secret may come from on a headless machine:
/// `RINGSIDE_DIAL_<NAME>_SECRET`, the name upper-cased with `-` as `_`.
pub fn secret_env_var(name: &str) -> String {
    let name: String = name.chars().map(|c| if c == '-' { '_' } else { c.to_ascii_uppercase() }).collect();
    format!("RINGSIDE_DIAL_{name}_SECRET")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert_eq!(secret_key("office").as_str(), "dial:office");
        assert_eq!(secret_env_var("my-office_2"), "RINGSIDE_DIAL_MY_OFFICE_2_SECRET");
    }

    #[test]
    fn provider_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<Provider>();
        assert_send_sync::<CallError>();
    }

    #[test]
    fn base_urls_are_https_or_loopback() {
        assert_eq!(parse_base("https://api.example.com", "x").unwrap().as_str(), "https://api.example.com/");
        assert_eq!(parse_base("http://127.0.0.1:9/api/4.0", "x").unwrap().as_str(), "http://127.0.0.1:9/api/4.0/");
        assert!(parse_base("http://api.example.com/", "x").is_err());
        assert!(parse_base("ftp://api.example.com/", "x").is_err());
        assert!(parse_base("https://u:p@api.example.com/", "x").is_err());
        assert!(parse_base("https://api.example.com/?a=1", "x").is_err());
    }
}
