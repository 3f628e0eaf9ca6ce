//! The directory on real SQLite files in temporary folders.

use std::path::{Path, PathBuf};

use ringside_core::Timestamp;
use ringside_lookup::seed::{
    DEMO_CALLER_NATIONAL_FORM, DEMO_CALLER_WITH_ORDERS, DEMO_SHARED_NUMBER, DEMO_SUFFIX_CALLER, DEMO_UNKNOWN_CALLER,
};
use ringside_lookup::{
    normalize, seed_demo, Directory, LookupConfig, LookupError, MatchReason, NewCustomer, NewOrder, NewPhone,
};

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("directory.sqlite");
    (dir, path)
}

fn seeded(path: &Path) -> Directory {
    let dir = Directory::open(path, LookupConfig::default()).unwrap();
    let report = seed_demo(&dir).unwrap();
    assert_eq!(report.added, 50);
    dir
}

fn names(dir: &Directory, number: &str) -> Vec<String> {
    let n = normalize(number, dir.config());
    dir.lookup(&n).unwrap().into_iter().map(|m| m.customer.name).collect()
}

fn customer(name: &str, phones: &[&str], contacted: Option<u64>) -> NewCustomer {
    NewCustomer {
        name: name.to_owned(),
        phones: phones.iter().map(|p| NewPhone::new(*p, None)).collect(),
        last_contacted_at: contacted.map(Timestamp::from_millis),
        ..NewCustomer::default()
    }
}

#[test]
fn exact_match_says_same_e164_and_carries_active_orders() {
    let (_tmp, path) = temp();
    let dir = seeded(&path);
    for typed in ["+380 (44) 123-45-67", "044 123 4567", "380441234567", "0441234567", DEMO_CALLER_WITH_ORDERS] {
        let matches = dir.lookup(&normalize(typed, dir.config())).unwrap();
        assert_eq!(matches.len(), 1, "{typed}");
        let m = &matches[0];
        assert_eq!(m.customer.name, "Olena Kovalenko");
        assert_eq!(m.reason, MatchReason::SameE164);
        assert_eq!(m.reason_text(), "same E.164");
        assert!(!m.remembered);
        // Two active orders, newest first; the closed one is not on the card.
        let titles: Vec<&str> = m.orders.iter().map(|o| o.title.as_str()).collect();
        assert_eq!(titles, ["Order #1042: 12 PVC windows, Obolon site", "Installation crew, Obolon site"]);
        assert_eq!(m.orders[0].amount_text().as_deref(), Some("86400.00 UAH"));
        assert!(m.orders.iter().all(|o| o.is_active()));
        assert_eq!(m.customer.phones.len(), 2);
        assert_eq!(m.customer.tags, ["vip", "windows"]);
    }
    // All of Olena's orders are still there for whoever asks.
    let all = dir.orders(&names_to_id(&dir, DEMO_CALLER_WITH_ORDERS)).unwrap();
    assert_eq!(all.len(), 3);
}

fn names_to_id(dir: &Directory, number: &str) -> String {
    dir.lookup(&normalize(number, dir.config())).unwrap()[0].customer.id.clone()
}

#[test]
fn national_form_in_the_directory_matches_the_international_caller() {
    let (_tmp, path) = temp();
    let dir = seeded(&path);
    let m = dir.lookup(&normalize(DEMO_CALLER_NATIONAL_FORM, dir.config())).unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].customer.name, "Andrii Melnyk");
    assert_eq!(m[0].customer.phones[0].raw, "067 765 4321");
    assert_eq!(m[0].reason, MatchReason::SameE164);
    assert_eq!(m[0].orders.len(), 1);
}

#[test]
fn suffix_match_when_no_e164_agrees() {
    let (_tmp, path) = temp();
    let dir = seeded(&path);
    let m = dir.lookup(&normalize(DEMO_SUFFIX_CALLER, dir.config())).unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].customer.name, "Michael Johnson");
    assert_eq!(m[0].reason, MatchReason::LastDigits(9));
    assert_eq!(m[0].to_customer_match().reason, "last 9 digits");
    // A PBX sending a mangled prefix still finds the customer by its last digits.
    let m = dir.lookup(&normalize("9 8 044 123 45 67", dir.config())).unwrap();
    assert_eq!(m[0].customer.name, "Olena Kovalenko");
    assert_eq!(m[0].reason, MatchReason::LastDigits(9));
}

