//! Asking every source for a caller at once, within one time bound, and merging what they say.
//! The runtime builds the sources from the config ([`crate::lookup_sources`]); the embedded
//! directory is `ringside_lookup`'s, the CRM connectors are `ringside_crm`'s.
//!
//! The card must not wait on the slowest CRM: all sources (the embedded directory and the
//! configured CRMs) are asked in parallel, and whatever has not answered by the deadline is
//! reported as failed — the card shows what the others found, says what failed, and offers a
//! retry. Customers are listed by source priority (the config's `lookup.order`), the agent's
//! remembered pick for the number first of all. CRM answers are cached for a while, empty ones
//! briefly, so a burst of calls from one number asks the CRM once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ringside_core::{CustomerMatch, LookupOutcome, OrderSummary};
use ringside_crm::{Connector, CrmCustomer, CrmQuery};

use crate::error::DirectoryProblem;
use ringside_lookup::{normalize, Directory, LookupConfig, NormalizedNumber, Pick, DIRECTORY_SOURCE};
use tokio::task::JoinHandle;

/// The embedded directory, shared with the code that writes to it.
pub type SharedDirectory = Arc<Mutex<Directory>>;

/// At most this many numbers' CRM answers are cached; past that, the oldest go.
const CACHE_CAPACITY: usize = 2_000;

/// One place customers are looked up in.
pub enum Source {
    /// The embedded directory (or why it could not be opened).
    Directory(Result<SharedDirectory, String>),
    /// A CRM (or why it cannot be used: a bad webhook URL, an unreadable keychain).
    Crm { name: String, connector: Result<Connector, String> },
}

impl Source {
    fn name(&self) -> &str {
        match self {
            Source::Directory(_) => DIRECTORY_SOURCE,
            Source::Crm { name, .. } => name,
        }
    }
}

/// How long to wait and how long to remember.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// The whole lookup's deadline.
    pub timeout: Duration,
    /// How long a CRM's answer is reused.
    pub cache_ttl: Duration,
    /// How long an empty CRM answer is reused (capped by `cache_ttl`).
    pub negative_ttl: Duration,
}

/// Every source, in priority order, with the cache. Cheap to clone.
#[derive(Clone)]
pub struct Sources {
    inner: Arc<Inner>,
}

struct Inner {
    sources: Vec<Source>,
    /// The directory file: where picks are remembered and new customers go, even when it is
    /// not a source.
    directory: Option<SharedDirectory>,
    config: LookupConfig,
    bounds: Bounds,
    cache: Mutex<HashMap<(String, String), Cached>>,
}

struct Cached {
    at: Instant,
    ttl: Duration,
    customers: Vec<CrmCustomer>,
}

/// One source's answer, before merging.
type Answer = (String, Result<Vec<CustomerMatch>, String>);

impl Sources {
    /// `sources` in priority order; `directory` keeps the agent's picks and new customers.
    pub fn new(sources: Vec<Source>, directory: Option<SharedDirectory>, config: LookupConfig, bounds: Bounds) -> Self {
        Self { inner: Arc::new(Inner { sources, directory, config, bounds, cache: Mutex::new(HashMap::new()) }) }
    }

    /// The embedded directory, when it could be opened.
    pub fn directory(&self) -> Option<SharedDirectory> {
        self.inner.directory.clone()
    }

    /// How numbers are read (the directory's region).
    pub(crate) fn numbers(&self) -> LookupConfig {
        self.inner.config.clone()
    }

    /// The source names in priority order.
    pub fn names(&self) -> Vec<String> {
        self.inner.sources.iter().map(|s| s.name().to_string()).collect()
    }

