//! What the settings window asks beyond saving the file: the secrets of a profile (kept in the
//! OS keychain, never shown again: stored, replaced or removed) and "Test connection" of a PBX,
//! a CRM or a dialing connection. All of it works on a [`Config`] the window just saved, so a
//! test always checks what Ringside will use.

use std::time::{Duration, Instant};

use ringside_config::{Config, SourceConfig};
use ringside_secrets::{SecretKey, SecretStore};
use serde::Serialize;

use crate::{RuntimeError, AMI_SECRET_ENV};

/// How long a CRM's test lookup may take: longer than a card's, the agent is waiting for it.
const CRM_TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Which secret: `"ami"` (the configured AMI user's), `"crm:NAME"`, `"dial:NAME"`.
struct Which {
    key: SecretKey,
    /// Where a headless machine can give it instead.
    env: String,
    crm: Option<ringside_config::CrmConfig>,
}

fn which(config: &Config, which: &str) -> Result<Which, RuntimeError> {
    let unknown = |known: Vec<String>| RuntimeError::NoSuchSecret { which: which.to_string(), known };
    if which == "ami" {
        let SourceConfig::Ami(ami) = &config.source else { return Err(unknown(known_secrets(config))) };
        return Ok(Which {
            key: SecretKey::ami(&ami.username, &ami.host, ami.port),
            env: AMI_SECRET_ENV.to_string(),
            crm: None,
        });
    }
    if which == "nats" {
        if let SourceConfig::Nats(ringside_config::NatsConfig { user: Some(user), .. }) = &config.source {
            return Ok(Which {
                key: SecretKey::named("nats", user),
                env: crate::NATS_SECRET_ENV.to_string(),
                crm: None,
            });
        }
    }
    if let Some(name) = which.strip_prefix("crm:") {
        if let Some(crm) = config.lookup.crm.iter().find(|c| c.name == name) {
            return Ok(Which {
                key: ringside_crm::secret_key(name),
                env: ringside_crm::secret_env_var(name),
                crm: Some(crm.clone()),
            });
        }
    }
    if let Some(name) = which.strip_prefix("dial:") {
        let takes_one = |c: &&ringside_config::ConnectionConfig| ringside_click_to_call::needs_secret(&c.kind);
        if config.dial.connections.iter().filter(takes_one).any(|c| c.name == name) {
            return Ok(Which {
                key: ringside_click_to_call::secret_key(name),
                env: ringside_click_to_call::secret_env_var(name),
                crm: None,
            });
        }
    }
    Err(unknown(known_secrets(config)))
}

/// Every secret the config has a place for.
pub fn known_secrets(config: &Config) -> Vec<String> {
    let mut known = Vec::new();
    match &config.source {
        SourceConfig::Ami(_) => known.push("ami".to_string()),
        SourceConfig::Nats(nats) if nats.user.is_some() => known.push("nats".to_string()),
        _ => {}
    }
    known.extend(config.lookup.crm.iter().map(|c| format!("crm:{}", c.name)));
    known.extend(
        config
            .dial
            .connections
            .iter()
            .filter(|c| ringside_click_to_call::needs_secret(&c.kind))
            .map(|c| format!("dial:{}", c.name)),
    );
    known
}

/// Whether a secret is there, never what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SecretStatus {
    /// `"ami"`, `"crm:NAME"`, `"dial:NAME"`.
    pub which: String,
    /// The keychain holds it.
    pub stored: bool,
    /// The environment variable Ringside reads it from where the keychain does not have it.
    pub env: String,
    /// That variable is set for this Ringside.
    pub in_env: bool,
    /// Why the keychain cannot be used, when it cannot (no Secret Service, locked, …).
    pub keychain_problem: Option<String>,
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, RuntimeError> {
    // The keychain API blocks (D-Bus, Keychain, Credential Manager): keep it off the runtime.
    tokio::task::spawn_blocking(f).await.map_err(|_| RuntimeError::Stopped)
}

/// Every secret the config has a place for, and whether each is there.
pub async fn secret_statuses(config: &Config) -> Result<Vec<SecretStatus>, RuntimeError> {
    let mut all = Vec::new();
    for name in known_secrets(config) {
        let Which { key, env, .. } = which(config, &name)?;
        let in_env = std::env::var_os(&env).is_some_and(|v| !v.is_empty());
        let got = blocking(move || SecretStore::os().get(&key)).await?;
        let (stored, keychain_problem) = match got {
            Ok(found) => (found.is_some(), None),
            Err(e) => (false, Some(e.to_string())),
        };
        all.push(SecretStatus { which: name, stored, env, in_env, keychain_problem });
    }
    Ok(all)
}

/// Puts `value` in the keychain as the secret `which` (replacing the one there). A Bitrix24
/// webhook or a header key that could never work is refused before it is kept. Where there is
/// no keychain the error names the environment variable to use instead.
pub async fn store_secret(config: &Config, which_one: &str, value: String) -> Result<(), RuntimeError> {
    let Which { key, env, crm } = which(config, which_one)?;
    let value = ringside_secrets::SecretString::new(value);
    if value.expose().trim().is_empty() {
        return Err(RuntimeError::EmptySecret);
    }
    if let Some(crm) = &crm {
        ringside_crm::check_secret(crm, &value).map_err(|e| RuntimeError::SecretRefused(e.to_string()))?;
    }
    let stored = blocking(move || SecretStore::os().set(&key, value.expose())).await?;
    stored.map_err(|e| keychain_error(e, env))
}

/// The AMI user, host or port changed (the keychain entry is named by them) and no new secret
/// was typed: the secret the keychain held for the old ones moves to the new ones, so a new
/// port does not lose the login. Nothing happens when there was none or the keychain cannot be
/// used (the next connection then names what is missing).
pub async fn carry_ami_secret(old: &Config, new: &Config) -> Result<(), RuntimeError> {
    let (SourceConfig::Ami(before), SourceConfig::Ami(after)) = (&old.source, &new.source) else { return Ok(()) };
    let from = SecretKey::ami(&before.username, &before.host, before.port);
    let to = SecretKey::ami(&after.username, &after.host, after.port);
    if from == to {
        return Ok(());
    }
    blocking(move || {
        let store = SecretStore::os();
        match (store.get(&to), store.get(&from)) {
            (Ok(None), Ok(Some(secret))) => {
                store.set(&to, secret.expose())?;
                store.delete(&from)
            }
            _ => Ok(()),
        }
    })
    .await?
    .map_err(RuntimeError::from)
}

/// Takes the secret `which` out of the keychain.
pub async fn remove_secret(config: &Config, which_one: &str) -> Result<(), RuntimeError> {
    let Which { key, env, .. } = which(config, which_one)?;
    let removed = blocking(move || SecretStore::os().delete(&key)).await?;
    removed.map_err(|e| keychain_error(e, env))
}

fn keychain_error(e: ringside_secrets::SecretError, env: String) -> RuntimeError {
    match e {
        ringside_secrets::SecretError::Unavailable { detail } => RuntimeError::NoKeychain { detail, env },
        e => e.into(),
    }
}

/// One step of a connection test, as the window lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CheckStep {
    /// `tcp`, `banner`, `secret`, `login`, `permissions`, `events`, `agent_device`; `lookup` for a
    /// CRM; `plan` for a dialing connection.
    pub step: String,
    pub outcome: CheckOutcome,
    /// What was found, or what to change (the PBX's and the CRM's own words, as they gave them).
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CheckOutcome {
    Pass,
    Warn,
    Fail,
}

impl CheckStep {
    fn new(step: &str, outcome: CheckOutcome, detail: impl Into<String>) -> Self {
        CheckStep { step: step.to_string(), outcome, detail: detail.into() }
    }
}

/// "Test connection" of the PBX: the doctor's steps (`ringside-cli doctor`) against the AMI
/// the config names, with the keychain's secret; stops at the first step that fails. The demo
/// PBX is Ringside's own: one step says so.
pub async fn test_source(config: &Config) -> Vec<CheckStep> {
    let ami = match &config.source {
        SourceConfig::Ami(ami) => ami,
        SourceConfig::Nats(nats) => return test_relay(nats, &config.agent.extension).await,
        SourceConfig::Demo => return vec![CheckStep::new("demo", CheckOutcome::Pass, "the built-in demo PBX")],
    };
    let (secret, secret_problem) = match crate::ami_secret(ami).await {
        Ok(Some(secret)) => (secret, None),
        Ok(None) => {
            (String::new(), Some(RuntimeError::NoSecret { username: ami.username.clone(), env: AMI_SECRET_ENV }))
        }
        Err(e) => (String::new(), Some(e)),
    };
    let mut options = ringside_ami::ConnectOptions::new(
        format!("{}:{}", ami.host, ami.port),
        ami.username.clone(),
        ringside_ami::Secret::new(secret),
    );
    options.connect_timeout = Duration::from_secs(ami.connect_timeout_secs.max(1));
    let me = ringside_ami::AgentIdentity::new(config.agent.extension.clone(), config.agent.interfaces.clone());
    let checks = ringside_ami::doctor::diagnose(&options, &me, secret_problem.map(|e| e.to_string())).await;
    checks
        .into_iter()
        .map(|c| {
            let step = c.step.to_ascii_lowercase().replace(' ', "_");
            let (outcome, detail) = match c.outcome {
                ringside_ami::doctor::Outcome::Pass(t) => (CheckOutcome::Pass, t),
                ringside_ami::doctor::Outcome::Warn(t) => (CheckOutcome::Warn, t),
                ringside_ami::doctor::Outcome::Fail(t) => (CheckOutcome::Fail, t),
            };
            CheckStep::new(&step, outcome, detail)
        })
        .collect()
}

/// "Test connection" of a CRM: its key from the keychain (a REST CRM without `auth_header`
/// needs none), then a lookup of `number`, timed.
pub async fn test_crm(config: &Config, name: &str, number: &str) -> Result<Vec<CheckStep>, RuntimeError> {
    let crm = config.lookup.crm.iter().find(|c| c.name == name).ok_or_else(|| RuntimeError::NoSuchSecret {
        which: format!("crm:{name}"),
        known: config.lookup.crm.iter().map(|c| format!("crm:{}", c.name)).collect(),
    })?;
    let mut steps = Vec::new();
    let connector = match crate::customers::connector(crm, CRM_TEST_TIMEOUT).await {
        Ok(c) => {
            steps.push(CheckStep::new("key", CheckOutcome::Pass, "the key is in the keychain, or none is needed"));
            c
        }
        Err(e) => {
            steps.push(CheckStep::new("key", CheckOutcome::Fail, e));
            return Ok(steps);
        }
    };
    let number =
        ringside_lookup::normalize(number, &ringside_lookup::LookupConfig::for_region(&config.directory.region));
    let query = ringside_crm::CrmQuery { raw: number.raw.clone(), e164: number.e164.clone(), digits: number.digits() };
    let started = Instant::now();
    match connector.find(&query).await {
        Ok(found) => {
            let ms = started.elapsed().as_millis();
            let names: Vec<&str> = found.iter().take(3).map(|c| c.name.as_str()).collect();
            let detail = if found.is_empty() {
                format!("answered in {ms} ms; nobody has {}", query.e164.as_deref().unwrap_or(&query.raw))
            } else {
                format!("answered in {ms} ms; {} found: {}", found.len(), names.join(", "))
            };
            steps.push(CheckStep::new("lookup", CheckOutcome::Pass, detail));
        }
        Err(e) => steps.push(CheckStep::new("lookup", CheckOutcome::Fail, e.to_string())),
    }
    Ok(steps)
}

/// "Test connection" of a relay: its NATS servers take the login, then a relay answers this
/// desk's sync request.
async fn test_relay(nats: &ringside_config::NatsConfig, extension: &str) -> Vec<CheckStep> {
    let mut options = async_nats::ConnectOptions::new().connection_timeout(Duration::from_secs(5));
    if let Some(user) = &nats.user {
        let password = match crate::nats_secret(user).await {
            Ok(Some(p)) => p,
            Ok(None) => {
                let why = format!("no password for {user}: type it in the settings or set {}", crate::NATS_SECRET_ENV);
                return vec![CheckStep::new("secret", CheckOutcome::Fail, why)];
            }
            Err(e) => return vec![CheckStep::new("secret", CheckOutcome::Fail, e.to_string())],
        };
        options = options.user_and_password(user.clone(), password);
    }
    let servers: Vec<async_nats::ServerAddr> = nats.servers.iter().filter_map(|s| s.parse().ok()).collect();
    let started = Instant::now();
    let client = match tokio::time::timeout(Duration::from_secs(10), options.connect(servers)).await {
        Ok(Ok(client)) => client,
        Ok(Err(e)) => return vec![CheckStep::new("connect", CheckOutcome::Fail, e.to_string())],
        Err(_) => return vec![CheckStep::new("connect", CheckOutcome::Fail, "the servers did not answer in 10 s")],
    };
    let mut steps = vec![CheckStep::new(
        "connect",
        CheckOutcome::Pass,
        format!("{} answers ({} ms)", nats.servers.join(", "), started.elapsed().as_millis()),
    )];
    let subject = ringside_core::relay::sync_subject(&nats.tenant, extension);
    let asked =
        tokio::time::timeout(Duration::from_secs(5), client.request(subject.clone(), bytes::Bytes::new())).await;
    steps.push(match asked {
        Ok(Ok(_)) => CheckStep::new("relay", CheckOutcome::Pass, format!("a relay serves {subject}")),
        Ok(Err(e)) => CheckStep::new("relay", CheckOutcome::Fail, format!("{subject}: {e}")),
        Err(_) => CheckStep::new("relay", CheckOutcome::Fail, format!("{subject}: no answer in 5 s")),
    });
    steps
}
