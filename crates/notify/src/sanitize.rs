//! Makes notice text safe to hand to the desktop. Pure functions, no I/O.
//!
//! Parts of a notice come from strangers (a caller ID name is whatever the calling party or the
//! carrier put there), so before anything reaches the notification service:
//!
//! - control characters (C0, DEL, C1) and the Unicode bidi embedding, override and isolate
//!   characters (U+202A–U+202E, U+2066–U+2069) are removed, so nobody can hide text or turn
//!   `exe.png` into `gnp.exe` on screen; marks such as U+200E/U+200F stay (they cannot reorder);
//! - white space is normalised: the summary becomes one line, the body keeps line breaks (at most
//!   one empty line in a row) with every other run of white space made one space;
//! - the text is capped ([`SUMMARY_MAX_CHARS`], [`BODY_MAX_CHARS`] characters, the last one an
//!   ellipsis `…` when something was cut);
//! - on Linux/BSD the body is escaped as markup (see [`escape_markup`]), because notification
//!   servers with the `body-markup` capability (dunst, GNOME Shell, KDE Plasma, mako, …) interpret
//!   a subset of HTML in it: a caller named `<a href=…>` or `<img src=…>` must show as that text,
//!   not as a link or an image fetched from the network. The summary is plain text by the
//!   specification and is not escaped.

/// At most this many characters of summary are shown.
pub const SUMMARY_MAX_CHARS: usize = 100;

/// At most this many characters of body are shown (counted before markup escaping).
pub const BODY_MAX_CHARS: usize = 500;

/// Whether this platform's notification backend treats the body as markup, so that
/// [`sanitize_body`] must escape it: true on Linux/BSD (org.freedesktop.Notifications), false on
/// Windows (the toast XML is escaped by the backend itself) and macOS (plain text).
pub const BODY_IS_MARKUP: bool = cfg!(all(unix, not(target_os = "macos")));

pub use ringside_text::is_bidi_control;

/// The summary as it is sent: one line (line breaks and tabs become spaces, runs of white space
/// one space, the ends trimmed), no control or bidi control characters, at most
/// [`SUMMARY_MAX_CHARS`] characters, and `<` `>` `&` replaced by look-alikes (‹ › ＆).
///
/// The spec says the summary is plain text, and most servers show it so (escaping would put
/// `&lt;` on screen there) — but dunst puts it into its markup format (`<b>%s</b>`), where a
/// caller named `<img src=…>` reaches the markup parser. Look-alikes read right everywhere.
pub fn sanitize_summary(summary: &str) -> String {
    clean(summary, SUMMARY_MAX_CHARS, false)
        .chars()
        .map(|c| match c {
            '<' => '\u{2039}',
            '>' => '\u{203A}',
            '&' => '\u{FF06}',
            c => c,
        })
        .collect()
}

/// The body as it is sent: line breaks kept (CR LF and CR become LF, at most one empty line in a
/// row, spaces at line ends dropped), other white space runs one space, no control or bidi control
/// characters, at most [`BODY_MAX_CHARS`] characters; then, if `escape` (pass [`BODY_IS_MARKUP`]),
/// escaped with [`escape_markup`].
pub fn sanitize_body(body: &str, escape: bool) -> String {
    let cleaned = clean(body, BODY_MAX_CHARS, true);
    if escape {
        escape_markup(&cleaned)
    } else {
        cleaned
    }
}

