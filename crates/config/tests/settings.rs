//! Saving from the settings window: what an admin wrote survives, invalid settings never reach
//! the disk, the write is atomic.

use std::path::{Path, PathBuf};

use ringside_config::{
    apply_changes, load_layered, save_settings, Config, ConfigError, EditError, LanguageChoice, SaveError,
    SettingChange, SourceConfig,
};
use serde_json::json;

fn set(key: &str, value: serde_json::Value) -> SettingChange {
    SettingChange { key: key.to_string(), value: Some(value) }
}

fn remove(key: &str) -> SettingChange {
    SettingChange { key: key.to_string(), value: None }
}

const ADMIN: &str = r#"# Ringside for the support floor — edited by IT, ask Oleh before changing.

[agent]
extension = "204"   # Ana's desk
interfaces = ["PJSIP/204"]

# The office Asterisk.
[source]
kind = "ami"
host = "pbx.example.internal"
port = 5038  # the manager port
username = "ringside-204"

[ui]
# Ukrainian for the whole floor.
language = "uk"
card_corner = "bottom_right"
"#;

fn user_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

#[test]
fn comments_blank_lines_and_order_survive_a_change() {
    let (_dir, path) = user_file(ADMIN);
    let layered =
        save_settings(&path, None, &[set("source.port", json!(5039)), set("ui.language", json!("pl"))]).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let expected = ADMIN
        .replace("port = 5038  # the manager port", "port = 5039  # the manager port")
        .replace("language = \"uk\"", "language = \"pl\"");
    assert_eq!(text, expected, "only the two values changed");

    let SourceConfig::Ami(ami) = &layered.config.source else { panic!("{:?}", layered.config.source) };
    assert_eq!(ami.port, 5039);
    assert_eq!(layered.config.ui.language, LanguageChoice::Pl);
    assert_eq!(Config::load(&path).unwrap(), layered.config, "what was returned is what loads");
}

#[test]
fn a_new_setting_in_a_new_section_is_a_table_at_the_end() {
    let (_dir, path) = user_file(ADMIN);
    save_settings(&path, None, &[set("session.wrap_up_secs", json!(0)), set("ui.start_at_login", json!(true))])
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with(ADMIN.trim_end()), "{text}");
    assert!(text.contains("card_corner = \"bottom_right\"\nstart_at_login = true\n"), "{text}");
    assert!(text.trim_end().ends_with("[session]\nwrap_up_secs = 0"), "{text}");
    let config = Config::load(&path).unwrap();
    assert!(config.ui.start_at_login);
    assert_eq!(config.session.wrap_up_secs, None);
}

#[test]
fn a_new_file_is_created_with_its_folder_readable_by_the_user_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ringside").join("config.toml");
    let layered = save_settings(&path, None, &[set("ui.language", json!("ru"))]).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "[ui]\nlanguage = \"ru\"\n");
    assert_eq!(layered.config.ui.language, LanguageChoice::Ru);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }
}

#[test]
fn removing_a_setting_brings_back_the_default_and_an_emptied_table_goes() {
    let (_dir, path) = user_file("[agent]\nextension = \"204\"\n\n[session]\nwrap_up_secs = 10\n");
    let layered = save_settings(&path, None, &[remove("session.wrap_up_secs")]).unwrap();
    assert_eq!(layered.config.session.wrap_up_secs, Some(30));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "[agent]\nextension = \"204\"\n");

    // A commented table stays, even empty.
    let (_dir, path) = user_file("# Wrap-up: agreed with the team lead\n[session]\nwrap_up_secs = 10\n");
    save_settings(&path, None, &[remove("session.wrap_up_secs")]).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# Wrap-up: agreed with the team lead\n[session]\n");

    // Removing what is not there changes nothing.
    assert_eq!(apply_changes(ADMIN, &[remove("lookup.timeout_ms"), remove("ui.nothing")]).unwrap(), ADMIN);
}

const CRMS: &str = r#"[lookup]
timeout_ms = 900

# The shop's CRM.
[[lookup.crm]]
name = "shop"
kind = "rest"
url = "https://crm.example.com/api/customers?phone={e164}"  # search by phone

[lookup.crm.fields]
name = "/full_name"

[[lookup.crm]]
name = "b24"
kind = "bitrix24"

[dial]
confirm_links = false
"#;

