//! The history file: calls, notes and the outbox in one SQLite database.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ringside_core::agent_state::WrapUpResult;
use ringside_core::{CallCard, CallId, Direction, Timestamp};
use ringside_store_file::{Format, Migration, OpenError, Synchronous};
use rusqlite::types::Type;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, TransactionBehavior};

use crate::error::{HistoryError, Kept, WriteProblem};
use crate::model::{CallContext, CallRecord, Outcome, StoredCustomer, StoredDeal, WriteBackState};
use crate::row::{web_url, CallRow};

/// Marks a SQLite file as Ringside's call history (`PRAGMA application_id`, "RGSH").
pub const APPLICATION_ID: i32 = 0x5247_5348;
/// The newest schema this version reads and writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = FORMAT.version();
/// How long a write waits for another connection's lock before it counts as failed.
pub const BUSY_TIMEOUT: Duration = ringside_store_file::BUSY_TIMEOUT;

/// The history file, opened by the shared opener (crates/store_file): application id,
/// too-new check, WAL, the migrations below.
const FORMAT: Format = Format {
    what: "call history",
    application_id: APPLICATION_ID,
    migrations: MIGRATIONS,
    // FULL: every commit syncs the WAL, so a write that returned survives a power loss, not
    // only a crash of Ringside (docs/history.md, "Durability").
    synchronous: Synchronous::Full,
    pragmas: "PRAGMA journal_size_limit=4194304;",
};

/// The text a call is found by: the numbers, the names, the queue and the note, one per line
/// (a search word never contains a line break, so no word matches across two fields; the raw
/// number is left out when it is the normalized one). Over `calls c LEFT JOIN notes n`; the
/// triggers, the migration and the short-word search share it.
macro_rules! search_text {
    () => {
        "concat_ws(char(10), nullif(c.number_raw, c.number_normalized), c.number_normalized, c.caller_name, \
         c.customer_name, c.customer_company, c.queue, n.text)"
    };
}
pub(crate) use search_text;

/// Trigger statement: index the calls matching `$which` (over `calls c`) from their current
/// row and note.
macro_rules! index_search_text {
    ($which:literal) => {
        concat!(
            "INSERT INTO calls_fts (rowid, text) SELECT c.rowid, ",
            search_text!(),
            " FROM calls c LEFT JOIN notes n ON n.call_id = c.call_id WHERE ",
            $which,
            ";"
        )
    };
}

/// Trigger body: re-index the calls matching `$which`: their old entry out, the new one in.
macro_rules! refresh_search_text {
    ($which:literal) => {
        concat!(
            "DELETE FROM calls_fts WHERE rowid IN (SELECT c.rowid FROM calls c WHERE ",
            $which,
            "); ",
            index_search_text!($which)
        )
    };
}

/// A missed call: incoming, and nobody here answered a caller who waited for someone
/// (answered elsewhere is not missed: a colleague took it). `$c` is the table prefix. The
/// text must stay the same as in the partial indexes `calls_missed` and
/// `calls_missed_number`, or SQLite cannot use them.
macro_rules! missed_where {
    ($c:literal) => {
        concat!($c, "direction = 'incoming' AND ", $c, "outcome IN ('missed', 'abandoned')")
    };
}
pub(crate) use missed_where;

/// Someone talked to the caller: the call-back list forgets the missed calls before it
/// (partial index `calls_served`).
macro_rules! served_where {
    ($c:literal) => {
        concat!($c, "outcome IN ('answered', 'answered_elsewhere', 'transferred')")
    };
}
pub(crate) use served_where;

