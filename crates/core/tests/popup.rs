//! The card window as the agent meets it: the session's cards folded by the popup, with time
//! passed in by hand.

use ringside_core::agent_state::{WrapUpPolicy, WrapUpResult};
use ringside_core::popup::INCOMING_CALL_TAG;
use ringside_core::{
    AgentInput, CallEvent, CallId, CardOpensOn, CustomerMatch, EndCause, LookupOutcome, Notice, NotifyIncoming, Popup,
    PopupConfig, PopupView, RemoteParty, Session, SessionConfig, SessionOutput, Timestamp,
};

/// `ms` milliseconds into the test.
fn ms(ms: u64) -> Timestamp {
    Timestamp(1_700_000_000_000 + ms)
}
fn t(s: u64) -> Timestamp {
    ms(s * 1_000)
}

fn id(n: u32) -> CallId {
    CallId::new(format!("1700000000.{n}"))
}

const CUSTOMER: &str = "+380441234567";
const COLLEAGUE: &str = "101";

/// A session and its card window, fed as the runtime feeds them.
struct Desk {
    session: Session,
    popup: Popup,
}

impl Desk {
    fn new(popup: PopupConfig) -> Self {
        Self::with(SessionConfig::default(), popup)
    }

    fn with(session: SessionConfig, popup: PopupConfig) -> Self {
        let mut desk = Desk { session: Session::new(session), popup: Popup::new(popup) };
        desk.event(CallEvent::SourceConnected { source: "test".into(), at: t(0) });
        desk
    }

    fn feed(&mut self, outs: Vec<SessionOutput>, now: Timestamp) -> Vec<SessionOutput> {
        let mut all = Vec::new();
        for out in outs {
            let extra = self.popup.observe(&out, now);
            all.push(out);
            all.extend(extra);
        }
        all
    }

    fn event(&mut self, event: CallEvent) -> Vec<SessionOutput> {
        let now = event.at();
        let outs = self.session.apply(event);
        self.feed(outs, now)
    }

    fn ring(&mut self, call: CallId, number: &str, at: Timestamp) -> Vec<SessionOutput> {
        let from = RemoteParty { number: number.into(), name: Some(format!("Caller {number}")) };
        self.event(CallEvent::IncomingRinging { call, from, queue: Some("support".into()), at })
    }

    fn answer(&mut self, call: CallId, at: Timestamp) -> Vec<SessionOutput> {
        self.event(CallEvent::Answered { call, at })
    }

    fn end(&mut self, call: CallId, cause: EndCause, at: Timestamp) -> Vec<SessionOutput> {
        self.event(CallEvent::Ended { call, cause, at })
    }

    fn shown(&self) -> Vec<CallId> {
        self.popup.view().calls.clone()
    }
}

fn views(out: &[SessionOutput]) -> Vec<&PopupView> {
    out.iter().filter_map(|o| if let SessionOutput::Popup(v) = o { Some(v) } else { None }).collect()
}

fn incoming_notices(out: &[SessionOutput]) -> Vec<&Notice> {
    out.iter()
        .filter_map(|o| match o {
            SessionOutput::Notice(n @ Notice::IncomingCall { .. }) => Some(n),
            _ => None,
        })
        .collect()
}

fn withdrawn(out: &[SessionOutput]) -> bool {
    out.iter().any(|o| matches!(o, SessionOutput::NoticeWithdrawn { tag } if tag == INCOMING_CALL_TAG))
}

fn opens_on(opens_on: CardOpensOn) -> PopupConfig {
    PopupConfig { opens_on, ..PopupConfig::default() }
}

fn internal_delay(opens_on: CardOpensOn, delay_ms: u64) -> PopupConfig {
    PopupConfig { opens_on, internal_delay_ms: delay_ms, ..PopupConfig::default() }
}

