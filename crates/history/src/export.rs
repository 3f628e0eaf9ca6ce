//! The call history as CSV, for a spreadsheet or a report.
//!
//! Caller names and notes are strangers' text, and a spreadsheet runs a cell that starts with
//! `=`, `+`, `-` or `@` as a formula — also after leading white space, which spreadsheets trim on
//! import (`"  =HYPERLINK(…)"`, `"\t+1"`, a line break or a no-break space first). Such a cell,
//! and any cell that starts with a tab or CR, gets a leading `'`, which spreadsheets show as
//! text — except a plain phone number (only `+`, digits, spaces, `-`, `(`, `)`), which stays
//! readable: it can call no function.

use std::io::Write;

use ringside_core::Timestamp;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::HistoryError;
use crate::model::{CallRecord, HistoryQuery, WriteBackStatus};
use crate::store::{direction_sql, wrap_up_sql, History};

/// The header row, in column order.
pub const CSV_COLUMNS: [&str; 27] = [
    "call_id",
    "direction",
    "outcome",
    "failure",
    "ring_at",
    "answer_at",
    "end_at",
    "talk_secs",
    "agent_extension",
    "agent_name",
    "connection",
    "dialed_number",
    "number_raw",
    "number_normalized",
    "caller_name",
    "queue",
    "customer_source",
    "customer_id",
    "customer_name",
    "customer_company",
    "customer_url",
    "customer_deal_id",
    "customer_deal",
    "wrap_up",
    "recording_url",
    "note",
    "crm",
];

/// A plain phone number: it may start with `+` and is safe in a spreadsheet as it is.
fn is_plain_number(cell: &str) -> bool {
    cell.chars().any(|c| c.is_ascii_digit())
        && cell.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'))
}

/// Characters a spreadsheet may skip before it looks for a formula: white space (spaces, tabs,
/// line breaks, no-break and other Unicode spaces) and the invisible zero-width space and
/// byte-order mark.
fn is_skipped_before_a_formula(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}')
}

/// Would a spreadsheet run it? `=`, `+`, `-` or `@` first once leading white space is skipped;
/// or a tab or CR first (OWASP's list: they can hide what follows).
fn is_formula(text: &str) -> bool {
    text.starts_with(['\t', '\r'])
        || text.trim_start_matches(is_skipped_before_a_formula).starts_with(['=', '+', '-', '@'])
}

