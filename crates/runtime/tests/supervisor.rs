//! The supervisor desk against the demo PBX over real TCP: a switch of another agent is sent
//! with the reason's code, confirmed by the PBX, and written to the audit in the history file;
//! an AMI user without the `agent` write permission gets its own refusal, and nothing is
//! recorded.

mod common;

use std::time::Duration;

use common::{start_on, start_with, until};
use ringside_core::{ErrorCode, MemberState, SessionOutput};
use ringside_demo_pbx::DemoPbxConfig;
use ringside_history::{History, SwitchQuery};
use ringside_runtime::{RuntimeError, RuntimeHandle};

async fn team_filled(handle: &RuntimeHandle) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while handle.snapshot().await.team.len() < 2 {
        assert!(tokio::time::Instant::now() < deadline, "team never filled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn supervising(config: &mut ringside_config::Config) {
    config.supervisor.enabled = true;
    config.agent.name = Some("Olena Kovalenko".into());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_pauses_101_with_a_code_and_the_switch_is_audited() {
    let (pbx, handle, mut rx, dir) = start_with(20.0, supervising).await;
    team_filled(&handle).await;
    let setup = handle.snapshot().await.setup;
    assert!(setup.supervisor);
    assert_eq!(setup.pause_reasons.len(), 5);

    let switch = handle.switch_member("Local/101@agents", None, true, Some("lunch")).await.expect("paused");
    assert!(switch.id > 0, "{switch:?}");
    assert_eq!(
        (switch.by_extension.as_str(), switch.by_name.as_deref(), switch.member_name.as_deref()),
        ("100", Some("Olena Kovalenko"), Some("Agent 101"))
    );
    assert_eq!((switch.paused_before, switch.paused, switch.reason.as_deref()), (Some(false), true, Some("lunch")));
    // The PBX confirms with the code as the reason.
    let m = until(&mut rx, "101 paused", |o| match o {
        SessionOutput::TeamMember(m) if m.interface == "Local/101@agents" && m.state() != MemberState::Available => {
            Some(m.clone())
        }
        _ => None,
    })
    .await;
    assert!(matches!(m.summary, MemberState::Paused { reason: Some(ref r), .. } if r == "lunch"), "{m:?}");

    let back = handle.switch_member("Local/101@agents", None, false, Some("lunch")).await.expect("unpaused");
    assert_eq!((back.paused_before, back.reason_before.as_deref(), back.reason), (Some(true), Some("lunch"), None));
    let audit = handle.agent_switches(SwitchQuery::default()).await.expect("audit");
    assert_eq!(audit.iter().map(|s| s.id).collect::<Vec<_>>(), [back.id, switch.id]);

    // A reason that is not configured is refused before the PBX hears of it.
    let err = handle.switch_member("Local/101@agents", None, true, Some("Coffee")).await.expect_err("unknown");
    assert_eq!(err.code(), "supervisor.unknown_reason");
    handle.shutdown().await;
    pbx.shutdown().await;

    // The rows are in the file, for `ringside-cli agents --audit`.
    let history = History::open(&dir.path().join("history.sqlite")).expect("history");
    assert_eq!(history.switches(&SwitchQuery::default()).expect("read").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ami_user_without_agent_write_is_refused_in_words_and_nothing_is_recorded() {
    let pbx = DemoPbxConfig { speed: 20.0, without_agent_write: vec!["ringside".into()], ..Default::default() };
    let (pbx, handle, _rx, _dir) = start_on(pbx, supervising).await;
    team_filled(&handle).await;
    let err = handle.switch_member("Local/101@agents", None, true, Some("break")).await.expect_err("refused");
    assert!(matches!(err, RuntimeError::MayNotPauseOthers), "{err:?}");
    let report = ringside_core::ErrorReport::of(&err);
    assert_eq!(report.code, "supervisor.not_permitted");
    assert_eq!(report.args.get("permission").map(String::as_str), Some("agent"));
    assert!(report.message.contains("may not pause other agents"), "{}", report.message);
    assert!(handle.agent_switches(SwitchQuery::default()).await.expect("audit").is_empty());
    // The agent's own pause meets the same refusal, as the PBX's own code.
    let own = handle.set_accepting_calls(false, Some("break".into())).await.expect_err("refused");
    assert_eq!(own.code(), "pbx.permission_denied");
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_supervisor_enabled_another_agent_is_not_switched() {
    let (pbx, handle, _rx, _dir) = start_with(20.0, |_| {}).await;
    let err = handle.switch_member("Local/101@agents", None, true, None).await.expect_err("not a supervisor");
    assert_eq!(err.code(), "supervisor.not_enabled");
    assert!(!handle.snapshot().await.setup.supervisor);
    handle.shutdown().await;
    pbx.shutdown().await;
}
