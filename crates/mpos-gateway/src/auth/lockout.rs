//! The lockout rule: N consecutive wrong passwords or activation codes lock
//! the account for a while; a locked account refuses even the right password.

use crate::clock::format_time;
use crate::error::AppError;
use mpos_wire::ErrorCode;
use time::OffsetDateTime;

/// `Some(until)` while the account is locked at `now`.
pub fn locked_until(
    locked_until: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    locked_until.filter(|until| *until > now)
}

/// The `account_locked` error, saying until when.
pub fn locked_error(until: OffsetDateTime) -> AppError {
    AppError::detail(
        ErrorCode::AccountLocked,
        format!("until {}", format_time(until)),
    )
}

/// The end of a lock starting at `now`.
pub fn lock_end(now: OffsetDateTime, minutes: u32) -> OffsetDateTime {
    now + time::Duration::minutes(i64::from(minutes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn lock_holds_until_its_end_only() {
        let start = datetime!(2030-01-01 00:00 UTC);
        let end = lock_end(start, 30);
        assert_eq!(end, datetime!(2030-01-01 00:30 UTC));
        assert_eq!(
            locked_until(Some(end), datetime!(2030-01-01 00:29:59 UTC)),
            Some(end)
        );
        assert_eq!(locked_until(Some(end), end), None);
        assert_eq!(locked_until(None, start), None);
    }

    #[test]
    fn error_says_until_when() {
        let error = locked_error(datetime!(2030-01-01 00:30 UTC));
        assert_eq!(error.code(), ErrorCode::AccountLocked);
        assert_eq!(
            error.0.detail.as_deref(),
            Some("until 2030-01-01T00:30:00.000Z")
        );
    }
}