    /// Who is calling from `raw`. `fresh` skips the cache (the agent pressed Retry).
    /// Internal extensions and text that is not a phone number find nobody, without asking.
    pub async fn find(&self, raw: &str, fresh: bool) -> LookupOutcome {
        let inner = &self.inner;
        let number = {
            let (raw, config) = (raw.to_string(), inner.config.clone());
            match tokio::task::spawn_blocking(move || normalize(&raw, &config)).await {
                Ok(n) => n,
                Err(e) => return failed(format!("the number could not be read: {e}")),
            }
        };
        if !number.is_external() {
            return LookupOutcome::default();
        }
        // The bound is for the sources: reading the number is local work of bounded size.
        let deadline = tokio::time::Instant::now() + inner.bounds.timeout;
        let query = CrmQuery { raw: number.raw.clone(), e164: number.e164.clone(), digits: number.digits() };
        let key = number.e164.clone().unwrap_or_else(|| number.digits());

        let pick = self.spawn_pick(&number);
        // (name, who answers — as the CRM's own errors name it, the job)
        let mut pending: Vec<(String, String, Pending)> = Vec::with_capacity(inner.sources.len());
        for source in &inner.sources {
            let name = source.name().to_string();
            let job = match source {
                Source::Directory(Err(why)) => Pending::Ready(Err(format!("customer directory: {why}"))),
                Source::Directory(Ok(dir)) => {
                    let (dir, number) = (dir.clone(), number.clone());
                    Pending::Task(tokio::task::spawn_blocking(move || directory_lookup(&dir, &number)))
                }
                Source::Crm { connector: Err(why), .. } => Pending::Ready(Err(why.clone())),
                Source::Crm { connector: Ok(crm), .. } => match (!fresh).then(|| self.cached(&name, &key)).flatten() {
                    Some(hit) => Pending::Ready(Ok(crm_matches(&name, &crm.label(), hit))),
                    None => {
                        let (crm, query, this, key, name2) =
                            (crm.clone(), query.clone(), self.clone(), key.clone(), name.clone());
                        Pending::Task(tokio::spawn(async move {
                            let found = crm.find(&query).await.map_err(|e| e.to_string())?;
                            this.store(&name2, &key, &found);
                            Ok(crm_matches(&name2, &crm.label(), found))
                        }))
                    }
                },
            };
            let who = match source {
                Source::Crm { connector: Ok(crm), .. } => crm.label(),
                _ => "the customer directory".to_string(),
            };
            pending.push((name, who, job));
        }

        let mut answers: Vec<Answer> = Vec::with_capacity(pending.len());
        for (name, who, job) in pending {
            let result = match job {
                Pending::Ready(r) => r,
                Pending::Task(mut task) => match tokio::time::timeout_at(deadline, &mut task).await {
                    Ok(Ok(r)) => r,
                    Ok(Err(e)) => Err(format!("stopped unexpectedly ({e})")),
                    Err(_) => {
                        task.abort();
                        // Worded as the connector's own time-out, which may win the race.
                        Err(format!("{who} did not answer within {} ms", inner.bounds.timeout.as_millis()))
                    }
                },
            };
            let result = result.map_err(|why| self.with_label(&name, why));
            answers.push((name, result));
        }
        let pick = match tokio::time::timeout_at(deadline, pick).await {
            Ok(Ok(Ok(p))) => p,
            _ => None,
        };
        LookupOutcome { number_display: number.display, ..merge(answers, pick) }
    }

    /// Remembers the agent's pick for this number, so the next call from it opens on that
    /// customer. Blocks on SQLite: call from a blocking thread.
    pub fn remember_pick(&self, raw: &str, source: &str, customer_id: &str) -> Result<(), DirectoryProblem> {
        let Some(dir) = &self.inner.directory else { return Err(DirectoryProblem::Unavailable) };
        let number = normalize(raw, &self.inner.config);
        let dir = dir.lock().map_err(|_| DirectoryProblem::Poisoned)?;
        Ok(dir.remember_pick(&number, source, customer_id)?)
    }

