//! Creating a customer in a CRM ("Create customer" on the card, or an unknown caller created by
//! itself): the request's types, and the JSON body a REST CRM gets, built from the field map.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::settings::FieldMap;
use crate::text::{clean_text, MAX_TEXT_CHARS};
use crate::CrmQuery;

/// Who asked for the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The agent, with "Create customer" on the card (Bitrix24: `create_as`).
    Agent,
    /// Ringside by itself, for an unknown caller the agent answered (`auto_create`).
    Automatic,
}

/// A customer to create, from a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomer {
    /// As the agent typed it (or, created by itself, the caller ID name or the number); cleaned to
    /// one line of at most 200 characters before it is sent.
    pub name: String,
    pub company: Option<String>,
    /// The caller's number.
    pub number: CrmQuery,
    /// The PBX's id of the call it is created from (REST: `{call_id}` in `create_url`).
    pub call_id: String,
    /// Stable per request: a retry of the same request carries the same key (REST: the
    /// `Idempotency-Key` header; Bitrix24: the record's `ORIGIN_ID`, looked for before creating).
    pub idempotency_key: String,
    pub origin: Origin,
}

impl NewCustomer {
    /// The name and company as they are sent: one line each, at most 200 characters, control and
    /// bidi override characters removed; an empty company is none.
    pub(crate) fn cleaned(&self) -> (String, Option<String>) {
        let name = clean_text(&self.name, MAX_TEXT_CHARS);
        let company = self.company.as_deref().map(|c| clean_text(c, MAX_TEXT_CHARS)).filter(|c| !c.is_empty());
        (name, company)
    }

    /// The number as a CRM stores it: E.164 when it has one, else the digits, else as received.
    pub(crate) fn phone(&self) -> String {
        let q = &self.number;
        match q.e164.as_deref().filter(|e| !e.is_empty()) {
            Some(e164) => e164.to_string(),
            None if !q.digits.is_empty() => q.digits.clone(),
            None => clean_text(&q.raw, 64),
        }
    }
}

/// What a CRM creates for a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CreatedKind {
    /// A REST CRM's customer (whatever `create_url` makes).
    Customer,
    /// A Bitrix24 contact.
    Contact,
    /// A Bitrix24 lead.
    Lead,
}

/// The JSON a REST CRM gets for a new customer: each value at its pointer of `fields` (`name`,
/// `company` when the map has one and the agent typed one, `phone`), objects and arrays made as
/// the pointers need them (a token of digits indexes an array: `/phones/0/number`).
pub(crate) fn rest_body(fields: &FieldMap, name: &str, company: Option<&str>, phone: &str) -> Result<Value, String> {
    let mut body = Value::Object(Map::new());
    set_pointer(&mut body, "fields.name", &fields.name, Value::String(name.to_string()))?;
    if let (Some(pointer), Some(company)) = (fields.company.as_deref(), company) {
        set_pointer(&mut body, "fields.company", pointer, Value::String(company.to_string()))?;
    }
    set_pointer(&mut body, "fields.phone", &fields.phone, Value::String(phone.to_string()))?;
    Ok(body)
}

/// Why `fields` cannot describe a new customer's body (pointers that are empty or run into each
/// other), naming the setting; `None` when it can. ringside-config checks this when `create_url`
/// is set, and the connector again.
pub fn create_fields_problem(fields: &FieldMap) -> Option<(&'static str, String)> {
    let mut body = Value::Object(Map::new());
    let checks = [
        ("fields.name", Some(fields.name.as_str())),
        ("fields.company", fields.company.as_deref()),
        ("fields.phone", Some(fields.phone.as_str())),
    ];
    for (setting, pointer) in checks {
        let Some(pointer) = pointer else { continue };
        if let Err(problem) = set_pointer(&mut body, setting, pointer, Value::String("x".to_string())) {
            return Some((setting, problem));
        }
    }
    None
}

