//! Directory at scale: generate N customers (1,000,000 by default) with the number formats
//! people actually type in each region, import them from CSV, then measure lookup latency.
//!
//! Run: `cargo bench -p ringside-lookup --bench directory`
//! Smaller: `RINGSIDE_LOOKUP_BENCH_N=20000 cargo bench -p ringside-lookup --bench directory`
//! Keep the files: `RINGSIDE_LOOKUP_BENCH_DIR=/some/folder` (default: a temporary folder).
//!
//! Prints figures; asserts only that every sampled number is found. Targets: import of
//! 1,000,000 customers ≤ 20 s; lookup p99 ≤ 200 µs.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ringside_lookup::{normalize, Directory, LookupConfig, MatchReason, NormalizedNumber, NumberKind};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const FIRST: &[&str] = &[
    "Olena",
    "Andrii",
    "Iryna",
    "Taras",
    "Natalia",
    "Serhii",
    "Oksana",
    "Dmytro",
    "Anna",
    "Piotr",
    "Katarzyna",
    "Tomasz",
    "Lukas",
    "Sophie",
    "Jonas",
    "Lea",
    "Oliver",
    "Amelia",
    "Harry",
    "Isla",
    "Michael",
    "Emily",
    "James",
    "Sarah",
    "David",
    "Linda",
    "Maksym",
    "Yuliia",
    "Paweł",
    "Magdalena",
];
const LAST: &[&str] = &[
    "Kovalenko",
    "Melnyk",
    "Shevchenko",
    "Bondarenko",
    "Tkachenko",
    "Kravchenko",
    "Boyko",
    "Lysenko",
    "Kowalska",
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Müller",
    "Schneider",
    "Fischer",
    "Weber",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Johnson",
    "Davis",
    "Miller",
    "Anderson",
    "Martinez",
    "Moore",
    "Petrenko",
    "Marchenko",
    "Kozłowski",
    "Zielińska",
];
const COMPANY: &[&str] = &[
    "",
    "",
    "Dnipro Windows",
    "Kyiv Bakery",
    "Lviv Crafts",
    "Kowalski i Syn",
    "Müller GmbH",
    "Smith & Sons Ltd",
    "Johnson Hardware",
    "AgroTech",
    "Odesa Logistics",
    "Hotel Wisła",
    "Becker & Partner",
    "Taylor Builders",
];

/// One customer's number as typed, the way people in that country write it. The directory's
/// default region is Ukraine, so foreign numbers carry their country code in some form.
fn number(rng: &mut Rng) -> String {
    match rng.below(100) {
        // Ukraine, 45%: international, national, with and without punctuation, no "+".
        0..=44 => {
            let code = rng.pick(&[
                "44", "50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99", "32", "48", "56", "57",
            ]);
            let d = rng.digits(7);
            match rng.below(5) {
                0 => format!("+380 {code} {} {}", &d[..3], &d[3..]),
                1 => format!("0{code} {} {} {}", &d[..3], &d[3..5], &d[5..]),
                2 => format!("+380 ({code}) {}-{}-{}", &d[..3], &d[3..5], &d[5..]),
                3 => format!("0{code}{d}"),
                _ => format!("380{code}{d}"),
            }
        }
        // Poland, 20%.
        45..=64 => {
            if rng.below(2) == 0 {
                let pre = rng.pick(&["50", "51", "53", "60", "66", "69", "72", "78", "79", "88"]);
                let d = rng.digits(7);
                format!("+48 {pre}{} {} {}", &d[..1], &d[1..4], &d[4..])
            } else {
                let code = rng.pick(&["22", "12", "58", "61", "71", "42"]);
                let d = rng.digits(7);
                match rng.below(2) {
                    0 => format!("+48 {code} {} {} {}", &d[..3], &d[3..5], &d[5..]),
                    _ => format!("0048 {code} {d}"),
                }
            }
        }
        // Germany, 15%.
        65..=79 => {
            if rng.below(2) == 0 {
                let pre = rng.pick(&["151", "152", "160", "170", "171", "172", "176"]);
                format!("+49 {pre} {}", rng.digits(8))
            } else {
                let (code, len) =
                    [("30", 8), ("40", 8), ("69", 8), ("89", 8), ("221", 7), ("711", 7)][rng.below(6) as usize];
                match rng.below(2) {
                    0 => format!("+49 {code} {}", rng.digits(len)),
                    _ => format!("+49 (0){code} {}", rng.digits(len)),
                }
            }
        }
        // United Kingdom, 12%.
        80..=91 => match rng.below(3) {
            0 => format!("+44 20 7{} {}", rng.digits(3), rng.digits(4)),
            1 => format!("+44 7{} {}", rng.pick(&["911", "700", "400", "500", "800"]), rng.digits(6)),
            _ => format!("+44 (0)161 {} {}", rng.digits(3), rng.digits(4)),
        },
        // United States, 8%.
        _ => {
            let area = rng.pick(&["212", "312", "415", "617", "305", "206", "713", "646"]);
            let exchange = 200 + rng.below(800);
            let line = rng.digits(4);
            match rng.below(2) {
                0 => format!("+1 ({area}) {exchange}-{line}"),
                _ => format!("+1-{area}-{exchange}-{line}"),
            }
        }
    }
}

