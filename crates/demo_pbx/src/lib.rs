//! The built-in demo PBX: a real Asterisk Manager Interface server on loopback that behaves
//! like the Asterisk 22 recorded in `shared/ami/*.ami`, so the desktop app and the CLI run the
//! real AMI path with no PBX installed.
//!
//! The simulated call center is the one in the transcripts: agents 100 ("Agent 100",
//! `Local/100@agents`) and 101, queue `support` at number 600 (ringall, both members). Calls
//! are Local channel pairs named and numbered as Asterisk names them; every leg of one call
//! carries the first channel's `Uniqueid` as its `Linkedid`.
//!
//! Calls start from [`DemoPbx::ring`], from any AMI session that sends
//! `Action: Originate` with `Channel: Local/<to>@inbound` (what [`place_call`] and
//! `ringside-cli demo-pbx call` send), from the timer ([`DemoPbxConfig::ring_every`]) or from a
//! [`Scenario`]. Click-to-call is `Action: Originate` of `Local/<ext>@agents`, as in
//! `e_originate_click2call`.

mod callerid;
mod calls;
mod client;
mod endpoint;
mod scenario;
mod server;
mod state;
mod timefmt;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use client::place_call;
pub use endpoint::DemoEndpoint;
pub use scenario::{Scenario, ScenarioStep};

/// The secret every demo user logs in with (any user name is accepted).
pub const DEMO_SECRET: &str = "demo";

/// The port the demo PBX listens on by default (Asterisk's is 5038).
pub const DEFAULT_PORT: u16 = 15038;

/// Callers the timer picks from, as a person would type them. The caller ID the PBX sends is
/// `"<as typed>" <digits and plus>`, as in the recorded transcripts.
pub const DEMO_CALLERS: &[&str] = &[
    "+380 44 123 4567",
    "+380 67 765 4321",
    "+380 50 555 0101",
    "+380 93 222 3344",
    "+44 20 7946 0958",
    "+1 212 555 0147",
];

/// One simulated agent: a phone that answers after a delay (or never).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAgent {
    /// The extension, e.g. `100`; the queue member interface is `Local/<ext>@agents`.
    pub ext: String,
    /// The queue member name, e.g. `Agent 100`.
    pub name: String,
    /// How long the phone rings before the agent answers; `None` never answers.
    pub answer_after: Option<Duration>,
}

impl DemoAgent {
    pub fn new(ext: impl Into<String>, answer_after: Option<Duration>) -> Self {
        let ext = ext.into();
        Self { name: format!("Agent {ext}"), ext, answer_after }
    }

    /// The queue member interface, `Local/<ext>@agents`.
    pub fn interface(&self) -> String {
        format!("Local/{}@agents", self.ext)
    }
}

/// The one queue (strategy ringall).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoQueue {
    /// The queue name, e.g. `support`.
    pub name: String,
    /// The number callers dial, e.g. `600`.
    pub number: String,
    /// Extensions of the static members, in order.
    pub members: Vec<String>,
}

/// Everything the demo PBX needs; `Default` is the call center of the transcripts at real-time
/// pace on `127.0.0.1:15038`.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoPbxConfig {
    /// Where to listen; port 0 picks a free port (see [`DemoPbx::local_addr`]).
    pub listen: SocketAddr,
    /// Pace: 1.0 is real time, 10.0 runs every delay ten times faster (for tests and demos).
    pub speed: f64,
    /// Ring a random caller from [`DEMO_CALLERS`] to [`Self::ring_to`] this often (scaled by
    /// `speed`); `None` rings only on demand.
    pub ring_every: Option<Duration>,
    /// Where timer calls go: an agent extension or the queue number. Default `600`.
    pub ring_to: String,
    /// Calls to play at given offsets from start.
    pub scenario: Option<Scenario>,
    /// The secret for every user name. Default [`DEMO_SECRET`].
    pub secret: String,
    /// The agents. Default: 100 answers after 3 s, 101 after 6 s.
    pub agents: Vec<DemoAgent>,
    /// The queue. Default `support` at 600 with members 100 and 101.
    pub queue: DemoQueue,
    /// How long a direct call to an extension rings before it is missed. Default 8 s.
    pub dial_timeout: Duration,
    /// How long a queue caller waits for an agent before hanging up (abandon). Default 30 s.
    pub queue_timeout: Duration,
    /// How long the queue rings one member before giving up on them for this caller
    /// (`queues.conf` `timeout`): `AgentRingNoAnswer`, `DialEnd NOANSWER`. Default 15 s.
    pub member_ring_timeout: Duration,
    /// How long an answered call lasts before the customer hangs up. Default 5 s.
    pub talk_time: Duration,
    /// Click-to-call: how long the outside party's phone rings before they answer; `None`
    /// never answers. Default 2 s.
    pub outside_answer_after: Option<Duration>,
    /// Events queued for one client before it counts as too slow and is disconnected.
    pub client_queue: usize,
    /// Delay before a wrong secret is answered (Asterisk waits about a second). Scaled by
    /// `speed`.
    pub login_failure_delay: Duration,
    /// AMI user names whose manager.conf `write` lacks `agent`: their QueuePause, QueueAdd and
    /// QueueRemove are answered `Permission denied`, as Asterisk answers them. Default none.
    pub without_agent_write: Vec<String>,
}

