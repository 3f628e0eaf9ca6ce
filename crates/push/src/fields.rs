//! Name → values, the same whether a provider posted a form or JSON.

use serde_json::Value;

/// The fields of a form or a flattened JSON object, in order, a name possibly repeated.
///
/// A form is decoded as PHP reads `$_POST` (`+` is a space, `%XX` a byte). A JSON object is
/// flattened the way PHP names form fields: `{"callDetails": {"disposition": "ANSWER"}}` gives
/// `callDetails[disposition]`, an array gives the name once per element, a number or a boolean
/// its JSON text; `null` is left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    pairs: Vec<(String, String)>,
}

impl Fields {
    pub fn from_form(body: &[u8]) -> Self {
        Self { pairs: url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect() }
    }

    pub fn from_json(value: &Value) -> Self {
        let mut pairs = Vec::new();
        if let Value::Object(map) = value {
            for (k, v) in map {
                flatten(k.clone(), v, &mut pairs);
            }
        }
        Self { pairs }
    }

    /// `from_form` or `from_json` by the content type (`application/x-www-form-urlencoded` or not);
    /// a body that is neither is refused.
    pub fn from_body(body: &[u8], form: bool) -> Result<Self, crate::PushError> {
        if form {
            return Ok(Self::from_form(body));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| crate::PushError::bad_body(format!("the body is neither a form nor JSON: {e}")))?;
        if !value.is_object() {
            return Err(crate::PushError::bad_body("the body must be a JSON object"));
        }
        Ok(Self::from_json(&value))
    }

    /// The first value of `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first non-empty value of `name`.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value of `name`, or a bad-body error naming it.
    pub fn require(&self, name: &str) -> Result<&str, crate::PushError> {
        self.get(name).ok_or_else(|| crate::PushError::bad_body(format!("missing field `{name}`")))
    }

    /// A field the signature covers: absent reads as empty, as PHP's concatenation of an unset
    /// property does.
    pub fn or_empty(&self, name: &str) -> &str {
        self.get(name).unwrap_or("")
    }

    #[cfg(test)]
    pub(crate) fn of(pairs: &[(&str, &str)]) -> Self {
        Self { pairs: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() }
    }
}

fn flatten(name: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::String(s) => out.push((name, s.clone())),
        Value::Bool(_) | Value::Number(_) => out.push((name, value.to_string())),
        Value::Array(items) => {
            for item in items {
                flatten(name.clone(), item, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                flatten(format!("{name}[{k}]"), v, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_decodes_as_php_does() {
        let f = Fields::from_form(b"user%5B%5D=Emma+Taylor&user%5B%5D=101&event=newCall");
        assert_eq!(f.all("user[]").collect::<Vec<_>>(), ["Emma Taylor", "101"]);
        assert_eq!(f.get("event"), Some("newCall"));
    }

    #[test]
    fn json_flattens_like_form_names() {
        let v = serde_json::json!({"a": 1, "user": ["x", "y"], "d": {"e": "f"}, "n": null});
        let f = Fields::from_json(&v);
        assert_eq!(f.get("a"), Some("1"));
        assert_eq!(f.all("user").collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(f.get("d[e]"), Some("f"));
        assert_eq!(f.get("n"), None);
    }
}
