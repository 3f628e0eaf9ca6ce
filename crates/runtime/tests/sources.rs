//! The card's lookup without a PBX: `ringside_runtime::Sources` over a real directory file, with
//! sources that cannot be used — what each card and `ringside-cli lookup --sources` get.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ringside_lookup::seed::{DEMO_CALLER_WITH_ORDERS, DEMO_SHARED_NUMBER};
use ringside_lookup::{seed_demo, Directory, LookupConfig};
use ringside_runtime::{Bounds, Source, Sources};

const BOUNDS: Bounds = Bounds {
    timeout: Duration::from_millis(800),
    cache_ttl: Duration::from_secs(300),
    negative_ttl: Duration::from_secs(30),
};

/// The demo directory in a file of its own, as the first source, and a CRM that could not be
/// set up (a bad webhook URL, a keychain that would not open).
fn demo_sources(tmp: &tempfile::TempDir) -> Sources {
    let dir = Directory::open(&tmp.path().join("directory.sqlite"), LookupConfig::default()).expect("directory");
    seed_demo(&dir).expect("seed");
    let dir = Arc::new(Mutex::new(dir));
    let sources = vec![
        Source::Directory(Ok(dir.clone())),
        Source::Crm { name: "shop".into(), connector: Err("shop: the keychain could not be read".into()) },
    ];
    Sources::new(sources, Some(dir), LookupConfig::default(), BOUNDS)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_directory_found_stays_beside_a_source_that_failed_and_a_pick_goes_first() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let sources = demo_sources(&tmp);
    assert_eq!(sources.names(), ["directory", "shop"]);

    let found = sources.find("+48 22 123 45 67", false).await;
    let names: Vec<(&str, &str, bool)> =
        found.customers.iter().map(|c| (c.source.as_str(), c.name.as_str(), c.chosen)).collect();
    assert_eq!(names, [("directory", "Anna Kowalska", false), ("directory", "Piotr Kowalski", false)]);
    assert_eq!(found.failed.as_deref(), Some("shop: the keychain could not be read"));

    // The agent picks Piotr: the next lookup of the number, however it is written, opens on him.
    let piotr = found.customers[1].id.clone();
    let sources2 = sources.clone();
    tokio::task::spawn_blocking(move || sources2.remember_pick(DEMO_SHARED_NUMBER, "directory", &piotr))
        .await
        .expect("blocking task")
        .expect("pick remembered");
    let again = sources.find("0048 22 123 45 67", false).await;
    assert_eq!(again.customers[0].name, "Piotr Kowalski");
    assert!(again.customers[0].chosen);
    assert_eq!(again.customers[0].reason, "same E.164, chosen before");
    assert!(!again.customers[1].chosen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extensions_and_text_that_is_not_a_number_ask_nobody() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let sources = demo_sources(&tmp);
    for raw in ["100", "anonymous", "+380\u{200b}441234567"] {
        let found = sources.find(raw, true).await;
        assert!(found.customers.is_empty(), "{raw}");
        assert_eq!(found.failed, None, "{raw}: the unusable CRM was not asked");
    }
    assert_eq!(sources.find(DEMO_CALLER_WITH_ORDERS, true).await.customers[0].name, "Olena Kovalenko");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_that_could_not_be_opened_is_named_and_keeps_no_picks() {
    let sources = Sources::new(
        vec![Source::Directory(Err("the folder /nowhere does not exist".into()))],
        None,
        LookupConfig::default(),
        BOUNDS,
    );
    let found = sources.find(DEMO_CALLER_WITH_ORDERS, false).await;
    assert!(found.customers.is_empty());
    assert_eq!(found.failed.as_deref(), Some("customer directory: the folder /nowhere does not exist"));
    let refused = sources.remember_pick(DEMO_CALLER_WITH_ORDERS, "directory", "1").expect_err("nowhere to keep it");
    assert!(matches!(refused, ringside_runtime::DirectoryProblem::Unavailable), "{refused}");
}
