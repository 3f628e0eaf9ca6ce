//! The settings an outgoing call runs on: the connections (a softphone on this desktop, the PBX,
//! a telephony provider's API) and how the number is written for each.
//!
//! These are the validated values, not the file: ringside-config reads `[dial]` and
//! `[[dial.connection]]` from `config.toml`, checks them (naming the file and the setting) and
//! maps them into these types. A value built in code skips those checks, so the code that runs
//! on it checks again what could hurt (`format_number`, `plan`, the provider requests).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Outgoing calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DialConfig {
    /// The connection used unless the agent picks another; `None`: the first one.
    pub default: Option<String>,
    /// A `tel:`/`sip:`/`callto:` link clicked in another program asks before dialing.
    pub confirm_links: bool,
    /// Empty: only the PBX's click-to-call ([`DialConfig::effective_connections`]).
    #[serde(rename = "connection")]
    pub connections: Vec<ConnectionConfig>,
}

impl Default for DialConfig {
    fn default() -> Self {
        Self { default: None, confirm_links: true, connections: Vec::new() }
    }
}

impl DialConfig {
    /// The name of the connection used without one in the config: the CTI source's own
    /// click-to-call (Asterisk Originate, or the demo PBX).
    pub const BUILTIN: &'static str = "pbx";

    /// The connections in effect: the configured ones, or the PBX alone.
    pub fn effective_connections(&self) -> Vec<ConnectionConfig> {
        if self.connections.is_empty() {
            vec![ConnectionConfig {
                name: Self::BUILTIN.to_string(),
                kind: ConnectionKind::Pbx,
                rule: DialRule::default(),
            }]
        } else {
            self.connections.clone()
        }
    }

    /// The connection used unless the agent picks another.
    pub fn default_connection(&self) -> String {
        self.default
            .clone()
            .unwrap_or_else(|| self.connections.first().map_or_else(|| Self::BUILTIN.to_string(), |c| c.name.clone()))
    }
}

/// One way to place a call. Its secret, if the kind has one, is the keychain entry `dial:<name>`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectionConfig {
    /// Lower-case letters, digits, `-`, `_`: names it in the UI, `--via` and the keychain.
    pub name: String,
    #[serde(flatten)]
    pub kind: ConnectionKind,
    #[serde(flatten)]
    pub rule: DialRule,
}

/// Where the number goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ConnectionKind {
    /// Click-to-call through the CTI source (Asterisk `Originate`): the agent's phone rings first.
    Pbx,
    /// `microsip.exe NUMBER`; a running MicroSIP takes it over. `path`: where it is installed.
    Microsip { path: Option<PathBuf> },
    /// `zoiper:NUMBER` handed to Zoiper (without `//`, which Windows would dial as `/`).
    Zoiper { path: Option<PathBuf> },
    /// The desktop's handler for `tel:`, `sip:` or `callto:` links (xdg-open, open, ShellExecute).
    System { scheme: LinkScheme },
    /// Any program: `program` with `args`, one of which is exactly `{number}`.
    Command { program: PathBuf, args: Vec<String> },
    /// Binotel's `calls/internal-number-to-external-number`. `key` is the API key's public part;
    /// the secret is in the keychain.
    Binotel { key: String, extension: String },
    /// Ringostat's `callback/outward_call`; the `Auth-key` is in the keychain.
    Ringostat { project_id: String, extension: String },
    /// Zadarma's `/v1/request/callback/`; `key` is the public key, the signing secret is in the keychain.
    Zadarma { key: String, extension: String },
    /// Any provider's HTTP API.
    Http(HttpConnection),
}

/// The link scheme for [`ConnectionKind::System`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LinkScheme {
    #[default]
    Tel,
    Sip,
    Callto,
}

impl LinkScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkScheme::Tel => "tel",
            LinkScheme::Sip => "sip",
            LinkScheme::Callto => "callto",
        }
    }
}

/// A provider's HTTP API as a template. `{number}`, `{extension}` and `{secret}` are replaced in
/// the URL (URL-encoded), header values and the body (JSON-escaped for a JSON body).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpConnection {
    /// `GET` or `POST`.
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
    /// `None`: no body.
    pub body: Option<String>,
    pub body_format: BodyFormat,
    pub extension: String,
    /// JSON pointer that must hold `success_value` for the call to count as placed; `None`:
    /// any 2xx status is success.
    pub success_pointer: Option<String>,
    pub success_value: Option<String>,
    /// JSON pointer to the provider's own words when it refuses, shown to the agent.
    pub error_pointer: Option<String>,
    pub allow_plain_http: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    #[default]
    Json,
    Form,
}

/// How the number is written for this connection, applied in this order: `format`, then the
/// first `replace` whose `from` starts the number, then `prefix`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DialRule {
    pub format: NumberFormat,
    /// Replacements of a leading part, e.g. `{ from = "+380", to = "0" }`; the first that matches wins.
    pub replace: Vec<Replace>,
    /// Dialed before the number, e.g. `"9"` for an outside line.
    pub prefix: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replace {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum NumberFormat {
    /// `+380441234567`.
    #[default]
    E164,
    /// `0441234567`, as dialed inside the country.
    National,
    /// `380441234567`: E.164 without the `+`.
    International,
    /// The digits as the agent or the card has them, formatting removed.
    AsTyped,
}
