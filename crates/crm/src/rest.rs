//! A generic REST CRM: one GET to a URL template, JSON mapped through configured JSON pointers;
//! write-back is one POST of the call log as JSON to `log_url`, with an `Idempotency-Key`; a
//! change to a written call goes to `log_update_url` (`PUT` by default), or is POSTed to
//! `log_url` again under a key of its own. A new customer is one POST to `create_url`, its body
//! built from the same pointers, with an `Idempotency-Key`.

use reqwest::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use ringside_secrets::SecretString;
use serde_json::Value;
use url::Url;

use crate::create::{create_fields_problem, created_item, rest_body, NewCustomer};
use crate::http::{host_label, status_text, Http};
use crate::settings::{FieldMap, RestCrmConfig, UpdateMethod};
use crate::text::{clean_text, fill_template, value_text, web_url};
use crate::writeback::{idempotency_header, revision_key};
use crate::{
    Attempt, CallLog, CrmCustomer, CrmError, CrmOrder, CrmQuery, Prior, WriteReceipt, MAX_CUSTOMERS, MAX_ORDERS,
};

pub(crate) struct Rest {
    name: String,
    template: String,
    origin: url::Origin,
    host: String,
    /// `Err` when the key is needed but missing or unusable: reported by every `find`.
    auth: Result<Option<(HeaderName, HeaderValue)>, CrmError>,
    /// The header as configured (`HeaderName` lower-cases it), for messages.
    auth_header: Option<String>,
    card_url: Option<String>,
    fields: FieldMap,
    /// `log_url`, when calls are written back.
    log: Option<LogTarget>,
    /// `log_update_url` and its method, when changes have an address of their own.
    update: Option<(LogTarget, Method)>,
    /// `create_url`, when customers can be created.
    create: Option<LogTarget>,
    /// `new_order_url`, and the origin it names.
    new_order: Option<(String, url::Origin)>,
    /// Unknown callers are created by themselves (`auto_create`).
    auto_create: bool,
}

/// Where calls are written: `log_url` (or `log_update_url`) and the origin and host it names.
struct LogTarget {
    template: String,
    origin: url::Origin,
    host: String,
    /// The setting's name, for messages.
    setting: &'static str,
}

/// `.`, `..` and their percent-encoded spellings: path segments a URL parser resolves away.
fn is_dot_segment(segment: &str) -> bool {
    let s = segment.to_ascii_lowercase();
    matches!(s.as_str(), "." | ".." | "%2e" | ".%2e" | "%2e." | "%2e%2e")
}

/// The path segments of an address written as text (before any parser resolves dot segments).
fn raw_path_segments(address: &str) -> Vec<&str> {
    let after_scheme = address.split_once("://").map_or(address, |(_, rest)| rest);
    let path_and_more = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    let path = path_and_more.split(['?', '#']).next().unwrap_or_default();
    path.split('/').collect()
}

/// `template` filled with `values` and parsed, provided no value turned into a dot segment (the
/// encoded values hold no `/`, so the filled text has the same segments as the neutral one).
fn fill_checked(template: &str, values: &[(&str, &str)]) -> Option<Url> {
    let neutral: Vec<(&str, &str)> = values.iter().map(|(name, _)| (*name, "0")).collect();
    let neutral = fill_template(template, &neutral);
    let filled = fill_template(template, values);
    let (before, after) = (raw_path_segments(&neutral), raw_path_segments(&filled));
    if before.len() != after.len() || before.iter().zip(&after).any(|(b, a)| is_dot_segment(a) && !is_dot_segment(b)) {
        return None;
    }
    Url::parse(&filled).ok()
}

