//! Any provider's HTTP API, as a template (`kind = "http"`).
//!
//! `{number}`, `{extension}` and `{secret}` are replaced:
//! - in the URL: percent-encoded as one component (`+` → `%2B`), so a value cannot add a path
//!   segment, a query parameter or a fragment; a placeholder in the host is refused;
//! - in header values: as they are, and a value with a line break or another control character
//!   is refused (it could add a header);
//! - in a JSON body: the template is JSON text and each placeholder is replaced by the value
//!   escaped as the inside of a JSON string (`"` → `\"`, `\` → `\\`, control characters as
//!   `\uXXXX`), without adding quotes: write `"to": "{number}"`. The filled body must still be
//!   JSON, or nothing is sent;
//! - in a form body: form-encoded (percent-encoded as one value).
//!
//! Success is a 2xx status and, if `success_pointer` is set, the JSON value there equal to
//! `success_value` (strings compared as text, numbers and booleans by their JSON text: `true`,
//! `0`). On failure the text at `error_pointer` is what the agent reads.

use ringside_dial::settings::{BodyFormat, HttpConnection};
use ringside_http::text::{encode_component, fill_placeholders};
use ringside_http::{host_label, Answer, Method};
use ringside_secrets::SecretString;
use serde_json::Value;
use url::Url;

use crate::answer::{json, text_of, Who};
use crate::request::{Built, Header, MASK};
use crate::CallError;

#[derive(Clone)]
pub(crate) struct Generic {
    method: Method,
    url: String,
    origin: url::Origin,
    host: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    format: BodyFormat,
    extension: String,
    success: Option<(String, String)>,
    error_pointer: Option<String>,
    keyed: bool,
}

/// Whether any template of the connection holds `{secret}`.
pub(crate) fn uses_secret(c: &HttpConnection) -> bool {
    c.url.contains("{secret}")
        || c.headers.values().any(|v| v.contains("{secret}"))
        || c.body.as_deref().is_some_and(|b| b.contains("{secret}"))
}

/// The inside of a JSON string holding `s`, without the quotes.
fn json_escaped(s: &str) -> String {
    let quoted = Value::String(s.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

/// The value of a placeholder, encoded by `encode`; `None` for an unknown placeholder.
fn values<'a>(
    number: &'a str,
    extension: &'a str,
    secret: Option<&'a str>,
    encode: impl Fn(&str) -> String + 'a,
) -> impl FnMut(&str) -> Option<String> + 'a {
    move |name| match name {
        "number" => Some(encode(number)),
        "extension" => Some(encode(extension)),
        // Masked: shown as it is, whatever the context's encoding.
        "secret" => Some(secret.map_or_else(|| MASK.to_string(), &encode)),
        _ => None,
    }
}

