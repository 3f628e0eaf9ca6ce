//! The outbox's clock: what "now" is for the write-back schedule (when an item was queued, when
//! it is due again after a failure), and how to wait for a time on it.
//!
//! [`History`](crate::History) itself takes `now` as an argument; whoever drives the outbox (the
//! runtime's history thread and sender) reads it from a [`Clock`]. In production that is the
//! [`SystemClock`]. A test gives its own clock to everything started inside [`with_clock`], so
//! an hour of backoff passes when the test says so, while sockets, files and servers stay real.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use ringside_core::Timestamp;

/// A wait on a [`Clock`]: resolves once the clock reads the time waited for.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Where the outbox's time comes from.
pub trait Clock: Send + Sync + 'static {
    /// The time now, in milliseconds since the Unix epoch.
    fn now(&self) -> Timestamp;

    /// Resolves once [`Clock::now`] is at or after `at` (at once if it is already). Must be
    /// awaited inside a tokio runtime.
    fn sleep_until(&self, at: Timestamp) -> Sleep;
}

/// The computer's clock; waits are tokio timers.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }

    fn sleep_until(&self, at: Timestamp) -> Sleep {
        let wait = Duration::from_millis(at.as_millis().saturating_sub(Timestamp::now().as_millis()));
        Box::pin(tokio::time::sleep(wait))
    }
}

tokio::task_local! {
    static CLOCK: Arc<dyn Clock>;
}

/// Runs `f` with `clock` as the clock of every history thread and outbox sender started while
/// `f` runs (`ringside_runtime::Runtime::start` reads it once, when it starts them; they keep
/// it after `f` is done). Code outside such a scope gets the [`SystemClock`].
pub async fn with_clock<F: Future>(clock: Arc<dyn Clock>, f: F) -> F::Output {
    CLOCK.scope(clock, f).await
}

/// The clock of the enclosing [`with_clock`], else the [`SystemClock`].
pub fn current_clock() -> Arc<dyn Clock> {
    CLOCK.try_with(Arc::clone).unwrap_or_else(|_| Arc::new(SystemClock))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Timestamp);

    impl Clock for Fixed {
        fn now(&self) -> Timestamp {
            self.0
        }

        fn sleep_until(&self, _: Timestamp) -> Sleep {
            Box::pin(std::future::ready(()))
        }
    }

    #[tokio::test]
    async fn a_scope_hands_its_clock_to_what_starts_inside_it_and_only_there() {
        let fixed: Arc<dyn Clock> = Arc::new(Fixed(Timestamp::from_millis(42)));
        let inside = with_clock(fixed, async { current_clock().now() }).await;
        assert_eq!(inside, Timestamp::from_millis(42));
        let outside = current_clock().now();
        assert!(outside.as_millis() > 1_600_000_000_000, "the system clock outside: {outside:?}");
    }

    #[tokio::test]
    async fn the_system_clock_waits_for_a_time_and_not_for_a_past_one() {
        let clock = SystemClock;
        clock.sleep_until(Timestamp::from_millis(0)).await;
        let at = Timestamp::from_millis(clock.now().as_millis() + 30);
        clock.sleep_until(at).await;
        assert!(clock.now() >= at);
    }
}
