use std::time::Duration;

use thiserror::Error;

use crate::codec::{CodecError, EncodeError};

/// What can go wrong talking to an AMI server, in words for the agent or their admin.
#[derive(Debug, Error, Clone)]
pub enum AmiError {
    #[error("cannot reach the PBX at {addr}: {reason}")]
    Connect {
        addr: String,
        reason: String,
        /// Nothing listens there (the host answered "connection refused"): typically the PBX
        /// restarting, so worth trying again soon.
        refused: bool,
    },
    #[error("the PBX at {addr} did not answer within {timeout:?}")]
    ConnectTimeout { addr: String, timeout: Duration },
    #[error("{addr} is not an Asterisk Manager Interface (it said {banner:?})")]
    NotAmi { addr: String, banner: String },
    #[error("the PBX refused the AMI login for user {username:?}: wrong username or secret")]
    AuthenticationFailed { username: String },
    #[error("the PBX refused {action}: {message}")]
    Rejected { action: String, message: String },
    /// Asterisk's `Permission denied`: the AMI user's `write` classes in manager.conf do not
    /// include the one the action needs ([`write_permission`]).
    #[error("the PBX account may not send {action}: ask the PBX admin for the \"{}\" write permission (write = {} in manager.conf)", write_permission(.action), write_permission(.action))]
    PermissionDenied { action: String },
    /// Click-to-call did not get through; the text names the device and why.
    #[error("{0}")]
    CallNotPlaced(String),
    #[error("the PBX did not answer {action} within {timeout:?}")]
    ActionTimeout { action: String, timeout: Duration },
    #[error("the PBX stopped answering (no reply to a keepalive ping within {0:?})")]
    PingTimeout(Duration),
    #[error("the connection to the PBX was closed")]
    Closed,
    #[error("connection to the PBX lost: {0}")]
    Io(String),
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// The manager.conf `write` class an action needs (Asterisk registers each action with one).
pub fn write_permission(action: &str) -> &'static str {
    match action.to_ascii_lowercase().as_str() {
        "queuepause" | "queueadd" | "queueremove" | "queuepenalty" | "queuelog" | "queuereset" => "agent",
        "originate" => "originate",
        "hangup" | "redirect" | "blindtransfer" | "atxfer" | "setvar" => "call",
        "coreshowchannels" | "status" => "reporting",
        _ => "system",
    }
}

/// Asterisk's words when an action is outside the user's `write` classes.
pub(crate) const PERMISSION_DENIED: &str = "Permission denied";

impl AmiError {
    /// The PBX's host is up but nothing listens on the port (a restart in progress).
    pub fn nobody_listening(&self) -> bool {
        matches!(self, AmiError::Connect { refused: true, .. })
    }

    /// Retrying cannot help: the user must fix the credentials or the address first.
    pub fn is_permanent(&self) -> bool {
        matches!(self, AmiError::AuthenticationFailed { .. } | AmiError::NotAmi { .. })
    }
}

impl ringside_core::ErrorCode for AmiError {
    fn code(&self) -> &'static str {
        match self {
            AmiError::Connect { .. } => "pbx.unreachable",
            AmiError::ConnectTimeout { .. } => "pbx.no_answer",
            AmiError::NotAmi { .. } => "pbx.not_ami",
            AmiError::AuthenticationFailed { .. } => "pbx.login_refused",
            AmiError::Rejected { .. } => "pbx.refused",
            AmiError::PermissionDenied { .. } => "pbx.permission_denied",
            AmiError::CallNotPlaced(_) => "pbx.call_not_placed",
            AmiError::ActionTimeout { .. } => "pbx.action_timeout",
            AmiError::PingTimeout(_) => "pbx.stopped_answering",
            AmiError::Closed | AmiError::Io(_) => "pbx.connection_lost",
            AmiError::Codec(_) => "pbx.bad_frame",
            AmiError::Encode(_) => "pbx.bad_action",
        }
    }

    fn args(&self) -> ringside_core::ErrorArgs {
        use ringside_core::error_code::args;
        match self {
            AmiError::Connect { addr, .. } | AmiError::ConnectTimeout { addr, .. } | AmiError::NotAmi { addr, .. } => {
                args([("addr", addr.clone())])
            }
            AmiError::AuthenticationFailed { username } => args([("username", username.clone())]),
            AmiError::Rejected { action, message } => args([("action", action.clone()), ("reason", message.clone())]),
            AmiError::PermissionDenied { action } => {
                args([("action", action.clone()), ("permission", write_permission(action).to_string())])
            }
            AmiError::CallNotPlaced(reason) => args([("reason", reason.clone())]),
            AmiError::ActionTimeout { action, timeout } => {
                args([("action", action.clone()), ("secs", timeout.as_secs().to_string())])
            }
            _ => ringside_core::ErrorArgs::new(),
        }
    }
}
