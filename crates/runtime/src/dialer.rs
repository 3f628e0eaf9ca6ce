//! Outgoing calls: which connection places a call, the number as that connection dials it, and
//! the hand-over — to a softphone on this desktop (`ringside-dial`), to a telephony provider's
//! API (`ringside-click-to-call`), or to the PBX (`Originate`, through the source task).

use std::time::Duration;

use ringside_click_to_call::Provider;
use ringside_config::{ConnectionConfig, ConnectionKind, DialConfig};
use serde::Serialize;

use crate::RuntimeError;

/// A provider's API must answer within this; the agent is waiting with the phone in hand.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// What the UI lists in its connection picker.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ts_rs::TS)]
#[ts(export)]
pub struct ConnectionSummary {
    pub name: String,
    /// "MicroSIP", "Zoiper", "tel: link", "PBX", "Binotel", …
    pub label: String,
    pub default: bool,
}

/// How one call is placed, decided before anything happens (and printed by `--dry-run`).
#[derive(Debug, Clone)]
pub enum Route {
    /// Asterisk `Originate`: the agent's phone rings, then `number` is dialed.
    Pbx { number: String },
    /// A program started on this desktop with exactly these arguments (`number` among them).
    /// `link_handler`: the program is the desktop's tel:/sip:/callto: handler, which may be
    /// Ringside itself.
    Desktop { plan: ringside_dial::LaunchPlan, number: String, link_handler: bool },
    /// A provider's API; `preview` is the request with secrets masked.
    Provider { provider: Provider, number: String },
}

impl Route {
    /// What would happen, in a form an administrator can check: the argv, or the HTTP
    /// request with secrets masked.
    pub fn describe(&self) -> Result<String, RuntimeError> {
        Ok(match self {
            Route::Pbx { number } => format!("PBX Originate: ring this agent's phone, then dial {number}"),
            Route::Desktop { plan, .. } => plan.to_string(),
            Route::Provider { provider, number } => provider.preview(number)?.to_string(),
        })
    }

    /// The number as this connection dials it (after its dialing rule).
    pub fn number(&self) -> &str {
        match self {
            Route::Pbx { number } | Route::Desktop { number, .. } | Route::Provider { number, .. } => number,
        }
    }

    /// Starts the softphone or asks the provider. A PBX route goes through the running
    /// session instead ([`crate::RuntimeHandle::dial`]).
    pub async fn place_off_pbx(&self) -> Result<(), RuntimeError> {
        match self {
            // Only the running session reaches the PBX.
            Route::Pbx { .. } => Err(RuntimeError::NotConnected),
            Route::Desktop { plan, .. } => {
                let plan = plan.clone();
                tokio::task::spawn_blocking(move || ringside_dial::launch(&plan))
                    .await
                    .map_err(|_| RuntimeError::Stopped)?
                    .map_err(RuntimeError::from)
            }
            Route::Provider { provider, number } => {
                provider.place(number).await.map(|_| ()).map_err(RuntimeError::from)
            }
        }
    }
}

/// The agent's connections, with their providers' keys read once at start.
pub struct Dialer {
    config: DialConfig,
    region: String,
    connections: Vec<ConnectionConfig>,
    providers: Vec<(String, Result<Provider, RuntimeError>)>,
    /// The last number handed to the desktop's link handler, and when: if that handler is
    /// Ringside, the link comes straight back (see [`Dialer::came_back`]).
    handed_to_link_handler: std::sync::Mutex<Option<(String, std::time::Instant)>>,
}

/// A link for a number Ringside handed to the link handler this recently is that hand-over
/// coming back, not a person clicking.
const LINK_ECHO: Duration = Duration::from_secs(10);

impl Dialer {
    pub async fn new(config: &DialConfig, region: &str) -> Dialer {
        let connections = config.effective_connections();
        let mut providers = Vec::new();
        for c in &connections {
            if is_provider(&c.kind) {
                providers.push((c.name.clone(), provider(c).await));
            }
        }
        Dialer {
            config: config.clone(),
            region: region.to_string(),
            connections,
            providers,
            handed_to_link_handler: std::sync::Mutex::new(None),
        }
    }

    /// Remembers that `number` went to the desktop's link handler just now.
    pub(crate) fn handing_to_link_handler(&self, number: &str) {
        let mut last = self.handed_to_link_handler.lock().unwrap_or_else(|p| p.into_inner());
        *last = Some((number.to_string(), std::time::Instant::now()));
    }

    /// Whether a link for `number` is Ringside's own hand-over coming back: the desktop's
    /// tel: handler is Ringside itself, so dialing it again would loop forever.
    pub fn came_back(&self, number: &str) -> bool {
        let last = self.handed_to_link_handler.lock().unwrap_or_else(|p| p.into_inner());
        let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
        last.as_ref().is_some_and(|(n, at)| at.elapsed() < LINK_ECHO && digits(n) == digits(number))
    }

    pub fn confirm_links(&self) -> bool {
        self.config.confirm_links
    }

    pub fn summaries(&self) -> Vec<ConnectionSummary> {
        let default = self.config.default_connection();
        self.connections
            .iter()
            .map(|c| ConnectionSummary { name: c.name.clone(), label: label(&c.kind), default: c.name == default })
            .collect()
    }

