//! Binotel: `POST https://api.binotel.com/api/4.0/calls/internal-number-to-external-number.json`
//! with `{"internalNumber", "externalNumber", "key", "secret"}` as JSON; the answer is
//! `{"status": "success", "generalCallID": …}` or `{"status": "error", "code": …, "message": …}`.

use ringside_http::{Answer, Method};
use ringside_secrets::SecretString;
use serde_json::json;
use url::Url;

use crate::answer::{status_outcome, Who};
use crate::request::{Built, Header, MASK};
use crate::{endpoint, CallError};

pub(crate) const BASE: &str = "https://api.binotel.com/api/4.0/";
const METHOD: &str = "calls/internal-number-to-external-number.json";

#[derive(Clone)]
pub(crate) struct Binotel {
    pub(crate) key: String,
    pub(crate) extension: String,
    pub(crate) base: Url,
}

impl Binotel {
    pub(crate) fn build(&self, name: &str, number: &str, secret: &SecretString) -> Result<Built, CallError> {
        let url = endpoint(&self.base, METHOD, name)?;
        let body = |secret: &str| {
            json!({
                "internalNumber": self.extension,
                "externalNumber": number,
                "key": self.key,
                "secret": secret,
            })
            .to_string()
        };
        let content_type = Header::plain("Content-Type", "application/json")
            .ok_or_else(|| CallError::Config { name: name.to_string(), problem: "bad header".to_string() })?;
        Ok(Built {
            method: Method::POST,
            url_shown: url.to_string(),
            url,
            headers: vec![content_type],
            body: Some((body(secret.expose()), body(MASK))),
        })
    }

    pub(crate) fn outcome(&self, who: &Who<'_>, answer: &Answer) -> Result<Option<String>, CallError> {
        status_outcome(who, answer, Some("generalCallID"))
    }
}
