//! CSV and vCard import, idempotent re-import, per-line problems, export round trip.

use std::io::Read;
use std::path::PathBuf;

use ringside_lookup::{normalize, ColumnMap, Directory, LookupConfig, LookupError, MatchReason, PhoneColumn};

fn open() -> (tempfile::TempDir, PathBuf, Directory) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("directory.sqlite");
    let dir = Directory::open(&path, LookupConfig::default()).unwrap();
    (tmp, path, dir)
}

fn names(dir: &Directory, number: &str) -> Vec<String> {
    dir.lookup(&normalize(number, dir.config())).unwrap().into_iter().map(|m| m.customer.name).collect()
}

fn issues(report: &ringside_lookup::ImportReport) -> Vec<String> {
    report.issues.iter().map(|i| i.to_string()).collect()
}

const DEFAULT_HEADERS: &str = "\u{feff}Name,Company,Phone,Mobile,Email,Notes
Olena Kovalenko,TOV Dniprovski Vikna,+380 44 123 4567,+380 50 111 2233,o@example.com,VIP
Andrii Melnyk,,067 765 4321,,,
Nobody,Ghost LLC,,,ghost@example.com,
Iryna Shevchenko,\"Kyivska Pekarnia, LLC\",\"+380 (50) 555-01-01; 044 200 3040\",,,\"multi
line note\"
,,044 777 8899,,,
Bad Number,,anonymous,100,,
Half Good,,٣٤٥,+380 63 444 5566,,
";

#[test]
fn csv_with_the_default_mapping() {
    let (_tmp, _path, dir) = open();
    let report = dir.import_csv(DEFAULT_HEADERS.as_bytes(), None).unwrap();
    assert_eq!((report.added, report.updated, report.unchanged, report.skipped), (4, 0, 0, 3), "{report:?}");
    assert_eq!(
        issues(&report),
        [
            "line 4: no phone number",
            "line 7: no name or company",
            "line 8: no usable phone number: \"anonymous\" is not a phone number: it contains 'a' (U+0061), which \
             cannot be part of a phone number; \"100\" is an internal extension, not a customer's number",
            "line 9: \"٣٤٥\" is not a phone number: it contains '٣' (U+0663), a digit that is not 0-9; \
             imported without it",
        ]
    );
    assert!(report.issues[..3].iter().all(|i| i.skipped));
    assert!(!report.issues[3].skipped);
    assert_eq!(report.to_string(), "4 added, 0 updated, 0 unchanged, 3 skipped");

    let olena = dir.lookup(&normalize("+380501112233", dir.config())).unwrap();
    assert_eq!(olena[0].customer.name, "Olena Kovalenko");
    assert_eq!(olena[0].customer.phones[1].label.as_deref(), Some("mobile"));
    assert_eq!(olena[0].customer.email.as_deref(), Some("o@example.com"));
    // Two numbers in one cell, a quoted comma, a multi-line note.
    let iryna = dir.lookup(&normalize("+380442003040", dir.config())).unwrap();
    assert_eq!(iryna[0].customer.company.as_deref(), Some("Kyivska Pekarnia, LLC"));
    assert_eq!(iryna[0].customer.notes.as_deref(), Some("multi\nline note"));
    assert_eq!(names(&dir, "+380505550101"), ["Iryna Shevchenko"]);
    assert_eq!(names(&dir, "+380634445566"), ["Half Good"]);
}

#[test]
fn re_importing_the_same_file_changes_nothing() {
    let (_tmp, path, dir) = open();
    let first = dir.import_csv(DEFAULT_HEADERS.as_bytes(), None).unwrap();
    let stats = dir.stats().unwrap();
    let second = dir.import_csv(DEFAULT_HEADERS.as_bytes(), None).unwrap();
    assert_eq!((second.added, second.updated, second.unchanged), (0, 0, first.added));
    assert_eq!(second.skipped, first.skipped);
    assert_eq!(dir.stats().unwrap(), stats);
    // Also after reopening the file.
    drop(dir);
    let dir = Directory::open(&path, LookupConfig::default()).unwrap();
    let third = dir.import_csv(DEFAULT_HEADERS.as_bytes(), None).unwrap();
    assert_eq!((third.added, third.updated, third.unchanged), (0, 0, first.added));
    assert_eq!(dir.stats().unwrap(), stats);
}