#[test]
fn crm_items_are_appended_edited_and_removed() {
    let (_dir, path) = user_file(CRMS);
    let layered = save_settings(
        &path,
        None,
        &[
            set("lookup.crm[]", json!({ "name": "erp", "kind": "rest", "url": "https://erp.example.com/find?n={digits}", "fields": { "id": "/code" } })),
            set("lookup.crm[0].url", json!("https://crm.example.com/api/v2/customers?phone={e164}")),
            set("lookup.crm[0].fields.company", json!("/company/name")),
        ],
    )
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("url = \"https://crm.example.com/api/v2/customers?phone={e164}\"  # search by phone"),
        "{text}"
    );
    assert!(text.contains("[lookup.crm.fields]\nname = \"/full_name\"\ncompany = \"/company/name\"\n"), "{text}");
    assert!(text.contains("# The shop's CRM.\n[[lookup.crm]]"), "{text}");
    let names: Vec<_> = layered.config.lookup.crm.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["shop", "b24", "erp"]);
    let ringside_config::CrmKind::Rest(erp) = &layered.config.lookup.crm[2].kind else { panic!() };
    assert_eq!(erp.fields.id, "/code", "the new item's own table stayed with it");
    let ringside_config::CrmKind::Rest(shop) = &layered.config.lookup.crm[0].kind else { panic!() };
    assert_eq!(shop.fields.company.as_deref(), Some("/company/name"));
    assert_eq!(shop.fields.name, "/full_name");

    // A whole item replaced, then one removed.
    let layered = save_settings(
        &path,
        None,
        &[
            set("lookup.crm[1]", json!({ "name": "b24", "kind": "bitrix24", "create_as": "lead" })),
            remove("lookup.crm[0]"),
        ],
    )
    .unwrap();
    let names: Vec<_> = layered.config.lookup.crm.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["b24", "erp"]);
    let ringside_config::CrmKind::Bitrix24(b24) = &layered.config.lookup.crm[0].kind else { panic!() };
    assert_eq!(b24.create_as, ringside_config::BitrixEntity::Lead);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("shop"), "{text}");
    assert!(text.contains("[dial]\nconfirm_links = false\n"), "{text}");
    assert_eq!(Config::load(&path).unwrap(), layered.config);
}

#[test]
fn dial_connections_are_appended_edited_and_removed() {
    let (_dir, path) = user_file("[dial]\ndefault = \"office\"\n\n[[dial.connection]]\nname = \"office\"\nkind = \"pbx\"\nprefix = \"9\" # outside line\n");
    let layered = save_settings(
        &path,
        None,
        &[
            set("dial.connection[]", json!({ "name": "softphone", "kind": "microsip", "format": "national", "replace": [{ "from": "+380", "to": "0" }] })),
            set("dial.connection[0].prefix", json!("0")),
        ],
    )
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("prefix = \"0\" # outside line"), "{text}");
    assert!(text.contains("replace = [{ from = \"+380\", to = \"0\" }]"), "{text}");
    assert_eq!(layered.config.dial.connections.len(), 2);
    assert_eq!(layered.config.dial.connections[1].rule.replace[0].to, "0");

    let layered = save_settings(&path, None, &[remove("dial.connection[1]")]).unwrap();
    assert_eq!(layered.config.dial.connections.len(), 1);
    // The last one goes, and "office" with it from `default`.
    let layered = save_settings(&path, None, &[remove("dial.connection[0]"), remove("dial.default")]).unwrap();
    assert!(layered.config.dial.connections.is_empty());
    assert!(!std::fs::read_to_string(&path).unwrap().contains("connection"));
}

#[test]
fn pause_reasons_are_an_array_of_inline_tables() {
    let (_dir, path) = user_file(ADMIN);
    let layered = save_settings(
        &path,
        None,
        &[set("agent.pause_reasons", json!([{ "code": "lunch", "label": "Lunch" }, { "code": "break" }]))],
    )
    .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("pause_reasons = [{ code = \"lunch\", label = \"Lunch\" }, { code = \"break\" }]"), "{text}");
    assert_eq!(layered.config.agent.pause_reasons.len(), 2);
    let layered = save_settings(&path, None, &[set("agent.pause_reasons[0].label", json!("Long lunch"))]).unwrap();
    assert_eq!(layered.config.agent.pause_reasons[0].label.as_deref(), Some("Long lunch"));
    let layered =
        save_settings(&path, None, &[set("agent.pause_reasons[]", json!({ "code": "coaching", "label": "1:1" }))])
            .unwrap();
    assert_eq!(layered.config.agent.pause_reasons[2].code, "coaching");
}

/// `change` is refused naming `field` in the user's file, and the file is untouched.
fn refused(text: &str, change: SettingChange, field: &str) -> ConfigError {
    let (_dir, path) = user_file(text);
    let error = save_settings(&path, None, std::slice::from_ref(&change)).unwrap_err();
    assert_eq!(std::fs::read(&path).unwrap(), text.as_bytes(), "the file on disk is unchanged");
    let SaveError::Invalid(error) = error else { panic!("{change:?}: {error}") };
    assert_eq!(error.field(), Some(field), "{error}");
    assert_eq!(error.path(), path, "{error}");
    assert!(error.to_string().starts_with(&path.display().to_string()), "{error}");
    error
}

