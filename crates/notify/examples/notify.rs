//! Shows one notice from the command line, the way Ringside would (sanitised, app name "Ringside"):
//!
//! ```text
//! cargo run -p ringside-notify --example notify -- "Summary" "Body" [low|normal|critical] [tag]
//! ```
//!
//! Prints the error in words if the notice cannot be shown.

use ringside_notify::{show, Notice, Urgency};

fn main() {
    let mut args = std::env::args().skip(1);
    let summary = args.next().unwrap_or_else(|| "Ringside".to_owned());
    let body = args.next().unwrap_or_default();
    let urgency = match args.next().as_deref() {
        Some("low") => Urgency::Low,
        Some("critical") => Urgency::Critical,
        Some("normal") | None => Urgency::Normal,
        Some(other) => {
            eprintln!("unknown urgency {other:?}: use low, normal or critical");
            std::process::exit(2);
        }
    };
    let notice = Notice { summary, body, urgency, tag: args.next() };
    if let Err(e) = show(&notice) {
        eprintln!("notify: {e}");
        std::process::exit(1);
    }
}
