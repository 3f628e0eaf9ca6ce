//! `ringside-cli`: Ringside without a display. Each subcommand is a thin layer over the
//! crates the desktop app uses, so what works here works there.

mod demo;
mod watch;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "ringside-cli", version, about = "Ringside without a display: watch calls, run the demo PBX")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Log in to a CTI source and print one JSON line per call-card change.
    Watch(watch::WatchArgs),
    /// Run the demo PBX (a real AMI server on loopback), or ring it with `demo-pbx call`.
    DemoPbx(demo::DemoArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ringside-cli: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match cli.command {
            Command::Watch(args) => watch::run(args).await,
            Command::DemoPbx(args) => demo::run(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ringside-cli: {message}");
            ExitCode::FAILURE
        }
    }
}
