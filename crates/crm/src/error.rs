//! What can go wrong when asking a CRM, as sentences an agent or an admin can act on.
//!
//! No message ever contains a secret: not the API key, not a Bitrix24 webhook code, not a URL
//! that holds one. Hosts are named (`crm.example.com`, the Bitrix24 portal's host), paths are not,
//! because a REST path carries the caller's number and a webhook path carries the code. A CRM's
//! own words that quote an address (its error message, a Bitrix24 `error_description`) have the
//! address masked (ringside-text's `clean_message`: `user:pass@`, `?api_key=…`, a webhook code).

/// Why a CRM lookup or write-back failed. `Display` is the sentence to show; every field is an
/// owned `String` so the error is `Clone` (a cached failure can be handed to several cards).
///
/// Three kinds, for a caller that retries ([`is_transient`](Self::is_transient),
/// [`is_permanent`](Self::is_permanent)):
/// - **transient**: asking again later may work without anybody changing anything (time-outs,
///   unreachable, rate limits, 5xx);
/// - **permanent**: the CRM refused this very record (400, 413, 422, Bitrix24's invalid
///   arguments); sending it again can never work;
/// - **neither**: somebody has to change something (store a key, tick a webhook permission, set
///   the agent's extension in the CRM, fix an address); after that, the same record goes through.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrmError {
    /// The CRM needs a key (a REST `auth_header`, or any Bitrix24 portal) and none was found.
    #[error("no key for CRM \"{name}\" in the keychain; store it with: ringside-cli secret set crm:{name}")]
    NoSecret { name: String },

    /// The stored key cannot be used as it is; `problem` says why (never what it is).
    #[error("the key stored for CRM \"{name}\" {problem}; store a new one with: ringside-cli secret set crm:{name}")]
    BadSecret { name: String, problem: String },

    /// The configuration cannot work (caught before any request is sent).
    #[error("CRM \"{name}\": {problem}")]
    Config { name: String, problem: String },

    /// The caller's number cannot be put into the configured address without changing which
    /// resource it names (e.g. a raw number of `..` in a path segment).
    #[error("the number {number:?} cannot be sent to {host}: it would change the address's path")]
    BadNumber { host: String, number: String },

    /// No answer (headers and body) within the per-request time bound.
    #[error("{host} did not answer within {ms} ms")]
    Timeout { host: String, ms: u64 },

    /// DNS, TCP or TLS failed before a request could be sent.
    #[error("cannot reach {host}: {reason}")]
    Unreachable { host: String, reason: String },

    /// The CRM redirected to another origin (scheme, host or port): the request was not repeated
    /// there, so neither the caller's number nor the key left for the other site.
    #[error(
        "{from} redirected to {to}; Ringside does not send the caller's number and the key to another site; {fix}"
    )]
    CrossOriginRedirect { from: String, to: String, fix: String },

    /// More than three redirects in a row.
    #[error("{host} redirected more than 3 times; {fix}")]
    TooManyRedirects { host: String, fix: String },

    /// The answer's body is bigger than Ringside reads (2 MiB).
    #[error("{host} answered with more than 2 MiB")]
    TooLarge { host: String },

    /// 401 or 403 from a REST CRM.
    #[error("{host} refused {what} ({status}); {fix}")]
    Refused { host: String, status: String, what: String, fix: String },

    /// 429, or Bitrix24's QUERY_LIMIT_EXCEEDED / OPERATION_TIME_LIMIT.
    #[error("{host} is rate limiting Ringside ({status}); the lookup will work again in a moment")]
    RateLimited { host: String, status: String },

    /// Any other status that is not a success. `detail` is empty or `": <the CRM's own message>"`,
    /// sanitised to one line of at most 200 characters.
    #[error("{host} {verb} ({status}){detail}")]
    Status { host: String, verb: String, status: String, detail: String },

    /// The body of a success is not JSON; `detail` is serde_json's description and position.
    #[error("{host} answered with something that is not JSON ({detail})")]
    NotJson { host: String, detail: String },

    /// JSON, but not in the shape the configuration (or Bitrix24's documentation) describes.
    #[error("{host} answered in an unexpected shape: {detail}")]
    BadAnswer { host: String, detail: String },

    /// Bitrix24 does not accept the webhook (INVALID_CREDENTIALS, NO_AUTH_FOUND, …).
    #[error(
        "Bitrix24 ({host}) refused the webhook; create a new incoming webhook and store it with: \
         ringside-cli secret set crm:{name}"
    )]
    WebhookRefused { host: String, name: String },

    /// The webhook works but lacks a permission (insufficient_scope): `permission` is how
    /// Bitrix24 names it, `CRM (crm)` for lookups, `Telephony (telephony)` for writing calls.
    #[error(
        "the Bitrix24 webhook for {host} lacks the {permission} permission; edit the incoming webhook in Bitrix24, \
         tick \"{permission}\" and save"
    )]
    WebhookScope { host: String, permission: String },

    /// Any other error Bitrix24 reported (`{"error": code, "error_description": …}`).
    #[error("Bitrix24 ({host}) answered with an error: {code}{detail}")]
    Bitrix { host: String, code: String, detail: String },

    /// Any other transport failure.
    #[error("the request to {host} failed: {reason}")]
    Http { host: String, reason: String },

    /// Write-back: the CRM refused this call record as invalid (REST 400, 413 or 422; Bitrix24's
    /// "invalid argument" errors). `reason` is the status or code with the CRM's own words,
    /// sanitised to one line of at most 200 characters. Permanent: the same record cannot succeed.
    #[error("{host} refused the call record ({reason}); sending it again cannot help")]
    Rejected { host: String, reason: String },

    /// Creating a customer: the CRM refused the new customer as invalid (REST 400, 413 or 422;
    /// Bitrix24's invalid arguments). `reason` is the status or code with the CRM's own words,
    /// sanitised. Permanent: the same customer cannot succeed as it is.
    #[error("{host} refused the new customer ({reason})")]
    NotCreated { host: String, reason: String },

    /// No page for a new order or deal can be given for this customer (`why` says why and what to
    /// set).
    #[error("CRM \"{name}\" has no page for a new order for this customer: {why}")]
    NoOrderPage { name: String, why: String },

    /// Write-back got half way: the CRM holds the call as `remote_id` (Bitrix24: the `CALL_ID`
    /// that `telephony.externalcall.register` gave), then `cause` stopped it. Keep `remote_id` and
    /// pass it as [`Prior::Partial`](crate::Prior::Partial) to the next
    /// [`write_call`](crate::Connector::write_call), which goes on from there instead of
    /// registering the call a second time. Transient or permanent as `cause` is.
    #[error("{cause} (the CRM already holds the call as {remote_id}; the next attempt goes on from there)")]
    Partial { remote_id: String, cause: Box<CrmError> },
}