/// CPU seconds (user + system) from a /proc stat file: `self` for the process, `thread-self`
/// for the calling thread. The machine this runs on is often shared with compilers, so wall
/// time alone says little; CPU time per thread shows what an idle machine would do.
fn cpu_secs(which: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{which}/stat")) else { return f64::NAN };
    // Fields after the command name (which is in parentheses and may contain spaces).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { return f64::NAN };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(f64::NAN);
    // utime and stime are fields 14 and 15 of the file, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

struct Stats {
    label: &'static str,
    samples: Vec<Duration>,
}

impl Stats {
    fn print(&mut self) {
        self.samples.sort();
        let n = self.samples.len();
        if n == 0 {
            return;
        }
        let at = |q: f64| self.samples[((n as f64 * q) as usize).min(n - 1)];
        let mean = self.samples.iter().sum::<Duration>() / n as u32;
        println!(
            "  {:<34} n={n:>6}  p50={:>7.1} µs  p99={:>7.1} µs  max={:>8.1} µs  mean={:>6.1} µs",
            self.label,
            at(0.50).as_secs_f64() * 1e6,
            at(0.99).as_secs_f64() * 1e6,
            self.samples[n - 1].as_secs_f64() * 1e6,
            mean.as_secs_f64() * 1e6,
        );
    }
}

fn main() {
    let n: usize = std::env::var("RINGSIDE_LOOKUP_BENCH_N")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let keep = std::env::var_os("RINGSIDE_LOOKUP_BENCH_DIR").map(PathBuf::from);
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let folder = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&folder).expect("the bench folder");
    let csv_path = folder.join("customers.csv");
    let db_path = folder.join("directory.sqlite");
    for p in [&db_path, &db_path.with_extension("sqlite-wal"), &db_path.with_extension("sqlite-shm")] {
        let _ = std::fs::remove_file(p);
    }
    let cfg = LookupConfig::default();
    println!("ringside-lookup directory bench: {n} customers, default region {}", cfg.default_region);

    // 1. Generate the CSV (not part of the import figure).
    let started = Instant::now();
    let mut rng = Rng(0x5249_4E47_5349_4445);
    let mut sample: Vec<String> = Vec::new();
    let stride = (n / 10_000).max(1);
    {
        let file = std::fs::File::create(&csv_path).expect("create the CSV");
        let mut out = BufWriter::with_capacity(1 << 20, file);
        writeln!(out, "ID,Name,Company,Phone,Mobile,Email,Owner").expect("write");
        for i in 0..n {
            let first = rng.pick(FIRST);
            let last = rng.pick(LAST);
            let company = rng.pick(COMPANY);
            let phone = number(&mut rng);
            let mobile = if rng.below(10) < 3 { number(&mut rng) } else { String::new() };
            if i % stride == 0 {
                sample.push(phone.clone());
            }
            writeln!(
                out,
                "C{i:07},{first} {last},{},{},{},{}.{}{i}@example.com,Agent {}",
                csv_field(company),
                csv_field(&phone),
                csv_field(&mobile),
                first.to_lowercase(),
                last.to_lowercase(),
                100 + i % 20
            )
            .expect("write");
        }
        out.flush().expect("flush");
    }
    let csv_size = std::fs::metadata(&csv_path).map(|m| m.len()).unwrap_or(0);
    println!("generated CSV: {:.1} MB in {:.1} s", csv_size as f64 / 1e6, started.elapsed().as_secs_f64());

    // 2. Import.
    let dir = Directory::open(&db_path, cfg.clone()).expect("open the directory");
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let started = Instant::now();
    let (process_cpu, thread_cpu) = (cpu_secs("self"), cpu_secs("thread-self"));
    let report = dir.import_csv_file(&csv_path, None).expect("import");
    let import_time = started.elapsed();
    let writer_cpu = cpu_secs("thread-self") - thread_cpu;
    let reader_cpu = cpu_secs("self") - process_cpu - writer_cpu;
    let stats = dir.stats().expect("stats");
    println!(
        "import: {:.1} s ({:.0} customers/s): {report}; {} customers, {} phones",
        import_time.as_secs_f64(),
        n as f64 / import_time.as_secs_f64(),
        stats.customers,
        stats.phones
    );
    println!(
        "  CPU time: SQLite writer (this thread) {writer_cpu:.1} s, CSV reader + normalizer threads {reader_cpu:.1} s; \
         on an idle 2-core machine about {:.1} s of wall time; load average: {}",
        writer_cpu.max((writer_cpu + reader_cpu) / 2.0),
        load_before.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    if let Some(first) = report.issues.first() {
        println!("  first issue: {first}");
    }
    drop(dir);
    let size = |p: PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let db_size = size(db_path.clone()) + size(db_path.with_extension("sqlite-wal"));
    println!(
        "database file: {:.1} MB ({:.0} bytes per customer)",
        db_size as f64 / 1e6,
        db_size as f64 / stats.customers.max(1) as f64
    );

    // 3. Lookups, on a freshly opened directory.
    let started = Instant::now();
    let dir = Directory::open(&db_path, cfg.clone()).expect("reopen");
    println!("reopen: {:.1} ms", started.elapsed().as_secs_f64() * 1e3);
    let normalized: Vec<NormalizedNumber> = sample.iter().map(|s| normalize(s, &cfg)).collect();
    // Each kind of query runs as its own pass over the same sampled numbers, in this order,
    // so none of them profits from pages the one before it just read for the same customer.
    // The SQLite cache (16 MiB) is far smaller than the file: most page reads go to the OS.
    let mut exact = Stats { label: "exact E.164 (pre-normalized)", samples: Vec::new() };
    let mut formatted = Stats { label: "formatted input (normalize+lookup)", samples: Vec::new() };
    let mut suffix = Stats { label: "suffix only", samples: Vec::new() };
    let mut miss = Stats { label: "unknown number (miss)", samples: Vec::new() };
    let mut normalize_only = Stats { label: "normalize only", samples: Vec::new() };
    let mut not_found = 0usize;
    for (raw, number) in sample.iter().zip(&normalized) {
        let t = Instant::now();
        let found = dir.lookup(number).expect("lookup");
        exact.samples.push(t.elapsed());
        if found.is_empty() {
            not_found += 1;
        }
        if let Some(e164) = &number.e164 {
            assert!(found.iter().all(|m| m.reason == MatchReason::SameE164), "{raw} → {e164}");
        }
    }
    for raw in sample.iter().rev() {
        let t = Instant::now();
        let n = normalize(raw, &cfg);
        let found = dir.lookup(&n).expect("lookup");
        formatted.samples.push(t.elapsed());
        assert!(!found.is_empty());
    }
    for number in &normalized {
        let suffix_only = NormalizedNumber {
            raw: number.raw.clone(),
            e164: None,
            national: None,
            display: None,
            suffix: number.suffix.clone(),
            typed_suffix: number.typed_suffix.clone(),
            kind: NumberKind::External,
        };
        let t = Instant::now();
        let found = dir.lookup(&suffix_only).expect("lookup");
        suffix.samples.push(t.elapsed());
        assert!(!found.is_empty());
    }
    for raw in &sample {
        let t = Instant::now();
        let n = normalize(raw, &cfg);
        normalize_only.samples.push(t.elapsed());
        assert_eq!(n.kind, NumberKind::External);
    }
    let mut rng = Rng(42);
    let mut suffix_hits = 0usize;
    for _ in 0..sample.len().min(10_000) {
        // +380 92 is not an operator code the generator uses: no E.164 match. The last nine
        // digits may still collide with a foreign number (that is what the reason says).
        let unknown = normalize(&format!("+380 92 {}", rng.digits(7)), &cfg);
        let t = Instant::now();
        let found = dir.lookup(&unknown).expect("lookup");
        miss.samples.push(t.elapsed());
        assert!(found.iter().all(|m| m.reason == MatchReason::LastDigits(9)));
        if !found.is_empty() {
            suffix_hits += 1;
        }
    }
    println!(
        "lookups ({} sampled numbers, {} of them not found by E.164; {} of {} unknown numbers matched someone's last 9 digits):",
        sample.len(),
        not_found,
        suffix_hits,
        miss.samples.len()
    );
    for s in [&mut exact, &mut formatted, &mut suffix, &mut miss, &mut normalize_only] {
        s.print();
    }
    if keep.is_none() {
        drop(dir);
        let _ = std::fs::remove_file(&csv_path);
    }
}
