//! "Create customer" from the card, in the embedded directory or a CRM; an unknown caller the
//! agent answered, created in a CRM by itself (`auto_create`), once per call; and the CRM's page
//! for a new order of a customer on a card.
//!
//! Never twice for one click: a click's request has one key, derived from the call, the target
//! and what the agent typed (the same text pressed again after a failure is the same request, so
//! a CRM that honours `Idempotency-Key` — and Bitrix24, through `ORIGIN_ID` — creates one
//! customer), and a second click while the first is under way is refused. Never twice for one
//! call, for a caller created by itself: the claim is in the history file before the request
//! goes out (`ringside_history::AutoCreate`), and the key is the same on every desktop.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use ringside_core::{CallId, CustomerMatch};
use ringside_crm::{Connector, CreatedKind, CrmCustomer, CrmQuery, NewCustomer, Origin, WebUrl};
use ringside_history::AutoCreate;
use ringside_lookup::{normalize, LookupConfig, NormalizedNumber, DIRECTORY_SOURCE};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::customers;
use crate::error::{DirectoryProblem, RuntimeError};
use crate::history::HistoryHandle;
use crate::lookup::Sources;
use crate::session_task::SessionMsg;

/// Where "Create customer" can put a caller: the embedded directory or a CRM that can create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CreateTarget {
    /// What [`crate::RuntimeHandle::create_customer`] takes: `"directory"` or the CRM's name from
    /// the config.
    pub name: String,
    /// How the CRM is known (`"Bitrix24"`, or the REST CRM's host); `None` for the directory.
    pub label: Option<String>,
    /// What a click makes there: `"customer"` (the directory, a REST CRM), `"contact"` or
    /// `"lead"` (Bitrix24).
    pub creates: CreatedKind,
    /// Whether the company the agent types is kept there (a REST CRM keeps it when its field map
    /// has `company`).
    pub takes_company: bool,
}

/// Why a created customer is on the card (`CustomerMatch::reason`).
const CREATED_REASON: &str = "created on this call";

/// Creates customers and builds order pages. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Creator {
    inner: Arc<Inner>,
}

struct Inner {
    /// Every configured CRM that could be set up, in the config's order (requests bounded like
    /// write-back's).
    crms: Vec<Connector>,
    sources: Sources,
    numbers: LookupConfig,
    /// Where callers created by themselves are claimed; `None` (a tool): none are.
    history: Option<HistoryHandle>,
    /// Clicks under way: (call, target).
    clicks: Mutex<HashSet<(CallId, String)>>,
    /// Callers being created by themselves, or created, in this run: (call, target).
    automatic: Mutex<HashSet<(CallId, String)>>,
}

/// Removes its (call, target) from a set when dropped.
struct Mark<'a> {
    set: &'a Mutex<HashSet<(CallId, String)>>,
    key: (CallId, String),
}

impl<'a> Mark<'a> {
    /// `None` when the pair is marked already.
    fn take(set: &'a Mutex<HashSet<(CallId, String)>>, call: &CallId, target: &str) -> Option<Mark<'a>> {
        let key = (call.clone(), target.to_string());
        let fresh = set.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(key.clone());
        // Built only when taken: a Mark dropped here would take the lock again.
        fresh.then(|| Mark { set, key })
    }
}

impl Drop for Mark<'_> {
    fn drop(&mut self) {
        let mut marked = self.set.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        marked.remove(&self.key);
    }
}

impl Creator {
    pub(crate) fn new(crms: Vec<Connector>, sources: Sources, history: Option<HistoryHandle>) -> Creator {
        let numbers = sources.numbers();
        Creator {
            inner: Arc::new(Inner {
                crms,
                sources,
                numbers,
                history,
                clicks: Mutex::new(HashSet::new()),
                automatic: Mutex::new(HashSet::new()),
            }),
        }
    }

    fn crm(&self, name: &str) -> Option<&Connector> {
        self.inner.crms.iter().find(|c| c.name() == name)
    }

    /// The directory (when it could be opened), then every CRM that can create, in the config's
    /// order.
    pub(crate) fn targets(&self) -> Vec<CreateTarget> {
        let directory = self.inner.sources.directory().map(|_| CreateTarget {
            name: DIRECTORY_SOURCE.to_string(),
            label: None,
            creates: CreatedKind::Customer,
            takes_company: true,
        });
        let crms = self.inner.crms.iter().filter_map(|crm| {
            Some(CreateTarget {
                name: crm.name().to_string(),
                label: Some(crm.label()),
                creates: crm.creates()?,
                takes_company: crm.takes_company(),
            })
        });
        directory.into_iter().chain(crms).collect()
    }

    async fn number(&self, raw: &str) -> NormalizedNumber {
        let (raw, config) = (raw.to_string(), self.inner.numbers.clone());
        let fallback = raw.clone();
        tokio::task::spawn_blocking(move || normalize(&raw, &config))
            .await
            .unwrap_or_else(|_| normalize(&fallback, &self.inner.numbers))
    }

