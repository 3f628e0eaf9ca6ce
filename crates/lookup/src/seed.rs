//! The demo directory: 50 customers across Ukraine, Poland, Germany, the UK and the US, with
//! orders and deals, written so that the demo PBX's callers show every kind of card.
//!
//! | Caller (as the demo PBX sends it) | What the card shows |
//! |---|---|
//! | `+380 44 123 4567` | Olena Kovalenko, same E.164, two active orders (a closed one is hidden) |
//! | `+380 67 765 4321` | Andrii Melnyk (stored as `067 765 4321`), same E.164, an open lead |
//! | `+380 50 555 0101` | Iryna Shevchenko, an order awaiting payment |
//! | `+380 93 222 3344` | nobody: "Unknown caller" |
//! | `+44 20 7946 0958` | Oliver Smith, Smith & Sons Ltd |
//! | `+1 212 555 0147` | Michael Johnson by the last 9 digits (stored without the country code) |
//! | `+48 22 123 45 67` | a pick list: Anna Kowalska (contacted last) and Piotr Kowalski |
//!
//! Everything is fixed data: the same directory every time, and seeding twice changes
//! nothing (customers are keyed by their `demo-…` external ids).

use ringside_core::Timestamp;

use crate::directory::{insert_order, prepare, require_name, Directory, NewCustomer, NewOrder, NewPhone, Upsert};
use crate::import::ImportReport;
use crate::LookupError;

/// The demo caller with one customer and active orders.
pub const DEMO_CALLER_WITH_ORDERS: &str = "+380441234567";
/// The demo caller whose customer was stored in national form.
pub const DEMO_CALLER_NATIONAL_FORM: &str = "+380677654321";
/// The number two demo customers share (a pick list).
pub const DEMO_SHARED_NUMBER: &str = "+48221234567";
/// A demo caller nobody in the directory has.
pub const DEMO_UNKNOWN_CALLER: &str = "+380932223344";
/// A demo caller found only by its last digits.
pub const DEMO_SUFFIX_CALLER: &str = "+12125550147";

/// "Now" for the demo data: 2026-03-02 09:00 UTC. Contact and order times are before it.
pub const DEMO_NOW: Timestamp = Timestamp(1_772_442_000_000);

const HOUR_MS: u64 = 3_600_000;

struct Demo {
    id: &'static str,
    name: &'static str,
    company: &'static str,
    email: &'static str,
    owner: &'static str,
    tags: &'static [&'static str],
    phones: &'static [(&'static str, &'static str)],
    /// Hours before [`DEMO_NOW`]; 0 = never contacted.
    contacted_hours_ago: u64,
    /// (title, status, amount in minor units, currency, hours before DEMO_NOW)
    orders: &'static [(&'static str, &'static str, i64, &'static str, u64)],
    notes: &'static str,
}

#[allow(clippy::too_many_arguments)]
const fn c(
    id: &'static str,
    name: &'static str,
    company: &'static str,
    email: &'static str,
    owner: &'static str,
    tags: &'static [&'static str],
    phones: &'static [(&'static str, &'static str)],
    contacted_hours_ago: u64,
    orders: &'static [(&'static str, &'static str, i64, &'static str, u64)],
    notes: &'static str,
) -> Demo {
    Demo { id, name, company, email, owner, tags, phones, contacted_hours_ago, orders, notes }
}

