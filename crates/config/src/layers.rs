//! Layers: a system-wide config that IT deploys, with the user's file on top of it.
//!
//! A managed install puts the company's settings (the PBX, the CRMs, the language) in one file
//! for every user of the machine, and may lock some of them so the settings window shows them
//! read-only and a user's file cannot change them. Both files are read, checked for syntax and
//! secrets on their own (so a message points at the right line of the right file), merged as
//! TOML (tables key by key, lists whole), and the merged settings are validated as one file
//! would be; an error names the file that wrote the offending setting.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Serialize;
use toml::{Table, Value};

use crate::{read_text, Config, ConfigError, Document};

/// The environment variable that overrides where the system-wide config is read from (a test,
/// or an install that keeps it elsewhere).
pub const SYSTEM_CONFIG_ENV_VAR: &str = "RINGSIDE_SYSTEM_CONFIG";

/// The settings a `[locked] keys` entry may name: every table and setting of the file down to
/// the lists, which are locked whole as they are merged whole. A test checks it against what
/// the file accepts.
pub(crate) const SETTINGS: &[&str] = &[
    "agent.extension",
    "agent.interfaces",
    "agent.name",
    "agent.pause_reasons",
    "source.kind",
    "source.host",
    "source.port",
    "source.username",
    "source.ping_interval_secs",
    "source.connect_timeout_secs",
    "source.originate_context",
    "source.recording_variable",
    "source.recording_url",
    "source.servers",
    "source.tenant",
    "source.user",
    "demo.listen",
    "demo.ring_every_secs",
    "demo.scenario",
    "session.wrap_up",
    "session.wrap_up_secs",
    "session.internal_max_len",
    "session.keep_ended_cards",
    "session.auto_pause_after_missed",
    "ui.card_opens_on",
    "ui.internal_call_delay_ms",
    "ui.card_stack_limit",
    "ui.card_autoclose_secs",
    "ui.notify_incoming",
    "ui.card_corner",
    "ui.language",
    "ui.start_at_login",
    "supervisor.enabled",
    "supervisor.queues",
    "directory.path",
    "directory.region",
    "lookup.timeout_ms",
    "lookup.cache_secs",
    "lookup.order",
    "lookup.crm",
    "dial.default",
    "dial.confirm_links",
    "dial.connection",
    "history.path",
    "updates.check",
    "updates.url",
];

/// The lists of the file whose items are tables (`[[lookup.crm]]`): merged whole, and written
/// back as arrays of tables by the settings window.
pub(crate) const TABLE_LISTS: &[&str] = &["lookup.crm", "dial.connection"];

/// Settings holding a path, which a relative value anchors at the directory of the file that
/// wrote it.
const RELATIVE_PATHS: &[(&str, &str)] = &[("demo", "scenario"), ("directory", "path"), ("history", "path")];

/// Every scalar default of the file, as docs/config.md's "The defaults, written out" has it.
/// Loading this text gives [`Config::default`] (a test holds them together). Lists of tables
/// (`[[lookup.crm]]`, `[[dial.connection]]`) have no defaults, and the settings that exist
/// only with `kind = "ami"` are in [`ami_defaults`], as they are refused with the demo PBX.
pub const DEFAULTS_TOML: &str = r#"[agent]
extension = "100"
interfaces = ["Local/100@agents"]
pause_reasons = [
  { code = "break" },
  { code = "lunch" },
  { code = "training" },
  { code = "meeting" },
  { code = "back_office" },
]

[source]
kind = "demo"

[demo]

[session]
wrap_up = true
wrap_up_secs = 30
internal_max_len = 5
keep_ended_cards = 20
auto_pause_after_missed = 0

[ui]
card_opens_on = "ringing"
internal_call_delay_ms = 0
card_stack_limit = 3
card_autoclose_secs = 5
notify_incoming = "when_card_hidden"
card_corner = "auto"
language = "auto"
start_at_login = false

[supervisor]
enabled = false
queues = []

[directory]
region = "UA"

