//! Secrets that ride in an address: a user name and password before the host
//! (`https://user:pass@host/`), a query parameter named like a key (`?api_key=…`), a Bitrix24
//! incoming webhook's code in the path (`/rest/1/<code>/`).
//!
//! One reading of the text serves both sides: the config finds them ([`url_secrets`]) to refuse
//! them, and every place that shows an address — a label, a `--dry-run` preview, an error
//! message — masks them ([`mask_url`], [`mask_urls_in`], [`clean_message`]). The reading is
//! textual, so it works the same on a real URL and on a template with `{placeholders}`, and it
//! never re-encodes what it keeps: the host and the path stay as written.

use crate::clean::clean_text;

/// What a secret is shown as.
pub const MASK: &str = "••••";

/// Query parameter names that say their value is a secret. A name matches when, compared
/// without case, `_`, `-` or `.`, it is one of these (`apiKey`, `API-KEY`, `access_token`), or
/// when its last words are one of these (`client_secret`, `X-Api-Key`, `privateToken`); words
/// are separated by `_`, `-`, `.` or a change from lower to upper case. `keyword`, `monkey`,
/// `author` and `key_id` do not match.
pub const SECRET_PARAM_NAMES: &[&str] = &[
    "key",
    "api_key",
    "apikey",
    "token",
    "access_token",
    "secret",
    "password",
    "passwd",
    "pass",
    "auth",
    "signature",
    "sig",
];

/// A secret found in an address by [`url_secrets`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlSecret {
    /// `user:password@` or `user@` before the host (a user name alone may be a token).
    Credentials,
    /// A query (or fragment) parameter named like a secret ([`SECRET_PARAM_NAMES`]) with a
    /// value; `name` and `value` as written (still percent-encoded, placeholders unfilled).
    Param { name: String, value: String },
    /// The code of a Bitrix24 incoming webhook, `/rest/<user id>/<code>/`: the code is the
    /// password of the webhook.
    WebhookCode,
}

/// Whether a parameter named `name` (percent-encoded or not) carries a secret, by
/// [`SECRET_PARAM_NAMES`].
pub fn is_secret_param(name: &str) -> bool {
    let name = percent_decoded(name);
    let words = words(&name);
    let squashed: String = words.concat();
    SECRET_PARAM_NAMES.iter().any(|entry| {
        let entry_words: Vec<&str> = entry.split('_').collect();
        let last_words = words.len().checked_sub(entry_words.len()).map(|from| &words[from..]);
        squashed == entry_words.concat() || last_words.is_some_and(|last| last.iter().eq(entry_words.iter()))
    })
}

/// Every secret in `address`, in the order they are written.
pub fn url_secrets(address: &str) -> Vec<UrlSecret> {
    let parts = Parts::of(address);
    let mut found = Vec::new();
    if parts.userinfo.is_some_and(|u| !u.is_empty()) {
        found.push(UrlSecret::Credentials);
    }
    if webhook_code_at(parts.path).is_some() {
        found.push(UrlSecret::WebhookCode);
    }
    for params in [parts.query, parts.fragment].into_iter().flatten() {
        for (name, value) in secret_params(params) {
            found.push(UrlSecret::Param { name: name.to_string(), value: value.to_string() });
        }
    }
    found
}

/// `address` with its secrets masked: the user name and password before the host, the value of
/// every parameter named like a secret, a Bitrix24 webhook's code. The rest is kept as written,
/// so the host and the path stay readable:
/// `https://u:p@crm.example.com/api?key=abc&phone=1` → `https://••••@crm.example.com/api?key=••••&phone=1`.
/// Text without a scheme is read as a path with a query (`/find?token=abc`).
pub fn mask_url(address: &str) -> String {
    let parts = Parts::of(address);
    let mut out = String::with_capacity(address.len() + 8);
    out.push_str(parts.scheme);
    match parts.userinfo {
        Some(userinfo) if !userinfo.is_empty() => {
            out.push_str(MASK);
            out.push('@');
        }
        Some(_) => out.push('@'),
        None => {}
    }
    out.push_str(parts.host);
    match webhook_code_at(parts.path) {
        Some(code) => {
            out.push_str(&parts.path[..code.start]);
            out.push_str(MASK);
            out.push_str(&parts.path[code.end..]);
        }
        None => out.push_str(parts.path),
    }
    if let Some(query) = parts.query {
        out.push('?');
        out.push_str(&mask_params(query));
    }
    if let Some(fragment) = parts.fragment {
        out.push('#');
        out.push_str(&mask_params(fragment));
    }
    out
}

