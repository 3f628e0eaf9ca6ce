//! The agent state machine, transition by transition.
//!
//! `every_state_and_input_pair` walks a table that holds every (state, input) pair at least once
//! (checked by `the_table_covers_every_state_and_input`): legal pairs give the expected next
//! state, illegal ones the expected typed error, and the caller's state never changes.

use std::collections::BTreeSet;

use ringside_core::agent_state::{WrapUpPolicy, WrapUpResult};
use ringside_core::{AgentInput, AgentState, Availability, CallId, Timestamp, TransitionError};

/// When the current state began.
const T0: Timestamp = Timestamp(1_000_000);
/// When the input arrives: ten seconds later.
const NOW: Timestamp = Timestamp(1_010_000);
/// A timed wrap-up that began at T0 ends here (T0 + 30 s), after NOW.
const DEADLINE: Timestamp = Timestamp(1_030_000);

const TIMED: WrapUpPolicy = WrapUpPolicy { enabled: true, timeout_secs: Some(30) };
const UNTIMED: WrapUpPolicy = WrapUpPolicy { enabled: true, timeout_secs: None };
const OFF: WrapUpPolicy = WrapUpPolicy { enabled: false, timeout_secs: Some(30) };

fn a() -> CallId {
    CallId::new("1700000000.1")
}
fn b() -> CallId {
    CallId::new("1700000000.2")
}

fn lunch() -> Option<String> {
    Some("Lunch".to_string())
}

// States.
fn logged_out() -> AgentState {
    AgentState::LoggedOut
}
fn available() -> AgentState {
    AgentState::Available { since: T0 }
}
fn paused_lunch() -> AgentState {
    AgentState::Paused { reason: lunch(), since: T0 }
}
fn ringing(resume: Availability) -> AgentState {
    AgentState::Ringing { call: a(), since: T0, resume }
}
fn on_call(resume: Availability) -> AgentState {
    AgentState::OnCall { call: a(), since: T0, resume }
}
fn wrap_up(ends_at: Option<Timestamp>, resume: Availability) -> AgentState {
    AgentState::WrapUp { call: Some(a()), since: T0, ends_at, resume }
}

// Where to go after a call.
fn back_available() -> Availability {
    Availability::Available
}
/// Paused before the call started (at T0 - 5 min).
fn back_paused_before() -> Availability {
    Availability::Paused { reason: lunch(), since: Timestamp(700_000) }
}
/// "Stop accepting calls" pressed now, during the call.
fn back_paused_now(reason: Option<String>) -> Availability {
    Availability::Paused { reason, since: NOW }
}

// Inputs.
fn ring(call: CallId) -> AgentInput {
    AgentInput::Ring { call }
}
fn answer(call: CallId) -> AgentInput {
    AgentInput::Answer { call }
}
fn end(call: CallId, answered: bool) -> AgentInput {
    AgentInput::End { call, answered }
}
fn pause(reason: Option<String>) -> AgentInput {
    AgentInput::Pause { reason }
}
fn finish(result: WrapUpResult) -> AgentInput {
    AgentInput::FinishWrapUp { result }
}

fn illegal(state: &'static str, input: &'static str) -> Result<AgentState, TransitionError> {
    Err(TransitionError::Illegal { state, input })
}
fn busy(current: CallId) -> Result<AgentState, TransitionError> {
    Err(TransitionError::Busy { current })
}
fn other_call(current: CallId, got: CallId) -> Result<AgentState, TransitionError> {
    Err(TransitionError::OtherCall { current, got })
}

struct Case {
    name: &'static str,
    from: AgentState,
    input: AgentInput,
    now: Timestamp,
    policy: WrapUpPolicy,
    expect: Result<AgentState, TransitionError>,
}

fn case(name: &'static str, from: AgentState, input: AgentInput, expect: Result<AgentState, TransitionError>) -> Case {
    Case { name, from, input, now: NOW, policy: TIMED, expect }
}

