//! The config file as a user meets it: defaults, a full file, and every mistake named by file
//! and setting.

use std::path::{Path, PathBuf};

use ringside_config::{
    AgentConfig, AmiConfig, Bitrix24Config, BitrixEntity, BodyFormat, CardCorner, CardOpensOn, Config, ConfigError,
    ConnectionConfig, ConnectionKind, CrmConfig, CrmKind, DemoConfig, DialConfig, DialRule, DirectoryConfig, FieldMap,
    HistoryConfig, HttpConnection, LanguageChoice, LookupConfig, NotifyIncoming, NumberFormat, Replace, RestCrmConfig,
    SessionSettings, SourceConfig, SupervisorConfig, UiConfig, UpdateMethod,
};
use ringside_core::agent_state::WrapUpPolicy;
use ringside_core::{PauseReason, SessionConfig};

const FILE: &str = "/home/ana/.config/ringside/config.toml";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml_str(text, Path::new(FILE))
}

fn parse_err(text: &str) -> ConfigError {
    match parse(text) {
        Ok(config) => panic!("expected an error for\n{text}\ngot {config:?}"),
        Err(e) => e,
    }
}

/// A file exercising every setting, none of them at its default.
const FULL: &str = r#"
[agent]
extension = "204"
interfaces = ["PJSIP/204", "Local/204@agents"]
name = "Ana Kovalenko"
pause_reasons = [{ code = "lunch" }, { code = "coaching", label = " 1:1 coaching " }]

[source]
kind = "ami"
host = "pbx.example.internal"
port = 5039
username = "ringside-204"
ping_interval_secs = 15
connect_timeout_secs = 3
originate_context = "agents-out"
recording_variable = "RINGSIDE_RECORDING"
recording_url = "http://pbx.example.internal/rec/{file}"

[demo]
listen = "127.0.0.1:25038"
ring_every_secs = 45
scenario = "/opt/ringside/scenarios/morning.toml"

[session]
wrap_up = false
wrap_up_secs = 90
internal_max_len = 4
keep_ended_cards = 7
auto_pause_after_missed = 3

[ui]
card_opens_on = "answer"
internal_call_delay_ms = 1500
card_stack_limit = 5
card_autoclose_secs = 12
notify_incoming = "always"
card_corner = "bottom_left"
language = "uk"
start_at_login = true

[supervisor]
enabled = true
queues = ["support", "sales"]

[directory]
path = "/srv/ringside/customers.sqlite"
region = "pl"

[lookup]
timeout_ms = 1200
cache_secs = 60
order = ["b24", "shop", "directory"]

[[lookup.crm]]
name = "shop"
kind = "rest"
url = "https://crm.example.com/api/customers?phone={e164}"
auth_header = "Authorization"
auth_prefix = "Bearer "
card_url = "https://crm.example.com/customers/{id}"
log_url = "https://crm.example.com/api/calls?pbx_call={call_id}"
log_update_url = "https://crm.example.com/api/calls/{remote_id}"
log_update_method = "PATCH"
create_url = "https://crm.example.com/api/customers?pbx_call={call_id}"
new_order_url = "https://crm.example.com/orders/new?customer={customer_id}&phone={number}"
auto_create = "customer"

[lookup.crm.fields]
list = "/data/items"
id = "/id"
name = "/full_name"
company = "/company/name"
phone = "/phones/0/number"
url = "/links/web"
owner = "/account_manager/name"
orders = "/open_orders"
order_title = "/number"
order_status = "/state"
order_amount = "/total"

[[lookup.crm]]
name = "b24"
kind = "bitrix24"
create_as = "lead"
auto_create = "contact"
new_order_url = "https://portal.example.com/crm/deal/details/0/?client={customer_id}"

[dial]
default = "desk"
confirm_links = false

[[dial.connection]]
name = "desk"
kind = "microsip"
path = "C:/Program Files/MicroSIP/microsip.exe"
format = "national"
prefix = "9"

[[dial.connection]]
name = "cloud"
kind = "binotel"
key = "a1b2c3"
extension = "901"
format = "international"
replace = [{ from = "380", to = "0" }]

[[dial.connection]]
name = "custom"
kind = "command"
program = "/usr/bin/linphone"
args = ["--call", "{number}"]

[[dial.connection]]
name = "api"
kind = "http"
url = "https://pbx.example.com/api/call"
headers = { Authorization = "Bearer {secret}" }
body = '{"from": "{extension}", "to": "{number}"}'
extension = "204"
success_pointer = "/status"
success_value = "ok"
error_pointer = "/message"

[history]
path = "/srv/ringside/history.sqlite"
"#;

#[test]
fn defaults_are_the_documented_ones() {
    let config = Config::default();
    assert_eq!(
        config.agent,
        AgentConfig {
            extension: "100".into(),
            interfaces: vec!["Local/100@agents".into()],
            name: None,
            pause_reasons: ["break", "lunch", "training", "meeting", "back_office"]
                .map(ringside_core::PauseReason::builtin)
                .to_vec(),
        }
    );
    assert_eq!(config.supervisor, SupervisorConfig { enabled: false, queues: vec![] });
    assert_eq!(config.source, SourceConfig::Demo);
    assert_eq!(config.demo, DemoConfig { listen: None, ring_every_secs: None, scenario: None });
    assert_eq!(
        config.session,
        SessionSettings {
            wrap_up: true,
            wrap_up_secs: Some(30),
            internal_max_len: 5,
            keep_ended_cards: 20,
            auto_pause_after_missed: None,
        }
    );
    assert_eq!(
        config.ui,
        UiConfig {
            card_opens_on: CardOpensOn::Ringing,
            internal_call_delay_ms: 0,
            card_stack_limit: 3,
            card_autoclose_secs: 5,
            notify_incoming: NotifyIncoming::WhenCardHidden,
            card_corner: CardCorner::Auto,
            language: LanguageChoice::Auto,
            start_at_login: false,
        }
    );
    // The file's defaults for the card window agree with the core's own.
    assert_eq!(config.popup_config(), ringside_core::PopupConfig::default());
    // The file's defaults agree with the core's own.
    assert_eq!(config.session_config(), SessionConfig::default());
}

#[test]
fn empty_file_and_empty_sections_give_defaults() {
    assert_eq!(parse("").unwrap(), Config::default());
    assert_eq!(parse("# nothing here\n").unwrap(), Config::default());
    assert_eq!(parse("[agent]\n[source]\n[demo]\n[session]\n[ui]\n").unwrap(), Config::default());
    assert_eq!(parse("[source]\nkind = \"demo\"\n").unwrap(), Config::default());
}

