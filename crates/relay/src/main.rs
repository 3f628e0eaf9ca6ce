//! `ringside-relay --config relay.toml`: runs until SIGTERM or Ctrl-C (docs/relay.md).

use std::path::PathBuf;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none())
        .with_writer(std::io::stderr)
        .init();
    let mut args = std::env::args().skip(1);
    let path = match (args.next().as_deref(), args.next()) {
        (Some("--config"), Some(path)) => PathBuf::from(path),
        _ => {
            eprintln!("usage: ringside-relay --config relay.toml   (docs/relay.md)");
            std::process::exit(2);
        }
    };
    let config = match ringside_relay::RelayConfig::load(&path) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("ringside-relay: {e}");
            std::process::exit(1);
        }
    };
    let relay = match ringside_relay::Relay::start(config).await {
        Ok(relay) => relay,
        Err(e) => {
            eprintln!("ringside-relay: {e}");
            std::process::exit(1);
        }
    };
    stop_signal().await;
    tracing::info!("stopping");
    relay.shutdown().await;
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
