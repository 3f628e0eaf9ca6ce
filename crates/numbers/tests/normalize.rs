//! Normalization across regions, hostile input, and a property test: never a panic, the raw
//! text always kept. (Moved here from ringside-lookup with the code.)

use proptest::prelude::*;
use ringside_numbers::{normalize, NotANumber, NumberConfig, NumberKind};

/// (region, typed, E.164 expected, suffix expected)
const EXTERNAL: &[(&str, &str, Option<&str>, &str)] = &[
    // Ukraine: every way the seeds say is the same customer.
    ("UA", "+380 (44) 123-45-67", Some("+380441234567"), "441234567"),
    ("UA", "044 123 4567", Some("+380441234567"), "441234567"),
    ("UA", "380441234567", Some("+380441234567"), "441234567"),
    ("UA", "0441234567", Some("+380441234567"), "441234567"),
    ("UA", "00380441234567", Some("+380441234567"), "441234567"),
    ("UA", "tel:+380-44-123-45-67", Some("+380441234567"), "441234567"),
    ("UA", "\u{a0}+380\u{a0}67\u{a0}765\u{a0}4321 ", Some("+380677654321"), "677654321"),
    ("UA", "067 765 4321", Some("+380677654321"), "677654321"),
    // The old Soviet-era "8 0xx" long-distance form is no longer valid: suffix only.
    ("UA", "8 044 123 45 67", None, "441234567"),
    // Poland has no trunk prefix: "22 123 45 67" is national; a leading 0 makes it invalid,
    // so libphonenumber's answer is distrusted and only the suffix is kept (and still matches).
    ("PL", "+48 22 123 45 67", Some("+48221234567"), "221234567"),
    ("PL", "22 123 45 67", Some("+48221234567"), "221234567"),
    ("PL", "022 123 45 67", None, "221234567"),
    ("PL", "0048 601 234 567", Some("+48601234567"), "601234567"),
    // A PBX that drops the +: tried again as international.
    ("PL", "380441234567", Some("+380441234567"), "441234567"),
    // Germany: area codes of varying length, "/" and "(0)" formatting.
    ("DE", "030 1234567", Some("+49301234567"), "301234567"),
    ("DE", "030/1234567", Some("+49301234567"), "301234567"),
    ("DE", "+49 (0)30 1234567", Some("+49301234567"), "301234567"),
    ("DE", "0151 23456789", Some("+4915123456789"), "123456789"),
    // A short local number: the typed digits end with the national number (the "vice versa").
    ("DE", "030 12345", Some("+493012345"), "3012345"),
    // United States
    ("US", "(212) 555-0123", Some("+12125550123"), "125550123"),
    ("US", "1 212 555 0123", Some("+12125550123"), "125550123"),
    ("US", "212.555.0123", Some("+12125550123"), "125550123"),
    ("US", "+1-212-555-0123", Some("+12125550123"), "125550123"),
    // United Kingdom
    ("GB", "020 7946 0018", Some("+442079460018"), "079460018"),
    ("GB", "+44 (0)20 7946 0018", Some("+442079460018"), "079460018"),
    ("GB", "07911 123456", Some("+447911123456"), "911123456"),
    // Ofcom's drama range is not "valid" in libphonenumber's metadata, but it fits the UK
    // numbering plan, which is all the cross-check asks of a national form.
    ("GB", "07700 900123", Some("+447700900123"), "700900123"),
    ("GB", "+44 7700 900123", Some("+447700900123"), "700900123"),
    // Russia: the trunk prefix 8.
    ("RU", "8 (495) 123-45-67", Some("+74951234567"), "951234567"),
    ("RU", "+7 495 123 45 67", Some("+74951234567"), "951234567"),
    ("RU", "8 10 48 22 123 45 67", Some("+48221234567"), "221234567"),
    // Foreign numbers with + parse whatever the default region.
    ("UA", "+44 20 7946 0958", Some("+442079460958"), "079460958"),
    ("UA", "+1 212 555 0147", Some("+12125550147"), "125550147"),
    // A US number typed without its country code in Ukraine: not a valid Ukrainian number,
    // not a valid number with "+" either ("+212" is Morocco) → suffix only.
    ("UA", "(212) 555-0147", None, "125550147"),
];

