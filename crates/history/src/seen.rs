//! The agents and connections the history has calls of: the choices of the History's filters,
//! read from two small tables the triggers keep (`agents_seen`, `connections_seen`; schema 4),
//! with the calls that wait in memory laid over them.

use std::collections::BTreeMap;

use ringside_core::Timestamp;

use crate::error::HistoryError;
use crate::model::{AgentSeen, ConnectionSeen};
use crate::store::{ts_from_sql, History};

/// One (extension, name) pair calls were recorded with; `name` is empty for "no name".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AgentPair {
    pub extension: String,
    pub name: String,
    pub last_at: Timestamp,
}

/// Compares agent names the way the filter does: in any case (Unicode), ignoring the spaces
/// around them.
pub(crate) fn fold_name(name: &str) -> String {
    name.trim().to_lowercase()
}

impl History {
    /// Every (extension, name) pair a call was recorded with — in the file, and on calls that
    /// wait in memory — with the newest ring time of each, newest first.
    pub(crate) fn agent_pairs(&self) -> Result<Vec<AgentPair>, HistoryError> {
        let mut pairs: BTreeMap<(String, String), Timestamp> = BTreeMap::new();
        let stored: Vec<(String, String, i64)> = self
            .conn
            .prepare_cached("SELECT extension, name, last_at FROM agents_seen")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
            .map_err(|e| self.read_error(e))?;
        let unsaved = self
            .pending_calls()
            .map(|row| (row.agent_extension.clone(), row.agent_name.clone().unwrap_or_default(), row.ring_at));
        for (extension, name, at) in stored.into_iter().map(|(e, n, at)| (e, n, ts_from_sql(at))).chain(unsaved) {
            let last = pairs.entry((extension, name)).or_insert(at);
            *last = (*last).max(at);
        }
        let mut pairs: Vec<AgentPair> =
            pairs.into_iter().map(|((extension, name), last_at)| AgentPair { extension, name, last_at }).collect();
        pairs.sort_by(|a, b| {
            b.last_at.cmp(&a.last_at).then_with(|| (&a.extension, &a.name).cmp(&(&b.extension, &b.name)))
        });
        Ok(pairs)
    }

    /// The agents the history has calls of, for the agent filter: one per extension, its
    /// newest call first; `name` is the name on its newest call that had one. Calls that wait
    /// in memory count too. An extension that is empty and never had a name is left out.
    pub fn agents(&self) -> Result<Vec<AgentSeen>, HistoryError> {
        let mut agents: Vec<AgentSeen> = Vec::new();
        for pair in self.agent_pairs()? {
            let name = Some(pair.name).filter(|n| !n.trim().is_empty());
            match agents.iter_mut().find(|a| a.extension == pair.extension) {
                // Pairs come newest first: the first one of an extension has its newest call.
                Some(agent) => {
                    if agent.name.is_none() {
                        agent.name = name;
                    }
                }
                None if pair.extension.trim().is_empty() && name.is_none() => {}
                None => agents.push(AgentSeen { extension: pair.extension, name, last_at: pair.last_at }),
            }
        }
        Ok(agents)
    }

    /// The connections the history has calls on, for the connection filter: newest call first.
    /// Calls that wait in memory count too; calls without a connection do not.
    pub fn connections(&self) -> Result<Vec<ConnectionSeen>, HistoryError> {
        let mut seen: BTreeMap<String, Timestamp> = BTreeMap::new();
        let stored: Vec<(String, i64)> = self
            .conn
            .prepare_cached("SELECT name, last_at FROM connections_seen")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.read_error(e))?;
        let unsaved = self.pending_calls().filter_map(|row| Some((row.connection.clone()?, row.ring_at)));
        for (name, at) in stored.into_iter().map(|(n, at)| (n, ts_from_sql(at))).chain(unsaved) {
            let last = seen.entry(name).or_insert(at);
            *last = (*last).max(at);
        }
        let mut connections: Vec<ConnectionSeen> =
            seen.into_iter().map(|(name, last_at)| ConnectionSeen { name, last_at }).collect();
        connections.sort_by(|a, b| b.last_at.cmp(&a.last_at).then_with(|| a.name.cmp(&b.name)));
        Ok(connections)
    }
}
