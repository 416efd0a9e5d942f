//! Who may reverse an approved transaction, and until when. A reversal
//! undoes a sale without the password, because the phone sends it on its
//! own when it does not know how a request ended; so it is allowed only to
//! the user who made the original, and only shortly after. Later, or by
//! anyone else, undoing a sale is a void, which needs the password again.

use time::{Duration, OffsetDateTime};

/// How long after its admission an approved transaction may be reversed.
pub const DEFAULT_WINDOW: Duration = Duration::minutes(5);

/// Why an approved original cannot be reversed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReversalRefusal {
    /// Another user sent the original.
    #[error("another user made the original")]
    NotOwner,
    /// The original is in a settled batch.
    #[error("the original is settled")]
    Settled,
    /// Refunds against the original are live.
    #[error("the original has refunds")]
    HasRefunds,
    /// The original is older than the window.
    #[error("the reversal window has passed")]
    WindowPassed,
}

/// What is known about an approved original when its reversal arrives.
#[derive(Debug, Clone, Copy)]
pub struct ApprovedOriginal {
    /// When the gateway admitted it.
    pub admitted_at: OffsetDateTime,
    /// Whether it is in a settled batch.
    pub settled: bool,
    /// Refunds against it that are pending or approved.
    pub live_refunds: u64,
}

/// Whether an approved original may be reversed at `now`: not settled, no
/// live refunds, and admitted less than `window` ago. (Ownership is checked
/// before: the original is looked up under the sender's own keys.)
pub fn may_reverse_approved(
    original: ApprovedOriginal,
    now: OffsetDateTime,
    window: Duration,
) -> Result<(), ReversalRefusal> {
    if original.settled {
        return Err(ReversalRefusal::Settled);
    }
    if original.live_refunds > 0 {
        return Err(ReversalRefusal::HasRefunds);
    }
    if now - original.admitted_at > window {
        return Err(ReversalRefusal::WindowPassed);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn original(admitted_at: OffsetDateTime) -> ApprovedOriginal {
        ApprovedOriginal {
            admitted_at,
            settled: false,
            live_refunds: 0,
        }
    }

    #[test]
    fn an_approved_sale_is_reversible_up_to_the_end_of_the_window_only() {
        let admitted = datetime!(2030-01-01 10:00 UTC);
        let window = Duration::minutes(5);
        assert_eq!(
            may_reverse_approved(original(admitted), admitted + window, window),
            Ok(())
        );
        assert_eq!(
            may_reverse_approved(
                original(admitted),
                admitted + window + Duration::milliseconds(1),
                window
            ),
            Err(ReversalRefusal::WindowPassed)
        );
    }

    #[test]
    fn settled_or_refunded_originals_are_refused_first_whatever_their_age() {
        let admitted = datetime!(2030-01-01 10:00 UTC);
        let settled = ApprovedOriginal {
            settled: true,
            ..original(admitted)
        };
        let refunded = ApprovedOriginal {
            live_refunds: 1,
            ..original(admitted)
        };
        let late = admitted + Duration::hours(1);
        let window = DEFAULT_WINDOW;
        assert_eq!(
            may_reverse_approved(settled, late, window),
            Err(ReversalRefusal::Settled)
        );
        assert_eq!(
            may_reverse_approved(refunded, late, window),
            Err(ReversalRefusal::HasRefunds)
        );
    }
}
