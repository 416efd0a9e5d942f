//! Per-transaction limits. The daily limit is checked inside the store's
//! insert transaction (see `Admission::Sale`), so parallel sales cannot
//! slip past it together.

use mpos_wire::api::Limits;
use mpos_wire::{ErrorCode, Money};

/// A sale's amount against the user's per-transaction limit.
pub fn check_sale(amount: Money, limits: &Limits) -> Result<(), ErrorCode> {
    check_amount(amount)?;
    if amount.minor > limits.per_transaction.minor {
        return Err(ErrorCode::LimitPerTransactionExceeded);
    }
    Ok(())
}

/// A refund's amount against the refund limit (the sale limit when unset).
pub fn check_refund(amount: Money, limits: &Limits) -> Result<(), ErrorCode> {
    check_amount(amount)?;
    let limit = limits
        .refund_per_transaction
        .unwrap_or(limits.per_transaction);
    if amount.minor > limit.minor {
        return Err(ErrorCode::LimitPerTransactionExceeded);
    }
    Ok(())
}

/// Amounts are positive and fit the database's signed 64-bit integers.
pub fn check_amount(amount: Money) -> Result<(), ErrorCode> {
    if amount.minor == 0 || amount.minor > i64::MAX as u64 {
        Err(ErrorCode::InvalidAmount)
    } else {
        Ok(())
    }
}

#[cfg(test)]
// Amounts in tests are written dollars_cents (1_000_00 is NT$1,000.00).
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;

    fn limits(refund: Option<u64>) -> Limits {
        Limits {
            per_transaction: Money::twd_minor(1_000_00),
            per_day: Money::twd_minor(5_000_00),
            refund_per_transaction: refund.map(Money::twd_minor),
        }
    }

    #[test]
    fn sale_limit_is_inclusive() {
        assert_eq!(
            check_sale(Money::twd_minor(1_000_00), &limits(None)),
            Ok(())
        );
        assert_eq!(
            check_sale(Money::twd_minor(1_000_01), &limits(None)),
            Err(ErrorCode::LimitPerTransactionExceeded)
        );
        assert_eq!(
            check_sale(Money::twd_minor(0), &limits(None)),
            Err(ErrorCode::InvalidAmount)
        );
    }

    #[test]
    fn refund_limit_defaults_to_sale_limit() {
        assert_eq!(
            check_refund(Money::twd_minor(1_000_01), &limits(None)),
            Err(ErrorCode::LimitPerTransactionExceeded)
        );
        assert_eq!(
            check_refund(Money::twd_minor(500_01), &limits(Some(500_00))),
            Err(ErrorCode::LimitPerTransactionExceeded)
        );
        assert_eq!(
            check_refund(Money::twd_minor(500_00), &limits(Some(500_00))),
            Ok(())
        );
    }
}
