//! Ringside never leaves the agent paused by itself, checked on the PBX (the demo PBX over
//! real TCP, read back by a second AMI connection as a supervisor's tool would): a watcher
//! never pauses; quitting during wrap-up unpauses; after a crash the next start resumes the
//! wrap-up countdown or clears the pause, and leaves other pauses alone.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{isolated_config, until};
use ringside_ami::{connect, Action, ConnectOptions, Events, Secret};
use ringside_config::{AmiConfig, Config, SourceConfig};
use ringside_core::session::SourceStatus;
use ringside_core::{AgentState, CardStatus, Notice, SessionOutput};
use ringside_demo_pbx::{DemoAgent, DemoPbx, DemoPbxConfig, DEMO_SECRET};
use ringside_runtime::{Runtime, RuntimeHandle, StartOptions};
use tokio::sync::broadcast::Receiver;

const ME: &str = "Local/100@agents";

/// Agent 100 answers at once; the customer hangs up after half a second.
async fn pbx() -> DemoPbx {
    DemoPbx::start(DemoPbxConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        agents: vec![DemoAgent::new("100", Some(Duration::from_millis(200))), DemoAgent::new("101", None)],
        talk_time: Duration::from_millis(500),
        ..DemoPbxConfig::default()
    })
    .await
    .expect("demo PBX")
}

fn config_for(addr: SocketAddr, wrap_up_secs: Option<u64>) -> (tempfile::TempDir, Config) {
    let (dir, mut config) = isolated_config();
    config.source = SourceConfig::Ami(AmiConfig::new(addr.ip().to_string(), addr.port(), "ringside"));
    config.session.wrap_up = true;
    config.session.wrap_up_secs = wrap_up_secs;
    (dir, config)
}

async fn start(config: Config, observe_only: bool) -> (RuntimeHandle, Receiver<SessionOutput>) {
    let options = StartOptions { secret: Some(DEMO_SECRET.into()), observe_only };
    let handle = Runtime::start_with(config, options).await.expect("runtime");
    let mut rx = handle.subscribe();
    until(&mut rx, "connected", |o| matches!(o, SessionOutput::Source(SourceStatus::Connected { .. })).then_some(()))
        .await;
    (handle, rx)
}

/// A second AMI connection: what the PBX itself says about agent 100's pause.
struct Supervisor {
    client: ringside_ami::Client,
    events: Events,
}

impl Supervisor {
    async fn connect(addr: SocketAddr) -> Self {
        let options = ConnectOptions::new(addr.to_string(), "supervisor", Secret::new(DEMO_SECRET));
        let (client, events) = connect(&options).await.expect("supervisor logs in");
        Self { client, events }
    }

    /// Agent 100's pause in the queue, as `QueueStatus` answers now: `None` when not paused.
    async fn pause_of_100(&self) -> Option<String> {
        let members = self.client.send_list(Action::new("QueueStatus")).await.expect("QueueStatus");
        let me = members
            .iter()
            .find(|m| m.event() == Some("QueueMember") && m.get("Location") == Some(ME))
            .expect("agent 100 is a queue member");
        (me.get("Paused") == Some("1")).then(|| me.get("PausedReason").unwrap_or("").to_string())
    }

    /// Waits for the PBX to announce agent 100 paused (`Some(reason)`) or unpaused (`None`).
    async fn until_100(&mut self, want: Option<&str>) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let msg = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("the PBX never said agent 100 is {want:?}"))
                .expect("events flow")
                .expect("event");
            if msg.event() == Some("QueueMemberPause") && msg.get("Interface") == Some(ME) {
                let paused = (msg.get("Paused") == Some("1")).then(|| msg.get("PausedReason").unwrap_or(""));
                if paused == want {
                    return;
                }
            }
        }
    }
}

