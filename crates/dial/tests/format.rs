//! `format_number`: the number as a connection dials it, and hostile text refused.

use ringside_dial::settings::{DialRule, NumberFormat, Replace};
use ringside_dial::{format_number, DialError};

fn rule(format: NumberFormat) -> DialRule {
    DialRule { format, replace: Vec::new(), prefix: String::new() }
}

#[test]
fn formats_numbers_of_several_countries() {
    use NumberFormat::*;
    let table: &[(&str, &str, NumberFormat, &str)] = &[
        // Ukraine, typed every way people type it.
        ("+380 (44) 123-45-67", "UA", E164, "+380441234567"),
        ("044 123 45 67", "UA", E164, "+380441234567"),
        ("380441234567", "UA", E164, "+380441234567"),
        ("+380441234567", "UA", National, "0441234567"),
        ("044.123.45.67", "UA", National, "0441234567"),
        ("+380441234567", "UA", International, "380441234567"),
        ("+380 (44) 123-45-67", "UA", AsTyped, "+380441234567"),
        ("044 123 45 67", "UA", AsTyped, "0441234567"),
        // Poland: no trunk prefix.
        ("+48 22 123 45 67", "PL", E164, "+48221234567"),
        ("22 123 45 67", "PL", E164, "+48221234567"),
        ("+48 22 123 45 67", "PL", National, "221234567"),
        ("+48 22 123 45 67", "PL", International, "48221234567"),
        // Germany.
        ("030 1234567", "DE", E164, "+49301234567"),
        ("+49 30 1234567", "DE", National, "0301234567"),
        ("+49 30 1234567", "DE", International, "49301234567"),
        // United States.
        ("(201) 555-0123", "US", E164, "+12015550123"),
        ("+1 201 555 0123", "US", National, "2015550123"),
        ("201.555.0123", "US", International, "12015550123"),
        // United Kingdom.
        ("020 7946 0018", "GB", E164, "+442079460018"),
        ("+44 20 7946 0018", "GB", National, "02079460018"),
        ("+44 20 7946 0018", "GB", International, "442079460018"),
        ("+44 (0)20 7946 0018", "GB", AsTyped, "+440207946 0018"),
    ];
    let mut failed = Vec::new();
    for (raw, region, format, want) in table {
        let want = want.replace(' ', "");
        let got = format_number(raw, &rule(*format), region);
        if got.as_deref() != Ok(want.as_str()) {
            failed.push(format!("{raw:?} {region} {format:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn a_foreign_number_is_dialed_in_e164_when_the_rule_says_national() {
    let national = rule(NumberFormat::National);
    // A Polish number from a Ukrainian desk: its Polish national form would reach someone else.
    assert_eq!(format_number("+48 22 123 45 67", &national, "UA").as_deref(), Ok("+48221234567"));
    assert_eq!(format_number("+1 201 555 0123", &national, "GB").as_deref(), Ok("+12015550123"));
}

#[test]
fn what_the_parser_doubts_is_dialed_as_typed() {
    let e164 = rule(NumberFormat::E164);
    // An internal extension, a service code, and numbers the parser does not trust.
    assert_eq!(format_number("101", &e164, "UA").as_deref(), Ok("101"));
    assert_eq!(format_number("*72#", &e164, "UA").as_deref(), Ok("*72#"));
    assert_eq!(format_number("#31#0441234567", &rule(NumberFormat::National), "UA").as_deref(), Ok("#31#0441234567"));
    assert_eq!(format_number("+999 123 456 789", &e164, "UA").as_deref(), Ok("+999123456789"));
    assert_eq!(format_number("12345678", &rule(NumberFormat::International), "UA").as_deref(), Ok("12345678"));
    // An unknown region: numbers with a country code still parse (but none is "national"
    // there, so E.164); the rest are dialed as typed.
    assert_eq!(format_number("+380441234567", &rule(NumberFormat::National), "ZZ").as_deref(), Ok("+380441234567"));
    assert_eq!(format_number("0441234567", &e164, "nonsense").as_deref(), Ok("0441234567"));
}

#[test]
fn replace_then_prefix() {
    let outside_line = DialRule { format: NumberFormat::National, replace: Vec::new(), prefix: "9".into() };
    assert_eq!(format_number("+380 44 123 45 67", &outside_line, "UA").as_deref(), Ok("90441234567"));

    let trunk = DialRule {
        format: NumberFormat::E164,
        replace: vec![
            Replace { from: "+380".into(), to: "0".into() },
            Replace { from: "+38".into(), to: "never".into() },
            Replace { from: "+".into(), to: "00".into() },
        ],
        prefix: String::new(),
    };
    // The first replacement that starts the number wins.
    assert_eq!(format_number("044 123 45 67", &trunk, "UA").as_deref(), Ok("0441234567"));
    assert_eq!(format_number("+48 22 123 45 67", &trunk, "UA").as_deref(), Ok("0048221234567"));
    // Only a leading part is replaced.
    let inner = DialRule {
        format: NumberFormat::International,
        replace: vec![Replace { from: "44".into(), to: "X".into() }],
        prefix: String::new(),
    };
    assert_eq!(format_number("+380441234567", &inner, "UA").as_deref(), Ok("380441234567"));

    let both = DialRule {
        format: NumberFormat::International,
        replace: vec![Replace { from: "380".into(), to: "8".into() }],
        prefix: "*31#".into(),
    };
    assert_eq!(format_number("+380441234567", &both, "UA").as_deref(), Ok("*31#8441234567"));
}

#[test]
fn hostile_text_is_refused_with_the_character_named() {
    let long_digits = "1".repeat(10 * 1024);
    let long_junk = "a".repeat(10 * 1024);
    let table: &[(&str, DialError, &str)] = &[
        (
            "123 /password:x",
            forbidden("123 /password:x", '/'),
            r#""123 /password:x" is not a phone number: it contains '/'"#,
        ),
        (";rm -rf ~", forbidden(";rm -rf ~", ';'), "it contains ';'"),
        ("$(id)", forbidden("$(id)", '$'), "it contains '$'"),
        ("%0a", forbidden("%0a", '%'), "it contains '%'"),
        ("123%0a", forbidden("123%0a", '%'), "it contains '%'"),
        ("tel:123?x=1", forbidden("tel:123?x=1", 't'), "it contains 't'"),
        ("12\n3", forbidden("12\n3", '\n'), r#""12\n3" is not a phone number: it contains a line break (U+000A)"#),
        ("١٢٣", forbidden("١٢٣", '١'), "it contains '١' (U+0661), a digit that is not 0-9"),
        ("\u{202e}0441234567", forbidden("\u{202e}0441234567", '\u{202e}'), "the invisible text-direction mark U+202E"),
        ("044\u{202e}1234567", forbidden("044\u{202e}1234567", '\u{202e}'), r#""044\u{202e}1234567""#),
        ("1+2", forbidden("1+2", '+'), "a '+' that is not at the start"),
        ("", DialError::Empty, "there is no number to dial"),
        ("   ", DialError::Empty, "there is no number to dial"),
        ("+", DialError::Empty, "there is no number to dial"),
        ("(-)", DialError::Empty, "there is no number to dial"),
    ];
    for format in [NumberFormat::E164, NumberFormat::National, NumberFormat::International, NumberFormat::AsTyped] {
        for (raw, want, says) in table {
            let got = format_number(raw, &rule(format), "UA");
            assert_eq!(got.as_ref(), Err(want), "{raw:?} {format:?}");
            let message = got.unwrap_err().to_string();
            assert!(message.contains(says), "{raw:?}: {message:?} should contain {says:?}");
        }
        let got = format_number(&long_digits, &rule(format), "UA").unwrap_err();
        assert!(matches!(got, DialError::TooLong { .. }), "{got:?}");
        assert!(got.to_string().len() < 200, "a 10 KB input is shortened in the message: {got}");
        let got = format_number(&long_junk, &rule(format), "UA").unwrap_err();
        assert!(matches!(got, DialError::Forbidden { ch: 'a', .. }), "{got:?}");
        assert!(got.to_string().len() < 200, "{got}");
    }
}

#[test]
fn a_rule_built_in_code_cannot_smuggle_text_in() {
    // The configuration file refuses these; a rule built in code is checked on the way out.
    let bad_prefix = DialRule { format: NumberFormat::E164, replace: Vec::new(), prefix: "/password:x ".into() };
    assert!(matches!(format_number("0441234567", &bad_prefix, "UA"), Err(DialError::Forbidden { ch: '/', .. })));
    let bad_replace = DialRule {
        format: NumberFormat::E164,
        replace: vec![Replace { from: "+380".into(), to: "/account:2 0".into() }],
        prefix: String::new(),
    };
    assert!(matches!(format_number("0441234567", &bad_replace, "UA"), Err(DialError::Forbidden { ch: '/', .. })));
}

#[test]
fn the_output_is_only_dial_characters() {
    let inputs = ["+380 (44) 123-45-67", "044 123 45 67", "*72#", "101", "+1 201 555 0123", "+44 20 7946 0018"];
    for format in [NumberFormat::E164, NumberFormat::National, NumberFormat::International, NumberFormat::AsTyped] {
        for raw in inputs {
            let out = format_number(raw, &rule(format), "UA").unwrap();
            assert!(
                !out.is_empty() && out.chars().all(|c| c.is_ascii_digit() || "+*#".contains(c)),
                "{raw:?} → {out:?}"
            );
        }
    }
}

/// Numbers pasted from web pages and documents carry typographic spaces and dashes: they are
/// separators here as they are for the lookup (the card found the customer; the call must go).
#[test]
fn typographic_spaces_and_dashes_are_separators() {
    let separators = [
        '\u{a0}', '\u{202f}', '\u{2009}', '\u{2007}', '\u{3000}', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}',
        '\u{2014}', '\u{2015}', '\u{2212}',
    ];
    for sep in separators {
        let typed = format!("+380{sep}44{sep}123{sep}45{sep}67");
        for format in [NumberFormat::E164, NumberFormat::AsTyped] {
            assert_eq!(
                format_number(&typed, &rule(format), "UA").as_deref(),
                Ok("+380441234567"),
                "{sep:?} {format:?}"
            );
        }
        let national = format!("(044){sep}123{sep}45{sep}67");
        assert_eq!(
            format_number(&national, &rule(NumberFormat::E164), "UA").as_deref(),
            Ok("+380441234567"),
            "{sep:?}"
        );
    }
}

/// Refused characters are named by what the agent can see: invisible ones (controls, direction
/// marks, zero-width characters) by their code, visible ones quoted with their code.
#[test]
fn refused_characters_are_named_by_what_they_look_like() {
    let table: &[(&str, char, &str)] = &[
        ("044\u{200b}1234567", '\u{200b}', "it contains the invisible character U+200B"),
        ("044\u{feff}1234567", '\u{feff}', "it contains the invisible character U+FEFF"),
        ("044\u{2060}1234567", '\u{2060}', "it contains the invisible character U+2060"),
        ("044\u{7}1234567", '\u{7}', "it contains the invisible character U+0007"),
        ("044\u{200e}1234567", '\u{200e}', "it contains the invisible text-direction mark U+200E"),
        ("044\u{2066}1234567", '\u{2066}', "it contains the invisible text-direction mark U+2066"),
        ("044\t1234567", '\t', "it contains a tab (U+0009)"),
        ("044\r\n1234567", '\r', "it contains a line break (U+000D)"),
        ("044/1234567", '/', "it contains '/' (U+002F)"),
        ("044;1234567", ';', "it contains ';' (U+003B)"),
        ("044x1234567", 'x', "it contains 'x' (U+0078)"),
        // Visible characters near the typographic dashes are quoted, not called invisible.
        ("044\u{2016}1234567", '\u{2016}', "it contains '\u{2016}' (U+2016)"),
        ("044\u{2022}1234567", '\u{2022}', "it contains '\u{2022}' (U+2022)"),
    ];
    for (raw, ch, says) in table {
        let got = format_number(raw, &rule(NumberFormat::E164), "UA");
        assert_eq!(got.as_ref(), Err(&forbidden(raw, *ch)), "{raw:?}");
        let message = got.unwrap_err().to_string();
        assert!(message.ends_with(says), "{raw:?}: {message:?} should end with {says:?}");
    }
}

fn forbidden(input: &str, ch: char) -> DialError {
    DialError::Forbidden { input: input.to_owned(), ch }
}

/// The table in docs/dial.md, row by row.
#[test]
fn the_documented_table_holds() {
    use NumberFormat::*;
    let rows: &[(&str, &str, [&str; 4])] = &[
        ("+380 (44) 123-45-67", "UA", ["+380441234567", "0441234567", "380441234567", "90441234567"]),
        ("22 123 45 67", "PL", ["+48221234567", "221234567", "48221234567", "9221234567"]),
        ("030 1234567", "DE", ["+49301234567", "0301234567", "49301234567", "90301234567"]),
        ("(201) 555-0123", "US", ["+12015550123", "2015550123", "12015550123", "92015550123"]),
        ("+48 22 123 45 67", "UA", ["+48221234567", "+48221234567", "48221234567", "9+48221234567"]),
        ("101", "UA", ["101", "101", "101", "9101"]),
        ("*72#", "UA", ["*72#", "*72#", "*72#", "9*72#"]),
    ];
    for (raw, region, [e164, national, international, prefixed]) in rows {
        assert_eq!(format_number(raw, &rule(E164), region).as_deref(), Ok(*e164), "{raw}");
        assert_eq!(format_number(raw, &rule(National), region).as_deref(), Ok(*national), "{raw}");
        assert_eq!(format_number(raw, &rule(International), region).as_deref(), Ok(*international), "{raw}");
        let nine = DialRule { format: National, replace: Vec::new(), prefix: "9".into() };
        assert_eq!(format_number(raw, &nine, region).as_deref(), Ok(*prefixed), "{raw}");
    }
}
