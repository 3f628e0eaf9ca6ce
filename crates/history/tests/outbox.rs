//! The CRM write-back outbox's bookkeeping.

mod common;

use common::*;
use ringside_core::{CallId, EndCause, Timestamp};
use ringside_history::{History, HistoryError, OutboxItem, WriteBackStatus};

fn open() -> (tempfile::TempDir, History) {
    let dir = tempfile::tempdir().expect("temp dir");
    let history = History::open(&dir.path().join("history.sqlite")).expect("open");
    (dir, history)
}

fn ended_call(h: &mut History, id: &str, end_secs: u64) -> CallId {
    let card = answered(ringing(id), 1);
    h.record_card(&ended(card, EndCause::Completed, end_secs), &ctx()).expect("call");
    CallId::new(id)
}

fn ms(t: Timestamp) -> u64 {
    t.as_millis()
}

fn only_due(h: &History, now: Timestamp) -> OutboxItem {
    let mut due = h.due(now, 10).expect("due");
    assert_eq!(due.len(), 1, "exactly one item due: {due:?}");
    due.remove(0)
}

#[test]
fn only_ended_calls_are_queued_and_only_once_per_crm() {
    let (_dir, mut h) = open();
    h.record_card(&ringing("live"), &ctx()).expect("live call");
    let err = h.enqueue(&CallId::new("live"), "bitrix", at(1)).expect_err("still ringing");
    assert!(matches!(err, HistoryError::CallNotEnded(_)), "{err:?}");
    let err = h.enqueue(&CallId::new("nobody"), "bitrix", at(1)).expect_err("unknown");
    assert!(matches!(err, HistoryError::NoSuchCall(_)), "{err:?}");
    let id = ended_call(&mut h, "c1", 30);
    let err = h.enqueue(&id, "  ", at(1)).expect_err("no name");
    assert!(matches!(err, HistoryError::Invalid(_)), "{err:?}");

    h.enqueue(&id, "bitrix", at(31)).expect("queued");
    h.enqueue(&id, "bitrix", at(31)).expect("again: the same row");
    h.enqueue(&id, "rest", at(31)).expect("another CRM");
    let due = h.due(at(31), 10).expect("due");
    assert_eq!(due.len(), 2);
    assert_eq!((due[0].target.as_str(), due[1].target.as_str()), ("bitrix", "rest"));
    assert_ne!(due[0].idempotency_key, due[1].idempotency_key);
    assert_eq!(due[0].record.call_id, id);
    assert_eq!(due[0].attempts, 0);
    assert!(h.due(at(30), 10).expect("not yet").is_empty(), "due from the enqueue time on");
    let states = h.call(&id).expect("read").expect("call").write_back;
    assert_eq!(states.len(), 2);
    assert!(states.iter().all(|s| s.state == WriteBackStatus::Pending));
}

#[test]
fn due_lists_the_longest_waiting_first_and_respects_the_limit() {
    let (_dir, mut h) = open();
    for (i, secs) in [(1, 50), (2, 10), (3, 30)] {
        let id = ended_call(&mut h, &format!("d{i}"), secs);
        h.enqueue(&id, "crm", at(secs)).expect("queued");
    }
    let ids: Vec<String> = h.due(at(100), 10).expect("due").into_iter().map(|i| i.call_id.0).collect();
    assert_eq!(ids, ["d2", "d3", "d1"]);
    assert_eq!(h.due(at(100), 2).expect("due").len(), 2);
    assert_eq!(h.due(at(40), 10).expect("due").len(), 2);
}

#[test]
fn failures_back_off_doubling_to_an_hour_and_survive_a_reopen() {
    let (dir, mut h) = open();
    let id = ended_call(&mut h, "b1", 10);
    h.enqueue(&id, "bitrix", at(10)).expect("queued");
    let mut now = at(10);
    let mut expected_secs = 15u64;
    for attempt in 1..=10u32 {
        let item = only_due(&h, now);
        assert_eq!(item.attempts, attempt - 1);
        h.mark_failed(&item, "HTTP 503 from the CRM", false, now).expect("failed");
        let r = h.call(&id).expect("read").expect("call");
        let WriteBackStatus::Failed { reason, attempts, next_at: Some(next) } = &r.write_back[0].state else {
            panic!("failed with a next try: {:?}", r.write_back)
        };
        assert_eq!((reason.as_str(), *attempts), ("HTTP 503 from the CRM", attempt));
        let wait = ms(*next) - ms(now);
        let base = expected_secs * 1000;
        assert!(wait >= base * 9 / 10 && wait <= base * 11 / 10, "attempt {attempt}: waited {wait} ms, base {base}");
        assert!(h.due(Timestamp::from_millis(ms(*next) - 1), 10).expect("due").is_empty(), "not before its time");
        now = *next;
        expected_secs = (expected_secs * 2).min(3600);
    }
    // The schedule is in the file.
    drop(h);
    let h = History::open(&dir.path().join("history.sqlite")).expect("reopen");
    let item = only_due(&h, now);
    assert_eq!(item.attempts, 10);
    assert!(h.due(Timestamp::from_millis(ms(now) - 1), 10).expect("due").is_empty());
}

