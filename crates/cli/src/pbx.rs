//! Commands that act on the PBX directly: `agents`, `pause`, `unpause`, `originate`, `doctor`,
//! and `secret` to keep the AMI secret in the OS keychain.

use std::io::Write;
use std::time::Duration;

use clap::{Args, Subcommand};
use ringside_ami::actions::QueuePause;
use ringside_ami::doctor::{diagnose, Outcome};
use ringside_ami::originate::{originate, OriginateRequest};
use ringside_ami::team::member_update;
use ringside_ami::{connect, Action, Client, Events, Message};
use ringside_config::SourceConfig;
use ringside_core::{MemberState, Team, TeamMember, Timestamp};
use ringside_secrets::{SecretKey, SecretStore};

use crate::target::{prompt_secret, Desk, Target};
use crate::{said, words};
use ringside_i18n::Args as Values;

async fn login(desk: &Desk) -> Result<(Client, Events), String> {
    connect(&desk.options).await.map_err(|e| match (&desk.config.source, e) {
        (SourceConfig::Demo, ringside_ami::AmiError::Connect { addr, .. }) => format!(
            "no demo PBX at {addr}: start one with `ringside-cli demo-pbx` (or start Ringside), or pass --ami HOST:PORT --user U"
        ),
        (_, e) => e.to_string(),
    })
}

#[derive(Args)]
pub struct AgentsArgs {
    #[command(flatten)]
    target: Target,
    /// Only these queues (repeat); default: supervisor.queues from the config, else all.
    #[arg(long = "queue", value_name = "QUEUE")]
    queues: Vec<String>,
    /// Keep running and print each member again when their state changes.
    #[arg(long)]
    watch: bool,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    json: bool,
    /// The audit instead: every switch a supervisor made from Ringside (who, when, which agent,
    /// before → after, the reason), from the history file, newest first.
    #[arg(long, conflicts_with = "watch")]
    audit: bool,
    /// With --audit: from this day (YYYY-MM-DD), time (YYYY-MM-DD HH:MM), `today`, `yesterday`,
    /// or a span back from now (`90m`, `12h`, `7d`).
    #[arg(long, value_name = "DATE", requires = "audit")]
    since: Option<String>,
    /// With --audit: the history file (default: `[history] path` of the config, else the OS
    /// data dir).
    #[arg(long, value_name = "FILE", requires = "audit")]
    file: Option<std::path::PathBuf>,
}

pub async fn agents(args: AgentsArgs) -> Result<(), String> {
    if args.audit {
        return audit(&args);
    }
    let desk = args.target.desk().await?;
    let supervised = if args.queues.is_empty() { desk.config.supervisor.queues.clone() } else { args.queues.clone() };
    let (client, mut events) = login(&desk).await?;
    let mut team = Team::new(supervised);
    for item in client.send_list(Action::new("QueueStatus")).await.map_err(|e| said(&e))? {
        if let Some(update) = member_update(&item) {
            team.apply(update);
        }
    }
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(out, "{:<24} {:<20} {:<12} {:<20} {:<10} QUEUES", "INTERFACE", "NAME", "STATE", "REASON", "SINCE")
            .map_err(|e| e.to_string())?;
    }
    for member in team.members() {
        print_member(&mut out, member, args.json)?;
    }
    if !args.watch {
        client.logoff().await;
        return Ok(());
    }
    drop(out);
    while let Some(item) = events.recv().await {
        let msg = item.map_err(|e| format!("connection lost: {e}"))?;
        if let Some(update) = member_update(&msg) {
            let interface = match &update {
                ringside_core::MemberUpdate::Set { interface, .. }
                | ringside_core::MemberUpdate::Removed { interface, .. } => interface.clone(),
            };
            match team.apply(update) {
                Some(Some(member)) => print_member(&mut std::io::stdout().lock(), &member, args.json)?,
                Some(None) => {
                    let line = Values::new().text("interface", interface.as_str());
                    println!("{}", words().format("cli-pbx-left-queues", &line));
                }
                None => {}
            }
        }
    }
    Ok(())
}

fn print_member(out: &mut impl Write, m: &TeamMember, json: bool) -> Result<(), String> {
    let state = m.state();
    if json {
        let value = serde_json::json!({ "interface": m.interface, "name": m.name, "state": state, "queues": m.queues });
        return writeln!(out, "{value}").map_err(|e| e.to_string());
    }
    let (id, reason, since) = match &state {
        MemberState::Available => ("cli-member-available", String::new(), String::new()),
        MemberState::Ringing => ("cli-member-ringing", String::new(), String::new()),
        MemberState::InCall => ("cli-member-in-call", String::new(), String::new()),
        MemberState::Unavailable => ("cli-member-unavailable", String::new(), String::new()),
        MemberState::Paused { reason, since } => {
            ("cli-member-paused", reason.clone().unwrap_or_default(), since.map(ago).unwrap_or_default())
        }
    };
    let word = words().get(id);
    let queues = m.queues.keys().cloned().collect::<Vec<_>>().join(",");
    writeln!(out, "{:<24} {:<20} {:<12} {:<20} {:<10} {queues}", m.interface, m.name, word, reason, since)
        .map_err(|e| e.to_string())
}

