//! `[lookup]` and `[[lookup.crm]]`: where a caller's number is looked up, in which order, for how
//! long, and how a CRM's answer maps onto a customer. [`LookupConfig`] (the sources and their
//! order) is the file's own; each `[[lookup.crm]]` is checked and mapped into ringside-crm's
//! settings, which own the CRM types ([`ringside_crm::settings`]).

use ringside_crm::settings::{Bitrix24Config, BitrixEntity, CrmConfig, CrmKind, FieldMap, RestCrmConfig, UpdateMethod};
use serde::{Deserialize, Serialize};

use super::{ConfigError, Document};

/// The name the embedded directory has in [`LookupConfig::order`].
pub const DIRECTORY_SOURCE: &str = "directory";

/// The lookup's sources and bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LookupConfig {
    /// The whole lookup's time bound: a source that has not answered by then is reported as
    /// failed, and the card shows what the others found.
    pub timeout_ms: u64,
    /// How long a CRM's answer for a number is reused. An empty answer is kept at most
    /// [`NEGATIVE_CACHE_SECS`], so a customer created in the CRM shows up soon.
    pub cache_secs: u64,
    /// Source names, highest priority first: [`DIRECTORY_SOURCE`] and the `crm` names.
    pub order: Vec<String>,
    pub crm: Vec<CrmConfig>,
}

/// The longest an empty CRM answer is cached.
pub const NEGATIVE_CACHE_SECS: u64 = 30;

impl Default for LookupConfig {
    fn default() -> Self {
        Self { timeout_ms: 800, cache_secs: 300, order: vec![DIRECTORY_SOURCE.to_string()], crm: Vec::new() }
    }
}

