//! The session as the agent and the PBX experience it: one card per call, wrap-up pausing the
//! queues, echoes recognised, ended cards pruned.

use ringside_core::agent_state::{WrapUpPolicy, WrapUpResult};
use ringside_core::{
    AgentInput, AgentState, Availability, CallCard, CallEvent, CallId, CardStatus, CtiCommand, EndCause, Notice,
    RemoteParty, Session, SessionConfig, SessionOutput, Timestamp, TransitionError, UnpauseRequest,
};

/// `s` seconds into the test.
fn t(s: u64) -> Timestamp {
    Timestamp(1_700_000_000_000 + s * 1_000)
}

fn id(n: u32) -> CallId {
    CallId::new(format!("1700000000.{n}"))
}

fn party(number: &str) -> RemoteParty {
    RemoteParty { number: number.to_string(), name: None }
}

fn ringing(call: CallId, number: &str, at: Timestamp) -> CallEvent {
    CallEvent::IncomingRinging { call, from: party(number), queue: Some("support".into()), at }
}
fn answered(call: CallId, at: Timestamp) -> CallEvent {
    CallEvent::Answered { call, at }
}
fn ended(call: CallId, cause: EndCause, at: Timestamp) -> CallEvent {
    CallEvent::Ended { call, cause, at }
}
fn pbx_pause(paused: bool, reason: Option<&str>, at: Timestamp) -> CallEvent {
    CallEvent::AgentPaused {
        paused,
        reason: reason.map(str::to_string),
        queue: Some("support".into()),
        since: None,
        at,
    }
}

fn wrap_up_pause() -> CtiCommand {
    CtiCommand::PauseQueues { reason: Some("Wrap-up".to_string()) }
}

/// A session whose source is connected, so the agent is logged in and available.
fn connected(config: SessionConfig) -> Session {
    let mut s = Session::new(config);
    let out = s.apply(CallEvent::SourceConnected { source: "test".into(), at: t(0) });
    assert!(out.contains(&SessionOutput::Agent(AgentState::Available { since: t(0) })), "{out:?}");
    s
}

fn cards(out: &[SessionOutput]) -> Vec<&CallCard> {
    out.iter().filter_map(|o| if let SessionOutput::Card(c) = o { Some(&**c) } else { None }).collect()
}
fn commands(out: &[SessionOutput]) -> Vec<&CtiCommand> {
    out.iter().filter_map(|o| if let SessionOutput::Command(c) = o { Some(c) } else { None }).collect()
}
fn agent_changes(out: &[SessionOutput]) -> Vec<&AgentState> {
    out.iter().filter_map(|o| if let SessionOutput::Agent(a) = o { Some(a) } else { None }).collect()
}
fn removed(out: &[SessionOutput]) -> Vec<&CallId> {
    out.iter().filter_map(|o| if let SessionOutput::CardRemoved(c) = o { Some(c) } else { None }).collect()
}

/// Rings, answers and hangs up `call`; returns the outputs of the hang-up.
fn talk(s: &mut Session, call: CallId, from: u64) -> Vec<SessionOutput> {
    s.apply(ringing(call.clone(), "+380441234567", t(from)));
    s.apply(answered(call.clone(), t(from + 5)));
    s.apply(ended(call, EndCause::Completed, t(from + 60)))
}

#[test]
fn connecting_the_source_logs_the_agent_in() {
    let mut s = Session::new(SessionConfig::default());
    assert_eq!(s.agent(), &AgentState::LoggedOut);
    let out = s.apply(CallEvent::SourceConnected { source: "demo".into(), at: t(1) });
    assert_eq!(s.agent(), &AgentState::Available { since: t(1) });
    assert_eq!(agent_changes(&out).len(), 1);
    // A reconnect does not log in twice or restart "since".
    s.apply(CallEvent::SourceDisconnected {
        reason: ringside_core::ErrorReport::new("pbx.connection_lost", "network"),
        at: t(2),
    });
    let out = s.apply(CallEvent::SourceConnected { source: "demo".into(), at: t(3) });
    assert!(agent_changes(&out).is_empty(), "{out:?}");
    assert_eq!(s.agent(), &AgentState::Available { since: t(1) });
}

#[test]
fn ten_ringing_legs_of_one_call_make_one_card() {
    let mut s = connected(SessionConfig::default());
    let mut all = Vec::new();
    for leg in 0..10 {
        all.extend(s.apply(ringing(id(1), "+380 (44) 123-45-67", t(1 + leg))));
    }
    assert_eq!(s.cards(t(20)).len(), 1);
    assert_eq!(cards(&all).len(), 1, "the card is sent once: {all:?}");
    assert_eq!(
        agent_changes(&all),
        vec![&AgentState::Ringing { call: id(1), since: t(1), resume: Availability::Available }]
    );
    let card = &s.cards(t(20))[0];
    assert_eq!(card.status, CardStatus::Ringing);
    assert_eq!(card.ring_at, t(1), "the first leg's time");
    assert_eq!(card.number_normalized.as_deref(), Some("+380441234567"));
}

#[test]
fn a_later_leg_fills_in_a_withheld_number() {
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "", t(1)));
    let out = s.apply(ringing(id(1), "0441234567", t(2)));
    assert_eq!(cards(&out).len(), 1, "{out:?}");
    assert_eq!(cards(&out)[0].number, "0441234567");
    assert!(agent_changes(&out).is_empty(), "still the same ringing call");
    assert_eq!(s.cards(t(3)).len(), 1);
    // A third leg with another number does not overwrite it.
    let out = s.apply(ringing(id(1), "999", t(3)));
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(s.cards(t(4))[0].number, "0441234567");
}

