//! `ringside-cli history`: calls in the call history, with notes and whether each reached the
//! CRM; search and filters; `history export --csv FILE`.

use std::path::{Path, PathBuf};

use chrono::{Local, NaiveDate, NaiveDateTime, TimeZone};
use clap::{Args, Subcommand, ValueEnum};
use ringside_core::{Direction, Timestamp};
use ringside_history::{CallRecord, History, HistoryQuery, WriteBackStatus};
use ringside_i18n::Args as Values;

use crate::{count, said, words};

#[derive(Args)]
pub struct HistoryArgs {
    #[command(subcommand)]
    action: Option<HistoryAction>,
    #[command(flatten)]
    filters: Filters,
    /// How many calls, newest first.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// The calls as JSON, one array.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    place: Place,
}

#[derive(Subcommand)]
enum HistoryAction {
    /// Every matching call (no limit) as CSV, for a spreadsheet.
    Export {
        /// Where to write; `-` writes to standard output.
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        #[command(flatten)]
        filters: Filters,
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Args, Default, Clone)]
struct Filters {
    /// Words the call must contain: a number in any format, a name, a company, a queue, a
    /// word of the note.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only calls missed here (rang, nobody answered, the caller gave up).
    #[arg(long)]
    missed: bool,
    /// Only incoming or outgoing calls.
    #[arg(long, value_enum)]
    direction: Option<DirectionArg>,
    /// From this day (YYYY-MM-DD, local time), time (YYYY-MM-DD HH:MM), `today`, `yesterday`, or
    /// a span back from now (`90m`, `12h`, `7d`).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Before this day or time (same forms as --since).
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Only calls this agent handled: the extension exactly (`100`) or the name in any case
    /// (`"olena kovalenko"`).
    #[arg(long, value_name = "AGENT")]
    agent: Option<String>,
    /// Only calls on this connection, named exactly as in the config (calls the PBX reported on
    /// its own are on the PBX connection).
    #[arg(long, value_name = "NAME")]
    connection: Option<String>,
    /// The call with this id; 4 characters or more also find every call whose id starts with
    /// them.
    #[arg(long, value_name = "ID")]
    call_id: Option<String>,
}

#[derive(Args, Default, Clone)]
struct Place {
    /// The history file (default: `[history] path` of the config, else the OS data dir).
    #[arg(long, value_name = "FILE")]
    file: Option<PathBuf>,
    /// Config file (default: $RINGSIDE_CONFIG or the OS config dir).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum DirectionArg {
    In,
    Out,
}

pub fn history(args: HistoryArgs) -> Result<(), String> {
    match args.action {
        Some(HistoryAction::Export { csv, filters, place }) => {
            let filters = merge(&args.filters, filters);
            let place = Place { file: place.file.or(args.place.file), config: place.config.or(args.place.config) };
            export(&open(&place)?, &query(&filters, 0)?, &csv)
        }
        None => list(&open(&args.place)?, &query(&args.filters, args.limit)?, args.json),
    }
}

/// Filters given before `export` count too; those after it win.
fn merge(before: &Filters, after: Filters) -> Filters {
    Filters {
        search: after.search.or_else(|| before.search.clone()),
        missed: after.missed || before.missed,
        direction: after.direction.or(before.direction),
        since: after.since.or_else(|| before.since.clone()),
        until: after.until.or_else(|| before.until.clone()),
        agent: after.agent.or_else(|| before.agent.clone()),
        connection: after.connection.or_else(|| before.connection.clone()),
        call_id: after.call_id.or_else(|| before.call_id.clone()),
    }
}

fn open(place: &Place) -> Result<History, String> {
    open_file(place.file.as_deref(), place.config.as_deref())
}

