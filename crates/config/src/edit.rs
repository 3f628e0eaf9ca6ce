//! Saving from the settings window: a list of changes applied to the user's file with
//! `toml_edit`, so the admin's comments, blank lines and the order of the file survive; the
//! result validated over the system file exactly as it will be loaded, and only then written,
//! atomically (a temporary file beside it, synced, renamed over it).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value};

use crate::layers::{layered_from_texts, locked_by, under, Layered, TABLE_LISTS};
use crate::{read_text, ConfigError};

/// One change the settings window asks for.
///
/// `key` names the setting as the file does: `source.port`, `lookup.crm[0].fields.name`, an
/// item of a list of tables `lookup.crm[1]` (a JSON object replaces it, `None` removes it), or
/// `lookup.crm[]` to append one. `value: None` removes the setting, so the system file's value
/// or the default applies again.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct SettingChange {
    pub key: String,
    #[ts(type = "unknown | null")]
    pub value: Option<Json>,
}

/// Why a change cannot be applied to the text of the file.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{key:?} is not a setting's name: {reason}")]
    BadKey { key: String, reason: String },
    #[error("{key}: there is no item {index}; the list has {len}")]
    IndexOutOfRange { key: String, index: usize, len: usize },
    #[error("{key}: a value is null; leave the setting out (no value) to remove it")]
    Null { key: String },
    #[error("{key}: {reason}")]
    WrongShape { key: String, reason: String },
    #[error("the file is not valid TOML, so it cannot be changed without losing what is in it: {message}")]
    NotToml { message: String },
}

impl EditError {
    /// The stable code the window words this by.
    pub fn code(&self) -> &'static str {
        "settings.bad_change"
    }

    /// The change's key, when the error is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            EditError::BadKey { key, .. }
            | EditError::IndexOutOfRange { key, .. }
            | EditError::Null { key }
            | EditError::WrongShape { key, .. } => Some(key),
            EditError::NotToml { .. } => None,
        }
    }
}

impl ringside_core::ErrorCode for EditError {
    fn code(&self) -> &'static str {
        EditError::code(self)
    }

    fn args(&self) -> ringside_core::ErrorArgs {
        let mut args = ringside_core::ErrorArgs::new();
        if let Some(key) = self.key() {
            args.insert("key", key.to_string());
        }
        args.insert("reason", self.to_string());
        args
    }
}

/// Why the settings were not saved. In every case the file on disk is as it was.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(
        "{}: {key} is locked by the system-wide config, so it cannot be changed here; the file was left as it was",
        system_path.display()
    )]
    Locked { key: String, system_path: PathBuf },
    #[error("{}: {source}; the file was left as it was", path.display())]
    Edit {
        path: PathBuf,
        #[source]
        source: EditError,
    },
    /// The settings would not load (the message names the file and the setting), or a file
    /// could not be read; nothing was written.
    #[error("{0}; the file was left as it was")]
    Invalid(#[source] ConfigError),
    #[error("{}: cannot save the settings: {source}; the file was left as it was", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl SaveError {
    /// The stable code the window words this by.
    pub fn code(&self) -> &'static str {
        match self {
            SaveError::Locked { .. } => "settings.locked",
            SaveError::Edit { .. } => "settings.bad_change",
            SaveError::Invalid(_) => "settings.invalid",
            SaveError::Write { .. } => "settings.write_failed",
        }
    }
}

