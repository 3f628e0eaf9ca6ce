//! A system-wide config under the user's: merging, locks, errors named by the file that wrote
//! them, and the values the settings window shows.

use std::path::PathBuf;

use ringside_config::{
    defaults_document, load_layered, save_settings, Config, ConfigError, SaveError, SettingChange, SourceConfig,
    DEFAULTS_TOML,
};
use serde_json::json;

struct Files {
    _dir: tempfile::TempDir,
    user: PathBuf,
    system: PathBuf,
}

fn files(system: &str, user: &str) -> Files {
    let dir = tempfile::tempdir().unwrap();
    let user_path = dir.path().join("user").join("config.toml");
    let system_path = dir.path().join("etc").join("config.toml");
    std::fs::create_dir_all(user_path.parent().unwrap()).unwrap();
    std::fs::create_dir_all(system_path.parent().unwrap()).unwrap();
    std::fs::write(&user_path, user).unwrap();
    std::fs::write(&system_path, system).unwrap();
    Files { _dir: dir, user: user_path, system: system_path }
}

const SYSTEM: &str = r#"# Deployed by IT.
[source]
kind = "ami"
host = "pbx.corp.example"
port = 5039
username = "ringside"

[ui]
language = "uk"

[agent]
pause_reasons = [{ code = "lunch" }, { code = "break" }]

[locked]
keys = ["source"]
"#;

#[test]
fn a_locked_setting_keeps_the_system_value_and_the_user_value_is_recorded() {
    let f = files(SYSTEM, "[source]\nport = 6000\n\n[ui]\nlanguage = \"pl\"\n");
    let layered = load_layered(&f.user, Some(&f.system)).unwrap();
    let SourceConfig::Ami(ami) = &layered.config.source else { panic!("{:?}", layered.config.source) };
    assert_eq!((ami.host.as_str(), ami.port, ami.username.as_str()), ("pbx.corp.example", 5039, "ringside"));
    assert_eq!(layered.overridden, ["source.port"]);
    assert_eq!(layered.locked, ["source"]);
    assert!(layered.is_locked("source.port"));
    assert!(layered.is_locked("source"));
    assert!(!layered.is_locked("ui.language"));
    assert!(!layered.is_locked("sourcery"));
    // Not locked: the user's wins.
    assert_eq!(layered.config.ui.language, ringside_config::LanguageChoice::Pl);
    assert_eq!(layered.system_path.as_deref(), Some(f.system.as_path()));
    assert_eq!(layered.values["source"]["port"], json!(5039));
    assert_eq!(layered.values["ui"]["language"], json!("pl"));
    assert_eq!(layered.system_values["ui"]["language"], json!("uk"));
    assert!(layered.system_values.get("locked").is_none());
}

#[test]
fn saving_a_locked_setting_is_refused_before_anything_is_touched() {
    let f = files(SYSTEM, "[ui]\nlanguage = \"pl\"\n");
    for key in ["source.port", "source", "source.host"] {
        let error =
            save_settings(&f.user, Some(&f.system), &[SettingChange { key: key.into(), value: Some(json!(1)) }])
                .unwrap_err();
        let SaveError::Locked { key: locked, .. } = &error else { panic!("{error}") };
        assert_eq!(locked, key);
        assert_eq!(error.code(), "settings.locked");
        assert!(error.to_string().contains(&f.system.display().to_string()), "{error}");
    }
    assert_eq!(std::fs::read_to_string(&f.user).unwrap(), "[ui]\nlanguage = \"pl\"\n");
    // The rest saves, over the system file.
    let layered =
        save_settings(&f.user, Some(&f.system), &[SettingChange { key: "ui.language".into(), value: None }]).unwrap();
    assert_eq!(layered.config.ui.language, ringside_config::LanguageChoice::Uk, "the system's value again");
}

