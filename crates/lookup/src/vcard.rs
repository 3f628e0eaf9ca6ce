//! A small vCard 2.1/3.0/4.0 reader: just what the directory needs (FN, N, ORG, TEL with its
//! TYPE, EMAIL, NOTE, UID, CATEGORIES), with folded lines and backslash escapes.
//!
//! Written here rather than taken from crates.io: `vcard_parser` 0.2.3 implements RFC 6350
//! only and rejects `VERSION:3.0` cards, which is what phones and most address books export,
//! and it fails a whole file on one bad card; `ical` 0.11 parses vCards but has had no
//! release in years and ships its license as a file rather than an SPDX expression. The
//! subset needed is ~200 lines, and a reader written for hostile input (any bytes, any
//! length) is easier to keep panic-free than to audit. Quoted-printable values (vCard 2.1)
//! are read as they stand, not decoded.

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

/// Physical lines joined where the next one starts with a space or a tab (RFC 6350 §3.2),
/// each with the number of its first physical line.
fn unfold(text: &str) -> Vec<(u64, String)> {
    let mut out: Vec<(u64, String)> = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let continuation = line.starts_with(' ') || line.starts_with('\t');
        match out.last_mut() {
            Some((_, last)) if continuation => {
                if last.len() < MAX_LINE {
                    last.push_str(&line[1..]);
                }
            }
            _ => out.push((i as u64 + 1, line.to_owned())),
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

    #[test]
    fn unterminated_cards_and_garbage_are_reported_not_panicked() {
        let (cards, problems) = parse("hello\n:::\n;;;\nBEGIN:VCARD\nFN:x\nTEL:1");
        assert!(cards.is_empty());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 4);
        for text in ["", "\\", "BEGIN:VCARD\nN:\\", "BEGIN:VCARD\n\tfolded\nEND:VCARD", "é:\"\n ü"] {
            let _ = parse(text);
        }
    }
}
