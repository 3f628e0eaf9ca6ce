//! Writing a finished call into Bitrix24 through the incoming webhook (see `docs/crm.md`,
//! "Write-back: Bitrix24"):
//!
//! 1. `voximplant.statistic.get` by `EXTERNAL_CALL_ID` (derived from the idempotency key): a call
//!    this key already wrote (an answer lost, a crash before the outbox saved the result) is not
//!    written again.
//! 2. `telephony.externalcall.register` (`CRM_CREATE=0`, `SHOW=0`, `ADD_TO_CHAT=0`) → `CALL_ID`.
//! 3. `telephony.externalcall.finish` → the call in the statistics and its CRM activity.
//! 4. `crm.activity.update` of that activity's `DESCRIPTION` with the note, as plain text.
//! 5. With a deal chosen ([`CallLog::deal_id`]): `crm.activity.binding.list` of the activity,
//!    `crm.activity.binding.add` of the deal unless it is bound already, and
//!    `crm.activity.binding.delete` of every other deal binding (one Bitrix24 made by itself).
//!
//! After step 2, every failure carries the `CALL_ID` ([`CrmError::Partial`]); the next attempt
//! starts at step 3 with it. A `finish` answered "Call is not found" (Bitrix24's answer for a
//! call finished already) is checked in the statistics by `CALL_ID`. Steps 4 and 5 set a state
//! (a description, a set of deal bindings), so doing them again changes nothing.
//!
//! A change to a written call ([`Prior::Written`], an edited note, another deal) registers and
//! finishes nothing: the call's activity is found in the statistics (by `CALL_ID`, else by
//! `EXTERNAL_CALL_ID`), step 4 sets its description again (empty when the note was cleared) and
//! step 5 binds it to the deal chosen now.

use serde_json::{json, Map, Value};

use super::{id_of, Bitrix, Failure, Redirects, Webhook, CRM_PERMISSION};
use crate::http::Http;
use crate::text::{clean_message, clean_text, iso8601_utc, web_url, MAX_TEXT_CHARS};
use crate::writeback::external_call_id;
use crate::{Attempt, CallDirection, CallLog, CrmError, Prior, WriteReceipt};

/// How Bitrix24 names the webhook permission `telephony.*` and `voximplant.*` need.
const TELEPHONY_PERMISSION: &str = "Telephony (telephony)";

const STATISTICS: &str = "voximplant.statistic.get";
const REGISTER: &str = "telephony.externalcall.register";
const FINISH: &str = "telephony.externalcall.finish";
const UPDATE_ACTIVITY: &str = "crm.activity.update";
const LIST_BINDINGS: &str = "crm.activity.binding.list";
const ADD_BINDING: &str = "crm.activity.binding.add";
const DELETE_BINDING: &str = "crm.activity.binding.delete";

/// Bitrix24's CRM object type id of a deal (1 lead, 2 deal, 3 contact, 4 company).
const DEAL_TYPE: u64 = 2;

/// `crm.enum.contenttype`: 1 is plain text (2 BB code, 3 HTML).
const PLAIN_TEXT: u64 = 1;

/// Whether `crm.activity.update` runs when the call has no note.
#[derive(Clone, Copy)]
enum Note {
    /// Only when there is a note (the first write).
    IfAny,
    /// Also to empty the description (a change: the agent cleared the note).
    Always,
}

/// A call in Bitrix24's telephony statistics: finished.
struct Finished {
    call_id: String,
    /// The CRM activity `finish` made; none when the call is bound to no CRM entity.
    activity: Option<u64>,
}

