//! When a session ends: at its expiry, or after a spell without requests
//! (the idle timeout). A live session's last use is written down only now
//! and then, so a busy phone does not cost a database write per request.

use time::{Duration, OffsetDateTime};

/// The default idle timeout (PCI DSS 8.2.8: 15 minutes).
pub const DEFAULT_IDLE: Duration = Duration::minutes(15);

/// How stale the recorded last use may get before a request refreshes it.
pub const TOUCH_EVERY: Duration = Duration::seconds(30);

/// What a request finds its session to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionVerdict {
    /// Usable; `touch` when its last use should be recorded as now.
    Live {
        /// Whether to record the use.
        touch: bool,
    },
    /// Past its expiry.
    Expired,
    /// Unused for longer than the idle timeout.
    Idle,
}

/// The verdict on a session created to end at `expires_at` and last used at
/// `last_seen_at`, for a request at `now`.
pub fn verdict(
    expires_at: OffsetDateTime,
    last_seen_at: OffsetDateTime,
    now: OffsetDateTime,
    idle: Duration,
) -> SessionVerdict {
    if expires_at <= now {
        SessionVerdict::Expired
    } else if now - last_seen_at > idle {
        SessionVerdict::Idle
    } else {
        SessionVerdict::Live {
            touch: now - last_seen_at >= TOUCH_EVERY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_session_unused_past_the_idle_timeout_ends_even_before_its_expiry() {
        let seen = datetime!(2030-01-01 10:00 UTC);
        let expires = datetime!(2030-01-01 18:00 UTC);
        assert_eq!(
            verdict(expires, seen, seen + DEFAULT_IDLE, DEFAULT_IDLE),
            SessionVerdict::Live { touch: true }
        );
        assert_eq!(
            verdict(
                expires,
                seen,
                seen + DEFAULT_IDLE + Duration::seconds(1),
                DEFAULT_IDLE
            ),
            SessionVerdict::Idle
        );
        assert_eq!(
            verdict(expires, seen, expires, DEFAULT_IDLE),
            SessionVerdict::Expired
        );
    }

    #[test]
    fn use_is_recorded_at_most_every_thirty_seconds() {
        let seen = datetime!(2030-01-01 10:00 UTC);
        let expires = datetime!(2030-01-01 18:00 UTC);
        assert_eq!(
            verdict(expires, seen, seen + Duration::seconds(29), DEFAULT_IDLE),
            SessionVerdict::Live { touch: false }
        );
        assert_eq!(
            verdict(expires, seen, seen + TOUCH_EVERY, DEFAULT_IDLE),
            SessionVerdict::Live { touch: true }
        );
    }
}