impl Case {
    fn at(mut self, now: Timestamp) -> Self {
        self.now = now;
        self
    }
    fn policy(mut self, policy: WrapUpPolicy) -> Self {
        self.policy = policy;
        self
    }
}

fn cases() -> Vec<Case> {
    use AgentInput::{LogIn, LogOut, Tick, Unpause};
    let saved = WrapUpResult::Saved;
    vec![
        // ---- logged out: only logging in does anything.
        case("logged out + log in", logged_out(), LogIn, Ok(AgentState::Available { since: NOW })),
        case("logged out + log out", logged_out(), LogOut, illegal("logged out", "log out")),
        case("logged out + pause", logged_out(), pause(lunch()), illegal("logged out", "stop accepting calls")),
        case("logged out + unpause", logged_out(), Unpause, illegal("logged out", "start accepting calls")),
        case("logged out + ring", logged_out(), ring(a()), illegal("logged out", "take a ringing call")),
        case("logged out + answer", logged_out(), answer(a()), illegal("logged out", "answer")),
        case("logged out + end", logged_out(), end(a(), true), illegal("logged out", "end a call")),
        case("logged out + finish wrap-up", logged_out(), finish(saved), illegal("logged out", "finish wrap-up")),
        case("logged out + tick", logged_out(), Tick, Ok(logged_out())),
        // ---- available.
        case("available + log in", available(), LogIn, illegal("accepting calls", "log in")),
        case("available + log out", available(), LogOut, Ok(logged_out())),
        case(
            "available + pause with reason",
            available(),
            pause(lunch()),
            Ok(AgentState::Paused { reason: lunch(), since: NOW }),
        ),
        case(
            "available + pause without reason",
            available(),
            pause(None),
            Ok(AgentState::Paused { reason: None, since: NOW }),
        ),
        case("available + unpause", available(), Unpause, illegal("accepting calls", "start accepting calls")),
        case(
            "available + ring",
            available(),
            ring(a()),
            Ok(AgentState::Ringing { call: a(), since: NOW, resume: back_available() }),
        ),
        case("available + answer", available(), answer(a()), illegal("accepting calls", "answer")),
        case("available + end", available(), end(a(), false), illegal("accepting calls", "end a call")),
        case("available + finish wrap-up", available(), finish(saved), illegal("accepting calls", "finish wrap-up")),
        case("available + tick", available(), Tick, Ok(available())),
        // ---- paused.
        case("paused + log in", paused_lunch(), LogIn, illegal("paused", "log in")),
        case("paused + log out", paused_lunch(), LogOut, Ok(logged_out())),
        case("paused + same reason (PBX echo) keeps since", paused_lunch(), pause(lunch()), Ok(paused_lunch())),
        case(
            "paused + new reason restarts since",
            paused_lunch(),
            pause(Some("Training".into())),
            Ok(AgentState::Paused { reason: Some("Training".into()), since: NOW }),
        ),
        case(
            "paused + no reason is a new reason",
            paused_lunch(),
            pause(None),
            Ok(AgentState::Paused { reason: None, since: NOW }),
        ),
        case("paused + unpause", paused_lunch(), Unpause, Ok(AgentState::Available { since: NOW })),
        case(
            "paused + ring (direct call) remembers the pause",
            paused_lunch(),
            ring(a()),
            Ok(AgentState::Ringing {
                call: a(),
                since: NOW,
                resume: Availability::Paused { reason: lunch(), since: T0 },
            }),
        ),
        case("paused + answer", paused_lunch(), answer(a()), illegal("paused", "answer")),
        case("paused + end", paused_lunch(), end(a(), true), illegal("paused", "end a call")),
        case("paused + finish wrap-up", paused_lunch(), finish(saved), illegal("paused", "finish wrap-up")),
        case("paused + tick", paused_lunch(), Tick, Ok(paused_lunch())),
        // ---- ringing.
        case("ringing + log in", ringing(back_available()), LogIn, illegal("ringing", "log in")),
        case("ringing + log out is refused", ringing(back_available()), LogOut, busy(a())),
        case(
            "ringing + pause changes only where the agent returns",
            ringing(back_available()),
            pause(lunch()),
            Ok(ringing(back_paused_now(lunch()))),
        ),
        case(
            "ringing + unpause changes only where the agent returns",
            ringing(back_paused_before()),
            Unpause,
            Ok(ringing(back_available())),
        ),
        case("ringing + ring of another call", ringing(back_available()), ring(b()), busy(a())),
        case("ringing + ring of the same call", ringing(back_available()), ring(a()), busy(a())),
        case(
            "ringing + answer",
            ringing(back_available()),
            answer(a()),
            Ok(AgentState::OnCall { call: a(), since: NOW, resume: back_available() }),
        ),
        case(
            "ringing (paused before) + answer keeps the pause",
            ringing(back_paused_before()),
            answer(a()),
            Ok(AgentState::OnCall { call: a(), since: NOW, resume: back_paused_before() }),
        ),
        case("ringing + answer of another call", ringing(back_available()), answer(b()), other_call(a(), b())),
        case(
            "ringing + end (missed)",
            ringing(back_available()),
            end(a(), false),
            Ok(AgentState::Available { since: NOW }),
        ),
        case(
            "ringing (paused before) + end returns to the same pause",
            ringing(back_paused_before()),
            end(a(), false),
            Ok(AgentState::Paused { reason: lunch(), since: Timestamp(700_000) }),
        ),
        case(
            "ringing + end, wrap-up never follows an unanswered ring",
            ringing(back_available()),
            end(a(), true),
            Ok(AgentState::Available { since: NOW }),
        ),
        case("ringing + end of another call", ringing(back_available()), end(b(), false), other_call(a(), b())),
        case(
            "ringing + finish wrap-up",
            ringing(back_available()),
            finish(saved),
            illegal("ringing", "finish wrap-up"),
        ),
        case("ringing + tick", ringing(back_available()), Tick, Ok(ringing(back_available()))),
        // ---- on a call.
        case("on call + log in", on_call(back_available()), LogIn, illegal("on a call", "log in")),
        case("on call + log out is refused", on_call(back_available()), LogOut, busy(a())),
        case(
            "on call + pause changes only where the agent returns",
            on_call(back_available()),
            pause(lunch()),
            Ok(on_call(back_paused_now(lunch()))),
        ),
        case(
            "on call + unpause changes only where the agent returns",
            on_call(back_paused_before()),
            Unpause,
            Ok(on_call(back_available())),
        ),
        case("on call + ring of another call", on_call(back_available()), ring(b()), busy(a())),
        case("on call + answer again", on_call(back_available()), answer(a()), illegal("on a call", "answer")),
        case(
            "on call + end, timed wrap-up",
            on_call(back_available()),
            end(a(), true),
            Ok(AgentState::WrapUp {
                call: Some(a()),
                since: NOW,
                ends_at: Some(Timestamp(1_040_000)),
                resume: back_available(),
            }),
        ),
        case(
            "on call + end, wrap-up without timer",
            on_call(back_available()),
            end(a(), true),
            Ok(AgentState::WrapUp { call: Some(a()), since: NOW, ends_at: None, resume: back_available() }),
        )
        .policy(UNTIMED),
        case(
            "on call + end, wrap-up disabled",
            on_call(back_available()),
            end(a(), true),
            Ok(AgentState::Available { since: NOW }),
        )
        .policy(OFF),
        case(
            "on call (paused before) + end, wrap-up disabled",
            on_call(back_paused_before()),
            end(a(), true),
            Ok(AgentState::Paused { reason: lunch(), since: Timestamp(700_000) }),
        )
        .policy(OFF),
        case(
            "on call (paused before) + end, wrap-up keeps the pause",
            on_call(back_paused_before()),
            end(a(), true),
            Ok(AgentState::WrapUp {
                call: Some(a()),
                since: NOW,
                ends_at: Some(Timestamp(1_040_000)),
                resume: back_paused_before(),
            }),
        ),
        case(
            "on call + end without answer skips wrap-up",
            on_call(back_available()),
            end(a(), false),
            Ok(AgentState::Available { since: NOW }),
        ),
        case("on call + end of another call", on_call(back_available()), end(b(), true), other_call(a(), b())),
        case(
            "on call + finish wrap-up",
            on_call(back_available()),
            finish(saved),
            illegal("on a call", "finish wrap-up"),
        ),
        case("on call + tick", on_call(back_available()), Tick, Ok(on_call(back_available()))),
        // ---- wrap-up.
        case("wrap-up + log in", wrap_up(Some(DEADLINE), back_available()), LogIn, illegal("in wrap-up", "log in")),
        case("wrap-up + log out", wrap_up(Some(DEADLINE), back_available()), LogOut, Ok(logged_out())),
        case(
            "wrap-up + pause changes only where the agent returns",
            wrap_up(Some(DEADLINE), back_available()),
            pause(lunch()),
            Ok(wrap_up(Some(DEADLINE), back_paused_now(lunch()))),
        ),
        case(
            "wrap-up + unpause changes only where the agent returns",
            wrap_up(Some(DEADLINE), back_paused_before()),
            Unpause,
            Ok(wrap_up(Some(DEADLINE), back_available())),
        ),
        case(
            "wrap-up + direct call cuts wrap-up short",
            wrap_up(Some(DEADLINE), back_available()),
            ring(b()),
            Ok(AgentState::Ringing { call: b(), since: NOW, resume: back_available() }),
        ),
        case(
            "wrap-up (paused before) + direct call keeps the pause",
            wrap_up(None, back_paused_before()),
            ring(b()),
            Ok(AgentState::Ringing { call: b(), since: NOW, resume: back_paused_before() }),
        ),
        case(
            "wrap-up + answer",
            wrap_up(Some(DEADLINE), back_available()),
            answer(a()),
            illegal("in wrap-up", "answer"),
        ),
        case(
            "wrap-up + end again",
            wrap_up(Some(DEADLINE), back_available()),
            end(a(), true),
            illegal("in wrap-up", "end a call"),
        ),
        case(
            "wrap-up + save",
            wrap_up(Some(DEADLINE), back_available()),
            finish(WrapUpResult::Saved),
            Ok(AgentState::Available { since: NOW }),
        ),
        case(
            "wrap-up + save and create customer",
            wrap_up(Some(DEADLINE), back_available()),
            finish(WrapUpResult::SavedAndCreateCustomer),
            Ok(AgentState::Available { since: NOW }),
        ),
        case(
            "wrap-up + cancel",
            wrap_up(Some(DEADLINE), back_available()),
            finish(WrapUpResult::Cancelled),
            Ok(AgentState::Available { since: NOW }),
        ),
        case(
            "wrap-up + end early",
            wrap_up(Some(DEADLINE), back_available()),
            finish(WrapUpResult::EndedEarly),
            Ok(AgentState::Available { since: NOW }),
        ),
        case(
            "wrap-up without timer + save",
            wrap_up(None, back_available()),
            finish(WrapUpResult::Saved),
            Ok(AgentState::Available { since: NOW }),
        ),
        case(
            "wrap-up (paused before) + save returns to the pause",
            wrap_up(Some(DEADLINE), back_paused_before()),
            finish(WrapUpResult::Saved),
            Ok(AgentState::Paused { reason: lunch(), since: Timestamp(700_000) }),
        ),
        case(
            "wrap-up + tick before the deadline",
            wrap_up(Some(DEADLINE), back_available()),
            Tick,
            Ok(wrap_up(Some(DEADLINE), back_available())),
        ),
        case(
            "wrap-up + tick 1 ms before the deadline",
            wrap_up(Some(DEADLINE), back_available()),
            Tick,
            Ok(wrap_up(Some(DEADLINE), back_available())),
        )
        .at(Timestamp(DEADLINE.0 - 1)),
        case(
            "wrap-up + tick at the deadline",
            wrap_up(Some(DEADLINE), back_available()),
            Tick,
            Ok(AgentState::Available { since: DEADLINE }),
        )
        .at(DEADLINE),
        case(
            "wrap-up + tick long after the deadline",
            wrap_up(Some(DEADLINE), back_available()),
            Tick,
            Ok(AgentState::Available { since: Timestamp(5_000_000) }),
        )
        .at(Timestamp(5_000_000)),
        case(
            "wrap-up (paused before) + tick after the deadline returns to the pause",
            wrap_up(Some(DEADLINE), back_paused_before()),
            Tick,
            Ok(AgentState::Paused { reason: lunch(), since: Timestamp(700_000) }),
        )
        .at(DEADLINE),
        case(
            "wrap-up without timer + tick a day later",
            wrap_up(None, back_available()),
            Tick,
            Ok(wrap_up(None, back_available())),
        )
        .at(Timestamp(T0.0 + 86_400_000)),
    ]
}

