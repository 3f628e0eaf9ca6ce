//! `detect` and the softphone found without a configured path (Linux and other freedesktop
//! systems: found on PATH). One test, because it changes PATH for this test process.

#![cfg(all(unix, not(target_os = "macos")))]

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use ringside_dial::settings::{ConnectionConfig, ConnectionKind, DialRule};
use ringside_dial::{detect, plan, DialError, LaunchPlan};

const FAKE: &str = env!("CARGO_BIN_EXE_fake-softphone");

fn connection(kind: ConnectionKind) -> ConnectionConfig {
    ConnectionConfig { name: "test".into(), kind, rule: DialRule::default() }
}

#[test]
fn softphones_on_path_are_found_and_used() {
    let original = std::env::var_os("PATH").unwrap_or_default();
    let bin = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(FAKE, bin.path().join("microsip")).unwrap();
    std::os::unix::fs::symlink(FAKE, bin.path().join("zoiper5")).unwrap();
    // Not executable: not a program.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("zoiper"), "not a program").unwrap();
    std::fs::set_permissions(other.path().join("zoiper"), std::fs::Permissions::from_mode(0o644)).unwrap();

    let mut dirs = vec![bin.path().to_path_buf()];
    dirs.extend(std::env::split_paths(&original));
    std::env::set_var("PATH", std::env::join_paths(dirs).unwrap());

    let found = detect();
    assert_eq!(found.microsip, Some(bin.path().join("microsip")));
    assert_eq!(found.zoiper, Some(bin.path().join("zoiper5")));
    let json = serde_json::to_value(&found).unwrap();
    assert_eq!(json["microsip"], serde_json::json!(bin.path().join("microsip")));
    assert!(json.get("tel_handler").is_some(), "{json}");

    assert_eq!(
        plan(&connection(ConnectionKind::Microsip { path: None }), "+380441234567"),
        Ok(LaunchPlan { program: bin.path().join("microsip"), args: vec!["+380441234567".into()] })
    );
    assert_eq!(
        plan(&connection(ConnectionKind::Zoiper { path: None }), "+380441234567"),
        Ok(LaunchPlan { program: bin.path().join("zoiper5"), args: vec!["zoiper:+380441234567".into()] })
    );

    // Nothing installed: MicroSIP cannot be guessed; Zoiper's link goes to the desktop's handler.
    let mut dirs = vec![other.path().to_path_buf()];
    dirs.extend(std::env::split_paths(&original));
    std::env::set_var("PATH", std::env::join_paths(dirs).unwrap());
    let found = detect();
    if found.microsip.is_none() {
        let e = plan(&connection(ConnectionKind::Microsip { path: None }), "+380441234567").unwrap_err();
        assert_eq!(e, DialError::NotFound { app: "MicroSIP".into(), setting: "path" });
        assert_eq!(
            e.to_string(),
            "MicroSIP was not found on this computer; install it, or set path in [[dial.connection]]"
        );
    } else {
        eprintln!("NOTE: MicroSIP is installed here ({:?}); skipping the not-found case", found.microsip);
    }
    if found.zoiper.is_none() {
        assert_eq!(
            plan(&connection(ConnectionKind::Zoiper { path: None }), "+380441234567"),
            Ok(LaunchPlan { program: PathBuf::from("xdg-open"), args: vec!["zoiper:+380441234567".into()] })
        );
    } else {
        eprintln!("NOTE: Zoiper is installed here ({:?}); skipping the not-found case", found.zoiper);
    }
    std::env::set_var("PATH", original);
}
