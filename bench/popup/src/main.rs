//! The popup benchmark: a **release** Ringside on the demo PBX with a 1,000,000-customer
//! directory. Prints (asserts nothing):
//!
//! - start → ready: from spawning the app to the tray built and both windows' pages mounted;
//! - call → card painted in the card window, p50/p95/p99/max over the first `--calls` calls,
//!   from just before asking the demo PBX to ring extension 100 (an upper bound of "the PBX
//!   frame sent": the demo PBX writes the call's first frames while it handles that request);
//! - the memory (PSS) of the app and every process under it, idle after `--total` calls.
//!
//! The app runs with `RINGSIDE_PAINT_PROBE=1`: its windows report milestones that the shell
//! logs as `paint-probe what=<what> call=<id> unix_us=<µs>` (src-tauri/probe.rs); this program
//! reads them from the app's log file. See README.md for the command and what each figure is.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ringside_demo_pbx::{DemoAgent, DemoPbx, DemoPbxConfig};
use ringside_lookup::{Directory, LookupConfig};

struct Args {
    app: PathBuf,
    calls: usize,
    total: usize,
    customers: usize,
    data: PathBuf,
    ring_ms: u64,
    idle_secs: u64,
    timeout_secs: u64,
    extra_config: Option<PathBuf>,
    app_args: Vec<String>,
    close_desk: bool,
    keep: bool,
    smaps: Option<PathBuf>,
    frames: Option<PathBuf>,
}

fn usage() -> ! {
    eprintln!(
        "usage: popup [--app target/release/ringside] [--calls 100] [--total 200] [--customers 1000000]\n\
         \x20            [--data target/bench-popup] [--ring-ms 1000] [--idle-secs 10] [--timeout-secs 15]\n\
         \x20            [--extra-config FILE] [--app-arg ARG]... [--close-desk] [--keep]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut a = Args {
        app: root.join("target/release/ringside"),
        calls: 100,
        total: 200,
        customers: 1_000_000,
        data: root.join("target/bench-popup"),
        ring_ms: 1000,
        idle_secs: 10,
        timeout_secs: 15,
        extra_config: None,
        app_args: Vec::new(),
        close_desk: false,
        keep: false,
        smaps: None,
        frames: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage());
        match flag.as_str() {
            "--app" => a.app = PathBuf::from(value()),
            "--calls" => a.calls = value().parse().unwrap_or_else(|_| usage()),
            "--total" => a.total = value().parse().unwrap_or_else(|_| usage()),
            "--customers" => a.customers = value().replace('_', "").parse().unwrap_or_else(|_| usage()),
            "--data" => a.data = PathBuf::from(value()),
            "--ring-ms" => a.ring_ms = value().parse().unwrap_or_else(|_| usage()),
            "--idle-secs" => a.idle_secs = value().parse().unwrap_or_else(|_| usage()),
            "--timeout-secs" => a.timeout_secs = value().parse().unwrap_or_else(|_| usage()),
            "--extra-config" => a.extra_config = Some(PathBuf::from(value())),
            "--app-arg" => a.app_args.push(value()),
            "--close-desk" => a.close_desk = true,
            "--keep" => a.keep = true,
            "--smaps" => a.smaps = Some(PathBuf::from(value())),
            "--frames" => a.frames = Some(PathBuf::from(value())),
            _ => usage(),
        }
    }
    a.total = a.total.max(a.calls);
    a
}

// ---------------------------------------------------------------------------------------------
// The directory: 1,000,000 customers (the generator of crates/lookup/benches/directory.rs,
// simplified), built once and kept in --data.

#[path = "../../../crates/lookup/benches/support/rng.rs"]
mod rng;
mod screen;
use rng::Rng;

const FIRST: &[&str] = &[
    "Olena",
    "Andrii",
    "Iryna",
    "Taras",
    "Natalia",
    "Serhii",
    "Piotr",
    "Katarzyna",
    "Lukas",
    "Sophie",
    "James",
    "Sarah",
];
const LAST: &[&str] =
    &["Kovalenko", "Melnyk", "Shevchenko", "Bondarenko", "Nowak", "Wójcik", "Müller", "Weber", "Smith", "Jones"];