const MIGRATIONS: &[Migration] = &[
    // 1: the first schema.
    Migration::sql(
        "CREATE TABLE calls (
        call_id TEXT PRIMARY KEY NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        outcome TEXT NOT NULL,
        failure TEXT,
        ring_at INTEGER NOT NULL,
        answer_at INTEGER,
        end_at INTEGER,
        talk_secs INTEGER NOT NULL DEFAULT 0,
        agent_extension TEXT NOT NULL,
        agent_name TEXT,
        connection TEXT,
        dialed_number TEXT,
        number_raw TEXT NOT NULL,
        number_normalized TEXT,
        caller_name TEXT,
        queue TEXT,
        customer_source TEXT,
        customer_id TEXT,
        customer_name TEXT,
        customer_company TEXT,
        customer_url TEXT,
        wrap_up TEXT,
        recording_url TEXT,
        updated_at INTEGER NOT NULL
     );
     CREATE INDEX calls_ring_at ON calls(ring_at);
     CREATE INDEX calls_open ON calls(ring_at) WHERE end_at IS NULL;
     CREATE INDEX calls_number ON calls(number_normalized);
     CREATE TABLE notes (
        call_id TEXT PRIMARY KEY NOT NULL,
        text TEXT NOT NULL,
        saved_at INTEGER NOT NULL
     );
     CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        call_id TEXT NOT NULL REFERENCES calls(call_id),
        target TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('pending', 'failed', 'sent')),
        revision INTEGER NOT NULL DEFAULT 1,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER,
        last_error TEXT,
        remote_id TEXT,
        sent_at INTEGER,
        enqueued_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (call_id, target)
     );
     CREATE INDEX outbox_due ON outbox(next_at) WHERE next_at IS NOT NULL;",
    ),
    // 2: search, missed calls, the call-back list.
    Migration::sql(concat!(
        // The search index: one text per call (rowid = calls.rowid), every 3-character
        // sequence of it indexed, case and accents folded. Contentless: the text is not
        // stored twice; `contentless_delete` lets the triggers replace a call's entry
        // without knowing the old text.
        "CREATE VIRTUAL TABLE calls_fts USING fts5(
            text,
            tokenize = 'trigram case_sensitive 0 remove_diacritics 1',
            content = '',
            contentless_delete = 1
         );
         CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN ",
        index_search_text!("c.rowid = new.rowid"),
        " END;
         CREATE TRIGGER calls_fts_update AFTER UPDATE ON calls
         WHEN old.rowid IS NOT new.rowid OR old.call_id IS NOT new.call_id
            OR old.number_raw IS NOT new.number_raw OR old.number_normalized IS NOT new.number_normalized
            OR old.caller_name IS NOT new.caller_name OR old.customer_name IS NOT new.customer_name
            OR old.customer_company IS NOT new.customer_company OR old.queue IS NOT new.queue
         BEGIN
            DELETE FROM calls_fts WHERE rowid = old.rowid AND old.rowid IS NOT new.rowid; ",
        refresh_search_text!("c.rowid = new.rowid"),
        " END;
         CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
            DELETE FROM calls_fts WHERE rowid = old.rowid;
         END;
         CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN ",
        refresh_search_text!("c.call_id = new.call_id"),
        " END;
         CREATE TRIGGER notes_fts_update AFTER UPDATE ON notes
         WHEN old.text IS NOT new.text OR old.call_id IS NOT new.call_id BEGIN ",
        refresh_search_text!("c.call_id IN (old.call_id, new.call_id)"),
        " END;
         CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN ",
        refresh_search_text!("c.call_id = old.call_id"),
        " END;
         INSERT INTO calls_fts (rowid, text)
            SELECT c.rowid, ",
        search_text!(),
        " FROM calls c LEFT JOIN notes n ON n.call_id = c.call_id;
         CREATE INDEX calls_missed ON calls(ring_at, number_normalized) WHERE ",
        missed_where!(""),
        ";
         CREATE INDEX calls_missed_number ON calls(number_normalized, ring_at) WHERE ",
        missed_where!(""),
        ";
         CREATE INDEX calls_served ON calls(number_normalized, ring_at) WHERE ",
        served_where!(""),
        ";
         CREATE TABLE callbacks_done (
            number_key TEXT PRIMARY KEY NOT NULL,
            done_at INTEGER NOT NULL
         ) WITHOUT ROWID;"
    )),
    // 3: which revision of a call the CRM has taken, so a change (an edited note) goes out as an
    // update of that record. Items sent before (`sent_at`) were taken at their revision, or, when
    // enqueued again since, at an earlier one. And the first write whose answer never came (the
    // CRM may have it under the call's key): its revision and body, sent again as they were.
    Migration::sql(
        "ALTER TABLE outbox ADD COLUMN written_revision INTEGER;
         UPDATE outbox SET written_revision = CASE WHEN state = 'sent' THEN revision ELSE revision - 1 END
            WHERE sent_at IS NOT NULL;
         ALTER TABLE outbox ADD COLUMN in_doubt_revision INTEGER;
         ALTER TABLE outbox ADD COLUMN in_doubt_body TEXT;",
    ),
    // 4: the History's filters by agent and by connection. An index each, so a page of one
    // agent's (or one connection's) calls is read newest first from the index, and two small
    // tables of what was seen — every (extension, name) pair and every connection, with the
    // newest ring time — that fill the filters' choices and turn an agent's name, in any case,
    // into the spellings stored, without reading the calls. Triggers keep them in step on
    // every write (a name that is no longer on any call stays: it was seen). A call id prefix
    // uses the primary key's index.
    Migration::sql(
        "CREATE INDEX calls_agent ON calls(agent_extension, ring_at);
         CREATE INDEX calls_agent_name ON calls(agent_name, ring_at);
         CREATE INDEX calls_connection ON calls(connection, ring_at);
         CREATE TABLE agents_seen (
            extension TEXT NOT NULL,
            name TEXT NOT NULL,
            last_at INTEGER NOT NULL,
            PRIMARY KEY (extension, name)
         ) WITHOUT ROWID;
         CREATE TABLE connections_seen (
            name TEXT PRIMARY KEY NOT NULL,
            last_at INTEGER NOT NULL
         ) WITHOUT ROWID;
         CREATE TRIGGER agents_seen_insert AFTER INSERT ON calls BEGIN
            INSERT INTO agents_seen (extension, name, last_at)
               VALUES (new.agent_extension, ifnull(new.agent_name, ''), new.ring_at)
               ON CONFLICT (extension, name) DO UPDATE SET last_at = max(last_at, excluded.last_at);
         END;
         CREATE TRIGGER agents_seen_update AFTER UPDATE ON calls
         WHEN old.agent_extension IS NOT new.agent_extension OR old.agent_name IS NOT new.agent_name
            OR old.ring_at IS NOT new.ring_at
         BEGIN
            INSERT INTO agents_seen (extension, name, last_at)
               VALUES (new.agent_extension, ifnull(new.agent_name, ''), new.ring_at)
               ON CONFLICT (extension, name) DO UPDATE SET last_at = max(last_at, excluded.last_at);
         END;
         CREATE TRIGGER connections_seen_insert AFTER INSERT ON calls WHEN new.connection IS NOT NULL BEGIN
            INSERT INTO connections_seen (name, last_at) VALUES (new.connection, new.ring_at)
               ON CONFLICT (name) DO UPDATE SET last_at = max(last_at, excluded.last_at);
         END;
         CREATE TRIGGER connections_seen_update AFTER UPDATE ON calls
         WHEN new.connection IS NOT NULL
            AND (old.connection IS NOT new.connection OR old.ring_at IS NOT new.ring_at)
         BEGIN
            INSERT INTO connections_seen (name, last_at) VALUES (new.connection, new.ring_at)
               ON CONFLICT (name) DO UPDATE SET last_at = max(last_at, excluded.last_at);
         END;
         INSERT INTO agents_seen (extension, name, last_at)
            SELECT agent_extension, ifnull(agent_name, ''), max(ring_at) FROM calls GROUP BY 1, 2;
         INSERT INTO connections_seen (name, last_at)
            SELECT connection, max(ring_at) FROM calls WHERE connection IS NOT NULL GROUP BY 1;",
    ),
    // 5: unknown callers a CRM created by itself (`auto_create`), one per call and CRM: claimed
    // before the request goes out, so neither a retry nor a restart makes a second one.
    Migration::sql(
        "CREATE TABLE auto_created (
            call_id TEXT NOT NULL,
            target TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('claimed', 'created')),
            attempts INTEGER NOT NULL DEFAULT 1,
            last_error TEXT,
            customer TEXT,
            claimed_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (call_id, target)
         ) WITHOUT ROWID;",
    ),
    // 6: the audit of "accepting calls" switches a supervisor made for another agent, as the PBX
    // confirmed them (crates/history/src/switches.rs): only ever added to.
    Migration::sql(
        "CREATE TABLE agent_switches (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            by_extension TEXT NOT NULL,
            by_name TEXT,
            interface TEXT NOT NULL,
            member_name TEXT,
            queue TEXT,
            paused_before INTEGER,
            reason_before TEXT,
            paused INTEGER NOT NULL,
            reason TEXT
         );
         CREATE INDEX agent_switches_at ON agent_switches(at);",
    ),
    // 7: the open deal the call was logged to (Bitrix24: the oldest, or the agent's pick).
    Migration::sql(
        "ALTER TABLE calls ADD COLUMN customer_deal_id TEXT;
         ALTER TABLE calls ADD COLUMN customer_deal_title TEXT;",
    ),
];