#[test]
fn unknown_caller_finds_nobody() {
    let (_tmp, path) = temp();
    let dir = seeded(&path);
    assert!(names(&dir, DEMO_UNKNOWN_CALLER).is_empty());
    assert_eq!(names(&dir, "+44 20 7946 0958"), ["Oliver Smith"]);
}

#[test]
fn shared_number_gives_a_pick_list_most_recently_contacted_first() {
    let (_tmp, path) = temp();
    let dir = seeded(&path);
    assert_eq!(names(&dir, DEMO_SHARED_NUMBER), ["Anna Kowalska", "Piotr Kowalski"]);
    assert_eq!(names(&dir, "+48 22 123 45 67"), ["Anna Kowalska", "Piotr Kowalski"]);
    // Talking to Piotr makes him the most recent.
    let piotr = dir.lookup(&normalize(DEMO_SHARED_NUMBER, dir.config())).unwrap()[1].customer.id.clone();
    dir.mark_contacted(&piotr, Timestamp::from_millis(1_900_000_000_000)).unwrap();
    assert_eq!(names(&dir, DEMO_SHARED_NUMBER), ["Piotr Kowalski", "Anna Kowalska"]);
}

#[test]
fn never_contacted_customers_come_last() {
    let (_tmp, path) = temp();
    let dir = Directory::open(&path, LookupConfig::default()).unwrap();
    dir.add_customer(&customer("Never", &["+380 44 000 1111"], None)).unwrap();
    dir.add_customer(&customer("Old", &["044 000 1111"], Some(1_000))).unwrap();
    dir.add_customer(&customer("Recent", &["0440001111"], Some(2_000))).unwrap();
    assert_eq!(names(&dir, "+380440001111"), ["Recent", "Old", "Never"]);
}

#[test]
fn remembered_choice_comes_first_flagged_and_survives_reopening() {
    let (_tmp, path) = temp();
    {
        let dir = seeded(&path);
        let number = normalize("+48 22 123 45 67", dir.config());
        let matches = dir.lookup(&number).unwrap();
        let piotr = matches.iter().find(|m| m.customer.name == "Piotr Kowalski").unwrap().customer.id.clone();
        dir.remember_choice(&number, &piotr).unwrap();
    }
    let dir = Directory::open(&path, LookupConfig::default()).unwrap();
    // Any spelling of the number, including the one the PBX sends.
    for typed in ["+48221234567", "+48 22-123-45-67", "0048 22 123 45 67"] {
        let matches = dir.lookup(&normalize(typed, dir.config())).unwrap();
        assert_eq!(matches.len(), 2);
        assert_eq!(matches[0].customer.name, "Piotr Kowalski", "{typed}");
        assert!(matches[0].remembered);
        assert_eq!(matches[0].reason, MatchReason::SameE164);
        assert_eq!(matches[0].reason_text(), "same E.164, chosen before");
        assert!(!matches[1].remembered);
    }
    // Forgetting restores the last-contact order.
    dir.forget_choice(&normalize("+48221234567", dir.config())).unwrap();
    assert_eq!(names(&dir, "+48221234567"), ["Anna Kowalska", "Piotr Kowalski"]);
}

#[test]
fn remembered_choice_never_adds_a_customer_that_does_not_match() {
    let (_tmp, path) = temp();
    let dir = seeded(&path);
    let olena = names_to_id(&dir, DEMO_CALLER_WITH_ORDERS);
    let number = normalize(DEMO_SHARED_NUMBER, dir.config());
    dir.remember_choice(&number, &olena).unwrap();
    assert_eq!(names(&dir, DEMO_SHARED_NUMBER), ["Anna Kowalska", "Piotr Kowalski"]);
    let err = dir.remember_choice(&number, "999999").unwrap_err();
    assert!(matches!(err, LookupError::NoSuchCustomer(_)));
    assert!(matches!(dir.remember_choice(&number, "abc"), Err(LookupError::NoSuchCustomer(_))));
}

