//! CRM connectors over HTTP: find the customers a caller's number belongs to.
//!
//! - **REST** ([`CrmKind::Rest`]): one `GET` to a configured URL template (`{e164}`, `{digits}`,
//!   `{raw}`, each percent-encoded as one URL component), the key in a configured header, the
//!   JSON answer mapped onto [`CrmCustomer`] through configured JSON pointers.
//! - **Bitrix24** ([`CrmKind::Bitrix24`]): an incoming webhook (the secret);
//!   `crm.duplicate.findbycomm` then one `batch` of `crm.contact.get` / `crm.company.get` /
//!   `crm.lead.get` / `crm.deal.list`, then one `user.get` for the responsible users' names. A
//!   customer's [`deal`](CrmCustomer::deal) is the open deal a call with them is bound to.
//!
//! A finished call (its log and the agent's note) is written back with
//! [`Connector::write_call`]: REST `POST`s the [`CallLog`] as JSON to `log_url` with an
//! `Idempotency-Key`; Bitrix24 registers and finishes an external call
//! (`telephony.externalcall.register` / `finish`), puts the note on the call's CRM activity and
//! binds that activity to the deal the agent chose ([`CallLog::deal_id`]).
//! A change to a call the CRM has taken ([`Prior::Written`], e.g. an edited note) updates that
//! record: REST sends it to `log_update_url` (`PUT` by default) or `POST`s it to `log_url` under a
//! key of its own ([`revision_key`]); Bitrix24 sets the activity's description again and never
//! registers the call twice. Retrying is safe: see `docs/crm.md`, "Write-back".
//!
//! A customer is created with [`Connector::create`] ("Create customer" on the card, or an unknown
//! caller created by itself): REST `POST`s the name, company and number to `create_url` as the
//! field map places them, with an `Idempotency-Key`; Bitrix24 adds a contact or a lead, its
//! `ORIGIN_ID` the same key, looked for first so a retry finds what it made.
//! [`Connector::new_order_url`] is the CRM's page for a new order or deal of a customer.
//!
//! Every connector holds one HTTP client (ringside-http): rustls with the ring provider and the OS
//! trust store, a time bound per request, redirects only to the same origin (at most 3), bodies
//! read up to 2 MiB. Text from the CRM is cleaned (control and bidi override characters removed,
//! one line, at most 200 characters) and links are kept only when they are `http(s)`. See
//! `docs/crm.md`.
//!
//! [`settings`] holds the values a connector runs on ([`CrmConfig`]), which ringside-config reads
//! from `config.toml`.
//!
//! ```no_run
//! # async fn demo(config: &ringside_crm::settings::CrmConfig) -> Result<(), ringside_crm::CrmError> {
//! use ringside_crm::{Connector, CrmQuery};
//! let connector = Connector::new(config, None, std::time::Duration::from_millis(800))?;
//! let query = CrmQuery { raw: "+49 30 1234567".into(), e164: Some("+49301234567".into()), digits: "49301234567".into() };
//! for customer in connector.find(&query).await? {
//!     println!("{} ({})", customer.name, connector.label());
//! }
//! # Ok(()) }
//! ```

mod bitrix;
mod create;
mod error;
mod http;
mod rest;
pub mod settings;
mod text;
mod writeback;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use ringside_secrets::{SecretKey, SecretString};
use serde::{Deserialize, Serialize};

use settings::{CrmConfig, CrmKind};

pub use create::{create_fields_problem, CreatedKind, NewCustomer, Origin};
pub use error::CrmError;
pub use ringside_http::text::WebUrl;
pub use writeback::{
    clean_note, revision_key, Attempt, CallDirection, CallLog, Prior, WriteReceipt, MAX_NOTE_BYTES, NOTE_CUT_MARKER,
};

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
    /// `contact:12`, `company:7` or `lead:31`).
    pub id: String,
    pub name: String,
    pub company: Option<String>,
    /// A link to the customer's page in the CRM; always `http(s)`.
    pub url: Option<String>,
    /// Open orders or deals, most recent first when the CRM says so; at most [`MAX_ORDERS`].
    pub orders: Vec<CrmOrder>,
    /// What kind of record the customer is in a CRM that has several (Bitrix24: a contact, a
    /// company or a lead); `None` for a REST CRM.
    #[serde(default)]
    pub kind: Option<CrmRecordKind>,
    /// The display name of the CRM user responsible for the customer (Bitrix24: the
    /// `ASSIGNED_BY_ID` user's `NAME LAST_NAME`; REST: `fields.owner`), cleaned like every CRM text.
    #[serde(default)]
    pub owner: Option<String>,
    /// The id (as in [`CrmOrder::id`]) of the open deal a call with this customer is bound to by
    /// default: Bitrix24's oldest open deal, a REST CRM's first deal (`fields.deals`). `None` when
    /// the customer has no open deal or the CRM does not bind calls to deals. Always one of
    /// [`orders`](Self::orders).
    #[serde(default)]
    pub deal: Option<String>,
}