// ---------------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct RawLookup {
    timeout_ms: Option<u64>,
    cache_secs: Option<u64>,
    order: Option<Vec<String>>,
    crm: Vec<RawCrm>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RawCrmKind {
    Rest,
    Bitrix24,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCrm {
    name: String,
    kind: RawCrmKind,
    url: Option<String>,
    auth_header: Option<String>,
    auth_prefix: Option<String>,
    card_url: Option<String>,
    log_url: Option<String>,
    log_update_url: Option<String>,
    log_update_method: Option<String>,
    create_url: Option<String>,
    create_as: Option<String>,
    auto_create: Option<String>,
    new_order_url: Option<String>,
    #[serde(default)]
    allow_plain_http: bool,
    fields: Option<RawFields>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawFields {
    list: Option<String>,
    id: Option<String>,
    name: Option<String>,
    company: Option<String>,
    phone: Option<String>,
    url: Option<String>,
    owner: Option<String>,
    orders: Option<String>,
    deals: Option<String>,
    deal_id: Option<String>,
    order_title: Option<String>,
    order_status: Option<String>,
    order_amount: Option<String>,
}

/// Longest time bound accepted: past this an agent has answered the call already.
const MAX_TIMEOUT_MS: u64 = 30_000;

impl RawLookup {
    pub(crate) fn into_config(self, doc: &Document<'_>) -> Result<LookupConfig, ConfigError> {
        let defaults = LookupConfig::default();
        let timeout_ms = self.timeout_ms.unwrap_or(defaults.timeout_ms);
        if timeout_ms == 0 || timeout_ms > MAX_TIMEOUT_MS {
            return Err(doc.invalid(
                "lookup.timeout_ms",
                format!("{timeout_ms} is out of range; give 1 to {MAX_TIMEOUT_MS} milliseconds (default 800)"),
            ));
        }
        let mut crm = Vec::with_capacity(self.crm.len());
        for (i, raw) in self.crm.into_iter().enumerate() {
            let c = raw.into_config(doc, i)?;
            if c.name == DIRECTORY_SOURCE || crm.iter().any(|o: &CrmConfig| o.name == c.name) {
                return Err(doc.invalid(
                    &format!("lookup.crm[{i}].name"),
                    format!("{:?} is already taken; give each CRM its own name", c.name),
                ));
            }
            crm.push(c);
        }
        let order = match self.order {
            Some(order) => {
                for (i, name) in order.iter().enumerate() {
                    if name != DIRECTORY_SOURCE && !crm.iter().any(|c| &c.name == name) {
                        let known: Vec<String> = std::iter::once(DIRECTORY_SOURCE.to_string())
                            .chain(crm.iter().map(|c| c.name.clone()))
                            .map(|n| format!("{n:?}"))
                            .collect();
                        return Err(doc.invalid(
                            &format!("lookup.order[{i}]"),
                            format!("{name:?} is not a source; expected one of: {}", known.join(", ")),
                        ));
                    }
                    if order[..i].contains(name) {
                        return Err(doc.invalid(&format!("lookup.order[{i}]"), format!("{name:?} is listed twice")));
                    }
                }
                if order.is_empty() {
                    return Err(doc.invalid(
                        "lookup.order",
                        "lists no source, so no caller would ever be found; add \"directory\" or a CRM",
                    ));
                }
                order
            }
            None => crm.iter().map(|c| c.name.clone()).chain([DIRECTORY_SOURCE.to_string()]).collect(),
        };
        Ok(LookupConfig { timeout_ms, cache_secs: self.cache_secs.unwrap_or(defaults.cache_secs), order, crm })
    }
}

impl RawCrm {
    fn into_config(self, doc: &Document<'_>, i: usize) -> Result<CrmConfig, ConfigError> {
        let field = |name: &str| format!("lookup.crm[{i}].{name}");
        check_name(doc, &field("name"), &self.name, "source", "shop")?;
        if let Some(template) = &self.new_order_url {
            // Opened in the agent's browser, like card_url: no key goes there.
            check_url(template, &["number", "digits", "customer_id"], true)
                .map_err(|m| doc.invalid(&field("new_order_url"), m))?;
        }
        let kind = match self.kind {
            RawCrmKind::Bitrix24 => {
                let rest_only = [
                    ("url", self.url.is_some()),
                    ("auth_header", self.auth_header.is_some()),
                    ("auth_prefix", self.auth_prefix.is_some()),
                    ("card_url", self.card_url.is_some()),
                    ("log_url", self.log_url.is_some()),
                    ("log_update_url", self.log_update_url.is_some()),
                    ("log_update_method", self.log_update_method.is_some()),
                    ("create_url", self.create_url.is_some()),
                    ("fields", self.fields.is_some()),
                    ("allow_plain_http", self.allow_plain_http),
                ];
                if let Some((name, _)) = rest_only.iter().find(|(_, set)| *set) {
                    return Err(doc.invalid(
                        &field(name),
                        format!(
                            "is only used with kind = \"rest\"; a Bitrix24 portal is reached through its \
                             webhook URL, kept in the keychain: ringside-cli secret set crm:{}",
                            self.name
                        ),
                    ));
                }
                let entity = |setting: &str, value: &str| match value {
                    "contact" => Ok(BitrixEntity::Contact),
                    "lead" => Ok(BitrixEntity::Lead),
                    other => Err(doc.invalid(
                        &field(setting),
                        format!("{other:?} is not what Bitrix24 can create; use \"contact\" or \"lead\""),
                    )),
                };
                let create_as = match self.create_as.as_deref() {
                    None => BitrixEntity::default(),
                    Some(value) => entity("create_as", value)?,
                };
                let auto_create = match self.auto_create.as_deref() {
                    None | Some("off") => None,
                    Some(value) => Some(entity("auto_create", value).map_err(|_| {
                        doc.invalid(
                            &field("auto_create"),
                            format!(
                                "{value:?} is not a choice here; use \"off\" (the default), \"lead\" or \"contact\""
                            ),
                        )
                    })?),
                };
                CrmKind::Bitrix24(Bitrix24Config { create_as, auto_create, new_order_url: self.new_order_url })
            }
            RawCrmKind::Rest => {
                let url = self.url.ok_or_else(|| {
                    doc.invalid(
                        &field("url"),
                        "must be set for kind = \"rest\": the search address with {e164}, {digits} or {raw} \
                         where the number goes",
                    )
                })?;
                check_url(&url, &["e164", "digits", "raw"], self.allow_plain_http)
                    .map_err(|m| doc.invalid(&field("url"), m))?;
                if !["{e164}", "{digits}", "{raw}"].iter().any(|p| url.contains(p)) {
                    return Err(doc.invalid(
                        &field("url"),
                        "has no {e164}, {digits} or {raw}, so every number would find the same customers",
                    ));
                }
                if let Some(card_url) = &self.card_url {
                    check_url(card_url, &["id"], true).map_err(|m| doc.invalid(&field("card_url"), m))?;
                }
                if let Some(log_url) = &self.log_url {
                    // The call's number, times and the agent's note go there: the same rules as `url`.
                    check_url(log_url, &["call_id"], self.allow_plain_http)
                        .map_err(|m| doc.invalid(&field("log_url"), m))?;
                }
                if let Some(update_url) = &self.log_update_url {
                    if self.log_url.is_none() {
                        return Err(doc.invalid(
                            &field("log_update_url"),
                            "is set but log_url is not: changes update a call log that log_url wrote first",
                        ));
                    }
                    check_url(update_url, &["remote_id", "call_id"], self.allow_plain_http)
                        .map_err(|m| doc.invalid(&field("log_update_url"), m))?;
                }
                let log_update_method = match self.log_update_method.as_deref() {
                    None => UpdateMethod::default(),
                    Some(_) if self.log_update_url.is_none() => {
                        return Err(doc.invalid(&field("log_update_method"), "is set but log_update_url is not"))
                    }
                    Some(m) if m.eq_ignore_ascii_case("put") => UpdateMethod::Put,
                    Some(m) if m.eq_ignore_ascii_case("patch") => UpdateMethod::Patch,
                    Some(m) if m.eq_ignore_ascii_case("post") => UpdateMethod::Post,
                    Some(m) => {
                        return Err(doc.invalid(
                            &field("log_update_method"),
                            format!("{m:?} is not a method for changes; use \"PUT\", \"PATCH\" or \"POST\""),
                        ))
                    }
                };
                if let Some(h) = &self.auth_header {
                    let token = !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
                    if !token {
                        return Err(doc.invalid(
                            &field("auth_header"),
                            format!("{h:?} is not a header name (letters, digits and '-', such as \"X-Api-Key\")"),
                        ));
                    }
                }
                let auth_prefix = self.auth_prefix.unwrap_or_default();
                if auth_prefix.chars().any(char::is_control) {
                    return Err(doc.invalid(&field("auth_prefix"), "must be one line"));
                }
                if self.auth_header.is_none() && !auth_prefix.is_empty() {
                    return Err(doc.invalid(&field("auth_prefix"), "is set but auth_header is not"));
                }
                let fields = self.fields.unwrap_or_default().into_map(doc, &field("fields"))?;
                if self.create_as.is_some() {
                    return Err(doc.invalid(
                        &field("create_as"),
                        "is only used with kind = \"bitrix24\"; a REST CRM creates what create_url makes",
                    ));
                }
                if let Some(create_url) = &self.create_url {
                    // The new customer's name and number go there: the same rules as `url`.
                    check_url(create_url, &["e164", "digits", "call_id"], self.allow_plain_http)
                        .map_err(|m| doc.invalid(&field("create_url"), m))?;
                    if let Some((setting, problem)) = ringside_crm::create_fields_problem(&fields) {
                        return Err(doc.invalid(&field(setting), format!("{problem} (create_url sends it)")));
                    }
                }
                let auto_create = match self.auto_create.as_deref() {
                    None | Some("off") => false,
                    Some("customer") if self.create_url.is_some() => true,
                    Some("customer") => {
                        return Err(doc.invalid(
                            &field("auto_create"),
                            "is \"customer\" but create_url is not set: it is where the new customer is sent",
                        ))
                    }
                    Some(other) => {
                        return Err(doc.invalid(
                            &field("auto_create"),
                            format!(
                                "{other:?} is not a choice for a REST CRM; use \"off\" (the default) or \"customer\" \
                                 (\"lead\" and \"contact\" are Bitrix24's)"
                            ),
                        ))
                    }
                };
                CrmKind::Rest(RestCrmConfig {
                    url,
                    auth_header: self.auth_header,
                    auth_prefix,
                    card_url: self.card_url,
                    log_url: self.log_url,
                    log_update_url: self.log_update_url,
                    log_update_method,
                    create_url: self.create_url,
                    new_order_url: self.new_order_url,
                    auto_create,
                    allow_plain_http: self.allow_plain_http,
                    fields,
                })
            }
        };
        Ok(CrmConfig { name: self.name, kind })
    }
}

impl RawFields {
    fn into_map(self, doc: &Document<'_>, at: &str) -> Result<FieldMap, ConfigError> {
        let d = FieldMap::default();
        let check = |name: &str, p: Option<String>| -> Result<Option<String>, ConfigError> {
            match p {
                Some(p) if !(p.is_empty() || p.starts_with('/')) => Err(doc.invalid(
                    &format!("{at}.{name}"),
                    format!("{p:?} is not a JSON pointer; it starts with '/', such as \"/data/0/name\""),
                )),
                other => Ok(other),
            }
        };
        if self.orders.is_some() && self.deals.is_some() {
            return Err(doc.invalid(
                &format!("{at}.deals"),
                "cannot be set together with fields.orders: a customer's open orders are one list; use deals for \
                 deals calls are bound to (each with its id at fields.deal_id, the one a call goes to first), orders \
                 for anything else",
            ));
        }
        Ok(FieldMap {
            list: check("list", self.list)?.unwrap_or(d.list),
            id: check("id", self.id)?.unwrap_or(d.id),
            name: check("name", self.name)?.unwrap_or(d.name),
            company: check("company", self.company)?,
            phone: check("phone", self.phone)?.unwrap_or(d.phone),
            url: check("url", self.url)?,
            owner: check("owner", self.owner)?,
            orders: check("orders", self.orders)?,
            deals: check("deals", self.deals)?,
            deal_id: check("deal_id", self.deal_id)?.unwrap_or(d.deal_id),
            order_title: check("order_title", self.order_title)?.unwrap_or(d.order_title),
            order_status: check("order_status", self.order_status)?,
            order_amount: check("order_amount", self.order_amount)?,
        })
    }
}

/// A name that also names a keychain entry (`crm:NAME`, `dial:NAME`): short, lower-case, one word.
pub(crate) fn check_name(
    doc: &Document<'_>,
    field: &str,
    name: &str,
    what: &str,
    example: &str,
) -> Result<(), ConfigError> {
    let good = !name.is_empty()
        && name.len() <= 32
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if good {
        return Ok(());
    }
    Err(doc.invalid(
        field,
        format!(
            "{name:?} is not a {what} name; use up to 32 lower-case letters, digits, '-' or '_', such as {example:?}"
        ),
    ))
}

/// An http(s) URL whose `{…}` placeholders are all in `allowed`. Plain http only to this
/// computer unless `allow_plain_http`: the number and the key would travel unencrypted. Secrets
/// written into it are refused before, for every address in the file (`address.rs`).
pub(crate) fn check_url(url: &str, allowed: &[&str], allow_plain_http: bool) -> Result<(), String> {
    // The address as messages show it: a secret in it (which the config refuses before this
    // runs) would be masked.
    let shown = ringside_text::mask_url(url);
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);

        if !is_loopback(host) && !allow_plain_http {
            return Err(format!(
                "{shown:?} is plain http: the caller's number and the key would travel unencrypted; use https://, \
                 or add allow_plain_http = true for a CRM on a trusted network"
            ));
        }
        rest
    } else {
        return Err(format!("{shown:?} is not an http:// or https:// address"));
    };
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("{shown:?} has no host"));
    }
    if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{shown:?} contains {c:?}; write spaces as %20"));
    }
    let mut tail = url;
    while let Some(open) = tail.find('{') {
        let after = &tail[open + 1..];
        let close = after.find('}').ok_or_else(|| format!("{shown:?} has a '{{' without its '}}'"))?;
        let name = &after[..close];
        if !allowed.contains(&name) {
            let allowed: Vec<String> = allowed.iter().map(|a| format!("{{{a}}}")).collect();
            return Err(format!("{{{name}}} is not a placeholder here; use {}", allowed.join(", ")));
        }
        tail = &after[close + 1..];
    }
    Ok(())
}

