//! How fast the call history answers on a big file:
//!
//! ```text
//! cargo bench -p ringside-history --bench search
//! ```
//!
//! Builds a history of 1,000,000 calls in a temporary folder (a busy agent's years: ~50,000
//! numbers in the formats PBXes send, Ukrainian and Polish names, 20 % of calls with a note,
//! ~15 % missed, spread over a year), then times each kind of query the History view and the
//! call-back list make, ≥ 200 runs each with varying input, and a 10,000-row CSV export.
//! 41 agents took the calls (extension 100, the desk's own agent, 60 % of them; 101–139 about
//! 1 % each; 140 one in a thousand) over three connections (`pbx`, `office`, `binotel`). The
//! file is written at schema version 3 and then opened, so the migration to the newest version
//! (the filters' indexes) is timed on it too.
//! `RINGSIDE_BENCH_CALLS=100000` makes a smaller file for a quick look;
//! `RINGSIDE_BENCH_FILE=/some/history.sqlite` keeps the file (and reuses it when it exists).

use std::time::{Duration, Instant};

use ringside_core::number::normalize_digits;
use ringside_core::{CallCard, CallId, CardStatus, CustomerMatch, Direction, EndCause, LookupState, Timestamp};
use ringside_history::{CallContext, History, HistoryQuery};

const DEFAULT_CALLS: usize = 1_000_000;
const NUMBERS: usize = 50_000;
const RUNS: usize = 200;
const PAGE: usize = 50;
/// Printed beside the figures: a page of results within this (p99) feels instant.
const TARGET_P99: Duration = Duration::from_millis(50);
const DAY_MS: u64 = 24 * 3600 * 1000;
const END: u64 = 1_790_000_000_000;
const START: u64 = END - 365 * DAY_MS;

/// xorshift64*: reproducible data without a random-number crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const UA_FIRST: [(&str, &str); 12] = [
    ("OLENA", "Олена"),
    ("OLEH", "Олег"),
    ("ANDRII", "Андрій"),
    ("IRYNA", "Ірина"),
    ("TARAS", "Тарас"),
    ("KATERYNA", "Катерина"),
    ("MYKOLA", "Микола"),
    ("NATALIIA", "Наталія"),
    ("SERHII", "Сергій"),
    ("YULIIA", "Юлія"),
    ("DMYTRO", "Дмитро"),
    ("OKSANA", "Оксана"),
];
const UA_LAST: [(&str, &str); 16] = [
    ("KOVALENKO", "Коваленко"),
    ("SHEVCHENKO", "Шевченко"),
    ("BONDARENKO", "Бондаренко"),
    ("TKACHENKO", "Ткаченко"),
    ("KRAVCHENKO", "Кравченко"),
    ("MELNYK", "Мельник"),
    ("BOIKO", "Бойко"),
    ("KOVALCHUK", "Ковальчук"),
    ("OLIINYK", "Олійник"),
    ("LYSENKO", "Лисенко"),
    ("MARCHENKO", "Марченко"),
    ("SAVCHENKO", "Савченко"),
    ("RUDENKO", "Руденко"),
    ("MOROZ", "Мороз"),
    ("PETRENKO", "Петренко"),
    ("IVANENKO", "Іваненко"),
];
const PL_FIRST: [&str; 12] = [
    "Piotr",
    "Anna",
    "Krzysztof",
    "Małgorzata",
    "Tomasz",
    "Agnieszka",
    "Łukasz",
    "Zofia",
    "Paweł",
    "Katarzyna",
    "Michał",
    "Ewa",
];
const PL_LAST: [&str; 16] = [
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Krawczyk",
    "Piotrowski",
];
const COMPANIES: [&str; 8] = [
    "ТОВ Ромашка",
    "ФОП Мельник",
    "Нова Техніка",
    "Agro-Trade",
    "Kwiaciarnia Róża",
    "Budimex Serwis",
    "Sklep Zielony",
    "IT Solutions Sp. z o.o.",
];
const QUEUES: [&str; 4] = ["support", "sales", "Підтримка", "obsługa-klienta"];
const NOTES: [&str; 10] = [
    "Wants a refund for order",
    "Передзвонити завтра після обіду, замовлення",
    "Доставка затримується, номер замовлення",
    "Reklamacja: uszkodzona paczka",
    "Zamówienie nie dotarło, numer",
    "Asked about the invoice",
    "Змінити адресу доставки для",
    "Prosi o fakturę VAT do zamówienia",
    "Customer angry about the wait time, ticket",
    "Оплата не пройшла, рахунок",
];
/// The agents: extension `100 + k` is named `AGENT_FIRST[k % 12] AGENT_LAST[k % 16]`.
const AGENTS: usize = 41;
const CONNECTIONS: [&str; 3] = ["pbx", "office", "binotel"];

