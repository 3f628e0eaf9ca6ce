//! The dial settings as values: which connection is in effect and which one is the default.

use ringside_dial::settings::{ConnectionConfig, ConnectionKind, DialConfig, DialRule};

#[test]
fn without_connections_calls_go_through_the_pbx() {
    let dial = DialConfig::default();
    assert_eq!(dial.default_connection(), "pbx");
    let effective = dial.effective_connections();
    assert_eq!(effective.len(), 1);
    assert_eq!(effective[0].kind, ConnectionKind::Pbx);
    assert!(dial.confirm_links);
}

#[test]
fn with_connections_the_first_is_the_default_unless_one_is_named() {
    let connection = |name: &str| ConnectionConfig {
        name: name.to_string(),
        kind: ConnectionKind::Microsip { path: None },
        rule: DialRule::default(),
    };
    let mut dial = DialConfig { connections: vec![connection("desk"), connection("laptop")], ..DialConfig::default() };
    assert_eq!(dial.default_connection(), "desk");
    assert_eq!(dial.effective_connections(), dial.connections);
    dial.default = Some("laptop".to_string());
    assert_eq!(dial.default_connection(), "laptop");
}
