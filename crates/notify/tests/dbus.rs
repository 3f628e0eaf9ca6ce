//! `show()` against a real notification daemon on a real D-Bus session bus, watched with
//! `dbus-monitor`.
//!
//! Run by `./dev.sh test`, i.e. inside `xvfb-run -a dbus-run-session -- cargo test --workspace --
//! --ignored --test-threads=1`; by hand:
//!
//! ```text
//! xvfb-run -a dbus-run-session -- cargo test -p ringside-notify -- --ignored
//! ```
//!
//! Needs the Debian/Ubuntu packages `dbus` (`dbus-run-session`; `dbus-bin`: `dbus-monitor`,
//! `dbus-send`), `dunst` (also `dunstctl`) and `xvfb`. Unless some notification server already owns
//! `org.freedesktop.Notifications` on the session bus, the test starts `dunst` with a configuration
//! of its own, on the display `xvfb-run` provides, and then also checks what dunst displays, that a
//! tagged notice shows again after the user dismissed its predecessor, and that `show()` gives up on
//! a hung server (dunst stopped with SIGSTOP). With someone else's server, those steps are skipped:
//! it is not ours to inspect or freeze.
#![cfg(all(unix, not(target_os = "macos")))]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ringside_notify::{close, show, show_with_button, supports_actions, Notice, NotifyError, Shown, Urgency, TIMEOUT};

const NOTIFICATIONS: &str = "org.freedesktop.Notifications";

/// The tests take turns: each may start (and at its end stop) the session's notification server.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A notification server on the session bus (the session's own, or dunst started here) and
/// dbus-monitor watching it; both stopped when dropped.
struct Desktop {
    dbus_send: PathBuf,
    /// dunst's pid, when this test started it (its server is ours to inspect and freeze).
    dunst_pid: Option<u32>,
    monitor_out: Arc<Mutex<String>>,
    _children: Children,
    _tmp: tempfile::TempDir,
}

impl Desktop {
    fn start() -> Desktop {
        assert!(
            std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
            "DBUS_SESSION_BUS_ADDRESS is not set: run inside a D-Bus session, e.g. \
             `xvfb-run -a dbus-run-session -- cargo test -p ringside-notify -- --ignored` (packages: dbus, xvfb)"
        );
        let dbus_monitor = require("dbus-monitor", "dbus-bin");
        let dbus_send = require("dbus-send", "dbus-bin");
        let tmp = tempfile::Builder::new().prefix("ringside-notify-test-").tempdir().expect("temp dir");
        let mut children = Children::default();

        // 1. A notification server: the session's own, or dunst started here.
        let mut dunst_pid = None;
        if name_has_owner(&dbus_send) {
            println!("{NOTIFICATIONS} is already owned on this bus: testing against that server");
        } else {
            let dunst = require("dunst", "dunst");
            assert!(
                std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
                "no DISPLAY: dunst needs a display; run under `xvfb-run -a` (package: xvfb)"
            );
            let config = tmp.path().join("dunstrc");
            // Nothing from the user's dunstrc; dunst's defaults otherwise (markup = full, as shipped).
            std::fs::write(&config, "[global]\n    markup = full\n").expect("write dunstrc");
            let log_path = tmp.path().join("dunst.log");
            let log = File::create(&log_path).expect("create dunst log");
            let child = Command::new(&dunst)
                .arg("-config")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("dup log"))
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", dunst.display()));
            dunst_pid = Some(child.id());
            children.push("dunst", child);
            let started = Instant::now();
            while !name_has_owner(&dbus_send) {
                if let Some(status) = children.get("dunst").try_wait().expect("wait for dunst") {
                    panic!("dunst exited ({status}) before owning {NOTIFICATIONS}:\n{}", read(&log_path));
                }
                assert!(
                    started.elapsed() < Duration::from_secs(15),
                    "dunst did not own {NOTIFICATIONS} within 15 s:\n{}",
                    read(&log_path)
                );
                std::thread::sleep(Duration::from_millis(50));
            }
            println!("dunst owns {NOTIFICATIONS} after {:?}", started.elapsed());
        }