impl Bitrix {
    pub(crate) async fn write(
        &self,
        http: &Http,
        log: &CallLog,
        attempt: &Attempt<'_>,
    ) -> Result<WriteReceipt, CrmError> {
        let hook = self.webhook.as_ref().map_err(Clone::clone)?;
        let key = attempt.idempotency_key;
        // Checked before anything is written: a deal id Bitrix24 cannot have never will.
        let deal = match log.deal_id.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(deal) => Some(id_of(&Value::String(deal.to_string())).ok_or_else(|| CrmError::Rejected {
                host: hook.host.clone(),
                reason: format!("the deal id {:?} is not a Bitrix24 deal's id (a number)", clean_text(deal, 64)),
            })?),
        };
        let partial = match attempt.prior {
            Prior::Written { remote_id } => return self.change(http, hook, log, key, remote_id, deal).await,
            Prior::Partial(call_id) => Some(call_id),
            Prior::Nothing => None,
        };
        if let Some(call_id) = partial.map(str::trim).filter(|p| !p.is_empty()) {
            match self.finish(http, hook, log, call_id).await {
                Ok(finished) => return self.complete(http, hook, log, finished, Note::IfAny, deal).await,
                Err(Failure::Bitrix { description, .. }) if is_call_not_found(&description) => {
                    match self.find_finished(http, hook, "CALL_ID", call_id).await {
                        Ok(Some(finished)) => return self.complete(http, hook, log, finished, Note::IfAny, deal).await,
                        // Registered, never finished, and gone: start over.
                        Ok(None) => {}
                        Err(e) if e.is_transient() => return Err(partial_error(call_id, e)),
                        Err(e) => {
                            // "Not found" for a call that was registered means, as far as the
                            // documentation goes, that an earlier finish went through (its answer
                            // was lost). Without the statistics to confirm it, writing the call
                            // again could log it twice: count it as written; the note is not set.
                            tracing::warn!(
                                source = %self.name, host = %hook.host, error = %e,
                                "Bitrix24 says the call is finished already; its note cannot be set (nor its deal bound) \
                                 without the telephony statistics"
                            );
                            return Ok(WriteReceipt { remote_id: Some(call_id.to_string()) });
                        }
                    }
                }
                Err(failure) => return Err(partial_error(call_id, self.write_error(hook, FINISH, failure))),
            }
        }