fn state_kind(state: &AgentState) -> &'static str {
    match state {
        AgentState::LoggedOut => "logged out",
        AgentState::Available { .. } => "available",
        AgentState::Paused { .. } => "paused",
        AgentState::Ringing { .. } => "ringing",
        AgentState::OnCall { .. } => "on call",
        AgentState::WrapUp { ends_at: Some(_), .. } => "wrap-up (timer)",
        AgentState::WrapUp { ends_at: None, .. } => "wrap-up (no timer)",
    }
}

fn input_kind(input: &AgentInput) -> &'static str {
    match input {
        AgentInput::LogIn => "log in",
        AgentInput::LogOut => "log out",
        AgentInput::Pause { .. } => "pause",
        AgentInput::Unpause => "unpause",
        AgentInput::Ring { .. } => "ring",
        AgentInput::Answer { .. } => "answer",
        AgentInput::End { .. } => "end",
        AgentInput::FinishWrapUp { .. } => "finish wrap-up",
        AgentInput::Tick => "tick",
    }
}

#[test]
fn every_state_and_input_pair() {
    for c in cases() {
        let before = c.from.clone();
        let got = c.from.apply(&c.input, c.now, &c.policy);
        assert_eq!(got, c.expect, "{}", c.name);
        assert_eq!(c.from, before, "{}: the caller's state changed", c.name);
    }
}