#[test]
fn answered_twice_is_one_change() {
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+380441234567", t(1)));
    let first = s.apply(answered(id(1), t(3)));
    assert_eq!(cards(&first).len(), 1);
    assert_eq!(agent_changes(&first).len(), 1);
    let second = s.apply(answered(id(1), t(4)));
    assert!(second.is_empty(), "{second:?}");
    assert_eq!(s.agent(), &AgentState::OnCall { call: id(1), since: t(3), resume: Availability::Available });
    let card = &s.cards(t(13))[0];
    assert_eq!((card.status.clone(), card.answer_at, card.talk_secs), (CardStatus::OnCall, Some(t(3)), 10));
}

#[test]
fn ended_twice_keeps_the_first_cause() {
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+380441234567", t(1)));
    let first = s.apply(ended(id(1), EndCause::NoAnswer, t(20)));
    assert_eq!(cards(&first)[0].outcome, Some(EndCause::NoAnswer));
    let second = s.apply(ended(id(1), EndCause::AnsweredElsewhere { by: None }, t(21)));
    assert!(second.is_empty(), "{second:?}");
    let card = &s.cards(t(30))[0];
    assert_eq!(card.outcome, Some(EndCause::NoAnswer));
    assert_eq!(card.end_at, Some(t(20)));
    assert_eq!(s.agent(), &AgentState::Available { since: t(20) });
}

#[test]
fn a_talking_call_ending_as_unanswered_on_another_leg_is_completed() {
    for cause in [EndCause::NoAnswer, EndCause::Abandoned, EndCause::AnsweredElsewhere { by: None }] {
        let mut s = connected(SessionConfig::default());
        s.apply(ringing(id(1), "+380441234567", t(1)));
        s.apply(answered(id(1), t(2)));
        let out = s.apply(ended(id(1), cause.clone(), t(62)));
        let card = cards(&out)[0];
        assert_eq!(card.outcome, Some(EndCause::Completed), "{cause:?}");
        assert!(!card.outcome.as_ref().unwrap().is_missed(), "{cause:?}: not a missed call");
        assert_eq!(card.talk_secs, 60);
        assert!(matches!(s.agent(), AgentState::WrapUp { .. }), "answered: wrap-up follows ({cause:?})");
    }
    // Causes that say something about a talked call are kept.
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+380441234567", t(1)));
    s.apply(answered(id(1), t(2)));
    let out = s.apply(ended(id(1), EndCause::Transferred, t(30)));
    assert_eq!(cards(&out)[0].outcome, Some(EndCause::Transferred));
}

#[test]
fn a_missed_call_is_missed_and_skips_wrap_up() {
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+380441234567", t(1)));
    let out = s.apply(ended(id(1), EndCause::Abandoned, t(15)));
    assert!(cards(&out)[0].outcome.as_ref().unwrap().is_missed());
    assert!(commands(&out).is_empty(), "no wrap-up pause for a missed call: {out:?}");
    assert_eq!(s.agent(), &AgentState::Available { since: t(15) });
}

#[test]
fn wrap_up_pauses_the_queues_and_finishing_it_unpauses_them() {
    let mut s = connected(SessionConfig::default());
    let out = talk(&mut s, id(1), 1);
    assert_eq!(commands(&out), vec![&wrap_up_pause()]);
    assert!(matches!(s.agent(), AgentState::WrapUp { ends_at: Some(_), .. }));
    assert!(!s.agent().offers_queue_calls());
    // The command comes before the state change, so the PBX hears it as early as possible.
    let cmd_at = out.iter().position(|o| matches!(o, SessionOutput::Command(_))).unwrap();
    let agent_at = out.iter().position(|o| matches!(o, SessionOutput::Agent(_))).unwrap();
    assert!(cmd_at < agent_at, "{out:?}");

    let out = s.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Saved }, t(70)).unwrap();
    assert_eq!(commands(&out), vec![&CtiCommand::UnpauseQueues]);
    assert_eq!(s.agent(), &AgentState::Available { since: t(70) });
}

#[test]
fn the_wrap_up_timer_unpauses_the_queues() {
    let mut s = connected(SessionConfig::default()); // 30 s wrap-up
    talk(&mut s, id(1), 1); // hung up at t(61)
    assert!(s.tick(t(90)).is_empty(), "29 s into a 30 s wrap-up");
    let out = s.tick(t(91));
    assert_eq!(commands(&out), vec![&CtiCommand::UnpauseQueues]);
    assert_eq!(agent_changes(&out), vec![&AgentState::Available { since: t(91) }]);
    assert!(s.tick(t(200)).is_empty(), "nothing more to do");
}

#[test]
fn wrap_up_without_a_timer_waits_for_the_agent() {
    let config =
        SessionConfig { wrap_up: WrapUpPolicy { enabled: true, timeout_secs: None }, ..SessionConfig::default() };
    let mut s = connected(config);
    talk(&mut s, id(1), 1);
    assert!(s.tick(t(100_000)).is_empty());
    assert!(matches!(s.agent(), AgentState::WrapUp { ends_at: None, .. }));
    let out = s.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Cancelled }, t(100_001)).unwrap();
    assert_eq!(commands(&out), vec![&CtiCommand::UnpauseQueues]);
}