/// `text` (a sentence, a server's message, a JSON body) with every address in it masked by
/// [`mask_url`]: each word holding `://` or `?`, and each word of `name=value` pairs
/// (`api_key=abc&to=1`). Words end at white space, quotes, `<`, `>` and backticks, which are kept
/// as they are.
pub fn mask_urls_in(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (piece, is_word) in pieces(text) {
        if !is_word {
            out.push_str(piece);
        } else if piece.contains("://") || piece.contains('?') {
            out.push_str(&mask_url(piece));
        } else if piece.contains('=') {
            out.push_str(&mask_params(piece));
        } else {
            out.push_str(piece);
        }
    }
    out
}

/// The addresses written in `text` (words holding `://`, as [`mask_urls_in`] cuts words): the
/// text itself when it is one address, each address of a sentence or a JSON body otherwise.
pub fn urls_in(text: &str) -> impl Iterator<Item = &str> {
    pieces(text).into_iter().filter(|(piece, is_word)| *is_word && piece.contains("://")).map(|(piece, _)| piece)
}

/// `text` cut into words and what separates them (white space, quotes, `<`, `>`, backticks), in
/// order; `true` marks a word.
fn pieces(text: &str) -> Vec<(&str, bool)> {
    let separates = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`');
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(first) = rest.chars().next() {
        let is_word = !separates(first);
        let end = rest.find(|c: char| separates(c) == is_word).unwrap_or(rest.len());
        let (piece, after) = rest.split_at(end);
        pieces.push((piece, is_word));
        rest = after;
    }
    pieces
}

/// A server's or a library's words for a message: addresses and `name=value` secrets masked
/// ([`mask_urls_in`]), then cleaned to one line of at most `max_chars` ([`clean_text`]).
pub fn clean_message(text: &str, max_chars: usize) -> String {
    clean_text(&mask_urls_in(text), max_chars)
}

/// The host (and port, as written) of `address`, without a user name or password; `None`
/// without a scheme or a host.
pub fn url_host(address: &str) -> Option<&str> {
    let parts = Parts::of(address);
    (!parts.scheme.is_empty() && !parts.host.is_empty()).then_some(parts.host)
}

/// An address cut where its parts begin, as written.
struct Parts<'a> {
    /// `https://` (with anything written before the scheme), or empty when the text has none.
    scheme: &'a str,
    /// What comes before the last `@` of the authority, without it.
    userinfo: Option<&'a str>,
    /// `host` or `host:port`.
    host: &'a str,
    /// From the first `/` after the authority up to `?` or `#`.
    path: &'a str,
    /// After the first `?`, up to `#`.
    query: Option<&'a str>,
    /// After the first `#`.
    fragment: Option<&'a str>,
}

impl<'a> Parts<'a> {
    fn of(address: &'a str) -> Parts<'a> {
        // A scheme is a letter, then letters, digits, `+`, `-`, `.`; whatever comes before it
        // (`--hook=https://…`) is kept with it.
        let is_scheme_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.');
        let scheme_len = address
            .find("://")
            .filter(|&i| {
                let before = &address[..i];
                let run = &before[before.trim_end_matches(is_scheme_char).len()..];
                run.contains(|c: char| c.is_ascii_alphabetic())
            })
            .map_or(0, |i| i + 3);
        let (scheme, rest) = address.split_at(scheme_len);
        let (userinfo, host, rest) = if scheme.is_empty() {
            (None, "", rest)
        } else {
            let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
            let (authority, rest) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => (Some(userinfo), host, rest),
                None => (None, authority, rest),
            }
        };
        let (rest, fragment) = match rest.split_once('#') {
            Some((before, fragment)) => (before, Some(fragment)),
            None => (rest, None),
        };
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        Parts { scheme, userinfo, host, path, query, fragment }
    }
}