impl Rest {
    pub(crate) fn new(name: &str, config: &RestCrmConfig, secret: Option<SecretString>) -> Result<Rest, CrmError> {
        let config_error = |problem: String| CrmError::Config { name: name.to_string(), problem };
        let parsed = parse_template(&config.url, "url", &["e164", "digits", "raw"], "the caller's number")
            .map_err(config_error)?;
        let log = match &config.log_url {
            None => None,
            Some(template) => {
                let url = parse_template(template, "log_url", &["call_id"], "the call id").map_err(config_error)?;
                Some(LogTarget {
                    template: template.clone(),
                    origin: url.origin(),
                    host: host_label(&url),
                    setting: "log_url",
                })
            }
        };
        let update = match &config.log_update_url {
            None => None,
            Some(template) => {
                let url = parse_template(template, "log_update_url", &["remote_id", "call_id"], "the call's id")
                    .map_err(config_error)?;
                let method = match config.log_update_method {
                    UpdateMethod::Put => Method::PUT,
                    UpdateMethod::Patch => Method::PATCH,
                    UpdateMethod::Post => Method::POST,
                };
                let target = LogTarget {
                    template: template.clone(),
                    origin: url.origin(),
                    host: host_label(&url),
                    setting: "log_update_url",
                };
                Some((target, method))
            }
        };
        let create = match &config.create_url {
            None => None,
            Some(template) => {
                let url = parse_template(template, "create_url", &["e164", "digits", "call_id"], "the number")
                    .map_err(config_error)?;
                if let Some((setting, problem)) = create_fields_problem(&config.fields) {
                    return Err(config_error(format!("create_url is set, but {setting} cannot hold it: {problem}")));
                }
                Some(LogTarget {
                    template: template.clone(),
                    origin: url.origin(),
                    host: host_label(&url),
                    setting: "create_url",
                })
            }
        };
        if let Some(problem) = fields_problem(&config.fields) {
            return Err(config_error(problem));
        }
        if config.auto_create && create.is_none() {
            return Err(config_error("auto_create needs create_url: where new customers are sent".to_string()));
        }
        let new_order = match &config.new_order_url {
            None => None,
            Some(template) => {
                let url = parse_template(template, "new_order_url", &["number", "digits", "customer_id"], "the values")
                    .map_err(config_error)?;
                Some((template.clone(), url.origin()))
            }
        };
        let auth = match &config.auth_header {
            None => Ok(None),
            Some(header) => {
                let header_name = HeaderName::from_bytes(header.as_bytes())
                    .map_err(|_| config_error(format!("auth_header {header:?} is not a header name")))?;
                match secret {
                    None => Err(CrmError::NoSecret { name: name.to_string() }),
                    Some(secret) => header_value(&config.auth_prefix, &secret)
                        .map(|value| Some((header_name, value)))
                        .ok_or_else(|| CrmError::BadSecret {
                            name: name.to_string(),
                            problem: format!(
                                "is not valid in the {header} header (it holds a line break or another control \
                                 character a header cannot carry)"
                            ),
                        }),
                }
            }
        };
        Ok(Rest {
            name: name.to_string(),
            template: config.url.clone(),
            origin: parsed.origin(),
            host: host_label(&parsed),
            auth,
            auth_header: config.auth_header.clone(),
            card_url: config.card_url.clone(),
            fields: config.fields.clone(),
            log,
            update,
            create,
            new_order,
            auto_create: config.auto_create,
        })
    }

    /// Whether `create_url` is configured.
    pub(crate) fn can_create(&self) -> bool {
        self.create.is_some()
    }

    /// Whether unknown callers are created by themselves.
    pub(crate) fn auto_creates(&self) -> bool {
        self.auto_create && self.create.is_some()
    }

    /// Whether a new customer's company is sent (the field map has a `company`).
    pub(crate) fn takes_company(&self) -> bool {
        self.fields.company.is_some()
    }

    /// The host (and port) new customers go to: `create_url`'s, else `url`'s.
    pub(crate) fn create_host(&self) -> &str {
        self.create.as_ref().map_or(&self.host, |c| &c.host)
    }

