//! Which PBX and which agent a command talks about: the config file, overridden by flags.

use std::path::PathBuf;

use clap::Args;
use ringside_ami::{AgentIdentity, ConnectOptions, Secret};
use ringside_config::{AmiConfig, Config, SourceConfig};
use ringside_demo_pbx::{DemoEndpoint, DEMO_SECRET};
use ringside_runtime::{ami_secret, AMI_SECRET_ENV, DEMO_ORIGINATE_CONTEXT, DEMO_USER};

#[derive(Args, Clone, Debug)]
pub struct Target {
    /// An Asterisk AMI to log in to (HOST:PORT). Without it, the configured source is used:
    /// by default the demo PBX.
    #[arg(long, value_name = "HOST:PORT", global = true)]
    ami: Option<String>,
    /// AMI user (with --ami). The secret comes from the OS keychain (`ringside-cli secret set`),
    /// else RINGSIDE_AMI_SECRET, else a prompt; never from the command line.
    #[arg(long, requires = "ami", global = true)]
    user: Option<String>,
    /// The agent's extension.
    #[arg(long, global = true)]
    extension: Option<String>,
    /// The agent's queue-member interface (repeat for several), e.g. PJSIP/100.
    #[arg(long = "interface", value_name = "IFACE", global = true)]
    interfaces: Vec<String>,
    /// Config file (default: $RINGSIDE_CONFIG or the OS config dir).
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
}

/// Everything needed to talk to the PBX as this agent.
pub struct Desk {
    pub config: Config,
    pub options: ConnectOptions,
    pub identity: AgentIdentity,
    pub originate_context: String,
    pub caller_id: String,
}

impl Target {
    /// The config file `--config` names, if it does.
    pub fn config_path(&self) -> Option<&std::path::Path> {
        self.config.as_deref()
    }

    pub fn config(&self) -> Result<Config, String> {
        let mut config = match self.config.clone().or_else(Config::default_path) {
            Some(path) => Config::load_with_system(&path).map_err(|e| e.to_string())?,
            None => Config::default(),
        };
        if let Some(ami) = &self.ami {
            let (host, port) = match ami.rsplit_once(':') {
                Some((h, p)) => {
                    (h.to_string(), p.parse::<u16>().map_err(|_| format!("--ami {ami}: the port must be a number"))?)
                }
                None => (ami.clone(), 5038),
            };
            let username = self.user.clone().ok_or("--ami needs --user (the AMI user name from manager.conf)")?;
            config.source = SourceConfig::Ami(AmiConfig::new(host, port, username));
        }
        if let Some(ext) = &self.extension {
            config.agent.extension = ext.clone();
            if self.interfaces.is_empty() {
                config.agent.interfaces = vec![format!("PJSIP/{ext}"), format!("Local/{ext}@agents")];
            }
        }
        if !self.interfaces.is_empty() {
            config.agent.interfaces = self.interfaces.clone();
        }
        Ok(config)
    }

    /// The config plus a resolved secret; prompts on a terminal when no secret is stored.
    pub async fn desk(&self) -> Result<Desk, String> {
        self.desk_or_secret_problem().await.and_then(|(desk, problem)| match problem {
            None => Ok(desk),
            Some(p) => Err(p),
        })
    }

    /// As [`Self::desk`], but a missing secret is returned beside the desk (with an empty
    /// secret) instead of as an error, so `doctor` can still test the network first.
    pub async fn desk_or_secret_problem(&self) -> Result<(Desk, Option<String>), String> {
        let config = self.config()?;
        let mut problem = None;
        let (options, originate_context) = match &config.source {
            SourceConfig::Demo => (
                {
                    let (addr, secret) = demo_endpoint(config.demo.listen);
                    ConnectOptions::new(addr.to_string(), DEMO_USER, Secret::new(secret))
                },
                DEMO_ORIGINATE_CONTEXT.to_string(),
            ),
            SourceConfig::Ami(ami) => {
                let stored = match ami_secret(ami).await {
                    Ok(found) => found,
                    Err(e) => {
                        // No keychain here (a server, a bare session): asking is still fine.
                        eprintln!("ringside-cli: {e}");
                        None
                    }
                };
                let secret = match stored.map(Ok).unwrap_or_else(|| prompt_secret(ami)) {
                    Ok(s) => s,
                    Err(e) => {
                        problem = Some(e);
                        String::new()
                    }
                };
                let mut o = ConnectOptions::new(
                    format!("{}:{}", ami.host, ami.port),
                    ami.username.clone(),
                    Secret::new(secret),
                );
                o.connect_timeout = std::time::Duration::from_secs(ami.connect_timeout_secs.max(1));
                (o, ami.originate_context.clone())
            }
            SourceConfig::Nats(_) => {
                return Err("the config's source is a Ringside relay (kind = \"nats\"), not a PBX this command can \
                            reach; give --ami HOST:PORT --user USER to talk to the Asterisk directly"
                    .into())
            }
        };
        let identity = AgentIdentity::new(config.agent.extension.clone(), config.agent.interfaces.clone());
        let name = config.agent.name.clone().unwrap_or_else(|| format!("Agent {}", config.agent.extension));
        let caller_id = format!("\"{}\" <{}>", name.replace('"', "'"), config.agent.extension);
        Ok((Desk { config, options, identity, originate_context, caller_id }, problem))
    }
}

pub fn prompt_secret(ami: &AmiConfig) -> Result<String, String> {
    let prompt = format!("AMI secret for {}@{}:{}: ", ami.username, ami.host, ami.port);
    rpassword::prompt_password(prompt).map_err(|e| {
        format!(
            "no AMI secret: store it with `ringside-cli secret set`, set {AMI_SECRET_ENV}, or run in a terminal ({e})"
        )
    })
}

/// The demo PBX to reach and its secret: the address the config names (public demo secret);
/// else the one the user's running Ringside announced (its address and run secret); else the
/// default port with the public secret (`ringside-cli demo-pbx` started by hand).
pub fn demo_endpoint(configured: Option<std::net::SocketAddr>) -> (std::net::SocketAddr, String) {
    if let Some(addr) = configured {
        return (addr, DEMO_SECRET.to_string());
    }
    match ringside_config::demo_endpoint_path().as_deref().and_then(DemoEndpoint::read) {
        Some(running) => (running.addr, running.secret),
        None => (ringside_config::DEFAULT_DEMO_LISTEN, DEMO_SECRET.to_string()),
    }
}
