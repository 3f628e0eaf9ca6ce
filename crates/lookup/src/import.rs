//! Import from CSV and vCard, export to CSV.
//!
//! Imports are idempotent: each customer has an identity key — `ext:<id>` when the file has
//! an external id (a CSV column mapped to [`ColumnMap::external_id`], or a vCard `UID`), else
//! `np:<first phone, normalized>|<name, lower case>`. A row whose key is already in the
//! directory updates that customer if a field or a phone differs, and is counted unchanged
//! otherwise, so importing the same file twice changes nothing. A whole import is one
//! transaction: it lands completely or not at all.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

use ringside_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::directory::{prepare, require_name, Directory, NewCustomer, NewPhone, PreparedCustomer, Upsert};
use crate::vcard;
use crate::{LookupConfig, LookupError};

/// At most this many issues are listed in a report; the rest are only counted.
pub const MAX_LISTED_ISSUES: usize = 1000;

/// A phone column of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneColumn {
    /// The header of the column with the number.
    pub column: String,
    /// The label for numbers from this column ("mobile", "work"); `None` for none.
    pub label: Option<String>,
    /// A column holding each row's label instead (Google's "Phone 1 - Label").
    pub label_column: Option<String>,
}

impl PhoneColumn {
    pub fn new(column: &str, label: Option<&str>) -> Self {
        Self { column: column.to_owned(), label: label.map(str::to_owned), label_column: None }
    }
}

/// Which CSV column holds what. Column names are matched without regard to case or
/// surrounding spaces. [`ColumnMap::guess`] builds one from common header names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ColumnMap {
    /// The customer's id in the system the file comes from; makes re-imports exact.
    pub external_id: Option<String>,
    /// One column ("Name"), or several joined with a space ("First Name", "Last Name").
    pub name: Vec<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    /// At least one. A cell may hold several numbers separated by `;`, `,` or ` ::: `.
    pub phones: Vec<PhoneColumn>,
    pub owner: Option<String>,
    /// Tags separated by `,` or `;` (or ` ::: `).
    pub tags: Option<String>,
    pub notes: Option<String>,
}

/// Header names → meaning, compared after lower-casing and dropping everything that is not a
/// letter or a digit ("E-mail Address" → "emailaddress").
const EXTERNAL_ID: &[&str] = &["externalid", "id", "customerid", "clientid", "contactid", "uid", "crmid"];
const FULL_NAME: &[&str] = &[
    "name",
    "fullname",
    "displayname",
    "contact",
    "contactname",
    "customer",
    "customername",
    "client",
    "clientname",
    "піб",
    "імя",
    "фио",
    "имя",
    "imięinazwisko",
];
const FIRST_NAME: &[&str] = &["firstname", "givenname", "first"];
const MIDDLE_NAME: &[&str] = &["middlename", "additionalname"];
const LAST_NAME: &[&str] = &["lastname", "familyname", "surname", "last"];
const COMPANY: &[&str] = &[
    "company",
    "companyname",
    "organization",
    "organisation",
    "org",
    "organization1name",
    "account",
    "компанія",
    "компания",
    "firma",
];
const EMAIL: &[&str] = &["email", "emailaddress", "mail", "email1value", "emailaddress1"];
const OWNER: &[&str] = &["owner", "manager", "accountmanager", "accountowner", "assignedto", "responsible", "менеджер"];
const TAGS: &[&str] = &["tags", "tag", "labels", "groups", "groupmembership", "category", "categories"];
const NOTES: &[&str] = &["notes", "note", "comment", "comments", "description", "примітка", "примечание"];

