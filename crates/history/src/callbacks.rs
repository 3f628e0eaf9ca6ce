//! Missed calls and the call-back list: numbers that called, got nobody, and have not been
//! dealt with since.

use ringside_core::Timestamp;
use rusqlite::params;

use crate::error::{HistoryError, Kept};
use crate::model::Callback;
use crate::store::{call_from_sql, missed_where, served_where, ts_to_sql, History, StoredCall, CALL_COLUMNS};

/// Longest number key [`History::mark_called_back`] takes (normalized numbers are ≤ 33).
const MAX_NUMBER_KEY: usize = 64;

/// A number key as the call-back list hands it out: digits (maybe a leading `+`), nothing
/// that could not come from a phone number.
fn check_number_key(number: &str) -> Result<&str, HistoryError> {
    let ok = number.chars().any(|c| c.is_ascii_digit())
        && number.chars().count() <= MAX_NUMBER_KEY
        && !number.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(number)
    } else {
        Err(HistoryError::Invalid(format!(
            "{number:?} is not a phone number from the call-back list; mark the number as the list shows it"
        )))
    }
}

/// A number with missed calls since `since`: its newest missed call, the newest call
/// someone answered, and the agent's newest "called back" mark.
struct Candidate {
    number: String,
    last_missed: i64,
    served_at: Option<i64>,
    done_at: Option<i64>,
}

