//! Finding calls: the search text, the filters, and unsaved changes laid over the file.
//!
//! Words of 3 or more characters go to the trigram index (`calls_fts`): every 3-character
//! sequence of a call's text is indexed, so a word matches anywhere inside a name, a number
//! or a note, with case and accents folded. Shorter words cannot use it and are looked for
//! in the text itself (slower). User text only ever reaches SQLite as a bound value.

use std::cell::Cell;
use std::collections::BTreeSet;

use ringside_core::{CallId, Direction};
use rusqlite::types::Value;
use rusqlite::OptionalExtension;

use crate::error::HistoryError;
use crate::model::{CallRecord, HistoryQuery, Outcome};
use crate::row::CallRow;
use crate::seen::fold_name;
use crate::store::{
    call_from_sql, direction_sql, missed_where, search_text, ts_to_sql, History, StoredCall, CALL_COLUMNS,
};

/// Longer search texts are refused: nobody types that much into a search box, and it keeps
/// a pasted page from becoming a thousand-word query.
pub const MAX_SEARCH_CHARS: usize = 200;

/// The shortest form the trigram index can find.
const TRIGRAM: usize = 3;

/// Up to this many calls found by the text index are read and sorted as they are. For a word
/// in more calls, a page is looked for among the most recently written ones first.
const MANY_MATCHES: usize = 2000;

/// The most recently written calls a page is looked for among, before the whole index is read.
const MAX_RECENT_CANDIDATES: usize = 32_768;

/// An agent, connection or call id filter that leaves at most this many calls drives a search
/// for a common word: its index is read newest first and each call checked for the words,
/// rather than looking for the page among the newest calls with the words (where few of them
/// would be this agent's).
const NARROW_FILTER: usize = 20_000;

/// A call id prefix that begins up to this many ids has them sorted by ring time (reading
/// only their ring times), and a page is looked for among the newest; one that begins more
/// (a large part of the history) has each call checked as the newest are read.
const MAX_SORTED_IDS: usize = 50_000;

/// A call id of this many characters or more also finds every call whose id starts with it;
/// a shorter one finds only the call with exactly that id (1–3 characters would begin nearly
/// every id).
pub const MIN_CALL_ID_PREFIX: usize = 4;

/// A number is looked up in the index by this many last digits, then checked whole on the
/// calls found: its last digits are rare, while its country code is in half the calls (and
/// would make the index read far more).
const NUMBER_TAIL: usize = 9;

/// Characters a phone number is written with, besides digits and spaces.
fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.' | '/')
}

/// Text that is a phone number as people write it: only digits, `+ - ( ) . /` and spaces,
/// and at least one digit.
fn looks_like_number(text: &str) -> bool {
    text.chars().all(|c| is_number_char(c) || c == ' ') && text.chars().any(|c| c.is_ascii_digit())
}

/// The digits a number is found by, without `+` and leading zeros (the trunk prefix): "044
/// 123 45 67", "+380 44 123 4567" and "441234567" all find 380441234567. All zeros stay as
/// typed.
fn number_key(text: &str) -> String {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    match digits.trim_start_matches('0') {
        "" => digits,
        key => key.to_owned(),
    }
}

/// The search text, parsed into the words a call must all contain (a number as its key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SearchText {
    words: Vec<String>,
    /// The text was all control characters: something was asked, nothing can match it.
    unsearchable: bool,
}

/// Whether the trigram index can find `word`.
fn indexed(word: &str) -> bool {
    word.chars().count() >= TRIGRAM
}

/// What the index is asked for `word`: a long number's last [`NUMBER_TAIL`] digits, else the
/// word.
fn index_form(word: &str) -> &str {
    match word.len().checked_sub(NUMBER_TAIL) {
        Some(start) if start > 0 && word.bytes().all(|b| b.is_ascii_digit()) => &word[start..],
        _ => word,
    }
}

impl SearchText {
    /// Splits on whitespace. A text that is entirely a phone number ("+380 (44) 123-45-67",
    /// "044 123 45 67") is ONE number, matched by its digits ([`number_key`]); so is a word
    /// that looks like one. Control characters separate words like spaces (nobody searches
    /// for them, and a NUL would cut the query short); a text of nothing else finds nothing,
    /// while a blank one is no filter.
    pub fn parse(text: Option<&str>) -> Result<SearchText, HistoryError> {
        let Some(text) = text else { return Ok(SearchText::default()) };
        let cleaned: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let words: Vec<&str> = cleaned.split_whitespace().collect();
        let joined = words.join(" ");
        if joined.chars().count() > MAX_SEARCH_CHARS {
            return Err(HistoryError::Invalid(format!(
                "the search text is too long: use at most {MAX_SEARCH_CHARS} characters (a name, a number or a few words)"
            )));
        }
        let words = if looks_like_number(&joined) {
            vec![number_key(&joined)]
        } else {
            words.into_iter().map(|w| if looks_like_number(w) { number_key(w) } else { w.to_owned() }).collect()
        };
        let unsearchable = words.is_empty() && !text.trim().is_empty();
        Ok(SearchText { words, unsearchable })
    }

    /// The FTS5 query for the words the index can answer, e.g. `"441234567" AND "olena"`:
    /// every word a quoted phrase (a `"` doubled), so nothing the agent types is an operator.
    /// `None` when no word can use the index.
    fn fts_query(&self) -> Option<String> {
        let phrases: Vec<String> = self
            .words
            .iter()
            .filter(|w| indexed(w))
            .map(|w| format!("\"{}\"", index_form(w).replace('"', "\"\"")))
            .collect();
        (!phrases.is_empty()).then(|| phrases.join(" AND "))
    }

