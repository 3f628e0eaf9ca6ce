//! Zadarma: `GET https://api.zadarma.com/v1/request/callback/?format=json&from=EXT&to=NUMBER` with
//! `Authorization: KEY:SIGNATURE`, where SIGNATURE is
//! `base64(hex(HMAC-SHA1(secret, "/v1/request/callback/" + query + hex(MD5(query)))))` and the query
//! is the parameters sorted by name, encoded like PHP's `http_build_query` (RFC 1738). The answer
//! is `{"status": "success", "from", "to", "time"}` or `{"status": "error", "message": …}`.

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use md5::Digest as _;
use ringside_http::{Answer, Method};
use ringside_secrets::SecretString;
use url::Url;

use crate::answer::{status_outcome, Who};
use crate::request::{Built, Header, MASK};
use crate::{endpoint, CallError};

pub(crate) const BASE: &str = "https://api.zadarma.com/";
/// The method as it is signed: the path after the host, with the API version.
const METHOD: &str = "/v1/request/callback/";

#[derive(Clone)]
pub(crate) struct Zadarma {
    pub(crate) key: String,
    pub(crate) extension: String,
    pub(crate) base: Url,
}

/// PHP's `urlencode` (what `http_build_query` with `PHP_QUERY_RFC1738` uses): letters, digits and
/// `-_.` stay, a space becomes `+`, every other byte is `%XX` in upper case.
pub(crate) fn php_urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 0xF)]));
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `params` sorted by name and joined as `http_build_query` would.
pub(crate) fn query(params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted.iter().map(|(k, v)| format!("{}={}", php_urlencode(k), php_urlencode(v))).collect::<Vec<_>>().join("&")
}

/// Zadarma's signature of a request to `method` with the encoded `query`.
pub(crate) fn signature(method: &str, query: &str, secret: &str) -> Option<String> {
    let md5 = hex(&md5::Md5::digest(query.as_bytes()));
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(format!("{method}{query}{md5}").as_bytes());
    let hmac_hex = hex(&mac.finalize().into_bytes());
    Some(base64::engine::general_purpose::STANDARD.encode(hmac_hex))
}

impl Zadarma {
    pub(crate) fn build(&self, name: &str, number: &str, secret: &SecretString) -> Result<Built, CallError> {
        let mut url = endpoint(&self.base, METHOD.trim_start_matches('/'), name)?;
        // The official clients send format=json too (and sign it).
        let query = query(&[("from", &self.extension), ("to", number), ("format", "json")]);
        url.set_query(Some(&query));
        let signature = signature(METHOD, &query, secret.expose()).ok_or_else(|| CallError::BadSecret {
            name: name.to_string(),
            problem: "cannot be used as an HMAC key".to_string(),
        })?;
        let auth =
            Header::secret("Authorization", &format!("{}:{signature}", self.key), format!("{}:{MASK}", self.key))
                .ok_or_else(|| CallError::Config {
                    name: name.to_string(),
                    problem: "key cannot be sent in the Authorization header".to_string(),
                })?;
        Ok(Built { method: Method::GET, url_shown: url.to_string(), url, headers: vec![auth], body: None })
    }

    pub(crate) fn outcome(&self, who: &Who<'_>, answer: &Answer) -> Result<Option<String>, CallError> {
        // Zadarma's callback answer has no call id ({"status", "from", "to", "time"}).
        status_outcome(who, answer, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_sorted_and_encoded_like_php() {
        assert_eq!(
            query(&[("to", "+380 44*1#"), ("from", "101"), ("format", "json")]),
            "format=json&from=101&to=%2B380+44%2A1%23"
        );
        assert_eq!(php_urlencode("a~b"), "a%7Eb");
    }

    #[test]
    fn signature_matches_zadarmas_python_client() {
        // Computed with the algorithm of zadarma/user-api-py-v1 (urlencode of the sorted params,
        // md5 hexdigest, HMAC-SHA1 hexdigest, base64) in python3.
        let q = query(&[("from", "101"), ("to", "+380441234567"), ("format", "json")]);
        assert_eq!(q, "format=json&from=101&to=%2B380441234567");
        assert_eq!(
            signature(METHOD, &q, "0f9e8d7c6b5a4f3e2d1c").as_deref(),
            Some("NDUwNWM4YmJjMDIwOWRjMWJhZWQzYmVhNWU4OTg3OGYxNzkyYjc0Yw==")
        );
    }
}