pub(crate) const CALL_COLUMNS: &str = "c.call_id, c.direction, c.outcome, c.failure, c.ring_at, c.answer_at, c.end_at,
    c.talk_secs, c.agent_extension, c.agent_name, c.connection, c.dialed_number, c.number_raw,
    c.number_normalized, c.caller_name, c.queue, c.customer_source, c.customer_id, c.customer_name,
    c.customer_company, c.customer_url, c.wrap_up, c.recording_url, c.updated_at, n.text, n.saved_at,
    c.customer_deal_id, c.customer_deal_title";

pub(crate) fn ts_to_sql(t: Timestamp) -> i64 {
    i64::try_from(t.as_millis()).unwrap_or(i64::MAX)
}

pub(crate) fn ts_from_sql(v: i64) -> Timestamp {
    Timestamp::from_millis(u64::try_from(v).unwrap_or(0))
}

pub(crate) fn direction_sql(d: Direction) -> &'static str {
    match d {
        Direction::Incoming => "incoming",
        Direction::Outgoing => "outgoing",
    }
}

pub(crate) fn wrap_up_sql(w: WrapUpResult) -> &'static str {
    match w {
        WrapUpResult::Saved => "saved",
        WrapUpResult::SavedAndCreateCustomer => "saved_and_create_customer",
        WrapUpResult::Cancelled => "cancelled",
        WrapUpResult::EndedEarly => "ended_early",
        WrapUpResult::TimedOut => "timed_out",
    }
}

fn wrap_up_from_sql(s: &str) -> Option<WrapUpResult> {
    Some(match s {
        "saved" => WrapUpResult::Saved,
        "saved_and_create_customer" => WrapUpResult::SavedAndCreateCustomer,
        "cancelled" => WrapUpResult::Cancelled,
        "ended_early" => WrapUpResult::EndedEarly,
        "timed_out" => WrapUpResult::TimedOut,
        _ => return None,
    })
}

fn bad_value(col: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, Type::Text, format!("unknown {what} {value:?}").into())
}

/// A call row with its saved note, as read.
pub(crate) struct StoredCall {
    pub row: CallRow,
    pub note: Option<String>,
    pub note_saved_at: Option<Timestamp>,
}

