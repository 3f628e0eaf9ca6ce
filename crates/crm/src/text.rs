//! Pure helpers: cleaning a CRM's text before a card shows it and encoding a stranger's text into a
//! URL (both from ringside-http), reading a JSON value as text, and ISO 8601 instants.

pub(crate) use ringside_http::text::{clean_message, clean_text, encode_component, is_bidi_control};
use serde_json::Value;

/// Longest name, company, order title… kept, in characters.
pub(crate) const MAX_TEXT_CHARS: usize = 200;

/// A JSON string or number as cleaned text; `None` for anything else, or text that is empty once
/// cleaned.
pub(crate) fn value_text(v: Option<&Value>) -> Option<String> {
    let raw = match v? {
        Value::String(s) => clean_text(s, MAX_TEXT_CHARS),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!raw.is_empty()).then_some(raw)
}

/// An `http`/`https` URL from a CRM, or `None`: `javascript:`, `data:`, `file:` and anything that
/// does not parse are dropped, so a card never links anywhere but to a web page.
pub(crate) fn web_url(s: &str) -> Option<String> {
    ringside_http::text::WebUrl::parse(s).ok().map(|u| u.to_string())
}

/// `template` with each `{name}` replaced by the percent-encoded value `values` gives for it.
/// Unknown placeholders are left as they are (the configuration has rejected them already).
pub(crate) fn fill_template(template: &str, values: &[(&str, &str)]) -> String {
    ringside_http::text::fill_placeholders(template, |name| {
        values.iter().find(|(n, _)| *n == name).map(|(_, v)| encode_component(v))
    })
}

/// A CRM's own error text from a JSON body: `message`, `error_description` or `error` (a string,
/// or an object with a `message`), cleaned to one line of at most 200 characters, an address it
/// quotes (the request's, with a key in it) masked.
pub(crate) fn json_error_detail(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let obj = v.as_object()?;
    let candidates = [
        obj.get("message"),
        obj.get("error_description"),
        obj.get("error"),
        obj.get("error").and_then(|e| e.get("message")),
    ];
    for text in candidates.into_iter().flatten().filter_map(Value::as_str) {
        let text = clean_message(text, MAX_TEXT_CHARS);
        if !text.is_empty() {
            return Some(text);
        }
    }
    None
}

/// Seconds since the Unix epoch of an ISO 8601 date-time with an offset, as Bitrix24 writes them:
/// `2024-08-15T10:38:21+02:00` (also `Z`, `+0200`, and fractional seconds). `None` otherwise.
pub(crate) fn parse_instant(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let offset = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(i + 1, 2)?;
            let (om, end) = if b.get(i + 3) == Some(&b':') { (num(i + 4, 2)?, i + 6) } else { (num(i + 3, 2)?, i + 5) };
            if end != b.len() || oh > 23 || om > 59 {
                return None;
            }
            let secs = oh * 3600 + om * 60;
            if sign == b'+' {
                secs
            } else {
                -secs
            }
        }
        _ => return None,
    };
    let date = time::Date::from_calendar_date(
        i32::try_from(year).ok()?,
        time::Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    // A leap second (`:60`) is the last second of its minute.
    let clock =
        time::Time::from_hms(u8::try_from(hour).ok()?, u8::try_from(minute).ok()?, u8::try_from(second.min(59)).ok()?)
            .ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc().unix_timestamp() - offset)
}

