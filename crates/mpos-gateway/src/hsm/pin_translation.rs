//! PIN translation: the reader's PIN block (format 4 under its AES DUKPT
//! PIN key, or format 0 under its TDES one) becomes a format 0 block under
//! the zone PIN key shared with the card network, as an acquirer's HSM
//! translates it. The PIN exists in clear only inside this call.

use super::{Hsm, HsmError, OpenedCard};
use mpos_crypto::dukpt::{tdes, Key16};
use mpos_crypto::envelope::{self, EncipheredPin};
use mpos_crypto::pin_block;
use mpos_wire::api::PinBlockPayload;
use std::fmt;
use zeroize::Zeroizing;

/// A PIN block on its way to the issuer: format 0 under the zone PIN key.
#[derive(Clone, PartialEq, Eq)]
pub struct ZonePinBlock(pub(crate) [u8; 8]);

impl fmt::Debug for ZonePinBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ZonePinBlock(<redacted>)")
    }
}

impl Hsm {
    /// Translates the reader's PIN block for `card` to the zone PIN key.
    /// The block must carry the KSN of the card read it came with: a PIN
    /// block cannot be moved to another read or another card.
    pub fn translate_pin(
        &self,
        pin: &PinBlockPayload,
        card: &OpenedCard,
    ) -> Result<ZonePinBlock, HsmError> {
        let (reader_id, counter) =
            envelope::ksn_parts(&pin.ksn).map_err(|_| HsmError::InvalidKsn)?;
        if !reader_id.eq_ignore_ascii_case(&card.reader_id) || counter != card.counter {
            return Err(HsmError::PinNotOfThisRead);
        }
        let bdk = self.bdk_for(&pin.ksn)?;
        let enciphered = EncipheredPin {
            ksn: pin.ksn.clone(),
            block: pin.block.clone(),
        };
        let clear = envelope::open_pin(bdk, &enciphered, &card.pan)?;
        let block = Zeroizing::new(
            pin_block::iso0_block(&clear, &card.pan).map_err(envelope::PinEnvelopeError::from)?,
        );
        Ok(ZonePinBlock(tdes::tdes_encrypt_block(
            &Key16::new(self.zone_pin_key),
            *block,
        )))
    }
}

/// The issuer's side: whether `block` holds `expected` for `pan` under the zone PIN key.
pub fn zone_pin_matches(
    zone_pin_key: &[u8; 16],
    block: &ZonePinBlock,
    pan: &str,
    expected: &str,
) -> bool {
    let clear = Zeroizing::new(tdes::tdes_decrypt_block(
        &Key16::new(*zone_pin_key),
        block.0,
    ));
    pin_block::iso0_pin(&clear, pan).is_ok_and(|pin| {
        // Same length first, then every byte compared: no early exit on the first difference.
        pin.len() == expected.len()
            && pin
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BdkConfig, BdkScheme, HsmConfig};
    use crate::hsm::test_reads::{clear_card, payload};
    use mpos_crypto::envelope::ReaderKeys;
    use mpos_wire::Brand;

    /// The published X9.24-3 test BDK and initial key id.
    const BDK: [u8; 16] = [
        0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1,
        0xF1,
    ];
    const IKID: [u8; 8] = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56];
    /// A published test zone PIN key (the classic 0123...3210 pair).
    const ZPK: &str = "0123456789ABCDEFFEDCBA9876543210";
    const PAN: &str = "6200000000000005";

    fn hsm() -> Hsm {
        let config = HsmConfig {
            bdks: vec![BdkConfig {
                id_hex: "12345678".into(),
                bdk_hex: hex::encode_upper(BDK),
                scheme: BdkScheme::Aes128,
            }],
            zone_pin_key_hex: Some(ZPK.into()),
            ..HsmConfig::default()
        };
        Hsm::new(&config, [7; 32])
    }

    /// A read of the card by a reader, opened by the HSM, and the reader's keys.
    fn read(hsm: &Hsm, reader: &mut ReaderKeys) -> OpenedCard {
        let sealed = reader.seal(&clear_card(PAN)).unwrap();
        hsm.open(&payload(sealed, PAN, Brand::UnionPay)).unwrap()
    }

    fn block(reader: &ReaderKeys, pin: &str) -> PinBlockPayload {
        let enciphered = reader.encipher_pin(pin, PAN, &[0x5A; 8]).unwrap();
        PinBlockPayload {
            ksn: enciphered.ksn,
            block: enciphered.block,
        }
    }

    #[test]
    fn the_zone_block_is_format_0_under_the_zone_key_for_the_issuer() {
        let hsm = hsm();
        let mut reader = ReaderKeys::inject(&BDK, IKID);
        let card = read(&hsm, &mut reader);
        let zone = hsm.translate_pin(&block(&reader, "246813"), &card).unwrap();
        let zpk: [u8; 16] = hex::decode(ZPK).unwrap().try_into().unwrap();
        assert!(zone_pin_matches(&zpk, &zone, PAN, "246813"));
        assert!(!zone_pin_matches(&zpk, &zone, PAN, "246814"));
        assert!(!zone_pin_matches(&zpk, &zone, PAN, "24681"));
        // Anyone holding the zone key reads a plain ISO 9564 format 0 block.
        let clear = tdes::tdes_decrypt_block(&Key16::new(zpk), zone.0);
        assert_eq!(clear, pin_block::iso0_block("246813", PAN).unwrap());
        assert_eq!(format!("{zone:?}"), "ZonePinBlock(<redacted>)");
    }

    #[test]
    fn a_block_of_an_earlier_read_is_not_this_reads() {
        let hsm = hsm();
        let mut reader = ReaderKeys::inject(&BDK, IKID);
        let first = read(&hsm, &mut reader);
        let earlier = block(&reader, "246813");
        let second = read(&hsm, &mut reader);
        assert!(hsm.translate_pin(&earlier, &first).is_ok());
        assert_eq!(
            hsm.translate_pin(&earlier, &second),
            Err(HsmError::PinNotOfThisRead)
        );
    }
}