    /// Long numbers, found by their last digits, to check whole on the calls found.
    fn long_numbers(&self) -> impl Iterator<Item = &String> {
        self.words.iter().filter(|w| index_form(w).len() < w.len())
    }

    /// The words the index cannot answer (1–2 characters), as GLOB patterns over the text.
    fn short_words(&self) -> Vec<String> {
        self.words.iter().filter(|w| !indexed(w)).map(|w| glob_anywhere(w)).collect()
    }

    /// The same test in Rust, for calls that are not in the file yet: every word somewhere
    /// in the text, ignoring case (accents are not folded here).
    fn matches(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        !self.unsearchable && self.words.iter().all(|w| text.contains(&w.to_lowercase()))
    }

    /// No text filter at all.
    fn is_empty(&self) -> bool {
        self.words.is_empty() && !self.unsearchable
    }
}

/// A GLOB pattern for `text` anywhere, in any case: SQLite folds case only for ASCII (and
/// GLOB not at all), so each letter becomes a class of its cases (`ол` → `*[оО][лЛ]*`), and
/// GLOB's own characters are quoted in a class (`*` → `[*]`).
fn glob_anywhere(text: &str) -> String {
    let mut pattern = String::from("*");
    for ch in text.chars() {
        // A case that is more than one letter (ß → SS) cannot be in a class: left out.
        let single = |s: String| -> Option<char> {
            let mut chars = s.chars();
            chars.next().filter(|_| chars.next().is_none())
        };
        let mut cases: Vec<char> = [single(ch.to_lowercase().collect()), single(ch.to_uppercase().collect()), Some(ch)]
            .into_iter()
            .flatten()
            .collect();
        cases.sort_unstable();
        cases.dedup();
        match (cases.as_slice(), ch) {
            (_, '*' | '?' | '[') => pattern.extend(['[', ch, ']']),
            ([only], _) => pattern.push(*only),
            (several, _) => {
                pattern.push('[');
                pattern.extend(several);
                pattern.push(']');
            }
        }
    }
    pattern.push('*');
    pattern
}

/// The text a call is found by, built in Rust for calls not in the file yet (the same
/// fields as `search_text!`).
fn row_text(row: &CallRow, note: Option<&str>) -> String {
    let customer = row.customer.as_ref();
    [
        Some(row.number_raw.as_str()),
        row.number_normalized.as_deref(),
        row.caller_name.as_deref(),
        customer.map(|c| c.name.as_str()),
        customer.and_then(|c| c.company.as_deref()),
        row.queue.as_deref(),
        note,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n")
}

/// A filter's value as given: without the spaces around it; blank is no filter.
fn given(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
}

/// The agent filter, resolved against the agents the file has seen (`agents_seen`), so the SQL
/// compares stored values exactly and each side can read its index newest first.
struct AgentFilter {
    /// As given: an extension, matched exactly.
    typed: String,
    /// As given, in the case names are compared in ([`fold_name`]).
    folded: String,
    /// The file has calls with `typed` as their extension.
    extension_seen: bool,
    /// Every name stored that reads as `typed` in any case (usually one spelling).
    names: Vec<String>,
}

impl AgentFilter {
    fn resolve(history: &History, typed: String) -> Result<AgentFilter, HistoryError> {
        let folded = fold_name(&typed);
        let pairs = history.agent_pairs()?;
        let extension_seen = pairs.iter().any(|p| p.extension == typed);
        let mut names: Vec<String> =
            pairs.into_iter().filter(|p| !p.name.is_empty() && fold_name(&p.name) == folded).map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        Ok(AgentFilter { typed, folded, extension_seen, names })
    }

    fn matches(&self, row: &CallRow) -> bool {
        row.agent_extension == self.typed || row.agent_name.as_deref().is_some_and(|n| fold_name(n) == self.folded)
    }
}

/// The call id filter.
enum CallIdFilter {
    /// Shorter than [`MIN_CALL_ID_PREFIX`]: this id only.
    Exact(String),
    /// The ids that start with `prefix` (the exact one among them), and what the primary key's
    /// index found for it.
    Prefix { prefix: String, found: IdMatches },
}

/// The calls whose id starts with a prefix, as the primary key's index found them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum IdMatches {
    /// These calls (their rowids): read just them and sort them. Up to [`MANY_MATCHES`] of
    /// the prefix's calls, or the newest of more ([`Filter::narrow_call_ids`]).
    Few(Vec<i64>),
    /// Up to [`MAX_SORTED_IDS`] (a prefix as short as `1732` begins the ids of weeks of
    /// calls): the primary key's range. A page is looked for among the newest of them.
    Range { count: usize, end: String },
    /// More (or a prefix no index range can bound): each call read is checked instead.
    Many,
}

impl CallIdFilter {
    fn resolve(history: &History, typed: String) -> Result<CallIdFilter, HistoryError> {
        if typed.chars().count() < MIN_CALL_ID_PREFIX {
            return Ok(CallIdFilter::Exact(typed));
        }
        let Some(end) = prefix_end(&typed) else {
            return Ok(CallIdFilter::Prefix { prefix: typed, found: IdMatches::Many });
        };
        let rowids = ids_with_prefix(history, &typed, &end, MANY_MATCHES + 1)?;
        let found = if rowids.len() <= MANY_MATCHES {
            IdMatches::Few(rowids)
        } else {
            match count_with_prefix(history, &typed, &end, MAX_SORTED_IDS + 1)? {
                count if count <= MAX_SORTED_IDS => IdMatches::Range { count, end },
                _ => IdMatches::Many,
            }
        };
        Ok(CallIdFilter::Prefix { prefix: typed, found })
    }

