//! The embedded customer directory: one SQLite file (WAL mode) with customers, their phones
//! and their orders, searched by normalized number.
//!
//! # Sharing
//!
//! A [`Directory`] owns one `rusqlite::Connection`, which is `Send` but not `Sync`: move it to
//! the thread that uses it, put it behind a `std::sync::Mutex` (lookups take tens of
//! microseconds, so the lock is never held long), or open one `Directory` per thread on the
//! same file — WAL mode lets readers run while an import writes. In async code, call it
//! from `spawn_blocking` or a dedicated thread; the crate itself stays synchronous.

use std::path::{Path, PathBuf};

use ringside_core::{CustomerMatch, MatchHow, MatchWhy, Money, OrderSummary, Timestamp};
use ringside_store_file::{Format, Migration, Synchronous};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use ringside_numbers::{normalize_keys, NormalizedNumber, NumberKind};

use crate::{LookupConfig, LookupError};

/// Marks a SQLite file as a Ringside directory (`PRAGMA application_id`, "RGSD").
pub const APPLICATION_ID: i32 = 0x5247_5344;
/// The newest schema this version reads and writes (`PRAGMA user_version`): the number of
/// migrations.
pub const SCHEMA_VERSION: i64 = FORMAT.version();
/// A lookup returns at most this many customers (a pick list longer than that helps no one).
pub const MAX_MATCHES: usize = 50;
/// Order statuses (compared without case) that are over: such orders are not shown on the card.
pub const CLOSED_STATUSES: &[&str] = &["closed", "cancelled", "canceled", "lost", "completed", "done"];

/// SQLite's page cache: 16 MiB in normal use (set on opening, and again after an import)…
const CACHE_PRAGMA: &str = "PRAGMA cache_size=-16384;";
/// …more while importing (random index inserts), in KiB.
const IMPORT_CACHE_KIB: u32 = 256 * 1024;

/// The directory file, opened by the shared opener (crates/store_file): application id,
/// too-new check, WAL, each migration in its own `BEGIN IMMEDIATE` transaction. The stored
/// number keys are not a migration: they depend on the region setting
/// (`Directory::rekey_if_needed`).
const FORMAT: Format = Format {
    what: "customer directory",
    application_id: APPLICATION_ID,
    migrations: MIGRATIONS,
    synchronous: Synchronous::Normal,
    pragmas: CACHE_PRAGMA,
};

/// Customers with a phone of this E.164 form, most recently contacted first.
const BY_E164: &str = "SELECT c.id FROM customers c
    WHERE c.id IN (SELECT p.customer_id FROM phones p WHERE p.e164 = ?1)
    ORDER BY c.last_contacted_at IS NULL, c.last_contacted_at DESC, c.name, c.id LIMIT 50";
/// Customers with a phone ending in the same digits — by the national number's last digits
/// (?1) or by the last digits as typed (?2), so a number the parser misread on either side
/// still meets — most recently contacted first. The second column says whether the typed
/// key matched.
const BY_SUFFIX: &str = "SELECT c.id,
        EXISTS (SELECT 1 FROM phones t WHERE t.customer_id = c.id AND t.typed_suffix = ?2)
    FROM customers c
    WHERE c.id IN (SELECT p.customer_id FROM phones p WHERE p.suffix = ?1
                   UNION SELECT p.customer_id FROM phones p WHERE p.typed_suffix = ?2)
    ORDER BY c.last_contacted_at IS NULL, c.last_contacted_at DESC, c.name, c.id LIMIT 50";
/// Must list the same statuses as [`CLOSED_STATUSES`] (a test checks).
const ACTIVE_ORDERS: &str = "SELECT id, title, status, amount_minor, currency, updated_at FROM orders
    WHERE customer_id = ?1 AND lower(trim(status)) NOT IN ('closed', 'cancelled', 'canceled', 'lost', 'completed', 'done')
    ORDER BY updated_at DESC, id DESC";

/// The indexes lookups use, (name, column of `phones`). A large import into a (nearly) empty
/// directory drops them and builds them again at the end — sorting once is far cheaper than a
/// million random inserts. Keep in step with the migrations.
const LOOKUP_INDEXES: &[(&str, &str)] =
    &[("phones_e164", "e164"), ("phones_suffix", "suffix"), ("phones_typed_suffix", "typed_suffix")];

/// Below this many stored phones, an import builds the lookup indexes at the end.
const DEFER_INDEXES_BELOW: i64 = 50_000;