    /// Creates the caller of `call` (from `number`) in `target` and remembers them as the pick for
    /// the number. The customer is returned, for the card.
    pub(crate) async fn create(
        &self,
        call: &CallId,
        target: &str,
        number: &str,
        name: &str,
        company: Option<&str>,
    ) -> Result<CustomerMatch, RuntimeError> {
        let (name, company) = (name.trim(), company.map(str::trim).filter(|c| !c.is_empty()));
        if name.is_empty() {
            return Err(RuntimeError::CustomerNotSaved(DirectoryProblem::NoName));
        }
        if target == DIRECTORY_SOURCE {
            return self.create_in_directory(number, name, company).await;
        }
        let Some(crm) = self.crm(target).filter(|c| c.creates().is_some()) else {
            let known = self.targets().into_iter().map(|t| t.name).collect();
            return Err(RuntimeError::NoCreateTarget { target: target.to_string(), known });
        };
        let Some(_click) = Mark::take(&self.inner.clicks, call, target) else {
            return Err(RuntimeError::CreateInProgress { target: target.to_string() });
        };
        let normalized = self.number(number).await;
        let new = NewCustomer {
            name: name.to_string(),
            company: company.map(str::to_string),
            number: query(&normalized),
            call_id: call.to_string(),
            idempotency_key: click_key(call, target, number, name, company),
            origin: Origin::Agent,
        };
        let created = crm.create(&new).await.map_err(|reason| RuntimeError::CrmCreateFailed {
            crm: target.to_string(),
            name: name.to_string(),
            company: company.map(str::to_string),
            reason: Box::new(reason),
        })?;
        Ok(self.created(crm, number, created).await)
    }

    async fn create_in_directory(
        &self,
        number: &str,
        name: &str,
        company: Option<&str>,
    ) -> Result<CustomerMatch, RuntimeError> {
        let (sources, n, nm, co) =
            (self.inner.sources.clone(), number.to_string(), name.to_string(), company.map(str::to_string));
        let id = tokio::task::spawn_blocking(move || customers::create_customer(&sources, &n, &nm, co.as_deref()))
            .await
            .unwrap_or(Err(DirectoryProblem::Poisoned))
            .map_err(RuntimeError::CustomerNotSaved)?;
        tracing::info!(customer = %id, "customer created in the directory from the card");
        let customer = CustomerMatch {
            id,
            source: DIRECTORY_SOURCE.to_string(),
            name: name.to_string(),
            company: company.map(str::to_string),
            reason: CREATED_REASON.to_string(),
            why: Some(ringside_core::MatchWhy::new(ringside_core::MatchHow::Created)),
            url: None,
            orders: Vec::new(),
            chosen: true,
            kind: None,
            owner: None,
            deal: None,
        };
        self.remember(number, &customer).await;
        Ok(customer)
    }

    /// A CRM's new customer, for the card: the number's cached answers forgotten, the pick
    /// remembered.
    async fn created(&self, crm: &Connector, number: &str, created: CrmCustomer) -> CustomerMatch {
        self.inner.sources.forget_cached(number);
        let why = ringside_core::MatchWhy::new(ringside_core::MatchHow::Created);
        let customer = CustomerMatch {
            orders: Vec::new(),
            deal: None,
            chosen: true,
            ..crate::lookup::crm_match(crm.name(), CREATED_REASON.to_string(), why, created)
        };
        self.remember(number, &customer).await;
        customer
    }

    /// Remembers `customer` as the pick for `number`, so the next call from it opens on them. A
    /// directory that cannot take it is logged: the customer was created all the same.
    async fn remember(&self, number: &str, customer: &CustomerMatch) {
        if customer.id.is_empty() {
            return;
        }
        let (sources, n, source, id) =
            (self.inner.sources.clone(), number.to_string(), customer.source.clone(), customer.id.clone());
        let remembered = tokio::task::spawn_blocking(move || sources.remember_pick(&n, &source, &id))
            .await
            .unwrap_or(Err(DirectoryProblem::Poisoned));
        if let Err(e) = remembered {
            tracing::warn!(error = %e, source = %customer.source, "the new customer is not remembered for the number");
        }
    }

    /// The page for a new order of `customer` (from `source`) called from `number`.
    pub(crate) async fn new_order_url(
        &self,
        number: &str,
        source: &str,
        customer: &str,
    ) -> Result<WebUrl, RuntimeError> {
        let no_page = |reason: String| RuntimeError::NoOrderPage { in_source: source.to_string(), reason };
        let Some(crm) = self.crm(source) else {
            return Err(no_page(if source == DIRECTORY_SOURCE {
                "the customer directory keeps no orders".to_string()
            } else {
                format!("there is no CRM {source:?} in the config")
            }));
        };
        let normalized = self.number(number).await;
        crm.new_order_url(&query(&normalized), customer).map_err(|e| no_page(e.to_string()))
    }