/// `2024-08-15T08:38:21+00:00`: an instant in milliseconds since the Unix epoch as ISO 8601 in
/// UTC, with the offset written out (Bitrix24 asks for "ISO-8601 with the time zone").
pub(crate) fn iso8601_utc(ms: u64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| "9999-12-31T23:59:59+00:00".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_removes_controls_and_bidi_and_collapses_space() {
        assert_eq!(clean_text("  Ada\u{202E}\u{2066} Love\u{7}lace\r\n Ltd\t ", 200), "Ada Lovelace Ltd");
        assert_eq!(clean_text("\u{200F}שלום", 200), "\u{200F}שלום", "marks that are not overrides stay");
        assert_eq!(clean_text(&"x".repeat(500), 200).chars().count(), 200);
        assert_eq!(clean_text("ab cd", 3), "ab ");
        assert_eq!(clean_text("\u{0085}\u{009B}", 200), "");
    }

    #[test]
    fn encode_component_keeps_one_component() {
        assert_eq!(encode_component("+38 (044) 123/45?x=1&y#z"), "%2B38%20%28044%29%20123%2F45%3Fx%3D1%26y%23z");
        assert_eq!(encode_component("a\r\nb%"), "a%0D%0Ab%25");
        assert_eq!(encode_component("é"), "%C3%A9");
        assert_eq!(encode_component("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn fill_template_replaces_known_placeholders_only() {
        let v = [("e164", "+1 2"), ("digits", "12")];
        assert_eq!(fill_template("https://x/{e164}?d={digits}&o={other}", &v), "https://x/%2B1%202?d=12&o={other}");
        assert_eq!(fill_template("https://x/{e164", &v), "https://x/{e164");
    }

    #[test]
    fn web_url_keeps_http_and_https_only() {
        assert_eq!(web_url("https://crm.example.com/c/1").as_deref(), Some("https://crm.example.com/c/1"));
        assert!(web_url("http://crm.example.com/").is_some());
        assert!(web_url("javascript:alert(1)").is_none());
        assert!(web_url("JAVASCRIPT:alert(1)").is_none());
        assert!(web_url("data:text/html,x").is_none());
        assert!(web_url("file:///etc/passwd").is_none());
        assert!(web_url("/relative").is_none());
        assert!(web_url("https://crm.example.com/\u{202E}gpj.exe").is_none());
    }

    #[test]
    fn json_error_detail_finds_the_message() {
        assert_eq!(json_error_detail(br#"{"message":"db down\nretry"}"#).as_deref(), Some("db down retry"));
        assert_eq!(json_error_detail(br#"{"error":"x","error_description":"why"}"#).as_deref(), Some("why"));
        assert_eq!(json_error_detail(br#"{"error":{"message":"nested"}}"#).as_deref(), Some("nested"));
        assert_eq!(json_error_detail(b"<html>"), None);
        assert_eq!(json_error_detail(br#"{"message":5}"#), None);
        assert_eq!(
            json_error_detail(br#"{"message":"no access for GET https://crm.example.com/find?api_key=k-123"}"#)
                .as_deref(),
            Some("no access for GET https://crm.example.com/find?api_key=••••")
        );
    }

    #[test]
    fn iso8601_utc_writes_the_offset() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00+00:00");
        assert_eq!(iso8601_utc(1_723_711_101_250), "2024-08-15T08:38:21+00:00");
        assert_eq!(iso8601_utc(951_782_400_000), "2000-02-29T00:00:00+00:00");
        assert_eq!(iso8601_utc(4_107_542_399_000), "2100-02-28T23:59:59+00:00");
        for ms in [0, 86_399_999, 1_723_711_101_000, 951_782_400_000, 4_107_542_399_000] {
            assert_eq!(parse_instant(&iso8601_utc(ms)), Some((ms / 1000) as i64), "{ms}");
        }
        // Far future: no overflow, no panic.
        assert!(iso8601_utc(u64::MAX).ends_with("+00:00"));
    }

    #[test]
    fn parse_instant_reads_iso8601_with_offsets() {
        assert_eq!(parse_instant("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_instant("2024-02-30T10:00:00Z"), None, "no such day");
        assert_eq!(parse_instant("2016-12-31T23:59:60Z"), parse_instant("2016-12-31T23:59:59Z"), "a leap second");
        assert_eq!(parse_instant("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_instant("2024-08-15T10:38:21+02:00"), Some(1_723_711_101));
        assert_eq!(parse_instant("2024-08-15T08:38:21.250Z"), Some(1_723_711_101));
        assert_eq!(parse_instant("2024-08-15T03:38:21-0500"), Some(1_723_711_101));
        // Later as a string, earlier as an instant: why offsets are parsed rather than compared as text.
        assert!(
            parse_instant("2024-08-15T10:38:21+02:00").unwrap() < parse_instant("2024-08-15T09:38:22+00:00").unwrap()
        );
        assert_eq!(parse_instant("15.08.2024 10:38:21"), None);
        assert_eq!(parse_instant("2024-08-15T10:38:21"), None);
        assert_eq!(parse_instant("2024-13-15T10:38:21Z"), None);
        assert_eq!(parse_instant(""), None);
    }
}
