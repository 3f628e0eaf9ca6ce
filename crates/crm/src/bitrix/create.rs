//! Creating a contact or a lead in Bitrix24 through the incoming webhook (see `docs/crm.md`,
//! "Creating a customer: Bitrix24"):
//!
//! 1. `crm.contact.list` / `crm.lead.list` filtered on `ORIGINATOR_ID` `ringside` and `ORIGIN_ID`
//!    (the request's key): a retry of a request whose answer was lost finds what it created.
//! 2. Created by itself as a lead: `crm.duplicate.findbycomm` for leads with the number, and the
//!    newest one still in progress (`crm.lead.get`) is the caller's lead: none is added.
//! 3. A contact with a company: `crm.company.list` by the exact `TITLE`, else `crm.company.add`;
//!    its id is the contact's `COMPANY_ID`.
//! 4. `crm.contact.add` / `crm.lead.add` with the name, the number in `PHONE`, `ORIGINATOR_ID`
//!    and `ORIGIN_ID`.
//!
//! Bitrix24 has no idempotency key: step 1 is what keeps a retry from making a second record.

use serde_json::{json, Value};
use url::Url;

use super::{id_of, Bitrix, Redirects, Webhook};
use crate::create::{NewCustomer, Origin};
use crate::http::Http;
use crate::settings::BitrixEntity;
use crate::text::{clean_text, value_text, MAX_TEXT_CHARS};
use crate::writeback::external_call_id;
use crate::{CrmCustomer, CrmError, CrmQuery, CrmRecordKind};

/// `ORIGINATOR_ID` of every record Ringside creates: "the external system" in Bitrix24's words.
pub(crate) const ORIGINATOR: &str = "ringside";

impl Bitrix {
    /// Creates `new` as a contact or a lead (by `create_as`, or `auto_create` for a caller created
    /// by itself), or finds what an earlier attempt of the same request created.
    pub(crate) async fn create(&self, http: &Http, new: &NewCustomer) -> Result<CrmCustomer, CrmError> {
        let hook = self.webhook.as_ref().map_err(Clone::clone)?;
        let entity = match new.origin {
            Origin::Agent => self.settings.create_as,
            Origin::Automatic => self.settings.auto_create.ok_or_else(|| CrmError::Config {
                name: self.name.clone(),
                problem: "unknown callers are not created in it (no auto_create in its [[lookup.crm]])".to_string(),
            })?,
        };
        let (name, company) = new.cleaned();
        let origin_id = external_call_id(&new.idempotency_key);
        let customer = |id: u64, name: String, company: Option<String>| CrmCustomer {
            id: format!("{}:{id}", entity.as_str()),
            name,
            company,
            url: Some(format!("{}/crm/{}/details/{id}/", hook.origin, entity.as_str())),
            orders: Vec::new(),
            kind: Some(match entity {
                BitrixEntity::Contact => CrmRecordKind::Contact,
                BitrixEntity::Lead => CrmRecordKind::Lead,
            }),
            owner: None,
            deal: None,
        };

        if let Some(id) = self.created_before(http, hook, entity, &origin_id).await? {
            tracing::debug!(source = %self.name, host = %hook.host, "Bitrix24 has this customer from an earlier attempt");
            return Ok(customer(id, name, company));
        }
        if new.origin == Origin::Automatic && entity == BitrixEntity::Lead {
            if let Some((id, name, company)) = self.open_lead(http, hook, &new.number).await? {
                tracing::debug!(source = %self.name, host = %hook.host, "the caller has a lead in Bitrix24 already");
                return Ok(customer(id, name, company));
            }
        }

        let phone = json!([{"VALUE": new.phone(), "VALUE_TYPE": "WORK"}]);
        let (method, fields) = match entity {
            BitrixEntity::Contact => {
                let mut fields =
                    json!({"NAME": name, "PHONE": phone, "ORIGINATOR_ID": ORIGINATOR, "ORIGIN_ID": origin_id});
                if let Some(company) = &company {
                    let company_id = self.company_named(http, hook, company, &origin_id).await?;
                    fields["COMPANY_ID"] = json!(company_id);
                }
                ("crm.contact.add", fields)
            }
            BitrixEntity::Lead => {
                let title = match new.origin {
                    Origin::Agent => name.clone(),
                    Origin::Automatic => clean_text(&format!("Call from {}", new.phone()), MAX_TEXT_CHARS),
                };
                let mut fields = json!({
                    "TITLE": title, "NAME": name, "PHONE": phone, "SOURCE_ID": "CALL",
                    "ORIGINATOR_ID": ORIGINATOR, "ORIGIN_ID": origin_id,
                });
                if let Some(company) = &company {
                    fields["COMPANY_TITLE"] = json!(company);
                }
                ("crm.lead.add", fields)
            }
        };
        let id = self.add(http, hook, method, fields).await?;
        Ok(customer(id, name, company))
    }

    /// The id of the record of `entity` an earlier attempt under `origin_id` created.
    async fn created_before(
        &self,
        http: &Http,
        hook: &Webhook,
        entity: BitrixEntity,
        origin_id: &str,
    ) -> Result<Option<u64>, CrmError> {
        let method = format!("crm.{}.list", entity.as_str());
        let body = json!({"filter": {"ORIGINATOR_ID": ORIGINATOR, "ORIGIN_ID": origin_id}, "select": ["ID"]});
        let found = self.post(http, hook, &method, &body).await?;
        Ok(found.as_array().and_then(|list| list.iter().find_map(|item| item.get("ID").and_then(id_of))))
    }

