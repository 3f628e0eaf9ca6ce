//! Caller ID text: parsing `"Name" <number>` as Asterisk does, and keeping whatever a stranger
//! typed from breaking an AMI line.

use crate::DemoPbxError;

/// Longest name or number we keep (Asterisk's own fields are about this size).
const MAX_LEN: usize = 80;

/// A caller ID; an empty field is `<unknown>` on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct CallerId {
    pub num: String,
    pub name: String,
}

impl CallerId {
    /// From a number as a person typed it: the number is its digits and `+`, the name is
    /// `name` or else the number as typed (as the transcripts show).
    pub fn from_typed(number: &str, name: Option<&str>) -> Result<CallerId, DemoPbxError> {
        let num = dialable(number);
        if !num.bytes().any(|b| b.is_ascii_digit()) {
            return Err(DemoPbxError::InvalidInput(format!("the caller number {number:?} has no digits")));
        }
        let name = match name {
            Some(n) if !clean_text(n).is_empty() => clean_text(n),
            _ => clean_text(number),
        };
        Ok(CallerId { num, name })
    }

    /// The `CallerID` value of an Originate: `"Name" <number>`, with the characters that
    /// would confuse the parser taken out of the name.
    pub fn to_originate_value(&self) -> String {
        let name: String = self.name.chars().filter(|c| !matches!(c, '"' | '<' | '>' | '\\')).collect();
        let name = name.trim();
        if name.is_empty() {
            format!("<{}>", self.num)
        } else {
            format!("\"{name}\" <{}>", self.num)
        }
    }
}

/// Parses a `CallerID` header the way `ast_callerid_parse` does: `"Name" <num>`,
/// `Name <num>`, `<num>`, a bare number or a bare name. Never fails; hostile text ends up
/// harmless (no control characters, bounded length).
pub(crate) fn parse(value: &str) -> CallerId {
    let value = value.trim();
    if let Some(lt) = value.rfind('<') {
        let name_part = &value[..lt];
        let rest = &value[lt + 1..];
        let num_part = match rest.find('>') {
            Some(gt) => &rest[..gt],
            None => rest,
        };
        return CallerId { num: dialable(num_part), name: clean_text(&unquote(name_part)) };
    }
    if !value.is_empty() && value.chars().all(|c| c.is_ascii_digit() || " +-().*#/".contains(c)) {
        return CallerId { num: dialable(value), name: String::new() };
    }
    CallerId { num: String::new(), name: clean_text(&unquote(value)) }
}

/// The digits-and-plus form: digits, `*` and `#`, and a `+` only in front.
pub(crate) fn dialable(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '0'..='9' | '*' | '#' => out.push(c),
            '+' if out.is_empty() => out.push(c),
            _ => {}
        }
        if out.len() >= MAX_LEN {
            break;
        }
    }
    out
}

/// Text safe for one AMI header value: control characters become spaces, runs of space
/// collapse, at most [`MAX_LEN`] characters.
pub(crate) fn clean_text(s: &str) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut last_space = true;
    for c in s.chars() {
        let c = if c.is_control() || c == '\u{2028}' || c == '\u{2029}' { ' ' } else { c };
        if c.is_whitespace() {
            if last_space {
                continue;
            }
            last_space = true;
            out.push(' ');
        } else {
            last_space = false;
            out.push(c);
        }
        count += 1;
        if count >= MAX_LEN {
            break;
        }
    }
    out.trim_end().to_string()
}

fn unquote(s: &str) -> String {
    let t = s.trim();
    let t = t.strip_prefix('"').unwrap_or(t);
    let t = t.strip_suffix('"').unwrap_or(t);
    t.replace("\\\"", "\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asterisk_forms() {
        assert_eq!(
            parse("\"+380 44 123 4567\" <+380441234567>"),
            CallerId { num: "+380441234567".into(), name: "+380 44 123 4567".into() }
        );
        assert_eq!(parse("Agent 100 <100>"), CallerId { num: "100".into(), name: "Agent 100".into() });
        assert_eq!(parse("<100>"), CallerId { num: "100".into(), name: String::new() });
        assert_eq!(parse("+380 (44) 123-45-67"), CallerId { num: "+380441234567".into(), name: String::new() });
        assert_eq!(parse("Olena"), CallerId { num: String::new(), name: "Olena".into() });
        assert_eq!(parse(""), CallerId::default());
    }

    #[test]
    fn hostile_text_is_harmless() {
        let cases = [
            "\"\"\"<<<>>>",
            "<",
            ">",
            "\"a\r\nAction: Originate\" <1\r\n2>",
            "\"Ολένα 🎧 \\\"boss\\\"\" <+38０44>",
            "\u{0}\u{7f}\u{2028}<\u{202e}123>",
            &"9".repeat(10_000),
            &"ж".repeat(10_000),
        ];
        for c in cases {
            let id = parse(c);
            for v in [&id.num, &id.name] {
                assert!(!v.contains(['\r', '\n', '\0']), "{c:?} -> {id:?}");
                assert!(v.chars().count() <= MAX_LEN);
            }
        }
        assert_eq!(parse("\"Ολένα \\\"boss\\\"\" <+380 44>").name, "Ολένα \"boss\"");
    }

    #[test]
    fn typed_numbers() {
        let id = CallerId::from_typed("+380 44 123 4567", None).unwrap();
        assert_eq!(id.num, "+380441234567");
        assert_eq!(id.name, "+380 44 123 4567");
        assert_eq!(id.to_originate_value(), "\"+380 44 123 4567\" <+380441234567>");
        assert_eq!(parse(&id.to_originate_value()), id);
        let evil = CallerId::from_typed("044\"<>1234567", Some("\"Evil\" <0>\r\n")).unwrap();
        assert_eq!(evil.to_originate_value(), "\"Evil 0\" <0441234567>");
        assert!(CallerId::from_typed("no digits", None).is_err());
    }
}
