//! A token bucket per sender (a bearer token or a provider account): `rate` requests a second on
//! average, up to `burst` at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

pub(crate) struct RateLimiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

impl RateLimiter {
    pub(crate) fn new(rate: f64, burst: u32) -> Self {
        let rate = if rate.is_finite() && rate > 0.0 { rate } else { 1.0 };
        Self { rate, burst: f64::from(burst.max(1)), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `key`'s bucket, or says in how many whole seconds one is there.
    /// Keys come from the config (one per sender), so the map stays that size.
    pub(crate) fn take(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket { tokens: self.burst, last: now });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / self.rate).ceil();
            Err(if wait.is_finite() && wait >= 1.0 { wait as u64 } else { 1 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_then_the_rate() {
        let l = RateLimiter::new(2.0, 3);
        let t = Instant::now();
        for _ in 0..3 {
            assert_eq!(l.take("a", t), Ok(()));
        }
        assert_eq!(l.take("a", t), Err(1));
        // Another sender has its own bucket.
        assert_eq!(l.take("b", t), Ok(()));
        // Half a second at 2/s refills one.
        assert_eq!(l.take("a", t + Duration::from_millis(500)), Ok(()));
        assert_eq!(l.take("a", t + Duration::from_millis(500)), Err(1));
        let slow = RateLimiter::new(0.1, 1);
        assert_eq!(slow.take("a", t), Ok(()));
        assert_eq!(slow.take("a", t), Err(10));
    }
}