#[test]
fn internal_numbers_and_garbage_are_never_looked_up() {
    let (_tmp, path) = temp();
    let dir = seeded(&path);
    for typed in ["100", "12345", "", "anonymous", "٣٤٥", "\u{202e}0441234567"] {
        assert!(dir.lookup(&normalize(typed, dir.config())).unwrap().is_empty(), "{typed:?}");
    }
    // And no customer can be stored under an extension.
    let err = dir.add_customer(&customer("Colleague", &["100"], None)).unwrap_err();
    assert!(err.to_string().contains("internal extension"), "{err}");
    let err = dir.add_customer(&customer("Nobody", &[], None)).unwrap_err();
    assert!(err.to_string().contains("at least one phone"), "{err}");
}

#[test]
fn seeding_is_deterministic_and_idempotent() {
    let (_tmp, path) = temp();
    let dir = seeded(&path);
    let stats = dir.stats().unwrap();
    assert_eq!(stats.customers, 50);
    let again = seed_demo(&dir).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 50));
    assert_eq!(dir.stats().unwrap(), stats);
    assert_eq!(dir.count().unwrap(), 50);
    // Every demo phone is stored with an E.164 form except the US one kept without a country code.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let no_e164: Vec<String> = conn
        .prepare("SELECT raw FROM phones WHERE e164 IS NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(no_e164, ["(212) 555-0147"]);
}

#[test]
fn add_customer_and_order_then_find_them() {
    let (_tmp, path) = temp();
    let dir = Directory::open(&path, LookupConfig::default()).unwrap();
    let mut new = customer("  Ivan   Franko ", &["+380 32 222 3344", "+380 32 222 3344", "096 111 2233"], None);
    new.company = Some("Lviv Books".into());
    new.tags = vec!["vip".into(), "VIP".into(), " books ".into()];
    let id = dir.add_customer(&new).unwrap();
    dir.add_order(&id, &NewOrder { title: "First order".into(), status: "new".into(), ..NewOrder::default() }).unwrap();
    dir.add_order(&id, &NewOrder { title: "Old order".into(), status: "Cancelled".into(), ..NewOrder::default() })
        .unwrap();
    let c = dir.customer(&id).unwrap();
    assert_eq!(c.name, "Ivan Franko");
    assert_eq!(c.phones.len(), 2, "duplicate numbers are stored once");
    assert_eq!(c.tags, ["vip", "books"]);
    let m = dir.lookup(&normalize("+380961112233", dir.config())).unwrap();
    assert_eq!(m[0].customer.id, id);
    assert_eq!(m[0].orders.len(), 1);
    assert!(matches!(
        dir.add_order("4242", &NewOrder { title: "x".into(), ..NewOrder::default() }),
        Err(LookupError::NoSuchCustomer(_))
    ));
    assert!(matches!(dir.customer("4242"), Err(LookupError::NoSuchCustomer(_))));
}

#[test]
fn the_file_is_a_wal_mode_ringside_directory_and_lookups_use_the_indexes() {
    let (_tmp, path) = temp();
    drop(seeded(&path));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!(app, ringside_lookup::directory::APPLICATION_ID);
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, ringside_lookup::directory::SCHEMA_VERSION);
    for (column, index) in [("e164", "phones_e164"), ("suffix", "phones_suffix")] {
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN SELECT customer_id FROM phones WHERE {column} = '1'"))
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(plan.iter().any(|p| p.contains(index)), "{column}: {plan:?}");
    }
}