    /// At most how many calls it leaves, when that is known cheaply.
    fn rows_at_most(&self) -> Option<usize> {
        match self {
            CallIdFilter::Exact(_) => Some(1),
            CallIdFilter::Prefix { found: IdMatches::Few(rowids), .. } => Some(rowids.len()),
            CallIdFilter::Prefix { found: IdMatches::Range { count, .. }, .. } => Some(*count),
            CallIdFilter::Prefix { found: IdMatches::Many, .. } => None,
        }
    }

    fn matches(&self, id: &str) -> bool {
        match self {
            CallIdFilter::Exact(exact) => id == exact,
            CallIdFilter::Prefix { prefix, .. } => id.starts_with(prefix.as_str()),
        }
    }
}

/// The first string after every string that starts with `prefix`, in SQLite's BINARY order
/// (UTF-8 bytes, which is code point order): `prefix` with its last character replaced by the
/// next one. `None` when there is none (only U+10FFFF).
fn prefix_end(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Up to `limit` calls (rowids) whose id is in `[prefix, end)`, from the primary key's index.
fn ids_with_prefix(history: &History, prefix: &str, end: &str, limit: usize) -> Result<Vec<i64>, HistoryError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    history
        .conn
        .prepare_cached("SELECT rowid FROM calls WHERE call_id >= ?1 AND call_id < ?2 LIMIT ?3")
        .and_then(|mut s| s.query_map(rusqlite::params![prefix, end, limit], |r| r.get(0))?.collect())
        .map_err(|e| history.read_error(e))
}

/// How many calls have an id in `[prefix, end)`, counting up to `cap` (the index alone).
fn count_with_prefix(history: &History, prefix: &str, end: &str, cap: usize) -> Result<usize, HistoryError> {
    let cap = i64::try_from(cap).unwrap_or(i64::MAX);
    history
        .conn
        .prepare_cached("SELECT count(*) FROM (SELECT 1 FROM calls WHERE call_id >= ?1 AND call_id < ?2 LIMIT ?3)")
        .and_then(|mut s| s.query_row(rusqlite::params![prefix, end, cap], |r| r.get::<_, i64>(0)))
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
        .map_err(|e| history.read_error(e))
}

/// The calls with an id in `[prefix, end)`, newest first (as the search orders them), read
/// from their ring times only.
fn ids_newest_first(history: &History, prefix: &str, end: &str) -> Result<Vec<i64>, HistoryError> {
    history
        .conn
        .prepare_cached(
            "SELECT rowid FROM calls WHERE call_id >= ?1 AND call_id < ?2 ORDER BY ring_at DESC, call_id DESC",
        )
        .and_then(|mut s| s.query_map(rusqlite::params![prefix, end], |r| r.get(0))?.collect())
        .map_err(|e| history.read_error(e))
}

/// How many calls `sql` (a `count(*)` over an index range, `?1` the value, `?2` the cap)
/// counts for `value`, up to `cap`.
fn count_capped(history: &History, sql: &str, value: &str, cap: usize) -> Result<usize, HistoryError> {
    let cap = i64::try_from(cap).unwrap_or(i64::MAX);
    history
        .conn
        .prepare_cached(sql)
        .and_then(|mut s| s.query_row(rusqlite::params![value, cap], |r| r.get::<_, i64>(0)))
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
        .map_err(|e| history.read_error(e))
}

/// A query, checked, resolved against the file, and ready to run in SQL or in Rust.
pub(crate) struct Filter<'q> {
    query: &'q HistoryQuery,
    text: SearchText,
    agent: Option<AgentFilter>,
    connection: Option<String>,
    call_id: Option<CallIdFilter>,
    /// How many calls the agent and the connection filter each leave, counted in their indexes
    /// up to [`NARROW_FILTER`] + 1, once asked ([`Filter::narrow_counts`]).
    counts: Cell<Option<FilterRows>>,
    /// Both filters are given and the agent's leaves more calls: the connection's index drives
    /// (SQLite, without statistics, cannot tell which of two equalities is narrower).
    connection_drives: bool,
}

/// How many calls the agent and the connection filter each leave (`None`: not given), up to
/// [`NARROW_FILTER`] + 1.
#[derive(Debug, Clone, Copy)]
struct FilterRows {
    agent: Option<usize>,
    connection: Option<usize>,
}

impl<'q> Filter<'q> {
    pub fn new(query: &'q HistoryQuery, history: &History) -> Result<Self, HistoryError> {
        let text = SearchText::parse(query.text.as_deref())?;
        let agent = given(query.agent.as_deref()).map(|a| AgentFilter::resolve(history, a)).transpose()?;
        let call_id = given(query.call_id.as_deref()).map(|c| CallIdFilter::resolve(history, c)).transpose()?;
        let mut filter = Filter {
            query,
            text,
            agent,
            connection: given(query.connection.as_deref()),
            call_id,
            counts: Cell::new(None),
            connection_drives: false,
        };
        if filter.agent.is_some() && filter.connection.is_some() {
            let rows = filter.narrow_counts(history)?;
            filter.connection_drives = rows.connection < rows.agent;
        }
        Ok(filter)
    }