        // 2. dbus-monitor: every message of the Notifications interface, every method return (the
        //    interface is not in a return's header; the returns carry the ids the server assigns),
        //    and every AddMatch (a button's listener subscribing to ActionInvoked).
        let mut monitor = Command::new(&dbus_monitor)
            .args([
                "--session",
                &format!("interface='{NOTIFICATIONS}'"),
                "type='method_return'",
                "type='method_call',member='AddMatch'",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", dbus_monitor.display()));
        let monitor_out = Arc::new(Mutex::new(String::new()));
        {
            let stdout = monitor.stdout.take().expect("dbus-monitor stdout");
            let sink = Arc::clone(&monitor_out);
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let mut out = sink.lock().unwrap();
                    out.push_str(&line);
                    out.push('\n');
                }
            });
        }
        children.push("dbus-monitor", monitor);
        let desktop = Desktop { dbus_send, dunst_pid, monitor_out, _children: children, _tmp: tmp };
        // It is listening once it shows a call made after it started.
        let started = Instant::now();
        let server_info = loop {
            let info = dbus_call(&desktop.dbus_send, "GetServerInformation", &[]);
            if desktop.text().contains("member=GetServerInformation") {
                break info;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "dbus-monitor shows nothing:\n{}", desktop.text());
            std::thread::sleep(Duration::from_millis(100));
        };
        println!("server information:\n{server_info}");
        println!("capabilities:\n{}", dbus_call(&desktop.dbus_send, "GetCapabilities", &[]));
        desktop
    }

    fn text(&self) -> String {
        self.monitor_out.lock().unwrap().clone()
    }
}

#[test]
#[ignore = "needs a D-Bus session and a display: run by ./dev.sh test"]
fn notify_calls_reach_a_real_notification_daemon() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let desktop = Desktop::start();
    let (dbus_send, dunst_pid, monitor_out) = (&desktop.dbus_send, desktop.dunst_pid, &desktop.monitor_out);

    // 3. Three notices: two with one tag, then one without.
    let tag = format!("missed-calls-test-{}", std::process::id());
    let hostile = "<b>x</b><img src=http://evil/> &amp; \u{202E}gnp.exe";
    let first = Notice {
        summary: format!("Missed call from {hostile}"),
        body: format!("You missed a call from {hostile} (\"VIP\" queue)."),
        urgency: Urgency::Critical,
        tag: Some(tag.clone()),
    };
    let second = Notice {
        summary: "2 missed calls".into(),
        body: "Last from Ada's phone".into(),
        urgency: Urgency::Normal,
        tag: Some(tag.clone()),
    };
    let third = Notice { summary: "Untagged notice".into(), body: "stacks".into(), urgency: Urgency::Low, tag: None };
    for notice in [&first, &second, &third] {
        show(notice).unwrap_or_else(|e| panic!("show({:?}) failed: {e}", notice.summary));
    }

    // 4. What went over the bus.
    let calls = wait_for_notify_calls(monitor_out, 3);
    println!("the first Notify call as dbus-monitor printed it:\n{}", calls[0].raw);
    for (i, call) in calls.iter().enumerate() {
        println!(
            "Notify #{}: replaces_id={} summary={:?} body={:?} -> id {:?}",
            i + 1,
            call.replaces_id,
            call.summary,
            call.body,
            call.returned_id
        );
    }

    let (n1, n2, n3) = (&calls[0], &calls[1], &calls[2]);
    assert_eq!(n1.app_name, "Ringside");
    assert_eq!(n1.replaces_id, 0, "the first notice of a tag replaces nothing");
    assert_eq!(
        n1.summary, "Missed call from \u{2039}b\u{203A}x\u{2039}/b\u{203A}\u{2039}img src=http://evil/\u{203A} \u{FF06}amp; gnp.exe",
        "summary: plain text without markup characters, bidi override gone"
    );
    assert_eq!(
        n1.body,
        "You missed a call from &lt;b&gt;x&lt;/b&gt;&lt;img src=http://evil/&gt; &amp;amp; gnp.exe (&quot;VIP&quot; queue).",
        "body: escaped markup"
    );
    assert!(!n1.body.contains("<img") && !n1.body.contains('<'), "raw markup in the body: {}", n1.body);
    assert!(!n1.raw.contains('\u{202E}'), "a bidi override reached the bus");
    assert!(
        n1.raw.contains("string \"urgency\"") && n1.raw.contains("byte 2"),
        "no critical urgency hint:\n{}",
        n1.raw
    );
    let id1 = n1.returned_id.expect("id of the first notice");
    assert_ne!(id1, 0, "the server returned id 0");

    assert_eq!(n2.app_name, "Ringside");
    assert_eq!(n2.summary, "2 missed calls");
    assert_eq!(n2.body, "Last from Ada&apos;s phone");
    assert_eq!(n2.replaces_id, id1, "the second notice of the tag must replace the first");
    assert_eq!(n2.returned_id, Some(id1), "the server keeps the id of a replaced notice (spec)");

    assert_eq!(n3.replaces_id, 0, "an untagged notice replaces nothing");
    assert_ne!(n3.returned_id, Some(id1));

    let Some(pid) = dunst_pid else {
        println!("dunst-only steps skipped: the notification server is not ours to inspect or freeze");
        return;
    };

    // 5. On screen (dunst's own count): the tagged notices are one, the untagged one stacks.
    let dunstctl = require("dunstctl", "dunst");
    wait_displayed(&dunstctl, 2);
    // The agent dismisses the tagged notice; the next one of that tag must still show.
    dbus_call(dbus_send, "CloseNotification", &[&format!("uint32:{id1}")]);
    wait_displayed(&dunstctl, 1);
    show(&Notice { tag: Some(tag.clone()), ..Notice::new("3 missed calls", "after a dismissal") })
        .expect("show after dismissal");
    let n4 = wait_for_notify_calls(monitor_out, 4).swap_remove(3);
    println!("Notify #4: replaces_id={} summary={:?} -> id {:?}", n4.replaces_id, n4.summary, n4.returned_id);
    assert_eq!(n4.replaces_id, id1);
    assert!(n4.returned_id.is_some_and(|id| id != 0));
    wait_displayed(&dunstctl, 2);

    // 6. A hung server: show() gives up after TIMEOUT with an error instead of blocking forever.
    signal(pid, "STOP");
    let started = Instant::now();
    let result = show(&Notice { tag: Some(tag.clone()), ..Notice::new("While frozen", "nobody answers") });
    let elapsed = started.elapsed();
    signal(pid, "CONT");
    println!("with dunst stopped: {result:?} after {elapsed:?}");
    assert_eq!(result, Err(NotifyError::Timeout { after: TIMEOUT }));
    assert!(elapsed >= TIMEOUT && elapsed < TIMEOUT + Duration::from_secs(5), "gave up after {elapsed:?}");
    // Once the server runs again, so do notices.
    show(&Notice::new("Thawed", "answers again")).expect("show after the server resumed");
}

