//! Ringside's settings file (`config.toml`): where it lives, what it may contain, and how a
//! mistake in it is reported.
//!
//! Every section is optional; a missing file means the embedded defaults ([`Config::default`]).
//! Anything else that is wrong is an error that names the file, the setting and, where the
//! parser knows it, the line and column, in words an agent or an administrator can act on.
//!
//! Secrets (the AMI secret, CRM tokens) never live in this file: a key that looks like one is
//! refused with a message pointing at the OS keychain, and so is an address that carries one
//! (`user:pass@`, `?api_key=…`, a Bitrix24 webhook's code), with where the secret goes instead.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, Serializer};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

mod address;
mod dial;
mod edit;
mod layers;
mod lookup;
mod redact;

// The settings types of `[dial]` and `[[lookup.crm]]` belong to the crates that run on them; this
// crate reads the file into them and names them here as before.
pub use ringside_crm::settings::{
    Bitrix24Config, BitrixEntity, CrmConfig, CrmKind, FieldMap, RestCrmConfig, UpdateMethod,
};
pub use ringside_dial::settings::{
    BodyFormat, ConnectionConfig, ConnectionKind, DialConfig, DialRule, HttpConnection, LinkScheme, NumberFormat,
    Replace,
};

pub use edit::{apply_changes, save_settings, EditError, SaveError, SettingChange};
pub use layers::{ami_defaults, defaults_document, load_layered, Layered, DEFAULTS_TOML, SYSTEM_CONFIG_ENV_VAR};
pub use lookup::{LookupConfig, DIRECTORY_SOURCE, NEGATIVE_CACHE_SECS};
pub use redact::HIDDEN;

/// The environment variable that overrides where the config file is read from.
pub const CONFIG_ENV_VAR: &str = "RINGSIDE_CONFIG";

/// Everything Ringside reads from `config.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Config {
    pub agent: AgentConfig,
    pub source: SourceConfig,
    pub demo: DemoConfig,
    pub session: SessionSettings,
    pub ui: UiConfig,
    pub supervisor: SupervisorConfig,
    pub directory: DirectoryConfig,
    pub lookup: LookupConfig,
    pub dial: DialConfig,
    pub history: HistoryConfig,
    pub updates: UpdatesConfig,
}

/// Updates (docs/updates.md): looked for at start and daily, installed only when the agent
/// says so, never during a call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpdatesConfig {
    /// Look for updates at start and daily (a build without an update key never looks).
    pub check: bool,
    /// Where the signed update manifest is, instead of the build's own address (an IT
    /// department's mirror). `https://` only; Tauri's `{{target}}`, `{{arch}}` and
    /// `{{current_version}}` are filled in.
    pub url: Option<String>,
}

impl Default for UpdatesConfig {
    fn default() -> Self {
        Self { check: true, url: None }
    }
}

/// Where every call, note and CRM write-back state is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct HistoryConfig {
    /// The SQLite file; `None` is `history.sqlite` in the OS data directory.
    pub path: Option<PathBuf>,
}

impl HistoryConfig {
    /// `path`, else `history.sqlite` in the OS data directory; `None` without a home.
    pub fn resolved_path(&self) -> Option<PathBuf> {
        self.path.clone().or_else(|| data_file("history.sqlite"))
    }
}

/// The embedded customer directory the call card looks numbers up in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DirectoryConfig {
    /// The SQLite file; `None` is `directory.sqlite` in the OS data dir. A new file starts with
    /// the demo customers.
    pub path: Option<PathBuf>,
    /// Region (ISO 3166 code) for numbers written without a country code.
    pub region: String,
}

impl DirectoryConfig {
    /// `path`, else `directory.sqlite` in the OS data directory; `None` without a home.
    pub fn resolved_path(&self) -> Option<PathBuf> {
        self.path.clone().or_else(|| data_file("directory.sqlite"))
    }
}

/// `name` in Ringside's OS data directory (Linux `~/.local/share/ringside/`).
fn data_file(name: &str) -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "ringside").map(|d| d.data_dir().join(name))
}

impl Default for DirectoryConfig {
    fn default() -> Self {
        Self { path: None, region: "UA".to_string() }
    }
}

/// What a supervisor sees.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SupervisorConfig {
    /// The desk shows the team and lets this agent switch other agents' "accepting calls"
    /// (the runtime refuses a switch of another agent without it).
    pub enabled: bool,
    /// Queues whose members the supervisor view lists; empty lists every queue the PBX reports.
    pub queues: Vec<String>,
}

/// Who the agent is on the PBX.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentConfig {
    /// The agent's extension, used to pick this agent's calls out of the PBX's events.
    pub extension: String,
    /// Queue-member interfaces paused and unpaused by "accepting calls" (e.g. `PJSIP/100`).
    pub interfaces: Vec<String>,
    /// A display name; `None` shows the extension.
    pub name: Option<String>,
    /// The reasons offered when the agent (or a supervisor, for another agent) stops accepting
    /// calls: the code goes to the PBX, the label is what people read.
    pub pause_reasons: Vec<ringside_core::PauseReason>,
}

impl Default for AgentConfig {
    fn default() -> Self {
        Self {
            extension: "100".to_string(),
            interfaces: vec!["Local/100@agents".to_string()],
            name: None,
            pause_reasons: ringside_core::default_pause_reasons(),
        }
    }
}

/// Where call events come from.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceConfig {
    /// The built-in demo PBX (see [`DemoConfig`]).
    #[default]
    Demo,
    /// A real Asterisk over the Manager Interface.
    Ami(AmiConfig),
    /// A Ringside relay over NATS: this agent's events on `ringside.<tenant>.agent.<extension>`,
    /// commands by request/reply (docs/relay-protocol.md).
    Nats(NatsConfig),
}

/// Where the relay's NATS servers are, and who this desk is there. The password is not here:
/// it comes from the OS keychain (`nats:<user>`) or `RINGSIDE_NATS_SECRET`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NatsConfig {
    /// `nats://host:port` or `tls://host:port` (TLS required), tried in turn.
    pub servers: Vec<String>,
    /// The call center's name in the subjects (`ringside.<tenant>.…`).
    pub tenant: String,
    /// The NATS user this desk logs in as; `None`: no user (a server without authentication).
    pub user: Option<String>,
}