#[test]
fn full_file_is_read_field_by_field() {
    let config = parse(FULL).unwrap();
    assert_eq!(
        config,
        Config {
            agent: AgentConfig {
                extension: "204".into(),
                interfaces: vec!["PJSIP/204".into(), "Local/204@agents".into()],
                name: Some("Ana Kovalenko".into()),
                pause_reasons: vec![
                    PauseReason::builtin("lunch"),
                    PauseReason { code: "coaching".into(), label: Some("1:1 coaching".into()) },
                ],
            },
            source: SourceConfig::Ami(AmiConfig {
                host: "pbx.example.internal".into(),
                port: 5039,
                username: "ringside-204".into(),
                ping_interval_secs: 15,
                connect_timeout_secs: 3,
                originate_context: "agents-out".into(),
                recording_variable: "RINGSIDE_RECORDING".into(),
                recording_url: Some("http://pbx.example.internal/rec/{file}".into()),
            }),
            demo: DemoConfig {
                listen: Some("127.0.0.1:25038".parse().unwrap()),
                ring_every_secs: Some(45),
                scenario: Some(PathBuf::from("/opt/ringside/scenarios/morning.toml")),
            },
            session: SessionSettings {
                wrap_up: false,
                wrap_up_secs: Some(90),
                internal_max_len: 4,
                keep_ended_cards: 7,
                auto_pause_after_missed: Some(3),
            },
            ui: UiConfig {
                card_opens_on: CardOpensOn::Answer,
                internal_call_delay_ms: 1500,
                card_stack_limit: 5,
                card_autoclose_secs: 12,
                notify_incoming: NotifyIncoming::Always,
                card_corner: CardCorner::BottomLeft,
                language: LanguageChoice::Uk,
                start_at_login: true,
            },
            supervisor: SupervisorConfig { enabled: true, queues: vec!["support".into(), "sales".into()] },
            directory: DirectoryConfig {
                path: Some(PathBuf::from("/srv/ringside/customers.sqlite")),
                region: "PL".into()
            },
            lookup: LookupConfig {
                timeout_ms: 1200,
                cache_secs: 60,
                order: vec!["b24".into(), "shop".into(), "directory".into()],
                crm: vec![
                    CrmConfig {
                        name: "shop".into(),
                        kind: CrmKind::Rest(RestCrmConfig {
                            url: "https://crm.example.com/api/customers?phone={e164}".into(),
                            auth_header: Some("Authorization".into()),
                            auth_prefix: "Bearer ".into(),
                            card_url: Some("https://crm.example.com/customers/{id}".into()),
                            log_url: Some("https://crm.example.com/api/calls?pbx_call={call_id}".into()),
                            log_update_url: Some("https://crm.example.com/api/calls/{remote_id}".into()),
                            log_update_method: UpdateMethod::Patch,
                            create_url: Some("https://crm.example.com/api/customers?pbx_call={call_id}".into()),
                            new_order_url: Some(
                                "https://crm.example.com/orders/new?customer={customer_id}&phone={number}".into()
                            ),
                            auto_create: true,
                            allow_plain_http: false,
                            fields: FieldMap {
                                list: "/data/items".into(),
                                id: "/id".into(),
                                name: "/full_name".into(),
                                company: Some("/company/name".into()),
                                phone: "/phones/0/number".into(),
                                url: Some("/links/web".into()),
                                owner: Some("/account_manager/name".into()),
                                orders: Some("/open_orders".into()),
                                deals: None,
                                deal_id: "/id".into(),
                                order_title: "/number".into(),
                                order_status: Some("/state".into()),
                                order_amount: Some("/total".into()),
                            },
                        }),
                    },
                    CrmConfig {
                        name: "b24".into(),
                        kind: CrmKind::Bitrix24(Bitrix24Config {
                            create_as: BitrixEntity::Lead,
                            auto_create: Some(BitrixEntity::Contact),
                            new_order_url: Some(
                                "https://portal.example.com/crm/deal/details/0/?client={customer_id}".into()
                            ),
                        }),
                    },
                ],
            },
            dial: DialConfig {
                default: Some("desk".into()),
                confirm_links: false,
                connections: vec![
                    ConnectionConfig {
                        name: "desk".into(),
                        kind: ConnectionKind::Microsip { path: Some("C:/Program Files/MicroSIP/microsip.exe".into()) },
                        rule: DialRule { format: NumberFormat::National, replace: vec![], prefix: "9".into() },
                    },
                    ConnectionConfig {
                        name: "cloud".into(),
                        kind: ConnectionKind::Binotel { key: "a1b2c3".into(), extension: "901".into() },
                        rule: DialRule {
                            format: NumberFormat::International,
                            replace: vec![Replace { from: "380".into(), to: "0".into() }],
                            prefix: String::new(),
                        },
                    },
                    ConnectionConfig {
                        name: "custom".into(),
                        kind: ConnectionKind::Command {
                            program: "/usr/bin/linphone".into(),
                            args: vec!["--call".into(), "{number}".into()],
                        },
                        rule: DialRule::default(),
                    },
                    ConnectionConfig {
                        name: "api".into(),
                        kind: ConnectionKind::Http(HttpConnection {
                            method: "POST".into(),
                            url: "https://pbx.example.com/api/call".into(),
                            headers: [("Authorization".to_string(), "Bearer {secret}".to_string())].into(),
                            body: Some(r#"{"from": "{extension}", "to": "{number}"}"#.into()),
                            body_format: BodyFormat::Json,
                            extension: "204".into(),
                            success_pointer: Some("/status".into()),
                            success_value: Some("ok".into()),
                            error_pointer: Some("/message".into()),
                            allow_plain_http: false,
                        }),
                        rule: DialRule::default(),
                    },
                ],
            },
            history: HistoryConfig { path: Some(PathBuf::from("/srv/ringside/history.sqlite")) },
            updates: ringside_config::UpdatesConfig::default(),
        }
    );
    assert_eq!(
        config.session_config(),
        SessionConfig {
            wrap_up: WrapUpPolicy { enabled: false, timeout_secs: Some(90) },
            internal_max_len: 4,
            keep_ended: 7,
            supervised_queues: vec!["support".into(), "sales".into()],
            auto_pause_after_missed: Some(3),
            acts_for_agent: true,
        }
    );
}

#[test]
fn full_file_round_trips_through_serialize() {
    let config = parse(FULL).unwrap();
    let written = toml::to_string(&config).unwrap();
    assert_eq!(parse(&written).unwrap(), config, "re-reading what was written:\n{written}");
}

#[test]
fn no_timer_round_trips_as_zero() {
    let config = parse("[session]\nwrap_up_secs = 0\n").unwrap();
    assert_eq!(config.session.wrap_up_secs, None);
    assert_eq!(config.session_config().wrap_up, WrapUpPolicy { enabled: true, timeout_secs: None });
    let written = toml::to_string(&config).unwrap();
    assert!(written.contains("wrap_up_secs = 0"), "{written}");
    assert_eq!(parse(&written).unwrap(), config);
    // The UI sees the file's vocabulary too.
    let json = serde_json::to_value(&config).unwrap();
    assert_eq!(json["session"]["wrap_up_secs"], 0);
    assert_eq!(json["source"]["kind"], "demo");
}

#[test]
fn ami_source_fills_defaults_for_port_and_timers() {
    let config = parse("[source]\nkind = \"ami\"\nhost = \"10.0.0.5\"\nusername = \"ringside\"\n").unwrap();
    assert_eq!(
        config.source,
        SourceConfig::Ami(AmiConfig {
            host: "10.0.0.5".into(),
            port: 5038,
            username: "ringside".into(),
            ping_interval_secs: 20,
            connect_timeout_secs: 5,
            originate_context: "from-internal".into(),
            recording_variable: "MIXMONITOR_FILENAME".into(),
            recording_url: None,
        })
    );
    let json = serde_json::to_value(&config.source).unwrap();
    assert_eq!(json["kind"], "ami");
    assert_eq!(json["port"], 5038);
}

#[test]
fn relative_scenario_is_relative_to_the_config_file() {
    let config = parse("[demo]\nscenario = \"scenarios/a.toml\"\n").unwrap();
    assert_eq!(config.demo.scenario, Some(PathBuf::from("/home/ana/.config/ringside/scenarios/a.toml")));
}

/// (file content, the setting the message must name, words the message must contain)
const INVALID: &[(&str, &str, &str)] = &[
    ("[agent]\nextension = \"\"\n", "agent.extension", "must not be empty"),
    ("[agent]\nextension = \"  \"\n", "agent.extension", "must not be empty"),
    ("[agent]\nextension = \"10 0\"\n", "agent.extension", "no spaces"),
    ("[agent]\ninterfaces = [\"PJSIP100\"]\n", "agent.interfaces", "\"PJSIP/100\""),
    ("[agent]\ninterfaces = [\"PJSIP/100\", \"100\"]\n", "agent.interfaces", "\"100\" is not a queue-member interface"),
    ("[agent]\ninterfaces = [\"/100\"]\n", "agent.interfaces", "not a queue-member interface"),
    ("[agent]\ninterfaces = [\"PJSIP/\"]\n", "agent.interfaces", "not a queue-member interface"),
    ("[agent]\ninterfaces = [\"PJSIP/100\\r\\nAction: Originate\"]\n", "agent.interfaces", "no spaces"),
    ("[agent]\ninterfaces = []\n", "agent.interfaces", "at least one"),
    ("[agent]\npause_reasons = [{ code = \"\" }]\n", "agent.pause_reasons[0].code", "is empty"),
    (
        "[agent]\npause_reasons = [{ code = \"a b\", label = \"A\" }]\n",
        "agent.pause_reasons[0].code",
        "letters, digits",
    ),
    (
        "[agent]\npause_reasons = [{ code = \"lunch\" }, { code = \"LUNCH\", label = \"Late lunch\" }]\n",
        "agent.pause_reasons[1].code",
        "listed twice",
    ),
    ("[agent]\npause_reasons = [{ code = \"coaching\" }]\n", "agent.pause_reasons[0]", "needs a label"),
    ("[agent]\npause_reasons = [{ code = \"lunch\", label = \" \" }]\n", "agent.pause_reasons[0].label", "is empty"),
    (
        "[agent]\npause_reasons = [{ code = \"Wrap-up\", label = \"W\" }]\n",
        "agent.pause_reasons[0].code",
        "wrap-up pause",
    ),
    ("[supervisor]\nenabled = \"yes\"\n", "supervisor.enabled", "true or false"),
    ("[agent]\nextension = 100\n", "agent.extension", "expected a string"),
    ("[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nport = 0\n", "source.port", "0 is not a port"),
    ("[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nport = 70000\n", "source.port", "0 to 65535"),
    ("[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nport = \"5038\"\n", "source.port", "whole number"),
    ("[source]\nkind = \"ami\"\nusername = \"u\"\n", "source.host", "must be set"),
    ("[source]\nkind = \"ami\"\nhost = \"\"\nusername = \"u\"\n", "source.host", "must be set"),
    ("[source]\nkind = \"ami\"\nhost = \"pbx\"\n", "source.username", "must be set"),
    ("[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \" \"\n", "source.username", "must be set"),
    ("[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\\nAction: Logoff\"\n", "source.username", "line breaks"),
    (
        "[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nping_interval_secs = 0\n",
        "source.ping_interval_secs",
        "at least 1",
    ),
    (
        "[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nconnect_timeout_secs = 0\n",
        "source.connect_timeout_secs",
        "at least 1",
    ),
    ("[source]\nkind = \"sip\"\n", "source.kind", "one of `demo`, `ami`, `nats`"),
    ("[source]\nhost = \"pbx\"\n", "source.host", "kind = \"ami\""),
    ("[source]\nkind = \"demo\"\nport = 5038\n", "source.port", "kind = \"ami\""),
    ("[demo]\nlisten = \"localhost\"\n", "demo.listen", "127.0.0.1:15038"),
    ("[demo]\nring_every_secs = 0\n", "demo.ring_every_secs", "at least 1"),
    ("[demo]\nscenario = \"\"\n", "demo.scenario", "empty"),
    ("[session]\nkeep_ended_cards = 0\n", "session.keep_ended_cards", "at least 1"),
    ("[session]\nauto_pause_after_missed = 101\n", "session.auto_pause_after_missed", "at most 100"),
    ("[session]\nauto_pause_after_missed = -1\n", "session.auto_pause_after_missed", "whole number"),
    (
        "[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nrecording_variable = \"MIX MONITOR\"\n",
        "source.recording_variable",
        "not a channel variable name",
    ),
    (
        "[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nrecording_url = \"https://pbx/rec/\"\n",
        "source.recording_url",
        "has no {file}",
    ),
    (
        "[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nrecording_url = \"file:///{file}\"\n",
        "source.recording_url",
        "not an http",
    ),
    ("[source]\nkind = \"demo\"\nrecording_url = \"https://pbx/{file}\"\n", "source.recording_url", "kind = \"ami\""),
    ("[session]\ninternal_max_len = 11\n", "session.internal_max_len", "at most 10"),
    ("[session]\nwrap_up = \"yes\"\n", "session.wrap_up", "true or false"),
    ("[session]\nwrap_up_secs = -5\n", "session.wrap_up_secs", "whole number"),
    ("[ui]\ncard_opens_on = \"hangup\"\n", "ui.card_opens_on", "expected one of `ringing`, `answer`, `never`"),
    ("[ui]\ninternal_call_delay_ms = 60001\n", "ui.internal_call_delay_ms", "at most 60000"),
    ("[ui]\ncard_stack_limit = 0\n", "ui.card_stack_limit", "use 1 to 10"),
    ("[ui]\ncard_stack_limit = 11\n", "ui.card_stack_limit", "use 1 to 10"),
    ("[ui]\ncard_autoclose_secs = 0\n", "ui.card_autoclose_secs", "use 1 to 60"),
    (
        "[ui]\ncard_corner = \"middle\"\n",
        "ui.card_corner",
        "expected one of `auto`, `top_right`, `bottom_right`, `top_left`, `bottom_left`",
    ),
    ("[ui]\ncard_autoclose_secs = 61\n", "ui.card_autoclose_secs", "use 1 to 60"),
    ("[ui]\nlanguage = \"ua\"\n", "ui.language", "expected one of `auto`, `en`, `ru`, `uk`, `pl`"),
    (
        "[ui]\nnotify_incoming = \"sometimes\"\n",
        "ui.notify_incoming",
        "expected one of `when_card_hidden`, `always`, `never`",
    ),
    ("agent = 3\n", "agent", "table"),
];

#[test]
fn every_invalid_value_names_the_file_and_the_setting() {
    for (text, field, words) in INVALID {
        let err = parse_err(text);
        let message = err.to_string();
        assert!(matches!(err, ConfigError::Invalid { .. }), "{text}: {err:?}");
        assert_eq!(err.field(), Some(*field), "{text}: {message}");
        assert_eq!(err.path(), Path::new(FILE));
        assert!(message.starts_with(&format!("{FILE}: {field}: ")), "{text}: {message}");
        assert!(message.contains(words), "{text}: {message:?} should contain {words:?}");
        assert!(err.location().is_some(), "{text}: {message}");
        assert!(!message.contains("Raw"), "internal type names leak: {message}");
    }
}

#[test]
fn boundaries_that_are_allowed() {
    assert_eq!(parse("[session]\ninternal_max_len = 10\n").unwrap().session.internal_max_len, 10);
    assert_eq!(parse("[session]\ninternal_max_len = 0\n").unwrap().session.internal_max_len, 0);
    assert_eq!(parse("[session]\nkeep_ended_cards = 1\n").unwrap().session.keep_ended_cards, 1);
    let ui =
        parse("[ui]\ncard_stack_limit = 10\ncard_autoclose_secs = 60\ninternal_call_delay_ms = 60000\n").unwrap().ui;
    assert_eq!((ui.card_stack_limit, ui.card_autoclose_secs, ui.internal_call_delay_ms), (10, 60, 60_000));
    let ui = parse("[ui]\ncard_stack_limit = 1\ncard_autoclose_secs = 1\ncard_opens_on = \"never\"\n").unwrap().ui;
    assert_eq!((ui.card_stack_limit, ui.card_autoclose_secs, ui.card_opens_on), (1, 1, CardOpensOn::Never));
    let ami = parse("[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nport = 65535\n").unwrap();
    assert!(matches!(ami.source, SourceConfig::Ami(AmiConfig { port: 65535, .. })));
    // A blank name is no name.
    assert_eq!(parse("[agent]\nname = \"  \"\n").unwrap().agent.name, None);
}

#[test]
fn errors_point_at_the_line_and_column() {
    let err = parse_err(
        "[agent]\nextension = \"100\"\n\n[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nport = 0\n",
    );
    let location = err.location().unwrap();
    assert_eq!((location.line, location.column), (8, 8));
    assert!(err.to_string().ends_with("(line 8, column 8)"), "{err}");

    // The second interface is the bad one.
    let err = parse_err("[agent]\ninterfaces = [\n  \"PJSIP/1\",\n  \"oops\",\n]\n");
    assert_eq!(err.location().map(|l| l.line), Some(4), "{err}");
}

#[test]
fn unknown_keys_are_refused_by_name() {
    let cases: &[(&str, &str, u32)] = &[
        ("[agent]\nextention = \"100\"\n", "agent.extention", 2),
        ("colour = \"blue\"\n", "colour", 1),
        ("[crm]\nurl = \"https://crm\"\n", "crm", 1),
        ("[ui.theme]\ndark = true\n", "ui.theme", 1),
        ("[session]\nwrap_up = true\n\nwrapup_secs = 10\n", "session.wrapup_secs", 4),
    ];
    for (text, key, line) in cases {
        let err = parse_err(text);
        let message = err.to_string();
        assert!(matches!(err, ConfigError::UnknownKey { .. }), "{text}: {err:?}");
        assert_eq!(err.field(), Some(*key), "{message}");
        assert!(message.starts_with(&format!("{FILE}: {key}: unknown setting")), "{message}");
        assert_eq!(err.location().map(|l| l.line as u32), Some(*line), "{message}");
    }
    // The message lists what is allowed.
    let message = parse_err("[agent]\nextention = \"100\"\n").to_string();
    assert!(message.contains("`extension`"), "{message}");
}

#[test]
fn secrets_are_refused_with_the_keychain_message() {
    let cases: &[(&str, &str)] = &[
        ("[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\nsecret = \"hunter2\"\n", "source.secret"),
        ("[source]\nami_secret = \"x\"\n", "source.ami_secret"),
        ("password = \"x\"\n", "password"),
        ("[agent]\nPassword = \"x\"\n", "agent.Password"),
        ("[crm]\napi_key = \"x\"\n", "crm.api_key"),
        ("[crm]\napi-key = \"x\"\n", "crm.api-key"),
        ("[crm]\napiKey = \"x\"\n", "crm.apiKey"),
        ("[crm.auth]\naccess_token = \"x\"\n", "crm.auth.access_token"),
        ("[ui]\nextra = { passwd = \"x\" }\n", "ui.extra.passwd"),
        ("[[hooks]]\nname = \"a\"\n[[hooks]]\ntoken = \"x\"\n", "hooks[1].token"),
        ("[secrets]\n", "secrets"),
        ("source.secret = \"x\"\n", "source.secret"),
    ];
    for (text, key) in cases {
        let err = parse_err(text);
        let message = err.to_string();
        assert!(matches!(err, ConfigError::Secret { .. }), "{text}: {err:?}");
        assert_eq!(err.field(), Some(*key), "{message}");
        assert!(
            message.starts_with(&format!(
                "{FILE}: {key}: secrets are not read from the config file; Ringside keeps them in the OS keychain"
            )),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "the secret itself is echoed: {message}");
    }
}

#[test]
fn secret_error_wins_over_unknown_key_and_bad_values() {
    // `secret` is also an unknown key, and port 0 is invalid: the keychain message comes first.
    let err = parse_err("[source]\nkind = \"ami\"\nport = 0\nsecret = \"x\"\n");
    assert!(matches!(err, ConfigError::Secret { .. }), "{err:?}");
}

#[test]
fn broken_toml_names_the_file_and_the_line() {
    let err = parse_err("[agent]\nextension = \"100\n");
    assert!(matches!(err, ConfigError::Syntax { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("{FILE}: not a valid TOML file (line 2")), "{err}");

    let err = parse_err("[agent]\nextension = \"1\"\nextension = \"2\"\n");
    assert!(matches!(err, ConfigError::Syntax { .. }), "duplicate keys: {err:?}");
    assert_eq!(err.location().map(|l| l.line), Some(3), "{err}");
}

#[test]
fn missing_file_gives_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(&dir.path().join("nope").join("config.toml")).unwrap();
    assert_eq!(config, Config::default());
}

#[test]
fn load_reads_a_real_file_and_names_it_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, FULL).unwrap();
    assert_eq!(Config::load(&path).unwrap(), parse(FULL).unwrap());

    std::fs::write(&path, "[session]\nkeep_ended_cards = 0\n").unwrap();
    let err = Config::load(&path).unwrap_err();
    assert_eq!(err.path(), path);
    assert!(err.to_string().starts_with(&format!("{}: session.keep_ended_cards: ", path.display())), "{err}");

    std::fs::write(&path, "[demo]\nscenario = \"s.toml\"\n").unwrap();
    assert_eq!(Config::load(&path).unwrap().demo.scenario, Some(dir.path().join("s.toml")));
}