pub(crate) fn call_from_sql(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredCall> {
    let direction: String = r.get(1)?;
    let direction = match direction.as_str() {
        "incoming" => Direction::Incoming,
        "outgoing" => Direction::Outgoing,
        other => return Err(bad_value(1, "direction", other)),
    };
    let outcome: String = r.get(2)?;
    let outcome = Outcome::from_sql(&outcome).ok_or_else(|| bad_value(2, "outcome", &outcome))?;
    let wrap_up = match r.get::<_, Option<String>>(21)? {
        Some(w) => Some(wrap_up_from_sql(&w).ok_or_else(|| bad_value(21, "wrap-up result", &w))?),
        None => None,
    };
    let customer = match (r.get::<_, Option<String>>(16)?, r.get::<_, Option<String>>(17)?) {
        (Some(source), Some(id)) => Some(StoredCustomer {
            source,
            id,
            name: r.get::<_, Option<String>>(18)?.unwrap_or_default(),
            company: r.get(19)?,
            url: r.get(20)?,
            deal: match r.get::<_, Option<String>>(26)? {
                Some(id) => Some(StoredDeal { id, title: r.get(27)? }),
                None => None,
            },
        }),
        _ => None,
    };
    let row = CallRow {
        call_id: CallId::new(r.get::<_, String>(0)?),
        direction,
        outcome,
        failure: r.get(3)?,
        ring_at: ts_from_sql(r.get(4)?),
        answer_at: r.get::<_, Option<i64>>(5)?.map(ts_from_sql),
        end_at: r.get::<_, Option<i64>>(6)?.map(ts_from_sql),
        talk_secs: u64::try_from(r.get::<_, i64>(7)?).unwrap_or(0),
        agent_extension: r.get(8)?,
        agent_name: r.get(9)?,
        connection: r.get(10)?,
        dialed_number: r.get(11)?,
        number_raw: r.get(12)?,
        number_normalized: r.get(13)?,
        caller_name: r.get(14)?,
        queue: r.get(15)?,
        customer,
        customer_final: true,
        wrap_up,
        recording_url: r.get(22)?,
        updated_at: ts_from_sql(r.get(23)?),
    };
    Ok(StoredCall { row, note: r.get(24)?, note_saved_at: r.get::<_, Option<i64>>(25)?.map(ts_from_sql) })
}

/// A note the file did not take yet.
#[derive(Debug, Clone)]
struct PendingNote {
    text: String,
}

/// A write-back request the file did not take yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingEnqueue {
    pub call: CallId,
    pub target: String,
    pub at: Timestamp,
}

/// Changes that failed to reach the file, newest state only, written by `flush_pending`.
#[derive(Debug, Default)]
struct Pending {
    calls: BTreeMap<CallId, CallRow>,
    notes: BTreeMap<CallId, PendingNote>,
    /// "Called back" marks: number key → when.
    callbacks_done: BTreeMap<String, Timestamp>,
    enqueues: Vec<PendingEnqueue>,
}

impl Pending {
    fn len(&self) -> usize {
        self.calls.len() + self.notes.len() + self.callbacks_done.len() + self.enqueues.len()
    }
}

/// Ringside's call history: every call, its note and wrap-up result, and the outbox that
/// carries them to the CRM. See the crate documentation for sharing and durability.
pub struct History {
    pub(crate) conn: Connection,
    path: Option<PathBuf>,
    pending: Pending,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History")
            .field("path", &self.path)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl History {
    /// Opens the history at `path`, creating it (and its schema) if the file does not exist.
    ///
    /// Errors, each with its own message: the folder does not exist; the file or folder is
    /// read-only; the file is another program's database; the file is damaged or not a
    /// database; it was written by a newer Ringside.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        let conn = FORMAT.open(path)?;
        Ok(History { conn, path: Some(path.to_path_buf()), pending: Pending::default() })
    }

    /// Test hook: opens (or creates) the file migrated only up to `version`, so a test can
    /// build a file as an older Ringside left it and open it with [`History::open`].
    #[cfg(feature = "test-support")]
    pub fn open_at_version_for_tests(path: &Path, version: i64) -> Result<History, HistoryError> {
        let conn = FORMAT.open_at_version(path, version)?;
        Ok(History { conn, path: Some(path.to_path_buf()), pending: Pending::default() })
    }

    /// A history that lives in memory only (tests, previews, a runtime without a data folder).
    pub fn open_in_memory() -> Result<History, HistoryError> {
        let conn = FORMAT.open_in_memory()?;
        Ok(History { conn, path: None, pending: Pending::default() })
    }

