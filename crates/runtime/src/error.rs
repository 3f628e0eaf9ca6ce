use thiserror::Error;

use ringside_ami::AmiError;
use ringside_core::TransitionError;

/// Errors the agent sees; each message says what to do.
#[derive(Debug, Error, Clone)]
pub enum RuntimeError {
    #[error("no AMI secret for user {username:?}: store it with `ringside-cli secret set`, or set {env}")]
    NoSecret { username: String, env: &'static str },
    #[error("{0}")]
    Keychain(String),
    #[error("the demo PBX could not start: {0}")]
    Demo(String),
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
    #[error("the customer was picked for this call, but Ringside could not remember it for the next one: {0}")]
    NotRemembered(String),
    #[error("{0}")]
    Dial(String),
    #[error("{0}")]
    History(String),
    #[error("{0} has no page in a CRM")]
    NoCustomerPage(String),
    #[error("the PBX named no recording of this call")]
    NoRecording,
    #[error("the customer could not be saved: {0}")]
    CustomerNotSaved(String),
    #[error("not connected to the PBX; try again when the connection is back")]
    NotConnected,
    #[error("Ringside is shutting down")]
    Stopped,
}