/// The history file: `file`, else the config's `[history] path` (the config at `config`, else
/// the default one), else the OS data directory. A file that does not exist yet is an error.
pub(crate) fn open_file(file: Option<&Path>, config: Option<&Path>) -> Result<History, String> {
    let path = match file {
        Some(p) => p.to_path_buf(),
        None => {
            let config = match config.map(Path::to_path_buf).or_else(ringside_config::Config::default_path) {
                Some(path) => ringside_config::Config::load_with_system(&path).map_err(|e| e.to_string())?,
                None => ringside_config::Config::default(),
            };
            config.history.resolved_path().ok_or("no home directory: pass --file FILE")?
        }
    };
    if !path.exists() {
        return Err(format!("{}: no call history yet (Ringside creates it with the first call)", path.display()));
    }
    History::open(&path).map_err(|e| said(&e))
}

fn query(filters: &Filters, limit: usize) -> Result<HistoryQuery, String> {
    let now = Local::now().naive_local();
    Ok(HistoryQuery {
        text: filters.search.clone(),
        missed_only: filters.missed,
        direction: filters.direction.map(|d| match d {
            DirectionArg::In => Direction::Incoming,
            DirectionArg::Out => Direction::Outgoing,
        }),
        since: filters.since.as_deref().map(|s| parse_when(s, now)).transpose()?,
        until: filters.until.as_deref().map(|s| parse_when(s, now)).transpose()?,
        agent: filters.agent.clone(),
        connection: filters.connection.clone(),
        call_id: filters.call_id.clone(),
        limit,
        ..HistoryQuery::default()
    })
}

/// `2026-11-20`, `2026-11-20 14:30`, `today`, `yesterday`, `90m`, `12h`, `7d` → a moment, in
/// local time; `now` is the local time it is relative to.
pub(crate) fn parse_when(text: &str, now: NaiveDateTime) -> Result<Timestamp, String> {
    let t = text.trim();
    let bad =
        || format!("{text:?} is not a date: use YYYY-MM-DD, \"YYYY-MM-DD HH:MM\", today, yesterday, or 90m / 12h / 7d");
    let local = match t.to_ascii_lowercase().as_str() {
        "today" => now.date().and_hms_opt(0, 0, 0).ok_or_else(bad)?,
        "yesterday" => now.date().pred_opt().and_then(|d| d.and_hms_opt(0, 0, 0)).ok_or_else(bad)?,
        lower => {
            let span = |unit: char, secs: i64| -> Option<NaiveDateTime> {
                let n: i64 = lower.strip_suffix(unit)?.parse().ok().filter(|n| *n >= 0 && *n <= 100_000)?;
                now.checked_sub_signed(chrono::TimeDelta::try_seconds(n.checked_mul(secs)?)?)
            };
            if let Some(at) = span('m', 60).or_else(|| span('h', 3600)).or_else(|| span('d', 86_400)) {
                at
            } else if let Ok(at) = NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M") {
                at
            } else if let Ok(at) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M") {
                at
            } else {
                NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| bad())?.and_hms_opt(0, 0, 0).ok_or_else(bad)?
            }
        }
    };
    // A time that does not exist locally (the hour skipped by daylight saving) is read as the
    // earliest moment that does.
    let moment = Local.from_local_datetime(&local).earliest().ok_or_else(|| format!("{text:?} does not exist here"))?;
    Ok(Timestamp(u64::try_from(moment.timestamp_millis()).map_err(|_| bad())?))
}

fn export(history: &History, query: &HistoryQuery, to: &Path) -> Result<(), String> {
    let written = if to == Path::new("-") {
        history.export_csv(query, std::io::stdout().lock()).map_err(|e| said(&e))?
    } else {
        let file = std::fs::File::create(to).map_err(|e| format!("{}: cannot be written: {e}", to.display()))?;
        let mut out = std::io::BufWriter::new(file);
        let n = history.export_csv(query, &mut out).map_err(|e| said(&e))?;
        std::io::Write::flush(&mut out).map_err(|e| format!("{}: cannot be written: {e}", to.display()))?;
        n
    };
    if to != Path::new("-") {
        let line = Values::new().number("n", count(written)).text("file", to.display().to_string());
        eprintln!("{}", words().format("cli-history-exported", &line));
    }
    Ok(())
}