/// The agent who took the i-th call: 100 most of the time, 140 rarely.
fn agent_of(rng: &mut Rng) -> usize {
    match rng.below(1000) {
        0..=599 => 0,
        600 => AGENTS - 1,
        _ => 1 + rng.below(AGENTS - 2),
    }
}

fn agent_name(k: usize) -> String {
    format!("{} {}", UA_FIRST[k % UA_FIRST.len()].1, UA_LAST[k % UA_LAST.len()].1)
}

const UA_CODES: [&str; 10] = ["44", "50", "63", "66", "67", "68", "73", "93", "97", "99"];

/// A remote party: how its PBX writes the number, and who it is.
struct Party {
    raw: String,
    /// The 9 national digits, for the "suffix" query.
    national: String,
    /// Formatted as an agent would type it.
    typed: String,
    caller_name: Option<String>,
    customer: Option<CustomerMatch>,
}

fn party(k: usize, rng: &mut Rng) -> Party {
    let ukrainian = rng.chance(80);
    let subscriber = format!("{:07}", (k as u64).wrapping_mul(7_919).wrapping_add(rng.next() % 97) % 10_000_000);
    let (raw, national, typed, caller_name, customer_name) = if ukrainian {
        let code = rng.pick(&UA_CODES);
        let s = &subscriber;
        let national = format!("{code}{s}");
        let raw = match rng.below(4) {
            0 => format!("+380 ({code}) {}-{}-{}", &s[..3], &s[3..5], &s[5..]),
            1 => format!("0{national}"),
            2 => format!("380{national}"),
            _ => format!("+380{national}"),
        };
        let typed = if rng.chance(50) {
            format!("0{code} {} {} {}", &s[..3], &s[3..5], &s[5..])
        } else {
            format!("+380 ({code}) {}-{}-{}", &s[..3], &s[3..5], &s[5..])
        };
        let (first, last) = (rng.pick(&UA_FIRST), rng.pick(&UA_LAST));
        let caller = rng.chance(60).then(|| format!("{} {}", last.0, &first.0[..1]));
        (raw, national, typed, caller, format!("{} {}", first.1, last.1))
    } else {
        let national = format!("{}{}", rng.pick(&["50", "60", "69", "22", "12"]), subscriber);
        let n = &national;
        let raw = match rng.below(3) {
            0 => format!("+48 {} {} {}", &n[..3], &n[3..6], &n[6..]),
            1 => format!("+48{n}"),
            _ => format!("0048{n}"),
        };
        let typed = format!("+48 {} {} {}", &n[..3], &n[3..6], &n[6..]);
        let name = format!("{} {}", rng.pick(&PL_FIRST), rng.pick(&PL_LAST));
        let caller = rng.chance(60).then(|| name.clone());
        (raw, national, typed, caller, name)
    };
    let customer = rng.chance(60).then(|| CustomerMatch {
        id: format!("c{k}"),
        source: if rng.chance(50) { "directory".into() } else { "bitrix".into() },
        name: customer_name,
        company: rng.chance(40).then(|| rng.pick(&COMPANIES).to_string()),
        reason: "same E.164".into(),
        why: Some(ringside_core::MatchWhy::new(ringside_core::MatchHow::SameE164)),
        url: Some(format!("https://crm.example/c/{k}")),
        orders: Vec::new(),
        chosen: true,
        kind: None,
        owner: None,
        deal: None,
    });
    Party { raw, national, typed, caller_name, customer }
}

