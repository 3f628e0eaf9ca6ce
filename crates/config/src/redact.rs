//! The settings in force, for a support ticket (*Copy diagnostics*): everything but what could
//! be a secret. Ringside keeps its secrets in the keychain, not in the file, but an admin may
//! still have put a key in a URL or a header value; those are masked here.

use crate::Config;

/// Shown in place of a value that may be secret.
pub const HIDDEN: &str = "(hidden)";

/// Names of settings and URL query parameters whose values are masked.
const SECRET_WORDS: &[&str] = &["secret", "password", "passwd", "token", "key", "auth", "signature", "sig", "webhook"];

impl Config {
    /// The settings in force as TOML, with anything that may be secret masked: values of keys
    /// named like a secret (other than the ones that name where a secret goes, such as
    /// `auth_header`), the user and password of a URL, and the values of its query parameters
    /// named like one.
    pub fn redacted_toml(&self) -> String {
        let mut value = match toml::Value::try_from(self) {
            Ok(v) => v,
            Err(e) => return format!("# the settings could not be written out: {e}\n"),
        };
        redact(&mut value, None);
        toml::to_string_pretty(&value).unwrap_or_else(|e| format!("# the settings could not be written out: {e}\n"))
    }
}

fn secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    // These name where a secret goes or how it is sent, not the secret.
    if matches!(name.as_str(), "auth_header" | "auth_prefix" | "key_header" | "secret_env")
        || name.ends_with("_url_template")
    {
        return false;
    }
    SECRET_WORDS.iter().any(|w| name.split(|c: char| !c.is_ascii_alphanumeric()).any(|part| part == *w))
        || name.contains("password")
        || name.contains("secret")
        || name.contains("token")
}

fn redact(value: &mut toml::Value, key: Option<&str>) {
    match value {
        toml::Value::String(s) => {
            if key.is_some_and(secret_name) && !s.is_empty() {
                *s = HIDDEN.to_string();
            } else {
                *s = redact_url(s);
            }
        }
        toml::Value::Array(items) => items.iter_mut().for_each(|v| redact(v, key)),
        toml::Value::Table(table) => table.iter_mut().for_each(|(k, v)| redact(v, Some(k))),
        _ => {}
    }
}

/// `scheme://user:pass@host/path?key=v&x=1` → `scheme://(hidden)@host/path?key=(hidden)&x=1`;
/// text that is not a URL is returned as it is.
fn redact_url(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else { return text.to_string() };
    let (authority, tail) = match rest.find(['/', '?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("{HIDDEN}@{host}"),
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let (query, fragment) = match query.split_once('#') {
                Some((q, f)) => (q, format!("#{f}")),
                None => (query, String::new()),
            };
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) if secret_name(k) && !v.is_empty() => format!("{k}={HIDDEN}"),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}{fragment}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_urls_are_masked_and_the_rest_kept() {
        assert_eq!(
            redact_url("https://bob:s3cret@crm.example.com/api?phone={e164}&api_key=XYZ&limit=5"),
            "https://(hidden)@crm.example.com/api?phone={e164}&api_key=(hidden)&limit=5"
        );
        assert_eq!(redact_url("https://crm.example.com/c/{id}"), "https://crm.example.com/c/{id}");
        assert_eq!(redact_url("PJSIP/100"), "PJSIP/100");
        assert_eq!(redact_url("tls://u:p@nats:4222"), "tls://(hidden)@nats:4222");
    }

    #[test]
    fn keys_named_like_secrets_are_masked_but_not_where_a_secret_goes() {
        assert!(secret_name("password") && secret_name("api_key") && secret_name("token") && secret_name("secret"));
        assert!(!secret_name("auth_header") && !secret_name("host") && !secret_name("extension"));
        let mut doc: toml::Value = toml::from_str(
            "[a]\npassword = \"p\"\nhost = \"pbx\"\nauth_header = \"X-Api-Key\"\n[[b]]\nurl = \"https://u:p@h/?token=t\"\n",
        )
        .unwrap();
        redact(&mut doc, None);
        let text = toml::to_string(&doc).unwrap();
        assert!(!text.contains("\"p\"") && !text.contains("token=t") && !text.contains("u:p@"), "{text}");
        assert!(text.contains("X-Api-Key") && text.contains("pbx"), "{text}");
    }

    #[test]
    fn the_settings_in_force_are_written_out() {
        let text = Config::default().redacted_toml();
        assert!(text.contains("[agent]") && text.contains("extension"), "{text}");
        let back: toml::Value = toml::from_str(&text).expect("valid TOML");
        assert!(back.get("source").is_some(), "{text}");
    }
}
