//! Searching the history as an agent would: by a number however it is typed, by a name, a
//! company, a queue or a word of a note; missed calls only; between two dates.

mod common;

use common::*;
use ringside_core::{CallCard, CallId, Direction, EndCause, LookupState};
use ringside_history::{History, HistoryError, HistoryQuery, Outcome, StoredCustomer};

fn open() -> (tempfile::TempDir, History) {
    let dir = tempfile::tempdir().expect("temp dir");
    let history = History::open(&dir.path().join("history.sqlite")).expect("open");
    (dir, history)
}

/// An ended incoming call from `number` (raw) ringing at `at(secs)`.
fn call(id: &str, number: &str, caller: Option<&str>, secs: u64, cause: EndCause) -> CallCard {
    let mut card = ringing(id);
    card.number = number.into();
    card.number_normalized = ringside_core::number::normalize_digits(number);
    card.caller_name = caller.map(Into::into);
    card.queue = None;
    card.ring_at = at(secs);
    card.as_of = at(secs);
    ended(card, cause, secs + 30)
}

fn text(text: &str) -> HistoryQuery {
    HistoryQuery { text: Some(text.into()), ..HistoryQuery::default() }
}

fn ids(h: &History, query: &HistoryQuery) -> Vec<String> {
    h.search(query).expect("search").into_iter().map(|r| r.call_id.0).collect()
}

#[test]
fn a_number_is_found_however_it_is_typed() {
    let (_dir, mut h) = open();
    h.record_card(&call("kyiv", "380441234567", None, 10, EndCause::Completed), &ctx()).expect("record");
    h.record_card(&call("plus", "+380 (44) 123-45-67", None, 20, EndCause::Completed), &ctx()).expect("record");
    h.record_card(&call("other", "+48 601 987 654", None, 30, EndCause::Completed), &ctx()).expect("record");
    for typed in [
        "044 123 45 67",
        "+380 44 123 4567",
        "441234567",
        "+380 (44) 123-45-67",
        "0441234567",
        "(044) 123.45.67",
        "123-45-67",
    ] {
        assert_eq!(ids(&h, &text(typed)), ["plus", "kyiv"], "{typed:?}");
    }
    assert_eq!(ids(&h, &text("601 987 654")), ["other"]);
    assert!(ids(&h, &text("+380 44 765 4321")).is_empty(), "another number finds nothing");

    // The same nine digits in another country: the whole number tells them apart.
    h.record_card(&call("warsaw", "+48 441 234 567", None, 40, EndCause::Completed), &ctx()).expect("record");
    assert_eq!(ids(&h, &text("441 234 567")), ["warsaw", "plus", "kyiv"]);
    assert_eq!(ids(&h, &text("+380 44 123 4567")), ["plus", "kyiv"]);
    assert_eq!(ids(&h, &text("+48 441 234 567")), ["warsaw"]);
}

#[test]
fn names_companies_queues_and_notes_are_found_in_any_case_and_every_word_must_match() {
    let (_dir, mut h) = open();
    let mut olena = call("olena", "0501112233", Some("KOVALENKO OLENA"), 10, EndCause::Completed);
    olena.lookup = LookupState::Done;
    olena.customers = vec![customer("7", true)];
    olena.customers[0].name = "Олена Коваленко".into();
    olena.customers[0].company = Some("ТОВ Ромашка".into());
    olena.queue = Some("Support-UA".into());
    h.record_card(&olena, &ctx()).expect("record");
    h.record_card(&call("piotr", "0502223344", Some("Piotr Wiśniewski"), 20, EndCause::Completed), &ctx())
        .expect("record");
    h.save_note(&CallId::new("piotr"), "Zamówienie nie dotarło; wants a REFUND").expect("note");

    assert_eq!(ids(&h, &text("kovalenko")), ["olena"]);
    assert_eq!(ids(&h, &text("КОВАЛЕНКО")), ["olena"], "Cyrillic case is folded");
    assert_eq!(ids(&h, &text("ромашка")), ["olena"], "the company");
    assert_eq!(ids(&h, &text("support")), ["olena"], "the queue");
    assert_eq!(ids(&h, &text("refund")), ["piotr"], "a word of the note");
    assert_eq!(ids(&h, &text("zamowienie")), ["piotr"], "accents are folded");
    assert_eq!(ids(&h, &text("wisniewski")), ["piotr"]);
    assert_eq!(ids(&h, &text("iśn")), ["piotr"], "inside a word");
    assert_eq!(ids(&h, &text("piotr refund")), ["piotr"], "both words");
    assert!(ids(&h, &text("piotr kovalenko")).is_empty(), "every word must match");
    assert_eq!(ids(&h, &text("   ")), ["piotr", "olena"], "a blank text is no filter");
}

