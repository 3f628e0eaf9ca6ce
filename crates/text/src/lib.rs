//! Text that crosses a trust boundary, in one place so every path agrees: a stranger's or a
//! server's words cleaned before anybody sees them (`clean`), a value encoded before it goes
//! into a URL or a body, and [`WebUrl`], the only kind of address Ringside opens or links to.

mod clean;
mod web_url;

pub use clean::{clean_text, encode_component, fill_placeholders, is_bidi_control, is_bidi_mark};
pub use web_url::{WebUrl, WebUrlError};
