//! Wall-clock values as Asterisk prints them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) fn since_epoch() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// Unix seconds, as in `Uniqueid` and `LoginTime`.
pub(crate) fn unix_secs() -> u64 {
    since_epoch().as_secs()
}

/// `1795304601.123456`, as in `Ping`'s `Timestamp`.
pub(crate) fn timestamp() -> String {
    let d = since_epoch();
    format!("{}.{:06}", d.as_secs(), d.subsec_micros())
}

/// `2026-11-21T23:43:20.894+0000`, as in security events' `EventTV`.
pub(crate) fn event_tv(d: Duration) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000");
    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| t.replace_millisecond(u16::try_from(d.subsec_millis()).unwrap_or(0)).unwrap_or(t))
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000+0000".to_string())
}

/// `HH:MM:SS`, as in `CoreShowChannel`'s `Duration`.
pub(crate) fn hms(secs: u64) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(event_tv(Duration::from_millis(1_795_304_600_894)), "2026-11-21T23:43:20.894+0000");
        assert_eq!(event_tv(Duration::ZERO), "1970-01-01T00:00:00.000+0000");
        assert_eq!(hms(3 * 3600 + 62), "03:01:02");
    }
}
