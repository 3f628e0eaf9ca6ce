//! A small vCard 2.1/3.0/4.0 reader: just what the directory needs (FN, N, ORG, TEL with its
//! TYPE, EMAIL, NOTE, UID, CATEGORIES), with folded lines, backslash escapes and vCard 2.1's
//! quoted-printable values.
//!
//! Written here rather than taken from crates.io: `vcard_parser` 0.2.3 implements RFC 6350
//! only and rejects `VERSION:3.0` cards, which is what phones and most address books export,
//! and it fails a whole file on one bad card; `ical` 0.11 parses vCards but has had no
//! release in years and ships its license as a file rather than an SPDX expression. The
//! subset needed is ~200 lines, and a reader written for hostile input (any bytes, any
//! length) is easier to keep panic-free than to audit.
//!
//! Phones export vCard 2.1 with every non-ASCII name in quoted-printable
//! (`FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9E=D0=BB=D0=B5=D0=BD=D0=B0`), long values
//! continued with a soft line break (`=` at the end of the line). Any property with
//! `ENCODING=QUOTED-PRINTABLE` (or 2.1's bare `QUOTED-PRINTABLE`) is decoded in its `CHARSET`
//! (UTF-8 when none is named) before it is read.

/// One card, as far as the directory cares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Card {
    /// The line of `BEGIN:VCARD` (1-based).
    pub line: u64,
    pub uid: Option<String>,
    pub full_name: Option<String>,
    /// Built from `N` ("Given Additional Family") when there is no `FN`.
    pub structured_name: Option<String>,
    pub org: Option<String>,
    /// (number, label)
    pub tels: Vec<(String, Option<String>)>,
    pub email: Option<String>,
    pub note: Option<String>,
    pub categories: Vec<String>,
}

/// A card that could not be read (no `END:VCARD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CardProblem {
    pub line: u64,
    pub message: String,
}

/// Longest logical (unfolded) line kept; longer ones are cut (a photo, usually).
const MAX_LINE: usize = 64 * 1024;

/// Reads every card in `text`.
pub(crate) fn parse(text: &str) -> (Vec<Card>, Vec<CardProblem>) {
    let mut cards = Vec::new();
    let mut problems = Vec::new();
    let mut current: Option<Card> = None;
    let mut depth = 0usize;
    for (line_no, line) in unfold(text) {
        let Some((name, params, value)) = split_content_line(&line) else { continue };
        let decoded;
        let value = if is_quoted_printable(&params) {
            decoded = decode_quoted_printable(value, param(&params, "CHARSET"));
            decoded.as_str()
        } else {
            value
        };
        let upper = name.to_ascii_uppercase();
        let value_upper = value.trim().to_ascii_uppercase();
        if upper == "BEGIN" && value_upper == "VCARD" {
            if current.is_some() {
                // A nested card (vCard 2.1 AGENT) is skipped with its parent's fields intact.
                depth += 1;
            } else {
                current = Some(Card { line: line_no, ..Card::default() });
            }
            continue;
        }
        if upper == "END" && value_upper == "VCARD" {
            if depth > 0 {
                depth -= 1;
            } else if let Some(card) = current.take() {
                cards.push(card);
            }
            continue;
        }
        let Some(card) = current.as_mut() else { continue };
        if depth > 0 {
            continue;
        }
        match upper.as_str() {
            "FN" => set_once(&mut card.full_name, unescape(value)),
            "N" => {
                let parts: Vec<String> = split_unescaped(value, ';').iter().map(|p| unescape(p)).collect();
                let get = |i: usize| parts.get(i).map(String::as_str).unwrap_or("").trim().to_owned();
                let name = [get(1), get(2), get(0)].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
                set_once(&mut card.structured_name, name);
            }
            "ORG" => {
                let first = split_unescaped(value, ';').first().map(|s| unescape(s)).unwrap_or_default();
                set_once(&mut card.org, first);
            }
            "TEL" => {
                let mut number = value.trim();
                if number.len() >= 4 && number.is_char_boundary(4) && number[..4].eq_ignore_ascii_case("tel:") {
                    number = &number[4..];
                }
                // `tel:` URIs may carry parameters (`;ext=12`): the number is what precedes them.
                let number = number.split(';').next().unwrap_or("").trim();
                if !number.is_empty() {
                    card.tels.push((unescape(number), tel_label(&params)));
                }
            }
            "EMAIL" => set_once(&mut card.email, unescape(value)),
            "NOTE" => set_once(&mut card.note, unescape(value)),
            "UID" => set_once(&mut card.uid, unescape(value)),
            "CATEGORIES" => card
                .categories
                .extend(split_unescaped(value, ',').iter().map(|c| unescape(c)).filter(|c| !c.is_empty())),
            _ => {}
        }
    }
    if let Some(card) = current {
        problems.push(CardProblem {
            line: card.line,
            message: "the card has no END:VCARD line (the file ends inside it)".to_owned(),
        });
    }
    (cards, problems)
}