#[test]
fn changing_the_region_rekeys_stored_numbers() {
    let (_tmp, path) = temp();
    {
        let dir = Directory::open(&path, LookupConfig::default()).unwrap();
        dir.add_customer(&customer("Local", &["022 123 45 67"], None)).unwrap();
        // In Ukraine, 022 is not a valid area code: suffix only.
        let m = dir.lookup(&normalize("+48 22 123 45 67", dir.config())).unwrap();
        assert_eq!(m[0].reason, MatchReason::LastDigits(9));
    }
    {
        let dir = Directory::open(&path, LookupConfig::for_region("PL")).unwrap();
        // Read as Polish, "22 123 45 67" would be exact; "022…" stays suffix-only, and the
        // keys were recomputed for the new region without losing the customer.
        let m = dir.lookup(&normalize("+48 22 123 45 67", dir.config())).unwrap();
        assert_eq!(m.len(), 1);
        dir.add_customer(&customer("Warsaw", &["22 765 43 21"], None)).unwrap();
        assert_eq!(dir.lookup(&normalize("+48227654321", dir.config())).unwrap()[0].reason, MatchReason::SameE164);
    }
    let dir = Directory::open(&path, LookupConfig::for_region("UA")).unwrap();
    // Back in Ukraine, the Polish national form no longer parses: found by suffix.
    assert_eq!(dir.lookup(&normalize("+48227654321", dir.config())).unwrap()[0].reason, MatchReason::LastDigits(9));
}

#[test]
fn a_match_becomes_the_cards_customer_with_its_open_orders() {
    let dir = Directory::open_in_memory(LookupConfig::default()).unwrap();
    seed_demo(&dir).unwrap();
    let n = normalize("+44 20 7946 0958", &LookupConfig::default());
    let found = dir.lookup(&n).unwrap();
    let card = found[0].to_customer_match();
    assert_eq!(
        (card.source.as_str(), card.name.as_str(), card.company.as_deref(), card.reason.as_str(), card.chosen),
        ("directory", "Oliver Smith", Some("Smith & Sons Ltd"), "same E.164", false)
    );
    assert_eq!(card.orders.len(), found[0].orders.len());
    for (summary, order) in card.orders.iter().zip(&found[0].orders) {
        assert_eq!(summary.title, order.title);
        assert_eq!(summary.amount, order.amount_text());
    }
}

#[test]
fn a_sqlite_file_of_another_program_is_refused() {
    let (_tmp, path) = temp();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);",
    )
    .unwrap();
    drop(conn);
    let err = Directory::open(&path, LookupConfig::default()).unwrap_err();
    assert!(matches!(err, LookupError::NotADirectory(_)), "{err:?}");
    assert!(err.to_string().contains("not a Ringside customer directory"), "{err}");
    // The other program's data is untouched.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let total: f64 = conn.query_row("SELECT total FROM invoices", [], |r| r.get(0)).unwrap();
    assert_eq!(total, 9.5);
}