        let external_id = external_call_id(key);
        match self.find_finished(http, hook, "EXTERNAL_CALL_ID", &external_id).await {
            Ok(Some(finished)) => return self.complete(http, hook, log, finished, Note::IfAny, deal).await,
            Ok(None) => {}
            Err(e) if e.is_transient() => return Err(e),
            // E.g. ACCESS_DENIED: the webhook's user may not view call statistics. Write without
            // the check (register's own EXTERNAL_CALL_ID deduplication still applies).
            Err(e) => tracing::debug!(
                source = %self.name, host = %hook.host, error = %e,
                "cannot read Bitrix24's telephony statistics; writing the call without looking for an earlier write"
            ),
        }
        let call_id = self.register(http, hook, log, &external_id).await?;
        let finished = self
            .finish(http, hook, log, &call_id)
            .await
            .map_err(|failure| partial_error(&call_id, self.write_error(hook, FINISH, failure)))?;
        self.complete(http, hook, log, finished, Note::IfAny, deal).await
    }

    /// A change to a call Bitrix24 has taken (an edited note): its activity from the statistics
    /// (by `CALL_ID`, else by the key's `EXTERNAL_CALL_ID`), then the description set anew.
    /// Nothing is registered or finished: a call that cannot be found is an error, not a reason
    /// to write it a second time.
    async fn change(
        &self,
        http: &Http,
        hook: &Webhook,
        log: &CallLog,
        key: &str,
        call_id: Option<&str>,
        deal: Option<u64>,
    ) -> Result<WriteReceipt, CrmError> {
        let external_id = external_call_id(key);
        let (field, value) = match call_id.map(str::trim).filter(|id| !id.is_empty()) {
            Some(call_id) => ("CALL_ID", call_id),
            None => ("EXTERNAL_CALL_ID", external_id.as_str()),
        };
        let found = self.find_finished(http, hook, field, value).await.map_err(|e| match e {
            // E.g. ACCESS_DENIED: without the statistics the activity cannot be found.
            CrmError::Bitrix { host, code, detail } => CrmError::Bitrix {
                host,
                code,
                detail: format!(
                    "{detail}; an edited note goes on the call's activity, which Ringside finds in the telephony \
                     statistics: give the webhook's user the \"Call statistics — View\" right"
                ),
            },
            other => other,
        })?;
        match found {
            Some(finished) => self.complete(http, hook, log, finished, Note::Always, deal).await,
            None => Err(CrmError::BadAnswer {
                host: hook.host.clone(),
                detail: format!(
                    "the call {} is not in the telephony statistics, so the edited note has no activity to go on \
                     (the call is not written a second time)",
                    clean_text(value, 100)
                ),
            }),
        }
    }

    /// `telephony.externalcall.register`: the call's `CALL_ID`.
    async fn register(
        &self,
        http: &Http,
        hook: &Webhook,
        log: &CallLog,
        external_id: &str,
    ) -> Result<String, CrmError> {
        let mut body = Map::new();
        user_fields(&mut body, hook, log);
        let number = log.number_e164.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(&log.number);
        body.insert("PHONE_NUMBER".into(), Value::String(clean_text(number, 64)));
        body.insert("CALL_START_DATE".into(), Value::String(iso8601_utc(log.started_at_ms)));
        let call_type = match log.direction {
            CallDirection::Outgoing => 1,
            CallDirection::Incoming => 2,
        };
        body.insert("TYPE".into(), json!(call_type));
        // Never a lead behind the agent's back: an unknown number stays unknown.
        body.insert("CRM_CREATE".into(), json!(0));
        body.insert("SHOW".into(), json!(0));
        body.insert("ADD_TO_CHAT".into(), json!(0));
        body.insert("EXTERNAL_CALL_ID".into(), Value::String(external_id.to_string()));
        if let Some((entity_type, id)) = log.customer_id.as_deref().and_then(crm_entity) {
            body.insert("CRM_ENTITY_TYPE".into(), Value::String(entity_type.to_string()));
            body.insert("CRM_ENTITY_ID".into(), json!(id));
        }
        let result = self
            .request(http, hook, REGISTER, &Value::Object(body), Redirects::Refuse)
            .await
            .map_err(|failure| self.write_error(hook, REGISTER, failure))?;
        result
            .get("CALL_ID")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty() && id.len() <= 200 && !id.chars().any(char::is_control))
            .map(str::to_string)
            .ok_or_else(|| CrmError::BadAnswer {
                host: hook.host.clone(),
                detail: format!("the answer to {REGISTER} has no CALL_ID"),
            })
    }

    /// `telephony.externalcall.finish` of `call_id`, with Bitrix24's error as it came.
    async fn finish(&self, http: &Http, hook: &Webhook, log: &CallLog, call_id: &str) -> Result<Finished, Failure> {
        let mut body = Map::new();
        body.insert("CALL_ID".into(), Value::String(call_id.to_string()));
        user_fields(&mut body, hook, log);
        body.insert("DURATION".into(), json!(log.talk_secs));
        let (status, reason) = status_code(log);
        body.insert("STATUS_CODE".into(), Value::String(status.to_string()));
        if let Some(reason) = reason {
            body.insert("FAILED_REASON".into(), Value::String(reason.to_string()));
        }
        body.insert("ADD_TO_CHAT".into(), json!(0));
        if let Some(url) = log.recording_url.as_deref().and_then(web_url) {
            body.insert("RECORD_URL".into(), Value::String(url));
        }
        let result = self.request(http, hook, FINISH, &Value::Object(body), Redirects::Refuse).await?;
        Ok(Finished { call_id: call_id.to_string(), activity: result.get("CRM_ACTIVITY_ID").and_then(id_of) })
    }

    /// The finished call whose `field` (`CALL_ID` or `EXTERNAL_CALL_ID`) is `value`, from the
    /// telephony statistics. Only a record whose field really equals `value` counts (a portal that
    /// ignored the filter lists other calls).
    async fn find_finished(
        &self,
        http: &Http,
        hook: &Webhook,
        field: &str,
        value: &str,
    ) -> Result<Option<Finished>, CrmError> {
        let body = json!({ "FILTER": { field: value } });
        let result = self
            .request(http, hook, STATISTICS, &body, Redirects::Refuse)
            .await
            .map_err(|failure| self.write_error(hook, STATISTICS, failure))?;
        let records = match &result {
            Value::Array(records) => records.as_slice(),
            Value::Null => &[],
            Value::Object(o) if o.is_empty() => &[],
            _ => {
                return Err(CrmError::BadAnswer {
                    host: hook.host.clone(),
                    detail: format!("{STATISTICS} did not answer with a list of calls"),
                })
            }
        };
        Ok(records.iter().find_map(|record| {
            if record.get(field).and_then(Value::as_str) != Some(value) {
                return None;
            }
            let call_id = record.get("CALL_ID").and_then(Value::as_str).filter(|id| !id.is_empty())?;
            Some(Finished { call_id: call_id.to_string(), activity: record.get("CRM_ACTIVITY_ID").and_then(id_of) })
        }))
    }

    /// What follows a finished call: the note on its activity ([`annotate`](Self::annotate)), then
    /// the activity bound to the chosen deal ([`bind_to_deal`](Self::bind_to_deal)). Answers the
    /// receipt; a failure of either carries the `CALL_ID` ([`CrmError::Partial`]), so the next
    /// attempt does both again without registering the call a second time.
    async fn complete(
        &self,
        http: &Http,
        hook: &Webhook,
        log: &CallLog,
        finished: Finished,
        when: Note,
        deal: Option<u64>,
    ) -> Result<WriteReceipt, CrmError> {
        self.annotate(http, hook, log, &finished, when).await?;
        if let Some(deal) = deal {
            match finished.activity {
                Some(activity) => self
                    .bind_to_deal(http, hook, activity, deal)
                    .await
                    .map_err(|e| partial_error(&finished.call_id, e))?,
                None => tracing::warn!(
                    source = %self.name, host = %hook.host, call = %finished.call_id,
                    "the call has no CRM activity in Bitrix24 (the number matches no contact, company or lead), so it \
                     cannot be bound to the deal"
                ),
            }
        }
        Ok(WriteReceipt { remote_id: Some(finished.call_id) })
    }

    /// Binds the call's activity to `deal` and to no other deal: the activity's bindings
    /// (`crm.activity.binding.list`), `crm.activity.binding.add` when the deal is not among them,
    /// then `crm.activity.binding.delete` of every other deal (Bitrix24 binds a call to an open
    /// deal of the contact by itself). The deal is added before the others go, so the activity
    /// is never left without a binding (Bitrix24 refuses to delete the last one). Contacts,
    /// companies and leads stay bound. Checked first, so a retry adds and deletes nothing twice.
    async fn bind_to_deal(&self, http: &Http, hook: &Webhook, activity: u64, deal: u64) -> Result<(), CrmError> {
        let listed = self
            .request(http, hook, LIST_BINDINGS, &json!({ "activityId": activity }), Redirects::Refuse)
            .await
            .map_err(|failure| self.write_error(hook, LIST_BINDINGS, failure))?;
        let bindings: Vec<(u64, u64)> = match &listed {
            Value::Array(items) => items
                .iter()
                .filter_map(|b| Some((b.get("entityTypeId").and_then(id_of)?, b.get("entityId").and_then(id_of)?)))
                .collect(),
            Value::Null => Vec::new(),
            Value::Object(o) if o.is_empty() => Vec::new(),
            _ => {
                return Err(CrmError::BadAnswer {
                    host: hook.host.clone(),
                    detail: format!("{LIST_BINDINGS} did not answer with a list of bindings"),
                })
            }
        };
        if !bindings.contains(&(DEAL_TYPE, deal)) {
            self.binding(http, hook, ADD_BINDING, activity, deal).await?;
        }
        for &(_, other) in bindings.iter().filter(|(kind, id)| *kind == DEAL_TYPE && *id != deal) {
            self.binding(http, hook, DELETE_BINDING, activity, other).await?;
        }
        Ok(())
    }

    /// `crm.activity.binding.add` or `.delete` of the deal `deal`; `false` is an error.
    async fn binding(
        &self,
        http: &Http,
        hook: &Webhook,
        method: &str,
        activity: u64,
        deal: u64,
    ) -> Result<(), CrmError> {
        let body = json!({ "activityId": activity, "entityTypeId": DEAL_TYPE, "entityId": deal });
        let answer = self
            .request(http, hook, method, &body, Redirects::Refuse)
            .await
            .map_err(|failure| self.write_error(hook, method, failure))?;
        if answer == Value::Bool(false) {
            return Err(CrmError::BadAnswer {
                host: hook.host.clone(),
                detail: format!("{method} answered false for deal {deal} and activity {activity}"),
            });
        }
        Ok(())
    }

    /// Puts the note on the call's CRM activity (`crm.activity.update`, which sets the
    /// description: doing it twice leaves one note). `Note::IfAny` leaves an activity without a
    /// note alone; `Note::Always` (a change) also empties it.
    async fn annotate(
        &self,
        http: &Http,
        hook: &Webhook,
        log: &CallLog,
        finished: &Finished,
        when: Note,
    ) -> Result<(), CrmError> {
        let note = match (log.note.as_deref().filter(|n| !n.is_empty()), when) {
            (Some(note), _) => note,
            (None, Note::Always) => "",
            (None, Note::IfAny) => return Ok(()),
        };
        let Some(activity) = finished.activity else {
            // A number that matches nothing in the CRM gets no activity (no lead is created).
            tracing::warn!(
                source = %self.name, host = %hook.host, call = %finished.call_id,
                "the call has no CRM activity in Bitrix24 (the number matches no contact, company or lead); its note stays \
                 in Ringside's history only"
            );
            return Ok(());
        };
        let body = json!({ "id": activity, "fields": { "DESCRIPTION": note, "DESCRIPTION_TYPE": PLAIN_TEXT } });
        let answer = self
            .request(http, hook, UPDATE_ACTIVITY, &body, Redirects::Refuse)
            .await
            .map_err(|failure| partial_error(&finished.call_id, self.write_error(hook, UPDATE_ACTIVITY, failure)))?;
        if answer == Value::Bool(false) {
            return Err(partial_error(
                &finished.call_id,
                CrmError::BadAnswer {
                    host: hook.host.clone(),
                    detail: format!("{UPDATE_ACTIVITY} answered false: the note was not saved on activity {activity}"),
                },
            ));
        }
        Ok(())
    }

    /// Bitrix24's error for a write-back method as something to do: a missing permission names
    /// the one the method needs; invalid arguments are permanent ([`CrmError::Rejected`]).
    fn write_error(&self, hook: &Webhook, method: &str, failure: Failure) -> CrmError {
        let (code, description) = match failure {
            Failure::Other(error) => return error,
            Failure::Bitrix { code, description } => (code, description),
        };
        let host = hook.host.clone();
        let telephony = !method.starts_with("crm.");
        let permission = if telephony { TELEPHONY_PERMISSION } else { CRM_PERMISSION };
        let lower = description.to_ascii_lowercase();
        let described = |code: &str| {
            let description = clean_message(&description, MAX_TEXT_CHARS);
            match (code.is_empty(), description.is_empty()) {
                (true, _) => description,
                (false, true) => clean_text(code, 80),
                (false, false) => format!("{}: {description}", clean_text(code, 80)),
            }
        };
        match code.as_str() {
            "insufficient_scope" | "invalid_scope" | "ERROR_METHOD_NOT_FOUND" => {
                CrmError::WebhookScope { host, permission: permission.to_string() }
            }
            "WRONG_AUTH_TYPE" if telephony => CrmError::Bitrix {
                host,
                code: "WRONG_AUTH_TYPE".to_string(),
                detail: format!(
                    ": this portal accepts {method} only from a Bitrix24 application, not from an incoming webhook, \
                     so Ringside cannot write calls to it"
                ),
            },
            "INVALID_ARGUMENT" => CrmError::Rejected { host, reason: described(&code) },
            "ERROR_CORE" | ""
                if ["unknown type", "iso-8601", "unsupported phone number format", "must be a string"]
                    .iter()
                    .any(|words| lower.contains(words)) =>
            {
                CrmError::Rejected { host, reason: described(&code) }
            }
            "ERROR_CORE" | "" if lower.contains("user is not found") => CrmError::Bitrix {
                host,
                code: described(&code),
                detail: "; the agent's extension must be the internal number of an active Bitrix24 user (Telephony → \
                         Configure telephony → Telephony users)"
                    .to_string(),
            },
            _ => self.error(&hook.host, &code, &description),
        }
    }
}