[lookup]
timeout_ms = 800
cache_secs = 300
order = ["directory"]

[dial]
confirm_links = true

[history]

[updates]
check = true
"#;

/// [`DEFAULTS_TOML`] as a table: what the settings window shows for a setting no file sets.
pub fn defaults_document() -> Table {
    // A constant of this crate, parsed by a test: it cannot fail at run time; an empty table
    // is the harmless answer if it ever did.
    DEFAULTS_TOML.parse::<Table>().unwrap_or_default()
}

/// The defaults of the `[source]` settings that exist only with `kind = "ami"` (`host` and
/// `username` have none), for the settings window to show as placeholders.
pub fn ami_defaults() -> Table {
    let mut table = Table::new();
    table.insert("port".into(), Value::Integer(i64::from(crate::AMI_DEFAULT_PORT)));
    table.insert("ping_interval_secs".into(), Value::Integer(crate::AMI_DEFAULT_PING_SECS as i64));
    table.insert("connect_timeout_secs".into(), Value::Integer(crate::AMI_DEFAULT_CONNECT_TIMEOUT_SECS as i64));
    table.insert("originate_context".into(), Value::String(crate::AMI_DEFAULT_ORIGINATE_CONTEXT.into()));
    table.insert("recording_variable".into(), Value::String(crate::AMI_DEFAULT_RECORDING_VARIABLE.into()));
    table
}

impl Config {
    /// Where IT puts the system-wide config: `$RINGSIDE_SYSTEM_CONFIG` if set (and not empty),
    /// else where each OS keeps settings for every user of the machine:
    /// - Linux and other Unix: `/etc/ringside/config.toml` (`/etc` is the host-specific
    ///   configuration of the Filesystem Hierarchy Standard);
    /// - Windows: `%ProgramData%\Ringside\config.toml` (the known folder `FOLDERID_ProgramData`,
    ///   application data for all users; `C:\ProgramData` when the variable is missing);
    /// - macOS: `/Library/Application Support/Ringside/config.toml` (the local domain's
    ///   Application Support, per Apple's File System Programming Guide).
    ///
    /// `None` on a platform with none of these.
    pub fn system_path() -> Option<PathBuf> {
        system_path_from(std::env::var_os(SYSTEM_CONFIG_ENV_VAR), std::env::var_os("ProgramData"))
    }
}

/// [`Config::system_path`] with the environment given, so it can be tested without changing
/// the process's environment.
pub(crate) fn system_path_from(env: Option<OsString>, program_data: Option<OsString>) -> Option<PathBuf> {
    if let Some(path) = env.filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    os_system_path(program_data)
}

/// Windows: `%ProgramData%\Ringside\config.toml`, the known folder for application data shared
/// by all users (<https://learn.microsoft.com/en-us/windows/win32/shell/knownfolderid#FOLDERID_ProgramData>).
#[cfg(windows)]
fn os_system_path(program_data: Option<OsString>) -> Option<PathBuf> {
    let base = program_data.filter(|p| !p.is_empty()).unwrap_or_else(|| OsString::from(r"C:\ProgramData"));
    Some(PathBuf::from(base).join("Ringside").join("config.toml"))
}

/// macOS: `/Library/Application Support/Ringside/config.toml`, the local domain's Application
/// Support folder, shared by all users (Apple's File System Programming Guide,
/// <https://developer.apple.com/library/archive/documentation/FileManagement/Conceptual/FileSystemProgrammingGuide/MacOSXDirectories/MacOSXDirectories.html>).
#[cfg(target_os = "macos")]
fn os_system_path(_program_data: Option<OsString>) -> Option<PathBuf> {
    Some(PathBuf::from("/Library/Application Support/Ringside/config.toml"))
}

/// Linux and other Unix: `/etc/ringside/config.toml`; `/etc` holds the host-specific
/// configuration (the Filesystem Hierarchy Standard).
#[cfg(all(unix, not(target_os = "macos")))]
fn os_system_path(_program_data: Option<OsString>) -> Option<PathBuf> {
    Some(PathBuf::from("/etc/ringside/config.toml"))
}