#[test]
fn a_changed_row_updates_the_customer_in_place() {
    let (_tmp, _path, dir) = open();
    dir.import_csv(DEFAULT_HEADERS.as_bytes(), None).unwrap();
    let stats = dir.stats().unwrap();
    let changed = DEFAULT_HEADERS.replace("o@example.com", "olena@example.com");
    let report = dir.import_csv(changed.as_bytes(), None).unwrap();
    assert_eq!((report.added, report.updated, report.unchanged), (0, 1, 3));
    assert_eq!(dir.stats().unwrap(), stats);
    let m = dir.lookup(&normalize("+380441234567", dir.config())).unwrap();
    assert_eq!(m[0].customer.email.as_deref(), Some("olena@example.com"));
}

const MAPPED: &str = "Kod;Klient;Firma;Tel. służbowy;Typ;Komórka;Opiekun;Etykiety
K-001;Anna Kowalska;Kowalski i Syn;+48 22 123 45 67;biuro;601 234 567;Agent 100;vip, hurt
K-002;Piotr Kowalski;Kowalski i Syn;22 123 45 67;biuro;;Agent 101;
K-003;Brak Telefonu;;;;;;
";

fn polish_map() -> ColumnMap {
    ColumnMap {
        external_id: Some("Kod".into()),
        name: vec!["Klient".into()],
        company: Some("Firma".into()),
        phones: vec![
            PhoneColumn {
                column: "Tel. służbowy".into(),
                label: Some("work".into()),
                label_column: Some("Typ".into()),
            },
            PhoneColumn::new("Komórka", Some("mobile")),
        ],
        owner: Some("Opiekun".into()),
        tags: Some("Etykiety".into()),
        ..ColumnMap::default()
    }
}

#[test]
fn csv_with_an_explicit_mapping_and_semicolons() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = Directory::open(&tmp.path().join("d.sqlite"), LookupConfig::for_region("PL")).unwrap();
    let report = dir.import_csv(MAPPED.as_bytes(), Some(&polish_map())).unwrap();
    assert_eq!((report.added, report.skipped), (2, 1));
    assert_eq!(issues(&report), ["line 4: no phone number"]);
    let m = dir.lookup(&normalize("+48 22 123 45 67", dir.config())).unwrap();
    assert_eq!(m.len(), 2, "a shared office number");
    let anna = m.iter().find(|m| m.customer.name == "Anna Kowalska").unwrap();
    assert_eq!(anna.customer.external_id.as_deref(), Some("K-001"));
    assert_eq!(anna.customer.owner.as_deref(), Some("Agent 100"));
    assert_eq!(anna.customer.tags, ["vip", "hurt"]);
    assert_eq!(anna.customer.phones[0].label.as_deref(), Some("biuro"), "the label column wins");
    assert_eq!(anna.customer.phones[1].label.as_deref(), Some("mobile"));
    assert_eq!(names(&dir, "+48601234567"), ["Anna Kowalska"]);

    // Keyed by the external id: a new phone number updates Piotr instead of adding a twin.
    let moved = MAPPED.replace(
        "K-002;Piotr Kowalski;Kowalski i Syn;22 123 45 67",
        "K-002;Piotr Kowalski;Kowalski i Syn;22 999 88 77",
    );
    let report = dir.import_csv(moved.as_bytes(), Some(&polish_map())).unwrap();
    assert_eq!((report.added, report.updated, report.unchanged), (0, 1, 1));
    assert_eq!(dir.count().unwrap(), 2);
    assert_eq!(names(&dir, "+48229998877"), ["Piotr Kowalski"]);
    assert_eq!(names(&dir, "+48221234567"), ["Anna Kowalska"]);
}

