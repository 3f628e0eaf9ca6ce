//! Call recordings the PBX names in its events.
//!
//! Asterisk adds `ChanVariable: NAME=value` (and `DestChanVariable:` for the Dest channel) to
//! every channel event for the variables listed in `manager.conf`'s `channelvars`. MixMonitor
//! sets `MIXMONITOR_FILENAME` to the file it records to, so with
//! `channelvars = MIXMONITOR_FILENAME` every event of a recorded call names its file. A file
//! on the PBX is no use to the agent: [`RecordingLink`] turns it into the address the PBX's web
//! server (or FreePBX's UCP, or a CRM) serves it at. A value that already is an http(s)
//! address (a dialplan that sets its own variable) is taken as it is.

use ringside_text::{encode_component, WebUrl};

use crate::codec::Message;

/// Which channel variable names the recording, and where its file can be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingLink {
    /// The channel variable, e.g. `MIXMONITOR_FILENAME` (case-insensitive).
    pub variable: String,
    /// An http(s) address with `{file}`: the file's name (after the last `/`), percent-encoded.
    /// `None`: only values that already are http(s) addresses are used.
    pub url_template: Option<String>,
}

impl RecordingLink {
    /// The recording's address named in `msg`, if it names one for this variable.
    pub fn url_in(&self, msg: &Message) -> Option<WebUrl> {
        msg.iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("ChanVariable") || k.eq_ignore_ascii_case("DestChanVariable"))
            .filter_map(|(_, v)| v.split_once('='))
            .filter(|(name, _)| name.trim().eq_ignore_ascii_case(&self.variable))
            .find_map(|(_, value)| self.url_for(value))
    }

    /// The address of the recording `value` names: itself when it is an http(s) address,
    /// else the template with the file's name; `None` for an empty value or no template.
    pub fn url_for(&self, value: &str) -> Option<WebUrl> {
        let value = value.trim();
        if value.is_empty() || value.chars().any(|c| c.is_control()) {
            return None;
        }
        if let Ok(url) = WebUrl::parse(value) {
            return Some(url);
        }
        let file = value.rsplit(['/', '\\']).next().filter(|f| !f.is_empty() && *f != "." && *f != "..")?;
        let url = self.url_template.as_deref()?.replace("{file}", &encode_component(file));
        WebUrl::parse(&url).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(template: Option<&str>) -> RecordingLink {
        RecordingLink { variable: "MIXMONITOR_FILENAME".into(), url_template: template.map(str::to_owned) }
    }

    #[test]
    fn a_file_becomes_one_path_segment_of_the_template() {
        let l = link(Some("https://pbx.example.com/recordings/{file}"));
        assert_eq!(
            l.url_for("/var/spool/asterisk/monitor/2026/11/22/in-100-1795307397.0.wav").as_deref(),
            Some("https://pbx.example.com/recordings/in-100-1795307397.0.wav")
        );
        assert_eq!(
            l.url_for("/x/a b?c=1#&d/../e.wav").as_deref(),
            Some("https://pbx.example.com/recordings/e.wav"),
            "only the last segment"
        );
        assert_eq!(
            l.url_for("/x/a b?c=1&d.wav").as_deref(),
            Some("https://pbx.example.com/recordings/a%20b%3Fc%3D1%26d.wav")
        );
        for useless in ["", "  ", "/var/spool/", "..", "/x/..", "a\r\nb"] {
            assert_eq!(l.url_for(useless), None, "{useless:?}");
        }
    }

    #[test]
    fn an_address_is_taken_as_it_is_and_nothing_else_without_a_template() {
        let l = link(None);
        assert_eq!(l.url_for("/var/spool/asterisk/monitor/x.wav"), None);
        assert_eq!(l.url_for(" HTTPS://crm.example/rec/1 ").as_deref(), Some("https://crm.example/rec/1"));
        assert_eq!(l.url_for("javascript:alert(1)"), None);
        assert_eq!(l.url_for("https://a b"), None);
        assert_eq!(link(Some("file:///{file}")).url_for("x.wav"), None, "a template must stay http(s)");
    }
}