/// Anything else: no system-wide file.
#[cfg(not(any(unix, windows)))]
fn os_system_path(_program_data: Option<OsString>) -> Option<PathBuf> {
    None
}

/// The settings in effect, and where each came from, for the app and its settings window.
#[derive(Debug, Clone, Serialize)]
pub struct Layered {
    /// The validated settings: defaults, then the system file, then the user's.
    pub config: Config,
    /// The user's file (which need not exist).
    pub user_path: PathBuf,
    /// The system-wide file, `Some` only when it exists.
    pub system_path: Option<PathBuf>,
    /// The system file's `[locked] keys`, as written: dotted settings and tables.
    pub locked: Vec<String>,
    /// Settings the user's file sets that a lock ignored (`source.port`), for the app to log
    /// and the settings window to explain.
    pub overridden: Vec<String>,
    /// The settings in effect as a JSON tree in the file's shape: [`defaults_document`], then
    /// the system file, then the user's (`values["session"]["wrap_up_secs"]`).
    /// `lookup.order` is the order in effect (without a file's `order`, the CRMs first).
    pub values: serde_json::Value,
    /// What the system file sets, in the same shape (without `[locked]`); `{}` without one.
    pub system_values: serde_json::Value,
}

impl Layered {
    /// Whether the settings window must show `key` read-only: `key` or a table above it is
    /// locked (`lookup.crm[1].url` is locked by `lookup.crm` and by `lookup`).
    pub fn is_locked(&self, key: &str) -> bool {
        locked_by(&self.locked, key)
    }
}

/// Whether `key` is one of `locks` or under one.
pub(crate) fn locked_by(locks: &[String], key: &str) -> bool {
    locks.iter().any(|lock| under(key, lock))
}

/// `key` is `table` or inside it (`lookup.crm[1]` is inside `lookup.crm` and `lookup`, not
/// inside `look`).
pub(crate) fn under(key: &str, table: &str) -> bool {
    key.strip_prefix(table).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

impl Config {
    /// The settings in effect for `user`: that file over the system-wide one, if there is one
    /// ([`Config::system_path`]). What every tool reads; [`Config::load`] reads one file alone.
    pub fn load_with_system(user: &Path) -> Result<Config, ConfigError> {
        load_layered(user, Config::system_path().as_deref()).map(|layered| layered.config)
    }
}

/// Reads the user's file over the system-wide one (`None`: no system file). A missing file is
/// an empty one; see the module's documentation for how they merge. With no system file the
/// result's `config` is what [`Config::load`] gives for the user's file.
pub fn load_layered(user: &Path, system: Option<&Path>) -> Result<Layered, ConfigError> {
    let user_text = read_text(user)?;
    let system = match system {
        Some(path) => read_text(path)?.map(|text| (path, text)),
        None => None,
    };
    layered_from_texts(user, user_text.as_deref(), system.as_ref().map(|(p, t)| (*p, t.as_str())))
}

/// A file, checked on its own text.
struct Layer<'a> {
    path: &'a Path,
    text: &'a str,
    table: Table,
}

impl<'a> Layer<'a> {
    /// Syntax and secrets, checked on this file's own text so a message points at its line;
    /// `[locked]` taken out (refused in the user's file).
    fn read(path: &'a Path, text: &'a str, system: bool) -> Result<(Self, Vec<String>), ConfigError> {
        let doc = Document::parse(text, path)?;
        doc.refuse_secrets()?;
        let mut table: Table = toml::from_str(text).map_err(|e| doc.serde_error(&e))?;
        let locked = match table.remove("locked") {
            None => Vec::new(),
            Some(_) if !system => {
                return Err(ConfigError::UnknownKey {
                    path: path.to_path_buf(),
                    key: "locked".to_string(),
                    location: doc.location_of("locked"),
                    expected: "only the system-wide config may lock settings (see \"Managed installs\" in \
                               docs/config.md); remove [locked] from this file"
                        .to_string(),
                })
            }
            Some(value) => locked_keys(value, &doc)?,
        };
        Ok((Self { path, text, table }, locked))
    }

