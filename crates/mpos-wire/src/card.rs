//! What the phone may know about a card: a masked number, the brand, how it
//! was read, and the reader's encrypted envelope. Never the clear number.

use crate::Brand;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How the card data was captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryMode {
    /// Read from the EMV chip (contact).
    Chip,
    /// Read from the magnetic stripe of a card without a chip.
    Swipe,
    /// Read from the magnetic stripe of a chip card after the chip failed.
    FallbackSwipe,
}

impl EntryMode {
    /// Whether the data came off the magnetic stripe.
    pub fn is_swipe(self) -> bool {
        matches!(self, EntryMode::Swipe | EntryMode::FallbackSwipe)
    }
}

/// A card number showing at most its first 6 and last 4 digits (`411111******1111`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MaskedPan(String);

/// A masked PAN that does not have the `NNNNNN***NNNN` shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a masked card number: expected 6 digits, asterisks, 4 digits")]
pub struct MaskedPanError;

impl MaskedPan {
    /// Masks a clear card number; `None` unless it has 12 to 19 digits.
    pub fn from_pan(pan: &str) -> Option<MaskedPan> {
        mask_pan(pan).map(MaskedPan)
    }

    /// The last four digits, as receipts and searches use them.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// The first six digits (the BIN).
    pub fn bin(&self) -> &str {
        &self.0[..6]
    }

    /// The masked text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MaskedPan {
    type Error = MaskedPanError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        let bytes = text.as_bytes();
        let shaped = (12..=19).contains(&bytes.len())
            && bytes[..6].iter().all(u8::is_ascii_digit)
            && bytes[bytes.len() - 4..].iter().all(u8::is_ascii_digit)
            && bytes[6..bytes.len() - 4].iter().all(|&b| b == b'*');
        if shaped {
            Ok(MaskedPan(text))
        } else {
            Err(MaskedPanError)
        }
    }
}

impl From<MaskedPan> for String {
    fn from(masked: MaskedPan) -> String {
        masked.0
    }
}

impl fmt::Display for MaskedPan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Masks a clear card number to its first 6 and last 4 digits.
pub fn mask_pan(pan: &str) -> Option<String> {
    if !(12..=19).contains(&pan.len()) || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hidden = pan.len() - 10;
    Some(format!(
        "{}{}{}",
        &pan[..6],
        "*".repeat(hidden),
        &pan[pan.len() - 4..]
    ))
}

/// The Luhn (mod 10) check every card number passes.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// Chip failures (no answer to reset, no supported application) after which
/// a chip card may be swiped: the product's rule, shared by the phone, the
/// reader's firmware and the gateway, which sees the reader's count inside
/// the sealed envelope.
pub const CHIP_FAILURES_FOR_FALLBACK: u32 = 3;

/// Whether a magnetic-stripe service code announces a chip (first digit 2 or 6).
pub fn service_code_has_chip(service_code: &str) -> bool {
    matches!(service_code.as_bytes().first(), Some(b'2' | b'6'))
}

/// The card data a reader hands to the phone and the phone forwards to the gateway.
///
/// The clear track or chip data is inside `ciphertext`, encrypted by the
/// reader under a DUKPT key identified by `ksn`; only the gateway's HSM
/// module can open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardPayload {
    /// First 6 and last 4 digits of the card number.
    pub masked_pan: MaskedPan,
    /// Brand the reader recognised from the card number.
    pub brand: Brand,
    /// How the card was read.
    pub entry_mode: EntryMode,
    /// The magnetic-stripe service code (3 digits), which says whether the card has a chip.
    pub service_code: String,
    /// DUKPT key serial number, hex.
    pub ksn: String,
    /// Encrypted card data, hex.
    pub ciphertext: String,
    /// EMV data objects from the chip as hex BER-TLV (chip reads only).
    pub emv_tlv: Option<String>,
}

impl CardPayload {
    /// Whether the stripe announces a chip that should have been used.
    pub fn has_chip(&self) -> bool {
        service_code_has_chip(&self.service_code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_to_first_six_and_last_four() {
        assert_eq!(mask_pan("4111111111111111").unwrap(), "411111******1111");
        assert_eq!(mask_pan("378282246310005").unwrap(), "378282*****0005");
        assert_eq!(mask_pan("41111"), None);
        assert_eq!(mask_pan("4111-1111-1111-1111"), None);
    }

    #[test]
    fn masked_pan_refuses_clear_numbers() {
        assert!(MaskedPan::try_from("4111111111111111".to_string()).is_err());
        assert!(MaskedPan::try_from("411111******1111".to_string()).is_ok());
        let parsed: Result<MaskedPan, _> = serde_json::from_str("\"4111111111111111\"");
        assert!(parsed.is_err());
    }

    #[test]
    fn masked_pan_exposes_last4_and_bin() {
        let masked = MaskedPan::from_pan("5555555555554444").unwrap();
        assert_eq!(masked.last4(), "4444");
        assert_eq!(masked.bin(), "555555");
    }

    #[test]
    fn luhn_accepts_valid_and_rejects_altered() {
        assert!(luhn_valid("4111111111111111"));
        assert!(luhn_valid("378282246310005"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid("41x1"));
    }

    #[test]
    fn chip_service_codes() {
        assert!(service_code_has_chip("201"));
        assert!(service_code_has_chip("601"));
        assert!(!service_code_has_chip("101"));
        assert!(!service_code_has_chip(""));
    }
}