    /// The file, `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub(crate) fn shown_path(&self) -> PathBuf {
        self.path.clone().unwrap_or_else(|| PathBuf::from(":memory:"))
    }

    /// A failed read (or a write that is not kept) in words.
    pub(crate) fn read_error(&self, e: rusqlite::Error) -> HistoryError {
        let path = self.shown_path();
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => HistoryError::Busy(path),
            Some(ErrorCode::NotADatabase) | Some(ErrorCode::DatabaseCorrupt) => HistoryError::Corrupt(path),
            _ => HistoryError::Database { path, source: e },
        }
    }

    pub(crate) fn not_saved(&self, e: &rusqlite::Error, kept: Kept) -> HistoryError {
        let problem = WriteProblem::of(e);
        tracing::warn!(path = %self.shown_path().display(), %problem, ?kept, "call history not written");
        HistoryError::NotSaved { path: self.shown_path(), problem, kept }
    }

    // ----- calls -----

    /// Inserts or updates the call from its card (call it on every card change). Keeps the
    /// first ring time, never un-ends a call, never downgrades an outcome (an interrupted
    /// call takes the PBX's own end when it comes); the customer stored is the agent's pick,
    /// else the only match; several without a pick, or none, store no customer. While the
    /// lookup is still under way the stored customer is kept.
    ///
    /// A write failure keeps the call in memory and returns [`HistoryError::NotSaved`].
    pub fn record_card(&mut self, card: &CallCard, ctx: &CallContext) -> Result<(), HistoryError> {
        self.write_call(CallRow::from_card(card, ctx), Kept::Call)
    }

    /// The call's customer, created for its caller after the call (from the History): the
    /// record names them from now on.
    pub fn set_customer(&mut self, call: &CallId, customer: StoredCustomer) -> Result<(), HistoryError> {
        let mut row = self.current_row(call)?.ok_or_else(|| HistoryError::NoSuchCall(call.clone()))?;
        row.customer = Some(customer);
        row.customer_final = true;
        self.write_call(row, Kept::Call)
    }

    /// How the agent finished wrap-up for the call.
    pub fn set_wrap_up(&mut self, call: &CallId, result: WrapUpResult) -> Result<(), HistoryError> {
        let mut row = self.current_row(call)?.ok_or_else(|| HistoryError::NoSuchCall(call.clone()))?;
        row.wrap_up = Some(result);
        self.write_call(row, Kept::WrapUp)
    }

    /// The call's recording, when the PBX or provider gives one (http or https only).
    pub fn set_recording_url(&mut self, call: &CallId, url: &str) -> Result<(), HistoryError> {
        let url = web_url(url).ok_or_else(|| {
            HistoryError::Invalid("a recording link must be an http:// or https:// address without spaces".to_owned())
        })?;
        let mut row = self.current_row(call)?.ok_or_else(|| HistoryError::NoSuchCall(call.clone()))?;
        row.recording_url = Some(url);
        self.write_call(row, Kept::RecordingUrl)
    }

    /// After a restart (or a reconnect): every call without an end that the PBX no longer
    /// has (not in `live`) is ended [`Outcome::Interrupted`] at `now` (never before it rang).
    /// Its talk time stays the last one recorded. Returns the calls ended.
    pub fn close_interrupted(&mut self, live: &[CallId], now: Timestamp) -> Result<Vec<CallId>, HistoryError> {
        let mut open: Vec<CallId> = {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT call_id FROM calls WHERE end_at IS NULL ORDER BY ring_at")
                .map_err(|e| self.read_error(e))?;
            let ids = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                .map_err(|e| self.read_error(e))?;
            ids.into_iter().map(CallId::new).collect()
        };
        for (id, row) in &self.pending.calls {
            if !row.outcome.is_ended() && !open.contains(id) {
                open.push(id.clone());
            }
        }
        open.retain(|id| !live.contains(id));
        let mut first_error = None;
        let mut closed = Vec::new();
        for id in open {
            let Some(row) = self.current_row(&id)? else { continue };
            if row.outcome.is_ended() {
                continue;
            }
            match self.write_call(row.interrupted(now), Kept::Call) {
                Ok(()) => {}
                Err(e) if e.kept_in_memory() => {
                    first_error.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
            tracing::info!(call = %id, "call ended as interrupted: the PBX no longer has it");
            closed.push(id);
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(closed),
        }
    }

    /// The newest row for the call: the unsaved one merged over the file's.
    pub(crate) fn current_row(&self, call: &CallId) -> Result<Option<CallRow>, HistoryError> {
        Ok(self.current_call(call)?.map(|c| c.row))
    }

    /// Folds `row` into the stored call (and any unsaved state of it); on failure keeps the
    /// result in memory.
    fn write_call(&mut self, row: CallRow, kept: Kept) -> Result<(), HistoryError> {
        let id = row.call_id.clone();
        let combined = match self.pending.calls.remove(&id) {
            Some(older) => older.merge(&row),
            None => row,
        };
        match self.try_write_call(&combined) {
            Ok(()) => {
                self.after_success();
                Ok(())
            }
            Err(e) => {
                let err = self.not_saved(&e, kept);
                self.pending.calls.insert(id, combined);
                Err(err)
            }
        }
    }

    fn try_write_call(&mut self, row: &CallRow) -> rusqlite::Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        upsert_call(&tx, row)?;
        tx.commit()
    }

    // ----- notes -----

    /// The note as the agent has typed it so far (the UI calls this debounced, ~500 ms).
    /// When it returns `Ok` the text is on disk (synced: it survives a crash of Ringside and
    /// a power loss). Never loses text: on a write failure (read-only, full disk) the text is
    /// kept in memory, [`HistoryError::NotSaved`] says so in words, [`History::note`] returns
    /// it, and [`History::flush_pending`] (or any later successful write) saves it. A note
    /// may be saved before the call's first card is recorded.
    pub fn save_note(&mut self, call: &CallId, text: &str) -> Result<(), HistoryError> {
        match self.try_write_note(call, text, Timestamp::now()) {
            Ok(()) => {
                self.pending.notes.remove(call);
                self.after_success();
                Ok(())
            }
            Err(e) => {
                let err = self.not_saved(&e, Kept::Note);
                self.pending.notes.insert(call.clone(), PendingNote { text: text.to_owned() });
                Err(err)
            }
        }
    }

    fn try_write_note(&self, call: &CallId, text: &str, now: Timestamp) -> rusqlite::Result<()> {
        upsert_note(&self.conn, call, text, now)
    }

    /// The newest text of the call's note, an unsaved one included; `None` when there is
    /// none or it is empty.
    pub fn note(&self, call: &CallId) -> Result<Option<String>, HistoryError> {
        if let Some(p) = self.pending.notes.get(call) {
            return Ok(Some(p.text.clone()).filter(|t| !t.is_empty()));
        }
        let text: Option<String> = self
            .conn
            .prepare_cached("SELECT text FROM notes WHERE call_id = ?1")
            .and_then(|mut s| s.query_row([call.as_str()], |r| r.get(0)).optional())
            .map_err(|e| self.read_error(e))?;
        Ok(text.filter(|t| !t.is_empty()))
    }

    // ----- pending -----

    /// Whether changes wait in memory because the file could not be written.
    pub fn has_pending(&self) -> bool {
        self.pending.len() > 0
    }

    /// Writes what waits in memory: notes first, then calls, "called back" marks, then
    /// write-back requests.
    /// Returns how many were saved; stops at the first failure (the rest stays pending and
    /// the error says how much).
    pub fn flush_pending(&mut self) -> Result<usize, HistoryError> {
        let mut saved = 0;
        let notes: Vec<(CallId, PendingNote)> =
            self.pending.notes.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        for (call, note) in notes {
            if let Err(e) = self.try_write_note(&call, &note.text, Timestamp::now()) {
                return Err(self.not_saved(&e, Kept::Pending(self.pending.len())));
            }
            self.pending.notes.remove(&call);
            saved += 1;
        }
        let calls: Vec<CallRow> = self.pending.calls.values().cloned().collect();
        for row in calls {
            if let Err(e) = self.try_write_call(&row) {
                return Err(self.not_saved(&e, Kept::Pending(self.pending.len())));
            }
            self.pending.calls.remove(&row.call_id);
            saved += 1;
        }
        let marks: Vec<(String, Timestamp)> =
            self.pending.callbacks_done.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for (number, at) in marks {
            if let Err(e) = self.try_mark_called_back(&number, at) {
                return Err(self.not_saved(&e, Kept::Pending(self.pending.len())));
            }
            self.pending.callbacks_done.remove(&number);
            saved += 1;
        }
        while let Some(req) = self.pending.enqueues.first().cloned() {
            match self.try_enqueue(&req.call, &req.target, req.at) {
                Ok(()) => saved += 1,
                Err(EnqueueError::Sql(e)) => return Err(self.not_saved(&e, Kept::Pending(self.pending.len()))),
                Err(other) => {
                    tracing::warn!(call = %req.call, target = %req.target, ?other, "a queued CRM write-back was dropped")
                }
            }
            self.pending.enqueues.remove(0);
        }
        if saved > 0 {
            tracing::info!(saved, "unsaved call history written");
        }
        Ok(saved)
    }

    /// After a successful write: the file takes writes again, so try what waits.
    pub(crate) fn after_success(&mut self) {
        if self.has_pending() {
            if let Err(e) = self.flush_pending() {
                tracing::debug!(error = %e, "pending call history still not written");
            }
        }
    }

    pub(crate) fn pending_enqueues(&self) -> &[PendingEnqueue] {
        &self.pending.enqueues
    }

    pub(crate) fn keep_enqueue(&mut self, req: PendingEnqueue) {
        if !self.pending.enqueues.iter().any(|p| p.call == req.call && p.target == req.target) {
            self.pending.enqueues.push(req);
        }
    }

    /// A request that reached the file needs no retry from memory.
    pub(crate) fn forget_enqueue(&mut self, call: &CallId, target: &str) {
        self.pending.enqueues.retain(|p| !(&p.call == call && p.target == target));
    }

    pub(crate) fn pending_call(&self, call: &CallId) -> Option<&CallRow> {
        self.pending.calls.get(call)
    }

    /// Every call row that waits in memory.
    pub(crate) fn pending_calls(&self) -> impl Iterator<Item = &CallRow> {
        self.pending.calls.values()
    }

    /// The unsaved note's text, if one waits.
    pub(crate) fn pending_note(&self, call: &CallId) -> Option<&str> {
        self.pending.notes.get(call).map(|p| p.text.as_str())
    }

    /// Every call with an unsaved change of its row or its note.
    pub(crate) fn unsaved_calls(&self) -> std::collections::BTreeSet<&CallId> {
        self.pending.calls.keys().chain(self.pending.notes.keys()).collect()
    }

    /// "Called back" marks that wait in memory.
    pub(crate) fn pending_callbacks_done(&self) -> &BTreeMap<String, Timestamp> {
        &self.pending.callbacks_done
    }

    /// Keeps a mark the file did not take (the newest per number).
    pub(crate) fn keep_callback_done(&mut self, number: &str, at: Timestamp) {
        let kept = self.pending.callbacks_done.entry(number.to_owned()).or_insert(at);
        *kept = (*kept).max(at);
    }

    pub(crate) fn forget_callback_done(&mut self, number: &str) {
        self.pending.callbacks_done.remove(number);
    }

    pub(crate) fn flush_call(&mut self, call: &CallId) -> Result<(), HistoryError> {
        match self.pending.calls.get(call).cloned() {
            Some(row) => self.write_call(row, Kept::Call),
            None => Ok(()),
        }
    }

    // ----- reads -----

    pub(crate) fn stored_call(&self, call: &CallId) -> Result<Option<StoredCall>, HistoryError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {CALL_COLUMNS} FROM calls c LEFT JOIN notes n ON n.call_id = c.call_id WHERE c.call_id = ?1"
            ))
            .and_then(|mut s| s.query_row([call.as_str()], call_from_sql).optional())
            .map_err(|e| self.read_error(e))
    }

    /// One call, unsaved changes included.
    pub fn call(&self, id: &CallId) -> Result<Option<CallRecord>, HistoryError> {
        match self.current_call(id)? {
            Some(c) => Ok(Some(self.record(c.row, c.note, c.note_saved_at)?)),
            None => Ok(None),
        }
    }

    /// The call as it is now: the file's row with any unsaved row merged over it, and the
    /// saved note (`record` puts an unsaved note over it). `None` when neither exists.
    pub(crate) fn current_call(&self, id: &CallId) -> Result<Option<StoredCall>, HistoryError> {
        Ok(match (self.stored_call(id)?, self.pending.calls.get(id)) {
            (Some(s), Some(p)) => Some(StoredCall { row: s.row.merge(p), ..s }),
            (Some(s), None) => Some(s),
            (None, Some(p)) => Some(StoredCall { row: p.clone(), note: self.saved_note(id)?, note_saved_at: None }),
            (None, None) => None,
        })
    }

    fn saved_note(&self, id: &CallId) -> Result<Option<String>, HistoryError> {
        self.conn
            .prepare_cached("SELECT text FROM notes WHERE call_id = ?1")
            .and_then(|mut s| s.query_row([id.as_str()], |r| r.get(0)).optional())
            .map_err(|e| self.read_error(e))
    }

    /// The record the history shows: the row, the newest note, the write-back states.
    pub(crate) fn record(
        &self,
        row: CallRow,
        saved_note: Option<String>,
        note_saved_at: Option<Timestamp>,
    ) -> Result<CallRecord, HistoryError> {
        let pending_note = self.pending.notes.get(&row.call_id).map(|p| p.text.clone());
        let unsaved = pending_note.is_some()
            || self.pending.calls.contains_key(&row.call_id)
            || self.pending.enqueues.iter().any(|p| p.call == row.call_id);
        let note = pending_note.or(saved_note).filter(|t| !t.is_empty());
        let write_back: Vec<WriteBackState> = self.write_back_states(&row.call_id, &row.agent_extension)?;
        Ok(CallRecord {
            call_id: row.call_id,
            direction: row.direction,
            outcome: row.outcome,
            failure: row.failure,
            ring_at: row.ring_at,
            answer_at: row.answer_at,
            end_at: row.end_at,
            talk_secs: row.talk_secs,
            agent_extension: row.agent_extension,
            agent_name: row.agent_name,
            connection: row.connection,
            dialed_number: row.dialed_number,
            number_raw: row.number_raw,
            number_normalized: row.number_normalized,
            caller_name: row.caller_name,
            queue: row.queue,
            customer: row.customer,
            note,
            note_saved_at,
            unsaved,
            wrap_up: row.wrap_up,
            recording_url: row.recording_url,
            write_back,
            updated_at: row.updated_at,
        })
    }

    // ----- test hooks -----

    /// Benchmark hook: records many calls — (card, context, note) — in ONE transaction,
    /// through the same SQL and triggers as [`History::record_card`] and
    /// [`History::save_note`]. A note is written first (saved at the card's `as_of`), so the
    /// call's insert indexes it in one go. Returns how many calls were written.
    #[cfg(feature = "test-support")]
    pub fn record_many_for_benches<I>(&mut self, calls: I) -> Result<usize, HistoryError>
    where
        I: IntoIterator<Item = (CallCard, CallContext, Option<String>)>,
    {
        let run = |conn: &mut Connection| -> rusqlite::Result<usize> {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut written = 0;
            for (card, ctx, note) in calls {
                if let Some(text) = note {
                    upsert_note(&tx, &card.call_id, &text, card.as_of)?;
                }
                upsert_call(&tx, &CallRow::from_card(&card, &ctx))?;
                written += 1;
            }
            tx.commit()?;
            Ok(written)
        };
        run(&mut self.conn).map_err(|e| self.read_error(e))
    }

    /// Test hook: caps the file at its current size plus `extra_pages` pages (`None`: no cap),
    /// so the next write that needs room fails with a real `SQLITE_FULL`. Returns the cap.
    #[cfg(feature = "test-support")]
    pub fn limit_growth_for_tests(&self, extra_pages: Option<u64>) -> Result<u64, HistoryError> {
        let run = || -> rusqlite::Result<u64> {
            let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            let cap = match extra_pages {
                Some(extra) => u64::try_from(pages).unwrap_or(0).saturating_add(extra),
                None => 0xFFFF_FFFE,
            };
            let cap = i64::try_from(cap).unwrap_or(i64::MAX);
            let set: i64 = self.conn.query_row(&format!("PRAGMA max_page_count = {cap}"), [], |r| r.get(0))?;
            Ok(u64::try_from(set).unwrap_or(0))
        };
        run().map_err(|e| self.read_error(e))
    }

    /// How SQLite runs `sql` (EXPLAIN QUERY PLAN), one step per line.
    #[cfg(test)]
    pub(crate) fn query_plan(&self, sql: &str, args: Vec<rusqlite::types::Value>) -> String {
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).expect("explain");
        let steps = stmt
            .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .expect("plan");
        steps.join("\n")
    }

    /// Test hook: `PRAGMA query_only`, so writes fail with a real `SQLITE_READONLY` (works
    /// as root, where file permissions do not).
    #[cfg(feature = "test-support")]
    pub fn set_read_only_for_tests(&self, read_only: bool) -> Result<(), HistoryError> {
        self.conn.pragma_update(None, "query_only", read_only).map_err(|e| self.read_error(e))
    }
}

