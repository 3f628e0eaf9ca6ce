//! The relay's settings file (`relay.toml`, docs/relay.md). Secrets are never in it: every
//! token, provider secret and the NATS password is named as `env:VARIABLE` (systemd's
//! `EnvironmentFile=`/`LoadCredential=` put them there) and read at start.

use std::net::SocketAddr;
use std::path::Path;

use ringside_push::{PushConfig, Secret};
use serde::Deserialize;

/// The relay's NATS password, when `[nats] user` is set.
pub const NATS_SECRET_ENV: &str = "RINGSIDE_RELAY_NATS_SECRET";

#[derive(Debug, Clone)]
pub struct RelayConfig {
    pub http: HttpConfig,
    pub nats: NatsConfig,
    pub push: PushConfig,
    /// One AMI connection for a whole Asterisk (`[ami]`), when the relay has one.
    pub ami: Option<crate::AmiInput>,
    /// This relay's name in its tenant's lease (`[relay] id`; the host name and process id by
    /// default): of two relays holding the PBX connection at once, the greater id steps down.
    pub id: String,
}

/// The default relay id: the host name and the process id.
pub fn default_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_default();
    format!("{}-{}", if host.is_empty() { "relay" } else { &host }, std::process::id())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRelay {
    id: Option<String>,
}

impl std::fmt::Debug for crate::AmiInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmiInput")
            .field("tenant", &self.tenant)
            .field("addr", &self.options.addr)
            .field("username", &self.options.username)
            .field("agents", &self.agents.len())
            .finish_non_exhaustive()
    }
}

/// `[ami]`: the PBX the relay follows for every agent of `[[ami.agents]]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmi {
    tenant: String,
    host: String,
    #[serde(default = "default_ami_port")]
    port: u16,
    username: String,
    secret: String,
    #[serde(default = "default_context")]
    originate_context: String,
    agents: Vec<crate::AgentEntry>,
}

fn default_ami_port() -> u16 {
    5038
}