#[test]
fn a_permanent_failure_stops_until_enqueued_again() {
    let (_dir, mut h) = open();
    let id = ended_call(&mut h, "p1", 10);
    h.enqueue(&id, "bitrix", at(10)).expect("queued");
    let item = only_due(&h, at(10));
    h.mark_failed(&item, "  the CRM refused the record: PHONE_NUMBER is invalid ", true, at(11)).expect("refused");
    assert!(h.due(at(1_000_000), 10).expect("due").is_empty(), "never retried by itself");
    let r = h.call(&id).expect("read").expect("call");
    assert_eq!(
        r.write_back[0].state,
        WriteBackStatus::Failed {
            reason: "the CRM refused the record: PHONE_NUMBER is invalid".into(),
            attempts: 1,
            next_at: None
        }
    );
    // The agent fixes the note; the call is queued again: pending, due, the same key.
    h.save_note(&id, "corrected").expect("note");
    h.enqueue(&id, "bitrix", at(20)).expect("again");
    let again = only_due(&h, at(20));
    assert_eq!(again.idempotency_key, item.idempotency_key);
    assert_eq!((again.attempts, again.id), (0, item.id));
    assert_eq!(again.record.note.as_deref(), Some("corrected"));
    assert_eq!(h.call(&id).expect("read").expect("call").write_back[0].state, WriteBackStatus::Pending);
}

#[test]
fn sent_is_not_due_and_shows_in_the_history() {
    let (dir, mut h) = open();
    let id = ended_call(&mut h, "s1", 10);
    h.enqueue(&id, "bitrix", at(10)).expect("queued");
    let item = only_due(&h, at(10));
    h.mark_sent(&item, Some("CALL-991"), at(12)).expect("sent");
    assert!(h.due(at(1_000_000), 10).expect("due").is_empty());
    drop(h);
    let mut h = History::open(&dir.path().join("history.sqlite")).expect("reopen");
    let r = h.call(&id).expect("read").expect("call");
    assert_eq!(r.write_back[0].target, "bitrix");
    assert_eq!(r.write_back[0].idempotency_key, item.idempotency_key);
    assert_eq!(r.write_back[0].state, WriteBackStatus::Sent { remote_id: Some("CALL-991".into()), at: at(12) });

    // A note change after it was sent: queued again, same key, and the CRM's id and the
    // revision it took come along, so the connector sends a change, not a second record.
    assert_eq!(item.written_revision, None, "the first attempt writes the call");
    h.save_note(&id, "one more thing").expect("note");
    h.enqueue(&id, "bitrix", at(40)).expect("again");
    let again = only_due(&h, at(40));
    assert_eq!(again.idempotency_key, item.idempotency_key);
    assert_eq!(again.remote_id.as_deref(), Some("CALL-991"));
    assert_eq!((again.revision, again.written_revision), (2, Some(1)));
    h.mark_sent(&again, None, at(41)).expect("sent");
    let r = h.call(&id).expect("read").expect("call");
    assert_eq!(r.write_back[0].state, WriteBackStatus::Sent { remote_id: Some("CALL-991".into()), at: at(41) });
}

#[test]
fn a_note_changed_while_sending_is_sent_again() {
    let (_dir, mut h) = open();
    let id = ended_call(&mut h, "r1", 10);
    h.save_note(&id, "first").expect("note");
    h.enqueue(&id, "bitrix", at(10)).expect("queued");
    let in_flight = only_due(&h, at(10));
    assert_eq!(in_flight.record.note.as_deref(), Some("first"));
    // While the CRM request is on its way, the agent adds to the note.
    h.save_note(&id, "first, then more").expect("note");
    h.enqueue(&id, "bitrix", at(11)).expect("again");
    h.mark_sent(&in_flight, Some("42"), at(12)).expect("the old state arrived");
    let next = only_due(&h, at(12));
    assert_eq!(next.record.note.as_deref(), Some("first, then more"));
    assert_eq!(
        (next.remote_id.as_deref(), next.idempotency_key.as_str()),
        (Some("42"), in_flight.idempotency_key.as_str())
    );
    assert!(next.revision > in_flight.revision);
    assert_eq!(
        next.written_revision,
        Some(in_flight.revision),
        "the CRM took the older state: the newer one is a change of that record"
    );
    // A permanent refusal of the old state does not stop the new one.
    let (_dir2, mut h2) = open();
    let id2 = ended_call(&mut h2, "r2", 10);
    h2.enqueue(&id2, "bitrix", at(10)).expect("queued");
    let old = only_due(&h2, at(10));
    h2.enqueue(&id2, "bitrix", at(11)).expect("again");
    h2.mark_failed(&old, "invalid", true, at(12)).expect("refused");
    assert!(!h2.due(at(12 + 17), 10).expect("due").is_empty(), "retried with backoff");
}