#[test]
fn a_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = Config::load(dir.path()).unwrap_err();
    assert!(matches!(err, ConfigError::NotAFile { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with(&dir.path().display().to_string()), "{message}");
    assert!(message.contains("is a directory, not a config file"), "{message}");
}

#[test]
fn non_utf8_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, b"[agent]\nname = \"Ana \xff\"\n").unwrap();
    let err = Config::load(&path).unwrap_err();
    assert!(err.to_string().contains("not UTF-8"), "{err}");
    assert_eq!(err.location().map(|l| l.line), Some(2), "{err}");
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_an_error_not_defaults() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        return; // running as root: permissions do not apply
    }
    let err = Config::load(&path).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("{}: cannot read the config file: ", path.display())), "{err}");
}

/// A file that exists but fails to read even for root (reading address 0 of our own memory).
#[cfg(target_os = "linux")]
#[test]
fn read_failure_is_an_error_not_defaults() {
    let path = Path::new("/proc/self/mem");
    let err = Config::load(path).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }), "{err:?}");
    assert!(err.to_string().starts_with("/proc/self/mem: cannot read the config file: "), "{err}");
}

/// Every TOML example in docs/config.md parses, and the "defaults written out" one is exactly
/// the defaults.
#[test]
fn the_documentation_examples_are_valid() {
    let doc = include_str!("../../../docs/config.md");
    let blocks: Vec<&str> = doc.split("```toml\n").skip(1).map(|rest| rest.split("```").next().unwrap()).collect();
    assert!(blocks.len() >= 2, "docs/config.md lost its examples");
    for block in &blocks {
        if block.contains("[locked]") {
            // A system-wide config: only that file may lock settings.
            let dir = tempfile::tempdir().unwrap();
            let system = dir.path().join("system.toml");
            std::fs::write(&system, block).unwrap();
            ringside_config::load_layered(&dir.path().join("user.toml"), Some(&system))
                .unwrap_or_else(|e| panic!("docs/config.md system example does not load: {e}\n{block}"));
            continue;
        }
        parse(block).unwrap_or_else(|e| panic!("docs/config.md example does not parse: {e}\n{block}"));
    }
    let block_after = |heading: &str| {
        let rest = doc.split(heading).nth(1).unwrap_or_else(|| panic!("docs/config.md lost {heading:?}"));
        rest.split("```toml\n").nth(1).and_then(|b| b.split("```").next()).unwrap()
    };
    let defaults = block_after("## The defaults, written out");
    assert_eq!(parse(defaults).unwrap(), Config::default(), "the defaults block drifted from the code");
    assert!(matches!(
        parse(block_after("## Pointing Ringside at a real Asterisk")).unwrap().source,
        SourceConfig::Ami(_)
    ));
    assert_eq!(parse(block_after("### `[[lookup.crm]]`")).unwrap().lookup.crm.len(), 2);
}

