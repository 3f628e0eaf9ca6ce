//! Addresses that carry a secret: every address in a string of the file (`scheme://…`:
//! `[[lookup.crm]]` `url`, `card_url`, `log_url`, `log_update_url`, `create_url`,
//! `new_order_url`, a `[[dial.connection]]`
//! `url`, `[source]` `recording_url`, and any other) is read with ringside-text's
//! [`url_secrets`](ringside_text::url_secrets), and so is `[source]` `host`. A user name or
//! password before the host, a Bitrix24 webhook's code, and a parameter named like a secret
//! (`api_key`, `token`, … see [`SECRET_PARAM_NAMES`](ringside_text::SECRET_PARAM_NAMES)) whose
//! value is written out are refused, with where the secret goes instead. A value that is only
//! placeholders is not written out; `{secret}`, which Ringside fills from the keychain, counts
//! as a placeholder only where it is filled (a `[[dial.connection]]`'s `url`, `headers`, `body`).

use ringside_text::{fill_placeholders, mask_url, url_secrets, urls_in, UrlSecret, MASK};

use super::{ConfigError, Document, Entry};

fn webhook_is_the_secret(name: &str) -> String {
    format!(
        "a Bitrix24 webhook URL is itself the secret; use kind = \"bitrix24\" with no address in this file and \
         store the webhook URL with: ringside-cli secret set crm:{name}"
    )
}

/// Where a setting that holds an address belongs, for saying where its secret goes.
enum Place<'a> {
    /// `lookup.crm[i].<field>`: the CRM's name, whether it is Bitrix24, the setting.
    Crm { name: &'a str, bitrix: bool, field: &'a str },
    /// `dial.connection[i].url`, `.body` or `.headers.<name>`, templates where `{secret}` is
    /// filled from the keychain: the connection's name.
    DialTemplate { name: &'a str },
    /// `source.recording_url`.
    Recording,
    /// `source.host`.
    AmiHost,
    /// Anything else.
    Other,
}

impl<'a> Place<'a> {
    fn of(doc: &'a Document<'_>, path: &'a str) -> Place<'a> {
        let name_of = |table: &str| doc.string_at(&format!("{table}.name")).unwrap_or("NAME");
        if let Some((table, field)) = indexed(path, "lookup.crm") {
            let bitrix = doc.string_at(&format!("{table}.kind")) == Some("bitrix24");
            return Place::Crm { name: name_of(table), bitrix, field };
        }
        if let Some((table, field)) = indexed(path, "dial.connection") {
            if field == "url" || field == "body" || field.starts_with("headers.") {
                return Place::DialTemplate { name: name_of(table) };
            }
        }
        if path == "source.recording_url" {
            Place::Recording
        } else {
            Place::Other
        }
    }

    /// Whether `{secret}` is filled from the keychain here.
    fn fills_secret(&self) -> bool {
        matches!(self, Place::DialTemplate { .. })
    }

    /// Where `secret` goes instead of this address.
    fn instead(&self, secret: &UrlSecret) -> String {
        match (self, secret) {
            (Place::Crm { name, .. }, UrlSecret::WebhookCode) => webhook_is_the_secret(name),
            (Place::Crm { field: field @ ("card_url" | "new_order_url"), .. }, _) => format!(
                "a CRM's page opens in the agent's browser, which signs in to the CRM by itself; leave the secret \
                 out of {field}"
            ),
            (Place::Crm { name, bitrix: true, .. }, _) => webhook_is_the_secret(name),
            (Place::Crm { name, .. }, UrlSecret::Credentials) => format!(
                "send them in a header instead (auth_header = \"Authorization\", auth_prefix = \"Basic \") and store \
                 the base64 of user:password with: ringside-cli secret set crm:{name}"
            ),
            (Place::Crm { name, .. }, UrlSecret::Param { .. }) => format!(
                "send the key in a header instead (auth_header = \"X-Api-Key\", or \"Authorization\" with \
                 auth_prefix = \"Bearer \") and store it with: ringside-cli secret set crm:{name}"
            ),
            (Place::DialTemplate { name }, UrlSecret::Credentials) => format!(
                "send them in a header instead (headers = {{ Authorization = \"Basic {{secret}}\" }}) and store the \
                 base64 of user:password with: ringside-cli secret set dial:{name}"
            ),
            (Place::DialTemplate { name }, UrlSecret::Param { name: param, .. }) => format!(
                "write {{secret}} in its place ({param}={{secret}}) and store the key with: ringside-cli secret set \
                 dial:{name}"
            ),
            (Place::DialTemplate { name }, UrlSecret::WebhookCode) => format!(
                "write {{secret}} in place of the code and store the code with: ringside-cli secret set dial:{name}"
            ),
            (Place::Recording, _) => "Ringside keeps no key for a recording server: the link goes to the agent's \
                 browser, the history and the CRM as written, so give an address that needs no secret in it (the \
                 recording server's own login, or access from the office network only)"
                .to_string(),
            (Place::AmiHost, _) => "write the host alone, the AMI user in source.username, and store the AMI secret \
                 with: ringside-cli secret set"
                .to_string(),
            (Place::Other, _) => "Ringside keeps secrets in the OS keychain only (ringside-cli secret set)".to_string(),
        }
    }
}

/// `lookup.crm[3].url` → `("lookup.crm[3]", "url")` for `table` = `lookup.crm`.
fn indexed<'p>(path: &'p str, table: &str) -> Option<(&'p str, &'p str)> {
    let rest = path.strip_prefix(table)?.strip_prefix('[')?;
    let (index, field) = rest.split_once("].")?;
    index.bytes().all(|b| b.is_ascii_digit()).then(|| (&path[..table.len() + index.len() + 2], field))
}

