//! The call-back list: who called, got nobody, and still waits for the agent.

mod common;

use common::*;
use ringside_core::{CallCard, Direction, EndCause, LookupState, Timestamp};
use ringside_history::{Callback, History, HistoryError, Kept};

fn open() -> (tempfile::TempDir, History) {
    let dir = tempfile::tempdir().expect("temp dir");
    let history = History::open(&dir.path().join("history.sqlite")).expect("open");
    (dir, history)
}

/// An ended call with `number` (raw) ringing at `at(secs)`.
fn call(id: &str, direction: Direction, number: &str, secs: u64, cause: EndCause) -> CallCard {
    let mut card = ringing(id);
    card.direction = direction;
    card.number = number.into();
    card.number_normalized = ringside_core::number::normalize_digits(number);
    card.caller_name = None;
    card.ring_at = at(secs);
    card.as_of = at(secs);
    ended(card, cause, secs + 20)
}

fn incoming(id: &str, number: &str, secs: u64, cause: EndCause) -> CallCard {
    call(id, Direction::Incoming, number, secs, cause)
}

fn record(h: &mut History, card: CallCard) {
    h.record_card(&card, &ctx()).expect("record");
}

/// (number, missed, last call) per entry.
fn list(h: &History, since: u64) -> Vec<(String, u32, String)> {
    h.callbacks(at(since), 50)
        .expect("call-back list")
        .into_iter()
        .map(|c| (c.number_normalized, c.missed, c.last_call.0))
        .collect()
}

fn entry(number: &str, missed: u32, last: &str) -> (String, u32, String) {
    (number.to_owned(), missed, last.to_owned())
}

#[test]
fn missed_calls_are_grouped_per_number_newest_first() {
    let (_dir, mut h) = open();
    let mut first = incoming("a.1", "0501112233", 10, EndCause::NoAnswer);
    first.caller_name = Some("OLENA K".into());
    first.lookup = LookupState::Done;
    first.customers = vec![customer("7", true)];
    record(&mut h, first);
    let mut second = incoming("a.2", "0501112233", 20, EndCause::Abandoned);
    second.queue = Some("sales".into());
    record(&mut h, second);
    record(&mut h, incoming("b.1", "+380 (50) 222-33-44", 30, EndCause::Abandoned));
    // Not missed calls: a colleague took it; the customer did not answer us; no number.
    record(&mut h, incoming("c.1", "0503334455", 40, EndCause::AnsweredElsewhere { by: None }));
    record(&mut h, call("d.1", Direction::Outgoing, "0504445566", 50, EndCause::NoAnswer));
    record(&mut h, incoming("e.1", "<unknown>", 60, EndCause::NoAnswer));

    let got = h.callbacks(at(0), 10).expect("list");
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(
        got[0],
        Callback {
            number_raw: "+380 (50) 222-33-44".into(),
            number_normalized: "+380502223344".into(),
            caller_name: None,
            customer: None,
            missed: 1,
            first_at: at(30),
            last_at: at(30),
            last_call: ringside_core::CallId::new("b.1"),
            queue: Some("support".into()),
        }
    );
    let a = &got[1];
    assert_eq!((a.number_normalized.as_str(), a.missed, a.first_at, a.last_at), ("0501112233", 2, at(10), at(20)));
    assert_eq!((a.last_call.as_str(), a.queue.as_deref()), ("a.2", Some("sales")));
    assert_eq!(a.caller_name.as_deref(), Some("OLENA K"), "the newest name the PBX gave");
    assert_eq!(a.customer.as_ref().map(|c| c.id.as_str()), Some("7"), "the newest stored customer");
    assert_eq!(h.callbacks(at(0), 1).expect("one").len(), 1, "limit");
    assert_eq!(h.callbacks(at(0), 0).expect("all").len(), 2, "limit 0: all");
    assert_eq!(list(&h, 15), [entry("+380502223344", 1, "b.1"), entry("0501112233", 1, "a.2")], "since");
}