#[test]
fn a_mapping_naming_a_missing_column_fails_before_anything_is_stored() {
    let (_tmp, _path, dir) = open();
    let mut map = polish_map();
    map.owner = Some("Handlowiec".into());
    let err = dir.import_csv(MAPPED.as_bytes(), Some(&map)).unwrap_err();
    assert!(matches!(err, LookupError::MissingColumn { .. }), "{err:?}");
    assert!(err.to_string().contains("no column \"Handlowiec\""), "{err}");
    assert!(err.to_string().contains("\"Opiekun\""), "{err}");
    assert_eq!(dir.count().unwrap(), 0);

    let err = dir.import_csv("City,Zip\nKyiv,01001\n".as_bytes(), None).unwrap_err();
    assert!(matches!(err, LookupError::NoPhoneColumn(_)), "{err:?}");
    let err = dir.import_csv("".as_bytes(), None).unwrap_err();
    assert!(matches!(err, LookupError::NoHeader | LookupError::NoPhoneColumn(_)), "{err:?}");
}

/// Fails after `ok` bytes, like a file on a network share that goes away.
struct Flaky {
    data: Vec<u8>,
    pos: usize,
    ok: usize,
}

impl Read for Flaky {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.ok {
            return Err(std::io::Error::other("the network share went away"));
        }
        let n = buf.len().min(self.ok - self.pos).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn a_read_error_midway_stores_nothing() {
    let (_tmp, _path, dir) = open();
    let mut csv = String::from("Name,Phone\n");
    for i in 0..20_000 {
        csv.push_str(&format!("Customer {i},+380 44 {:03} {:04}\n", i / 10_000, i % 10_000));
    }
    let data = csv.into_bytes();
    let ok = data.len() / 2;
    let err = dir.import_csv(Flaky { data, pos: 0, ok }, None).unwrap_err();
    assert!(err.to_string().contains("network share went away"), "{err}");
    assert_eq!(dir.count().unwrap(), 0, "one transaction: all or nothing");
}

#[test]
fn rows_that_are_not_utf8_are_skipped_with_their_line() {
    let (_tmp, _path, dir) = open();
    let mut data = b"Name,Phone\nGood,+380441234567\n".to_vec();
    data.extend_from_slice(b"\xcf\xf0\xe8\xe2\xb3\xf2,+380441234568\n"); // Windows-1251
    data.extend_from_slice(b"Also good,+380441234569\n");
    let report = dir.import_csv(&data[..], None).unwrap();
    assert_eq!((report.added, report.skipped), (2, 1));
    assert_eq!(issues(&report), ["line 3: the row is not UTF-8 text; save the file as UTF-8"]);
}

#[test]
fn hostile_cells_do_not_break_the_import() {
    let (_tmp, _path, dir) = open();
    let huge = "9".repeat(100_000);
    let csv = format!(
        "Name,Phone,Notes\n=HYPERLINK(\"http://x\"),+380441112233,@SUM(1)\nLong,{huge},\nRTL,\u{202e}+380441112234,\n"
    );
    let report = dir.import_csv(csv.as_bytes(), None).unwrap();
    assert_eq!((report.added, report.skipped), (1, 2));
    assert!(issues(&report)[0].starts_with("line 3: no usable phone number: "), "{:?}", issues(&report));
    assert!(issues(&report)[1].contains("text-direction mark"), "{:?}", issues(&report));
    // Exported formulas are neutralized for spreadsheets, and come back intact.
    let mut out = Vec::new();
    dir.export_csv(&mut out).unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(text.contains("'@SUM(1)"), "{text}");
    let report = dir.import_csv(&out[..], None).unwrap();
    assert_eq!((report.added, report.unchanged), (0, 1));
}

const VCARDS: &str = "BEGIN:VCARD\r
VERSION:3.0\r
UID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r
FN:Oksana Boyko\r
N:Boyko;Oksana;;;\r
ORG:Kharkiv Steel Service;Sales\r
TEL;TYPE=WORK,VOICE:057 700 1122\r
TEL;TYPE=CELL:+380 66 123\r
 9876\r
EMAIL;TYPE=INTERNET:oksana.boyko@khss.example\r
NOTE:Call before noon\\, please\r
CATEGORIES:vip,steel\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:4.0\r
FN:Oliver Smith\r
ORG:Smith & Sons Ltd\r
TEL;VALUE=uri;TYPE=\"voice,work\":tel:+44-20-7946-0958\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
FN:No Phone Person\r
EMAIL:np@example.com\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:2.1\r
N:Kowalska;Anna\r
TEL;CELL:+48 601 234 567\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:3.0\r
FN:Cut Off\r
TEL:+380 44 999 8877\r
";

#[test]
fn vcards_3_and_4_with_folding_types_and_problems() {
    let (_tmp, path, dir) = open();
    let report = dir.import_vcard(VCARDS.as_bytes()).unwrap();
    assert_eq!((report.added, report.skipped), (3, 2), "{report:?}");
    assert_eq!(
        issues(&report),
        [
            "line 20: \"No Phone Person\": no phone number",
            "line 30: the card has no END:VCARD line (the file ends inside it)",
        ]
    );
    let m = dir.lookup(&normalize("+380661239876", dir.config())).unwrap();
    let oksana = &m[0].customer;
    assert_eq!(oksana.name, "Oksana Boyko");
    assert_eq!(oksana.company.as_deref(), Some("Kharkiv Steel Service"));
    assert_eq!(oksana.external_id.as_deref(), Some("urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"));
    assert_eq!(oksana.notes.as_deref(), Some("Call before noon, please"));
    assert_eq!(oksana.tags, ["vip", "steel"]);
    let labels: Vec<_> = oksana.phones.iter().map(|p| p.label.as_deref()).collect();
    assert_eq!(labels, [Some("work"), Some("mobile")]);
    assert_eq!(names(&dir, "+380577001122"), ["Oksana Boyko"]);
    assert_eq!(names(&dir, "+442079460958"), ["Oliver Smith"]);
    assert_eq!(names(&dir, "+48601234567"), ["Anna Kowalska"]);
    assert_eq!(dir.lookup(&normalize("+442079460958", dir.config())).unwrap()[0].reason, MatchReason::SameE164);

    // Idempotent, from a file this time.
    let file = path.with_file_name("contacts.vcf");
    std::fs::write(&file, VCARDS).unwrap();
    let stats = dir.stats().unwrap();
    let again = dir.import_vcard_file(&file).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged, again.skipped), (0, 0, 3, 2));
    assert_eq!(dir.stats().unwrap(), stats);
}