/// What kind of record a [`CrmCustomer`] is (Bitrix24 keeps people, companies and leads apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrmRecordKind {
    Contact,
    Company,
    Lead,
}

/// An order, deal or ticket of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmOrder {
    /// The deal's id in the CRM (Bitrix24: `"31"`; REST: `fields.deal_id` of an item of
    /// `fields.deals`); what [`CallLog::deal_id`] names. `None` for a REST CRM's `fields.orders`.
    #[serde(default)]
    pub id: Option<String>,
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
    Bitrix24(Box<bitrix::Bitrix>),
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
            CrmKind::Bitrix24(settings) => Source::Bitrix24(Box::new(bitrix::Bitrix::new(&name, settings, secret)?)),
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

    /// Whether finished calls can be written to this CRM: a REST CRM when `log_url` is configured;
    /// a Bitrix24 portal always (through its webhook, which then also needs the Telephony
    /// permission).
    pub fn can_write_back(&self) -> bool {
        match &self.inner.source {
            Source::Rest(rest) => rest.can_write(),
            Source::Bitrix24(_) => true,
        }
    }

    /// Writes a finished call (its log and the agent's note) into the CRM, safe to retry.
    ///
    /// `attempt.idempotency_key` must be stable per (call, CRM): the same key on every attempt
    /// for the same call (REST: the `Idempotency-Key` header of the first write; Bitrix24: the
    /// call's `EXTERNAL_CALL_ID`, which makes a repeated write find the call it already wrote).
    ///
    /// `attempt.prior` says what the CRM holds already:
    /// - [`Prior::Nothing`]: the first write (or a retry of one whose answer was lost).
    /// - [`Prior::Partial`]: the remote id from an earlier attempt that got half way, i.e. from
    ///   [`CrmError::partial_remote_id`] (Bitrix24: the `CALL_ID` registered before `finish`
    ///   failed); with it no second registration is made. REST CRMs never report one.
    /// - [`Prior::Written`]: the CRM took an earlier revision; this is a change (an edited note).
    ///   REST: the whole log to `log_update_url` with `log_update_method`, or `POST` to `log_url`,
    ///   under [`revision_key`] — never the first key with another body. Bitrix24: the note on
    ///   the call's activity again (found in the telephony statistics by `CALL_ID`); the call is
    ///   never registered or finished a second time.
    ///
    /// On failure: when the CRM already holds part of the call, the error is
    /// [`CrmError::Partial`] with the remote id to keep for the next attempt (store it, replacing
    /// any earlier one; an error without one leaves the stored one valid).
    /// [`is_permanent`](CrmError::is_permanent) says to stop retrying (the CRM refused this
    /// record), [`is_transient`](CrmError::is_transient) that a retry soon may work; neither:
    /// somebody has to change a setting, then the retry works.
    pub async fn write_call(&self, log: &CallLog, attempt: &Attempt<'_>) -> Result<WriteReceipt, CrmError> {
        let inner = &*self.inner;
        let log = log.prepared();
        let (result, host) = match &inner.source {
            Source::Rest(rest) => (rest.write(&inner.http, &log, attempt).await, rest.log_host()),
            Source::Bitrix24(b) => (b.write(&inner.http, &log, attempt).await, b.host().unwrap_or("Bitrix24")),
        };
        // Never the number, the note or a URL: the source, the host, the outcome.
        match &result {
            Ok(receipt) => tracing::debug!(
                source = %inner.name, host, outcome = %log.outcome, remote_id = receipt.remote_id.as_deref(),
                revision = attempt.revision, change = matches!(attempt.prior, Prior::Written { .. }),
                "call written to the CRM"
            ),
            Err(error) => tracing::debug!(
                source = %inner.name, host, permanent = error.is_permanent(),
                partial = error.partial_remote_id(), %error, "writing the call to the CRM failed"
            ),
        }
        result
    }
}

