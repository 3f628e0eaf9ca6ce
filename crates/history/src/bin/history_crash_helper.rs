//! Test helper, not a tool: used by `tests/durability.rs` to prove that a note survives
//! `kill -9`.
//!
//! `history_crash_helper FILE CALL_ID TEXT` opens the history FILE, records an answered
//! incoming call CALL_ID, then "types" TEXT one character at a time as the UI would save it
//! ("H", "He", "Hel", …), printing `saved N` (the character count) after each `save_note`
//! returned. After the whole text it keeps saving it and never exits: the test kills it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use ringside_core::{CallCard, CallId, CardStatus, Direction, LookupState, Timestamp};
use ringside_history::{CallContext, History};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [file, call, text] = args.as_slice() else {
        eprintln!("usage: history_crash_helper FILE CALL_ID TEXT (a test helper)");
        return ExitCode::from(2);
    };
    match run(PathBuf::from(file), CallId::new(call.as_str()), text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("history_crash_helper: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(file: PathBuf, call: CallId, text: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut history = History::open(&file)?;
    let now = Timestamp::now();
    let mut card = CallCard {
        call_id: call.clone(),
        direction: Direction::Incoming,
        number: "+380 44 123 45 67".into(),
        number_normalized: Some("380441234567".into()),
        number_display: None,
        caller_name: Some("Crash Test".into()),
        queue: Some("support".into()),
        customers: Vec::new(),
        lookup: LookupState::Pending,
        status: CardStatus::Ringing,
        outcome: None,
        ring_at: now,
        answer_at: None,
        end_at: None,
        talk_secs: 0,
        as_of: now,
        recording_url: None,
    };
    let ctx = CallContext { agent_extension: "100".into(), ..CallContext::default() };
    history.record_card(&card, &ctx)?;
    card.status = CardStatus::OnCall;
    card.answer_at = Some(now);
    history.record_card(&card, &ctx)?;
    let chars: Vec<char> = text.chars().collect();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    for n in (1..=chars.len()).chain(std::iter::repeat(chars.len())) {
        let typed: String = chars[..n].iter().collect();
        history.save_note(&call, &typed)?;
        writeln!(out, "saved {n}")?;
        out.flush()?;
        std::thread::sleep(Duration::from_millis(2));
    }
    Ok(())
}
