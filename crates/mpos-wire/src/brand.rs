//! Card brands accepted in Taiwan, and how to tell them from a PAN prefix.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A card scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Brand {
    /// Visa.
    Visa,
    /// Mastercard.
    Mastercard,
    /// JCB.
    Jcb,
    /// UnionPay (銀聯).
    UnionPay,
    /// American Express.
    Amex,
}

impl Brand {
    /// Every brand, in the order screens list them.
    pub const ALL: [Brand; 5] = [
        Brand::Visa,
        Brand::Mastercard,
        Brand::Jcb,
        Brand::UnionPay,
        Brand::Amex,
    ];

    /// The brand a card number belongs to, from its issuer identification prefix.
    pub fn from_pan(pan: &str) -> Option<Brand> {
        let prefix = |n: usize| pan.get(..n).and_then(|p| p.parse::<u32>().ok());
        match (prefix(1), prefix(2), prefix(4)) {
            (Some(4), _, _) => Some(Brand::Visa),
            (_, Some(34 | 37), _) => Some(Brand::Amex),
            (_, Some(51..=55), _) => Some(Brand::Mastercard),
            (_, _, Some(2221..=2720)) => Some(Brand::Mastercard),
            (_, _, Some(3528..=3589)) => Some(Brand::Jcb),
            (_, Some(62), _) => Some(Brand::UnionPay),
            _ => None,
        }
    }

    /// Name shown on screens and receipts.
    pub fn display_name(self) -> &'static str {
        match self {
            Brand::Visa => "VISA",
            Brand::Mastercard => "Mastercard",
            Brand::Jcb => "JCB",
            Brand::UnionPay => "UnionPay 銀聯",
            Brand::Amex => "AMEX",
        }
    }

    /// Stable lowercase code used in URLs and the database.
    pub fn code(self) -> &'static str {
        match self {
            Brand::Visa => "visa",
            Brand::Mastercard => "mastercard",
            Brand::Jcb => "jcb",
            Brand::UnionPay => "union_pay",
            Brand::Amex => "amex",
        }
    }

    /// Inverse of [`Brand::code`].
    pub fn from_code(code: &str) -> Option<Brand> {
        Brand::ALL.into_iter().find(|b| b.code() == code)
    }
}

impl fmt::Display for Brand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_published_test_card_prefixes() {
        assert_eq!(Brand::from_pan("4111111111111111"), Some(Brand::Visa));
        assert_eq!(Brand::from_pan("5555555555554444"), Some(Brand::Mastercard));
        assert_eq!(Brand::from_pan("2223003122003222"), Some(Brand::Mastercard));
        assert_eq!(Brand::from_pan("3566002020360505"), Some(Brand::Jcb));
        assert_eq!(Brand::from_pan("6200000000000005"), Some(Brand::UnionPay));
        assert_eq!(Brand::from_pan("378282246310005"), Some(Brand::Amex));
        assert_eq!(Brand::from_pan("9999"), None);
        assert_eq!(Brand::from_pan(""), None);
    }

    #[test]
    fn codes_round_trip() {
        for brand in Brand::ALL {
            assert_eq!(Brand::from_code(brand.code()), Some(brand));
        }
    }
}