#[test]
fn the_table_covers_every_state_and_input() {
    let states = ["logged out", "available", "paused", "ringing", "on call", "wrap-up (timer)"];
    let inputs = ["log in", "log out", "pause", "unpause", "ring", "answer", "end", "finish wrap-up", "tick"];
    let covered: BTreeSet<(&str, &str)> = cases().iter().map(|c| (state_kind(&c.from), input_kind(&c.input))).collect();
    let mut missing = Vec::new();
    for s in states {
        for i in inputs {
            if !covered.contains(&(s, i)) {
                missing.push(format!("{s} + {i}"));
            }
        }
    }
    assert!(missing.is_empty(), "pairs without a case: {missing:?}");
    // The untimed wrap-up is covered where it differs: tick, finish, direct call.
    for i in ["tick", "finish wrap-up", "ring"] {
        assert!(covered.contains(&("wrap-up (no timer)", i)), "wrap-up (no timer) + {i}");
    }
}

#[test]
fn illegal_inputs_explain_themselves_in_words() {
    let err = AgentState::LoggedOut.apply(&pause(None), NOW, &TIMED).unwrap_err();
    assert_eq!(err.to_string(), "cannot stop accepting calls while logged out");
    let err = on_call(back_available()).apply(&AgentInput::LogOut, NOW, &TIMED).unwrap_err();
    assert_eq!(err.to_string(), "already on call 1700000000.1; finish it first");
    let err = ringing(back_available()).apply(&answer(b()), NOW, &TIMED).unwrap_err();
    assert_eq!(err.to_string(), "call 1700000000.2 is not the current call 1700000000.1");
}

