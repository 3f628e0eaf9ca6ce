//! Where secrets are kept: the OS keychain, or memory for tests.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use keyring_core::{CredentialStore, Entry};

use crate::{SecretError, SecretKey, SecretString, SERVICE};

/// A place to keep secrets. Cheap to clone; clones share the same backend.
///
/// All methods block (see the crate docs: on an async runtime, call them inside
/// `tokio::task::spawn_blocking`).
#[derive(Clone)]
pub struct SecretStore {
    backend: Arc<Backend>,
}

enum Backend {
    Os(OsKeychain),
    Memory(Mutex<HashMap<String, SecretString>>),
    Unavailable(String),
}

/// One connection to the platform store per process, shared by every [`SecretStore::os`].
static OS: LazyLock<SecretStore> =
    LazyLock::new(|| SecretStore { backend: Arc::new(Backend::Os(OsKeychain { store: Mutex::new(None) })) });

impl SecretStore {
    /// The OS keychain: Secret Service on Linux/BSD, the login Keychain on macOS, Credential Manager
    /// on Windows.
    ///
    /// This does not touch the keychain yet: the connection is made by the first call that needs it
    /// and kept for the life of the process. If that fails (e.g. no Secret Service is running) the
    /// call returns [`SecretError::Unavailable`] and the next call tries again.
    pub fn os() -> Self {
        OS.clone()
    }

    /// A store in memory, empty, for tests of code that uses secrets. Nothing is persisted.
    pub fn in_memory() -> Self {
        SecretStore { backend: Arc::new(Backend::Memory(Mutex::new(HashMap::new()))) }
    }

    /// A store that behaves like a machine without a keychain: every call fails with
    /// [`SecretError::Unavailable`] carrying `detail`. For tests of callers' fallbacks.
    pub fn unavailable(detail: &str) -> Self {
        SecretStore { backend: Arc::new(Backend::Unavailable(detail.to_owned())) }
    }

    /// Checks that the keychain can be reached (connecting if not yet connected), without reading
    /// anything; for a "doctor" command or a settings screen. It does not check that the keychain
    /// is unlocked: on a locked keychain, reading an entry may still show an unlock prompt.
    pub fn check(&self) -> Result<(), SecretError> {
        match &*self.backend {
            Backend::Os(os) => os.connect().map(drop),
            Backend::Memory(_) => Ok(()),
            Backend::Unavailable(detail) => Err(unavailable(detail)),
        }
    }

    /// The secret stored under `key`, or `Ok(None)` when there is no entry.
    ///
    /// On a locked keychain the OS may show an unlock prompt; the call waits for the user.
    pub fn get(&self, key: &SecretKey) -> Result<Option<SecretString>, SecretError> {
        match &*self.backend {
            Backend::Os(os) => os.get(key),
            Backend::Memory(map) => Ok(lock(map).get(key.as_str()).cloned()),
            Backend::Unavailable(detail) => Err(unavailable(detail)),
        }
    }

    /// Stores `secret` under `key`, replacing any previous value. An empty secret is refused
    /// ([`SecretError::Empty`]); use [`delete`](Self::delete) to remove a secret.
    pub fn set(&self, key: &SecretKey, secret: &str) -> Result<(), SecretError> {
        if secret.is_empty() {
            return Err(SecretError::Empty { key: key.clone() });
        }
        match &*self.backend {
            Backend::Os(os) => os.set(key, secret),
            Backend::Memory(map) => {
                lock(map).insert(key.as_str().to_owned(), SecretString::from(secret));
                Ok(())
            }
            Backend::Unavailable(detail) => Err(unavailable(detail)),
        }
    }

    /// Removes the secret stored under `key`. Deleting an entry that does not exist is `Ok`.
    pub fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        match &*self.backend {
            Backend::Os(os) => os.delete(key),
            Backend::Memory(map) => {
                lock(map).remove(key.as_str());
                Ok(())
            }
            Backend::Unavailable(detail) => Err(unavailable(detail)),
        }
    }
}