/// `USER_PHONE_INNER` (the agent's extension), or, without one, `USER_ID` (the webhook's user).
fn user_fields(body: &mut Map<String, Value>, hook: &Webhook, log: &CallLog) {
    let extension = clean_text(&log.agent_extension, 32);
    if extension.is_empty() {
        let user = hook.user.parse::<u64>().map_or_else(|_| Value::String(hook.user.clone()), |id| json!(id));
        body.insert("USER_ID".into(), user);
    } else {
        body.insert("USER_PHONE_INNER".into(), Value::String(extension));
    }
}

/// `contact:12` → (`CONTACT`, 12), `company:7` → (`COMPANY`, 7), `lead:5` → (`LEAD`, 5).
fn crm_entity(customer_id: &str) -> Option<(&'static str, u64)> {
    let (kind, id) = customer_id.split_once(':')?;
    let kind = match kind {
        "contact" => "CONTACT",
        "company" => "COMPANY",
        "lead" => "LEAD",
        _ => return None,
    };
    let id = id_of(&Value::String(id.to_string()))?;
    Some((kind, id))
}

/// `STATUS_CODE` (and `FAILED_REASON`) of `telephony.externalcall.finish` for an outcome.
fn status_code(log: &CallLog) -> (&'static str, Option<&'static str>) {
    let answered = log.answered_at_ms.is_some() || log.talk_secs > 0;
    match log.outcome.as_str() {
        "answered" | "transferred" => ("200", None),
        "missed" => ("304", None),
        "busy" => ("486", None),
        "declined" | "rejected" => ("603", None),
        // The caller gave up before anybody answered: missed, for the customer's history; an
        // outgoing call the agent gave up on is "canceled".
        "abandoned" => match log.direction {
            CallDirection::Incoming => ("304", None),
            CallDirection::Outgoing => ("603-S", None),
        },
        // Another agent took it: not missed, not this agent's conversation.
        "answered_elsewhere" => ("OTHER", Some("answered elsewhere")),
        "failed" => ("OTHER", Some("failed")),
        _ if answered => ("200", None),
        "interrupted" => ("OTHER", Some("interrupted")),
        _ => ("OTHER", None),
    }
}

