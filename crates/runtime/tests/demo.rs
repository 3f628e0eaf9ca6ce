//! The embedded demo PBX belongs to this run: a secret made for the run, announced in a file
//! only this user can read, and never a "demo PBX" someone else left listening on its port.
//! (One test in this binary: it sets XDG_RUNTIME_DIR for the process.)

mod common;

use std::time::Duration;

use common::{isolated_config, until};
use ringside_ami::{connect, AmiError, ConnectOptions, Secret};
use ringside_core::session::SourceStatus;
use ringside_core::SessionOutput;
use ringside_demo_pbx::{DemoEndpoint, DEMO_SECRET};
use ringside_runtime::Runtime;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_demo_is_this_runs_own_and_only_this_user_learns_how_to_reach_it() {
    let runtime_dir = tempfile::tempdir().expect("tempdir");
    std::env::set_var("XDG_RUNTIME_DIR", runtime_dir.path());
    // Another local user got to the default port first, pretending to be the demo PBX.
    let impostor = std::net::TcpListener::bind(ringside_config::DEFAULT_DEMO_LISTEN).ok();

    let (_dir, config) = isolated_config();
    let handle = Runtime::start(config).await.expect("runtime");
    let mut rx = handle.subscribe();
    until(&mut rx, "connected", |o| matches!(o, SessionOutput::Source(SourceStatus::Connected { .. })).then_some(()))
        .await;

    let path = runtime_dir.path().join("ringside").join("demo-pbx");
    let endpoint = DemoEndpoint::read(&path).expect("the demo is announced");
    assert_eq!(handle.demo_pbx_addr(), Some(endpoint.addr));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "readable by this user only");
    }
    if let Some(impostor) = impostor {
        assert_ne!(endpoint.addr, ringside_config::DEFAULT_DEMO_LISTEN);
        impostor.set_nonblocking(true).expect("nonblocking");
        let knocked = impostor.accept();
        assert!(knocked.is_err(), "Ringside connected to whatever listened on the demo port");
    }

    // The public demo secret does not open this run's demo; the announced one does.
    let options = |secret: &str| {
        let mut o = ConnectOptions::new(endpoint.addr.to_string(), "intruder", Secret::new(secret));
        o.connect_timeout = Duration::from_secs(5);
        o
    };
    match connect(&options(DEMO_SECRET)).await {
        Err(AmiError::AuthenticationFailed { .. }) => {}
        other => panic!("the public secret was not refused: {:?}", other.map(|_| ())),
    }
    let (client, _events) = connect(&options(&endpoint.secret)).await.expect("the run's secret logs in");
    client.logoff().await;

    handle.shutdown().await;
    assert!(!path.exists(), "the announcement outlived the run");
}
