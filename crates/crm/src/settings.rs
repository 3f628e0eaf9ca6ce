//! The settings a CRM connector runs on: which CRM, where to search and write back, how its answer
//! maps onto a customer.
//!
//! These are the validated values, not the file: ringside-config reads `[[lookup.crm]]` from
//! `config.toml`, checks it (naming the file and the setting) and maps it into these types. A
//! value built in code skips those checks, so [`Connector::new`](crate::Connector::new) checks
//! again what could leak or misdirect a request (addresses, placeholders, header names).

use serde::Serialize;

/// One CRM to ask. Its secret (API key or Bitrix24 webhook URL) is the keychain entry
/// `crm:<name>`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrmConfig {
    /// Lower-case letters, digits, `-` and `_`; names the keychain entry and the source in the UI.
    pub name: String,
    #[serde(flatten)]
    pub kind: CrmKind,
}

// Built once per config load; boxing the big variant would only add noise at every use.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum CrmKind {
    /// Any CRM with a search-by-phone endpoint that answers JSON.
    Rest(RestCrmConfig),
    /// A Bitrix24 portal through an incoming webhook; the webhook URL is the secret.
    Bitrix24,
}

/// A generic REST CRM.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RestCrmConfig {
    /// `http(s)://…` with `{e164}`, `{digits}` or `{raw}` where the number goes (URL-encoded).
    pub url: String,
    /// Header that carries the secret, e.g. `Authorization` or `X-Api-Key`; `None`: no secret.
    pub auth_header: Option<String>,
    /// Written before the secret in that header, e.g. `"Bearer "`.
    pub auth_prefix: String,
    /// Link to a customer's page in the CRM, with `{id}`; used when the answer has no URL.
    pub card_url: Option<String>,
    /// Where a finished call (its log and the agent's note) is `POST`ed as JSON, with `{call_id}`
    /// allowed (URL-encoded); `None`: no write-back to this CRM.
    pub log_url: Option<String>,
    /// Where a change to a call the CRM has already taken (an edited note) is sent, with
    /// [`RestCrmConfig::log_update_method`]: the call's own address, with `{remote_id}` (the id
    /// the CRM gave the call log) or `{call_id}` (URL-encoded). `None`: changes are `POST`ed to
    /// `log_url` under a new idempotency key per revision. Needs `log_url`.
    pub log_update_url: Option<String>,
    /// How a change is sent to `log_update_url`: `PUT` (the default), `PATCH` or `POST`.
    pub log_update_method: UpdateMethod,
    /// Plain `http://` to a host other than this computer was allowed explicitly.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_plain_http: bool,
    pub fields: FieldMap,
}

impl RestCrmConfig {
    /// A CRM searched at `url` with every other setting at its default, as a file that names only
    /// the `url` has it: no key, no card link, no write-back, the default [`FieldMap`].
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            auth_header: None,
            auth_prefix: String::new(),
            card_url: None,
            log_url: None,
            log_update_url: None,
            log_update_method: UpdateMethod::default(),
            allow_plain_http: false,
            fields: FieldMap::default(),
        }
    }
}

/// The HTTP method a change to a written call goes with (`log_update_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum UpdateMethod {
    /// The whole call log replaces the record at `log_update_url`.
    #[default]
    Put,
    /// The whole call log, for a CRM that updates records with `PATCH`.
    Patch,
    /// For a CRM with an update endpoint that takes `POST` (e.g. `/calls/{remote_id}/update`).
    Post,
}

impl UpdateMethod {
    /// `"PUT"`, `"PATCH"`, `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateMethod::Put => "PUT",
            UpdateMethod::Patch => "PATCH",
            UpdateMethod::Post => "POST",
        }
    }
}

/// JSON pointers (RFC 6901) into the CRM's answer. `list` points at the array of customers
/// (`""`: the answer itself, an array or one customer); the others point into one customer,
/// the `order_*` ones into one element of `orders`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldMap {
    pub list: String,
    pub id: String,
    pub name: String,
    pub company: Option<String>,
    pub url: Option<String>,
    pub orders: Option<String>,
    pub order_title: String,
    pub order_status: Option<String>,
    pub order_amount: Option<String>,
}

impl Default for FieldMap {
    fn default() -> Self {
        Self {
            list: String::new(),
            id: "/id".to_string(),
            name: "/name".to_string(),
            company: None,
            url: None,
            orders: None,
            order_title: "/title".to_string(),
            order_status: None,
            order_amount: None,
        }
    }
}
