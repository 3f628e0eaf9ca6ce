//! A server's or a stranger's words cleaned before anybody sees them, and text encoded before it
//! goes into a URL or a body.

/// Bidi embedding/override/isolate controls (U+202A–U+202E, U+2066–U+2069): they make text show
/// in another order than it is stored (e.g. a fake amount or a reversed link).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The bidi marks (ALM U+061C, LRM U+200E, RLM U+200F): they reorder nothing around them, so a
/// name may keep them, but a number or an address never carries one.
pub fn is_bidi_mark(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}')
}

/// One line of text a person can be shown: line breaks and tabs become spaces, other control and
/// bidi control characters are removed, runs of white space collapse to one, the ends are
/// trimmed, and at most `max_chars` characters are kept.
pub fn clean_text(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max_chars.saturating_mul(4)));
    let mut count = 0;
    let mut pending_space = false;
    for c in s.chars() {
        if count >= max_chars {
            break;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if c.is_control() || is_bidi_control(c) {
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
            count += 1;
            if count >= max_chars {
                break;
            }
        }
        pending_space = false;
        out.push(c);
        count += 1;
    }
    out
}

/// Percent-encodes everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`), so
/// the value stays one path segment, one query value or one form value: `/`, `?`, `&`, `=`, `#`,
/// `+`, `*`, `%`, space and line breaks are all encoded.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 0xF)]));
        }
    }
    out
}

/// `template` with each `{name}` for which `value(name)` is `Some` replaced by that text (already
/// encoded for where it goes). Other braces, and placeholders `value` does not know, stay as they
/// are. Replaced text is never scanned again, so a value holding `{secret}` stays literal.
pub fn fill_placeholders(template: &str, mut value: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let filled = after.find('}').and_then(|close| value(&after[..close]).map(|v| (v, close)));
        match filled {
            Some((text, close)) => {
                out.push_str(&text);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_makes_one_short_line() {
        assert_eq!(clean_text(" a\r\n\tb \u{202E}c\u{2069}\u{1b}[31m ", 200), "a b c[31m");
        assert_eq!(clean_text("abcdef", 3), "abc");
        assert_eq!(clean_text("a     b", 2), "a ");
        assert_eq!(clean_text("\u{200F}x", 10), "\u{200F}x", "a mark that is not an override stays");
    }

    #[test]
    fn encode_component_leaves_only_unreserved_characters() {
        assert_eq!(encode_component("+380 44/1?a=b&c#*%"), "%2B380%2044%2F1%3Fa%3Db%26c%23%2A%25");
        assert_eq!(encode_component("\r\n"), "%0D%0A");
        assert_eq!(encode_component("ü"), "%C3%BC");
    }

    #[test]
    fn fill_placeholders_replaces_known_names_once() {
        let value = |name: &str| match name {
            "number" => Some("{secret}".to_string()),
            "secret" => Some("s".to_string()),
            _ => None,
        };
        assert_eq!(
            fill_placeholders("{\"to\":\"{number}\",\"k\":\"{secret}\"}", value),
            "{\"to\":\"{secret}\",\"k\":\"s\"}"
        );
        assert_eq!(fill_placeholders("{other} {number", value), "{other} {number");
    }
}
