//! Reading a provider's answer: the statuses every provider shares, and its own words cleaned.

use ringside_http::text::{clean_message, clean_text};
use ringside_http::{status_text, Answer};
use serde_json::Value;

use crate::CallError;

/// Longest text of a provider shown to the agent, in characters.
pub(crate) const MAX_MESSAGE_CHARS: usize = 200;

/// Who answered, for messages.
pub(crate) struct Who<'a> {
    /// "Binotel", or the HTTP API's host.
    pub(crate) provider: &'a str,
    /// The connection's name, for `ringside-cli secret set dial:NAME`.
    pub(crate) name: &'a str,
    /// Whether the request carried a key (so a 401 is about the key).
    pub(crate) keyed: bool,
}

impl Who<'_> {
    /// 401/403 → [`CallError::Refused`], 429 → [`CallError::RateLimited`].
    pub(crate) fn refused_or_limited(&self, answer: &Answer) -> Option<CallError> {
        let status = status_text(answer.status);
        let provider = self.provider.to_string();
        match answer.status.as_u16() {
            401 | 403 if self.keyed => Some(CallError::Refused {
                provider,
                what: "the key".to_string(),
                status,
                fix: format!("store the right one with: ringside-cli secret set dial:{}", self.name),
            }),
            401 | 403 => Some(CallError::Refused {
                provider,
                what: "the request".to_string(),
                status,
                fix: format!(
                    "it may want a key: put {{secret}} where the provider expects it in connection \"{}\" and store \
                     the key with: ringside-cli secret set dial:{}",
                    self.name, self.name
                ),
            }),
            429 => Some(CallError::RateLimited { provider, status }),
            _ => None,
        }
    }

    /// The provider said no: in its own words if it gave any, else by the status.
    pub(crate) fn refusal(&self, answer: &Answer, message: Option<String>) -> CallError {
        let provider = self.provider.to_string();
        let status = status_text(answer.status);
        if answer.status.is_server_error() {
            let detail = message.map(|m| format!(": {m}")).unwrap_or_default();
            return CallError::ProviderError { provider, status, detail };
        }
        match message {
            Some(message) => CallError::Rejected { provider, message },
            None => CallError::RejectedStatus { provider, status },
        }
    }

    /// A success status with a body that should have been JSON.
    pub(crate) fn not_json(&self, body: &[u8]) -> CallError {
        let detail = match serde_json::from_slice::<Value>(body) {
            Err(e) => e.to_string(),
            Ok(_) => "an unexpected value".to_string(),
        };
        CallError::NotJson { provider: self.provider.to_string(), detail }
    }

    pub(crate) fn bad_answer(&self, detail: &str) -> CallError {
        CallError::BadAnswer { provider: self.provider.to_string(), detail: detail.to_string() }
    }
}

/// The body as JSON, if it is JSON.
pub(crate) fn json(body: &[u8]) -> Option<Value> {
    serde_json::from_slice(body).ok()
}

/// A JSON string, number or bool as one clean line of at most 200 characters, an address it
/// quotes masked (the provider may echo the request's URL); `None` for anything else or for text
/// that is empty once cleaned.
pub(crate) fn text_of(value: Option<&Value>) -> Option<String> {
    let raw = match value? {
        Value::String(s) => s.clone(),
        v @ (Value::Number(_) | Value::Bool(_)) => v.to_string(),
        _ => return None,
    };
    let text = clean_message(&raw, MAX_MESSAGE_CHARS);
    (!text.is_empty()).then_some(text)
}

/// A provider's own words from the usual places: `message`, `error` (text, or an object with a
/// `message`), `error_description`, `description`.
pub(crate) fn usual_message(body: Option<&Value>) -> Option<String> {
    let body = body?;
    let error = body.get("error");
    [
        body.get("message"),
        error,
        error.and_then(|e| e.get("message")),
        body.get("error_description"),
        body.get("description"),
    ]
    .into_iter()
    .find_map(|v| text_of(v).filter(|_| v.is_some_and(Value::is_string)))
}

/// Answers of the `{"status": "success", …}` / `{"status": "error", "message": …}` kind (Binotel,
/// Zadarma): the call id at `id_field` on success.
pub(crate) fn status_outcome(
    who: &Who<'_>,
    answer: &Answer,
    id_field: Option<&str>,
) -> Result<Option<String>, CallError> {
    if let Some(e) = who.refused_or_limited(answer) {
        return Err(e);
    }
    let body = json(&answer.body);
    let status = body.as_ref().and_then(|b| b.get("status")).and_then(Value::as_str);
    if status == Some("error") || !answer.status.is_success() {
        let message = usual_message(body.as_ref()).or_else(|| {
            let code = text_of(body.as_ref().and_then(|b| b.get("code")))?;
            Some(format!("error code {code}"))
        });
        return Err(who.refusal(answer, message));
    }
    let Some(body) = &body else {
        return Err(who.not_json(&answer.body));
    };
    if status != Some("success") {
        return Err(who.bad_answer("no \"status\": \"success\" in the answer"));
    }
    Ok(id_field.and_then(|field| text_of(body.get(field))).map(|id| clean_text(&id, 64)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_usual_message_is_cleaned() {
        let v = json!({"error": {"message": "line\n901\u{202E} off"}});
        assert_eq!(usual_message(Some(&v)).as_deref(), Some("line 901 off"));
        assert_eq!(usual_message(Some(&json!({"message": 5}))), None);
        assert_eq!(usual_message(Some(&json!({"message": "x".repeat(500)}))).map(|m| m.len()), Some(200));
    }

    #[test]
    fn text_of_takes_scalars_only() {
        assert_eq!(text_of(Some(&json!(104))).as_deref(), Some("104"));
        assert_eq!(text_of(Some(&json!(true))).as_deref(), Some("true"));
        assert_eq!(text_of(Some(&json!({"a": 1}))), None);
        assert_eq!(text_of(Some(&json!("  "))), None);
    }
}