    fn document(&self) -> Result<Document<'a>, ConfigError> {
        Document::parse(self.text, self.path)
    }
}

/// The system file's `[locked]`: `keys`, a list of known settings and tables.
fn locked_keys(value: Value, doc: &Document<'_>) -> Result<Vec<String>, ConfigError> {
    let Value::Table(mut table) = value else {
        return Err(doc.invalid("locked", "must be a table: [locked] with keys = [\"source\", \"ui.language\"]"));
    };
    let keys = table.remove("keys");
    if let Some(other) = table.keys().next() {
        return Err(ConfigError::UnknownKey {
            path: doc.origin.to_path_buf(),
            key: format!("locked.{other}"),
            location: doc.location_of(&format!("locked.{other}")),
            expected: "expected one of: `keys`".to_string(),
        });
    }
    let not_a_list = || doc.invalid("locked.keys", "must be a list of settings, such as [\"source\", \"ui.language\"]");
    let Some(Value::Array(items)) = keys else {
        return Err(not_a_list());
    };
    let mut locked = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::String(key) = item else {
            return Err(not_a_list());
        };
        let field = format!("locked.keys[{i}]");
        if let Some(list) =
            TABLE_LISTS.iter().chain(&["agent.pause_reasons"]).find(|l| key.len() > l.len() && under(&key, l))
        {
            return Err(doc
                .invalid(&field, format!("{key:?} is inside the list {list}, which is locked whole: write {list:?}")));
        }
        if !is_known(&key) {
            return Err(doc.invalid(
                &field,
                format!(
                    "{key:?} is not a setting or a table Ringside knows; write it as in the file, such as \
                     \"source\", \"source.port\" or \"lookup.crm\""
                ),
            ));
        }
        locked.push(key);
    }
    Ok(locked)
}

/// A setting of [`SETTINGS`] or a table above one.
fn is_known(key: &str) -> bool {
    SETTINGS.iter().any(|setting| under(setting, key) && !key.is_empty() && !key.contains('['))
}

/// The layers in memory: `None` text is a missing file. Saving validates its result with this.
pub(crate) fn layered_from_texts(
    user_path: &Path,
    user_text: Option<&str>,
    system: Option<(&Path, &str)>,
) -> Result<Layered, ConfigError> {
    let (user, user_locks) = Layer::read(user_path, user_text.unwrap_or(""), false)?;
    debug_assert!(user_locks.is_empty());
    let (system, locked) = match system {
        Some((path, text)) => {
            let (layer, locked) = Layer::read(path, text, true)?;
            (Some(layer), locked)
        }
        None => (None, Vec::new()),
    };

    let mut merged = system.as_ref().map(|s| s.table.clone()).unwrap_or_default();
    let mut overridden = Vec::new();
    merge_user(&mut merged, &user.table, "", &locked, &mut overridden);

    let config = match &system {
        // One file: validated on its own text, exactly as `Config::load` does.
        None => Config::from_toml_str(user.text, user_path)?,
        Some(system) => {
            let mut checked = merged.clone();
            anchor_system_paths(&mut checked, &user.table, system, &locked);
            let text = toml::to_string(&checked).map_err(|e| ConfigError::Invalid {
                path: user_path.to_path_buf(),
                field: "(file)".to_string(),
                location: None,
                message: format!("the merged settings cannot be written as TOML: {e}"),
            })?;
            Config::from_toml_str(&text, user_path).map_err(|e| blame(e, &user, system, &locked))?
        }
    };

    let mut values = defaults_document();
    deep_merge(&mut values, &merged);
    if let Some(Value::Table(lookup)) = values.get_mut("lookup") {
        lookup.insert("order".into(), Value::Array(config.lookup.order.iter().cloned().map(Value::String).collect()));
    }
    let system_values = system.as_ref().map(|s| s.table.clone()).unwrap_or_default();
    Ok(Layered {
        config,
        user_path: user_path.to_path_buf(),
        system_path: system.as_ref().map(|s| s.path.to_path_buf()),
        locked,
        overridden,
        values: to_json(values),
        system_values: to_json(system_values),
    })
}