impl ringside_core::ErrorCode for SaveError {
    fn code(&self) -> &'static str {
        SaveError::code(self)
    }

    fn args(&self) -> ringside_core::ErrorArgs {
        use ringside_core::error_code::args;
        match self {
            SaveError::Locked { key, system_path } => {
                args([("key", key.clone()), ("file", system_path.display().to_string())])
            }
            SaveError::Edit { path, source } => {
                let mut args = ringside_core::ErrorCode::args(source);
                args.insert("file", path.display().to_string());
                args
            }
            SaveError::Invalid(error) => {
                let mut args = args([("file", error.path().display().to_string()), ("reason", error.to_string())]);
                if let Some(field) = error.field() {
                    args.insert("field", field.to_string());
                }
                args
            }
            SaveError::Write { path, source } => {
                args([("file", path.display().to_string()), ("reason", source.to_string())])
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The key grammar.

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
    Append,
}

fn parse_key(key: &str) -> Result<Vec<Seg>, EditError> {
    let bad = |reason: &str| EditError::BadKey { key: key.to_string(), reason: reason.to_string() };
    let bare = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut segs = Vec::new();
    let mut rest = key;
    loop {
        let end = rest.find(|c: char| !bare(c)).unwrap_or(rest.len());
        if end == 0 {
            return Err(bad("expected a name (letters, digits, '_' and '-') such as source.port"));
        }
        segs.push(Seg::Key(rest[..end].to_string()));
        rest = &rest[end..];
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']').ok_or_else(|| bad("a '[' is not closed"))?;
            let index = &inner[..close];
            rest = &inner[close + 1..];
            if index.is_empty() {
                if !rest.is_empty() {
                    return Err(bad("[] (append) ends the key, as in lookup.crm[]"));
                }
                segs.push(Seg::Append);
            } else {
                let index =
                    index.parse::<usize>().map_err(|_| bad("an item is numbered from 0, as in lookup.crm[1]"))?;
                segs.push(Seg::Index(index));
            }
        }
        match rest.strip_prefix('.') {
            Some(after) => rest = after,
            None if rest.is_empty() => return Ok(segs),
            None => return Err(bad("expected '.' or '[' between names")),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Applying changes.

/// `text` with `changes` applied in order, comments, blank lines and order kept. Pure: no IO,
/// no validation of the settings (saving does that).
pub fn apply_changes(text: &str, changes: &[SettingChange]) -> Result<String, EditError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| EditError::NotToml { message: crate::one_line(&e.to_string()) })?;
    for change in changes {
        let segs = parse_key(&change.key)?;
        if let Some(value) = &change.value {
            if has_null(value) {
                return Err(EditError::Null { key: change.key.clone() });
            }
        }
        let mut cx = Cx { key: &change.key, doc_end: max_position(doc.as_table()) };
        apply_in(Node::Std(doc.as_table_mut()), &segs, change.value.as_ref(), "", &mut cx)?;
    }
    Ok(doc.to_string())
}

fn has_null(value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::Array(items) => items.iter().any(has_null),
        Json::Object(map) => map.values().any(has_null),
        _ => false,
    }
}

/// What one change needs while it walks the document.
struct Cx<'k> {
    /// The change's key, for errors.
    key: &'k str,
    /// The last position of a table in the document: a new top-level table goes after it.
    doc_end: isize,
}

impl Cx<'_> {
    fn shape(&self, reason: impl Into<String>) -> EditError {
        EditError::WrongShape { key: self.key.to_string(), reason: reason.into() }
    }

    /// The position for a new standard table under `parent` (`None`: the document's root):
    /// right after the parent's last table, so a table inside an item of `[[lookup.crm]]`
    /// stays with that item; at the end of the document for a new section.
    fn position_under(&mut self, parent: Option<&Table>) -> isize {
        match parent.map(max_position) {
            Some(last) if last > 0 => last,
            _ => {
                self.doc_end += 1;
                self.doc_end
            }
        }
    }
}

/// The highest position of `table` and the tables under it (0 when none has one).
fn max_position(table: &Table) -> isize {
    let mut max = table.position().unwrap_or(0);
    for (_, item) in table.iter() {
        match item {
            Item::Table(t) => max = max.max(max_position(t)),
            Item::ArrayOfTables(a) => {
                for t in a.iter() {
                    max = max.max(max_position(t));
                }
            }
            _ => {}
        }
    }
    max
}