/// `agents --audit`: the switches the history file recorded, newest first.
fn audit(args: &AgentsArgs) -> Result<(), String> {
    let config = args.target.config()?;
    let history = crate::history::open_file(args.file.as_deref(), args.target.config_path())?;
    let now = chrono::Local::now().naive_local();
    let since = args.since.as_deref().map(|s| crate::history::parse_when(s, now)).transpose()?;
    let query = ringside_history::SwitchQuery { since, ..ringside_history::SwitchQuery::default() };
    let switches = history.switches(&query).map_err(|e| said(&e))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        for switch in &switches {
            let line = serde_json::to_string(switch).map_err(|e| e.to_string())?;
            writeln!(out, "{line}").map_err(|e| e.to_string())?;
        }
        return Ok(());
    }
    if switches.is_empty() {
        writeln!(out, "{}", words().get("cli-audit-none")).map_err(|e| e.to_string())?;
    }
    let reasons = &config.agent.pause_reasons;
    let word = |id: &str| words().has(id).then(|| words().get(id));
    let state = |paused: Option<bool>, reason: Option<&str>| match (paused, reason) {
        (None, _) => words().get("team-audit-unknown"),
        (Some(false), _) => words().get("team-audit-accepting"),
        (Some(true), None) => words().get("team-audit-paused"),
        (Some(true), Some(r)) => words().format(
            "team-audit-paused-reason",
            &Values::new().text("reason", ringside_core::pause_reason::reason_words(reasons, r, word)),
        ),
    };
    for s in &switches {
        let when = i64::try_from(s.at.0)
            .ok()
            .and_then(|ms| chrono::TimeZone::timestamp_millis_opt(&chrono::Local, ms).single())
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default();
        let by = match &s.by_name {
            Some(name) => format!("{name} ({})", s.by_extension),
            None => s.by_extension.clone(),
        };
        let member = match &s.member_name {
            Some(name) => format!("{name} ({})", s.interface),
            None => s.interface.clone(),
        };
        let line = Values::new()
            .text("by", by)
            .text("member", member)
            .text("before", state(s.paused_before, s.reason_before.as_deref()))
            .text("after", state(Some(s.paused), s.reason.as_deref()));
        let queue = s.queue.as_deref().map(|q| format!(" · {q}")).unwrap_or_default();
        writeln!(out, "{when} {}{queue}", words().format("team-audit-switch", &line)).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// "12m" / "3h05m" since a moment.
fn ago(t: Timestamp) -> String {
    let secs = Timestamp::now().secs_since(t);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

#[derive(Args)]
pub struct PauseArgs {
    #[command(flatten)]
    target: Target,
    /// Only in this queue; default: all the member's queues.
    #[arg(long)]
    queue: Option<String>,
    /// Why (shown to supervisors), e.g. "Lunch".
    #[arg(long)]
    reason: Option<String>,
}

/// `pause` / `unpause`: the agent's own interfaces, or another member's with --interface.
pub async fn pause(args: PauseArgs, paused: bool) -> Result<(), String> {
    let desk = args.target.desk().await?;
    let (client, mut events) = login(&desk).await?;
    for interface in &desk.identity.interfaces {
        let action = QueuePause { interface, queue: args.queue.as_deref(), paused, reason: args.reason.as_deref() };
        client.send(action.into()).await.map_err(|e| format!("{interface}: {e}"))?;
        // The PBX confirms with QueueMemberPause (after the Response).
        let confirmed = wait_for(&mut events, Duration::from_secs(3), |m| {
            m.event() == Some("QueueMemberPause")
                && m.get("Interface").is_some_and(|i| i.eq_ignore_ascii_case(interface))
        })
        .await;
        match confirmed {
            Some(m) => {
                let state = words().get(if m.get("Paused") == Some("1") { "agent-paused" } else { "agent-available" });
                let reason =
                    m.get("PausedReason").filter(|r| !r.is_empty()).map(|r| format!(" ({r})")).unwrap_or_default();
                let queue = match args.queue.as_deref() {
                    Some(q) => words().format("cli-pbx-in-queue", &Values::new().text("queue", q)),
                    None => words().get("cli-pbx-in-all-queues"),
                };
                println!("{interface}: {state} {queue}{reason}");
            }
            None => {
                let line = Values::new().text("interface", interface.as_str());
                println!("{}", words().format("cli-pbx-not-confirmed", &line));
            }
        }
    }
    client.logoff().await;
    Ok(())
}

async fn wait_for(events: &mut Events, within: Duration, f: impl Fn(&Message) -> bool) -> Option<Message> {
    let deadline = tokio::time::Instant::now() + within;
    while let Ok(Some(Ok(m))) = tokio::time::timeout_at(deadline, events.recv()).await {
        if f(&m) {
            return Some(m);
        }
    }
    None
}

#[derive(Args)]
pub struct OriginateArgs {
    #[command(flatten)]
    target: Target,
    /// The number to call; formatting is ignored, anything but digits, +, * and # is refused.
    number: String,
}

pub async fn originate_cmd(args: OriginateArgs) -> Result<(), String> {
    originate_number(&args.target, &args.number).await
}

/// Click-to-call through the PBX as the configured (or --ami) agent.
pub async fn originate_number(target: &Target, number: &str) -> Result<(), String> {
    let number = ringside_core::number::dialable(number).map_err(|e| said(&e))?;
    let desk = target.desk().await?;
    let device = desk.identity.interfaces.first().cloned().ok_or("no agent interface configured")?;
    let (client, _events) = login(&desk).await?;
    let line = Values::new().text("device", device.as_str()).text("number", number.as_str());
    eprintln!("{}", words().format("cli-pbx-ringing-you", &line));
    let request = OriginateRequest {
        device,
        context: desk.originate_context.clone(),
        number: number.clone(),
        caller_id: desk.caller_id.clone(),
        ring_timeout: Duration::from_secs(30),
    };
    let result = originate(&client, &request).await;
    client.logoff().await;
    result.map_err(|e| said(&e))?;
    println!("{}", words().format("cli-pbx-calling", &Values::new().text("number", number.as_str())));
    Ok(())
}

#[derive(Args)]
pub struct DialArgs {
    #[command(flatten)]
    target: Target,
    /// The number to call, as you have it; it is written the way the connection dials.
    number: String,
    /// The connection (`[[dial.connection]] name`); default: the configured default.
    #[arg(long, value_name = "CONNECTION")]
    via: Option<String>,
    /// Print exactly what would happen (the program and its arguments, or the HTTP request with
    /// secrets masked) and do nothing.
    #[arg(long)]
    dry_run: bool,
}

pub async fn dial(args: DialArgs) -> Result<(), String> {
    let config = args.target.config()?;
    let dialer = ringside_runtime::Dialer::new(&config.dial, &config.directory.region).await;
    let route = dialer.route(&args.number, args.via.as_deref()).map_err(|e| said(&e))?;
    if args.dry_run {
        println!("{}", route.describe().map_err(|e| said(&e))?);
        return Ok(());
    }
    match &route {
        ringside_runtime::Route::Pbx { number } => originate_number(&args.target, number).await,
        _ => {
            route.place_off_pbx().await.map_err(|e| said(&e))?;
            println!("{}", words().format("cli-pbx-handed-over", &Values::new().text("number", args.number.as_str())));
            Ok(())
        }
    }
}

#[derive(Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    target: Target,
}

pub async fn doctor(args: DoctorArgs) -> Result<(), String> {
    let (desk, secret_problem) = args.target.desk_or_secret_problem().await?;
    let checks = diagnose(&desk.options, &desk.identity, secret_problem).await;
    let mut failed = false;
    for check in &checks {
        let (mark, text) = match &check.outcome {
            Outcome::Pass(t) => ("ok  ", t),
            Outcome::Warn(t) => ("warn", t),
            Outcome::Fail(t) => {
                failed = true;
                ("FAIL", t)
            }
        };
        println!("[{mark}] {:<13} {text}", check.step);
    }
    if failed {
        Err("the connection to the PBX is not usable yet; fix the step marked FAIL".into())
    } else {
        Ok(())
    }
}

#[derive(Args)]
pub struct SecretArgs {
    #[command(subcommand)]
    action: SecretAction,
}

#[derive(Subcommand)]
enum SecretAction {
    /// Store the AMI secret of the configured (or --ami/--user) PBX in the OS keychain, or with
    /// `crm:NAME` the key of the CRM `[[lookup.crm]] name = "NAME"`, or with `dial:NAME` the key
    /// of the provider connection `[[dial.connection]] name = "NAME"`, or with `nats` the relay's
    /// NATS password of `[source] user`; prompts for it.
    Set(SecretTarget),
    /// Remove it from the keychain.
    Delete(SecretTarget),
}

#[derive(Args)]
struct SecretTarget {
    /// `crm:NAME` for a CRM's key (a Bitrix24 CRM's key is its whole webhook URL), `dial:NAME`
    /// for a provider connection's key, `nats` for the relay's password; without it, the AMI
    /// secret.
    key: Option<String>,
    #[command(flatten)]
    target: Target,
    /// Read the secret from the first line of standard input instead of prompting
    /// (for scripts: `pass show pbx/ami | ringside-cli secret set --stdin`).
    #[arg(long)]
    stdin: bool,
}

pub async fn secret(args: SecretArgs) -> Result<(), String> {
    let (set, SecretTarget { key, target, stdin }) = match &args.action {
        SecretAction::Set(t) => (true, t),
        SecretAction::Delete(t) => (false, t),
    };
    let config = target.config()?;
    let mut crm = None;
    let (key, prompt): (SecretKey, Box<dyn FnOnce() -> Result<String, String>>) = match key.as_deref() {
        Some(key) if key.starts_with("dial:") => {
            let name = &key["dial:".len()..];
            let providers: Vec<&ringside_config::ConnectionConfig> =
                config.dial.connections.iter().filter(|c| ringside_click_to_call::needs_secret(&c.kind)).collect();
            if !providers.iter().any(|c| c.name == name) {
                let known: Vec<&str> = providers.iter().map(|c| c.name.as_str()).collect();
                return Err(format!(
                    "no [[dial.connection]] named {name:?} that takes a key in the config{}",
                    if known.is_empty() { String::new() } else { format!(" (there is: {})", known.join(", ")) }
                ));
            }
            let name = name.to_string();
            let prompt = format!("Key for the connection {name}: ");
            (
                ringside_click_to_call::secret_key(&name),
                Box::new(move || {
                    rpassword::prompt_password(prompt)
                        .map_err(|e| format!("no key given: run in a terminal, or pipe it in with --stdin ({e})"))
                }),
            )
        }
        Some("nats") => {
            let Some(user) = (match &config.source {
                SourceConfig::Nats(nats) => nats.user.clone(),
                _ => None,
            }) else {
                return Err("the config has no relay user: [source] kind = \"nats\" with user = \"…\"".into());
            };
            let prompt = format!("NATS password of {user}: ");
            (
                SecretKey::named("nats", &user),
                Box::new(move || {
                    rpassword::prompt_password(prompt)
                        .map_err(|e| format!("no password given: run in a terminal, or pipe it in with --stdin ({e})"))
                }),
            )
        }
        Some(key) => {
            let name = key.strip_prefix("crm:").ok_or_else(|| {
                format!(
                    "{key:?} is not a secret Ringside keeps; give crm:NAME for a CRM, dial:NAME for a \
                     provider connection, nats for the relay's password, or nothing for the AMI secret"
                )
            })?;
            crm = config.lookup.crm.iter().find(|c| c.name == name).cloned();
            if crm.is_none() {
                let known: Vec<&str> = config.lookup.crm.iter().map(|c| c.name.as_str()).collect();
                return Err(format!(
                    "no [[lookup.crm]] named {name:?} in the config{}",
                    if known.is_empty() { String::new() } else { format!(" (there is: {})", known.join(", ")) }
                ));
            }
            let name = name.to_string();
            let prompt = format!("Key for CRM {name} (a Bitrix24 webhook URL for Bitrix24): ");
            (
                ringside_crm::secret_key(&name),
                Box::new(move || {
                    rpassword::prompt_password(prompt)
                        .map_err(|e| format!("no key given: run in a terminal, or pipe it in with --stdin ({e})"))
                }),
            )
        }
        None => {
            let SourceConfig::Ami(ami) = &config.source else {
                return Err("the demo PBX needs no secret; pass --ami HOST:PORT --user U, or configure [source] \
                            kind = \"ami\"; for a CRM's key give crm:NAME"
                    .into());
            };
            let ami = ami.clone();
            (SecretKey::ami(&ami.username, &ami.host, ami.port), Box::new(move || prompt_secret(&ami)))
        }
    };
    let value = match (set, stdin) {
        (false, _) => None,
        (true, true) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map_err(|e| format!("cannot read the secret from stdin: {e}"))?;
            let secret = line.trim_end_matches(['\r', '\n']).to_string();
            if secret.is_empty() {
                return Err("no secret on stdin".into());
            }
            Some(secret)
        }
        (true, false) => Some(prompt()?),
    };
    // A Bitrix24 webhook URL or a header key that could never work is refused before it is kept.
    if let (Some(crm), Some(v)) = (&crm, &value) {
        ringside_crm::check_secret(crm, &ringside_secrets::SecretString::new(v.clone())).map_err(|e| e.to_string())?;
    }
    let label = key.to_string();
    tokio::task::spawn_blocking(move || {
        let store = SecretStore::os();
        match value {
            Some(v) => store.set(&key, &v),
            None => store.delete(&key),
        }
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let line = Values::new().text("label", label.as_str());
    println!("{}", words().format(if set { "cli-secret-stored" } else { "cli-secret-removed" }, &line));
    Ok(())
}
