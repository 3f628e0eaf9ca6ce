//! `ringside-cli`: Ringside without a display. Each subcommand is a thin layer over the
//! crates the desktop app uses, so what works here works there.

mod customers;
mod demo;
mod diagnostics;
mod history;
mod pbx;
mod target;
mod watch;

use std::process::ExitCode;
use std::sync::OnceLock;

use clap::{Parser, Subcommand};
use ringside_i18n::{Args, Words};

#[derive(Parser)]
#[command(name = "ringside-cli", version, about = "Ringside without a display: watch calls, run the demo PBX")]
struct Cli {
    /// Errors only on stderr, no warnings (RUST_LOG, when set, decides instead).
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Log in to a CTI source and print one JSON line per call-card change.
    Watch(watch::WatchArgs),
    /// Run the demo PBX (a real AMI server on loopback), or ring it with `demo-pbx call`.
    DemoPbx(demo::DemoArgs),
    /// List the members of the supervised queues with their state (supervisor view).
    Agents(pbx::AgentsArgs),
    /// Stop accepting queue calls (the agent's interfaces, or --interface for another member).
    Pause(pbx::PauseArgs),
    /// Accept queue calls again.
    Unpause(pbx::PauseArgs),
    /// Click-to-call: ring the agent's phone, then dial NUMBER.
    Originate(pbx::OriginateArgs),
    /// Call NUMBER over a telephony connection: the softphone, a provider's API or the PBX.
    Dial(pbx::DialArgs),
    /// Check the way to the PBX step by step and say what is wrong.
    Doctor(pbx::DoctorArgs),
    /// Keep the AMI secret in the OS keychain.
    Secret(pbx::SecretArgs),
    /// Find the customer(s) for a number in the embedded directory, and say why they matched.
    Lookup(customers::LookupArgs),
    /// Import customers from a CSV or vCard file into the embedded directory.
    Import(customers::ImportArgs),
    /// Add or export customers of the embedded directory; create one as the call card does
    /// (`customers create --in directory|CRM`).
    Customers(customers::CustomersArgs),
    /// Calls in the call history (newest first; search, and filters by date, agent, connection
    /// and call id), with notes and CRM write-back state; `history export --csv FILE` for a
    /// spreadsheet.
    History(Box<history::HistoryArgs>),
    /// Print what support needs for a ticket: version, OS, the settings without secrets, the
    /// connection check and the app log's last lines.
    Diagnostics(diagnostics::DiagnosticsArgs),
}

/// Ctrl-C, or the system asking the process to stop (SIGTERM, SIGHUP from a closed terminal):
/// either way the command gets to clean up before it exits.
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let hup = signal(SignalKind::hangup());
        if let (Ok(mut term), Ok(mut hup)) = (term, hup) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The words for people (JSON output is never translated): the config file's `[ui] language`,
/// else the operating system's language, else English. A config that cannot be read speaks
/// the OS's language; the command itself reports what is wrong with it.
pub(crate) fn words() -> &'static Words {
    static WORDS: OnceLock<&'static Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let choice = ringside_config::Config::default_path()
            .and_then(|path| ringside_config::Config::load_with_system(&path).ok())
            .map(|config| config.ui.language)
            .unwrap_or_default();
        Words::of(ringside_i18n::choose(choice, ringside_i18n::os_locales()))
    })
}

/// An error with a code in the agent's language (its English sentence when no language has
/// the code), as the windows word it.
pub(crate) fn said<E: ringside_core::ErrorCode + ?Sized>(e: &E) -> String {
    let report = ringside_core::ErrorReport::of(e);
    words().error(&report.code, report.args.iter().map(|(k, v)| (k.as_str(), v.as_str())), &report.message)
}

/// A count for a message's `$n`.
pub(crate) fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Log lines go to stderr: warnings by default, errors only with -q, or what RUST_LOG says.
    // Colour only on a terminal, and never with NO_COLOR (https://no-color.org).
    let level = if cli.quiet { "error" } else { "warn" };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()) && !no_color)
        .with_writer(std::io::stderr)
        .init();
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
            Command::Agents(args) => pbx::agents(args).await,
            Command::Pause(args) => pbx::pause(args, true).await,
            Command::Unpause(args) => pbx::pause(args, false).await,
            Command::Originate(args) => pbx::originate_cmd(args).await,
            Command::Dial(args) => pbx::dial(args).await,
            Command::Doctor(args) => pbx::doctor(args).await,
            Command::Secret(args) => pbx::secret(args).await,
            Command::Lookup(args) => customers::lookup(args).await,
            Command::Import(args) => customers::import(args),
            Command::Customers(args) => customers::customers(args).await,
            Command::History(args) => history::history(*args),
            Command::Diagnostics(args) => diagnostics::diagnostics(args).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{}", words().format("cli-failed", &Args::new().text("message", message)));
            ExitCode::FAILURE
        }
    }
}