#[test]
fn without_wrap_up_the_queues_are_never_paused() {
    let config =
        SessionConfig { wrap_up: WrapUpPolicy { enabled: false, timeout_secs: Some(30) }, ..SessionConfig::default() };
    let mut s = connected(config);
    let out = talk(&mut s, id(1), 1);
    assert!(commands(&out).is_empty(), "{out:?}");
    assert_eq!(s.agent(), &AgentState::Available { since: t(61) });
}

#[test]
fn wrap_up_of_a_paused_agent_leaves_the_queues_alone() {
    let mut s = connected(SessionConfig::default());
    s.apply(pbx_pause(true, Some("Lunch"), t(1)));
    assert_eq!(s.agent(), &AgentState::Paused { reason: Some("Lunch".into()), since: t(1) });
    // A direct call reaches the paused agent.
    let out = talk(&mut s, id(1), 10);
    assert!(commands(&out).is_empty(), "already paused in the queues: {out:?}");
    let out = s.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Saved }, t(80)).unwrap();
    assert!(commands(&out).is_empty(), "must not unpause a paused agent: {out:?}");
    assert_eq!(s.agent(), &AgentState::Paused { reason: Some("Lunch".into()), since: t(1) });
}

#[test]
fn the_pbx_echoing_the_wrap_up_pause_changes_nothing() {
    let mut s = connected(SessionConfig::default());
    talk(&mut s, id(1), 1);
    let before = s.agent().clone();
    let out = s.apply(pbx_pause(true, Some("Wrap-up"), t(61)));
    assert!(out.is_empty(), "{out:?}");
    assert_eq!(s.agent(), &before);
    // Finishing still unpauses: the echo was not taken for the agent pausing.
    let out = s.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Saved }, t(70)).unwrap();
    assert_eq!(commands(&out), vec![&CtiCommand::UnpauseQueues]);
    assert_eq!(s.agent(), &AgentState::Available { since: t(70) });
}

#[test]
fn a_real_pause_during_wrap_up_is_where_the_agent_goes_afterwards() {
    let mut s = connected(SessionConfig::default());
    talk(&mut s, id(1), 1);
    let out = s.apply(pbx_pause(true, Some("Lunch"), t(62)));
    let AgentState::WrapUp { resume, .. } = s.agent() else { panic!("{:?}", s.agent()) };
    assert_eq!(resume, &Availability::Paused { reason: Some("Lunch".into()), since: t(62) });
    assert_eq!(agent_changes(&out).len(), 1);
    let out = s.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Saved }, t(70)).unwrap();
    assert!(commands(&out).is_empty(), "the agent asked to stay paused: {out:?}");
    assert_eq!(s.agent(), &AgentState::Paused { reason: Some("Lunch".into()), since: t(62) });
}

#[test]
fn keep_ended_prunes_the_oldest_ended_cards() {
    let config = SessionConfig { keep_ended: 2, ..SessionConfig::default() };
    let mut s = connected(config);
    // A live call that must survive every prune.
    s.apply(ringing(id(100), "+380441111111", t(0)));
    for n in 1..=4u32 {
        let at = u64::from(n) * 100;
        s.apply(ringing(id(n), "+380442222222", t(at)));
        let out = s.apply(ended(id(n), EndCause::NoAnswer, t(at + 10)));
        let expect: Vec<CallId> = if n > 2 { vec![id(n - 2)] } else { vec![] };
        assert_eq!(removed(&out), expect.iter().collect::<Vec<_>>(), "after call {n} ended");
    }
    let left: Vec<CallId> = s.cards(t(1_000)).into_iter().map(|c| c.call_id).collect();
    assert_eq!(left, vec![id(100), id(3), id(4)], "the live card stays, the two newest ended ones stay");
    assert!(s.call(&id(1)).is_none());
}

#[test]
fn dismiss_removes_only_ended_cards() {
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+380441234567", t(1)));
    assert!(s.dismiss(&id(1)).is_empty(), "a ringing card cannot be dismissed");
    s.apply(answered(id(1), t(2)));
    assert!(s.dismiss(&id(1)).is_empty(), "a live call's card cannot be dismissed");
    assert_eq!(s.cards(t(3)).len(), 1);
    assert!(s.dismiss(&id(99)).is_empty(), "unknown card");

    s.apply(ended(id(1), EndCause::Completed, t(10)));
    assert_eq!(s.dismiss(&id(1)), vec![SessionOutput::CardRemoved(id(1))]);
    assert!(s.cards(t(11)).is_empty());
    assert!(s.dismiss(&id(1)).is_empty(), "already gone");
}

#[test]
fn pause_requests_need_a_logged_in_agent() {
    let mut s = Session::new(SessionConfig::default());
    assert_eq!(
        s.request_pause(Some("Lunch".into())),
        Err(TransitionError::Illegal { state: "logged out", input: "stop accepting calls" })
    );
    assert_eq!(
        s.request_unpause(t(1)),
        Err(TransitionError::Illegal { state: "logged out", input: "start accepting calls" })
    );
}