impl Connector {
    /// What "Create customer" makes in this CRM: a REST CRM's customer when `create_url` is set
    /// (else `None`: it cannot create); a Bitrix24 contact or lead (`create_as`).
    pub fn creates(&self) -> Option<CreatedKind> {
        match &self.inner.source {
            Source::Rest(rest) => rest.can_create().then_some(CreatedKind::Customer),
            Source::Bitrix24(b) => Some(bitrix_kind(b.settings().create_as)),
        }
    }

    /// What this CRM makes by itself for an unknown caller the agent answered (`auto_create`);
    /// `None`: nothing.
    pub fn auto_creates(&self) -> Option<CreatedKind> {
        match &self.inner.source {
            Source::Rest(rest) => rest.auto_creates().then_some(CreatedKind::Customer),
            Source::Bitrix24(b) => b.settings().auto_create.map(bitrix_kind),
        }
    }

    /// Whether a new customer's company is kept (a REST CRM: when the field map has `company`).
    pub fn takes_company(&self) -> bool {
        match &self.inner.source {
            Source::Rest(rest) => rest.takes_company(),
            Source::Bitrix24(_) => true,
        }
    }

    /// Creates the customer, or finds the one an earlier attempt of the same request (the same
    /// [`NewCustomer::idempotency_key`]) created: retrying after a time-out makes no second one
    /// (REST: when the CRM honours `Idempotency-Key`; Bitrix24: the key is the record's
    /// `ORIGIN_ID`, looked for before anything is added). The customer's id, name, company and
    /// page as the CRM has them; no orders.
    ///
    /// [`CrmError::is_permanent`] when the CRM refused the customer as invalid
    /// ([`CrmError::NotCreated`]); [`CrmError::is_transient`] when asking again soon may work.
    pub async fn create(&self, new: &NewCustomer) -> Result<CrmCustomer, CrmError> {
        let inner = &*self.inner;
        let (result, host) = match &inner.source {
            Source::Rest(rest) => (rest.create(&inner.http, new).await, rest.create_host()),
            Source::Bitrix24(b) => (b.create(&inner.http, new).await, b.host().unwrap_or("Bitrix24")),
        };
        // Never the name, the number or a URL: the source, the host, the id.
        match &result {
            Ok(customer) => tracing::info!(
                source = %inner.name, host, customer = %customer.id, automatic = new.origin == Origin::Automatic,
                "customer created in the CRM"
            ),
            Err(error) => tracing::debug!(
                source = %inner.name, host, permanent = error.is_permanent(), %error, "creating the customer failed"
            ),
        }
        result
    }

    /// The CRM's page for a new order or deal of `customer_id` (this CRM's id, as the card has
    /// it) called from `number`: `new_order_url` filled in (`{number}`, `{digits}`,
    /// `{customer_id}`, each URL-encoded), or, for Bitrix24 without it, the portal's new-deal page
    /// with the contact or company (`/crm/deal/details/0/?contact_id=12`). [`CrmError::NoOrderPage`]
    /// when there is none.
    pub fn new_order_url(&self, number: &CrmQuery, customer_id: &str) -> Result<WebUrl, CrmError> {
        let inner = &*self.inner;
        let url = match &inner.source {
            Source::Rest(rest) => rest.new_order_url(number, customer_id)?,
            Source::Bitrix24(b) => b.new_order_url(number, customer_id)?,
        };
        WebUrl::parse(url.as_str()).map_err(|e| CrmError::NoOrderPage {
            name: inner.name.clone(),
            why: format!("its address is not used: {e}"),
        })
    }
}

fn bitrix_kind(entity: settings::BitrixEntity) -> CreatedKind {
    match entity {
        settings::BitrixEntity::Contact => CreatedKind::Contact,
        settings::BitrixEntity::Lead => CreatedKind::Lead,
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
        CrmKind::Bitrix24(_) => {
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
