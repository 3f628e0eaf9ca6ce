//! The number in a `tel:`, `callto:` or `sip:` link clicked in another program.

use ringside_numbers::is_visual_separator;

use crate::{shorten, Char, DialError};

/// Longer links are refused unread.
pub const MAX_LINK_LEN: usize = 2048;

/// The number in a `tel:`/`callto:`/`sip:` link clicked in a browser, as [`format_number`]
/// takes it (`+380441234567`).
///
/// Accepted: `tel:+380441234567`, `tel:+380-44-123-45-67` (the [visual
/// separators](ringside_numbers::is_visual_separator) every path drops, typographic ones included),
/// `callto:+380441234567`, `callto://+380441234567` (also `tel://`), `sip:+380441234567@pbx.example.com`
/// (the user part, only when it is a number), the scheme in any case, and percent-encoded
/// dial characters and separators (`%20`, `%2B`, `%23`, `%2A`, `%2D`, `%2E`, `%28`, `%29`, digits,
/// and UTF-8 sequences such as `%C2%A0`, a no-break space).
///
/// Refused, with the reason: other schemes (`javascript:`, `file:`, `http:`), a query
/// (`tel:123?x=1`), any parameter (`;ext=`, `;phone-context=`, `;transport=` — an extension or
/// a local number cannot be dialed safely from a link), any other percent-encoding (`%0a`), a
/// user part that is not a number, a missing number, and links longer than [`MAX_LINK_LEN`] bytes.
///
/// [`format_number`]: crate::format_number
pub fn number_from_link(link: &str) -> Result<String, DialError> {
    let bad = |reason: String| DialError::BadLink { link: shorten(link), reason };
    if link.len() > MAX_LINK_LEN {
        return Err(bad(format!("it is longer than {MAX_LINK_LEN} bytes")));
    }
    let text = link.trim_matches(|c: char| c.is_ascii_whitespace());
    let Some((scheme, rest)) = text.split_once(':') else {
        return Err(bad("it is not a tel:, callto: or sip: link".to_owned()));
    };
    let scheme = scheme.to_ascii_lowercase();
    let is_sip = match scheme.as_str() {
        "tel" | "callto" => false,
        "sip" => true,
        "" => return Err(bad("it is not a tel:, callto: or sip: link".to_owned())),
        _ => {
            return Err(bad(format!(
                "only tel:, callto: and sip: links can be dialed, not {:?}",
                format!("{}:", shorten(&scheme))
            )))
        }
    };
    let rest = if is_sip { rest } else { rest.strip_prefix("//").unwrap_or(rest) };

    if let Some(at) = rest.find(';') {
        let params = &rest[at..];
        let lower = params.to_ascii_lowercase();
        let reason = if lower.contains(";ext=") {
            "it names an extension (;ext=), which Ringside does not dial from a link; dial the number, then the extension"
                .to_owned()
        } else if lower.contains(";phone-context=") {
            "it is a local number (;phone-context=); only a full number, such as tel:+380441234567, can be dialed"
                .to_owned()
        } else {
            format!("it has parameters ({}), which are not supported", shorten(params))
        };
        return Err(bad(reason));
    }
    if let Some(at) = rest.find('?') {
        return Err(bad(format!(
            "it has a query ({}); a link to call may carry only the number",
            shorten(&rest[at..])
        )));
    }

    let user = if is_sip {
        match rest.split_once('@') {
            Some((user, host)) => {
                let host_ok = !host.is_empty()
                    && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
                if !host_ok {
                    return Err(bad(format!("{:?} is not a host name", shorten(host))));
                }
                user
            }
            None => rest,
        }
    } else {
        rest
    };

    let decoded = percent_decode(user).map_err(bad)?;
    let refused = |ch: char| {
        let whose = if is_sip { "its user part is not a phone number: it" } else { "it" };
        bad(format!("{whose} contains {}", Char(ch)))
    };
    ringside_numbers::dialable(&decoded).map_err(|e| match e {
        ringside_numbers::DialError::Empty => bad("there is no number in it".to_owned()),
        ringside_numbers::DialError::Forbidden(ch) => refused(ch),
        ringside_numbers::DialError::TooLong(max) => bad(format!("the number is longer than {max} digits")),
    })
}

/// Decodes `%XX` only where it stands for a dial character or a visual separator (`%20`,
/// `%2B`, `%23`, and UTF-8 sequences such as `%C2%A0`, a no-break space); any other encoding
/// (`%0A`, `%2F`, `%25`, `%E2%80%AE`) is refused, naming the character. One pass: `%2520` is
/// not decoded twice.
fn percent_decode(text: &str) -> Result<String, String> {
    let not_encoding = || "it contains a '%' that is not a percent-encoding".to_owned();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        // A run of `%XX`: one character may take several (UTF-8).
        let mut bytes = Vec::new();
        let mut run = &rest[at..];
        while let Some(after) = run.strip_prefix('%') {
            let hex = after.get(..2).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit())).ok_or_else(not_encoding)?;
            bytes.push(u8::from_str_radix(hex, 16).map_err(|_| not_encoding())?);
            run = &after[2..];
        }
        let encoded = &rest[at..rest.len() - run.len()];
        let decoded =
            std::str::from_utf8(&bytes).map_err(|_| format!("it contains {encoded}, which is not UTF-8 text"))?;
        let mut offset = 0;
        for c in decoded.chars() {
            // Each byte of the character was written as three characters, `%XX`.
            let written = &encoded[offset..offset + 3 * c.len_utf8()];
            offset += written.len();
            if !(c.is_ascii_digit() || matches!(c, '+' | '*' | '#') || is_visual_separator(c)) {
                return Err(format!(
                    "it contains {written} ({}); only digits, +, *, # and separators may be encoded",
                    Char(c)
                ));
            }
        }
        out.push_str(decoded);
        rest = run;
    }
    out.push_str(rest);
    Ok(out)
}