/// Version N is the N-th entry. A released migration is never edited: a change is a new version.
const MIGRATIONS: &[Migration] = &[
    // 1: the first schema.
    Migration::sql(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
     CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        external_id TEXT,
        import_key TEXT,
        name TEXT NOT NULL,
        company TEXT,
        email TEXT,
        owner TEXT,
        tags TEXT NOT NULL DEFAULT '',
        notes TEXT,
        last_contacted_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
     );
     CREATE INDEX customers_import_key ON customers(import_key);
     CREATE TABLE phones (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        raw TEXT NOT NULL,
        e164 TEXT,
        suffix TEXT NOT NULL,
        label TEXT
     );
     CREATE INDEX phones_e164 ON phones(e164);
     CREATE INDEX phones_suffix ON phones(suffix);
     CREATE INDEX phones_customer ON phones(customer_id);
     CREATE TABLE orders (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        status TEXT NOT NULL,
        amount_minor INTEGER,
        currency TEXT,
        updated_at INTEGER NOT NULL
     );
     CREATE INDEX orders_customer ON orders(customer_id, updated_at);
     CREATE TABLE choices (
        number_key TEXT PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        chosen_at INTEGER NOT NULL
     ) WITHOUT ROWID;",
    ),
    // 2: the agent's pick per number may be a CRM's customer too: (source, id as text).
    Migration::sql(
        "CREATE TABLE picks (
        number_key TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        customer_id TEXT NOT NULL,
        chosen_at INTEGER NOT NULL
     ) WITHOUT ROWID;
     INSERT INTO picks(number_key, source, customer_id, chosen_at)
        SELECT number_key, 'directory', CAST(customer_id AS TEXT), chosen_at FROM choices;
     DROP TABLE choices;",
    ),
    // 3: the last digits as typed, a second fallback key. Forgetting which settings the keys
    // were computed for makes the open recompute every phone's keys, the new one included.
    Migration::sql(
        "ALTER TABLE phones ADD COLUMN typed_suffix TEXT;
     CREATE INDEX phones_typed_suffix ON phones(typed_suffix);
     DELETE FROM meta WHERE key = 'number_keys';",
    ),
];

/// One phone number of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// As it was entered or imported.
    pub raw: String,
    pub e164: Option<String>,
    /// "mobile", "work", … as the source called it.
    pub label: Option<String>,
}

/// A customer as the card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// The source's id. For the embedded directory, the row id in decimal.
    pub id: String,
    /// The id in the system the customer was imported from, if any.
    pub external_id: Option<String>,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    /// The account manager.
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub phones: Vec<Phone>,
    pub last_contacted_at: Option<Timestamp>,
}

/// An order or deal shown on the card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub title: String,
    /// Free text ("new", "in progress", "awaiting payment", …); see [`CLOSED_STATUSES`].
    pub status: String,
    /// In minor units (cents, kopiykas, grosze).
    pub amount_minor: Option<i64>,
    /// ISO 4217 code ("UAH", "EUR").
    pub currency: Option<String>,
    pub updated_at: Timestamp,
}

impl Order {
    /// "1250.00 UAH", or `None` without an amount.
    pub fn amount_text(&self) -> Option<String> {
        let minor = self.amount_minor?;
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let currency = self.currency.as_deref().map(|c| format!(" {c}")).unwrap_or_default();
        Some(format!("{sign}{}.{:02}{currency}", abs / 100, abs % 100))
    }

    /// Whether the order is still going on (its status is not in [`CLOSED_STATUSES`]).
    pub fn is_active(&self) -> bool {
        !CLOSED_STATUSES.iter().any(|s| s.eq_ignore_ascii_case(self.status.trim()))
    }
}

/// Why a customer matched the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "digits")]
pub enum MatchReason {
    /// One of the customer's phones has the same E.164 form.
    SameE164,
    /// No phone had the same E.164 form, but one ends with the same last N digits: of the
    /// national number, or as typed (which still meet when the parser misread either side).
    LastDigits(usize),
}

impl std::fmt::Display for MatchReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MatchReason::SameE164 => f.write_str("same E.164"),
            MatchReason::LastDigits(n) => write!(f, "last {n} digits"),
        }
    }
}

/// One customer found for a number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub customer: Customer,
    pub reason: MatchReason,
    /// The agent picked this customer for this number before; it is listed first.
    pub remembered: bool,
    /// The customer's active orders, most recently updated first.
    pub orders: Vec<Order>,
}

impl Match {
    /// Why it matched, in words: "same E.164", "last 9 digits, chosen before".
    pub fn reason_text(&self) -> String {
        if self.remembered {
            format!("{}, chosen before", self.reason)
        } else {
            self.reason.to_string()
        }
    }