#[test]
fn a_garbage_file_is_reported_as_damaged_or_not_a_database() {
    let (_tmp, path) = temp();
    std::fs::write(&path, b"This is my shopping list, not a database.\n".repeat(200)).unwrap();
    let err = Directory::open(&path, LookupConfig::default()).unwrap_err();
    assert!(matches!(err, LookupError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains("damaged or is not a database"), "{err}");
    // A directory whose pages were overwritten in the middle.
    let (_tmp2, path2) = temp();
    drop(seeded(&path2));
    let mut bytes = std::fs::read(&path2).unwrap();
    if bytes.len() > 8192 {
        for b in &mut bytes[100..8192] {
            *b = 0xA5;
        }
    }
    std::fs::write(&path2, &bytes).unwrap();
    let _ = std::fs::remove_file(path2.with_extension("sqlite-wal"));
    let err = Directory::open(&path2, LookupConfig::default())
        .and_then(|d| d.lookup(&normalize(DEMO_SHARED_NUMBER, d.config())).map(|_| ()));
    let err = err.unwrap_err();
    assert!(
        matches!(err, LookupError::Corrupt(_) | LookupError::Damaged(_) | LookupError::NotADirectory(_)),
        "{err:?}"
    );
}

#[test]
fn missing_folder_and_folder_paths_are_clear_errors() {
    let (tmp, _) = temp();
    let err =
        Directory::open(&tmp.path().join("no-such-folder").join("d.sqlite"), LookupConfig::default()).unwrap_err();
    assert!(matches!(err, LookupError::MissingFolder(_)), "{err:?}");
    assert!(err.to_string().contains("does not exist"), "{err}");
    let err = Directory::open(tmp.path(), LookupConfig::default()).unwrap_err();
    assert!(matches!(err, LookupError::CannotOpen(_)), "{err:?}");
    let err = Directory::open(&tmp.path().join("d.sqlite"), LookupConfig::for_region("Ukraine")).unwrap_err();
    assert!(matches!(err, LookupError::UnknownRegion(_)), "{err:?}");
}

#[test]
fn read_only_locations_are_clear_errors() {
    // A read-only file (effective only for non-root users; root may write anywhere).
    let (_tmp, path) = temp();
    drop(seeded(&path));
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&path, perms).unwrap();
    if std::fs::OpenOptions::new().write(true).open(&path).is_err() {
        let err = Directory::open(&path, LookupConfig::default()).unwrap_err();
        assert!(matches!(err, LookupError::ReadOnly(_)), "{err:?}");
        assert!(err.to_string().contains("read-only"), "{err}");
    }
    // A folder nobody may create files in, root included (sysfs).
    let sys = Path::new("/sys/ringside-directory.sqlite");
    if Path::new("/sys/kernel").is_dir() {
        let err = Directory::open(sys, LookupConfig::default()).unwrap_err();
        assert!(matches!(err, LookupError::ReadOnly(_)), "{err:?}");
    }
}

#[test]
fn a_directory_from_a_newer_version_is_refused() {
    let (_tmp, path) = temp();
    drop(seeded(&path));
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = Directory::open(&path, LookupConfig::default()).unwrap_err();
    assert!(matches!(err, LookupError::TooNew { found: 99, .. }), "{err:?}");
    assert!(err.to_string().contains("newer Ringside"), "{err}");
}

#[test]
fn an_empty_file_becomes_a_directory() {
    let (_tmp, path) = temp();
    std::fs::write(&path, b"").unwrap();
    let dir = Directory::open(&path, LookupConfig::default()).unwrap();
    assert_eq!(dir.count().unwrap(), 0);
}

#[test]
fn two_handles_on_one_file_see_each_other() {
    let (_tmp, path) = temp();
    let writer = Directory::open(&path, LookupConfig::default()).unwrap();
    let reader = Directory::open(&path, LookupConfig::default()).unwrap();
    writer.add_customer(&customer("Shared", &["+380 44 555 6677"], None)).unwrap();
    assert_eq!(names(&reader, "+380445556677"), ["Shared"]);
    // And a Mutex makes one handle shareable between threads.
    let shared = std::sync::Arc::new(std::sync::Mutex::new(reader));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let shared = shared.clone();
            std::thread::spawn(move || {
                let dir = shared.lock().unwrap();
                dir.lookup(&normalize("+380445556677", dir.config())).unwrap().len()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 1);
    }
}

#[test]
fn matches_serialize_for_the_ui() {
    let dir = Directory::open_in_memory(LookupConfig::default()).unwrap();
    seed_demo(&dir).unwrap();
    let m = dir.lookup(&normalize(DEMO_SUFFIX_CALLER, dir.config())).unwrap();
    let json = serde_json::to_value(&m[0]).unwrap();
    assert_eq!(json["reason"], serde_json::json!({"kind": "last_digits", "digits": 9}));
    assert_eq!(json["customer"]["name"], "Michael Johnson");
    assert_eq!(json["orders"][0]["amount_minor"], 1_250_000);
    let n = serde_json::to_value(normalize("٣٤٥", dir.config())).unwrap();
    assert_eq!(n["kind"], serde_json::json!({"kind": "not_a_number", "reason": {"unicode_digit": "٣"}}));
}