/// A number as people type it (Ukraine 60 %, Poland, Germany, the UK, the US).
fn number(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..=59 => {
            let code = rng.pick(&["44", "50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99"]);
            let d = rng.digits(7);
            match rng.below(4) {
                0 => format!("+380 {code} {} {}", &d[..3], &d[3..]),
                1 => format!("0{code} {} {} {}", &d[..3], &d[3..5], &d[5..]),
                2 => format!("+380 ({code}) {}-{}-{}", &d[..3], &d[3..5], &d[5..]),
                _ => format!("0{code}{d}"),
            }
        }
        60..=74 => {
            format!("+48 {}{} {}", rng.pick(&["50", "51", "60", "66", "69", "79"]), rng.digits(1), rng.digits(6))
        }
        75..=86 => format!("+49 {} {}", rng.pick(&["151", "160", "170", "176"]), rng.digits(8)),
        87..=94 => format!("+44 7{} {}", rng.pick(&["911", "700", "400"]), rng.digits(6)),
        _ => format!("+1 ({}) {}-{}", rng.pick(&["212", "312", "415"]), 200 + rng.below(800), rng.digits(4)),
    }
}

/// The directory file and the callers to ring (numbers of customers in it, as typed).
fn directory(args: &Args) -> (PathBuf, Vec<String>) {
    std::fs::create_dir_all(&args.data).expect("the --data folder");
    let n = args.customers;
    let db = args.data.join(format!("directory-{n}.sqlite"));
    let callers_file = args.data.join(format!("callers-{n}.txt"));
    if db.exists() {
        if let Ok(text) = std::fs::read_to_string(&callers_file) {
            let callers: Vec<String> = text.lines().map(str::to_string).collect();
            if callers.len() >= args.total {
                println!("directory: {} (built before; {n} customers)", db.display());
                return (db, callers);
            }
        }
    }
    for p in [db.clone(), db.with_extension("sqlite-wal"), db.with_extension("sqlite-shm")] {
        let _ = std::fs::remove_file(p);
    }
    let csv = args.data.join(format!("customers-{n}.csv"));
    let started = Instant::now();
    let mut rng = Rng(0x5249_4E47_5349_4445);
    let mut callers = Vec::new();
    // The callers: at least 1,000 customers spread over the file, whatever --total is now.
    let want = args.total.max(1000);
    let stride = (n / want).max(1);
    {
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&csv).expect("create the CSV"));
        writeln!(out, "ID,Name,Company,Phone,Email").expect("write");
        for i in 0..n {
            let (first, last) = (rng.pick(FIRST), rng.pick(LAST));
            let phone = number(&mut rng);
            if i % stride == stride / 2 && callers.len() < want {
                callers.push(phone.clone());
            }
            writeln!(out, "C{i:07},{first} {last},,\"{phone}\",c{i}@example.com").expect("write");
        }
        out.flush().expect("flush");
    }
    println!("directory: generated {n} customers as CSV in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let dir = Directory::open(&db, LookupConfig::default()).expect("create the directory");
    let report = dir.import_csv_file(&csv, None).expect("import");
    drop(dir);
    println!("directory: imported in {:.1} s: {report}", started.elapsed().as_secs_f64());
    let _ = std::fs::remove_file(&csv);
    std::fs::write(&callers_file, callers.join("\n")).expect("write the callers");
    (db, callers)
}

// ---------------------------------------------------------------------------------------------
// The app's log: `paint-probe what=<what> call=<id> unix_us=<µs>` lines.

#[derive(Debug, Clone)]
struct Mark {
    what: String,
    call: Option<String>,
    unix_us: u64,
    /// The window's own clock when it took the mark (0 for the shell's marks).
    page_us: u64,
}

struct Log {
    path: PathBuf,
    offset: u64,
    partial: String,
    marks: Vec<Mark>,
}