#[test]
fn a_pause_request_waits_for_the_pbx() {
    let mut s = connected(SessionConfig::default());
    assert_eq!(s.request_pause(Some("Lunch".into())), Ok(CtiCommand::PauseQueues { reason: Some("Lunch".into()) }));
    assert_eq!(s.agent(), &AgentState::Available { since: t(0) }, "nothing changes until the PBX confirms");
    s.apply(pbx_pause(true, Some("Lunch"), t(5)));
    assert_eq!(s.agent(), &AgentState::Paused { reason: Some("Lunch".into()), since: t(5) });
    assert_eq!(s.request_unpause(t(6)), Ok(UnpauseRequest::Send(CtiCommand::UnpauseQueues)));
    let out = s.apply(pbx_pause(false, None, t(9)));
    assert_eq!(agent_changes(&out), vec![&AgentState::Available { since: t(9) }]);
    // The echo of an unpause the PBX already reported changes nothing.
    assert!(s.apply(pbx_pause(false, None, t(10))).is_empty());
}

#[test]
fn an_illegal_agent_input_changes_nothing() {
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+380441234567", t(1)));
    let before = s.agent().clone();
    assert_eq!(s.agent_input(AgentInput::LogOut, t(2)), Err(TransitionError::Busy { current: id(1) }));
    assert_eq!(
        s.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Saved }, t(2)),
        Err(TransitionError::Illegal { state: "ringing", input: "finish wrap-up" })
    );
    assert_eq!(s.agent(), &before);
    assert_eq!(s.cards(t(3)).len(), 1);
}

#[test]
fn a_second_call_while_busy_gets_a_card_but_does_not_steal_the_agent() {
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+380441111111", t(1)));
    s.apply(answered(id(1), t(2)));
    let out = s.apply(ringing(id(2), "+380442222222", t(10)));
    assert_eq!(cards(&out).len(), 1, "call waiting is shown");
    assert!(agent_changes(&out).is_empty());
    // It ends unanswered: the agent is still on the first call.
    s.apply(ended(id(2), EndCause::NoAnswer, t(20)));
    assert_eq!(s.agent().current_call(), Some(&id(1)));
    assert!(matches!(s.agent(), AgentState::OnCall { .. }));
}

#[test]
fn a_late_wrap_up_echo_does_not_show_the_agent_paused() {
    // The PBX confirms the wrap-up pause only after the agent already pressed Save.
    let mut s = connected(SessionConfig::default());
    talk(&mut s, id(1), 1); // PauseQueues("Wrap-up") sent, its echo still in flight
    s.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Saved }, t(62)).unwrap(); // UnpauseQueues sent
    let out = s.apply(pbx_pause(true, Some("Wrap-up"), t(62)));
    assert!(agent_changes(&out).is_empty(), "{out:?}");
    let out = s.apply(pbx_pause(false, None, t(62)));
    assert!(agent_changes(&out).is_empty(), "{out:?}");
    assert_eq!(s.agent(), &AgentState::Available { since: t(62) });

    // ... or after a direct call cut the wrap-up short.
    let mut s = connected(SessionConfig::default());
    talk(&mut s, id(1), 1);
    let out = s.apply(ringing(id(2), "+380442222222", t(62)));
    assert_eq!(commands(&out), vec![&CtiCommand::UnpauseQueues]);
    s.apply(pbx_pause(true, Some("Wrap-up"), t(62)));
    s.apply(pbx_pause(false, None, t(62)));
    assert_eq!(s.agent(), &AgentState::Ringing { call: id(2), since: t(62), resume: Availability::Available });
}

// ---------------------------------------------------------------------------------------------
// Known bugs: these fail today. See the report that came with them.

/// A stand-in for the PBX's queue-member pause flag: it carries out the session's commands and
/// echoes each as the event a real PBX would send.
#[derive(Default)]
struct Pbx {
    paused: bool,
}

impl Pbx {
    /// Feeds every command in `out` to the PBX and its echo back to the session, to the end.
    fn settle(&mut self, s: &mut Session, out: Vec<SessionOutput>, at: Timestamp) {
        for cmd in commands(&out) {
            let echo = match cmd {
                CtiCommand::PauseQueues { reason } => {
                    self.paused = true;
                    pbx_pause(true, reason.as_deref(), at)
                }
                CtiCommand::UnpauseQueues => {
                    self.paused = false;
                    pbx_pause(false, None, at)
                }
            };
            let more = s.apply(echo);
            self.settle(s, more, at);
        }
    }

    fn command(&mut self, s: &mut Session, cmd: CtiCommand, at: Timestamp) {
        self.settle(s, vec![SessionOutput::Command(cmd)], at);
    }
}

