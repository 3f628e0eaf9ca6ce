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
    let secs = d.as_secs() as i64;
    let (y, m, day) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{day:02}T{:02}:{:02}:{:02}.{:03}+0000",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// `HH:MM:SS`, as in `CoreShowChannel`'s `Duration`.
pub(crate) fn hms(secs: u64) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
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
