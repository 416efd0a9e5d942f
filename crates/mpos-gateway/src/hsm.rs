//! The HSM module: the only place card numbers exist in clear. It opens
//! the reader's envelope with the BDK the KSN names, checks the masked PAN
//! the phone sent, and turns the PAN into a card token (HMAC-SHA256) so
//! nothing after authorization needs the number.

use crate::config::{decode_hex, HsmConfig};
use hmac::{Hmac, Mac};
use mpos_crypto::envelope::{self, EnvelopeError, SealedCard};
use mpos_wire::{Brand, CardPayload, MaskedPan};
use sha2::Sha256;
use std::fmt;

/// Why card data was refused; every case is `card_data_invalid` to the phone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HsmError {
    /// The KSN is malformed.
    #[error("invalid key serial number")]
    InvalidKsn,
    /// No BDK is configured for the KSN's key id.
    #[error("no base derivation key for key id {0}")]
    UnknownKey(String),
    /// The envelope did not open.
    #[error("envelope: {0}")]
    Envelope(#[from] EnvelopeError),
    /// The decrypted number is not a card number.
    #[error("decrypted card number is malformed")]
    InvalidPan,
    /// The masked PAN the phone sent is not the decrypted card's.
    #[error("masked PAN does not match the card data")]
    MaskMismatch,
}

/// A decrypted card. The number stays private to this module and the issuer simulator.
pub struct OpenedCard {
    pan: String,
    /// Expiry, `YYMM`.
    pub expiry: String,
    /// Service code from the card data.
    pub service_code: String,
    /// The reader's initial key id (hex), naming the reader for replay checks.
    pub reader_id: String,
    /// The reader's DUKPT transaction counter.
    pub counter: u32,
    /// Masked PAN.
    pub masked_pan: MaskedPan,
    /// Brand from the number.
    pub brand: Option<Brand>,
    /// HMAC-SHA256 of the number under the token key, hex.
    pub card_token: String,
}

impl OpenedCard {
    /// The clear number, for the issuer simulator only.
    pub(crate) fn pan(&self) -> &str {
        &self.pan
    }

    /// Whether the card data announces a chip.
    pub fn has_chip(&self) -> bool {
        mpos_wire::card::service_code_has_chip(&self.service_code)
    }
}

impl fmt::Debug for OpenedCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedCard")
            .field("masked_pan", &self.masked_pan)
            .field("reader_id", &self.reader_id)
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

impl Drop for OpenedCard {
    fn drop(&mut self) {
        // Best effort: do not leave the number in freed memory.
        let mut bytes = std::mem::take(&mut self.pan).into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
    }
}

/// The HSM's keys.
pub struct Hsm {
    bdks: Vec<([u8; 4], [u8; 16])>,
    token_key: [u8; 32],
}

impl fmt::Debug for Hsm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hsm")
            .field("bdks", &self.bdks.len())
            .finish_non_exhaustive()
    }
}

impl Hsm {
    /// Builds the HSM from validated configuration and the token key.
    pub fn new(config: &HsmConfig, token_key: [u8; 32]) -> Self {
        let bdks = config
            .bdks
            .iter()
            .filter_map(|b| Some((decode_hex::<4>(&b.id_hex)?, decode_hex::<16>(&b.bdk_hex)?)))
            .collect();
        Hsm { bdks, token_key }
    }

    /// The card token of a number.
    pub fn card_token(&self, pan: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.token_key)
            .expect("HMAC takes any key length");
        mac.update(pan.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Opens the envelope in `payload` and checks it against the payload's masked PAN.
    pub fn open(&self, payload: &CardPayload) -> Result<OpenedCard, HsmError> {
        let (initial_key_id, counter) =
            envelope::ksn_parts(&payload.ksn).map_err(|_| HsmError::InvalidKsn)?;
        let key_id = initial_key_id
            .get(..8)
            .and_then(decode_hex::<4>)
            .ok_or(HsmError::InvalidKsn)?;
        let bdk = self
            .bdks
            .iter()
            .find(|(id, _)| *id == key_id)
            .map(|(_, bdk)| bdk)
            .ok_or_else(|| HsmError::UnknownKey(hex::encode_upper(key_id)))?;
        let sealed = SealedCard {
            ksn: payload.ksn.clone(),
            ciphertext: payload.ciphertext.clone(),
        };
        let clear = envelope::open(bdk, &sealed)?;
        let masked_pan = MaskedPan::from_pan(&clear.pan).ok_or(HsmError::InvalidPan)?;
        if !mpos_wire::luhn_valid(&clear.pan) {
            return Err(HsmError::InvalidPan);
        }
        if masked_pan != payload.masked_pan {
            return Err(HsmError::MaskMismatch);
        }
        Ok(OpenedCard {
            card_token: self.card_token(&clear.pan),
            brand: Brand::from_pan(&clear.pan),
            pan: clear.pan.clone(),
            expiry: clear.expiry.clone(),
            service_code: clear.service_code.clone(),
            reader_id: initial_key_id.to_ascii_uppercase(),
            counter,
            masked_pan,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hsm() -> Hsm {
        Hsm::new(&HsmConfig::default(), [7u8; 32])
    }

    #[test]
    fn card_tokens_are_stable_and_keyed() {
        let a = hsm().card_token("4111111111111111");
        assert_eq!(a, hsm().card_token("4111111111111111"));
        assert_ne!(a, hsm().card_token("4242424242424242"));
        assert_ne!(
            a,
            Hsm::new(&HsmConfig::default(), [8u8; 32]).card_token("4111111111111111")
        );
        assert!(!a.contains("4111111111111111"));
    }

    #[test]
    fn debug_shows_no_keys() {
        let text = format!("{:?}", hsm());
        assert!(!text.contains("7, 7"));
    }
}
