//! `show()` returns an error, quickly, when the D-Bus session bus is not there: it neither hangs nor
//! panics. Needs no bus and no display, so it runs with the normal `cargo test`.
//!
//! The session bus address is read from the environment, which a test must not change in its own
//! (multi-threaded) process; so the test runs this test binary again as a child process, with
//! `DBUS_SESSION_BUS_ADDRESS` pointing at a Unix socket that nobody listens on, and the child runs
//! only [`child_shows_one_notice`].
#![cfg(all(unix, not(target_os = "macos")))]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Set in the child process only.
const CHILD: &str = "RINGSIDE_NOTIFY_TEST_CHILD";
const CHILD_TEST: &str = "child_shows_one_notice";

#[test]
fn show_fails_fast_when_nobody_listens_on_the_session_bus() {
    let tmp = tempfile::Builder::new().prefix("ringside-notify-test-").tempdir().expect("temp dir");
    let socket = tmp.path().join("bus");
    // Bound and closed at once: the socket file stays, and connecting to it is refused.
    drop(std::os::unix::net::UnixListener::bind(&socket).expect("bind a Unix socket"));

    let started = Instant::now();
    let mut child = Command::new(std::env::current_exe().expect("current test binary"))
        .args([CHILD_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", socket.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the test binary as a child");

    // show() gives up after ringside_notify::TIMEOUT at the latest; allow for a slow machine, then
    // call it a hang.
    let deadline = ringside_notify::TIMEOUT + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("show() hung for {deadline:?} with an unreachable session bus");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let mut out = String::new();
    child.stdout.take().expect("stdout").read_to_string(&mut out).expect("read stdout");
    let mut err = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut err).expect("read stderr");
    println!("child ran {elapsed:?}:\n{out}");
    assert!(status.success(), "the child failed (did show() panic?): {status}\n{out}\n{err}");

    let result = out
        .lines()
        .find_map(|l| l.split_once("RESULT: ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("no RESULT line in:\n{out}\n{err}"));
    let message = out
        .lines()
        .find_map(|l| l.split_once("MESSAGE: ").map(|(_, m)| m))
        .unwrap_or_else(|| panic!("no MESSAGE line in:\n{out}"));
    assert!(result.starts_with("Err(NoSessionBus"), "expected NoSessionBus, got {result}");
    assert!(
        message.starts_with("no notification can be shown because the desktop's D-Bus session bus cannot be reached: "),
        "{message}"
    );
    // Refused at once, not rescued by the timeout.
    assert!(elapsed < ringside_notify::TIMEOUT, "took {elapsed:?}");
}

/// Not a check of its own: the child process of the test above. Does nothing unless run as that
/// child (then it shows one notice and prints the result for the parent to judge).
#[test]
fn child_shows_one_notice() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let result = ringside_notify::show(&ringside_notify::Notice::new("Ringside test", "nobody listens"));
    println!("RESULT: {result:?}");
    println!("MESSAGE: {}", result.as_ref().map_or_else(ToString::to_string, |_| "shown".to_owned()));
}