#[test]
fn a_pick_of_a_crm_customer_is_kept_beside_the_directory_without_reordering_it() {
    let (_tmp, path) = temp();
    let dir = seeded(&path);
    let number = normalize(DEMO_SHARED_NUMBER, dir.config());
    dir.remember_pick(&number, "shop", "crm-501").unwrap();
    let pick = dir.remembered_pick(&normalize("0048 22 123 45 67", dir.config())).unwrap().unwrap();
    assert_eq!((pick.source.as_str(), pick.customer_id.as_str()), ("shop", "crm-501"));
    // The directory's own order is untouched: the pick is not one of its customers.
    assert_eq!(names(&dir, DEMO_SHARED_NUMBER), ["Anna Kowalska", "Piotr Kowalski"]);
    assert!(dir.lookup(&number).unwrap().iter().all(|m| !m.remembered));
    // A directory pick replaces it.
    let piotr = dir.lookup(&number).unwrap()[1].customer.id.clone();
    dir.remember_choice(&number, &piotr).unwrap();
    assert_eq!(dir.remembered_pick(&number).unwrap().unwrap().source, "directory");
    assert_eq!(names(&dir, DEMO_SHARED_NUMBER), ["Piotr Kowalski", "Anna Kowalska"]);
}

#[test]
fn a_version_1_file_keeps_its_picks_after_the_upgrade() {
    let (_tmp, path) = temp();
    let piotr = {
        let dir = seeded(&path);
        let number = normalize(DEMO_SHARED_NUMBER, dir.config());
        dir.lookup(&number).unwrap()[1].customer.id.clone()
    };
    // Turn the file back into what version 1 wrote: its `choices` table instead of `picks`,
    // and no typed key (version 3).
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "DROP INDEX phones_typed_suffix;
             ALTER TABLE phones DROP COLUMN typed_suffix;
             DROP TABLE picks;
             CREATE TABLE choices (
                number_key TEXT PRIMARY KEY,
                customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                chosen_at INTEGER NOT NULL
             ) WITHOUT ROWID;
             INSERT INTO choices VALUES ('+48221234567', {piotr}, 1);
             PRAGMA user_version = 1;"
        ))
        .unwrap();
    }
    let dir = Directory::open(&path, LookupConfig::default()).unwrap();
    assert_eq!(names(&dir, DEMO_SHARED_NUMBER), ["Piotr Kowalski", "Anna Kowalska"]);
    let pick = dir.remembered_pick(&normalize(DEMO_SHARED_NUMBER, dir.config())).unwrap().unwrap();
    assert_eq!((pick.source.as_str(), pick.customer_id.as_str()), ("directory", piotr.as_str()));
}

/// Customers from several countries in a region-UA directory. libphonenumber reads US numbers
/// typed without +1 as another country's (`(203) 496-1816` → Egypt), on whichever side they
/// are: the last digits as typed, stored and asked, still meet.
#[test]
fn a_misread_number_is_found_by_its_last_digits_as_typed_either_way() {
    let (_tmp, path) = temp();
    let dir = Directory::open(&path, LookupConfig::for_region("UA")).unwrap();
    let (_tmp2, path2) = temp();
    let other = Directory::open(&path2, LookupConfig::for_region("UA")).unwrap();
    // Stored formatted, asked in E.164 — and the other way round.
    dir.add_customer(&customer("Stored formatted 203", &["(203) 496-1816"], None)).unwrap();
    dir.add_customer(&customer("Stored E.164 438", &["+1 438 780 6007"], None)).unwrap();
    other.add_customer(&customer("Stored E.164 203", &["+1 203 496 1816"], None)).unwrap();
    other.add_customer(&customer("Stored formatted 438", &["(438) 780-6007"], None)).unwrap();
    for (dir, asked, name) in [
        (&dir, "+1 203 496 1816", "Stored formatted 203"),
        (&dir, "(438) 780-6007", "Stored E.164 438"),
        (&other, "(203) 496-1816", "Stored E.164 203"),
        (&other, "+1 438 780 6007", "Stored formatted 438"),
    ] {
        let found = dir.lookup(&normalize(asked, dir.config())).unwrap();
        let got: Vec<(&str, MatchReason)> = found.iter().map(|m| (m.customer.name.as_str(), m.reason)).collect();
        assert_eq!(got, [(name, MatchReason::LastDigits(9))], "{asked}");
        assert_eq!(found[0].reason_text(), "last 9 digits");
    }
    // Each form still finds its own kind exactly.
    assert_eq!(dir.lookup(&normalize("+1 (438) 780-6007", dir.config())).unwrap()[0].reason, MatchReason::SameE164);
}

