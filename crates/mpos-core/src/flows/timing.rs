//! How long the flows wait, as plain data they are built with: the backoff
//! between reversal tries and the wait for the card's verdict on the
//! host's answer. The flows turn these into [`super::Command::StartTimer`]s;
//! they never read a clock.

/// Backoff between tries of a reversal the gateway did not acknowledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait after the first failure.
    pub first_ms: u64,
    /// The wait doubles after each failure up to this.
    pub max_ms: u64,
}

impl RetryPolicy {
    /// The wait before the next try, after `failures` failed tries (at
    /// least 1): `first_ms`, doubled per further failure, at most `max_ms`.
    pub fn delay_ms(&self, failures: u32) -> u64 {
        let doublings = failures.saturating_sub(1).min(63);
        self.first_ms
            .saturating_mul(1u64 << doublings)
            .min(self.max_ms.max(self.first_ms))
    }
}

/// Every wait the flows decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Backoff of unacknowledged reversals.
    pub reversal_retry: RetryPolicy,
    /// How long the reader may take to say whether the card accepted the
    /// host's answer; a sale without that verdict is reversed.
    pub card_verdict_ms: u64,
    /// How long the PIN pad waits for a touch (from the request, then from
    /// each touch) before the entry is cancelled: the cardholder walked
    /// away, and a pad left open invites a stranger to try PINs.
    pub pin_entry_idle_ms: u64,
}

impl Default for Timing {
    /// Half a second, doubling to 30 s, between reversal tries; 5 s for the
    /// card (a round trip over the audio link takes well under a second);
    /// 30 s between PIN touches.
    fn default() -> Timing {
        Timing {
            reversal_retry: RetryPolicy {
                first_ms: 500,
                max_ms: 30_000,
            },
            card_verdict_ms: 5_000,
            pin_entry_idle_ms: 30_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversal_backoff_doubles_up_to_the_cap() {
        let policy = Timing::default().reversal_retry;
        let delays: Vec<u64> = (1..=9).map(|n| policy.delay_ms(n)).collect();
        assert_eq!(
            delays,
            [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
        assert_eq!(policy.delay_ms(u32::MAX), 30_000, "no overflow");
        assert_eq!(policy.delay_ms(0), 500, "a first try counts as one");
    }

    #[test]
    fn a_cap_below_the_first_wait_keeps_the_first_wait() {
        let policy = RetryPolicy {
            first_ms: 800,
            max_ms: 100,
        };
        assert_eq!(policy.delay_ms(3), 800);
    }
}
