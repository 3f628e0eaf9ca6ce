//! The running Ringside: a CTI source feeding a [`Session`], and a handle for the shell and
//! the CLI. Three tasks, each owning one thing:
//!
//! - the **source task** ([`ami_source`]) owns the AMI connection, reconnects with backoff,
//!   turns AMI events into `CallEvent`s with the tracker, and carries out `CtiCommand`s;
//! - the **session task** owns the [`Session`]: it folds events and agent inputs and
//!   broadcasts every [`SessionOutput`];
//! - the **handle** ([`RuntimeHandle`]) is cheap to clone and only sends messages.
//!
//! A new card's number is looked up beside the session task: [`lookup`] asks the embedded
//! directory and the configured CRMs at once within one deadline, caches the CRMs' answers and
//! merges them, the agent's remembered pick first ([`Sources`], built from the config by
//! [`lookup_sources`]).
//!
//! "Create customer" puts the caller in the directory or a CRM ([`RuntimeHandle::create_customer`],
//! the targets from [`RuntimeHandle::create_targets`]); a CRM with `auto_create` creates an
//! unknown caller the agent answered by itself, once per call; [`RuntimeHandle::new_order_url`]
//! is a CRM's page for a new order of a customer on a card.
//!
//! With no source configured, the embedded demo PBX starts in-process and the source task
//! reaches it over real loopback TCP, so the demo exercises the production path.

mod ami_source;
mod create;
mod customers;
pub mod diagnostics;
pub mod dialer;
mod error;
mod history;
pub mod lookup;
mod nats_source;
mod session_task;
pub mod settings;
mod source;
mod supervisor;

use std::net::SocketAddr;

use ringside_ami::{AgentIdentity, ConnectOptions, Secret};
use ringside_config::{Config, SourceConfig};
use ringside_core::agent_state::WrapUpResult;
use ringside_core::session::SourceStatus;
use ringside_core::{AgentState, CallCard, CallId, CustomerMatch, Session, SessionOutput};
use ringside_demo_pbx::{DemoPbx, DemoPbxConfig, DEMO_SECRET};
use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot, Mutex};

pub use create::CreateTarget;
pub use dialer::{ConnectionSummary, Dialer, Route};
pub use error::{DirectoryProblem, RuntimeError};
pub use lookup::{Bounds, SharedDirectory, Source, Sources};
pub use ringside_crm::{CreatedKind, WebUrl};
use session_task::{PopupAction, SessionMsg};
pub use supervisor::DeskSetup;

/// Everything the UI needs to draw itself from scratch.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Snapshot {
    pub agent: AgentState,
    pub source: SourceStatus,
    pub cards: Vec<CallCard>,
    /// Members of the supervised queues.
    pub team: Vec<ringside_core::TeamMember>,
    /// What the card window shows (`SessionOutput::Popup` carries each change).
    pub popup: ringside_core::PopupView,
    /// The pause reasons, and whether this desk supervises the team.
    pub setup: DeskSetup,
}

impl Snapshot {
    /// A call rings, is going on, or is being wrapped up: nothing may restart Ringside now (an
    /// update waits).
    pub fn busy_with_a_call(&self) -> bool {
        self.agent.current_call().is_some()
            || matches!(self.agent, AgentState::WrapUp { .. })
            || self.cards.iter().any(|c| c.status != ringside_core::CardStatus::Ended)
    }
}

/// The user name Ringside logs in with on the embedded demo PBX.
pub const DEMO_USER: &str = "ringside";

/// The demo PBX dials outside numbers from this context (as the recorded Asterisk did).
pub const DEMO_ORIGINATE_CONTEXT: &str = "outbound";

/// Environment variable holding the AMI secret where no keychain entry exists (headless, tests).
pub const AMI_SECRET_ENV: &str = ringside_secrets::AMI_SECRET_ENV;

pub struct Runtime;

/// How a runtime starts, beyond its config.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// The AMI secret; else the keychain, else [`AMI_SECRET_ENV`].
    pub secret: Option<String>,
    /// Only watch: never change the PBX by itself (no wrap-up pause, no auto-pause). For
    /// tools that follow an agent's calls beside the agent's own Ringside.
    pub observe_only: bool,
}

impl Runtime {
    /// Starts the configured CTI source (the embedded demo PBX when none is configured) and
    /// the session. Must be called inside a tokio runtime.
    pub async fn start(config: Config) -> Result<RuntimeHandle, RuntimeError> {
        Self::start_with_secret(config, None).await
    }

    /// As [`Runtime::start`], with the AMI secret given (else read from [`AMI_SECRET_ENV`]).
    pub async fn start_with_secret(config: Config, secret: Option<String>) -> Result<RuntimeHandle, RuntimeError> {
        Self::start_with(config, StartOptions { secret, ..StartOptions::default() }).await
    }