#[test]
fn lookup_defaults_ask_the_directory_within_800_ms() {
    let lookup = Config::default().lookup;
    assert_eq!(lookup, LookupConfig { timeout_ms: 800, cache_secs: 300, order: vec!["directory".into()], crm: vec![] });
    // Without an order, CRMs come first in file order, the directory last.
    let config = parse(
        "[[lookup.crm]]\nname = \"b\"\nkind = \"bitrix24\"\n\n[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://a.example/{digits}\"\n",
    )
    .unwrap();
    assert_eq!(config.lookup.order, vec!["b", "a", "directory"]);
    let CrmKind::Rest(rest) = &config.lookup.crm[1].kind else { panic!("a is rest") };
    assert_eq!(rest.fields, FieldMap::default());
    assert_eq!(rest.auth_header, None);
    assert_eq!(rest.log_url, None, "no write-back unless log_url is set");
    assert_eq!(rest.log_update_url, None, "changes go to log_url unless log_update_url is set");
    assert_eq!(rest.log_update_method, UpdateMethod::Put);
}

#[test]
fn a_rest_crm_lists_orders_or_deals_with_their_ids_and_names_the_owner() {
    let fields = |extra: &str| -> Result<FieldMap, ConfigError> {
        let text = format!(
            "[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://a.example/{{digits}}\"\n[lookup.crm.fields]\n{extra}"
        );
        match parse(&text)?.lookup.crm.into_iter().next().map(|c| c.kind) {
            Some(CrmKind::Rest(rest)) => Ok(rest.fields),
            other => panic!("not a REST CRM: {other:?}"),
        }
    };
    // Deals: each with its id, at /id unless deal_id says otherwise.
    let deals = fields("deals = \"/open_deals\"\nowner = \"/manager/name\"\n").unwrap();
    assert_eq!(
        (deals.deals.as_deref(), deals.deal_id.as_str(), deals.owner.as_deref(), deals.orders.as_deref()),
        (Some("/open_deals"), "/id", Some("/manager/name"), None)
    );
    let numbered = fields("deals = \"/open_deals\"\ndeal_id = \"/number\"\norder_title = \"/subject\"\n").unwrap();
    assert_eq!((numbered.deal_id.as_str(), numbered.order_title.as_str()), ("/number", "/subject"));
    assert_eq!(fields("").unwrap(), FieldMap::default());
    // deal_id is read only inside deals (a file written back by Ringside names the default).
    assert_eq!(fields("deal_id = \"/id\"\n").unwrap(), FieldMap::default());
    assert_eq!((FieldMap::default().owner, FieldMap::default().deals), (None, None));

    let cases = [
        (
            "orders = \"/orders\"\ndeals = \"/deals\"\n",
            "lookup.crm[0].fields.deals",
            "cannot be set together with fields.orders",
        ),
        ("deals = \"/d\"\ndeal_id = \"number\"\n", "lookup.crm[0].fields.deal_id", "not a JSON pointer"),
        ("deals = \"deals\"\n", "lookup.crm[0].fields.deals", "not a JSON pointer"),
        ("owner = \"manager\"\n", "lookup.crm[0].fields.owner", "not a JSON pointer"),
    ];
    for (extra, field, words) in cases {
        let err = fields(extra).unwrap_err();
        assert_eq!(err.field(), Some(field), "{extra}\n{err}");
        assert!(err.to_string().contains(words), "{extra}\n{err}");
    }
    // Bitrix24 lists its deals by itself: a fields table is refused there as before.
    let err = parse_err("[[lookup.crm]]\nname = \"b\"\nkind = \"bitrix24\"\n[lookup.crm.fields]\ndeals = \"/d\"\n");
    assert_eq!(err.field(), Some("lookup.crm[0].fields"), "{err}");
}

