//! Text that crosses a trust boundary, in one place so every path agrees: a stranger's or a
//! server's words cleaned before anybody sees them (`clean`), a value encoded before it goes
//! into a URL or a body, [`WebUrl`], the only kind of address Ringside opens or links to, and
//! the secrets an address may carry, found for the config to refuse and masked wherever an
//! address is shown (`url_secrets`).

mod clean;
mod url_secrets;
mod web_url;

pub use clean::{clean_text, encode_component, fill_placeholders, is_bidi_control, is_bidi_mark};
pub use url_secrets::{
    clean_message, is_secret_param, mask_url, mask_urls_in, url_host, url_secrets, urls_in, UrlSecret, MASK,
    SECRET_PARAM_NAMES,
};
pub use web_url::{WebUrl, WebUrlError};
