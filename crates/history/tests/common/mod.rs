//! Shared builders for the history tests.
#![allow(dead_code)]

use ringside_core::{CallCard, CallId, CardStatus, CustomerMatch, Direction, EndCause, LookupState, Timestamp};
use ringside_history::CallContext;

pub const T0: u64 = 1_700_000_000_000;

pub fn at(secs: u64) -> Timestamp {
    Timestamp::from_millis(T0 + secs * 1000)
}

pub fn ctx() -> CallContext {
    CallContext { agent_extension: "100".into(), agent_name: Some("Olena".into()), ..CallContext::default() }
}

/// An incoming call ringing at `at(0)`.
pub fn ringing(id: &str) -> CallCard {
    CallCard {
        call_id: CallId::new(id),
        direction: Direction::Incoming,
        number: "+380 (44) 123-45-67".into(),
        number_normalized: Some("380441234567".into()),
        number_display: None,
        caller_name: Some("IVANENKO".into()),
        queue: Some("support".into()),
        customers: Vec::new(),
        lookup: LookupState::Pending,
        status: CardStatus::Ringing,
        outcome: None,
        ring_at: at(0),
        answer_at: None,
        end_at: None,
        talk_secs: 0,
        as_of: at(0),
        recording_url: None,
    }
}

pub fn answered(mut card: CallCard, secs: u64) -> CallCard {
    card.status = CardStatus::OnCall;
    card.answer_at = Some(at(secs));
    card.as_of = at(secs);
    card
}

pub fn ended(mut card: CallCard, cause: EndCause, secs: u64) -> CallCard {
    card.status = CardStatus::Ended;
    card.outcome = Some(cause);
    card.end_at = Some(at(secs));
    card.talk_secs = card.answer_at.map(|a| at(secs).secs_since(a)).unwrap_or(0);
    card.as_of = at(secs);
    card
}

pub fn customer(id: &str, chosen: bool) -> CustomerMatch {
    CustomerMatch {
        id: id.into(),
        source: "directory".into(),
        name: format!("Customer {id}"),
        company: Some("Acme".into()),
        reason: "same E.164".into(),
        why: Some(ringside_core::MatchWhy::new(ringside_core::MatchHow::SameE164)),
        url: Some(format!("https://crm.example/c/{id}")),
        orders: Vec::new(),
        chosen,
        kind: None,
        owner: None,
        deal: None,
    }
}
