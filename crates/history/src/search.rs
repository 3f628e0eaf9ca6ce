//! Finding calls: the search text, the filters, and unsaved changes laid over the file.
//!
//! Words of 3 or more characters go to the trigram index (`calls_fts`): every 3-character
//! sequence of a call's text is indexed, so a word matches anywhere inside a name, a number
//! or a note, with case and accents folded. Shorter words cannot use it and are looked for
//! in the text itself (slower). User text only ever reaches SQLite as a bound value.

use std::collections::BTreeSet;

use ringside_core::{CallId, Direction};
use rusqlite::types::Value;
use rusqlite::OptionalExtension;

use crate::error::HistoryError;
use crate::model::{CallRecord, HistoryQuery, Outcome};
use crate::row::CallRow;
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

/// A query, checked and ready to run in SQL or in Rust.
pub(crate) struct Filter<'q> {
    query: &'q HistoryQuery,
    text: SearchText,
}

impl<'q> Filter<'q> {
    pub fn new(query: &'q HistoryQuery) -> Result<Self, HistoryError> {
        Ok(Filter { query, text: SearchText::parse(query.text.as_deref())? })
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
        let mut wanted = page.saturating_mul(4).max(256);
        while wanted <= MAX_RECENT_CANDIDATES {
            let recent = fts_rowids(history, &fts, "ORDER BY rowid DESC", wanted)?;
            let all_found = recent.len() < wanted;
            let Some(&oldest_written) = recent.last() else { break };
            let candidates = TextMatches::Few(recent);
            match self.last_ring_of_page(history, &candidates, page)? {
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

    /// The ring time of the `page`-th call that matches among `matches`, if there are that many.
    fn last_ring_of_page(
        &self,
        history: &History,
        matches: &TextMatches,
        page: usize,
    ) -> Result<Option<i64>, HistoryError> {
        let (conditions, mut args) = self.conditions(Some(matches), true);
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
        let filter = Filter::new(query)?;
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
        let (sql, args) = Filter::new(&query).expect("filter").sql(None, Some(50));
        let plan = h.query_plan(&sql, args);
        assert!(plan.contains("USING INDEX calls_missed (ring_at>?)"), "{plan}");
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
