//! A secret value that does not print itself.

use std::fmt;

use zeroize::Zeroizing;

/// A secret value (a password, token or API key).
///
/// `Debug` and `Display` print `<redacted>`, so a secret cannot leak through `{:?}` in a log line or
/// an error. The memory is overwritten with zeros when the value is dropped (copies made by the OS
/// keychain client libraries on the way in are outside our control). There is deliberately no
/// `Serialize`, `PartialEq` or `Deref<Target = str>`: reading the value takes an explicit
/// [`expose`](SecretString::expose).
#[derive(Clone)]
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    /// Wraps `secret`, taking ownership of its buffer (no copy is left behind).
    pub fn new(secret: String) -> Self {
        SecretString(Zeroizing::new(secret))
    }

    /// The secret itself. Use it right where it is needed (e.g. in the AMI `Login` action) and do
    /// not keep copies of it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for SecretString {
    fn from(secret: String) -> Self {
        SecretString::new(secret)
    }
}

impl From<&str> for SecretString {
    fn from(secret: &str) -> Self {
        SecretString::new(secret.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::SecretString;

    #[test]
    fn debug_and_display_are_redacted() {
        let secret = SecretString::from("hunter2");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(<redacted>)");
        assert!(!format!("{secret:#?}").contains("hunter2"));
    }

    #[test]
    fn expose_returns_the_secret() {
        let secret = SecretString::new("pässwörd 🔑".to_owned());
        assert_eq!(secret.expose(), "pässwörd 🔑");
        assert_eq!(secret.clone().expose(), "pässwörd 🔑");
    }
}