#[test]
fn a_rest_crm_log_update_url_needs_log_url_and_names_its_method() {
    let rest = |extra: &str| -> Result<RestCrmConfig, ConfigError> {
        let text =
            format!("[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://a.example/{{digits}}\"\n{extra}");
        match parse(&text)?.lookup.crm.into_iter().next().map(|c| c.kind) {
            Some(CrmKind::Rest(rest)) => Ok(rest),
            other => panic!("not a REST CRM: {other:?}"),
        }
    };
    let log = "log_url = \"https://a.example/api/calls\"\n";
    let put = rest(&format!("{log}log_update_url = \"https://a.example/api/calls/{{remote_id}}\"\n")).unwrap();
    assert_eq!(put.log_update_url.as_deref(), Some("https://a.example/api/calls/{remote_id}"));
    assert_eq!(put.log_update_method, UpdateMethod::Put, "PUT unless said otherwise");
    let patch = rest(&format!(
        "{log}log_update_url = \"https://a.example/api/calls?pbx_call={{call_id}}\"\nlog_update_method = \"patch\"\n"
    ))
    .unwrap();
    assert_eq!(patch.log_update_method, UpdateMethod::Patch);
    let post = rest(&format!(
        "{log}log_update_url = \"https://a.example/api/calls/{{remote_id}}/update\"\nlog_update_method = \"POST\"\n"
    ))
    .unwrap();
    assert_eq!(post.log_update_method, UpdateMethod::Post);

    let cases: Vec<(String, &str, &str)> = vec![
        (
            "log_update_url = \"https://a.example/api/calls/{remote_id}\"\n".into(),
            "lookup.crm[0].log_update_url",
            "log_url is not",
        ),
        (
            format!("{log}log_update_url = \"https://a.example/api/calls/{{e164}}\"\n"),
            "lookup.crm[0].log_update_url",
            "{e164} is not a placeholder here; use {remote_id}, {call_id}",
        ),
        (
            format!("{log}log_update_url = \"http://crm.lan/calls/{{remote_id}}\"\n"),
            "lookup.crm[0].log_update_url",
            "unencrypted",
        ),
        (format!("{log}log_update_method = \"PUT\"\n"), "lookup.crm[0].log_update_method", "log_update_url is not"),
        (
            format!("{log}log_update_url = \"https://a.example/c/{{remote_id}}\"\nlog_update_method = \"DELETE\"\n"),
            "lookup.crm[0].log_update_method",
            "\"DELETE\" is not a method for changes; use \"PUT\", \"PATCH\" or \"POST\"",
        ),
    ];
    for (extra, field, words) in &cases {
        let err = rest(extra).unwrap_err();
        assert_eq!(err.field(), Some(*field), "{extra}\n{err}");
        assert!(err.to_string().contains(words), "{extra}\n{err}");
    }
    let err = parse_err(
        "[[lookup.crm]]\nname = \"b\"\nkind = \"bitrix24\"\nlog_update_url = \"https://b24/calls/{remote_id}\"\n",
    );
    assert_eq!(err.field(), Some("lookup.crm[0].log_update_url"), "{err}");
    assert!(err.to_string().contains("only used with kind = \"rest\""), "{err}");
}

#[test]
fn creating_customers_is_set_up_per_crm_and_every_mistake_names_its_setting() {
    let config = parse(
        "[[lookup.crm]]\nname = \"b\"\nkind = \"bitrix24\"\n\n[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\n\
         url = \"https://a.example/{digits}\"\n",
    )
    .unwrap();
    assert_eq!(config.lookup.crm[0].kind, CrmKind::Bitrix24(Bitrix24Config::default()));
    let CrmKind::Bitrix24(b24) = &config.lookup.crm[0].kind else { panic!("b is bitrix24") };
    assert_eq!((b24.create_as, b24.auto_create), (BitrixEntity::Contact, None), "contacts; nothing by itself");
    let CrmKind::Rest(rest) = &config.lookup.crm[1].kind else { panic!("a is rest") };
    assert_eq!((rest.create_url.as_deref(), rest.auto_create, rest.new_order_url.as_deref()), (None, false, None));
    assert_eq!(rest.fields.phone, "/phone");

    let lead =
        parse("[[lookup.crm]]\nname = \"b\"\nkind = \"bitrix24\"\ncreate_as = \"lead\"\nauto_create = \"off\"\n")
            .unwrap();
    assert_eq!(
        lead.lookup.crm[0].kind,
        CrmKind::Bitrix24(Bitrix24Config { create_as: BitrixEntity::Lead, ..Default::default() })
    );

    let rest = "[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://a.example/{digits}\"\n";
    let bitrix = "[[lookup.crm]]\nname = \"b\"\nkind = \"bitrix24\"\n";
    let create = "create_url = \"https://a.example/customers\"\n";
    let cases: Vec<(String, &str, &str)> = vec![
        (format!("{bitrix}create_as = \"deal\"\n"), "lookup.crm[0].create_as", "use \"contact\" or \"lead\""),
        (
            format!("{bitrix}auto_create = \"customer\"\n"),
            "lookup.crm[0].auto_create",
            "\"off\" (the default), \"lead\" or \"contact\"",
        ),
        (
            format!("{bitrix}create_url = \"https://b.example/x\"\n"),
            "lookup.crm[0].create_url",
            "only used with kind = \"rest\"",
        ),
        (
            format!("{bitrix}new_order_url = \"https://b.example/{{id}}\"\n"),
            "lookup.crm[0].new_order_url",
            "{id} is not a placeholder here; use {number}, {digits}, {customer_id}",
        ),
        (format!("{rest}create_as = \"lead\"\n"), "lookup.crm[0].create_as", "only used with kind = \"bitrix24\""),
        (format!("{rest}auto_create = \"customer\"\n"), "lookup.crm[0].auto_create", "create_url is not set"),
        (
            format!("{rest}{create}auto_create = \"lead\"\n"),
            "lookup.crm[0].auto_create",
            "use \"off\" (the default) or \"customer\"",
        ),
        (format!("{rest}create_url = \"http://crm.lan/customers\"\n"), "lookup.crm[0].create_url", "unencrypted"),
        (
            format!("{rest}create_url = \"https://a.example/c/{{raw}}\"\n"),
            "lookup.crm[0].create_url",
            "{raw} is not a placeholder here; use {e164}, {digits}, {call_id}",
        ),
        (format!("{rest}{create}[lookup.crm.fields]\nname = \"\"\n"), "lookup.crm[0].fields.name", "whole body"),
        (
            format!("{rest}{create}[lookup.crm.fields]\nphone = \"/name/tel\"\n"),
            "lookup.crm[0].fields.phone",
            "already holds",
        ),
        (format!("{rest}[lookup.crm.fields]\nphone = \"tel\"\n"), "lookup.crm[0].fields.phone", "not a JSON pointer"),
        (format!("{rest}new_order_url = \"javascript:alert(1)\"\n"), "lookup.crm[0].new_order_url", "not an http"),
    ];
    for (text, field, words) in &cases {
        let err = parse_err(text);
        assert_eq!(err.field(), Some(*field), "{text}\n{err}");
        assert!(err.to_string().contains(words), "{text}\n{err}");
    }
    // The page for a new order opens in the browser, like card_url: plain http is the CRM's own choice.
    assert!(parse(&format!("{rest}new_order_url = \"http://crm.lan/orders/new?c={{customer_id}}\"\n")).is_ok());
}