impl fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &*self.backend {
            Backend::Os(_) => "os",
            Backend::Memory(_) => "in_memory",
            Backend::Unavailable(_) => "unavailable",
        };
        f.debug_struct("SecretStore").field("backend", &kind).finish()
    }
}

fn unavailable(detail: &str) -> SecretError {
    SecretError::Unavailable { detail: detail.to_owned() }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave the map half-updated, so poisoning is ignored.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The platform credential store, connected on first use.
struct OsKeychain {
    store: Mutex<Option<Arc<CredentialStore>>>,
}

impl OsKeychain {
    fn connect(&self) -> Result<Arc<CredentialStore>, SecretError> {
        let mut slot = lock(&self.store);
        if let Some(store) = &*slot {
            return Ok(store.clone());
        }
        let store = platform::open().map_err(|e| SecretError::Unavailable { detail: platform_detail(e) })?;
        *slot = Some(store.clone());
        Ok(store)
    }

    /// Drops the connection after a platform failure (e.g. the Secret Service went away), so that
    /// the next call reconnects instead of failing forever.
    fn forget(&self) {
        *lock(&self.store) = None;
    }

    fn entry(&self, key: &SecretKey) -> Result<Entry, SecretError> {
        let store = self.connect()?;
        let modifiers = platform::modifiers(key);
        let modifiers: HashMap<&str, &str> = modifiers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let modifiers = if modifiers.is_empty() { None } else { Some(&modifiers) };
        store.build(SERVICE, key.as_str(), modifiers).map_err(|e| self.error(e, key))
    }

    fn error(&self, error: keyring_core::Error, key: &SecretKey) -> SecretError {
        if matches!(error, keyring_core::Error::PlatformFailure(_)) {
            self.forget();
        }
        SecretError::from_keyring(error, key)
    }

    fn get(&self, key: &SecretKey) -> Result<Option<SecretString>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(secret) => Ok(Some(SecretString::new(secret))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.error(e, key)),
        }
    }

    fn set(&self, key: &SecretKey, secret: &str) -> Result<(), SecretError> {
        self.entry(key)?.set_password(secret).map_err(|e| self.error(e, key))
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.error(e, key)),
        }
    }
}

fn platform_detail(error: keyring_core::Error) -> String {
    match error {
        keyring_core::Error::PlatformFailure(e) | keyring_core::Error::NoStorageAccess(e) => e.to_string(),
        other => other.to_string(),
    }
}

/// Linux and the BSDs: the Secret Service D-Bus API, which gnome-keyring, KeePassXC and KWallet
/// (through its bridge) provide in the user's session; a secret is an item with lookup attributes
/// and a label in the default collection (freedesktop.org's "Secret Service API Draft",
/// <https://specifications.freedesktop.org/secret-service-spec/latest-single>). Tested here
/// (Debian 12): tests/keychain.rs `gnome_keyring_round_trips` against gnome-keyring in a private
/// D-Bus session (`--ignored`; `./dev.sh test` runs it).
#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))]
mod platform {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use crate::SecretKey;

    /// Secret Service over D-Bus (pure-Rust zbus). Connecting opens a session with the service, so
    /// a missing session bus or a missing/unactivatable Secret Service fails here.
    pub(super) fn open() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(zbus_secret_service_keyring_store::Store::new()?)
    }

    /// The label shown in Seahorse / KeePassXC for items we create.
    pub(super) fn modifiers(key: &SecretKey) -> Vec<(&'static str, String)> {
        vec![("label", format!("Ringside: {key}"))]
    }
}

/// macOS: a generic password item (`kSecClassGenericPassword`: service and account name it) in the
/// user's login keychain, through Keychain Services
/// (<https://developer.apple.com/documentation/security/ksecclassgenericpassword>). Not run on
/// macOS: type-checked only (`cargo check --target aarch64-apple-darwin`).
#[cfg(target_os = "macos")]
mod platform {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use crate::SecretKey;

    /// Generic passwords in the user's login keychain.
    pub(super) fn open() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(apple_native_keyring_store::keychain::Store::new()?)
    }

    pub(super) fn modifiers(_key: &SecretKey) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Windows: a generic credential (`CRED_TYPE_GENERIC`) in the user's Credential Manager, written
