//! The OS keychain backend against a real Secret Service: gnome-keyring in a private D-Bus session.
//!
//! Run with `cargo test -p ringside-secrets -- --ignored` on Linux with the `dbus` (for
//! `dbus-run-session`) and `gnome-keyring` packages installed. No desktop session is needed.
//!
//! The test re-executes its own binary inside `dbus-run-session`, with a bus configuration that
//! allows no service activation (so nothing but our daemon can answer) and with HOME, XDG_DATA_HOME,
//! XDG_RUNTIME_DIR, … pointing into a temporary directory, so the user's real session bus and
//! keyrings are never touched. Inside, it starts `gnome-keyring-daemon --foreground --unlock
//! --components=secrets` with the password on stdin, and stops it at the end.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Set in the re-executed test process, which runs inside the private D-Bus session.
const INNER: &str = "RINGSIDE_SECRETS_TEST_IN_DBUS_SESSION";
/// Tells the inner process which gnome-keyring-daemon to start.
const DAEMON: &str = "RINGSIDE_SECRETS_TEST_GNOME_KEYRING_DAEMON";
const THIS_TEST: &str = "gnome_keyring_round_trips";

#[test]
#[ignore = "needs dbus-run-session and gnome-keyring: run by ./dev.sh test"]
fn gnome_keyring_round_trips() {
    if std::env::var_os(INNER).is_some() {
        inner::run();
    } else {
        outer();
    }
}

/// Finds `program` on PATH or fails the test naming the package to install.
fn require(program: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("`{program}` is not on PATH: install the `{package}` package (Debian/Ubuntu: apt-get install {package})")
    })
}

fn outer() {
    let dbus_run_session = require("dbus-run-session", "dbus");
    let daemon = require("gnome-keyring-daemon", "gnome-keyring");

    let tmp = tempfile::Builder::new().prefix("ringside-secrets-test-").tempdir().expect("temp dir");
    let dir = |name: &str| {
        let path = tmp.path().join(name);
        std::fs::create_dir_all(&path).expect("create temp subdir");
        path
    };
    let (home, data, config, cache, runtime) = (dir("home"), dir("data"), dir("config"), dir("cache"), dir("runtime"));
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).expect("chmod runtime dir");
    }
    let bus_config = tmp.path().join("session-bus.conf");
    std::fs::write(&bus_config, bus_config_text(&runtime)).expect("write bus config");
    let log_path = tmp.path().join("inner.log");
    let log = std::fs::File::create(&log_path).expect("create log");

    let mut child = Command::new(&dbus_run_session)
        .arg(format!("--config-file={}", bus_config.display()))
        .arg("--")
        .arg(std::env::current_exe().expect("current test binary"))
        .args([THIS_TEST, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(INNER, "1")
        .env(DAEMON, &daemon)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_CACHE_HOME", &cache)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env_remove("GNOME_KEYRING_CONTROL")
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("RINGSIDE_AMI_SECRET")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("dup log"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", dbus_run_session.display()));

    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for dbus-run-session") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the keychain test did not finish within 120 s; its output:\n{}", read(&log_path));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = read(&log_path);
    assert!(status.success(), "the keychain test failed inside dbus-run-session ({status}); its output:\n{output}");
    print!("{output}");
}

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

/// A session bus that listens in our temp dir and has no service directories, so a missing
/// Secret Service is not auto-started from /usr/share/dbus-1/services.
fn bus_config_text(socket_dir: &Path) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        socket_dir.display()
    )
}

/// A running gnome-keyring-daemon, stopped when dropped (also when a check panics).
struct Daemon(Child);

impl Daemon {
    /// Starts the daemon with the login keyring unlocked by `password` (created on first start).
    fn start(password: &str) -> Daemon {
        use std::io::Write;
        let program = std::env::var_os(DAEMON).expect("daemon path from the outer test");
        let mut child = Command::new(&program)
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", Path::new(&program).display()));
        let mut stdin = child.stdin.take().expect("daemon stdin");
        stdin.write_all(password.as_bytes()).expect("write keyring password");
        drop(stdin);
        Daemon(child)
    }

    fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}

mod inner {
    use std::time::{Duration, Instant};

    use ringside_secrets::{resolve, SecretError, SecretKey, SecretStore};

    use super::Daemon;

    const PASSWORD: &str = "test";

    fn step(name: &str) {
        println!("keychain test: {name}");
    }