    /// The card's summary of this match.
    pub fn to_customer_match(&self) -> CustomerMatch {
        CustomerMatch {
            id: self.customer.id.clone(),
            source: DIRECTORY_SOURCE.to_string(),
            name: self.customer.name.clone(),
            company: self.customer.company.clone(),
            reason: self.reason_text(),
            why: Some(MatchWhy {
                how: match self.reason {
                    MatchReason::SameE164 => MatchHow::SameE164,
                    MatchReason::LastDigits(n) => MatchHow::LastDigits { digits: u32::try_from(n).unwrap_or(u32::MAX) },
                },
                chosen_before: self.remembered,
            }),
            url: None,
            orders: self
                .orders
                .iter()
                .map(|o| OrderSummary {
                    // The directory logs calls to the customer, never to one order.
                    id: None,
                    title: o.title.clone(),
                    status: Some(o.status.clone()),
                    amount: o.amount_text(),
                    money: o.amount_minor.map(|minor| Money { minor, currency: o.currency.clone() }),
                })
                .collect(),
            chosen: self.remembered,
            kind: None,
            owner: self.customer.owner.clone(),
            deal: None,
        }
    }
}

/// The source name of the embedded directory's customers (as in the config's `lookup.order`).
pub const DIRECTORY_SOURCE: &str = "directory";

/// An agent's remembered pick for a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub source: String,
    pub customer_id: String,
}

/// A phone for a new or imported customer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewPhone {
    pub raw: String,
    pub label: Option<String>,
}

impl NewPhone {
    pub fn new(raw: impl Into<String>, label: Option<&str>) -> Self {
        Self { raw: raw.into(), label: label.map(str::to_owned) }
    }
}

/// A customer to add.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewCustomer {
    pub external_id: Option<String>,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub phones: Vec<NewPhone>,
    pub last_contacted_at: Option<Timestamp>,
}

/// An order or deal to add.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NewOrder {
    pub title: String,
    pub status: String,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    /// Defaults to now.
    pub updated_at: Option<Timestamp>,
}

/// Row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DirectoryStats {
    pub customers: u64,
    pub phones: u64,
    pub orders: u64,
}

/// A phone after normalization, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyedPhone {
    pub raw: String,
    pub label: Option<String>,
    pub e164: Option<String>,
    pub suffix: String,
    pub typed_suffix: Option<String>,
}

/// A customer whose phones are normalized and whose identity key is computed: what both
/// `add_customer` and the importers store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreparedCustomer {
    pub import_key: String,
    pub external_id: Option<String>,
    pub name: String,
    pub company: Option<String>,
    pub email: Option<String>,
    pub owner: Option<String>,
    pub tags: String,
    pub notes: Option<String>,
    pub phones: Vec<KeyedPhone>,
    pub last_contacted_at: Option<Timestamp>,
}

/// Why one phone of a customer was not kept.
pub(crate) struct PhoneProblem {
    pub raw: String,
    pub why: String,
}

pub(crate) enum Upsert {
    Added(i64),
    Updated,
    Unchanged,
}

fn clean_opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

pub(crate) fn join_tags<S: AsRef<str>>(tags: &[S]) -> String {
    let mut out: Vec<&str> = Vec::new();
    for t in tags {
        let t = t.as_ref().trim();
        if !t.is_empty() && !out.iter().any(|seen| seen.to_lowercase() == t.to_lowercase()) {
            out.push(t);
        }
    }
    out.join(",")
}

fn split_tags(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// Normalizes phones and computes the identity key; phones that are not customer numbers
/// are returned as problems.
pub(crate) fn prepare(c: &NewCustomer, cfg: &LookupConfig) -> (PreparedCustomer, Vec<PhoneProblem>) {
    let mut phones = Vec::with_capacity(c.phones.len());
    let mut problems = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for p in &c.phones {
        let raw = p.raw.trim();
        if raw.is_empty() {
            continue;
        }
        let n = normalize_keys(raw, cfg);
        match (&n.kind, n.suffix) {
            (NumberKind::External, Some(suffix)) => {
                let key = n.e164.clone().unwrap_or_else(|| suffix.clone());
                if !seen.contains(&key) {
                    seen.push(key);
                    phones.push(KeyedPhone {
                        raw: raw.to_owned(),
                        label: clean_opt(p.label.as_deref()),
                        e164: n.e164,
                        suffix,
                        typed_suffix: n.typed_suffix,
                    });
                }
            }
            (NumberKind::Internal, _) => problems.push(PhoneProblem {
                raw: raw.to_owned(),
                why: "is an internal extension, not a customer's number".to_owned(),
            }),
            (NumberKind::NotANumber(why), _) => {
                problems.push(PhoneProblem { raw: raw.to_owned(), why: format!("is not a phone number: {why}") })
            }
            (NumberKind::External, None) => {
                problems.push(PhoneProblem { raw: raw.to_owned(), why: "is not a phone number".to_owned() })
            }
        }
    }
    let name = c.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let external_id = clean_opt(c.external_id.as_deref());
    let import_key = match &external_id {
        Some(id) => format!("ext:{id}"),
        None => {
            let phone_key = phones.first().map(|p| p.e164.clone().unwrap_or_else(|| format!("s:{}", p.suffix)));
            format!("np:{}|{}", phone_key.unwrap_or_default(), name.to_lowercase())
        }
    };
    let prepared = PreparedCustomer {
        import_key,
        external_id,
        name,
        company: clean_opt(c.company.as_deref()),
        email: clean_opt(c.email.as_deref()),
        owner: clean_opt(c.owner.as_deref()),
        tags: join_tags(&c.tags),
        notes: clean_opt(c.notes.as_deref()),
        phones,
        last_contacted_at: c.last_contacted_at,
    };
    (prepared, problems)
}

fn ts_to_sql(t: Timestamp) -> i64 {
    i64::try_from(t.as_millis()).unwrap_or(i64::MAX)
}

fn ts_from_sql(v: i64) -> Timestamp {
    Timestamp::from_millis(u64::try_from(v).unwrap_or(0))
}

/// The embedded customer directory. See the module documentation for sharing it.
pub struct Directory {
    conn: Connection,
    cfg: LookupConfig,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for Directory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Directory").field("path", &self.path).field("cfg", &self.cfg).finish_non_exhaustive()
    }
}