/// The parameters of `params` (`a=1&key=2;b=3`) named like a secret, with a value.
fn secret_params(params: &str) -> impl Iterator<Item = (&str, &str)> {
    params
        .split(['&', ';'])
        .filter_map(|pair| pair.split_once('='))
        .filter(|(name, value)| !value.is_empty() && is_secret_param(name))
}

/// `params` with the value of every parameter named like a secret replaced by [`MASK`].
fn mask_params(params: &str) -> String {
    let mut out = String::with_capacity(params.len());
    let mut rest = params;
    loop {
        let end = rest.find(['&', ';']).unwrap_or(rest.len());
        let pair = &rest[..end];
        match pair.split_once('=') {
            Some((name, value)) if !value.is_empty() && is_secret_param(name) => {
                out.push_str(name);
                out.push('=');
                out.push_str(MASK);
            }
            _ => out.push_str(pair),
        }
        if end == rest.len() {
            return out;
        }
        out.push_str(&rest[end..end + 1]);
        rest = &rest[end + 1..];
    }
}

/// Where the code of a Bitrix24 webhook is in `path` (`/rest/<digits>/<code>`), by byte range.
/// A code is at least 8 letters, digits, `_` or `-`, with a letter and a digit among them: what
/// Bitrix24 generates, and not a word of an ordinary REST path (`/rest/1/customers`).
fn webhook_code_at(path: &str) -> Option<std::ops::Range<usize>> {
    let segments: Vec<(usize, &str)> = path
        .split('/')
        .scan(0, |offset, segment| {
            let start = *offset;
            *offset += segment.len() + 1;
            Some((start, segment))
        })
        .collect();
    let is_user = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    let is_code = |s: &str| {
        s.len() >= 8
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && s.bytes().any(|b| b.is_ascii_digit())
            && s.bytes().any(|b| b.is_ascii_alphabetic())
    };
    segments.windows(3).find_map(|w| match w {
        [(_, rest), (_, user), (start, code)]
            if rest.eq_ignore_ascii_case("rest") && is_user(user) && is_code(code) =>
        {
            Some(*start..*start + code.len())
        }
        _ => None,
    })
}