/// Runs inputs in order from `state`, each at its own time; panics on an illegal one.
fn run(mut state: AgentState, policy: WrapUpPolicy, steps: &[(u64, AgentInput)]) -> Vec<AgentState> {
    let mut seen = Vec::new();
    for (ms, input) in steps {
        state = state
            .apply(input, Timestamp(*ms), &policy)
            .unwrap_or_else(|e| panic!("{input:?} at {ms} from {state:?}: {e}"));
        seen.push(state.clone());
    }
    seen
}

#[test]
fn a_call_with_timed_wrap_up() {
    let states = run(
        available(),
        TIMED,
        &[
            (2_000_000, ring(a())),
            (2_005_000, answer(a())),
            (2_065_000, end(a(), true)),
            (2_094_999, AgentInput::Tick),
            (2_095_000, AgentInput::Tick),
        ],
    );
    assert_eq!(states[2], wrap_up_at(2_065_000, Some(2_095_000), back_available()));
    assert!(!states[2].offers_queue_calls(), "no queue call during wrap-up");
    assert_eq!(states[3], states[2], "the timer has not run out yet");
    assert_eq!(states[4], AgentState::Available { since: Timestamp(2_095_000) });
}

fn wrap_up_at(since: u64, ends_at: Option<u64>, resume: Availability) -> AgentState {
    AgentState::WrapUp { call: Some(a()), since: Timestamp(since), ends_at: ends_at.map(Timestamp), resume }
}