impl Directory {
    /// Opens the directory at `path`, creating it (and its schema) if the file does not exist,
    /// and migrating a file an older Ringside wrote, with its data.
    ///
    /// Errors, each with its own message: the settings are not usable; the folder does not
    /// exist; the file or folder is read-only; the file is another program's database; the
    /// file is damaged or not a database; it was written by a newer Ringside.
    pub fn open(path: &Path, cfg: LookupConfig) -> Result<Self, LookupError> {
        cfg.validate()?;
        let conn = FORMAT.open(path)?;
        let dir = Self { conn, cfg, path: Some(path.to_path_buf()) };
        dir.rekey_if_needed()?;
        Ok(dir)
    }

    /// A directory that lives in memory only (tests, previews).
    pub fn open_in_memory(cfg: LookupConfig) -> Result<Self, LookupError> {
        cfg.validate()?;
        let conn = FORMAT.open_in_memory()?;
        let dir = Self { conn, cfg, path: None };
        dir.rekey_if_needed()?;
        Ok(dir)
    }

    /// Test hook: creates (or opens) the file migrated only up to `version`, as an older
    /// Ringside left it, and closes it again, so a test can fill it in that version's schema
    /// and check that [`Directory::open`] migrates it with its data.
    #[cfg(feature = "test-support")]
    pub fn create_at_version_for_tests(path: &Path, version: i64) -> Result<(), LookupError> {
        FORMAT.open_at_version(path, version)?;
        Ok(())
    }

    pub fn config(&self) -> &LookupConfig {
        &self.cfg
    }

