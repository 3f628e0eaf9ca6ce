//! Creating an unknown caller in a CRM by itself happens once per call: the claim is on disk
//! before the request goes out, and a restart finds it.

mod common;

use common::at;
use ringside_core::CallId;
use ringside_history::{auto_create_key, AutoCreate, History};

#[test]
fn a_call_is_claimed_once_and_a_restart_finds_the_created_customer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("history.sqlite");
    let call = CallId::new("1722000000.42");
    let key = auto_create_key(&call, "b24");
    assert!(key.starts_with("ringside-auto-") && key.len() == 46, "{key}");
    assert_eq!(key, auto_create_key(&CallId::new("1722000000.42"), "b24"), "the same on every desktop");
    assert_ne!(key, auto_create_key(&call, "shop"));
    assert_ne!(key, auto_create_key(&CallId::new("1722000000.43"), "b24"));

    let mut h = History::open(&file).expect("open");
    assert_eq!(h.claim_auto_create(&call, "b24", at(1)).expect("claim"), AutoCreate::First { key: key.clone() });
    // The request failed: the next try goes under the same key.
    h.auto_create_failed(&call, "b24", "b24 did not answer within 10000 ms", at(2)).expect("failed");
    assert_eq!(
        h.claim_auto_create(&call, "b24", at(3)).expect("again"),
        AutoCreate::Unfinished {
            key: key.clone(),
            attempts: 2,
            last_error: Some("b24 did not answer within 10000 ms".into())
        }
    );
    // Another CRM is another claim.
    assert!(matches!(h.claim_auto_create(&call, "shop", at(3)).expect("shop"), AutoCreate::First { .. }));
    drop(h);

    // Ringside stopped in the middle (the claim was on disk, nothing said it was created).
    let mut h = History::open(&file).expect("reopen");
    assert!(matches!(
        h.claim_auto_create(&call, "b24", at(10)).expect("after restart"),
        AutoCreate::Unfinished { attempts: 3, .. }
    ));
    h.auto_create_done(&call, "b24", r#"{"id":"lead:72"}"#, at(11)).expect("done");
    drop(h);

    let mut h = History::open(&file).expect("reopen");
    assert_eq!(
        h.claim_auto_create(&call, "b24", at(20)).expect("created"),
        AutoCreate::Created { customer: r#"{"id":"lead:72"}"#.into() }
    );
    // A late failure report does not undo it.
    h.auto_create_failed(&call, "b24", "late", at(21)).expect("ignored");
    assert!(matches!(h.claim_auto_create(&call, "b24", at(22)).expect("still"), AutoCreate::Created { .. }));
}

#[test]
fn a_history_that_cannot_be_written_claims_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut h = History::open(&dir.path().join("history.sqlite")).expect("open");
    h.set_read_only_for_tests(true).expect("read-only");
    assert!(h.claim_auto_create(&CallId::new("1.1"), "b24", at(1)).is_err());
    h.set_read_only_for_tests(false).expect("writable");
    assert!(matches!(h.claim_auto_create(&CallId::new("1.1"), "b24", at(2)).expect("now"), AutoCreate::First { .. }));
}
