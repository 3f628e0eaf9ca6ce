//! Bitrix24 through an incoming webhook: `crm.duplicate.findbycomm` finds the contacts,
//! companies and leads with the number, one `batch` fetches them and the open deals of the
//! contacts and companies, and `user.get` the names of the users responsible for them.
//!
//! The webhook URL (`https://PORTAL/rest/USER_ID/CODE/`) is the secret: it is never logged and
//! never part of a message; only the portal's host is.
//!
//! Writing a finished call back (`telephony.externalcall.*`) is in [`write`]; creating a contact
//! or a lead, and the page for a new deal, in [`create`].

mod create;
mod write;

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use ringside_secrets::SecretString;
use serde_json::{json, Map, Value};
use url::Url;

use crate::http::{host_label, status_text, Http};
use crate::settings::Bitrix24Config;
use crate::text::{clean_message, clean_text, json_error_detail, parse_instant, value_text, MAX_TEXT_CHARS};
use crate::{CrmCustomer, CrmError, CrmOrder, CrmQuery, CrmRecordKind, MAX_CUSTOMERS, MAX_ORDERS};

/// Contacts fetched per lookup. A contact takes 3 commands of the batch (itself, its company, its
/// open deals), a company 2 (itself, its open deals), a lead 1 (itself):
/// 8 × 3 + 8 × 2 + 10 × 1 = 50, batch's limit.
const MAX_CONTACTS: usize = 8;
/// Companies fetched per lookup (see [`MAX_CONTACTS`]).
const MAX_COMPANIES: usize = 8;
/// Leads fetched per lookup (see [`MAX_CONTACTS`]); converted and junk ones are then left out.
const MAX_LEADS: usize = 10;
/// The most commands one `batch` may carry.
const MAX_BATCH_COMMANDS: usize = 50;
const _: () = assert!(MAX_CONTACTS * 3 + MAX_COMPANIES * 2 + MAX_LEADS <= MAX_BATCH_COMMANDS);

/// The most users one `user.get` request answers (its page size).
const MAX_USERS: usize = 50;
/// How long a responsible user's name is reused before `user.get` is asked again.
const USER_NAME_TTL: Duration = Duration::from_secs(10 * 60);
/// The most names kept (a portal's users who own the callers' records: a few dozen, usually).
const MAX_CACHED_USERS: usize = 1000;

/// How Bitrix24 names the webhook permission lookups need.
pub(crate) const CRM_PERMISSION: &str = "CRM (crm)";

/// What a webhook URL looks like, for messages.
const WEBHOOK_EXAMPLE: &str = "https://your-portal.bitrix24.com/rest/1/abc123xyz/";

