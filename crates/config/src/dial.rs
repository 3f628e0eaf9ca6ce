//! `[dial]` and `[[dial.connection]]`: how an outgoing call is placed — handed to a softphone on
//! this desktop, or asked of the PBX or a telephony provider — and how the number is written
//! for it. The file as written, checked and mapped into ringside-dial's settings, which own the
//! types ([`ringside_dial::settings`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use ringside_dial::settings::{
    BodyFormat, ConnectionConfig, ConnectionKind, DialConfig, DialRule, HttpConnection, LinkScheme, NumberFormat,
    Replace,
};
use serde::Deserialize;

use super::{bad_token_char, ConfigError, Document};

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct RawDial {
    default: Option<String>,
    confirm_links: Option<bool>,
    connection: Vec<RawConnection>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RawKind {
    Pbx,
    Microsip,
    Zoiper,
    System,
    Command,
    Binotel,
    Ringostat,
    Zadarma,
    Http,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConnection {
    name: String,
    kind: RawKind,
    // Rule.
    format: Option<NumberFormat>,
    #[serde(default)]
    replace: Vec<Replace>,
    prefix: Option<String>,
    // Kind-specific.
    path: Option<PathBuf>,
    scheme: Option<LinkScheme>,
    program: Option<PathBuf>,
    args: Option<Vec<String>>,
    key: Option<String>,
    extension: Option<String>,
    project_id: Option<String>,
    method: Option<String>,
    url: Option<String>,
    headers: Option<BTreeMap<String, String>>,
    body: Option<String>,
    body_format: Option<BodyFormat>,
    success_pointer: Option<String>,
    success_value: Option<String>,
    error_pointer: Option<String>,
    #[serde(default)]
    allow_plain_http: bool,
}

impl RawDial {
    pub(crate) fn into_config(self, doc: &Document<'_>) -> Result<DialConfig, ConfigError> {
        let mut connections: Vec<ConnectionConfig> = Vec::with_capacity(self.connection.len());
        for (i, raw) in self.connection.into_iter().enumerate() {
            let c = raw.into_config(doc, i)?;
            if connections.iter().any(|o| o.name == c.name) {
                return Err(doc.invalid(
                    &format!("dial.connection[{i}].name"),
                    format!("{:?} is already taken; give each connection its own name", c.name),
                ));
            }
            connections.push(c);
        }
        if let Some(default) = &self.default {
            let known = if connections.is_empty() {
                default == DialConfig::BUILTIN
            } else {
                connections.iter().any(|c| &c.name == default)
            };
            if !known {
                let names: Vec<String> = if connections.is_empty() {
                    vec![format!("{:?}", DialConfig::BUILTIN)]
                } else {
                    connections.iter().map(|c| format!("{:?}", c.name)).collect()
                };
                return Err(doc.invalid(
                    "dial.default",
                    format!("{default:?} is not a connection; expected one of: {}", names.join(", ")),
                ));
            }
        }
        let confirm_links = self.confirm_links.unwrap_or(DialConfig::default().confirm_links);
        Ok(DialConfig { default: self.default, confirm_links, connections })
    }
}

impl RawConnection {
    fn into_config(self, doc: &Document<'_>, i: usize) -> Result<ConnectionConfig, ConfigError> {
        let field = |name: &str| format!("dial.connection[{i}].{name}");
        super::lookup::check_name(doc, &field("name"), &self.name, "connection", "office")?;
        // Which kind-specific settings each kind takes; anything else set is a mistake.
        let allowed: &[&str] = match self.kind {
            RawKind::Pbx => &[],
            RawKind::Microsip | RawKind::Zoiper => &["path"],
            RawKind::System => &["scheme"],
            RawKind::Command => &["program", "args"],
            RawKind::Binotel | RawKind::Zadarma => &["key", "extension"],
            RawKind::Ringostat => &["project_id", "extension"],
            RawKind::Http => &[
                "method",
                "url",
                "headers",
                "body",
                "body_format",
                "extension",
                "success_pointer",
                "success_value",
                "error_pointer",
                "allow_plain_http",
            ],
        };
        let set = [
            ("path", self.path.is_some()),
            ("scheme", self.scheme.is_some()),
            ("program", self.program.is_some()),
            ("args", self.args.is_some()),
            ("key", self.key.is_some()),
            ("extension", self.extension.is_some()),
            ("project_id", self.project_id.is_some()),
            ("method", self.method.is_some()),
            ("url", self.url.is_some()),
            ("headers", self.headers.is_some()),
            ("body", self.body.is_some()),
            ("body_format", self.body_format.is_some()),
            ("success_pointer", self.success_pointer.is_some()),
            ("success_value", self.success_value.is_some()),
            ("error_pointer", self.error_pointer.is_some()),
            ("allow_plain_http", self.allow_plain_http),
        ];
        if let Some((name, _)) = set.iter().find(|(name, on)| *on && !allowed.contains(name)) {
            return Err(
                doc.invalid(&field(name), format!("is not used by this kind of connection ({})", kind_word(self.kind)))
            );
        }
        let required = |name: &str, value: Option<String>| -> Result<String, ConfigError> {
            match value {
                Some(v) if !v.trim().is_empty() && bad_token_char(&v).is_none() => Ok(v),
                Some(v) => Err(doc.invalid(&field(name), format!("{v:?} must be one word without spaces"))),
                None => Err(doc.invalid(&field(name), format!("must be set for kind = \"{}\"", kind_word(self.kind)))),
            }
        };
        let kind = match self.kind {
            RawKind::Pbx => ConnectionKind::Pbx,
            RawKind::Microsip => ConnectionKind::Microsip { path: self.path },
            RawKind::Zoiper => ConnectionKind::Zoiper { path: self.path },
            RawKind::System => ConnectionKind::System { scheme: self.scheme.unwrap_or_default() },
            RawKind::Command => {
                let program = self.program.ok_or_else(|| {
                    doc.invalid(&field("program"), "must be set for kind = \"command\": the program to start")
                })?;
                let args = self.args.unwrap_or_else(|| vec!["{number}".to_string()]);
                // The number must be an argument of its own: glued to other text it could be
                // read as an option ("--to={number}" is fine for us, but not "/password:{number}").
                if !args.iter().any(|a| a == "{number}") {
                    return Err(doc.invalid(
                        &field("args"),
                        "must have \"{number}\" as one whole argument, e.g. [\"--dial\", \"{number}\"]",
                    ));
                }
                if let Some(a) = args.iter().find(|a| a.contains("{number}") && *a != "{number}") {
                    return Err(doc.invalid(
                        &field("args"),
                        format!("{a:?}: {{number}} must be an argument of its own, not part of one"),
                    ));
                }
                ConnectionKind::Command { program, args }
            }
            RawKind::Binotel => ConnectionKind::Binotel {
                key: required("key", self.key)?,
                extension: required("extension", self.extension)?,
            },
            RawKind::Zadarma => ConnectionKind::Zadarma {
                key: required("key", self.key)?,
                extension: required("extension", self.extension)?,
            },
            RawKind::Ringostat => ConnectionKind::Ringostat {
                project_id: required("project_id", self.project_id)?,
                extension: required("extension", self.extension)?,
            },
            RawKind::Http => {
                let method = self.method.unwrap_or_else(|| "POST".to_string()).to_ascii_uppercase();
                if method != "GET" && method != "POST" {
                    return Err(doc.invalid(&field("method"), format!("{method:?}: use \"GET\" or \"POST\"")));
                }
                let url = self.url.ok_or_else(|| {
                    doc.invalid(&field("url"), "must be set for kind = \"http\": the provider's click-to-call address")
                })?;
                super::lookup::check_url(&url, &["number", "extension", "secret"], self.allow_plain_http)
                    .map_err(|m| doc.invalid(&field("url"), m))?;
                let headers = self.headers.unwrap_or_default();
                for (name, value) in &headers {
                    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)) {
                        return Err(doc.invalid(&field("headers"), format!("{name:?} is not a header name")));
                    }
                    if value.chars().any(char::is_control) {
                        return Err(doc.invalid(&field("headers"), format!("the value of {name} must be one line")));
                    }
                }
                if method == "GET" && self.body.is_some() {
                    return Err(doc.invalid(&field("body"), "a GET request has no body; use method = \"POST\""));
                }
                for (name, p) in [("success_pointer", &self.success_pointer), ("error_pointer", &self.error_pointer)] {
                    if let Some(p) = p {
                        if !(p.is_empty() || p.starts_with('/')) {
                            return Err(doc.invalid(
                                &field(name),
                                format!("{p:?} is not a JSON pointer; it starts with '/', such as \"/status\""),
                            ));
                        }
                    }
                }
                if self.success_pointer.is_some() != self.success_value.is_some() {
                    return Err(doc.invalid(
                        &field("success_value"),
                        "success_pointer and success_value go together: where to look and what it must say",
                    ));
                }
                ConnectionKind::Http(HttpConnection {
                    method,
                    url,
                    headers,
                    body: self.body,
                    body_format: self.body_format.unwrap_or_default(),
                    extension: self.extension.unwrap_or_default(),
                    success_pointer: self.success_pointer,
                    success_value: self.success_value,
                    error_pointer: self.error_pointer,
                    allow_plain_http: self.allow_plain_http,
                })
            }
        };
        let dialable = |s: &str| s.chars().all(|c| c.is_ascii_digit() || c == '+' || c == '*' || c == '#');
        let prefix = self.prefix.unwrap_or_default();
        if !dialable(&prefix) {
            return Err(doc.invalid(&field("prefix"), format!("{prefix:?} may only hold digits, '*', '#' and '+'")));
        }
        for (j, r) in self.replace.iter().enumerate() {
            if r.from.is_empty() || !dialable(&r.from) || !dialable(&r.to) {
                return Err(doc.invalid(
                    &format!("dial.connection[{i}].replace[{j}]"),
                    "from and to may only hold digits, '*', '#' and '+', and from must not be empty",
                ));
            }
        }
        let rule = DialRule { format: self.format.unwrap_or_default(), replace: self.replace, prefix };
        Ok(ConnectionConfig { name: self.name, kind, rule })
    }
}

fn kind_word(kind: RawKind) -> &'static str {
    match kind {
        RawKind::Pbx => "pbx",
        RawKind::Microsip => "microsip",
        RawKind::Zoiper => "zoiper",
        RawKind::System => "system",
        RawKind::Command => "command",
        RawKind::Binotel => "binotel",
        RawKind::Ringostat => "ringostat",
        RawKind::Zadarma => "zadarma",
        RawKind::Http => "http",
    }
}
