//! The rate-limit rule: the generic cell rate algorithm (GCRA), a token
//! bucket kept as one number. A key may send `burst` requests at once and
//! then one per `period / burst`; a request that comes too early is
//! refused with the time to wait, and costs nothing. Time is microseconds
//! on any monotonic clock.

/// How many requests, and how fast they come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests allowed at once, and regained per `period_us`.
    pub burst: u32,
    /// The period over which `burst` requests come back, in microseconds.
    pub period_us: u64,
}

impl Rate {
    /// `burst` requests per minute.
    pub const fn per_minute(burst: u32) -> Self {
        Rate {
            burst,
            period_us: 60_000_000,
        }
    }

    /// `burst` requests per hour.
    pub const fn per_hour(burst: u32) -> Self {
        Rate {
            burst,
            period_us: 3_600_000_000,
        }
    }

    /// The time one request's token takes to come back.
    fn interval_us(self) -> u64 {
        self.period_us / u64::from(self.burst.max(1))
    }

    /// How far ahead of now a key's theoretical arrival time may run.
    fn tolerance_us(self) -> u64 {
        self.interval_us() * u64::from(self.burst.max(1) - 1)
    }
}

/// One key's state: the theoretical arrival time of its next request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// When the key will have regained one request's token, in microseconds.
    pub next_us: u64,
}

impl Bucket {
    /// Whether the key has regained its whole burst at `now_us` (it may be forgotten).
    pub fn is_full(self, now_us: u64) -> bool {
        self.next_us <= now_us
    }
}

/// Counts one request at `now_us` (a new key starts with its whole burst).
/// Returns the bucket to keep, and `Err(wait_us)` when the request must be refused.
pub fn take(bucket: Option<Bucket>, rate: Rate, now_us: u64) -> (Bucket, Result<(), u64>) {
    let next = bucket.map_or(now_us, |b| b.next_us.max(now_us));
    let allowed_from = next.saturating_sub(rate.tolerance_us());
    if now_us < allowed_from {
        let kept = Bucket { next_us: next };
        return (kept, Err(allowed_from - now_us));
    }
    (
        Bucket {
            next_us: next + rate.interval_us(),
        },
        Ok(()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: u64 = 1_000_000;

    #[test]
    fn a_burst_passes_then_one_request_per_share_of_the_period() {
        let rate = Rate::per_minute(3);
        let mut bucket = None;
        for _ in 0..3 {
            let (kept, verdict) = take(bucket, rate, 0);
            assert_eq!(verdict, Ok(()));
            bucket = Some(kept);
        }
        let (kept, verdict) = take(bucket, rate, 0);
        assert_eq!(verdict, Err(20 * SECOND), "a request comes back every 20 s");
        let (kept, verdict) = take(Some(kept), rate, 20 * SECOND - 1);
        assert_eq!(verdict, Err(1));
        let (_, verdict) = take(Some(kept), rate, 20 * SECOND);
        assert_eq!(verdict, Ok(()));
    }

    #[test]
    fn refused_requests_cost_nothing_and_a_rested_key_has_its_burst_again() {
        let rate = Rate::per_minute(2);
        let (b, _) = take(None, rate, 0);
        let (b, _) = take(Some(b), rate, 0);
        let mut refused = b;
        for _ in 0..100 {
            let (kept, verdict) = take(Some(refused), rate, 10 * SECOND);
            assert_eq!(verdict, Err(20 * SECOND));
            refused = kept;
        }
        assert_eq!(refused, b, "refusals changed nothing");
        assert!(!b.is_full(60 * SECOND - 1));
        assert!(b.is_full(60 * SECOND));
        let (b, first) = take(Some(b), rate, 600 * SECOND);
        let (b, second) = take(Some(b), rate, 600 * SECOND);
        let (_, third) = take(Some(b), rate, 600 * SECOND);
        assert_eq!((first, second), (Ok(()), Ok(())), "the whole burst again");
        assert!(third.is_err(), "and never more than the burst");
    }

    #[test]
    fn a_clock_that_steps_back_regains_nothing() {
        let rate = Rate::per_minute(1);
        let (b, _) = take(None, rate, 50 * SECOND);
        let (_, verdict) = take(Some(b), rate, 10 * SECOND);
        assert!(verdict.is_err());
    }
}
