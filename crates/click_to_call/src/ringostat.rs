//! Ringostat's simple callback: `POST https://api.ringostat.net/callback/outward_call`, header
//! `Auth-key`, form body `extension=…&destination=…`. Its answer's body is not documented: any
//! 2xx is success, unless the body is JSON that says it is an error.

use ringside_http::text::encode_component;
use ringside_http::{Answer, Method};
use ringside_secrets::SecretString;
use serde_json::Value;
use url::Url;

use crate::answer::{json, usual_message, Who};
use crate::request::{Built, Header, MASK};
use crate::{endpoint, CallError};

pub(crate) const BASE: &str = "https://api.ringostat.net/";
const METHOD: &str = "callback/outward_call";

#[derive(Clone)]
pub(crate) struct Ringostat {
    pub(crate) project_id: String,
    pub(crate) extension: String,
    pub(crate) base: Url,
}

impl Ringostat {
    pub(crate) fn build(&self, name: &str, number: &str, secret: &SecretString) -> Result<Built, CallError> {
        let url = endpoint(&self.base, METHOD, name)?;
        let auth =
            Header::secret("Auth-key", secret.expose(), MASK.to_string()).ok_or_else(|| CallError::BadSecret {
                name: name.to_string(),
                problem: "cannot be sent in the Auth-key header (it holds a line break or another character a \
                          header cannot carry)"
                    .to_string(),
            })?;
        let bad_config = |what: &str| CallError::Config {
            name: name.to_string(),
            problem: format!("{what} cannot be sent in a header"),
        };
        let project = Header::plain("x-project-id", &self.project_id).ok_or_else(|| bad_config("project_id"))?;
        let form = Header::plain("Content-Type", "application/x-www-form-urlencoded")
            .ok_or_else(|| bad_config("Content-Type"))?;
        let body = format!("extension={}&destination={}", encode_component(&self.extension), encode_component(number));
        Ok(Built {
            method: Method::POST,
            url_shown: url.to_string(),
            url,
            headers: vec![form, auth, project],
            body: Some((body.clone(), body)),
        })
    }

    pub(crate) fn outcome(&self, who: &Who<'_>, answer: &Answer) -> Result<Option<String>, CallError> {
        if let Some(e) = who.refused_or_limited(answer) {
            return Err(e);
        }
        let body = json(&answer.body);
        let says_error = body.as_ref().is_some_and(|b| {
            b.get("status").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("error"))
                || b.get("error").is_some_and(|e| !e.is_null() && e != &Value::Bool(false))
        });
        if says_error || !answer.status.is_success() {
            return Err(who.refusal(answer, usual_message(body.as_ref())));
        }
        Ok(None)
    }
}
