//! The four catalogues agree: every message exists in every language with the same
//! placeables; every plural selector (on `$n`) has the categories CLDR gives the language; no
//! markup; every id the Rust code asks for exists. Also writes the windows' `MessageId` type
//! (ui/src/bindings/MessageId.ts), so `npm run check` refuses an id the catalogues lack.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement, VariantKey};
use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use ringside_i18n::{source, Language};

/// What a message uses: its variables, and the variant keys of each selector on `$n`.
#[derive(Debug, Default)]
struct Uses {
    variables: BTreeSet<String>,
    plural_selectors: Vec<BTreeSet<String>>,
    text: String,
}

fn walk_pattern(pattern: &Pattern<&str>, uses: &mut Uses) {
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => uses.text.push_str(value),
            PatternElement::Placeable { expression } => walk_expression(expression, uses),
        }
    }
}

fn walk_expression(expression: &Expression<&str>, uses: &mut Uses) {
    match expression {
        Expression::Inline(inline) => walk_inline(inline, uses),
        Expression::Select { selector, variants } => {
            walk_inline(selector, uses);
            if matches!(selector, InlineExpression::VariableReference { id } if id.name == "n") {
                let keys = variants
                    .iter()
                    .filter_map(|v| match &v.key {
                        VariantKey::Identifier { name } => Some(name.to_string()),
                        VariantKey::NumberLiteral { .. } => None,
                    })
                    .collect();
                uses.plural_selectors.push(keys);
            }
            for variant in variants {
                walk_pattern(&variant.value, uses);
            }
        }
    }
}