#[test]
fn a_failed_first_write_is_still_a_first_write() {
    let (_dir, mut h) = open();
    let id = ended_call(&mut h, "f1", 10);
    h.enqueue(&id, "rest", at(10)).expect("queued");
    let item = only_due(&h, at(10));
    h.set_remote_id(&item, "partial-7").expect("partial");
    h.mark_failed(&item, "HTTP 503", false, at(11)).expect("failed");
    h.save_note(&id, "edited meanwhile").expect("note");
    h.enqueue(&id, "rest", at(12)).expect("again");
    let retry = only_due(&h, at(11 + 3600));
    assert_eq!(retry.written_revision, None, "nothing was taken yet: a partial id is not a written record");
    assert_eq!(retry.remote_id.as_deref(), Some("partial-7"));
}

#[test]
fn the_next_due_time_is_the_earliest_waiting_item() {
    let (_dir, mut h) = open();
    assert_eq!(h.next_due().expect("next"), None, "nothing waits");
    let a = ended_call(&mut h, "n1", 10);
    let b = ended_call(&mut h, "n2", 20);
    h.enqueue(&a, "rest", at(10)).expect("queued");
    h.enqueue(&b, "rest", at(20)).expect("queued");
    assert_eq!(h.next_due().expect("next"), Some(at(10)));
    let first = only_due(&h, at(10));
    h.mark_failed(&first, "HTTP 503", false, at(30)).expect("failed");
    assert_eq!(h.next_due().expect("next"), Some(at(20)), "the other one is due first now");
    let second = only_due(&h, at(20));
    h.mark_sent(&second, None, at(31)).expect("sent");
    let retry_at = h.next_due().expect("next").expect("the retry");
    assert!((ms(at(30)) + 13_500..=ms(at(30)) + 16_500).contains(&ms(retry_at)), "15 s ± 10 %: {retry_at:?}");
    let failed = only_due(&h, retry_at);
    h.mark_failed(&failed, "invalid", true, retry_at).expect("given up");
    assert_eq!(h.next_due().expect("next"), None, "sent and given-up items wait for nothing");
}

#[test]
fn a_partial_step_id_is_kept_across_failures() {
    let (dir, mut h) = open();
    let id = ended_call(&mut h, "rid", 10);
    h.enqueue(&id, "bitrix", at(10)).expect("queued");
    let item = only_due(&h, at(10));
    h.set_remote_id(&item, "externalcall.register:7781").expect("partial");
    h.mark_failed(&item, "timeout finishing the call", false, at(11)).expect("failed");
    drop(h);
    let mut h = History::open(&dir.path().join("history.sqlite")).expect("reopen");
    let item = only_due(&h, at(11 + 3600));
    assert_eq!(item.remote_id.as_deref(), Some("externalcall.register:7781"));
    h.mark_failed(&item, "timeout again", false, at(11 + 3600)).expect("failed");
    let item = only_due(&h, at(11 + 7200));
    assert_eq!((item.remote_id.as_deref(), item.attempts), (Some("externalcall.register:7781"), 2));
    let gone = OutboxItem { id: 999, ..item };
    assert!(matches!(h.mark_sent(&gone, None, at(1)), Err(HistoryError::NoSuchItem(999))));
    assert!(matches!(h.set_remote_id(&gone, "x"), Err(HistoryError::NoSuchItem(999))));
}

#[test]
fn an_enqueue_on_a_read_only_file_waits_in_memory() {
    let (_dir, mut h) = open();
    let id = ended_call(&mut h, "m1", 10);
    h.set_read_only_for_tests(true).expect("read-only");
    let err = h.enqueue(&id, "bitrix", at(10)).expect_err("read-only");
    assert!(err.kept_in_memory(), "{err:?}");
    assert!(err.to_string().contains("queued for the CRM"), "{err}");
    assert_eq!(h.call(&id).expect("read").expect("call").write_back[0].state, WriteBackStatus::Pending);
    h.set_read_only_for_tests(false).expect("writable");
    assert_eq!(h.flush_pending().expect("flush"), 1);
    let item = only_due(&h, at(10));
    assert_eq!(item.idempotency_key, h.call(&id).expect("read").expect("call").write_back[0].idempotency_key);
}