    /// Creates the customer: `POST create_url` with the body [`rest_body`] builds, the key header
    /// and `Idempotency-Key: new.idempotency_key`. 2xx is success: the created customer is read
    /// from the answer with the field map (its id, and its page), the name and company as sent
    /// where the answer has none. 400, 413 and 422 are [`CrmError::NotCreated`] (permanent);
    /// redirects are not followed.
    pub(crate) async fn create(&self, http: &Http, new: &NewCustomer) -> Result<CrmCustomer, CrmError> {
        let Some(target) = &self.create else {
            return Err(CrmError::Config {
                name: self.name.clone(),
                problem: "customers are not created in it (no create_url in its [[lookup.crm]])".to_string(),
            });
        };
        let auth = self.auth.clone()?;
        let host = target.host.clone();
        let (name, company) = new.cleaned();
        let phone = new.phone();
        let e164 = new.number.e164.as_deref().filter(|e| !e.is_empty()).unwrap_or(&new.number.digits);
        let values = [("e164", e164), ("digits", new.number.digits.as_str()), ("call_id", new.call_id.as_str())];
        let url = fill_checked(&target.template, &values)
            .filter(|u| u.origin() == target.origin)
            .ok_or_else(|| CrmError::BadNumber { host: host.clone(), number: clean_text(&new.number.raw, 64) })?;
        let body = rest_body(&self.fields, &name, company.as_deref(), &phone)
            .map_err(|problem| CrmError::Config { name: self.name.clone(), problem })?;
        let idempotency = HeaderValue::from_str(&idempotency_header(&new.idempotency_key))
            .map_err(|e| CrmError::Http { host: host.clone(), reason: e.to_string() })?;
        let mut request = http
            .post_once(url)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .header("Idempotency-Key", idempotency)
            .body(body.to_string());
        if let Some((header, value)) = auth {
            request = request.header(header, value);
        }
        let fix = "put the final address in the config (create_url in [[lookup.crm]])";
        let answer = http.send(request, &self.name, &host, fix).await?;
        let status = answer.status;
        if status.is_success() {
            return Ok(self.created(&answer.body, name, company));
        }
        let status_str = status_text(status);
        let detail = crate::text::json_error_detail(&answer.body);
        Err(match status.as_u16() {
            400 | 413 | 422 => CrmError::NotCreated {
                host,
                reason: match detail {
                    Some(d) => format!("{status_str}: {d}"),
                    None => status_str,
                },
            },
            401 | 403 => self.refused(&host, status_str),
            429 => CrmError::RateLimited { host, status: status_str },
            code => {
                let (verb, detail) = match code {
                    300..=399 => ("redirected the new customer", format!("; {fix}")),
                    409 => (
                        "did not take the new customer",
                        detail.map(|d| format!(": {d}")).unwrap_or_else(|| {
                            "; the same request may still be under way there: try again in a moment".to_string()
                        }),
                    ),
                    500..=599 => ("had an error", detail.map(|d| format!(": {d}")).unwrap_or_default()),
                    _ => ("rejected the new customer", detail.map(|d| format!(": {d}")).unwrap_or_default()),
                };
                CrmError::Status { host, verb: verb.to_string(), status: status_str, detail }
            }
        })
    }

    /// The created customer from a 2xx answer (which may be empty or not JSON: the CRM took the
    /// customer, so it is not an error): the id and link the map finds, else none.
    fn created(&self, body: &[u8], name: String, company: Option<String>) -> CrmCustomer {
        let answer: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let item = created_item(&answer, &self.fields);
        let f = &self.fields;
        let id = value_text(item.pointer(&f.id)).unwrap_or_default();
        if id.is_empty() {
            tracing::warn!(
                source = %self.name, pointer = %f.id,
                "the CRM created the customer but its answer has no id there; the card cannot link to it"
            );
        }
        let url = self.page_of(item, &id);
        CrmCustomer {
            name: value_text(item.pointer(&f.name)).unwrap_or(name),
            company: f.company.as_deref().and_then(|p| value_text(item.pointer(p))).or(company),
            id,
            url,
            orders: Vec::new(),
            kind: None,
            owner: f.owner.as_deref().and_then(|p| value_text(item.pointer(p))),
            deal: None,
        }
    }