#[test]
fn a_ringing_call_opens_its_card_at_once_and_a_talked_call_stays_after_it_ends() {
    let mut desk = Desk::new(PopupConfig::default());
    let out = desk.ring(id(1), CUSTOMER, t(1));
    assert_eq!(views(&out), [&PopupView { calls: vec![id(1)], more: 0, compact: false }]);
    assert!(incoming_notices(&out).is_empty(), "the card is in view: no notification by default");
    desk.answer(id(1), t(3));
    desk.end(id(1), EndCause::Completed, t(20));
    assert_eq!(desk.shown(), [id(1)], "the agent still writes the note");
    assert_eq!(desk.popup.next_deadline(), None, "a talked call never closes by itself");
    assert!(views(&desk.popup.tick(t(3_600))).is_empty());
    assert_eq!(desk.shown(), [id(1)]);
    let out = desk.popup.dismiss(&id(1), t(3_601));
    assert_eq!(views(&out), [&PopupView::default()], "closed by the agent: the window hides");
}

#[test]
fn a_card_change_that_does_not_change_the_window_sends_no_view() {
    let mut desk = Desk::new(PopupConfig::default());
    desk.ring(id(1), CUSTOMER, t(1));
    let out = desk.session.lookup_started(&id(1), t(1));
    let out = desk.feed(out, t(1));
    assert_eq!(out.len(), 1, "only the card: {out:?}");
    let out = desk.answer(id(1), t(2));
    assert!(views(&out).is_empty(), "{out:?}");
}

#[test]
fn with_opens_on_answer_the_card_opens_when_answered_and_the_ring_is_announced_instead() {
    let mut desk = Desk::new(opens_on(CardOpensOn::Answer));
    let out = desk.ring(id(1), CUSTOMER, t(1));
    assert!(views(&out).is_empty() && desk.shown().is_empty(), "{out:?}");
    assert_eq!(
        incoming_notices(&out),
        [&Notice::IncomingCall { call: id(1), number: CUSTOMER.into(), name: Some(format!("Caller {CUSTOMER}")) }]
    );
    let out = desk.answer(id(1), t(4));
    assert_eq!(desk.shown(), [id(1)]);
    assert!(withdrawn(&out), "answered: the notification goes away: {out:?}");
    // A call that rings out unanswered never opens a card.
    desk.end(id(1), EndCause::Completed, t(9));
    let out = desk.ring(id(2), CUSTOMER, t(10));
    assert!(!incoming_notices(&out).is_empty());
    let out = desk.end(id(2), EndCause::NoAnswer, t(18));
    assert!(withdrawn(&out));
    assert_eq!(desk.shown(), [id(1)]);
}

#[test]
fn with_opens_on_never_only_the_notification_and_the_tray_bring_a_card() {
    let mut desk = Desk::new(opens_on(CardOpensOn::Never));
    let out = desk.ring(id(1), CUSTOMER, t(1));
    assert_eq!(incoming_notices(&out).len(), 1);
    desk.answer(id(1), t(3));
    assert!(desk.shown().is_empty());
    // "Show" (the notification's button, or the tray): the current call's card.
    let out = desk.popup.show(None, t(4)).expect("there is a call");
    assert_eq!(views(&out), [&PopupView { calls: vec![id(1)], more: 0, compact: false }]);
}

#[test]
fn an_internal_call_that_ends_or_is_picked_up_within_the_delay_never_opens_a_card() {
    let mut desk = Desk::new(internal_delay(CardOpensOn::Ringing, 2_000));
    let out = desk.ring(id(1), COLLEAGUE, ms(1_000));
    assert!(views(&out).is_empty());
    assert_eq!(desk.popup.next_deadline(), Some(ms(3_000)));
    // The card is not in view as it rings: the notification says who rings.
    assert_eq!(incoming_notices(&out).len(), 1);
    let out = desk.end(id(1), EndCause::Abandoned, ms(2_500));
    assert!(withdrawn(&out));
    assert_eq!(desk.popup.next_deadline(), None);
    assert!(views(&desk.popup.tick(ms(3_000))).is_empty() && desk.shown().is_empty());

    desk.ring(id(2), COLLEAGUE, ms(10_000));
    desk.answer(id(2), ms(11_000));
    assert!(views(&desk.popup.tick(ms(12_000))).is_empty(), "picked up at once: no card");
    assert!(desk.shown().is_empty());
}