/// The cell as written: a would-be formula gets a leading `'` (see the module docs).
fn cell(text: &str) -> String {
    if is_formula(text) && !is_plain_number(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn opt_cell(text: Option<&str>) -> String {
    text.map(cell).unwrap_or_default()
}

/// ISO 8601 in UTC to the second, e.g. `2026-11-22T06:17:13Z`.
fn iso(t: Timestamp) -> String {
    i64::try_from(t.as_millis() / 1000)
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .and_then(|at| at.format(&Rfc3339).ok())
        // Out of the calendar's range (a broken clock): the raw milliseconds, not nothing.
        .unwrap_or_else(|| t.as_millis().to_string())
}

/// Each CRM's state in words: `shop: sent; b24: failed (3 tries): reason`.
fn crm_cell(record: &CallRecord) -> String {
    let states: Vec<String> = record
        .write_back
        .iter()
        .map(|w| {
            let state = match &w.state {
                WriteBackStatus::Pending => "pending".to_owned(),
                WriteBackStatus::Sent { .. } => "sent".to_owned(),
                WriteBackStatus::Failed { reason, attempts, next_at } => {
                    let tries = if *attempts == 1 { "1 try".to_owned() } else { format!("{attempts} tries") };
                    let given_up = if next_at.is_none() { ", given up" } else { "" };
                    format!("failed ({tries}{given_up}): {reason}")
                }
            };
            format!("{}: {state}", w.target)
        })
        .collect();
    cell(&states.join("; "))
}

fn csv_row(r: &CallRecord) -> [String; CSV_COLUMNS.len()] {
    let customer = r.customer.as_ref();
    [
        cell(r.call_id.as_str()),
        direction_sql(r.direction).to_owned(),
        r.outcome.as_str().to_owned(),
        opt_cell(r.failure.as_deref()),
        iso(r.ring_at),
        r.answer_at.map(iso).unwrap_or_default(),
        r.end_at.map(iso).unwrap_or_default(),
        r.talk_secs.to_string(),
        cell(&r.agent_extension),
        opt_cell(r.agent_name.as_deref()),
        opt_cell(r.connection.as_deref()),
        opt_cell(r.dialed_number.as_deref()),
        cell(&r.number_raw),
        opt_cell(r.number_normalized.as_deref()),
        opt_cell(r.caller_name.as_deref()),
        opt_cell(r.queue.as_deref()),
        opt_cell(customer.map(|c| c.source.as_str())),
        opt_cell(customer.map(|c| c.id.as_str())),
        opt_cell(customer.map(|c| c.name.as_str())),
        opt_cell(customer.and_then(|c| c.company.as_deref())),
        opt_cell(customer.and_then(|c| c.url.as_deref())),
        opt_cell(customer.and_then(|c| c.deal.as_ref()).map(|d| d.id.as_str())),
        opt_cell(customer.and_then(|c| c.deal.as_ref()).and_then(|d| d.title.as_deref())),
        r.wrap_up.map(wrap_up_sql).unwrap_or_default().to_owned(),
        opt_cell(r.recording_url.as_deref()),
        opt_cell(r.note.as_deref()),
        crm_cell(r),
    ]
}

/// The I/O error under a CSV error (the only kind writing records can really hit).
fn write_error(e: csv::Error) -> HistoryError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => HistoryError::Export(io),
        other => HistoryError::Export(std::io::Error::other(format!("{other:?}"))),
    }
}

impl History {
    /// Writes every call that matches `query` (`limit` 0: all) to `out` as CSV, newest
    /// first, after a header row ([`CSV_COLUMNS`]); returns how many calls were written.
    /// Streams: a year of calls is never held in memory. Times are ISO 8601 UTC to the
    /// second; cells that a spreadsheet would run as a formula are defused (module docs).
    /// UTF-8 without a byte-order mark. A failed write (disk full, …) is
    /// [`HistoryError::Export`], in words; what was written is then incomplete.
    pub fn export_csv<W: Write>(&self, query: &HistoryQuery, out: W) -> Result<usize, HistoryError> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(CSV_COLUMNS).map_err(write_error)?;
        let written = self.each_match(query, |record| csv.write_record(csv_row(&record)).map_err(write_error))?;
        csv.flush().map_err(HistoryError::Export)?;
        tracing::info!(written, "call history exported as CSV");
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_but_numbers_stay_readable() {
        for (given, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("  =HYPERLINK(\"http://x\")", "'  =HYPERLINK(\"http://x\")"),
            ("\t+1", "'\t+1"),
            ("   @SUM(A1)", "'   @SUM(A1)"),
            ("\n-1+1", "'\n-1+1"),
            ("\u{a0}=1", "'\u{a0}=1"),
            ("\u{3000}=1", "'\u{3000}=1"),
            ("\u{200B}=1", "'\u{200B}=1"),
            ("\u{FEFF} =1", "'\u{FEFF} =1"),
            ("  +380 (44) 123-45-67", "  +380 (44) 123-45-67"),
            ("  Olena", "  Olena"),
            ("\tOlena", "'\tOlena"),
            ("+380 (44) 123-45-67", "+380 (44) 123-45-67"),
            ("-", "'-"),
            ("Olena =1", "Olena =1"),
            ("", ""),
        ] {
            assert_eq!(cell(given), written, "{given:?}");
        }
    }

    #[test]
    fn times_are_utc_to_the_second() {
        assert_eq!(iso(Timestamp::from_millis(1_795_328_233_999)), "2026-11-22T06:17:13Z");
        assert_eq!(iso(Timestamp::from_millis(u64::MAX)), u64::MAX.to_string());
    }
}