impl CrmError {
    /// True when asking again later may succeed without anybody changing anything (time-outs,
    /// unreachable hosts, rate limits, 5xx): a cache should not keep such a failure long.
    pub fn is_transient(&self) -> bool {
        match self {
            CrmError::Partial { cause, .. } => cause.is_transient(),
            CrmError::Timeout { .. }
            | CrmError::Unreachable { .. }
            | CrmError::RateLimited { .. }
            | CrmError::Http { .. } => true,
            CrmError::Status { status, .. } => status.starts_with('5'),
            CrmError::Bitrix { code, .. } => code == "INTERNAL_SERVER_ERROR" || code == "ERROR_UNEXPECTED_ANSWER",
            _ => false,
        }
    }

    /// True when the CRM refused this very record (REST 400, 413, 422; Bitrix24's invalid
    /// arguments): sending it again can never succeed, so an outbox should stop retrying it.
    /// Never true of a transient error. Not true of errors somebody can fix (a missing key, a
    /// webhook permission, an address, a user unknown to the CRM): the record succeeds afterwards.
    pub fn is_permanent(&self) -> bool {
        match self {
            CrmError::Rejected { .. } | CrmError::NotCreated { .. } => true,
            CrmError::Partial { cause, .. } => cause.is_permanent(),
            _ => false,
        }
    }

    /// The remote id a write-back got to before it failed ([`CrmError::Partial`]): pass it as
    /// [`Prior::Partial`](crate::Prior::Partial) to the next attempt.
    pub fn partial_remote_id(&self) -> Option<&str> {
        match self {
            CrmError::Partial { remote_id, .. } => Some(remote_id),
            _ => None,
        }
    }

    /// What went wrong, without the [`CrmError::Partial`] wrapper.
    pub fn cause(&self) -> &CrmError {
        match self {
            CrmError::Partial { cause, .. } => cause.cause(),
            other => other,
        }
    }
}