#[test]
fn a_rest_crm_log_url_follows_the_url_rules() {
    let rest = |extra: &str| -> Result<Option<String>, ConfigError> {
        let text =
            format!("[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://a.example/{{digits}}\"\n{extra}");
        let config = parse(&text)?;
        match config.lookup.crm.into_iter().next().map(|c| c.kind) {
            Some(CrmKind::Rest(rest)) => Ok(rest.log_url),
            other => panic!("not a REST CRM: {other:?}"),
        }
    };
    // No placeholder is required; {call_id} may go into the path or the query.
    assert_eq!(
        rest("log_url = \"https://a.example/api/calls\"\n").unwrap().as_deref(),
        Some("https://a.example/api/calls")
    );
    assert_eq!(
        rest("log_url = \"https://a.example/api/calls/{call_id}/log\"\n").unwrap().as_deref(),
        Some("https://a.example/api/calls/{call_id}/log")
    );
    // Plain http: to this computer, or to another one only with allow_plain_http.
    assert!(rest("log_url = \"http://127.0.0.1:8080/calls\"\n").is_ok());
    assert!(rest("log_url = \"http://crm.lan/calls\"\nallow_plain_http = true\n").is_ok());
    let cases: &[(&str, &str)] = &[
        ("log_url = \"http://crm.lan/calls\"\n", "unencrypted"),
        ("log_url = \"ftp://a.example/calls\"\n", "not an http"),
        ("log_url = \"https:///calls\"\n", "no host"),
        ("log_url = \"https://a.example/calls/{e164}\"\n", "{e164} is not a placeholder here; use {call_id}"),
        ("log_url = \"https://a.example/calls/{call_id\"\n", "without"),
        ("log_url = \"https://a.example/my calls\"\n", "%20"),
    ];
    for (extra, words) in cases {
        let err = rest(extra).unwrap_err();
        assert_eq!(err.field(), Some("lookup.crm[0].log_url"), "{extra}\n{err}");
        assert!(err.to_string().contains(words), "{extra}\n{err}");
    }
    // A Bitrix24 portal writes back through its webhook: log_url is REST only.
    let err = parse_err("[[lookup.crm]]\nname = \"b\"\nkind = \"bitrix24\"\nlog_url = \"https://b24/calls\"\n");
    assert_eq!(err.field(), Some("lookup.crm[0].log_url"), "{err}");
    assert!(err.to_string().contains("only used with kind = \"rest\""), "{err}");
}

#[test]
fn lookup_mistakes_name_the_setting() {
    let cases: &[(&str, &str, &str)] = &[
        ("[lookup]\ntimeout_ms = 0\n", "lookup.timeout_ms", "1 to 30000"),
        ("[lookup]\norder = []\n", "lookup.order", "no caller would ever be found"),
        ("[lookup]\norder = [\"crm\"]\n", "lookup.order[0]", "\"crm\" is not a source; expected one of: \"directory\""),
        ("[lookup]\norder = [\"directory\", \"directory\"]\n", "lookup.order[1]", "listed twice"),
        ("[[lookup.crm]]\nname = \"Shop CRM\"\nkind = \"bitrix24\"\n", "lookup.crm[0].name", "lower-case letters"),
        ("[[lookup.crm]]\nname = \"directory\"\nkind = \"bitrix24\"\n", "lookup.crm[0].name", "already taken"),
        (
            "[[lookup.crm]]\nname = \"a\"\nkind = \"bitrix24\"\n[[lookup.crm]]\nname = \"a\"\nkind = \"bitrix24\"\n",
            "lookup.crm[1].name",
            "already taken",
        ),
        ("[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\n", "lookup.crm[0].url", "must be set"),
        ("[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://crm/all\"\n", "lookup.crm[0].url", "same customers"),
        ("[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"http://crm.lan/{raw}\"\n", "lookup.crm[0].url", "unencrypted"),
        ("[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://crm/{phone}\"\n", "lookup.crm[0].url", "{phone} is not a placeholder"),
        (
            "[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://crm/{raw}\"\ncard_url = \"https://crm/c/{e164}\"\n",
            "lookup.crm[0].card_url",
            "use {id}",
        ),
        (
            "[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://crm/{raw}\"\nauth_header = \"X Key\"\n",
            "lookup.crm[0].auth_header",
            "not a header name",
        ),
        (
            "[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://crm/{raw}\"\n[lookup.crm.fields]\nname = \"full_name\"\n",
            "lookup.crm[0].fields.name",
            "not a JSON pointer",
        ),
        ("[[lookup.crm]]\nname = \"b\"\nkind = \"bitrix24\"\nurl = \"https://b24/rest/1/x/\"\n", "lookup.crm[0].url", "secret set crm:b"),
    ];
    for (text, field, words) in cases {
        let err = parse_err(text);
        assert_eq!(err.field(), Some(*field), "{text}\n{err}");
        assert!(err.to_string().contains(words), "{text}\n{err}");
    }
    // A kind it does not know, and a key in the fields table it does not know.
    let err = parse_err("[[lookup.crm]]\nname = \"a\"\nkind = \"salesforce\"\n");
    assert!(err.to_string().contains("rest") && err.to_string().contains("bitrix24"), "{err}");
    let err = parse_err("[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://crm/{raw}\"\n[lookup.crm.fields]\nemail = \"/e\"\n");
    assert!(matches!(err, ConfigError::UnknownKey { .. }), "{err:?}");
}

#[test]
fn a_crm_key_in_the_file_is_refused() {
    let err =
        parse_err("[[lookup.crm]]\nname = \"a\"\nkind = \"rest\"\nurl = \"https://crm/{raw}\"\napi_key = \"abc\"\n");
    assert!(matches!(err, ConfigError::Secret { .. }), "{err:?}");
}

/// The CRM guide's examples are valid config too.
#[test]
fn the_crm_guide_examples_are_valid() {
    let doc = include_str!("../../../docs/crm.md");
    let blocks: Vec<&str> = doc.split("```toml\n").skip(1).filter_map(|rest| rest.split("```").next()).collect();
    assert!(!blocks.is_empty(), "docs/crm.md lost its examples");
    for block in blocks {
        parse(block).unwrap_or_else(|e| panic!("docs/crm.md example does not parse: {e}\n{block}"));
    }
}

#[test]
fn dial_mistakes_name_the_setting() {
    let cases: &[(&str, &str, &str)] = &[
        ("[dial]\ndefault = \"x\"\n", "dial.default", "\"x\" is not a connection; expected one of: \"pbx\""),
        ("[[dial.connection]]\nname = \"Desk\"\nkind = \"microsip\"\n", "dial.connection[0].name", "lower-case"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"microsip\"\nurl = \"https://x\"\n", "dial.connection[0].url", "not used by this kind of connection (microsip)"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"command\"\n", "dial.connection[0].program", "must be set"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"command\"\nprogram = \"/bin/x\"\nargs = [\"/password:{number}\"]\n", "dial.connection[0].args", "must have \"{number}\" as one whole argument"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"command\"\nprogram = \"/bin/x\"\nargs = [\"{number}\", \"--x={number}\"]\n", "dial.connection[0].args", "an argument of its own"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"binotel\"\nextension = \"901\"\n", "dial.connection[0].key", "must be set for kind = \"binotel\""),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"ringostat\"\nproject_id = \"1 2\"\nextension = \"9\"\n", "dial.connection[0].project_id", "one word"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"http\"\nurl = \"http://pbx.lan/call\"\n", "dial.connection[0].url", "unencrypted"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"http\"\nmethod = \"DELETE\"\nurl = \"https://p/c\"\n", "dial.connection[0].method", "GET"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"http\"\nurl = \"https://p/c\"\nsuccess_pointer = \"/ok\"\n", "dial.connection[0].success_value", "go together"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"pbx\"\nprefix = \"9,\"\n", "dial.connection[0].prefix", "only hold digits"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"pbx\"\nreplace = [{ from = \"\", to = \"0\" }]\n", "dial.connection[0].replace[0]", "must not be empty"),
        ("[[dial.connection]]\nname = \"a\"\nkind = \"pbx\"\n[[dial.connection]]\nname = \"a\"\nkind = \"zoiper\"\n", "dial.connection[1].name", "already taken"),
    ];
    for (text, field, words) in cases {
        let err = parse_err(text);
        assert_eq!(err.field(), Some(*field), "{text}\n{err}");
        assert!(err.to_string().contains(words), "{text}\n{err}");
    }
}