fn walk_inline(inline: &InlineExpression<&str>, uses: &mut Uses) {
    match inline {
        InlineExpression::VariableReference { id } => {
            uses.variables.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => walk_expression(expression, uses),
        InlineExpression::FunctionReference { arguments, .. } => {
            for a in &arguments.positional {
                walk_inline(a, uses);
            }
            for a in &arguments.named {
                walk_inline(&a.value, uses);
            }
        }
        _ => {}
    }
}

fn catalogue(language: Language) -> BTreeMap<String, Uses> {
    let resource = match fluent_syntax::parser::parse(source(language)) {
        Ok(resource) => resource,
        Err((_, errors)) => panic!("locales/{language}/ringside.ftl does not parse: {errors:?}"),
    };
    let mut messages = BTreeMap::new();
    for entry in &resource.body {
        match entry {
            Entry::Message(message) => {
                let id = message.id.name.to_string();
                let value =
                    message.value.as_ref().unwrap_or_else(|| panic!("{language}: {id} has no value, only attributes"));
                let mut uses = Uses::default();
                walk_pattern(value, &mut uses);
                assert!(messages.insert(id.clone(), uses).is_none(), "{language}: {id} is defined twice");
            }
            Entry::Term(term) => panic!("{language}: term -{} (Ringside uses messages only)", term.id.name),
            Entry::Junk { content } => panic!("{language}: cannot read {content:?}"),
            _ => {}
        }
    }
    messages
}

/// The cardinal categories CLDR gives `language`, from the rules fluent-bundle selects with.
fn plural_categories(language: Language) -> BTreeSet<String> {
    let id: unic_langid::LanguageIdentifier = language.code().parse().expect("a language id");
    let rules = PluralRules::create(id, PluralRuleType::CARDINAL).expect("CLDR has plural rules for it");
    let numbers = (0..=200).map(|n| n.to_string()).chain(["0.5", "1.5", "2.5", "5.5"].map(String::from));
    numbers
        .map(|n| match rules.select(n.as_str()).expect("a number") {
            PluralCategory::ZERO => "zero",
            PluralCategory::ONE => "one",
            PluralCategory::TWO => "two",
            PluralCategory::FEW => "few",
            PluralCategory::MANY => "many",
            PluralCategory::OTHER => "other",
        })
        .map(String::from)
        .collect()
}

#[test]
fn every_message_exists_in_every_language_with_the_same_placeables() {
    let english = catalogue(Language::En);
    assert!(english.len() > 100, "the English catalogue looks empty");
    for language in Language::ALL {
        let other = catalogue(language);
        let missing: Vec<_> = english.keys().filter(|id| !other.contains_key(*id)).collect();
        let extra: Vec<_> = other.keys().filter(|id| !english.contains_key(*id)).collect();
        assert!(missing.is_empty(), "{language} lacks {missing:?}");
        assert!(extra.is_empty(), "{language} has messages English lacks: {extra:?}");
        for (id, uses) in &other {
            let en = &english[id];
            assert_eq!(uses.variables, en.variables, "{language}: {id} has other placeables than English");
        }
    }
}

#[test]
fn every_plural_selector_has_the_categories_cldr_gives_the_language() {
    for language in Language::ALL {
        let categories = plural_categories(language);
        if language != Language::En {
            assert_eq!(categories, ["few", "many", "one", "other"].map(String::from).into(), "{language}");
        }
        for (id, uses) in catalogue(language) {
            for keys in &uses.plural_selectors {
                let missing: Vec<_> = categories.iter().filter(|c| !keys.contains(*c)).collect();
                let never: Vec<_> = keys.iter().filter(|k| !categories.contains(*k)).collect();
                assert!(missing.is_empty(), "{language}: {id} lacks the plural forms {missing:?}");
                assert!(never.is_empty(), "{language}: {id} has forms {never:?} the language never selects");
            }
        }
    }
}

#[test]
fn messages_hold_no_markup() {
    for language in Language::ALL {
        for (id, uses) in catalogue(language) {
            let tag = uses
                .text
                .match_indices('<')
                .any(|(at, _)| uses.text[at + 1..].chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/'));
            assert!(
                !tag && !uses.text.contains("&lt;") && !uses.text.contains("&amp;"),
                "{language}: {id} holds markup"
            );
        }
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Literals shaped like ids that are something else (event names, tags).
const NOT_MESSAGES: &[&str] = &["dial-request"];

/// The ids Rust code asks for: every string literal shaped like an id (`tray-show-card`) whose
/// first word starts some message (`tray`), wherever it stands (a call, a match arm, a table).
fn ids_asked_for(text: &str, prefixes: &BTreeSet<&str>) -> BTreeSet<String> {
    let literal = regex::Regex::new(r#""([a-z][a-z0-9]*(?:-[a-z0-9]+)+)""#).expect("a regex");
    literal
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .filter(|id| id.split('-').next().is_some_and(|first| prefixes.contains(first)))
        .collect()
}

#[test]
fn every_id_the_shell_and_the_cli_ask_for_exists() {
    let english = catalogue(Language::En);
    let prefixes: BTreeSet<&str> = english.keys().filter_map(|id| id.split('-').next()).collect();
    let mut files = Vec::new();
    rust_sources(&repo().join("src-tauri"), &mut files);
    rust_sources(&repo().join("crates/cli/src"), &mut files);
    let mut asked = 0;
    let mut missing = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("a source file");
        for id in ids_asked_for(&text, &prefixes) {
            asked += 1;
            if !english.contains_key(&id) && !NOT_MESSAGES.contains(&id.as_str()) {
                missing.push(format!("{}: {id}", file.display()));
            }
        }
    }
    assert!(missing.is_empty(), "ids locales/en lacks: {missing:?}");
    assert!(asked > 10, "the scan found only {asked} ids: is it still reading the right calls?");
}

/// The windows' `MessageId`: every id, so `t(id)` with an unknown one fails `npm run check`.
#[test]
fn the_windows_get_the_message_ids() {
    let Some(dir) = std::env::var_os("TS_RS_EXPORT_DIR") else { return };
    let dir = Path::new(&dir);
    let dir = if dir.is_absolute() { dir.to_path_buf() } else { repo().join(dir) };
    let ids: Vec<String> = catalogue(Language::En).into_keys().filter(|id| !id.starts_with("error-")).collect();
    let mut ts = String::from(
        "// Written by crates/i18n/tests/catalogues.rs from locales/en/ringside.ftl. Do not edit.\n\n\
         /** A message the windows may show (error messages are found by code: `errorText`). */\nexport type MessageId =\n",
    );
    for id in &ids {
        ts.push_str(&format!("  | \"{id}\"\n"));
    }
    ts.pop();
    ts.push_str(";\n");
    let path = dir.join("MessageId.ts");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(ts.as_str()) {
        std::fs::write(&path, ts).expect("ui/src/bindings is writable");
    }
}