fn list(history: &History, query: &HistoryQuery, json: bool) -> Result<(), String> {
    let calls = history.search(query).map_err(|e| said(&e))?;
    if json {
        println!("{}", serde_json::to_string(&calls).map_err(|e| e.to_string())?);
        return Ok(());
    }
    if calls.is_empty() {
        let unfiltered = *query == HistoryQuery { limit: query.limit, ..HistoryQuery::default() };
        println!("{}", words().get(if unfiltered { "cli-history-none" } else { "cli-history-no-match" }));
    }
    for call in &calls {
        println!("{}", line(call));
        if let Some(note) = &call.note {
            println!(
                "    {}",
                words().format("cli-history-note", &Values::new().text("note", note.replace('\n', " / ")))
            );
        }
        if let Some(url) = &call.recording_url {
            println!("    {}", words().format("cli-history-recording", &Values::new().text("url", url.as_str())));
        }
        for w in &call.write_back {
            let target = Values::new().text("target", w.target.as_str());
            let state = match &w.state {
                WriteBackStatus::Pending => words().format("history-crm-pending", &target),
                WriteBackStatus::Sent { .. } => words().format("history-crm-sent", &target),
                WriteBackStatus::Failed { reason, attempts, .. } => words().format(
                    "cli-history-crm-failed",
                    &target.number("n", i64::from(*attempts)).text("why", reason.as_str()),
                ),
            };
            println!("    {state}");
        }
    }
    Ok(())
}

fn line(call: &CallRecord) -> String {
    let who = call.customer.as_ref().map(|c| c.name.clone()).or_else(|| call.caller_name.clone()).unwrap_or_default();
    let outcome = words().get(&format!("outcome-{}", call.outcome.as_str().replace('_', "-")));
    let direction = words().get(match call.direction {
        Direction::Incoming => "direction-incoming",
        Direction::Outgoing => "direction-outgoing",
    });
    let when = i64::try_from(call.ring_at.0)
        .ok()
        .and_then(|ms| Local.timestamp_millis_opt(ms).single())
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let via = call
        .connection
        .as_ref()
        .map(|c| format!(" {}", words().format("history-via", &Values::new().text("connection", c.as_str()))))
        .unwrap_or_default();
    let by = |agent: String| format!(" {}", words().format("cli-history-by", &Values::new().text("agent", agent)));
    let agent = match &call.agent_name {
        Some(name) => by(format!("{name} ({})", call.agent_extension)),
        None if !call.agent_extension.is_empty() => by(call.agent_extension.clone()),
        None => String::new(),
    };
    format!(
        "{when} {} {direction} {} {} {} {}s{via}{agent}{}",
        call.call_id,
        call.number_raw,
        who,
        outcome,
        call.talk_secs,
        call.failure.as_ref().map(|f| format!(" ({f})")).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_days_times_and_spans_are_local_moments() {
        let now = NaiveDate::from_ymd_opt(2026, 11, 22).and_then(|d| d.and_hms_opt(6, 30, 0)).expect("date");
        let local = |y, m, d, h, min| {
            let at = NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("date");
            Timestamp(
                u64::try_from(Local.from_local_datetime(&at).earliest().expect("exists").timestamp_millis())
                    .expect("after 1970"),
            )
        };
        assert_eq!(parse_when("2026-11-20", now), Ok(local(2026, 11, 20, 0, 0)));
        assert_eq!(parse_when("2026-11-20 14:05", now), Ok(local(2026, 11, 20, 14, 5)));
        assert_eq!(parse_when("today", now), Ok(local(2026, 11, 22, 0, 0)));
        assert_eq!(parse_when("Yesterday", now), Ok(local(2026, 11, 21, 0, 0)));
        assert_eq!(parse_when("7d", now), Ok(local(2026, 11, 15, 6, 30)));
        assert_eq!(parse_when("90m", now), Ok(local(2026, 11, 22, 5, 0)));
        for bad in ["", "last week", "2026-13-01", "-5d", "99999999999d", "2026-11-20; DROP TABLE calls"] {
            let err = parse_when(bad, now).expect_err(bad);
            assert!(err.contains("is not a date") || err.contains("does not exist"), "{bad}: {err}");
        }
    }
}