#[test]
fn words_of_one_or_two_characters_still_work() {
    let (_dir, mut h) = open();
    h.record_card(&call("ua", "0501112233", Some("Олена"), 10, EndCause::Completed), &ctx()).expect("record");
    h.record_card(&call("pl", "0502223344", Some("Ola Nowak"), 20, EndCause::Completed), &ctx()).expect("record");
    h.record_card(&call("x", "0509998877", Some("Taras"), 30, EndCause::Completed), &ctx()).expect("record");
    assert_eq!(ids(&h, &text("ол")), ["ua"], "Cyrillic, lower case");
    assert_eq!(ids(&h, &text("ОЛ")), ["ua"], "Cyrillic, upper case");
    assert_eq!(ids(&h, &text("OL")), ["pl"]);
    assert_eq!(ids(&h, &text("ol nowak")), ["pl"], "with a longer word");
    assert_eq!(ids(&h, &text("T")), ["x"], "one letter");
    assert_eq!(ids(&h, &text("77")), ["x"], "two digits");
}

#[test]
fn hostile_text_neither_fails_nor_matches_everything() {
    let (_dir, mut h) = open();
    h.record_card(&call("a", "0501112233", Some("Olena"), 10, EndCause::Completed), &ctx()).expect("record");
    h.record_card(&call("b", "0502223344", Some("Taras"), 20, EndCause::Completed), &ctx()).expect("record");
    h.save_note(&CallId::new("b"), r#"He said "NEAR" and *twice*"#).expect("note");
    for hostile in [
        "\"",
        "\"\"",
        "*",
        "NEAR",
        "NEAR(olena taras)",
        "AND",
        "OR",
        "olena OR taras",
        "olena NOT taras",
        "-taras",
        "'; DROP TABLE calls; --",
        "' OR 1=1 --",
        "text:olena",
        "^olena",
        "{text}: olena",
        "olena*",
        "%",
        "_",
        "\u{0}",
        "ol\u{0}ena",
        "\u{7}\u{1b}[31m",
        "\u{301}\u{301}\u{301}",
    ] {
        let found = h.search(&text(hostile)).unwrap_or_else(|e| panic!("{hostile:?}: {e}"));
        assert!(found.len() < 2, "{hostile:?} matched everything");
    }
    // Quotes and stars are just characters.
    assert_eq!(ids(&h, &text(r#""NEAR""#)), ["b"]);
    assert_eq!(ids(&h, &text("*twice*")), ["b"]);
    assert_eq!(ids(&h, &text("ol\u{0}ena")), ["a"], "a NUL splits words: 'ol' and 'ena' are both in Olena");
    assert!(ids(&h, &text("\u{0}\u{1b}")).is_empty(), "nothing but control characters finds nothing");
    assert_eq!(ids(&h, &text(" \t\n")).len(), 2, "while a blank text is no filter");
    // Too much text is refused in words, not with an SQL error.
    let err = h.search(&text(&"olena ".repeat(2000))).expect_err("10 kB");
    assert!(matches!(err, HistoryError::Invalid(_)), "{err:?}");
    assert!(err.to_string().contains("too long"), "{err}");
    assert_eq!(h.recent(10).expect("the table is still there").len(), 2);
}

#[test]
fn filters_narrow_and_the_newest_comes_first() {
    let (_dir, mut h) = open();
    let mut outgoing = call("out-missed", "0501112233", None, 50, EndCause::NoAnswer);
    outgoing.direction = Direction::Outgoing;
    for card in [
        call("missed", "0501112233", None, 10, EndCause::NoAnswer),
        call("abandoned", "0501112233", None, 20, EndCause::Abandoned),
        call("elsewhere", "0501112233", None, 30, EndCause::AnsweredElsewhere { by: None }),
        call("answered", "0501112233", None, 40, EndCause::Completed),
        outgoing,
        call("same-time-b", "0501112233", None, 60, EndCause::NoAnswer),
        call("same-time-a", "0501112233", None, 60, EndCause::NoAnswer),
    ] {
        h.record_card(&card, &ctx()).expect("record");
    }
    let missed = HistoryQuery { missed_only: true, ..HistoryQuery::default() };
    assert_eq!(ids(&h, &missed), ["same-time-b", "same-time-a", "abandoned", "missed"]);
    let window = HistoryQuery { since: Some(at(20)), until: Some(at(60)), ..HistoryQuery::default() };
    assert_eq!(ids(&h, &window), ["out-missed", "answered", "elsewhere", "abandoned"], "since ≤ ring < until");
    let out = HistoryQuery { direction: Some(Direction::Outgoing), ..HistoryQuery::default() };
    assert_eq!(ids(&h, &out), ["out-missed"]);
    let answered =
        HistoryQuery { outcome: Some(Outcome::Answered), text: Some("050 111".into()), ..Default::default() };
    assert_eq!(ids(&h, &answered), ["answered"]);
    let page = HistoryQuery { limit: 2, ..HistoryQuery::default() };
    assert_eq!(ids(&h, &page), ["same-time-b", "same-time-a"]);
    assert_eq!(ids(&h, &HistoryQuery::default()).len(), 7, "limit 0: all");
    let json: HistoryQuery = serde_json::from_str(r#"{"missed_only": true, "limit": 1}"#).expect("json");
    assert_eq!(ids(&h, &json), ["same-time-b"], "the UI sends only what it sets");
}

#[test]
fn the_index_follows_every_write() {
    let (dir, mut h) = open();
    let id = CallId::new("n.1");
    // A note typed before the call's first card arrived.
    h.save_note(&id, "early bird").expect("note first");
    assert!(ids(&h, &text("early")).is_empty(), "no call yet");
    let mut card = call("n.1", "0501112233", Some("Olena"), 10, EndCause::Completed);
    h.record_card(&card, &ctx()).expect("record");
    assert_eq!(ids(&h, &text("early")), ["n.1"], "picked up when the call arrived");
    h.save_note(&id, "late owl").expect("edit");
    assert!(ids(&h, &text("early")).is_empty(), "the old text is gone");
    assert_eq!(ids(&h, &text("owl")), ["n.1"]);
    h.save_note(&id, "").expect("emptied");
    assert!(ids(&h, &text("owl")).is_empty());
    card.caller_name = Some("Taras".into());
    h.record_card(&card, &ctx()).expect("a newer caller name");
    assert_eq!(ids(&h, &text("taras")), ["n.1"]);
    assert!(ids(&h, &text("olena")).is_empty(), "the old name is gone");
    let mut chosen = card.clone();
    chosen.lookup = LookupState::Done;
    chosen.customers = vec![customer("9", true)];
    h.record_card(&chosen, &ctx()).expect("customer picked");
    assert_eq!(ids(&h, &text("customer 9 acme")), ["n.1"]);
    drop(h);

    // Another program deletes the call (or the note): the index forgets it, and stays sound.
    let raw = rusqlite::Connection::open(dir.path().join("history.sqlite")).expect("raw");
    raw.execute("DELETE FROM calls WHERE call_id = 'n.1'", []).expect("delete");
    let hits: i64 = raw
        .query_row("SELECT count(*) FROM calls_fts WHERE calls_fts MATCH '\"taras\"'", [], |r| r.get(0))
        .expect("match");
    assert_eq!(hits, 0);
    raw.execute("INSERT INTO calls_fts (calls_fts) VALUES ('integrity-check')", []).expect("index is sound");
    drop(raw);
    let h = History::open(&dir.path().join("history.sqlite")).expect("reopen");
    assert!(ids(&h, &text("taras")).is_empty());
}

#[test]
fn unsaved_changes_are_searched_too() {
    let (_dir, mut h) = open();
    h.record_card(&call("saved", "0501112233", Some("Olena"), 10, EndCause::Completed), &ctx()).expect("record");
    let mut open_call = ringing("open");
    open_call.number = "0503334455".into();
    open_call.number_normalized = Some("0503334455".into());
    open_call.ring_at = at(20);
    h.record_card(&open_call, &ctx()).expect("record");

    h.set_read_only_for_tests(true).expect("read-only");
    let unsaved = call("unsaved", "0509998877", Some("Mykola"), 30, EndCause::NoAnswer);
    assert!(h.record_card(&unsaved, &ctx()).expect_err("read-only").kept_in_memory());
    assert!(h.save_note(&CallId::new("saved"), "promised a discount").expect_err("read-only").kept_in_memory());
    let ended_open = ended(open_call, EndCause::Completed, 40);
    assert!(h.record_card(&ended_open, &ctx()).expect_err("read-only").kept_in_memory());

    let found = h.search(&text("mykola")).expect("search");
    assert_eq!(found.iter().map(|r| r.call_id.as_str()).collect::<Vec<_>>(), ["unsaved"]);
    assert!(found[0].unsaved);
    assert_eq!(ids(&h, &text("discount")), ["saved"], "an unsaved note");
    let in_progress = HistoryQuery { outcome: Some(Outcome::InProgress), ..HistoryQuery::default() };
    assert!(ids(&h, &in_progress).is_empty(), "the open call ended in memory");
    let missed = HistoryQuery { missed_only: true, ..HistoryQuery::default() };
    assert_eq!(ids(&h, &missed), ["unsaved"]);
    assert_eq!(ids(&h, &HistoryQuery::default()), ["unsaved", "open", "saved"], "merged in order");
    assert_eq!(ids(&h, &HistoryQuery { limit: 2, ..HistoryQuery::default() }), ["unsaved", "open"]);

    h.set_read_only_for_tests(false).expect("writable");
    assert_eq!(h.flush_pending().expect("flush"), 3);
    assert_eq!(ids(&h, &text("discount")), ["saved"], "and from the file once written");
    assert_eq!(ids(&h, &text("mykola")), ["unsaved"]);
}

#[test]
fn a_customer_found_later_is_searchable_and_serializes() {
    let (_dir, mut h) = open();
    let mut card = call("c.1", "0501112233", None, 10, EndCause::Completed);
    h.record_card(&card, &ctx()).expect("record");
    card.lookup = LookupState::Done;
    card.customers = vec![customer("42", false)];
    h.record_card(&card, &ctx()).expect("found");
    let found = h.search(&text("acme")).expect("search");
    let expected = StoredCustomer {
        source: "directory".into(),
        id: "42".into(),
        name: "Customer 42".into(),
        company: Some("Acme".into()),
        url: Some("https://crm.example/c/42".into()),
        deal: None,
    };
    assert_eq!(found.first().and_then(|r| r.customer.clone()), Some(expected));
}

#[test]
fn the_deal_the_call_is_logged_to_is_kept_with_its_title_and_follows_the_agent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("history.sqlite");
    let mut h = History::open(&path).expect("open");
    let mut card = call("c.1", "0501112233", None, 10, EndCause::Completed);
    card.lookup = LookupState::Done;
    let deal = |id: &str, title: &str| ringside_core::OrderSummary {
        id: Some(id.into()),
        title: title.into(),
        status: Some("NEW".into()),
        amount: None,
        money: None,
    };
    let mut olena = customer("contact:12", true);
    olena.orders = vec![deal("40", "Spring order"), deal("31", "Warranty repair")];
    olena.deal = Some("31".into());
    card.customers = vec![olena.clone()];
    h.record_card(&card, &ctx()).expect("record");
    let stored = |h: &History| h.call(&CallId::new("c.1")).expect("read").and_then(|c| c.customer).and_then(|c| c.deal);
    assert_eq!(
        stored(&h),
        Some(ringside_history::StoredDeal { id: "31".into(), title: Some("Warranty repair".into()) })
    );
    // The agent binds it to the newer deal during wrap-up.
    olena.deal = Some("40".into());
    card.customers = vec![olena];
    h.record_card(&card, &ctx()).expect("record the change");
    drop(h);
    let h = History::open(&path).expect("reopen");
    assert_eq!(stored(&h), Some(ringside_history::StoredDeal { id: "40".into(), title: Some("Spring order".into()) }));
}

/// 2,500 calls from "Kovalenko", one in 500 with a rare note; `ring_order` maps the i-th
/// call written to its ring time (seconds).
fn thousands_of_calls(h: &mut History, ring_order: impl Fn(u64) -> u64) {
    let calls = (0..2_500u64).map(|i| {
        let card = call(&format!("k.{i:04}"), "0501112233", Some("Kovalenko"), ring_order(i), EndCause::Completed);
        let note = (i % 500 == 0).then(|| "rare word: zebra".to_owned());
        (card, ctx(), note)
    });
    assert_eq!(h.record_many_for_benches(calls).expect("bulk"), 2_500);
}

#[test]
fn a_word_in_thousands_of_calls_pages_newest_first_like_a_rare_one() {
    // More calls than the index hands over as a list. Calls are usually written as they
    // ring (the newest written are the newest); a clock or a late import can break that.
    for (order, ring_order) in [
        ("written as they rang", Box::new(|i: u64| i * 10) as Box<dyn Fn(u64) -> u64>),
        ("written in any order", Box::new(|i: u64| (i * 7_919) % 2_500 * 10)),
        ("an old row rings last", Box::new(|i: u64| if i == 3 { 90_000 } else { i * 10 })),
    ] {
        let (_dir, mut h) = open();
        thousands_of_calls(&mut h, ring_order);
        let mut all = h.search(&HistoryQuery::default()).expect("everything");
        assert_eq!(all.len(), 2_500, "{order}");
        all.sort_by(|a, b| (b.ring_at, &b.call_id).cmp(&(a.ring_at, &a.call_id)));
        let newest: Vec<String> = all.iter().map(|r| r.call_id.0.clone()).collect();

        let page = HistoryQuery { text: Some("kovalenko".into()), limit: 50, ..HistoryQuery::default() };
        assert_eq!(ids(&h, &page), newest[..50], "{order}");
        let everything = HistoryQuery { text: Some("KOVALENKO".into()), ..HistoryQuery::default() };
        assert_eq!(ids(&h, &everything), newest, "{order}: limit 0 is every call, in order");
        let window = HistoryQuery {
            text: Some("kovalenko".into()),
            since: Some(at(10_000)),
            until: Some(at(10_500)),
            limit: 50,
            ..HistoryQuery::default()
        };
        let in_window: Vec<String> = all
            .iter()
            .filter(|r| r.ring_at >= at(10_000) && r.ring_at < at(10_500))
            .map(|r| r.call_id.0.clone())
            .collect();
        assert_eq!(ids(&h, &window), in_window, "{order}");
        let rare: Vec<String> = all.iter().filter(|r| r.note.is_some()).map(|r| r.call_id.0.clone()).collect();
        assert_eq!(rare.len(), 5, "{order}");
        assert_eq!(ids(&h, &text("zebra kovalenko")), rare, "{order}: few matches, the same order");
    }
}

#[test]
fn the_index_still_points_at_the_right_calls_after_a_vacuum() {
    // The index is keyed by calls.rowid; VACUUM (by another tool, too) must not move them.
    let (dir, mut h) = open();
    for (i, name) in ["Olena", "Taras", "Mykola", "Iryna"].iter().enumerate() {
        let id = format!("v.{i}");
        h.record_card(&call(&id, "0501112233", Some(name), i as u64 * 10, EndCause::Completed), &ctx())
            .expect("record");
    }
    drop(h);
    let raw = rusqlite::Connection::open(dir.path().join("history.sqlite")).expect("raw");
    raw.execute("DELETE FROM calls WHERE call_id IN ('v.0', 'v.2')", []).expect("leave gaps");
    raw.execute_batch("VACUUM").expect("vacuum");
    drop(raw);
    let h = History::open(&dir.path().join("history.sqlite")).expect("reopen");
    assert_eq!(ids(&h, &text("taras")), ["v.1"]);
    assert_eq!(ids(&h, &text("iryna")), ["v.3"]);
    assert!(ids(&h, &text("olena")).is_empty());
}