    /// `new_order_url` with `{number}` (E.164, else the digits), `{digits}` and `{customer_id}`,
    /// each percent-encoded as one component.
    pub(crate) fn new_order_url(&self, query: &CrmQuery, customer_id: &str) -> Result<Url, CrmError> {
        let Some((template, origin)) = &self.new_order else {
            return Err(CrmError::NoOrderPage {
                name: self.name.clone(),
                why: "set new_order_url in its [[lookup.crm]]".to_string(),
            });
        };
        let number = query.e164.as_deref().filter(|e| !e.is_empty()).unwrap_or(&query.digits);
        let values = [("number", number), ("digits", query.digits.as_str()), ("customer_id", customer_id)];
        fill_checked(template, &values).filter(|u| u.origin() == *origin).ok_or_else(|| CrmError::NoOrderPage {
            name: self.name.clone(),
            why: format!(
                "the customer's id {:?} or the number cannot go into new_order_url: it would change the address's path",
                clean_text(customer_id, 64)
            ),
        })
    }

    /// Whether `log_url` is configured.
    pub(crate) fn can_write(&self) -> bool {
        self.log.is_some()
    }

    /// The host (and port) calls are written to: `log_url`'s, else `url`'s.
    pub(crate) fn log_host(&self) -> &str {
        self.log.as_ref().map_or(&self.host, |log| &log.host)
    }

    /// Writes the call. The first write (or a retry of it) is `POST log_url` with the call log as
    /// JSON, the key header and `Idempotency-Key: attempt.idempotency_key`; 2xx and 409 (already
    /// recorded) are success. A change to a written call ([`Prior::Written`]) goes to
    /// `log_update_url` with its method, else `POST log_url`, under [`revision_key`]; 409 is then
    /// a refusal (the CRM kept the record as it was). 400, 413 and 422 are
    /// [`CrmError::Rejected`] (permanent). Redirects are not followed: a `POST` must not turn into
    /// a `GET` that passes for a success.
    pub(crate) async fn write(
        &self,
        http: &Http,
        log: &CallLog,
        attempt: &Attempt<'_>,
    ) -> Result<WriteReceipt, CrmError> {
        let Some(log_target) = &self.log else {
            return Err(CrmError::Config {
                name: self.name.clone(),
                problem: "calls are not written to it (no log_url in its [[lookup.crm]])".to_string(),
            });
        };
        // A change carries the CRM's id of the record it changes (when the CRM gave one).
        let change = match attempt.prior {
            Prior::Written { remote_id } => Some(remote_id),
            Prior::Nothing | Prior::Partial(_) => None,
        };
        let (target, method, key, remote_id) = match (change, &self.update) {
            (None, _) => (log_target, Method::POST, attempt.idempotency_key.to_string(), None),
            (Some(remote_id), Some((update, method))) => {
                (update, method.clone(), revision_key(attempt.idempotency_key, attempt.revision), remote_id)
            }
            (Some(remote_id), None) => {
                (log_target, Method::POST, revision_key(attempt.idempotency_key, attempt.revision), remote_id)
            }
        };
        let auth = self.auth.clone()?;
        let host = target.host.clone();
        let url = self.log_address(target, log, remote_id)?;
        let body = serde_json::to_vec(log).map_err(|e| CrmError::Http { host: host.clone(), reason: e.to_string() })?;
        let idempotency = HeaderValue::from_str(&idempotency_header(&key))
            .map_err(|e| CrmError::Http { host: host.clone(), reason: e.to_string() })?;
        let mut request = http
            .request_once(method, url)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .header("Idempotency-Key", idempotency)
            .body(body);
        if let Some((name, value)) = auth {
            request = request.header(name, value);
        }
        let fix = format!("put the final address in the config ({} in [[lookup.crm]])", target.setting);
        let answer = http.send(request, &self.name, &host, &fix).await?;
        let status = answer.status;
        // 409 Conflict to a first write: the CRM has this call already (its key or its call_id).
        if status.is_success() || (status == StatusCode::CONFLICT && change.is_none()) {
            return Ok(WriteReceipt { remote_id: remote_id_of(&answer.body) });
        }
        let status_str = status_text(status);
        let detail = crate::text::json_error_detail(&answer.body);
        let with_detail = |status_str: String| match &detail {
            Some(d) => format!("{status_str}: {d}"),
            None => status_str,
        };
        Err(match status.as_u16() {
            400 | 413 | 422 => CrmError::Rejected { host, reason: with_detail(status_str) },
            // A change answered "conflict": the CRM kept the call as it was (e.g. it refuses a
            // second POST of a call_id it has). Sending the same again cannot help.
            409 => CrmError::Rejected {
                host,
                reason: format!(
                    "{}; it keeps the call as first written: set log_update_url in [[lookup.crm]] so that changes go \
                     to the call's own address",
                    with_detail(status_str)
                ),
            },
            401 | 403 => self.refused(&host, status_str),
            429 => CrmError::RateLimited { host, status: status_str },
            code => {
                let (verb, detail) = match code {
                    300..=399 => ("redirected the call log", format!("; {fix}")),
                    500..=599 => ("had an error", detail.map(|d| format!(": {d}")).unwrap_or_default()),
                    _ => ("rejected the call log", detail.map(|d| format!(": {d}")).unwrap_or_default()),
                };
                CrmError::Status { host, verb: verb.to_string(), status: status_str, detail }
            }
        })
    }