    /// As [`Runtime::start`], with the options a tool sets beyond the config.
    pub async fn start_with(config: Config, options: StartOptions) -> Result<RuntimeHandle, RuntimeError> {
        let StartOptions { secret, observe_only } = options;
        let (demo, target) = source_target(&config, secret.clone()).await?;

        // Subscribed before anything runs, so the first subscriber misses nothing.
        let (outputs, first_rx) = broadcast::channel(1024);
        let (session_tx, session_rx) = mpsc::channel(4096);
        let (source_tx, source_rx) = mpsc::channel(64);
        let session = Session::new(session_config(&config, observe_only));
        let parts = Parts::build(config, demo.as_ref().map(|d| d.addr), &outputs, None).await;
        let desk = session_task::Desk { session, popup: ringside_core::Popup::new(parts.config.popup_config()) };
        tokio::spawn(session_task::run(
            desk,
            session_rx,
            session_tx.clone(),
            outputs.clone(),
            source_tx.clone(),
            parts.helpers(),
        ));
        tokio::spawn(source::run(target, session_tx.clone(), source_rx));

        let handle = RuntimeHandle {
            parts: std::sync::Arc::new(std::sync::RwLock::new(std::sync::Arc::new(parts))),
            session: session_tx,
            source: source_tx,
            outputs,
            first_rx: std::sync::Arc::new(std::sync::Mutex::new(Some(first_rx))),
            demo: std::sync::Arc::new(Mutex::new(demo)),
            observe_only,
            given_secret: secret,
            reconfiguring: std::sync::Arc::new(Mutex::new(())),
        };
        Ok(handle)
    }
}

/// The session's rules from the config; a tool that only watches never acts for the agent.
fn session_config(config: &Config, observe_only: bool) -> ringside_core::SessionConfig {
    ringside_core::SessionConfig { acts_for_agent: !observe_only, ..config.session_config() }
}

/// Where the source connects (starting the embedded demo PBX when the config has no source),
/// and who the agent is there. `secret`: the AMI secret given by a tool, else the keychain's.
async fn source_target(
    config: &Config,
    secret: Option<String>,
) -> Result<(Option<Demo>, source::Target), RuntimeError> {
    match &config.source {
        SourceConfig::Demo => {
            let demo = start_demo(config).await?;
            let target = target_on_demo(config, &demo);
            Ok((Some(demo), target))
        }
        SourceConfig::Ami(ami) => {
            let secret = match secret {
                Some(s) => s,
                None => ami_secret(ami)
                    .await?
                    .ok_or_else(|| RuntimeError::NoSecret { username: ami.username.clone(), env: AMI_SECRET_ENV })?,
            };
            let mut options =
                ConnectOptions::new(format!("{}:{}", ami.host, ami.port), ami.username.clone(), Secret::new(secret));
            options.ping_interval = std::time::Duration::from_secs(ami.ping_interval_secs.max(1));
            options.connect_timeout = std::time::Duration::from_secs(ami.connect_timeout_secs.max(1));
            let recording = ringside_ami::RecordingLink {
                variable: ami.recording_variable.clone(),
                url_template: ami.recording_url.clone(),
            };
            let desk = desk_for(config, ami.originate_context.clone(), Some(recording));
            Ok((None, source::Target::Ami(ami_source::AmiTarget { options, desk })))
        }
        SourceConfig::Nats(nats) => {
            let password = match &nats.user {
                Some(user) => Some(
                    nats_secret(user)
                        .await?
                        .ok_or_else(|| RuntimeError::NoNatsSecret { user: user.clone(), env: NATS_SECRET_ENV })?,
                ),
                None => None,
            };
            let target = nats_source::NatsTarget {
                servers: nats.servers.clone(),
                tenant: nats.tenant.clone(),
                extension: config.agent.extension.clone(),
                user: nats.user.clone(),
                password,
                team: config.supervisor.enabled.then(|| config.supervisor.queues.clone()),
            };
            Ok((None, source::Target::Nats(target)))
        }
    }
}

/// Environment variable holding the relay's NATS password where no keychain entry exists.
pub const NATS_SECRET_ENV: &str = "RINGSIDE_NATS_SECRET";

/// The NATS password of `user`: from the OS keychain (`nats:<user>`), else [`NATS_SECRET_ENV`].
pub async fn nats_secret(user: &str) -> Result<Option<String>, RuntimeError> {
    let key = ringside_secrets::SecretKey::named("nats", user);
    let found = tokio::task::spawn_blocking(move || {
        ringside_secrets::resolve(&ringside_secrets::SecretStore::os(), &key, NATS_SECRET_ENV)
    })
    .await
    .map_err(|_| RuntimeError::Stopped)??;
    Ok(found.map(|s| s.expose().to_string()))
}

/// The source's target on the embedded demo PBX this run already has.
fn target_on_demo(config: &Config, demo: &Demo) -> source::Target {
    let options = ConnectOptions::new(demo.addr.to_string(), DEMO_USER, Secret::new(demo.secret.clone()));
    source::Target::Ami(ami_source::AmiTarget {
        options,
        desk: desk_for(config, DEMO_ORIGINATE_CONTEXT.to_string(), None),
    })
}

fn desk_for(
    config: &Config,
    originate_context: String,
    recording: Option<ringside_ami::RecordingLink>,
) -> ami_source::Desk {
    let name = config.agent.name.clone().unwrap_or_else(|| format!("Agent {}", config.agent.extension));
    ami_source::Desk {
        identity: AgentIdentity::new(config.agent.extension.clone(), config.agent.interfaces.clone()),
        originate_context,
        // Quotes would end the CallerID name early: the name is the agent's own, but still text.
        caller_id: format!("\"{}\" <{}>", name.replace('"', "'"), config.agent.extension),
        recording,
    }
}

/// What the runtime builds from the config beside its tasks. Settings saved while Ringside
/// runs replace it whole ([`RuntimeHandle::reconfigure`]); a command in flight finishes with
/// the parts it started with.
struct Parts {
    config: Config,
    setup: std::sync::Arc<DeskSetup>,
    me: std::sync::Arc<supervisor::Me>,
    dialer: std::sync::Arc<Dialer>,
    creator: create::Creator,
    lookup: Sources,
    history: history::HistoryHandle,
    demo_addr: Option<SocketAddr>,
}

