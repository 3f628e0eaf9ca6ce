//! Ringside's call history: every call the agent handles, its note and wrap-up result, and
//! the outbox that carries them to a CRM — in one SQLite file (WAL, versioned migrations).
//!
//! ```no_run
//! # use ringside_history::{CallContext, History};
//! # fn main() -> Result<(), ringside_history::HistoryError> {
//! let mut history = History::open(std::path::Path::new("history.sqlite"))?;
//! // on every card change:   history.record_card(&card, &ctx)?;
//! // while the agent types:  history.save_note(&card.call_id, &text)?;   (debounced)
//! // after a restart, once the PBX said which calls it still has:
//! // history.close_interrupted(&live_calls, ringside_core::Timestamp::now())?;
//! # Ok(()) }
//! ```
//!
//! # Nothing is lost
//!
//! Every write is one transaction committed with `synchronous=FULL`: when a method returns
//! `Ok`, the change survives a crash of Ringside (kill -9) and a power loss. When the disk is
//! full or read-only, the change is kept in memory, the error
//! ([`HistoryError::NotSaved`], [`HistoryError::kept_in_memory`]) says so in words, reads
//! ([`History::note`], [`History::call`], [`History::recent`]) show the unsaved state, and
//! [`History::flush_pending`] — or the next write that succeeds — saves it.
//!
//! # Finding calls
//!
//! [`History::search`] finds calls by words (a number however it is formatted, a name, a
//! company, a queue, a word of the note) and filters (missed, direction, outcome, dates,
//! agent, connection, call id), newest first; [`History::agents`] and
//! [`History::connections`] list the agent and connection filters' choices; [`History::callbacks`]
//! lists the numbers whose missed calls nobody has dealt with yet
//! ([`History::mark_called_back`] takes one off); [`History::export_csv`] streams the calls a
//! query finds as CSV. The text index (SQLite FTS5, trigrams) is kept in step by triggers, in
//! the same transaction as every write.
//!
//! # Sharing
//!
//! A [`History`] owns one `rusqlite::Connection`: it is `Send`, not `Sync`. Keep it on one
//! thread (or behind a `Mutex`) and call it from `spawn_blocking` in async code; a write
//! syncs the disk, which takes milliseconds.
//!
//! # Time
//!
//! Every method that depends on time takes `now`. Whoever drives the outbox reads it from a
//! [`clock::Clock`] ([`clock::current_clock`]: the system clock, or the one a test set with
//! [`clock::with_clock`]).
//!
//! See `docs/history.md` for the schema, the outbox states and the backoff.

mod auto_create;
mod callbacks;
pub mod clock;
mod error;
mod export;
mod model;
mod outbox;
mod row;
mod search;
mod seen;
mod store;
mod switches;

pub use auto_create::{auto_create_key, AutoCreate};
pub use error::{HistoryError, Kept, WriteProblem};
pub use export::CSV_COLUMNS;
pub use model::{
    AgentSeen, CallContext, CallRecord, Callback, ConnectionSeen, HistoryQuery, InDoubt, OutboxItem, Outcome,
    StoredCustomer, StoredDeal, WriteBackState, WriteBackStatus,
};
pub use outbox::{backoff_delay, idempotency_key, BACKOFF_FIRST, BACKOFF_JITTER, BACKOFF_MAX};
pub use ringside_core::agent_state::WrapUpResult;
pub use search::{MAX_SEARCH_CHARS, MIN_CALL_ID_PREFIX};
pub use store::{History, APPLICATION_ID, BUSY_TIMEOUT, SCHEMA_VERSION};
pub use switches::{AgentSwitch, SwitchQuery};

#[cfg(test)]
mod tests {
    #[test]
    fn a_history_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<super::History>();
    }
}