impl Log {
    fn poll(&mut self) {
        let Ok(mut file) = std::fs::File::open(&self.path) else { return };
        if file.seek(SeekFrom::Start(self.offset)).is_err() {
            return;
        }
        let mut text = String::new();
        let Ok(read) = file.read_to_string(&mut text) else { return };
        self.offset += read as u64;
        self.partial.push_str(&text);
        while let Some(end) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=end).collect();
            if let Some(at) = line.find("paint-probe ") {
                let mut mark = Mark { what: String::new(), call: None, unix_us: 0, page_us: 0 };
                for field in line[at + 12..].split_whitespace() {
                    match field.split_once('=') {
                        Some(("what", v)) => mark.what = v.to_string(),
                        Some(("call", v)) if v != "-" => mark.call = Some(v.to_string()),
                        Some(("unix_us", v)) => mark.unix_us = v.parse().unwrap_or(0),
                        Some(("page_us", v)) => mark.page_us = v.parse().unwrap_or(0),
                        _ => {}
                    }
                }
                self.marks.push(mark);
            }
        }
    }

    /// The first mark `what` at or after `since` (µs) that `pick` accepts, waiting up to `timeout`.
    fn wait(&mut self, what: &str, since: u64, timeout: Duration, pick: impl Fn(&Mark) -> bool) -> Option<Mark> {
        let deadline = Instant::now() + timeout;
        loop {
            self.poll();
            if let Some(m) = self.marks.iter().find(|m| m.what == what && m.unix_us >= since && pick(m)) {
                return Some(m.clone());
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

pub(crate) fn now_us() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Memory: PSS of the app and everything under it.

fn children_of(pid: u32) -> Vec<u32> {
    let mut all: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for e in entries.flatten() {
            let Some(p) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else { continue };
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { continue };
            let ppid = rest.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0);
            all.push((p, ppid));
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(all.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    tree
}

/// (name, PSS kB, RSS kB) of one process.
fn pss(pid: u32) -> Option<(String, u64, u64)> {
    let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?.trim().to_string();
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let field = |key: &str| {
        rollup
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Some((name, field("Pss:"), field("Rss:")))
}

fn memory(pid: u32, label: &str, smaps: Option<&Path>) -> u64 {
    println!("memory ({label}): PSS (RSS) of the app and every process under it");
    let mut total = 0;
    let mut total_rss = 0;
    for p in children_of(pid) {
        if let Some((name, pss_kb, rss_kb)) = pss(p) {
            if let Some(dir) = smaps {
                // Every mapping, for finding where the memory is (`--smaps DIR`).
                let slug: String = label.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
                let _ = std::fs::create_dir_all(dir);
                let _ = std::fs::copy(format!("/proc/{p}/smaps"), dir.join(format!("{slug}-{p}-{name}.smaps")));
            }
            println!(
                "  {p:>7}  {name:<22} PSS {:>7.1} MB  (RSS {:>7.1} MB)",
                pss_kb as f64 / 1024.0,
                rss_kb as f64 / 1024.0
            );
            total += pss_kb;
            total_rss += rss_kb;
        }
    }
    println!(
        "  total                           PSS {:>7.1} MB  (RSS {:>7.1} MB)",
        total as f64 / 1024.0,
        total_rss as f64 / 1024.0
    );
    total
}

// ---------------------------------------------------------------------------------------------

struct Stats(Vec<f64>);

impl Stats {
    fn line(&self, label: &str) {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n == 0 {
            println!("  {label:<44} no samples");
            return;
        }
        let at = |q: f64| v[(((n as f64) * q).ceil() as usize).clamp(1, n) - 1];
        println!(
            "  {label:<44} n={n:>3}  p50={:>6.1} ms  p95={:>6.1} ms  p99={:>6.1} ms  max={:>6.1} ms  min={:>5.1} ms",
            at(0.50),
            at(0.95),
            at(0.99),
            v[n - 1],
            v[0]
        );
    }
}

struct App {
    child: Child,
}

impl Drop for App {
    fn drop(&mut self) {
        // SIGTERM quits as the tray does (logs off the PBX); then make sure.
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn quiet_check() {
    let busy = Command::new("pgrep")
        .args(["-x", "rustc|cc1|cc1plus|ld|cargo|node"])
        .output()
        .map(|o| !o.stdout.is_empty())
        .unwrap_or(false);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "machine: load average {}; compilers running: {}",
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        if busy { "YES (figures are not from a quiet machine)" } else { "no" }
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args = parse_args();
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("no DISPLAY: run under a display (see bench/popup/README.md: Xvfb + openbox + dbus-run-session)");
        std::process::exit(2);
    }
    let app_path = std::fs::canonicalize(&args.app).unwrap_or_else(|_| {
        eprintln!("no app at {} (cargo build --release -p ringside)", args.app.display());
        std::process::exit(2)
    });
    let (db, callers) = directory(&args);

    // The demo PBX: extension 100 never answers (each call rings --ring-ms, then is missed and
    // its card closes card_autoclose_secs = 1 later, so the card window hides between calls).
    let pbx = DemoPbx::start(DemoPbxConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        agents: vec![DemoAgent::new("100", None), DemoAgent::new("101", Some(Duration::from_secs(3)))],
        dial_timeout: Duration::from_millis(args.ring_ms),
        ..DemoPbxConfig::default()
    })
    .await
    .expect("start the demo PBX");
    let addr = pbx.local_addr();

    // A home of its own: config, history, the webview's data, the log.
    let run = args.data.join(format!("run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&run);
    std::fs::create_dir_all(&run).expect("the run folder");
    let run = std::fs::canonicalize(&run).expect("the run folder");
    let db = std::fs::canonicalize(&db).expect("the directory");
    let mut config = format!(
        "[source]\nkind = \"demo\"\n\n[demo]\nlisten = \"{addr}\"\n\n[directory]\npath = \"{}\"\n\n\
         [history]\npath = \"{}\"\n\n[ui]\ncard_autoclose_secs = 1\n",
        db.display(),
        run.join("history.sqlite").display()
    );
    if let Some(extra) = &args.extra_config {
        config.push('\n');
        config.push_str(&std::fs::read_to_string(extra).expect("read --extra-config"));
    }
    let config_path = run.join("config.toml");
    std::fs::write(&config_path, &config).expect("write the config");
    let log_path = run.join("ringside.log");
    println!("app: {}\nrun folder: {}\ndemo PBX: {addr}", app_path.display(), run.display());
    quiet_check();

    let mut log = Log { path: log_path.clone(), offset: 0, partial: String::new(), marks: Vec::new() };
    let spawned = now_us();
    let child = Command::new(&app_path)
        .env("RINGSIDE_CONFIG", &config_path)
        .env("RINGSIDE_LOG_FILE", &log_path)
        .env("RINGSIDE_PAINT_PROBE", "1")
        // The card window is found by its English title (src/screen.rs).
        .env("LANGUAGE", "en")
        .env("RUST_LOG", "info")
        .env("XDG_CONFIG_HOME", run.join("config"))
        .env("XDG_DATA_HOME", run.join("data"))
        .env("XDG_CACHE_HOME", run.join("cache"))
        .args(&args.app_args)
        .spawn()
        .expect("start the app");
    let app = App { child };
    let pid = app.child.id();

    // Start → ready.
    let t = Duration::from_secs(30);
    let mut ready = 0;
    println!("start → (from spawning the process)");
    let in_tray = args.app_args.iter().any(|a| a == "--in-tray");
    for what in ["tray", "runtime-ready", "desk-mounted", "card-mounted"] {
        let wait = if in_tray && what == "desk-mounted" { Duration::ZERO } else { t };
        match log.wait(what, spawned, wait, |_| true) {
            Some(m) => {
                println!("  {what:<14} {:>7.1} ms", (m.unix_us - spawned) as f64 / 1e3);
                if what != "runtime-ready" {
                    ready = ready.max(m.unix_us);
                }
            }
            None if in_tray && what == "desk-mounted" => println!("  {what:<14} (--in-tray: no desk)"),
            None => {
                eprintln!("no '{what}' within {t:?}: see {}", log_path.display());
                std::process::exit(1);
            }
        }
    }
    println!("  READY (tray + the open windows mounted): {:.1} ms", (ready - spawned) as f64 / 1e3);
    tokio::time::sleep(Duration::from_secs(3)).await;
    memory(pid, "ready, no call yet", args.smaps.as_deref());
    if args.total == 0 {
        drop(app);
        let _ = std::fs::remove_dir_all(&run);
        return;
    }
    if args.close_desk {
        // As the agent closing the desk with its title bar's ×: the window manager asks the
        // window to close (WM_DELETE_WINDOW).
        let closed = Command::new("wmctrl").args(["-F", "-c", "Ringside"]).status().map(|s| s.success());
        println!("closed the desk (wmctrl -F -c Ringside): {closed:?}");
        tokio::time::sleep(Duration::from_secs(3)).await;
        memory(pid, "desk closed, no call yet", args.smaps.as_deref());
    }

    // Calls, one after the other.
    let mut rows: Vec<HashMap<&'static str, f64>> = Vec::new();
    let timeout = Duration::from_secs(args.timeout_secs);
    let mut failures = 0;
    let mut seen: Vec<String> = Vec::new();
    let mut screen = match screen::Screen::connect() {
        Ok(s) => Some(s),
        Err(e) => {
            println!("no screen readings ({e})");
            None
        }
    };
    let mut intermediate = 0;
    for (i, caller) in callers.iter().take(args.total).enumerate() {
        // Let the machine settle a moment between calls.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let t0 = now_us();
        pbx.ring(caller, None, "100").expect("ring");
        // The screen while the call rings (it stops ringing after --ring-ms).
        let keep = args.frames.is_some() && i < 5;
        let watch = screen.as_mut().map(|s| s.watch(Duration::from_millis(args.ring_ms.saturating_sub(100)), keep));
        let since = |m: &Mark| (m.unix_us - t0) as f64 / 1e3;
        let card = log.wait("card", t0, timeout, |m| m.call.as_ref().is_some_and(|c| !seen.contains(c)));
        let Some(card) = card else {
            failures += 1;
            eprintln!("call {}: no card painted within {timeout:?}", i + 1);
            continue;
        };
        let call = card.call.clone().unwrap_or_default();
        seen.push(call.clone());
        let mut row = HashMap::new();
        row.insert("card", since(&card));
        if card.page_us > t0 {
            row.insert("card@page", (card.page_us - t0) as f64 / 1e3);
        }
        for what in ["popup-event", "card-dom", "card-frame"] {
            if let Some(m) = log.wait(what, t0, Duration::from_millis(1), |m| m.call.as_deref() == Some(&call)) {
                if m.page_us > t0 {
                    row.insert(what, (m.page_us - t0) as f64 / 1e3);
                }
            }
        }
        if let Some(m) = log.wait("window-shown", t0, Duration::from_millis(1), |_| true) {
            row.insert("window-shown", since(&m));
        }
        if let Some(m) = log.wait("shown", t0, timeout, |_| true) {
            row.insert("shown", since(&m));
        }
        if let Some(m) = log.wait("customer", t0, timeout, |m| m.call.as_deref() == Some(&call)) {
            row.insert("customer", since(&m));
        }
        if let Some(watch) = &watch {
            let seen = screen::seen(watch);
            if let Some(at) = seen.drawn {
                row.insert("screen-drawn", (at.saturating_sub(t0)) as f64 / 1e3);
            }
            if let Some(at) = seen.settled {
                row.insert("screen-settled", (at.saturating_sub(t0)) as f64 / 1e3);
            }
            row.insert("screen-poll", seen.mean_interval_us as f64 / 1e3);
            if seen.before_settled > 0 {
                intermediate += 1;
            }

            if let Some(dir) = &args.frames {
                screen::save(&watch.frames, dir, i + 1, t0);
            }
            let _ = seen.polls;
        }
        let visible = ["card", "shown"].iter().filter_map(|k| row.get(k)).fold(0.0f64, |a, b| a.max(*b));
        row.insert("visible", visible);
        let with_customer = row.get("customer").map(|c| c.max(visible));
        if let Some(c) = with_customer {
            row.insert("visible-customer", c);
        }
        rows.push(row);
        // The call rings out, is missed, and its card closes: the window hides.
        if log.wait("window-hidden", t0, timeout + Duration::from_millis(args.ring_ms), |_| true).is_none() {
            eprintln!("call {}: the card window did not hide", i + 1);
        }
        if (i + 1) % 25 == 0 {
            println!("  … {} calls", i + 1);
        }
    }

    let print = |rows: &[HashMap<&'static str, f64>], title: &str| {
        println!("{title}");
        for (key, label) in [
            ("window-shown", "ring → shell showed the card window"),
            ("popup-event", "ring → popup event in the page (page clock)"),
            ("card-dom", "ring → card in the DOM (page clock)"),
            ("card-frame", "ring → first animation frame (page clock)"),
            ("card@page", "ring → second animation frame (page clock)"),
            ("shown", "ring → card window painted after show"),
            ("card", "ring → new card painted (2 rAF after DOM)"),
            ("visible", "ring → CARD VISIBLE (max of the two above)"),
            ("customer", "ring → customer's name painted"),
            ("visible-customer", "ring → visible with the customer's name"),
            ("screen-drawn", "ring → ON SCREEN: the card window drawn (X)"),
            ("screen-settled", "ring → ON SCREEN: the card as it settled (X)"),
            ("screen-poll", "screen poll interval"),
        ] {
            Stats(rows.iter().filter_map(|r| r.get(key).copied()).collect()).line(label);
        }
    };
    let first = rows.len().min(args.calls);
    print(&rows[..first], &format!("calls 1–{first} (directory of {} customers):", args.customers));
    if rows.len() > first {
        print(&rows[first..], &format!("calls {}–{}:", first + 1, rows.len()));
    }
    if failures > 0 {
        println!("  {failures} calls had no card painted");
    }
    if screen.is_some() {
        println!("  {intermediate} calls showed another picture on the screen before the card settled");
    }

    println!("idle: waiting {} s after the last call", args.idle_secs);
    tokio::time::sleep(Duration::from_secs(args.idle_secs)).await;
    memory(pid, &format!("idle after {} calls", rows.len()), args.smaps.as_deref());

    if let Ok(f) = std::fs::File::open(&log_path) {
        let warnings = BufReader::new(f)
            .lines()
            .map_while(Result::ok)
            .filter(|l| l.contains(" WARN ") || l.contains("ERROR"))
            .count();
        println!("app log: {} ({warnings} WARN/ERROR lines)", log_path.display());
    }
    drop(app);
    pbx.shutdown().await;
    if !args.keep {
        let _ = std::fs::remove_dir_all(&run);
    }
}
