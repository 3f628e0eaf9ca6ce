//! Every runtime test runs with its own customer directory, never the user's.
#![allow(dead_code)]

use ringside_config::Config;

/// The embedded defaults, with the customer directory in a temporary folder that lives as long
/// as the returned guard.
pub fn isolated_config() -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.directory.path = Some(dir.path().join("directory.sqlite"));
    (dir, config)
}