#[rustfmt::skip]
const DEMO: &[Demo] = &[
    // Ukraine
    c("demo-ua-01", "Olena Kovalenko", "TOV Dniprovski Vikna", "o.kovalenko@dnipro-vikna.example", "Agent 100", &["vip", "windows"],
      &[("+380 44 123 4567", "work"), ("+380 50 111 2233", "mobile")], 20,
      &[("Order #1042: 12 PVC windows, Obolon site", "in progress", 8_640_000, "UAH", 30),
        ("Installation crew, Obolon site", "scheduled", 1_200_000, "UAH", 48),
        ("Order #0977: balcony glazing", "closed", 4_550_000, "UAH", 2_000)],
      "Prefers calls after 10:00. Invoices to accounting@dnipro-vikna.example."),
    c("demo-ua-02", "Andrii Melnyk", "FOP Melnyk A.V.", "andrii.melnyk@example.com", "Agent 101", &["lead"],
      &[("067 765 4321", "mobile")], 72,
      &[("Lead: roof windows for a cottage in Irpin", "new", 0, "UAH", 72)], ""),
    c("demo-ua-03", "Iryna Shevchenko", "Kyivska Pekarnia", "iryna@kyiv-bakery.example", "Agent 100", &["wholesale"],
      &[("+380 (50) 555-01-01", "mobile")], 5,
      &[("Monthly flour supply, March", "awaiting payment", 2_340_000, "UAH", 10),
        ("Monthly flour supply, February", "closed", 2_280_000, "UAH", 700)], ""),
    c("demo-ua-04", "Taras Bondarenko", "Lvivske Remeslo", "taras@lviv-remeslo.example", "Agent 102", &[],
      &[("+380 32 245 6789", "work"), ("+380 93 555 1212", "mobile")], 300,
      &[("Deal: 40 oak tables", "negotiation", 36_000_000, "UAH", 120)], ""),
    c("demo-ua-05", "Natalia Tkachenko", "Odesa Logistyka", "n.tkachenko@odesa-log.example", "Agent 100", &["logistics"],
      &[("048 734 5566", "work")], 1_000, &[], ""),
    c("demo-ua-06", "Serhii Kravchenko", "AgroTech Poltava", "serhii@agrotech.example", "Agent 101", &["agro"],
      &[("0532 61 23 45", "work")], 48,
      &[("Irrigation controllers, 25 pcs", "shipped", 18_750_000, "UAH", 50)], ""),
    c("demo-ua-07", "Oksana Boyko", "Kharkiv Steel Service", "oksana.boyko@khss.example", "Agent 102", &["vip"],
      &[("057 700 1122", "work"), ("+380 66 123 9876", "mobile")], 12,
      &[("Sheet steel, 12 t", "in progress", 52_800_000, "UAH", 14)], ""),
    c("demo-ua-08", "Dmytro Lysenko", "IT Hub Vinnytsia", "dmytro@ithub.example", "Agent 100", &[],
      &[("0432 55 00 11", "work")], 0, &[], ""),
    c("demo-ua-09", "Yuliia Marchenko", "", "yuliia.marchenko@example.com", "Agent 101", &["private"],
      &[("+380 63 444 5566", "mobile")], 150,
      &[("Kitchen window replacement", "cancelled", 1_450_000, "UAH", 160)], ""),
    c("demo-ua-10", "Viktor Savchenko", "Zaporizhzhia Metal", "v.savchenko@zmetal.example", "Agent 102", &[],
      &[("061 222 3344", "work")], 400,
      &[("Welding wire, 2 t", "new", 9_600_000, "UAH", 30)], ""),
    c("demo-ua-11", "Halyna Rudenko", "Chernihiv Farm", "halyna@chfarm.example", "Agent 100", &["agro"],
      &[("0462 67 88 99", "work")], 600, &[], ""),
    c("demo-ua-12", "Maksym Petrenko", "Uzhhorod Wine House", "maksym@uzh-wine.example", "Agent 101", &[],
      &[("0312 61 22 33", "work")], 90,
      &[("Wine for a corporate event", "awaiting payment", 4_800_000, "UAH", 95)], ""),
    c("demo-ua-13", "Kateryna Pavlenko", "Kyiv Dental Clinic", "reception@kdc.example", "Agent 102", &["clinic"],
      &[("+380 44 490 1020", "reception"), ("+380 97 300 4050", "mobile")], 30, &[], ""),
    c("demo-ua-14", "Roman Hnatiuk", "Frankivsk Mebli", "roman@fmebli.example", "Agent 100", &[],
      &[("0342 55 66 77", "work")], 0,
      &[("Office furniture, 3rd floor", "in progress", 12_300_000, "UAH", 200)], ""),
    c("demo-ua-15", "Svitlana Moroz", "Dnipro Print", "s.moroz@dprint.example", "Agent 101", &["print"],
      &[("+380 56 370 8090", "work")], 2_000, &[], ""),
    // Poland — Anna and Piotr share the office number.
    c("demo-pl-01", "Anna Kowalska", "Kowalski i Syn sp. z o.o.", "anna.kowalska@kowalski.example", "Agent 100", &["vip"],
      &[("+48 22 123 45 67", "office"), ("+48 601 234 567", "mobile")], 26,
      &[("Zamówienie 2024/118: okna dachowe", "in progress", 2_450_000, "PLN", 30)], "Speaks Polish and English."),
    c("demo-pl-02", "Piotr Kowalski", "Kowalski i Syn sp. z o.o.", "piotr.kowalski@kowalski.example", "Agent 101", &[],
      &[("+48 22-123-45-67", "office")], 240,
      &[("Reklamacja: uszczelki", "new", 0, "PLN", 250)], ""),
    c("demo-pl-03", "Katarzyna Wiśniewska", "Wiśniewska Design", "kasia@wdesign.example", "Agent 102", &["design"],
      &[("+48 12 345 67 89", "work")], 60, &[], ""),
    c("demo-pl-04", "Tomasz Wójcik", "Wójcik Transport", "tomasz@wojcik-transport.example", "Agent 100", &["logistics"],
      &[("+48 61 852 33 44", "work"), ("+48 502 111 222", "mobile")], 100,
      &[("Przewóz: Poznań → Lwów, 3 naczepy", "awaiting payment", 1_890_000, "PLN", 110)], ""),
    c("demo-pl-05", "Magdalena Kamińska", "Apteka Pod Lipami", "apteka@podlipami.example", "Agent 101", &[],
      &[("+48 58 301 22 33", "work")], 0, &[], ""),
    c("demo-pl-06", "Michał Lewandowski", "Lewandowski Budownictwo", "michal@lewbud.example", "Agent 102", &["construction"],
      &[("+48 71 344 55 66", "work")], 500,
      &[("Okna do biurowca, etap 2", "negotiation", 31_000_000, "PLN", 400)], ""),
    c("demo-pl-07", "Agnieszka Zielińska", "Zielona Kawiarnia", "kontakt@zielona.example", "Agent 100", &[],
      &[("+48 42 630 11 22", "work")], 800, &[], ""),
    c("demo-pl-08", "Krzysztof Szymański", "Szymański IT", "krzysztof@szymanski.example", "Agent 101", &[],
      &[("+48 512 345 678", "mobile")], 44,
      &[("Serwis: sieć w biurze", "done", 350_000, "PLN", 50)], ""),
    c("demo-pl-09", "Joanna Dąbrowska", "Hotel Wisła", "recepcja@hotelwisla.example", "Agent 102", &["hotel"],
      &[("+48 33 855 44 00", "reception")], 120,
      &[("Wyposażenie 20 pokoi", "in progress", 8_800_000, "PLN", 130)], ""),
    c("demo-pl-10", "Paweł Kozłowski", "Kozłowski Auto", "pawel@kozlowski-auto.example", "Agent 100", &[],
      &[("+48 91 433 22 11", "work")], 0, &[], ""),
    // Germany
    c("demo-de-01", "Lukas Müller", "Müller Maschinenbau GmbH", "l.mueller@mueller-mb.example", "Agent 101", &["vip"],
      &[("+49 30 12345678", "work"), ("+49 151 23456789", "mobile")], 36,
      &[("Auftrag 5581: Fensterbeschläge", "in progress", 1_280_000, "EUR", 40)], ""),
    c("demo-de-02", "Sophie Schneider", "Schneider Immobilien", "sophie@schneider-immo.example", "Agent 102", &[],
      &[("+49 89 23456789", "work")], 210, &[], ""),
    c("demo-de-03", "Jonas Fischer", "Fischer Logistik", "jonas.fischer@fischer-log.example", "Agent 100", &["logistics"],
      &[("+49 40 34567890", "work")], 75,
      &[("Rahmenvertrag 2026", "negotiation", 4_500_000, "EUR", 80)], ""),
    c("demo-de-04", "Lea Weber", "Weber Bäckerei", "lea@weber-baeckerei.example", "Agent 101", &[],
      &[("+49 221 4567890", "work")], 0, &[], ""),
    c("demo-de-05", "Felix Wagner", "", "felix.wagner@example.de", "Agent 102", &["private"],
      &[("+49 160 98765432", "mobile")], 18,
      &[("Dachfenster, Einbau", "awaiting payment", 340_000, "EUR", 20)], ""),
    c("demo-de-06", "Hannah Becker", "Becker & Partner Steuerberatung", "h.becker@becker-partner.example", "Agent 100", &[],
      &[("+49 69 98765432", "work")], 900, &[], ""),
    c("demo-de-07", "Maximilian Hoffmann", "Hoffmann Metallbau", "max@hoffmann-metall.example", "Agent 101", &[],
      &[("+49 711 2223344", "work")], 330,
      &[("Geländer, Treppenhaus B", "closed", 890_000, "EUR", 400)], ""),
    c("demo-de-08", "Emma Schulz", "Schulz Gartenbau", "emma@schulz-garten.example", "Agent 102", &[],
      &[("+49 211 5556677", "work")], 0, &[], ""),
    c("demo-de-09", "Paul Koch", "Koch Elektro", "paul.koch@koch-elektro.example", "Agent 100", &[],
      &[("+49 351 4445566", "work")], 140,
      &[("Schaltschränke, 6 Stück", "in progress", 2_160_000, "EUR", 150)], ""),
    // United Kingdom (Ofcom's drama ranges)
    c("demo-gb-01", "Oliver Smith", "Smith & Sons Ltd", "oliver@smithandsons.example", "Agent 101", &["vip"],
      &[("+44 20 7946 0958", "work")], 8,
      &[("PO 7781: sash windows, Camden", "in progress", 1_475_000, "GBP", 9)], ""),
    c("demo-gb-02", "Amelia Jones", "Jones Catering", "amelia@jonescatering.example", "Agent 102", &[],
      &[("+44 161 496 0123", "work"), ("+44 7700 900123", "mobile")], 55, &[], ""),
    c("demo-gb-03", "Harry Taylor", "Taylor Builders", "harry@taylorbuilders.example", "Agent 100", &["construction"],
      &[("+44 113 496 0456", "work")], 160,
      &[("Quote: loft conversion windows", "new", 620_000, "GBP", 165)], ""),
    c("demo-gb-04", "Isla Brown", "Brown's Bakery", "isla@brownsbakery.example", "Agent 101", &[],
      &[("+44 117 496 0789", "work")], 0, &[], ""),
    c("demo-gb-05", "George Williams", "Williams Legal LLP", "g.williams@williamslegal.example", "Agent 102", &[],
      &[("+44 20 7946 0321", "work")], 700, &[], ""),
    c("demo-gb-06", "Olivia Wilson", "Wilson Florists", "olivia@wilsonflorists.example", "Agent 100", &[],
      &[("+44 7700 900456", "mobile")], 28,
      &[("Shop front glazing", "awaiting payment", 280_000, "GBP", 30)], ""),
    c("demo-gb-07", "Jack Davies", "Davies Motors", "jack@daviesmotors.example", "Agent 101", &[],
      &[("+44 29 2018 0345", "work")], 0, &[], ""),
    c("demo-gb-08", "Emily Evans", "Evans Print", "emily@evansprint.example", "Agent 102", &["print"],
      &[("+44 131 496 0567", "work")], 380, &[], ""),
    // United States (555-01xx is reserved for fiction)
    c("demo-us-01", "Michael Johnson", "Johnson Hardware", "mike@johnsonhardware.example", "Agent 100", &[],
      &[("(212) 555-0147", "work")], 65,
      &[("PO 3321: storm windows", "in progress", 1_250_000, "USD", 70)], "Number saved without the country code."),
    c("demo-us-02", "Emily Davis", "Davis Dental", "front@davisdental.example", "Agent 101", &["clinic"],
      &[("+1 (312) 555-0199", "work")], 0, &[], ""),
    c("demo-us-03", "James Miller", "Miller Logistics", "james@millerlogistics.example", "Agent 102", &["logistics"],
      &[("+1 415 555 0132", "work"), ("+1 415 555 0133", "fax")], 220,
      &[("Annual service contract", "negotiation", 4_800_000, "USD", 230)], ""),
    c("demo-us-04", "Sarah Anderson", "Anderson Realty", "sarah@andersonrealty.example", "Agent 100", &[],
      &[("+1 617 555 0110", "work")], 0, &[], ""),
    c("demo-us-05", "David Martinez", "Martinez Landscaping", "david@martinezland.example", "Agent 101", &[],
      &[("+1 305 555 0177", "mobile")], 95,
      &[("Greenhouse glazing", "shipped", 735_000, "USD", 100)], ""),
    c("demo-us-06", "Jennifer Taylor", "Taylor Consulting", "jen@taylorconsulting.example", "Agent 102", &[],
      &[("+1 206 555 0188", "work")], 1_500, &[], ""),
    c("demo-us-07", "Robert Thomas", "Thomas Auto Repair", "rob@thomasauto.example", "Agent 100", &[],
      &[("+1 713 555 0155", "work")], 0, &[], ""),
    c("demo-us-08", "Linda Moore", "Moore Bakery", "linda@moorebakery.example", "Agent 101", &[],
      &[("+1 (646) 555-0163", "mobile")], 410,
      &[("Display case, front window", "cancelled", 210_000, "USD", 420)], ""),
];

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// Fills `dir` with the demo customers (see the module documentation). Returns what was
/// added; seeding an already seeded directory reports everything unchanged. Orders are
/// added with their customer only.
pub fn seed_demo(dir: &Directory) -> Result<ImportReport, LookupError> {
    let cfg = dir.config().clone();
    let report = dir.in_transaction(|dir| {
        let mut report = ImportReport::default();
        for d in DEMO {
            let customer = NewCustomer {
                external_id: Some(d.id.to_owned()),
                name: d.name.to_owned(),
                company: opt(d.company),
                email: opt(d.email),
                owner: opt(d.owner),
                tags: d.tags.iter().map(|t| (*t).to_owned()).collect(),
                notes: opt(d.notes),
                phones: d.phones.iter().map(|(raw, label)| NewPhone::new(*raw, Some(label))).collect(),
                last_contacted_at: (d.contacted_hours_ago > 0)
                    .then(|| Timestamp::from_millis(DEMO_NOW.as_millis() - d.contacted_hours_ago * HOUR_MS)),
            };
            let (prepared, problems) = prepare(&customer, &cfg);
            for p in problems {
                tracing::warn!(customer = d.id, number = %p.raw, why = %p.why, "demo phone left out");
            }
            let prepared = require_name(prepared)?;
            match dir.upsert(&prepared, DEMO_NOW)? {
                Upsert::Added(id) => {
                    report.added += 1;
                    for (title, status, amount, currency, hours_ago) in d.orders {
                        let order = NewOrder {
                            title: (*title).to_owned(),
                            status: (*status).to_owned(),
                            amount_minor: (*amount > 0).then_some(*amount),
                            currency: Some((*currency).to_owned()),
                            updated_at: Some(Timestamp::from_millis(DEMO_NOW.as_millis() - hours_ago * HOUR_MS)),
                        };
                        insert_order(dir.conn(), id, &order)?;
                    }
                }
                Upsert::Updated => report.updated += 1,
                Upsert::Unchanged => report.unchanged += 1,
            }
        }
        Ok(report)
    })?;
    tracing::info!(added = report.added, unchanged = report.unchanged, "demo directory seeded");
    Ok(report)
}

/// Opens the directory at `path`, creating it (and its folder) with the demo customers when
/// it does not exist yet, so a first run has someone to find. Returns the seeding report when
/// it created the file.
pub fn open_or_seed(
    path: &std::path::Path,
    cfg: crate::LookupConfig,
) -> Result<(Directory, Option<ImportReport>), LookupError> {
    let fresh = !path.exists();
    if fresh {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(LookupError::Io)?;
        }
    }
    let dir = Directory::open(path, cfg)?;
    let report = if fresh { Some(seed_demo(&dir)?) } else { None };
    Ok((dir, report))
}