/// Folds `row` into the stored call on `conn` (inside the caller's transaction): read, merge,
/// upsert. The triggers keep the search index in step.
fn upsert_call(conn: &Connection, row: &CallRow) -> rusqlite::Result<()> {
    let stored = conn
        .prepare_cached(&format!(
            "SELECT {CALL_COLUMNS} FROM calls c LEFT JOIN notes n ON n.call_id = c.call_id WHERE c.call_id = ?1"
        ))?
        .query_row([row.call_id.as_str()], call_from_sql)
        .optional()?;
    let merged = match stored {
        Some(s) => s.row.merge(row),
        None => row.clone(),
    };
    let c = merged.customer.as_ref();
    conn.prepare_cached(
        "INSERT INTO calls (call_id, direction, outcome, failure, ring_at, answer_at, end_at, talk_secs,
            agent_extension, agent_name, connection, dialed_number, number_raw, number_normalized,
            caller_name, queue, customer_source, customer_id, customer_name, customer_company,
            customer_url, wrap_up, recording_url, updated_at, customer_deal_id, customer_deal_title)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
            ?20, ?21, ?22, ?23, ?24, ?25, ?26)
         ON CONFLICT(call_id) DO UPDATE SET direction = excluded.direction, outcome = excluded.outcome,
            failure = excluded.failure, ring_at = excluded.ring_at, answer_at = excluded.answer_at,
            end_at = excluded.end_at, talk_secs = excluded.talk_secs,
            agent_extension = excluded.agent_extension, agent_name = excluded.agent_name,
            connection = excluded.connection, dialed_number = excluded.dialed_number,
            number_raw = excluded.number_raw, number_normalized = excluded.number_normalized,
            caller_name = excluded.caller_name, queue = excluded.queue,
            customer_source = excluded.customer_source, customer_id = excluded.customer_id,
            customer_name = excluded.customer_name, customer_company = excluded.customer_company,
            customer_url = excluded.customer_url, wrap_up = excluded.wrap_up,
            recording_url = excluded.recording_url, updated_at = excluded.updated_at,
            customer_deal_id = excluded.customer_deal_id, customer_deal_title = excluded.customer_deal_title",
    )?
    .execute(params![
        merged.call_id.as_str(),
        direction_sql(merged.direction),
        merged.outcome.as_str(),
        merged.failure,
        ts_to_sql(merged.ring_at),
        merged.answer_at.map(ts_to_sql),
        merged.end_at.map(ts_to_sql),
        i64::try_from(merged.talk_secs).unwrap_or(i64::MAX),
        merged.agent_extension,
        merged.agent_name,
        merged.connection,
        merged.dialed_number,
        merged.number_raw,
        merged.number_normalized,
        merged.caller_name,
        merged.queue,
        c.map(|c| c.source.as_str()),
        c.map(|c| c.id.as_str()),
        c.map(|c| c.name.as_str()),
        c.and_then(|c| c.company.as_deref()),
        c.and_then(|c| c.url.as_deref()),
        merged.wrap_up.map(wrap_up_sql),
        merged.recording_url,
        ts_to_sql(merged.updated_at),
        c.and_then(|c| c.deal.as_ref()).map(|d| d.id.as_str()),
        c.and_then(|c| c.deal.as_ref()).and_then(|d| d.title.as_deref()),
    ])?;
    Ok(())
}