/// The i-th of `total` calls: time-ordered over the year, a few numbers call often.
fn call(i: usize, total: usize, parties: &[Party], rng: &mut Rng) -> (CallCard, CallContext, Option<String>) {
    let k = if rng.chance(30) { rng.below(500) } else { rng.below(parties.len()) };
    let p = &parties[k];
    let ring_at = START + (i as u64) * (365 * DAY_MS / total as u64) + rng.next() % 1000;
    let incoming = rng.chance(70);
    let roll = rng.below(100);
    let cause = if incoming {
        match roll {
            0..=61 => EndCause::Completed,
            62..=75 => EndCause::NoAnswer,
            76..=82 => EndCause::Abandoned,
            83..=92 => EndCause::AnsweredElsewhere { by: None },
            93..=97 => EndCause::Transferred,
            _ => EndCause::Interrupted,
        }
    } else {
        match roll {
            0..=64 => EndCause::Completed,
            65..=84 => EndCause::NoAnswer,
            85..=92 => EndCause::Busy,
            _ => EndCause::Failed("Congestion (cause 34)".into()),
        }
    };
    let talked = matches!(cause, EndCause::Completed | EndCause::Transferred);
    let talk_secs = if talked { 20 + rng.next() % 600 } else { 0 };
    let answer_at = talked.then(|| Timestamp::from_millis(ring_at + 8_000));
    let end_at = ring_at + 8_000 + talk_secs * 1000;
    let card = CallCard {
        call_id: CallId::new(format!("{}.{i}", ring_at / 1000)),
        direction: if incoming { Direction::Incoming } else { Direction::Outgoing },
        number: p.raw.clone(),
        number_normalized: normalize_digits(&p.raw),
        number_display: None,
        caller_name: if incoming { p.caller_name.clone() } else { None },
        queue: (incoming && rng.chance(70)).then(|| rng.pick(&QUEUES).to_string()),
        customers: p.customer.iter().cloned().collect(),
        lookup: LookupState::Done,
        status: CardStatus::Ended,
        outcome: Some(cause),
        ring_at: Timestamp::from_millis(ring_at),
        answer_at,
        end_at: Some(Timestamp::from_millis(end_at)),
        talk_secs,
        as_of: Timestamp::from_millis(end_at),
        recording_url: None,
    };
    let agent = agent_of(rng);
    // Incoming calls come over the PBX; outgoing ones are placed over any connection.
    let connection = if incoming { CONNECTIONS[0] } else { CONNECTIONS[rng.below(100) * CONNECTIONS.len() / 100] };
    let ctx = CallContext {
        agent_extension: format!("{}", 100 + agent),
        agent_name: Some(agent_name(agent)),
        connection: Some(connection.into()),
        dialed_number: (!incoming).then(|| p.typed.clone()),
    };
    let note = rng.chance(20).then(|| format!("{} {}", rng.pick(&NOTES), 10_000 + rng.below(90_000)));
    (card, ctx, note)
}