fn key(header: &str) -> String {
    header.trim_start_matches('\u{feff}').chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether a header names a phone column, judged word by word so that "Cancellation Date"
/// or "Automobile" are not taken for phones: a word like "Phone", "Mobile", "Cell", "Tel",
/// "Telefon", "Телефон", one ending in "phone" ("MobilePhone"), or "Phone1"/"Tel2"; and no
/// word that makes it a label column ("Label", "Type") or "Phonetic …".
fn is_phone_header(header: &str) -> bool {
    const WORDS: &[&str] = &[
        "phone",
        "phones",
        "phonenumber",
        "tel",
        "mobile",
        "mobilenumber",
        "cell",
        "cellular",
        "handy",
        "telefon",
        "телефон",
        "мобільний",
        "мобильный",
    ];
    let words: Vec<String> =
        header.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    let numbered = |w: &str, stem: &str| {
        w.strip_prefix(stem).is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
    };
    let excluded = words.iter().any(|w| w == "label" || w == "type" || w.starts_with("phonetic"));
    !excluded
        && words
            .iter()
            .any(|w| WORDS.contains(&w.as_str()) || w.ends_with("phone") || numbered(w, "phone") || numbered(w, "tel"))
}

/// "Mobile Phone" → "mobile", "Work" → "work"; the header itself otherwise, `None` for a
/// plain "Phone".
fn phone_label(header: &str, k: &str) -> Option<String> {
    for (needle, label) in [
        ("mobile", "mobile"),
        ("cell", "mobile"),
        ("handy", "mobile"),
        ("work", "work"),
        ("business", "work"),
        ("office", "work"),
        ("home", "home"),
        ("fax", "fax"),
        ("main", "main"),
    ] {
        if k.contains(needle) {
            return Some(label.to_owned());
        }
    }
    let plain = k.trim_start_matches("phone").trim_start_matches("tel").trim_end_matches("value");
    if plain.chars().all(|c| c.is_ascii_digit()) || k == "telephone" || k == "telefon" || k == "телефон" {
        None
    } else {
        Some(header.trim().to_owned())
    }
}

impl ColumnMap {
    /// Guesses the mapping from a header line: "Name" (or "First Name" + "Last Name"),
    /// "Company"/"Organization", "Email"/"E-mail Address", every column that looks like a
    /// phone ("Phone", "Mobile", "Work Phone", "Phone 1 - Value", "Tel", "Телефон"…, labelled
    /// from the header or from a matching "… Label"/"… Type" column), "Owner"/"Manager",
    /// "Tags"/"Groups", "Notes"/"Comment", and "External ID"/"ID"/"UID".
    pub fn guess<S: AsRef<str>>(headers: &[S]) -> Result<Self, LookupError> {
        let keys: Vec<String> = headers.iter().map(|h| key(h.as_ref())).collect();
        let find = |names: &[&str]| -> Option<String> {
            names.iter().find_map(|n| keys.iter().position(|k| k == n)).map(|i| clean_header(headers[i].as_ref()))
        };
        let mut map = ColumnMap {
            external_id: find(EXTERNAL_ID),
            company: find(COMPANY),
            email: find(EMAIL),
            owner: find(OWNER),
            tags: find(TAGS),
            notes: find(NOTES),
            ..ColumnMap::default()
        };
        if let Some(full) = find(FULL_NAME) {
            map.name.push(full);
        } else {
            map.name.extend([find(FIRST_NAME), find(MIDDLE_NAME), find(LAST_NAME)].into_iter().flatten());
        }
        for (i, k) in keys.iter().enumerate() {
            if !is_phone_header(headers[i].as_ref()) {
                continue;
            }
            let header = clean_header(headers[i].as_ref());
            let stem = k.strip_suffix("value").unwrap_or(k);
            let label_column = keys
                .iter()
                .position(|other| *other == format!("{stem}label") || *other == format!("{stem}type"))
                .map(|j| clean_header(headers[j].as_ref()));
            map.phones.push(PhoneColumn { label: phone_label(&header, k), column: header, label_column });
        }
        if map.phones.is_empty() {
            return Err(LookupError::NoPhoneColumn(list_headers(headers)));
        }
        Ok(map)
    }
}

fn clean_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_owned()
}

fn list_headers<S: AsRef<str>>(headers: &[S]) -> String {
    if headers.is_empty() {
        return "(none)".to_owned();
    }
    headers.iter().map(|h| format!("{:?}", clean_header(h.as_ref()))).collect::<Vec<_>>().join(", ")
}