/// Writes the note's text on `conn` (inside the caller's transaction, if any).
fn upsert_note(conn: &Connection, call: &CallId, text: &str, now: Timestamp) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO notes (call_id, text, saved_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(call_id) DO UPDATE SET text = excluded.text, saved_at = excluded.saved_at",
    )?
    .execute(params![call.as_str(), text, ts_to_sql(now)])?;
    Ok(())
}

/// Why an enqueue could not be written.
#[derive(Debug)]
pub(crate) enum EnqueueError {
    NoSuchCall,
    NotEnded,
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for EnqueueError {
    fn from(e: rusqlite::Error) -> Self {
        EnqueueError::Sql(e)
    }
}

impl From<OpenError> for HistoryError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::MissingFolder(p) => HistoryError::MissingFolder(p),
            OpenError::ReadOnly(p) => HistoryError::ReadOnly(p),
            OpenError::CannotOpen(p) => HistoryError::CannotOpen(p),
            OpenError::NotOurs { path, .. } => HistoryError::NotAHistory(path),
            OpenError::TooNew { path, found, supported } => HistoryError::TooNew { path, found, supported },
            OpenError::Corrupt(p) => HistoryError::Corrupt(p),
            OpenError::Busy(p) => HistoryError::Busy(p),
            OpenError::Sql { path, source } => HistoryError::Database { path, source },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_version_has_its_migration() {
        assert_eq!(i64::try_from(MIGRATIONS.len()).ok(), Some(SCHEMA_VERSION));
    }

