//! The daily limit: a user's sales that are pending or approved on one
//! business date may not add up to more than the limit. A sale is counted
//! on its admission date while pending, and again on the date its capture
//! lands when the issuer's approval comes after the 23:00 cut-off: if it
//! does not fit that day, it is not kept.

use mpos_wire::Money;

/// Whether `amount` fits beside `used` under `per_day`.
pub fn fits(used: Money, amount: Money, per_day: Money) -> bool {
    used.minor.saturating_add(amount.minor) <= per_day.minor
}

/// Whether an approval must be counted again: it lands on another business
/// date than the one it was admitted on.
pub fn recount_on_landing(admitted_on: time::Date, lands_on: time::Date) -> bool {
    admitted_on != lands_on
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_limit_itself_fits_and_a_cent_more_does_not() {
        let per_day = Money::twd_minor(100_000);
        assert!(fits(
            Money::twd_minor(40_000),
            Money::twd_minor(60_000),
            per_day
        ));
        assert!(!fits(
            Money::twd_minor(40_001),
            Money::twd_minor(60_000),
            per_day
        ));
    }

    #[test]
    fn only_an_approval_that_crossed_the_cut_off_is_counted_again() {
        assert!(recount_on_landing(
            date!(2030 - 03 - 10),
            date!(2030 - 03 - 11)
        ));
        assert!(!recount_on_landing(
            date!(2030 - 03 - 10),
            date!(2030 - 03 - 10)
        ));
    }
}
