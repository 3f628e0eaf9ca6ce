//! The AMI secret goes into a real OS keychain (gnome-keyring's Secret Service in a private
//! D-Bus session) with `secret set`, and `doctor` logs in with it from there — the environment
//! variable is not set, and nothing else could have supplied it.
#![cfg(target_os = "linux")]

use std::process::{Command, Stdio};

mod common;

use common::{free_port, start_demo, CLI};

#[test]
#[ignore = "needs dbus-run-session and gnome-keyring: run by ./dev.sh test"]
fn the_secret_travels_from_the_keychain_to_the_login() {
    let port = free_port();
    let _pbx = start_demo(port, "20");
    let home = tempfile::tempdir().expect("temp HOME");
    let runtime = home.path().join("run");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    // Inside a private session bus: unlock a fresh keyring, store the secret, use it.
    let script = format!(
        r#"set -e
echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
echo demo | "$CLI" secret set --stdin --ami 127.0.0.1:{port} --user keyring-user
"$CLI" doctor --ami 127.0.0.1:{port} --user keyring-user
"$CLI" secret delete --ami 127.0.0.1:{port} --user keyring-user
# Gone from the keychain: now there is no secret at all.
if "$CLI" doctor --ami 127.0.0.1:{port} --user keyring-user > after.txt; then exit 3; fi
grep -q '^\[FAIL\] Secret' after.txt
"#
    );
    let out = Command::new("dbus-run-session")
        .current_dir(home.path())
        .args(["--", "bash", "-c", &script])
        .env("CLI", CLI)
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("RINGSIDE_CONFIG", home.path().join("none.toml"))
        .env_remove("RINGSIDE_AMI_SECRET")
        .env_remove("GNOME_KEYRING_CONTROL")
        .stdin(Stdio::null())
        .output()
        .expect("dbus-run-session (package dbus) must be installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("stored ami:keyring-user@127.0.0.1"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("[ok  ] Login")), "logged in with the keychain's secret:\n{stdout}");
    assert!(stdout.contains("removed ami:keyring-user@127.0.0.1"), "{stdout}");
}
