//! `ringside-cli watch` against `ringside-cli demo-pbx`, as separate processes over real TCP.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod common;

use common::{free_port, start_demo, Guard, CLI};

/// Starts `watch` as an agent; returns the child and a channel of its JSON lines.
fn watch(dir: &tempfile::TempDir, port: u16, ext: &str) -> (Guard, mpsc::Receiver<serde_json::Value>) {
    watch_with(dir, Some(port), ext, &[], &[])
}

fn config_path(dir: &tempfile::TempDir, ext: &str) -> std::path::PathBuf {
    dir.path().join(format!("agent{ext}.toml"))
}

/// `watch` for `ext`; `demo`: the port of a demo PBX started apart, else watch runs its own.
fn watch_with(
    dir: &tempfile::TempDir,
    demo: Option<u16>,
    ext: &str,
    extra: &[&str],
    env: &[(&str, &std::path::Path)],
) -> (Guard, mpsc::Receiver<serde_json::Value>) {
    let config = config_path(dir, ext);
    let demo = demo.map(|port| format!("[demo]\nlisten = \"127.0.0.1:{port}\"\n\n")).unwrap_or_default();
    std::fs::write(
        &config,
        format!(
            "[agent]\nextension = \"{ext}\"\ninterfaces = [\"Local/{ext}@agents\"]\n\n{demo}\
             [directory]\npath = \"agent{ext}.sqlite\"\n\n[history]\npath = \"history{ext}.sqlite\"\n"
        ),
    )
    .expect("write config");
    let mut child = Command::new(CLI)
        .args(["watch", "--all"])
        .args(extra)
        .envs(env.iter().copied())
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start watch");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let value: serde_json::Value =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"));
            if tx.send(value).is_err() {
                break;
            }
        }
    });
    (Guard(child), rx)
}

fn wait_for(
    rx: &mpsc::Receiver<serde_json::Value>,
    what: &str,
    pred: impl Fn(&serde_json::Value) -> bool,
) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(v) => {
                let done = pred(&v);
                seen.push(v);
                if done {
                    return seen;
                }
            }
            Err(_) => panic!("timed out waiting for {what}; saw {seen:#?}"),
        }
    }
}

fn call(port: u16, from: &str, to: &str) {
    let status = Command::new(CLI)
        .args(["demo-pbx", "call", "--ami", &format!("127.0.0.1:{port}"), "--from", from, "--to", to])
        .stdout(Stdio::null())
        .status()
        .expect("run demo-pbx call");
    assert!(status.success(), "demo-pbx call failed");
}

/// What the PBX says of `interface` now (`ringside-cli agents --json`): its pause reason when
/// paused in every queue, `None` when it accepts calls.
fn pause_of(dir: &tempfile::TempDir, interface: &str) -> Option<String> {
    let out = Command::new(CLI)
        .args(["agents", "--json", "--config"])
        .arg(config_path(dir, "100"))
        .output()
        .expect("run ringside-cli agents");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let member: serde_json::Value = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|m| m["interface"] == interface)
        .unwrap_or_else(|| panic!("{interface} is not in\n{text}"));
    (member["state"]["state"] == "paused").then(|| member["state"]["reason"].as_str().unwrap_or("").to_string())
}

fn is_card(v: &serde_json::Value) -> bool {
    v.get("call_id").is_some()
}

fn connected(v: &serde_json::Value) -> bool {
    v["kind"] == "source" && v["value"]["kind"] == "connected"
}

