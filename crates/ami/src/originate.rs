//! Click-to-call through `Originate`: Asterisk rings the agent's phone first and, once they
//! answer, dials the number. The outcome arrives later as `OriginateResponse`, even when it
//! fails (then with `Uniqueid: <unknown>`); we wait for it by ActionID.

use std::time::Duration;

use crate::client::Client;
use crate::codec::Action;
use crate::error::AmiError;

/// What to place and from where.
#[derive(Debug, Clone)]
pub struct OriginateRequest {
    /// The agent's device, rung first (`PJSIP/100`, `Local/100@agents`).
    pub device: String,
    /// The dialplan context the number is dialed from.
    pub context: String,
    /// The number, already reduced to `[0-9+*#]` by the caller.
    pub number: String,
    /// Shown on the agent's phone while it rings: the agent's own extension keeps the call
    /// recognisable as theirs (the tracker relies on it).
    pub caller_id: String,
    /// How long the agent's phone may ring.
    pub ring_timeout: Duration,
}

/// The call was placed: the agent answered and the number is being dialed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Originated {
    /// The agent leg's channel, for hanging up or following the call.
    pub channel: Option<String>,
    pub uniqueid: Option<String>,
}

pub async fn originate(client: &Client, req: &OriginateRequest) -> Result<Originated, AmiError> {
    let action = Action::new("Originate")
        .field("Channel", &req.device)
        .field("Context", &req.context)
        .field("Exten", &req.number)
        .field("Priority", "1")
        .field("CallerID", &req.caller_id)
        .field("Timeout", req.ring_timeout.as_millis().to_string())
        .field("Async", "true");
    let wait = req.ring_timeout + Duration::from_secs(15);
    let (_queued, outcome) = client.send_until(action, "OriginateResponse", wait).await?;
    let known = |v: Option<&str>| v.filter(|s| !s.is_empty() && *s != "<unknown>").map(str::to_owned);
    if outcome.response().is_some_and(|r| r.eq_ignore_ascii_case("Success")) {
        return Ok(Originated { channel: known(outcome.get("Channel")), uniqueid: known(outcome.get("Uniqueid")) });
    }
    let reason = outcome.get("Reason").unwrap_or("");
    Err(AmiError::CallNotPlaced(originate_failure(reason, &req.device)))
}

/// Asterisk's numeric `Reason` (the AST_CONTROL_* of the agent leg) in words.
pub fn originate_failure(reason: &str, device: &str) -> String {
    match reason.trim() {
        "0" => format!("the PBX could not ring {device} (unknown device, or it is not registered)"),
        "1" => format!("{device} hung up before the call was placed"),
        "3" => format!("{device} rang but nobody answered"),
        "5" => format!("{device} is busy"),
        "8" => "the PBX is congested; try again".to_string(),
        other => format!("the call could not be placed (Asterisk reason {other})"),
    }
}