#[test]
fn a_number_leaves_the_list_once_someone_talked_to_the_caller_and_comes_back_with_a_new_miss() {
    let (_dir, mut h) = open();
    // The agent called back and got through.
    record(&mut h, incoming("a.1", "0501112233", 10, EndCause::NoAnswer));
    record(&mut h, call("a.2", Direction::Outgoing, "0501112233", 15, EndCause::Completed));
    // The customer called again and a colleague took it.
    record(&mut h, incoming("b.1", "0502223344", 10, EndCause::NoAnswer));
    record(&mut h, incoming("b.2", "0502223344", 16, EndCause::AnsweredElsewhere { by: None }));
    // …and was transferred.
    record(&mut h, incoming("c.1", "0503334455", 10, EndCause::Abandoned));
    record(&mut h, incoming("c.2", "0503334455", 17, EndCause::Transferred));
    // Called back, but the customer did not answer: still waiting.
    record(&mut h, incoming("d.1", "0504445566", 10, EndCause::NoAnswer));
    record(&mut h, call("d.2", Direction::Outgoing, "0504445566", 18, EndCause::NoAnswer));
    // Answered before the missed call: does not count.
    record(&mut h, incoming("e.1", "0505556677", 5, EndCause::Completed));
    record(&mut h, incoming("e.2", "0505556677", 19, EndCause::NoAnswer));
    assert_eq!(list(&h, 0), [entry("0505556677", 1, "e.2"), entry("0504445566", 1, "d.1")]);

    // A new missed call puts a number back, counting only what came after.
    record(&mut h, incoming("a.3", "0501112233", 30, EndCause::NoAnswer));
    let back = h.callbacks(at(0), 50).expect("list");
    assert_eq!((back[0].number_normalized.as_str(), back[0].missed, back[0].first_at), ("0501112233", 1, at(30)));
}

#[test]
fn marking_a_number_takes_it_off_until_it_misses_again() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    let mut h = History::open(&file).expect("open");
    record(&mut h, incoming("a.1", "0501112233", 10, EndCause::NoAnswer));
    record(&mut h, incoming("a.2", "0501112233", 20, EndCause::NoAnswer));
    record(&mut h, incoming("b.1", "0502223344", 25, EndCause::NoAnswer));
    // A mark before the newest missed call does not count.
    h.mark_called_back("0501112233", at(15)).expect("mark");
    assert_eq!(list(&h, 0), [entry("0502223344", 1, "b.1"), entry("0501112233", 1, "a.2")], "only after the mark");
    h.mark_called_back("0501112233", at(20)).expect("mark at the missed call");
    assert_eq!(list(&h, 0), [entry("0502223344", 1, "b.1")]);
    // An older mark never moves the newer one back.
    h.mark_called_back("0501112233", at(5)).expect("older mark");
    drop(h);
    let mut h = History::open(&file).expect("reopen");
    assert_eq!(list(&h, 0), [entry("0502223344", 1, "b.1")], "kept in the file");
    record(&mut h, incoming("a.3", "0501112233", 40, EndCause::Abandoned));
    assert_eq!(list(&h, 0), [entry("0501112233", 1, "a.3"), entry("0502223344", 1, "b.1")]);

    for bad in ["", "   ", "abc", "050 111", "0501112233\n", &"1".repeat(65)] {
        let err = h.mark_called_back(bad, at(50)).expect_err("not a number key");
        assert!(matches!(err, HistoryError::Invalid(_)), "{bad:?}: {err:?}");
        assert!(err.to_string().contains("not a phone number"), "{err}");
    }
}

#[test]
fn a_mark_waits_in_memory_while_the_file_is_read_only() {
    let (_dir, mut h) = open();
    record(&mut h, incoming("a.1", "0501112233", 10, EndCause::NoAnswer));
    h.set_read_only_for_tests(true).expect("read-only");
    let err = h.mark_called_back("0501112233", at(30)).expect_err("read-only");
    assert!(matches!(err, HistoryError::NotSaved { kept: Kept::CallBack, .. }), "{err:?}");
    assert!(err.kept_in_memory());
    assert!(err.to_string().contains("marked as called back"), "{err}");
    assert!(list(&h, 0).is_empty(), "the list already leaves it out");
    h.set_read_only_for_tests(false).expect("writable");
    assert_eq!(h.flush_pending().expect("flush"), 1);
    assert!(!h.has_pending());
    assert!(list(&h, 0).is_empty());
}

#[test]
fn a_long_history_lists_each_waiting_number_once_newest_first() {
    let (_dir, mut h) = open();
    for i in 0..300u64 {
        let cause = if i % 3 == 0 { EndCause::Completed } else { EndCause::NoAnswer };
        record(&mut h, incoming(&format!("m.{i}"), &format!("050{:07}", i % 40), i * 10, cause));
    }
    let all = h.callbacks(Timestamp::from_millis(0), 0).expect("list");
    let mut numbers: Vec<&str> = all.iter().map(|c| c.number_normalized.as_str()).collect();
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), all.len(), "one entry per number");
    assert!(!all.is_empty() && all.len() < 40, "numbers whose last call was answered are not listed");
    assert!(all.windows(2).all(|w| w[0].last_at > w[1].last_at), "newest first");
    let recent = h.callbacks(at(2900), 0).expect("recent");
    assert!(!recent.is_empty() && recent.iter().all(|c| c.first_at >= at(2900)), "{recent:#?}");
}