#[test]
fn a_table_lock_covers_its_lists_and_a_missing_system_value_means_the_default() {
    let system = "[locked]\nkeys = [\"lookup\", \"ui.card_corner\"]\n";
    let user = "[ui]\ncard_corner = \"top_left\"\n\n[[lookup.crm]]\nname = \"b24\"\nkind = \"bitrix24\"\n";
    let f = files(system, user);
    let layered = load_layered(&f.user, Some(&f.system)).unwrap();
    assert_eq!(layered.config.ui.card_corner, ringside_config::CardCorner::Auto);
    assert!(layered.config.lookup.crm.is_empty());
    assert_eq!(layered.overridden, ["lookup.crm", "ui.card_corner"]);
    assert!(layered.is_locked("lookup.crm[1].url"));
}

#[test]
fn lists_are_replaced_whole_and_tables_merge_key_by_key() {
    let system = "[agent]\nextension = \"300\"\npause_reasons = [{ code = \"lunch\" }, { code = \"break\" }]\n\n\
                  [[lookup.crm]]\nname = \"b24\"\nkind = \"bitrix24\"\n";
    let user =
        "[agent]\npause_reasons = [{ code = \"meeting\" }]\n\n[[lookup.crm]]\nname = \"shop\"\nkind = \"rest\"\n\
                url = \"https://crm.example.com/find?phone={e164}\"\n";
    let f = files(system, user);
    let layered = load_layered(&f.user, Some(&f.system)).unwrap();
    assert_eq!(layered.config.agent.extension, "300", "the system's key stays beside the user's");
    let codes: Vec<_> = layered.config.agent.pause_reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["meeting"]);
    let names: Vec<_> = layered.config.lookup.crm.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["shop"]);
    assert!(layered.overridden.is_empty());
    assert_eq!(layered.values["lookup"]["order"], json!(["shop", "directory"]), "the order in effect");
}

#[test]
fn an_error_names_the_file_that_wrote_the_setting_and_its_line() {
    // In the system file.
    let f = files("# IT\n[session]\n\nkeep_ended_cards = 0\n", "[ui]\nlanguage = \"pl\"\n");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert_eq!(error.path(), f.system, "{error}");
    assert_eq!(error.field(), Some("session.keep_ended_cards"));
    assert_eq!(error.location().map(|l| l.line), Some(4), "{error}");

    // In the user's file, which sets it over the system's.
    let f = files("[session]\nkeep_ended_cards = 5\n", "\n\n[session]\nkeep_ended_cards = 0\n");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert_eq!(error.path(), f.user, "{error}");
    assert_eq!(error.location().map(|l| l.line), Some(4), "{error}");

    // A setting the user's file adds that only makes sense with the system's kind.
    let f = files("[source]\nkind = \"demo\"\n", "[source]\nhost = \"pbx\"\n");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert_eq!((error.path(), error.field()), (f.user.as_path(), Some("source.host")), "{error}");
    assert_eq!(error.location().map(|l| l.line), Some(2), "{error}");

    // A wrong type, and an unknown key, in the system file.
    let f = files("\n[ui]\ncard_stack_limit = \"three\"\n", "");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert_eq!((error.path(), error.field()), (f.system.as_path(), Some("ui.card_stack_limit")), "{error}");
    assert_eq!(error.location().map(|l| l.line), Some(3), "{error}");
    let f = files("[ui]\ncolour = \"red\"\n", "");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert!(matches!(&error, ConfigError::UnknownKey { path, .. } if *path == f.system), "{error}");

    // Syntax and secrets: on each file's own text.
    let f = files("[ui\n", "");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert!(matches!(&error, ConfigError::Syntax { path, .. } if *path == f.system), "{error}");
    let f = files("", "[source]\n\nami_secret = \"x\"\n");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert!(matches!(&error, ConfigError::Secret { path, .. } if *path == f.user), "{error}");
    assert_eq!(error.location().map(|l| l.line), Some(3));
    let f = files("[[lookup.crm]]\nname = \"b\"\nkind = \"rest\"\nurl = \"https://u:p@crm.example/{e164}\"\n", "");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert!(matches!(&error, ConfigError::SecretInAddress { path, .. } if *path == f.system), "{error}");
}

