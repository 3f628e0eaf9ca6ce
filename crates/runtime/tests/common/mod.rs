//! Every runtime test runs with its own customer directory and call history, never the user's.
#![allow(dead_code)]

use std::time::Duration;

use ringside_config::{AmiConfig, Config, SourceConfig};
use ringside_core::session::SourceStatus;
use ringside_core::SessionOutput;
use ringside_demo_pbx::{DemoPbx, DemoPbxConfig, DEMO_SECRET};
use ringside_runtime::{Runtime, RuntimeHandle, DEMO_ORIGINATE_CONTEXT};
use tokio::sync::broadcast::Receiver;

/// The embedded defaults, with the customer directory in a temporary folder that lives as long
/// as the returned guard.
pub fn isolated_config() -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.directory.path = Some(dir.path().join("directory.sqlite"));
    config.history.path = Some(dir.path().join("history.sqlite"));
    (dir, config)
}

/// A demo PBX, and Ringside connected to it as agent 100 (wrap-up off); `adjust` changes the
/// config first. The temporary customer directory lives as long as the returned guard.
pub async fn start_with(
    speed: f64,
    adjust: impl FnOnce(&mut ringside_config::Config),
) -> (DemoPbx, RuntimeHandle, Receiver<SessionOutput>, tempfile::TempDir) {
    start_on(DemoPbxConfig { speed, ..Default::default() }, adjust).await
}

/// As [`start_with`], on a demo PBX set up as `pbx` (its `listen` is replaced by a free port).
pub async fn start_on(
    pbx: DemoPbxConfig,
    adjust: impl FnOnce(&mut ringside_config::Config),
) -> (DemoPbx, RuntimeHandle, Receiver<SessionOutput>, tempfile::TempDir) {
    let pbx =
        DemoPbx::start(DemoPbxConfig { listen: "127.0.0.1:0".parse().expect("addr"), ..pbx }).await.expect("demo");
    let addr = pbx.local_addr();
    let (directory, mut config) = isolated_config();
    config.source = SourceConfig::Ami(AmiConfig {
        originate_context: DEMO_ORIGINATE_CONTEXT.into(),
        ..AmiConfig::new(addr.ip().to_string(), addr.port(), "ringside")
    });
    config.session.wrap_up = false;
    adjust(&mut config);
    let handle = Runtime::start_with_secret(config, Some(DEMO_SECRET.into())).await.expect("runtime");
    let mut rx = handle.subscribe();
    until(&mut rx, "connected", |o| matches!(o, SessionOutput::Source(SourceStatus::Connected { .. })).then_some(()))
        .await;
    (pbx, handle, rx, directory)
}

pub async fn start(speed: f64) -> (DemoPbx, RuntimeHandle, Receiver<SessionOutput>, tempfile::TempDir) {
    start_with(speed, |_| {}).await
}

pub async fn until<T>(rx: &mut Receiver<SessionOutput>, what: &str, f: impl Fn(&SessionOutput) -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Ok(out)) => {
                if let Some(t) = f(&out) {
                    return t;
                }
                seen.push(out);
            }
            Ok(Err(e)) => panic!("while waiting for {what}: {e}"),
            Err(_) => panic!("timed out waiting for {what}; saw {seen:#?}"),
        }
    }
}
