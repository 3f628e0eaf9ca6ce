//! `RINGSIDE_SYSTEM_CONFIG` changes where the system-wide file is read from.
//!
//! The only test in this binary on purpose: it sets a process-wide environment variable, and
//! tests in one binary run in parallel threads.

use std::path::PathBuf;

use ringside_config::{Config, SYSTEM_CONFIG_ENV_VAR};

#[test]
fn ringside_system_config_overrides_the_system_path() {
    assert_eq!(SYSTEM_CONFIG_ENV_VAR, "RINGSIDE_SYSTEM_CONFIG");
    std::env::remove_var(SYSTEM_CONFIG_ENV_VAR);
    let os_default = Config::system_path();
    #[cfg(target_os = "linux")]
    assert_eq!(os_default, Some(PathBuf::from("/etc/ringside/config.toml")));

    std::env::set_var(SYSTEM_CONFIG_ENV_VAR, "/srv/it/ringside.toml");
    assert_eq!(Config::system_path(), Some(PathBuf::from("/srv/it/ringside.toml")));
    // An empty value is ignored.
    std::env::set_var(SYSTEM_CONFIG_ENV_VAR, "");
    assert_eq!(Config::system_path(), os_default);
    std::env::remove_var(SYSTEM_CONFIG_ENV_VAR);
}
