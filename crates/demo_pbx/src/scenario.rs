//! Calls on a timeline (a scenario file) or on a timer.
//!
//! A scenario is TOML:
//!
//! ```toml
//! # optional: play the steps again this long after the previous round started
//! repeat_every_ms = 60000
//!
//! [[step]]
//! at_ms = 0                    # from the start of the round (scaled by speed)
//! from = "+380 44 123 4567"    # as a person types it
//! to = "600"                   # an agent extension or the queue number
//!
//! [[step]]
//! at_ms = 15000
//! from = "+380 67 765 4321"
//! name = "Mykola"              # optional caller name (default: the number as typed)
//! to = "100"
//! answer_by = "none"           # optional: who answers ("100", "101", or "none")
//! answer_after_ms = 2000       # optional: how long it rings before answer_by answers
//! talk_ms = 8000               # optional: how long the answered call lasts
//! ```

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::callerid::CallerId;
use crate::calls::{self, AnswerPlan, Overrides};
use crate::state::{is_nobody, Shared};
use crate::{DemoPbxError, DEMO_CALLERS};

/// Largest scenario file we read.
const MAX_FILE: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Play the steps again this often (from the start of one round to the next).
    #[serde(default)]
    pub repeat_every_ms: Option<u64>,
    #[serde(alias = "step", default)]
    pub steps: Vec<ScenarioStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioStep {
    /// When the call starts, from the start of the round.
    pub at_ms: u64,
    /// The caller's number as typed.
    pub from: String,
    /// The caller's name; default: the number as typed.
    #[serde(default)]
    pub name: Option<String>,
    /// An agent extension or the queue number.
    pub to: String,
    /// The agent who answers (the others do not), or `"none"`; default: as configured.
    #[serde(default)]
    pub answer_by: Option<String>,
    /// How long it rings before `answer_by` answers; default: that agent's delay.
    #[serde(default)]
    pub answer_after_ms: Option<u64>,
    /// How long the answered call lasts; default: the configured talk time.
    #[serde(default)]
    pub talk_ms: Option<u64>,
}

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, DemoPbxError> {
        let read_err = |source| DemoPbxError::ScenarioRead { path: path.to_path_buf(), source };
        let meta = std::fs::metadata(path).map_err(read_err)?;
        if meta.len() > MAX_FILE {
            return Err(DemoPbxError::ScenarioInvalid {
                path: path.to_path_buf(),
                message: format!("it is {} bytes; a scenario is at most {MAX_FILE} bytes", meta.len()),
            });
        }
        let text = std::fs::read_to_string(path).map_err(read_err)?;
        Scenario::parse(&text).map_err(|message| DemoPbxError::ScenarioInvalid { path: path.to_path_buf(), message })
    }

    /// Parses and checks scenario TOML; the error is a sentence for the user.
    pub fn parse(text: &str) -> Result<Scenario, String> {
        let mut sc: Scenario = toml::from_str(text).map_err(|e| e.to_string().trim().to_string())?;
        if sc.steps.is_empty() {
            return Err("it has no steps; add at least one [[step]] with at_ms, from and to".into());
        }
        for s in &sc.steps {
            let at = s.at_ms;
            if CallerId::from_typed(&s.from, None).is_err() {
                return Err(format!("step at {at} ms: from = {:?} has no digits", s.from));
            }
            if s.to.trim().is_empty() {
                return Err(format!("step at {at} ms: to is empty; give an agent extension or the queue number"));
            }
            if s.answer_by.as_deref().is_some_and(|b| !is_nobody(b) && !b.trim().bytes().all(|c| c.is_ascii_digit())) {
                return Err(format!("step at {at} ms: answer_by must be an agent extension or \"none\""));
            }
        }
        if sc.repeat_every_ms.is_some_and(|r| r < 1000) {
            return Err("repeat_every_ms must be at least 1000".into());
        }
        sc.steps.sort_by_key(|s| s.at_ms);
        Ok(sc)
    }
}

fn step_overrides(s: &ScenarioStep) -> Overrides {
    let answer = s.answer_by.as_deref().map(|b| {
        if is_nobody(b) {
            AnswerPlan::Nobody
        } else {
            AnswerPlan::Agent { ext: b.trim().to_string(), after: s.answer_after_ms.map(Duration::from_millis) }
        }
    });
    Overrides { answer, talk: s.talk_ms.map(Duration::from_millis) }
}

pub(crate) async fn play(shared: Arc<Shared>, sc: Scenario) {
    let mut shutdown = shared.shutdown.clone();
    loop {
        let round = tokio::time::Instant::now();
        for s in &sc.steps {
            let at = round + shared.scaled(Duration::from_millis(s.at_ms));
            tokio::select! {
                _ = tokio::time::sleep_until(at) => {}
                _ = crate::state::stopped(&mut shutdown) => return,
            }
            let result = CallerId::from_typed(&s.from, s.name.as_deref())
                .and_then(|caller| calls::ring_inbound(&shared, caller, &s.to, step_overrides(s), None));
            if let Err(e) = result {
                tracing::warn!("demo PBX: scenario step at {} ms: {e}", s.at_ms);
            }
        }
        let Some(every) = sc.repeat_every_ms else { return };
        let next = round + shared.scaled(Duration::from_millis(every));
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = crate::state::stopped(&mut shutdown) => return,
        }
    }
}

pub(crate) async fn ring_timer(shared: Arc<Shared>, every: Duration) {
    let mut shutdown = shared.shutdown.clone();
    let period = shared.scaled(every).max(Duration::from_millis(1));
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = crate::state::stopped(&mut shutdown) => return,
        }
        let from = DEMO_CALLERS[rand::random_range(0..DEMO_CALLERS.len())];
        let result = CallerId::from_typed(from, None)
            .and_then(|caller| calls::ring_inbound(&shared, caller, &shared.cfg.ring_to, Overrides::default(), None));
        if let Err(e) = result {
            tracing::warn!("demo PBX: timer call: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_steps_in_time_order() {
        let sc = Scenario::parse(
            r#"
            [[step]]
            at_ms = 5000
            from = "+380 67 765 4321"
            to = "100"
            answer_by = "none"

            [[step]]
            at_ms = 0
            from = "+380 44 123 4567"
            name = "Olena"
            to = "600"
            answer_by = "101"
            answer_after_ms = 1500
            "#,
        )
        .unwrap();
        assert_eq!(sc.steps[0].at_ms, 0);
        assert_eq!(sc.steps[1].answer_by.as_deref(), Some("none"));
        assert!(matches!(step_overrides(&sc.steps[1]).answer, Some(AnswerPlan::Nobody)));
        assert!(matches!(
            step_overrides(&sc.steps[0]).answer,
            Some(AnswerPlan::Agent { ref ext, after: Some(d) }) if ext == "101" && d == Duration::from_millis(1500)
        ));
    }

    #[test]
    fn clear_errors() {
        assert!(Scenario::parse("").unwrap_err().contains("no steps"));
        assert!(Scenario::parse("[[step]]\nat_ms = 0\nfrom = \"x\"\nto = \"100\"").unwrap_err().contains("no digits"));
        assert!(Scenario::parse("[[step]]\nat_ms = 0\nfrom = \"1\"\nto = \"100\"\nbogus = 1").is_err());
        assert!(Scenario::parse("[[step]]\nat_ms = -1\nfrom = \"1\"\nto = \"100\"").is_err());
    }
}
