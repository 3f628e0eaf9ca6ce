//! The agent's state machine: logged out → available ⇄ paused; available → ringing → on call
//! → wrap-up → available.
//!
//! A call that reaches a paused agent (a direct dial) does not unpause them: each call state
//! remembers the availability to return to (`resume`), and "stop accepting calls" pressed
//! during a call changes only that. Illegal inputs return a typed error and the caller keeps
//! the old state, because [`AgentState::apply`] never mutates.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::event::CallId;
use crate::time::Timestamp;

/// The pause reason Ringside uses while the agent is in wrap-up, so queue calls are not offered.
/// The PBX echoes it back; the session knows the echo is its own.
pub const WRAP_UP_PAUSE_REASON: &str = "Wrap-up";

/// Whether the agent takes queue calls once the current call is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Availability {
    Available,
    Paused { reason: Option<String>, since: Timestamp },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum AgentState {
    LoggedOut,
    Available {
        since: Timestamp,
    },
    Paused {
        reason: Option<String>,
        since: Timestamp,
    },
    Ringing {
        call: CallId,
        since: Timestamp,
        resume: Availability,
    },
    OnCall {
        call: CallId,
        since: Timestamp,
        resume: Availability,
    },
    /// `call`: the call being wrapped up; `None` for a wrap-up resumed after a restart, whose
    /// call this run never saw.
    WrapUp {
        call: Option<CallId>,
        since: Timestamp,
        ends_at: Option<Timestamp>,
        resume: Availability,
    },
}

/// How a wrap-up was finished; history records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum WrapUpResult {
    Saved,
    SavedAndCreateCustomer,
    Cancelled,
    /// The agent pressed "end early" while the timer ran.
    EndedEarly,
    TimedOut,
}

/// Wrap-up after an answered call: off, until the agent finishes it, or with a timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrapUpPolicy {
    pub enabled: bool,
    /// Seconds until wrap-up ends by itself; `None` waits for the agent.
    pub timeout_secs: Option<u64>,
}

impl Default for WrapUpPolicy {
    fn default() -> Self {
        Self { enabled: true, timeout_secs: Some(30) }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "input")]
pub enum AgentInput {
    LogIn,
    LogOut,
    Pause {
        reason: Option<String>,
    },
    Unpause,
    /// A call rings the agent (incoming) or the agent places one (outgoing).
    Ring {
        call: CallId,
    },
    Answer {
        call: CallId,
    },
    /// The call is over; `answered` decides between wrap-up and going straight back.
    End {
        call: CallId,
        answered: bool,
    },
    FinishWrapUp {
        result: WrapUpResult,
    },
    /// Time passes; ends a timed wrap-up. Never an error.
    Tick,
}

impl AgentInput {
    fn name(&self) -> &'static str {
        match self {
            AgentInput::LogIn => "log in",
            AgentInput::LogOut => "log out",
            AgentInput::Pause { .. } => "stop accepting calls",
            AgentInput::Unpause => "start accepting calls",
            AgentInput::Ring { .. } => "take a ringing call",
            AgentInput::Answer { .. } => "answer",
            AgentInput::End { .. } => "end a call",
            AgentInput::FinishWrapUp { .. } => "finish wrap-up",
            AgentInput::Tick => "tick",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("cannot {input} while {state}")]
    Illegal { state: &'static str, input: &'static str },
    #[error("call {got} is not the current call {current}")]
    OtherCall { current: CallId, got: CallId },
    #[error("already on call {current}; finish it first")]
    Busy { current: CallId },
}