#[test]
fn a_provider_header_may_carry_the_key_only_from_the_keychain() {
    let with = |value: &str| {
        format!(
            "[[dial.connection]]\nname = \"api\"\nkind = \"http\"\nurl = \"https://pbx.example.com/call\"\n\
             headers = {{ \"X-Api-Key\" = {value:?}, Authorization = \"Bearer {{secret}}\" }}\n"
        )
    };
    let config = parse(&with("{secret}")).expect("the key comes from the keychain");
    let ringside_config::ConnectionKind::Http(http) = &config.dial.connections[0].kind else { panic!("http") };
    assert_eq!(http.headers["X-Api-Key"], "{secret}");
    // Written out in the file: refused as a secret, pointing at the keychain.
    let err = parse_err(&with("k-12345"));
    assert!(matches!(err, ConfigError::Secret { .. }), "{err:?}");
    assert!(err.to_string().contains("X-Api-Key"), "{err}");
    let err = parse_err(
        "[[dial.connection]]\nname = \"api\"\nkind = \"http\"\nurl = \"https://p.example/c\"\nheaders = { Authorization = \"Bearer abc\" }\n",
    );
    assert!(matches!(err, ConfigError::Secret { .. }), "{err:?}");
}

#[test]
fn the_history_lives_in_the_data_directory_unless_told_otherwise() {
    assert!(Config::default().history.resolved_path().is_some_and(|p| p.ends_with("history.sqlite")));
    let config = parse("[history]\npath = \"calls.sqlite\"\n").unwrap();
    assert_eq!(config.history.path, Some(PathBuf::from("/home/ana/.config/ringside/calls.sqlite")));
    let err = parse_err("[history]\npath = \"\"\n");
    assert_eq!(err.field(), Some("history.path"));
}

/// The `[[lookup.crm]]` named `shop` with `settings`.
fn crm_with(settings: &str) -> String {
    format!("[[lookup.crm]]\nname = \"shop\"\nkind = \"rest\"\n{settings}")
}

/// The `[[dial.connection]]` named `acme` (kind = "http") with `url`.
fn dial_http_with(url: &str) -> String {
    format!("[[dial.connection]]\nname = \"acme\"\nkind = \"http\"\nurl = \"{url}\"\n")
}

/// `text` is refused as an address carrying a secret: the file and `field` named, where it is,
/// the address shown masked, where the secret goes instead, and none of `hidden` in the message.
fn refused_address(text: &str, field: &str, shown: &str, instead: &str, hidden: &[&str]) {
    let err = parse_err(text);
    let message = err.to_string();
    assert!(matches!(err, ConfigError::SecretInAddress { .. }), "{text}\n{err:?}");
    assert_eq!(err.field(), Some(field), "{text}\n{message}");
    assert!(message.starts_with(&format!("{FILE}: {field}: ")), "{message}");
    assert!(message.contains("secrets are not read from the config file"), "{message}");
    assert!(message.contains(shown), "{message}\nshould show {shown:?}");
    assert!(message.contains(instead), "{message}\nshould say {instead:?}");
    assert!(err.location().is_some(), "{message}");
    for secret in hidden {
        assert!(!message.contains(secret), "{message}\nechoes {secret:?}");
    }
}

#[test]
fn a_crm_address_with_a_key_or_a_password_is_refused_and_the_key_goes_to_a_header() {
    refused_address(
        &crm_with("url = \"https://crm.example.com/api/customers?phone={e164}&api_key=k-12345\"\n"),
        "lookup.crm[0].url",
        "\"https://crm.example.com/api/customers?phone={e164}&api_key=••••\" carries a secret in its api_key parameter",
        "send the key in a header instead (auth_header = \"X-Api-Key\", or \"Authorization\" with auth_prefix = \
         \"Bearer \") and store it with: ringside-cli secret set crm:shop",
        &["k-12345"],
    );
    refused_address(
        &crm_with("url = \"https://robo7:hunter2@crm.example.com/find/{digits}\"\n"),
        "lookup.crm[0].url",
        "\"https://••••@crm.example.com/find/{digits}\" carries a user name or password before the host",
        "auth_prefix = \"Basic \") and store the base64 of user:password with: ringside-cli secret set crm:shop",
        &["hunter2", "robo7"],
    );
    // A user name alone may be a token.
    refused_address(
        &crm_with("url = \"https://t0k3n@crm.example.com/find/{digits}\"\n"),
        "lookup.crm[0].url",
        "https://••••@crm.example.com",
        "secret set crm:shop",
        &["t0k3n"],
    );
    let base = "url = \"https://crm.example.com/find/{digits}\"\n";
    refused_address(
        &crm_with(&format!("{base}log_url = \"https://crm.example.com/calls?Token=abc987\"\n")),
        "lookup.crm[0].log_url",
        "https://crm.example.com/calls?Token=••••",
        "secret set crm:shop",
        &["abc987"],
    );
    refused_address(
        &crm_with(&format!(
            "{base}log_url = \"https://crm.example.com/calls\"\n\
             log_update_url = \"https://crm.example.com/calls/{{remote_id}}?access_token=abc987\"\n"
        )),
        "lookup.crm[0].log_update_url",
        "access_token=••••",
        "secret set crm:shop",
        &["abc987"],
    );
    refused_address(
        &crm_with(&format!("{base}card_url = \"https://crm.example.com/c/{{id}}?sig=abc987\"\n")),
        "lookup.crm[0].card_url",
        "sig=••••",
        "leave the secret out of card_url",
        &["abc987"],
    );
    refused_address(
        &crm_with(&format!("{base}new_order_url = \"https://crm.example.com/orders/new?token=abc987\"\n")),
        "lookup.crm[0].new_order_url",
        "token=••••",
        "leave the secret out of new_order_url",
        &["abc987"],
    );
    refused_address(
        &crm_with(&format!("{base}create_url = \"https://crm.example.com/customers?api_key=abc987\"\n")),
        "lookup.crm[0].create_url",
        "api_key=••••",
        "secret set crm:shop",
        &["abc987"],
    );
    // Nothing fills {secret} in a CRM's address: a key there would have to be written out.
    refused_address(
        &crm_with("url = \"https://crm.example.com/find?phone={e164}&key={secret}\"\n"),
        "lookup.crm[0].url",
        "key=••••",
        "send the key in a header instead",
        &[],
    );
    // The secret is found before anything else is wrong with the address (plain http here).
    refused_address(
        &crm_with("url = \"http://crm.lan/find?phone={e164}&password=abc987\"\n"),
        "lookup.crm[0].url",
        "password=••••",
        "secret set crm:shop",
        &["abc987"],
    );
}

#[test]
fn every_secret_parameter_name_is_refused_in_any_case() {
    for name in ringside_text::SECRET_PARAM_NAMES {
        for spelled in [name.to_string(), name.to_ascii_uppercase()] {
            refused_address(
                &crm_with(&format!("url = \"https://crm.example.com/find?phone={{e164}}&{spelled}=abc987\"\n")),
                "lookup.crm[0].url",
                &format!("{spelled}=••••"),
                "secret set crm:shop",
                &["abc987"],
            );
        }
    }
    // Names that only look alike, an empty value, placeholders and ordinary REST paths pass.
    for url in [
        "https://crm.example.com/find?phone={e164}&keyword=abc&author=me&key_id=7",
        "https://crm.example.com/find?phone={e164}&key=",
        "https://crm.example.com/rest/1/customers?phone={e164}",
        "https://crm.example.com/find?token={digits}",
    ] {
        parse(&crm_with(&format!("url = \"{url}\"\n"))).unwrap_or_else(|e| panic!("{url}: {e}"));
    }
}