impl Parts {
    /// `history`: the running history to keep, else a new one is started.
    async fn build(
        config: Config,
        demo_addr: Option<SocketAddr>,
        outputs: &broadcast::Sender<SessionOutput>,
        history: Option<history::HistoryHandle>,
    ) -> Parts {
        let lookup = customers::sources(&config).await;
        let dialer = std::sync::Arc::new(Dialer::new(&config.dial, &config.directory.region).await);
        let crms = crm_connectors(&config).await;
        let history = match history {
            Some(history) => history,
            None => start_history(&config, crms.clone(), dialer.pbx_connection(), outputs.clone()),
        };
        let creator = create::Creator::new(crms, lookup.clone(), Some(history.clone()));
        let setup = std::sync::Arc::new(DeskSetup::of(&config));
        let me = std::sync::Arc::new(supervisor::Me {
            extension: config.agent.extension.clone(),
            name: config.agent.name.clone(),
        });
        Parts { config, setup, me, dialer, creator, lookup, history, demo_addr }
    }

    fn helpers(&self) -> session_task::Helpers {
        session_task::Helpers {
            lookup: self.lookup.clone(),
            history: self.history.clone(),
            creator: self.creator.clone(),
            setup: self.setup.clone(),
        }
    }

    /// What the history thread was started with: when this changes, it starts again.
    fn history_key(config: &Config) -> impl PartialEq {
        (
            config.history.resolved_path(),
            config.agent.extension.clone(),
            config.agent.name.clone(),
            config.lookup.crm.clone(),
            config.directory.region.clone(),
            config.dial.clone(),
        )
    }
}

/// What [`RuntimeHandle::reconfigure`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct Reconfigured {
    /// The source connects again (another PBX, port, user, secret or agent).
    pub reconnected: bool,
}

/// Every configured CRM with its key, for writing: call logs and new customers (each request
/// bounded by the write-back's time, not the lookup's).
async fn crm_connectors(config: &Config) -> Vec<ringside_crm::Connector> {
    let mut crms = Vec::new();
    for crm in &config.lookup.crm {
        match customers::connector(crm, history::WRITE_TIMEOUT).await {
            Ok(c) => crms.push(c),
            Err(e) => tracing::warn!(error = %e, "this CRM will not get call logs or new customers"),
        }
    }
    crms
}

/// The history file and the CRMs that take call logs (with their keys).
/// `pbx_connection`: the connection calls the PBX reports are on, unless Ringside placed them
/// over another.
fn start_history(
    config: &Config,
    crms: Vec<ringside_crm::Connector>,
    pbx_connection: Option<String>,
    outputs: broadcast::Sender<SessionOutput>,
) -> history::HistoryHandle {
    let ctx = ringside_history::CallContext {
        agent_extension: config.agent.extension.clone(),
        agent_name: config.agent.name.clone(),
        connection: pbx_connection,
        dialed_number: None,
    };
    let numbers = ringside_lookup::LookupConfig::for_region(&config.directory.region);
    history::HistoryHandle::start(config.history.resolved_path(), ctx, crms, numbers, outputs)
}

/// The lookup's sources as the config sets them up (the directory, the CRMs with their keys),
/// for tools that look numbers up without running a session.
pub async fn lookup_sources(config: &Config) -> Sources {
    customers::sources(config).await
}

/// "Create customer" without a call card, for tools (`ringside-cli customers create`): the
/// directory and the CRMs as the config sets them up, with their keys.
pub struct NewCustomers {
    creator: create::Creator,
}

impl NewCustomers {
    pub async fn open(config: &Config) -> NewCustomers {
        let sources = customers::sources(config).await;
        let crms = crm_connectors(config).await;
        // No history: nothing is created by itself here.
        NewCustomers { creator: create::Creator::new(crms, sources, None) }
    }

    /// As [`RuntimeHandle::create_targets`].
    pub fn targets(&self) -> Vec<CreateTarget> {
        self.creator.targets()
    }

    /// Creates a customer with `number` in `target`, as [`RuntimeHandle::create_customer`] does
    /// for a card. `request` stands in for the call: the same request (the same `request`,
    /// target, number, name and company) sent again is recognised by a CRM that got it before.
    pub async fn create(
        &self,
        request: &str,
        target: &str,
        number: &str,
        name: &str,
        company: Option<&str>,
    ) -> Result<CustomerMatch, RuntimeError> {
        self.creator.create(&CallId::new(request), target, number, name, company).await
    }
}

/// The AMI secret for `ami`: from the OS keychain, else from [`AMI_SECRET_ENV`].
pub async fn ami_secret(ami: &ringside_config::AmiConfig) -> Result<Option<String>, RuntimeError> {
    let key = ringside_secrets::SecretKey::ami(&ami.username, &ami.host, ami.port);
    // The keychain API blocks (D-Bus, Keychain, Credential Manager): keep it off the runtime.
    let found = tokio::task::spawn_blocking(move || {
        ringside_secrets::resolve(&ringside_secrets::SecretStore::os(), &key, AMI_SECRET_ENV)
    })
    .await
    .map_err(|_| RuntimeError::Stopped)??;
    Ok(found.map(|s| s.expose().to_string()))
}

