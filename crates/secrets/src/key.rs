//! Names of secrets: what a secret is for.

use std::fmt;

/// What a secret is for. It becomes the keychain entry's user/account name (the service name is
/// always [`SERVICE`](crate::SERVICE)), so it must be stable: the same configuration must always
/// produce the same key, or a saved secret is not found again.
///
/// The form is `<kind>:<id>`, e.g. `ami:agent100@pbx.example.com:5038` or `crm:salesforce`.
/// A key is not a secret: it may appear in logs and error messages.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretKey(String);

impl SecretKey {
    /// The key of the AMI secret for `username` on the Asterisk manager at `host:port`:
    /// `ami:<username>@<host>:<port>`.
    ///
    /// The host is lower-cased (DNS names and IPv6 literals are case-insensitive, so
    /// `PBX.example.com` and `pbx.example.com` share one entry); an IPv6 literal is written in
    /// brackets (`ami:agent@[::1]:5038`). The username is kept as written.
    pub fn ami(username: &str, host: &str, port: u16) -> Self {
        let host = host.to_ascii_lowercase();
        let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host };
        SecretKey(format!("ami:{username}@{host}:{port}"))
    }

    /// A key of another kind: `<kind>:<id>`, e.g. `SecretKey::named("crm", "salesforce")` or
    /// `SecretKey::named("api", "openai")`. `kind` should be a short lower-case word that names
    /// what the secret unlocks.
    pub fn named(kind: &str, id: &str) -> Self {
        SecretKey(format!("{kind}:{id}"))
    }

    /// The key as written into the keychain entry's user/account field.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SecretKey").field(&self.0).finish()
    }
}

impl AsRef<str> for SecretKey {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::SecretKey;

    #[test]
    fn ami_key_has_user_host_and_port() {
        assert_eq!(SecretKey::ami("agent100", "pbx.example.com", 5038).as_str(), "ami:agent100@pbx.example.com:5038");
    }

    #[test]
    fn ami_key_lowercases_the_host_but_not_the_user() {
        let key = SecretKey::ami("Agent100", "PBX.Example.COM", 5038);
        assert_eq!(key.as_str(), "ami:Agent100@pbx.example.com:5038");
        assert_eq!(key, SecretKey::ami("Agent100", "pbx.example.com", 5038));
        assert_ne!(key, SecretKey::ami("agent100", "pbx.example.com", 5038));
    }

    #[test]
    fn ami_key_brackets_ipv6_hosts_once() {
        assert_eq!(SecretKey::ami("agent", "::1", 5038).as_str(), "ami:agent@[::1]:5038");
        assert_eq!(SecretKey::ami("agent", "[FE80::1]", 5038).as_str(), "ami:agent@[fe80::1]:5038");
        assert_eq!(SecretKey::ami("agent", "10.0.0.7", 5039).as_str(), "ami:agent@10.0.0.7:5039");
    }

    #[test]
    fn different_ports_and_users_are_different_keys() {
        assert_ne!(SecretKey::ami("a", "pbx", 5038), SecretKey::ami("a", "pbx", 5039));
        assert_ne!(SecretKey::ami("a", "pbx", 5038), SecretKey::ami("b", "pbx", 5038));
    }

    #[test]
    fn named_key_is_kind_colon_id() {
        assert_eq!(SecretKey::named("crm", "salesforce").as_str(), "crm:salesforce");
        assert_eq!(SecretKey::named("api", "openai").to_string(), "api:openai");
    }

    #[test]
    fn display_and_debug_show_the_key() {
        let key = SecretKey::named("crm", "hubspot");
        assert_eq!(format!("{key}"), "crm:hubspot");
        assert_eq!(format!("{key:?}"), "SecretKey(\"crm:hubspot\")");
    }
}
