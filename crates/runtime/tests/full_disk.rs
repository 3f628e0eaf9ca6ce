//! A disk that fills up while the agent types: the note is kept, the agent is told in words,
//! and it is written as soon as there is room — on a real full filesystem (a 2 MB tmpfs,
//! mounted in a private mount namespace so no root is needed), through the whole runtime.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{start_with, until};
use ringside_core::{CardStatus, SessionOutput};

/// Set in the child that runs inside the namespace: the folder to mount the tmpfs on.
const CHILD: &str = "RINGSIDE_FULL_DISK_DIR";
const TEST: &str = "a_note_typed_on_a_full_disk_is_kept_and_saved_when_there_is_room";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_typed_on_a_full_disk_is_kept_and_saved_when_there_is_room() {
    match std::env::var_os(CHILD) {
        Some(dir) => in_namespace(Path::new(&dir)).await,
        None => {
            let dir = tempfile::tempdir().expect("tempdir");
            let exe = std::env::current_exe().expect("test binary");
            let out = Command::new("unshare")
                .args(["--user", "--map-root-user", "--mount", "--"])
                .arg(exe)
                .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
                .env(CHILD, dir.path())
                .output()
                .expect("unshare (util-linux) runs");
            let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(
                out.status.success() && stdout.contains("1 passed"),
                "the test in a private mount namespace failed (unshare needs user namespaces):\n{stdout}\n{stderr}"
            );
        }
    }
}

async fn in_namespace(dir: &Path) {
    let mounted =
        Command::new("mount").args(["-t", "tmpfs", "-o", "size=2m", "tmpfs"]).arg(dir).status().expect("mount runs");
    assert!(mounted.success(), "could not mount a tmpfs on {}", dir.display());
    let history = dir.join("history.sqlite");
    let file = history.clone();
    let (pbx, handle, mut rx, _directory) = start_with(20.0, move |config| config.history.path = Some(file)).await;
    pbx.ring("+380 44 123 4567", None, "100").expect("ring");
    let card = until(&mut rx, "the call", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::OnCall => Some((**c).clone()),
        _ => None,
    })
    .await;
    handle.save_note(card.call_id.clone(), "Wants a refund".into()).await.expect("room for the first words");

    // The disk fills up: another program takes every free byte.
    let filler = dir.join("filler");
    let fill = std::fs::File::create(&filler).expect("filler");
    let chunk = vec![0u8; 64 * 1024];
    let mut w = std::io::BufWriter::new(fill);
    while std::io::Write::write_all(&mut w, &chunk).is_ok() {}
    drop(w);

    let typed = "Wants a refund for order 77; call back Friday after 14:00";
    let err = handle.save_note(card.call_id.clone(), typed.into()).await.expect_err("the disk is full");
    let message = err.to_string();
    assert!(message.contains("the disk is full"), "{message}");
    assert!(message.contains("Your note is kept and will be saved when there is room"), "{message}");
    assert!(message.contains(&history.display().to_string()), "names the file: {message}");
    // The window learns the note is kept, not lost, from the code (and the problem by name).
    let report = ringside_core::ErrorReport::of(&err);
    assert_eq!(report.code, "history.not_saved_kept");
    assert_eq!(report.args.get("problem").map(String::as_str), Some("the disk is full"));
    // Nothing typed is lost meanwhile: the window reads back the newest text.
    assert_eq!(handle.note(card.call_id.clone()).await.expect("note").as_deref(), Some(typed));

    // Room again: the runtime writes what waits within seconds, without another keystroke.
    std::fs::remove_file(&filler).expect("free the disk");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let calls = handle.recent_calls(5).await.expect("history");
        let call = calls.iter().find(|c| c.call_id == card.call_id).expect("the call");
        if !call.unsaved && call.note.as_deref() == Some(typed) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "never saved: {call:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    handle.shutdown().await;
    pbx.shutdown().await;
    // On disk, for the next run.
    let reopened = ringside_history::History::open(&history).expect("reopen");
    assert_eq!(reopened.note(&card.call_id).expect("read").as_deref(), Some(typed));
}
