//! The number as one connection dials it.

use ringside_numbers::{normalize, NumberConfig};

use crate::settings::{DialRule, NumberFormat, Replace};
use crate::{check_dialable, DialError};

/// The number as this connection dials it.
///
/// 1. Hostile input is refused ([`ringside_numbers::dialable`]): only ASCII digits, `*`, `#`
///    and a leading `+`; [visual separators](ringside_numbers::is_visual_separator) (ASCII and
///    typographic spaces and dashes, `.`, `(`, `)`) are dropped; anything else (`/`, `;`, `$`,
///    `%`, letters, tabs, line breaks, invisible characters, Unicode digits, direction marks)
///    is refused with the character named; at most [`ringside_numbers::MAX_DIAL_LEN`] characters.
/// 2. `format`: `E164`, `National` and `International` use the phone number parser
///    ([`ringside_numbers::normalize()`] with `region`). When the parser has no trusted E.164 form
///    (an extension, a service code such as `*72#`, a number it doubts) the digits are dialed as
///    typed — a call the agent typed never fails because the parser doubted it. `National` is
///    used only for a number of `region` (its national form dials back to the same number);
///    a foreign number is dialed in E.164.
/// 3. The first `replace` whose `from` starts the number.
/// 4. `prefix`.
///
/// The result holds only `[0-9+*#]`.
pub fn format_number(raw: &str, rule: &DialRule, region: &str) -> Result<String, DialError> {
    let typed = ringside_numbers::dialable(raw).map_err(|e| DialError::not_dialable(raw, e))?;
    let formatted = match rule.format {
        NumberFormat::AsTyped => typed,
        format => with_parser(typed, format, region),
    };
    let replaced = replace_leading(formatted, &rule.replace);
    let number = format!("{}{replaced}", rule.prefix);
    // The configuration checks `replace` and `prefix`; a rule built in code is checked here.
    check_dialable(&number)?;
    Ok(number)
}

fn with_parser(typed: String, format: NumberFormat, region: &str) -> String {
    if typed.contains(['*', '#']) {
        tracing::debug!(number = %typed, "a service code is dialed as typed");
        return typed;
    }
    let cfg = NumberConfig::for_region(region);
    let parsed = normalize(&typed, &cfg);
    let Some(e164) = parsed.e164 else {
        tracing::debug!(
            number = %typed,
            region,
            "the phone number parser has no trusted E.164 form for this number; dialing the digits as typed"
        );
        return typed;
    };
    match format {
        NumberFormat::E164 | NumberFormat::AsTyped => e164,
        NumberFormat::International => e164.trim_start_matches('+').to_owned(),
        NumberFormat::National => {
            let national: Option<String> = parsed.national.map(|n| n.chars().filter(char::is_ascii_digit).collect());
            match national {
                // Only a number of this region: its national form must dial back to it.
                Some(national)
                    if !national.is_empty() && normalize(&national, &cfg).e164.as_deref() == Some(e164.as_str()) =>
                {
                    national
                }
                _ => {
                    tracing::debug!(
                        number = %e164,
                        region,
                        "not a number of this region, or no national form; dialing it in E.164"
                    );
                    e164
                }
            }
        }
    }
}

fn replace_leading(number: String, replace: &[Replace]) -> String {
    match replace.iter().find(|r| !r.from.is_empty() && number.starts_with(r.from.as_str())) {
        Some(r) => format!("{}{}", r.to, &number[r.from.len()..]),
        None => number,
    }
}