    /// What the text index found, when the text has words it can answer.
    ///
    /// Up to [`MANY_MATCHES`] calls are listed as they are. For a word in more calls, a page
    /// (`page` rows) is looked for among the calls written last — the index hands them out
    /// newest rowid first and stops early — which are the newest calls, since calls are
    /// written as they ring. That is checked, not assumed: the page stands only if no call
    /// written before those rings at or after the page's last call. Otherwise, or for an
    /// export (`page` None), SQLite reads every call the index finds.
    fn text_matches(&self, history: &History, page: Option<usize>) -> Result<Option<TextMatches>, HistoryError> {
        let Some(fts) = self.text.fts_query() else { return Ok(None) };
        let first = fts_rowids(history, &fts, "", MANY_MATCHES + 1)?;
        if first.len() <= MANY_MATCHES {
            return Ok(Some(TextMatches::Few(first)));
        }
        let Some(page) = page.filter(|p| *p > 0) else { return Ok(Some(TextMatches::Many(fts))) };
        // An agent, connection or call id that leaves few calls: read those, newest first.
        let narrow = self.call_id.as_ref().and_then(CallIdFilter::rows_at_most);
        if narrow.is_some_and(|n| n <= NARROW_FILTER) || self.narrowed_by_agent_or_connection(history)? {
            return Ok(Some(TextMatches::Many(fts)));
        }
        let mut wanted = page.saturating_mul(4).max(256);
        while wanted <= MAX_RECENT_CANDIDATES {
            let recent = fts_rowids(history, &fts, "ORDER BY rowid DESC", wanted)?;
            let all_found = recent.len() < wanted;
            let Some(&oldest_written) = recent.last() else { break };
            let candidates = TextMatches::Few(recent);
            match self.last_ring_of_page(history, Some(&candidates), page)? {
                Some(last) if all_found || !written_before_rings_since(history, oldest_written, last)? => {
                    return Ok(Some(candidates));
                }
                None if all_found => return Ok(Some(candidates)),
                // The page is short among these: look among more.
                None => wanted = wanted.saturating_mul(4),
                // An old row rings late (a clock was wrong): read everything.
                Some(_) => break,
            }
        }
        Ok(Some(TextMatches::Many(fts)))
    }

    /// How many calls the agent and the connection filter each leave, counted in their
    /// indexes up to [`NARROW_FILTER`] + 1 (a millisecond or two); counted once, when first
    /// needed: both filters given, a common word, or a call id prefix of many calls.
    fn narrow_counts(&self, history: &History) -> Result<FilterRows, HistoryError> {
        const BY_EXTENSION: &str = "SELECT count(*) FROM (SELECT 1 FROM calls WHERE agent_extension = ?1 LIMIT ?2)";
        const BY_NAME: &str = "SELECT count(*) FROM (SELECT 1 FROM calls WHERE agent_name = ?1 LIMIT ?2)";
        const BY_CONNECTION: &str = "SELECT count(*) FROM (SELECT 1 FROM calls WHERE connection = ?1 LIMIT ?2)";
        if let Some(counted) = self.counts.get() {
            return Ok(counted);
        }
        let cap = NARROW_FILTER + 1;
        let agent = match &self.agent {
            Some(agent) => {
                let mut rows = 0;
                if agent.extension_seen {
                    rows += count_capped(history, BY_EXTENSION, &agent.typed, cap)?;
                }
                for name in &agent.names {
                    rows += count_capped(history, BY_NAME, name, cap)?;
                }
                Some(rows)
            }
            None => None,
        };
        let connection = match &self.connection {
            Some(connection) => Some(count_capped(history, BY_CONNECTION, connection, cap)?),
            None => None,
        };
        let counted = FilterRows { agent, connection };
        self.counts.set(Some(counted));
        Ok(counted)
    }

    /// Whether the agent or the connection filter leaves at most [`NARROW_FILTER`] calls.
    fn narrowed_by_agent_or_connection(&self, history: &History) -> Result<bool, HistoryError> {
        let FilterRows { agent, connection } = self.narrow_counts(history)?;
        Ok([agent, connection].into_iter().flatten().any(|rows| rows <= NARROW_FILTER))
    }

    /// For a call id prefix of many calls ([`IdMatches::Range`]) and a page: the page is
    /// looked for among the prefix's newest calls (sorted by ring time, read from the ring
    /// times alone), 4× more each time it does not fill — exact, since no call of the prefix
    /// outside them is newer. When the agent or connection filter leaves few calls, their
    /// index drives instead and each call's id is checked. An export reads the whole range.
    fn narrow_call_ids(
        &mut self,
        history: &History,
        text: Option<&TextMatches>,
        page: Option<usize>,
    ) -> Result<(), HistoryError> {
        let Some(CallIdFilter::Prefix { prefix, found: IdMatches::Range { end, .. } }) = &self.call_id else {
            return Ok(());
        };
        let Some(page) = page.filter(|p| *p > 0) else { return Ok(()) };
        let (prefix, end) = (prefix.clone(), end.clone());
        if self.narrowed_by_agent_or_connection(history)? {
            self.call_id = Some(CallIdFilter::Prefix { prefix, found: IdMatches::Many });
            return Ok(());
        }
        let newest = ids_newest_first(history, &prefix, &end)?;
        let mut wanted = page.saturating_mul(4).max(256);
        loop {
            let window = newest[..wanted.min(newest.len())].to_vec();
            let everything = window.len() == newest.len();
            self.call_id = Some(CallIdFilter::Prefix { prefix: prefix.clone(), found: IdMatches::Few(window) });
            if everything || self.last_ring_of_page(history, text, page)?.is_some() {
                return Ok(());
            }
            wanted = wanted.saturating_mul(4);
        }
    }