fn set_once(slot: &mut Option<String>, value: String) {
    let value = value.trim();
    if slot.is_none() && !value.is_empty() {
        *slot = Some(value.to_owned());
    }
}

/// Physical lines joined where the next one starts with a space or a tab (RFC 6350 §3.2), or
/// where a quoted-printable value ends in a soft line break (`=`, which is dropped), each with
/// the number of its first physical line.
fn unfold(text: &str) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = Vec::new();
    // Whether the logical line being built is quoted-printable, and ended in a soft break.
    let mut quoted_printable = false;
    let mut soft_break = false;
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let continuation = line.starts_with(' ') || line.starts_with('\t');
        // A broken exporter's `=` before the end of the card must not swallow the card's end.
        let soft_continuation = soft_break && !is_card_boundary(line);
        match out.last_mut() {
            Some((_, last)) if soft_continuation || continuation => {
                let part = if soft_continuation { line } else { &line[1..] };
                soft_break = quoted_printable && part.ends_with('=');
                let part = if soft_break { &part[..part.len() - 1] } else { part };
                if last.len() < MAX_LINE {
                    last.push_str(part);
                }
            }
            _ => {
                quoted_printable = split_content_line(line).is_some_and(|(_, params, _)| is_quoted_printable(&params));
                soft_break = quoted_printable && line.ends_with('=');
                let line = if soft_break { &line[..line.len() - 1] } else { line };
                out.push((i as u64 + 1, line.to_owned()));
            }
        }
    }
    for (_, line) in &mut out {
        if line.len() > MAX_LINE {
            let mut cut = MAX_LINE;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line.truncate(cut);
        }
    }
    out
}

fn is_card_boundary(line: &str) -> bool {
    let line = line.trim();
    line.eq_ignore_ascii_case("END:VCARD") || line.eq_ignore_ascii_case("BEGIN:VCARD")
}

/// `ENCODING=QUOTED-PRINTABLE`, or vCard 2.1's bare `QUOTED-PRINTABLE`.
fn is_quoted_printable(params: &[&str]) -> bool {
    params.iter().any(|p| {
        let value = p
            .split_once('=')
            .map_or(*p, |(key, value)| if key.trim().eq_ignore_ascii_case("ENCODING") { value } else { "" });
        value.trim().trim_matches('"').eq_ignore_ascii_case("QUOTED-PRINTABLE")
    })
}

/// The value of parameter `key` (`CHARSET=UTF-8` → `UTF-8`).
fn param<'a>(params: &[&'a str], key: &str) -> Option<&'a str> {
    params.iter().find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case(key).then(|| v.trim().trim_matches('"'))
    })
}

/// `=XX` → the byte 0xXX; the bytes are text in `charset` (UTF-8 when none is named or the
/// name is unknown). A malformed `=` sequence is kept as written and bytes the charset cannot
/// read become U+FFFD: a damaged name stays readable rather than failing the card.
fn decode_quoted_printable(value: &str, charset: Option<&str>) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).filter(|h| bytes[i] == b'=' && h.iter().all(u8::is_ascii_hexdigit));
        match hex.and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    let encoding = charset.and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes())).unwrap_or(encoding_rs::UTF_8);
    encoding.decode_without_bom_handling(&out).0.into_owned()
}

/// `item1.TEL;TYPE=cell:+380…` → ("TEL", ["TYPE=cell"], "+380…").
fn split_content_line(line: &str) -> Option<(&str, Vec<&str>, &str)> {
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = split_params(head).into_iter();
    let name = parts.next()?.trim();
    let name = name.rsplit('.').next().unwrap_or(name);
    Some((name, parts.collect(), value))
}