/// The typed key only exists for numbers typed with at least `suffix_len` digits, and is
/// compared whole: a short local number never matches a longer one by its end, nor the reverse.
#[test]
fn short_numbers_do_not_match_by_the_last_digits_as_typed() {
    let dir = Directory::open_in_memory(LookupConfig::for_region("UA")).unwrap();
    dir.add_customer(&customer("US", &["+1 203 496 1816"], None)).unwrap();
    dir.add_customer(&customer("Seven digits", &["496 1816"], None)).unwrap();
    dir.add_customer(&customer("Six digits", &["96 18 16"], None)).unwrap();
    dir.add_customer(&customer("Kyiv, same last 8", &["+380 93 496 18 16"], None)).unwrap();
    assert_eq!(names(&dir, "+1 203 496 1816"), ["US"]);
    assert_eq!(names(&dir, "(203) 496-1816"), ["US"]);
    assert_eq!(names(&dir, "496-1816"), ["Seven digits"]);
    assert_eq!(names(&dir, "4961816"), ["Seven digits"]);
    assert_eq!(names(&dir, "961816"), ["Six digits"]);
    assert_eq!(names(&dir, "+380 93 496 1816"), ["Kyiv, same last 8"]);
    assert!(names(&dir, "+1 212 496 1816").is_empty());
    assert!(names(&dir, "1816").is_empty());
}

/// A number pasted from a web page (no-break spaces, a non-breaking hyphen) is stored and
/// found like one typed with ASCII separators.
#[test]
fn typographic_separators_are_formatting_in_the_directory() {
    let dir = Directory::open_in_memory(LookupConfig::default()).unwrap();
    dir.add_customer(&customer("Pasted", &["+380\u{a0}44\u{a0}123\u{2011}45\u{2011}67"], None)).unwrap();
    let found = dir.lookup(&normalize("044 123 45 67", dir.config())).unwrap();
    assert_eq!(found[0].reason, MatchReason::SameE164);
    assert_eq!(names(&dir, "+380\u{202f}44\u{2009}123\u{2013}45\u{2212}67"), ["Pasted"]);
    let err = dir.add_customer(&customer("Hidden", &["044\u{200b}1234567"], None)).unwrap_err();
    assert!(err.to_string().contains("the invisible character U+200B"), "{err}");
}

/// A file written by version 2 (no typed key) is migrated on open: its customers, orders and
/// picks are kept, every phone gets the new key, and a misread number then matches.
#[test]
fn a_version_2_file_is_migrated_and_matches_by_the_last_digits_as_typed() {
    let (_tmp, path) = temp();
    let (us, kyiv) = {
        let dir = Directory::open(&path, LookupConfig::default()).unwrap();
        let us = dir.add_customer(&customer("US", &["(203) 496-1816"], Some(5))).unwrap();
        dir.add_order(&us, &NewOrder { title: "Open order".into(), status: "new".into(), ..NewOrder::default() })
            .unwrap();
        let kyiv = dir.add_customer(&customer("Kyiv", &["044 123 45 67"], None)).unwrap();
        dir.remember_pick(&normalize("+380441234567", dir.config()), "shop", "crm-7").unwrap();
        (us, kyiv)
    };
    // Turn the file back into what version 2 wrote.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP INDEX phones_typed_suffix;
             ALTER TABLE phones DROP COLUMN typed_suffix;
             PRAGMA user_version = 2;",
        )
        .unwrap();
    }
    let dir = Directory::open(&path, LookupConfig::default()).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 3);
    let keys: Vec<(String, Option<String>)> = conn
        .prepare("SELECT raw, typed_suffix FROM phones ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        keys,
        [("(203) 496-1816".into(), Some("034961816".into())), ("044 123 45 67".into(), Some("441234567".into()))]
    );
    let found = dir.lookup(&normalize("+1 203 496 1816", dir.config())).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].customer.id.as_str(), found[0].reason), (us.as_str(), MatchReason::LastDigits(9)));
    assert_eq!(found[0].orders[0].title, "Open order");
    assert_eq!(found[0].customer.last_contacted_at, Some(Timestamp::from_millis(5)));
    assert_eq!(names_to_id(&dir, "+380441234567"), kyiv);
    let pick = dir.remembered_pick(&normalize("0441234567", dir.config())).unwrap().unwrap();
    assert_eq!((pick.source.as_str(), pick.customer_id.as_str()), ("shop", "crm-7"));
    assert_eq!(dir.stats().unwrap().customers, 2);
}

