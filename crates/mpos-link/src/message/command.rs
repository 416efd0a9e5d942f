//! Commands the phone sends: start a transaction, hand over the host's answer.

use super::codec::{put_short, put_text, Cursor};
use super::MessageError;
use mpos_wire::api::TxnKind;
use mpos_wire::{Currency, Money};

/// Which ways the reader may take the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EntryModes {
    /// Read the chip (contact EMV).
    pub chip: bool,
    /// Read a magnetic stripe of a card without a chip.
    pub swipe: bool,
    /// After a chip read failed, accept a swipe of the same card.
    pub fallback: bool,
}

impl EntryModes {
    const CHIP: u8 = 0x01;
    const SWIPE: u8 = 0x02;
    const FALLBACK: u8 = 0x04;

    /// The bit mask carried on the wire.
    pub fn to_byte(self) -> u8 {
        (if self.chip { Self::CHIP } else { 0 })
            | (if self.swipe { Self::SWIPE } else { 0 })
            | (if self.fallback { Self::FALLBACK } else { 0 })
    }

    /// Parses the mask: at least one mode, no reserved bit, fallback only with chip and swipe.
    pub fn from_byte(byte: u8) -> Option<EntryModes> {
        let modes = EntryModes {
            chip: byte & Self::CHIP != 0,
            swipe: byte & Self::SWIPE != 0,
            fallback: byte & Self::FALLBACK != 0,
        };
        modes
            .is_valid()
            .then_some(modes)
            .filter(|_| byte & !0x07 == 0)
    }

    fn is_valid(self) -> bool {
        (self.chip || self.swipe) && (!self.fallback || (self.chip && self.swipe))
    }
}

/// StartTransaction (0x11): collect a card for this amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartTransaction {
    /// Amount shown to the cardholder and bound into the chip's cryptogram.
    pub amount: Money,
    /// Sale or refund.
    pub kind: TxnKind,
    /// Allowed entry modes.
    pub entry_modes: EntryModes,
}

impl StartTransaction {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        if !self.entry_modes.is_valid() {
            return Err(MessageError::InvalidField {
                field: "entry_modes",
            });
        }
        out.extend_from_slice(&self.amount.minor.to_be_bytes());
        out.extend_from_slice(&self.amount.currency.numeric_code().to_be_bytes());
        out.push(match self.kind {
            TxnKind::Sale => 0x00,
            TxnKind::Refund => 0x01,
        });
        out.push(self.entry_modes.to_byte());
        Ok(())
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let minor = cursor.u64("amount")?;
        let currency = match cursor.u16("currency")? {
            901 => Currency::Twd,
            _ => return Err(MessageError::InvalidField { field: "currency" }),
        };
        let kind = match cursor.u8("kind")? {
            0x00 => TxnKind::Sale,
            0x01 => TxnKind::Refund,
            _ => return Err(MessageError::InvalidField { field: "kind" }),
        };
        let entry_modes =
            EntryModes::from_byte(cursor.u8("entry_modes")?).ok_or(MessageError::InvalidField {
                field: "entry_modes",
            })?;
        Ok(StartTransaction {
            amount: Money { minor, currency },
            kind,
            entry_modes,
        })
    }
}

/// OnlineResult (0x12): the host's answer, for the chip's second GENERATE AC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineResult {
    /// Whether the host approved.
    pub approved: bool,
    /// ISO 8583 response code, two alphanumeric characters (EMV tag 8A).
    pub response_code: String,
    /// Authorization code, up to 6 alphanumeric characters (EMV tag 89).
    pub auth_code: Option<String>,
    /// Issuer authentication data (EMV tag 91: ARPC and ARC or CSU), 0..=16 bytes.
    pub issuer_auth_data: Vec<u8>,
}

fn alphanumeric(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl OnlineResult {
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        if self.response_code.len() != 2 || !alphanumeric(&self.response_code) {
            return Err(MessageError::InvalidField {
                field: "response_code",
            });
        }
        out.push(u8::from(self.approved));
        out.extend_from_slice(self.response_code.as_bytes());
        let auth = self.auth_code.as_deref().unwrap_or("");
        if !alphanumeric(auth) {
            return Err(MessageError::InvalidField { field: "auth_code" });
        }
        let auth_lengths = if self.auth_code.is_some() {
            1..=6
        } else {
            0..=0
        };
        put_text(out, auth, auth_lengths, "auth_code")?;
        put_short(out, &self.issuer_auth_data, 0..=16, "issuer_auth_data")
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let approved = match cursor.u8("approved")? {
            0 => false,
            1 => true,
            _ => return Err(MessageError::InvalidField { field: "approved" }),
        };
        let code = cursor.take(2, "response_code")?;
        if !code.iter().all(u8::is_ascii_alphanumeric) {
            return Err(MessageError::InvalidField {
                field: "response_code",
            });
        }
        let response_code = code.iter().map(|&b| char::from(b)).collect();
        let auth = cursor.text(0..=6, "auth_code")?;
        if !alphanumeric(&auth) {
            return Err(MessageError::InvalidField { field: "auth_code" });
        }
        let issuer_auth_data = cursor.short_bytes(0..=16, "issuer_auth_data")?.to_vec();
        Ok(OnlineResult {
            approved,
            response_code,
            auth_code: (!auth.is_empty()).then_some(auth),
            issuer_auth_data,
        })
    }
}
