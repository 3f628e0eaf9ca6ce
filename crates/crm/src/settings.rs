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
    Bitrix24(Bitrix24Config),
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
    /// Where "Create customer" `POST`s a new customer as JSON (name, company and phone where
    /// [`FieldMap`] puts them), with `{e164}`, `{digits}` or `{call_id}` allowed (URL-encoded);
    /// `None`: customers cannot be created in this CRM.
    pub create_url: Option<String>,
    /// The CRM's page for a new order or deal, opened in the agent's browser, with `{number}`
    /// (E.164, else the digits), `{digits}` and `{customer_id}` allowed (URL-encoded); `None`: no
    /// "Add order" for this CRM's customers.
    pub new_order_url: Option<String>,
    /// An unknown caller the agent answers is created in this CRM once per call (`POST` to
    /// `create_url`). Needs `create_url`. Written `auto_create = "customer"` in the file.
    #[serde(skip_serializing_if = "std::ops::Not::not", serialize_with = "as_customer")]
    pub auto_create: bool,
    /// Plain `http://` to a host other than this computer was allowed explicitly.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_plain_http: bool,
    pub fields: FieldMap,
}

/// `auto_create = true` as the file writes it: `"customer"`.
fn as_customer<S: serde::Serializer>(on: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(if *on { "customer" } else { "off" })
}

/// A Bitrix24 portal. Everything about where it is comes from the webhook URL (the secret).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Bitrix24Config {
    /// What "Create customer" makes: a contact (the default) or a lead.
    pub create_as: BitrixEntity,
    /// An unknown caller the agent answers becomes this, once per call; `None` (the default):
    /// nothing is created by itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_create: Option<BitrixEntity>,
    /// The portal's page for a new deal, with `{number}`, `{digits}` and `{customer_id}`
    /// (`contact:12`), URL-encoded; `None`: the portal's own new-deal page with the contact or
    /// company filled in (`https://PORTAL/crm/deal/details/0/?contact_id=12`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_order_url: Option<String>,
}

/// What Bitrix24 creates for a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BitrixEntity {
    /// `crm.contact.add`: a person, with the company linked (found by its name, else created).
    #[default]
    Contact,
    /// `crm.lead.add`: a lead, the company as its `COMPANY_TITLE`.
    Lead,
}

impl BitrixEntity {
    /// `"contact"`, `"lead"`: the setting's value and the prefix of the customer's id.
    pub fn as_str(self) -> &'static str {
        match self {
            BitrixEntity::Contact => "contact",
            BitrixEntity::Lead => "lead",
        }
    }
}

impl RestCrmConfig {
    /// A CRM searched at `url` with every other setting at its default, as a file that names only
    /// the `url` has it: no key, no card link, no write-back, no creating, the default
    /// [`FieldMap`].
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            auth_header: None,
            auth_prefix: String::new(),
            card_url: None,
            log_url: None,
            log_update_url: None,
            log_update_method: UpdateMethod::default(),
            create_url: None,
            new_order_url: None,
            auto_create: false,
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
/// the `order_*` ones (and `deal_id`) into one element of `orders` or `deals`.
///
/// `orders` and `deals` are two ways of listing a customer's open orders: `deals` are deals calls
/// are bound to, each with its id (`deal_id`), the first being the one a call is bound to by
/// default ([`CrmCustomer::deal`](crate::CrmCustomer::deal)); `orders` have no id and no binding.
/// One customer list cannot have both (refused by the config and by
/// [`Connector::new`](crate::Connector::new)).
///
/// A new customer (`create_url`) is sent as the JSON these pointers describe: the name at
/// `name`, the company at `company`, the number at `phone`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldMap {
    pub list: String,
    pub id: String,
    pub name: String,
    pub company: Option<String>,
    /// Where a new customer's number goes in the body sent to `create_url` (default `/phone`).
    pub phone: String,
    pub url: Option<String>,
    /// The name of the CRM user responsible for the customer.
    pub owner: Option<String>,
    pub orders: Option<String>,
    /// The array of the customer's open deals, the one calls are bound to by default first.
    pub deals: Option<String>,
    /// A deal's id inside one element of `deals` (default `/id`).
    pub deal_id: String,
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
            phone: "/phone".to_string(),
            url: None,
            owner: None,
            orders: None,
            deals: None,
            deal_id: "/id".to_string(),
            order_title: "/title".to_string(),
            order_status: None,
            order_amount: None,
        }
    }
}