#[test]
fn an_internal_call_still_ringing_after_the_delay_opens_then_and_a_customer_at_once() {
    let mut desk = Desk::new(internal_delay(CardOpensOn::Ringing, 2_000));
    desk.ring(id(1), COLLEAGUE, ms(1_000));
    assert!(views(&desk.popup.tick(ms(2_999))).is_empty());
    let out = desk.popup.tick(ms(3_000));
    assert_eq!(views(&out), [&PopupView { calls: vec![id(1)], more: 0, compact: false }]);
    // The delay is for colleagues only.
    let out = desk.ring(id(2), CUSTOMER, ms(3_500));
    assert_eq!(views(&out), [&PopupView { calls: vec![id(2), id(1)], more: 0, compact: false }]);
}

#[test]
fn a_timer_that_fires_late_still_opens_an_internal_call_that_rang_through_the_delay() {
    let mut desk = Desk::new(internal_delay(CardOpensOn::Ringing, 2_000));
    desk.ring(id(1), COLLEAGUE, ms(1_000));
    // The answer arrives before the runtime's timer ran: it rang for the whole delay.
    desk.answer(id(1), ms(3_200));
    assert_eq!(desk.shown(), [id(1)]);
}

#[test]
fn with_opens_on_answer_an_internal_call_opens_after_the_delay_of_talk() {
    let mut desk = Desk::new(internal_delay(CardOpensOn::Answer, 3_000));
    desk.ring(id(1), COLLEAGUE, t(1));
    desk.answer(id(1), t(2));
    assert!(desk.shown().is_empty());
    assert_eq!(desk.popup.next_deadline(), Some(t(5)));
    desk.popup.tick(t(5));
    assert_eq!(desk.shown(), [id(1)], "still talking after the delay: the card opens");
    // A short internal chat never opens one.
    desk.end(id(1), EndCause::Completed, t(30));
    desk.popup.dismiss(&id(1), t(31));
    desk.ring(id(2), COLLEAGUE, t(40));
    desk.answer(id(2), t(41));
    desk.end(id(2), EndCause::Completed, t(43));
    desk.popup.tick(t(44));
    assert!(desk.shown().is_empty());
}

#[test]
fn simultaneous_calls_stack_newest_first_and_the_rest_count_as_more() {
    let mut desk = Desk::new(PopupConfig::default());
    for n in 1..=4 {
        desk.ring(id(n), &format!("+38044123456{n}"), t(u64::from(n)));
    }
    assert_eq!(desk.popup.view(), &PopupView { calls: vec![id(4), id(3), id(2)], more: 1, compact: false });
    // Closing one brings the hidden one in.
    desk.popup.dismiss(&id(3), t(5));
    assert_eq!(desk.popup.view(), &PopupView { calls: vec![id(4), id(2), id(1)], more: 0, compact: false });
}

#[test]
fn the_call_the_agent_talks_on_is_never_hidden_and_a_ring_behind_it_is_announced() {
    let config = PopupConfig { stack_limit: 1, ..PopupConfig::default() };
    let mut desk = Desk::new(config);
    desk.ring(id(1), CUSTOMER, t(1));
    desk.answer(id(1), t(2));
    let out = desk.ring(id(2), "+380501112233", t(3));
    assert_eq!(desk.popup.view(), &PopupView { calls: vec![id(1)], more: 1, compact: false });
    assert_eq!(incoming_notices(&out).len(), 1, "the second caller's card is not in view: {out:?}");
}