    #[test]
    fn a_cached_statement_is_not_parsed_again_on_every_use() {
        let mut h = History::open_in_memory().expect("history");
        let ctx = CallContext { agent_extension: "100".into(), ..CallContext::default() };
        let mut ids = Vec::new();
        for i in 0..5u64 {
            let id = CallId::new(format!("p.{i}"));
            let row = CallRow {
                call_id: id.clone(),
                direction: Direction::Incoming,
                outcome: Outcome::Missed,
                failure: None,
                ring_at: Timestamp::from_millis(i),
                answer_at: None,
                end_at: Some(Timestamp::from_millis(i + 1)),
                talk_secs: 0,
                agent_extension: ctx.agent_extension.clone(),
                agent_name: None,
                connection: None,
                dialed_number: None,
                number_raw: "0501112233".into(),
                number_normalized: Some("0501112233".into()),
                caller_name: None,
                queue: None,
                customer: None,
                customer_final: true,
                wrap_up: None,
                recording_url: None,
                updated_at: Timestamp::from_millis(i + 1),
            };
            h.write_call(row, Kept::Call).expect("write");
            ids.push(id);
        }
        for id in ids.iter().chain(&ids) {
            h.call(id).expect("read").expect("the call");
        }
        let sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls c LEFT JOIN notes n ON n.call_id = c.call_id WHERE c.call_id = ?1"
        );
        let stmt = h.conn.prepare_cached(&sql).expect("the cached statement");
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }
}