    /// The caller's newest lead that is still in progress (not converted, not junk): its id, name
    /// and company.
    async fn open_lead(
        &self,
        http: &Http,
        hook: &Webhook,
        number: &CrmQuery,
    ) -> Result<Option<(u64, String, Option<String>)>, CrmError> {
        let mut values: Vec<&str> = Vec::new();
        for v in [number.e164.as_deref().unwrap_or_default(), number.digits.as_str()] {
            if !v.is_empty() && !values.contains(&v) {
                values.push(v);
            }
        }
        if values.is_empty() {
            return Ok(None);
        }
        let body = json!({"entity_type": "LEAD", "type": "PHONE", "values": values});
        let found = self.post(http, hook, "crm.duplicate.findbycomm", &body).await?;
        for id in super::ids(&found, "LEAD", 3, &hook.host)? {
            let lead = match self.post(http, hook, "crm.lead.get", &json!({"id": id})).await {
                Ok(lead) => lead,
                // Deleted since the search.
                Err(CrmError::Bitrix { .. }) => continue,
                Err(e) => return Err(e),
            };
            // P: in progress; S: converted (a contact exists); F: junk.
            let semantic = lead.get("STATUS_SEMANTIC_ID").and_then(Value::as_str).unwrap_or("P");
            if semantic != "P" {
                continue;
            }
            let parts: Vec<String> =
                ["NAME", "SECOND_NAME", "LAST_NAME"].iter().filter_map(|f| value_text(lead.get(*f))).collect();
            let name = clean_text(&parts.join(" "), MAX_TEXT_CHARS);
            let name = if name.is_empty() {
                value_text(lead.get("TITLE")).unwrap_or_else(|| format!("Lead #{id}"))
            } else {
                name
            };
            return Ok(Some((id, name, value_text(lead.get("COMPANY_TITLE")))));
        }
        Ok(None)
    }

    /// The id of the company titled exactly `title` (the oldest, if several), else of one created
    /// with that title.
    async fn company_named(&self, http: &Http, hook: &Webhook, title: &str, origin_id: &str) -> Result<u64, CrmError> {
        let body = json!({"filter": {"=TITLE": title}, "order": {"ID": "ASC"}, "select": ["ID"]});
        let found = self.post(http, hook, "crm.company.list", &body).await?;
        if let Some(id) = found.as_array().and_then(|list| list.iter().find_map(|c| c.get("ID").and_then(id_of))) {
            return Ok(id);
        }
        let fields = json!({"TITLE": title, "ORIGINATOR_ID": ORIGINATOR, "ORIGIN_ID": origin_id});
        self.add(http, hook, "crm.company.add", fields).await
    }

    /// `crm.*.add` with `fields`: the new record's id.
    async fn add(&self, http: &Http, hook: &Webhook, method: &str, fields: Value) -> Result<u64, CrmError> {
        let result = self.post(http, hook, method, &json!({"fields": fields})).await?;
        id_of(&result).ok_or_else(|| CrmError::BadAnswer {
            host: hook.host.clone(),
            detail: format!("the answer to {method} is not the new record's id"),
        })
    }

    /// A `POST` that is never redirected, Bitrix24's errors said as for creating a customer.
    async fn post(&self, http: &Http, hook: &Webhook, method: &str, body: &Value) -> Result<Value, CrmError> {
        self.request(http, hook, method, body, Redirects::Refuse).await.map_err(|failure| match failure {
            super::Failure::Bitrix { code, description } => {
                let lower = description.to_ascii_lowercase();
                if code == "INVALID_ARGUMENT" || (code == "ERROR_CORE" && lower.contains("field")) {
                    let detail = crate::text::clean_message(&description, MAX_TEXT_CHARS);
                    let reason = if detail.is_empty() { code } else { format!("{code}: {detail}") };
                    return CrmError::NotCreated { host: hook.host.clone(), reason };
                }
                self.error(&hook.host, &code, &description)
            }
            super::Failure::Other(error) => error,
        })
    }

    /// The page for a new deal: `new_order_url` filled in, else the portal's own new-deal page
    /// with the contact or company as the client.
    pub(crate) fn new_order_url(&self, query: &CrmQuery, customer_id: &str) -> Result<Url, CrmError> {
        let no_page = |why: String| CrmError::NoOrderPage { name: self.name.clone(), why };
        if let Some(template) = &self.settings.new_order_url {
            let number = query.e164.as_deref().filter(|e| !e.is_empty()).unwrap_or(&query.digits);
            let values = [("number", number), ("digits", query.digits.as_str()), ("customer_id", customer_id)];
            return crate::rest::fill_template_url(template, &values)
                .ok_or_else(|| no_page("the customer's id or the number cannot go into new_order_url".to_string()));
        }
        let hook = self.webhook.as_ref().map_err(Clone::clone)?;
        let (kind, id) = customer_id.split_once(':').unwrap_or_default();
        let id = id.parse::<u64>().ok().filter(|id| *id > 0);
        let client = match (kind, id) {
            ("contact", Some(id)) => format!("contact_id={id}"),
            ("company", Some(id)) => format!("company_id={id}"),
            ("lead", Some(_)) => {
                return Err(no_page(
                    "a Bitrix24 lead becomes a deal when it is converted on its own page (Open in CRM); or set \
                     new_order_url in its [[lookup.crm]]"
                        .to_string(),
                ))
            }
            _ => {
                return Err(no_page(format!("{:?} is not a Bitrix24 contact or company", clean_text(customer_id, 64))))
            }
        };
        Url::parse(&format!("{}/crm/deal/details/0/?{client}", hook.origin))
            .map_err(|e| no_page(format!("the portal's address cannot take it ({e})")))
    }
}
