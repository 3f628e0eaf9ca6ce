//! A request as built for one call: what is sent, and the same with every secret masked for
//! `--dry-run`.

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};
use ringside_http::text::{clean_text, mask_url};
use ringside_http::Method;
use url::Url;

use crate::CallError;

/// What a secret is shown as in a preview: ringside-text's mask, the same everywhere an
/// address or a request is shown.
pub use ringside_http::text::MASK;

/// The exact request [`Provider::place`](crate::Provider::place) would send, with every secret
/// (a key, a password, Zadarma's signature) shown as `••••`; the URL also has any user name,
/// password or secret-looking query value masked (ringside-text's `mask_url`). Ringside's HTTP
/// client adds `Host`, `Content-Length` and `User-Agent: Ringside/<version>`; those are not listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestPreview {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl fmt::Display for RequestPreview {
    /// Like an HTTP request: `POST https://…`, the headers, a blank line and the body.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {}", self.method, self.url)?;
        for (name, value) in &self.headers {
            writeln!(f, "{name}: {value}")?;
        }
        if let Some(body) = &self.body {
            writeln!(f)?;
            writeln!(f, "{body}")?;
        }
        Ok(())
    }
}

/// One header: what is sent and what a preview shows.
pub(crate) struct Header {
    pub(crate) shown_name: String,
    pub(crate) name: HeaderName,
    pub(crate) value: HeaderValue,
    pub(crate) shown: String,
}

impl Header {
    /// A header without a secret. `None` if the value cannot be sent (a control character).
    pub(crate) fn plain(name: &str, value: &str) -> Option<Header> {
        Header::new(name, value, value.to_string(), false)
    }

    /// A header whose value is or holds a secret: marked sensitive (left out of debug output and
    /// HTTP/2 header compression), shown as `shown`.
    pub(crate) fn secret(name: &str, value: &str, shown: String) -> Option<Header> {
        Header::new(name, value, shown, true)
    }

    fn new(name: &str, value: &str, shown: String, sensitive: bool) -> Option<Header> {
        if value.chars().any(char::is_control) {
            return None;
        }
        let header_name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        let mut header_value = HeaderValue::from_str(value).ok()?;
        header_value.set_sensitive(sensitive);
        Some(Header { shown_name: name.to_string(), name: header_name, value: header_value, shown })
    }
}

/// A request ready to be sent or shown.
pub(crate) struct Built {
    pub(crate) method: Method,
    pub(crate) url: Url,
    /// The URL with the secrets the provider fills in masked (a preview masks the rest).
    pub(crate) url_shown: String,
    pub(crate) headers: Vec<Header>,
    /// What is sent and what is shown.
    pub(crate) body: Option<(String, String)>,
}

impl Built {
    pub(crate) fn preview(&self) -> RequestPreview {
        RequestPreview {
            method: self.method.as_str().to_string(),
            url: mask_url(&self.url_shown),
            headers: self.headers.iter().map(|h| (h.shown_name.clone(), h.shown.clone())).collect(),
            body: self.body.as_ref().map(|(_, shown)| shown.clone()),
        }
    }
}

/// Longest number sent: E.164 has at most 15 digits; room for a prefix and `*`/`#` codes.
const MAX_NUMBER_LEN: usize = 32;

/// Defence in depth: the dial rule already wrote the number with `0-9 + * #` only; anything else
/// (a space, `/`, `;`, `$(…)`, `%0a`, Arabic-Indic digits, a bidi override) is refused here,
/// before a request is built.
pub(crate) fn check_number(number: &str) -> Result<(), CallError> {
    let dialable = |b: u8| b.is_ascii_digit() || matches!(b, b'+' | b'*' | b'#');
    if number.is_empty() || number.len() > MAX_NUMBER_LEN || !number.bytes().all(dialable) {
        return Err(CallError::BadNumber { number: clean_text(number, 40) });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dialable_numbers_pass() {
        for good in ["+380441234567", "0441234567", "*21#", "9+1"] {
            assert!(check_number(good).is_ok(), "{good}");
        }
        for bad in ["", "123 /password:x", ";rm -rf ~", "$(id)", "%0a", "١٢٣", "12\u{202E}3", "12\n3", &"1".repeat(33)]
        {
            assert!(matches!(check_number(bad), Err(CallError::BadNumber { .. })), "{bad:?}");
        }
        let err = check_number("12\u{202E}3\n").unwrap_err().to_string();
        assert!(!err.contains('\u{202E}') && !err.contains('\n'), "{err}");
    }

    #[test]
    fn headers_refuse_line_breaks() {
        assert!(Header::plain("X-Ext", "101\r\nX-Evil: 1").is_none());
        assert!(Header::plain("Bad Name", "1").is_none());
        let h = Header::secret("Auth-key", "k", MASK.to_string()).unwrap();
        assert!(h.value.is_sensitive());
        assert_eq!(h.shown, MASK);
    }

    #[test]
    fn a_preview_prints_like_a_request() {
        let preview = RequestPreview {
            method: "POST".into(),
            url: "https://api.example.com/call".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some("{}".into()),
        };
        assert_eq!(preview.to_string(), "POST https://api.example.com/call\nContent-Type: application/json\n\n{}\n");
    }
}
