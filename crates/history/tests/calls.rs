//! Calls as the history records them, on real SQLite files.

mod common;

use common::*;
use ringside_core::{CallId, Direction, EndCause, LookupState, Timestamp};
use ringside_history::{CallContext, History, HistoryError, Outcome, WrapUpResult};

fn open() -> (tempfile::TempDir, History) {
    let dir = tempfile::tempdir().expect("temp dir");
    let history = History::open(&dir.path().join("history.sqlite")).expect("open");
    (dir, history)
}

fn get(h: &History, id: &str) -> ringside_history::CallRecord {
    h.call(&CallId::new(id)).expect("read").expect("the call is there")
}

#[test]
fn a_call_is_recorded_through_its_life_and_survives_a_reopen() {
    let (dir, mut h) = open();
    let card = ringing("1.1");
    h.record_card(&card, &ctx()).expect("ringing");
    let r = get(&h, "1.1");
    assert_eq!((r.outcome, r.end_at, r.answer_at), (Outcome::InProgress, None, None));
    assert_eq!(r.number_raw, "+380 (44) 123-45-67");
    assert_eq!(r.number_normalized.as_deref(), Some("380441234567"));
    assert_eq!((r.agent_extension.as_str(), r.agent_name.as_deref()), ("100", Some("Olena")));

    let card = answered(card, 5);
    h.record_card(&card, &ctx()).expect("answered");
    let mut later = card.clone();
    later.ring_at = at(3); // a source that only saw the call later: the first ring time is kept
    later.talk_secs = 10;
    later.as_of = at(15);
    h.record_card(&later, &ctx()).expect("talking");
    assert_eq!(get(&h, "1.1").talk_secs, 10);

    let card = ended(card, EndCause::Completed, 65);
    h.record_card(&card, &ctx()).expect("ended");
    drop(h);
    let h = History::open(&dir.path().join("history.sqlite")).expect("reopen");
    let r = get(&h, "1.1");
    assert_eq!(r.outcome, Outcome::Answered);
    assert_eq!((r.ring_at, r.answer_at, r.end_at), (at(0), Some(at(5)), Some(at(65))));
    assert_eq!(r.talk_secs, 60);
    assert_eq!((r.caller_name.as_deref(), r.queue.as_deref()), (Some("IVANENKO"), Some("support")));
    assert_eq!(r.direction, Direction::Incoming);
    assert_eq!(r.customer, None);
    assert_eq!(r.updated_at, at(65));
}

#[test]
fn every_way_a_call_ends_has_its_outcome() {
    let (_dir, mut h) = open();
    let cases = [
        ("elsewhere", EndCause::AnsweredElsewhere { by: None }, Outcome::AnsweredElsewhere),
        ("missed", EndCause::NoAnswer, Outcome::Missed),
        ("abandoned", EndCause::Abandoned, Outcome::Abandoned),
        ("busy", EndCause::Busy, Outcome::Busy),
        ("transferred", EndCause::Transferred, Outcome::Transferred),
        ("failed", EndCause::Failed("Congestion (cause 34)".into()), Outcome::Failed),
    ];
    for (id, cause, _) in &cases {
        let card = ringing(id);
        h.record_card(&card, &ctx()).expect("ring");
        h.record_card(&ended(card, cause.clone(), 12), &ctx()).expect("end");
    }
    for (id, _, outcome) in &cases {
        let r = get(&h, id);
        assert_eq!(r.outcome, *outcome, "{id}");
        assert_eq!((r.end_at, r.talk_secs), (Some(at(12)), 0), "{id}");
        let failure = (*id == "failed").then(|| "Congestion (cause 34)".to_owned());
        assert_eq!(r.failure, failure, "{id}");
    }
}

#[test]
fn an_outgoing_call_keeps_its_connection_and_the_number_used() {
    let (_dir, mut h) = open();
    let mut card = ringing("out.1");
    card.direction = Direction::Outgoing;
    card.caller_name = None;
    card.queue = None;
    card.status = ringside_core::CardStatus::Dialing;
    let ctx = CallContext {
        agent_extension: "101".into(),
        agent_name: None,
        connection: Some("binotel".into()),
        dialed_number: Some("+380 44 000 00 00".into()),
    };
    h.record_card(&card, &ctx).expect("dialing");
    // Later cards come with a thinner context: what was known stays.
    let thin = CallContext { agent_extension: "101".into(), ..CallContext::default() };
    h.record_card(&ended(answered(card, 4), EndCause::Completed, 34), &thin).expect("ended");
    let r = get(&h, "out.1");
    assert_eq!(r.direction, Direction::Outgoing);
    assert_eq!((r.connection.as_deref(), r.dialed_number.as_deref()), (Some("binotel"), Some("+380 44 000 00 00")));
    assert_eq!((r.outcome, r.talk_secs, r.agent_extension.as_str()), (Outcome::Answered, 30, "101"));
}