/// Puts `value` at `pointer` (RFC 6901) in `root`, making the objects and arrays on the way.
fn set_pointer(root: &mut Value, setting: &str, pointer: &str, value: Value) -> Result<(), String> {
    if pointer.is_empty() {
        return Err(format!(
            "{setting} is \"\" (the whole body), so a new customer cannot be sent; point it at a field, such as \"/name\""
        ));
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!("{setting} {pointer:?} is not a JSON pointer"));
    };
    let tokens: Vec<String> = rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
    let taken = || format!("{setting} {pointer:?} points into a value another field of the new customer already holds");
    let mut at = root;
    for (i, token) in tokens.iter().enumerate() {
        let last = i + 1 == tokens.len();
        let next_is_index = tokens.get(i + 1).is_some_and(|t| is_index(t));
        let fresh = || {
            if last {
                Value::Null
            } else if next_is_index {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            }
        };
        at = match at {
            Value::Object(map) => map.entry(token.clone()).or_insert_with(fresh),
            Value::Array(items) => {
                let index = token.parse::<usize>().ok().filter(|_| is_index(token)).ok_or_else(taken)?;
                if index > items.len() || index > 100 {
                    return Err(format!("{setting} {pointer:?} skips array elements (index {index})"));
                }
                if index == items.len() {
                    items.push(fresh());
                }
                items.get_mut(index).ok_or_else(taken)?
            }
            _ => return Err(taken()),
        };
    }
    if !at.is_null() {
        return Err(taken());
    }
    *at = value;
    Ok(())
}

/// `0`, `1`, `12`: an array index as RFC 6901 writes it (no sign, no leading zero).
fn is_index(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) && (token == "0" || !token.starts_with('0'))
}

/// The created customer in a REST CRM's answer: the object at `fields.list` (or the first
/// element of a list there), else the answer itself.
pub(crate) fn created_item<'a>(answer: &'a Value, fields: &FieldMap) -> &'a Value {
    if fields.list.is_empty() {
        return answer;
    }
    match answer.pointer(&fields.list) {
        Some(item @ Value::Object(_)) => item,
        Some(Value::Array(items)) => items.first().filter(|i| i.is_object()).unwrap_or(answer),
        _ => answer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(name: &str, company: Option<&str>, phone: &str) -> FieldMap {
        FieldMap { name: name.into(), company: company.map(Into::into), phone: phone.into(), ..FieldMap::default() }
    }

    #[test]
    fn the_body_puts_each_value_where_the_map_points() {
        let f = map("/full_name", Some("/company/name"), "/phones/0/number");
        let body = rest_body(&f, "Taras", Some("Kobzar LLC"), "+380507654321").unwrap();
        assert_eq!(
            body,
            json!({"full_name": "Taras", "company": {"name": "Kobzar LLC"}, "phones": [{"number": "+380507654321"}]})
        );
        let plain = rest_body(&FieldMap::default(), "Ewa", Some("ignored: no company pointer"), "48").unwrap();
        assert_eq!(plain, json!({"name": "Ewa", "phone": "48"}));
        let escaped = rest_body(&map("/a~1b", None, "/c~0d"), "n", None, "p").unwrap();
        assert_eq!(escaped, json!({"a/b": "n", "c~d": "p"}));
        let shared =
            rest_body(&map("/customer/name", Some("/customer/company"), "/customer/phone"), "n", Some("c"), "p");
        assert_eq!(shared.unwrap(), json!({"customer": {"name": "n", "company": "c", "phone": "p"}}));
    }

    #[test]
    fn pointers_that_collide_or_cover_the_body_are_refused() {
        assert_eq!(create_fields_problem(&FieldMap::default()), None);
        let (setting, why) = create_fields_problem(&map("", None, "/phone")).unwrap();
        assert_eq!(setting, "fields.name");
        assert!(why.contains("whole body"), "{why}");
        let (setting, why) = create_fields_problem(&map("/c", Some("/c/name"), "/phone")).unwrap();
        assert_eq!(setting, "fields.company");
        assert!(why.contains("already holds"), "{why}");
        assert_eq!(create_fields_problem(&map("/n", None, "/n")).unwrap().0, "fields.phone");
        assert!(create_fields_problem(&map("/n", None, "/p/3")).unwrap().1.contains("skips"));
    }

    #[test]
    fn the_created_customer_is_found_under_list_or_at_the_top() {
        let f = FieldMap { list: "/data".into(), ..FieldMap::default() };
        let wrapped = json!({"data": {"id": 7}});
        assert_eq!(created_item(&wrapped, &f), &json!({"id": 7}));
        let listed = json!({"data": [{"id": 8}]});
        assert_eq!(created_item(&listed, &f), &json!({"id": 8}));
        let bare = json!({"id": 9});
        assert_eq!(created_item(&bare, &f), &bare);
    }
}