impl Default for DemoPbxConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            speed: 1.0,
            ring_every: None,
            ring_to: "600".into(),
            scenario: None,
            secret: DEMO_SECRET.into(),
            agents: vec![
                DemoAgent::new("100", Some(Duration::from_secs(3))),
                DemoAgent::new("101", Some(Duration::from_secs(6))),
            ],
            queue: DemoQueue {
                name: "support".into(),
                number: "600".into(),
                members: vec!["100".into(), "101".into()],
            },
            dial_timeout: Duration::from_secs(8),
            queue_timeout: Duration::from_secs(30),
            member_ring_timeout: Duration::from_secs(15),
            talk_time: Duration::from_secs(5),
            outside_answer_after: Some(Duration::from_secs(2)),
            client_queue: 8192,
            login_failure_delay: Duration::from_secs(1),
            without_agent_write: Vec::new(),
        }
    }
}

#[derive(thiserror::Error, Debug)]
pub enum DemoPbxError {
    #[error("port {addr} is in use (is Ringside or another demo PBX already running?)")]
    AddrInUse { addr: SocketAddr },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the demo PBX must be started inside a tokio runtime")]
    NoRuntime,
    #[error("invalid demo PBX settings: {0}")]
    InvalidConfig(String),
    #[error("there is no extension or queue {to:?} on the demo PBX (try {known})")]
    UnknownExtension { to: String, known: String },
    #[error("{0}")]
    InvalidInput(String),
    #[error("the demo PBX has stopped")]
    Stopped,
    #[error("the demo PBX already has too many calls up; wait for some to end")]
    TooManyCalls,
    #[error("cannot connect to the PBX at {addr}: {source} (is the demo PBX running?)")]
    Connect {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("lost the connection to the PBX at {addr}: {source}")]
    Io {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the server at {addr} does not speak AMI: {detail}")]
    NotAmi { addr: SocketAddr, detail: String },
    #[error("the PBX at {addr} closed the connection {during}")]
    Closed { addr: SocketAddr, during: String },
    #[error("the PBX at {addr} did not answer {during} within {secs} s")]
    Timeout { addr: SocketAddr, during: String, secs: u64 },
    #[error(
        "the PBX at {addr} refused the login: {message} (the demo PBX takes any user name with the secret \"demo\")"
    )]
    LoginFailed { addr: SocketAddr, message: String },
    #[error("the PBX at {addr} refused the call: {message}")]
    Rejected { addr: SocketAddr, message: String },
    #[error("cannot read the scenario file {path}: {source}")]
    ScenarioRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the scenario file {path} is not valid: {message}")]
    ScenarioInvalid { path: PathBuf, message: String },
}

/// A running demo PBX. Dropping it, or [`DemoPbx::shutdown`], stops the server, its sessions
/// and its calls.
pub struct DemoPbx {
    local_addr: SocketAddr,
    shared: Arc<state::Shared>,
    shutdown_tx: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for DemoPbx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoPbx").field("local_addr", &self.local_addr).finish_non_exhaustive()
    }
}

impl DemoPbx {
    /// Binds `config.listen` (port 0 is allowed) and serves AMI on the current tokio runtime.
    pub async fn start(config: DemoPbxConfig) -> Result<DemoPbx, DemoPbxError> {
        let rt = tokio::runtime::Handle::try_current().map_err(|_| DemoPbxError::NoRuntime)?;
        let cfg = state::Cfg::validate(config)?;
        let listener = match tokio::net::TcpListener::bind(cfg.listen).await {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(DemoPbxError::AddrInUse { addr: cfg.listen })
            }
            Err(source) => return Err(DemoPbxError::Bind { addr: cfg.listen, source }),
        };
        let local_addr = listener.local_addr().map_err(|source| DemoPbxError::Bind { addr: cfg.listen, source })?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let ring_every = cfg.ring_every;
        let scenario = cfg.scenario.clone();
        let shared = Arc::new(state::Shared::new(cfg, shutdown_rx, rt.clone()));
        tracing::info!(%local_addr, speed = shared.speed, "demo PBX listening (AMI, any user name, secret {DEMO_SECRET:?})");
        if !local_addr.ip().is_loopback() {
            tracing::warn!(%local_addr, "the demo PBX listens beyond this computer: anyone who reaches it can log in");
        }
        let mut tasks = vec![rt.spawn(server::accept_loop(shared.clone(), listener))];
        if let Some(every) = ring_every {
            tasks.push(rt.spawn(scenario::ring_timer(shared.clone(), every)));
        }
        if let Some(sc) = scenario {
            tasks.push(rt.spawn(scenario::play(shared.clone(), sc)));
        }
        Ok(DemoPbx { local_addr, shared, shutdown_tx, tasks })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Rings an inbound call from `from_number` (as typed; the caller ID number becomes its
    /// digits and `+`) to an agent extension or the queue number. `from_name` defaults to the
    /// number as typed, as in the transcripts. Same path as the AMI Originate trigger.
    pub fn ring(&self, from_number: &str, from_name: Option<&str>, to: &str) -> Result<(), DemoPbxError> {
        if *self.shutdown_tx.borrow() {
            return Err(DemoPbxError::Stopped);
        }
        let caller = callerid::CallerId::from_typed(from_number, from_name)?;
        calls::ring_inbound(&self.shared, caller, to, calls::Overrides::default(), None)
    }

    /// Stops accepting, closes every session and ends every call.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        for t in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(2), t).await;
        }
        tracing::info!(local_addr = %self.local_addr, "demo PBX stopped");
    }
}

impl Drop for DemoPbx {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}