#[test]
fn an_outcome_is_never_downgraded_and_an_ended_call_never_reopens() {
    let (_dir, mut h) = open();
    let card = answered(ringing("2.1"), 2);
    h.record_card(&ended(card.clone(), EndCause::Completed, 20), &ctx()).expect("answered");
    h.record_card(&ended(ringing("2.1"), EndCause::NoAnswer, 25), &ctx()).expect("a late 'missed'");
    h.record_card(&card, &ctx()).expect("a stale 'on call'");
    let r = get(&h, "2.1");
    assert_eq!((r.outcome, r.end_at, r.talk_secs, r.answer_at), (Outcome::Answered, Some(at(20)), 18, Some(at(2))));

    // Missed, then a ring-all "answered elsewhere" for the same call: that says more.
    h.record_card(&ended(ringing("2.2"), EndCause::NoAnswer, 9), &ctx()).expect("missed");
    h.record_card(&ended(ringing("2.2"), EndCause::AnsweredElsewhere { by: Some("Agent 101".into()) }, 9), &ctx())
        .expect("elsewhere");
    assert_eq!(get(&h, "2.2").outcome, Outcome::AnsweredElsewhere);
    h.record_card(&ended(ringing("2.2"), EndCause::Abandoned, 9), &ctx()).expect("abandoned");
    assert_eq!(get(&h, "2.2").outcome, Outcome::AnsweredElsewhere);
}

#[test]
fn the_customer_is_the_chosen_one_or_the_only_match() {
    let (_dir, mut h) = open();
    let mut card = ringing("3.1");
    h.record_card(&card, &ctx()).expect("ring");
    card.lookup = LookupState::Done;
    card.customers = vec![customer("7", false)];
    h.record_card(&card, &ctx()).expect("one match");
    let c = get(&h, "3.1").customer.expect("the only match");
    assert_eq!((c.source.as_str(), c.id.as_str(), c.name.as_str()), ("directory", "7", "Customer 7"));
    assert_eq!((c.company.as_deref(), c.url.as_deref()), (Some("Acme"), Some("https://crm.example/c/7")));

    // A retry starts: the lookup is pending again and the list is empty; the customer stays.
    let mut retry = card.clone();
    retry.lookup = LookupState::Pending;
    retry.customers.clear();
    h.record_card(&retry, &ctx()).expect("retry");
    assert_eq!(get(&h, "3.1").customer.map(|c| c.id).as_deref(), Some("7"));

    // Several, none chosen: no customer is claimed.
    card.customers = vec![customer("7", false), customer("8", false)];
    h.record_card(&card, &ctx()).expect("several");
    assert_eq!(get(&h, "3.1").customer, None);

    // The agent picks one.
    card.customers = vec![customer("8", true), customer("7", false)];
    h.record_card(&card, &ctx()).expect("chosen");
    assert_eq!(get(&h, "3.1").customer.map(|c| c.id).as_deref(), Some("8"));

    // Nobody found.
    let mut unknown = ringing("3.2");
    unknown.lookup = LookupState::Done;
    h.record_card(&unknown, &ctx()).expect("unknown");
    assert_eq!(get(&h, "3.2").customer, None);
}

#[test]
fn wrap_up_and_recording_are_kept_and_checked() {
    let (_dir, mut h) = open();
    let id = CallId::new("4.1");
    h.record_card(&ended(answered(ringing("4.1"), 1), EndCause::Completed, 30), &ctx()).expect("call");
    h.set_wrap_up(&id, WrapUpResult::SavedAndCreateCustomer).expect("wrap-up");
    h.set_recording_url(&id, "https://pbx.example/rec/4.1.wav").expect("recording");
    let r = get(&h, "4.1");
    assert_eq!(r.wrap_up, Some(WrapUpResult::SavedAndCreateCustomer));
    assert_eq!(r.recording_url.as_deref(), Some("https://pbx.example/rec/4.1.wav"));
    // A later card does not erase them.
    h.record_card(&ended(answered(ringing("4.1"), 1), EndCause::Completed, 30), &ctx()).expect("again");
    assert_eq!(get(&h, "4.1").wrap_up, Some(WrapUpResult::SavedAndCreateCustomer));

    let err = h.set_recording_url(&id, "javascript:alert(1)").expect_err("not a web address");
    assert!(err.to_string().contains("http:// or https://"), "{err}");
    let err = h.set_wrap_up(&CallId::new("nope"), WrapUpResult::Saved).expect_err("unknown call");
    assert!(matches!(err, HistoryError::NoSuchCall(_)), "{err}");
    assert_eq!(err.to_string(), "there is no call nope in the history");
}