    /// Forgets the cached CRM answers for this number (after a customer was created for it).
    pub fn forget_cached(&self, raw: &str) {
        let number = normalize(raw, &self.inner.config);
        let key = number.e164.clone().unwrap_or_else(|| number.digits());
        if let Ok(mut cache) = self.inner.cache.lock() {
            cache.retain(|(_, k), _| *k != key);
        }
    }

    fn spawn_pick(&self, number: &NormalizedNumber) -> JoinHandle<Result<Option<Pick>, String>> {
        let (picks, number) = (self.inner.directory.clone(), number.clone());
        tokio::task::spawn_blocking(move || {
            let Some(dir) = picks else { return Ok(None) };
            let dir = dir.lock().map_err(|_| POISONED.to_string())?;
            dir.remembered_pick(&number).map_err(|e| e.to_string())
        })
    }

    fn with_label(&self, name: &str, why: String) -> String {
        if name == DIRECTORY_SOURCE || why.starts_with(name) {
            why
        } else {
            format!("{name}: {why}")
        }
    }

    fn cached(&self, source: &str, key: &str) -> Option<Vec<CrmCustomer>> {
        let cache = self.inner.cache.lock().ok()?;
        let hit = cache.get(&(source.to_string(), key.to_string()))?;
        (hit.at.elapsed() < hit.ttl).then(|| hit.customers.clone())
    }

    fn store(&self, source: &str, key: &str, customers: &[CrmCustomer]) {
        let bounds = &self.inner.bounds;
        let ttl = if customers.is_empty() { bounds.negative_ttl.min(bounds.cache_ttl) } else { bounds.cache_ttl };
        if ttl.is_zero() {
            return;
        }
        let Ok(mut cache) = self.inner.cache.lock() else { return };
        if cache.len() >= CACHE_CAPACITY {
            cache.retain(|_, c| c.at.elapsed() < c.ttl);
            if cache.len() >= CACHE_CAPACITY {
                if let Some(oldest) = cache.iter().min_by_key(|(_, c)| c.at).map(|(k, _)| k.clone()) {
                    cache.remove(&oldest);
                }
            }
        }
        cache.insert(
            (source.to_string(), key.to_string()),
            Cached { at: Instant::now(), ttl, customers: customers.to_vec() },
        );
    }
}

const POISONED: &str = "the customer directory failed earlier; restart Ringside";

enum Pending {
    Ready(Result<Vec<CustomerMatch>, String>),
    Task(JoinHandle<Result<Vec<CustomerMatch>, String>>),
}

fn failed(why: String) -> LookupOutcome {
    LookupOutcome { failed: Some(why), ..LookupOutcome::default() }
}

fn directory_lookup(dir: &SharedDirectory, number: &NormalizedNumber) -> Result<Vec<CustomerMatch>, String> {
    let dir = dir.lock().map_err(|_| POISONED.to_string())?;
    let found = dir.lookup(number).map_err(|e| format!("customer directory: {e}"))?;
    Ok(found.iter().map(|m| m.to_customer_match()).collect())
}

fn crm_matches(source: &str, label: &str, found: Vec<CrmCustomer>) -> Vec<CustomerMatch> {
    let how = || ringside_core::MatchWhy::new(ringside_core::MatchHow::SameNumberIn { crm: label.to_string() });
    found.into_iter().map(|c| crm_match(source, format!("same number in {label}"), how(), c)).collect()
}

/// A CRM's customer as the card lists it.
pub(crate) fn crm_match(source: &str, reason: String, why: ringside_core::MatchWhy, c: CrmCustomer) -> CustomerMatch {
    CustomerMatch {
        id: c.id,
        source: source.to_string(),
        name: c.name,
        company: c.company,
        reason,
        why: Some(why),
        url: c.url,
        orders: c
            .orders
            .into_iter()
            .map(|o| OrderSummary { id: o.id, title: o.title, status: o.status, amount: o.amount, money: None })
            .collect(),
        chosen: false,
        kind: c.kind.map(|k| match k {
            ringside_crm::CrmRecordKind::Contact => ringside_core::RecordKind::Contact,
            ringside_crm::CrmRecordKind::Company => ringside_core::RecordKind::Company,
            ringside_crm::CrmRecordKind::Lead => ringside_core::RecordKind::Lead,
        }),
        owner: c.owner,
        deal: c.deal,
    }
}

