//! What can go wrong when a provider is asked to place a call, as sentences an agent (or the admin
//! the agent calls) can act on.
//!
//! No message contains a secret: not the key, not Zadarma's signature, not a URL that holds one.
//! Providers are named by their label ("Binotel", or the HTTP API's host), never by a URL. A
//! provider's own words that quote an address have its secrets masked (ringside-text's
//! `clean_message`: `user:pass@`, `?api_key=…`).

use ringside_http::HttpError;

/// Why a call was not placed. `Display` is the sentence to show; every field is an owned `String`
/// so the error is `Clone`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The connection is a softphone, a desktop link or the PBX: it has no provider API.
    #[error("connection \"{name}\" (kind = \"{kind}\") does not place calls through a provider's API")]
    NotAProvider { name: String, kind: String },

    /// The connection needs a key and none was found.
    #[error("no key for connection \"{name}\" in the keychain; store it with: ringside-cli secret set dial:{name}")]
    NoSecret { name: String },

    /// The stored key cannot be used as it is; `problem` says why (never what it is).
    #[error(
        "the key stored for connection \"{name}\" {problem}; store a new one with: ringside-cli secret set dial:{name}"
    )]
    BadSecret { name: String, problem: String },

    /// The configuration cannot work (found before any request is sent).
    #[error("connection \"{name}\": {problem}")]
    Config { name: String, problem: String },

    /// The number holds something other than `0-9 + * #`: refused before any request.
    #[error("{number:?} is not a number Ringside dials: only digits, +, * and # are sent to a provider")]
    BadNumber { number: String },

    /// 401 or 403: the provider does not accept the key (or, without a key, the request).
    #[error("{provider} refused {what} ({status}); {fix}")]
    Refused { provider: String, what: String, status: String, fix: String },

    /// The provider answered and said no, in its own words (cleaned to one line of at most 200
    /// characters): "Binotel refused the call: API dialing is not enabled for line 901".
    #[error("{provider} refused the call: {message}")]
    Rejected { provider: String, message: String },

    /// The provider said no without words of its own.
    #[error("{provider} refused the call ({status})")]
    RejectedStatus { provider: String, status: String },

    /// 429.
    #[error("{provider} is rate limiting Ringside ({status}); try again in a moment")]
    RateLimited { provider: String, status: String },

    /// 5xx. `detail` is empty or `": <the provider's own words>"`.
    #[error("{provider} had an error ({status}){detail}")]
    ProviderError { provider: String, status: String, detail: String },

    /// A success status whose body is not the JSON the provider documents.
    #[error(
        "{provider} answered with something that is not JSON ({detail}); Ringside cannot tell whether the call \
         was placed"
    )]
    NotJson { provider: String, detail: String },

    /// JSON, but not in the provider's documented shape.
    #[error("{provider} answered in an unexpected shape ({detail}); Ringside cannot tell whether the call was placed")]
    BadAnswer { provider: String, detail: String },

    /// No complete answer: time-out, unreachable, a refused redirect, a body over 2 MiB, …
    #[error(transparent)]
    Http(#[from] HttpError),
}

impl CallError {
    /// True when trying again later may work without anybody changing anything (time-outs,
    /// unreachable hosts, rate limits, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            CallError::RateLimited { .. } | CallError::ProviderError { .. } => true,
            CallError::Http(e) => e.is_transient(),
            _ => false,
        }
    }
}