    /// The file, `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The stored keys depend on the region and the suffix length; when those settings change
    /// (or a migration adds a key), the keys of every phone are recomputed from the raw numbers.
    fn rekey_if_needed(&self) -> Result<(), LookupError> {
        let wanted = format!("{}/{}", self.cfg.default_region.trim().to_ascii_uppercase(), self.cfg.suffix_len);
        let stored: Option<String> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'number_keys'", [], |r| r.get(0)).optional()?;
        if stored.as_deref() == Some(wanted.as_str()) {
            return Ok(());
        }
        let tx = self.conn.unchecked_transaction()?;
        let mut changed = 0usize;
        {
            let mut select = tx.prepare("SELECT id, raw FROM phones")?;
            let mut update = tx.prepare("UPDATE phones SET e164 = ?2, suffix = ?3, typed_suffix = ?4 WHERE id = ?1")?;
            let rows = select.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, raw) = row?;
                let n = normalize_keys(&raw, &self.cfg);
                let suffix = n.suffix.unwrap_or_default();
                update.execute(params![id, n.e164, suffix, n.typed_suffix])?;
                changed += 1;
            }
        }
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('number_keys', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [&wanted],
        )?;
        tx.commit()?;
        if stored.is_some() {
            tracing::info!(phones = changed, keys = %wanted, "number settings changed; phone keys recomputed");
        }
        Ok(())
    }

    /// Row counts.
    pub fn stats(&self) -> Result<DirectoryStats, LookupError> {
        let count = |table: &str| -> Result<u64, LookupError> {
            let n: i64 = self.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        Ok(DirectoryStats { customers: count("customers")?, phones: count("phones")?, orders: count("orders")? })
    }

    /// How many customers the directory holds.
    pub fn count(&self) -> Result<u64, LookupError> {
        Ok(self.stats()?.customers)
    }

    /// Customers for a number: same E.164 first; if none, the same last `suffix_len` digits,
    /// of the national number or as typed (on either side: see [`NormalizedNumber::typed_suffix`]).
    /// Several matches are ordered most recently contacted first, except that the customer
    /// the agent picked for this number before ([`Directory::remember_choice`]) comes first.
    /// Internal extensions and non-numbers are never looked up: the list is empty.
    pub fn lookup(&self, number: &NormalizedNumber) -> Result<Vec<Match>, LookupError> {
        if !number.is_external() {
            tracing::debug!(kind = ?number.kind, "not an external number; not looked up");
            return Ok(Vec::new());
        }
        let mut found: Vec<(i64, MatchReason)> = Vec::new();
        if let Some(e164) = &number.e164 {
            found = self.ids_where(BY_E164, e164)?.into_iter().map(|id| (id, MatchReason::SameE164)).collect();
        }
        if found.is_empty() {
            found = self.ids_by_last_digits(number)?;
        }
        let remembered = if found.len() > 1 { self.remembered_for(number)? } else { None };
        if let Some(chosen) = remembered {
            if let Some(pos) = found.iter().position(|(id, _)| *id == chosen) {
                let m = found.remove(pos);
                found.insert(0, m);
            }
        }
        let mut out = Vec::with_capacity(found.len());
        for (id, reason) in found {
            if let Some(customer) = self.customer_by_row(id)? {
                let orders = self.active_orders(id)?;
                out.push(Match { customer, reason, remembered: Some(id) == remembered, orders });
            }
        }
        tracing::debug!(number = %number, matches = out.len(), "directory lookup");
        Ok(out)
    }

    /// Customers by either last-digits key, each with the length of the key it matched by
    /// (the typed key when both did: it is the longer or the same).
    fn ids_by_last_digits(&self, number: &NormalizedNumber) -> Result<Vec<(i64, MatchReason)>, LookupError> {
        let (suffix, typed) = (number.suffix.as_deref(), number.typed_suffix.as_deref());
        if suffix.is_none() && typed.is_none() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(BY_SUFFIX)?;
        let rows = stmt.query_map(params![suffix, typed], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?)))?;
        let mut found = Vec::new();
        for row in rows {
            let (id, by_typed) = row?;
            let key = if by_typed { typed } else { suffix };
            found.push((id, MatchReason::LastDigits(key.map_or(0, str::len))));
        }
        Ok(found)
    }

    fn ids_where(&self, sql: &str, key: &str) -> Result<Vec<i64>, LookupError> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let ids = stmt.query_map([key], |r| r.get(0))?.collect::<Result<Vec<i64>, _>>()?;
        Ok(ids)
    }

    fn remembered_for(&self, number: &NormalizedNumber) -> Result<Option<i64>, LookupError> {
        Ok(match self.remembered_pick(number)? {
            Some(pick) if pick.source == DIRECTORY_SOURCE => pick.customer_id.parse().ok(),
            _ => None,
        })
    }

    /// The customer the agent picked for this number last, in whichever source.
    pub fn remembered_pick(&self, number: &NormalizedNumber) -> Result<Option<Pick>, LookupError> {
        let mut stmt = self.conn.prepare_cached("SELECT source, customer_id FROM picks WHERE number_key = ?1")?;
        for key in number.keys() {
            let pick = stmt.query_row([key], |r| Ok(Pick { source: r.get(0)?, customer_id: r.get(1)? })).optional()?;
            if pick.is_some() {
                return Ok(pick);
            }
        }
        Ok(None)
    }

    /// Remembers that the agent picked `customer_id` of `source` (a CRM's name, or
    /// [`DIRECTORY_SOURCE`]) for this number. Not checked: a CRM's customers are not here.
    pub fn remember_pick(&self, number: &NormalizedNumber, source: &str, customer_id: &str) -> Result<(), LookupError> {
        if !number.is_external() {
            return Ok(());
        }
        let now = ts_to_sql(Timestamp::now());
        let tx = self.conn.unchecked_transaction()?;
        for key in number.keys() {
            tx.execute(
                "INSERT INTO picks(number_key, source, customer_id, chosen_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(number_key) DO UPDATE SET source = excluded.source,
                    customer_id = excluded.customer_id, chosen_at = excluded.chosen_at",
                params![key, source, customer_id, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// One customer by id.
    pub fn customer(&self, id: &str) -> Result<Customer, LookupError> {
        let row = parse_id(id)?;
        self.customer_by_row(row)?.ok_or_else(|| LookupError::NoSuchCustomer(id.to_owned()))
    }

    fn customer_by_row(&self, id: i64) -> Result<Option<Customer>, LookupError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, external_id, name, company, email, owner, tags, notes, last_contacted_at
             FROM customers WHERE id = ?1",
        )?;
        let customer = stmt
            .query_row([id], |r| {
                Ok(Customer {
                    id: r.get::<_, i64>(0)?.to_string(),
                    external_id: r.get(1)?,
                    name: r.get(2)?,
                    company: r.get(3)?,
                    email: r.get(4)?,
                    owner: r.get(5)?,
                    tags: split_tags(&r.get::<_, String>(6)?),
                    notes: r.get(7)?,
                    phones: Vec::new(),
                    last_contacted_at: r.get::<_, Option<i64>>(8)?.map(ts_from_sql),
                })
            })
            .optional()?;
        let Some(mut customer) = customer else { return Ok(None) };
        let mut phones =
            self.conn.prepare_cached("SELECT raw, e164, label FROM phones WHERE customer_id = ?1 ORDER BY id")?;
        customer.phones = phones
            .query_map([id], |r| Ok(Phone { raw: r.get(0)?, e164: r.get(1)?, label: r.get(2)? }))?
            .collect::<Result<_, _>>()?;
        Ok(Some(customer))
    }

    /// All orders of a customer, most recently updated first (closed ones included).
    pub fn orders(&self, customer_id: &str) -> Result<Vec<Order>, LookupError> {
        let id = parse_id(customer_id)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, title, status, amount_minor, currency, updated_at FROM orders
             WHERE customer_id = ?1 ORDER BY updated_at DESC, id DESC",
        )?;
        let orders = stmt.query_map([id], order_from_row)?.collect::<Result<_, _>>()?;
        Ok(orders)
    }

    fn active_orders(&self, id: i64) -> Result<Vec<Order>, LookupError> {
        let mut stmt = self.conn.prepare_cached(ACTIVE_ORDERS)?;
        let orders = stmt.query_map([id], order_from_row)?.collect::<Result<_, _>>()?;
        Ok(orders)
    }

    /// Adds a customer ("Create customer" on the card). Every phone must be a customer's
    /// number (not an extension, not garbage), and there must be a name or a company.
    /// Returns the new id.
    pub fn add_customer(&self, customer: &NewCustomer) -> Result<String, LookupError> {
        let (prepared, problems) = prepare(customer, &self.cfg);
        if let Some(p) = problems.first() {
            return Err(LookupError::InvalidCustomer(format!("{:?} {}", p.raw, p.why)));
        }
        let prepared = require_name(prepared)?;
        let now = Timestamp::now();
        let tx = self.conn.unchecked_transaction()?;
        let id = insert_customer(&tx, &prepared, now)?;
        tx.commit()?;
        tracing::info!(id, "customer added");
        Ok(id.to_string())
    }

    /// Adds an order or deal to a customer ("Add order/lead" on the card). Returns its id.
    pub fn add_order(&self, customer_id: &str, order: &NewOrder) -> Result<String, LookupError> {
        let id = parse_id(customer_id)?;
        if order.title.trim().is_empty() {
            return Err(LookupError::InvalidCustomer("an order needs a title".to_owned()));
        }
        let exists: Option<i64> =
            self.conn.query_row("SELECT id FROM customers WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if exists.is_none() {
            return Err(LookupError::NoSuchCustomer(customer_id.to_owned()));
        }
        insert_order(&self.conn, id, order)?;
        Ok(self.conn.last_insert_rowid().to_string())
    }

    /// Records that the customer was just talked to (orders a pick list).
    pub fn mark_contacted(&self, customer_id: &str, at: Timestamp) -> Result<(), LookupError> {
        let id = parse_id(customer_id)?;
        let n = self
            .conn
            .execute("UPDATE customers SET last_contacted_at = ?2 WHERE id = ?1", params![id, ts_to_sql(at)])?;
        if n == 0 {
            return Err(LookupError::NoSuchCustomer(customer_id.to_owned()));
        }
        Ok(())
    }

    /// Remembers the agent's pick for this number: later lookups of the same number (by any
    /// of its keys: E.164, suffix, last digits as typed) list that customer
    /// first and flag it [`Match::remembered`]. A choice only reorders: it never adds a
    /// customer whose phones no longer match the number.
    pub fn remember_choice(&self, number: &NormalizedNumber, customer_id: &str) -> Result<(), LookupError> {
        let id = parse_id(customer_id)?;
        if !number.is_external() {
            return Ok(());
        }
        let exists: Option<i64> =
            self.conn.query_row("SELECT id FROM customers WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        if exists.is_none() {
            return Err(LookupError::NoSuchCustomer(customer_id.to_owned()));
        }
        self.remember_pick(number, DIRECTORY_SOURCE, &id.to_string())
    }

    /// Forgets the pick for this number.
    pub fn forget_choice(&self, number: &NormalizedNumber) -> Result<(), LookupError> {
        for key in number.keys() {
            self.conn.execute("DELETE FROM picks WHERE number_key = ?1", [key])?;
        }
        Ok(())
    }

    /// Inserts or updates a prepared customer inside the caller's transaction.
    pub(crate) fn upsert(&self, c: &PreparedCustomer, now: Timestamp) -> Result<Upsert, LookupError> {
        upsert(&self.conn, c, now)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Calls `f` for every customer, in id order (export).
    pub(crate) fn for_each_customer(
        &self,
        mut f: impl FnMut(&Customer) -> Result<(), LookupError>,
    ) -> Result<(), LookupError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, external_id, name, company, email, owner, tags, notes, last_contacted_at
             FROM customers ORDER BY id",
        )?;
        let mut phones =
            self.conn.prepare("SELECT customer_id, raw, e164, label FROM phones ORDER BY customer_id, id")?;
        let mut phone_rows = phones.query([])?;
        let mut pending: Option<(i64, Phone)> = None;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let mut customer = Customer {
                id: id.to_string(),
                external_id: r.get(1)?,
                name: r.get(2)?,
                company: r.get(3)?,
                email: r.get(4)?,
                owner: r.get(5)?,
                tags: split_tags(&r.get::<_, String>(6)?),
                notes: r.get(7)?,
                phones: Vec::new(),
                last_contacted_at: r.get::<_, Option<i64>>(8)?.map(ts_from_sql),
            };
            // Both queries are ordered by customer id: walk the phones alongside.
            loop {
                if pending.is_none() {
                    match phone_rows.next()? {
                        Some(p) => {
                            pending = Some((p.get(0)?, Phone { raw: p.get(1)?, e164: p.get(2)?, label: p.get(3)? }))
                        }
                        None => break,
                    }
                }
                match pending.take() {
                    Some((cid, phone)) if cid == id => customer.phones.push(phone),
                    Some((cid, phone)) if cid < id => drop(phone),
                    other => {
                        pending = other;
                        break;
                    }
                }
            }
            f(&customer)?;
        }
        Ok(())
    }

    /// Runs `f` inside one transaction (rolled back if it fails).
    pub(crate) fn in_transaction<T>(&self, f: impl FnOnce(&Self) -> Result<T, LookupError>) -> Result<T, LookupError> {
        let tx = self.conn.unchecked_transaction()?;
        let out = f(self)?;
        tx.commit()?;
        Ok(out)
    }

    /// [`Directory::in_transaction`] for imports: a larger page cache (inserting into the
    /// phone indexes touches pages all over the file), and, when the directory is nearly
    /// empty, the lookup indexes are built once at the end instead of row by row. Both
    /// happen inside the transaction, so other connections keep their indexes and a failed
    /// import leaves everything as it was.
    pub(crate) fn in_import_transaction<T>(
        &self,
        f: impl FnOnce(&Self) -> Result<T, LookupError>,
    ) -> Result<T, LookupError> {
        self.conn.execute_batch(&format!("PRAGMA cache_size=-{IMPORT_CACHE_KIB};"))?;
        let out = self.in_transaction(|dir| {
            let phones: i64 = dir.conn.query_row("SELECT count(*) FROM phones", [], |r| r.get(0))?;
            let defer = phones < DEFER_INDEXES_BELOW;
            if defer {
                for (name, _) in LOOKUP_INDEXES {
                    dir.conn.execute_batch(&format!("DROP INDEX {name};"))?;
                }
            }
            let out = f(dir)?;
            if defer {
                let started = std::time::Instant::now();
                for (name, column) in LOOKUP_INDEXES {
                    dir.conn.execute_batch(&format!("CREATE INDEX {name} ON phones({column});"))?;
                }
                tracing::debug!(elapsed = ?started.elapsed(), "lookup indexes built");
            }
            Ok(out)
        });
        if let Err(e) = self.conn.execute_batch(CACHE_PRAGMA) {
            tracing::warn!(error = %e, "could not shrink the page cache after the import");
        }
        out
    }
}

