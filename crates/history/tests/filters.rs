//! The History's filters as the desk uses them, on a real history file: by agent (extension,
//! or name in any case), by connection, by call id (exact, or a prefix of 4+ characters); and
//! the agents and connections the history has seen, which fill the filters' choices.

mod common;

use common::*;
use ringside_core::{CallCard, Direction, EndCause};
use ringside_history::{AgentSeen, CallContext, ConnectionSeen, History, HistoryQuery, MIN_CALL_ID_PREFIX};

fn open() -> (tempfile::TempDir, History) {
    let dir = tempfile::tempdir().expect("temp dir");
    let history = History::open(&dir.path().join("history.sqlite")).expect("open");
    (dir, history)
}

/// An ended call `id` ringing at `at(secs)`.
fn call(id: &str, secs: u64) -> CallCard {
    let mut card = ringing(id);
    card.ring_at = at(secs);
    card.as_of = at(secs);
    ended(card, EndCause::Completed, secs + 30)
}

fn by(extension: &str, name: Option<&str>, connection: Option<&str>) -> CallContext {
    CallContext {
        agent_extension: extension.into(),
        agent_name: name.map(Into::into),
        connection: connection.map(Into::into),
        dialed_number: None,
    }
}

fn ids(h: &History, query: &HistoryQuery) -> Vec<String> {
    h.search(query).expect("search").into_iter().map(|r| r.call_id.0).collect()
}

fn agent(a: &str) -> HistoryQuery {
    HistoryQuery { agent: Some(a.into()), ..HistoryQuery::default() }
}

fn connection(c: &str) -> HistoryQuery {
    HistoryQuery { connection: Some(c.into()), ..HistoryQuery::default() }
}

fn call_id(id: &str) -> HistoryQuery {
    HistoryQuery { call_id: Some(id.into()), ..HistoryQuery::default() }
}

/// A desk's history: Olena on extension 100 over the PBX and her softphone ("office"), the same
/// Olena typed in capitals on extension 105 (she moved desks), Taras on 101, an early call on
/// 100 from before the config had a name, and a provider's call with a UUID for an id.
fn desk(h: &mut History) {
    let mut outgoing = call("1732000300.7", 300);
    outgoing.direction = Direction::Outgoing;
    let calls = [
        (call("1732000000.10", 0), by("100", None, Some("pbx"))),
        (call("1732000100.11", 100), by("100", Some("Olena Kovalenko"), Some("pbx"))),
        (call("1732000200.5", 200), by("101", Some("Taras"), Some("office"))),
        (outgoing, by("100", Some("Olena Kovalenko"), Some("office"))),
        (call("3c1f0a9e-77aa-4b1e-9d2f-0e8c1a2b3c4d", 400), by("105", Some("OLENA KOVALENKO"), Some("binotel"))),
        (call("abc", 500), by("101", Some("Taras"), None)),
    ];
    for (card, ctx) in calls {
        h.record_card(&card, &ctx).expect("record");
    }
}

#[test]
fn an_agent_is_found_by_extension_or_by_name_in_any_case() {
    let (_dir, mut h) = open();
    desk(&mut h);
    assert_eq!(ids(&h, &agent("100")), ["1732000300.7", "1732000100.11", "1732000000.10"], "every call on 100");
    assert_eq!(
        ids(&h, &agent("olena kovalenko")),
        ["3c1f0a9e-77aa-4b1e-9d2f-0e8c1a2b3c4d", "1732000300.7", "1732000100.11"],
        "her name on any extension, in any case; not the call before the config named her"
    );
    assert_eq!(ids(&h, &agent("  OLENA Kovalenko ")).len(), 3, "spaces around it do not count");
    assert!(ids(&h, &agent("Olena")).is_empty(), "a name is matched whole, not a part of it");
    assert!(ids(&h, &agent("10")).is_empty(), "an extension is matched exactly");
    assert_eq!(ids(&h, &agent("TARAS")), ["abc", "1732000200.5"]);
    assert!(ids(&h, &agent("102")).is_empty(), "nobody");
    assert_eq!(ids(&h, &agent("  ")).len(), 6, "blank: no filter");
}

#[test]
fn a_connection_is_matched_exactly() {
    let (_dir, mut h) = open();
    desk(&mut h);
    assert_eq!(ids(&h, &connection("office")), ["1732000300.7", "1732000200.5"]);
    assert_eq!(ids(&h, &connection("pbx")), ["1732000100.11", "1732000000.10"]);
    assert!(ids(&h, &connection("Office")).is_empty(), "a connection's name is matched as the config spells it");
    assert!(ids(&h, &connection("off")).is_empty());
    assert_eq!(ids(&h, &connection("")).len(), 6, "blank: no filter");
}

