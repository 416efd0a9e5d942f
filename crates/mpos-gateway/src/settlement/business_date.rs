//! Business dates: the Asia/Taipei day a capture is settled in.
//!
//! Asia/Taipei is UTC+8 all year and has had no daylight saving time since
//! 1979, so a fixed +08:00 offset is exact for every date this system sees.

use time::{Date, Duration, OffsetDateTime, Time, UtcOffset};

/// Asia/Taipei's offset from UTC.
pub const TAIPEI: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+08:00 is a valid offset"),
};

/// The daily cut-off: captures at or after it belong to the next business date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoff(pub Time);

impl Cutoff {
    /// Parses `HH:MM` (local Asia/Taipei time).
    pub fn parse(text: &str) -> Option<Cutoff> {
        let (hour, minute) = text.split_once(':')?;
        if hour.len() != 2 || minute.len() != 2 {
            return None;
        }
        let time = Time::from_hms(hour.parse().ok()?, minute.parse().ok()?, 0).ok()?;
        Some(Cutoff(time))
    }

    /// The business date of a capture approved at `at`.
    pub fn business_date(self, at: OffsetDateTime) -> Date {
        let local = at.to_offset(TAIPEI);
        if local.time() >= self.0 {
            local.date().next_day().unwrap_or(local.date())
        } else {
            local.date()
        }
    }

    /// The latest business date whose cut-off has passed at `now`.
    pub fn last_closed_date(self, now: OffsetDateTime) -> Date {
        self.business_date(now).previous_day().unwrap_or(Date::MIN)
    }

    /// The first cut-off strictly after `now`, in UTC.
    pub fn next_run(self, now: OffsetDateTime) -> OffsetDateTime {
        let local = now.to_offset(TAIPEI);
        let today = local.date().with_time(self.0).assume_offset(TAIPEI);
        let next = if today > now {
            today
        } else {
            today + Duration::days(1)
        };
        next.to_offset(UtcOffset::UTC)
    }
}

/// Formats a business date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn eleven_pm() -> Cutoff {
        Cutoff::parse("23:00").unwrap()
    }

    #[test]
    fn before_cutoff_is_same_taipei_day() {
        // 22:59:59 in Taipei is 14:59:59 UTC.
        assert_eq!(
            eleven_pm().business_date(datetime!(2030-03-10 14:59:59 UTC)),
            date!(2030 - 03 - 10)
        );
    }

    #[test]
    fn at_and_after_cutoff_is_next_day() {
        assert_eq!(
            eleven_pm().business_date(datetime!(2030-03-10 15:00:00 UTC)),
            date!(2030 - 03 - 11)
        );
        assert_eq!(
            eleven_pm().business_date(datetime!(2030-03-10 15:30:00 UTC)),
            date!(2030 - 03 - 11)
        );
    }

    #[test]
    fn taipei_midnight_is_a_new_day_in_utc_evening() {
        // 16:30 UTC is 00:30 next day in Taipei: business date is that day.
        assert_eq!(
            eleven_pm().business_date(datetime!(2030-03-10 16:30 UTC)),
            date!(2030 - 03 - 11)
        );
        assert_eq!(
            eleven_pm().business_date(datetime!(2030-03-10 23:30 UTC)),
            date!(2030 - 03 - 11)
        );
    }

    #[test]
    fn last_closed_date_follows_the_cutoff() {
        assert_eq!(
            eleven_pm().last_closed_date(datetime!(2030-03-10 14:59 UTC)),
            date!(2030 - 03 - 09)
        );
        assert_eq!(
            eleven_pm().last_closed_date(datetime!(2030-03-10 15:00 UTC)),
            date!(2030 - 03 - 10)
        );
    }

    #[test]
    fn next_run_is_strictly_after_now() {
        assert_eq!(
            eleven_pm().next_run(datetime!(2030-03-10 02:00 UTC)),
            datetime!(2030-03-10 15:00 UTC)
        );
        assert_eq!(
            eleven_pm().next_run(datetime!(2030-03-10 15:00 UTC)),
            datetime!(2030-03-11 15:00 UTC)
        );
    }

    #[test]
    fn parses_only_hh_mm() {
        assert!(Cutoff::parse("23:00").is_some());
        assert!(Cutoff::parse("24:00").is_none());
        assert!(Cutoff::parse("2300").is_none());
        assert_eq!(format_date(date!(2030 - 03 - 01)), "2030-03-01");
        assert_eq!(parse_date("2030-03-01"), Some(date!(2030 - 03 - 01)));
    }
}