#[test]
fn vcard_files_that_are_not_text_are_refused() {
    let (_tmp, _path, dir) = open();
    let err = dir.import_vcard(&b"BEGIN:VCARD\nFN:\xff\xfe\nEND:VCARD\n"[..]).unwrap_err();
    assert!(matches!(err, LookupError::NotUtf8), "{err:?}");
    let report = dir.import_vcard("just some text\n".as_bytes()).unwrap();
    assert_eq!(report, ringside_lookup::ImportReport::default());
    let err = dir.import_vcard_file(std::path::Path::new("/nonexistent/contacts.vcf")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/contacts.vcf"), "{err}");
}

#[test]
fn export_round_trips_through_the_default_mapping() {
    let (tmp, _path, dir) = open();
    ringside_lookup::seed_demo(&dir).unwrap();
    dir.import_vcard(VCARDS.as_bytes()).unwrap();
    let file = tmp.path().join("export.csv");
    let written = dir.export_csv_file(&file).unwrap();
    let stats = dir.stats().unwrap();
    assert_eq!(written as u64, stats.customers);

    // Into the same directory: nothing changes.
    let report = dir.import_csv_file(&file, None).unwrap();
    assert_eq!((report.added, report.updated, report.unchanged, report.skipped), (0, 0, written, 0), "{report:?}");

    // Into a new one: the same customers, phones and lookups (orders are not exported).
    let fresh = Directory::open(&tmp.path().join("fresh.sqlite"), LookupConfig::default()).unwrap();
    let report = fresh.import_csv_file(&file, None).unwrap();
    assert_eq!(report.added, written);
    let fresh_stats = fresh.stats().unwrap();
    assert_eq!((fresh_stats.customers, fresh_stats.phones), (stats.customers, stats.phones));
    for number in ["+380441234567", "+48221234567", "+12125550147", "+380661239876"] {
        let a: Vec<_> = dir
            .lookup(&normalize(number, dir.config()))
            .unwrap()
            .into_iter()
            .map(|m| (m.customer.name, m.reason))
            .collect();
        let b: Vec<_> = fresh
            .lookup(&normalize(number, dir.config()))
            .unwrap()
            .into_iter()
            .map(|m| (m.customer.name, m.reason))
            .collect();
        let mut a_sorted = a.clone();
        let mut b_sorted = b.clone();
        a_sorted.sort_by(|x, y| x.0.cmp(&y.0));
        b_sorted.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(a_sorted, b_sorted, "{number}");
    }
    let header = std::fs::read_to_string(&file).unwrap().lines().next().unwrap().to_owned();
    assert_eq!(header, "External ID,Name,Company,Email,Owner,Tags,Notes,Phone 1,Phone 1 Label,Phone 2,Phone 2 Label");
}

#[test]
fn first_and_last_name_columns_and_google_style_labels() {
    let (_tmp, _path, dir) = open();
    let csv = "First Name,Last Name,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value\n\
               Taras,Bondarenko,Work,+380 32 245 6789 ::: +380 93 555 1212,Home,032 245 0000\n";
    let report = dir.import_csv(csv.as_bytes(), None).unwrap();
    assert_eq!(report.added, 1, "{report:?}");
    let m = dir.lookup(&normalize("+380935551212", dir.config())).unwrap();
    assert_eq!(m[0].customer.name, "Taras Bondarenko");
    let phones: Vec<_> = m[0].customer.phones.iter().map(|p| (p.raw.as_str(), p.label.as_deref())).collect();
    assert_eq!(
        phones,
        [("+380 32 245 6789", Some("Work")), ("+380 93 555 1212", Some("Work")), ("032 245 0000", Some("Home"))]
    );
}

fn index_names(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'phones' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn large_files_are_stored_in_file_order_with_their_indexes() {
    let (_tmp, path, dir) = open();
    // Workers normalize batches in parallel; rows must still land in file order: the later
    // of two rows with the same id wins, and problems are listed by line.
    let mut csv = String::from("ID,Name,Phone\n");
    for i in 0..6_000 {
        csv.push_str(&format!("C{i},Customer {i},+380 44 {:03} {:04}\n", i / 1000, i % 1000));
    }
    csv.push_str("C17,Renamed Customer,+380 44 000 0017\n");
    csv.push_str("C18,No Phone,\n");
    for i in 0..3 {
        csv.push_str(&format!("X{i},Bad {i},abc{i}\n"));
    }
    let report = dir.import_csv(csv.as_bytes(), None).unwrap();
    assert_eq!((report.added, report.updated, report.skipped), (6_000, 1, 4), "{report:?}");
    let lines: Vec<u64> = report.issues.iter().map(|i| i.line).collect();
    assert_eq!(lines, [6_003, 6_004, 6_005, 6_006]);
    assert_eq!(names(&dir, "+380440000017"), ["Renamed Customer"]);
    assert_eq!(names(&dir, "+380440050999"), ["Customer 5999"]);
    assert_eq!(index_names(&path), ["phones_customer", "phones_e164", "phones_suffix", "phones_typed_suffix"]);
    // The same file again, now into a directory big enough to keep its indexes.
    let again = dir.import_csv(csv.as_bytes(), None).unwrap();
    // A file that lists one customer twice with different data is the one case where a
    // re-import reports updates: C17 is set back to the first row, then to the second.
    assert_eq!((again.added, again.updated, again.unchanged), (0, 2, 5_999));
    assert_eq!(names(&dir, "+380440000017"), ["Renamed Customer"]);
    assert_eq!(index_names(&path), ["phones_customer", "phones_e164", "phones_suffix", "phones_typed_suffix"]);
}

#[test]
fn a_failed_import_keeps_the_indexes() {
    let (_tmp, path, dir) = open();
    let err = dir.import_csv(Flaky { data: b"Name,Phone\nA,+380441234567\n".repeat(1000), pos: 0, ok: 5000 }, None);
    assert!(err.is_err());
    assert_eq!(index_names(&path), ["phones_customer", "phones_e164", "phones_suffix", "phones_typed_suffix"]);
    let report = dir.import_csv("Name,Phone\nA,+380441234567\n".as_bytes(), None).unwrap();
    assert_eq!(report.added, 1);
    assert_eq!(names(&dir, "+380441234567"), ["A"]);
}

/// A phone's vCard 2.1 export (Android's layout): names in UTF-8 quoted-printable, cut by soft
/// line breaks in the middle of a letter's bytes; one card only has `N`; one is damaged.
const ANDROID_EXPORT: &str = "BEGIN:VCARD\r
VERSION:2.1\r
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9A=D0=BE=D0=B2=D0=B0=D0=BB=D0=\r
=B5=D0=BD=D0=BA=D0=BE;=D0=9E=D0=BB=D0=B5=D0=BD=D0=B0;;;\r
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9E=D0=BB=D0=B5=D0=BD=D0=B0=20=D0=9A=D0=BE=D0=B2=D0=\r
=B0=D0=BB=D0=B5=D0=BD=D0=BA=D0=BE\r
ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=A2=D0=9E=D0=92=20=C2=AB=D0=94=D0=BD=D1=96=D0=BF=D1=\r
=80=D0=BE=D0=B2=D1=81=D1=8C=D0=BA=D1=96=20=D0=B2=D1=96=D0=BA=D0=BD=D0=B0=C2=BB\r
TEL;CELL:+380 67 765 4321\r
TEL;WORK:044 123 45 67\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:2.1\r
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=A8=D0=B5=D0=B2=D1=87=D0=B5=D0=BD=D0=BA=D0=BE;=D0=86=\r
=D1=80=D0=B8=D0=BD=D0=B0;;;\r
TEL;CELL:+380 50 555 0101\r
END:VCARD\r
BEGIN:VCARD\r
VERSION:2.1\r
FN;ENCODING=QUOTED-PRINTABLE:Damaged =ZZ=D0=9Fetro\r
TEL;CELL:+380 93 222 3344\r
END:VCARD\r
";

#[test]
fn vcard_2_1_quoted_printable_names_are_decoded() {
    let (_tmp, path, dir) = open();
    let file = path.with_file_name("contacts.vcf");
    std::fs::write(&file, ANDROID_EXPORT).unwrap();
    let report = dir.import_vcard_file(&file).unwrap();
    assert_eq!((report.added, report.skipped), (3, 0), "{report:?}");
    let olena = &dir.lookup(&normalize("+380677654321", dir.config())).unwrap()[0].customer;
    assert_eq!(olena.name, "Олена Коваленко");
    assert_eq!(olena.company.as_deref(), Some("ТОВ «Дніпровські вікна»"));
    assert_eq!(olena.phones.len(), 2);
    assert_eq!(names(&dir, "+380505550101"), ["Ірина Шевченко"]);
    assert_eq!(names(&dir, "+380932223344"), ["Damaged =ZZПetro"]);
    // Importing the export again changes nothing.
    let again = dir.import_vcard_file(&file).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 3));
}