#[test]
fn a_call_id_is_matched_exactly_or_by_a_prefix_of_four_characters_or_more() {
    let (_dir, mut h) = open();
    desk(&mut h);
    assert_eq!(MIN_CALL_ID_PREFIX, 4);
    assert_eq!(ids(&h, &call_id("1732000100.11")), ["1732000100.11"], "the whole id");
    assert_eq!(ids(&h, &call_id("1732000000.1")), ["1732000000.10"], "a prefix");
    assert_eq!(ids(&h, &call_id("1732")), ["1732000300.7", "1732000200.5", "1732000100.11", "1732000000.10"]);
    assert_eq!(ids(&h, &call_id("3c1f0a9e")), ["3c1f0a9e-77aa-4b1e-9d2f-0e8c1a2b3c4d"], "a UUID's first block");
    assert_eq!(ids(&h, &call_id("abc")), ["abc"], "3 characters: exactly that id");
    assert!(ids(&h, &call_id("173")).is_empty(), "3 characters are not a prefix");
    assert!(ids(&h, &call_id("2000")).is_empty(), "a prefix is the start of the id, not a part of it");
    assert!(ids(&h, &call_id("1732%")).is_empty(), "no wildcards");
    assert!(ids(&h, &call_id("1732' OR 1=1 --")).is_empty(), "hostile text matches nothing");
}