/// Times `runs` calls of `f` (each gets the run number and returns how many results it
/// got) and prints p50/p99/max, and for a page of results the verdict against the target.
fn time(label: &str, runs: usize, page: bool, mut f: impl FnMut(usize) -> usize) {
    let mut took = Vec::with_capacity(runs);
    let mut found = 0usize;
    for run in 0..runs {
        let started = Instant::now();
        found += f(run);
        took.push(started.elapsed());
    }
    took.sort();
    let at = |q: f64| took[((took.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p99 = at(0.99);
    let verdict = match (page, p99 <= TARGET_P99) {
        (false, _) => String::new(),
        (true, ok) => format!("; target p99 ≤ {} ms: {}", TARGET_P99.as_millis(), if ok { "ok" } else { "OVER" }),
    };
    println!(
        "{label:<34} p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms   ({:.0} results/run, {runs} runs{verdict})",
        ms(at(0.5)),
        ms(p99),
        ms(took[took.len() - 1]),
        found as f64 / runs as f64,
    );
}

fn main() {
    let total: usize = std::env::var("RINGSIDE_BENCH_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CALLS);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = std::env::var_os("RINGSIDE_BENCH_FILE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("history.sqlite"));
    let reuse = file.exists();
    // Written as Ringside's schema 3 left files, so the migration is timed on a big one.
    let mut history = if reuse {
        History::open(&file).expect("open the history")
    } else {
        History::open_at_version_for_tests(&file, 3).expect("create the history at schema 3")
    };
    let mut rng = Rng(0x5EED_CA11_5EED_CA11);
    let parties: Vec<Party> = (0..NUMBERS).map(|k| party(k, &mut rng)).collect();

    println!("ringside-history benchmark: {total} calls, {NUMBERS} numbers");
    if !reuse {
        let started = Instant::now();
        const BATCH: usize = 100_000;
        let mut i = 0;
        while i < total {
            let end = (i + BATCH).min(total);
            let batch: Vec<_> = (i..end).map(|n| call(n, total, &parties, &mut rng)).collect();
            history.record_many_for_benches(batch).expect("bulk insert");
            i = end;
        }
        let build = started.elapsed();
        println!("build: {:.1} s ({:.0} calls/s)", build.as_secs_f64(), total as f64 / build.as_secs_f64());
    }
    // Closing checkpoints the WAL into the file: its size is then the history's size. Then,
    // as Ringside finds the file after a restart: a fresh connection.
    drop(history);
    let started = Instant::now();
    let migrated = History::open(&file).expect("reopen");
    if !reuse {
        println!("migration 3 → {}: {:.1} s", ringside_history::SCHEMA_VERSION, started.elapsed().as_secs_f64());
    }
    drop(migrated);
    let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    println!("file: {:.0} MB ({:.0} bytes/call)", bytes as f64 / 1e6, bytes as f64 / total as f64);
    let mut history = History::open(&file).expect("reopen");

    let page = |text: String| HistoryQuery { text: Some(text), limit: PAGE, ..HistoryQuery::default() };
    let search = |h: &History, q: &HistoryQuery| h.search(q).expect("search").len();
    let mut rng = Rng(42);
    let party_pick = |rng: &mut Rng| &parties[rng.below(parties.len())];

    time("search number (formatted)", RUNS, true, |_| search(&history, &page(party_pick(&mut rng).typed.clone())));
    time("search number (9-digit suffix)", RUNS, true, |_| {
        search(&history, &page(party_pick(&mut rng).national.clone()))
    });
    let names: Vec<&str> = UA_LAST.iter().map(|(_, cyr)| *cyr).chain(PL_LAST).collect();
    time("search customer name", RUNS, true, |_| search(&history, &page(rng.pick(&names).to_string())));
    let rare: Vec<String> = (0..RUNS).map(|_| format!("{} {}", rng.pick(&PL_FIRST), rng.pick(&PL_LAST))).collect();
    time("search first + last name", RUNS, true, |run| search(&history, &page(rare[run].clone())));
    let note_words = ["refund", "доставки", "Reklamacja", "fakturę", "invoice", "адресу", "paczka", "рахунок"];
    time("search note word", RUNS, true, |_| search(&history, &page(rng.pick(&note_words).to_string())));
    time("search missed only, last 7 days", RUNS, true, |run| {
        let q = HistoryQuery {
            missed_only: true,
            since: Some(Timestamp::from_millis(END - 7 * DAY_MS - run as u64 * 1000)),
            limit: PAGE,
            ..HistoryQuery::default()
        };
        search(&history, &q)
    });
    // What an agent types first: the start of a name, a number.
    let short = ["Ol", "Ko", "Ta", "Ше", "Wi", "Ka", "44", "ол"];
    time("search 2-character word", RUNS, true, |_| search(&history, &page(rng.pick(&short).to_string())));
    // Nowhere in the file: the whole history is read (1–2 characters cannot use the index).
    time("search 2-character word (absent)", 20, true, |_| {
        search(&history, &page(rng.pick(&["ąź", "Юq"]).to_string()))
    });
    time("callbacks(since 7 days, 50)", RUNS, true, |run| {
        history.callbacks(Timestamp::from_millis(END - 7 * DAY_MS - run as u64 * 1000), PAGE).expect("callbacks").len()
    });
    time("recent(50)", RUNS, true, |_| history.recent(PAGE).expect("recent").len());

    // The History's filters, and what fills their choices.
    let filtered = |agent: Option<String>, connection: Option<&str>, call_id: Option<String>| HistoryQuery {
        agent,
        connection: connection.map(str::to_owned),
        call_id,
        limit: PAGE,
        ..HistoryQuery::default()
    };
    time("agent 100 (60 % of calls)", RUNS, true, |_| search(&history, &filtered(Some("100".into()), None, None)));
    time("agent 101–139 (~1 % each)", RUNS, true, |_| {
        let extension = 101 + rng.below(AGENTS - 2);
        search(&history, &filtered(Some(extension.to_string()), None, None))
    });
    time("agent 140 (0.1 %)", RUNS, true, |_| search(&history, &filtered(Some("140".into()), None, None)));
    time("agent by name, other case", RUNS, true, |_| {
        let name = agent_name(1 + rng.below(AGENTS - 1));
        let name = if rng.chance(50) { name.to_uppercase() } else { name.to_lowercase() };
        search(&history, &filtered(Some(name), None, None))
    });
    time("connection", RUNS, true, |_| search(&history, &filtered(None, Some(*rng.pick(&CONNECTIONS)), None)));
    time("agent + connection + note word", RUNS, true, |_| {
        let q = HistoryQuery {
            text: Some(rng.pick(&note_words).to_string()),
            ..filtered(Some((101 + rng.below(AGENTS - 2)).to_string()), Some("pbx"), None)
        };
        search(&history, &q)
    });
    time("agent + missed only, last 7 days", RUNS, true, |run| {
        let q = HistoryQuery {
            missed_only: true,
            since: Some(Timestamp::from_millis(END - 7 * DAY_MS - run as u64 * 1000)),
            ..filtered(Some((101 + rng.below(AGENTS - 2)).to_string()), None, None)
        };
        search(&history, &q)
    });
    // Ids of calls all over the year, as an agent would copy them from a PBX log.
    let sample: Vec<String> = (0..RUNS)
        .filter_map(|_| {
            let until = Timestamp::from_millis(START + rng.next() % (END - START));
            let q = HistoryQuery { until: Some(until), limit: 1, ..HistoryQuery::default() };
            history.search(&q).expect("a call").pop().map(|r| r.call_id.0)
        })
        .collect();
    time("call id, exact", sample.len(), true, |run| {
        search(&history, &filtered(None, None, Some(sample[run].clone())))
    });
    time("call id prefix, 8 characters", sample.len(), true, |run| {
        search(&history, &filtered(None, None, Some(sample[run].chars().take(8).collect())))
    });
    time("call id prefix, 4 characters", sample.len(), true, |run| {
        search(&history, &filtered(None, None, Some(sample[run].chars().take(4).collect())))
    });
    time("agents()", RUNS, true, |_| history.agents().expect("agents").len());
    time("connections()", RUNS, true, |_| history.connections().expect("connections").len());

    time("export CSV, 10,000 rows", 10, false, |_| {
        let mut out = std::io::sink();
        history.export_csv(&HistoryQuery { limit: 10_000, ..HistoryQuery::default() }, &mut out).expect("export")
    });

    // The write path with the index: a note typed on an old call (synced, re-indexed).
    let old =
        HistoryQuery { until: Some(Timestamp::from_millis(START + 10 * DAY_MS)), limit: 1, ..HistoryQuery::default() };
    let id = history.search(&old).expect("an old call").remove(0).call_id;
    time("save_note (synced, re-indexed)", RUNS, false, |run| {
        history.save_note(&id, &format!("typing {run}")).map(|_| 1).expect("save")
    });
}
