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