#[test]
#[ignore = "needs a D-Bus session and a display: run by ./dev.sh test"]
fn a_notice_with_a_button_reports_the_press_and_is_taken_away_by_its_tag() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let desktop = Desktop::start();
    let tag = format!("incoming-call-test-{}", std::process::id());
    let notice = |who: &str| Notice {
        summary: format!("Incoming call from {who}"),
        body: "+380 44 123 4567".into(),
        urgency: Urgency::Normal,
        tag: Some(tag.clone()),
    };
    let (tx, pressed) = std::sync::mpsc::channel::<&'static str>();
    let on_press = |which: &'static str| {
        let tx = tx.clone();
        move || {
            let _ = tx.send(which);
        }
    };
    let buttons = supports_actions().expect("GetCapabilities");
    println!("the server draws buttons: {buttons}");
    let shown = show_with_button(&notice("Olena"), "Show", Duration::from_secs(60), on_press("first")).expect("show");
    let first = wait_for_notify_calls(&desktop.monitor_out, 1).swap_remove(0);
    println!("the Notify call as dbus-monitor printed it:\n{}", first.raw);
    if !buttons {
        assert_eq!(shown, Shown::WithoutButton);
        assert!(actions_of(&first.raw).is_empty(), "{}", first.raw);
        println!("the rest is skipped: this server draws no buttons");
        return;
    }
    assert_eq!(shown, Shown::WithButton);
    assert_eq!(actions_of(&first.raw), ["default", "Show", "button", "Show"], "a clickable notice with a Show button");
    let id = first.returned_id.expect("id");

    // A newer call's notice replaces it (same id on screen); only the newer one's press counts.
    show_with_button(&notice("Petro"), "Show", Duration::from_secs(60), on_press("second")).expect("show");
    let second = wait_for_notify_calls(&desktop.monitor_out, 2).swap_remove(1);
    assert_eq!((second.replaces_id, second.returned_id), (id, Some(id)));
    wait_for_listeners(&desktop, 2);
    // A server that draws the button reports its press as ActionInvoked(id, "button"). The bus
    // shows the listener's AddMatch a moment before its connection hears signals, and an agent
    // presses well after the notice appears: the press is made again each second until heard.
    assert_eq!(press_until_heard(&desktop, id, &pressed), Ok("second"));

    // The agent clicks the notice on dunst's screen: dunst invokes its "default" action.
    if desktop.dunst_pid.is_some() {
        show_with_button(&notice("Ivan"), "Show", Duration::from_secs(60), on_press("third")).expect("show");
        wait_for_notify_calls(&desktop.monitor_out, 3);
        wait_for_listeners(&desktop, 3);
        let dunstctl = require("dunstctl", "dunst");
        let out = Command::new(&dunstctl).args(["action", "0"]).output().expect("run dunstctl");
        assert!(out.status.success(), "dunstctl action: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(pressed.recv_timeout(Duration::from_secs(10)), Ok("third"));
    } else {
        println!("the dunst click is skipped: the notification server is not ours to drive");
    }

    // The call is answered: the notice is taken off the screen by its tag, and no press counts.
    show_with_button(&notice("Oksana"), "Show", Duration::from_secs(60), on_press("fourth")).expect("show");
    let shown_last = wait_for_notify_calls(&desktop.monitor_out, if desktop.dunst_pid.is_some() { 4 } else { 3 });
    let last_id = shown_last.last().and_then(|c| c.returned_id).expect("id");
    assert_eq!(close(&tag), Ok(true));
    let closed = Instant::now();
    while !desktop.text().contains("member=CloseNotification") {
        assert!(closed.elapsed() < Duration::from_secs(10), "no CloseNotification:\n{}", desktop.text());
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = desktop.text();
    let call = &text[text.rfind("member=CloseNotification").unwrap_or(0)..];
    assert!(call.lines().nth(1).is_some_and(|l| l.trim() == format!("uint32 {last_id}")), "{call}");
    if desktop.dunst_pid.is_some() {
        wait_displayed(&require("dunstctl", "dunst"), 0);
    }
    emit_action_invoked(&desktop.dbus_send, last_id, "button");
    assert_eq!(
        pressed.recv_timeout(Duration::from_millis(500)),
        Err(std::sync::mpsc::RecvTimeoutError::Timeout),
        "a press after the notice was closed (or on a replaced notice) counted"
    );
    assert_eq!(close(&tag), Ok(false), "nothing left to close");
}

/// The `actions` argument of a `Notify` call as dbus-monitor printed it (`raw`).
fn actions_of(raw: &str) -> Vec<String> {
    let args: Vec<&str> = raw.lines().skip(1).map(str::trim).collect();
    // app_name, replaces_id, app_icon, summary, body, then the array.
    let Some(["array [", rest @ ..]) = args.get(5..) else { return Vec::new() };
    rest.iter()
        .take_while(|l| **l != "]")
        .filter_map(|l| l.strip_prefix("string \"")?.strip_suffix('"').map(str::to_owned))
        .collect()
}

/// Waits until `count` listeners subscribed to ActionInvoked (one per notice with a button), so
/// a press reported now is heard.
fn wait_for_listeners(desktop: &Desktop, count: usize) {
    let started = Instant::now();
    loop {
        let text = desktop.text();
        let subscribed = text.matches("member='ActionInvoked'").count();
        if subscribed >= count {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{subscribed} listeners, expected {count}:\n{text}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Presses the button of notice `id` once a second until a listener reports it (at most 10 s).
fn press_until_heard(
    desktop: &Desktop,
    id: u32,
    pressed: &std::sync::mpsc::Receiver<&'static str>,
) -> Result<&'static str, std::sync::mpsc::RecvTimeoutError> {
    let mut heard = Err(std::sync::mpsc::RecvTimeoutError::Timeout);
    for _ in 0..10 {
        emit_action_invoked(&desktop.dbus_send, id, "button");
        heard = pressed.recv_timeout(Duration::from_secs(1));
        if heard.is_ok() {
            break;
        }
    }
    heard
}

/// Sends the signal a notification server sends when the agent presses a notice's button.
fn emit_action_invoked(dbus_send: &Path, id: u32, action: &str) {
    let out = Command::new(dbus_send)
        .args([
            "--session",
            "--type=signal",
            "/org/freedesktop/Notifications",
            &format!("{NOTIFICATIONS}.ActionInvoked"),
            &format!("uint32:{id}"),
            &format!("string:{action}"),
        ])
        .output()
        .expect("run dbus-send");
    assert!(out.status.success(), "dbus-send ActionInvoked failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// Waits until dbus-monitor has shown at least `count` answered `Notify` calls from "Ringside".
fn wait_for_notify_calls(monitor_out: &Mutex<String>, count: usize) -> Vec<NotifyCall> {
    let started = Instant::now();
    loop {
        let text = monitor_out.lock().unwrap().clone();
        let messages = parse(&text);
        let calls: Vec<NotifyCall> = messages
            .iter()
            .filter(|m| m.kind == "method call" && m.member == "Notify")
            .filter_map(|m| NotifyCall::from_message(m, &messages))
            .filter(|c| c.app_name == "Ringside")
            .collect();
        if calls.len() >= count && calls.iter().all(|c| c.returned_id.is_some()) {
            return calls;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "dbus-monitor did not show {count} answered Notify calls:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until dunst displays exactly `count` notifications.
fn wait_displayed(dunstctl: &Path, count: u32) {
    let started = Instant::now();
    loop {
        let out = Command::new(dunstctl).args(["count", "displayed"]).output().expect("run dunstctl");
        let shown = String::from_utf8_lossy(&out.stdout).trim().parse::<u32>().ok();
        if shown == Some(count) {
            println!("dunst displays {count} notification(s)");
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "dunst displays {shown:?} notifications, expected {count}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Finds `program` on PATH or fails the test naming the package to install.
fn require(program: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("`{program}` is not on PATH: install the `{package}` package (Debian/Ubuntu: apt-get install {package})")
    })
}

fn name_has_owner(dbus_send: &Path) -> bool {
    let out = Command::new(dbus_send)
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{NOTIFICATIONS}"),
        ])
        .output()
        .expect("run dbus-send");
    assert!(out.status.success(), "dbus-send NameHasOwner failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).contains("boolean true")
}

/// Calls a method on the notification server (arguments in dbus-send's `type:value` form) and
/// returns dbus-send's printout.
fn dbus_call(dbus_send: &Path, method: &str, args: &[&str]) -> String {
    let out = Command::new(dbus_send)
        .args([
            "--session",
            "--print-reply",
            &format!("--dest={NOTIFICATIONS}"),
            "/org/freedesktop/Notifications",
            &format!("{NOTIFICATIONS}.{method}"),
        ])
        .args(args)
        .output()
        .expect("run dbus-send");
    assert!(out.status.success(), "dbus-send {method} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status().expect("run kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The processes this test started; killed (and reaped) when the test ends, also on panic.
#[derive(Default)]
struct Children(Vec<(&'static str, Child)>);

impl Children {
    fn push(&mut self, name: &'static str, child: Child) {
        self.0.push((name, child));
    }

    fn get(&mut self, name: &str) -> &mut Child {
        &mut self.0.iter_mut().find(|(n, _)| *n == name).expect("started child").1
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        for (_, child) in self.0.iter_mut().rev() {
            let _ = child.kill(); // SIGKILL also ends a stopped process
            let _ = child.wait();
        }
    }
}

/// One message as dbus-monitor prints it: a header line, then indented argument lines.
#[derive(Debug)]
struct Message {
    kind: String,
    sender: String,
    destination: String,
    serial: String,
    reply_serial: String,
    member: String,
    args: Vec<String>,
    raw: String,
}

fn parse(text: &str) -> Vec<Message> {
    const KINDS: [&str; 4] = ["method call", "method return", "signal", "error"];
    let mut messages: Vec<Message> = Vec::new();
    for line in text.lines() {
        if let Some(kind) = KINDS.iter().find(|k| line.starts_with(&format!("{k} time="))) {
            let field = |name: &str| {
                line.split([' ', ';'])
                    .find_map(|word| word.strip_prefix(name).and_then(|w| w.strip_prefix('=')))
                    .unwrap_or_default()
                    .to_owned()
            };
            messages.push(Message {
                kind: (*kind).to_owned(),
                sender: field("sender"),
                destination: field("destination"),
                serial: field("serial"),
                reply_serial: field("reply_serial"),
                member: field("member"),
                args: Vec::new(),
                raw: format!("{line}\n"),
            });
        } else if let Some(message) = messages.last_mut() {
            message.args.push(line.trim().to_owned());
            message.raw.push_str(line);
            message.raw.push('\n');
        }
    }
    messages
}

/// A `Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout)` call
/// and the id its method return carried.
struct NotifyCall {
    app_name: String,
    replaces_id: u32,
    summary: String,
    body: String,
    returned_id: Option<u32>,
    raw: String,
}

impl NotifyCall {
    fn from_message(call: &Message, all: &[Message]) -> Option<Self> {
        let string = |line: &String| line.strip_prefix("string \"")?.strip_suffix('"').map(str::to_owned);
        let uint32 = |line: &String| line.strip_prefix("uint32 ")?.parse::<u32>().ok();
        // The first five arguments are single lines (none of the test's texts has a line break).
        let [app_name, replaces_id, _icon, summary, body, ..] = call.args.as_slice() else { return None };
        let returned_id = all
            .iter()
            .find(|m| m.kind == "method return" && m.destination == call.sender && m.reply_serial == call.serial)
            .and_then(|m| m.args.first().and_then(uint32));
        Some(NotifyCall {
            app_name: string(app_name)?,
            replaces_id: uint32(replaces_id)?,
            summary: string(summary)?,
            body: string(body)?,
            returned_id,
            raw: call.raw.clone(),
        })
    }
}