/// Escapes the five characters that are special in the notification body markup (an XML subset):
/// `&` `<` `>` `"` `'` become `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`. These five named entities are
/// the ones every server understands (GNOME Shell keeps exactly these and escapes any other `&`,
/// so a numeric `&#39;` would show literally there).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// White space seen since the last visible character, not yet written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    Space,
    /// One or more line breaks (capped at 2: one empty line).
    Breaks(u8),
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Removes control and bidi control characters, normalises white space (keeping line breaks if
/// `multiline`), trims, and cuts to at most `max_chars` characters, the last one `…` if anything
/// visible was cut. Stops reading as soon as the cap is exceeded, so huge input costs little.
fn clean(text: &str, max_chars: usize, multiline: bool) -> String {
    let max_chars = max_chars.max(1);
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    let mut count = 0usize;
    let mut pending = Pending::None;
    let mut after_cr = false;
    let mut cut = false;
    for c in text.chars() {
        let crlf = after_cr && c == '\n';
        after_cr = c == '\r';
        if crlf {
            continue; // CR LF is one line break, already counted at the CR
        }
        if multiline && is_line_break(c) {
            pending = match pending {
                Pending::Breaks(n) => Pending::Breaks((n + 1).min(2)),
                Pending::None | Pending::Space => Pending::Breaks(1),
            };
            continue;
        }
        if c.is_whitespace() {
            if pending == Pending::None {
                pending = Pending::Space;
            }
            continue;
        }
        if c.is_control() || is_bidi_control(c) {
            continue;
        }
        let separator = match (out.is_empty(), pending) {
            (true, _) | (false, Pending::None) => "",
            (false, Pending::Space) => " ",
            (false, Pending::Breaks(1)) => "\n",
            (false, Pending::Breaks(_)) => "\n\n",
        };
        let needed = separator.len() + 1; // the separators are ASCII: bytes = characters
        if count + needed > max_chars {
            cut = true;
            break;
        }
        out.push_str(separator);
        out.push(c);
        count += needed;
        pending = Pending::None;
    }
    if cut {
        // Make room for the ellipsis, and do not leave it after a space or a line break.
        while count > max_chars - 1 {
            out.pop();
            count -= 1;
        }
        while out.ends_with(char::is_whitespace) {
            out.pop();
        }
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_passes_unchanged() {
        assert_eq!(sanitize_summary("Paused in every queue"), "Paused in every queue");
        assert_eq!(
            sanitize_body("Missed a call from Ada Lovelace.\nCall back?", true),
            "Missed a call from Ada Lovelace.\nCall back?"
        );
        assert_eq!(sanitize_summary("Zoë Ñúñez — 日本語 ☎"), "Zoë Ñúñez — 日本語 ☎");
        assert_eq!(sanitize_summary(""), "");
        assert_eq!(sanitize_body("", true), "");
    }

    #[test]
    fn markup_in_a_caller_name_is_escaped_in_the_body() {
        let body = sanitize_body("Missed call from <b>x</b><img src=http://evil/>", true);
        assert_eq!(body, "Missed call from &lt;b&gt;x&lt;/b&gt;&lt;img src=http://evil/&gt;");
        assert!(!body.contains('<') && !body.contains('>'));
        let link = sanitize_body(r#"<a href="http://evil/">Bank</a> & 'Co'"#, true);
        assert_eq!(link, "&lt;a href=&quot;http://evil/&quot;&gt;Bank&lt;/a&gt; &amp; &apos;Co&apos;");
    }

    #[test]
    fn an_entity_in_a_name_shows_as_typed() {
        // `&amp;` typed by a caller must show as "&amp;", so its `&` is escaped again.
        assert_eq!(sanitize_body("Tom &amp; Jerry", true), "Tom &amp;amp; Jerry");
        assert_eq!(sanitize_body("&#60;script&#62;", true), "&amp;#60;script&amp;#62;");
    }

    #[test]
    fn without_markup_the_body_is_not_escaped() {
        assert_eq!(sanitize_body("<b>x</b> & 'y'", false), "<b>x</b> & 'y'");
    }

    #[test]
    fn the_summary_is_never_escaped_but_carries_no_markup_characters() {
        // Plain text by the specification: escaping would show "&lt;" on screen; dunst still
        // parses it as markup, so the three characters become look-alikes.
        assert_eq!(sanitize_summary("Call from <Ada> & co"), "Call from \u{2039}Ada\u{203A} \u{FF06} co");
        assert!(!sanitize_summary("<img src=x onerror=alert(1)>").contains(['<', '>', '&']));
    }

    #[test]
    fn bidi_overrides_and_isolates_are_removed() {
        assert_eq!(sanitize_summary("invoice\u{202E}gnp.exe"), "invoicegnp.exe");
        assert_eq!(sanitize_body("\u{202E}gnp.exe", true), "gnp.exe");
        let all: String = ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}').collect();
        assert_eq!(sanitize_summary(&format!("a{all}b")), "ab");
        assert_eq!(sanitize_body(&format!("a{all}b"), true), "ab");
        // Marks cannot reorder text: they stay.
        assert_eq!(sanitize_summary("\u{200F}x\u{200E}"), "\u{200F}x\u{200E}");
    }

    #[test]
    fn control_characters_are_removed() {
        assert_eq!(sanitize_summary("Bob\u{0}\u{7}\u{1b}[31mRed\u{7f}\u{9b}"), "Bob[31mRed");
        assert_eq!(sanitize_body("a\u{0}b\u{1b}c\u{85}d", false), "abc\nd");
    }

    #[test]
    fn the_summary_is_one_line() {
        assert_eq!(
            sanitize_summary("  Ringside\r\npaused\tyou \n\n in every queue  "),
            "Ringside paused you in every queue"
        );
        assert_eq!(sanitize_summary("a\u{2028}b"), "a b");
    }

    #[test]
    fn the_body_keeps_lines_but_not_runs_of_empty_lines() {
        assert_eq!(
            sanitize_body("  one  \r\n two\rthree\n\n\n\n\nfour \t five\n\n", false),
            "one\ntwo\nthree\n\nfour five"
        );
        // Caller-supplied line breaks cannot push the real text out of view.
        let hostile = format!("Missed call from {}Bob", "\n".repeat(400));
        assert_eq!(sanitize_body(&hostile, false), "Missed call from\n\nBob");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let summary = sanitize_summary(&"x".repeat(101));
        assert_eq!(summary.chars().count(), SUMMARY_MAX_CHARS);
        assert!(summary.ends_with("x…"));
        assert_eq!(sanitize_summary(&"x".repeat(100)), "x".repeat(100), "exactly at the cap: nothing cut");
        assert_eq!(
            sanitize_summary(&format!("{}   \n ", "x".repeat(100))),
            "x".repeat(100),
            "trailing space is not content"
        );

        let body = sanitize_body(&"é".repeat(501), false);
        assert_eq!(body.chars().count(), BODY_MAX_CHARS);
        assert!(body.ends_with("é…"));

        // No ellipsis right after a space.
        assert_eq!(clean("abc defgh", 5, false), "abc…");
        assert_eq!(clean("ab\n\ncdef", 5, true), "ab…");
    }

    #[test]
    fn ten_kilobytes_of_hostile_name() {
        let name = "<b>x</b><img src=http://evil/>\u{202E}&amp;\u{0}".repeat(300);
        assert!(name.len() > 10_000);
        let summary = sanitize_summary(&name);
        assert!(summary.chars().count() <= SUMMARY_MAX_CHARS);
        assert!(summary.ends_with('…'));
        assert!(!summary.chars().any(|c| c.is_control() || is_bidi_control(c)));

        let body = sanitize_body(&format!("Missed call from {name}"), true);
        assert!(body.starts_with("Missed call from &lt;b&gt;x&lt;/b&gt;&lt;img src=http://evil/&gt;&amp;amp;"));
        assert!(body.ends_with('…'));
        assert!(!body.contains('<') && !body.contains('>') && !body.contains('"'));
        assert!(!body.chars().any(|c| c.is_control() || is_bidi_control(c)));
        // The cap counts characters before escaping; escaping at most sextuples them.
        assert!(body.chars().count() <= BODY_MAX_CHARS * 6);
        let unescaped = sanitize_body(&format!("Missed call from {name}"), false);
        assert_eq!(unescaped.chars().count(), BODY_MAX_CHARS);
    }

    #[test]
    fn a_cut_never_splits_an_entity() {
        // Cutting happens before escaping, so the escaped text never ends in half an entity.
        let body = sanitize_body(&"&".repeat(1000), true);
        assert_eq!(body, format!("{}…", "&amp;".repeat(BODY_MAX_CHARS - 1)));
    }
}