    /// `target`'s template filled with the call id (and, for `log_update_url`, the CRM's id of
    /// the call), each percent-encoded as one component; refused when a value would change the
    /// address's path or origin, or `{remote_id}` is wanted and the CRM never gave one.
    fn log_address(&self, target: &LogTarget, log: &CallLog, remote_id: Option<&str>) -> Result<Url, CrmError> {
        if target.template.contains("{remote_id}") && remote_id.is_none_or(str::is_empty) {
            return Err(CrmError::Config {
                name: self.name.clone(),
                problem: "log_update_url needs the CRM's id of the call ({remote_id}), but its answer to the first \
                          write had none (JSON /id); put {call_id} in log_update_url instead"
                    .to_string(),
            });
        }
        let values = [("call_id", log.call_id.as_str()), ("remote_id", remote_id.unwrap_or_default())];
        fill_checked(&target.template, &values).filter(|url| url.origin() == target.origin).ok_or_else(|| {
            let (what, value) = match remote_id.filter(|_| target.template.contains("{remote_id}")) {
                Some(id) => ("the CRM's id of the call", id),
                None => ("the call id", log.call_id.as_str()),
            };
            CrmError::Rejected {
                host: target.host.clone(),
                reason: format!(
                    "{what} {:?} cannot go into {}: it would change the address's path",
                    clean_text(value, 64),
                    target.setting
                ),
            }
        })
    }

    /// Why the key cannot be sent, if it cannot.
    pub(crate) fn auth_error(&self) -> Option<CrmError> {
        self.auth.as_ref().err().cloned()
    }

    /// The host (and port) the requests go to: what the UI shows as the source.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// The address for `query`: `{e164}` (or the digits when there is no E.164 form), `{digits}`
    /// and `{raw}` each percent-encoded as one URL component.
    pub(crate) fn url_for(&self, query: &CrmQuery) -> Result<Url, CrmError> {
        let e164 = query.e164.as_deref().filter(|e| !e.is_empty()).unwrap_or(&query.digits);
        let values = [("e164", e164), ("digits", query.digits.as_str()), ("raw", query.raw.as_str())];
        let bad = || CrmError::BadNumber { host: self.host.clone(), number: clean_text(&query.raw, 64) };
        let url = fill_checked(&self.template, &values).ok_or_else(bad)?;
        if url.origin() != self.origin {
            return Err(bad());
        }
        Ok(url)
    }

