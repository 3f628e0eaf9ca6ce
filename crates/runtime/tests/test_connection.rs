//! "Test connection" in the settings window, against the demo PBX over real TCP: a wrong
//! secret stops the checklist at the login step, which says so; the right one passes every step.
//!
//! The only test in this binary: it sets the process-wide environment variable the AMI secret
//! is read from where the keychain does not hold it.

use ringside_config::{AmiConfig, Config, SourceConfig};
use ringside_demo_pbx::{DemoPbx, DemoPbxConfig, DEMO_SECRET};
use ringside_runtime::settings::{test_source, CheckOutcome};
use ringside_runtime::{AMI_SECRET_ENV, DEMO_ORIGINATE_CONTEXT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_fails_at_the_login_step_and_the_right_one_passes_every_step() {
    let pbx = DemoPbx::start(DemoPbxConfig { listen: "127.0.0.1:0".parse().expect("addr"), ..Default::default() })
        .await
        .expect("demo PBX");
    let addr = pbx.local_addr();
    // A user name no keychain holds a secret for: the environment's is used.
    let config = Config {
        source: SourceConfig::Ami(AmiConfig {
            originate_context: DEMO_ORIGINATE_CONTEXT.into(),
            ..AmiConfig::new(addr.ip().to_string(), addr.port(), "ringside")
        }),
        ..Config::default()
    };

    std::env::set_var(AMI_SECRET_ENV, "not-the-secret");
    let steps = test_source(&config).await;
    let last = steps.last().expect("steps");
    assert_eq!((last.step.as_str(), last.outcome), ("login", CheckOutcome::Fail), "{steps:#?}");
    assert!(steps[..steps.len() - 1].iter().all(|s| s.outcome == CheckOutcome::Pass), "{steps:#?}");
    assert_eq!(steps[0].step, "tcp");

    std::env::set_var(AMI_SECRET_ENV, DEMO_SECRET);
    let steps = test_source(&config).await;
    let names: Vec<&str> = steps.iter().map(|s| s.step.as_str()).collect();
    assert!(names.contains(&"login") && names.contains(&"agent_device"), "{names:?}");
    assert!(steps.iter().all(|s| s.outcome != CheckOutcome::Fail), "{steps:#?}");

    // Nobody listening: the first step fails and names the address.
    pbx.shutdown().await;
    let steps = test_source(&config).await;
    assert_eq!((steps.len(), steps[0].outcome), (1, CheckOutcome::Fail), "{steps:#?}");
    assert!(steps[0].detail.contains(&addr.port().to_string()), "{steps:#?}");
}
