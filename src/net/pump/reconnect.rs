//! When and how often a pump reconnects: attempts in a row up to `reconnect_max`, waiting
//! 100 ms, 200 ms, 400 ms, ... (at most [`MAX_BACKOFF`]) before each, and the count starting
//! again once a connection has delivered [`HEALTHY_BYTES`].

use super::queue::Shared;
use super::{End, Target, HEALTHY_BYTES, MAX_BACKOFF};
use std::time::Duration;

/// A pump's reconnection state, from its first connection to its end.
pub(super) struct Reconnect {
    /// Reopen after a drop at all ([`Target::reconnect`]).
    enabled: bool,
    /// Attempts in a row allowed ([`Target::reconnect_max`]).
    max: u32,
    /// Attempts since the last healthy connection.
    attempts: u32,
    /// Bytes the current connection has delivered (ICY blocks included).
    delivered: u64,
    /// How the stream ends if reconnecting fails: where the data ended after a clean close
    /// (as without `reconnect`), or the error that dropped the connection. Set by the first
    /// drop, so it also says whether the next connection replaces one that dropped.
    cause: Option<End>,
}

impl Reconnect {
    pub(super) fn new(t: &Target) -> Self {
        Reconnect {
            enabled: t.reconnect,
            max: t.reconnect_max,
            attempts: 0,
            delivered: 0,
            cause: None,
        }
    }

    /// Whether there is no attempt left: reconnecting is off, or `reconnect_max` attempts
    /// in a row have been made.
    pub(super) fn exhausted(&self) -> bool {
        !self.enabled || self.attempts >= self.max
    }

    /// Whether the next connection replaces one that dropped (a seek's first one does not):
    /// it counts as a reconnection.
    pub(super) fn after_drop(&self) -> bool {
        self.cause.is_some()
    }

    /// A connection starts delivering.
    pub(super) fn connected(&mut self) {
        self.delivered = 0;
    }

    /// Counts `n` bytes the current connection delivered; once it has delivered
    /// [`HEALTHY_BYTES`] it was healthy, and the attempts count starts again.
    pub(super) fn delivered(&mut self, n: u64) {
        self.delivered += n;
        if self.delivered >= HEALTHY_BYTES {
            self.attempts = 0;
        }
    }

    /// Records how the stream ends if the reconnection that follows a drop fails.
    pub(super) fn dropped(&mut self, cause: End) {
        self.cause = Some(cause);
    }

    /// How the stream ends now that reconnecting has failed: as the last drop said, or
    /// `None` if no connection dropped (opening a seek's first connection failed).
    pub(super) fn take_cause(&mut self) -> Option<End> {
        self.cause.take()
    }

    /// Counts the next attempt, logs why and when it comes (`say` words the warning from
    /// the attempt number, `reconnect_max` and the delay) and sleeps its backoff. `false`
    /// when the pump of `generation` was told to stop meanwhile: it exits.
    pub(super) fn retry(
        &mut self,
        shared: &Shared,
        generation: u64,
        say: impl FnOnce(u32, u32, Duration) -> String,
    ) -> bool {
        self.attempts += 1;
        let delay = backoff(self.attempts);
        log::warn!("{}", say(self.attempts, self.max, delay));
        shared.sleep(generation, delay)
    }
}

/// 100 ms, 200 ms, 400 ms, ... at most [`MAX_BACKOFF`].
fn backoff(attempt: u32) -> Duration {
    let ms = 100u64.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    Duration::from_millis(ms).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_most() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(3), Duration::from_millis(400));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }
}
