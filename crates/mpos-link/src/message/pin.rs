//! PIN entry on the phone's screen without the PIN on the phone: the
//! reader draws a random keypad layout for each entry, the phone sends
//! back only the key positions touched, and the reader alone turns them
//! into digits and an enciphered PIN block.

use super::codec::{put_short, Cursor};
use super::MessageError;

/// Keys on the keypad: the ten digits.
pub const KEYS: usize = 10;
/// Shortest PIN (ISO 9564-1).
pub const MIN_PIN_DIGITS: usize = 4;
/// Longest PIN (ISO 9564-1).
pub const MAX_PIN_DIGITS: usize = 12;

/// PinPad (0x88): the digit shown on each key, keys numbered 0 to 9 in
/// reading order (three rows of three, then the last key centred below).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PinPadLayout {
    digits: [u8; KEYS],
}

impl std::fmt::Debug for PinPadLayout {
    /// The layout with the positions touched would give the PIN away: not in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PinPadLayout(<hidden>)")
    }
}

impl PinPadLayout {
    /// A layout: `digits[key]` is the digit on `key`; each digit exactly once.
    pub fn new(digits: [u8; KEYS]) -> Result<PinPadLayout, MessageError> {
        let mut seen = [false; KEYS];
        for &digit in &digits {
            let slot = seen
                .get_mut(usize::from(digit))
                .filter(|seen| !**seen)
                .ok_or(MessageError::InvalidField { field: "layout" })?;
            *slot = true;
        }
        Ok(PinPadLayout { digits })
    }

    /// The digit on each key, in key order.
    pub fn digits(&self) -> [u8; KEYS] {
        self.digits
    }

    /// The digit on `key`.
    pub fn digit(&self, key: u8) -> Option<u8> {
        self.digits.get(usize::from(key)).copied()
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.digits);
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let digits = cursor.take(KEYS, "layout")?;
        PinPadLayout::new(digits.try_into().expect("took KEYS bytes"))
    }
}

/// PinEntered (0x16): the keys the cardholder touched, in order.
#[derive(Clone, PartialEq, Eq)]
pub struct PinKeys {
    keys: Vec<u8>,
}

impl std::fmt::Debug for PinKeys {
    /// Shows how many keys, never which.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PinKeys({} keys)", self.keys.len())
    }
}

impl PinKeys {
    /// 4 to 12 key positions, each 0 to 9.
    pub fn new(keys: Vec<u8>) -> Result<PinKeys, MessageError> {
        let ok = (MIN_PIN_DIGITS..=MAX_PIN_DIGITS).contains(&keys.len())
            && keys.iter().all(|&key| usize::from(key) < KEYS);
        if ok {
            Ok(PinKeys { keys })
        } else {
            Err(MessageError::InvalidField { field: "keys" })
        }
    }

    /// The positions, in the order touched.
    pub fn keys(&self) -> &[u8] {
        &self.keys
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        put_short(out, &self.keys, MIN_PIN_DIGITS..=MAX_PIN_DIGITS, "keys")
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let keys = cursor.short_bytes(MIN_PIN_DIGITS..=MAX_PIN_DIGITS, "keys")?;
        PinKeys::new(keys.to_vec())
    }
}

impl Drop for PinKeys {
    fn drop(&mut self) {
        // Positions are PIN material next to a layout: wipe them.
        self.keys.iter_mut().for_each(|key| *key = 0);
    }
}

/// PinBlock (0x89): the enciphered PIN, under the KSN of the card read it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinBlock {
    /// The card read's KSN: 12 bytes (AES DUKPT, format 4 block) or 10 (TDES, format 0).
    pub ksn: Vec<u8>,
    /// The enciphered block: 16 bytes (format 4) or 8 (format 0).
    pub block: Vec<u8>,
}

impl PinBlock {
    fn check(&self) -> Result<(), MessageError> {
        match (self.ksn.len(), self.block.len()) {
            (12, 16) | (10, 8) => Ok(()),
            (12 | 10, _) => Err(MessageError::InvalidField { field: "block" }),
            _ => Err(MessageError::InvalidField { field: "ksn" }),
        }
    }

    /// The ISO 9564 format of the block: 4 (AES) or 0 (TDES).
    pub fn format(&self) -> u8 {
        if self.block.len() == 16 {
            4
        } else {
            0
        }
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        self.check()?;
        put_short(out, &self.ksn, 10..=12, "ksn")?;
        put_short(out, &self.block, 8..=16, "block")
    }

    pub(crate) fn decode(cursor: &mut Cursor<'_>) -> Result<Self, MessageError> {
        let ksn = cursor.short_bytes(10..=12, "ksn")?.to_vec();
        let block = cursor.short_bytes(8..=16, "block")?.to_vec();
        let pin = PinBlock { ksn, block };
        pin.check()?;
        Ok(pin)
    }
}