fn order_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Order> {
    Ok(Order {
        id: r.get::<_, i64>(0)?.to_string(),
        title: r.get(1)?,
        status: r.get(2)?,
        amount_minor: r.get(3)?,
        currency: r.get(4)?,
        updated_at: ts_from_sql(r.get(5)?),
    })
}

fn parse_id(id: &str) -> Result<i64, LookupError> {
    id.trim().parse::<i64>().map_err(|_| LookupError::NoSuchCustomer(id.to_owned()))
}

pub(crate) fn require_name(mut c: PreparedCustomer) -> Result<PreparedCustomer, LookupError> {
    if c.name.is_empty() {
        match &c.company {
            Some(company) => c.name = company.clone(),
            None => return Err(LookupError::InvalidCustomer("a customer needs a name or a company".to_owned())),
        }
    }
    if c.phones.is_empty() {
        return Err(LookupError::InvalidCustomer("a customer needs at least one phone number".to_owned()));
    }
    Ok(c)
}

fn insert_customer(conn: &Connection, c: &PreparedCustomer, now: Timestamp) -> Result<i64, LookupError> {
    let now = ts_to_sql(now);
    let mut stmt = conn.prepare_cached(
        "INSERT INTO customers(external_id, import_key, name, company, email, owner, tags, notes,
                               last_contacted_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
    )?;
    stmt.execute(params![
        c.external_id,
        c.import_key,
        c.name,
        c.company,
        c.email,
        c.owner,
        c.tags,
        c.notes,
        c.last_contacted_at.map(ts_to_sql),
        now
    ])?;
    let id = conn.last_insert_rowid();
    insert_phones(conn, id, &c.phones)?;
    Ok(id)
}