    /// An unknown caller the agent answered: created in every CRM with `auto_create`, once per
    /// call, beside the session; each becomes the card's customer (`SessionMsg::CustomerCreated`).
    /// `caller_name` is the caller ID name, if the PBX gave one.
    pub(crate) fn create_unknown_caller(
        &self,
        call: &CallId,
        number: &str,
        caller_name: Option<&str>,
        session: &mpsc::Sender<SessionMsg>,
    ) {
        for crm in self.inner.crms.iter().filter(|c| c.auto_creates().is_some()) {
            let key = (call.clone(), crm.name().to_string());
            let fresh = {
                let mut seen = self.inner.automatic.lock().unwrap_or_else(|p| p.into_inner());
                // A day's calls at most; the history's claims keep "once per call" past this.
                if seen.len() >= 4096 {
                    seen.clear();
                }
                seen.insert(key.clone())
            };
            if !fresh {
                continue;
            }
            let (this, crm, session) = (self.clone(), crm.clone(), session.clone());
            let (call, number, caller_name) = (call.clone(), number.to_string(), caller_name.map(str::to_string));
            tokio::spawn(async move {
                let created = this.create_automatically(&crm, &call, &number, caller_name.as_deref()).await;
                match created {
                    Some(customer) => {
                        let _ = session.send(SessionMsg::CustomerCreated { call, customer }).await;
                    }
                    // Not created: a later lookup of the card (the agent's Retry) may try again.
                    None => {
                        this.inner.automatic.lock().unwrap_or_else(|p| p.into_inner()).remove(&key);
                    }
                }
            });
        }
    }

    async fn create_automatically(
        &self,
        crm: &Connector,
        call: &CallId,
        number: &str,
        caller_name: Option<&str>,
    ) -> Option<CustomerMatch> {
        let target = crm.name();
        let normalized = self.number(number).await;
        if !normalized.is_external() {
            return None;
        }
        let history = self.inner.history.as_ref()?;
        let key = match history.claim_auto_create(call.clone(), target.to_string()).await {
            Ok(AutoCreate::First { key }) => key,
            Ok(AutoCreate::Unfinished { key, attempts, .. }) => {
                tracing::info!(%call, source = %target, attempts, "creating the unknown caller again, under the same key");
                key
            }
            Ok(AutoCreate::Created { customer }) => {
                // Created before (this call, before a restart or a transfer back): shown again.
                let created: CrmCustomer = serde_json::from_str(&customer).ok()?;
                return Some(self.created(crm, number, created).await);
            }
            Err(e) => {
                // Without a claim on disk nothing may go out: it could not stop a second one.
                tracing::warn!(error = %e, source = %target, "the unknown caller is not created: the history cannot keep the claim");
                return None;
            }
        };
        let shown = normalized.e164.clone().unwrap_or_else(|| ringside_text::clean_text(number, 64));
        let name = caller_name
            .map(|n| ringside_text::clean_text(n, 200))
            .filter(|n| !n.is_empty() && !n.chars().all(|c| c.is_ascii_digit() || "+-() ".contains(c)))
            .unwrap_or(shown);
        let new = NewCustomer {
            name,
            company: None,
            number: query(&normalized),
            call_id: call.to_string(),
            idempotency_key: key,
            origin: Origin::Automatic,
        };
        match crm.create(&new).await {
            Ok(created) => {
                let kept = serde_json::to_string(&created).unwrap_or_default();
                history.auto_create_done(call.clone(), target.to_string(), kept);
                Some(self.created(crm, number, created).await)
            }
            Err(e) => {
                tracing::warn!(%call, source = %target, error = %e, "the unknown caller could not be created");
                history.auto_create_failed(call.clone(), target.to_string(), e.to_string());
                None
            }
        }
    }
}

fn query(number: &NormalizedNumber) -> CrmQuery {
    CrmQuery { raw: number.raw.clone(), e164: number.e164.clone(), digits: number.digits() }
}

/// The key of one "Create customer" request: the call, the target, the number and the name and
/// company as typed (trimmed). Pressing Create again with the same text is the same request;
/// changing the text makes a new one. `ringside-create-` and 32 hex digits.
pub(crate) fn click_key(call: &CallId, target: &str, number: &str, name: &str, company: Option<&str>) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut h = OFFSET;
    for part in ["ringside-create-v1", call.as_str(), target, number, name, company.unwrap_or_default()] {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= u128::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    format!("ringside-create-{h:032x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_click_key_is_the_same_for_the_same_text_and_new_for_new_text() {
        let call = CallId::new("1.1");
        let key = click_key(&call, "shop", "+380", "Taras", Some("Kobzar"));
        assert_eq!(key, click_key(&call, "shop", "+380", "Taras", Some("Kobzar")));
        assert!(key.starts_with("ringside-create-") && key.len() == 48, "{key}");
        assert_ne!(key, click_key(&call, "shop", "+380", "Taras", None));
        assert_ne!(key, click_key(&call, "b24", "+380", "Taras", Some("Kobzar")));
        assert_ne!(key, click_key(&CallId::new("1.2"), "shop", "+380", "Taras", Some("Kobzar")));
        // No field can run into the next.
        assert_ne!(click_key(&call, "shop", "+380", "Ta", Some("rasKobzar")), key);
    }
}