fn split_params(head: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for (i, c) in head.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => {
                out.push(&head[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&head[start..]);
    out
}

/// The phone's label from `TYPE=cell,voice`, `TYPE=CELL;TYPE=pref` or a bare `CELL` (2.1).
fn tel_label(params: &[&str]) -> Option<String> {
    let mut types = Vec::new();
    for p in params {
        let (key, value) = match p.split_once('=') {
            Some((k, v)) => (k.trim(), v),
            None => ("TYPE", *p),
        };
        if key.eq_ignore_ascii_case("TYPE") {
            types.extend(value.trim_matches('"').split(',').map(|t| t.trim().to_ascii_lowercase()));
        }
    }
    const KNOWN: &[(&str, &str)] = &[
        ("cell", "mobile"),
        ("mobile", "mobile"),
        ("iphone", "mobile"),
        ("work", "work"),
        ("home", "home"),
        ("main", "main"),
        ("fax", "fax"),
        ("pager", "pager"),
        ("text", "text"),
        ("other", "other"),
    ];
    KNOWN.iter().find(|(t, _)| types.iter().any(|x| x == t)).map(|(_, label)| (*label).to_owned())
}

/// Splits on `sep` where it is not escaped with a backslash.
fn split_unescaped(value: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            out.push(&value[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&value[start..]);
    out
}

/// `\n` → newline, `\,` → `,`, `\;` → `;`, `\\` → `\`.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') | Some('N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_v3_card_with_folding_and_escapes() {
        let text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Olena Kovalenko\r\nN:Kovalenko;Olena;;;\r\nORG:Dnipro Windows\\, LLC;Sales\r\n\
                    TEL;TYPE=CELL,VOICE:+380 67 765 4321\r\nitem1.TEL;type=WORK:044 123\r\n  45 67\r\nEMAIL;TYPE=INTERNET:o@example.com\r\n\
                    NOTE:Prefers calls\\nafter 10\r\nCATEGORIES:vip,wholesale\r\nEND:VCARD\r\n";
        let (cards, problems) = parse(text);
        assert!(problems.is_empty());
        assert_eq!(cards.len(), 1);
        let c = &cards[0];
        assert_eq!(c.line, 1);
        assert_eq!(c.full_name.as_deref(), Some("Olena Kovalenko"));
        assert_eq!(c.structured_name.as_deref(), Some("Olena Kovalenko"));
        assert_eq!(c.org.as_deref(), Some("Dnipro Windows, LLC"));
        assert_eq!(
            c.tels,
            vec![("+380 67 765 4321".into(), Some("mobile".into())), ("044 123 45 67".into(), Some("work".into()))]
        );
        assert_eq!(c.email.as_deref(), Some("o@example.com"));
        assert_eq!(c.note.as_deref(), Some("Prefers calls\nafter 10"));
        assert_eq!(c.categories, vec!["vip", "wholesale"]);
    }

    #[test]
    fn reads_v4_uris_and_v21_bare_types() {
        let text =
            "BEGIN:VCARD\nVERSION:4.0\nFN:A\nTEL;VALUE=uri;TYPE=\"voice,home\":tel:+1-212-555-0147;ext=12\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:2.1\nN:Smith;John\nTEL;CELL:07700 900123\nEND:VCARD\n";
        let (cards, _) = parse(text);
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].tels, vec![("+1-212-555-0147".into(), Some("home".into()))]);
        assert_eq!(cards[1].line, 6);
        assert_eq!(cards[1].structured_name.as_deref(), Some("John Smith"));
        assert_eq!(cards[1].tels, vec![("07700 900123".into(), Some("mobile".into()))]);
    }

    /// An Android export: UTF-8 in quoted-printable, soft line breaks in the middle of a
    /// character's bytes, a continuation line holding a `:`.
    const ANDROID: &str = "BEGIN:VCARD\r