fn default_context() -> String {
    "from-internal".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// Where the webhooks and `/v1/events` are received (put TLS in front: a reverse proxy).
    pub listen: SocketAddr,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatsConfig {
    pub servers: Vec<String>,
    #[serde(default)]
    pub user: Option<String>,
    /// From [`NATS_SECRET_ENV`], never the file.
    #[serde(skip)]
    pub password: Option<String>,
}

impl NatsConfig {
    /// Servers without a login.
    pub fn new(servers: Vec<String>) -> Self {
        Self { servers, user: None, password: None }
    }
}

impl std::fmt::Debug for NatsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsConfig").field("servers", &self.servers).field("user", &self.user).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    http: HttpConfig,
    nats: NatsConfig,
    #[serde(default)]
    push: PushConfig,
    #[serde(default)]
    ami: Option<RawAmi>,
    #[serde(default)]
    relay: RawRelay,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read the relay's settings: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl RelayConfig {
    pub fn load(path: &Path) -> Result<RelayConfig, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: shown.clone(), source })?;
        Self::from_toml(&text, &shown, |name| std::env::var(name).ok())
    }

    /// `env` reads an environment variable (a test passes its own).
    pub fn from_toml(text: &str, path: &str, env: impl Fn(&str) -> Option<String>) -> Result<RelayConfig, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: path.to_string(), message };
        let raw: RawConfig = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        let RawConfig { http, mut nats, mut push, ami, relay } = raw;
        let id = relay.id.unwrap_or_else(default_id);
        if nats.servers.is_empty() {
            return Err(invalid("nats.servers: list the NATS servers, e.g. [\"nats://127.0.0.1:4222\"]".into()));
        }
        if nats.user.is_some() {
            let password = env(NATS_SECRET_ENV).filter(|p| !p.is_empty());
            if password.is_none() {
                return Err(invalid(format!(
                    "nats.user is set: put its password in the environment variable {NATS_SECRET_ENV}"
                )));
            }
            nats.password = password;
        }
        let mut problems = Vec::new();
        let resolve = |place: String, secret: &mut Secret, problems: &mut Vec<String>| {
            match secret
            .expose()
            .strip_prefix("env:")
        {
            Some(name) => match env(name).filter(|v| !v.is_empty()) {
                Some(value) => *secret = Secret::new(value),
                None => problems.push(format!("{place}: the environment variable {name} is not set")),
            },
            None => problems.push(format!(
                "{place}: secrets are not read from the settings file; write \"env:VARIABLE\" and put the secret in that variable"
            )),
        }
        };
        for (i, t) in push.tokens.iter_mut().enumerate() {
            resolve(format!("push.tokens[{i}].token"), &mut t.token, &mut problems);
        }
        for (i, z) in push.zadarma.iter_mut().enumerate() {
            resolve(format!("push.zadarma[{i}].secret"), &mut z.secret, &mut problems);
        }
        for (i, b) in push.binotel.iter_mut().enumerate() {
            resolve(format!("push.binotel[{i}].token"), &mut b.token, &mut problems);
        }
        for (i, r) in push.ringostat.iter_mut().enumerate() {
            resolve(format!("push.ringostat[{i}].token"), &mut r.token, &mut problems);
        }
        let ami = ami.map(|raw| {
            let mut secret = Secret::new(raw.secret);
            resolve("ami.secret".into(), &mut secret, &mut problems);
            if raw.agents.is_empty() {
                problems.push("ami.agents: list the agents the relay follows".into());
            }
            crate::AmiInput {
                tenant: raw.tenant,
                options: ringside_ami::ConnectOptions::new(
                    format!("{}:{}", raw.host, raw.port),
                    raw.username,
                    ringside_ami::Secret::new(secret.expose()),
                ),
                originate_context: raw.originate_context,
                agents: raw.agents,
            }
        });
        if !problems.is_empty() {
            return Err(invalid(problems.join("; ")));
        }
        if let Err(problems) = push.validate() {
            return Err(invalid(format!("push: {}", problems.join("; "))));
        }
        Ok(RelayConfig { http, nats, push, ami, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
[http]
listen = "127.0.0.1:8080"

[nats]
servers = ["nats://127.0.0.1:4222"]
user = "relay"

[[push.tokens]]
tenant = "acme"
token = "env:ACME_TOKEN"

[[push.zadarma]]
tenant = "acme"
secret = "env:ZADARMA_SECRET"
"#;

    fn env(name: &str) -> Option<String> {
        match name {
            "ACME_TOKEN" => Some("t0ken".into()),
            "ZADARMA_SECRET" => Some("z-secret".into()),
            NATS_SECRET_ENV => Some("nats-pw".into()),
            _ => None,
        }
    }

    #[test]
    fn secrets_come_from_the_environment_and_never_print() {
        let config = RelayConfig::from_toml(TEXT, "relay.toml", env).expect("valid");
        assert_eq!(config.push.tokens[0].token.expose(), "t0ken");
        assert_eq!(config.push.zadarma[0].secret.expose(), "z-secret");
        assert_eq!(config.nats.password.as_deref(), Some("nats-pw"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("t0ken") && !shown.contains("z-secret") && !shown.contains("nats-pw"), "{shown}");
    }

    #[test]
    fn a_secret_written_in_the_file_or_missing_from_the_environment_is_refused_by_its_place() {
        let written = TEXT.replace("env:ACME_TOKEN", "t0ken");
        let e = RelayConfig::from_toml(&written, "relay.toml", env).expect_err("refused").to_string();
        assert!(e.contains("push.tokens[0].token") && e.contains("not read from the settings file"), "{e}");
        assert!(!e.contains("t0ken"), "{e}");
        let e = RelayConfig::from_toml(TEXT, "relay.toml", |n| (n != "ZADARMA_SECRET").then(|| "x".into()))
            .expect_err("refused")
            .to_string();
        assert!(e.contains("push.zadarma[0].secret") && e.contains("ZADARMA_SECRET"), "{e}");
    }

    #[test]
    fn the_pbx_and_the_relay_id_are_read_and_the_ami_secret_comes_from_the_environment() {
        let text = format!(
            "{TEXT}\n[relay]\nid = \"relay-b\"\n\n[ami]\ntenant = \"acme\"\nhost = \"pbx\"\nusername = \"relay\"\n\
             secret = \"env:AMI_SECRET\"\n\n[[ami.agents]]\nextension = \"100\"\ninterfaces = [\"PJSIP/100\"]\n"
        );
        let with_ami = |name: &str| if name == "AMI_SECRET" { Some("ami-pw".into()) } else { env(name) };
        let config = RelayConfig::from_toml(&text, "relay.toml", with_ami).expect("valid");
        assert_eq!(config.id, "relay-b");
        let ami = config.ami.expect("[ami]");
        assert_eq!((ami.options.addr.as_str(), ami.options.secret.expose()), ("pbx:5038", "ami-pw"));
        assert_eq!(ami.agents[0].interfaces, ["PJSIP/100"]);
        assert!(!format!("{ami:?}").contains("ami-pw"));

        let written = text.replace("env:AMI_SECRET", "ami-pw");
        let e = RelayConfig::from_toml(&written, "relay.toml", with_ami).expect_err("refused").to_string();
        assert!(e.contains("ami.secret") && !e.contains("ami-pw"), "{e}");
        let none = text.replace("[[ami.agents]]\nextension = \"100\"\ninterfaces = [\"PJSIP/100\"]\n", "agents = []\n");
        let e = RelayConfig::from_toml(&none, "relay.toml", with_ami).expect_err("refused").to_string();
        assert!(e.contains("ami.agents"), "{e}");
    }
}