/// An Asterisk Manager Interface connection. The secret is not here: it comes from the OS
/// keychain (or `RINGSIDE_AMI_SECRET`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmiConfig {
    pub host: String,
    pub port: u16,
    pub username: String,
    pub ping_interval_secs: u64,
    pub connect_timeout_secs: u64,
    /// Dialplan context click-to-call sends the dialed number to (`Originate` `Context`).
    pub originate_context: String,
    /// The channel variable that names a call's recording (listed in manager.conf's
    /// `channelvars`, so events carry it).
    pub recording_variable: String,
    /// Where a recording's file can be listened to: an http(s) address with `{file}`.
    /// `None`: only a variable that already holds an address is used.
    pub recording_url: Option<String>,
}

impl AmiConfig {
    /// A connection with every other setting at its default.
    pub fn new(host: impl Into<String>, port: u16, username: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port,
            username: username.into(),
            ping_interval_secs: AMI_DEFAULT_PING_SECS,
            connect_timeout_secs: AMI_DEFAULT_CONNECT_TIMEOUT_SECS,
            originate_context: AMI_DEFAULT_ORIGINATE_CONTEXT.to_string(),
            recording_variable: AMI_DEFAULT_RECORDING_VARIABLE.to_string(),
            recording_url: None,
        }
    }
}

/// The built-in demo PBX, which speaks real AMI over loopback TCP.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DemoConfig {
    /// Where the demo PBX listens. `None`: Ringside's own demo with a secret made for the run,
    /// on [`DEFAULT_DEMO_LISTEN`] when free (else a free loopback port), announced to the
    /// user's tools by [`demo_endpoint_path`]. `Some`: the admin named the address; a demo PBX
    /// already listening there (`ringside-cli demo-pbx`) is used with the public demo secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// Rings the agent every this many seconds; `None` rings only on demand.
    pub ring_every_secs: Option<u64>,
    /// A scenario file to play; a relative path in the file is relative to the config file.
    pub scenario: Option<PathBuf>,
}

/// Where the embedded demo PBX listens when the config names no address and the port is free.
pub const DEFAULT_DEMO_LISTEN: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 15038);

/// The file a running Ringside writes its embedded demo PBX's address and run secret to, for
/// the same user's `ringside-cli` (readable by that user only): in the session's runtime
/// folder (`$XDG_RUNTIME_DIR/ringside/demo-pbx`), else in the local data folder.
pub fn demo_endpoint_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "ringside")?;
    let dir = dirs.runtime_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("demo-pbx"))
}

/// How the session treats calls and wrap-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSettings {
    /// Wrap-up after an answered call, during which no queue call is offered.
    pub wrap_up: bool,
    /// Seconds until wrap-up ends by itself; `None` waits for the agent. Serialized as in the
    /// file: `0` means `None`.
    #[serde(serialize_with = "serialize_zero_for_none")]
    pub wrap_up_secs: Option<u64>,
    /// Numbers of at most this many digits are internal extensions (colleagues).
    pub internal_max_len: usize,
    /// Ended cards kept for the agent to read before the oldest is dropped.
    pub keep_ended_cards: usize,
    /// Pause the agent after this many queue calls in a row rang out unanswered; `None`
    /// (`0` in the file) never does. Serialized as in the file.
    #[serde(serialize_with = "serialize_zero_for_none")]
    pub auto_pause_after_missed: Option<u64>,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            wrap_up: true,
            wrap_up_secs: Some(30),
            internal_max_len: 5,
            keep_ended_cards: 20,
            auto_pause_after_missed: None,
        }
    }
}

/// `None` is written as `0`, as the file says "never".
fn serialize_zero_for_none<S: Serializer>(value: &Option<u64>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(value.unwrap_or(0))
}

// The card window's choices are the core's (`ringside_core::popup`), which runs on them.
pub use ringside_core::popup::{CardOpensOn, NotifyIncoming};
/// The `[ui] language` setting is ringside-i18n's, re-exported.
pub use ringside_i18n::LanguageChoice;

/// Which corner of the work area the card window opens in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardCorner {
    /// The corner nearest the tray on this desktop: bottom right on Windows, KDE, Xfce, LXQt and
    /// Cinnamon; top right on macOS, GNOME and others.
    #[default]
    Auto,
    TopRight,
    BottomRight,
    TopLeft,
    BottomLeft,
}

/// The card window (`[ui]`); see `ringside_core::popup` for how each setting is used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UiConfig {
    /// When a call's card opens: ringing, answer or never.
    pub card_opens_on: CardOpensOn,
    /// Delay before the card opens for an internal call (a colleague), in milliseconds.
    pub internal_call_delay_ms: u64,
    /// Cards shown at once; the rest are counted ("+2 more"). 1 to 10.
    pub card_stack_limit: usize,
    /// Seconds the card of a call never answered here (a colleague took it, missed, abandoned)
    /// stays after it ended. 1 to 60.
    pub card_autoclose_secs: u64,
    /// When a ringing call is also announced by a desktop notification.
    pub notify_incoming: NotifyIncoming,
    /// Where the card window opens (until the agent drags it elsewhere).
    pub card_corner: CardCorner,
    /// The language of the windows, the tray, notifications and the CLI's words: `auto` (the
    /// operating system's, else English) or one of the languages Ringside speaks.
    pub language: LanguageChoice,
    /// Ringside starts (in the tray) when the user logs in to the desktop. Kept here, not only
    /// in the OS's autostart entry, so the settings window shows what the user chose and a
    /// managed install can set or lock it.
    pub start_at_login: bool,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            card_opens_on: CardOpensOn::default(),
            internal_call_delay_ms: 0,
            card_stack_limit: ringside_core::popup::DEFAULT_STACK_LIMIT,
            card_autoclose_secs: ringside_core::popup::DEFAULT_AUTOCLOSE_SECS,
            notify_incoming: NotifyIncoming::default(),
            card_corner: CardCorner::default(),
            language: LanguageChoice::Auto,
            start_at_login: false,
        }
    }
}

