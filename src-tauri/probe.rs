//! The paint probe, for the popup benchmark (`bench/popup`): with `RINGSIDE_PAINT_PROBE=1` in
//! the environment the windows report when they mounted and when a new call's card was painted,
//! and the shell logs those reports and its own milestones (the tray built, the card window
//! shown) with the wall-clock time in microseconds since the Unix epoch, one line each:
//! `paint-probe what=<what> call=<call id or -> unix_us=<µs> page_us=<µs>` (`page_us`: the
//! window's own clock when it took the mark, 0 for the shell's marks). Without the variable the windows
//! send nothing and the shell logs nothing.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// Sent to the card window right after the shell showed it (only when the probe is on).
pub const EVENT_SHOWN: &str = "paint-probe-shown";

/// Whether `RINGSIDE_PAINT_PROBE=1` was set when Ringside started.
pub fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("RINGSIDE_PAINT_PROBE").is_some_and(|v| v == "1"))
}

/// Logs one milestone when the probe is on. `what` and `call` come from the window: only
/// short words made of letters, digits and `-_.:` are logged, anything else as `?`.
pub fn mark(what: &str, call: Option<&str>, page_us: Option<u64>) {
    if !enabled() {
        return;
    }
    let unix_us = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0);
    tracing::info!(
        "paint-probe what={} call={} unix_us={unix_us} page_us={}",
        word(what),
        call.map(word).unwrap_or("-"),
        page_us.unwrap_or(0)
    );
}

fn word(text: &str) -> &str {
    let plain = !text.is_empty()
        && text.len() <= 64
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if plain {
        text
    } else {
        "?"
    }
}
