//! The relay protocol: how a Ringside relay (one AMI connection or provider webhooks for the
//! whole call center) and the desks talk over NATS (docs/relay-protocol.md). Subjects are
//! per tenant and per agent, so NATS permissions can give an agent's credentials its own
//! subjects only.

use serde::{Deserialize, Serialize};

use crate::{CallEvent, CallId, ErrorReport};

/// Where the relay publishes the agent's `CallEvent`s (JSON, one per message).
pub fn agent_subject(tenant: &str, extension: &str) -> String {
    format!("ringside.{tenant}.agent.{extension}")
}

/// Where the desk sends a [`RelayCommand`] (request/reply; the relay answers a [`RelayReply`]).
/// The subject names the agent: a relay acts on that agent only.
pub fn command_subject(tenant: &str, extension: &str) -> String {
    format!("ringside.{tenant}.cmd.{extension}")
}

/// Where the desk asks, after every (re)connect, for what exists now: the relay answers a
/// [`SyncReply`], the agent's calls and pauses as events.
pub fn sync_subject(tenant: &str, extension: &str) -> String {
    format!("ringside.{tenant}.sync.{extension}")
}

/// Where the relay publishes a queue's team state: one `CallEvent::TeamMember` per change of a
/// member of `queue`, once for every supervisor (not once per agent).
pub fn team_subject(tenant: &str, queue: &str) -> String {
    format!("ringside.{tenant}.team.{}", subject_token(queue))
}

/// Every queue's team subject of the tenant (a supervisor of every queue subscribes to it).
pub fn every_team_subject(tenant: &str) -> String {
    format!("ringside.{tenant}.team.*")
}

/// Where a supervisor's desk asks, after every (re)connect, for the members of `queue` as they
/// are now, or of every queue (`None`); the relay answers a [`SyncReply`] of `TeamMember` events.
pub fn team_sync_subject(tenant: &str, queue: Option<&str>) -> String {
    match queue {
        Some(queue) => format!("ringside.{tenant}.teamsync.{}", subject_token(queue)),
        None => format!("ringside.{tenant}.teamsync"),
    }
}

/// `text` as one NATS subject token: the characters a token cannot hold (`.`, `*`, `>`,
/// whitespace) become `_`.
pub fn subject_token(text: &str) -> String {
    text.chars().map(|c| if matches!(c, '.' | '*' | '>') || c.is_whitespace() { '_' } else { c }).collect()
}

/// What a desk asks the relay to do on the PBX for its agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum RelayCommand {
    /// Pause the agent in their queues.
    Pause {
        reason: Option<String>,
    },
    Unpause,
    /// Ring the agent's phone, then dial `number` (already dialable).
    Originate {
        number: String,
    },
    /// Hang up the agent's side of `call`.
    Hangup {
        call: CallId,
    },
    /// Supervisor: pause or unpause a member of a queue the supervisor may act on.
    SetMemberPaused {
        interface: String,
        queue: Option<String>,
        paused: bool,
        reason: Option<String>,
    },
}

/// The relay's answer to a [`RelayCommand`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum RelayReply {
    Done,
    /// The relay or the PBX refused, with its reason.
    Refused {
        error: ErrorReport,
    },
}

/// The relay's answer to a sync request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SyncReply {
    /// The agent's live calls and pause state, as the events that would have told them.
    pub events: Vec<CallEvent>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_and_payloads_are_what_the_protocol_document_says() {
        assert_eq!(agent_subject("acme", "101"), "ringside.acme.agent.101");
        assert_eq!(command_subject("acme", "101"), "ringside.acme.cmd.101");
        assert_eq!(sync_subject("acme", "101"), "ringside.acme.sync.101");
        assert_eq!(team_subject("acme", "support"), "ringside.acme.team.support");
        assert_eq!(team_subject("acme", "sales.eu *vip>"), "ringside.acme.team.sales_eu__vip_");
        assert_eq!(team_sync_subject("acme", Some("support")), "ringside.acme.teamsync.support");
        assert_eq!(team_sync_subject("acme", None), "ringside.acme.teamsync");
        let pause = serde_json::to_string(&RelayCommand::Pause { reason: Some("lunch".into()) }).unwrap();
        assert_eq!(pause, r#"{"command":"pause","reason":"lunch"}"#);
        assert_eq!(serde_json::to_string(&RelayReply::Done).unwrap(), r#"{"result":"done"}"#);
        // The examples of docs/relay-protocol.md.
        let ended = CallEvent::Ended {
            call: CallId::new("1700000000.42"),
            cause: crate::EndCause::Completed,
            at: crate::Timestamp(1796299790000),
        };
        assert_eq!(
            serde_json::to_string(&ended).unwrap(),
            r#"{"type":"ended","call":"1700000000.42","cause":{"kind":"completed"},"at":1796299790000}"#
        );
        let ringing = r#"{"type":"incoming_ringing","call":"1700000000.42","from":{"number":"+380441234567","name":"Olena"},"queue":"support","at":1796299716679}"#;
        assert!(matches!(serde_json::from_str::<CallEvent>(ringing).unwrap(), CallEvent::IncomingRinging { .. }));
    }
}