/// Bounds of the `[ui]` numbers.
const MAX_INTERNAL_CALL_DELAY_MS: u64 = 60_000;
const CARD_STACK_LIMITS: std::ops::RangeInclusive<usize> = 1..=10;
const CARD_AUTOCLOSE_SECS: std::ops::RangeInclusive<u64> = 1..=60;

/// Largest accepted `session.internal_max_len`: longer numbers are customers, not extensions.
const MAX_INTERNAL_LEN: usize = 10;
/// MixMonitor's own variable: the file it records to.
pub const AMI_DEFAULT_RECORDING_VARIABLE: &str = "MIXMONITOR_FILENAME";
const MAX_AUTO_PAUSE_AFTER: u64 = 100;

impl Config {
    /// `$RINGSIDE_CONFIG` if set (and not empty), else `config.toml` in the OS config directory:
    /// - Linux: `$XDG_CONFIG_HOME/ringside/config.toml` (usually `~/.config/ringside/config.toml`)
    /// - macOS: `~/Library/Application Support/ringside/config.toml`
    /// - Windows: `%APPDATA%\ringside\config\config.toml`
    ///
    /// `None` only when the OS has no home directory to put it in.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(path) = std::env::var_os(CONFIG_ENV_VAR).filter(|p| !p.is_empty()) {
            return Some(PathBuf::from(path));
        }
        directories::ProjectDirs::from("", "", "ringside").map(|dirs| dirs.config_dir().join("config.toml"))
    }

    /// Reads the file at `path`. A missing file gives the embedded defaults; anything else
    /// invalid (unreadable, not a file, not UTF-8, not TOML, unknown or wrong settings) is an error.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        match read_text(path)? {
            Some(text) => Config::from_toml_str(&text, path),
            None => Ok(Config::default()),
        }
    }

    /// Parses and validates `text`; `origin` names the file in errors and anchors a relative
    /// `demo.scenario`.
    pub fn from_toml_str(text: &str, origin: &Path) -> Result<Config, ConfigError> {
        let doc = Document::parse(text, origin)?;
        doc.refuse_secrets()?;
        let raw: RawConfig = toml::from_str(text).map_err(|e| doc.serde_error(&e))?;
        raw.into_config(&doc)
    }

    /// The core's session settings.
    pub fn session_config(&self) -> ringside_core::SessionConfig {
        ringside_core::SessionConfig {
            wrap_up: ringside_core::agent_state::WrapUpPolicy {
                enabled: self.session.wrap_up,
                timeout_secs: self.session.wrap_up_secs,
            },
            internal_max_len: self.session.internal_max_len,
            keep_ended: self.session.keep_ended_cards,
            supervised_queues: self.supervisor.queues.clone(),
            auto_pause_after_missed: self.session.auto_pause_after_missed.and_then(|n| u32::try_from(n).ok()),
            acts_for_agent: true,
        }
    }

    /// The card window's settings.
    pub fn popup_config(&self) -> ringside_core::PopupConfig {
        ringside_core::PopupConfig {
            opens_on: self.ui.card_opens_on,
            internal_delay_ms: self.ui.internal_call_delay_ms,
            stack_limit: self.ui.card_stack_limit,
            autoclose_secs: self.ui.card_autoclose_secs,
            notify_incoming: self.ui.notify_incoming,
        }
    }
}

/// The text of the file at `path`; `None` when there is no file (the defaults apply). Shared by
/// [`Config::load`], the layers and saving, so every reader refuses the same things.
fn read_text(path: &Path) -> Result<Option<String>, ConfigError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(_) if path.is_dir() => return Err(ConfigError::NotAFile { path: path.to_path_buf() }),
        Err(source) => return Err(ConfigError::Read { path: path.to_path_buf(), source }),
    };
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let location = Some(Location::of(&String::from_utf8_lossy(e.as_bytes()), e.utf8_error().valid_up_to()));
        ConfigError::Syntax {
            path: path.to_path_buf(),
            location,
            message: "the file is not UTF-8 text; save it as UTF-8".to_string(),
        }
    })
}

/// A place in the file, both 1-based; columns count characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    fn of(text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location { line: before.matches('\n').count() + 1, column: before[line_start..].chars().count() + 1 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

fn at(location: &Option<Location>) -> String {
    location.map(|l| format!(" ({l})")).unwrap_or_default()
}

/// Why the config file could not be used. Every message starts with the file, then the setting.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read the config file: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: is a directory, not a config file; point {CONFIG_ENV_VAR} at a file such as config.toml", path.display())]
    NotAFile { path: PathBuf },
    #[error("{}: not a valid TOML file{}: {message}", path.display(), at(location))]
    Syntax { path: PathBuf, location: Option<Location>, message: String },
    #[error(
        "{}: {key}: secrets are not read from the config file; Ringside keeps them in the OS keychain{}",
        path.display(),
        at(location)
    )]
    Secret { path: PathBuf, key: String, location: Option<Location> },
    /// An address (`url`, `log_url`, `recording_url`, …) with a secret written into it: a user
    /// name or password before the host, a key in the query, a Bitrix24 webhook's code. `found`
    /// is the address with its secrets masked and what it carries; `instead` says where the
    /// secret goes.
    #[error(
        "{}: {field}: {found}; secrets are not read from the config file: {instead}{}",
        path.display(),
        at(location)
    )]
    SecretInAddress { path: PathBuf, field: String, location: Option<Location>, found: String, instead: String },
    #[error("{}: {key}: unknown setting{}; {expected}", path.display(), at(location))]
    UnknownKey { path: PathBuf, key: String, location: Option<Location>, expected: String },
    #[error("{}: {field}: {message}{}", path.display(), at(location))]
    Invalid { path: PathBuf, field: String, location: Option<Location>, message: String },
}

impl ringside_core::ErrorCode for ConfigError {
    fn code(&self) -> &'static str {
        "config.invalid"
    }

    fn args(&self) -> ringside_core::ErrorArgs {
        let mut args = ringside_core::error_code::args([
            ("file", self.path().display().to_string()),
            ("reason", self.to_string()),
        ]);
        if let Some(field) = self.field() {
            args.insert("field", field.to_string());
        }
        args
    }
}