VERSION:2.1\r
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9A=D0=BE=D0=B2=D0=B0=D0=BB=D0=\r
=B5=D0=BD=D0=BA=D0=BE;=D0=9E=D0=BB=D0=B5=D0=BD=D0=B0;=D0=9F=D0=B5=D1=82=D1=\r
=80=D1=96=D0=B2=D0=BD=D0=B0;;\r
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9E=D0=BB=D0=B5=D0=BD=D0=B0=\r
=20=D0=9F=D0=B5=D1=82=D1=80=D1=96=D0=B2=D0=BD=D0=B0=20=D0=9A=D0=BE=D0=B2=D0=\r
=B0=D0=BB=D0=B5=D0=BD=D0=BA=D0=BE\r
ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=A2=D0=9E=D0=92=20=C2=AB=D0=\r
=94=D0=BD=D1=96=D0=BF=D1=80=D0=BE=D0=B2=D1=81=D1=8C=D0=BA=D1=96=20=D0=B2=D1=\r
=96=D0=BA=D0=BD=D0=B0=C2=BB\r
TEL;CELL:+380 67 765 4321\r
NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=D0=94=D0=B7=D0=B2=D0=BE=D0=BD=\r
=D0=B8=D1=82=D0=B8=20=D0=BF=D1=96=D1=81=D0=BB=D1=8F=2010:00\r
END:VCARD\r
";

    #[test]
    fn decodes_quoted_printable_across_soft_line_breaks() {
        let (cards, problems) = parse(ANDROID);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cards.len(), 1);
        let c = &cards[0];
        assert_eq!(c.full_name.as_deref(), Some("Олена Петрівна Коваленко"));
        assert_eq!(c.structured_name.as_deref(), Some("Олена Петрівна Коваленко"));
        assert_eq!(c.org.as_deref(), Some("ТОВ «Дніпровські вікна»"));
        assert_eq!(c.note.as_deref(), Some("Дзвонити після 10:00"));
        assert_eq!(c.tels, vec![("+380 67 765 4321".into(), Some("mobile".into()))]);
    }

    #[test]
    fn quoted_printable_in_a_named_charset_and_malformed_sequences() {
        // A Nokia-style card: bare QUOTED-PRINTABLE, Windows-1251, parameters in another order.
        let text = "BEGIN:VCARD\nVERSION:2.1\nN;QUOTED-PRINTABLE;CHARSET=WINDOWS-1251:=D1=B3=F0=EA=EE;=B2=E2=E0=ED\n\
                    ORG;CHARSET=windows-1251;ENCODING=QUOTED-PRINTABLE:=D2=CE=C2=20=D1=B3=F7\n\
                    TEL;CELL:0441234567\nEND:VCARD\n\
                    BEGIN:VCARD\nVERSION:2.1\nFN;ENCODING=QUOTED-PRINTABLE:Bad =ZZ, =+1, =D0 and =4\n\
                    NOTE;ENCODING=QUOTED-PRINTABLE:cut short =\nEND:VCARD\n";
        let (cards, problems) = parse(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(cards.len(), 2);
        assert_eq!(cards[0].structured_name.as_deref(), Some("Іван Сірко"));
        assert_eq!(cards[0].org.as_deref(), Some("ТОВ Січ"));
        // Kept readable: malformed sequences as written, a lone byte that is not UTF-8 as U+FFFD;
        // a soft line break before END:VCARD does not swallow the card's end.
        assert_eq!(cards[1].full_name.as_deref(), Some("Bad =ZZ, =+1, \u{FFFD} and =4"));
        assert_eq!(cards[1].note.as_deref(), Some("cut short"));
    }

    #[test]
    fn unterminated_cards_and_garbage_are_reported_not_panicked() {
        let (cards, problems) = parse("hello\n:::\n;;;\nBEGIN:VCARD\nFN:x\nTEL:1");
        assert!(cards.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 4);
        for text in [
            "",
            "\\",
            "BEGIN:VCARD\nN:\\",
            "BEGIN:VCARD\n\tfolded\nEND:VCARD",
            "é:\"\n ü",
            "BEGIN:VCARD\nFN;QUOTED-PRINTABLE:=",
            "BEGIN:VCARD\nFN;QUOTED-PRINTABLE:=\n=\n=é=\n",
            "BEGIN:VCARD\nFN;QUOTED-PRINTABLE;CHARSET=\"\":=E9=\n=\u{a0}=\nEND:VCARD",
        ] {
            let _ = parse(text);
        }
    }
}
