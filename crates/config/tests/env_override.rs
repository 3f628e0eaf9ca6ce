//! `RINGSIDE_CONFIG` changes where the file is read from.
//!
//! This is the only test in this binary on purpose: it sets a process-wide environment variable,
//! and tests in one binary run in parallel threads.

use std::path::PathBuf;

use ringside_config::{Config, CONFIG_ENV_VAR};

#[test]
fn ringside_config_overrides_the_default_path() {
    assert_eq!(CONFIG_ENV_VAR, "RINGSIDE_CONFIG");

    std::env::remove_var(CONFIG_ENV_VAR);
    let os_default = Config::default_path();
    if let Some(path) = &os_default {
        assert!(path.ends_with("config.toml"), "{}", path.display());
        assert!(path.components().any(|c| c.as_os_str() == "ringside"), "{}", path.display());
    }

    let dir = tempfile::tempdir().unwrap();
    let custom = dir.path().join("elsewhere.toml");
    std::fs::write(&custom, "[agent]\nextension = \"321\"\n").unwrap();
    std::env::set_var(CONFIG_ENV_VAR, &custom);
    assert_eq!(Config::default_path(), Some(custom.clone()));
    let loaded = Config::load(&Config::default_path().unwrap()).unwrap();
    assert_eq!(loaded.agent.extension, "321");

    // An empty value is ignored rather than meaning "the current directory".
    std::env::set_var(CONFIG_ENV_VAR, "");
    assert_eq!(Config::default_path(), os_default);

    std::env::set_var(CONFIG_ENV_VAR, "relative/config.toml");
    assert_eq!(Config::default_path(), Some(PathBuf::from("relative/config.toml")));

    std::env::remove_var(CONFIG_ENV_VAR);
    assert_eq!(Config::default_path(), os_default);
}