impl ConfigError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ConfigError::Read { path, .. }
            | ConfigError::NotAFile { path }
            | ConfigError::Syntax { path, .. }
            | ConfigError::Secret { path, .. }
            | ConfigError::SecretInAddress { path, .. }
            | ConfigError::UnknownKey { path, .. }
            | ConfigError::Invalid { path, .. } => path,
        }
    }

    /// The setting the error is about (`source.port`), when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            ConfigError::Secret { key, .. } | ConfigError::UnknownKey { key, .. } => Some(key),
            ConfigError::Invalid { field, .. } | ConfigError::SecretInAddress { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Where in the file, when known.
    pub fn location(&self) -> Option<Location> {
        match self {
            ConfigError::Syntax { location, .. }
            | ConfigError::Secret { location, .. }
            | ConfigError::SecretInAddress { location, .. }
            | ConfigError::UnknownKey { location, .. }
            | ConfigError::Invalid { location, .. } => *location,
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The parsed document: every key with its dotted path and spans, to name settings in errors.

struct Entry {
    /// `source.port`, `agent.interfaces[1]`.
    path: String,
    /// The key's last segment as written.
    name: String,
    /// `None` for array elements, which have no key.
    key_span: Option<Range<usize>>,
    value_span: Range<usize>,
    /// The value, when it is a string.
    string: Option<String>,
}

struct Document<'a> {
    text: &'a str,
    origin: &'a Path,
    /// In document order.
    entries: Vec<Entry>,
}

impl<'a> Document<'a> {
    fn parse(text: &'a str, origin: &'a Path) -> Result<Self, ConfigError> {
        let table = DeTable::parse(text).map_err(|e| ConfigError::Syntax {
            path: origin.to_path_buf(),
            location: e.span().map(|s| Location::of(text, s.start)),
            message: one_line(e.message()),
        })?;
        let mut entries = Vec::new();
        walk_table(table.get_ref(), "", &mut entries);
        entries.sort_by_key(|e| e.key_span.as_ref().map_or(e.value_span.start, |k| k.start));
        Ok(Self { text, origin, entries })
    }

    fn location(&self, offset: usize) -> Location {
        Location::of(self.text, offset)
    }

    /// Where `path` is set, else where its closest written parent is (for a missing setting).
    fn location_of(&self, path: &str) -> Option<Location> {
        let mut path = path;
        loop {
            if let Some(entry) = self.entries.iter().find(|e| e.path == path) {
                return Some(self.location(entry.value_span.start));
            }
            path = &path[..path.rfind(['.', '['])?];
        }
    }

    fn refuse_secrets(&self) -> Result<(), ConfigError> {
        let secret_here = |e: &&Entry| {
            if e.key_span.is_none() {
                return false;
            }
            // A provider's request headers are named by the provider ("X-Api-Key",
            // "Authorization"): such a header is fine when its value takes the key from the
            // keychain through {secret}, and refused when the key is written out.
            if is_header_entry(&e.path) {
                let credential = looks_secret(&e.name) || e.name.eq_ignore_ascii_case("authorization");
                let value = self.text.get(e.value_span.clone()).unwrap_or_default();
                return credential && !value.contains("{secret}");
            }
            looks_secret(&e.name)
        };
        for entry in &self.entries {
            if secret_here(&entry) {
                return Err(ConfigError::Secret {
                    path: self.origin.to_path_buf(),
                    key: entry.path.clone(),
                    location: entry.key_span.as_ref().map(|s| self.location(s.start)),
                });
            }
            address::refuse_secret(self, entry)?;
        }
        Ok(())
    }

    /// The string value of the setting at `path`, if it is written as a string.
    fn string_at(&self, path: &str) -> Option<&str> {
        self.entries.iter().find(|e| e.path == path).and_then(|e| e.string.as_deref())
    }

    /// Turns a serde error from the typed pass into one that names the setting.
    fn serde_error(&self, error: &toml::de::Error) -> ConfigError {
        let span = error.span();
        // An unknown key points at the key; a wrong value at the value. Prefer the exact key,
        // else the innermost value that contains the span.
        let entry = span.as_ref().and_then(|span| {
            self.entries.iter().find(|e| e.key_span.as_ref() == Some(span)).or_else(|| {
                self.entries
                    .iter()
                    .filter(|e| e.value_span.start <= span.start && span.end <= e.value_span.end)
                    .min_by_key(|e| e.value_span.len())
            })
        });
        let location = span.map(|s| self.location(s.start));
        let message = one_line(error.message());
        let field = entry.map(|e| e.path.clone());

        if let Some(rest) = message.strip_prefix("unknown field `") {
            let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
            let expected = expected.trim_start_matches(',').trim();
            let expected = match expected {
                "" | "there are no fields" => "this section takes no settings".to_string(),
                e => e.replace("expected one of", "expected one of:"),
            };
            return ConfigError::UnknownKey {
                path: self.origin.to_path_buf(),
                key: field.unwrap_or_else(|| name.to_string()),
                location,
                expected,
            };
        }
        ConfigError::Invalid {
            path: self.origin.to_path_buf(),
            field: field.unwrap_or_else(|| "(file)".to_string()),
            location,
            message: plain_words(&message),
        }
    }

    fn invalid(&self, field: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            path: self.origin.to_path_buf(),
            field: field.to_string(),
            location: self.location_of(field),
            message: message.into(),
        }
    }
}

fn walk_table(table: &DeTable<'_>, prefix: &str, out: &mut Vec<Entry>) {
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        let path = if prefix.is_empty() { quote_key(name) } else { format!("{prefix}.{}", quote_key(name)) };
        out.push(Entry {
            path: path.clone(),
            name: name.to_string(),
            key_span: Some(key.span()),
            value_span: value.span(),
            string: string_of(value),
        });
        walk_value(value, &path, out);
    }
}

fn walk_value(value: &Spanned<DeValue<'_>>, path: &str, out: &mut Vec<Entry>) {
    match value.get_ref() {
        DeValue::Table(table) => walk_table(table, path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("{path}[{i}]");
                out.push(Entry {
                    path: path.clone(),
                    name: String::new(),
                    key_span: None,
                    value_span: item.span(),
                    string: string_of(item),
                });
                walk_value(item, &path, out);
            }
        }
        _ => {}
    }
}

