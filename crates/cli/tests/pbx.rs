//! `agents`, `pause`, `unpause`, `originate` and `doctor` as a user runs them, against a
//! `ringside-cli demo-pbx` process over real TCP.

use std::process::{Command, Output, Stdio};

mod common;

use common::{free_port, start_demo, Guard, CLI};

struct Pbx {
    _process: Guard,
    port: u16,
    dir: tempfile::TempDir,
}

fn pbx() -> Pbx {
    let port = free_port();
    let process = start_demo(port, "20");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("config.toml"), format!("[demo]\nlisten = \"127.0.0.1:{port}\"\n")).expect("config");
    Pbx { _process: process, port, dir }
}

impl Pbx {
    fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(CLI);
        cmd.args(args).env("RINGSIDE_CONFIG", self.dir.path().join("config.toml")).stdin(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run ringside-cli")
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn row<'a>(table: &'a str, interface: &str) -> &'a str {
    table.lines().find(|l| l.starts_with(interface)).unwrap_or_else(|| panic!("no row for {interface} in\n{table}"))
}

#[test]
fn an_agent_pauses_and_the_supervisor_sees_it() {
    let pbx = pbx();
    let before = pbx.run(&["agents"]);
    assert!(before.status.success(), "{}", stderr(&before));
    let table = stdout(&before);
    assert!(row(&table, "Local/100@agents").contains("available"), "{table}");
    assert!(row(&table, "Local/101@agents").contains("available"), "{table}");

    let paused = pbx.run(&["pause", "--reason", "Lunch break"]);
    assert!(paused.status.success(), "{}", stderr(&paused));
    assert_eq!(stdout(&paused).trim(), "Local/100@agents: paused in all queues (Lunch break)");
    let table = stdout(&pbx.run(&["agents"]));
    let r = row(&table, "Local/100@agents");
    assert!(r.contains("paused") && r.contains("Lunch break"), "{table}");

    let back = pbx.run(&["unpause"]);
    assert_eq!(stdout(&back).trim(), "Local/100@agents: accepting calls in all queues");
    assert!(row(&stdout(&pbx.run(&["agents"])), "Local/100@agents").contains("available"));
}

#[test]
fn a_supervisor_pauses_another_member_in_one_queue() {
    let pbx = pbx();
    let out = pbx.run(&["pause", "--interface", "Local/101@agents", "--queue", "support", "--reason", "Coaching"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "Local/101@agents: paused in support (Coaching)");
    let json = stdout(&pbx.run(&["agents", "--json"]));
    let member: serde_json::Value = json
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON line"))
        .find(|v| v["interface"] == "Local/101@agents")
        .expect("agent 101 listed");
    assert_eq!(member["state"]["state"], "paused");
    assert_eq!(member["state"]["reason"], "Coaching");

    let unknown = pbx.run(&["pause", "--interface", "Local/999@agents"]);
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("Interface not found"), "{}", stderr(&unknown));
}

#[test]
fn originate_places_the_call_and_refuses_hostile_numbers() {
    let pbx = pbx();
    let ok = pbx.run(&["originate", "+380 (44) 123-45-67"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert_eq!(stdout(&ok).trim(), "calling +380441234567");
    for hostile in ["123 /password:x", ";rm -rf ~", "$(id)", "%0a", "tel:123?x=1"] {
        let out = pbx.run(&["originate", hostile]);
        assert!(!out.status.success(), "{hostile} was accepted");
        assert!(stderr(&out).contains("cannot be part of a phone number"), "{hostile}: {}", stderr(&out));
    }
}

#[test]
fn doctor_says_which_step_fails() {
    let pbx = pbx();
    let good = pbx.run(&["doctor"]);
    assert!(good.status.success(), "{}{}", stdout(&good), stderr(&good));
    for step in ["TCP", "Banner", "Login", "Permissions", "Events", "Agent device"] {
        assert!(
            stdout(&good).lines().any(|l| l.starts_with("[ok  ]") && l.contains(step)),
            "{step}: {}",
            stdout(&good)
        );
    }

    let addr = format!("127.0.0.1:{}", pbx.port);
    let wrong = pbx.run_env(&["doctor", "--ami", &addr, "--user", "bob"], &[("RINGSIDE_AMI_SECRET", "s3cr3t-Xq9")]);
    assert!(!wrong.status.success());
    let text = stdout(&wrong);
    assert!(text.lines().any(|l| l.starts_with("[FAIL] Login") && l.contains("secret does not match")), "{text}");
    assert!(!text.contains("s3cr3t-Xq9") && !stderr(&wrong).contains("s3cr3t-Xq9"), "the secret is never printed");

    let closed = free_port();
    let nobody = pbx.run_env(
        &["doctor", "--ami", &format!("127.0.0.1:{closed}"), "--user", "bob"],
        &[("RINGSIDE_AMI_SECRET", "x")],
    );
    assert!(!nobody.status.success());
    assert!(stdout(&nobody).starts_with("[FAIL] TCP"), "{}", stdout(&nobody));
}