/// "Wrap-up, during which no calls are offered": pressing "accepting calls" during wrap-up
/// must only decide where the agent goes afterwards, like pressing "stop accepting calls"
/// does, and the queues are unpaused only when wrap-up ends.
#[test]
fn accepting_calls_during_wrap_up_keeps_the_queues_paused_until_it_ends() {
    // (a) paused before a direct call; (b) available, paused and unpaused again during wrap-up.
    for paused_before in [true, false] {
        let mut s = connected(SessionConfig::default());
        let mut pbx = Pbx::default();
        if paused_before {
            let cmd = s.request_pause(Some("Lunch".into())).unwrap();
            pbx.command(&mut s, cmd, t(1));
        }
        let out = talk(&mut s, id(1), 10);
        pbx.settle(&mut s, out, t(70));
        assert!(matches!(s.agent(), AgentState::WrapUp { .. }));
        assert!(pbx.paused, "wrap-up: queues paused");
        if !paused_before {
            let cmd = s.request_pause(Some("Lunch".into())).unwrap();
            pbx.command(&mut s, cmd, t(71));
        }

        match s.request_unpause(t(72)).unwrap() {
            UnpauseRequest::Send(cmd) => pbx.command(&mut s, cmd, t(72)),
            UnpauseRequest::Done(out) => pbx.settle(&mut s, out, t(72)),
        }
        assert!(matches!(s.agent(), AgentState::WrapUp { resume: Availability::Available, .. }), "{:?}", s.agent());
        assert!(pbx.paused, "paused_before={paused_before}: still in wrap-up, yet the PBX offers queue calls");

        let out = s.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Saved }, t(80)).unwrap();
        pbx.settle(&mut s, out, t(80));
        assert_eq!(s.agent(), &AgentState::Available { since: t(80) });
        assert!(!pbx.paused, "paused_before={paused_before}: accepting calls after wrap-up");
    }
}

/// An outgoing call whose id the session already holds as ended (the same id dialed again)
/// is inserted a second time into the card order: two cards for one call id.
#[test]
fn dialing_an_ended_call_id_again_keeps_one_card() {
    let mut s = connected(SessionConfig::default());
    let dial = |at| CallEvent::OutgoingDialing { call: id(7), to: party("+380441234567"), at };
    s.apply(dial(t(1)));
    s.apply(ended(id(7), EndCause::Busy, t(5)));
    s.apply(dial(t(10)));
    let cards = s.cards(t(11));
    assert_eq!(cards.len(), 1, "{cards:?}");
    assert_eq!(cards[0].status, CardStatus::Dialing);
}

fn customer(source: &str, id: &str, name: &str) -> ringside_core::CustomerMatch {
    ringside_core::CustomerMatch {
        id: id.into(),
        source: source.into(),
        name: name.into(),
        company: None,
        reason: "same E.164".into(),
        why: Some(ringside_core::MatchWhy::new(ringside_core::MatchHow::SameE164)),
        url: None,
        orders: Vec::new(),
        chosen: false,
        kind: None,
        owner: None,
        deal: None,
    }
}

/// A Bitrix24 contact with open deals (ids), the CRM binding the call to `bound`.
fn with_deals(source: &str, id: &str, name: &str, deals: &[&str], bound: &str) -> ringside_core::CustomerMatch {
    let orders = deals
        .iter()
        .map(|d| ringside_core::OrderSummary {
            id: Some((*d).to_string()),
            title: format!("Deal {d}"),
            status: None,
            amount: None,
            money: None,
        })
        .collect();
    ringside_core::CustomerMatch { orders, deal: Some(bound.to_string()), ..customer(source, id, name) }
}

#[test]
fn the_agent_binds_the_call_to_another_open_deal_and_a_later_lookup_keeps_it() {
    use ringside_core::LookupOutcome;
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+380441234567", t(1)));
    let found = vec![
        with_deals("b24", "contact:12", "Olena", &["40", "31"], "31"),
        with_deals("b24", "contact:15", "Oleh", &["52"], "52"),
    ];
    s.lookup_finished(&id(1), LookupOutcome { customers: found.clone(), ..LookupOutcome::default() }, t(2));
    let bound = |out: &[SessionOutput]| -> Vec<(String, bool, Option<String>)> {
        cards(out)[0].customers.iter().map(|c| (c.name.clone(), c.chosen, c.deal.clone())).collect()
    };
    // Oleh's deal: he becomes the chosen customer, with that deal.
    let out = s.bind_deal(&id(1), "b24", "contact:15", Some("52"), t(3)).expect("Oleh's deal is on the card");
    assert_eq!(bound(&out)[0], ("Oleh".to_string(), true, Some("52".to_string())));
    // Olena's newer deal instead of the oldest one Bitrix24 would take.
    let out = s.bind_deal(&id(1), "b24", "contact:12", Some("40"), t(4)).unwrap();
    assert_eq!(bound(&out)[0], ("Olena".to_string(), true, Some("40".to_string())));
    assert_eq!(bound(&out)[1], ("Oleh".to_string(), false, Some("52".to_string())));
    // A retried lookup lists the CRM's default again: the agent's choice stays.
    let out = s.lookup_finished(&id(1), LookupOutcome { customers: found, ..LookupOutcome::default() }, t(5));
    assert_eq!(bound(&out)[0], ("Olena".to_string(), true, Some("40".to_string())));
    // To the contact alone.
    let out = s.bind_deal(&id(1), "b24", "contact:12", None, t(6)).unwrap();
    assert_eq!(bound(&out)[0], ("Olena".to_string(), true, None));
    // A deal the customer does not have, a customer or card that is gone: nothing changes.
    assert!(s.bind_deal(&id(1), "b24", "contact:12", Some("52"), t(7)).is_none());
    assert!(s.bind_deal(&id(1), "b24", "contact:99", None, t(7)).is_none());
    assert!(s.bind_deal(&id(9), "b24", "contact:12", None, t(7)).is_none());
    assert_eq!(s.cards(t(8))[0].customers[0].deal, None);
}

