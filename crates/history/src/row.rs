//! One call's stored row, and the rules for folding a newer account of the call into it.
//! Pure: the store reads the row, merges, and writes it back in one transaction; unsaved
//! rows in memory are merged by the same rules.

use ringside_core::agent_state::WrapUpResult;
use ringside_core::{CallCard, CallId, Direction, LookupState, Timestamp};

use crate::model::{CallContext, Outcome, StoredCustomer, StoredDeal};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallRow {
    pub call_id: CallId,
    pub direction: Direction,
    pub outcome: Outcome,
    pub failure: Option<String>,
    pub ring_at: Timestamp,
    pub answer_at: Option<Timestamp>,
    pub end_at: Option<Timestamp>,
    pub talk_secs: u64,
    pub agent_extension: String,
    pub agent_name: Option<String>,
    pub connection: Option<String>,
    pub dialed_number: Option<String>,
    pub number_raw: String,
    pub number_normalized: Option<String>,
    pub caller_name: Option<String>,
    pub queue: Option<String>,
    pub customer: Option<StoredCustomer>,
    /// `customer` is an answer (the lookup finished, or the row came from the file), not
    /// "not looked up yet". Only an answer replaces a stored customer.
    pub customer_final: bool,
    pub wrap_up: Option<WrapUpResult>,
    pub recording_url: Option<String>,
    pub updated_at: Timestamp,
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// An http(s) address without spaces or control characters, else `None`.
pub(crate) fn web_url(url: &str) -> Option<String> {
    ringside_text::WebUrl::parse(url).ok().map(|u| u.to_string())
}

impl CallRow {
    /// The row a card describes.
    pub fn from_card(card: &CallCard, ctx: &CallContext) -> Self {
        let (outcome, failure) = match &card.outcome {
            Some(cause) => Outcome::from_end(cause),
            None => (Outcome::InProgress, None),
        };
        let end_at = if outcome.is_ended() { Some(card.end_at.unwrap_or(card.as_of)) } else { None };
        let chosen = card.customers.iter().find(|c| c.chosen);
        let only = if card.customers.len() == 1 { card.customers.first() } else { None };
        let customer = chosen.or(only).map(|c| StoredCustomer {
            source: c.source.clone(),
            id: c.id.clone(),
            name: c.name.clone(),
            company: non_empty(c.company.as_deref()),
            url: c.url.as_deref().and_then(web_url),
            deal: c.deal.as_ref().map(|id| StoredDeal {
                id: id.clone(),
                title: c.orders.iter().find(|o| o.id.as_ref() == Some(id)).map(|o| o.title.clone()),
            }),
        });
        let customer_final = !card.customers.is_empty()
            || matches!(card.lookup, LookupState::Done | LookupState::Failed(_) | LookupState::Internal);
        CallRow {
            call_id: card.call_id.clone(),
            direction: card.direction,
            outcome,
            failure,
            ring_at: card.ring_at,
            answer_at: card.answer_at,
            end_at,
            talk_secs: card.talk_secs,
            agent_extension: ctx.agent_extension.trim().to_owned(),
            agent_name: non_empty(ctx.agent_name.as_deref()),
            connection: non_empty(ctx.connection.as_deref()),
            dialed_number: non_empty(ctx.dialed_number.as_deref()),
            number_raw: card.number.clone(),
            number_normalized: card.number_normalized.clone(),
            caller_name: non_empty(card.caller_name.as_deref()),
            queue: non_empty(card.queue.as_deref()),
            customer,
            customer_final,
            wrap_up: None,
            recording_url: card.recording_url.as_ref().map(|u| u.to_string()),
            updated_at: card.as_of,
        }
    }

    /// `self` (stored) updated by `newer`: the first ring time is kept, an answered call
    /// stays answered, an ended call never becomes unended, and an outcome is only replaced
    /// by one that says more ([`Outcome::rank`]); between equals the first end wins, as in
    /// the session. Descriptive fields take the newer value unless it is empty.
    pub fn merge(&self, newer: &CallRow) -> CallRow {
        let earliest = |a: Option<Timestamp>, b: Option<Timestamp>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let (outcome, failure, end_at, talk_secs) = if newer.outcome.rank() > self.outcome.rank() {
            (newer.outcome, newer.failure.clone(), newer.end_at, newer.talk_secs)
        } else if self.outcome.is_ended() {
            (self.outcome, self.failure.clone(), self.end_at, self.talk_secs)
        } else {
            (Outcome::InProgress, None, None, self.talk_secs.max(newer.talk_secs))
        };
        let text = |old: &String, new: &String| if new.trim().is_empty() { old.clone() } else { new.clone() };
        let (customer, customer_final) = if newer.customer_final {
            (newer.customer.clone(), true)
        } else {
            (self.customer.clone(), self.customer_final)
        };
        CallRow {
            call_id: self.call_id.clone(),
            direction: newer.direction,
            outcome,
            failure,
            ring_at: self.ring_at.min(newer.ring_at),
            answer_at: earliest(self.answer_at, newer.answer_at),
            end_at,
            talk_secs,
            agent_extension: text(&self.agent_extension, &newer.agent_extension),
            agent_name: newer.agent_name.clone().or_else(|| self.agent_name.clone()),
            connection: newer.connection.clone().or_else(|| self.connection.clone()),
            dialed_number: newer.dialed_number.clone().or_else(|| self.dialed_number.clone()),
            number_raw: text(&self.number_raw, &newer.number_raw),
            number_normalized: newer.number_normalized.clone().or_else(|| self.number_normalized.clone()),
            caller_name: newer.caller_name.clone().or_else(|| self.caller_name.clone()),
            queue: newer.queue.clone().or_else(|| self.queue.clone()),
            customer,
            customer_final,
            wrap_up: newer.wrap_up.or(self.wrap_up),
            recording_url: newer.recording_url.clone().or_else(|| self.recording_url.clone()),
            updated_at: self.updated_at.max(newer.updated_at),
        }
    }

    /// The same row, ended as interrupted at `now` (never before it rang or was answered).
    pub fn interrupted(&self, now: Timestamp) -> CallRow {
        let mut row = self.clone();
        if !row.outcome.is_ended() {
            row.outcome = Outcome::Interrupted;
            row.failure = None;
            row.end_at = Some(now.max(row.ring_at).max(row.answer_at.unwrap_or(row.ring_at)));
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringside_core::{CardStatus, CustomerMatch, EndCause};

    fn card(status: CardStatus, outcome: Option<EndCause>, at: u64) -> CallCard {
        CallCard {
            call_id: CallId::new("1.1"),
            direction: Direction::Incoming,
            number: "+380441234567".into(),
            number_normalized: Some("380441234567".into()),
            number_display: None,
            caller_name: None,
            queue: None,
            customers: Vec::new(),
            lookup: LookupState::Pending,
            status,
            outcome,
            ring_at: Timestamp(1_000),
            answer_at: None,
            end_at: None,
            talk_secs: 0,
            as_of: Timestamp(at),
            recording_url: None,
        }
    }

    fn ctx() -> CallContext {
        CallContext { agent_extension: "100".into(), ..CallContext::default() }
    }

    #[test]
    fn an_ended_call_is_not_reopened_and_its_first_end_wins() {
        let ended = CallRow::from_card(&card(CardStatus::Ended, Some(EndCause::NoAnswer), 5_000), &ctx());
        assert_eq!(ended.end_at, Some(Timestamp(5_000)), "no end time: the card's as_of");
        let ringing = CallRow::from_card(&card(CardStatus::Ringing, None, 6_000), &ctx());
        let merged = ended.merge(&ringing);
        assert_eq!(merged.outcome, Outcome::Missed);
        assert_eq!(merged.end_at, Some(Timestamp(5_000)));
        let abandoned = CallRow::from_card(&card(CardStatus::Ended, Some(EndCause::Abandoned), 7_000), &ctx());
        assert_eq!(merged.merge(&abandoned).outcome, Outcome::Missed, "same rank: first end wins");
        let elsewhere =
            CallRow::from_card(&card(CardStatus::Ended, Some(EndCause::AnsweredElsewhere { by: None }), 7_000), &ctx());
        assert_eq!(merged.merge(&elsewhere).outcome, Outcome::AnsweredElsewhere);
    }

    #[test]
    fn an_interrupted_call_gives_way_to_the_pbx_and_never_ends_before_it_rang() {
        let ringing = CallRow::from_card(&card(CardStatus::Ringing, None, 2_000), &ctx());
        let cut = ringing.interrupted(Timestamp(500));
        assert_eq!((cut.outcome, cut.end_at), (Outcome::Interrupted, Some(Timestamp(1_000))));
        let mut done = card(CardStatus::Ended, Some(EndCause::Completed), 9_000);
        done.answer_at = Some(Timestamp(2_000));
        done.end_at = Some(Timestamp(8_000));
        done.talk_secs = 6;
        let merged = cut.merge(&CallRow::from_card(&done, &ctx()));
        assert_eq!((merged.outcome, merged.end_at, merged.talk_secs), (Outcome::Answered, Some(Timestamp(8_000)), 6));
    }

    #[test]
    fn the_customer_is_the_pick_or_the_only_match_and_a_pending_lookup_keeps_it() {
        let m = |id: &str, chosen| CustomerMatch {
            id: id.into(),
            source: "directory".into(),
            name: format!("Customer {id}"),
            company: Some(" ".into()),
            reason: "same E.164".into(),
            why: Some(ringside_core::MatchWhy::new(ringside_core::MatchHow::SameE164)),
            url: Some("javascript:alert(1)".into()),
            orders: Vec::new(),
            chosen,
            kind: None,
            owner: None,
            deal: None,
        };
        let mut c = card(CardStatus::Ringing, None, 2_000);
        c.lookup = LookupState::Done;
        c.customers = vec![m("1", false)];
        let one = CallRow::from_card(&c, &ctx());
        let stored = one.customer.clone().expect("the only match");
        assert_eq!((stored.id.as_str(), stored.company, stored.url), ("1", None, None));
        c.customers = vec![m("1", false), m("2", false)];
        assert_eq!(CallRow::from_card(&c, &ctx()).customer, None, "several, none chosen");
        c.customers = vec![m("1", false), m("2", true)];
        assert_eq!(CallRow::from_card(&c, &ctx()).customer.map(|c| c.id), Some("2".into()));
        let retrying = CallRow::from_card(&card(CardStatus::Ringing, None, 3_000), &ctx());
        assert_eq!(one.merge(&retrying).customer, one.customer, "a lookup under way changes nothing");
    }

    #[test]
    fn only_web_addresses_are_kept() {
        // ringside-text's WebUrl reads the scheme without regard to case and writes it in lower case.
        assert_eq!(web_url(" HTTPS://pbx.example/rec/1.wav ").as_deref(), Some("https://pbx.example/rec/1.wav"));
        for bad in ["ftp://x/y", "file:///etc/passwd", "https://a b", "http://", "javascript:alert(1)", "ht"] {
            assert_eq!(web_url(bad), None, "{bad}");
        }
    }
}
