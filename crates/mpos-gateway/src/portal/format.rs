//! How the portal writes times, dates and amounts: Asia/Taipei, 24-hour,
//! NT$ with thousands separators; and how it reads dates and dollars typed
//! into its forms.

use crate::settlement::business_date::TAIPEI;
use mpos_wire::Money;
use time::{Date, OffsetDateTime, Time};

/// `2030-01-01 18:00:05` in Asia/Taipei.
pub fn taipei_time(at: OffsetDateTime) -> String {
    let local = at.to_offset(TAIPEI);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    )
}

/// `YYYY-MM-DD` of a date.
pub fn date(date: Date) -> String {
    crate::settlement::business_date::format_date(date)
}

/// A date typed as `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    crate::settlement::business_date::parse_date(text.trim())
}

/// The first instant of a Taipei calendar day.
pub fn taipei_day_start(date: Date) -> OffsetDateTime {
    date.with_time(Time::MIDNIGHT).assume_offset(TAIPEI)
}

/// An amount typed in whole NT dollars (`1200`, `1,200`, `NT$1,200`); `None` unless above zero.
pub fn parse_dollars(text: &str) -> Option<Money> {
    let digits: String = text
        .trim()
        .trim_start_matches("NT$")
        .chars()
        .filter(|c| *c != ',')
        .collect();
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let dollars: u64 = digits.parse().ok()?;
    Money::twd_dollars(dollars).filter(|m| !m.is_zero())
}

/// Whole dollars of an amount, as a form field shows it.
pub fn dollars_field(amount: Money) -> String {
    (amount.minor / 100).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn times_are_written_in_taipei() {
        assert_eq!(
            taipei_time(datetime!(2030-01-01 15:00:05 UTC)),
            "2030-01-01 23:00:05"
        );
        assert_eq!(
            taipei_day_start(date!(2030 - 01 - 02)),
            datetime!(2030-01-01 16:00 UTC)
        );
    }

    #[test]
    fn dollars_read_as_typed_and_refuse_the_rest() {
        assert_eq!(parse_dollars("1,200"), Some(Money::twd_minor(120_000)));
        assert_eq!(
            parse_dollars(" NT$50000 "),
            Some(Money::twd_minor(5_000_000))
        );
        for bad in ["", "0", "-5", "12.5", "1e3", "abc", "9999999999999"] {
            assert_eq!(parse_dollars(bad), None, "{bad}");
        }
        assert_eq!(dollars_field(Money::twd_minor(120_000)), "1200");
    }
}