/// One problem with one row or card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportIssue {
    /// The line in the file (the header is line 1; for vCards, the card's BEGIN line).
    pub line: u64,
    pub message: String,
    /// Whether the row was left out (`false`: imported, but part of it was dropped).
    pub skipped: bool,
}

impl fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    /// The first [`MAX_LISTED_ISSUES`] problems, in file order.
    pub issues: Vec<ImportIssue>,
    /// Problems beyond those listed.
    pub more_issues: usize,
}

impl ImportReport {
    fn issue(&mut self, line: u64, message: String, skipped: bool) {
        if skipped {
            self.skipped += 1;
        }
        if self.issues.len() < MAX_LISTED_ISSUES {
            self.issues.push(ImportIssue { line, message, skipped });
        } else {
            self.more_issues += 1;
        }
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} added, {} updated, {} unchanged, {} skipped",
            self.added, self.updated, self.unchanged, self.skipped
        )
    }
}

/// A row read and checked, ready to store (or the reason it cannot be).
// Most rows are customers; boxing them would cost an allocation per row for nothing.
#[allow(clippy::large_enum_variant)]
enum Row {
    Customer { line: u64, customer: PreparedCustomer, warnings: Vec<String> },
    Skip { line: u64, reason: String },
}

/// A row as read, before its phones are normalized (that happens on worker threads).
#[allow(clippy::large_enum_variant)]
enum Pending {
    Check { line: u64, customer: NewCustomer, what: String },
    Skip { line: u64, reason: String },
}

impl Pending {
    fn finish(self, cfg: &LookupConfig) -> Row {
        match self {
            Pending::Check { line, customer, what } => check(line, &customer, cfg, &what),
            Pending::Skip { line, reason } => Row::Skip { line, reason },
        }
    }
}

const BATCH: usize = 512;

/// Turns a [`NewCustomer`] read from a file into a stored row, or a skip with the reason.
fn check(line: u64, source: &NewCustomer, cfg: &LookupConfig, what: &str) -> Row {
    let (prepared, problems) = prepare(source, cfg);
    let warnings: Vec<String> = problems.iter().map(|p| format!("{:?} {}", p.raw, p.why)).collect();
    if prepared.phones.is_empty() {
        let reason = if warnings.is_empty() {
            format!("{what}no phone number")
        } else {
            format!("{what}no usable phone number: {}", warnings.join("; "))
        };
        return Row::Skip { line, reason };
    }
    match require_name(prepared) {
        Ok(customer) => Row::Customer { line, customer, warnings },
        Err(_) => Row::Skip { line, reason: format!("{what}no name or company") },
    }
}

/// Undoes the export's protection of text cells against spreadsheet formulas.
fn unprotect(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// Picks `,`, `;` or tab, whichever occurs most in the header line outside quotes.
fn sniff_delimiter(first_line: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in first_line {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => break,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], usize::from(i == 0))).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

struct Resolved {
    external_id: Option<usize>,
    name: Vec<usize>,
    company: Option<usize>,
    email: Option<usize>,
    phones: Vec<(usize, Option<String>, Option<usize>)>,
    owner: Option<usize>,
    tags: Option<usize>,
    notes: Option<usize>,
}

fn resolve(map: &ColumnMap, headers: &[String]) -> Result<Resolved, LookupError> {
    let keys: Vec<String> = headers.iter().map(|h| clean_header(h).to_lowercase()).collect();
    let find = |column: &str| -> Result<usize, LookupError> {
        let wanted = column.trim().to_lowercase();
        keys.iter()
            .position(|k| *k == wanted)
            .ok_or_else(|| LookupError::MissingColumn { column: column.to_owned(), available: list_headers(headers) })
    };
    let opt =
        |column: &Option<String>| -> Result<Option<usize>, LookupError> { column.as_deref().map(find).transpose() };
    if map.phones.is_empty() {
        return Err(LookupError::NoPhoneColumn(list_headers(headers)));
    }
    let mut phones = Vec::with_capacity(map.phones.len());
    for p in &map.phones {
        phones.push((find(&p.column)?, p.label.clone(), opt(&p.label_column)?));
    }
    Ok(Resolved {
        external_id: opt(&map.external_id)?,
        name: map.name.iter().map(|c| find(c)).collect::<Result<_, _>>()?,
        company: opt(&map.company)?,
        email: opt(&map.email)?,
        phones,
        owner: opt(&map.owner)?,
        tags: opt(&map.tags)?,
        notes: opt(&map.notes)?,
    })
}

