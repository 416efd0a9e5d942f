//! How long the hosted e-receipt stays online. The link travels by e-mail,
//! SMS and a QR code anyone may photograph, and it shows a masked card and
//! a signature, so it does not stay online forever.

use time::{Duration, OffsetDateTime};

/// The default: 90 days, long enough for a cardholder's statement and a dispute window's start.
pub const DEFAULT_DAYS: u32 = 90;

/// Whether the receipt of a transaction made at `created_at` is still shown at `now`.
pub fn is_online(created_at: OffsetDateTime, now: OffsetDateTime, days: u32) -> bool {
    now - created_at <= Duration::days(i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_receipt_is_online_for_its_days_and_not_a_moment_more() {
        let made = datetime!(2030-01-01 10:00 UTC);
        assert!(is_online(made, made + Duration::days(90), 90));
        assert!(!is_online(
            made,
            made + Duration::days(90) + Duration::seconds(1),
            90
        ));
    }
}