#[test]
fn a_partly_failed_lookup_shows_what_was_found_and_what_failed() {
    use ringside_core::{LookupOutcome, LookupState};
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+48221234567", t(1)));
    let out = s.lookup_started(&id(1), t(1));
    assert_eq!(cards(&out)[0].lookup, LookupState::Pending);
    let outcome = LookupOutcome {
        customers: vec![customer("directory", "7", "Jan Nowak")],
        failed: Some("shop: crm.example.com did not answer within 800 ms".into()),
        number_display: Some("+48 22 123 45 67".into()),
    };
    let out = s.lookup_finished(&id(1), outcome, t(2));
    let card = cards(&out)[0];
    assert_eq!(card.lookup, LookupState::Failed("shop: crm.example.com did not answer within 800 ms".into()));
    assert_eq!(card.customers[0].name, "Jan Nowak");
    assert_eq!(card.number, "+48221234567", "the number stays whatever the lookup did");
    assert_eq!(card.number_display.as_deref(), Some("+48 22 123 45 67"), "as the agent reads it");
    // A retry that succeeds clears the failure.
    let out = s.lookup_finished(
        &id(1),
        LookupOutcome { customers: vec![customer("shop", "c-1", "Jan Nowak (CRM)")], ..LookupOutcome::default() },
        t(3),
    );
    assert_eq!(cards(&out)[0].lookup, LookupState::Done);
    assert_eq!(cards(&out)[0].customers.len(), 1);
}

#[test]
fn choosing_a_customer_puts_them_first_and_marks_them() {
    use ringside_core::LookupOutcome;
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+48221234567", t(1)));
    let found = vec![
        customer("directory", "1", "Anna"),
        customer("shop", "1", "Anna's shop"),
        customer("directory", "2", "Piotr"),
    ];
    s.lookup_finished(&id(1), LookupOutcome { customers: found, ..LookupOutcome::default() }, t(2));
    let out = s.choose_customer(&id(1), "directory", "2", t(3)).expect("Piotr is on the card");
    let names: Vec<(&str, bool)> = cards(&out)[0].customers.iter().map(|c| (c.name.as_str(), c.chosen)).collect();
    assert_eq!(names, [("Piotr", true), ("Anna", false), ("Anna's shop", false)]);
    // Same id in another source is another customer.
    let out = s.choose_customer(&id(1), "shop", "1", t(4)).unwrap();
    let names: Vec<(&str, bool)> = cards(&out)[0].customers.iter().map(|c| (c.name.as_str(), c.chosen)).collect();
    assert_eq!(names, [("Anna's shop", true), ("Piotr", false), ("Anna", false)]);
    assert!(s.choose_customer(&id(1), "shop", "nobody", t(5)).is_none());
    assert!(s.choose_customer(&id(9), "shop", "1", t(5)).is_none());
}

#[test]
fn a_created_customer_is_chosen_and_stays_on_the_card_through_a_later_lookup() {
    use ringside_core::{LookupOutcome, LookupState};
    let mut s = connected(SessionConfig::default());
    s.apply(ringing(id(1), "+380507654321", t(1)));
    s.lookup_finished(&id(1), LookupOutcome::default(), t(2));
    let out = s.customer_created(&id(1), customer("b24", "lead:72", "Taras"), t(3));
    let names: Vec<(&str, &str, bool)> =
        cards(&out)[0].customers.iter().map(|c| (c.source.as_str(), c.name.as_str(), c.chosen)).collect();
    assert_eq!(names, [("b24", "Taras", true)]);

    // The agent retries the lookup: the CRM does not list leads (or has not indexed it yet), the
    // directory finds someone else. The created customer stays first and chosen.
    let out = s.lookup_finished(
        &id(1),
        LookupOutcome {
            customers: vec![customer("directory", "9", "Someone")],
            failed: Some("b24: …".into()),
            ..LookupOutcome::default()
        },
        t(4),
    );
    let card = cards(&out)[0];
    assert_eq!(card.lookup, LookupState::Failed("b24: …".into()));
    let names: Vec<(&str, bool)> = card.customers.iter().map(|c| (c.name.as_str(), c.chosen)).collect();
    assert_eq!(names, [("Taras", true), ("Someone", false)]);
    // Found again, with what the CRM says of them now.
    let mut again = customer("b24", "lead:72", "Taras Shevchuk");
    again.reason = "same number in Bitrix24".into();
    let out = s.lookup_finished(&id(1), LookupOutcome { customers: vec![again], ..LookupOutcome::default() }, t(5));
    let card = cards(&out)[0];
    assert_eq!(
        (card.customers.len(), card.customers[0].name.as_str(), card.customers[0].chosen),
        (1, "Taras Shevchuk", true)
    );
    assert!(s.customer_created(&id(9), customer("b24", "1", "x"), t(6)).is_empty(), "no such card");
}

fn notices(out: &[SessionOutput]) -> Vec<&ringside_core::Notice> {
    out.iter().filter_map(|o| if let SessionOutput::Notice(n) = o { Some(n) } else { None }).collect()
}

/// Rings `call` from the support queue and lets it ring out (or end with `cause`).
fn ring_out(s: &mut Session, call: CallId, cause: EndCause, from: u64) -> Vec<SessionOutput> {
    s.apply(ringing(call.clone(), "+380441234567", t(from)));
    s.apply(ended(call, cause, t(from + 15)))
}

