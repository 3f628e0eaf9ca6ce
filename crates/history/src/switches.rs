//! The audit of "accepting calls" switches a person made from Ringside for another agent (a
//! supervisor pausing or unpausing a queue member): who, when, which agent, before → after,
//! and the reason. Only what the PBX confirmed is written; a refusal is shown to the person,
//! never recorded as a switch. Rows are only ever added (schema 6, table `agent_switches`).

use ringside_core::Timestamp;
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::error::{HistoryError, Kept};
use crate::store::{ts_from_sql, ts_to_sql, History};

/// One switch, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct AgentSwitch {
    /// The row's number, in the order the switches were recorded (0 before it is written).
    #[ts(type = "number")]
    pub id: i64,
    pub at: Timestamp,
    /// Who switched: the extension of the agent this Ringside runs for.
    pub by_extension: String,
    pub by_name: Option<String>,
    /// Which agent: their queue-member interface (`PJSIP/101`), and their name as the PBX has it.
    pub interface: String,
    pub member_name: Option<String>,
    /// The one queue switched; `None`: every queue the member is in.
    pub queue: Option<String>,
    /// Whether they were paused before, as the supervisor's view had it; `None`: not known
    /// (the member was not in the view).
    pub paused_before: Option<bool>,
    /// Their pause reason before (the PBX's text).
    pub reason_before: Option<String>,
    /// Paused (true) or accepting calls (false) after.
    pub paused: bool,
    /// The reason the PBX got with the pause (a code of `[agent] pause_reasons`).
    pub reason: Option<String>,
}

/// Switches newer than `since` (all with `None`), newest first, at most `limit` (0: all).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(default)]
#[ts(export)]
pub struct SwitchQuery {
    pub since: Option<Timestamp>,
    /// Only this member (their interface, exactly).
    pub interface: Option<String>,
    pub limit: usize,
}

impl History {
    /// Writes a switch the PBX confirmed; returns its id. On disk when this returns
    /// (`synchronous=FULL`). A disk that refuses it is an error, and nothing waits in memory:
    /// the switch itself happened on the PBX.
    pub fn record_switch(&mut self, switch: &AgentSwitch) -> Result<i64, HistoryError> {
        self.conn
            .execute(
                "INSERT INTO agent_switches (at, by_extension, by_name, interface, member_name, queue,
                    paused_before, reason_before, paused, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    ts_to_sql(switch.at),
                    switch.by_extension,
                    switch.by_name,
                    switch.interface,
                    switch.member_name,
                    switch.queue,
                    switch.paused_before,
                    switch.reason_before,
                    switch.paused,
                    switch.reason,
                ],
            )
            .map_err(|e| self.not_saved(&e, Kept::NotKept))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The recorded switches `query` asks for, newest first.
    pub fn switches(&self, query: &SwitchQuery) -> Result<Vec<AgentSwitch>, HistoryError> {
        let limit = if query.limit == 0 { i64::MAX } else { i64::try_from(query.limit).unwrap_or(i64::MAX) };
        let since = query.since.map_or(i64::MIN, ts_to_sql);
        self.conn
            .prepare_cached(
                "SELECT id, at, by_extension, by_name, interface, member_name, queue, paused_before,
                    reason_before, paused, reason
                 FROM agent_switches
                 WHERE at >= ?1 AND (?2 IS NULL OR interface = ?2)
                 ORDER BY at DESC, id DESC LIMIT ?3",
            )
            .and_then(|mut s| {
                s.query_map(params![since, query.interface, limit], |r| {
                    Ok(AgentSwitch {
                        id: r.get(0)?,
                        at: ts_from_sql(r.get(1)?),
                        by_extension: r.get(2)?,
                        by_name: r.get(3)?,
                        interface: r.get(4)?,
                        member_name: r.get(5)?,
                        queue: r.get(6)?,
                        paused_before: r.get(7)?,
                        reason_before: r.get(8)?,
                        paused: r.get(9)?,
                        reason: r.get(10)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.read_error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn switch(at: u64, interface: &str, paused: bool) -> AgentSwitch {
        AgentSwitch {
            id: 0,
            at: Timestamp(at),
            by_extension: "100".into(),
            by_name: Some("Olena".into()),
            interface: interface.into(),
            member_name: Some("Agent 101".into()),
            queue: None,
            paused_before: Some(!paused),
            reason_before: None,
            paused,
            reason: paused.then(|| "lunch".to_string()),
        }
    }

    #[test]
    fn switches_come_back_newest_first_and_filtered() {
        let mut history = History::open_in_memory().expect("history");
        let first = history.record_switch(&switch(1_000, "Local/101@agents", true)).expect("written");
        let second = history.record_switch(&switch(2_000, "Local/101@agents", false)).expect("written");
        history.record_switch(&switch(3_000, "Local/102@agents", true)).expect("written");
        assert!(second > first);
        let all = history.switches(&SwitchQuery::default()).expect("read");
        assert_eq!(all.iter().map(|s| s.at.0).collect::<Vec<_>>(), [3_000, 2_000, 1_000]);
        assert_eq!(all[2], AgentSwitch { id: first, ..switch(1_000, "Local/101@agents", true) });
        let since =
            history.switches(&SwitchQuery { since: Some(Timestamp(2_000)), ..Default::default() }).expect("read");
        assert_eq!(since.len(), 2);
        let one = SwitchQuery { interface: Some("Local/101@agents".into()), limit: 1, ..Default::default() };
        assert_eq!(history.switches(&one).expect("read").iter().map(|s| s.id).collect::<Vec<_>>(), [second]);
    }
}
