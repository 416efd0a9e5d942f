//! The lockout rule: N consecutive wrong passwords or activation codes lock
//! the account for a while; a locked account refuses even the right password.
//! The user reads when the lock ends in Asia/Taipei local time. Attempts are
//! counted in two lanes: those sent with the reader the user last logged in
//! with, and those from anywhere else, so that a stranger who guesses the
//! password from elsewhere cannot lock the cashier out at their own reader.

use crate::error::AppError;
use crate::settlement::business_date::TAIPEI;
use mpos_wire::ErrorCode;
use time::OffsetDateTime;

/// Which count a login attempt goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Sent with the reader of the user's last successful login (or from
    /// inside a session that such a login opened).
    OwnReader,
    /// Sent with any other reader, or before the user ever logged in.
    Elsewhere,
}

/// The lane of a login that presents `reader` for a user who last logged in with `trusted`.
pub fn lane_for(trusted: Option<&str>, reader: &str) -> Lane {
    match trusted {
        Some(trusted) if trusted == reader => Lane::OwnReader,
        _ => Lane::Elsewhere,
    }
}

/// `Some(until)` while the account is locked at `now`.
pub fn locked_until(
    locked_until: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    locked_until.filter(|until| *until > now)
}

/// The lock end as the user reads it: Taipei `HH:MM`, with the date when it is not today.
pub fn local_lock_end(until: OffsetDateTime, now: OffsetDateTime) -> String {
    let local = until.to_offset(TAIPEI);
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    if local.date() == now.to_offset(TAIPEI).date() {
        time
    } else {
        format!(
            "{:04}-{:02}-{:02} {time}",
            local.year(),
            u8::from(local.month()),
            local.day()
        )
    }
}

/// The `account_locked` error, saying until when (Asia/Taipei).
pub fn locked_error(until: OffsetDateTime, now: OffsetDateTime) -> AppError {
    AppError::detail(
        ErrorCode::AccountLocked,
        format!("until {} (Asia/Taipei)", local_lock_end(until, now)),
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
    fn only_the_reader_of_the_last_login_is_the_own_readers_lane() {
        assert_eq!(lane_for(Some("R-1"), "R-1"), Lane::OwnReader);
        assert_eq!(lane_for(Some("R-1"), "R-2"), Lane::Elsewhere);
        assert_eq!(
            lane_for(None, "R-1"),
            Lane::Elsewhere,
            "never logged in yet"
        );
    }

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
    fn error_says_until_when_in_taipei_time() {
        // 06:30 UTC is 14:30 in Taipei, the same Taipei day as 06:00 UTC.
        let error = locked_error(
            datetime!(2030-01-01 06:30:42 UTC),
            datetime!(2030-01-01 06:00 UTC),
        );
        assert_eq!(error.code(), ErrorCode::AccountLocked);
        assert_eq!(
            error.error.detail.as_deref(),
            Some("until 14:30 (Asia/Taipei)")
        );
    }

    #[test]
    fn a_lock_ending_on_another_taipei_day_shows_the_date() {
        // 15:50 UTC is 23:50 Taipei; the lock ends at 00:20 the next Taipei day.
        let error = locked_error(
            datetime!(2030-01-01 16:20 UTC),
            datetime!(2030-01-01 15:50 UTC),
        );
        assert_eq!(
            error.error.detail.as_deref(),
            Some("until 2030-01-02 00:20 (Asia/Taipei)")
        );
    }
}