/// Sources' answers in priority order → one list: the same person found in two sources (same
/// name and company) is listed once, from the higher-priority source; the remembered pick
/// goes first, marked chosen; failures are joined into one sentence.
fn merge(answers: Vec<Answer>, pick: Option<Pick>) -> LookupOutcome {
    let mut customers: Vec<CustomerMatch> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for (_, result) in answers {
        match result {
            Ok(found) => {
                for c in found {
                    let same = |o: &CustomerMatch| {
                        o.name.to_lowercase() == c.name.to_lowercase()
                            && o.company.as_deref().map(str::to_lowercase)
                                == c.company.as_deref().map(str::to_lowercase)
                    };
                    if !customers.iter().any(same) {
                        customers.push(c);
                    }
                }
            }
            Err(why) => failures.push(why),
        }
    }
    for c in &mut customers {
        c.chosen = false;
    }
    if let Some(pick) = pick {
        if let Some(pos) = customers.iter().position(|c| c.is(&pick.source, &pick.customer_id)) {
            let mut chosen = customers.remove(pos);
            chosen.chosen = true;
            chosen.reason = format!("{}, chosen before", chosen.reason.trim_end_matches(", chosen before"));
            if let Some(why) = &mut chosen.why {
                why.chosen_before = true;
            }
            customers.insert(0, chosen);
        }
    }
    LookupOutcome { customers, failed: (!failures.is_empty()).then(|| failures.join("; ")), number_display: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(source: &str, id: &str, name: &str, company: Option<&str>) -> CustomerMatch {
        CustomerMatch {
            id: id.into(),
            source: source.into(),
            name: name.into(),
            company: company.map(Into::into),
            reason: "same E.164".into(),
            why: Some(ringside_core::MatchWhy::new(ringside_core::MatchHow::SameE164)),
            url: None,
            orders: vec![],
            chosen: false,
            kind: None,
            owner: None,
            deal: None,
        }
    }

    #[test]
    fn merge_keeps_priority_order_drops_the_same_person_and_puts_the_pick_first() {
        let answers = vec![
            (
                "shop".to_string(),
                Ok(vec![m("shop", "c1", "Jan Nowak", Some("Nowak Sp.")), m("shop", "c2", "Ewa", None)]),
            ),
            ("b24".to_string(), Err("b24: Bitrix24 did not answer within 800 ms".to_string())),
            (
                "directory".to_string(),
                Ok(vec![m("directory", "1", "JAN NOWAK", Some("nowak sp.")), m("directory", "2", "Piotr", None)]),
            ),
        ];
        let out = merge(answers, Some(Pick { source: "directory".into(), customer_id: "2".into() }));
        let names: Vec<(&str, &str, bool)> =
            out.customers.iter().map(|c| (c.source.as_str(), c.name.as_str(), c.chosen)).collect();
        assert_eq!(names, [("directory", "Piotr", true), ("shop", "Jan Nowak", false), ("shop", "Ewa", false)]);
        assert_eq!(out.customers[0].reason, "same E.164, chosen before");
        assert_eq!(out.failed.as_deref(), Some("b24: Bitrix24 did not answer within 800 ms"));
    }

    #[test]
    fn a_pick_that_no_longer_matches_changes_nothing() {
        let answers = vec![("directory".to_string(), Ok(vec![m("directory", "1", "A", None)]))];
        let out = merge(answers, Some(Pick { source: "shop".into(), customer_id: "1".into() }));
        assert!(!out.customers[0].chosen);
        assert_eq!(out.failed, None);
    }
}
