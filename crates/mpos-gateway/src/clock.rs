//! Where "now" comes from. Everything time-based asks a [`Clock`], so tests
//! can move time (lockouts, code expiry, the 23:00 settlement) without waiting.

use std::sync::Mutex;
use std::time::Instant;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A source of the current UTC time.
pub trait Clock: Send + Sync {
    /// The current time, UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock tests can set; it keeps running from the time it was set to,
/// so ordering by time still works between two settings.
#[derive(Debug)]
pub struct TestClock {
    anchor: Mutex<(OffsetDateTime, Instant)>,
}

impl TestClock {
    /// A test clock that starts at the machine's time.
    pub fn new() -> Self {
        TestClock {
            anchor: Mutex::new((OffsetDateTime::now_utc(), Instant::now())),
        }
    }

    /// Makes the clock read `now` from this moment on.
    pub fn set(&self, now: OffsetDateTime) {
        *self.anchor.lock().unwrap_or_else(|e| e.into_inner()) = (now, Instant::now());
    }
}

impl Default for TestClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        let (at, since) = *self.anchor.lock().unwrap_or_else(|e| e.into_inner());
        at + since.elapsed()
    }
}

/// Formats a time as RFC 3339 UTC with exactly three fraction digits, so
/// that text order in the database is time order.
pub fn format_time(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Parses an RFC 3339 time (any offset) into UTC.
pub fn parse_time(text: &str) -> Result<OffsetDateTime, time::error::Parse> {
    OffsetDateTime::parse(text, &Rfc3339).map(|t| t.to_offset(time::UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_fixed_width_utc() {
        let at = datetime!(2030-03-10 10:00:00.5 +08:00);
        assert_eq!(format_time(at), "2030-03-10T02:00:00.500Z");
        assert_eq!(parse_time(&format_time(at)).unwrap(), at);
    }

    #[test]
    fn text_order_is_time_order() {
        let a = format_time(datetime!(2030-03-10 02:00:00 UTC));
        let b = format_time(datetime!(2030-03-10 02:00:00.5 UTC));
        assert!(a < b);
    }

    #[test]
    fn test_clock_moves_to_the_set_time() {
        let clock = TestClock::new();
        clock.set(datetime!(2030-01-01 00:00 UTC));
        let now = clock.now();
        assert!(now >= datetime!(2030-01-01 00:00 UTC));
        assert!(now < datetime!(2030-01-01 00:01 UTC));
    }
}
