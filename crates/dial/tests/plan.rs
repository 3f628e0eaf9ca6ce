//! `plan`: the exact program and argument vector of every desktop connection (nothing started).

use std::path::{Path, PathBuf};

use ringside_dial::settings::{ConnectionConfig, ConnectionKind, DialRule, HttpConnection, LinkScheme};
use ringside_dial::{plan, DialError, LaunchPlan};

const FAKE: &str = env!("CARGO_BIN_EXE_fake-softphone");

fn connection(kind: ConnectionKind) -> ConnectionConfig {
    ConnectionConfig { name: "test".into(), kind, rule: DialRule::default() }
}

fn argv(program: &str, args: &[&str]) -> LaunchPlan {
    LaunchPlan { program: PathBuf::from(program), args: args.iter().map(|a| a.to_string()).collect() }
}

#[test]
fn microsip_gets_the_number_as_its_only_argument() {
    let c = connection(ConnectionKind::Microsip { path: Some(FAKE.into()) });
    assert_eq!(plan(&c, "+380441234567"), Ok(argv(FAKE, &["+380441234567"])));
    assert_eq!(plan(&c, "*72#"), Ok(argv(FAKE, &["*72#"])));
}

#[test]
fn zoiper_gets_a_zoiper_url_without_slashes() {
    let c = connection(ConnectionKind::Zoiper { path: Some(FAKE.into()) });
    assert_eq!(plan(&c, "+380441234567"), Ok(argv(FAKE, &["zoiper:+380441234567"])));
    // '#' would start a URL fragment.
    assert_eq!(plan(&c, "*72#"), Ok(argv(FAKE, &["zoiper:*72%23"])));
}

#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn system_links_go_to_xdg_open() {
    for (scheme, url) in [
        (LinkScheme::Tel, "tel:+380441234567"),
        (LinkScheme::Sip, "sip:+380441234567"),
        (LinkScheme::Callto, "callto:+380441234567"),
    ] {
        let c = connection(ConnectionKind::System { scheme });
        assert_eq!(plan(&c, "+380441234567"), Ok(argv("xdg-open", &[url])));
    }
}

#[cfg(target_os = "macos")]
#[test]
fn system_links_go_to_open() {
    let c = connection(ConnectionKind::System { scheme: LinkScheme::Tel });
    assert_eq!(plan(&c, "+380441234567"), Ok(argv("/usr/bin/open", &["tel:+380441234567"])));
}

#[cfg(windows)]
#[test]
fn system_links_go_to_rundll32() {
    let c = connection(ConnectionKind::System { scheme: LinkScheme::Tel });
    let p = plan(&c, "+380441234567").unwrap();
    assert!(p.program.ends_with("rundll32.exe"), "{p}");
    assert_eq!(p.args, ["url.dll,FileProtocolHandler", "tel:+380441234567"]);
}

#[test]
fn a_command_gets_number_in_place_of_the_placeholder() {
    let c = connection(ConnectionKind::Command {
        program: FAKE.into(),
        args: vec!["--dial".into(), "{number}".into(), "--no-video".into()],
    });
    assert_eq!(plan(&c, "+380441234567"), Ok(argv(FAKE, &["--dial", "+380441234567", "--no-video"])));

    let bare = connection(ConnectionKind::Command { program: "linphone".into(), args: vec!["{number}".into()] });
    assert_eq!(plan(&bare, "0441234567"), Ok(argv("linphone", &["0441234567"])));
}

#[test]
fn a_command_without_a_whole_placeholder_is_refused() {
    for args in [
        vec![],
        vec!["--dial".to_string()],
        vec!["--to={number}".to_string()],
        vec!["{number}".to_string(), "/password:{number}".to_string()],
    ] {
        let c = connection(ConnectionKind::Command { program: FAKE.into(), args: args.clone() });
        assert!(matches!(plan(&c, "+380441234567"), Err(DialError::Misconfigured { .. })), "{args:?}");
    }
}

#[test]
fn connections_that_are_not_programs_are_not_deep_links() {
    let http = HttpConnection {
        method: "POST".into(),
        url: "https://example.com/call".into(),
        headers: Default::default(),
        body: None,
        body_format: Default::default(),
        extension: "101".into(),
        success_pointer: None,
        success_value: None,
        error_pointer: None,
        allow_plain_http: false,
    };
    for kind in [
        ConnectionKind::Pbx,
        ConnectionKind::Binotel { key: "k".into(), extension: "101".into() },
        ConnectionKind::Ringostat { project_id: "1".into(), extension: "101".into() },
        ConnectionKind::Zadarma { key: "k".into(), extension: "101".into() },
        ConnectionKind::Http(http),
    ] {
        assert_eq!(plan(&connection(kind), "+380441234567"), Err(DialError::NotADeepLink));
    }
}

#[test]
fn a_number_that_is_not_clean_never_becomes_an_argument() {
    let kinds = [
        ConnectionKind::Microsip { path: Some(FAKE.into()) },
        ConnectionKind::Zoiper { path: Some(FAKE.into()) },
        ConnectionKind::System { scheme: LinkScheme::Tel },
        ConnectionKind::Command { program: FAKE.into(), args: vec!["{number}".into()] },
        ConnectionKind::Pbx,
    ];
    let hostile =
        ["123 /password:x", "/account:2", "+380 44", "+380-44", "tel:123", "1\n2", "١٢٣", "\u{202e}1", "$(id)"];
    for kind in kinds {
        let c = connection(kind);
        for number in hostile {
            assert!(matches!(plan(&c, number), Err(DialError::Forbidden { .. })), "{number:?} {:?}", c.kind);
        }
        assert_eq!(plan(&c, ""), Err(DialError::Empty));
        assert!(matches!(plan(&c, &"1".repeat(10 * 1024)), Err(DialError::TooLong { max: 64, .. })));
        assert!(plan(&c, &"1".repeat(64)).is_ok() || matches!(c.kind, ConnectionKind::Pbx));
        assert_eq!(plan(&c, "+"), Err(DialError::Empty));
    }
}

#[test]
fn a_missing_softphone_is_named_with_the_setting_to_fix() {
    let missing = Path::new("/nonexistent/MicroSIP/microsip.exe");
    let c = connection(ConnectionKind::Microsip { path: Some(missing.into()) });
    let e = plan(&c, "+380441234567").unwrap_err();
    assert_eq!(
        e.to_string(),
        "MicroSIP is not installed at /nonexistent/MicroSIP/microsip.exe; set path in [[dial.connection]]"
    );
    let c = connection(ConnectionKind::Zoiper { path: Some("/nonexistent/Zoiper5/zoiper".into()) });
    assert_eq!(
        plan(&c, "+380441234567").unwrap_err().to_string(),
        "Zoiper is not installed at /nonexistent/Zoiper5/zoiper; set path in [[dial.connection]]"
    );
}

#[test]
fn a_plan_prints_as_a_quoted_command_line() {
    assert_eq!(argv("/usr/bin/xdg-open", &["tel:+380441234567"]).to_string(), "/usr/bin/xdg-open tel:+380441234567");
    assert_eq!(
        argv(r"C:\Program Files\MicroSIP\microsip.exe", &["+380441234567"]).to_string(),
        r"'C:\Program Files\MicroSIP\microsip.exe' +380441234567"
    );
    assert_eq!(argv("softphone", &["*72#", "it's", ""]).to_string(), r"softphone '*72#' 'it'\''s' ''");
}
