//! What can go wrong, in words for the user. No variant ever carries a secret.

use zeroize::Zeroize;

use crate::SecretKey;

/// A failure to read, write or delete a secret. The messages are meant for the user (the CLI prints
/// them, the desktop shows them); none of them contains a secret value.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum SecretError {
    /// There is no OS keychain to talk to: on Linux no D-Bus session bus or no Secret Service on
    /// it; on an OS this crate has no keychain backend for.
    #[error(
        "no OS keychain is available (on Linux, a Secret Service such as gnome-keyring or KeePassXC must be \
         running and unlocked): {detail}"
    )]
    Unavailable { detail: String },

    /// The keychain is there but refused: it is locked and the unlock prompt was dismissed or could
    /// not be shown, or the user denied this program access.
    #[error("the keychain refused access: {detail}")]
    AccessDenied { detail: String },

    /// More than one entry matches the key (possible on Linux, where other programs can create
    /// items with the same attributes). Which one is meant cannot be guessed.
    #[error(
        "the keychain holds {count} entries for {key} (service \"{service}\"); delete the extra ones \
         (see docs/secrets.md) and try again",
        service = crate::SERVICE
    )]
    Ambiguous { key: SecretKey, count: usize },

    /// The stored value is not UTF-8 text, so it was not written by Ringside.
    #[error("the keychain entry for {key} is not text (was it written by another program?)")]
    NotText { key: SecretKey },

    /// The secret is longer than this keychain accepts (Windows Credential Manager: 2560 bytes,
    /// i.e. 1280 UTF-16 code units).
    #[error("the secret is too long for this keychain: {what} is limited to {limit} bytes")]
    TooLong { what: String, limit: u32 },

    /// An empty secret was given to [`SecretStore::set`](crate::SecretStore::set).
    #[error("refusing to store an empty secret for {key} (to remove a secret, delete it)")]
    Empty { key: SecretKey },

    /// The keychain rejected the key or a parameter.
    #[error("the keychain rejected the request for {key}: {detail}")]
    Rejected { key: SecretKey, detail: String },

    /// The environment variable used as a fallback is set but is not valid Unicode.
    #[error("the environment variable {var} is set but is not valid UTF-8 text")]
    EnvNotUnicode { var: String },

    /// Any other failure of the keychain or of the connection to it.
    #[error("the keychain failed: {detail}")]
    Keychain { detail: String },
}

impl SecretError {
    /// Translates a keyring error. `keyring_core::Error` can carry the raw bytes of a stored secret
    /// (`BadEncoding`, `BadDataFormat`); those are zeroed here and never reach the message.
    pub(crate) fn from_keyring(error: keyring_core::Error, key: &SecretKey) -> Self {
        use keyring_core::Error as K;
        match error {
            K::NoStorageAccess(e) => SecretError::AccessDenied { detail: e.to_string() },
            K::PlatformFailure(e) => SecretError::Keychain { detail: e.to_string() },
            K::NoEntry => SecretError::Keychain { detail: format!("no entry for {key}") },
            K::BadEncoding(mut bytes) => {
                bytes.zeroize();
                SecretError::NotText { key: key.clone() }
            }
            K::BadDataFormat(mut bytes, _) => {
                bytes.zeroize();
                SecretError::Keychain { detail: format!("the entry for {key} is malformed") }
            }
            K::BadStoreFormat(reason) => {
                SecretError::Keychain { detail: format!("the keychain is malformed: {reason}") }
            }
            K::TooLong(what, limit) => SecretError::TooLong { what, limit },
            K::Invalid(what, reason) => SecretError::Rejected { key: key.clone(), detail: format!("{what}: {reason}") },
            K::Ambiguous(entries) => SecretError::Ambiguous { key: key.clone(), count: entries.len() },
            K::NoDefaultStore => SecretError::Unavailable { detail: "no credential store is configured".to_owned() },
            K::NotSupportedByStore(what) => SecretError::Keychain { detail: format!("not supported: {what}") },
            other => SecretError::Keychain { detail: other.to_string() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SecretError;
    use crate::SecretKey;

    fn key() -> SecretKey {
        SecretKey::ami("agent100", "pbx.example.com", 5038)
    }

    #[test]
    fn unavailable_explains_what_linux_needs() {
        let e = SecretError::Unavailable { detail: "org.freedesktop.DBus.Error.ServiceUnknown".into() };
        assert_eq!(
            e.to_string(),
            "no OS keychain is available (on Linux, a Secret Service such as gnome-keyring or KeePassXC must be \
             running and unlocked): org.freedesktop.DBus.Error.ServiceUnknown"
        );
    }

    #[test]
    fn bad_encoding_does_not_carry_the_bytes() {
        let e = SecretError::from_keyring(keyring_core::Error::BadEncoding(b"s3cr\xffet".to_vec()), &key());
        assert!(matches!(e, SecretError::NotText { .. }));
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("115, 51, 99, 114"), "{shown}");
        assert!(shown.contains("ami:agent100@pbx.example.com:5038"), "{shown}");
    }

    #[test]
    fn keyring_errors_map_to_user_words() {
        let denied = SecretError::from_keyring(keyring_core::Error::NoStorageAccess("locked".into()), &key());
        assert_eq!(denied.to_string(), "the keychain refused access: locked");
        let long = SecretError::from_keyring(keyring_core::Error::TooLong("secret".into(), 2560), &key());
        assert_eq!(long.to_string(), "the secret is too long for this keychain: secret is limited to 2560 bytes");
        let ambiguous = SecretError::from_keyring(keyring_core::Error::Ambiguous(Vec::new()), &key());
        assert!(ambiguous
            .to_string()
            .starts_with("the keychain holds 0 entries for ami:agent100@pbx.example.com:5038"));
    }
}
