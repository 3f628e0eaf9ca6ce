//! CRM connectors over HTTP: find the customers a caller's number belongs to.
//!
//! - **REST** ([`CrmKind::Rest`]): one `GET` to a configured URL template (`{e164}`, `{digits}`,
//!   `{raw}`, each percent-encoded as one URL component), the key in a configured header, the
//!   JSON answer mapped onto [`CrmCustomer`] through configured JSON pointers.
//! - **Bitrix24** ([`CrmKind::Bitrix24`]): an incoming webhook (the secret);
//!   `crm.duplicate.findbycomm` then one `batch` of `crm.contact.get` / `crm.company.get` /
//!   `crm.deal.list`.
//!
//! Every connector holds one HTTP client (ringside-http): rustls with the ring provider and the OS
//! trust store, a time bound per request, redirects only to the same origin (at most 3), bodies
//! read up to 2 MiB. Text from the CRM is cleaned (control and bidi override characters removed,
//! one line, at most 200 characters) and links are kept only when they are `http(s)`. See
//! `docs/crm.md`.
//!
//! ```no_run
//! # async fn demo(config: &ringside_config::CrmConfig) -> Result<(), ringside_crm::CrmError> {
//! use ringside_crm::{Connector, CrmQuery};
//! let connector = Connector::new(config, None, std::time::Duration::from_millis(800))?;
//! let query = CrmQuery { raw: "+49 30 1234567".into(), e164: Some("+49301234567".into()), digits: "49301234567".into() };
//! for customer in connector.find(&query).await? {
//!     println!("{} ({})", customer.name, connector.label());
//! }
//! # Ok(()) }
//! ```

mod bitrix;
mod error;
mod http;
mod rest;
mod text;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ringside_config::{CrmConfig, CrmKind};
use ringside_secrets::{SecretKey, SecretString};
use serde::{Deserialize, Serialize};

pub use error::CrmError;

/// Most customers one lookup returns.
pub const MAX_CUSTOMERS: usize = 50;
/// Most orders (deals) kept per customer.
pub const MAX_ORDERS: usize = 20;

/// A number to look up, in the forms a URL template can use.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CrmQuery {
    /// As the PBX gave it: a stranger's text. It is percent-encoded wherever it goes.
    pub raw: String,
    /// `+` and digits, when the number could be normalised.
    pub e164: Option<String>,
    /// Digits only.
    pub digits: String,
}

/// A customer as a CRM describes it, cleaned for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmCustomer {
    /// The CRM's id (REST: the mapped `id`, empty if the answer has none; Bitrix24:
    /// `contact:12` or `company:7`).
    pub id: String,
    pub name: String,
    pub company: Option<String>,
    /// A link to the customer's page in the CRM; always `http(s)`.
    pub url: Option<String>,
    /// Open orders or deals, most recent first when the CRM says so; at most [`MAX_ORDERS`].
    pub orders: Vec<CrmOrder>,
}

/// An order, deal or ticket of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmOrder {
    pub title: String,
    pub status: Option<String>,
    /// As the CRM writes it, with the currency if it gives one (`"19999.99 EUR"`).
    pub amount: Option<String>,
}

/// One configured CRM, ready to be asked. Cheap to clone (an `Arc` inside); `Send + Sync`.
#[derive(Clone)]
pub struct Connector {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    http: http::Http,
    source: Source,
}

enum Source {
    Rest(Box<rest::Rest>),
    Bitrix24(bitrix::Bitrix),
}

impl Connector {
    /// A connector for `config` with its secret (the REST key, or the Bitrix24 webhook URL).
    /// `timeout` bounds each HTTP request (the orchestrator additionally bounds the whole lookup).
    ///
    /// Fails only when the configuration cannot work or no HTTP client can be built. A secret that
    /// is missing or unusable does not fail here: every [`find`](Self::find) reports it (e.g.
    /// [`CrmError::NoSecret`]), so the card says what to do.
    pub fn new(config: &CrmConfig, secret: Option<SecretString>, timeout: Duration) -> Result<Connector, CrmError> {
        let name = config.name.clone();
        let source = match &config.kind {
            CrmKind::Rest(rest) => Source::Rest(Box::new(rest::Rest::new(&name, rest, secret)?)),
            CrmKind::Bitrix24 => Source::Bitrix24(bitrix::Bitrix::new(&name, secret)),
        };
        let http = http::Http::new(timeout).map_err(|problem| CrmError::Config { name: name.clone(), problem })?;
        Ok(Connector { inner: Arc::new(Inner { name, http, source }) })
    }

    /// The configured name, e.g. `shop`.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// What the UI calls this source: `Bitrix24`, or the REST URL's host (`crm.example.com`, with
    /// the port when it is not the default).
    pub fn label(&self) -> String {
        match &self.inner.source {
            Source::Rest(rest) => rest.host().to_string(),
            Source::Bitrix24(_) => "Bitrix24".to_string(),
        }
    }

    /// Customers for the number, most recently contacted/modified first when the CRM says so,
    /// else in the CRM's order; at most [`MAX_CUSTOMERS`]. "No such number" is `Ok(vec![])`.
    pub async fn find(&self, query: &CrmQuery) -> Result<Vec<CrmCustomer>, CrmError> {
        let inner = &*self.inner;
        let (result, host) = match &inner.source {
            Source::Rest(rest) => (rest.find(&inner.http, query).await, rest.host()),
            Source::Bitrix24(b) => (b.find(&inner.http, query).await, b.host().unwrap_or("Bitrix24")),
        };
        match &result {
            Ok(customers) => {
                tracing::debug!(source = %inner.name, host, customers = customers.len(), "CRM lookup done")
            }
            Err(error) => tracing::debug!(source = %inner.name, host, %error, "CRM lookup failed"),
        }
        result
    }
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connector").field("name", &self.inner.name).field("label", &self.label()).finish()
    }
}

/// The keychain entry of a CRM's secret: `crm:<name>`.
pub fn secret_key(name: &str) -> SecretKey {
    SecretKey::named("crm", name)
}

/// The environment variable a CRM's secret may come from on a headless machine:
/// `RINGSIDE_CRM_<NAME>_SECRET`, the name upper-cased with `-` as `_`.
pub fn secret_env_var(name: &str) -> String {
    let name: String = name.chars().map(|c| if c == '-' { '_' } else { c.to_ascii_uppercase() }).collect();
    format!("RINGSIDE_CRM_{name}_SECRET")
}

/// Checks a secret before it is stored: for Bitrix24 that it is a webhook URL, for a REST CRM with
/// an `auth_header` that it can be sent in a header. The error never contains the secret.
pub fn check_secret(config: &CrmConfig, secret: &SecretString) -> Result<(), CrmError> {
    let name = config.name.clone();
    match &config.kind {
        CrmKind::Bitrix24 => {
            bitrix::parse_webhook(secret.expose()).map(|_| ()).map_err(|problem| CrmError::BadSecret { name, problem })
        }
        CrmKind::Rest(rest) => match rest::Rest::new(&name, rest, Some(secret.clone()))?.auth_error() {
            Some(e) => Err(e),
            None => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        assert_eq!(secret_key("shop").as_str(), "crm:shop");
        assert_eq!(secret_env_var("my-shop_2"), "RINGSIDE_CRM_MY_SHOP_2_SECRET");
    }

    #[test]
    fn connector_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
        assert_send_sync::<Connector>();
        assert_send_sync::<CrmError>();
    }
}