/// `localhost`, `127.x.y.z` or `[::1]`, with or without a port.
fn is_loopback(host_port: &str) -> bool {
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::check_url;

    #[test]
    fn urls_need_https_or_loopback_and_known_placeholders() {
        let all = ["e164", "digits", "raw"];
        assert!(check_url("https://crm.example.com/find?phone={e164}", &all, false).is_ok());
        assert!(check_url("http://127.0.0.1:8080/find/{digits}", &all, false).is_ok());
        assert!(check_url("http://localhost/find/{raw}", &all, false).is_ok());
        assert!(check_url("http://crm.lan/find/{raw}", &all, true).is_ok());
        let plain = check_url("http://crm.lan/find/{raw}", &all, false).unwrap_err();
        assert!(plain.contains("unencrypted"), "{plain}");
        assert!(check_url("http://127.0.0.1.evil.com/{raw}", &all, false).is_err());
        assert!(check_url("http://[::1]:80/{raw}", &all, false).is_ok());
        assert!(check_url("http://user@localhost:9/{raw}", &all, false).is_ok());
        assert!(check_url("ftp://crm/{raw}", &all, false).unwrap_err().contains("not an http"));
        assert!(check_url("https:///x{raw}", &all, false).unwrap_err().contains("no host"));
        assert!(check_url("https://crm/{phone}", &all, false).unwrap_err().contains("{phone} is not a placeholder"));
        assert!(check_url("https://crm/{raw", &all, false).unwrap_err().contains("without"));
        assert!(check_url("https://crm/a b/{raw}", &all, false).unwrap_err().contains("%20"));
    }

    #[test]
    fn url_messages_show_the_address_masked() {
        let plain = check_url("http://u:pw@crm.lan/find?phone={raw}&key=abc987", &["raw"], false).unwrap_err();
        assert!(plain.starts_with("\"http://••••@crm.lan/find?phone={raw}&key=••••\" is plain http"), "{plain}");
        let spaced = check_url("https://crm/a b?token=abc987", &[], false).unwrap_err();
        assert!(spaced.contains("token=••••") && !spaced.contains("abc987"), "{spaced}");
    }
}
