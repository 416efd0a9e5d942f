//! The reader's PIN envelope: the cardholder's PIN as an ISO 9564 block
//! under the PIN-encryption key of the same DUKPT transaction that sealed
//! the card, so the gateway can tell that PIN and card came from one read.
//!
//! AES readers (X9.24-3) build format 4 under the counter's PIN-encryption
//! working key; TDES readers (X9.24-1) build format 0 under the transaction
//! key's PIN variant. Only the HSM opens it ([`open_pin`]), with the BDK
//! and the PAN it found in the card envelope of the same KSN.

use super::{parse_ksn, ReaderKeys, Scheme};
use crate::dukpt::aes128::{self, KeyUsage};
use crate::dukpt::Key16;
use crate::pin_block::{self, PinBlockError};
use zeroize::Zeroizing;

/// A PIN block as the reader hands it over: the KSN of the card read and the block, both hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncipheredPin {
    /// The KSN of the card read it belongs to: 24 hex digits (AES) or 20 (TDES).
    pub ksn: String,
    /// The enciphered block: 32 hex digits (format 4) or 16 (format 0).
    pub block: String,
}

/// Why a PIN could not be enciphered or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinEnvelopeError {
    /// A PIN belongs to a card read, and this reader has sealed none.
    #[error("no card has been read for this PIN")]
    NoCardRead,
    /// The KSN is not one of a card read.
    #[error("invalid key serial number")]
    InvalidKsn,
    /// The block is not hex of the length the KSN's scheme uses.
    #[error("malformed PIN block")]
    MalformedBlock,
    /// The PIN or the PAN is out of range, or the block does not decipher to a PIN for this card.
    #[error(transparent)]
    PinBlock(#[from] PinBlockError),
}

impl ReaderKeys {
    /// Enciphers `pin` for `pan` as format 4 under the PIN key of the last
    /// seal's counter; `random_fill` is the block's 8 random bytes.
    pub fn encipher_pin(
        &self,
        pin: &str,
        pan: &str,
        random_fill: &[u8; 8],
    ) -> Result<EncipheredPin, PinEnvelopeError> {
        if self.counter == 0 {
            return Err(PinEnvelopeError::NoCardRead);
        }
        let [pin_key] = self
            .working_keys(self.counter, [KeyUsage::PinEncryption])
            .map_err(|_| PinEnvelopeError::InvalidKsn)?;
        let pin_field = Zeroizing::new(pin_block::iso4_pin_field(pin, random_fill)?);
        let pan_field = pin_block::iso4_pan_field(pan)?;
        let block = pin_block::iso4_encrypt(&pin_key, &pin_field, &pan_field);
        Ok(EncipheredPin {
            ksn: super::format_ksn(&self.initial_key_id, self.counter),
            block: hex::encode_upper(block),
        })
    }
}

/// The HSM's side: the PIN of a block from a reader of `bdk`, for the card `pan`.
pub fn open_pin(
    bdk: &[u8; 16],
    pin: &EncipheredPin,
    pan: &str,
) -> Result<Zeroizing<String>, PinEnvelopeError> {
    let scheme = Scheme::of_ksn(&pin.ksn).map_err(|_| PinEnvelopeError::InvalidKsn)?;
    let block = hex::decode(&pin.block).map_err(|_| PinEnvelopeError::MalformedBlock)?;
    match scheme {
        Scheme::Aes128 => {
            let block: [u8; 16] = block
                .try_into()
                .map_err(|_| PinEnvelopeError::MalformedBlock)?;
            let (initial_key_id, counter) =
                parse_ksn(&pin.ksn).map_err(|_| PinEnvelopeError::InvalidKsn)?;
            let pin_key = aes128::host_working_key(
                &Key16::new(*bdk),
                &initial_key_id,
                counter,
                KeyUsage::PinEncryption,
            )
            .map_err(|_| PinEnvelopeError::InvalidKsn)?;
            Ok(pin_block::iso4_pin(&pin_key, &block, pan)?)
        }
        Scheme::Tdes => {
            let block: [u8; 8] = block
                .try_into()
                .map_err(|_| PinEnvelopeError::MalformedBlock)?;
            super::legacy::open_pin(bdk, &pin.ksn, &block, pan)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ClearCard, DeviceKeys, LegacyReaderKeys};
    use super::*;

    const BDK: [u8; 16] = [
        0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1,
        0xF1,
    ];
    const PAN: &str = "4111111111111111";

    fn card() -> ClearCard {
        ClearCard {
            pan: PAN.to_string(),
            expiry: "3012".to_string(),
            service_code: "201".to_string(),
            chip_failures: 0,
        }
    }

    fn readers() -> [DeviceKeys; 2] {
        [
            DeviceKeys::Aes128(ReaderKeys::inject(
                &BDK,
                [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56],
            )),
            DeviceKeys::Tdes(LegacyReaderKeys::inject(
                &BDK,
                [0xFF, 0xFF, 0x98, 0x76, 0x54, 0x32, 0x10, 0xE0, 0x00, 0x00],
            )),
        ]
    }

    #[test]
    fn the_first_card_reads_pin_block_is_x9_24_3s_published_one() {
        let mut keys = ReaderKeys::inject(&BDK, [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56]);
        keys.seal(&card()).unwrap();
        let fill = [0x2F, 0x69, 0xAD, 0xDE, 0x2E, 0x9E, 0x7A, 0xCE];
        let pin = keys.encipher_pin("1234", PAN, &fill).unwrap();
        assert_eq!(pin.ksn, "123456789012345600000001");
        assert_eq!(pin.block, "A912150391AB65A67E52883D81CE2D15");
    }

    #[test]
    fn both_schemes_round_trip_under_the_card_reads_ksn() {
        for mut keys in readers() {
            assert_eq!(
                keys.encipher_pin("857301", PAN, &[7; 8]),
                Err(PinEnvelopeError::NoCardRead)
            );
            let sealed = keys.seal(&card()).unwrap();
            let pin = keys.encipher_pin("857301", PAN, &[7; 8]).unwrap();
            assert_eq!(pin.ksn, sealed.ksn, "{:?}", keys.scheme());
            assert!(!pin.block.contains("857301"));
            assert_eq!(open_pin(&BDK, &pin, PAN).unwrap().as_str(), "857301");
        }
    }

    #[test]
    fn another_card_key_or_changed_block_is_refused() {
        for mut keys in readers() {
            keys.seal(&card()).unwrap();
            let pin = keys.encipher_pin("857301", PAN, &[7; 8]).unwrap();
            let refused = Err(PinEnvelopeError::PinBlock(PinBlockError::NotAPinBlock));
            assert_eq!(open_pin(&BDK, &pin, "4111111111111129"), refused);
            let mut other_bdk = BDK;
            other_bdk[0] ^= 0x10; // not a DES parity bit
            assert_eq!(open_pin(&other_bdk, &pin, PAN), refused);
            let mut changed = pin.clone();
            changed
                .block
                .replace_range(0..1, if pin.block.starts_with('0') { "1" } else { "0" });
            assert_eq!(open_pin(&BDK, &changed, PAN), refused);
            let short = EncipheredPin {
                block: pin.block[2..].to_string(),
                ..pin.clone()
            };
            assert_eq!(
                open_pin(&BDK, &short, PAN),
                Err(PinEnvelopeError::MalformedBlock)
            );
        }
    }
}