#[test]
fn external_numbers_by_region() {
    let mut failures = Vec::new();
    for (region, typed, e164, suffix) in EXTERNAL {
        let n = normalize(typed, &NumberConfig::for_region(region));
        if n.kind != NumberKind::External || n.e164.as_deref() != *e164 || n.suffix.as_deref() != Some(*suffix) {
            failures.push(format!("{region} {typed:?}: got {n:?}"));
        }
        assert_eq!(n.raw, *typed);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn national_form_is_filled_when_trusted() {
    let cfg = NumberConfig::default();
    assert_eq!(normalize("+380441234567", &cfg).national.as_deref(), Some("044 123 4567"));
    assert_eq!(normalize("(212) 555-0147", &cfg).national, None);
    assert_eq!(
        normalize("8 (495) 123-45-67", &NumberConfig::for_region("RU")).national.as_deref(),
        Some("8 (495) 123-45-67")
    );
}

#[test]
fn the_agent_reads_home_numbers_nationally_and_foreign_ones_with_their_country_code() {
    let ua = NumberConfig::for_region("UA");
    assert_eq!(normalize("+380441234567", &ua).display.as_deref(), Some("044 123 4567"));
    assert_eq!(normalize("+48 22 123 45 67", &ua).display.as_deref(), Some("+48 22 123 45 67"));
    assert_eq!(normalize("+1 212 555 0147", &ua).display.as_deref(), Some("+1 212-555-0147"));
    // The same Polish number for an agent in Poland.
    assert_eq!(normalize("+48221234567", &NumberConfig::for_region("PL")).display.as_deref(), Some("22 123 45 67"));
    // Not trusted, an extension, not a number: nothing to format, the card shows it as sent.
    assert_eq!(normalize("(212) 555-0147", &ua).display, None);
    assert_eq!(normalize("100", &ua).display, None);
    assert_eq!(normalize("<b>", &ua).display, None);
}

#[test]
fn internal_extensions() {
    let cfg = NumberConfig::default();
    for ext in ["100", "2001", " 12345 ", "1"] {
        let n = normalize(ext, &cfg);
        assert_eq!(n.kind, NumberKind::Internal, "{ext:?}");
        assert_eq!((n.e164, n.suffix), (None, None));
    }
    // Six digits is no longer an extension; a longer internal length is configurable.
    assert_eq!(normalize("123456", &cfg).kind, NumberKind::External);
    let wide = NumberConfig { internal_max_len: 6, ..NumberConfig::default() };
    assert_eq!(normalize("123456", &wide).kind, NumberKind::Internal);
}

/// (typed, reason)
fn garbage() -> Vec<(String, NotANumber)> {
    vec![
        ("".into(), NotANumber::Empty),
        ("   ".into(), NotANumber::Empty),
        ("+".into(), NotANumber::NoDigits),
        ("++".into(), NotANumber::MisplacedPlus),
        ("()-".into(), NotANumber::NoDigits),
        ("anonymous".into(), NotANumber::Forbidden('a')),
        ("<unknown>".into(), NotANumber::Forbidden('<')),
        ("*72#".into(), NotANumber::Forbidden('*')),
        ("123+456".into(), NotANumber::MisplacedPlus),
        ("+380 44 123 45 67 ext. 12".into(), NotANumber::Forbidden('e')),
        ("٣٤٥".into(), NotANumber::UnicodeDigit('٣')),
        ("+380 ４４ 123 4567".into(), NotANumber::UnicodeDigit('４')),
        ("\u{200f}+380441234567".into(), NotANumber::DirectionMark('\u{200f}')),
        ("+380441234567\u{202e}".into(), NotANumber::DirectionMark('\u{202e}')),
        ("0441\u{202e}234567".into(), NotANumber::DirectionMark('\u{202e}')),
        ("044\n1234567".into(), NotANumber::Forbidden('\n')),
        ("044\u{0}1234567".into(), NotANumber::Forbidden('\u{0}')),
        ("1".repeat(21), NotANumber::TooLong(20)),
        ("1".repeat(10 * 1024), NotANumber::TooLong(20)),
        ("+1234".into(), NotANumber::TooShort(4)),
        (".;phone-context=".into(), NotANumber::Forbidden(';')),
    ]
}

#[test]
fn garbage_is_not_a_number_with_a_reason() {
    let cfg = NumberConfig::default();
    for (typed, why) in garbage() {
        let n = normalize(&typed, &cfg);
        assert_eq!(n.kind, NumberKind::NotANumber(why.clone()), "{typed:?}");
        assert_eq!(n.raw, typed, "the raw text is kept");
        assert_eq!((n.e164, n.suffix), (None, None));
        assert!(!why.to_string().is_empty());
    }
}

#[test]
fn reasons_read_as_sentences() {
    let cfg = NumberConfig::default();
    let text = |s: &str| match normalize(s, &cfg).kind {
        NumberKind::NotANumber(why) => why.to_string(),
        other => panic!("{s:?} gave {other:?}"),
    };
    assert_eq!(text("٣٤٥"), "it contains '٣' (U+0663), a digit that is not 0-9");
    assert_eq!(
        text("\u{202e}123456"),
        "it contains the invisible text-direction mark U+202E, which can disguise a number"
    );
    assert_eq!(text(&"9".repeat(10_000)), "it has more than 20 digits, which is longer than any phone number");
}

#[test]
fn twenty_digits_is_the_limit() {
    let cfg = NumberConfig::default();
    assert_eq!(normalize(&"1".repeat(20), &cfg).kind, NumberKind::External);
    assert!(matches!(normalize(&"1".repeat(21), &cfg).kind, NumberKind::NotANumber(NotANumber::TooLong(20))));
}

#[test]
fn config_is_validated() {
    assert!(NumberConfig::default().validate().is_ok());
    let err = NumberConfig::for_region("Ukraine").validate().unwrap_err();
    assert!(err.to_string().contains("two-letter country code"), "{err}");
    assert!(NumberConfig::for_region("XX").validate().is_err());
    assert!(NumberConfig::for_region("pl").validate().is_ok());
    assert!(NumberConfig { suffix_len: 3, ..NumberConfig::default() }.validate().is_err());
    assert!(NumberConfig { internal_max_len: 9, ..NumberConfig::default() }.validate().is_err());
}

#[test]
fn an_unknown_region_still_reads_international_numbers() {
    let cfg = NumberConfig::for_region("ZZ");
    assert_eq!(normalize("+380441234567", &cfg).e164.as_deref(), Some("+380441234567"));
    let n = normalize("0441234567", &cfg);
    assert_eq!((n.e164, n.suffix.as_deref()), (None, Some("441234567")));
}

#[test]
fn seeded_random_bytes_never_panic() {
    // A deterministic xorshift generator: the same 20,000 inputs on every run, biased towards
    // the characters numbers are made of so that the parser itself is reached often.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const ALPHABET: &[&str] = &[
        "+", "0", "1", "3", "4", "8", "9", " ", "-", "(", ")", ".", "/", "٣", "\u{202e}", "a", ";", "#", "*", "\u{a0}",
    ];
    let regions = ["UA", "PL", "RU", "DE", "US", "GB", "BR", "IT"];
    for i in 0..20_000 {
        let len = (next() % 40) as usize;
        let mut s = String::new();
        for _ in 0..len {
            let r = next();
            if r % 4 == 0 {
                s.push(char::from_u32((r >> 8) as u32 % 0x11_0000).unwrap_or('?'));
            } else {
                s.push_str(ALPHABET[(r >> 8) as usize % ALPHABET.len()]);
            }
        }
        let cfg = NumberConfig::for_region(regions[i % regions.len()]);
        let n = normalize(&s, &cfg);
        assert_eq!(n.raw, s);
        if let Some(e164) = &n.e164 {
            assert!(e164.starts_with('+') && e164[1..].chars().all(|c| c.is_ascii_digit()), "{s:?} → {e164}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_never_panic_and_keep_raw(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let s = String::from_utf8_lossy(&bytes).into_owned();
        let n = normalize(&s, &NumberConfig::default());
        prop_assert_eq!(&n.raw, &s);
        if n.kind != NumberKind::External {
            prop_assert!(n.e164.is_none() && n.suffix.is_none());
        }
    }

    #[test]
    fn formatting_never_changes_the_keys(digits in "[1-9][0-9]{8,11}", seps in proptest::collection::vec("[ .()/\u{a0}\u{202f}\u{2009}\u{2011}\u{2013}\u{2212}-]{0,2}", 12)) {
        let cfg = NumberConfig::default();
        let plain = normalize(&format!("+{digits}"), &cfg);
        let mut formatted = String::from("+");
        for (i, d) in digits.chars().enumerate() {
            formatted.push(d);
            formatted.push_str(&seps[i % seps.len()]);
        }
        let n = normalize(&formatted, &cfg);
        prop_assert_eq!(n.e164, plain.e164);
        prop_assert_eq!(n.suffix, plain.suffix);
        prop_assert_eq!(n.typed_suffix, plain.typed_suffix);
    }
}

/// Region UA: a US number typed without its country code can be read as another country's
/// (`(203) 496-1816` → Egypt's +20 3 4961816, `(438) 780-6007` → Austria's +43 8780 6007),
/// and the cross-check accepts it because the typed digits end with that national number.
/// The last digits as typed do not depend on the reading.
#[test]
fn the_last_digits_as_typed_do_not_depend_on_the_reading() {
    let ua = NumberConfig::default();
    for (formatted, international, typed_suffix) in
        [("(203) 496-1816", "+1 203 496 1816", "034961816"), ("(438) 780-6007", "+1 438 780 6007", "387806007")]
    {
        let misread = normalize(formatted, &ua);
        let right = normalize(international, &ua);
        assert_ne!(misread.e164, right.e164, "{formatted}: {misread:?}");
        assert_ne!(misread.suffix, right.suffix, "{formatted}: {misread:?}");
        assert_eq!(misread.typed_suffix.as_deref(), Some(typed_suffix), "{formatted}");
        assert_eq!(right.typed_suffix.as_deref(), Some(typed_suffix), "{international}");
    }
    assert_eq!(normalize("(203) 496-1816", &ua).e164.as_deref(), Some("+2034961816"));
}

#[test]
fn numbers_typed_shorter_than_the_suffix_have_no_typed_key() {
    let ua = NumberConfig::default();
    for short in ["496 1816", "96 18 16", "3496 1816"] {
        let n = normalize(short, &ua);
        assert_eq!(n.kind, NumberKind::External, "{short}");
        assert_eq!(n.typed_suffix, None, "{short}");
    }
    assert_eq!(normalize("0441234567", &ua).typed_suffix.as_deref(), Some("441234567"));
    assert_eq!(normalize("100", &ua).typed_suffix, None);
    assert_eq!(normalize("anonymous", &ua).typed_suffix, None);
}

#[test]
fn keys_are_listed_once() {
    let ua = NumberConfig::default();
    assert_eq!(normalize("+380 44 123 45 67", &ua).keys(), ["+380441234567", "441234567"]);
    assert_eq!(normalize("(203) 496-1816", &ua).keys(), ["+2034961816", "34961816", "034961816"]);
    assert!(normalize("100", &ua).keys().is_empty());
}
