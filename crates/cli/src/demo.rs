//! `ringside-cli demo-pbx`: the demo PBX as a standalone server, and `demo-pbx call`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use ringside_demo_pbx::{place_call, DemoPbx, DemoPbxConfig, Scenario, DEFAULT_PORT, DEMO_SECRET};
use ringside_i18n::Args as Values;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DemoArgs {
    #[command(subcommand)]
    action: Option<DemoAction>,
    /// Address to listen on (loopback only is wise: the demo accepts the well-known secret "demo").
    #[arg(long, default_value_t = SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)))]
    listen: SocketAddr,
    /// Pace of the simulated call center: 2.0 runs twice as fast as real time.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Ring a random demo caller into the queue every SECS seconds.
    #[arg(long, value_name = "SECS")]
    ring_every: Option<u64>,
    /// Play the calls of a scenario file (TOML).
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,
}

#[derive(Subcommand)]
enum DemoAction {
    /// Ring an agent or a queue now: an inbound call from --from to --to.
    Call(CallArgs),
}

#[derive(Args)]
struct CallArgs {
    /// The caller's number, as a customer's phone would send it (e.g. "+380 44 123 4567").
    #[arg(long)]
    from: String,
    /// Extension (e.g. 100) or queue number (600) to ring.
    #[arg(long)]
    to: String,
    /// The demo PBX (or an Asterisk with the demo dialplan) to ring. Default: the demo PBX of
    /// your running Ringside, else 127.0.0.1:15038.
    #[arg(long, value_name = "HOST:PORT")]
    ami: Option<SocketAddr>,
    /// AMI user to log in as.
    #[arg(long, default_value = "ringside")]
    user: String,
}

pub async fn run(args: DemoArgs) -> Result<(), String> {
    if let Some(DemoAction::Call(call)) = args.action {
        // A named address gets the public demo secret (or a real PBX's from the environment);
        // otherwise the demo of the user's running Ringside, with its run secret.
        let (addr, secret) = match call.ami {
            Some(addr) => (addr, std::env::var("RINGSIDE_AMI_SECRET").unwrap_or_else(|_| DEMO_SECRET.to_string())),
            None => crate::target::demo_endpoint(None),
        };
        place_call(addr, &call.user, &secret, &call.from, &call.to).await.map_err(|e| e.to_string())?;
        let line = Values::new().text("to", call.to.as_str()).text("from", call.from.as_str());
        println!("{}", crate::words().format("cli-demo-ringing", &line));
        return Ok(());
    }
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(format!("--speed must be a positive number, not {}", args.speed));
    }
    let scenario = match &args.scenario {
        Some(path) => Some(Scenario::load(path).map_err(|e| e.to_string())?),
        None => None,
    };
    let config = DemoPbxConfig {
        listen: args.listen,
        speed: args.speed,
        ring_every: args.ring_every.map(Duration::from_secs),
        scenario,
        ..DemoPbxConfig::default()
    };
    let pbx = DemoPbx::start(config).await.map_err(|e| e.to_string())?;
    let line = Values::new().text("addr", pbx.local_addr().to_string()).text("secret", DEMO_SECRET);
    eprintln!("{}", crate::words().format("cli-demo-listening", &line));
    tokio::signal::ctrl_c().await.map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    pbx.shutdown().await;
    Ok(())
}