#[test]
fn recent_lists_the_newest_first() {
    let (_dir, mut h) = open();
    for i in 0..5u64 {
        let mut card = ringing(&format!("5.{i}"));
        card.ring_at = at(i * 60);
        card.as_of = card.ring_at;
        h.record_card(&card, &ctx()).expect("record");
    }
    let ids: Vec<String> = h.recent(3).expect("recent").into_iter().map(|r| r.call_id.0).collect();
    assert_eq!(ids, ["5.4", "5.3", "5.2"]);
    assert_eq!(h.recent(100).expect("all").len(), 5);
    assert!(h.call(&CallId::new("none")).expect("read").is_none());
}

#[test]
fn close_interrupted_ends_only_calls_the_pbx_no_longer_has() {
    let (_dir, mut h) = open();
    h.record_card(&answered(ringing("6.live"), 2), &ctx()).expect("live");
    h.record_card(&answered(ringing("6.gone"), 3), &ctx()).expect("gone");
    h.record_card(&ended(ringing("6.done"), EndCause::NoAnswer, 9), &ctx()).expect("done");
    let closed = h.close_interrupted(&[CallId::new("6.live")], at(100)).expect("close");
    assert_eq!(closed, [CallId::new("6.gone")]);
    let gone = get(&h, "6.gone");
    assert_eq!((gone.outcome, gone.end_at), (Outcome::Interrupted, Some(at(100))));
    assert_eq!(get(&h, "6.live").outcome, Outcome::InProgress);
    assert_eq!(get(&h, "6.done").outcome, Outcome::Missed);
    // Nothing more to close; the PBX's own end still replaces "interrupted".
    assert!(h.close_interrupted(&[CallId::new("6.live")], at(101)).expect("again").is_empty());
    h.record_card(&ended(answered(ringing("6.gone"), 3), EndCause::Completed, 50), &ctx()).expect("late end");
    let gone = get(&h, "6.gone");
    assert_eq!((gone.outcome, gone.end_at, gone.talk_secs), (Outcome::Answered, Some(at(50)), 47));
    // A clock behind the call never ends it before it rang.
    h.record_card(&ringing("6.skew"), &ctx()).expect("skew");
    h.close_interrupted(&[CallId::new("6.live")], Timestamp::from_millis(5)).expect("close");
    assert_eq!(get(&h, "6.skew").end_at, Some(at(0)));
}

#[test]
fn a_record_serializes_for_the_ui() {
    let (_dir, mut h) = open();
    h.record_card(&ended(ringing("7.1"), EndCause::Failed("no route".into()), 1), &ctx()).expect("call");
    h.save_note(&CallId::new("7.1"), "called back later").expect("note");
    let json = serde_json::to_value(get(&h, "7.1")).expect("json");
    assert_eq!(json["outcome"], "failed");
    assert_eq!(json["failure"], "no route");
    assert_eq!(json["direction"], "incoming");
    assert_eq!(json["note"], "called back later");
    assert_eq!(json["ring_at"], common::T0);
    assert_eq!(json["write_back"], serde_json::json!([]));
}

#[test]
fn notes_are_saved_as_typed_and_emptied() {
    let (_dir, mut h) = open();
    let id = CallId::new("8.1");
    // A note may come before the call's first card reached the history.
    h.save_note(&id, "H").expect("first letter");
    h.record_card(&ringing("8.1"), &ctx()).expect("card");
    h.save_note(&id, "Hello").expect("more");
    assert_eq!(h.note(&id).expect("note").as_deref(), Some("Hello"));
    let r = get(&h, "8.1");
    assert_eq!(r.note.as_deref(), Some("Hello"));
    assert!(r.note_saved_at.is_some() && !r.unsaved);
    h.save_note(&id, "").expect("cleared");
    assert_eq!(h.note(&id).expect("note"), None);
    assert_eq!(h.note(&CallId::new("none")).expect("note"), None);
}