impl Generic {
    pub(crate) fn new(name: &str, c: &HttpConnection) -> Result<Generic, CallError> {
        let config = |problem: String| CallError::Config { name: name.to_string(), problem };
        let method = match c.method.to_ascii_uppercase().as_str() {
            "GET" => Method::GET,
            "POST" => Method::POST,
            other => return Err(config(format!("method {other:?} is not GET or POST"))),
        };
        let authority =
            c.url.split_once("://").map_or("", |(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default());
        if authority.contains('{') {
            return Err(config(
                "url has a placeholder in its host; the number may only go into the path or the query".to_string(),
            ));
        }
        let neutral = fill_placeholders(&c.url, values("0", "0", Some("0"), |v| v.to_string()));
        let parsed = Url::parse(&neutral).map_err(|e| config(format!("url is not a valid address ({e})")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(config("url is not an http:// or https:// address".to_string()));
        }
        for (header, value) in &c.headers {
            let sample = fill_placeholders(value, values("0", &c.extension, Some("0"), |v| v.to_string()));
            if Header::plain(header, &sample).is_none() {
                return Err(config(format!("the header {header} cannot be sent as configured")));
            }
        }
        if let (Some(body), BodyFormat::Json) = (&c.body, c.body_format) {
            let sample = fill_placeholders(body, values("0", &c.extension, Some("0"), json_escaped));
            if let Err(e) = serde_json::from_str::<Value>(&sample) {
                return Err(config(format!(
                    "body is not JSON ({e}); write placeholders inside quotes: \"{{number}}\""
                )));
            }
        }
        if matches!(c.extension.as_str(), "." | "..") {
            return Err(config("extension cannot be \".\" or \"..\"".to_string()));
        }
        Ok(Generic {
            method,
            url: c.url.clone(),
            origin: parsed.origin(),
            host: host_label(&parsed),
            headers: c.headers.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            body: c.body.clone(),
            format: c.body_format,
            extension: c.extension.clone(),
            success: c.success_pointer.clone().zip(c.success_value.clone()),
            error_pointer: c.error_pointer.clone(),
            keyed: uses_secret(c),
        })
    }

    /// The host (and port) the requests go to.
    pub(crate) fn host(&self) -> &str {
        &self.host
    }

    /// Whether the templates hold `{secret}`.
    pub(crate) fn keyed(&self) -> bool {
        self.keyed
    }

    pub(crate) fn build(&self, name: &str, number: &str, secret: Option<&SecretString>) -> Result<Built, CallError> {
        let secret = match (self.keyed, secret) {
            (false, _) => None,
            (true, Some(secret)) => Some(secret.expose()),
            (true, None) => return Err(CallError::NoSecret { name: name.to_string() }),
        };
        let bad_secret = |where_: &str| CallError::BadSecret {
            name: name.to_string(),
            problem: format!("cannot be sent in {where_} (it holds a line break or another control character)"),
        };
        let config = |problem: String| CallError::Config { name: name.to_string(), problem };
        let ext = self.extension.as_str();

        let filled = fill_placeholders(&self.url, values(number, ext, secret, encode_component));
        let url = Url::parse(&filled).map_err(|_| config("url is not a valid address once filled".to_string()))?;
        if url.origin() != self.origin || secret.is_some_and(|s| matches!(s, "." | "..")) {
            return Err(bad_secret("the url"));
        }
        let url_shown = fill_placeholders(&self.url, values(number, ext, None, encode_component));

        let mut headers = Vec::new();
        for (header, template) in &self.headers {
            let value = fill_placeholders(template, values(number, ext, secret, |v| v.to_string()));
            let header = if template.contains("{secret}") {
                let shown = fill_placeholders(template, values(number, ext, None, |v| v.to_string()));
                Header::secret(header, &value, shown).ok_or_else(|| bad_secret(&format!("the {header} header")))?
            } else {
                Header::plain(header, &value).ok_or_else(|| config(format!("the header {header} cannot be sent")))?
            };
            headers.push(header);
        }

        let body = match &self.body {
            None => None,
            Some(template) => {
                let (content_type, sent, shown) = match self.format {
                    BodyFormat::Json => {
                        let sent = fill_placeholders(template, values(number, ext, secret, json_escaped));
                        if serde_json::from_str::<Value>(&sent).is_err() {
                            return Err(config(
                                "body is not JSON once the number is put in; write placeholders inside quotes: \
                                 \"{number}\""
                                    .to_string(),
                            ));
                        }
                        ("application/json", sent, fill_placeholders(template, values(number, ext, None, json_escaped)))
                    }
                    BodyFormat::Form => (
                        "application/x-www-form-urlencoded",
                        fill_placeholders(template, values(number, ext, secret, encode_component)),
                        fill_placeholders(template, values(number, ext, None, encode_component)),
                    ),
                };
                if !self.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case("content-type")) {
                    let header = Header::plain("Content-Type", content_type)
                        .ok_or_else(|| config("Content-Type cannot be sent".to_string()))?;
                    headers.insert(0, header);
                }
                Some((sent, shown))
            }
        };
        Ok(Built { method: self.method.clone(), url, url_shown, headers, body })
    }

    pub(crate) fn outcome(&self, who: &Who<'_>, answer: &Answer) -> Result<Option<String>, CallError> {
        if let Some(e) = who.refused_or_limited(answer) {
            return Err(e);
        }
        let body = json(&answer.body);
        let message = self.error_pointer.as_deref().and_then(|p| text_of(body.as_ref().and_then(|b| b.pointer(p))));
        if !answer.status.is_success() {
            return Err(who.refusal(answer, message));
        }
        let Some((pointer, expected)) = &self.success else {
            return Ok(None);
        };
        let Some(body) = body else {
            return Err(who.not_json(&answer.body));
        };
        let matches = match body.pointer(pointer) {
            Some(Value::String(s)) => s == expected,
            // By the JSON text (`0`, `true`), not `Value == str`, which only matches strings.
            Some(v @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => {
                let text = v.to_string();
                text == *expected
            }
            _ => false,
        };
        if matches {
            Ok(None)
        } else {
            Err(who.refusal(answer, message))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escaping_keeps_a_value_inside_its_string() {
        assert_eq!(json_escaped("a\"b\\c\n\u{1}"), "a\\\"b\\\\c\\n\\u0001");
    }
}