    /// The ring time of the `page`-th call that matches among `matches`, if there are that many.
    fn last_ring_of_page(
        &self,
        history: &History,
        matches: Option<&TextMatches>,
        page: usize,
    ) -> Result<Option<i64>, HistoryError> {
        let (conditions, mut args) = self.conditions(matches, true);
        let sql = format!(
            "SELECT c.ring_at FROM calls c LEFT JOIN notes n ON n.call_id = c.call_id WHERE {conditions}
             ORDER BY c.ring_at DESC, c.call_id DESC LIMIT 1 OFFSET ?"
        );
        args.push(Value::Integer(i64::try_from(page - 1).unwrap_or(i64::MAX)));
        history
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row(rusqlite::params_from_iter(args), |r| r.get(0)).optional())
            .map_err(|e| history.read_error(e))
    }

    /// The SELECT (newest first) and its bound values, in order.
    fn sql(&self, matches: Option<&TextMatches>, limit: Option<usize>) -> (String, Vec<Value>) {
        let (conditions, mut args) = self.conditions(matches, limit.is_some());
        let mut sql = format!(
            "SELECT {CALL_COLUMNS} FROM calls c LEFT JOIN notes n ON n.call_id = c.call_id WHERE {conditions}
             ORDER BY c.ring_at DESC, c.call_id DESC"
        );
        if let Some(n) = limit {
            sql.push_str(" LIMIT ?");
            args.push(Value::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
        }
        (sql, args)
    }

    /// The WHERE clause (over `calls c LEFT JOIN notes n`) and its bound values, in order.
    fn conditions(&self, matches: Option<&TextMatches>, page: bool) -> (String, Vec<Value>) {
        let mut sql = String::from("1");
        let mut args: Vec<Value> = Vec::new();
        if self.text.unsearchable {
            sql.push_str(" AND 0");
        }
        match matches {
            None => {}
            // Read just these calls and sort them.
            Some(TextMatches::Few(rowids)) => {
                let list: Vec<String> = rowids.iter().map(i64::to_string).collect();
                sql.push_str(" AND c.rowid IN (SELECT value FROM json_each(?))");
                args.push(Value::Text(format!("[{}]", list.join(","))));
            }
            // A page: walk the ring-time index newest first and keep the calls found (the
            // `+` stops SQLite from starting at the found calls).
            Some(TextMatches::Many(fts)) if page => {
                sql.push_str(" AND +c.rowid IN (SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?)");
                args.push(Value::Text(fts.clone()));
            }
            // All of them (an export): read the calls found and sort them.
            Some(TextMatches::Many(fts)) => {
                sql.push_str(" AND c.rowid IN (SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?)");
                args.push(Value::Text(fts.clone()));
            }
        }
        for number in self.text.long_numbers() {
            sql.push_str(concat!(" AND instr(", search_text!(), ", ?) > 0"));
            args.push(Value::Text(number.clone()));
        }
        for pattern in self.text.short_words() {
            sql.push_str(concat!(" AND ", search_text!(), " GLOB ?"));
            args.push(Value::Text(pattern));
        }
        let q = self.query;
        if q.missed_only {
            sql.push_str(concat!(" AND ", missed_where!("c.")));
        }
        if let Some(d) = q.direction {
            sql.push_str(" AND c.direction = ?");
            args.push(Value::Text(direction_sql(d).to_owned()));
        }
        if let Some(o) = q.outcome {
            sql.push_str(" AND c.outcome = ?");
            args.push(Value::Text(o.as_str().to_owned()));
        }
        if let Some(t) = q.since {
            sql.push_str(" AND c.ring_at >= ?");
            args.push(Value::Integer(ts_to_sql(t)));
        }
        if let Some(t) = q.until {
            sql.push_str(" AND c.ring_at < ?");
            args.push(Value::Integer(ts_to_sql(t)));
        }
        if let Some(agent) = &self.agent {
            // One side alone, when it can: an equality reads its index newest first. The `+`
            // leaves the index to the connection's when that is narrower.
            let names = vec!["?"; agent.names.len()].join(", ");
            let c = if self.connection_drives { "+c." } else { "c." };
            match (agent.extension_seen, agent.names.len()) {
                (false, 0) => sql.push_str(" AND 0"),
                (true, 0) => sql.push_str(&format!(" AND {c}agent_extension = ?")),
                (false, 1) => sql.push_str(&format!(" AND {c}agent_name = ?")),
                (false, _) => sql.push_str(&format!(" AND {c}agent_name IN ({names})")),
                (true, _) => sql.push_str(&format!(" AND ({c}agent_extension = ? OR {c}agent_name IN ({names}))")),
            }
            if agent.extension_seen {
                args.push(Value::Text(agent.typed.clone()));
            }
            args.extend(agent.names.iter().cloned().map(Value::Text));
        }
        if let Some(connection) = &self.connection {
            let both = self.agent.is_some() && !self.connection_drives;
            sql.push_str(if both { " AND +c.connection = ?" } else { " AND c.connection = ?" });
            args.push(Value::Text(connection.clone()));
        }
        match &self.call_id {
            None => {}
            Some(CallIdFilter::Exact(id)) => {
                sql.push_str(" AND c.call_id = ?");
                args.push(Value::Text(id.clone()));
            }
            Some(CallIdFilter::Prefix { found: IdMatches::Few(rowids), .. }) => {
                let list: Vec<String> = rowids.iter().map(i64::to_string).collect();
                sql.push_str(" AND c.rowid IN (SELECT value FROM json_each(?))");
                args.push(Value::Text(format!("[{}]", list.join(","))));
            }
            Some(CallIdFilter::Prefix { prefix, found: IdMatches::Range { end, .. } }) => {
                sql.push_str(" AND c.call_id >= ? AND c.call_id < ?");
                args.push(Value::Text(prefix.clone()));
                args.push(Value::Text(end.clone()));
            }
            Some(CallIdFilter::Prefix { prefix, found: IdMatches::Many }) => {
                sql.push_str(" AND substr(c.call_id, 1, ?) = ?");
                args.push(Value::Integer(i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX)));
                args.push(Value::Text(prefix.clone()));
            }
        }
        (sql, args)
    }

    /// The same filter in Rust, for a call as it is in memory.
    fn matches(&self, row: &CallRow, note: Option<&str>) -> bool {
        let q = self.query;
        let missed =
            row.direction == Direction::Incoming && matches!(row.outcome, Outcome::Missed | Outcome::Abandoned);
        (!q.missed_only || missed)
            && q.direction.is_none_or(|d| d == row.direction)
            && q.outcome.is_none_or(|o| o == row.outcome)
            && q.since.is_none_or(|t| row.ring_at >= t)
            && q.until.is_none_or(|t| row.ring_at < t)
            && self.agent.as_ref().is_none_or(|a| a.matches(row))
            && self.connection.as_ref().is_none_or(|c| row.connection.as_ref() == Some(c))
            && self.call_id.as_ref().is_none_or(|f| f.matches(row.call_id.as_str()))
            && (self.text.is_empty() || self.text.matches(&row_text(row, note)))
    }
}