/// with `CredWriteW` (<https://learn.microsoft.com/windows/win32/api/wincred/nf-wincred-credwritew>).
/// Not run on Windows: type-checked only (`cargo check --target x86_64-pc-windows-gnu`).
#[cfg(target_os = "windows")]
mod platform {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use crate::SecretKey;

    /// Generic credentials in Credential Manager, target name `<key>.ringside`.
    pub(super) fn open() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(windows_native_keyring_store::Store::new()?)
    }

    pub(super) fn modifiers(_key: &SecretKey) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

#[cfg(not(any(
    all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))),
    target_os = "macos",
    target_os = "windows"
)))]
/// Anything else (Android, iOS, …): no keychain; the store reports itself unavailable.
mod platform {
    use std::sync::Arc;

    use keyring_core::CredentialStore;

    use crate::SecretKey;

    pub(super) fn open() -> keyring_core::Result<Arc<CredentialStore>> {
        Err(keyring_core::Error::NotSupportedByStore(
            "Ringside has no keychain backend for this operating system".into(),
        ))
    }

    pub(super) fn modifiers(_key: &SecretKey) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::SecretStore;
    use crate::{SecretError, SecretKey};

    fn key(id: &str) -> SecretKey {
        SecretKey::named("test", id)
    }

    #[test]
    fn in_memory_get_of_a_missing_key_is_none() {
        assert!(SecretStore::in_memory().get(&key("missing")).unwrap().is_none());
    }

    #[test]
    fn in_memory_set_get_replace_delete() {
        let store = SecretStore::in_memory();
        let (a, b) = (key("a"), key("b"));
        store.set(&a, "first").unwrap();
        store.set(&b, "other").unwrap();
        assert_eq!(store.get(&a).unwrap().unwrap().expose(), "first");
        store.set(&a, "second").unwrap();
        assert_eq!(store.get(&a).unwrap().unwrap().expose(), "second");
        store.delete(&a).unwrap();
        assert!(store.get(&a).unwrap().is_none());
        assert_eq!(store.get(&b).unwrap().unwrap().expose(), "other");
        store.delete(&a).unwrap(); // deleting a missing entry is fine
    }

    #[test]
    fn in_memory_clones_share_entries_but_stores_do_not() {
        let store = SecretStore::in_memory();
        store.clone().set(&key("shared"), "x").unwrap();
        assert!(store.get(&key("shared")).unwrap().is_some());
        assert!(SecretStore::in_memory().get(&key("shared")).unwrap().is_none());
    }

    #[test]
    fn empty_secrets_are_refused() {
        let store = SecretStore::in_memory();
        assert!(matches!(store.set(&key("e"), ""), Err(SecretError::Empty { .. })));
        assert!(store.get(&key("e")).unwrap().is_none());
    }

    #[test]
    fn unavailable_store_fails_every_call() {
        let store = SecretStore::unavailable("no session bus");
        let k = key("x");
        for result in [store.get(&k).map(drop), store.set(&k, "s"), store.delete(&k), store.check()] {
            let e = result.unwrap_err();
            assert!(matches!(e, SecretError::Unavailable { .. }));
            assert!(e.to_string().ends_with(": no session bus"), "{e}");
        }
    }

    #[test]
    fn debug_names_the_backend_only() {
        let store = SecretStore::in_memory();
        store.set(&key("d"), "hunter2").unwrap();
        assert_eq!(format!("{store:?}"), "SecretStore { backend: \"in_memory\" }");
        assert_eq!(format!("{:?}", SecretStore::os()), "SecretStore { backend: \"os\" }");
    }

    #[test]
    fn store_and_key_can_move_into_spawn_blocking() {
        fn assert_send_sync_static<T: Send + Sync + 'static>() {}
        assert_send_sync_static::<SecretStore>();
        assert_send_sync_static::<SecretKey>();
        assert_send_sync_static::<crate::SecretString>();
        assert_send_sync_static::<SecretError>();
    }
}
