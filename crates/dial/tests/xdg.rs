//! End to end through the desktop's own link handling (Linux, xdg-utils): `xdg-open tel:…`
//! reaches the fake softphone registered as the tel: handler in a temporary HOME, and
//! `become_link_handler` changes that HOME's default — never the real one.
//!
//! One test, because it points HOME and the XDG directories of this whole test process at a
//! temporary directory (`launch` and `xdg-mime` inherit them). Needs `xdg-utils`
//! (`apt-get install xdg-utils`); without `xdg-open` it prints a note and passes.

#![cfg(all(unix, not(target_os = "macos")))]

use std::path::Path;
use std::time::{Duration, Instant};

use ringside_dial::settings::{ConnectionConfig, ConnectionKind, DialRule, LinkScheme};
use ringside_dial::{become_link_handler, default_link_handler, detect, launch, plan};

const FAKE: &str = env!("CARGO_BIN_EXE_fake-softphone");

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

fn desktop_file(dir: &Path, id: &str, name: &str, mime_types: &str) {
    let text = format!(
        "[Desktop Entry]\nType=Application\nName={name}\nExec={FAKE} %u\nTerminal=false\nMimeType={mime_types}\n"
    );
    std::fs::write(dir.join(id), text).unwrap();
}

#[test]
fn xdg_open_hands_a_tel_link_to_the_registered_handler() {
    if !on_path("xdg-open") || !on_path("xdg-mime") {
        eprintln!("NOTE: xdg-open/xdg-mime not found; skipping the xdg end-to-end test (apt-get install xdg-utils)");
        return;
    }
    // xdg-open reads the Exec line without quotes: the helper's path must be one word.
    assert!(!FAKE.contains(char::is_whitespace), "the fake softphone's path has a space: {FAKE}");

    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("share");
    let config = home.path().join("config");
    let applications = data.join("applications");
    std::fs::create_dir_all(&applications).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    // Empty system directories: nothing installed on this machine takes part.
    let system_data = home.path().join("system-share");
    let system_config = home.path().join("system-config");
    std::fs::create_dir_all(&system_data).unwrap();
    std::fs::create_dir_all(&system_config).unwrap();

    desktop_file(&applications, "fake-softphone.desktop", "Fake softphone", "x-scheme-handler/tel;");
    desktop_file(
        &applications,
        "ringside.desktop",
        "Ringside",
        "x-scheme-handler/tel;x-scheme-handler/callto;x-scheme-handler/sip;",
    );
    std::fs::write(
        config.join("mimeapps.list"),
        "[Default Applications]\nx-scheme-handler/tel=fake-softphone.desktop\n",
    )
    .unwrap();
    let log = home.path().join("argv.jsonl");

    // xdg-open's generic mode: no desktop environment is detected, so it asks xdg-mime for the
    // default handler of x-scheme-handler/tel and runs the Exec line of its .desktop file. It
    // only does that when it believes there is a display; nothing connects to it.
    for var in [
        "DE",
        "DESKTOP_SESSION",
        "KDE_FULL_SESSION",
        "KDE_SESSION_VERSION",
        "GNOME_DESKTOP_SESSION_ID",
        "MATE_DESKTOP_SESSION_ID",
        "LXQT_SESSION_CONFIG",
        "XDG_MENU_PREFIX",
        "WAYLAND_DISPLAY",
        "XDG_UTILS_DEBUG_LEVEL",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("XDG_CURRENT_DESKTOP", "X-Generic");
    std::env::set_var("DISPLAY", ":ringside-test");
    std::env::set_var("HOME", home.path());
    std::env::set_var("XDG_DATA_HOME", &data);
    std::env::set_var("XDG_CONFIG_HOME", &config);
    std::env::set_var("XDG_DATA_DIRS", &system_data);
    std::env::set_var("XDG_CONFIG_DIRS", &system_config);
    // Should the handler not be found, xdg-open falls back to a browser: make that fail.
    std::env::set_var("BROWSER", "false");
    // No private runtime directory with a flatpak-info file can change the mode.
    std::env::set_var("XDG_RUNTIME_DIR", home.path());
    std::env::set_var("FAKE_SOFTPHONE_LOG", &log);

    assert_eq!(default_link_handler("tel").unwrap().as_deref(), Some("fake-softphone.desktop"));
    assert_eq!(default_link_handler("TEL").unwrap().as_deref(), Some("fake-softphone.desktop"));
    assert!(default_link_handler("javascript").is_err());
    assert_eq!(detect().tel_handler.as_deref(), Some("fake-softphone.desktop"));

    let connection = ConnectionConfig {
        name: "links".into(),
        kind: ConnectionKind::System { scheme: LinkScheme::Tel },
        rule: DialRule::default(),
    };
    let p = plan(&connection, "+380441234567").unwrap();
    assert_eq!(p.to_string(), "xdg-open tel:+380441234567");
    launch(&p).unwrap();

    let deadline = Instant::now() + Duration::from_secs(30);
    while !log.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    // Give a (wrong) second start a moment to show up.
    std::thread::sleep(Duration::from_millis(300));
    let text = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("the tel: handler never ran ({e})"));
    let lines: Vec<Vec<String>> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines, vec![vec!["tel:+380441234567".to_string()]]);

    // Becoming the handler changes this HOME's mimeapps.list for all three schemes.
    become_link_handler("ringside.desktop").unwrap();
    for scheme in ["tel", "callto", "sip"] {
        assert_eq!(default_link_handler(scheme).unwrap().as_deref(), Some("ringside.desktop"), "{scheme}");
    }
    let list = std::fs::read_to_string(config.join("mimeapps.list")).unwrap();
    for line in [
        "x-scheme-handler/tel=ringside.desktop",
        "x-scheme-handler/callto=ringside.desktop",
        "x-scheme-handler/sip=ringside.desktop",
    ] {
        assert!(list.lines().any(|l| l == line), "{line:?} missing from:\n{list}");
    }
    assert!(!list.contains("fake-softphone.desktop"), "{list}");

    // A desktop file that is not installed is reported, not silently accepted.
    let e = become_link_handler("not-installed.desktop").unwrap_err();
    assert!(e.to_string().contains("is not-installed.desktop installed"), "{e}");
    // Not a desktop file id: refused before anything runs.
    for bad in ["ringside", "../ringside.desktop", "a b.desktop", "-x.desktop", ".desktop", "x.desktop;rm"] {
        assert!(become_link_handler(bad).is_err(), "{bad:?}");
    }
}