/// Bitrix24's "Call is not found (call should be registered prior to finishing)".
fn is_call_not_found(description: &str) -> bool {
    description.trim_start().to_ascii_lowercase().starts_with("call is not found")
}

fn partial_error(call_id: &str, cause: CrmError) -> CrmError {
    CrmError::Partial { remote_id: call_id.to_string(), cause: Box::new(cause) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(direction: CallDirection, outcome: &str, answered: bool) -> CallLog {
        CallLog {
            call_id: "1".into(),
            direction,
            outcome: outcome.into(),
            number: "100".into(),
            number_e164: None,
            customer_id: None,
            agent_extension: "200".into(),
            agent_name: None,
            started_at_ms: 0,
            answered_at_ms: answered.then_some(1),
            ended_at_ms: 2,
            talk_secs: 0,
            note: None,
            recording_url: None,
            deal_id: None,
        }
    }

    #[test]
    fn outcomes_map_to_the_documented_status_codes() {
        use CallDirection::{Incoming, Outgoing};
        let cases = [
            (Incoming, "answered", true, ("200", None)),
            (Incoming, "transferred", true, ("200", None)),
            (Incoming, "missed", false, ("304", None)),
            (Outgoing, "busy", false, ("486", None)),
            (Outgoing, "declined", false, ("603", None)),
            (Incoming, "abandoned", false, ("304", None)),
            (Outgoing, "abandoned", false, ("603-S", None)),
            (Incoming, "answered_elsewhere", false, ("OTHER", Some("answered elsewhere"))),
            (Outgoing, "failed", false, ("OTHER", Some("failed"))),
            (Incoming, "interrupted", true, ("200", None)),
            (Incoming, "interrupted", false, ("OTHER", Some("interrupted"))),
            (Incoming, "something-new", false, ("OTHER", None)),
        ];
        for (direction, outcome, answered, expected) in cases {
            assert_eq!(status_code(&log(direction, outcome, answered)), expected, "{outcome}");
        }
    }

    #[test]
    fn customer_ids_become_crm_entities() {
        assert_eq!(crm_entity("contact:12"), Some(("CONTACT", 12)));
        assert_eq!(crm_entity("company:7"), Some(("COMPANY", 7)));
        assert_eq!(crm_entity("lead:5"), Some(("LEAD", 5)));
        assert_eq!(crm_entity("contact:0"), None);
        assert_eq!(crm_entity("contact:1x"), None);
        assert_eq!(crm_entity("deal:3"), None);
        assert_eq!(crm_entity("12"), None);
    }

    #[test]
    fn call_not_found_is_recognised() {
        assert!(is_call_not_found("Call is not found (call should be registered prior to finishing)"));
        assert!(is_call_not_found("Call is not found (call should be registered prior to finishing"));
        assert!(!is_call_not_found("User is not found or is not active"));
    }
}
