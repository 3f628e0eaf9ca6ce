//! `launch`: the real thing — no waiting, no shell, no zombie. One test, because it sets
//! `FAKE_SOFTPHONE_LOG` for this whole test process (the launched child inherits it).

use std::path::Path;
use std::time::{Duration, Instant};

use ringside_dial::settings::{ConnectionConfig, ConnectionKind, DialRule};
use ringside_dial::{launch, plan, DialError, LaunchPlan};

const FAKE: &str = env!("CARGO_BIN_EXE_fake-softphone");

fn connection(kind: ConnectionKind) -> ConnectionConfig {
    ConnectionConfig { name: "test".into(), kind, rule: DialRule::default() }
}

fn wait_for_lines(log: &Path, n: usize) -> Vec<Vec<String>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let lines: Vec<Vec<String>> = std::fs::read_to_string(log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON array per line"))
            .collect();
        if lines.len() >= n || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn launch_starts_the_program_with_the_planned_arguments_and_reaps_it() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("argv.jsonl");
    std::env::set_var("FAKE_SOFTPHONE_LOG", &log);

    let plans = [
        plan(&connection(ConnectionKind::Microsip { path: Some(FAKE.into()) }), "+380441234567").unwrap(),
        plan(&connection(ConnectionKind::Zoiper { path: Some(FAKE.into()) }), "+380441234567").unwrap(),
        plan(
            &connection(ConnectionKind::Command {
                program: FAKE.into(),
                args: vec!["--dial".into(), "{number}".into()],
            }),
            "+380441234567",
        )
        .unwrap(),
    ];
    for (i, p) in plans.iter().enumerate() {
        launch(p).unwrap();
        // One at a time, so the log's order is the launch order.
        assert_eq!(wait_for_lines(&log, i + 1).len(), i + 1, "{p} did not run");
    }
    assert_eq!(
        wait_for_lines(&log, 3),
        vec![
            vec!["+380441234567".to_string()],
            vec!["zoiper:+380441234567".to_string()],
            vec!["--dial".to_string(), "+380441234567".to_string()],
        ]
    );

    #[cfg(target_os = "linux")]
    {
        // The background thread collects every exit status: no zombie child remains.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut zombies = zombie_children();
        while !zombies.is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            zombies = zombie_children();
        }
        assert!(zombies.is_empty(), "zombie children: {zombies:?}");
    }

    // Errors in words.
    let missing = LaunchPlan { program: "/nonexistent/MicroSIP/microsip.exe".into(), args: vec!["1".into()] };
    assert_eq!(
        launch(&missing).unwrap_err().to_string(),
        "MicroSIP is not installed at /nonexistent/MicroSIP/microsip.exe; set path in [[dial.connection]]"
    );
    let unknown = LaunchPlan { program: "ringside-no-such-softphone".into(), args: vec!["1".into()] };
    assert_eq!(
        launch(&unknown).unwrap_err(),
        DialError::NotFound { app: "ringside-no-such-softphone".into(), setting: "program" }
    );
    #[cfg(unix)]
    {
        let not_executable = LaunchPlan { program: log.clone(), args: vec![] };
        assert!(matches!(launch(&not_executable), Err(DialError::Launch { .. })));
    }
}

/// This process's children that have exited but were not waited for.
#[cfg(target_os = "linux")]
fn zombie_children() -> Vec<String> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // pid (comm) state ppid ...; comm may hold spaces, so read after the last ')'.
        let Some(after) = stat.rsplit_once(')').map(|(_, rest)| rest) else { continue };
        let fields: Vec<&str> = after.split_whitespace().collect();
        if fields.len() > 1 && fields[0] == "Z" && fields[1] == me {
            found.push(stat);
        }
    }
    found
}
