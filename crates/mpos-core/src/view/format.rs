//! Values as the screens show them: amounts (`NT$4,800`), times in
//! Asia/Taipei, brands, statuses and entry modes in the user's language.

use super::locale::Locale;
use super::text::Text;
use mpos_wire::api::{TxnKind, TxnStatus};
use mpos_wire::{Brand, EntryMode, Money};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// Asia/Taipei: UTC+8 all year since 1979 (ADR 0003).
const TAIPEI: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("+08:00 is a valid offset"),
};

/// An amount: `NT$4,800`.
pub fn money(amount: Money) -> String {
    amount.to_string()
}

/// Whole dollars as an amount, or the digits with the currency sign when
/// they do not fit.
pub fn dollars(dollars: u64) -> String {
    Money::twd_dollars(dollars).map_or_else(|| format!("NT${dollars}"), money)
}

/// An RFC 3339 time in Asia/Taipei: `2026-12-05 14:30`; text that is no
/// time is shown as it came.
pub fn local_time(rfc3339: &str) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute]");
    OffsetDateTime::parse(rfc3339, &Rfc3339)
        .ok()
        .and_then(|at| at.to_offset(TAIPEI).format(&format).ok())
        .unwrap_or_else(|| rfc3339.to_string())
}

/// A count of transactions: `3 筆` / `3`.
pub fn count(n: u32, locale: Locale) -> String {
    format!("{n}{}", Text::CountUnit.get(locale))
}

/// A large count: `2,448,023,842`.
pub fn number(n: u64) -> String {
    mpos_wire::money::group_thousands(n)
}

/// Tenths as a decimal: `184` is `18.4`, `-5` is `-0.5`.
pub fn tenths(n: i32) -> String {
    let sign = if n < 0 { "-" } else { "" };
    let n = n.unsigned_abs();
    format!("{sign}{}.{}", n / 10, n % 10)
}

/// A brand's name.
pub fn brand(brand: Brand, locale: Locale) -> &'static str {
    match brand {
        Brand::Visa => Text::BrandVisa,
        Brand::Mastercard => Text::BrandMastercard,
        Brand::Jcb => Text::BrandJcb,
        Brand::UnionPay => Text::BrandUnionPay,
        Brand::Amex => Text::BrandAmex,
    }
    .get(locale)
}

/// Sale or refund.
pub fn kind(kind: TxnKind, locale: Locale) -> &'static str {
    match kind {
        TxnKind::Sale => Text::KindSale,
        TxnKind::Refund => Text::KindRefund,
    }
    .get(locale)
}

/// A transaction's state.
pub fn status(status: TxnStatus, locale: Locale) -> &'static str {
    match status {
        TxnStatus::Pending => Text::StatusPending,
        TxnStatus::Approved => Text::StatusApproved,
        TxnStatus::Declined => Text::StatusDeclined,
        TxnStatus::Voided => Text::StatusVoided,
        TxnStatus::Reversed => Text::StatusReversed,
    }
    .get(locale)
}

/// How the card was read.
pub fn entry_mode(mode: EntryMode, locale: Locale) -> &'static str {
    match mode {
        EntryMode::Chip => Text::EntryChip,
        EntryMode::Swipe => Text::EntrySwipe,
        EntryMode::FallbackSwipe => Text::EntryFallback,
    }
    .get(locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_with_the_currency_sign() {
        assert_eq!(money(Money::twd_dollars(4_800).unwrap()), "NT$4,800");
        assert_eq!(dollars(1_234_567), "NT$1,234,567");
        assert_eq!(dollars(0), "NT$0");
        assert_eq!(dollars(u64::MAX), format!("NT${}", u64::MAX));
    }

    #[test]
    fn numbers_are_grouped_and_tenths_are_decimals() {
        assert_eq!(number(2_448_023_842), "2,448,023,842");
        assert_eq!(number(999), "999");
        assert_eq!(number(0), "0");
        assert_eq!(tenths(184), "18.4");
        assert_eq!(tenths(-5), "-0.5");
        assert_eq!(tenths(-125), "-12.5");
        assert_eq!(tenths(0), "0.0");
    }

    #[test]
    fn times_are_shown_in_taipei() {
        // 15:05 UTC is 23:05 in Taipei, the same evening.
        assert_eq!(local_time("2026-12-05T15:05:09Z"), "2026-12-05 23:05");
        // 16:30 UTC is already the next day there.
        assert_eq!(local_time("2026-12-05T16:30:00Z"), "2026-12-06 00:30");
        assert_eq!(local_time("2026-12-05T08:00:00+08:00"), "2026-12-05 08:00");
        assert_eq!(local_time("yesterday"), "yesterday");
    }

    #[test]
    fn names_follow_the_locale() {
        assert_eq!(brand(Brand::UnionPay, Locale::ZhTw), "銀聯卡");
        assert_eq!(brand(Brand::UnionPay, Locale::En), "UnionPay");
        assert_eq!(status(TxnStatus::Voided, Locale::ZhTw), "已取消");
        assert_eq!(entry_mode(EntryMode::Chip, Locale::En), "Chip");
        assert_eq!(kind(TxnKind::Refund, Locale::ZhTw), "退貨");
        assert_eq!(count(3, Locale::ZhTw), "3 筆");
        assert_eq!(count(3, Locale::En), "3");
    }
}
