//! Ringside's secrets — the AMI secret now, CRM tokens and provider API keys later — kept in the OS
//! keychain, never in a file or a log.
//!
//! - Linux/BSD: the Secret Service over D-Bus (gnome-keyring, KeePassXC, KWallet's Secret Service
//!   bridge), through a pure-Rust client: no C library is needed.
//! - macOS: a generic password in the user's login Keychain.
//! - Windows: a generic credential in Credential Manager.
//!
//! Every entry has the service name [`SERVICE`] (`ringside`) and, as user/account, a
//! [`SecretKey`] such as `ami:agent100@pbx.example.com:5038`. See `docs/secrets.md` for how to
//! inspect and delete entries with the OS tools.
//!
//! Callers look a secret up with [`resolve`]: the keychain entry, else an environment variable
//! (e.g. `RINGSIDE_AMI_SECRET`), else `None` — and then the CLI prompts.
//!
//! # Blocking
//!
//! The keychain APIs are blocking, and a read may wait for the user to answer an unlock prompt.
//! Code running on an async runtime must not call [`SecretStore`] methods or [`resolve`] on a
//! runtime thread; use `tokio::task::spawn_blocking`:
//!
//! ```no_run
//! use ringside_secrets::{resolve, SecretError, SecretKey, SecretStore, SecretString};
//!
//! async fn ami_secret(user: &str, host: &str, port: u16) -> Result<Option<SecretString>, SecretError> {
//!     let (store, key) = (SecretStore::os(), SecretKey::ami(user, host, port));
//!     tokio::task::spawn_blocking(move || resolve(&store, &key, "RINGSIDE_AMI_SECRET"))
//!         .await
//!         .expect("keychain lookup panicked")
//! }
//! ```
//!
//! (On Linux the D-Bus client runs its own small executor thread, so it works from any thread;
//! it must merely not block a tokio worker.)

mod error;
mod key;
mod secret;
mod store;

pub use error::SecretError;
pub use key::SecretKey;
pub use secret::SecretString;
pub use store::SecretStore;

/// The service name of every Ringside keychain entry.
pub const SERVICE: &str = "ringside";

/// The environment variable that [`resolve`] falls back to for the AMI secret.
pub const AMI_SECRET_ENV: &str = "RINGSIDE_AMI_SECRET";

/// Looks up a secret the way every caller should: the keychain entry for `key`, else the
/// environment variable `env_var`, else `Ok(None)` (then the CLI prompts).
///
/// - An environment variable that is set but empty counts as unset.
/// - If the keychain cannot be used (no Secret Service, access refused, …) but `env_var` is set,
///   the variable's value is returned and the keychain error is logged as a warning (without the
///   secret), so headless machines and CI work with the variable alone. If the variable is not set
///   either, the keychain error is returned, because "no secret" would be the wrong diagnosis.
/// - Blocking: see the crate docs.
pub fn resolve(store: &SecretStore, key: &SecretKey, env_var: &str) -> Result<Option<SecretString>, SecretError> {
    let keychain_error = match store.get(key) {
        Ok(Some(secret)) => return Ok(Some(secret)),
        Ok(None) => None,
        Err(e) => Some(e),
    };
    let from_env = from_env(env_var);
    match (keychain_error, from_env) {
        (None, from_env) => from_env,
        (Some(keychain_error), Ok(Some(secret))) => {
            fallback_said(key, env_var, &keychain_error);
            Ok(Some(secret))
        }
        (Some(keychain_error), _) => Err(keychain_error),
    }
}

/// The keychain fallback, said once per process and in one line (a D-Bus error can span
/// several): scripts and pipes read stderr, and `-q`/`RUST_LOG` silence it as any warning.
fn fallback_said(key: &SecretKey, env_var: &str, error: &SecretError) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let why = error.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
    if SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::debug!(%key, env_var, error = %why, "keychain unusable; using the secret from the environment");
    } else {
        tracing::warn!("no usable keychain ({why}); using {env_var} for {key}");
    }
}

fn from_env(var: &str) -> Result<Option<SecretString>, SecretError> {
    match std::env::var_os(var) {
        None => Ok(None),
        Some(value) => match value.into_string() {
            Ok(value) if value.is_empty() => Ok(None),
            Ok(value) => Ok(Some(SecretString::new(value))),
            Err(_) => Err(SecretError::EnvNotUnicode { var: var.to_owned() }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::{resolve, SecretError, SecretKey, SecretStore};

    // Each test uses its own variable, so parallel tests do not see each other's environment.
    fn set_env(var: &str, value: &str) {
        std::env::set_var(var, value);
    }

    #[test]
    fn resolve_prefers_the_keychain_over_the_environment() {
        let store = SecretStore::in_memory();
        let key = SecretKey::ami("agent", "pbx", 5038);
        store.set(&key, "from-keychain").unwrap();
        set_env("RINGSIDE_TEST_RESOLVE_PREFERS", "from-env");
        let secret = resolve(&store, &key, "RINGSIDE_TEST_RESOLVE_PREFERS").unwrap().unwrap();
        assert_eq!(secret.expose(), "from-keychain");
    }

    #[test]
    fn resolve_falls_back_to_the_environment() {
        let store = SecretStore::in_memory();
        set_env("RINGSIDE_TEST_RESOLVE_FALLS_BACK", "from-env");
        let key = SecretKey::ami("agent", "pbx", 5038);
        let secret = resolve(&store, &key, "RINGSIDE_TEST_RESOLVE_FALLS_BACK").unwrap().unwrap();
        assert_eq!(secret.expose(), "from-env");
    }

    #[test]
    fn resolve_is_none_when_neither_exists_and_empty_env_counts_as_unset() {
        let store = SecretStore::in_memory();
        let key = SecretKey::ami("agent", "pbx", 5038);
        assert!(resolve(&store, &key, "RINGSIDE_TEST_RESOLVE_NEVER_SET").unwrap().is_none());
        set_env("RINGSIDE_TEST_RESOLVE_EMPTY", "");
        assert!(resolve(&store, &key, "RINGSIDE_TEST_RESOLVE_EMPTY").unwrap().is_none());
    }

    #[test]
    fn resolve_uses_the_environment_when_the_keychain_is_unavailable() {
        let store = SecretStore::unavailable("no session bus");
        let key = SecretKey::ami("agent", "pbx", 5038);
        set_env("RINGSIDE_TEST_RESOLVE_NO_KEYCHAIN", "from-env");
        let secret = resolve(&store, &key, "RINGSIDE_TEST_RESOLVE_NO_KEYCHAIN").unwrap().unwrap();
        assert_eq!(secret.expose(), "from-env");
    }

    #[test]
    fn resolve_reports_the_keychain_error_when_there_is_no_fallback() {
        let store = SecretStore::unavailable("no session bus");
        let key = SecretKey::ami("agent", "pbx", 5038);
        let e = resolve(&store, &key, "RINGSIDE_TEST_RESOLVE_NO_KEYCHAIN_NO_ENV").unwrap_err();
        assert!(matches!(e, SecretError::Unavailable { .. }), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn resolve_rejects_a_non_unicode_environment_variable() {
        use std::os::unix::ffi::OsStrExt;
        std::env::set_var("RINGSIDE_TEST_RESOLVE_NOT_UNICODE", std::ffi::OsStr::from_bytes(b"s3cr\xffet"));
        let e = resolve(&SecretStore::in_memory(), &SecretKey::named("t", "u"), "RINGSIDE_TEST_RESOLVE_NOT_UNICODE")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "the environment variable RINGSIDE_TEST_RESOLVE_NOT_UNICODE is set but is not valid UTF-8 text"
        );
    }
}