#[test]
fn three_queue_calls_rung_out_in_a_row_pause_the_agent_once_with_a_notice() {
    let mut s = connected(SessionConfig { auto_pause_after_missed: Some(3), ..SessionConfig::default() });
    for n in 1..=2 {
        let out = ring_out(&mut s, id(n), EndCause::NoAnswer, u64::from(n) * 20);
        assert!(commands(&out).is_empty() && notices(&out).is_empty(), "call {n}: {out:?}");
    }
    let out = ring_out(&mut s, id(3), EndCause::NoAnswer, 60);
    let reason = ringside_core::auto_pause_reason(3);
    assert_eq!(reason, "Missed 3 queue calls in a row");
    assert_eq!(commands(&out), vec![&CtiCommand::PauseQueues { reason: Some(reason.clone()) }]);
    let notice = notices(&out);
    assert_eq!(notice.len(), 1, "{out:?}");
    assert_eq!(notice[0], &Notice::AutoPaused { missed: 3, reason: reason.clone() });
    assert!(notice[0].urgent(), "the agent no longer takes calls: the notice stays");
    // The PBX confirms: the agent is paused with the reason, and is not paused again.
    let out = s.apply(pbx_pause(true, Some(&reason), t(76)));
    assert_eq!(agent_changes(&out), vec![&AgentState::Paused { reason: Some(reason), since: t(76) }]);
}

#[test]
fn an_answered_call_and_switching_back_on_reset_the_count() {
    let mut s = connected(SessionConfig { auto_pause_after_missed: Some(2), ..SessionConfig::default() });
    ring_out(&mut s, id(1), EndCause::NoAnswer, 0);
    talk(&mut s, id(2), 20);
    s.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Saved }, t(90)).expect("wrap-up ends");
    let out = ring_out(&mut s, id(3), EndCause::NoAnswer, 100);
    assert!(commands(&out).is_empty(), "one miss after an answered call is not two in a row: {out:?}");
    // The agent pauses and comes back: the count starts again.
    s.apply(pbx_pause(true, Some("Coffee"), t(120)));
    s.apply(pbx_pause(false, None, t(130)));
    let out = ring_out(&mut s, id(4), EndCause::NoAnswer, 140);
    assert!(commands(&out).is_empty(), "{out:?}");
    let out = ring_out(&mut s, id(5), EndCause::NoAnswer, 160);
    assert_eq!(commands(&out).len(), 1, "two in a row now: {out:?}");
}

#[test]
fn calls_taken_elsewhere_abandoned_or_direct_do_not_count_and_off_is_the_default() {
    let mut s = connected(SessionConfig { auto_pause_after_missed: Some(2), ..SessionConfig::default() });
    ring_out(&mut s, id(1), EndCause::NoAnswer, 0);
    ring_out(&mut s, id(2), EndCause::AnsweredElsewhere { by: None }, 20);
    ring_out(&mut s, id(3), EndCause::Abandoned, 40);
    s.apply(CallEvent::IncomingRinging { call: id(4), from: party("+48221234567"), queue: None, at: t(60) });
    let out = s.apply(ended(id(4), EndCause::NoAnswer, t(75)));
    assert!(commands(&out).is_empty(), "a direct call is not a queue call: {out:?}");
    let out = ring_out(&mut s, id(5), EndCause::NoAnswer, 80);
    assert_eq!(commands(&out).len(), 1, "the second queue call rung out here: {out:?}");

    let mut off = connected(SessionConfig::default());
    for n in 1..=10 {
        let out = ring_out(&mut off, id(n), EndCause::NoAnswer, u64::from(n) * 20);
        assert!(commands(&out).is_empty() && notices(&out).is_empty(), "off by default: {out:?}");
    }
}

// ---- Ringside never leaves the agent paused by itself --------------------------------------

fn own_pause_at(paused_at: u64, at: u64) -> CallEvent {
    CallEvent::AgentPaused {
        paused: true,
        reason: Some("Wrap-up".into()),
        queue: Some("support".into()),
        since: Some(t(paused_at)),
        at: t(at),
    }
}

#[test]
fn a_session_that_only_watches_never_changes_the_pbx() {
    let mut s = connected(SessionConfig {
        acts_for_agent: false,
        auto_pause_after_missed: Some(1),
        ..SessionConfig::default()
    });
    // Wrap-up happens here, but the queues are not paused for it, nor unpaused after it.
    let out = talk(&mut s, id(1), 0);
    assert!(matches!(s.agent(), AgentState::WrapUp { .. }), "{:?}", s.agent());
    assert!(commands(&out).is_empty(), "{out:?}");
    let out = s.agent_input(AgentInput::FinishWrapUp { result: WrapUpResult::Saved }, t(70)).unwrap();
    assert!(commands(&out).is_empty(), "{out:?}");
    // A queue call rang out: no auto-pause and no notice claiming one.
    let out = ring_out(&mut s, id(2), EndCause::NoAnswer, 100);
    assert!(commands(&out).is_empty() && notices(&out).is_empty(), "{out:?}");
    // Finding a wrap-up pause at the PBX changes nothing either; quitting undoes nothing.
    s.apply(own_pause_at(90, 130));
    let out = s.apply(CallEvent::Resynced { at: t(131) });
    assert!(commands(&out).is_empty() && notices(&out).is_empty(), "{out:?}");
    assert!(s.release().is_empty());
}