/// Files as Ringside's version 1 and version 2 wrote them, built by those versions' own
/// migrations (not a newer file turned back) and filled in their schema: the shared opener
/// migrates each to the current schema with its customers, phones, orders and picks, and the
/// open computes the keys the old file did not have.
#[test]
fn files_written_by_schema_versions_1_and_2_open_with_their_data() {
    for version in [1, 2] {
        let (_tmp, path) = temp();
        Directory::create_at_version_for_tests(&path, version).unwrap();
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
            assert_eq!(found, version);
            // As that version stored them: region UA, 9 digits; no typed key.
            conn.execute_batch(
                "INSERT INTO meta VALUES ('number_keys', 'UA/9');
                 INSERT INTO customers(id, import_key, name, company, tags, last_contacted_at, created_at, updated_at)
                    VALUES (1, 'np:+48221234567|anna', 'Anna', 'Kowalski i Syn', 'vip', 20, 1, 1),
                           (2, 'np:+48221234567|piotr', 'Piotr', NULL, '', 10, 1, 1),
                           (3, 'np:+2034961816|us', 'US', NULL, '', NULL, 1, 1);
                 INSERT INTO phones(customer_id, raw, e164, suffix, label)
                    VALUES (1, '+48 22 123 45 67', '+48221234567', '221234567', 'work'),
                           (2, '+48 22 123 45 67', '+48221234567', '221234567', NULL),
                           (3, '(203) 496-1816', '+2034961816', '34961816', NULL);
                 INSERT INTO orders(customer_id, title, status, amount_minor, currency, updated_at)
                    VALUES (2, 'Windows', 'new', 125000, 'PLN', 5);",
            )
            .unwrap();
            let pick = if version == 1 {
                "INSERT INTO choices VALUES ('+48221234567', 2, 7), ('221234567', 2, 7);"
            } else {
                "INSERT INTO picks VALUES ('+48221234567', 'directory', '2', 7), ('221234567', 'directory', '2', 7);"
            };
            conn.execute_batch(pick).unwrap();
        }

        let dir = Directory::open(&path, LookupConfig::default()).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(found, ringside_lookup::directory::SCHEMA_VERSION, "from version {version}");
        assert_eq!(dir.stats().unwrap().customers, 3);
        assert_eq!(dir.stats().unwrap().orders, 1);
        // The pick survived (as a directory pick) and still puts Piotr first.
        let shared = dir.lookup(&normalize("+48 22 123 45 67", dir.config())).unwrap();
        let got: Vec<(&str, bool)> = shared.iter().map(|m| (m.customer.name.as_str(), m.remembered)).collect();
        assert_eq!(got, [("Piotr", true), ("Anna", false)], "from version {version}");
        assert_eq!(shared[0].orders[0].amount_text().as_deref(), Some("1250.00 PLN"));
        assert_eq!(shared[1].customer.tags, ["vip"]);
        assert_eq!(shared[1].customer.phones[0].label.as_deref(), Some("work"));
        // The typed key was computed for the old phones: a misread number now meets its match.
        let us = dir.lookup(&normalize("+1 203 496 1816", dir.config())).unwrap();
        assert_eq!(us.len(), 1, "from version {version}");
        assert_eq!((us[0].customer.name.as_str(), us[0].reason), ("US", MatchReason::LastDigits(9)));
    }
}