/// The demo PBX this run talks to.
struct Demo {
    /// Ours to stop; `None` when the config named an address where one already listened.
    pbx: Option<DemoPbx>,
    addr: SocketAddr,
    secret: String,
    /// Where this run announced its demo to the user's tools (removed when it stops).
    announced: Option<(ringside_demo_pbx::DemoEndpoint, std::path::PathBuf)>,
}

/// Starts the embedded demo PBX. With no `[demo] listen` it is Ringside's own: a secret made
/// for this run, the default port if free (else any free loopback port), never a PBX someone
/// else left listening there; the address and secret go to a file only this user can read, for
/// `ringside-cli`. With `listen` set, a demo PBX already listening there (`ringside-cli
/// demo-pbx`) is used with the public demo secret.
async fn start_demo(config: &Config) -> Result<Demo, RuntimeError> {
    let scenario = match &config.demo.scenario {
        Some(path) => Some(ringside_demo_pbx::Scenario::load(path)?),
        None => None,
    };
    let demo_config = |listen, secret: &str| DemoPbxConfig {
        listen,
        secret: secret.to_string(),
        ring_every: config.demo.ring_every_secs.map(std::time::Duration::from_secs),
        scenario: scenario.clone(),
        ..DemoPbxConfig::default()
    };
    if let Some(listen) = config.demo.listen {
        return match DemoPbx::start(demo_config(listen, DEMO_SECRET)).await {
            Ok(pbx) => {
                let addr = pbx.local_addr();
                tracing::info!(%addr, "embedded demo PBX listening");
                Ok(Demo { pbx: Some(pbx), addr, secret: DEMO_SECRET.to_string(), announced: None })
            }
            Err(e) if tokio::net::TcpStream::connect(listen).await.is_ok() => {
                tracing::info!(addr = %listen, error = %e, "using the demo PBX already listening there");
                Ok(Demo { pbx: None, addr: listen, secret: DEMO_SECRET.to_string(), announced: None })
            }
            Err(e) => Err(e.into()),
        };
    }
    let secret = ringside_demo_pbx::DemoEndpoint::new_secret();
    let pbx = match DemoPbx::start(demo_config(ringside_config::DEFAULT_DEMO_LISTEN, &secret)).await {
        Ok(pbx) => pbx,
        Err(e) => {
            tracing::info!(error = %e, "the default demo port is taken; the demo PBX takes another");
            let any = SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
            DemoPbx::start(demo_config(any, &secret)).await?
        }
    };
    let addr = pbx.local_addr();
    tracing::info!(%addr, "embedded demo PBX listening (secret for this run only)");
    let endpoint = ringside_demo_pbx::DemoEndpoint { addr, secret: secret.clone() };
    let announced = match ringside_config::demo_endpoint_path() {
        Some(path) => match endpoint.publish(&path) {
            Ok(()) => Some((endpoint, path)),
            Err(e) => {
                tracing::warn!(error = %e, path = %path.display(), "ringside-cli will not find the demo PBX");
                None
            }
        },
        None => None,
    };
    Ok(Demo { pbx: Some(pbx), addr, secret, announced })
}

/// Stops the embedded demo PBX this run started, and withdraws its announcement.
async fn stop_demo(demo: Option<Demo>) {
    let Some(demo) = demo else { return };
    if let Some((endpoint, path)) = &demo.announced {
        endpoint.withdraw(path);
    }
    if let Some(pbx) = demo.pbx {
        pbx.shutdown().await;
    }
}

/// `*` and `#` make a number a PBX or network service code (forwarding, voicemail, …).
pub fn has_service_characters(number: &str) -> bool {
    number.contains(['*', '#'])
}

/// A cheap handle to the running session; clone it freely.
#[derive(Clone)]
pub struct RuntimeHandle {
    parts: std::sync::Arc<std::sync::RwLock<std::sync::Arc<Parts>>>,
    session: mpsc::Sender<SessionMsg>,
    source: mpsc::Sender<ami_source::SourceMsg>,
    outputs: broadcast::Sender<SessionOutput>,
    first_rx: std::sync::Arc<std::sync::Mutex<Option<broadcast::Receiver<SessionOutput>>>>,
    demo: std::sync::Arc<Mutex<Option<Demo>>>,
    observe_only: bool,
    /// The AMI secret a tool gave at start (else the keychain's is read at each connect).
    given_secret: Option<String>,
    /// One settings change at a time.
    reconfiguring: std::sync::Arc<Mutex<()>>,
}