    pub(crate) async fn find(&self, http: &Http, query: &CrmQuery) -> Result<Vec<CrmCustomer>, CrmError> {
        let auth = self.auth.clone()?;
        let url = self.url_for(query)?;
        let mut request = http.get(url).header(ACCEPT, "application/json");
        if let Some((name, value)) = auth {
            request = request.header(name, value);
        }
        let fix = "put the final address in the config (url in [[lookup.crm]])";
        let answer = http.send(request, &self.name, &self.host, fix).await?;
        let status = answer.status;
        if status.is_success() {
            if status == reqwest::StatusCode::NO_CONTENT {
                return Ok(Vec::new());
            }
            return self.map(&answer.body);
        }
        let host = self.host.clone();
        let status_str = status_text(status);
        Err(match status.as_u16() {
            // Many CRMs answer "no such phone" with 404.
            404 => return Ok(Vec::new()),
            401 | 403 => self.refused(&host, status_str),
            429 => CrmError::RateLimited { host, status: status_str },
            code => {
                let verb = match code {
                    500..=599 => "had an error",
                    400..=499 => "rejected the request",
                    _ => "answered with an unexpected status",
                };
                let detail = crate::text::json_error_detail(&answer.body).map(|d| format!(": {d}")).unwrap_or_default();
                CrmError::Status { host, verb: verb.to_string(), status: status_str, detail }
            }
        })
    }

    fn refused(&self, host: &str, status: String) -> CrmError {
        let name = &self.name;
        match &self.auth_header {
            Some(header) => CrmError::Refused {
                host: host.to_string(),
                status,
                what: "the key".to_string(),
                fix: format!(
                    "check the key sent in the {header} header and store the right one with: ringside-cli secret \
                     set crm:{name}"
                ),
            },
            None => CrmError::Refused {
                host: host.to_string(),
                status,
                what: "the request".to_string(),
                fix: format!(
                    "it may want a key: set auth_header for CRM \"{name}\" in [[lookup.crm]] and store the key with: \
                     ringside-cli secret set crm:{name}"
                ),
            },
        }
    }

    /// Customers from a JSON answer, as the configured pointers describe them.
    pub(crate) fn map(&self, body: &[u8]) -> Result<Vec<CrmCustomer>, CrmError> {
        let host = || self.host.clone();
        let root: Value =
            serde_json::from_slice(body).map_err(|e| CrmError::NotJson { host: host(), detail: e.to_string() })?;
        let f = &self.fields;
        let items: Vec<&Value> = match root.pointer(&f.list) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(items)) => items.iter().collect(),
            Some(Value::Object(o)) if o.is_empty() => return Ok(Vec::new()),
            Some(item @ Value::Object(_)) => vec![item],
            Some(_) => {
                return Err(CrmError::BadAnswer {
                    host: host(),
                    detail: format!(
                        "{:?} is neither a list of customers nor one customer; check fields.list of CRM \"{}\" \
                         ([lookup.crm.fields])",
                        f.list, self.name
                    ),
                })
            }
        };
        let mut customers = Vec::new();
        let mut nameless = 0;
        for item in items {
            if customers.len() >= MAX_CUSTOMERS {
                break;
            }
            let Some(name) = value_text(item.pointer(&f.name)) else {
                nameless += 1;
                continue;
            };
            let id = value_text(item.pointer(&f.id)).unwrap_or_default();
            let company = f.company.as_deref().and_then(|p| value_text(item.pointer(p)));
            let url = self.page_of(item, &id);
            let owner = f.owner.as_deref().and_then(|p| value_text(item.pointer(p)));
            let list = |pointer: Option<&str>| pointer.and_then(|p| item.pointer(p)).and_then(Value::as_array);
            let (orders, deal) = if let Some(deals) = list(f.deals.as_deref()) {
                // The CRM lists first the deal calls are bound to.
                let deals = self.map_orders(deals, Some(&f.deal_id));
                let deal = deals.first().and_then(|d| d.id.clone());
                (deals, deal)
            } else {
                (list(f.orders.as_deref()).map(|orders| self.map_orders(orders, None)).unwrap_or_default(), None)
            };
            customers.push(CrmCustomer { id, name, company, url, orders, kind: None, owner, deal });
        }
        if customers.is_empty() && nameless > 0 {
            return Err(CrmError::BadAnswer {
                host: host(),
                detail: format!(
                    "no customer in the answer has a name at {:?}; check fields.name of CRM \"{}\" ([lookup.crm.fields])",
                    f.name, self.name
                ),
            });
        }
        Ok(customers)
    }

    /// The orders (or deals) of one customer. `id` is the pointer of a deal's id
    /// (`fields.deal_id`), `None` for orders, which have none. An item without a title is skipped,
    /// unless it is a deal with an id ("Deal #id").
    fn map_orders(&self, orders: &[Value], id: Option<&str>) -> Vec<CrmOrder> {
        let f = &self.fields;
        orders
            .iter()
            .filter_map(|o| {
                let id = id.and_then(|p| value_text(o.pointer(p)));
                let title = value_text(o.pointer(&f.order_title)).or_else(|| {
                    id.as_ref().map(|id| clean_text(&format!("Deal #{id}"), crate::text::MAX_TEXT_CHARS))
                })?;
                let status = f.order_status.as_deref().and_then(|p| value_text(o.pointer(p)));
                let amount = f.order_amount.as_deref().and_then(|p| value_text(o.pointer(p)));
                Some(CrmOrder { id, title, status, amount })
            })
            .take(MAX_ORDERS)
            .collect()
    }

    /// The customer's page: the answer's own link (`fields.url`), else `card_url` with the id.
    fn page_of(&self, item: &Value, id: &str) -> Option<String> {
        let f = &self.fields;
        f.url
            .as_deref()
            .and_then(|p| item.pointer(p))
            .and_then(Value::as_str)
            .and_then(web_url)
            .or_else(|| self.card_url_for(id))
    }

    fn card_url_for(&self, id: &str) -> Option<String> {
        if id.is_empty() {
            return None;
        }
        let url = fill_checked(self.card_url.as_deref()?, &[("id", id)])?;
        web_url(url.as_str())
    }
}