impl AgentState {
    /// Words for the tray and the UI.
    pub fn label(&self) -> &'static str {
        match self {
            AgentState::LoggedOut => "logged out",
            AgentState::Available { .. } => "accepting calls",
            AgentState::Paused { .. } => "paused",
            AgentState::Ringing { .. } => "ringing",
            AgentState::OnCall { .. } => "on a call",
            AgentState::WrapUp { .. } => "in wrap-up",
        }
    }

    /// The state's key, its `state` tag in JSON (`logged_out`, `on_call`, …): what a
    /// translated sentence selects on.
    pub fn key(&self) -> &'static str {
        match self {
            AgentState::LoggedOut => "logged_out",
            AgentState::Available { .. } => "available",
            AgentState::Paused { .. } => "paused",
            AgentState::Ringing { .. } => "ringing",
            AgentState::OnCall { .. } => "on_call",
            AgentState::WrapUp { .. } => "wrap_up",
        }
    }

    /// The key of the state a [`label`](Self::label) names (what [`TransitionError::Illegal`]
    /// keeps); `None` for any other text.
    pub fn key_of_label(label: &str) -> Option<&'static str> {
        let now = Timestamp::from_millis(0);
        let call = CallId(String::new());
        let all = [
            AgentState::LoggedOut,
            AgentState::Available { since: now },
            AgentState::Paused { reason: None, since: now },
            AgentState::Ringing { call: call.clone(), since: now, resume: Availability::Available },
            AgentState::OnCall { call, since: now, resume: Availability::Available },
            AgentState::WrapUp { call: None, since: now, ends_at: None, resume: Availability::Available },
        ];
        all.iter().find(|s| s.label() == label).map(AgentState::key)
    }

    /// Queue calls are offered only to an available agent (never in wrap-up or paused).
    pub fn offers_queue_calls(&self) -> bool {
        matches!(self, AgentState::Available { .. })
    }

    pub fn is_logged_in(&self) -> bool {
        !matches!(self, AgentState::LoggedOut)
    }

    /// The call the agent is busy with, if any.
    pub fn current_call(&self) -> Option<&CallId> {
        match self {
            AgentState::Ringing { call, .. } | AgentState::OnCall { call, .. } => Some(call),
            AgentState::WrapUp { call, .. } => call.as_ref(),
            _ => None,
        }
    }

    /// The next state, or why the input is illegal here. `self` is never changed.
    pub fn apply(
        &self,
        input: &AgentInput,
        now: Timestamp,
        policy: &WrapUpPolicy,
    ) -> Result<AgentState, TransitionError> {
        use AgentInput as I;
        use AgentState as S;
        let illegal = || TransitionError::Illegal { state: self.label(), input: input.name() };
        // The same reason again (the PBX repeating itself) keeps "paused since".
        let paused = |reason: &Option<String>| {
            let since = match self.resume() {
                Some(Availability::Paused { reason: old, since }) if old == reason => *since,
                _ => now,
            };
            Availability::Paused { reason: reason.clone(), since }
        };

        match (self, input) {
            (_, I::Tick) => Ok(self.tick(now)),

            (S::LoggedOut, I::LogIn) => Ok(S::Available { since: now }),
            (S::LoggedOut, _) => Err(illegal()),
            (_, I::LogIn) => Err(illegal()),

            (S::Available { .. } | S::Paused { .. } | S::WrapUp { .. }, I::LogOut) => Ok(S::LoggedOut),
            (S::Ringing { call, .. } | S::OnCall { call, .. }, I::LogOut) => {
                Err(TransitionError::Busy { current: call.clone() })
            }

            (S::Available { .. }, I::Pause { reason }) => Ok(S::Paused { reason: reason.clone(), since: now }),
            (S::Paused { reason: old, since }, I::Pause { reason }) => {
                // A new reason restarts "since"; the same reason is the PBX echoing us.
                let since = if old == reason { *since } else { now };
                Ok(S::Paused { reason: reason.clone(), since })
            }
            (S::Paused { .. }, I::Unpause) => Ok(S::Available { since: now }),
            (S::Available { .. }, I::Unpause) => Err(illegal()),

            // Pausing during a call only changes where the agent goes afterwards.
            (S::Ringing { call, since, .. }, I::Pause { reason }) => {
                Ok(S::Ringing { call: call.clone(), since: *since, resume: paused(reason) })
            }
            (S::OnCall { call, since, .. }, I::Pause { reason }) => {
                Ok(S::OnCall { call: call.clone(), since: *since, resume: paused(reason) })
            }
            (S::WrapUp { call, since, ends_at, .. }, I::Pause { reason }) => {
                Ok(S::WrapUp { call: call.clone(), since: *since, ends_at: *ends_at, resume: paused(reason) })
            }
            (S::Ringing { call, since, .. }, I::Unpause) => {
                Ok(S::Ringing { call: call.clone(), since: *since, resume: Availability::Available })
            }
            (S::OnCall { call, since, .. }, I::Unpause) => {
                Ok(S::OnCall { call: call.clone(), since: *since, resume: Availability::Available })
            }
            (S::WrapUp { call, since, ends_at, .. }, I::Unpause) => {
                Ok(S::WrapUp { call: call.clone(), since: *since, ends_at: *ends_at, resume: Availability::Available })
            }

            (S::Available { .. }, I::Ring { call }) => {
                Ok(S::Ringing { call: call.clone(), since: now, resume: Availability::Available })
            }
            (S::Paused { reason, since }, I::Ring { call }) => Ok(S::Ringing {
                call: call.clone(),
                since: now,
                resume: Availability::Paused { reason: reason.clone(), since: *since },
            }),
            // A direct call during wrap-up cuts the wrap-up short.
            (S::WrapUp { resume, .. }, I::Ring { call }) => {
                Ok(S::Ringing { call: call.clone(), since: now, resume: resume.clone() })
            }
            (S::Ringing { call: current, .. } | S::OnCall { call: current, .. }, I::Ring { .. }) => {
                Err(TransitionError::Busy { current: current.clone() })
            }

            (S::Ringing { call, resume, .. }, I::Answer { call: got }) => {
                same_call(call, got)?;
                Ok(S::OnCall { call: call.clone(), since: now, resume: resume.clone() })
            }
            (_, I::Answer { .. }) => Err(illegal()),

            (S::Ringing { call, resume, .. }, I::End { call: got, .. }) => {
                same_call(call, got)?;
                Ok(resume_to(resume, now))
            }
            (S::OnCall { call, resume, .. }, I::End { call: got, answered }) => {
                same_call(call, got)?;
                if *answered && policy.enabled {
                    Ok(S::WrapUp {
                        call: Some(call.clone()),
                        since: now,
                        ends_at: policy.timeout_secs.map(|s| now.plus_secs(s)),
                        resume: resume.clone(),
                    })
                } else {
                    Ok(resume_to(resume, now))
                }
            }
            (_, I::End { .. }) => Err(illegal()),

            (S::WrapUp { resume, .. }, I::FinishWrapUp { .. }) => Ok(resume_to(resume, now)),
            (_, I::FinishWrapUp { .. }) => Err(illegal()),
        }
    }

    /// Where a call state returns to; `None` outside calls.
    pub fn resume(&self) -> Option<&Availability> {
        match self {
            AgentState::Ringing { resume, .. }
            | AgentState::OnCall { resume, .. }
            | AgentState::WrapUp { resume, .. } => Some(resume),
            _ => None,
        }
    }

    fn tick(&self, now: Timestamp) -> AgentState {
        match self {
            AgentState::WrapUp { ends_at: Some(end), resume, .. } if *end <= now => resume_to(resume, now),
            _ => self.clone(),
        }
    }
}

fn same_call(current: &CallId, got: &CallId) -> Result<(), TransitionError> {
    if current == got {
        Ok(())
    } else {
        Err(TransitionError::OtherCall { current: current.clone(), got: got.clone() })
    }
}

fn resume_to(resume: &Availability, now: Timestamp) -> AgentState {
    match resume {
        Availability::Available => AgentState::Available { since: now },
        Availability::Paused { reason, since } => AgentState::Paused { reason: reason.clone(), since: *since },
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    #[test]
    fn every_label_names_its_state_s_key() {
        assert_eq!(AgentState::key_of_label("logged out"), Some("logged_out"));
        assert_eq!(AgentState::key_of_label("in wrap-up"), Some("wrap_up"));
        assert_eq!(AgentState::key_of_label("on a call"), Some("on_call"));
        assert_eq!(AgentState::key_of_label("asleep"), None);
    }
}