#[test]
fn only_the_system_file_may_lock_and_only_known_settings() {
    let f = files("", "[locked]\nkeys = [\"ui\"]\n");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert!(
        matches!(&error, ConfigError::UnknownKey { path, key, .. } if *path == f.user && key == "locked"),
        "{error}"
    );
    assert!(error.to_string().contains("only the system-wide config may lock settings"), "{error}");
    assert!(load_layered(&f.user, None).is_err(), "nor without a system file");

    let f = files("[locked]\nkeys = [\"source\", \"ui.langauge\"]\n", "");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert_eq!((error.path(), error.field()), (f.system.as_path(), Some("locked.keys[1]")), "{error}");
    let f = files("[locked]\nkeys = [\"lookup.crm.url\"]\n", "");
    let error = load_layered(&f.user, Some(&f.system)).unwrap_err();
    assert!(error.to_string().contains("locked whole"), "{error}");
    let f = files("[locked]\nkeys = \"ui\"\n", "");
    assert_eq!(load_layered(&f.user, Some(&f.system)).unwrap_err().field(), Some("locked.keys"));
    let f = files("[locked]\nkey = [\"ui\"]\n", "");
    assert_eq!(load_layered(&f.user, Some(&f.system)).unwrap_err().field(), Some("locked.key"));
}

#[test]
fn missing_files_are_empty_and_values_hold_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let layered = load_layered(&dir.path().join("none.toml"), Some(&dir.path().join("none-either.toml"))).unwrap();
    assert_eq!(layered.config, Config::default());
    assert_eq!(layered.system_path, None);
    assert_eq!(layered.system_values, json!({}));
    assert_eq!(layered.values["session"]["wrap_up_secs"], json!(30));
    assert_eq!(layered.values["ui"]["start_at_login"], json!(false));
    assert_eq!(layered.values["lookup"]["order"], json!(["directory"]));

    let f = files("[session]\nwrap_up_secs = 45\n", "[session]\nkeep_ended_cards = 3\n");
    let layered = load_layered(&f.user, Some(&f.system)).unwrap();
    assert_eq!(layered.values["session"]["wrap_up_secs"], json!(45));
    assert_eq!(layered.values["session"]["keep_ended_cards"], json!(3));
    assert_eq!(layered.values["session"]["internal_max_len"], json!(5));
}

#[test]
fn a_relative_path_in_the_system_file_is_relative_to_the_system_file() {
    let f = files("[history]\npath = \"history.sqlite\"\n", "[directory]\npath = \"customers.sqlite\"\n");
    let layered = load_layered(&f.user, Some(&f.system)).unwrap();
    assert_eq!(layered.config.history.path, Some(f.system.with_file_name("history.sqlite")));
    assert_eq!(layered.config.directory.path, Some(f.user.with_file_name("customers.sqlite")));
}

#[test]
fn the_defaults_document_is_the_default_config() {
    let loaded = Config::from_toml_str(DEFAULTS_TOML, std::path::Path::new("defaults.toml")).unwrap();
    assert_eq!(loaded, Config::default());
    assert!(!defaults_document().is_empty());
    let ami = ringside_config::ami_defaults();
    assert_eq!(ami["port"].as_integer(), Some(5038));
    assert_eq!(ami["originate_context"].as_str(), Some("from-internal"));
    let SourceConfig::Ami(parsed) = Config::from_toml_str(
        &format!("[source]\nkind = \"ami\"\nhost = \"h\"\nusername = \"u\"\n{}", toml::to_string(&ami).unwrap()),
        std::path::Path::new("x.toml"),
    )
    .unwrap()
    .source
    else {
        panic!()
    };
    assert_eq!(parsed, ringside_config::AmiConfig::new("h", 5038, "u"), "the AMI defaults are the defaults");
}

/// docs/config.md's "The defaults, written out" says what DEFAULTS_TOML holds.
#[test]
fn the_documented_defaults_are_the_defaults_document() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/config.md")).unwrap();
    let section = docs.split("## The defaults, written out").nth(1).unwrap();
    let block = section.split("```toml\n").nth(1).unwrap().split("```").next().unwrap();
    let documented: toml::Table = block.parse().unwrap();
    assert_eq!(documented, defaults_document());
}