/// Why a field map cannot be used for lookups, if it cannot: `orders` and `deals` both set (one
/// list of a customer's open orders, with ids and a bound deal or without).
pub(crate) fn fields_problem(fields: &FieldMap) -> Option<String> {
    (fields.orders.is_some() && fields.deals.is_some()).then(|| {
        "fields.orders and fields.deals are both set; a customer's open orders are one list: use deals for deals \
         calls are bound to (with their ids), orders otherwise"
            .to_string()
    })
}

/// `template` filled with `values` (each percent-encoded as one component), provided the address
/// keeps the origin and the path segments the template gives it.
pub(crate) fn fill_template_url(template: &str, values: &[(&str, &str)]) -> Option<Url> {
    let neutral: Vec<(&str, &str)> = values.iter().map(|(name, _)| (*name, "0")).collect();
    let origin = Url::parse(&fill_template(template, &neutral)).ok()?.origin();
    fill_checked(template, values).filter(|u| u.origin() == origin)
}

/// `template` (`url` or `log_url`) with neutral values, checked: no placeholder in the host, an
/// http(s) address with a host. The error is the problem, for [`CrmError::Config`].
pub(crate) fn parse_template(template: &str, setting: &str, placeholders: &[&str], what: &str) -> Result<Url, String> {
    let authority =
        template.split_once("://").map_or("", |(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default());
    if authority.contains('{') {
        return Err(format!("{setting} has a placeholder in its host; {what} may only go into the path or the query"));
    }
    let neutral: Vec<(&str, &str)> = placeholders.iter().map(|p| (*p, "0")).collect();
    let parsed = Url::parse(&fill_template(template, &neutral))
        .map_err(|e| format!("{setting} is not a valid address ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(format!("{setting} is not an http:// or https:// address"));
    }
    Ok(parsed)
}

/// The CRM's id for a written call: JSON `/id` (a string or a number), cleaned; `None` when the
/// answer is not JSON or has none.
fn remote_id_of(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    value_text(v.pointer("/id"))
}

/// `prefix + secret` as a header value marked sensitive (left out of debug output and HTTP/2
/// header compression tables), or `None` if either holds a control character.
fn header_value(prefix: &str, secret: &SecretString) -> Option<HeaderValue> {
    let secret = secret.expose();
    if prefix.chars().chain(secret.chars()).any(char::is_control) {
        return None;
    }
    let mut value = HeaderValue::from_bytes(format!("{prefix}{secret}").as_bytes()).ok()?;
    value.set_sensitive(true);
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A REST CRM searching at `url` with a card link; `fields` changes the field map.
    fn rest(url: &str, fields: impl FnOnce(&mut FieldMap)) -> Rest {
        let mut config = RestCrmConfig::new(url);
        config.card_url = Some("https://crm.example.com/c/{id}".to_string());
        fields(&mut config.fields);
        Rest::new("shop", &config, None).unwrap()
    }

    fn query(raw: &str) -> CrmQuery {
        CrmQuery { raw: raw.to_string(), e164: None, digits: "123".to_string() }
    }

    #[test]
    fn dot_only_numbers_cannot_change_the_path() {
        let r = rest("https://crm.example.com/api/customers/{raw}", |_| {});
        assert!(matches!(r.url_for(&query("..")), Err(CrmError::BadNumber { .. })));
        assert!(matches!(r.url_for(&query(".")), Err(CrmError::BadNumber { .. })));
        assert_eq!(r.url_for(&query("...")).unwrap().path(), "/api/customers/...");
        assert_eq!(r.url_for(&query("1.2")).unwrap().path(), "/api/customers/1.2");
        let q = rest("https://crm.example.com/find?raw={raw}", |_| {});
        assert_eq!(q.url_for(&query("..")).unwrap().query(), Some("raw=.."));
    }

    #[test]
    fn e164_falls_back_to_the_digits() {
        let r = rest("https://crm.example.com/find?p={e164}", |_| {});
        assert_eq!(r.url_for(&query("x")).unwrap().as_str(), "https://crm.example.com/find?p=123");
        let q = CrmQuery { raw: "x".into(), e164: Some("+4930123".into()), digits: "030123".into() };
        assert_eq!(r.url_for(&q).unwrap().as_str(), "https://crm.example.com/find?p=%2B4930123");
    }

    #[test]
    fn a_placeholder_in_the_host_is_refused() {
        // The config file's check accepts it (it checks placeholders' names, not where they are).
        let err = Rest::new("shop", &RestCrmConfig::new("https://{raw}.example.com/find"), None).err().unwrap();
        assert!(err.to_string().contains("host"), "{err}");
    }

    #[test]
    fn card_url_id_is_encoded_and_dot_ids_give_no_link() {
        let r = rest("https://crm.example.com/find/{digits}", |_| {});
        assert_eq!(r.card_url_for("a/b?c").as_deref(), Some("https://crm.example.com/c/a%2Fb%3Fc"));
        assert_eq!(r.card_url_for(".."), None);
        assert_eq!(r.card_url_for(""), None);
    }

    #[test]
    fn mapping_caps_customers_and_orders() {
        let r = rest("https://crm.example.com/find/{digits}", |f| f.orders = Some("/o".to_string()));
        let orders: Vec<Value> = (0..30).map(|i| serde_json::json!({"title": format!("o{i}")})).collect();
        let items: Vec<Value> =
            (0..70).map(|i| serde_json::json!({"id": i, "name": format!("n{i}"), "o": orders})).collect();
        let customers = r.map(serde_json::to_string(&items).unwrap().as_bytes()).unwrap();
        assert_eq!(customers.len(), MAX_CUSTOMERS);
        assert!(customers.iter().all(|c| c.orders.len() == MAX_ORDERS));
        assert_eq!(customers[49].id, "49");
    }

    #[test]
    fn empty_object_and_null_are_no_customers() {
        let r = rest("https://crm.example.com/find/{digits}", |_| {});
        assert_eq!(r.map(b"{}").unwrap(), vec![]);
        assert_eq!(r.map(b"null").unwrap(), vec![]);
        assert_eq!(r.map(b"[]").unwrap(), vec![]);
        assert!(matches!(r.map(b"42"), Err(CrmError::BadAnswer { .. })));
    }

    #[test]
    fn header_value_refuses_control_characters() {
        assert!(header_value("Bearer ", &SecretString::from("abc\r\nX-Evil: 1")).is_none());
        assert!(header_value("Bearer ", &SecretString::from("abc\u{7f}")).is_none());
        let v = header_value("Bearer ", &SecretString::from("abc")).unwrap();
        assert!(v.is_sensitive());
        assert_eq!(v.to_str().unwrap(), "Bearer abc");
    }
}