#[test]
fn quitting_during_wrap_up_undoes_the_wrap_up_pause() {
    let mut s = connected(SessionConfig::default());
    talk(&mut s, id(1), 0);
    s.apply(own_pause_at(60, 60));
    assert_eq!(s.release(), vec![CtiCommand::UnpauseQueues]);
}

#[test]
fn quitting_never_undoes_the_agents_own_pause_or_a_supervisors() {
    let mut s = connected(SessionConfig::default());
    s.apply(pbx_pause(true, Some("Lunch"), t(1)));
    assert!(s.release().is_empty(), "the agent's own pause stays");
    // Paused by a supervisor during wrap-up: the agent goes to that pause afterwards.
    let mut s = connected(SessionConfig::default());
    talk(&mut s, id(1), 0);
    s.apply(pbx_pause(true, Some("Coaching"), t(62)));
    assert!(s.release().is_empty(), "{:?}", s.agent());
    // Without wrap-up (a paused agent took a direct call), nothing of ours is at the PBX.
    let mut s = connected(SessionConfig::default());
    s.apply(pbx_pause(true, None, t(1)));
    talk(&mut s, id(2), 10);
    assert!(s.release().is_empty(), "{:?}", s.agent());
}

#[test]
fn logging_out_during_wrap_up_unpauses_the_queues() {
    let mut s = connected(SessionConfig::default());
    talk(&mut s, id(1), 0);
    let out = s.agent_input(AgentInput::LogOut, t(65)).unwrap();
    assert_eq!(commands(&out), vec![&CtiCommand::UnpauseQueues]);
    assert_eq!(s.agent(), &AgentState::LoggedOut);
}

#[test]
fn after_a_crash_a_timed_wrap_up_with_time_left_goes_on() {
    // The last run paused the queues for wrap-up at t(100) and died; 30 s wrap-up.
    let mut s = connected(SessionConfig::default());
    s.apply(own_pause_at(100, 110));
    assert_eq!(s.agent(), &AgentState::Available { since: t(0) }, "nothing decided before the re-sync is complete");
    let out = s.apply(CallEvent::Resynced { at: t(110) });
    let resumed =
        AgentState::WrapUp { call: None, since: t(100), ends_at: Some(t(130)), resume: Availability::Available };
    assert_eq!(agent_changes(&out), vec![&resumed]);
    assert_eq!(notices(&out), vec![&Notice::WrapUpResumed { ends_at: t(130) }]);
    assert!(commands(&out).is_empty(), "{out:?}");
    // The countdown ends it, and the queues are unpaused.
    let out = s.tick(t(130));
    assert_eq!(commands(&out), vec![&CtiCommand::UnpauseQueues]);
    assert_eq!(s.agent(), &AgentState::Available { since: t(130) });
}

#[test]
fn after_a_crash_a_wrap_up_pause_whose_time_is_up_is_cleared_with_a_notice() {
    let mut s = connected(SessionConfig::default());
    s.apply(own_pause_at(100, 200));
    let out = s.apply(CallEvent::Resynced { at: t(200) });
    assert_eq!(commands(&out), vec![&CtiCommand::UnpauseQueues]);
    assert_eq!(notices(&out), vec![&Notice::WrapUpPauseCleared]);
    assert_eq!(s.agent(), &AgentState::Available { since: t(0) });
    // The PBX confirms; nothing more happens.
    let out = s.apply(pbx_pause(false, None, t(201)));
    assert!(agent_changes(&out).is_empty() && commands(&out).is_empty(), "{out:?}");
}

#[test]
fn a_wrap_up_pause_without_a_timer_is_cleared_after_a_crash() {
    let config =
        SessionConfig { wrap_up: WrapUpPolicy { enabled: true, timeout_secs: None }, ..SessionConfig::default() };
    let mut s = connected(config);
    s.apply(own_pause_at(100, 105));
    let out = s.apply(CallEvent::Resynced { at: t(105) });
    assert_eq!(commands(&out), vec![&CtiCommand::UnpauseQueues]);
}

#[test]
fn a_wrap_up_that_ended_while_the_pbx_was_away_is_unpaused_after_the_reconnect() {
    let mut s = connected(SessionConfig::default());
    s.apply(CallEvent::Resynced { at: t(0) });
    talk(&mut s, id(1), 0);
    s.apply(own_pause_at(60, 60));
    s.apply(CallEvent::SourceDisconnected {
        reason: ringside_core::ErrorReport::new("pbx.connection_lost", "network"),
        at: t(70),
    });
    // The timer ends the wrap-up; its unpause is lost with the connection.
    s.tick(t(91));
    assert_eq!(s.agent(), &AgentState::Available { since: t(91) });
    s.apply(CallEvent::SourceConnected { source: "test".into(), at: t(120) });
    // The PBX still has the wrap-up pause: not resumed (this run ended it), cleared.
    s.apply(own_pause_at(60, 121));
    let out = s.apply(CallEvent::Resynced { at: t(121) });
    assert_eq!(commands(&out), vec![&CtiCommand::UnpauseQueues], "{out:?}");
}

#[test]
fn a_wrap_up_going_on_here_is_left_alone_by_a_re_sync() {
    let mut s = connected(SessionConfig::default());
    talk(&mut s, id(1), 0);
    s.apply(own_pause_at(60, 60));
    let out = s.apply(CallEvent::Resynced { at: t(70) });
    assert!(out.is_empty(), "{out:?}");
}