fn insert_phones(conn: &Connection, id: i64, phones: &[KeyedPhone]) -> Result<(), LookupError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO phones(customer_id, raw, e164, suffix, typed_suffix, label) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for p in phones {
        stmt.execute(params![id, p.raw, p.e164, p.suffix, p.typed_suffix, p.label])?;
    }
    Ok(())
}

pub(crate) fn insert_order(conn: &Connection, customer: i64, order: &NewOrder) -> Result<(), LookupError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO orders(customer_id, title, status, amount_minor, currency, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let status = if order.status.trim().is_empty() { "new" } else { order.status.trim() };
    stmt.execute(params![
        customer,
        order.title.trim(),
        status,
        order.amount_minor,
        clean_opt(order.currency.as_deref()),
        ts_to_sql(order.updated_at.unwrap_or_else(Timestamp::now))
    ])?;
    Ok(())
}

/// Finds the customer with the same identity key; adds it, updates it, or leaves it alone.
fn upsert(conn: &Connection, c: &PreparedCustomer, now: Timestamp) -> Result<Upsert, LookupError> {
    type Existing =
        (i64, Option<String>, String, Option<String>, Option<String>, Option<String>, String, Option<String>);
    let mut find = conn.prepare_cached(
        "SELECT id, external_id, name, company, email, owner, tags, notes FROM customers
         WHERE import_key = ?1 ORDER BY id LIMIT 1",
    )?;
    let existing: Option<Existing> = find
        .query_row([&c.import_key], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })
        .optional()?;
    let Some((id, external_id, name, company, email, owner, tags, notes)) = existing else {
        return Ok(Upsert::Added(insert_customer(conn, c, now)?));
    };
    let mut phones_stmt = conn.prepare_cached("SELECT raw, label FROM phones WHERE customer_id = ?1 ORDER BY id")?;
    let phones: Vec<(String, Option<String>)> =
        phones_stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let same_fields = external_id == c.external_id
        && name == c.name
        && company == c.company
        && email == c.email
        && owner == c.owner
        && tags == c.tags
        && notes == c.notes;
    let same_phones = phones.len() == c.phones.len()
        && phones.iter().zip(&c.phones).all(|((raw, label), p)| *raw == p.raw && *label == p.label);
    if same_fields && same_phones {
        return Ok(Upsert::Unchanged);
    }
    let mut update = conn.prepare_cached(
        "UPDATE customers SET external_id = ?2, name = ?3, company = ?4, email = ?5, owner = ?6, tags = ?7,
                notes = ?8, updated_at = ?9 WHERE id = ?1",
    )?;
    update.execute(params![id, c.external_id, c.name, c.company, c.email, c.owner, c.tags, c.notes, ts_to_sql(now)])?;
    if !same_phones {
        conn.prepare_cached("DELETE FROM phones WHERE customer_id = ?1")?.execute([id])?;
        insert_phones(conn, id, &c.phones)?;
    }
    Ok(Upsert::Updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_lists_the_closed_statuses_and_the_limit() {
        for status in CLOSED_STATUSES {
            assert!(ACTIVE_ORDERS.contains(&format!("'{status}'")), "{status}");
        }
        assert_eq!(ACTIVE_ORDERS.matches('\'').count(), CLOSED_STATUSES.len() * 2);
        assert!(BY_E164.ends_with(&format!("LIMIT {MAX_MATCHES}")));
        assert!(BY_SUFFIX.ends_with(&format!("LIMIT {MAX_MATCHES}")));
    }

    /// The page cache comes from the opener's pragmas, and an import's larger cache is given
    /// back afterwards.
    #[test]
    fn the_page_cache_is_16_mib_after_opening_and_after_an_import() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = Directory::open(&tmp.path().join("d.sqlite"), LookupConfig::default()).expect("open");
        let cache =
            |dir: &Directory| -> i64 { dir.conn.query_row("PRAGMA cache_size", [], |r| r.get(0)).expect("pragma") };
        assert_eq!(cache(&dir), -16384);
        let during = dir.in_import_transaction(|d| Ok(cache(d))).expect("import");
        assert_eq!(during, -i64::from(IMPORT_CACHE_KIB));
        assert_eq!(cache(&dir), -16384);
    }

    #[test]
    fn amounts_read_as_money() {
        let order = |minor| Order {
            id: "1".into(),
            title: "t".into(),
            status: "Closed ".into(),
            amount_minor: minor,
            currency: Some("UAH".into()),
            updated_at: Timestamp::from_millis(0),
        };
        assert_eq!(order(Some(86_400_005)).amount_text().as_deref(), Some("864000.05 UAH"));
        assert_eq!(order(Some(-150)).amount_text().as_deref(), Some("-1.50 UAH"));
        assert_eq!(order(None).amount_text(), None);
        assert!(!order(None).is_active());
    }
}