impl History {
    /// The call-back list: per number (`number_normalized`), the missed calls since `since`
    /// that nobody has dealt with, newest first, at most `limit` numbers (0: all).
    ///
    /// A missed call is incoming, missed or abandoned (answered elsewhere is not: a colleague
    /// took it), from a number with digits. A number leaves the list when, after its newest
    /// missed call, a call with the same number was answered, answered elsewhere or
    /// transferred, either way (the agent called back and got through, or the customer called
    /// again and was served) — or the agent marked it with [`History::mark_called_back`] at or
    /// after that missed call. A new missed call puts it back, counting only the calls since
    /// then. Marks waiting in memory count; calls waiting in memory (disk full) appear once
    /// written.
    pub fn callbacks(&self, since: Timestamp, limit: usize) -> Result<Vec<Callback>, HistoryError> {
        let marks = self.pending_callbacks_done();
        // Numbers a mark in memory removes are skipped below: ask for that many more.
        let sql_limit = if limit == 0 { -1 } else { i64::try_from(limit.saturating_add(marks.len())).unwrap_or(-1) };
        let candidates: Vec<Candidate> = self
            .conn
            // Grouped from the missed-call index alone; MATERIALIZED: each number's two
            // look-ups run once, not once per mention below.
            .prepare_cached(concat!(
                "WITH numbers AS MATERIALIZED (
                    SELECT m.number, m.last_missed,
                       (SELECT max(s.ring_at) FROM calls s WHERE s.number_normalized = m.number AND ",
                served_where!("s."),
                ") AS served_at,
                       (SELECT d.done_at FROM callbacks_done d WHERE d.number_key = m.number) AS done_at
                    FROM (SELECT c.number_normalized AS number, max(c.ring_at) AS last_missed
                          FROM calls c INDEXED BY calls_missed
                          WHERE ",
                missed_where!("c."),
                " AND c.ring_at >= ?1 AND c.number_normalized GLOB '*[0-9]*'
                          GROUP BY c.number_normalized) m)
                 SELECT number, last_missed, served_at, done_at FROM numbers
                 WHERE (served_at IS NULL OR served_at <= last_missed) AND (done_at IS NULL OR done_at < last_missed)
                 ORDER BY last_missed DESC, number LIMIT ?2"
            ))
            .and_then(|mut s| {
                s.query_map(params![ts_to_sql(since), sql_limit], |r| {
                    Ok(Candidate {
                        number: r.get(0)?,
                        last_missed: r.get(1)?,
                        served_at: r.get(2)?,
                        done_at: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.read_error(e))?;

        let mut list = Vec::new();
        for c in candidates {
            let marked = marks.get(&c.number).map(|t| ts_to_sql(*t)).max(c.done_at);
            if marked.is_some_and(|m| m >= c.last_missed) {
                continue;
            }
            // Waiting: since `since`, not before the last served call, after the last mark.
            let from = [Some(ts_to_sql(since)), c.served_at, marked.map(|m| m.saturating_add(1))]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(0);
            if let Some(entry) = self.callback_entry(&c.number, from)? {
                list.push(entry);
            }
            if limit != 0 && list.len() >= limit {
                break;
            }
        }
        Ok(list)
    }

    /// One number's entry from its missed calls that rang at or after `from`.
    fn callback_entry(&self, number: &str, from: i64) -> Result<Option<Callback>, HistoryError> {
        let calls: Vec<StoredCall> = self
            .conn
            .prepare_cached(&format!(
                "SELECT {CALL_COLUMNS} FROM calls c INDEXED BY calls_missed_number
                 LEFT JOIN notes n ON n.call_id = c.call_id
                 WHERE c.number_normalized = ?1 AND {} AND c.ring_at >= ?2
                 ORDER BY c.ring_at DESC, c.call_id DESC",
                missed_where!("c.")
            ))
            .and_then(|mut s| s.query_map(params![number, from], call_from_sql)?.collect())
            .map_err(|e| self.read_error(e))?;
        let (Some(newest), Some(oldest)) = (calls.first(), calls.last()) else { return Ok(None) };
        Ok(Some(Callback {
            number_raw: newest.row.number_raw.clone(),
            number_normalized: number.to_owned(),
            caller_name: calls.iter().find_map(|c| c.row.caller_name.clone()),
            customer: calls.iter().find_map(|c| c.row.customer.clone()),
            missed: u32::try_from(calls.len()).unwrap_or(u32::MAX),
            first_at: oldest.row.ring_at,
            last_at: newest.row.ring_at,
            last_call: newest.row.call_id.clone(),
            queue: newest.row.queue.clone(),
        }))
    }

    /// The agent dealt with this number (called back, wrote to them, decided not to): it
    /// leaves the call-back list until it misses a call after `now`. Takes the
    /// `number_normalized` of a [`Callback`]. When the file cannot be written the mark waits
    /// in memory ([`HistoryError::NotSaved`]) and the list already leaves the number out.
    pub fn mark_called_back(&mut self, number_normalized: &str, now: Timestamp) -> Result<(), HistoryError> {
        let number = check_number_key(number_normalized)?;
        let at = self.pending_callbacks_done().get(number).map_or(now, |kept| now.max(*kept));
        match self.try_mark_called_back(number, at) {
            Ok(()) => {
                self.forget_callback_done(number);
                self.after_success();
                Ok(())
            }
            Err(e) => {
                let err = self.not_saved(&e, Kept::CallBack);
                self.keep_callback_done(number, at);
                Err(err)
            }
        }
    }

    /// Keeps the newest mark per number.
    pub(crate) fn try_mark_called_back(&self, number: &str, at: Timestamp) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO callbacks_done (number_key, done_at) VALUES (?1, ?2)
                 ON CONFLICT(number_key) DO UPDATE SET done_at = max(done_at, excluded.done_at)",
            )?
            .execute(params![number, ts_to_sql(at)])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missed_calls_and_served_calls_are_read_from_their_indexes() {
        let h = History::open_in_memory().expect("history");
        let served =
            format!("SELECT max(s.ring_at) FROM calls s WHERE s.number_normalized = ?1 AND {}", served_where!("s."));
        let p = h.query_plan(&served, vec![rusqlite::types::Value::Null]);
        assert!(p.contains("calls_served"), "{p}");
        // The grouped query names its index (INDEXED BY): preparing it proves it is usable.
        assert!(h.callbacks(Timestamp::from_millis(0), 50).expect("list").is_empty());
        assert_eq!(check_number_key("+380441234567").ok(), Some("+380441234567"));
    }
}