#[test]
fn a_call_with_wrap_up_until_the_agent_finishes() {
    let states = run(
        available(),
        UNTIMED,
        &[
            (2_000_000, ring(a())),
            (2_005_000, answer(a())),
            (2_065_000, end(a(), true)),
            (9_999_999_999, AgentInput::Tick),
            (10_000_000_000, finish(WrapUpResult::Cancelled)),
        ],
    );
    assert_eq!(states[3], wrap_up_at(2_065_000, None, back_available()), "no timer: ticks never end it");
    assert_eq!(states[4], AgentState::Available { since: Timestamp(10_000_000_000) });
}

#[test]
fn a_call_without_wrap_up() {
    let states =
        run(available(), OFF, &[(2_000_000, ring(a())), (2_005_000, answer(a())), (2_065_000, end(a(), true))]);
    assert_eq!(states[2], AgentState::Available { since: Timestamp(2_065_000) });
    assert!(states[2].offers_queue_calls());
}

#[test]
fn stop_accepting_calls_during_a_call_takes_effect_after_it() {
    // Pressed while ringing, on the call, or in wrap-up: the call goes on, the agent ends up paused.
    let pause_at = |step: usize| {
        let mut steps = vec![
            (2_000_000, ring(a())),
            (2_005_000, answer(a())),
            (2_065_000, end(a(), true)),
            (2_070_000, finish(WrapUpResult::Saved)),
        ];
        let pressed_at = steps[step - 1].0 + 1_000;
        steps.insert(step, (pressed_at, pause(lunch())));
        let states = run(available(), TIMED, &steps);
        let after_pause = &states[step];
        let before_pause = &states[step - 1];
        assert_eq!(after_pause.label(), before_pause.label(), "pause at step {step} changed the state itself");
        assert_eq!(after_pause.current_call(), before_pause.current_call());
        assert!(!after_pause.offers_queue_calls());
        assert_eq!(
            states.last().unwrap(),
            &AgentState::Paused { reason: lunch(), since: Timestamp(pressed_at) },
            "pause at step {step}"
        );
    };
    pause_at(1); // ringing
    pause_at(2); // on the call
    pause_at(3); // in wrap-up
}

