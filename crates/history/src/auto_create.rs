//! Unknown callers a CRM created by itself (`auto_create`): one claim per (call, CRM), written
//! before the request goes out, so that a retry of the lookup, a re-sync, a transfer back or a
//! restart of Ringside in the middle of the call never creates the caller a second time.

use ringside_core::{CallId, Timestamp};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

use crate::error::HistoryError;
use crate::store::{ts_to_sql, History};

/// A claim as stored: state, attempts, last error, the created customer, the key.
type ClaimRow = (String, u32, Option<String>, Option<String>, String);

/// What the history knows of creating a call's caller in one CRM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoCreate {
    /// Nobody claimed it before; the claim is now on disk: create, under `key`.
    First { key: String },
    /// Claimed before (this run, or a run that stopped in the middle) and not known to be
    /// created: try again under the same `key`, which lets the CRM recognise a repeat.
    Unfinished { key: String, attempts: u32, last_error: Option<String> },
    /// Created: `customer` is what [`History::auto_create_done`] was given.
    Created { customer: String },
}

/// The key that makes one request of creating `call`'s caller in `target`: the same on every
/// desktop (no agent in it), so a colleague's Ringside the call is transferred to sends the same
/// one. `ringside-auto-` and 32 hex digits.
pub fn auto_create_key(call: &CallId, target: &str) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut h = OFFSET;
    for part in ["ringside-auto-create-v1", call.as_str(), target] {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= u128::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    format!("ringside-auto-{h:032x}")
}

impl History {
    /// Claims creating `call`'s caller in `target`, in one transaction that is on disk when this
    /// returns: [`AutoCreate::First`] the first time, then what became of it. A file that cannot
    /// be written is an error and claims nothing: then nothing may be created (a claim that is
    /// not kept could not stop a second one).
    pub fn claim_auto_create(
        &mut self,
        call: &CallId,
        target: &str,
        now: Timestamp,
    ) -> Result<AutoCreate, HistoryError> {
        let key = auto_create_key(call, target);
        let claim = (|| {
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row: Option<ClaimRow> = tx
                .query_row(
                    "SELECT state, attempts, last_error, customer, idempotency_key FROM auto_created
                     WHERE call_id = ?1 AND target = ?2",
                    params![call.as_str(), target],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let claim = match row {
                None => {
                    tx.execute(
                        "INSERT INTO auto_created (call_id, target, idempotency_key, state, claimed_at, updated_at)
                         VALUES (?1, ?2, ?3, 'claimed', ?4, ?4)",
                        params![call.as_str(), target, key, ts_to_sql(now)],
                    )?;
                    AutoCreate::First { key: key.clone() }
                }
                Some((state, _, _, Some(customer), _)) if state == "created" => AutoCreate::Created { customer },
                Some((_, attempts, last_error, _, key)) => {
                    tx.execute(
                        "UPDATE auto_created SET attempts = attempts + 1, updated_at = ?3
                         WHERE call_id = ?1 AND target = ?2",
                        params![call.as_str(), target, ts_to_sql(now)],
                    )?;
                    AutoCreate::Unfinished { key, attempts: attempts.saturating_add(1), last_error }
                }
            };
            tx.commit()?;
            Ok(claim)
        })();
        claim.map_err(|e: rusqlite::Error| self.read_error(e))
    }

    /// The CRM created the caller: `customer` (the caller's record as the CRM gave it, in any
    /// form the caller of this method reads back) is what later claims return.
    pub fn auto_create_done(
        &mut self,
        call: &CallId,
        target: &str,
        customer: &str,
        now: Timestamp,
    ) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "UPDATE auto_created SET state = 'created', customer = ?3, last_error = NULL, updated_at = ?4
                 WHERE call_id = ?1 AND target = ?2",
                params![call.as_str(), target, customer, ts_to_sql(now)],
            )
            .map_err(|e| self.read_error(e))
            .and_then(|n| if n == 1 { Ok(()) } else { Err(HistoryError::NoSuchCall(call.clone())) })
    }

    /// Creating the caller failed (`reason`, in words); the claim stays, so the next attempt uses
    /// the same key.
    pub fn auto_create_failed(
        &mut self,
        call: &CallId,
        target: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "UPDATE auto_created SET last_error = ?3, updated_at = ?4
                 WHERE call_id = ?1 AND target = ?2 AND state = 'claimed'",
                params![call.as_str(), target, reason, ts_to_sql(now)],
            )
            .map(|_| ())
            .map_err(|e| self.read_error(e))
    }
}