fn split_multi(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(":::").flat_map(|p| p.split([';', ','])).map(str::trim).filter(|p| !p.is_empty())
}

fn csv_row(record: &csv::StringRecord, r: &Resolved) -> NewCustomer {
    let cell = |i: usize| unprotect(record.get(i).unwrap_or("").trim()).to_owned();
    let opt = |i: Option<usize>| i.map(cell).filter(|s| !s.is_empty());
    let mut phones = Vec::new();
    for (column, label, label_column) in &r.phones {
        let raw = record.get(*column).unwrap_or("");
        let label = label_column.map(cell).filter(|s| !s.is_empty()).or_else(|| label.clone());
        phones.extend(split_multi(raw).map(|p| NewPhone { raw: p.to_owned(), label: label.clone() }));
    }
    NewCustomer {
        external_id: opt(r.external_id),
        name: r.name.iter().map(|&i| cell(i)).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" "),
        company: opt(r.company),
        email: opt(r.email),
        owner: opt(r.owner),
        tags: r.tags.map(cell).map(|t| split_multi(&t).map(str::to_owned).collect()).unwrap_or_default(),
        notes: opt(r.notes),
        phones,
        last_contacted_at: None,
    }
}

impl Directory {
    /// Imports a CSV file: `,`, `;` or tab separated (detected from the header line), UTF-8
    /// (a byte-order mark is fine), first line = headers. `map` says which column is what;
    /// `None` guesses it from the headers ([`ColumnMap::guess`]).
    ///
    /// Rows without a usable phone number or without a name or company are skipped, each
    /// with its line number and reason; so are rows that are not UTF-8. A file that cannot
    /// be read, or a mapping that names a missing column, fails the whole import (nothing
    /// is stored).
    pub fn import_csv<R: Read + Send>(&self, input: R, map: Option<&ColumnMap>) -> Result<ImportReport, LookupError> {
        let mut buffered = BufReader::with_capacity(64 * 1024, input);
        let delimiter = sniff_delimiter(buffered.fill_buf().map_err(LookupError::Io)?);
        let mut reader =
            csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(buffered);
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(clean_header).collect(),
            Err(e) => return Err(csv_error(e)),
        };
        if headers.iter().all(|h| h.is_empty()) {
            return Err(LookupError::NoHeader);
        }
        let map = match map {
            Some(m) => m.clone(),
            None => ColumnMap::guess(&headers)?,
        };
        let resolved = resolve(&map, &headers)?;
        tracing::info!(?map, delimiter = %char::from(delimiter), "importing CSV");
        // Reading runs on a second thread, normalizing (libphonenumber) on worker threads,
        // while this one writes to SQLite; batches keep the hand-over cheap.
        self.import_rows(move |send| {
            let mut record = csv::StringRecord::new();
            let mut batch = Vec::with_capacity(BATCH);
            loop {
                match reader.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = record.position().map(|p| p.line()).unwrap_or(0);
                        if record.iter().all(|c| c.trim().is_empty()) {
                            continue;
                        }
                        batch.push(Pending::Check { line, customer: csv_row(&record, &resolved), what: String::new() });
                    }
                    Err(e) => match e.kind() {
                        csv::ErrorKind::Utf8 { pos, .. } => batch.push(Pending::Skip {
                            line: pos.as_ref().map(|p| p.line()).unwrap_or(0),
                            reason: "the row is not UTF-8 text; save the file as UTF-8".to_owned(),
                        }),
                        _ => return Err(csv_error(e)),
                    },
                }
                if batch.len() == BATCH && !send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))) {
                    return Ok(());
                }
            }
            send(batch);
            Ok(())
        })
    }

    /// [`Directory::import_csv`] from a file.
    pub fn import_csv_file(&self, path: &Path, map: Option<&ColumnMap>) -> Result<ImportReport, LookupError> {
        let file = File::open(path).map_err(|source| LookupError::ReadFile { path: path.to_path_buf(), source })?;
        self.import_csv(file, map)
    }

    /// Imports vCards (2.1, 3.0, 4.0): FN (or N), ORG, every TEL with its TYPE as the label,
    /// EMAIL, NOTE, CATEGORIES as tags, UID as the external id. Cards without a usable phone
    /// number or a name are skipped with the line of their `BEGIN:VCARD`.
    pub fn import_vcard<R: Read>(&self, mut input: R) -> Result<ImportReport, LookupError> {
        let mut bytes = Vec::new();
        input.read_to_end(&mut bytes).map_err(LookupError::Io)?;
        let text = String::from_utf8(bytes).map_err(|_| LookupError::NotUtf8)?;
        let (cards, problems) = vcard::parse(&text);
        let mut rows: Vec<Pending> =
            problems.into_iter().map(|p| Pending::Skip { line: p.line, reason: p.message }).collect();
        for card in cards {
            let name = card.full_name.clone().or(card.structured_name.clone()).unwrap_or_default();
            let what = if name.is_empty() { String::new() } else { format!("{name:?}: ") };
            let customer = NewCustomer {
                external_id: card.uid,
                name,
                company: card.org,
                email: card.email,
                owner: None,
                tags: card.categories,
                notes: card.note,
                phones: card.tels.into_iter().map(|(raw, label)| NewPhone { raw, label }).collect(),
                last_contacted_at: None,
            };
            rows.push(Pending::Check { line: card.line, customer, what });
        }
        rows.sort_by_key(|r| match r {
            Pending::Check { line, .. } | Pending::Skip { line, .. } => *line,
        });
        self.import_rows(move |send| {
            let mut rows = rows.into_iter().peekable();
            while rows.peek().is_some() {
                if !send(rows.by_ref().take(BATCH).collect()) {
                    break;
                }
            }
            Ok(())
        })
    }

    /// [`Directory::import_vcard`] from a file.
    pub fn import_vcard_file(&self, path: &Path) -> Result<ImportReport, LookupError> {
        let file = File::open(path).map_err(|source| LookupError::ReadFile { path: path.to_path_buf(), source })?;
        self.import_vcard(BufReader::new(file))
    }

    /// Runs `produce` on a reader thread, normalizes what it sends on worker threads, and
    /// stores the rows in file order in one transaction on this thread. `produce` gets a
    /// `send` function that returns false once the import has given up.
    fn import_rows<P>(&self, produce: P) -> Result<ImportReport, LookupError>
    where
        P: FnOnce(&mut dyn FnMut(Vec<Pending>) -> bool) -> Result<(), LookupError> + Send,
    {
        let now = Timestamp::now();
        let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4);
        let cfg = self.config().clone();
        let (work_tx, work_rx) = sync_channel::<(usize, Vec<Pending>)>(workers * 2);
        let (done_tx, done_rx) = sync_channel::<Result<(usize, Vec<Row>), LookupError>>(workers * 2);
        let work_rx = Mutex::new(work_rx);
        std::thread::scope(|scope| {
            let mut threads = Vec::with_capacity(workers + 1);
            let reader_done = done_tx.clone();
            threads.push(scope.spawn(move || {
                let mut seq = 0usize;
                let mut send = |batch: Vec<Pending>| {
                    let ok = work_tx.send((seq, batch)).is_ok();
                    seq += 1;
                    ok
                };
                if let Err(e) = produce(&mut send) {
                    // The writer sees the error and rolls back.
                    let _ = reader_done.send(Err(e));
                }
            }));
            for _ in 0..workers {
                let done_tx = done_tx.clone();
                let (work_rx, cfg) = (&work_rx, &cfg);
                threads.push(scope.spawn(move || loop {
                    let next = match work_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, batch)) = next else { return };
                    let rows = batch.into_iter().map(|p| p.finish(cfg)).collect();
                    if done_tx.send(Ok((seq, rows))).is_err() {
                        return;
                    }
                }));
            }
            // Only the threads hold senders now: the channel closes when they are all done.
            drop(done_tx);
            let stored = self.in_import_transaction(|dir| store_rows(dir, done_rx, now));
            // The receiver is gone by now, so threads blocked on a full channel wake up and end.
            let mut panicked = false;
            for t in threads {
                panicked |= t.join().is_err();
            }
            if panicked {
                tracing::error!("an import thread panicked");
                return Err(LookupError::Io(std::io::Error::other("the import stopped unexpectedly")));
            }
            let report = stored?;
            tracing::info!(%report, "import finished");
            Ok(report)
        })
    }

    /// Writes every customer as CSV (UTF-8, comma separated): External ID, Name, Company,
    /// Email, Owner, Tags, Notes, then "Phone N" and "Phone N Label" for as many phones as the
    /// customer with the most has. The file imports back with the default mapping. Text
    /// cells starting with `=`, `+`, `-` or `@` get a leading `'` so spreadsheets do not run
    /// them as formulas (the import removes it); phone cells only ever hold digits and
    /// formatting. Returns the number of customers written.
    pub fn export_csv<W: Write>(&self, out: W) -> Result<usize, LookupError> {
        let max_phones: i64 = self.conn().query_row(
            "SELECT coalesce(max(n), 1) FROM (SELECT count(*) AS n FROM phones GROUP BY customer_id)",
            [],
            |r| r.get(0),
        )?;
        let max_phones = usize::try_from(max_phones.max(1)).unwrap_or(1);
        let mut writer = csv::Writer::from_writer(out);
        let mut header: Vec<String> = ["External ID", "Name", "Company", "Email", "Owner", "Tags", "Notes"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        for i in 1..=max_phones {
            header.push(format!("Phone {i}"));
            header.push(format!("Phone {i} Label"));
        }
        writer.write_record(&header).map_err(csv_error)?;
        let mut count = 0usize;
        self.for_each_customer(|c| {
            let text = |s: Option<&str>| protect(s.unwrap_or(""));
            let mut row = vec![
                text(c.external_id.as_deref()),
                text(Some(&c.name)),
                text(c.company.as_deref()),
                text(c.email.as_deref()),
                text(c.owner.as_deref()),
                text(Some(&c.tags.join(", "))),
                text(c.notes.as_deref()),
            ];
            for i in 0..max_phones {
                let phone = c.phones.get(i);
                row.push(phone.map(|p| p.raw.clone()).unwrap_or_default());
                row.push(phone.and_then(|p| p.label.as_deref()).map(protect).unwrap_or_default());
            }
            writer.write_record(&row).map_err(csv_error)?;
            count += 1;
            Ok(())
        })?;
        writer.flush().map_err(LookupError::Io)?;
        tracing::info!(customers = count, "directory exported");
        Ok(count)
    }

    /// [`Directory::export_csv`] to a file (created or replaced).
    pub fn export_csv_file(&self, path: &Path) -> Result<usize, LookupError> {
        let file = File::create(path).map_err(|source| LookupError::WriteFile { path: path.to_path_buf(), source })?;
        let mut out = std::io::BufWriter::new(file);
        let n = self.export_csv(&mut out)?;
        out.flush().map_err(|source| LookupError::WriteFile { path: path.to_path_buf(), source })?;
        Ok(n)
    }
}

