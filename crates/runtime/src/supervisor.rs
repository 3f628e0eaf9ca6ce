//! The supervisor desk: switching another agent's "accepting calls" with a reason, and the
//! audit of those switches in the history file.
//!
//! A switch goes to the PBX as `QueuePause` of the member's interface (one queue, or all of
//! theirs). Only when the PBX answers `Success` is it written to the audit, with who switched
//! (this Ringside's agent), which member, their state before (the team view's), after, and the
//! reason's code. A refusal — `Permission denied` for an AMI user without the `agent` write
//! class becomes [`RuntimeError::MayNotPauseOthers`] — is returned to the person and not
//! recorded as a switch.

use ringside_ami::AmiError;
use ringside_core::{MemberState, PauseReason, Timestamp};
use ringside_history::{AgentSwitch, SwitchQuery};
use serde::Serialize;

use crate::{ami_source, RuntimeError, RuntimeHandle};

/// What the desk offers, from the config: the pause reasons, and whether it supervises.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct DeskSetup {
    /// `[supervisor] enabled`: the desk shows the team and may switch other agents.
    pub supervisor: bool,
    /// `[supervisor] queues`: the queues the team view lists (empty: every queue).
    pub queues: Vec<String>,
    /// `[agent] pause_reasons`, in order: for the agent's own switch, the tray and the team.
    pub pause_reasons: Vec<PauseReason>,
}

impl DeskSetup {
    pub(crate) fn of(config: &ringside_config::Config) -> Self {
        DeskSetup {
            supervisor: config.supervisor.enabled,
            queues: config.supervisor.queues.clone(),
            pause_reasons: config.agent.pause_reasons.clone(),
        }
    }
}

/// Who this Ringside's agent is, for the audit's "who".
#[derive(Debug, Clone)]
pub(crate) struct Me {
    pub extension: String,
    pub name: Option<String>,
}

impl RuntimeHandle {
    /// The desk's setup: pause reasons, supervising or not.
    pub fn desk_setup(&self) -> DeskSetup {
        (*self.parts().setup).clone()
    }

    /// Supervisor: switches another agent's "accepting calls" — pauses them with `reason` (a
    /// code of `[agent] pause_reasons`, or none) or unpauses them — in `queue`, else in every
    /// queue of theirs. Returns the audit row once the PBX confirmed.
    ///
    /// Errors: `supervisor.not_enabled` (no `[supervisor] enabled`), `supervisor.unknown_reason`,
    /// `supervisor.not_permitted` (the AMI user lacks the `agent` write permission),
    /// `pbx.refused` (an interface the PBX does not know), `pbx.not_connected`.
    pub async fn switch_member(
        &self,
        interface: &str,
        queue: Option<&str>,
        paused: bool,
        reason: Option<&str>,
    ) -> Result<AgentSwitch, RuntimeError> {
        if !self.parts().setup.supervisor {
            return Err(RuntimeError::NotSupervisor);
        }
        let reason = match reason.map(str::trim).filter(|r| !r.is_empty() && paused) {
            Some(r) if !self.parts().setup.pause_reasons.iter().any(|known| known.code == r) => {
                return Err(RuntimeError::UnknownPauseReason {
                    reason: r.to_string(),
                    known: self.parts().setup.pause_reasons.iter().map(|k| k.code.clone()).collect(),
                })
            }
            r => r.map(str::to_string),
        };
        let member = self.snapshot().await.team.into_iter().find(|m| m.interface == interface);
        let (paused_before, reason_before) = match member.as_ref().map(|m| m.state()) {
            Some(MemberState::Paused { reason, .. }) => (Some(true), reason),
            Some(_) => (Some(false), None),
            None => (None, None),
        };
        let (iface, q, r) = (interface.to_string(), queue.map(str::to_string), reason.clone());
        let sent = self
            .ask_source(|reply| ami_source::SourceMsg::SetMemberPaused {
                interface: iface,
                queue: q,
                paused,
                reason: r,
                reply,
            })
            .await;
        match sent {
            Err(RuntimeError::Pbx(AmiError::PermissionDenied { .. })) => return Err(RuntimeError::MayNotPauseOthers),
            Err(e) => return Err(e),
            Ok(()) => {}
        }
        let mut switch = AgentSwitch {
            id: 0,
            at: Timestamp::now(),
            by_extension: self.parts().me.extension.clone(),
            by_name: self.parts().me.name.clone(),
            interface: interface.to_string(),
            member_name: member.map(|m| m.name).filter(|n| !n.is_empty()),
            queue: queue.map(str::to_string),
            paused_before,
            reason_before,
            paused,
            reason,
        };
        tracing::info!(by = %switch.by_extension, member = %switch.interface, paused, reason = ?switch.reason, "supervisor switch confirmed by the PBX");
        match self.parts().history.record_switch(switch.clone()).await {
            Ok(id) => switch.id = id,
            // The PBX did switch: the person must not be told otherwise.
            Err(e) => tracing::error!(error = %e, "a supervisor's switch could not be written to the audit"),
        }
        Ok(switch)
    }

    /// The audit: switches recorded in the history file, newest first.
    pub async fn agent_switches(&self, query: SwitchQuery) -> Result<Vec<AgentSwitch>, RuntimeError> {
        self.parts().history.switches(query).await
    }
}
