//! Money as integer minor units with a currency; never floating point.

use serde::{Deserialize, Serialize};
use std::fmt;

/// ISO 4217 currencies the acquirer accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    /// New Taiwan dollar (numeric 901, exponent 2; whole dollars in practice).
    #[serde(rename = "TWD")]
    Twd,
}

impl Currency {
    /// ISO 4217 numeric code, as EMV tag 5F2A carries it.
    pub fn numeric_code(self) -> u16 {
        match self {
            Currency::Twd => 901,
        }
    }

    /// Number of minor-unit digits.
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Twd => 2,
        }
    }

    /// Symbol shown on screens and receipts.
    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Twd => "NT$",
        }
    }
}

/// An amount in minor units of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Amount in minor units (TWD cents).
    pub minor: u64,
    /// Currency of the amount.
    pub currency: Currency,
}

impl Money {
    /// An amount of New Taiwan dollars given in minor units.
    pub fn twd_minor(minor: u64) -> Self {
        Money {
            minor,
            currency: Currency::Twd,
        }
    }

    /// An amount of whole New Taiwan dollars; `None` on overflow.
    pub fn twd_dollars(dollars: u64) -> Option<Self> {
        dollars.checked_mul(100).map(Self::twd_minor)
    }

    /// Whether the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.minor == 0
    }
}

/// A whole number with a comma every three digits: `2,448,023,842`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    grouped
}

impl fmt::Display for Money {
    /// `NT$1,200` for whole amounts, `NT$1,200.50` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = 10u64.pow(self.currency.exponent());
        let whole = self.minor / scale;
        let fraction = self.minor % scale;
        write!(f, "{}{}", self.currency.symbol(), group_thousands(whole))?;
        if fraction != 0 {
            write!(
                f,
                ".{:0width$}",
                fraction,
                width = self.currency.exponent() as usize
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_grouped_whole_dollars() {
        assert_eq!(Money::twd_minor(120_000).to_string(), "NT$1,200");
        assert_eq!(Money::twd_minor(100).to_string(), "NT$1");
        assert_eq!(
            Money::twd_minor(12_345_678_900).to_string(),
            "NT$123,456,789"
        );
    }

    #[test]
    fn displays_cents_when_present() {
        assert_eq!(Money::twd_minor(120_050).to_string(), "NT$1,200.50");
    }

    #[test]
    fn dollars_overflow_is_refused() {
        assert_eq!(Money::twd_dollars(u64::MAX), None);
        assert_eq!(Money::twd_dollars(5).unwrap().minor, 500);
    }

    #[test]
    fn serializes_as_minor_units_and_code() {
        let json = serde_json::to_string(&Money::twd_minor(500)).unwrap();
        assert_eq!(json, r#"{"minor":500,"currency":"TWD"}"#);
    }
}