#[test]
fn a_call_a_colleague_answered_closes_by_itself_after_the_delay_naming_who() {
    let mut desk = Desk::new(PopupConfig { autoclose_secs: 5, ..PopupConfig::default() });
    desk.ring(id(1), CUSTOMER, t(1));
    let out = desk.end(id(1), EndCause::AnsweredElsewhere { by: Some("101".into()) }, t(4));
    let card = out.iter().find_map(|o| if let SessionOutput::Card(c) = o { Some(c) } else { None }).expect("card");
    assert_eq!(card.outcome, Some(EndCause::AnsweredElsewhere { by: Some("101".into()) }));
    assert_eq!(desk.shown(), [id(1)], "the card says who took it for a while");
    assert_eq!(desk.popup.next_deadline(), Some(t(9)));
    // The PBX names the colleague a moment later: the card says so, the window is unchanged.
    let out = desk.end(id(1), EndCause::AnsweredElsewhere { by: Some("Agent 101".into()) }, t(4));
    assert!(views(&out).is_empty());
    let card = out.iter().find_map(|o| if let SessionOutput::Card(c) = o { Some(c) } else { None }).expect("card");
    assert_eq!(card.outcome, Some(EndCause::AnsweredElsewhere { by: Some("Agent 101".into()) }));
    assert!(views(&desk.popup.tick(t(8))).is_empty());
    assert_eq!(views(&desk.popup.tick(t(9))), [&PopupView::default()]);
}

#[test]
fn a_missed_or_abandoned_call_closes_by_itself_too() {
    let mut desk = Desk::new(PopupConfig { autoclose_secs: 5, ..PopupConfig::default() });
    desk.ring(id(1), CUSTOMER, t(1));
    desk.ring(id(2), "+380501112233", t(2));
    desk.end(id(1), EndCause::NoAnswer, t(10));
    desk.end(id(2), EndCause::Abandoned, t(11));
    assert_eq!(desk.popup.next_deadline(), Some(t(15)));
    desk.popup.tick(t(15));
    assert_eq!(desk.shown(), [id(2)]);
    desk.popup.tick(t(16));
    assert!(desk.shown().is_empty());
}

#[test]
fn closing_the_window_is_final_for_its_cards_and_show_brings_the_current_one_back() {
    let mut desk = Desk::new(PopupConfig::default());
    desk.ring(id(1), CUSTOMER, t(1));
    desk.answer(id(1), t(2));
    desk.ring(id(2), "+380501112233", t(3));
    let out = desk.popup.hide(t(4));
    assert_eq!(views(&out), [&PopupView::default()]);
    desk.end(id(2), EndCause::Abandoned, t(5));
    assert!(desk.shown().is_empty(), "a closed card does not come back by itself");
    // The tray's "show": the call the agent is on, on top.
    desk.popup.show(None, t(6)).expect("a current call");
    assert_eq!(desk.shown(), [id(1)]);
    // A new call opens as usual, above it.
    desk.ring(id(3), "+380931234567", t(7));
    assert_eq!(desk.shown(), [id(3), id(1)]);
    // A named call (the notification's "Show") comes back on top, and stays.
    desk.popup.show(Some(&id(2)), t(8)).expect("known call");
    assert_eq!(desk.shown(), [id(2), id(3), id(1)]);
    assert_eq!(desk.popup.next_deadline(), None, "brought back by the agent: it stays");
    assert!(desk.popup.show(Some(&id(9)), t(9)).is_none(), "no such call");
}

#[test]
fn with_no_current_call_show_brings_the_latest() {
    let mut desk = Desk::new(PopupConfig::default());
    assert!(desk.popup.show(None, t(1)).is_none(), "no call yet");
    desk.ring(id(1), CUSTOMER, t(1));
    desk.end(id(1), EndCause::Abandoned, t(2));
    desk.ring(id(2), "+380501112233", t(3));
    desk.end(id(2), EndCause::NoAnswer, t(4));
    desk.popup.tick(t(60));
    assert!(desk.shown().is_empty());
    desk.popup.show(None, t(61)).expect("a latest call");
    assert_eq!(desk.shown(), [id(2)]);
}

