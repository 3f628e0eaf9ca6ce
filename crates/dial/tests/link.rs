//! `number_from_link`: what a clicked tel:/callto:/sip: link may dial.

use ringside_dial::{number_from_link, DialError, MAX_LINK_LEN};

#[test]
fn accepted_links() {
    let table = [
        ("tel:+380441234567", "+380441234567"),
        ("tel:+380-44-123-45-67", "+380441234567"),
        ("tel:+380.44.123.45.67", "+380441234567"),
        ("tel:+380(44)1234567", "+380441234567"),
        ("TEL:+380441234567", "+380441234567"),
        ("tel:0441234567", "0441234567"),
        ("tel://+380441234567", "+380441234567"),
        ("callto:+380441234567", "+380441234567"),
        ("callto://+380441234567", "+380441234567"),
        ("CallTo://+380441234567", "+380441234567"),
        ("sip:+380441234567@pbx.example.com", "+380441234567"),
        ("sip:101@10.0.0.5", "101"),
        ("sip:101@[2001:db8::1]:5060", "101"),
        ("sip:+380441234567", "+380441234567"),
        ("tel:+380%2044%20123%2045%2067", "+380441234567"),
        ("tel:%2B380441234567", "+380441234567"),
        ("tel:*72%23", "*72#"),
        ("tel:%2A72%23", "*72#"),
        ("tel:+380 44 123 45 67", "+380441234567"),
        ("  tel:+380441234567\n", "+380441234567"),
        // Typographic separators from a web page, as they stand or percent-encoded (UTF-8).
        ("tel:+380\u{a0}44\u{202f}123\u{2011}45\u{2013}67", "+380441234567"),
        ("tel:+380%C2%A044%E2%80%AF123%E2%80%9145%E2%88%9267", "+380441234567"),
        ("tel:+380%e2%80%8944%e2%80%89123", "+38044123"),
    ];
    let mut failed = Vec::new();
    for (link, want) in table {
        let got = number_from_link(link);
        if got.as_deref() != Ok(want) {
            failed.push(format!("{link:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn refused_links_say_why() {
    let huge = format!("tel:+{}", "1".repeat(4096));
    let just_over = format!("tel:+380441234567{}", " ".repeat(MAX_LINK_LEN));
    let table: Vec<(&str, &str)> = vec![
        ("tel:123?x=1", "it has a query (?x=1)"),
        ("tel:+380441234567?body=hi", "it has a query"),
        ("tel:+380441234567;ext=101", "extension (;ext=)"),
        ("tel:7042;phone-context=example.com", "local number (;phone-context=)"),
        ("tel:+380441234567;isub=1", "it has parameters (;isub=1)"),
        ("sip:+380441234567@pbx.example.com;transport=tcp", "it has parameters"),
        ("tel:+380441234567%0a", "%0a (a line break (U+000A))"),
        ("tel:+380441234567%0d%0aX-Evil:1", "%0d"),
        ("tel:%2F%2Fpassword", "%2F ('/' (U+002F))"),
        ("tel:%2520", "%25 ('%' (U+0025))"),
        ("tel:12%", "a '%' that is not a percent-encoding"),
        ("tel:12%zz", "a '%' that is not a percent-encoding"),
        ("tel:12%e2%80%ae3", "%e2%80%ae (the invisible text-direction mark U+202E)"),
        ("tel:12%E2%80%8B3", "%E2%80%8B (the invisible character U+200B)"),
        ("tel:12%C2%A0%2F3", "%2F ('/' (U+002F))"),
        ("tel:12%ff3", "%ff, which is not UTF-8 text"),
        ("tel:12%C23", "%C2, which is not UTF-8 text"),
        ("tel:12\u{200b}3", "it contains the invisible character U+200B"),
        ("tel:12\u{2016}3", "it contains '\u{2016}' (U+2016)"),
        ("javascript:alert(1)", "only tel:, callto: and sip: links can be dialed, not \"javascript:\""),
        ("file:///etc/passwd", "not \"file:\""),
        ("http://example.com/tel:123", "not \"http:\""),
        ("sips:+380441234567@pbx", "not \"sips:\""),
        ("+380441234567", "it is not a tel:, callto: or sip: link"),
        (":+380441234567", "it is not a tel:, callto: or sip: link"),
        ("", "it is not a tel:, callto: or sip: link"),
        ("tel:", "there is no number in it"),
        ("tel:+", "there is no number in it"),
        ("callto://", "there is no number in it"),
        ("tel:-()", "there is no number in it"),
        ("tel:123 /password:x", "it contains '/'"),
        ("tel:;rm -rf ~", "parameters"),
        ("tel:$(id)", "it contains '$'"),
        ("tel:١٢٣", "a digit that is not 0-9"),
        ("tel:\u{202e}0441234567", "the invisible text-direction mark U+202E"),
        ("tel:1+2", "a '+' that is not at the start"),
        ("callto:skype.user", "it contains 's'"),
        ("sip:alice@pbx.example.com", "its user part is not a phone number: it contains 'a'"),
        ("sip:101:secret@pbx.example.com", "its user part is not a phone number: it contains ':'"),
        ("sip:101@", "is not a host name"),
        ("sip:101@evil host", "is not a host name"),
        ("tel:+380441234567#frag", "it contains 'f'"),
        (&huge, "longer than 2048 bytes"),
        (&just_over, "longer than 2048 bytes"),
    ];
    let mut failed = Vec::new();
    for (link, says) in &table {
        match number_from_link(link) {
            Err(e @ DialError::BadLink { .. }) => {
                let message = e.to_string();
                if !message.contains(says) || message.len() > 300 {
                    failed.push(format!("{link:?}: {message:?} should contain {says:?}"));
                }
            }
            other => failed.push(format!("{link:?}: got {other:?}, want a BadLink saying {says:?}")),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn the_message_names_the_link() {
    let e = number_from_link("tel:123?x=1").unwrap_err();
    assert_eq!(
        e.to_string(),
        r#""tel:123?x=1" is not a link Ringside can dial: it has a query (?x=1); a link to call may carry only the number"#
    );
}

#[test]
fn a_link_exactly_at_the_limit_is_read() {
    let link = format!("tel:+380441234567{}", " ".repeat(MAX_LINK_LEN - "tel:+380441234567".len()));
    assert_eq!(link.len(), MAX_LINK_LEN);
    assert_eq!(number_from_link(&link).as_deref(), Ok("+380441234567"));
}