impl RuntimeHandle {
    fn parts(&self) -> std::sync::Arc<Parts> {
        match self.parts.read() {
            Ok(parts) => parts.clone(),
            // A panic while swapping left the old parts: still whole.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The settings the runtime runs on now.
    pub fn config(&self) -> Config {
        self.parts().config.clone()
    }

    /// Applies new settings without a restart: the cards, notes and agent state stay. A changed
    /// source (kind, host, port, user, agent, demo) — or `secrets_changed`, a secret stored or
    /// removed in the keychain — first undoes Ringside's own wrap-up pause on the old PBX, then
    /// connects again; changed CRMs are asked from the next lookup on; the session's and the card
    /// window's rules apply to the next call.
    pub async fn reconfigure(&self, config: Config, secrets_changed: bool) -> Result<Reconfigured, RuntimeError> {
        let _one = self.reconfiguring.lock().await;
        let old = self.parts();
        let source_changed = secrets_changed
            || config.source != old.config.source
            || config.demo != old.config.demo
            || config.agent.extension != old.config.agent.extension
            || config.agent.interfaces != old.config.agent.interfaces
            || config.agent.name != old.config.agent.name
            || config.supervisor.enabled != old.config.supervisor.enabled
            || config.supervisor.queues != old.config.supervisor.queues;
        // The new target first: a missing secret or a demo that cannot start leaves everything
        // as it was.
        let mut demo_addr = old.demo_addr;
        let mut new_demo = None;
        let target = if source_changed {
            let keep_demo = matches!(config.source, SourceConfig::Demo)
                && matches!(old.config.source, SourceConfig::Demo)
                && config.demo == old.config.demo;
            if keep_demo {
                let demo = self.demo.lock().await;
                let Some(demo) = demo.as_ref() else { return Err(RuntimeError::Stopped) };
                Some(target_on_demo(&config, demo))
            } else {
                let (demo, target) = source_target(&config, self.given_secret.clone()).await?;
                demo_addr = demo.as_ref().map(|d| d.addr);
                new_demo = Some(demo);
                Some(target)
            }
        } else {
            None
        };
        let history = (Parts::history_key(&config) == Parts::history_key(&old.config) && !secrets_changed)
            .then(|| old.history.clone());
        let restart_history = history.is_none();
        let parts = std::sync::Arc::new(Parts::build(config, demo_addr, &self.outputs, history).await);
        let observe_only = self.observe_only;
        let (reply, done) = oneshot::channel();
        let msg = SessionMsg::Reconfigure {
            session: session_config(&parts.config, observe_only),
            popup: parts.config.popup_config(),
            helpers: parts.helpers(),
            reply,
        };
        self.session.send(msg).await.map_err(|_| RuntimeError::Stopped)?;
        done.await.map_err(|_| RuntimeError::Stopped)?;
        match self.parts.write() {
            Ok(mut current) => *current = parts,
            Err(poisoned) => *poisoned.into_inner() = parts,
        }
        if restart_history {
            old.history.shutdown();
        }
        if let Some(target) = target {
            // Never leave the agent paused by Ringside on a PBX it is leaving.
            let (released, done) = oneshot::channel();
            if self.session.send(SessionMsg::Release(released)).await.is_ok() {
                let _ = done.await;
            }
            let (reply, done) = oneshot::channel();
            let msg = ami_source::SourceMsg::Retarget { target: Box::new(target), reply };
            self.source.send(msg).await.map_err(|_| RuntimeError::Stopped)?;
            let _ = done.await;
            if let Some(demo) = new_demo {
                let old_demo = std::mem::replace(&mut *self.demo.lock().await, demo);
                stop_demo(old_demo).await;
            }
        }
        Ok(Reconfigured { reconnected: source_changed })
    }

    /// Every change from now on; the first call gets every change since the runtime started.
    /// A receiver that lags gets `Lagged`: take a new snapshot then.
    pub fn subscribe(&self) -> broadcast::Receiver<SessionOutput> {
        let first = self.first_rx.lock().ok().and_then(|mut f| f.take());
        first.unwrap_or_else(|| self.outputs.subscribe())
    }

    pub async fn snapshot(&self) -> Snapshot {
        let (tx, rx) = oneshot::channel();
        if self.session.send(SessionMsg::Snapshot(tx)).await.is_ok() {
            if let Ok(s) = rx.await {
                return s;
            }
        }
        Snapshot {
            agent: AgentState::LoggedOut,
            source: SourceStatus::Disconnected {
                reason: ringside_core::ErrorReport::of(&RuntimeError::Stopped),
                since: ringside_core::Timestamp::now(),
            },
            cards: Vec::new(),
            team: Vec::new(),
            popup: ringside_core::PopupView::default(),
            setup: self.desk_setup(),
        }
    }

    /// "Accepting calls" on or off; the PBX's confirmation changes the agent state.
    pub async fn set_accepting_calls(&self, accepting: bool, reason: Option<String>) -> Result<(), RuntimeError> {
        self.ask(|reply| SessionMsg::SetAccepting { accepting, reason, reply }).await
    }

    pub async fn log_in(&self) -> Result<(), RuntimeError> {
        self.ask(|reply| SessionMsg::LogIn { reply }).await
    }

    pub async fn log_out(&self) -> Result<(), RuntimeError> {
        self.ask(|reply| SessionMsg::LogOut { reply }).await
    }

    pub async fn finish_wrap_up(&self, result: WrapUpResult) -> Result<(), RuntimeError> {
        self.ask(|reply| SessionMsg::FinishWrapUp { result, reply }).await
    }

    /// Click-to-call: the PBX rings the agent's phone, then dials `number`. Returns once the
    /// agent answered and the number is being dialed, or with the PBX's reason in words.
    pub async fn originate(&self, number: &str) -> Result<(), RuntimeError> {
        let number = ringside_core::number::dialable(number)?;
        self.ask_source(|reply| ami_source::SourceMsg::Originate { number, reply }).await
    }

    /// Who `number` belongs to, as a card would show it (the cache is used).
    pub async fn find_customers(&self, number: &str) -> ringside_core::LookupOutcome {
        self.parts().lookup.find(number, false).await
    }

    /// Whether a `tel:` link clicked elsewhere asks before dialing.
    pub fn confirm_links(&self) -> bool {
        self.parts().dialer.confirm_links()
    }

    /// The call's note as the agent has typed it so far; call it as they type (debounced). A
    /// disk that cannot take it keeps the text in memory and the error says so.
    /// Every window hears of it (`SessionOutput::Note`), also when the disk kept it only in
    /// memory: the text is not lost, and the windows must not disagree about it.
    pub async fn save_note(&self, call: CallId, text: String) -> Result<(), RuntimeError> {
        let change = ringside_core::NoteChange { call_id: call.clone(), text: text.clone() };
        let saved = self.parts().history.save_note(call, text).await;
        let kept = saved.as_ref().err().is_some_and(|e| ringside_core::ErrorCode::code(e) == "history.not_saved_kept");
        if saved.is_ok() || kept {
            let _ = self.outputs.send(SessionOutput::Note(change));
        }
        saved
    }

    /// The call's note, if any.
    pub async fn note(&self, call: CallId) -> Result<Option<String>, RuntimeError> {
        self.parts().history.note(call).await
    }

    /// The newest calls in the history, with their notes and CRM write-back state.
    pub async fn recent_calls(&self, limit: usize) -> Result<Vec<ringside_history::CallRecord>, RuntimeError> {
        self.search_history(ringside_history::HistoryQuery { limit, ..Default::default() }).await
    }

    /// The calls in the history that match `query` (words, missed only, direction, outcome,
    /// dates, agent, connection, call id), newest first.
    pub async fn search_history(
        &self,
        query: ringside_history::HistoryQuery,
    ) -> Result<Vec<ringside_history::CallRecord>, RuntimeError> {
        self.parts().history.search(query).await
    }

    /// The agents the history has calls of, for the History's agent filter: one per extension,
    /// its newest call first, with the name of its newest call that had one. Send the
    /// extension as `HistoryQuery::agent`.
    pub async fn history_agents(&self) -> Result<Vec<ringside_history::AgentSeen>, RuntimeError> {
        self.parts().history.agents().await
    }

    /// The connections the history has calls on, for the History's connection filter, newest
    /// call first.
    pub async fn history_connections(&self) -> Result<Vec<ringside_history::ConnectionSeen>, RuntimeError> {
        self.parts().history.connections().await
    }

    /// Callers who are waiting for a call back (missed in the last 7 days and not reached
    /// since), newest first; their count is also sent as `SessionOutput::MissedCalls`.
    pub async fn call_backs(&self) -> Result<Vec<ringside_history::Callback>, RuntimeError> {
        self.parts().history.call_backs().await
    }

    /// Where the call's recording can be listened to: an http(s) address the PBX named, never
    /// one the window made up.
    pub async fn recording_url(&self, call: CallId) -> Result<String, RuntimeError> {
        let record = self.parts().history.call(call).await?;
        record.and_then(|r| r.recording_url).ok_or(RuntimeError::NoRecording)
    }

    /// The CRM page of the customer a past call was with, as the history stored it (the
    /// desk's "Open in CRM" on a history row; the address never comes from the window).
    pub async fn history_customer_page(&self, call: CallId) -> Result<String, RuntimeError> {
        let record = self.parts().history.call(call).await?.ok_or(RuntimeError::NoSuchCall)?;
        let customer = record.customer.ok_or(RuntimeError::NoCustomerPage(record.number_raw.clone()))?;
        match customer.url {
            Some(url) if ringside_text::WebUrl::parse(&url).is_ok() => Ok(url),
            _ => Err(RuntimeError::NoCustomerPage(customer.name)),
        }
    }

    /// The agent dealt with a caller on the call-back list (by the number's digits).
    pub async fn mark_called_back(&self, number_normalized: &str) -> Result<(), RuntimeError> {
        self.parts().history.called_back(number_normalized.to_string()).await
    }

    /// The agent's telephony connections, the default marked.
    pub fn connections(&self) -> Vec<ConnectionSummary> {
        self.parts().dialer.summaries()
    }

    /// How a call to `number` over `via` (else the default connection) would be placed.
    pub fn dial_route(&self, number: &str, via: Option<&str>) -> Result<Route, RuntimeError> {
        self.parts().dialer.route(number, via)
    }

    /// Calls `number` over `via` (else the default connection): the softphone is started, the
    /// provider or the PBX asked. Returns when that happened, or why it could not.
    pub async fn dial(&self, number: &str, via: Option<&str>) -> Result<(), RuntimeError> {
        let route = self.parts().dialer.route(number, via)?;
        if let Route::Desktop { link_handler: true, number, .. } = &route {
            self.parts().dialer.handing_to_link_handler(number);
        }
        let dial = history::Dial {
            connection: self.parts().dialer.connection_name(via),
            dialed: route.number().to_string(),
            at: ringside_core::Timestamp::now(),
        };
        // Told before the call is placed: the PBX may report it before `originate` returns.
        self.parts().history.dialed(dial);
        match route {
            Route::Pbx { number } => self.originate(&number).await,
            route => route.place_off_pbx().await,
        }
    }

    /// As [`Self::dial`], for a number that came from a stranger (a caller ID, a link clicked
    /// elsewhere) and was not confirmed by the agent: one with `*` or `#` — a PBX service code
    /// such as `*72…` call forwarding — is refused with [`RuntimeError::ServiceCode`] until the
    /// agent confirms it.
    pub async fn dial_unconfirmed(&self, number: &str, via: Option<&str>) -> Result<(), RuntimeError> {
        if has_service_characters(number) {
            return Err(RuntimeError::ServiceCode { number: number.to_string() });
        }
        self.dial(number, via).await
    }

    /// Whether a `tel:` link for `number` is Ringside's own hand-over to the desktop's link
    /// handler coming back (the handler is Ringside): dialing it would loop.
    pub fn link_came_back(&self, number: &str) -> bool {
        self.parts().dialer.came_back(number)
    }

    /// "Test connection" of a dialing connection: what a call to `number` over `via` would do
    /// (the program and its arguments, or the provider's request with its secret masked),
    /// without placing it.
    pub fn test_dial(&self, number: &str, via: Option<&str>) -> Vec<settings::CheckStep> {
        use settings::{CheckOutcome, CheckStep};
        let described = self.dial_route(number, via).and_then(|route| route.describe());
        match described {
            Ok(plan) => vec![CheckStep { step: "plan".into(), outcome: CheckOutcome::Pass, detail: plan }],
            Err(e) => vec![CheckStep { step: "plan".into(), outcome: CheckOutcome::Fail, detail: e.to_string() }],
        }
    }

    /// Hangs up the agent's current call (the card stays open).
    pub async fn hangup(&self) -> Result<(), RuntimeError> {
        let snapshot = self.snapshot().await;
        let call = snapshot.agent.current_call().cloned().ok_or(RuntimeError::NoSuchCall)?;
        self.ask_source(|reply| ami_source::SourceMsg::Hangup { call, reply }).await
    }

    /// Supervisor: pause or unpause a queue member, in one queue or all of theirs.
    pub async fn set_member_paused(
        &self,
        interface: &str,
        queue: Option<&str>,
        paused: bool,
        reason: Option<String>,
    ) -> Result<(), RuntimeError> {
        let (interface, queue) = (interface.to_string(), queue.map(str::to_string));
        self.ask_source(|reply| ami_source::SourceMsg::SetMemberPaused { interface, queue, paused, reason, reply })
            .await
    }

    /// Asks every source about the card's number again, past the cache (the card said
    /// "lookup failed").
    pub async fn retry_lookup(&self, call: CallId) -> Result<(), RuntimeError> {
        self.ask(|reply| SessionMsg::RetryLookup { call, reply }).await
    }

    /// The agent says which of the card's customers is calling. The card lists them first at
    /// once; the pick is remembered for the number, so the next call opens on them.
    pub async fn choose_customer(&self, call: CallId, source: &str, customer: &str) -> Result<(), RuntimeError> {
        let (source, customer) = (source.to_string(), customer.to_string());
        self.ask(|reply| SessionMsg::ChooseCustomer { call, source, customer, reply }).await
    }

    /// The agent binds the call to one of `customer`'s open deals (`deal`: its id as the card's
    /// orders have it; `None`: to the customer alone), until the card closes. The customer
    /// becomes the chosen one; the call's record and the CRM write-back follow. Errors:
    /// `card.gone`; `card.no_such_deal` (the customer or the deal is no longer on the card).
    pub async fn bind_deal(
        &self,
        call: CallId,
        source: &str,
        customer: &str,
        deal: Option<&str>,
    ) -> Result<(), RuntimeError> {
        let (source, customer, deal) = (source.to_string(), customer.to_string(), deal.map(str::to_string));
        self.ask(|reply| SessionMsg::BindDeal { call, source, customer, deal, reply }).await
    }

    /// Where "Create customer" can put a caller: `"directory"` (when the directory could be
    /// opened), then every CRM that can create (REST with `create_url`, Bitrix24), in the
    /// config's order.
    pub fn create_targets(&self) -> Vec<CreateTarget> {
        self.parts().creator.targets()
    }

    /// "Create customer": puts the card's caller, with the card's number, in `target`
    /// (`"directory"` or a CRM's name from [`Self::create_targets`]). The created customer is
    /// returned and becomes the card's first, chosen customer from that source, remembered as the
    /// pick for the number.
    ///
    /// Errors: `customer.no_name`; `customer.no_such_target`; `customer.create_in_progress` (a
    /// click on this card and target is under way); `crm.create_failed` (the CRM is down, timed
    /// out, refused: nothing was created in its place, and the error carries the name and company
    /// typed; pressing Create again with the same text is the same request, so a CRM that got the
    /// first one creates no second customer); the directory's `customer.not_saved`,
    /// `directory.unavailable`; `card.gone`.
    pub async fn create_customer(
        &self,
        call: CallId,
        target: &str,
        name: &str,
        company: Option<&str>,
    ) -> Result<CustomerMatch, RuntimeError> {
        let (target, name, company) = (target.to_string(), name.to_string(), company.map(str::to_string));
        let (reply, rx) = oneshot::channel();
        let msg = SessionMsg::CreateCustomer { call, target, name, company, reply };
        self.session.send(msg).await.map_err(|_| RuntimeError::Stopped)?;
        rx.await.map_err(|_| RuntimeError::Stopped)?
    }

    /// "Add order": the CRM's page for a new order or deal of a customer on an open card (from
    /// its `new_order_url`, or Bitrix24's new-deal page with the contact or company), for the
    /// browser. Never an address the window made up. `customer.no_order_page` when there is none
    /// (the directory, a CRM without `new_order_url`, a Bitrix24 lead); `card.gone` when the card
    /// or the customer is not open.
    pub async fn new_order_url(&self, call: &CallId, source: &str, customer: &str) -> Result<WebUrl, RuntimeError> {
        let snapshot = self.snapshot().await;
        let card = snapshot.cards.iter().find(|c| &c.call_id == call).ok_or(RuntimeError::NoSuchCard)?;
        if !card.customers.iter().any(|c| c.is(source, customer)) {
            return Err(RuntimeError::NoSuchCard);
        }
        self.parts().creator.new_order_url(&card.number, source, customer).await
    }

    /// The CRM page of a customer on an open card: an http(s) address, never one the window
    /// made up.
    pub async fn customer_page(&self, call: &CallId, source: &str, customer: &str) -> Result<String, RuntimeError> {
        let snapshot = self.snapshot().await;
        let card = snapshot.cards.iter().find(|c| &c.call_id == call).ok_or(RuntimeError::NoSuchCard)?;
        let found = card.customers.iter().find(|c| c.is(source, customer)).ok_or(RuntimeError::NoSuchCard)?;
        match &found.url {
            Some(url) if ringside_text::WebUrl::parse(url).is_ok() => Ok(url.clone()),
            _ => Err(RuntimeError::NoCustomerPage(found.name.clone())),
        }
    }

    /// The agent closes an ended card.
    pub async fn dismiss(&self, call: CallId) {
        let _ = self.session.send(SessionMsg::Dismiss(call)).await;
    }

    /// The agent closes one card in the card window (the call's card stays in the main
    /// window). It does not open again by itself; [`Self::show_popup_call`] brings it back.
    pub async fn dismiss_popup(&self, call: CallId) -> Result<(), RuntimeError> {
        self.popup(PopupAction::Dismiss(call)).await
    }

    /// The agent closes the card window: every card in it closes; the next call opens it again.
    pub async fn hide_popup(&self) -> Result<(), RuntimeError> {
        self.popup(PopupAction::Hide).await
    }

    /// The tray's "show the card": the agent's current call's card (else the latest call's)
    /// comes back on top of the card window, full size. Nothing happens when there was no call.
    pub async fn show_popup(&self) -> Result<(), RuntimeError> {
        self.popup(PopupAction::Show(None)).await
    }

    /// Brings `call`'s card back on top of the card window, full size (the incoming-call
    /// notification's "Show"); [`RuntimeError::NoSuchCard`] when the session no longer has it.
    pub async fn show_popup_call(&self, call: CallId) -> Result<(), RuntimeError> {
        self.popup(PopupAction::Show(Some(call))).await
    }

    /// Shrinks the card window to a bar, or back. It comes back full size when it empties.
    pub async fn set_popup_compact(&self, compact: bool) -> Result<(), RuntimeError> {
        self.popup(PopupAction::Compact(compact)).await
    }

    async fn popup(&self, action: PopupAction) -> Result<(), RuntimeError> {
        self.ask(|reply| SessionMsg::Popup { action, reply }).await
    }

    /// Where the embedded demo PBX listens, when Ringside runs on it.
    pub fn demo_pbx_addr(&self) -> Option<SocketAddr> {
        self.parts().demo_addr
    }

    /// Stops everything. First undoes what Ringside did on the PBX by itself (its wrap-up
    /// pause), waiting for the PBX at most a few seconds, so the agent is never left paused.
    pub async fn shutdown(&self) {
        let (released, done) = oneshot::channel();
        if self.session.send(SessionMsg::Release(released)).await.is_ok() {
            let _ = done.await;
        }
        let _ = self.source.send(ami_source::SourceMsg::Shutdown).await;
        let _ = self.session.send(SessionMsg::Shutdown).await;
        self.parts().history.shutdown();
        let demo = self.demo.lock().await.take();
        stop_demo(demo).await;
    }

    async fn ask_source(
        &self,
        msg: impl FnOnce(oneshot::Sender<Result<(), RuntimeError>>) -> ami_source::SourceMsg,
    ) -> Result<(), RuntimeError> {
        let (tx, rx) = oneshot::channel();
        self.source.send(msg(tx)).await.map_err(|_| RuntimeError::Stopped)?;
        rx.await.map_err(|_| RuntimeError::Stopped)?
    }

    async fn ask(
        &self,
        msg: impl FnOnce(oneshot::Sender<Result<(), RuntimeError>>) -> SessionMsg,
    ) -> Result<(), RuntimeError> {
        let (tx, rx) = oneshot::channel();
        self.session.send(msg(tx)).await.map_err(|_| RuntimeError::Stopped)?;
        rx.await.map_err(|_| RuntimeError::Stopped)?
    }
}

#[cfg(test)]
mod busy_tests {
    use ringside_core::agent_state::Availability;
    use ringside_core::session::SourceStatus;
    use ringside_core::{AgentState, CallId, Timestamp};

    use super::Snapshot;

    fn with(agent: AgentState) -> Snapshot {
        Snapshot {
            agent,
            source: SourceStatus::Connecting,
            cards: Vec::new(),
            team: Vec::new(),
            popup: Default::default(),
            setup: Default::default(),
        }
    }

    #[test]
    fn an_update_waits_while_a_call_rings_goes_on_or_is_wrapped_up() {
        let call = || CallId::new("1.1");
        let since = Timestamp(1);
        for busy in [
            AgentState::Ringing { call: call(), since, resume: Availability::Available },
            AgentState::OnCall { call: call(), since, resume: Availability::Available },
            AgentState::WrapUp { call: None, since, ends_at: None, resume: Availability::Available },
        ] {
            assert!(with(busy.clone()).busy_with_a_call(), "{busy:?}");
        }
        for idle in [AgentState::LoggedOut, AgentState::Available { since }, AgentState::Paused { reason: None, since }]
        {
            assert!(!with(idle.clone()).busy_with_a_call(), "{idle:?}");
        }
    }
}