/// What the text index found for a query.
enum TextMatches {
    /// These calls (their rowids) hold every match the result needs.
    Few(Vec<i64>),
    /// More: the FTS5 query, for SQLite to run again as it reads.
    Many(String),
}

/// Up to `limit` rowids the text index finds for `fts`, in `order` (index order: ascending).
fn fts_rowids(history: &History, fts: &str, order: &str, limit: usize) -> Result<Vec<i64>, HistoryError> {
    let sql = format!("SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?1 {order} LIMIT ?2");
    history
        .conn
        .prepare_cached(&sql)
        .and_then(|mut s| {
            s.query_map(rusqlite::params![fts, i64::try_from(limit).unwrap_or(i64::MAX)], |r| r.get(0))?.collect()
        })
        .map_err(|e| history.read_error(e))
}

/// Whether a call written before rowid `rowid` rings at or after `ring_at` (ms).
fn written_before_rings_since(history: &History, rowid: i64, ring_at: i64) -> Result<bool, HistoryError> {
    history
        .conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM calls INDEXED BY calls_ring_at WHERE ring_at >= ?1 AND rowid < ?2)",
        )
        .and_then(|mut s| s.query_row(rusqlite::params![ring_at, rowid], |r| r.get(0)))
        .map_err(|e| history.read_error(e))
}

/// Newest first: by ring time, then by call id, as the SQL orders them.
fn newest_first(a: &CallRow, b: &CallRow) -> std::cmp::Ordering {
    (b.ring_at, &b.call_id).cmp(&(a.ring_at, &a.call_id))
}

impl History {
    /// The calls that match `query`, newest first (by ring time, then call id), at most
    /// `query.limit` (0: all of them — for an export; a screen should ask for a page).
    /// Unsaved changes in memory are included, as [`History::recent`] shows them.
    ///
    /// A search text longer than [`MAX_SEARCH_CHARS`] is refused with
    /// [`HistoryError::Invalid`]; any other text is safe to pass as typed.
    pub fn search(&self, query: &HistoryQuery) -> Result<Vec<CallRecord>, HistoryError> {
        let mut found = Vec::with_capacity(query.limit.min(1000));
        self.each_match(query, |record| {
            found.push(record);
            Ok(())
        })?;
        Ok(found)
    }

