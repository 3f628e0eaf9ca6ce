//! `ringside-cli dial`: the number reaches the softphone as exactly one argument written the
//! connection's way, `--dry-run` shows the argv or the request with the key masked, and hostile
//! text never starts anything.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::CLI;

/// A "softphone" that writes each argument it got on its own line next to itself.
fn fake_softphone(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("softphone.sh");
    std::fs::write(&path, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$0.log\"\n").expect("script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn config(dir: &Path, softphone: &Path) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "[dial]\ndefault = \"desk\"\n\n[[dial.connection]]\nname = \"desk\"\nkind = \"command\"\nprogram = {:?}\n\
             args = [\"--dial\", \"{{number}}\"]\nformat = \"national\"\n\n[[dial.connection]]\nname = \"cloud\"\n\
             kind = \"binotel\"\nkey = \"pub-key-1\"\nextension = \"901\"\nformat = \"national\"\n",
            softphone.display().to_string()
        ),
    )
    .expect("config");
    path
}

fn dial(config: &Path, args: &[&str]) -> Output {
    Command::new(CLI)
        .arg("dial")
        .args(args)
        .args(["--config", config.to_str().expect("utf-8 path")])
        .env("RINGSIDE_DIAL_CLOUD_SECRET", "binotel-secret-42")
        .output()
        .expect("run ringside-cli")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_softphone_gets_one_argument_in_the_connections_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let softphone = fake_softphone(dir.path());
    let config = config(dir.path(), &softphone);

    let dry = dial(&config, &["+380 (44) 123-45-67", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert_eq!(text(&dry.stdout).trim(), format!("{} --dial 0441234567", softphone.display()));
    assert!(!softphone.with_extension("sh.log").exists(), "a dry run starts nothing");

    let real = dial(&config, &["+380 (44) 123-45-67"]);
    assert!(real.status.success(), "{}", text(&real.stderr));
    let log = softphone.with_extension("sh.log");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(std::fs::read_to_string(&log).expect("the softphone ran"), "--dial\n0441234567\n");
}

#[test]
fn hostile_numbers_are_refused_and_start_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let softphone = fake_softphone(dir.path());
    let config = config(dir.path(), &softphone);
    for hostile in ["123 /password:x", ";rm -rf ~", "$(id)", "%0a", "tel:123?x=1", "١٢٣", "123\u{202e}456"] {
        let o = dial(&config, &[hostile]);
        assert!(!o.status.success(), "{hostile:?} was dialed");
        assert!(text(&o.stderr).contains("is not a phone number"), "{hostile:?}: {}", text(&o.stderr));
    }
    let long = "1".repeat(10 * 1024);
    assert!(!dial(&config, &[&long]).status.success());
    std::thread::sleep(Duration::from_millis(200));
    assert!(!softphone.with_extension("sh.log").exists(), "the softphone was started");
}

#[test]
fn a_provider_dry_run_shows_the_request_with_the_key_masked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), &fake_softphone(dir.path()));
    let o = dial(&config, &["044 123 4567", "--via", "cloud", "--dry-run"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let shown = text(&o.stdout);
    assert!(shown.contains("api.binotel.com") && shown.contains("internal-number-to-external-number"), "{shown}");
    assert!(shown.contains("\"901\"") && shown.contains("0441234567"), "{shown}");
    assert!(shown.contains("••••"), "{shown}");
    assert!(!shown.contains("binotel-secret-42"), "the secret was printed: {shown}");

    let o = dial(&config, &["044 123 4567", "--via", "nowhere", "--dry-run"]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("there is no connection \"nowhere\"; there is: desk, cloud"),
        "{}",
        text(&o.stderr)
    );

    // Only a provider connection has a key to keep.
    let o = Command::new(CLI)
        .args(["secret", "set", "dial:desk", "--stdin", "--config", config.to_str().expect("utf-8 path")])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run ringside-cli");
    assert!(!o.status.success());
    assert!(
        text(&o.stderr)
            .contains("no [[dial.connection]] named \"desk\" that takes a key in the config (there is: cloud)"),
        "{}",
        text(&o.stderr)
    );
}