/// A valid incoming webhook.
pub(crate) struct Webhook {
    /// `https://PORTAL/rest/USER_ID/CODE/`: secret.
    base: Url,
    /// `https://PORTAL` (with a port if it is not the default): links to contacts and companies.
    origin: String,
    /// `PORTAL`: what messages and logs name.
    host: String,
    /// The id of the portal user who made the webhook (`USER_ID` in its path).
    user: String,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook").field("host", &self.host).finish_non_exhaustive()
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks a stored webhook URL. The error says what is wrong with it, never what it is (the code
/// is the password of the portal user who made the webhook).
pub(crate) fn parse_webhook(secret: &str) -> Result<Webhook, String> {
    let problem =
        |why: &str| format!("is not a Bitrix24 webhook URL ({why}); a webhook URL looks like {WEBHOOK_EXAMPLE}");
    let url = Url::parse(secret.trim()).map_err(|_| problem("it is not an address"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => return Err(problem("it is plain http; Bitrix24 webhooks are https://")),
        _ => return Err(problem("it is not an https:// address")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(problem("it has no portal host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(problem("it has a user name or password before the host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(problem("it has a '?' or '#' part"));
    }
    let mut segments: Vec<&str> = url.path().split('/').skip(1).collect();
    if segments.last() == Some(&"") {
        segments.pop();
    }
    let user_ok = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    let code_ok = |s: &str| {
        !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    let (user, code) = match segments.as_slice() {
        ["rest", user, code] if user_ok(user) && code_ok(code) => (*user, *code),
        _ => return Err(problem("its path is not /rest/<user id>/<code>/")),
    };
    let origin = url.origin().ascii_serialization();
    let base = Url::parse(&format!("{origin}/rest/{user}/{code}/")).map_err(|_| problem("it is not an address"))?;
    Ok(Webhook { base, origin, host: host_label(&url), user: user.to_string() })
}

/// Whether a request follows same-origin redirects (lookups) or fails on any (write-back, where
/// a `POST` turned into a `GET` must not pass for a success).
#[derive(Clone, Copy)]
enum Redirects {
    Follow,
    Refuse,
}

/// Why a request failed: Bitrix24's own `{"error", "error_description"}`, or anything else.
enum Failure {
    Bitrix { code: String, description: String },
    Other(CrmError),
}

pub(crate) struct Bitrix {
    name: String,
    webhook: Result<Webhook, CrmError>,
    settings: Bitrix24Config,
    /// Responsible users' names by id (`None`: `user.get` did not list the user), with when
    /// they were read: one lookup's `user.get` serves the next ones for [`USER_NAME_TTL`].
    users: Mutex<HashMap<u64, (Option<String>, Instant)>>,
}

impl Bitrix {
    /// Fails only when `new_order_url` cannot work (a placeholder in its host, not http(s)).
    pub(crate) fn new(name: &str, settings: &Bitrix24Config, secret: Option<SecretString>) -> Result<Bitrix, CrmError> {
        if let Some(template) = &settings.new_order_url {
            crate::rest::parse_template(template, "new_order_url", &["number", "digits", "customer_id"], "the values")
                .map_err(|problem| CrmError::Config { name: name.to_string(), problem })?;
        }
        let webhook = match secret {
            None => Err(CrmError::NoSecret { name: name.to_string() }),
            Some(secret) => parse_webhook(secret.expose())
                .map_err(|problem| CrmError::BadSecret { name: name.to_string(), problem }),
        };
        Ok(Bitrix { name: name.to_string(), webhook, settings: settings.clone(), users: Mutex::new(HashMap::new()) })
    }

    /// What `create_as` makes, and what `auto_create` makes for an unknown caller.
    pub(crate) fn settings(&self) -> &Bitrix24Config {
        &self.settings
    }

    /// The portal's host, when the webhook is valid.
    pub(crate) fn host(&self) -> Option<&str> {
        self.webhook.as_ref().ok().map(|w| w.host.as_str())
    }

    pub(crate) async fn find(&self, http: &Http, query: &CrmQuery) -> Result<Vec<CrmCustomer>, CrmError> {
        let hook = self.webhook.as_ref().map_err(Clone::clone)?;
        let mut values: Vec<&str> = Vec::new();
        for v in [query.e164.as_deref().unwrap_or_default(), query.digits.as_str()] {
            if !v.is_empty() && !values.contains(&v) {
                values.push(v);
            }
        }
        if values.is_empty() {
            return Ok(Vec::new());
        }
        let found =
            self.call(http, hook, "crm.duplicate.findbycomm", &json!({"type": "PHONE", "values": values})).await?;
        let found = Found {
            contacts: ids(&found, "CONTACT", MAX_CONTACTS, &hook.host)?,
            companies: ids(&found, "COMPANY", MAX_COMPANIES, &hook.host)?,
            leads: ids(&found, "LEAD", MAX_LEADS, &hook.host)?,
        };
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let batch = self.call(http, hook, "batch", &batch_request(&found)).await?;
        let customers = customers(self, &batch, &found, hook)?;
        Ok(self.with_owners(http, hook, customers).await)
    }

    /// The customers with their owners' names: those read in the last [`USER_NAME_TTL`], and the
    /// others from one `user.get`, given at most half the request time bound (the card must not
    /// miss its deadline for them). A failure (most often a webhook without the Users (user)
    /// permission) leaves those names out and the customers as they are: the card is worth more
    /// than the names.
    async fn with_owners(
        &self,
        http: &Http,
        hook: &Webhook,
        customers: Vec<(CrmCustomer, Option<u64>)>,
    ) -> Vec<CrmCustomer> {
        let now = Instant::now();
        let mut names: HashMap<u64, Option<String>> = {
            let cache = self.users.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            customers
                .iter()
                .filter_map(|(_, owner)| *owner)
                .filter_map(|id| {
                    let (name, read) = cache.get(&id)?;
                    (now.duration_since(*read) < USER_NAME_TTL).then(|| (id, name.clone()))
                })
                .collect()
        };
        let mut missing: Vec<u64> =
            customers.iter().filter_map(|(_, owner)| *owner).filter(|id| !names.contains_key(id)).collect();
        missing.sort_unstable();
        missing.dedup();
        missing.truncate(MAX_USERS);
        if !missing.is_empty() {
            let bound = http.timeout() / 2;
            match tokio::time::timeout(bound, self.user_names(http, hook, &missing)).await {
                Ok(Some(read)) => {
                    let mut cache = self.users.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    if cache.len() + missing.len() > MAX_CACHED_USERS {
                        cache.retain(|_, (_, at)| now.duration_since(*at) < USER_NAME_TTL);
                        if cache.len() + missing.len() > MAX_CACHED_USERS {
                            cache.clear();
                        }
                    }
                    for id in missing {
                        let name = read.get(&id).cloned();
                        cache.insert(id, (name.clone(), now));
                        names.insert(id, name);
                    }
                }
                Ok(None) => {}
                Err(_) => tracing::debug!(
                    source = %self.name, host = %hook.host, ms = bound.as_millis() as u64,
                    "user.get did not answer in time; the customers are shown without their owners' names"
                ),
            }
        }
        customers
            .into_iter()
            .map(|(customer, owner)| CrmCustomer {
                owner: owner.and_then(|id| names.get(&id).cloned().flatten()),
                ..customer
            })
            .collect()
    }

    /// `user.get` filtered on the ids: each listed user's `NAME LAST_NAME`. `None` when Bitrix24
    /// refuses (logged at debug: the lookup goes on without names).
    async fn user_names(&self, http: &Http, hook: &Webhook, ids: &[u64]) -> Option<HashMap<u64, String>> {
        let body = json!({"filter": {"@ID": ids}});
        let users = match self.request(http, hook, "user.get", &body, Redirects::Follow).await {
            Ok(users) => users,
            Err(failure) => {
                let error = match failure {
                    Failure::Bitrix { code, description } => {
                        format!("{}: {}", clean_text(&code, 80), clean_message(&description, MAX_TEXT_CHARS))
                    }
                    Failure::Other(error) => error.to_string(),
                };
                tracing::debug!(
                    source = %self.name, host = %hook.host, %error,
                    "no names of the responsible users from Bitrix24 (the webhook may lack the Users (user) \
                     permission); the customers are shown without them"
                );
                return None;
            }
        };
        let Some(users) = users.as_array() else {
            tracing::debug!(source = %self.name, host = %hook.host, "user.get did not answer with a list of users");
            return None;
        };
        Some(
            users
                .iter()
                .filter_map(|user| {
                    let id = user.get("ID").and_then(id_of)?;
                    // Only the users asked for: a portal that ignored the filter lists others.
                    if !ids.contains(&id) {
                        return None;
                    }
                    Some((id, name_of(user, &USER_NAME)?))
                })
                .collect(),
        )
    }

    /// POSTs `body` as JSON to `method` and returns the answer's `result`.
    async fn call(&self, http: &Http, hook: &Webhook, method: &str, body: &Value) -> Result<Value, CrmError> {
        self.request(http, hook, method, body, Redirects::Follow).await.map_err(|failure| match failure {
            Failure::Bitrix { code, description } => self.error(&hook.host, &code, &description),
            Failure::Other(error) => error,
        })
    }

    /// POSTs `body` as JSON to `method` and returns the answer's `result`; Bitrix24's own error
    /// answers come back as they are, for the caller to read.
    async fn request(
        &self,
        http: &Http,
        hook: &Webhook,
        method: &str,
        body: &Value,
        redirects: Redirects,
    ) -> Result<Value, Failure> {
        let host = hook.host.as_str();
        let url = hook.base.join(&format!("{method}.json")).map_err(|_| {
            Failure::Other(CrmError::Config { name: self.name.clone(), problem: format!("cannot call {method}") })
        })?;
        let request = match redirects {
            Redirects::Follow => http.post(url),
            Redirects::Refuse => http.post_once(url),
        };
        let request =
            request.header(CONTENT_TYPE, "application/json").header(ACCEPT, "application/json").body(body.to_string());
        let fix = format!("store the final webhook address with: ringside-cli secret set crm:{}", self.name);
        let answer = http.send(request, &self.name, host, &fix).await.map_err(Failure::Other)?;
        let parsed: Option<Value> = serde_json::from_slice(&answer.body).ok();
        if let Some(err) = parsed.as_ref().and_then(|v| v.get("error")).and_then(Value::as_str) {
            let description = parsed.as_ref().and_then(|v| v.get("error_description")).and_then(Value::as_str);
            return Err(Failure::Bitrix {
                code: err.to_string(),
                description: description.unwrap_or_default().to_string(),
            });
        }
        let status = answer.status;
        if !status.is_success() {
            let status_str = status_text(status);
            let detail = json_error_detail(&answer.body).map(|d| format!(": {d}")).unwrap_or_default();
            return Err(Failure::Other(match status.as_u16() {
                401 | 403 => CrmError::WebhookRefused { host: host.to_string(), name: self.name.clone() },
                429 => CrmError::RateLimited { host: host.to_string(), status: status_str },
                300..=399 => CrmError::Status {
                    host: host.to_string(),
                    verb: "redirected the request".to_string(),
                    status: status_str,
                    detail: format!("; {fix}"),
                },
                code => CrmError::Status {
                    host: host.to_string(),
                    verb: if code >= 500 { "had an error" } else { "rejected the request" }.to_string(),
                    status: status_str,
                    detail,
                },
            }));
        }
        let mut value = match parsed {
            Some(v) => v,
            None => {
                let detail =
                    serde_json::from_slice::<Value>(&answer.body).err().map(|e| e.to_string()).unwrap_or_default();
                return Err(Failure::Other(CrmError::NotJson { host: host.to_string(), detail }));
            }
        };
        match value.get_mut("result") {
            Some(result) => Ok(result.take()),
            None => Err(Failure::Other(CrmError::BadAnswer {
                host: host.to_string(),
                detail: format!("the answer to {method} has no \"result\""),
            })),
        }
    }

    /// Bitrix24's `{"error": code, "error_description": …}` as something to do.
    fn error(&self, host: &str, code: &str, description: &str) -> CrmError {
        let host = host.to_string();
        match code {
            "INVALID_CREDENTIALS"
            | "NO_AUTH_FOUND"
            | "invalid_token"
            | "expired_token"
            | "invalid_client"
            | "WRONG_AUTH_TYPE" => CrmError::WebhookRefused { host, name: self.name.clone() },
            // Bitrix24 also answers "method not found" for a method outside the webhook's scope.
            "insufficient_scope" | "invalid_scope" | "ERROR_METHOD_NOT_FOUND" => {
                CrmError::WebhookScope { host, permission: CRM_PERMISSION.to_string() }
            }
            "QUERY_LIMIT_EXCEEDED" | "OPERATION_TIME_LIMIT" => CrmError::RateLimited { host, status: code.to_string() },
            _ => {
                let (code, description) = (clean_text(code, 80), clean_message(description, MAX_TEXT_CHARS));
                // Method errors may come with an empty code: {"error": "", "error_description": "Not found"}.
                match (code.is_empty(), description.is_empty()) {
                    (true, true) => {
                        CrmError::Bitrix { host, code: "an unnamed error".to_string(), detail: String::new() }
                    }
                    (true, false) => CrmError::Bitrix { host, code: description, detail: String::new() },
                    (false, true) => CrmError::Bitrix { host, code, detail: String::new() },
                    (false, false) => CrmError::Bitrix { host, code, detail: format!(": {description}") },
                }
            }
        }
    }
}

/// The ids of `kind` (`CONTACT`, `COMPANY`, `LEAD`) in a `crm.duplicate.findbycomm` result,
/// newest (highest) first, at most `max`. An empty result may come as `[]`.
fn ids(result: &Value, kind: &str, max: usize, host: &str) -> Result<Vec<u64>, CrmError> {
    let list = match result {
        Value::Object(o) => o.get(kind),
        Value::Array(a) if a.is_empty() => None,
        Value::Null => None,
        _ => {
            return Err(CrmError::BadAnswer {
                host: host.to_string(),
                detail: "crm.duplicate.findbycomm did not answer with lists of ids".to_string(),
            })
        }
    };
    let mut ids: Vec<u64> =
        list.and_then(Value::as_array).map(|a| a.iter().filter_map(id_of).collect()).unwrap_or_default();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    ids.truncate(max);
    Ok(ids)
}

/// A Bitrix24 id: a positive number, or a string of digits.
fn id_of(v: &Value) -> Option<u64> {
    let id = match v {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) if !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()?
        }
        _ => return None,
    };
    (id > 0).then_some(id)
}

/// How a contact or a lead is named: `NAME SECOND_NAME LAST_NAME`.
const PERSON_NAME: [&str; 3] = ["NAME", "SECOND_NAME", "LAST_NAME"];
/// How Bitrix24 shows a user: `NAME LAST_NAME`.
const USER_NAME: [&str; 2] = ["NAME", "LAST_NAME"];

/// The `fields` of `record` that are text, joined by spaces and cleaned; `None` when empty.
fn name_of(record: &Value, fields: &[&str]) -> Option<String> {
    let parts: Vec<String> = fields.iter().filter_map(|f| value_text(record.get(*f))).collect();
    let name = clean_text(&parts.join(" "), MAX_TEXT_CHARS);
    (!name.is_empty()).then_some(name)
}

/// What `crm.duplicate.findbycomm` found, as the batch fetches it.
struct Found {
    contacts: Vec<u64>,
    companies: Vec<u64>,
    leads: Vec<u64>,
}

impl Found {
    fn is_empty(&self) -> bool {
        self.contacts.is_empty() && self.companies.is_empty() && self.leads.is_empty()
    }
}

/// `crm.deal.list` for the open deals of one contact or company, most recently modified first.
fn open_deals(filter_field: &str, id: u64) -> String {
    format!(
        "crm.deal.list?filter[{filter_field}]={id}&filter[CLOSED]=N&order[DATE_MODIFY]=DESC\
         &select[0]=ID&select[1]=TITLE&select[2]=STAGE_ID&select[3]=OPPORTUNITY&select[4]=CURRENCY_ID\
         &select[5]=DATE_CREATE&select[6]=ASSIGNED_BY_ID"
    )
}

/// The one `batch` of a lookup. Keys are ordered so that `contact_N_company`, which reads
/// `$result[contact_N][COMPANY_ID]`, runs after `contact_N`.
fn batch_request(found: &Found) -> Value {
    let mut cmd = Map::new();
    for id in &found.contacts {
        cmd.insert(format!("contact_{id}"), Value::String(format!("crm.contact.get?id={id}")));
        cmd.insert(
            format!("contact_{id}_company"),
            Value::String(format!("crm.company.get?id=$result[contact_{id}][COMPANY_ID]")),
        );
        cmd.insert(format!("contact_{id}_deals"), Value::String(open_deals("CONTACT_ID", *id)));
    }
    for id in &found.companies {
        cmd.insert(format!("company_{id}"), Value::String(format!("crm.company.get?id={id}")));
        cmd.insert(format!("company_{id}_deals"), Value::String(open_deals("COMPANY_ID", *id)));
    }
    for id in &found.leads {
        cmd.insert(format!("lead_{id}"), Value::String(format!("crm.lead.get?id={id}")));
    }
    debug_assert!(cmd.len() <= MAX_BATCH_COMMANDS);
    json!({"halt": 0, "cmd": cmd})
}

/// Customers from the batch's answer, most recently active first, each with the id of the user
/// responsible for it (the record's `ASSIGNED_BY_ID`, else its bound deal's).
fn customers(
    bitrix: &Bitrix,
    batch: &Value,
    found: &Found,
    hook: &Webhook,
) -> Result<Vec<(CrmCustomer, Option<u64>)>, CrmError> {
    let empty = Map::new();
    // An empty `result` or `result_error` comes as `[]`.
    let results = batch.get("result").and_then(Value::as_object).unwrap_or(&empty);
    let errors = batch.get("result_error").and_then(Value::as_object).unwrap_or(&empty);
    let mut customers: Vec<(Option<i64>, CrmCustomer, Option<u64>)> = Vec::new();
    let mut missing = Vec::new();
    let mut read = 0;
    let owner_of = |record: &Value| record.get("ASSIGNED_BY_ID").and_then(id_of);

    for id in &found.contacts {
        let key = format!("contact_{id}");
        let Some(contact) = results.get(&key).filter(|v| v.is_object()) else {
            missing.push(key);
            continue;
        };
        read += 1;
        let name = name_of(contact, &PERSON_NAME).unwrap_or_else(|| format!("Contact #{id}"));
        let own_company = results.get(&format!("contact_{id}_company")).and_then(|c| value_text(c.get("TITLE")));
        let company = own_company.or_else(|| {
            let company_id = contact.get("COMPANY_ID").and_then(id_of)?;
            results.get(&format!("company_{company_id}")).and_then(|c| value_text(c.get("TITLE")))
        });
        let deals = deals(results.get(&format!("contact_{id}_deals")));
        let customer = CrmCustomer {
            id: format!("contact:{id}"),
            name,
            company,
            url: Some(format!("{}/crm/contact/details/{id}/", hook.origin)),
            orders: deals.orders,
            kind: Some(CrmRecordKind::Contact),
            owner: None,
            deal: deals.bound,
        };
        customers.push((last_active(contact), customer, owner_of(contact).or(deals.bound_owner)));
    }
    for id in &found.companies {
        let key = format!("company_{id}");
        let Some(company) = results.get(&key).filter(|v| v.is_object()) else {
            missing.push(key);
            continue;
        };
        read += 1;
        let deals = deals(results.get(&format!("company_{id}_deals")));
        let customer = CrmCustomer {
            id: format!("company:{id}"),
            name: value_text(company.get("TITLE")).unwrap_or_else(|| format!("Company #{id}")),
            company: None,
            url: Some(format!("{}/crm/company/details/{id}/", hook.origin)),
            orders: deals.orders,
            kind: Some(CrmRecordKind::Company),
            owner: None,
            deal: deals.bound,
        };
        customers.push((last_active(company), customer, owner_of(company).or(deals.bound_owner)));
    }
    for id in &found.leads {
        let key = format!("lead_{id}");
        let Some(lead) = results.get(&key).filter(|v| v.is_object()) else {
            missing.push(key);
            continue;
        };
        read += 1;
        // P: in progress; S: converted (its contact or deal is the customer now); F: junk.
        let semantic = lead.get("STATUS_SEMANTIC_ID").and_then(Value::as_str).map(str::trim).unwrap_or_default();
        if semantic.eq_ignore_ascii_case("S") || semantic.eq_ignore_ascii_case("F") {
            continue;
        }
        let name = name_of(lead, &PERSON_NAME)
            .or_else(|| value_text(lead.get("TITLE")))
            .unwrap_or_else(|| format!("Lead #{id}"));
        let customer = CrmCustomer {
            id: format!("lead:{id}"),
            name,
            company: value_text(lead.get("COMPANY_TITLE")),
            url: Some(format!("{}/crm/lead/details/{id}/", hook.origin)),
            // A deal rarely names its lead (LEAD_ID is set when a lead is converted into it, and
            // a converted lead is not shown): none are asked for.
            orders: Vec::new(),
            kind: Some(CrmRecordKind::Lead),
            owner: None,
            deal: None,
        };
        customers.push((last_active(lead), customer, owner_of(lead)));
    }

    if read == 0 {
        // Nothing readable: say why if Bitrix24 said something an admin can fix (the key, the
        // scope, the rate); a record deleted since the search is simply not there.
        for key in &missing {
            let Some(err) = errors.get(key) else { continue };
            let code = err.get("error").and_then(Value::as_str).unwrap_or_default();
            let description = err.get("error_description").and_then(Value::as_str).unwrap_or_default();
            let error = bitrix.error(&hook.host, code, description);
            if matches!(
                error,
                CrmError::WebhookRefused { .. } | CrmError::WebhookScope { .. } | CrmError::RateLimited { .. }
            ) {
                return Err(error);
            }
        }
    }

    // Stable: customers without a date keep Bitrix24's order, after the dated ones.
    customers.sort_by(|(a, ..), (b, ..)| b.cmp(a));
    Ok(customers.into_iter().map(|(_, c, owner)| (c, owner)).take(MAX_CUSTOMERS).collect())
}

/// The most recent activity of a contact, company or lead: `LAST_ACTIVITY_TIME`, else
/// `DATE_MODIFY`.
fn last_active(entity: &Value) -> Option<i64> {
    ["LAST_ACTIVITY_TIME", "DATE_MODIFY"]
        .iter()
        .find_map(|f| entity.get(*f).and_then(Value::as_str).and_then(parse_instant))
}

/// A customer's open deals as the card lists them, and the one a call is bound to.
struct Deals {
    /// Most recently modified first (Bitrix24's order), at most [`MAX_ORDERS`], the bound deal
    /// always among them.
    orders: Vec<CrmOrder>,
    /// The oldest open deal's id: the earliest `DATE_CREATE`; deals without one after the dated
    /// ones; ties by the smallest `ID`. What Bitrix24's own telephony binds a call to.
    bound: Option<String>,
    /// That deal's `ASSIGNED_BY_ID`.
    bound_owner: Option<u64>,
}

fn deals(list: Option<&Value>) -> Deals {
    let items: Vec<&Value> =
        list.and_then(Value::as_array).map(|a| a.iter().filter(|d| d.is_object()).collect()).unwrap_or_default();
    let bound = items
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let id = d.get("ID").and_then(id_of)?;
            let created = d.get("DATE_CREATE").and_then(Value::as_str).and_then(parse_instant);
            Some((i, (created.is_none(), created, id)))
        })
        .min_by_key(|(_, key)| *key)
        .map(|(i, _)| i);
    let mut shown: Vec<usize> = (0..items.len().min(MAX_ORDERS)).collect();
    if let Some(bound) = bound.filter(|b| *b >= MAX_ORDERS) {
        // The card must be able to show the deal the call goes to: it takes the last place.
        shown.pop();
        shown.push(bound);
    }
    let orders = shown.into_iter().map(|i| order(items[i])).collect();
    let bound_deal = bound.map(|i| items[i]);
    Deals {
        orders,
        bound: bound_deal.and_then(|d| d.get("ID").and_then(id_of)).map(|id| id.to_string()),
        bound_owner: bound_deal.and_then(|d| d.get("ASSIGNED_BY_ID").and_then(id_of)),
    }
}

/// One deal of `crm.deal.list` as an order.
fn order(d: &Value) -> CrmOrder {
    let id = d.get("ID").and_then(id_of);
    let title = value_text(d.get("TITLE"))
        .or_else(|| value_text(d.get("ID")).map(|id| format!("Deal #{id}")))
        .unwrap_or_else(|| "Deal".to_string());
    let amount = value_text(d.get("OPPORTUNITY")).map(|amount| match value_text(d.get("CURRENCY_ID")) {
        Some(currency) => clean_text(&format!("{amount} {currency}"), MAX_TEXT_CHARS),
        None => amount,
    });
    CrmOrder { id: id.map(|id| id.to_string()), title, status: value_text(d.get("STAGE_ID")), amount }
}
