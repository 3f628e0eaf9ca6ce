//! Why a push was refused: a stable code for the sender's logs and the English reason.

use ringside_core::ErrorCode;

/// A refused request. [`PushError::code`] is the contract (`push.bad_body`, …); the HTTP layer
/// answers `{code, message}` with the status of [`PushError::status`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The body could not be read as any accepted format; the message names the field.
    #[error("{0}")]
    BadBody(String),
    /// No bearer token, or one no tenant has (`401`, `WWW-Authenticate: Bearer`).
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// A provider's signature or secret URL token did not match (`403`).
    #[error("the request's signature or token does not match")]
    BadSignature,
    /// The body is over the limit (`413`).
    #[error("the body is over {limit} bytes")]
    TooLarge { limit: usize },
    /// The queue to the agents is full: try again after `retry_after` seconds (`503`).
    #[error("busy: try again in {retry_after} s")]
    Busy { retry_after: u64 },
    /// Over this token's request rate: try again after `retry_after` seconds (`429`).
    #[error("too many requests: try again in {retry_after} s")]
    RateLimited { retry_after: u64 },
    /// Nobody takes events any more (the relay is shutting down) (`503`).
    #[error("not accepting events now")]
    Closed,
}

impl PushError {
    pub(crate) fn bad_body(message: impl Into<String>) -> Self {
        PushError::BadBody(message.into())
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            PushError::BadBody(_) => 400,
            PushError::Unauthorized => 401,
            PushError::BadSignature => 403,
            PushError::TooLarge { .. } => 413,
            PushError::RateLimited { .. } => 429,
            PushError::Busy { .. } | PushError::Closed => 503,
        }
    }
}

impl ErrorCode for PushError {
    fn code(&self) -> &'static str {
        match self {
            PushError::BadBody(_) => "push.bad_body",
            PushError::Unauthorized => "push.unauthorized",
            PushError::BadSignature => "push.bad_signature",
            PushError::TooLarge { .. } => "push.too_large",
            PushError::Busy { .. } => "push.busy",
            PushError::RateLimited { .. } => "push.rate_limited",
            PushError::Closed => "push.closed",
        }
    }
}