fn string_of(value: &Spanned<DeValue<'_>>) -> Option<String> {
    match value.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        _ => None,
    }
}

fn quote_key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

/// `dial.connection[0].headers.X-Api-Key`: one request header of a provider connection.
fn is_header_entry(path: &str) -> bool {
    path.strip_prefix("dial.connection[")
        .and_then(|rest| rest.split_once("].headers."))
        .is_some_and(|(index, name)| index.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty())
}

/// `secret`, `ami_secret`, `Password`, `passwd`, `api-key`, `apiKey`, `access_token`...
fn looks_secret(name: &str) -> bool {
    let squashed: String =
        name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>();
    ["secret", "password", "passwd", "token", "apikey"].iter().any(|s| squashed.contains(s))
}

fn one_line(message: &str) -> String {
    message.trim().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
}

/// serde's type names in words.
fn plain_words(message: &str) -> String {
    let mut message = message.to_string();
    for raw in [
        "RawConfig",
        "RawAgent",
        "RawSource",
        "RawDemo",
        "RawSession",
        "RawUi",
        "RawSupervisor",
        "RawDirectory",
        "RawLookup",
        "RawCrm",
        "RawFields",
        "RawDial",
        "RawConnection",
        "RawHistory",
        "RawUpdates",
        "RawPauseReason",
    ] {
        message = message.replace(&format!("expected struct {raw}"), "expected a table of settings");
    }
    message
        .replace("expected u16", "expected a whole number from 0 to 65535")
        .replace("expected u64", "expected a whole number (0 or more)")
        .replace("expected usize", "expected a whole number (0 or more)")
        .replace("expected a boolean", "expected true or false")
        .replace("invalid socket address syntax", "expected an IP address and a port, such as \"127.0.0.1:15038\"")
}