#[test]
fn finishing_the_wrap_up_closes_the_card_but_a_timed_out_wrap_up_leaves_it() {
    let session =
        SessionConfig { wrap_up: WrapUpPolicy { enabled: true, timeout_secs: Some(30) }, ..SessionConfig::default() };
    let mut desk = Desk::with(session, PopupConfig::default());
    desk.ring(id(1), CUSTOMER, t(1));
    desk.answer(id(1), t(2));
    desk.end(id(1), EndCause::Completed, t(10));
    let out = desk.session.tick(t(41));
    desk.feed(out, t(41));
    assert_eq!(desk.shown(), [id(1)], "the timer ended the wrap-up, not the agent");

    desk.ring(id(2), CUSTOMER, t(50));
    desk.answer(id(2), t(51));
    desk.end(id(2), EndCause::Completed, t(60));
    let out = desk.session.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Saved }, t(62)).expect("save");
    desk.feed(out, t(62));
    desk.popup.wrap_up_finished(&id(2), t(62));
    assert_eq!(desk.shown(), [id(1)]);
}

#[test]
fn compact_lasts_until_the_window_empties() {
    let mut desk = Desk::new(PopupConfig::default());
    assert!(views(&desk.popup.set_compact(true, t(0))).is_empty(), "nothing to shrink");
    desk.ring(id(1), CUSTOMER, t(1));
    let out = desk.popup.set_compact(true, t(2));
    assert_eq!(views(&out), [&PopupView { calls: vec![id(1)], more: 0, compact: true }]);
    desk.popup.dismiss(&id(1), t(3));
    desk.ring(id(2), CUSTOMER, t(4));
    assert_eq!(desk.popup.view(), &PopupView { calls: vec![id(2)], more: 0, compact: false });
    desk.popup.set_compact(true, t(5));
    desk.popup.show(None, t(6));
    assert!(!desk.popup.view().compact, "show brings the card back full size");
}

#[test]
fn notify_incoming_always_and_never() {
    let mut desk = Desk::new(PopupConfig { notify_incoming: NotifyIncoming::Always, ..PopupConfig::default() });
    let out = desk.ring(id(1), CUSTOMER, t(1));
    assert_eq!((views(&out).len(), incoming_notices(&out).len()), (1, 1));
    let out = desk.end(id(1), EndCause::AnsweredElsewhere { by: None }, t(2));
    assert!(withdrawn(&out));

    let config =
        PopupConfig { opens_on: CardOpensOn::Never, notify_incoming: NotifyIncoming::Never, ..PopupConfig::default() };
    let mut desk = Desk::new(config);
    let out = desk.ring(id(1), CUSTOMER, t(1));
    assert!(incoming_notices(&out).is_empty());
    assert!(!withdrawn(&desk.end(id(1), EndCause::Abandoned, t(2))));
}

#[test]
fn the_notification_names_the_customer_once_found_and_belongs_to_the_newest_ring() {
    let mut desk = Desk::new(opens_on(CardOpensOn::Answer));
    desk.ring(id(1), CUSTOMER, t(1));
    let customer = CustomerMatch {
        id: "c1".into(),
        source: "directory".into(),
        name: "Olena Kovalenko".into(),
        company: None,
        reason: "same E.164".into(),
        why: Some(ringside_core::MatchWhy::new(ringside_core::MatchHow::SameE164)),
        url: None,
        orders: Vec::new(),
        chosen: false,
        kind: None,
        owner: None,
        deal: None,
    };
    let found = LookupOutcome { customers: vec![customer], ..LookupOutcome::default() };
    let out = desk.session.lookup_finished(&id(1), found, t(1));
    let out = desk.feed(out, t(1));
    assert_eq!(
        incoming_notices(&out),
        [&Notice::IncomingCall { call: id(1), number: CUSTOMER.into(), name: Some("Olena Kovalenko".into()) }],
        "sent again with the same tag: the notification updates in place"
    );
    // A second caller's notice replaces it; the first call's answer leaves the second's alone.
    desk.ring(id(2), "+380501112233", t(2));
    let out = desk.answer(id(1), t(3));
    assert!(!withdrawn(&out), "{out:?}");
    let out = desk.end(id(2), EndCause::Abandoned, t(4));
    assert!(withdrawn(&out));
}