#[test]
fn an_invalid_change_is_refused_and_nothing_is_written() {
    let error = refused(ADMIN, set("source.port", json!(0)), "source.port");
    assert!(error.to_string().contains("0 is not a port"), "{error}");
    assert_eq!(error.location().map(|l| l.line), Some(11), "the line the port would be on");

    refused("[source]\nkind = \"demo\"\n", set("source.host", json!("pbx")), "source.host");
    let error = refused(CRMS, set("lookup.crm[0].api_key", json!("abc")), "lookup.crm[0].api_key");
    assert!(matches!(error, ConfigError::Secret { .. }), "{error}");
    let error = refused(
        CRMS,
        set("lookup.crm[0].url", json!("https://crm.example.com/find?phone={e164}&api_key=abc123")),
        "lookup.crm[0].url",
    );
    assert!(matches!(error, ConfigError::SecretInAddress { .. }), "{error}");
    assert!(!error.to_string().contains("abc123"), "the secret is masked: {error}");
    refused(ADMIN, set("ui.colour", json!("red")), "ui.colour");
}

#[test]
fn a_bad_change_is_refused_before_anything_is_read_as_settings() {
    let (_dir, path) = user_file(CRMS);
    for (change, what) in [
        (set("lookup.crm[7].url", json!("https://x.example/{e164}")), "out of range"),
        (set("lookup..crm", json!(1)), "bad key"),
        (set("ui.language", json!({ "a": null })), "null"),
        (set("lookup.timeout_ms.x", json!(1)), "a value, not a table"),
    ] {
        let error = save_settings(&path, None, std::slice::from_ref(&change)).unwrap_err();
        assert!(matches!(error, SaveError::Edit { .. }), "{what}: {error}");
        assert_eq!(error.code(), "settings.bad_change");
        assert!(error.to_string().contains("the file was left as it was"), "{error}");
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), CRMS);
    assert!(matches!(apply_changes("a = [", &[]), Err(EditError::NotToml { .. })));
    assert!(matches!(
        apply_changes(CRMS, &[set("lookup.crm[2]", json!({}))]),
        Err(EditError::IndexOutOfRange { index: 2, len: 2, .. })
    ));
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}

#[test]
fn the_file_is_replaced_by_a_rename_and_keeps_its_permissions() {
    let (dir, path) = user_file(ADMIN);
    #[cfg(unix)]
    let before = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        inode(&path)
    };
    save_settings(&path, None, &[set("ui.language", json!("en"))]).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_ne!(inode(&path), before, "a new file was renamed over the old one");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, ["config.toml"], "no temporary file left behind");
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_is_a_write_error_and_the_file_stays() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, path) = user_file(ADMIN);
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o500)).unwrap();
    // Root ignores permissions: nothing to check then.
    if std::fs::write(dir.path().join("probe"), "").is_ok() {
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        eprintln!("skipped: permissions are not enforced for this user");
        return;
    }
    let error = save_settings(&path, None, &[set("ui.language", json!("en"))]).unwrap_err();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    assert!(matches!(error, SaveError::Write { .. }), "{error}");
    assert_eq!(error.code(), "settings.write_failed");
    assert!(error.to_string().contains("the file was left as it was"), "{error}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ADMIN);
}

#[test]
fn errors_carry_codes_and_args_for_the_window() {
    use ringside_core::ErrorCode;
    let (_dir, path) = user_file(ADMIN);
    let error = save_settings(&path, None, &[set("source.port", json!(0))]).unwrap_err();
    assert_eq!(ErrorCode::code(&error), "settings.invalid");
    let args = error.args();
    assert_eq!(args.get("field").map(String::as_str), Some("source.port"));
    assert_eq!(args.get("file"), Some(&path.display().to_string()));
    assert!(args["reason"].contains("0 is not a port"), "{args:?}");
}

#[test]
fn the_change_reads_from_json_as_the_window_sends_it() {
    let change: SettingChange = serde_json::from_str(r#"{"key":"ui.language","value":"pl"}"#).unwrap();
    assert_eq!(change, set("ui.language", json!("pl")));
    let change: SettingChange = serde_json::from_str(r#"{"key":"ui.language","value":null}"#).unwrap();
    assert_eq!(change, remove("ui.language"));
}

#[test]
fn loading_layered_without_a_system_file_is_loading_the_file() {
    let (_dir, path) = user_file(ADMIN);
    let layered = load_layered(&path, None).unwrap();
    assert_eq!(layered.config, Config::load(&path).unwrap());
    assert_eq!(layered.system_path, None);
    let missing = path.with_file_name("missing.toml");
    assert_eq!(load_layered(&missing, None).unwrap().config, Config::default());
}

#[test]
fn a_failed_write_is_a_write_error_and_the_file_stays() {
    // Something in the way of the temporary file (here a folder by its name) fails the write
    // whoever runs the test, root included.
    let (dir, path) = user_file(ADMIN);
    let in_the_way = dir.path().join(format!(".config.toml.{}.tmp", std::process::id()));
    std::fs::create_dir(&in_the_way).unwrap();
    let error = save_settings(&path, None, &[set("ui.language", json!("en"))]).unwrap_err();
    assert!(matches!(error, SaveError::Write { .. }), "{error}");
    assert_eq!(error.code(), "settings.write_failed");
    assert!(error.to_string().starts_with(&path.display().to_string()), "{error}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), ADMIN);
}
