//! An http(s) address, parsed once at the edge where it enters (a CRM's answer, the PBX's
//! recording name, the config) and trusted afterwards: a card, the history and the window only
//! ever hold a `WebUrl`, so none of them checks schemes again (or checks them differently).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::clean::{is_bidi_control, is_bidi_mark};

/// Longest address kept.
pub const MAX_URL_CHARS: usize = 2048;

/// Why text is not a web address Ringside will use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebUrlError {
    #[error("the address is empty")]
    Empty,
    #[error("the address is longer than {MAX_URL_CHARS} characters")]
    TooLong,
    #[error("the address contains an invisible or control character")]
    Hidden,
    #[error("the address is not valid: {0}")]
    Invalid(String),
    #[error("only http and https addresses are used, not {0}:")]
    Scheme(String),
    #[error("the address has no host")]
    NoHost,
    #[error("the address carries a user name or password; keep credentials out of addresses")]
    Credentials,
}

/// An absolute `http`/`https` address with a host and no credentials in it. Scheme and host
/// are compared case-insensitively (`HTTPS://Example.com` is kept, as `https://example.com/`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WebUrl(url::Url);

/// Shown as the address it is, in quotes, like a string.
impl fmt::Debug for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl WebUrl {
    pub fn parse(text: &str) -> Result<WebUrl, WebUrlError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(WebUrlError::Empty);
        }
        if text.chars().count() > MAX_URL_CHARS {
            return Err(WebUrlError::TooLong);
        }
        if text.chars().any(|c| c.is_control() || c.is_whitespace() || is_bidi_control(c) || is_bidi_mark(c)) {
            return Err(WebUrlError::Hidden);
        }
        let url = url::Url::parse(text).map_err(|e| WebUrlError::Invalid(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(WebUrlError::Scheme(url.scheme().to_string()));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(WebUrlError::NoHost);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(WebUrlError::Credentials);
        }
        Ok(WebUrl(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }
}

impl std::ops::Deref for WebUrl {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for WebUrl {
    type Err = WebUrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WebUrl::parse(s)
    }
}

impl Serialize for WebUrl {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for WebUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        WebUrl::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_addresses_are_kept_whatever_the_case_of_the_scheme() {
        assert_eq!(WebUrl::parse("HTTPS://CRM.Example.com/c/1").unwrap().as_str(), "https://crm.example.com/c/1");
        assert_eq!(WebUrl::parse(" http://pbx/rec/a%20b.wav ").unwrap().as_str(), "http://pbx/rec/a%20b.wav");
    }

    #[test]
    fn anything_else_is_refused_with_the_reason() {
        assert_eq!(WebUrl::parse("javascript:alert(1)"), Err(WebUrlError::Scheme("javascript".into())));
        assert_eq!(WebUrl::parse("file:///etc/passwd"), Err(WebUrlError::Scheme("file".into())));
        assert_eq!(WebUrl::parse("data:text/html,x"), Err(WebUrlError::Scheme("data".into())));
        assert_eq!(WebUrl::parse("https://crm.example.com/\u{202E}gpj.exe"), Err(WebUrlError::Hidden));
        assert_eq!(WebUrl::parse("https://a b"), Err(WebUrlError::Hidden));
        assert_eq!(WebUrl::parse("https://user:pw@crm.example.com/"), Err(WebUrlError::Credentials));
        assert_eq!(WebUrl::parse("  "), Err(WebUrlError::Empty));
        assert!(matches!(WebUrl::parse("/relative"), Err(WebUrlError::Invalid(_))));
        assert_eq!(WebUrl::parse(&format!("https://x/{}", "a".repeat(3000))), Err(WebUrlError::TooLong));
    }

    #[test]
    fn it_crosses_json_as_a_string_and_is_checked_on_the_way_in() {
        let url = WebUrl::parse("https://x.example/1").unwrap();
        assert_eq!(serde_json::to_string(&url).unwrap(), "\"https://x.example/1\"");
        assert!(serde_json::from_str::<WebUrl>("\"javascript:alert(1)\"").is_err());
    }
}
