//! The CRM write-back outbox: one row per (call, CRM) in the history file, retried with
//! exponential backoff across restarts, one idempotency key per row for every attempt.

use std::hash::BuildHasher;
use std::time::Duration;

use ringside_core::{CallId, Timestamp};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::error::{HistoryError, Kept};
use crate::model::{OutboxItem, WriteBackState, WriteBackStatus};
use crate::store::{ts_from_sql, ts_to_sql, EnqueueError, History, PendingEnqueue};

/// The wait after the first failure; it doubles with every further failure…
pub const BACKOFF_FIRST: Duration = Duration::from_secs(15);
/// …up to this.
pub const BACKOFF_MAX: Duration = Duration::from_secs(3600);
/// Each wait is moved by up to this fraction either way, so items that failed together
/// (the CRM was down) do not all come back in the same second.
pub const BACKOFF_JITTER: f64 = 0.10;
/// A failure's reason is kept up to this many characters.
const MAX_REASON_CHARS: usize = 2000;

/// The wait after the `attempts`-th failure (1 = the first), before jitter is applied:
/// 15 s, 30 s, 1 min, … capped at 1 h. `jitter` in -1.0..=1.0 moves it by up to ±10 %.
pub fn backoff_delay(attempts: u32, jitter: f64) -> Duration {
    let first = u64::try_from(BACKOFF_FIRST.as_millis()).unwrap_or(u64::MAX);
    let max = u64::try_from(BACKOFF_MAX.as_millis()).unwrap_or(u64::MAX);
    let doublings = attempts.saturating_sub(1).min(24);
    let base = first.saturating_mul(1u64 << doublings).min(max);
    let factor = 1.0 + jitter.clamp(-1.0, 1.0) * BACKOFF_JITTER;
    Duration::from_millis((base as f64 * factor).round() as u64)
}

/// A random number in -1.0..=1.0 without a random-number crate: the std hasher is keyed
/// randomly per process.
fn jitter(seed: (i64, u32, u64)) -> f64 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let h = std::collections::hash_map::RandomState::new().hash_one((seed, nanos));
    (h as f64 / u64::MAX as f64) * 2.0 - 1.0
}