/// `name` in lower-case words: split at `_`, `-`, `.` (any character that is not a letter or a
/// digit) and where a lower-case letter or a digit is followed by an upper-case one.
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// `%XX` escapes decoded (invalid UTF-8 replaced); anything else kept.
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                // Two hex digits are at most 0xFF.
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'%'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_match_whole_names_and_last_words_in_any_case() {
        for name in [
            "key",
            "KEY",
            "api_key",
            "apikey",
            "apiKey",
            "API-KEY",
            "X-Api-Key",
            "token",
            "access_token",
            "accessToken",
            "client_secret",
            "privateToken",
            "Password",
            "pass",
            "passwd",
            "auth",
            "signature",
            "X-Amz-Signature",
            "sig",
            "api%5Fkey",
        ] {
            assert!(is_secret_param(name), "{name}");
        }
        for name in ["phone", "keyword", "monkey", "author", "key_id", "passenger", "design", "sigma", "q", ""] {
            assert!(!is_secret_param(name), "{name}");
        }
    }

    #[test]
    fn masking_keeps_the_host_and_the_path_readable() {
        assert_eq!(mask_url("https://crm.example.com/api?key=abc123"), "https://crm.example.com/api?key=••••");
        assert_eq!(
            mask_url("https://ana:hunter2@crm.example.com:8443/api/v1?phone=%2B380&API_KEY=abc&x=1#frag"),
            "https://••••@crm.example.com:8443/api/v1?phone=%2B380&API_KEY=••••&x=1#frag"
        );
        assert_eq!(mask_url("https://token@api.example.com/"), "https://••••@api.example.com/");
        assert_eq!(
            mask_url("https://crm/find?phone={e164}&token={secret}"),
            "https://crm/find?phone={e164}&token=••••"
        );
        assert_eq!(mask_url("https://app/cb#access_token=abc&state=1"), "https://app/cb#access_token=••••&state=1");
        assert_eq!(mask_url("/find?sig=abc;x=1"), "/find?sig=••••;x=1");
        assert_eq!(
            mask_url("https://b24.example.com/rest/1/s3cr3tc0de/crm.duplicate.findbycomm.json"),
            "https://b24.example.com/rest/1/••••/crm.duplicate.findbycomm.json"
        );
        // Nothing to hide: exactly as written (no re-encoding, no trailing slash added).
        for plain in [
            "https://crm.example.com/api/customers?phone={e164}",
            "HTTPS://Crm.Example.com",
            "https://crm.example.com/rest/1/customers",
            "https://crm/find?key=",
            "https://crm/users/a@b?x",
            "not an address",
            "",
        ] {
            assert_eq!(mask_url(plain), plain);
        }
    }

    #[test]
    fn secrets_are_found_as_written() {
        assert_eq!(url_secrets("https://crm.example.com/find?phone={e164}"), vec![]);
        assert_eq!(
            url_secrets("https://u:p@crm/find?api_key=abc&phone={e164}&token={secret}"),
            vec![
                UrlSecret::Credentials,
                UrlSecret::Param { name: "api_key".into(), value: "abc".into() },
                UrlSecret::Param { name: "token".into(), value: "{secret}".into() },
            ]
        );
        assert_eq!(url_secrets("https://user@crm/"), vec![UrlSecret::Credentials]);
        assert_eq!(url_secrets("--hook=https://user@crm/"), vec![UrlSecret::Credentials]);
        assert_eq!(mask_url("--hook=https://u:p@crm/x"), "--hook=https://••••@crm/x");
        assert_eq!(url_secrets("https://@crm/"), vec![], "an empty user name carries nothing");
        assert_eq!(url_secrets("https://p.bitrix24.com/rest/12/abc123xyz/"), vec![UrlSecret::WebhookCode]);
        assert_eq!(url_secrets("https://crm/rest/1/customers/{digits}"), vec![]);
    }

    #[test]
    fn addresses_in_text_are_masked_and_the_rest_kept() {
        assert_eq!(
            mask_urls_in("GET https://u:p@x.example/a?key=abc failed;  retry\tlater api_key=def&to=1 done"),
            "GET https://••••@x.example/a?key=•••• failed;  retry\tlater api_key=••••&to=1 done"
        );
        assert_eq!(mask_urls_in("no address, a = b"), "no address, a = b");
        assert_eq!(
            mask_urls_in(r#"{"cb": "https://h.example/done?token=abc", "to": "1"}"#),
            r#"{"cb": "https://h.example/done?token=••••", "to": "1"}"#
        );
        assert_eq!(
            clean_message("bad\nkey: see /v1/call?token=s3cret\u{202E}x", 200),
            "bad key: see /v1/call?token=••••"
        );
    }

    #[test]
    fn addresses_are_found_in_sentences_and_bodies() {
        let body = r#"{"to": "{number}", "cb": "https://h.example/done?token={secret}"}"#;
        assert_eq!(urls_in(body).collect::<Vec<_>>(), ["https://h.example/done?token={secret}"]);
        assert_eq!(urls_in("https://a.example/x").collect::<Vec<_>>(), ["https://a.example/x"]);
        assert_eq!(urls_in("see <http://a/> and 'ftp://b/'").collect::<Vec<_>>(), ["http://a/", "ftp://b/"]);
        assert_eq!(urls_in("no address").count(), 0);
    }

    #[test]
    fn the_host_comes_without_credentials() {
        assert_eq!(url_host("https://u:p@api.example.com:8443/call?x"), Some("api.example.com:8443"));
        assert_eq!(url_host("https://api.example.com"), Some("api.example.com"));
        assert_eq!(url_host("/relative"), None);
        assert_eq!(url_host("https:///x"), None);
    }
}