    /// The newest `limit` calls, newest first (by ring time), unsaved changes included.
    /// `recent(0)` is empty.
    pub fn recent(&self, limit: usize) -> Result<Vec<CallRecord>, HistoryError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        self.search(&HistoryQuery { limit, ..HistoryQuery::default() })
    }

    /// Hands every call that matches `query` to `emit`, newest first, one at a time (an
    /// export streams a year of calls without holding them). The file's rows and the calls
    /// with unsaved changes are merged in order: a call changed in memory is shown as it is
    /// now — and only if it matches as it is now. Returns how many were emitted.
    pub(crate) fn each_match(
        &self,
        query: &HistoryQuery,
        mut emit: impl FnMut(CallRecord) -> Result<(), HistoryError>,
    ) -> Result<usize, HistoryError> {
        let mut filter = Filter::new(query, self)?;
        let unsaved: BTreeSet<&CallId> = self.unsaved_calls();
        let mut overlay = Vec::new();
        for id in &unsaved {
            if let Some(call) = self.current_call(id)? {
                let note = self.pending_note(id).or(call.note.as_deref());
                if filter.matches(&call.row, note) {
                    overlay.push(call);
                }
            }
        }
        overlay.sort_by(|a, b| newest_first(&a.row, &b.row));
        let mut overlay = overlay.into_iter().peekable();

        let want = if query.limit == 0 { usize::MAX } else { query.limit };
        // The file's version of an unsaved call is skipped, so ask for that many more.
        let sql_limit = (query.limit != 0).then(|| query.limit.saturating_add(unsaved.len()));
        let matches = filter.text_matches(self, sql_limit)?;
        filter.narrow_call_ids(self, matches.as_ref(), sql_limit)?;
        let (sql, args) = filter.sql(matches.as_ref(), sql_limit);
        let mut stmt = self.conn.prepare_cached(&sql).map_err(|e| self.read_error(e))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args)).map_err(|e| self.read_error(e))?;
        let mut next_stored = || -> rusqlite::Result<Option<StoredCall>> {
            while let Some(r) = rows.next()? {
                let call = call_from_sql(r)?;
                if !unsaved.contains(&call.row.call_id) {
                    return Ok(Some(call));
                }
            }
            Ok(None)
        };
        let mut stored = next_stored().map_err(|e| self.read_error(e))?;
        let mut emitted = 0;
        while emitted < want {
            let from_overlay = match (&stored, overlay.peek()) {
                (Some(s), Some(o)) => newest_first(&o.row, &s.row).is_lt(),
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (None, None) => break,
            };
            let next = if from_overlay {
                overlay.next()
            } else {
                std::mem::replace(&mut stored, next_stored().map_err(|e| self.read_error(e))?)
            };
            if let Some(call) = next {
                emit(self.record(call.row, call.note, call.note_saved_at)?)?;
                emitted += 1;
            }
        }
        Ok(emitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        SearchText::parse(Some(text)).expect("parses").words
    }

    #[test]
    fn a_formatted_number_is_one_word_found_by_its_digits() {
        assert_eq!(words("+380 (44) 123-45-67"), ["380441234567"]);
        assert_eq!(words(" 044  123 45 67 "), ["441234567"]);
        assert_eq!(words("(044) 123.45.67"), ["441234567"]);
        assert_eq!(words("441234567"), ["441234567"]);
        assert_eq!(words("000"), ["000"], "all zeros stay");
        assert_eq!(words("07"), ["7"]);
        // A number among words is a word of its own.
        assert_eq!(words("Olena 044-123"), ["Olena", "44123"]);
        assert_eq!(words("+ -"), ["+", "-"], "no digit: not a number");
    }

    #[test]
    fn a_long_number_is_looked_up_by_its_last_digits_and_checked_whole() {
        let text = SearchText::parse(Some("+380 (44) 123-45-67")).expect("parses");
        assert_eq!(text.fts_query().as_deref(), Some(r#""441234567""#));
        assert_eq!(text.long_numbers().collect::<Vec<_>>(), ["380441234567"]);
        let nine = SearchText::parse(Some("0441234567 olena")).expect("parses");
        assert_eq!(nine.fts_query().as_deref(), Some(r#""441234567" AND "olena""#));
        assert_eq!(nine.long_numbers().count(), 0, "nine digits are looked up whole");
        assert_eq!(index_form("Олександрівна"), "Олександрівна", "only digits are cut");
    }

    #[test]
    fn user_text_is_quoted_not_parsed() {
        let text = SearchText::parse(Some(r#"say "NEAR" AND *x OR ab"#)).expect("parses");
        assert_eq!(text.fts_query().as_deref(), Some(r#""say" AND """NEAR""" AND "AND""#));
        assert_eq!(text.short_words(), ["*[*][Xx]*", "*[Oo][Rr]*", "*[Aa][Bb]*"]);
    }

    #[test]
    fn blank_control_and_long_texts() {
        assert_eq!(SearchText::parse(Some(" \t\n ")).expect("blank"), SearchText::default());
        assert_eq!(SearchText::parse(None).expect("none"), SearchText::default());
        assert_eq!(words("ab\0cd\u{7}"), ["ab", "cd"]);
        let nul = SearchText::parse(Some("\0\u{1b}")).expect("control characters only");
        assert!(nul.unsearchable && !nul.is_empty() && !nul.matches("anything"));
        let long = "x".repeat(MAX_SEARCH_CHARS + 1);
        let err = SearchText::parse(Some(&long)).expect_err("too long");
        assert!(err.to_string().contains("at most 200 characters"), "{err}");
        assert!(SearchText::parse(Some(&"я".repeat(MAX_SEARCH_CHARS))).is_ok(), "characters, not bytes");
    }

    #[test]
    fn missed_calls_are_read_newest_first_from_their_index() {
        let h = History::open_in_memory().expect("history");
        let query = HistoryQuery {
            missed_only: true,
            since: Some(ringside_core::Timestamp::from_millis(1)),
            limit: 50,
            ..HistoryQuery::default()
        };
        let (sql, args) = Filter::new(&query, &h).expect("filter").sql(None, Some(50));
        let plan = h.query_plan(&sql, args);
        assert!(plan.contains("USING INDEX calls_missed (ring_at>?)"), "{plan}");
    }

    #[test]
    fn a_prefix_ends_where_its_last_character_would_be_the_next_one() {
        assert_eq!(prefix_end("1732").as_deref(), Some("1733"));
        assert_eq!(prefix_end("1732.9").as_deref(), Some("1732.:"));
        assert_eq!(prefix_end("ab\u{D7FF}").as_deref(), Some("ab\u{E000}"), "surrogates are skipped");
        assert_eq!(prefix_end("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10FFFF}"), None);
        // Everything that starts with the prefix sorts below the end, byte by byte (SQLite's BINARY).
        for id in ["1732", "1732.5", "1732\u{10FFFF}x", "1732\u{FFFF}"] {
            assert!(id.as_bytes() < "1733".as_bytes(), "{id:?}");
        }
    }

    fn record(h: &mut History, id: &str, extension: &str, name: Option<&str>, connection: Option<&str>) {
        let card = ringside_core::CallCard {
            call_id: CallId::new(id),
            direction: Direction::Incoming,
            number: "0501112233".into(),
            number_normalized: Some("380501112233".into()),
            number_display: None,
            caller_name: None,
            queue: None,
            customers: Vec::new(),
            lookup: ringside_core::LookupState::Done,
            status: ringside_core::CardStatus::Ringing,
            outcome: None,
            ring_at: ringside_core::Timestamp::from_millis(1_000),
            answer_at: None,
            end_at: None,
            talk_secs: 0,
            as_of: ringside_core::Timestamp::from_millis(1_000),
            recording_url: None,
        };
        let ctx = crate::CallContext {
            agent_extension: extension.into(),
            agent_name: name.map(Into::into),
            connection: connection.map(Into::into),
            dialed_number: None,
        };
        h.record_card(&card, &ctx).expect("record");
    }

    #[test]
    fn an_agent_or_a_connection_is_read_newest_first_from_its_index() {
        let mut h = History::open_in_memory().expect("history");
        record(&mut h, "1732000000.1", "100", Some("Olena"), Some("office"));
        let plan = |query: HistoryQuery| {
            let (sql, args) = Filter::new(&query, &h).expect("filter").sql(None, Some(50));
            h.query_plan(&sql, args)
        };
        let page = HistoryQuery { limit: 50, ..HistoryQuery::default() };
        let by_extension = plan(HistoryQuery { agent: Some("100".into()), ..page.clone() });
        assert!(by_extension.contains("USING INDEX calls_agent (agent_extension=?)"), "{by_extension}");
        let by_name = plan(HistoryQuery { agent: Some("OLENA".into()), ..page.clone() });
        assert!(by_name.contains("USING INDEX calls_agent_name (agent_name=?)"), "{by_name}");
        let by_connection = plan(HistoryQuery { connection: Some("office".into()), ..page.clone() });
        assert!(by_connection.contains("USING INDEX calls_connection (connection=?)"), "{by_connection}");
        for plan in [&by_extension, &by_name, &by_connection] {
            assert!(!plan.contains("USE TEMP B-TREE FOR ORDER BY"), "not sorted after reading: {plan}");
        }
        let by_id = plan(HistoryQuery { call_id: Some("1732000000.1".into()), ..page });
        assert!(by_id.contains("USING INTEGER PRIMARY KEY (rowid=?)"), "{by_id}");
        let probe = h.query_plan(
            "SELECT rowid FROM calls WHERE call_id >= ?1 AND call_id < ?2 LIMIT ?3",
            vec![Value::Text("1732".into()), Value::Text("1733".into()), Value::Integer(10)],
        );
        assert!(probe.contains("USING COVERING INDEX sqlite_autoindex_calls_1 (call_id>? AND call_id<?)"), "{probe}");
    }

    #[test]
    fn a_narrow_agent_drives_a_common_word_and_every_form_of_a_prefix_finds_the_same_calls() {
        let mut h = History::open_in_memory().expect("history");
        for i in 0..30 {
            let (extension, connection) = if i % 3 == 0 { ("101", "office") } else { ("100", "pbx") };
            record(&mut h, &format!("1732{i:04}.1"), extension, Some("Olena"), Some(connection));
        }
        // A word in more calls than the index lists, with an agent of few calls: the agent's
        // index is read newest first, each call checked against the words found.
        let query = HistoryQuery { agent: Some("101".into()), limit: 50, ..HistoryQuery::default() };
        let filter = Filter::new(&query, &h).expect("filter");
        assert!(filter.narrowed_by_agent_or_connection(&h).expect("count"));
        let (sql, args) = filter.sql(Some(&TextMatches::Many("\"olena\"".into())), Some(50));
        let plan = h.query_plan(&sql, args);
        assert!(plan.contains("USING INDEX calls_agent (agent_extension=?)"), "{plan}");
        // With a connection too, the narrower of the two drives.
        record(&mut h, "1733000000.1", "101", None, Some("desk"));
        record(&mut h, "1733000000.2", "101", None, Some("desk"));
        for (connection, index) in
            [("pbx", "calls_agent (agent_extension=?)"), ("desk", "calls_connection (connection=?)")]
        {
            let both = HistoryQuery { connection: Some(connection.into()), ..query.clone() };
            let filter = Filter::new(&both, &h).expect("filter");
            let (sql, args) = filter.sql(Some(&TextMatches::Many("\"olena\"".into())), Some(50));
            let plan = h.query_plan(&sql, args);
            assert!(plan.contains(&format!("USING INDEX {index}")), "{connection}: {plan}");
        }

        // The prefix's calls read as a list, as an index range, or each call checked: the same.
        let run = |filter: &Filter<'_>| -> Vec<String> {
            let (sql, args) = filter.sql(None, Some(50));
            let mut stmt = h.conn.prepare(&sql).expect("prepare");
            let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(0)).expect("query");
            rows.collect::<Result<Vec<_>, _>>().expect("rows")
        };
        let query = HistoryQuery { call_id: Some("17320".into()), agent: Some("100".into()), ..query };
        let mut filter = Filter::new(&query, &h).expect("filter");
        assert!(matches!(filter.call_id, Some(CallIdFilter::Prefix { found: IdMatches::Few(_), .. })));
        let listed = run(&filter);
        assert_eq!(listed.len(), 20, "{listed:?}");
        let end = prefix_end("17320").expect("an end");
        for found in [IdMatches::Range { count: 10, end }, IdMatches::Many] {
            filter.call_id = Some(CallIdFilter::Prefix { prefix: "17320".into(), found });
            assert_eq!(run(&filter), listed);
        }
    }

    #[test]
    fn short_words_match_in_any_case_and_glob_characters_are_plain() {
        assert_eq!(glob_anywhere("ол"), "*[Оо][Лл]*");
        assert_eq!(glob_anywhere("7"), "*7*");
        assert_eq!(glob_anywhere("?["), "*[?][[]*");
        assert_eq!(glob_anywhere("]^"), "*]^*");
        assert_eq!(glob_anywhere("ß"), "*ß*", "an upper case of two letters (SS) is left out");
    }
}
