//! One definition of a visual separator for every path: what the lookup reads (`normalize`)
//! and what the dialer takes (`dialable`) agree, character class by character class, and
//! refused characters are named by what a person can see.

use ringside_numbers::{dialable, normalize, CharName, DialError, NotANumber, NumberConfig, NumberKind};

/// Spaces and dashes that web pages and documents put into numbers.
const TYPOGRAPHIC: &[char] = &[
    '\u{a0}', '\u{202f}', '\u{2009}', '\u{2007}', '\u{2002}', '\u{3000}', '\u{2010}', '\u{2011}', '\u{2012}',
    '\u{2013}', '\u{2014}', '\u{2015}', '\u{2212}',
];

#[test]
fn typographic_spaces_and_dashes_separate_digits_on_both_paths() {
    let ua = NumberConfig::default();
    for &sep in TYPOGRAPHIC {
        let typed = format!("+380{sep}44{sep}123{sep}45{sep}67");
        let n = normalize(&typed, &ua);
        assert_eq!(n.e164.as_deref(), Some("+380441234567"), "lookup, {sep:?}: {n:?}");
        assert_eq!(dialable(&typed).as_deref(), Ok("+380441234567"), "dial, {sep:?}");
        let national = format!("(044){sep}123{sep}4567");
        assert_eq!(normalize(&national, &ua).e164.as_deref(), Some("+380441234567"), "{sep:?}");
        assert_eq!(dialable(&national).as_deref(), Ok("0441234567"), "{sep:?}");
    }
}

/// Controls, direction marks and zero-width characters: refused on both paths, named by code
/// as invisible (quoting them would show nothing).
#[test]
fn invisible_characters_are_refused_and_named_by_code_on_both_paths() {
    let ua = NumberConfig::default();
    let table: &[(char, &str)] = &[
        ('\u{200b}', "the invisible character U+200B"),
        ('\u{200d}', "the invisible character U+200D"),
        ('\u{2060}', "the invisible character U+2060"),
        ('\u{feff}', "the invisible character U+FEFF"),
        ('\u{ad}', "the invisible character U+00AD"),
        ('\u{0}', "the invisible character U+0000"),
        ('\u{1b}', "the invisible character U+001B"),
        ('\t', "a tab (U+0009)"),
        ('\n', "a line break (U+000A)"),
        ('\u{2028}', "a line break (U+2028)"),
        ('\u{202e}', "the invisible text-direction mark U+202E"),
        ('\u{200e}', "the invisible text-direction mark U+200E"),
        ('\u{2066}', "the invisible text-direction mark U+2066"),
        ('\u{61c}', "the invisible text-direction mark U+061C"),
    ];
    for &(c, name) in table {
        assert_eq!(CharName(c).to_string(), name);
        let typed = format!("044{c}1234567");
        let why = match normalize(&typed, &ua).kind {
            NumberKind::NotANumber(why) => why,
            other => panic!("lookup accepted {typed:?}: {other:?}"),
        };
        let expected = if name.contains("direction") { NotANumber::DirectionMark(c) } else { NotANumber::Forbidden(c) };
        assert_eq!(why, expected, "{c:?}");
        assert!(why.to_string().contains(name), "{why}");
        let refused = dialable(&typed).unwrap_err();
        assert_eq!(refused, DialError::Forbidden(c));
        assert!(refused.to_string().starts_with(name), "{refused}");
    }
}

/// Letters, `;`, `*`/`#` (for lookup) and visible punctuation near the dashes: refused, quoted
/// with their code. Only the dialer keeps `*` and `#`; only the lookup skips `/`.
#[test]
fn visible_characters_are_refused_quoted_with_their_code() {
    let ua = NumberConfig::default();
    let both: &[(char, &str)] = &[
        ('a', "'a' (U+0061)"),
        (';', "';' (U+003B)"),
        ('$', "'$' (U+0024)"),
        ('%', "'%' (U+0025)"),
        ('\u{2016}', "'\u{2016}' (U+2016)"),
        ('\u{2022}', "'\u{2022}' (U+2022)"),
        ('\u{ff0d}', "'\u{ff0d}' (U+FF0D)"),
        ('١', "'١' (U+0661), a digit that is not 0-9"),
    ];
    for &(c, name) in both {
        let typed = format!("044{c}1234567");
        let lookup = match normalize(&typed, &ua).kind {
            NumberKind::NotANumber(why) => why.to_string(),
            other => panic!("lookup accepted {typed:?}: {other:?}"),
        };
        assert!(lookup.contains(name), "{lookup}");
        let dial = dialable(&typed).unwrap_err();
        assert_eq!(dial, DialError::Forbidden(c));
        assert!(dial.to_string().starts_with(name), "{dial}");
    }
    for c in ['*', '#'] {
        let typed = format!("044{c}1234567");
        assert_eq!(normalize(&typed, &ua).kind, NumberKind::NotANumber(NotANumber::Forbidden(c)));
        assert!(dialable(&typed).is_ok());
    }
    // The German area-code slash finds a stored customer, but is never dialed.
    assert_eq!(normalize("030/1234567", &NumberConfig::for_region("DE")).e164.as_deref(), Some("+49301234567"));
    assert_eq!(dialable("030/1234567"), Err(DialError::Forbidden('/')));
    assert_eq!(dialable("1+2"), Err(DialError::Forbidden('+')));
    assert!(DialError::Forbidden('+').to_string().starts_with("a '+' after the first digit cannot be"));
}

#[test]
fn dialable_keeps_only_what_a_phone_dials() {
    assert_eq!(dialable("+380 (44) 123-45-67").as_deref(), Ok("+380441234567"));
    assert_eq!(dialable(" *72# \n").as_deref(), Ok("*72#"));
    assert_eq!(dialable("123 /password:x"), Err(DialError::Forbidden('/')));
    assert_eq!(dialable("tel:123"), Err(DialError::Forbidden('t')));
    assert_eq!(dialable("+"), Err(DialError::Empty));
    assert_eq!(dialable("\u{a0}\u{2011}"), Err(DialError::Empty));
    assert_eq!(dialable(&"1".repeat(10_000)), Err(DialError::TooLong(ringside_numbers::MAX_DIAL_LEN)));
    assert_eq!(
        DialError::Forbidden('/').to_string(),
        "'/' (U+002F) cannot be part of a phone number; only digits, a leading +, * and # can be dialed"
    );
}