#[test]
fn direct_call_shows_one_card_from_ringing_to_ended() {
    let port = free_port();
    let _pbx = start_demo(port, "10");
    let dir = tempfile::tempdir().expect("tempdir");
    let (_w, rx) = watch(&dir, port, "100");
    wait_for(&rx, "the source to connect", connected);

    let rang = Instant::now();
    call(port, "+380 44 123 4567", "100");
    let first = wait_for(&rx, "a ringing card", |v| is_card(v) && v["state"] == "ringing");
    eprintln!("card printed {:?} after `demo-pbx call` returned", rang.elapsed());
    let card = first.last().expect("a card");
    assert_eq!(card["number"], "+380441234567");
    assert_eq!(card["number_normalized"], "+380441234567");
    assert_eq!(card["caller_name"], "+380 44 123 4567");
    assert_eq!(card["direction"], "incoming");

    let rest = wait_for(&rx, "the call to end", |v| is_card(v) && v["state"] == "ended");
    let cards: Vec<_> = first.iter().chain(&rest).filter(|v| is_card(v)).collect();
    let mut states: Vec<_> = cards.iter().map(|c| c["state"].as_str().unwrap_or("?")).collect();
    states.dedup(); // the lookup updates the ringing card too
    assert_eq!(states, ["ringing", "on_call", "ended"]);
    // The caller is a customer of the (demo) directory: the card names them, and why.
    let last = cards.last().expect("a card");
    assert_eq!(last["lookup"]["state"], "done", "{last:#}");
    assert_eq!(last["customers"][0]["name"], "Olena Kovalenko", "{last:#}");
    assert_eq!(last["customers"][0]["reason"], "same E.164");
    assert!(cards.iter().all(|c| c["call_id"] == card["call_id"]), "one call, one card: {cards:#?}");
    assert_eq!(last["outcome"]["kind"], "completed");

    // `watch` kept the call in its history file; `history` reads it back. The history thread
    // writes beside the printing, so the end may land a moment after the card is printed.
    let file = dir.path().join("history100.sqlite");
    let deadline = Instant::now() + Duration::from_secs(10);
    let calls = loop {
        let out = Command::new(CLI)
            .args(["history", "--json", "--file"])
            .arg(&file)
            .output()
            .expect("run ringside-cli history");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let calls: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        if calls[0]["outcome"] != "in_progress" || Instant::now() > deadline {
            break calls;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(calls[0]["call_id"], card["call_id"], "{calls:#}");
    assert_eq!(calls[0]["outcome"], "answered");
    assert_eq!(calls[0]["customer"]["name"], "Olena Kovalenko");
}

#[test]
fn queue_call_gives_each_agent_one_card() {
    let port = free_port();
    let _pbx = start_demo(port, "10");
    let dir = tempfile::tempdir().expect("tempdir");
    let (_w100, rx100) = watch(&dir, port, "100");
    let (_w101, rx101) = watch(&dir, port, "101");
    wait_for(&rx100, "agent 100 to connect", connected);
    wait_for(&rx101, "agent 101 to connect", connected);

    call(port, "+48 22 123 45 67", "600");
    let seen100 = wait_for(&rx100, "agent 100's call to end", |v| is_card(v) && v["state"] == "ended");
    let seen101 = wait_for(&rx101, "agent 101's call to end", |v| is_card(v) && v["state"] == "ended");
    for (agent, seen) in [("100", &seen100), ("101", &seen101)] {
        let cards: Vec<_> = seen.iter().filter(|v| is_card(v)).collect();
        let ids: std::collections::BTreeSet<_> = cards.iter().map(|c| c["call_id"].to_string()).collect();
        assert_eq!(ids.len(), 1, "agent {agent}: one card per call, got {cards:#?}");
        assert_eq!(cards[0]["queue"], "support");
        assert_eq!(cards[0]["number"], "+48221234567");
        let mut states: Vec<_> = cards.iter().map(|c| c["state"].as_str().unwrap_or("?")).collect();
        states.dedup();
        assert_eq!(states.iter().filter(|s| **s == "ringing").count(), 1, "agent {agent}: rang once");
        // Two customers share this number: a pick list.
        let named = cards.iter().rev().find(|c| c["lookup"]["state"] == "done").expect("looked up");
        assert_eq!(named["customers"].as_array().map(Vec::len), Some(2), "{named:#}");
    }
    // Agent 100 answers first (3 s vs 6 s); 101's card closes as answered elsewhere, not missed.
    let last100 = seen100.last().expect("card");
    let last101 = seen101.last().expect("card");
    assert_eq!(last100["outcome"]["kind"], "completed");
    assert_eq!(last101["outcome"]["kind"], "answered_elsewhere");
    assert_eq!(last100["call_id"], last101["call_id"], "the same call on both desktops");
    // Watching changed nothing on the PBX: agent 100 is in wrap-up here, yet the queue still
    // offers both agents calls, during the watch and after it stops.
    assert_eq!(pause_of(&dir, "Local/100@agents"), None);
    drop((_w100, _w101));
    assert_eq!(pause_of(&dir, "Local/100@agents"), None);
    assert_eq!(pause_of(&dir, "Local/101@agents"), None);
}

#[test]
fn watch_as_agent_pauses_for_wrap_up_and_undoes_it_when_stopped() {
    let port = free_port();
    let _pbx = start_demo(port, "10");
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut w, rx) = watch_with(&dir, Some(port), "100", &["--as-agent"], &[]);
    wait_for(&rx, "the source to connect", connected);
    call(port, "+380 44 123 4567", "100");
    wait_for(&rx, "wrap-up", |v| v["kind"] == "agent" && v["value"]["state"] == "wrap_up");
    // The PBX confirms the pause in its own time.
    let deadline = Instant::now() + Duration::from_secs(10);
    while pause_of(&dir, "Local/100@agents").as_deref() != Some("Wrap-up") {
        assert!(Instant::now() < deadline, "acting as the agent, watch never paused the queues for wrap-up");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Stopped as a service manager or a closed terminal stops it: SIGTERM.
    let pid = w.0.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().expect("run kill");
    assert!(killed.success());
    let status = w.0.wait().expect("watch exits");
    assert!(status.success(), "watch did not stop cleanly: {status:?}");
    assert_eq!(pause_of(&dir, "Local/100@agents"), None, "the agent was left paused");
}

#[test]
fn the_users_own_tools_reach_the_embedded_demo_with_its_run_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let runtime_dir = tempfile::tempdir().expect("runtime dir");
    let env = [("XDG_RUNTIME_DIR", runtime_dir.path())];
    // No [demo] listen: watch runs its own demo PBX with a secret made for the run.
    let (_w, rx) = watch_with(&dir, None, "100", &[], &env);
    wait_for(&rx, "the source to connect", connected);
    // `demo-pbx call` without --ami finds it through the file only this user can read.
    let status = Command::new(CLI)
        .args(["demo-pbx", "call", "--from", "+380 44 123 4567", "--to", "100"])
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .status()
        .expect("run demo-pbx call");
    assert!(status.success(), "demo-pbx call did not reach the embedded demo");
    let seen = wait_for(&rx, "a ringing card", |v| is_card(v) && v["state"] == "ringing");
    assert_eq!(seen.last().expect("card")["number"], "+380441234567");
}