    /// Waits until the Secret Service answers, a read included (the name may be owned a moment
    /// before the login collection is ready).
    fn wait_until_ready(store: &SecretStore) {
        let probe = SecretKey::named("test", "readiness-probe");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match store.check().and_then(|()| store.get(&probe)) {
                Ok(_) => return,
                Err(e) if Instant::now() > deadline => panic!("gnome-keyring did not become ready within 20 s: {e}"),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    pub(super) fn run() {
        let store = SecretStore::os();
        let agent = SecretKey::ami("agent100", "pbx.example.com", 5038);
        let other = SecretKey::ami("agent101", "pbx.example.com", 5038);

        step("before the daemon runs, the keychain is reported unavailable");
        let e = store.get(&agent).unwrap_err();
        assert!(matches!(e, SecretError::Unavailable { .. }), "{e:?}");
        let message = e.to_string();
        assert!(
            message.starts_with(
                "no OS keychain is available (on Linux, a Secret Service such as gnome-keyring or KeePassXC must \
                 be running and unlocked): "
            ),
            "{message}"
        );
        std::env::set_var("RINGSIDE_TEST_ENV_WITHOUT_KEYCHAIN", "env-only");
        let secret = resolve(&store, &agent, "RINGSIDE_TEST_ENV_WITHOUT_KEYCHAIN").unwrap().unwrap();
        assert_eq!(secret.expose(), "env-only", "resolve falls back to the environment without a keychain");
        let e = resolve(&store, &agent, "RINGSIDE_TEST_NEVER_SET").unwrap_err();
        assert!(matches!(e, SecretError::Unavailable { .. }), "{e:?}");

        let daemon = Daemon::start(PASSWORD);
        wait_until_ready(&store);

        step("a missing entry is None, and deleting it is Ok");
        assert!(store.get(&agent).unwrap().is_none());
        store.delete(&agent).unwrap();

        step("set, then get returns it");
        store.set(&agent, "s3cret-one").unwrap();
        assert_eq!(store.get(&agent).unwrap().expect("stored").expose(), "s3cret-one");

        step("a second key is independent");
        assert!(store.get(&other).unwrap().is_none());
        store.set(&other, "s3cret-two").unwrap();
        assert_eq!(store.get(&other).unwrap().unwrap().expose(), "s3cret-two");
        assert_eq!(store.get(&agent).unwrap().unwrap().expose(), "s3cret-one");

        step("set again replaces the value (no duplicate item)");
        store.set(&agent, "s3cret-one-rotated").unwrap();
        assert_eq!(store.get(&agent).unwrap().unwrap().expose(), "s3cret-one-rotated");

        step("delete, then get is None; the other key stays; deleting again is Ok");
        store.delete(&agent).unwrap();
        assert!(store.get(&agent).unwrap().is_none());
        assert_eq!(store.get(&other).unwrap().unwrap().expose(), "s3cret-two");
        store.delete(&agent).unwrap();

        step("unicode secrets round-trip");
        let unicode = "pässwörd — пароль — 密码 — 🔑🦀 — \u{200d}\t\"quoted\" \\ end";
        let key = SecretKey::named("test", "unicode");
        store.set(&key, unicode).unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap().expose(), unicode);

        step("a 4 KB secret round-trips");
        let long: String = "0123456789abcdef-ÄÖÜ€".chars().cycle().take(4096).collect();
        assert!(long.len() > 4096);
        let key = SecretKey::named("test", "long");
        store.set(&key, &long).unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap().expose(), long);

        step("Debug and Display of a stored secret show no secret");
        let secret = store.get(&other).unwrap().unwrap();
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert!(!format!("{:?}", store.get(&other)).contains("s3cret"));

        step("resolve prefers the keychain over the environment variable");
        std::env::set_var("RINGSIDE_TEST_AMI_SECRET", "from-env");
        let secret = resolve(&store, &other, "RINGSIDE_TEST_AMI_SECRET").unwrap().unwrap();
        assert_eq!(secret.expose(), "s3cret-two");

        step("resolve falls back to the environment variable");
        let secret = resolve(&store, &agent, "RINGSIDE_TEST_AMI_SECRET").unwrap().unwrap();
        assert_eq!(secret.expose(), "from-env");

        step("resolve returns None when neither exists");
        std::env::remove_var("RINGSIDE_TEST_AMI_SECRET");
        assert!(resolve(&store, &agent, "RINGSIDE_TEST_AMI_SECRET").unwrap().is_none());

        step("when the Secret Service goes away, calls fail, then report it unavailable");
        daemon.stop();
        let e = store.get(&other).unwrap_err();
        assert!(matches!(e, SecretError::Keychain { .. } | SecretError::Unavailable { .. }), "{e:?}");
        assert!(!format!("{e} {e:?}").contains("s3cret"));
        let e = store.get(&other).unwrap_err();
        assert!(matches!(e, SecretError::Unavailable { .. }), "reconnects and reports unavailable: {e:?}");

        step("after a restart the store reconnects and the entries persisted");
        let daemon = Daemon::start(PASSWORD);
        wait_until_ready(&store);
        assert_eq!(store.get(&other).unwrap().unwrap().expose(), "s3cret-two");
        assert_eq!(store.get(&SecretKey::named("test", "long")).unwrap().unwrap().expose(), long);
        assert!(store.get(&agent).unwrap().is_none());
        store.delete(&other).unwrap();
        assert!(store.get(&other).unwrap().is_none());
        daemon.stop();

        step("all checks passed");
    }
}