#[test]
fn pausing_during_wrap_up_keeps_its_timer() {
    let from = wrap_up(Some(DEADLINE), back_available());
    let next = from.apply(&pause(lunch()), NOW, &TIMED).unwrap();
    let AgentState::WrapUp { since, ends_at, call, .. } = &next else { panic!("{next:?}") };
    assert_eq!((*since, *ends_at, call), (T0, Some(DEADLINE), &Some(a())));
    // ... and the timer then ends it into the pause.
    assert_eq!(
        next.apply(&AgentInput::Tick, DEADLINE, &TIMED).unwrap(),
        AgentState::Paused { reason: lunch(), since: NOW }
    );
}

#[test]
fn a_direct_call_to_a_paused_agent_returns_them_to_paused() {
    for policy in [TIMED, UNTIMED, OFF] {
        let mut steps = vec![(2_000_000, ring(a())), (2_005_000, answer(a())), (2_065_000, end(a(), true))];
        if policy.enabled {
            steps.push((2_070_000, finish(WrapUpResult::Saved)));
        }
        let states = run(paused_lunch(), policy, &steps);
        assert!(states.iter().all(|s| !s.offers_queue_calls()), "{policy:?}: {states:?}");
        assert_eq!(states.last().unwrap(), &paused_lunch(), "{policy:?}: same reason, same since");
    }
    // A missed direct call too.
    let states = run(paused_lunch(), TIMED, &[(2_000_000, ring(a())), (2_030_000, end(a(), false))]);
    assert_eq!(states.last().unwrap(), &paused_lunch());
}

#[test]
fn log_out_is_refused_during_a_call_and_allowed_otherwise() {
    for state in [ringing(back_available()), on_call(back_paused_before())] {
        assert_eq!(state.apply(&AgentInput::LogOut, NOW, &TIMED), busy(a()), "{state:?}");
    }
    for state in
        [available(), paused_lunch(), wrap_up(Some(DEADLINE), back_available()), wrap_up(None, back_paused_before())]
    {
        assert_eq!(state.apply(&AgentInput::LogOut, NOW, &TIMED), Ok(AgentState::LoggedOut), "{state:?}");
    }
}

#[test]
fn queue_calls_are_offered_only_when_available() {
    let all = [
        (logged_out(), false),
        (available(), true),
        (paused_lunch(), false),
        (AgentState::Paused { reason: None, since: T0 }, false),
        (ringing(back_available()), false),
        (on_call(back_available()), false),
        (wrap_up(Some(DEADLINE), back_available()), false),
        (wrap_up(None, back_available()), false),
    ];
    for (state, offered) in all {
        assert_eq!(state.offers_queue_calls(), offered, "{state:?}");
        assert_eq!(state.is_logged_in(), state != AgentState::LoggedOut, "{state:?}");
    }
}

#[test]
fn the_current_call_is_the_one_being_handled() {
    assert_eq!(ringing(back_available()).current_call(), Some(&a()));
    assert_eq!(on_call(back_available()).current_call(), Some(&a()));
    assert_eq!(wrap_up(None, back_available()).current_call(), Some(&a()));
    assert_eq!(available().current_call(), None);
    assert_eq!(paused_lunch().current_call(), None);
    assert_eq!(logged_out().current_call(), None);
}

/// The PBX re-reports a pause it already told us about (a re-sync, a second queue) while the
/// agent is on a direct call: "paused since" must not jump, exactly as it does not when the
/// agent is simply paused (`paused + same reason (PBX echo) keeps since`).
#[test]
fn the_same_pause_echoed_during_a_call_keeps_since() {
    for state in [ringing(back_paused_before()), on_call(back_paused_before()), wrap_up(None, back_paused_before())] {
        let next = state.apply(&pause(lunch()), NOW, &TIMED).unwrap();
        assert_eq!(next, state, "{}", state.label());
    }
}