#[test]
fn filters_combine_with_each_other_and_with_search_and_the_export() {
    let (_dir, mut h) = open();
    desk(&mut h);
    let query = HistoryQuery {
        agent: Some("olena kovalenko".into()),
        connection: Some("office".into()),
        call_id: Some("1732".into()),
        ..HistoryQuery::default()
    };
    assert_eq!(ids(&h, &query), ["1732000300.7"]);
    let outgoing = HistoryQuery { direction: Some(Direction::Outgoing), ..agent("100") };
    assert_eq!(ids(&h, &outgoing), ["1732000300.7"]);
    let words = HistoryQuery { text: Some("044 123 45 67".into()), since: Some(at(150)), ..agent("101") };
    assert_eq!(ids(&h, &words), ["abc", "1732000200.5"]);
    let page = HistoryQuery { limit: 1, ..agent("100") };
    assert_eq!(ids(&h, &page), ["1732000300.7"]);

    // As the window sends it: only the fields the agent set.
    let json: HistoryQuery =
        serde_json::from_str(r#"{"agent": "100", "connection": "pbx", "call_id": "1732", "limit": 50}"#).expect("json");
    assert_eq!(ids(&h, &json), ["1732000100.11", "1732000000.10"]);

    let mut csv = Vec::new();
    assert_eq!(h.export_csv(&connection("office"), &mut csv).expect("export"), 2);
    let text = String::from_utf8(csv).expect("UTF-8");
    assert_eq!(text.lines().count(), 3, "header and the two calls: {text}");
}

#[test]
fn the_choices_are_the_agents_and_connections_seen_newest_first() {
    let (_dir, mut h) = open();
    assert!(h.agents().expect("agents").is_empty());
    assert!(h.connections().expect("connections").is_empty());
    desk(&mut h);
    assert_eq!(
        h.agents().expect("agents"),
        [
            AgentSeen { extension: "101".into(), name: Some("Taras".into()), last_at: at(500) },
            AgentSeen { extension: "105".into(), name: Some("OLENA KOVALENKO".into()), last_at: at(400) },
            AgentSeen { extension: "100".into(), name: Some("Olena Kovalenko".into()), last_at: at(300) },
        ],
        "one per extension, its newest call first, with the name of its newest call that had one"
    );
    assert_eq!(
        h.connections().expect("connections"),
        [
            ConnectionSeen { name: "binotel".into(), last_at: at(400) },
            ConnectionSeen { name: "office".into(), last_at: at(300) },
            ConnectionSeen { name: "pbx".into(), last_at: at(100) },
        ],
        "calls without a connection add none"
    );
    // A call's later cards change nothing; a newer call moves its agent and connection up.
    h.record_card(&call("1732000100.11", 100), &by("100", Some("Olena Kovalenko"), Some("pbx"))).expect("again");
    assert_eq!(h.agents().expect("agents").len(), 3);
    h.record_card(&call("1732000600.1", 600), &by("100", None, Some("pbx"))).expect("newer");
    let agents = h.agents().expect("agents");
    assert_eq!(
        agents[0],
        AgentSeen { extension: "100".into(), name: Some("Olena Kovalenko".into()), last_at: at(600) },
        "a call without a name keeps the name the extension had"
    );
    assert_eq!(h.connections().expect("connections")[0].name, "pbx");
    // An extension nobody set and no name (a run without an agent) is no choice.
    h.record_card(&call("1732000700.1", 700), &by("", None, None)).expect("no agent");
    assert_eq!(h.agents().expect("agents").len(), 3);

    let json = serde_json::to_value(&agents[0]).expect("json");
    assert_eq!(json, serde_json::json!({"extension": "100", "name": "Olena Kovalenko", "last_at": at(600).0}));
    let json = serde_json::to_value(&h.connections().expect("connections")[0]).expect("json");
    assert_eq!(json, serde_json::json!({"name": "pbx", "last_at": at(600).0}));
}

#[test]
fn calls_waiting_in_memory_are_filtered_and_listed_too() {
    let (_dir, mut h) = open();
    desk(&mut h);
    h.set_read_only_for_tests(true).expect("read-only");
    let unsaved = call("1732000800.1", 800);
    let err = h.record_card(&unsaved, &by("107", Some("Nadiia"), Some("zadarma"))).expect_err("read-only");
    assert!(err.kept_in_memory());
    assert_eq!(ids(&h, &agent("NADIIA")), ["1732000800.1"]);
    assert_eq!(ids(&h, &agent("107")), ["1732000800.1"]);
    assert_eq!(ids(&h, &connection("zadarma")), ["1732000800.1"]);
    assert_eq!(ids(&h, &call_id("1732000800")), ["1732000800.1"]);
    assert_eq!(h.agents().expect("agents")[0].extension, "107");
    assert_eq!(h.connections().expect("connections")[0].name, "zadarma");
    h.set_read_only_for_tests(false).expect("writable");
    assert_eq!(h.flush_pending().expect("flush"), 1);
    assert_eq!(ids(&h, &agent("nadiia")), ["1732000800.1"], "and from the file once written");
    assert_eq!(h.agents().expect("agents")[0].extension, "107");
}

#[test]
fn thousands_of_calls_under_one_prefix_or_one_agent_page_newest_first() {
    let (_dir, mut h) = open();
    // 2,500 calls (more than the id index hands over as a list), written in another order
    // than they rang, ids sharing "1732"; every fifth on agent 101.
    let calls = (0..2_500u64).map(|i| {
        let ring = (i * 7_919) % 2_500 * 10;
        let ctx = if i % 5 == 0 { by("101", Some("Taras"), Some("office")) } else { ctx() };
        (call(&format!("1732{i:06}.1"), ring), ctx, None)
    });
    assert_eq!(h.record_many_for_benches(calls).expect("bulk"), 2_500);
    let mut all = h.search(&HistoryQuery::default()).expect("everything");
    all.sort_by(|a, b| (b.ring_at, &b.call_id).cmp(&(a.ring_at, &a.call_id)));
    let newest = |keep: &dyn Fn(&ringside_history::CallRecord) -> bool, n: usize| -> Vec<String> {
        all.iter().filter(|r| keep(r)).take(n).map(|r| r.call_id.0.clone()).collect()
    };
    let page = HistoryQuery { call_id: Some("1732".into()), limit: 50, ..HistoryQuery::default() };
    assert_eq!(ids(&h, &page), newest(&|_| true, 50));
    assert_eq!(ids(&h, &HistoryQuery { limit: 0, ..page.clone() }).len(), 2_500, "an export gets them all");
    let narrower = HistoryQuery { call_id: Some("1732000".into()), limit: 50, ..HistoryQuery::default() };
    assert_eq!(ids(&h, &narrower), newest(&|r| r.call_id.0.starts_with("1732000"), 50));
    let taras = HistoryQuery { agent: Some("taras".into()), limit: 50, ..HistoryQuery::default() };
    assert_eq!(ids(&h, &taras), newest(&|r| r.agent_extension == "101", 50));
    let office = HistoryQuery { connection: Some("office".into()), ..HistoryQuery::default() };
    assert_eq!(ids(&h, &office).len(), 500);
    // With a word in every call, and with each other.
    let word = |query: HistoryQuery| HistoryQuery { text: Some("ivanenko".into()), ..query };
    assert_eq!(ids(&h, &word(taras.clone())), newest(&|r| r.agent_extension == "101", 50));
    let taras_prefix = HistoryQuery { call_id: Some("1732".into()), ..taras.clone() };
    assert_eq!(ids(&h, &taras_prefix), newest(&|r| r.agent_extension == "101", 50));
    assert_eq!(ids(&h, &word(taras_prefix)), newest(&|r| r.agent_extension == "101", 50));
    let olena_prefix = HistoryQuery { agent: Some("100".into()), ..page.clone() };
    assert_eq!(ids(&h, &word(olena_prefix)), newest(&|r| r.agent_extension == "100", 50));
    let missed = HistoryQuery { missed_only: true, ..page };
    assert!(ids(&h, &missed).is_empty(), "a prefix's newest calls that are not missed are no page");
}