/// What the message says the address carries.
fn what(secret: &UrlSecret) -> String {
    match secret {
        UrlSecret::Credentials => "a user name or password before the host".to_string(),
        UrlSecret::Param { name, .. } => format!("a secret in its {name} parameter"),
        UrlSecret::WebhookCode => {
            "a Bitrix24 webhook code (/rest/<user id>/<code>/), which is the webhook's password".to_string()
        }
    }
}

/// Whether a parameter's value holds anything but placeholders (`{secret}` counts as written out
/// where nothing fills it).
fn written_out(value: &str, fills_secret: bool) -> bool {
    let rest = fill_placeholders(value, |name| (name != "secret" || fills_secret).then(String::new));
    !rest.is_empty()
}

/// The refusal for `entry` if its value is an address with a secret written into it.
pub(crate) fn refuse_secret(doc: &Document<'_>, entry: &Entry) -> Result<(), ConfigError> {
    let Some(value) = entry.string.as_deref() else {
        return Ok(());
    };
    let (place, secret, address) = if entry.path == "source.host" {
        // A host name, not an address: `user:password@pbx` is the only way a secret gets in.
        let Some((_, host)) = value.rsplit_once('@') else {
            return Ok(());
        };
        (Place::AmiHost, UrlSecret::Credentials, format!("{MASK}@{host}"))
    } else if value.contains("://") {
        // The value itself, or each address in a longer text (a JSON body with a callback).
        let place = Place::of(doc, &entry.path);
        let found = urls_in(value).find_map(|address| {
            let secret = url_secrets(address).into_iter().find(|secret| match secret {
                UrlSecret::Param { value, .. } => written_out(value, place.fills_secret()),
                UrlSecret::Credentials | UrlSecret::WebhookCode => true,
            })?;
            Some((secret, mask_url(address)))
        });
        let Some((secret, address)) = found else {
            return Ok(());
        };
        (place, secret, address)
    } else {
        return Ok(());
    };
    Err(ConfigError::SecretInAddress {
        path: doc.origin.to_path_buf(),
        field: entry.path.clone(),
        location: Some(doc.location(entry.value_span.start)),
        found: format!("{address:?} carries {}", what(&secret)),
        instead: place.instead(&secret),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_paths_name_their_table() {
        assert_eq!(indexed("lookup.crm[12].log_url", "lookup.crm"), Some(("lookup.crm[12]", "log_url")));
        assert_eq!(indexed("dial.connection[0].url", "dial.connection"), Some(("dial.connection[0]", "url")));
        assert_eq!(indexed("lookup.crm[x].url", "lookup.crm"), None);
        assert_eq!(indexed("lookup.order[0]", "lookup.crm"), None);
    }

    #[test]
    fn only_placeholders_are_not_written_out() {
        assert!(!written_out("{e164}", false));
        assert!(!written_out("", false));
        assert!(!written_out("{secret}", true));
        assert!(written_out("{secret}", false), "nothing fills {{secret}} there");
        assert!(written_out("abc{secret}", true));
        assert!(written_out("abc", true));
    }
}
