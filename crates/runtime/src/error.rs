use std::sync::Arc;

use thiserror::Error;

use ringside_ami::AmiError;
use ringside_core::error_code::args;
use ringside_core::{ErrorArgs, ErrorCode, TransitionError};

/// Errors the agent sees; each message says what to do. They keep their types up to the
/// command boundary, where they cross as an [`ringside_core::ErrorReport`] (`{code, args,
/// message}`) so the window can react and translate.
#[derive(Debug, Error, Clone)]
pub enum RuntimeError {
    #[error("no AMI secret for user {username:?}: store it with `ringside-cli secret set`, or set {env}")]
    NoSecret { username: String, env: &'static str },
    #[error(transparent)]
    Keychain(Arc<ringside_secrets::SecretError>),
    /// The relay (NATS) could not be asked: no relay serves this desk, it timed out.
    #[error("the relay cannot be reached: {0}")]
    RelayUnavailable(String),
    /// The relay or the PBX behind it refused the command.
    #[error("the relay refused: {}", .0.message)]
    RelayRefused(ringside_core::ErrorReport),
    #[error("no NATS password for user {user:?}: store it with `ringside-cli secret set nats`, or set {env}")]
    NoNatsSecret { user: String, env: &'static str },
    /// The settings window named a secret the config has no place for.
    #[error("there is no secret {which:?} in these settings; there is: {}", .known.join(", "))]
    NoSuchSecret { which: String, known: Vec<String> },
    #[error("type the secret first (to take one out of the keychain, remove it)")]
    EmptySecret,
    /// The secret cannot work where it goes (a Bitrix24 key that is not a webhook URL, …).
    #[error("this key was not stored: {0}")]
    SecretRefused(String),
    #[error(
        "there is no keychain on this computer ({detail}); give the secret in the environment variable {env} instead"
    )]
    NoKeychain { detail: String, env: String },
    #[error("the demo PBX could not start: {0}")]
    Demo(Arc<ringside_demo_pbx::DemoPbxError>),
    #[error(transparent)]
    State(#[from] TransitionError),
    #[error(transparent)]
    Pbx(#[from] AmiError),
    #[error(transparent)]
    Number(#[from] ringside_core::number::DialError),
    #[error("there is no call to hang up")]
    NoSuchCall,
    #[error("that call's card is no longer open")]
    NoSuchCard,
    #[error("that deal is no longer open for this customer; look up the caller again")]
    NoSuchDeal,
    #[error("the customer was picked for this call, but Ringside could not remember it for the next one: {0}")]
    NotRemembered(DirectoryProblem),
    /// The number, or the softphone for it, on this desktop.
    #[error(transparent)]
    Dial(#[from] ringside_dial::DialError),
    /// A provider's click-to-call API.
    #[error(transparent)]
    Provider(#[from] ringside_click_to_call::CallError),
    #[error("there is no connection {name:?}; there is: {}", .known.join(", "))]
    NoConnection { name: String, known: Vec<String> },
    #[error("{number} contains * or #, which your phone system may read as a service code (call forwarding, voicemail); confirm to call it")]
    ServiceCode { number: String },
    #[error(transparent)]
    History(Arc<ringside_history::HistoryError>),
    #[error("there is no home folder to keep the call history in")]
    NoHistoryFolder,
    #[error("the call history cannot be used: {0}")]
    HistoryUnavailable(Box<RuntimeError>),
    #[error("the call history stopped; restart Ringside")]
    HistoryStopped,
    #[error("{0} has no page in a CRM")]
    NoCustomerPage(String),
    #[error("the PBX named no recording of this call")]
    NoRecording,
    #[error("the customer could not be saved: {0}")]
    CustomerNotSaved(DirectoryProblem),
    /// A CRM did not create the customer. Nothing was created in its place; `name` and `company`
    /// are what the agent typed, for the window to keep (pressing Create again with the same text
    /// is the same request, which the CRM recognises if an earlier one did get through).
    #[error("the customer could not be created in {crm}: {reason}")]
    CrmCreateFailed { crm: String, name: String, company: Option<String>, reason: Box<ringside_crm::CrmError> },
    #[error("customers cannot be created in {target:?}; they can be in: {}", .known.join(", "))]
    NoCreateTarget { target: String, known: Vec<String> },
    #[error("the customer is being created in {target} already; wait for it")]
    CreateInProgress { target: String },
    /// `in_source`: the customer's source (`directory` or a CRM's name).
    #[error("there is no page for a new order in {in_source}: {reason}")]
    NoOrderPage { in_source: String, reason: String },
    #[error("not connected to the PBX; try again when the connection is back")]
    NotConnected,
    #[error("this desk does not supervise other agents: set [supervisor] enabled = true in the config")]
    NotSupervisor,
    /// The PBX answered a supervisor's `QueuePause` with `Permission denied`.
    #[error("your PBX account may not pause other agents: ask the PBX admin for the \"agent\" write permission (write = agent in manager.conf)")]
    MayNotPauseOthers,
    #[error("{reason:?} is not one of the pause reasons; choose one of: {}", .known.join(", "))]
    UnknownPauseReason { reason: String, known: Vec<String> },
    #[error("Ringside is shutting down")]
    Stopped,
}

/// Why the embedded customer directory could not take a pick or a new customer.
#[derive(Debug, Error, Clone)]
pub enum DirectoryProblem {
    #[error("give the customer a name")]
    NoName,
    #[error("the customer directory is not available")]
    Unavailable,
    #[error("the customer directory failed earlier; restart Ringside")]
    Poisoned,
    #[error(transparent)]
    Failed(Arc<ringside_lookup::LookupError>),
}

impl DirectoryProblem {
    fn code(&self) -> &'static str {
        match self {
            DirectoryProblem::NoName => "customer.no_name",
            DirectoryProblem::Unavailable => "directory.unavailable",
            DirectoryProblem::Poisoned => "directory.failed_earlier",
            DirectoryProblem::Failed(_) => "directory.failed",
        }
    }
}

impl From<ringside_lookup::LookupError> for DirectoryProblem {
    fn from(e: ringside_lookup::LookupError) -> Self {
        DirectoryProblem::Failed(Arc::new(e))
    }
}

impl RuntimeError {
    pub(crate) fn history(e: ringside_history::HistoryError) -> Self {
        RuntimeError::History(Arc::new(e))
    }
}

impl From<ringside_secrets::SecretError> for RuntimeError {
    fn from(e: ringside_secrets::SecretError) -> Self {
        RuntimeError::Keychain(Arc::new(e))
    }
}

impl From<ringside_demo_pbx::DemoPbxError> for RuntimeError {
    fn from(e: ringside_demo_pbx::DemoPbxError) -> Self {
        RuntimeError::Demo(Arc::new(e))
    }
}

impl ErrorCode for RuntimeError {
    fn code(&self) -> &'static str {
        match self {
            RuntimeError::NoSecret { .. } => "pbx.no_secret",
            RuntimeError::Keychain(_) => "keychain.unavailable",
            RuntimeError::RelayUnavailable(_) => "relay.unavailable",
            RuntimeError::RelayRefused(_) => "relay.refused",
            RuntimeError::NoNatsSecret { .. } => "relay.no_secret",
            RuntimeError::NoSuchSecret { .. } => "settings.no_such_secret",
            RuntimeError::EmptySecret => "settings.empty_secret",
            RuntimeError::SecretRefused(_) => "settings.secret_refused",
            RuntimeError::NoKeychain { .. } => "keychain.not_stored",
            RuntimeError::Demo(_) => "demo.not_started",
            RuntimeError::State(e) => e.code(),
            RuntimeError::Pbx(e) => e.code(),
            RuntimeError::Number(e) => e.code(),
            RuntimeError::NoSuchCall => "call.none",
            RuntimeError::NoSuchCard => "card.gone",
            RuntimeError::NoSuchDeal => "card.no_such_deal",
            RuntimeError::NotRemembered(DirectoryProblem::Failed(_)) => "customer.pick_not_remembered",
            RuntimeError::NotRemembered(p) => p.code(),
            RuntimeError::Dial(e) => e.code(),
            RuntimeError::Provider(_) => "dial.provider_refused",
            RuntimeError::NoConnection { .. } => "dial.no_connection",
            RuntimeError::ServiceCode { .. } => "dial.service_code",
            RuntimeError::History(e) => e.code(),
            RuntimeError::NoHistoryFolder => "history.no_folder",
            RuntimeError::HistoryUnavailable(e) => e.code(),
            RuntimeError::HistoryStopped => "history.stopped",
            RuntimeError::NoCustomerPage(_) => "customer.no_page",
            RuntimeError::NoRecording => "recording.none",
            RuntimeError::CustomerNotSaved(DirectoryProblem::Failed(_)) => "customer.not_saved",
            RuntimeError::CustomerNotSaved(p) => p.code(),
            RuntimeError::CrmCreateFailed { .. } => "crm.create_failed",
            RuntimeError::NoCreateTarget { .. } => "customer.no_such_target",
            RuntimeError::CreateInProgress { .. } => "customer.create_in_progress",
            RuntimeError::NoOrderPage { .. } => "customer.no_order_page",
            RuntimeError::NotConnected => "pbx.not_connected",
            RuntimeError::NotSupervisor => "supervisor.not_enabled",
            RuntimeError::MayNotPauseOthers => "supervisor.not_permitted",
            RuntimeError::UnknownPauseReason { .. } => "supervisor.unknown_reason",
            RuntimeError::Stopped => "app.stopping",
        }
    }

    fn args(&self) -> ErrorArgs {
        match self {
            RuntimeError::NoSecret { username, env } => {
                args([("username", username.clone()), ("env", env.to_string())])
            }
            RuntimeError::NoSuchSecret { which, known } => {
                args([("which", which.clone()), ("known", known.join(", "))])
            }
            RuntimeError::SecretRefused(reason) => args([("reason", reason.clone())]),
            RuntimeError::NoKeychain { detail, env } => args([("detail", detail.clone()), ("env", env.clone())]),
            RuntimeError::RelayUnavailable(reason) => args([("reason", reason.clone())]),
            RuntimeError::RelayRefused(report) => {
                args([("reason", report.message.clone()), ("code", report.code.clone())])
            }
            RuntimeError::NoNatsSecret { user, env } => args([("user", user.clone()), ("env", env.to_string())]),
            RuntimeError::State(e) => e.args(),
            RuntimeError::Pbx(e) => e.args(),
            RuntimeError::Number(e) => e.args(),
            RuntimeError::NoConnection { name, known } => args([("name", name.clone()), ("known", known.join(", "))]),
            RuntimeError::NoCustomerPage(name) => args([("name", name.clone())]),
            RuntimeError::Dial(e) => e.args(),
            RuntimeError::History(e) => e.args(),
            RuntimeError::HistoryUnavailable(e) => e.args(),
            RuntimeError::ServiceCode { number } => args([("number", number.clone())]),
            RuntimeError::CrmCreateFailed { crm, name, company, reason } => args([
                ("crm", crm.clone()),
                ("reason", reason.to_string()),
                ("name", name.clone()),
                ("company", company.clone().unwrap_or_default()),
                ("permanent", reason.is_permanent().to_string()),
            ]),
            RuntimeError::NoCreateTarget { target, known } => {
                args([("target", target.clone()), ("known", known.join(", "))])
            }
            RuntimeError::CreateInProgress { target } => args([("target", target.clone())]),
            RuntimeError::MayNotPauseOthers => args([("permission", "agent".to_string())]),
            RuntimeError::UnknownPauseReason { reason, known } => {
                args([("reason", reason.clone()), ("known", known.join(", "))])
            }
            RuntimeError::NoOrderPage { in_source, reason } => {
                args([("source", in_source.clone()), ("reason", reason.clone())])
            }
            RuntimeError::Keychain(_)
            | RuntimeError::EmptySecret
            | RuntimeError::Demo(_)
            | RuntimeError::NoSuchCall
            | RuntimeError::NoSuchCard
            | RuntimeError::NoSuchDeal
            | RuntimeError::NotRemembered(_)
            | RuntimeError::Provider(_)
            | RuntimeError::NoHistoryFolder
            | RuntimeError::HistoryStopped
            | RuntimeError::NoRecording
            | RuntimeError::CustomerNotSaved(_)
            | RuntimeError::NotConnected
            | RuntimeError::NotSupervisor
            | RuntimeError::Stopped => ErrorArgs::new(),
        }
    }
}