// ---------------------------------------------------------------------------------------------
// The file as written: everything optional, unknown keys refused. Validation happens after,
// with the document at hand to point at the offending line.

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawConfig {
    agent: RawAgent,
    source: RawSource,
    demo: RawDemo,
    session: RawSession,
    ui: RawUi,
    supervisor: RawSupervisor,
    directory: RawDirectory,
    lookup: lookup::RawLookup,
    dial: dial::RawDial,
    history: RawHistory,
    updates: RawUpdates,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawUpdates {
    check: Option<bool>,
    url: Option<String>,
}

impl RawUpdates {
    fn into_config(self, doc: &Document<'_>) -> Result<UpdatesConfig, ConfigError> {
        let url = match self.url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()) {
            None => None,
            Some(url) => {
                // Debug builds may use plain HTTP on this machine (the update test's server).
                let local_http = cfg!(debug_assertions)
                    && (url.starts_with("http://127.0.0.1:") || url.starts_with("http://localhost:"));
                if !url.starts_with("https://") && !local_http {
                    return Err(doc.invalid("updates.url", format!("{url:?} must start with https://")));
                }
                if url.contains(char::is_whitespace) {
                    return Err(doc.invalid("updates.url", "has a space in it"));
                }
                Some(url)
            }
        };
        Ok(UpdatesConfig { check: self.check.unwrap_or(true), url })
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawHistory {
    path: Option<PathBuf>,
}

impl RawHistory {
    fn into_config(self, doc: &Document<'_>) -> Result<HistoryConfig, ConfigError> {
        let path = match self.path {
            Some(p) if p.as_os_str().is_empty() => {
                return Err(doc.invalid("history.path", "is empty; give a file or leave it out"))
            }
            Some(p) if p.is_relative() => Some(doc.origin.parent().map_or_else(|| p.clone(), |dir| dir.join(&p))),
            other => other,
        };
        Ok(HistoryConfig { path })
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawDirectory {
    path: Option<PathBuf>,
    region: Option<String>,
}

impl RawDirectory {
    fn into_config(self, doc: &Document<'_>) -> Result<DirectoryConfig, ConfigError> {
        let region = self.region.unwrap_or_else(|| DirectoryConfig::default().region);
        if region.len() != 2 || !region.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(doc.invalid(
                "directory.region",
                format!("{region:?} is not a two-letter region code such as \"UA\", \"PL\" or \"GB\""),
            ));
        }
        let path = match self.path {
            Some(p) if p.as_os_str().is_empty() => {
                return Err(doc.invalid("directory.path", "is empty; give a file or leave it out"))
            }
            Some(p) if p.is_relative() => Some(doc.origin.parent().map_or_else(|| p.clone(), |dir| dir.join(&p))),
            other => other,
        };
        Ok(DirectoryConfig { path, region: region.to_ascii_uppercase() })
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawSupervisor {
    enabled: Option<bool>,
    queues: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawAgent {
    extension: Option<String>,
    interfaces: Option<Vec<String>>,
    name: Option<String>,
    pause_reasons: Option<Vec<RawPauseReason>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPauseReason {
    code: String,
    label: Option<String>,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum SourceKind {
    #[default]
    Demo,
    Ami,
    Nats,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawSource {
    kind: SourceKind,
    host: Option<String>,
    port: Option<u16>,
    username: Option<String>,
    ping_interval_secs: Option<u64>,
    connect_timeout_secs: Option<u64>,
    originate_context: Option<String>,
    recording_variable: Option<String>,
    recording_url: Option<String>,
    servers: Option<Vec<String>>,
    tenant: Option<String>,
    user: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawDemo {
    listen: Option<SocketAddr>,
    ring_every_secs: Option<u64>,
    scenario: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawSession {
    wrap_up: Option<bool>,
    wrap_up_secs: Option<u64>,
    internal_max_len: Option<usize>,
    keep_ended_cards: Option<usize>,
    auto_pause_after_missed: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RawUi {
    card_opens_on: Option<CardOpensOn>,
    internal_call_delay_ms: Option<u64>,
    card_stack_limit: Option<usize>,
    card_autoclose_secs: Option<u64>,
    notify_incoming: Option<NotifyIncoming>,
    card_corner: Option<CardCorner>,
    language: Option<LanguageChoice>,
    start_at_login: Option<bool>,
}

const AMI_DEFAULT_PORT: u16 = 5038;
const AMI_DEFAULT_PING_SECS: u64 = 20;
const AMI_DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 5;
const AMI_DEFAULT_ORIGINATE_CONTEXT: &str = "from-internal";

/// Text that ends up in AMI commands: one line, no spaces.
fn bad_token_char(s: &str) -> Option<char> {
    s.chars().find(|c| c.is_whitespace() || c.is_control())
}

impl RawConfig {
    fn into_config(self, doc: &Document<'_>) -> Result<Config, ConfigError> {
        Ok(Config {
            agent: self.agent.into_config(doc)?,
            source: self.source.into_config(doc)?,
            demo: self.demo.into_config(doc)?,
            session: self.session.into_config(doc)?,
            ui: self.ui.into_config(doc)?,
            supervisor: self.supervisor.into_config(doc)?,
            directory: self.directory.into_config(doc)?,
            lookup: self.lookup.into_config(doc)?,
            dial: self.dial.into_config(doc)?,
            history: self.history.into_config(doc)?,
            updates: self.updates.into_config(doc)?,
        })
    }
}

impl RawAgent {
    fn into_config(self, doc: &Document<'_>) -> Result<AgentConfig, ConfigError> {
        let defaults = AgentConfig::default();
        let extension = self.extension.unwrap_or(defaults.extension);
        if extension.trim().is_empty() {
            return Err(doc.invalid("agent.extension", "must not be empty; set the agent's extension, such as \"100\""));
        }
        if let Some(c) = bad_token_char(&extension) {
            return Err(doc.invalid(
                "agent.extension",
                format!("{extension:?} contains {c:?}; an extension has no spaces or line breaks"),
            ));
        }
        let interfaces = self.interfaces.unwrap_or(defaults.interfaces);
        if interfaces.is_empty() {
            return Err(doc.invalid(
                "agent.interfaces",
                "must list at least one queue-member interface, such as \"PJSIP/100\"; \
                 \"accepting calls\" pauses and unpauses these",
            ));
        }
        for (i, interface) in interfaces.iter().enumerate() {
            let well_formed = match interface.split_once('/') {
                Some((tech, resource)) => {
                    !tech.is_empty() && !resource.is_empty() && bad_token_char(interface).is_none()
                }
                None => false,
            };
            if !well_formed {
                return Err(ConfigError::Invalid {
                    path: doc.origin.to_path_buf(),
                    field: "agent.interfaces".to_string(),
                    location: doc.location_of(&format!("agent.interfaces[{i}]")),
                    message: format!(
                        "{interface:?} is not a queue-member interface; write the technology and the \
                         device separated by \"/\", with no spaces, such as \"PJSIP/100\" or \"Local/100@agents\""
                    ),
                });
            }
        }
        let name = self.name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        let pause_reasons = match self.pause_reasons {
            Some(raw) => pause_reasons(raw, doc)?,
            None => defaults.pause_reasons,
        };
        Ok(AgentConfig { extension, interfaces, name, pause_reasons })
    }
}

/// `[agent] pause_reasons`: unique codes the PBX can take, each with a label unless it is one
/// of Ringside's own (then every reader sees it in their language).
fn pause_reasons(raw: Vec<RawPauseReason>, doc: &Document<'_>) -> Result<Vec<ringside_core::PauseReason>, ConfigError> {
    use ringside_core::pause_reason::{check_pause_code, is_builtin_code, MAX_PAUSE_LABEL_CHARS};
    let mut reasons: Vec<ringside_core::PauseReason> = Vec::with_capacity(raw.len());
    for (i, RawPauseReason { code, label }) in raw.into_iter().enumerate() {
        let code = code.trim().to_string();
        check_pause_code(&code).map_err(|e| doc.invalid(&format!("agent.pause_reasons[{i}].code"), e.to_string()))?;
        if reasons.iter().any(|r| r.code.eq_ignore_ascii_case(&code)) {
            return Err(doc.invalid(
                &format!("agent.pause_reasons[{i}].code"),
                format!("{code:?} is listed twice; each reason needs its own code"),
            ));
        }
        let field = format!("agent.pause_reasons[{i}].label");
        let label = match label.map(|l| l.trim().to_string()) {
            Some(l) if l.is_empty() => {
                return Err(doc.invalid(
                    &field,
                    "is empty; write the words people read, or leave it out for one of Ringside's own codes",
                ))
            }
            Some(l) if l.chars().count() > MAX_PAUSE_LABEL_CHARS => {
                return Err(doc.invalid(&field, format!("is longer than {MAX_PAUSE_LABEL_CHARS} characters")))
            }
            Some(l) if l.chars().any(char::is_control) => {
                return Err(doc.invalid(&field, "contains a line break or another control character"))
            }
            Some(l) => Some(l),
            None if is_builtin_code(&code) => None,
            None => {
                return Err(doc.invalid(
                    &format!("agent.pause_reasons[{i}]"),
                    format!(
                        "{code:?} needs a label (the words people read); only Ringside's own codes {} may go without",
                        ringside_core::pause_reason::BUILTIN_PAUSE_REASONS.map(|(c, _)| format!("{c:?}")).join(", ")
                    ),
                ))
            }
        };
        reasons.push(ringside_core::PauseReason { code, label });
    }
    Ok(reasons)
}

impl RawSupervisor {
    fn into_config(self, doc: &Document<'_>) -> Result<SupervisorConfig, ConfigError> {
        let queues = self.queues.unwrap_or_default();
        for (i, q) in queues.iter().enumerate() {
            if q.is_empty() || bad_token_char(q).is_some() {
                return Err(doc.invalid(
                    &format!("supervisor.queues[{i}]"),
                    format!("{q:?} is not a queue name (one word, as in queues.conf)"),
                ));
            }
        }
        Ok(SupervisorConfig { enabled: self.enabled.unwrap_or(false), queues })
    }
}

impl RawSource {
    fn into_config(self, doc: &Document<'_>) -> Result<SourceConfig, ConfigError> {
        if self.kind != SourceKind::Nats {
            let nats_only = [
                ("source.servers", self.servers.is_some()),
                ("source.tenant", self.tenant.is_some()),
                ("source.user", self.user.is_some()),
            ];
            if let Some((field, _)) = nats_only.iter().find(|(_, set)| *set) {
                return Err(doc.invalid(field, "is only used with a relay; add kind = \"nats\" to [source]"));
            }
        }
        match self.kind {
            SourceKind::Nats => self.into_nats(doc),
            SourceKind::Demo => {
                let ami_only = [
                    ("source.host", self.host.is_some()),
                    ("source.port", self.port.is_some()),
                    ("source.username", self.username.is_some()),
                    ("source.ping_interval_secs", self.ping_interval_secs.is_some()),
                    ("source.connect_timeout_secs", self.connect_timeout_secs.is_some()),
                    ("source.originate_context", self.originate_context.is_some()),
                    ("source.recording_variable", self.recording_variable.is_some()),
                    ("source.recording_url", self.recording_url.is_some()),
                ];
                if let Some((field, _)) = ami_only.iter().find(|(_, set)| *set) {
                    return Err(doc.invalid(
                        field,
                        "is only used with a real Asterisk; add kind = \"ami\" to [source], or remove it \
                         to use the demo PBX",
                    ));
                }
                Ok(SourceConfig::Demo)
            }
            SourceKind::Ami => {
                let host = self.host.unwrap_or_default();
                if host.trim().is_empty() {
                    return Err(doc.invalid(
                        "source.host",
                        "must be set when kind = \"ami\": the Asterisk server's host name or IP address",
                    ));
                }
                if let Some(c) = bad_token_char(&host) {
                    return Err(
                        doc.invalid("source.host", format!("{host:?} contains {c:?}; a host name has no spaces"))
                    );
                }
                let port = self.port.unwrap_or(AMI_DEFAULT_PORT);
                if port == 0 {
                    return Err(doc.invalid(
                        "source.port",
                        format!("0 is not a port; use the Asterisk manager port (usually {AMI_DEFAULT_PORT})"),
                    ));
                }
                let username = self.username.unwrap_or_default();
                if username.trim().is_empty() {
                    return Err(doc.invalid(
                        "source.username",
                        "must be set when kind = \"ami\": the user name from Asterisk's manager.conf",
                    ));
                }
                if let Some(c) = bad_token_char(&username) {
                    return Err(doc.invalid(
                        "source.username",
                        format!("{username:?} contains {c:?}; an AMI user name has no spaces or line breaks"),
                    ));
                }
                let ping_interval_secs = self.ping_interval_secs.unwrap_or(AMI_DEFAULT_PING_SECS);
                if ping_interval_secs == 0 {
                    return Err(doc.invalid("source.ping_interval_secs", "must be at least 1 second"));
                }
                let connect_timeout_secs = self.connect_timeout_secs.unwrap_or(AMI_DEFAULT_CONNECT_TIMEOUT_SECS);
                if connect_timeout_secs == 0 {
                    return Err(doc.invalid("source.connect_timeout_secs", "must be at least 1 second"));
                }
                let originate_context =
                    self.originate_context.unwrap_or_else(|| AMI_DEFAULT_ORIGINATE_CONTEXT.to_string());
                if originate_context.is_empty() || bad_token_char(&originate_context).is_some() {
                    return Err(doc.invalid(
                        "source.originate_context",
                        format!("{originate_context:?} is not a dialplan context name (one word, such as \"from-internal\")"),
                    ));
                }
                let recording_variable =
                    self.recording_variable.unwrap_or_else(|| AMI_DEFAULT_RECORDING_VARIABLE.to_string());
                if recording_variable.is_empty()
                    || !recording_variable.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    return Err(doc.invalid(
                        "source.recording_variable",
                        format!(
                            "{recording_variable:?} is not a channel variable name (letters, digits and _, \
                             such as \"MIXMONITOR_FILENAME\")"
                        ),
                    ));
                }
                if let Some(url) = &self.recording_url {
                    lookup::check_url(url, &["file"], true)
                        .and_then(|()| {
                            if url.contains("{file}") {
                                Ok(())
                            } else {
                                let url = ringside_text::mask_url(url);
                                Err(format!("{url:?} has no {{file}}: where does the recording's file name go?"))
                            }
                        })
                        .map_err(|why| doc.invalid("source.recording_url", why))?;
                }
                Ok(SourceConfig::Ami(AmiConfig {
                    host,
                    port,
                    username,
                    ping_interval_secs,
                    connect_timeout_secs,
                    originate_context,
                    recording_variable,
                    recording_url: self.recording_url,
                }))
            }
        }
    }
}

impl RawSource {
    fn into_nats(self, doc: &Document<'_>) -> Result<SourceConfig, ConfigError> {
        let ami_only = [
            ("source.host", self.host.is_some()),
            ("source.port", self.port.is_some()),
            ("source.username", self.username.is_some()),
            ("source.originate_context", self.originate_context.is_some()),
            ("source.recording_variable", self.recording_variable.is_some()),
            ("source.recording_url", self.recording_url.is_some()),
            ("source.ping_interval_secs", self.ping_interval_secs.is_some()),
            ("source.connect_timeout_secs", self.connect_timeout_secs.is_some()),
        ];
        if let Some((field, _)) = ami_only.iter().find(|(_, set)| *set) {
            return Err(doc.invalid(field, "is an Asterisk setting; with kind = \"nats\" the relay talks to the PBX"));
        }
        let servers = self.servers.unwrap_or_default();
        if servers.is_empty() {
            return Err(doc.invalid(
                "source.servers",
                "must list the relay's NATS servers when kind = \"nats\", e.g. [\"tls://relay.example.com:4222\"]",
            ));
        }
        for (i, server) in servers.iter().enumerate() {
            check_nats_server(server).map_err(|why| doc.invalid(&format!("source.servers[{i}]"), why))?;
        }
        let tenant = self.tenant.unwrap_or_default();
        if !is_subject_token(&tenant) {
            return Err(doc.invalid(
                "source.tenant",
                format!(
                    "{tenant:?} is not a tenant name: lower-case letters, digits, - and _ (it goes into NATS subjects)"
                ),
            ));
        }
        if let Some(user) = &self.user {
            if user.is_empty() || bad_token_char(user).is_some() {
                return Err(doc.invalid("source.user", format!("{user:?} is not a NATS user name (one word)")));
            }
        }
        Ok(SourceConfig::Nats(NatsConfig { servers, tenant, user: self.user }))
    }
}

/// A NATS subject token Ringside writes: `[a-z0-9_-]+`.
pub fn is_subject_token(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// `nats://host:port` or `tls://host:port`, with no user or password in it.
fn check_nats_server(server: &str) -> Result<(), String> {
    let rest = server
        .strip_prefix("nats://")
        .or_else(|| server.strip_prefix("tls://"))
        .ok_or_else(|| format!("{server:?} is not a NATS server address: write nats://host:4222 or tls://host:4222"))?;
    if rest.contains('@') {
        return Err(format!(
            "{}: a user or password in the address is not read from the config file; set source.user and keep the \
             password in the OS keychain (ringside-cli secret set nats)",
            ringside_text::mask_url(server)
        ));
    }
    let host = rest.trim_end_matches('/').rsplit_once(':').map_or(rest, |(host, _)| host);
    if host.is_empty() || bad_token_char(rest).is_some() || rest.contains(['/', '?', '#']) && !rest.ends_with('/') {
        return Err(format!("{server:?} is not a NATS server address: write nats://host:4222 or tls://host:4222"));
    }
    Ok(())
}

impl RawDemo {
    fn into_config(self, doc: &Document<'_>) -> Result<DemoConfig, ConfigError> {
        let defaults = DemoConfig::default();
        if self.ring_every_secs == Some(0) {
            return Err(
                doc.invalid("demo.ring_every_secs", "must be at least 1 second; leave it out to ring only when asked")
            );
        }
        let scenario = match self.scenario {
            Some(p) if p.as_os_str().is_empty() => {
                return Err(doc.invalid("demo.scenario", "is empty; give a scenario file or leave it out"))
            }
            Some(p) if p.is_relative() => Some(doc.origin.parent().map_or_else(|| p.clone(), |dir| dir.join(&p))),
            other => other,
        };
        Ok(DemoConfig { listen: self.listen.or(defaults.listen), ring_every_secs: self.ring_every_secs, scenario })
    }
}

impl RawSession {
    fn into_config(self, doc: &Document<'_>) -> Result<SessionSettings, ConfigError> {
        let defaults = SessionSettings::default();
        let internal_max_len = self.internal_max_len.unwrap_or(defaults.internal_max_len);
        if internal_max_len > MAX_INTERNAL_LEN {
            return Err(doc.invalid(
                "session.internal_max_len",
                format!(
                    "{internal_max_len} is too long; at most {MAX_INTERNAL_LEN} digits, or customers' phone \
                     numbers would be taken for colleagues' extensions"
                ),
            ));
        }
        let keep_ended_cards = self.keep_ended_cards.unwrap_or(defaults.keep_ended_cards);
        if keep_ended_cards == 0 {
            return Err(doc.invalid(
                "session.keep_ended_cards",
                "must be at least 1, or a card would vanish the moment its call ends",
            ));
        }
        Ok(SessionSettings {
            wrap_up: self.wrap_up.unwrap_or(defaults.wrap_up),
            wrap_up_secs: match self.wrap_up_secs {
                None => defaults.wrap_up_secs,
                Some(0) => None,
                Some(secs) => Some(secs),
            },
            internal_max_len,
            keep_ended_cards,
            auto_pause_after_missed: match self.auto_pause_after_missed {
                None | Some(0) => defaults.auto_pause_after_missed,
                Some(n) if n > MAX_AUTO_PAUSE_AFTER => {
                    return Err(doc.invalid(
                        "session.auto_pause_after_missed",
                        format!("{n} is more missed calls than anyone waits for; at most {MAX_AUTO_PAUSE_AFTER}, or 0 for never"),
                    ))
                }
                Some(n) => Some(n),
            },
        })
    }
}

impl RawUi {
    fn into_config(self, doc: &Document<'_>) -> Result<UiConfig, ConfigError> {
        let defaults = UiConfig::default();
        let internal_call_delay_ms = self.internal_call_delay_ms.unwrap_or(defaults.internal_call_delay_ms);
        if internal_call_delay_ms > MAX_INTERNAL_CALL_DELAY_MS {
            return Err(doc.invalid(
                "ui.internal_call_delay_ms",
                format!(
                    "{internal_call_delay_ms} is longer than a colleague's call rings; at most \
                     {MAX_INTERNAL_CALL_DELAY_MS} (a minute), or 0 to open at once"
                ),
            ));
        }
        let card_stack_limit = self.card_stack_limit.unwrap_or(defaults.card_stack_limit);
        if !CARD_STACK_LIMITS.contains(&card_stack_limit) {
            return Err(doc.invalid(
                "ui.card_stack_limit",
                format!(
                    "{card_stack_limit} cards at once: use {} to {} (the others are counted as \"more\")",
                    CARD_STACK_LIMITS.start(),
                    CARD_STACK_LIMITS.end()
                ),
            ));
        }
        let card_autoclose_secs = self.card_autoclose_secs.unwrap_or(defaults.card_autoclose_secs);
        if !CARD_AUTOCLOSE_SECS.contains(&card_autoclose_secs) {
            return Err(doc.invalid(
                "ui.card_autoclose_secs",
                format!(
                    "{card_autoclose_secs} seconds: use {} to {}, long enough to read who answered",
                    CARD_AUTOCLOSE_SECS.start(),
                    CARD_AUTOCLOSE_SECS.end()
                ),
            ));
        }
        Ok(UiConfig {
            card_opens_on: self.card_opens_on.unwrap_or(defaults.card_opens_on),
            internal_call_delay_ms,
            card_stack_limit,
            card_autoclose_secs,
            notify_incoming: self.notify_incoming.unwrap_or(defaults.notify_incoming),
            card_corner: self.card_corner.unwrap_or(defaults.card_corner),
            language: self.language.unwrap_or(defaults.language),
            start_at_login: self.start_at_login.unwrap_or(defaults.start_at_login),
        })
    }
}
