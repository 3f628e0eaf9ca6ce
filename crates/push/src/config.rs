//! What the push endpoint accepts and from whom. Secrets are taken as values (the relay reads
//! them from the keychain or the environment) and never printed by `Debug`.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A secret value: a bearer token, a provider's API secret, a URL token. `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The push endpoint's settings.
///
/// ```toml
/// [[tokens]]
/// tenant = "acme"
/// token = "…"            # from the keychain or the environment, not a file
///
/// [[zadarma]]
/// tenant = "acme"
/// secret = "…"           # the API secret (Zadarma: Settings → API)
/// did_extensions = { "380441112233" = ["101", "102"] }
///
/// [[binotel]]
/// tenant = "acme"
/// token = "…"            # the secret part of /v1/webhooks/binotel/<token>
/// company_id = "12345"   # optional: `companyID` must match
///
/// [[ringostat]]
/// tenant = "acme"
/// token = "…"
///
/// [limits]
/// max_body_bytes = 65536
/// rate_per_sec = 20.0
/// burst = 100
/// max_batch = 500
/// busy_retry_after_secs = 1
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushConfig {
    /// Bearer tokens for `POST /v1/events`, each naming its tenant.
    #[serde(default)]
    pub tokens: Vec<TokenConfig>,
    /// Zadarma accounts; a notification belongs to the account whose secret signed it.
    #[serde(default)]
    pub zadarma: Vec<ZadarmaAccount>,
    /// Binotel accounts, told apart by the token in their webhook URL.
    #[serde(default)]
    pub binotel: Vec<PathTokenAccount>,
    /// Ringostat projects, told apart by the token in their webhook URL.
    #[serde(default)]
    pub ringostat: Vec<PathTokenAccount>,
    #[serde(default)]
    pub limits: Limits,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub tenant: String,
    pub token: Secret,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZadarmaAccount {
    pub tenant: String,
    /// The API secret Zadarma signs notifications with.
    pub secret: Secret,
    /// The account's numbers (as Zadarma sends `called_did`; compared by digits only) → the
    /// extensions each rings. `NOTIFY_START` comes before any extension rings, so only this map
    /// routes it (and a `NOTIFY_END` without `internal`).
    #[serde(default)]
    pub did_extensions: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathTokenAccount {
    pub tenant: String,
    /// The secret path segment of the webhook URL.
    pub token: Secret,
    /// Binotel only: the `companyID` every request must carry.
    #[serde(default)]
    pub company_id: Option<String>,
}

/// Bounds on what one sender can make the relay do.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// A larger body is refused with `413` before it is read whole.
    pub max_body_bytes: usize,
    /// Requests per second each token (or provider account) may make on average…
    pub rate_per_sec: f64,
    /// …and at once after a quiet spell (the token bucket's size). Over it: `429`.
    pub burst: u32,
    /// The most events one request may carry (a batch, or a Zammad `newCall` to many users).
    pub max_batch: usize,
    /// `Retry-After` of a `503` when the queue to the agents is full.
    pub busy_retry_after_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_body_bytes: 64 * 1024, rate_per_sec: 20.0, burst: 100, max_batch: 500, busy_retry_after_secs: 1 }
    }
}

impl PushConfig {
    /// Every problem at once, each naming its place (`tokens[1].token is empty`).
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        let mut secret = |place: String, tenant: &str, value: &Secret| {
            if tenant.trim().is_empty() {
                problems.push(format!("{place}.tenant is empty"));
            }
            if value.expose().trim().is_empty() {
                problems.push(format!("{place} has an empty secret"));
            }
        };
        for (i, t) in self.tokens.iter().enumerate() {
            secret(format!("tokens[{i}]"), &t.tenant, &t.token);
        }
        for (i, a) in self.zadarma.iter().enumerate() {
            secret(format!("zadarma[{i}]"), &a.tenant, &a.secret);
        }
        for (i, a) in self.binotel.iter().enumerate() {
            secret(format!("binotel[{i}]"), &a.tenant, &a.token);
        }
        for (i, a) in self.ringostat.iter().enumerate() {
            secret(format!("ringostat[{i}]"), &a.tenant, &a.token);
        }
        let l = &self.limits;
        if !(l.rate_per_sec.is_finite() && l.rate_per_sec > 0.0) {
            problems.push("limits.rate_per_sec must be above 0".into());
        }
        if l.burst == 0 {
            problems.push("limits.burst must be at least 1".into());
        }
        if l.max_body_bytes == 0 || l.max_batch == 0 {
            problems.push("limits.max_body_bytes and limits.max_batch must be at least 1".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_a_secret() {
        let c: PushConfig = serde_json::from_value(serde_json::json!({
            "tokens": [{"tenant": "acme", "token": "tok-very-secret"}],
            "zadarma": [{"tenant": "acme", "secret": "zd-very-secret", "did_extensions": {"380441112233": ["101"]}}],
            "binotel": [{"tenant": "acme", "token": "bn-very-secret", "company_id": "42"}],
        }))
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("acme"));
        assert_eq!(c.limits, Limits::default());
        assert!(c.validate().is_ok());
    }

    #[test]
    fn unknown_settings_and_empty_secrets_are_refused() {
        let e = serde_json::from_value::<PushConfig>(serde_json::json!({"tokenz": []})).unwrap_err();
        assert!(e.to_string().contains("tokenz"));
        let c: PushConfig =
            serde_json::from_value(serde_json::json!({"tokens": [{"tenant": "", "token": " "}]})).unwrap();
        assert_eq!(c.validate().unwrap_err().len(), 2);
    }
}