/// The idempotency key of a call's write-back to one CRM: `ringside-` and a UUID-shaped
/// 128-bit FNV-1a hash of the call id, the agent's extension and the CRM's name. Stable: the
/// same inputs give the same key on every attempt, after restarts, even after the history
/// file is lost. The extension keeps two agents' records of one ring-all call apart.
pub fn idempotency_key(call: &CallId, agent_extension: &str, target: &str) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut h = OFFSET;
    for part in ["ringside-write-back-v1", call.as_str(), agent_extension, target] {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= u128::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    let hex = format!("{h:032x}");
    format!("ringside-{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

fn check_target(target: &str) -> Result<&str, HistoryError> {
    let t = target.trim();
    if t.is_empty() || t.chars().count() > 100 || t.chars().any(char::is_control) {
        return Err(HistoryError::Invalid(format!(
            "{target:?} is not a CRM name: use the name from the config (1 to 100 characters)"
        )));
    }
    Ok(t)
}

fn clean_reason(reason: &str) -> String {
    let reason = reason.trim();
    let reason = if reason.is_empty() { "no reason given" } else { reason };
    reason.chars().take(MAX_REASON_CHARS).collect()
}

impl History {
    /// Queues the ended call for `target` (a CRM's name). Idempotent: one row per
    /// (call, target), one idempotency key for good. Enqueueing again (after the note or
    /// wrap-up changed) bumps the item's revision; an item that was sent or failed for good
    /// becomes pending and due at `now` with its attempts reset, one that is waiting for a
    /// retry keeps its schedule (it sends the newest state then).
    ///
    /// A call that has not ended is refused with [`HistoryError::CallNotEnded`] (queue it
    /// when the card ends, or after wrap-up); an unknown call with [`HistoryError::NoSuchCall`].
    /// When the file cannot be written the request waits in memory ([`HistoryError::NotSaved`]).
    pub fn enqueue(&mut self, call: &CallId, target: &str, now: Timestamp) -> Result<(), HistoryError> {
        let target = check_target(target)?;
        let row = self.current_row(call)?.ok_or_else(|| HistoryError::NoSuchCall(call.clone()))?;
        if !row.outcome.is_ended() {
            return Err(HistoryError::CallNotEnded(call.clone()));
        }
        let req = PendingEnqueue { call: call.clone(), target: target.to_owned(), at: now };
        if self.pending_call(call).is_some() {
            if let Err(e) = self.flush_call(call) {
                if e.kept_in_memory() {
                    self.keep_enqueue(req);
                    return Err(match e {
                        HistoryError::NotSaved { path, problem, .. } => {
                            HistoryError::NotSaved { path, problem, kept: Kept::WriteBack }
                        }
                        other => other,
                    });
                }
                return Err(e);
            }
        }
        match self.try_enqueue(call, target, now) {
            Ok(()) => {
                tracing::debug!(call = %call, target, "call queued for CRM write-back");
                self.forget_enqueue(call, target);
                self.after_success();
                Ok(())
            }
            Err(EnqueueError::Sql(e)) => {
                let err = self.not_saved(&e, Kept::WriteBack);
                self.keep_enqueue(req);
                Err(err)
            }
            Err(EnqueueError::NoSuchCall) => Err(HistoryError::NoSuchCall(call.clone())),
            Err(EnqueueError::NotEnded) => Err(HistoryError::CallNotEnded(call.clone())),
        }
    }

    pub(crate) fn try_enqueue(&mut self, call: &CallId, target: &str, now: Timestamp) -> Result<(), EnqueueError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: Option<(Option<i64>, String)> = tx
            .prepare_cached("SELECT end_at, agent_extension FROM calls WHERE call_id = ?1")?
            .query_row([call.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let extension = match found {
            None => return Err(EnqueueError::NoSuchCall),
            Some((None, _)) => return Err(EnqueueError::NotEnded),
            Some((Some(_), ext)) => ext,
        };
        let key = idempotency_key(call, &extension, target);
        // In DO UPDATE every right-hand side sees the row as it was before the update.
        tx.prepare_cached(
            "INSERT INTO outbox (call_id, target, idempotency_key, state, revision, attempts, next_at,
                enqueued_at, updated_at)
             VALUES (?1, ?2, ?3, 'pending', 1, 0, ?4, ?4, ?4)
             ON CONFLICT(call_id, target) DO UPDATE SET
                revision = revision + 1,
                state = CASE WHEN state = 'sent' OR next_at IS NULL THEN 'pending' ELSE state END,
                attempts = CASE WHEN state = 'sent' OR next_at IS NULL THEN 0 ELSE attempts END,
                last_error = CASE WHEN state = 'sent' OR next_at IS NULL THEN NULL ELSE last_error END,
                next_at = CASE WHEN state = 'sent' OR next_at IS NULL THEN excluded.next_at ELSE next_at END,
                enqueued_at = excluded.enqueued_at,
                updated_at = excluded.updated_at",
        )?
        .execute(params![call.as_str(), target, key, ts_to_sql(now)])?;
        tx.commit()?;
        Ok(())
    }

    /// Items whose next try is due at `now`, the longest-waiting first (then in queue order).
    /// Each carries the call as it is now, note included.
    pub fn due(&self, now: Timestamp, limit: usize) -> Result<Vec<OutboxItem>, HistoryError> {
        type Due = (i64, String, String, String, i64, Option<String>, i64, Option<i64>);
        let rows: Vec<Due> = self
            .conn
            .prepare_cached(
                "SELECT id, call_id, target, idempotency_key, attempts, remote_id, revision, written_revision
                 FROM outbox
                 WHERE next_at IS NOT NULL AND next_at <= ?1 AND state <> 'sent'
                 ORDER BY next_at, id LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![ts_to_sql(now), i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
                })?
                .collect()
            })
            .map_err(|e| self.read_error(e))?;
        let mut items = Vec::with_capacity(rows.len());
        for (id, call_id, target, idempotency_key, attempts, remote_id, revision, written_revision) in rows {
            let call_id = CallId::new(call_id);
            let Some(record) = self.call(&call_id)? else {
                tracing::warn!(call = %call_id, "a write-back item without its call is skipped");
                continue;
            };
            items.push(OutboxItem {
                id,
                call_id,
                target,
                idempotency_key,
                attempts: u32::try_from(attempts).unwrap_or(0),
                remote_id,
                revision,
                written_revision,
                record,
            });
        }
        Ok(items)
    }

    /// The CRM took the item. `remote_id` (the CRM's record id) is kept; `None` keeps an
    /// earlier one. The item's revision is recorded as written ([`OutboxItem::written_revision`]),
    /// so every later attempt is an update of that record. If the item was enqueued again while
    /// this attempt was on its way (its revision moved on), it stays pending and is due at once,
    /// so the newest note reaches the CRM too.
    pub fn mark_sent(
        &mut self,
        item: &OutboxItem,
        remote_id: Option<&str>,
        now: Timestamp,
    ) -> Result<(), HistoryError> {
        let changed = self
            .conn
            .prepare_cached(
                "UPDATE outbox SET
                    remote_id = COALESCE(?2, remote_id),
                    written_revision = max(COALESCE(written_revision, 0), ?3),
                    state = CASE WHEN revision = ?3 THEN 'sent' ELSE 'pending' END,
                    next_at = CASE WHEN revision = ?3 THEN NULL ELSE ?4 END,
                    sent_at = CASE WHEN revision = ?3 THEN ?4 ELSE sent_at END,
                    last_error = CASE WHEN revision = ?3 THEN NULL ELSE last_error END,
                    updated_at = ?4
                 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![item.id, remote_id, item.revision, ts_to_sql(now)]))
            .map_err(|e| self.not_saved(&e, Kept::NotKept))?;
        if changed == 0 {
            return Err(HistoryError::NoSuchItem(item.id));
        }
        tracing::debug!(call = %item.call_id, target = %item.target, "CRM write-back sent");
        self.after_success();
        Ok(())
    }

    /// The attempt failed: the reason is kept, attempts + 1, and the next try is scheduled
    /// after [`backoff_delay`] (15 s doubling to 1 h, ±10 %), in the file, so it survives
    /// restarts. `permanent` (the CRM refused the record as invalid) stops retrying until the
    /// call is enqueued again — unless the item was enqueued again while this attempt was on
    /// its way: the newer state gets its own tries.
    pub fn mark_failed(
        &mut self,
        item: &OutboxItem,
        reason: &str,
        permanent: bool,
        now: Timestamp,
    ) -> Result<(), HistoryError> {
        let reason = clean_reason(reason);
        let run = |h: &mut History| -> rusqlite::Result<Option<(u32, Option<Timestamp>)>> {
            let tx = h.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found: Option<(i64, i64)> = tx
                .prepare_cached("SELECT revision, attempts FROM outbox WHERE id = ?1")?
                .query_row([item.id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((revision, attempts)) = found else { return Ok(None) };
            let attempts = u32::try_from(attempts).unwrap_or(0).saturating_add(1);
            let give_up = permanent && revision == item.revision;
            let next_at = if give_up {
                None
            } else {
                let wait = backoff_delay(attempts, jitter((item.id, attempts, now.as_millis())));
                Some(Timestamp::from_millis(
                    now.as_millis().saturating_add(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX)),
                ))
            };
            tx.prepare_cached(
                "UPDATE outbox SET state = 'failed', attempts = ?2, next_at = ?3, last_error = ?4, updated_at = ?5
                 WHERE id = ?1",
            )?
            .execute(params![
                item.id,
                i64::from(attempts),
                next_at.map(ts_to_sql),
                reason,
                ts_to_sql(now)
            ])?;
            tx.commit()?;
            Ok(Some((attempts, next_at)))
        };
        match run(self) {
            Ok(Some((attempts, next_at))) => {
                self.after_success();
                tracing::info!(call = %item.call_id, target = %item.target, attempts, next_at = ?next_at.map(|t| t.as_millis()), reason, "CRM write-back failed");
                Ok(())
            }
            Ok(None) => Err(HistoryError::NoSuchItem(item.id)),
            Err(e) => Err(self.not_saved(&e, Kept::NotKept)),
        }
    }

    /// When the next item falls due: the earliest retry or enqueue time of an item not sent and
    /// not given up, `None` when nothing waits. An outbox sender sleeps until then (or until
    /// something is enqueued) instead of polling.
    pub fn next_due(&self) -> Result<Option<Timestamp>, HistoryError> {
        self.conn
            .prepare_cached("SELECT min(next_at) FROM outbox WHERE next_at IS NOT NULL AND state <> 'sent'")
            .and_then(|mut s| s.query_row([], |r| r.get::<_, Option<i64>>(0)))
            .map(|at| at.map(ts_from_sql))
            .map_err(|e| self.read_error(e))
    }

    /// Keeps a partial step's id (e.g. Bitrix24's `CALL_ID` after registering the call)
    /// without marking the item sent; later attempts get it in [`OutboxItem::remote_id`].
    pub fn set_remote_id(&mut self, item: &OutboxItem, remote_id: &str) -> Result<(), HistoryError> {
        let changed = self
            .conn
            .prepare_cached("UPDATE outbox SET remote_id = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![item.id, remote_id]))
            .map_err(|e| self.not_saved(&e, Kept::NotKept))?;
        if changed == 0 {
            return Err(HistoryError::NoSuchItem(item.id));
        }
        Ok(())
    }

    /// The call's write-back states, one per CRM, in queue order; requests still in memory
    /// show as pending.
    pub(crate) fn write_back_states(
        &self,
        call: &CallId,
        agent_extension: &str,
    ) -> Result<Vec<WriteBackState>, HistoryError> {
        type Row = (String, String, String, i64, Option<i64>, Option<String>, Option<String>, Option<i64>);
        let rows: Vec<Row> = self
            .conn
            .prepare_cached(
                "SELECT target, idempotency_key, state, attempts, next_at, last_error, remote_id, sent_at
                 FROM outbox WHERE call_id = ?1 ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map([call.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
                })?
                .collect()
            })
            .map_err(|e| self.read_error(e))?;
        let mut out: Vec<WriteBackState> = rows
            .into_iter()
            .map(|(target, idempotency_key, state, attempts, next_at, last_error, remote_id, sent_at)| {
                let state = match state.as_str() {
                    "sent" => WriteBackStatus::Sent { remote_id, at: ts_from_sql(sent_at.unwrap_or(0)) },
                    "failed" => WriteBackStatus::Failed {
                        reason: last_error.unwrap_or_default(),
                        attempts: u32::try_from(attempts).unwrap_or(0),
                        next_at: next_at.map(ts_from_sql),
                    },
                    _ => WriteBackStatus::Pending,
                };
                WriteBackState { target, idempotency_key, state }
            })
            .collect();
        for req in self.pending_enqueues().iter().filter(|p| &p.call == call) {
            if !out.iter().any(|s| s.target == req.target) {
                out.push(WriteBackState {
                    target: req.target.clone(),
                    idempotency_key: idempotency_key(call, agent_extension, &req.target),
                    state: WriteBackStatus::Pending,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_15_s_to_an_hour() {
        let secs = |n| backoff_delay(n, 0.0).as_secs();
        assert_eq!(
            [secs(0), secs(1), secs(2), secs(3), secs(8), secs(9), secs(40)],
            [15, 15, 30, 60, 1920, 3600, 3600]
        );
        assert_eq!(backoff_delay(1, 1.0).as_millis(), 16_500);
        assert_eq!(backoff_delay(1, -5.0).as_millis(), 13_500);
        assert_eq!(backoff_delay(u32::MAX, 1.0).as_secs(), 3960);
        for seed in 0..200 {
            let j = jitter((seed, 1, 0));
            assert!((-1.0..=1.0).contains(&j), "{j}");
        }
    }

    #[test]
    fn keys_are_stable_and_tell_calls_agents_and_crms_apart() {
        let a = idempotency_key(&CallId::new("1700000000.42"), "100", "bitrix");
        assert_eq!(a, idempotency_key(&CallId::new("1700000000.42"), "100", "bitrix"));
        assert_eq!(a.len(), "ringside-".len() + 36);
        assert!(a.starts_with("ringside-") && a[9..].chars().all(|c| c.is_ascii_hexdigit() || c == '-'), "{a}");
        assert_ne!(a, idempotency_key(&CallId::new("1700000000.43"), "100", "bitrix"));
        assert_ne!(a, idempotency_key(&CallId::new("1700000000.42"), "101", "bitrix"));
        assert_ne!(a, idempotency_key(&CallId::new("1700000000.42"), "100", "rest"));
        // Parts are separated: moving text from one part to the next changes the key.
        assert_ne!(idempotency_key(&CallId::new("a"), "bc", "d"), idempotency_key(&CallId::new("ab"), "c", "d"));
    }
}