#[test]
fn a_bitrix24_webhook_url_in_the_file_is_refused_as_the_secret_it_is() {
    let webhook = "https://portal.bitrix24.com/rest/1/s3cr3tc0de42/";
    // As a REST CRM's address…
    refused_address(
        &crm_with(&format!("url = \"{webhook}crm.contact.list.json?phone={{e164}}\"\n")),
        "lookup.crm[0].url",
        "\"https://portal.bitrix24.com/rest/1/••••/crm.contact.list.json?phone={e164}\" carries a Bitrix24 webhook code",
        "use kind = \"bitrix24\" with no address in this file and store the webhook URL with: ringside-cli secret set \
         crm:shop",
        &["s3cr3tc0de42"],
    );
    // …and given to a Bitrix24 CRM, which takes no address at all.
    refused_address(
        &format!("[[lookup.crm]]\nname = \"b24\"\nkind = \"bitrix24\"\nurl = \"{webhook}\"\n"),
        "lookup.crm[0].url",
        "/rest/1/••••/",
        "ringside-cli secret set crm:b24",
        &["s3cr3tc0de42"],
    );
}

#[test]
fn a_provider_address_takes_its_key_from_the_keychain_through_secret() {
    let config = parse(&dial_http_with("https://api.acme.example/v2/calls?to={number}&api_key={secret}"))
        .expect("{secret} is filled from the keychain");
    let ConnectionKind::Http(http) = &config.dial.connections[0].kind else { panic!("http") };
    assert_eq!(http.url, "https://api.acme.example/v2/calls?to={number}&api_key={secret}");
    refused_address(
        &dial_http_with("https://api.acme.example/v2/calls?to={number}&api_key=k-12345"),
        "dial.connection[0].url",
        "\"https://api.acme.example/v2/calls?to={number}&api_key=••••\" carries a secret in its api_key parameter",
        "write {secret} in its place (api_key={secret}) and store the key with: ringside-cli secret set dial:acme",
        &["k-12345"],
    );
    refused_address(
        &dial_http_with("https://api.acme.example/v2/calls?api_key=pre-{secret}"),
        "dial.connection[0].url",
        "api_key=••••",
        "secret set dial:acme",
        &["pre-"],
    );
    // A template's address elsewhere (here a callback in the body) takes {secret} as well.
    let callback = |token: &str| {
        format!(
            "{}body = '{{\"to\": \"{{number}}\", \"callback\": \"https://hooks.acme.example/done?token={token}\"}}'\n",
            dial_http_with("https://api.acme.example/v2/calls")
        )
    };
    parse(&callback("{secret}")).expect("{secret} is filled in the body too");
    refused_address(
        &callback("k-12345"),
        "dial.connection[0].body",
        "token=••••",
        "secret set dial:acme",
        &["k-12345"],
    );
    refused_address(
        &dial_http_with("https://acme:hunter2@api.acme.example/v2/calls"),
        "dial.connection[0].url",
        "https://••••@api.acme.example/v2/calls",
        "send them in a header instead (headers = { Authorization = \"Basic {secret}\" }) and store the base64 of \
         user:password with: ringside-cli secret set dial:acme",
        &["hunter2", "acme:"],
    );
}

#[test]
fn other_addresses_and_the_ami_host_carry_no_secret_either() {
    let ami = "[source]\nkind = \"ami\"\nusername = \"u\"\n";
    refused_address(
        &format!("{ami}host = \"pbx\"\nrecording_url = \"https://pbx.example.com/rec/{{file}}?auth=abc987\"\n"),
        "source.recording_url",
        "https://pbx.example.com/rec/{file}?auth=••••",
        "Ringside keeps no key for a recording server",
        &["abc987"],
    );
    refused_address(
        &format!("{ami}host = \"admin:hunter2@pbx.example.com\"\n"),
        "source.host",
        "\"••••@pbx.example.com\" carries a user name or password",
        "the AMI user in source.username, and store the AMI secret with: ringside-cli secret set",
        &["hunter2", "admin"],
    );
    refused_address(
        "[[dial.connection]]\nname = \"a\"\nkind = \"command\"\nprogram = \"/bin/x\"\n\
         args = [\"{number}\", \"--hook=https://hooks.example.com/x?token=abc987\"]\n",
        "dial.connection[0].args[1]",
        "token=••••",
        "Ringside keeps secrets in the OS keychain only",
        &["abc987"],
    );
}

#[test]
fn pause_reasons_default_to_ringsides_own_and_take_an_administrators_list() {
    let codes = |c: &Config| c.agent.pause_reasons.iter().map(|r| r.code.clone()).collect::<Vec<_>>();
    assert_eq!(codes(&Config::default()), ["break", "lunch", "training", "meeting", "back_office"]);
    let config = parse(
        "[[agent.pause_reasons]]\ncode = \"training\"\n\n[[agent.pause_reasons]]\ncode = \"it_issue\"\nlabel = \"IT problem\"\n",
    )
    .unwrap();
    assert_eq!(
        config.agent.pause_reasons,
        vec![
            PauseReason::builtin("training"),
            PauseReason { code: "it_issue".into(), label: Some("IT problem".into()) }
        ]
    );
    // An empty list offers no reason: the agent pauses without one.
    assert!(parse("[agent]\npause_reasons = []\n").unwrap().agent.pause_reasons.is_empty());
    // The mistake is pointed at: the second reason's code, on its line.
    let err = parse_err("[agent]\npause_reasons = [\n  { code = \"lunch\" },\n  { code = \"lunch\" },\n]\n");
    assert_eq!(err.location().map(|l| l.line), Some(4), "{err}");
}

#[test]
fn a_desk_behind_a_relay_names_its_servers_tenant_and_user_and_never_a_password() {
    let config = parse(
        "[source]\nkind = \"nats\"\nservers = [\"tls://relay.example.com:4222\", \"nats://10.0.0.2:4222\"]\n\
         tenant = \"acme\"\nuser = \"agent100\"\n",
    )
    .expect("a relay source");
    let ringside_config::SourceConfig::Nats(nats) = config.source else { panic!("{:?}", config.source) };
    assert_eq!(nats.servers.len(), 2);
    assert_eq!((nats.tenant.as_str(), nats.user.as_deref()), ("acme", Some("agent100")));

    let cases = [
        ("[source]\nkind = \"nats\"\ntenant = \"acme\"\n", "source.servers", "must list"),
        (
            "[source]\nkind = \"nats\"\nservers = [\"nats://u:pw@relay:4222\"]\ntenant = \"acme\"\n",
            "source.servers[0]",
            "keychain",
        ),
        (
            "[source]\nkind = \"nats\"\nservers = [\"http://relay:4222\"]\ntenant = \"acme\"\n",
            "source.servers[0]",
            "nats://",
        ),
        (
            "[source]\nkind = \"nats\"\nservers = [\"nats://relay:4222\"]\ntenant = \"Acme Ltd\"\n",
            "source.tenant",
            "lower-case",
        ),
        (
            "[source]\nkind = \"nats\"\nservers = [\"nats://relay:4222\"]\ntenant = \"acme\"\nhost = \"pbx\"\n",
            "source.host",
            "relay",
        ),
        ("[source]\nkind = \"ami\"\nhost = \"pbx\"\nusername = \"u\"\ntenant = \"acme\"\n", "source.tenant", "nats"),
    ];
    for (text, field, words) in cases {
        let e = parse_err(text);
        assert_eq!(e.field(), Some(field), "{text}: {e}");
        assert!(e.to_string().contains(words), "{text}: {e}");
        assert!(!e.to_string().contains(":pw@"), "the password is shown: {e}");
    }
}

#[test]
fn updates_are_looked_for_by_default_and_only_over_https() {
    assert!(Config::default().updates.check);
    let config = parse("[updates]\ncheck = false\nurl = \"https://updates.example.com/ringside/{{target}}/{{arch}}/{{current_version}}\"\n")
        .unwrap();
    assert!(!config.updates.check);
    assert_eq!(
        config.updates.url.as_deref(),
        Some("https://updates.example.com/ringside/{{target}}/{{arch}}/{{current_version}}")
    );
    for bad in ["http://updates.example.com/latest.json", "ftp://x/latest.json", "https://x/a b"] {
        let err = parse_err(&format!("[updates]\nurl = {bad:?}\n"));
        assert_eq!(err.field(), Some("updates.url"), "{bad}: {err}");
    }
    // The update test's own server, in debug builds only.
    assert_eq!(
        parse("[updates]\nurl = \"http://127.0.0.1:8123/latest.json\"\n")
            .map(|c| c.updates.url)
            .ok()
            .flatten()
            .is_some(),
        cfg!(debug_assertions)
    );
}