fn protect(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn csv_error(e: csv::Error) -> LookupError {
    LookupError::Csv(e)
}

/// Stores batches in the order the reader sent them (workers finish out of order).
fn store_rows(
    dir: &Directory,
    rx: Receiver<Result<(usize, Vec<Row>), LookupError>>,
    now: Timestamp,
) -> Result<ImportReport, LookupError> {
    let mut report = ImportReport::default();
    let mut waiting: BTreeMap<usize, Vec<Row>> = BTreeMap::new();
    let mut next = 0usize;
    for message in rx {
        let (seq, rows) = message?;
        waiting.insert(seq, rows);
        while let Some(rows) = waiting.remove(&next) {
            next += 1;
            for row in rows {
                store_row(dir, row, now, &mut report)?;
            }
        }
    }
    if !waiting.is_empty() {
        // Cannot happen unless a worker died; never commit a file with a hole in it.
        return Err(LookupError::Io(std::io::Error::other("the import stopped unexpectedly")));
    }
    Ok(report)
}

fn store_row(dir: &Directory, row: Row, now: Timestamp, report: &mut ImportReport) -> Result<(), LookupError> {
    match row {
        Row::Skip { line, reason } => report.issue(line, reason, true),
        Row::Customer { line, customer, warnings } => {
            match dir.upsert(&customer, now)? {
                Upsert::Added(_) => report.added += 1,
                Upsert::Updated => report.updated += 1,
                Upsert::Unchanged => report.unchanged += 1,
            }
            for w in warnings {
                report.issue(line, format!("{w}; imported without it"), false);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_common_headers() {
        let map = ColumnMap::guess(&["Name", "Company", "Phone", "Mobile", "E-mail Address", "Notes"]).unwrap();
        assert_eq!(map.name, vec!["Name"]);
        assert_eq!(map.company.as_deref(), Some("Company"));
        assert_eq!(map.email.as_deref(), Some("E-mail Address"));
        assert_eq!(map.phones, vec![PhoneColumn::new("Phone", None), PhoneColumn::new("Mobile", Some("mobile"))]);
        assert_eq!(map.notes.as_deref(), Some("Notes"));

        let google = ColumnMap::guess(&[
            "First Name",
            "Last Name",
            "Phonetic First Name",
            "Phone 1 - Label",
            "Phone 1 - Value",
            "Organization 1 - Name",
        ])
        .unwrap();
        assert_eq!(google.name, vec!["First Name", "Last Name"]);
        assert_eq!(google.company.as_deref(), Some("Organization 1 - Name"));
        assert_eq!(google.phones.len(), 1);
        assert_eq!(google.phones[0].column, "Phone 1 - Value");
        assert_eq!(google.phones[0].label_column.as_deref(), Some("Phone 1 - Label"));

        let lookalikes =
            ColumnMap::guess(&["Name", "Phone", "Cancellation Date", "Automobile", "Phonetic Name", "Phone Type"])
                .unwrap();
        assert_eq!(
            lookalikes.phones,
            vec![PhoneColumn { column: "Phone".into(), label: None, label_column: Some("Phone Type".into()) }]
        );
        let words = ColumnMap::guess(&["Name", "MobilePhone", "Tel. służbowy", "Phone2", "Телефон"]).unwrap();
        let columns: Vec<&str> = words.phones.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(columns, ["MobilePhone", "Tel. służbowy", "Phone2", "Телефон"]);

        let err = ColumnMap::guess(&["Name", "City"]).unwrap_err();
        assert!(err.to_string().contains("\"City\""), "{err}");
    }

    #[test]
    fn sniffs_the_delimiter() {
        assert_eq!(sniff_delimiter(b"Name;Phone;Company\nA;1;\"x,y,z\""), b';');
        assert_eq!(sniff_delimiter(b"Name,Phone\n"), b',');
        assert_eq!(sniff_delimiter(b"Name\tPhone\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c\n"), b',');
        assert_eq!(sniff_delimiter(b""), b',');
    }

    #[test]
    fn formula_protection_round_trips() {
        for s in ["=SUM(A1)", "+1", "-x", "@a", "plain", "'quoted"] {
            assert_eq!(unprotect(&protect(s)), s);
        }
    }
}
