//! When to try the PBX again after a failed or lost connection: the policy every AMI user of
//! Ringside shares (the desk's source task, the relay).

use std::time::Duration;

use rand::Rng;

/// When to try the PBX again. A PBX that restarts refuses connections for a few seconds: while
/// nothing listens, Ringside tries again soon (250 ms, 500 ms, then every ~750 ms), so it is
/// back within a second of the PBX accepting logins. That costs the PBX's host a refused TCP
/// handshake, never a login. Anything else (no answer, a connection lost after login, nothing
/// listening for more than two minutes) waits longer each time, up to 30 s. Jitter (±25%)
/// spreads a call center's desktops.
pub struct Backoff {
    next: Duration,
    /// When the PBX started refusing connections, while it still does.
    refusing_since: Option<tokio::time::Instant>,
    quick: usize,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(500);
    const CAP: Duration = Duration::from_secs(30);
    /// The waits while nothing listens: the first two, then the last one again.
    const QUICK: [Duration; 3] = [Duration::from_millis(250), Duration::from_millis(500), Duration::from_millis(750)];
    /// After this long refusing, the PBX is down rather than restarting.
    const QUICK_FOR: Duration = Duration::from_secs(120);

    pub fn new() -> Self {
        Self { next: Self::FIRST, refusing_since: None, quick: 0 }
    }

    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// The wait after an attempt that failed in another way than a refused connection.
    pub fn step(&mut self) -> Duration {
        self.refusing_since = None;
        self.quick = 0;
        let wait = jitter(self.next);
        self.next = (self.next * 2).min(Self::CAP);
        wait
    }

    /// The wait after a refused connection (nothing listens: a restart in progress).
    pub fn step_refused(&mut self) -> Duration {
        let since = *self.refusing_since.get_or_insert_with(tokio::time::Instant::now);
        if since.elapsed() > Self::QUICK_FOR {
            let wait = jitter(self.next);
            self.next = (self.next * 2).min(Self::CAP);
            return wait;
        }
        let wait = Self::QUICK[self.quick.min(Self::QUICK.len() - 1)];
        self.quick += 1;
        jitter(wait)
    }
}

fn jitter(wait: Duration) -> Duration {
    wait.mul_f64(rand::rng().random_range(0.75..1.25))
}

#[cfg(test)]
mod tests {
    use super::Backoff;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn a_pbx_that_refuses_connections_is_tried_again_within_a_second_for_two_minutes() {
        let mut backoff = Backoff::new();
        let waits: Vec<Duration> = (0..40).map(|_| backoff.step_refused()).collect();
        assert!(waits[0] <= Duration::from_millis(313) && waits[1] <= Duration::from_millis(625), "{waits:?}");
        assert!(waits.iter().all(|w| *w <= Duration::from_millis(938)), "{waits:?}");
        // Still refusing after two minutes: the PBX is down, not restarting; wait longer each time.
        tokio::time::advance(Duration::from_secs(121)).await;
        let later: Vec<Duration> = (0..8).map(|_| backoff.step_refused()).collect();
        assert!(later[7] >= Duration::from_secs(22), "{later:?}");
        assert!(later.iter().all(|w| *w <= Duration::from_millis(37_500)), "{later:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn other_failures_wait_longer_each_time_up_to_thirty_seconds() {
        let mut backoff = Backoff::new();
        let waits: Vec<Duration> = (0..10).map(|_| backoff.step()).collect();
        assert!(waits[0] >= Duration::from_millis(375) && waits[0] <= Duration::from_millis(625), "{waits:?}");
        assert!(waits[3] >= Duration::from_secs(3), "{waits:?}");
        assert!(waits[9] >= Duration::from_millis(22_500) && waits[9] <= Duration::from_millis(37_500), "{waits:?}");
        // A refused connection after those starts quick again, and a success resets everything.
        assert!(backoff.step_refused() <= Duration::from_millis(313));
        backoff.reset();
        assert!(backoff.step() <= Duration::from_millis(625));
    }
}
