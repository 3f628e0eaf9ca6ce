//! The AMI secret goes into a real OS keychain (gnome-keyring's Secret Service in a private
//! D-Bus session) with `secret set`, and `doctor` logs in with it from there — the environment
//! variable is not set, and nothing else could have supplied it.
#![cfg(target_os = "linux")]

use std::process::{Command, Stdio};

mod common;

use common::{free_port, start_demo, CLI};

/// Runs `script` (bash, with `$CLI`) inside a private session bus with `home` as HOME and
/// `config` as the config file; no secret comes from the environment.
fn in_private_keyring(home: &std::path::Path, script: &str, config: &std::path::Path) -> std::process::Output {
    let runtime = home.join("run");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    Command::new("dbus-run-session")
        .current_dir(home)
        .args(["--", "bash", "-c", script])
        .env("CLI", CLI)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("RINGSIDE_CONFIG", config)
        .env_remove("RINGSIDE_AMI_SECRET")
        .env_remove("RINGSIDE_CRM_SHOP_SECRET")
        .env_remove("GNOME_KEYRING_CONTROL")
        .stdin(Stdio::null())
        .output()
        .expect("dbus-run-session (package dbus) must be installed")
}

#[test]
#[ignore = "needs dbus-run-session and gnome-keyring: run by ./dev.sh test"]
fn the_secret_travels_from_the_keychain_to_the_login() {
    let port = free_port();
    let _pbx = start_demo(port, "20");
    let home = tempfile::tempdir().expect("temp HOME");
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
    let out = in_private_keyring(home.path(), &script, &home.path().join("none.toml"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("stored ami:keyring-user@127.0.0.1"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("[ok  ] Login")), "logged in with the keychain's secret:\n{stdout}");
    assert!(stdout.contains("removed ami:keyring-user@127.0.0.1"), "{stdout}");
}

/// A CRM's key goes into the keychain with `secret set crm:NAME`, and the lookup sends it in
/// the configured header — read back by a CRM on loopback that answers only to that key.
#[test]
#[ignore = "needs dbus-run-session and gnome-keyring: run by ./dev.sh test"]
fn a_crm_key_travels_from_the_keychain_to_the_crm() {
    use std::io::{BufRead, BufReader, Write};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // One-request-per-connection CRM: the customer if the key is right, 401 otherwise.
    let crm = std::thread::spawn(move || {
        let mut keys = Vec::new();
        for stream in listener.incoming().take(1) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut key = None;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("x-api-key:") {
                    key = Some(v.trim().to_string());
                }
                line.clear();
            }
            let body = r#"[{"id":"k-1","name":"Keyring Customer"}]"#;
            let reply = if key.as_deref() == Some("s3cret-key") {
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
            } else {
                "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
            };
            let _ = stream.write_all(reply.as_bytes());
            keys.push(key);
        }
        keys
    });

    let home = tempfile::tempdir().expect("temp HOME");
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[lookup]\norder = [\"shop\"]\n\n[[lookup.crm]]\nname = \"shop\"\nkind = \"rest\"\n\
             url = \"http://127.0.0.1:{port}/find/{{digits}}\"\nauth_header = \"X-Api-Key\"\n"
        ),
    )
    .expect("config");
    let script = r#"set -e
echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
echo s3cret-key | "$CLI" secret set crm:shop --stdin
"$CLI" lookup --sources "+380 44 555 0000"
"#;
    let out = in_private_keyring(home.path(), script, &config);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("stored crm:shop in the OS keychain"), "{stdout}");
    assert!(stdout.contains("Keyring Customer"), "{stdout}");
    assert!(!stdout.contains("s3cret-key") && !stderr.contains("s3cret-key"), "the key is never printed");
    assert_eq!(crm.join().expect("crm thread"), [Some("s3cret-key".to_string())]);
}