/// A table being walked: a standard one (`[section]`, an item of `[[list]]`, the root) or an
/// inline one (`{ … }`), where everything new is written inline too.
enum Node<'a> {
    Std(&'a mut Table),
    Inline(&'a mut InlineTable),
}

impl Node<'_> {
    fn get_mut(&mut self, key: &str) -> Option<&mut Item> {
        match self {
            Node::Std(t) => t.get_mut(key),
            Node::Inline(t) => TableLike::get_mut(&mut **t, key),
        }
    }

    fn remove(&mut self, key: &str) {
        match self {
            Node::Std(t) => {
                t.remove(key);
            }
            Node::Inline(t) => {
                t.remove(key);
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Applies one change at `segs` under `node`; `path` is the dotted path of `node` without item
/// numbers (`lookup.crm`), to know which lists hold tables.
fn apply_in(
    mut node: Node<'_>,
    segs: &[Seg],
    value: Option<&Json>,
    path: &str,
    cx: &mut Cx<'_>,
) -> Result<(), EditError> {
    let Some((Seg::Key(key), rest)) = segs.split_first() else {
        return Err(EditError::BadKey { key: cx.key.to_string(), reason: "expected a name first".to_string() });
    };
    let here = join(path, key);
    match rest {
        [] => match value {
            None => {
                node.remove(key);
                Ok(())
            }
            Some(value) => set_value(node, key, value, &here, cx),
        },
        [Seg::Append] => {
            let value = value.ok_or_else(|| cx.shape("nothing to append: give the new item"))?;
            append(node, key, value, &here, cx)
        }
        [Seg::Index(index)] => whole_item(node, key, *index, value, &here, cx),
        [Seg::Index(index), deeper @ ..] => {
            let index = *index;
            match node.get_mut(key) {
                Some(Item::ArrayOfTables(items)) => {
                    let len = items.len();
                    let item = items.get_mut(index).ok_or_else(|| out_of_range(cx, index, len))?;
                    apply_in(Node::Std(item), deeper, value, &here, cx)
                }
                Some(Item::Value(Value::Array(items))) => {
                    let len = items.len();
                    match items.get_mut(index) {
                        Some(Value::InlineTable(item)) => apply_in(Node::Inline(item), deeper, value, &here, cx),
                        Some(_) => Err(cx.shape(format!("item {index} of {here} is a value, not a table"))),
                        None => Err(out_of_range(cx, index, len)),
                    }
                }
                None | Some(Item::None) => Err(out_of_range(cx, index, 0)),
                Some(_) => Err(cx.shape(format!("{here} is not a list"))),
            }
        }
        [Seg::Key(_), ..] => {
            // Into a table, created when missing (unless the change removes something).
            if node.get_mut(key).is_none_or(|item| item.is_none()) {
                if value.is_none() {
                    return Ok(());
                }
                let new = match &node {
                    Node::Std(parent) => {
                        let mut table = Table::new();
                        let position = cx.position_under((!path.is_empty()).then_some(&**parent));
                        table.set_position(position);
                        Item::Table(table)
                    }
                    Node::Inline(_) => Item::Value(Value::InlineTable(InlineTable::new())),
                };
                match &mut node {
                    Node::Std(t) => {
                        t.insert(key, new);
                    }
                    Node::Inline(t) => {
                        if let Item::Value(v) = new {
                            t.insert(key.as_str(), v);
                        }
                    }
                }
            }
            let removing = value.is_none();
            match node.get_mut(key) {
                Some(Item::Table(table)) => apply_in(Node::Std(table), rest, value, &here, cx)?,
                Some(Item::Value(Value::InlineTable(table))) => apply_in(Node::Inline(table), rest, value, &here, cx)?,
                _ => return Err(cx.shape(format!("{here} is a value, not a table"))),
            }
            // A table the change emptied goes too, unless someone wrote a comment on it.
            if removing {
                if let Some(Item::Table(table)) = node.get_mut(key) {
                    if table.is_empty() && !has_comment(table.decor()) {
                        node.remove(key);
                    }
                }
            }
            Ok(())
        }
        [Seg::Append, ..] => Err(EditError::BadKey {
            key: cx.key.to_string(),
            reason: "[] (append) ends the key, as in lookup.crm[]".to_string(),
        }),
    }
}

fn out_of_range(cx: &Cx<'_>, index: usize, len: usize) -> EditError {
    EditError::IndexOutOfRange { key: cx.key.to_string(), index, len }
}

fn has_comment(decor: &toml_edit::Decor) -> bool {
    let text = |raw: Option<&toml_edit::RawString>| raw.and_then(|r| r.as_str()).is_some_and(|s| s.contains('#'));
    text(decor.prefix()) || text(decor.suffix())
}

/// `key = value` in `node`: an existing value keeps its decor (the comment after it, the
/// comments above its key); an object at a table's place is a table, merged key by key.
fn set_value(mut node: Node<'_>, key: &str, value: &Json, here: &str, cx: &mut Cx<'_>) -> Result<(), EditError> {
    let inline = matches!(node, Node::Inline(_));
    match (node.get_mut(key), value) {
        (Some(Item::Table(table)), Json::Object(object)) => return replace_table(table, object, here, cx),
        (Some(Item::ArrayOfTables(items)), Json::Array(new)) => {
            let position = items.iter().next().and_then(Table::position);
            *items = tables_of(new, here, position, cx)?;
            return Ok(());
        }
        (Some(Item::Value(old)), _) if !(value.is_object() && !inline && !old.is_inline_table()) => {
            let decor = old.decor().clone();
            *old = to_value(value, cx)?;
            *old.decor_mut() = decor;
            return Ok(());
        }
        _ => {}
    }
    // New here, or of another shape than before.
    let item = match (value, &node) {
        (Json::Object(object), Node::Std(parent)) => {
            // A new section goes at the end; a table inside one right after it.
            let position = cx.position_under(here.contains('.').then_some(&**parent));
            let mut table = Table::new();
            table.set_position(position);
            replace_table(&mut table, object, here, cx)?;
            Item::Table(table)
        }
        (Json::Array(items), Node::Std(_)) if TABLE_LISTS.contains(&here) => {
            Item::ArrayOfTables(tables_of(items, here, None, cx)?)
        }
        _ => Item::Value(to_value(value, cx)?),
    };
    match node {
        Node::Std(t) => {
            match t.get_mut(key) {
                Some(slot) => *slot = item,
                None => {
                    t.insert(key, item);
                }
            }
            Ok(())
        }
        Node::Inline(t) => {
            if let Item::Value(v) = item {
                t.insert(key, v);
            }
            Ok(())
        }
    }
}

/// `table` made to hold exactly `object`: keys it no longer has removed, the others set in
/// place (keeping their comments), new ones added at its end.
fn replace_table(
    table: &mut Table,
    object: &serde_json::Map<String, Json>,
    here: &str,
    cx: &mut Cx<'_>,
) -> Result<(), EditError> {
    let gone: Vec<String> = table.iter().map(|(k, _)| k.to_string()).filter(|k| !object.contains_key(k)).collect();
    for key in gone {
        table.remove(&key);
    }
    // A JSON object comes sorted; an item reads best with what it is first, as the docs write it.
    let rank = |key: &str| match key {
        "name" => 0,
        "kind" => 1,
        _ => 2,
    };
    let mut entries: Vec<_> = object.iter().collect();
    entries.sort_by_key(|(key, _)| rank(key));
    for (key, value) in entries {
        set_value(Node::Std(table), key, value, &join(here, key), cx)?;
    }
    Ok(())
}

/// `[[here]]` items from a JSON list of objects, placed at `position` (else the end).
fn tables_of(items: &[Json], here: &str, position: Option<isize>, cx: &mut Cx<'_>) -> Result<ArrayOfTables, EditError> {
    let position = match position {
        Some(p) => p,
        None => cx.position_under(None),
    };
    let mut tables = ArrayOfTables::new();
    for item in items {
        let Json::Object(object) = item else {
            return Err(cx.shape(format!("every item of {here} is a table of settings")));
        };
        let mut table = Table::new();
        table.set_position(position);
        replace_table(&mut table, object, here, cx)?;
        tables.push(table);
    }
    Ok(tables)
}

/// `key[]`: a new item at the end of a list; a new `[[key]]` when it is a list of tables.
fn append(mut node: Node<'_>, key: &str, value: &Json, here: &str, cx: &mut Cx<'_>) -> Result<(), EditError> {
    match node.get_mut(key) {
        Some(Item::ArrayOfTables(items)) => {
            let Json::Object(object) = value else {
                return Err(cx.shape(format!("an item of {here} is a table of settings (a JSON object)")));
            };
            let position = match items.iter().last() {
                Some(last) => max_position(last),
                None => cx.position_under(None),
            };
            let mut table = Table::new();
            table.set_position(position);
            replace_table(&mut table, object, here, cx)?;
            items.push(table);
            Ok(())
        }
        Some(Item::Value(Value::Array(items))) => {
            items.push_formatted(to_value(value, cx)?);
            items.fmt();
            Ok(())
        }
        None | Some(Item::None) => set_value(node, key, &Json::Array(vec![value.clone()]), here, cx),
        Some(_) => Err(cx.shape(format!("{here} is not a list"))),
    }
}

/// `key[index]` as a whole: replaced by `value`, or removed.
fn whole_item(
    mut node: Node<'_>,
    key: &str,
    index: usize,
    value: Option<&Json>,
    here: &str,
    cx: &mut Cx<'_>,
) -> Result<(), EditError> {
    match node.get_mut(key) {
        Some(Item::ArrayOfTables(items)) => {
            let len = items.len();
            if index >= len {
                return Err(out_of_range(cx, index, len));
            }
            match value {
                None => {
                    items.remove(index);
                    if items.is_empty() {
                        node.remove(key);
                    }
                    Ok(())
                }
                Some(Json::Object(object)) => {
                    let table = items.get_mut(index).ok_or_else(|| out_of_range(cx, index, len))?;
                    replace_table(table, object, here, cx)
                }
                Some(_) => Err(cx.shape(format!("an item of {here} is a table of settings (a JSON object)"))),
            }
        }
        Some(Item::Value(Value::Array(items))) => {
            let len = items.len();
            if index >= len {
                return Err(out_of_range(cx, index, len));
            }
            match value {
                None => {
                    items.remove(index);
                    items.fmt();
                }
                Some(value) => {
                    let new = to_value(value, cx)?;
                    if let Some(old) = items.get_mut(index) {
                        let decor = old.decor().clone();
                        *old = new;
                        *old.decor_mut() = decor;
                    }
                }
            }
            Ok(())
        }
        None | Some(Item::None) => Err(out_of_range(cx, index, 0)),
        Some(_) => Err(cx.shape(format!("{here} is not a list"))),
    }
}

/// A JSON value as a TOML value: objects become inline tables here.
fn to_value(value: &Json, cx: &Cx<'_>) -> Result<Value, EditError> {
    Ok(match value {
        Json::Null => return Err(EditError::Null { key: cx.key.to_string() }),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::from(i),
            (None, _) if n.is_u64() => return Err(cx.shape(format!("{n} is too large for a setting"))),
            (None, Some(f)) => Value::from(f),
            (None, None) => return Err(cx.shape(format!("{n} is not a number a setting can hold"))),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => {
            let mut array = Array::new();
            for item in items {
                array.push(to_value(item, cx)?);
            }
            array.fmt();
            Value::Array(array)
        }
        Json::Object(map) => {
            let mut table = InlineTable::new();
            for (key, item) in map {
                table.insert(key.as_str(), to_value(item, cx)?);
            }
            table.fmt();
            Value::InlineTable(table)
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Saving.

/// Applies `changes` to the user's file over the system file (`None`: none), and writes it
/// only if the result loads: a change to a locked setting is refused before anything else, an
/// invalid result is refused with the setting named, and the write is atomic, so on any error
/// the file on disk is as it was. A missing file is created (with its folder), readable by the
/// user only on Unix. Returns the settings now in effect.
pub fn save_settings(user: &Path, system: Option<&Path>, changes: &[SettingChange]) -> Result<Layered, SaveError> {
    let system_text = match system {
        Some(path) => read_text(path).map_err(SaveError::Invalid)?.map(|text| (path, text)),
        None => None,
    };
    let system_layer = system_text.as_ref().map(|(p, t)| (*p, t.as_str()));
    // The locks, from the system file as it is now.
    let current_system = layered_from_texts(user, None, system_layer).map_err(SaveError::Invalid)?;
    for change in changes {
        let key = change.key.strip_suffix("[]").unwrap_or(&change.key);
        // A change locks-checks its own key and everything it would replace beneath it.
        let touches_lock =
            locked_by(&current_system.locked, key) || current_system.locked.iter().any(|l| under(l, key));
        if touches_lock {
            return Err(SaveError::Locked {
                key: change.key.clone(),
                system_path: system.map(Path::to_path_buf).unwrap_or_default(),
            });
        }
    }

    let target = write_target(user);
    let old = read_text(&target).map_err(SaveError::Invalid)?;
    let new = apply_changes(old.as_deref().unwrap_or(""), changes)
        .map_err(|source| SaveError::Edit { path: user.to_path_buf(), source })?;
    let layered = layered_from_texts(user, Some(&new), system_layer).map_err(SaveError::Invalid)?;
    write_atomically(&target, new.as_bytes())
        .map_err(|source| SaveError::Write { path: user.to_path_buf(), source })?;
    Ok(layered)
}

/// The file to replace: a symbolic link's target, so a dotfiles manager's link stays a link.
fn write_target(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, gives it `path`'s permissions
/// (a new file: the user's only, on Unix) and renames it over `path`, then syncs the folder, so
/// a crash or a full disk leaves either the old file or the new one, never half of one.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "config.toml".into());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&temp)?;
        if let Ok(meta) = std::fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        // Best effort: the error that matters is the one returned.
        let _ = std::fs::remove_file(&temp);
        return result;
    }
    #[cfg(unix)]
    std::fs::File::open(&dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_by_the_grammar() {
        use Seg::*;
        let k = |s: &str| Key(s.to_string());
        assert_eq!(parse_key("source.port").unwrap(), vec![k("source"), k("port")]);
        assert_eq!(
            parse_key("lookup.crm[1].fields.name").unwrap(),
            vec![k("lookup"), k("crm"), Index(1), k("fields"), k("name")]
        );
        assert_eq!(parse_key("lookup.crm[]").unwrap(), vec![k("lookup"), k("crm"), Append]);
        assert_eq!(parse_key("dial.connection[0].headers.X-Api-Key").unwrap()[4], k("X-Api-Key"));
        for bad in ["", ".a", "a.", "a..b", "a[", "a[x]", "a[-1]", "a[].b", "[0]", "a b", "a.\"b\""] {
            assert!(matches!(parse_key(bad), Err(EditError::BadKey { .. })), "{bad:?}");
        }
    }
}