    /// The connection a call over `via` uses: `via`, else the default.
    pub fn connection_name(&self, via: Option<&str>) -> String {
        via.map_or_else(|| self.config.default_connection(), str::to_string)
    }

    /// The name of the connection that places calls through the PBX session, if there is one:
    /// calls the PBX reports are on it.
    pub fn pbx_connection(&self) -> Option<String> {
        self.connections.iter().find(|c| matches!(c.kind, ConnectionKind::Pbx)).map(|c| c.name.clone())
    }

    /// The route for `raw` over `via` (else the default connection). Hostile or impossible
    /// numbers are refused here, before anything is started or sent.
    pub fn route(&self, raw: &str, via: Option<&str>) -> Result<Route, RuntimeError> {
        let name = self.connection_name(via);
        let connection = self.connections.iter().find(|c| c.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.connections.iter().map(|c| c.name.as_str()).collect();
            RuntimeError::NoConnection { name: name.clone(), known: known.iter().map(|k| k.to_string()).collect() }
        })?;
        let number = ringside_dial::format_number(raw, &connection.rule, &self.region)?;
        Ok(match &connection.kind {
            ConnectionKind::Pbx => Route::Pbx { number },
            kind if is_provider(kind) => {
                let provider =
                    self.providers.iter().find(|(n, _)| *n == connection.name).map(|(_, p)| p.clone()).unwrap_or_else(
                        || Err(RuntimeError::NoConnection { name: connection.name.clone(), known: Vec::new() }),
                    )?;
                Route::Provider { provider, number }
            }
            kind => Route::Desktop {
                plan: ringside_dial::plan(connection, &number)?,
                number,
                link_handler: matches!(kind, ConnectionKind::System { .. }),
            },
        })
    }
}

fn is_provider(kind: &ConnectionKind) -> bool {
    matches!(
        kind,
        ConnectionKind::Binotel { .. }
            | ConnectionKind::Ringostat { .. }
            | ConnectionKind::Zadarma { .. }
            | ConnectionKind::Http(_)
    )
}

fn label(kind: &ConnectionKind) -> String {
    match kind {
        ConnectionKind::Pbx => "PBX".to_string(),
        ConnectionKind::Microsip { .. } => "MicroSIP".to_string(),
        ConnectionKind::Zoiper { .. } => "Zoiper".to_string(),
        ConnectionKind::System { scheme } => format!("{}: link", scheme.as_str()),
        ConnectionKind::Command { program, .. } => {
            program.file_name().map_or_else(|| program.display().to_string(), |n| n.to_string_lossy().into_owned())
        }
        ConnectionKind::Binotel { .. } => "Binotel".to_string(),
        ConnectionKind::Ringostat { .. } => "Ringostat".to_string(),
        ConnectionKind::Zadarma { .. } => "Zadarma".to_string(),
        // The host alone: never a user name or password written before it.
        ConnectionKind::Http(http) => ringside_text::url_host(&http.url).unwrap_or("HTTP").to_string(),
    }
}

/// The provider with its key: the keychain entry `dial:<name>`, else the environment variable
/// `RINGSIDE_DIAL_<NAME>_SECRET`. The keychain blocks, so it is read off the runtime.
async fn provider(connection: &ConnectionConfig) -> Result<Provider, RuntimeError> {
    let secret = if ringside_click_to_call::needs_secret(&connection.kind) {
        let (key, env) = (
            ringside_click_to_call::secret_key(&connection.name),
            ringside_click_to_call::secret_env_var(&connection.name),
        );
        let store = ringside_secrets::SecretStore::os();
        tokio::task::spawn_blocking(move || ringside_secrets::resolve(&store, &key, &env))
            .await
            .map_err(|_| RuntimeError::Stopped)??
    } else {
        None
    };
    Ok(Provider::new(connection, secret, PROVIDER_TIMEOUT)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_link_for_the_number_just_handed_to_the_link_handler_is_that_hand_over_coming_back() {
        let dialer = Dialer::new(&DialConfig::default(), "UA").await;
        assert!(!dialer.came_back("+380441234567"));
        dialer.handing_to_link_handler("+380441234567");
        assert!(dialer.came_back("tel:+380441234567".trim_start_matches("tel:")));
        assert!(dialer.came_back("+380 44 123 45 67"), "the same digits, however written");
        assert!(!dialer.came_back("+380441234568"), "another number is a person clicking");
    }

    #[tokio::test]
    async fn an_http_api_is_listed_by_its_host_without_the_credentials_before_it() {
        let http = ringside_config::HttpConnection {
            method: "POST".to_string(),
            url: "https://robo7:pw-s3cret@api.acme.example:8443/v2/calls?to={number}".to_string(),
            headers: Default::default(),
            body: None,
            body_format: Default::default(),
            extension: String::new(),
            success_pointer: None,
            success_value: None,
            error_pointer: None,
            allow_plain_http: false,
        };
        let connection = ConnectionConfig {
            name: "acme".to_string(),
            kind: ConnectionKind::Http(http),
            rule: ringside_config::DialRule::default(),
        };
        let config = DialConfig { connections: vec![connection], ..DialConfig::default() };
        let dialer = Dialer::new(&config, "UA").await;
        let labels: Vec<String> = dialer.summaries().into_iter().map(|s| s.label).collect();
        assert_eq!(labels, ["api.acme.example:8443"]);
    }
}