fn to_json(table: Table) -> serde_json::Value {
    serde_json::to_value(table).unwrap_or_else(|_| serde_json::Value::Object(serde_json::Map::new()))
}

/// `path` under `prefix`, as the document names settings.
fn join(prefix: &str, key: &str) -> String {
    let key = crate::quote_key(key);
    if prefix.is_empty() {
        key
    } else {
        format!("{prefix}.{key}")
    }
}

/// The user's table over `base`: tables key by key, anything else (lists too) replaced whole;
/// a locked key keeps `base`'s value (or its absence) and is recorded in `overridden`.
fn merge_user(base: &mut Table, user: &Table, prefix: &str, locks: &[String], overridden: &mut Vec<String>) {
    for (key, value) in user {
        let path = join(prefix, key);
        if locked_by(locks, &path) {
            leaves(value, &path, overridden);
            continue;
        }
        match value {
            // Into the table key by key, even where the system file has none: a lock may sit
            // below.
            Value::Table(above) => {
                if !matches!(base.get(key), Some(Value::Table(_))) {
                    base.insert(key.clone(), Value::Table(Table::new()));
                }
                if let Some(Value::Table(below)) = base.get_mut(key) {
                    merge_user(below, above, &path, locks, overridden);
                }
            }
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

/// The settings `value` writes at `path`: the keys under a table, a list as one.
fn leaves(value: &Value, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Table(table) if !table.is_empty() => {
            for (key, value) in table {
                leaves(value, &join(path, key), out);
            }
        }
        _ => out.push(path.to_string()),
    }
}

/// `above` over `base`, tables key by key, lists replaced whole.
fn deep_merge(base: &mut Table, above: &Table) {
    for (key, value) in above {
        match (base.get_mut(key), value) {
            (Some(Value::Table(below)), Value::Table(above)) => deep_merge(below, above),
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

/// A relative path the system file wrote (and the user's did not override) is relative to the
/// system file's folder, not the user's: made absolute before the merged settings are checked.
fn anchor_system_paths(checked: &mut Table, user: &Table, system: &Layer<'_>, locks: &[String]) {
    let Some(dir) = system.path.parent() else { return };
    for (section, key) in RELATIVE_PATHS {
        let user_wins =
            user.get(*section).and_then(|s| s.get(*key)).is_some() && !locked_by(locks, &format!("{section}.{key}"));
        if user_wins {
            continue;
        }
        let Some(Value::Table(table)) = checked.get_mut(*section) else { continue };
        if let Some(Value::String(value)) = table.get_mut(*key) {
            let path = Path::new(value.as_str());
            if !value.is_empty() && path.is_relative() {
                *value = dir.join(path).to_string_lossy().into_owned();
            }
        }
    }
}

/// An error found in the merged settings, put back on the file that wrote the setting (the
/// user's when it sets it and no lock ignored it, else the system file's) at its place there.
fn blame(error: ConfigError, user: &Layer<'_>, system: &Layer<'_>, locks: &[String]) -> ConfigError {
    let Some(field) = error.field().map(str::to_string) else {
        return error;
    };
    let (Ok(user_doc), Ok(system_doc)) = (user.document(), system.document()) else {
        return error;
    };
    let writes = |doc: &Document<'_>, path: &str| doc.entries.iter().any(|e| e.path == path);
    // The closest written setting at or above the field decides.
    let mut path = field.as_str();
    let mut from_user = true;
    loop {
        if writes(&user_doc, path) && !locked_by(locks, path) {
            break;
        }
        if writes(&system_doc, path) {
            from_user = false;
            break;
        }
        match path.rfind(['.', '[']) {
            Some(end) => path = &path[..end],
            None => break,
        }
    }
    let doc = if from_user { &user_doc } else { &system_doc };
    let file = doc.origin.to_path_buf();
    let location = doc.location_of(&field);
    match error {
        ConfigError::Secret { key, .. } => ConfigError::Secret { path: file, key, location },
        ConfigError::SecretInAddress { field, found, instead, .. } => {
            ConfigError::SecretInAddress { path: file, field, location, found, instead }
        }
        ConfigError::UnknownKey { key, expected, .. } => {
            ConfigError::UnknownKey { path: file, key, location, expected }
        }
        ConfigError::Invalid { field, message, .. } => ConfigError::Invalid { path: file, field, location, message },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_path_follows_the_variable_else_the_os() {
        assert_eq!(
            system_path_from(Some("/srv/ringside.toml".into()), None),
            Some(PathBuf::from("/srv/ringside.toml"))
        );
        // An empty value is ignored rather than meaning "the current directory".
        assert_eq!(system_path_from(Some("".into()), None), os_system_path(None));
        #[cfg(all(unix, not(target_os = "macos")))]
        assert_eq!(system_path_from(None, None), Some(PathBuf::from("/etc/ringside/config.toml")));
        #[cfg(windows)]
        {
            assert_eq!(system_path_from(None, None), Some(PathBuf::from(r"C:\ProgramData\Ringside\config.toml")));
            assert_eq!(
                system_path_from(None, Some(r"D:\Data".into())),
                Some(PathBuf::from(r"D:\Data\Ringside\config.toml"))
            );
        }
        #[cfg(target_os = "macos")]
        assert_eq!(
            system_path_from(None, None),
            Some(PathBuf::from("/Library/Application Support/Ringside/config.toml"))
        );
    }

    #[test]
    fn locks_cover_what_is_under_them() {
        let locks = vec!["lookup.crm".to_string(), "ui.language".to_string()];
        assert!(locked_by(&locks, "lookup.crm"));
        assert!(locked_by(&locks, "lookup.crm[1].url"));
        assert!(locked_by(&locks, "ui.language"));
        assert!(!locked_by(&locks, "ui.language_x"));
        assert!(!locked_by(&locks, "lookup"));
        assert!(!locked_by(&locks, "lookup.order"));
        assert!(locked_by(&["lookup".to_string()], "lookup.crm[1].url"));
    }

    /// The settings the file accepts, as its "unknown setting" message lists them.
    fn accepted(text: &str) -> Vec<String> {
        let Err(ConfigError::UnknownKey { expected, .. }) = Config::from_toml_str(text, Path::new("t.toml")) else {
            panic!("{text} was accepted");
        };
        expected.split('`').skip(1).step_by(2).map(str::to_string).collect()
    }

    #[test]
    fn the_lockable_settings_are_the_settings_of_the_file() {
        let mut sections: Vec<&str> = SETTINGS.iter().filter_map(|s| s.split_once('.')).map(|(t, _)| t).collect();
        sections.dedup();
        let mut every = accepted("zz_unknown = 1\n");
        every.sort();
        let mut listed: Vec<String> = sections.iter().map(|s| s.to_string()).collect();
        listed.sort();
        assert_eq!(listed, every);
        for section in sections {
            let mut every = accepted(&format!("[{section}]\nzz_unknown = 1\n"));
            every.sort();
            let mut listed: Vec<String> = SETTINGS
                .iter()
                .filter_map(|s| s.strip_prefix(section)?.strip_prefix('.'))
                .map(str::to_string)
                .collect();
            listed.sort();
            assert_eq!(listed, every, "[{section}]");
        }
    }

    #[test]
    fn known_settings_and_tables() {
        for key in ["source", "source.port", "lookup", "lookup.crm", "ui.start_at_login", "agent.pause_reasons"] {
            assert!(is_known(key), "{key}");
        }
        for key in ["", "sourc", "source.prot", "lookup.crm[0]", "ui.", "locked"] {
            assert!(!is_known(key), "{key}");
        }
    }
}
