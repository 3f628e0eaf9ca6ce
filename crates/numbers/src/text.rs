//! The characters of a phone number as text: which ones only lay it out for the eye, how the
//! others are named when a number is refused, and the digits lookup reads.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether `c` only lays a number out for the eye. Every path that reads a number (lookup,
/// dialing, `tel:` links) drops these and nothing else, so a number that one path accepts is
/// not refused by another. Numbers pasted from web pages and documents carry typographic
/// spaces and dashes where a keyboard would type ASCII ones.
///
/// - ASCII space, `-`, `.`, `(` and `)`;
/// - every Unicode space separator (general category Zs): no-break U+00A0, U+2000–U+200A
///   (thin U+2009, figure U+2007, …), narrow no-break U+202F, U+205F, U+3000 and U+1680;
/// - the typographic dashes U+2010–U+2015 (hyphen, non-breaking hyphen, figure dash, en dash,
///   em dash, horizontal bar) and the minus sign U+2212.
///
/// Not separators: tabs and line breaks (control characters), `/`, `;`, letters, zero-width
/// characters and direction marks. They are refused by name (see [`CharName`]).
pub fn is_visual_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-'
            | '.'
            | '('
            | ')'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
            | '\u{2010}'..='\u{2015}'
            | '\u{2212}'
    )
}

/// Invisible marks that change the order text is shown in: `+380…` can be made to display as
/// another number, so they are refused rather than skipped.
pub fn is_direction_mark(c: char) -> bool {
    ringside_text::is_bidi_control(c) || ringside_text::is_bidi_mark(c)
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Characters that show nothing: controls, and Unicode's default-ignorable code points
/// (zero-width spaces and joiners, direction marks, the soft hyphen, the byte-order mark,
/// variation selectors, tag characters). Quoting them in a message would show nothing, so
/// they are named by code.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || is_line_break(c)
        || matches!(
            c,
            '\u{AD}'
                | '\u{34F}'
                | '\u{61C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF0}'..='\u{FFF8}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// One character named for a person reading an error message: visible characters quoted with
/// their code (`'/' (U+002F)`, `'١' (U+0661), a digit that is not 0-9`), invisible ones by
/// their code only (`the invisible character U+200B`, `the invisible text-direction mark
/// U+202E`, `a line break (U+000A)`, `a tab (U+0009)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CharName(pub char);

impl fmt::Display for CharName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        let code = c as u32;
        if c == '\t' {
            write!(f, "a tab (U+{code:04X})")
        } else if is_line_break(c) {
            write!(f, "a line break (U+{code:04X})")
        } else if is_direction_mark(c) {
            write!(f, "the invisible text-direction mark U+{code:04X}")
        } else if is_invisible(c) {
            write!(f, "the invisible character U+{code:04X}")
        } else if c.is_numeric() && !c.is_ascii_digit() {
            write!(f, "'{c}' (U+{code:04X}), a digit that is not 0-9")
        } else {
            write!(f, "'{c}' (U+{code:04X})")
        }
    }
}

/// Why a text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum NotANumber {
    #[error("there is no number (empty)")]
    Empty,
    #[error("there are no digits in it")]
    NoDigits,
    #[error("it has more than {0} digits, which is longer than any phone number")]
    TooLong(usize),
    #[error("it has only {0} digits after the +, too short for an international number")]
    TooShort(usize),
    /// Refused, not converted: no PBX sends them, and text that mixes scripts is more often
    /// spoofing or a copy-paste accident than a number.
    #[error("it contains {}", CharName(*.0))]
    UnicodeDigit(char),
    #[error("it contains {}, which can disguise a number", CharName(*.0))]
    DirectionMark(char),
    #[error("it contains {}, which cannot be part of a phone number", CharName(*.0))]
    Forbidden(char),
    #[error("a + may only stand at the start of a number")]
    MisplacedPlus,
}

/// A number's ASCII digits, and whether a `+` stood before them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digits {
    pub plus: bool,
    pub digits: String,
}

/// Reads `raw` the way lookup does: surrounding whitespace and a leading `tel:` are dropped,
/// [visual separators](is_visual_separator) are skipped, and what is left must be ASCII digits
/// (at most `max_digits`) with at most one `+`, before the first digit.
///
/// Lookup also skips `/`, the area-code separator of numbers stored the German way
/// (`030/1234567`). Finding a customer by such a number is harmless; dialing is not (MicroSIP
/// reads `/password:…` in its argument as an option), so [`dialable`](crate::dialable) refuses it.
pub fn read_digits(raw: &str, max_digits: usize) -> Result<Digits, NotANumber> {
    let mut text = raw.trim();
    if text.is_empty() {
        return Err(NotANumber::Empty);
    }
    if text.len() >= 4 && text.is_char_boundary(4) && text[..4].eq_ignore_ascii_case("tel:") {
        text = &text[4..];
    }
    let mut plus = false;
    let mut digits = String::with_capacity(max_digits + 1);
    for c in text.chars() {
        match c {
            '0'..='9' => {
                if digits.len() == max_digits {
                    return Err(NotANumber::TooLong(max_digits));
                }
                digits.push(c);
            }
            '+' if !plus && digits.is_empty() => plus = true,
            '+' => return Err(NotANumber::MisplacedPlus),
            c if is_visual_separator(c) || c == '/' => {}
            c if is_direction_mark(c) => return Err(NotANumber::DirectionMark(c)),
            c if c.is_numeric() => return Err(NotANumber::UnicodeDigit(c)),
            c => return Err(NotANumber::Forbidden(c)),
        }
    }
    if digits.is_empty() {
        return Err(NotANumber::NoDigits);
    }
    Ok(Digits { plus, digits })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_are_named_by_what_a_reader_sees() {
        let name = |c| CharName(c).to_string();
        assert_eq!(name('/'), "'/' (U+002F)");
        assert_eq!(name('a'), "'a' (U+0061)");
        assert_eq!(name('١'), "'١' (U+0661), a digit that is not 0-9");
        // Visible punctuation in U+2000–U+206F is quoted, not called invisible.
        assert_eq!(name('\u{2022}'), "'\u{2022}' (U+2022)");
        assert_eq!(name('\u{2011}'), "'\u{2011}' (U+2011)");
        assert_eq!(name('\u{202E}'), "the invisible text-direction mark U+202E");
        assert_eq!(name('\u{200B}'), "the invisible character U+200B");
        assert_eq!(name('\u{FEFF}'), "the invisible character U+FEFF");
        assert_eq!(name('\u{0}'), "the invisible character U+0000");
        assert_eq!(name('\n'), "a line break (U+000A)");
        assert_eq!(name('\u{2028}'), "a line break (U+2028)");
        assert_eq!(name('\t'), "a tab (U+0009)");
    }

    #[test]
    fn separators_are_spaces_and_dashes_only() {
        for c in [' ', '-', '.', '(', ')', '\u{A0}', '\u{2007}', '\u{2009}', '\u{202F}', '\u{3000}'] {
            assert!(is_visual_separator(c), "{c:?}");
        }
        for c in '\u{2010}'..='\u{2015}' {
            assert!(is_visual_separator(c), "{c:?}");
        }
        assert!(is_visual_separator('\u{2212}'));
        for c in ['/', ';', '\t', '\n', '\u{200B}', '\u{200E}', '\u{202E}', '\u{2016}', '\u{2060}', 'x', '*', '#', '+']
        {
            assert!(!is_visual_separator(c), "{c:?}");
        }
    }
}