/// Rings agent 100, who answers; the customer hangs up.
async fn talk(pbx: &DemoPbx, rx: &mut Receiver<SessionOutput>) {
    pbx.ring("+380441234567", Some("Olena"), "600").expect("ring the queue");
    until(rx, "the call answered and over", |o| match o {
        SessionOutput::Card(c) if c.status == CardStatus::Ended && c.talk_secs < 60 => Some(()),
        _ => None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_during_wrap_up_unpauses_the_agent_on_the_pbx() {
    let pbx = pbx().await;
    let mut supervisor = Supervisor::connect(pbx.local_addr()).await;
    let (_dir, config) = config_for(pbx.local_addr(), Some(600));
    let (handle, mut rx) = start(config, false).await;
    talk(&pbx, &mut rx).await;
    supervisor.until_100(Some("Wrap-up")).await;

    handle.shutdown().await;
    assert_eq!(supervisor.pause_of_100().await, None, "Ringside quit and left the agent paused");
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_leaves_the_agents_own_pause_alone() {
    let pbx = pbx().await;
    let mut supervisor = Supervisor::connect(pbx.local_addr()).await;
    let (_dir, config) = config_for(pbx.local_addr(), Some(600));
    let (handle, _rx) = start(config, false).await;
    handle.set_accepting_calls(false, Some("Lunch".into())).await.expect("pause");
    supervisor.until_100(Some("Lunch")).await;
    handle.shutdown().await;
    assert_eq!(supervisor.pause_of_100().await.as_deref(), Some("Lunch"));
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_during_wrap_up_unpauses_the_agent_on_the_pbx() {
    let pbx = pbx().await;
    let mut supervisor = Supervisor::connect(pbx.local_addr()).await;
    let (_dir, config) = config_for(pbx.local_addr(), Some(600));
    let (handle, mut rx) = start(config, false).await;
    talk(&pbx, &mut rx).await;
    supervisor.until_100(Some("Wrap-up")).await;
    handle.log_out().await.expect("log out");
    assert_eq!(supervisor.pause_of_100().await, None);
    handle.shutdown().await;
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runtime_that_only_watches_never_pauses_the_agent() {
    let pbx = pbx().await;
    let supervisor = Supervisor::connect(pbx.local_addr()).await;
    let (_dir, config) = config_for(pbx.local_addr(), Some(600));
    let (handle, mut rx) = start(config, true).await;
    talk(&pbx, &mut rx).await;
    // The watcher follows the wrap-up, but tells the PBX nothing.
    until(&mut rx, "wrap-up", |o| matches!(o, SessionOutput::Agent(AgentState::WrapUp { .. })).then_some(())).await;
    handle.shutdown().await;
    assert_eq!(supervisor.pause_of_100().await, None, "a watcher paused the agent");
    pbx.shutdown().await;
}

/// Runs a Ringside on its own tokio runtime and kills that runtime at the wrap-up: nothing of
/// Ringside's runs afterwards, as after kill -9 (the sockets close, no goodbye is said).
async fn crash_during_wrap_up(pbx: &DemoPbx, config: Config, supervisor: &mut Supervisor) {
    let (wrapped_tx, wrapped_rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("rt");
        rt.block_on(async {
            let (_handle, mut rx) = start(config, false).await;
            // Rung only once the re-sync says the agent takes calls: a call that ends before
            // Ringside knows the agent's state leads to no wrap-up.
            until(&mut rx, "accepting calls", |o| {
                matches!(o, SessionOutput::Agent(AgentState::Available { .. })).then_some(())
            })
            .await;
            // The demo PBX is rung from the test's runtime; wait here for the wrap-up.
            let _ = wrapped_tx.send(());
            until(&mut rx, "wrap-up", |o| matches!(o, SessionOutput::Agent(AgentState::WrapUp { .. })).then_some(()))
                .await;
        });
        rt.shutdown_background();
    });
    tokio::task::spawn_blocking(move || wrapped_rx.recv().expect("the first run connects")).await.expect("join");
    pbx.ring("+380441234567", Some("Olena"), "600").expect("ring the queue");
    supervisor.until_100(Some("Wrap-up")).await;
    tokio::task::spawn_blocking(move || thread.join().expect("first run")).await.expect("join");
    assert_eq!(supervisor.pause_of_100().await.as_deref(), Some("Wrap-up"), "the crash left the pause behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_the_next_start_resumes_the_wrap_up_countdown_then_unpauses() {
    let pbx = pbx().await;
    let mut supervisor = Supervisor::connect(pbx.local_addr()).await;
    let (dir, config) = config_for(pbx.local_addr(), Some(4));
    crash_during_wrap_up(&pbx, config.clone(), &mut supervisor).await;

    let (handle, mut rx) = start(config, false).await;
    let ends_at = until(&mut rx, "the wrap-up resumed", |o| match o {
        SessionOutput::Notice(Notice::WrapUpResumed { ends_at }) => Some(*ends_at),
        _ => None,
    })
    .await;
    let agent = handle.snapshot().await.agent;
    assert!(
        matches!(agent, AgentState::WrapUp { call: None, ends_at: Some(e), .. } if e == ends_at),
        "the tray shows the wrap-up, not 'accepting calls': {agent:?}"
    );
    // The countdown the first run started ends it, and the queues are unpaused.
    supervisor.until_100(None).await;
    until(&mut rx, "accepting calls again", |o| {
        matches!(o, SessionOutput::Agent(AgentState::Available { .. })).then_some(())
    })
    .await;
    handle.shutdown().await;
    pbx.shutdown().await;
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_crash_a_wrap_up_pause_with_no_time_left_is_cleared_with_a_notice() {
    let pbx = pbx().await;
    let mut supervisor = Supervisor::connect(pbx.local_addr()).await;
    let (dir, config) = config_for(pbx.local_addr(), None);
    crash_during_wrap_up(&pbx, config.clone(), &mut supervisor).await;

    // No timer to resume (the wrap-up waited for the agent, whose card died with the run).
    let (handle, mut rx) = start(config, false).await;
    until(&mut rx, "the pause cleared", |o| {
        matches!(o, SessionOutput::Notice(Notice::WrapUpPauseCleared)).then_some(())
    })
    .await;
    supervisor.until_100(None).await;
    assert!(matches!(handle.snapshot().await.agent, AgentState::Available { .. }));
    handle.shutdown().await;
    pbx.shutdown().await;
    drop(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_never_clears_a_pause_that_is_not_its_own() {
    let pbx = pbx().await;
    let mut supervisor = Supervisor::connect(pbx.local_addr()).await;
    // A supervisor paused agent 100 while no Ringside ran.
    supervisor
        .client
        .send(Action::new("QueuePause").field("Interface", ME).field("Paused", "true").field("Reason", "Coaching"))
        .await
        .expect("pause");
    supervisor.until_100(Some("Coaching")).await;
    let (_dir, config) = config_for(pbx.local_addr(), Some(30));
    let (handle, mut rx) = start(config, false).await;
    let reason = until(&mut rx, "the agent shown paused", |o| match o {
        SessionOutput::Agent(AgentState::Paused { reason, .. }) => Some(reason.clone()),
        _ => None,
    })
    .await;
    assert_eq!(reason.as_deref(), Some("Coaching"));
    handle.shutdown().await;
    assert_eq!(supervisor.pause_of_100().await.as_deref(), Some("Coaching"));
    pbx.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_to_another_pbx_in_settings_during_wrap_up_unpauses_the_agent_on_the_old_one() {
    let (old, new) = (pbx().await, pbx().await);
    let mut supervisor = Supervisor::connect(old.local_addr()).await;
    let (_dir, config) = config_for(old.local_addr(), Some(600));
    let (handle, mut rx) = start(config, false).await;
    talk(&old, &mut rx).await;
    supervisor.until_100(Some("Wrap-up")).await;

    let (_dir2, moved) = config_for(new.local_addr(), Some(600));
    let done = handle.reconfigure(Config { history: handle.config().history, ..moved }, false).await.expect("moved");
    assert!(done.reconnected);
    assert_eq!(supervisor.pause_of_100().await, None, "Ringside left the old PBX with the agent paused");
    until(&mut rx, "connected to the new PBX", |o| match o {
        SessionOutput::Source(SourceStatus::Connected { source, .. })
            if source.ends_with(&new.local_addr().port().to_string()) =>
        {
            Some(())
        }
        _ => None,
    })
    .await;
    handle.shutdown().await;
}
