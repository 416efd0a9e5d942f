//! The HSM module: the only place card numbers and keys exist in clear. It
//! opens the reader's envelope with the BDK the KSN names (AES-128 DUKPT for
//! 24-digit KSNs, by the first 4 bytes; TDES DUKPT for the 20-digit KSNs of
//! legacy readers, by the 5-byte key set identifier), checks the
//! masked PAN the phone sent, turns the PAN into a card token (HMAC-SHA256)
//! so nothing after authorization needs the number, and verifies chip
//! cryptograms with card keys derived from the issuer master keys. It also
//! translates the reader's PIN blocks to the zone PIN key ([`pin_translation`]).

mod pin_translation;
#[cfg(test)]
pub(crate) mod test_reads;

pub use pin_translation::{zone_pin_matches, ZonePinBlock};

use crate::config::{decode_hex, BdkScheme, HsmConfig};
use hmac::{Hmac, Mac};
use mpos_crypto::emv::{cvn18, CardStatusUpdate, EmvError, IccMasterKey, IssuerMasterKey};
use mpos_crypto::emv::{SessionKey, TransactionData};
use mpos_crypto::envelope::{self, EnvelopeError, Scheme, SealedCard};
use mpos_wire::{Brand, CardPayload, MaskedPan};
use sha2::Sha256;
use std::fmt;

/// Why card data was refused: `card_data_invalid` to the phone, or
/// `cryptogram_invalid` for the chip cryptogram cases.
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
    /// No issuer master key is configured for the card's number or brand.
    #[error("no issuer master key for {0}")]
    NoIssuerMasterKey(MaskedPan),
    /// The card's key could not be derived.
    #[error("card key: {0}")]
    CardKey(#[from] EmvError),
    /// The ARQC is not the card's cryptogram over this data.
    #[error("the ARQC does not verify")]
    ArqcMismatch,
    /// The PIN block's KSN is not the card read's.
    #[error("the PIN block belongs to another card read")]
    PinNotOfThisRead,
    /// The PIN block did not decipher to a PIN for this card.
    #[error("PIN block: {0}")]
    PinBlock(#[from] mpos_crypto::envelope::PinEnvelopeError),
}

/// A decrypted card. The number stays private to this module and the issuer simulator.
pub struct OpenedCard {
    pan: String,
    /// Expiry, `YYMM`.
    pub expiry: String,
    /// Service code from the card data.
    pub service_code: String,
    /// Names the reader for replay checks, hex: the initial key id (AES) or
    /// the KSN with its counter cleared (TDES).
    pub reader_id: String,
    /// The reader's DUKPT transaction counter.
    pub counter: u32,
    /// Masked PAN.
    pub masked_pan: MaskedPan,
    /// Brand from the number.
    pub brand: Option<Brand>,
    /// HMAC-SHA256 of the number under the token key, hex.
    pub card_token: String,
    /// Chip failures the reader attested inside the envelope (fallback swipes).
    pub attested_chip_failures: u8,
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

/// Which cards an issuer master key is for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cards {
    /// Numbers starting with these digits.
    Prefix(String),
    /// Every card of the brand.
    Brand(Brand),
}

/// One base derivation key and the KSNs it serves.
struct Bdk {
    scheme: BdkScheme,
    /// The KSN's first bytes that name it.
    id: Vec<u8>,
    key: [u8; 16],
}

/// The HSM's keys.
pub struct Hsm {
    bdks: Vec<Bdk>,
    issuer_master_keys: Vec<(Cards, IssuerMasterKey)>,
    token_key: [u8; 32],
    zone_pin_key: [u8; 16],
}

impl fmt::Debug for Hsm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Hsm")
            .field("bdks", &self.bdks.len())
            .field("issuer_master_keys", &self.issuer_master_keys.len())
            .finish_non_exhaustive()
    }
}

/// An ARQC the HSM verified. It holds the card's session key for the
/// ARPC, only in memory and only until it is dropped after the answer.
pub struct VerifiedArqc {
    session_key: SessionKey,
    arqc: [u8; 8],
}

impl VerifiedArqc {
    /// The issuer's ARPC (method 2) over the ARQC and this card status update.
    pub fn arpc(&self, csu: &CardStatusUpdate) -> [u8; 4] {
        cvn18::arpc(&self.session_key, &self.arqc, csu)
    }
}

impl fmt::Debug for VerifiedArqc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifiedArqc(<redacted>)")
    }
}

impl Hsm {
    /// Builds the HSM from validated configuration and the token key.
    pub fn new(config: &HsmConfig, token_key: [u8; 32]) -> Self {
        let bdks = config
            .bdks
            .iter()
            .filter_map(|b| {
                let id = hex::decode(&b.id_hex).ok()?;
                (id.len() == b.scheme.id_len()).then_some(Bdk {
                    scheme: b.scheme,
                    id,
                    key: decode_hex::<16>(&b.bdk_hex)?,
                })
            })
            .collect();
        let mut issuer_master_keys: Vec<(Cards, IssuerMasterKey)> = config
            .issuer_master_keys
            .iter()
            .filter_map(|k| {
                let cards = match (&k.bin_prefix, k.brand) {
                    (Some(prefix), _) => Cards::Prefix(prefix.clone()),
                    (None, Some(brand)) => Cards::Brand(brand),
                    (None, None) => return None,
                };
                Some((cards, IssuerMasterKey::new(decode_hex::<16>(&k.imk_hex)?)))
            })
            .collect();
        // The most specific key wins: longest prefix first, brands last.
        issuer_master_keys.sort_by_key(|(cards, _)| match cards {
            Cards::Prefix(prefix) => std::cmp::Reverse(prefix.len()),
            Cards::Brand(_) => std::cmp::Reverse(0),
        });
        // Without a configured zone key the network is the simulated
        // issuer in this process, which is handed the same random key.
        let zone_pin_key = config
            .zone_pin_key_hex
            .as_deref()
            .and_then(decode_hex::<16>)
            .unwrap_or_else(rand::random);
        Hsm {
            bdks,
            issuer_master_keys,
            token_key,
            zone_pin_key,
        }
    }

    /// The zone PIN key shared with the card network, for the simulated issuer only.
    pub(crate) fn zone_pin_key_for_network(&self) -> [u8; 16] {
        self.zone_pin_key
    }

    /// The BDK a KSN names.
    fn bdk_for(&self, ksn_hex: &str) -> Result<&[u8; 16], HsmError> {
        let scheme = match Scheme::of_ksn(ksn_hex).map_err(|_| HsmError::InvalidKsn)? {
            Scheme::Aes128 => BdkScheme::Aes128,
            Scheme::Tdes => BdkScheme::Tdes,
        };
        let ksn = hex::decode(ksn_hex).map_err(|_| HsmError::InvalidKsn)?;
        let key_id = ksn.get(..scheme.id_len()).ok_or(HsmError::InvalidKsn)?;
        self.bdks
            .iter()
            .find(|bdk| bdk.scheme == scheme && bdk.id == key_id)
            .map(|bdk| &bdk.key)
            .ok_or_else(|| HsmError::UnknownKey(hex::encode_upper(key_id)))
    }

    /// The issuer master key for a card: the longest matching prefix, else its brand's.
    fn issuer_master_key(&self, card: &OpenedCard) -> Option<&IssuerMasterKey> {
        self.issuer_master_keys
            .iter()
            .find(|(cards, _)| match cards {
                Cards::Prefix(prefix) => card.pan.starts_with(prefix.as_str()),
                Cards::Brand(brand) => card.brand == Some(*brand),
            })
            .map(|(_, key)| key)
    }

    /// Verifies a chip's ARQC (Visa CVN 18): the card's ICC master key by
    /// from its issuer master key, number and PAN sequence number (EMV option
    /// A up to 16 digits, option B for 17 to 19),
    /// then the session key of the data's ATC.
    pub fn verify_arqc(
        &self,
        card: &OpenedCard,
        pan_sequence: u8,
        data: &TransactionData,
        issuer_application_data: &[u8],
        arqc: &[u8; 8],
    ) -> Result<VerifiedArqc, HsmError> {
        let issuer = self
            .issuer_master_key(card)
            .ok_or_else(|| HsmError::NoIssuerMasterKey(card.masked_pan.clone()))?;
        let icc = IccMasterKey::derive(issuer, &card.pan, pan_sequence)?;
        let session_key = cvn18::session_key(&icc, data.atc());
        if !cvn18::verify_arqc(&session_key, data, issuer_application_data, arqc) {
            return Err(HsmError::ArqcMismatch);
        }
        Ok(VerifiedArqc {
            session_key,
            arqc: *arqc,
        })
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
        let (reader_id, counter) =
            envelope::ksn_parts(&payload.ksn).map_err(|_| HsmError::InvalidKsn)?;
        let bdk = self.bdk_for(&payload.ksn)?;
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
            attested_chip_failures: clear.chip_failures,
            reader_id: reader_id.to_ascii_uppercase(),
            counter,
            masked_pan,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::IssuerMasterKeyConfig;

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

    const AES_BDK: &str = "FEDCBA9876543210F1F1F1F1F1F1F1F1";
    const TDES_BDK: &str = "0123456789ABCDEFFEDCBA9876543210";

    fn bdk(scheme: BdkScheme, id_hex: &str, key: &str) -> crate::config::BdkConfig {
        crate::config::BdkConfig {
            id_hex: id_hex.into(),
            bdk_hex: key.into(),
            scheme,
        }
    }

    fn hsm_with_bdks(bdks: Vec<crate::config::BdkConfig>) -> Hsm {
        let config = HsmConfig {
            bdks,
            ..HsmConfig::default()
        };
        Hsm::new(&config, [7u8; 32])
    }

    const VISA_PAN: &str = "4111111111111111";

    fn payload(sealed: SealedCard) -> CardPayload {
        test_reads::payload(sealed, VISA_PAN, Brand::Visa)
    }

    fn visa() -> envelope::ClearCard {
        test_reads::clear_card(VISA_PAN)
    }

    #[test]
    fn opens_tdes_and_aes_envelopes_with_the_bdk_their_ksn_names() {
        let hsm = hsm_with_bdks(vec![
            bdk(BdkScheme::Aes128, "12345678", AES_BDK),
            bdk(BdkScheme::Tdes, "FFFF987654", TDES_BDK),
        ]);
        let tdes_ksn = [0xFF, 0xFF, 0x98, 0x76, 0x54, 0x32, 0x10, 0xE0, 0, 0];
        let sealed = envelope::LegacyReaderKeys::inject(&decode_hex(TDES_BDK).unwrap(), tdes_ksn)
            .seal(&visa())
            .unwrap();
        let opened = hsm.open(&payload(sealed)).unwrap();
        assert_eq!(opened.pan(), "4111111111111111");
        assert_eq!(opened.reader_id, "FFFF9876543210E00000");
        assert_eq!(opened.counter, 1);
        let ikid = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56];
        let sealed = envelope::ReaderKeys::inject(&decode_hex(AES_BDK).unwrap(), ikid)
            .seal(&visa())
            .unwrap();
        let opened = hsm.open(&payload(sealed)).unwrap();
        assert_eq!(opened.reader_id, "1234567890123456");
        assert_eq!(opened.counter, 1);
    }

    #[test]
    fn a_tdes_ksn_finds_only_a_tdes_bdk_of_its_key_set() {
        let tdes_ksn = [0xFF, 0xFF, 0x98, 0x76, 0x54, 0x32, 0x10, 0xE0, 0, 0];
        let sealed = envelope::LegacyReaderKeys::inject(&decode_hex(TDES_BDK).unwrap(), tdes_ksn)
            .seal(&visa())
            .unwrap();
        // An AES BDK whose id is the KSN's first 4 bytes is not a TDES BDK.
        let aes_only = hsm_with_bdks(vec![bdk(BdkScheme::Aes128, "FFFF9876", TDES_BDK)]);
        assert_eq!(
            aes_only.open(&payload(sealed.clone())).map(|_| ()),
            Err(HsmError::UnknownKey("FFFF987654".into()))
        );
        let other_set = hsm_with_bdks(vec![bdk(BdkScheme::Tdes, "FFFF987655", TDES_BDK)]);
        assert!(matches!(
            other_set.open(&payload(sealed.clone())),
            Err(HsmError::UnknownKey(_))
        ));
        let wrong_key = hsm_with_bdks(vec![bdk(BdkScheme::Tdes, "FFFF987654", AES_BDK)]);
        assert_eq!(
            wrong_key.open(&payload(sealed)).map(|_| ()),
            Err(HsmError::Envelope(EnvelopeError::AuthenticationFailed))
        );
    }

    #[test]
    fn debug_shows_no_keys() {
        let text = format!("{:?}", hsm());
        assert!(!text.contains("7, 7"));
    }

    const TEST_IMK: &str = "0123456789ABCDEFFEDCBA9876543210";
    const OTHER_IMK: &str = "FEDCBA98765432100123456789ABCDEF";

    fn imk(brand: Option<Brand>, prefix: Option<&str>, key: &str) -> IssuerMasterKeyConfig {
        IssuerMasterKeyConfig {
            brand,
            bin_prefix: prefix.map(str::to_string),
            imk_hex: key.into(),
        }
    }

    fn hsm_with(keys: Vec<IssuerMasterKeyConfig>) -> Hsm {
        let config = HsmConfig {
            issuer_master_keys: keys,
            ..HsmConfig::default()
        };
        Hsm::new(&config, [7u8; 32])
    }

    fn opened(pan: &str) -> OpenedCard {
        OpenedCard {
            pan: pan.into(),
            expiry: "3012".into(),
            service_code: "201".into(),
            reader_id: "1234567890123456".into(),
            counter: 1,
            masked_pan: MaskedPan::from_pan(pan).unwrap(),
            brand: Brand::from_pan(pan),
            card_token: "t".into(),
            attested_chip_failures: 0,
        }
    }

    fn data(atc: u16) -> TransactionData {
        TransactionData {
            amount_authorised: [0, 0, 0, 0x48, 0, 0],
            amount_other: [0; 6],
            terminal_country_code: [0x01, 0x58],
            terminal_verification_results: [0; 5],
            transaction_currency_code: [0x09, 0x01],
            transaction_date: [0x30, 0x03, 0x10],
            transaction_type: [0x00],
            unpredictable_number: [1, 2, 3, 4],
            application_interchange_profile: [0x1C, 0x00],
            application_transaction_counter: atc.to_be_bytes(),
        }
    }

    /// The card's side, computed independently: what the chip would send.
    fn card_arqc(key: &str, pan: &str, psn: u8, data: &TransactionData, iad: &[u8]) -> [u8; 8] {
        let imk = IssuerMasterKey::new(decode_hex::<16>(key).unwrap());
        let icc = IccMasterKey::derive_option_a(&imk, pan, psn).unwrap();
        cvn18::arqc(&cvn18::session_key(&icc, data.atc()), data, iad)
    }

    #[test]
    fn verifies_the_arqc_and_answers_with_the_cards_session_key() {
        let hsm = hsm_with(vec![imk(Some(Brand::Visa), None, TEST_IMK)]);
        let card = opened("4111111111111111");
        let iad = cvn18::issuer_application_data([0x03, 0xA0, 0, 0]);
        let arqc = card_arqc(TEST_IMK, "4111111111111111", 1, &data(7), &iad);
        let verified = hsm.verify_arqc(&card, 1, &data(7), &iad, &arqc).unwrap();
        let imk = IssuerMasterKey::new(decode_hex::<16>(TEST_IMK).unwrap());
        let icc = IccMasterKey::derive_option_a(&imk, "4111111111111111", 1).unwrap();
        let session = cvn18::session_key(&icc, 7);
        let csu = CardStatusUpdate::approval();
        assert!(cvn18::verify_arpc(
            &session,
            &arqc,
            &csu,
            &verified.arpc(&csu)
        ));
        assert_eq!(format!("{verified:?}"), "VerifiedArqc(<redacted>)");
    }

    #[test]
    fn a_19_digit_card_keyed_with_option_b_verifies() {
        // Long UnionPay numbers: the card's key is option B (EMV Book 2 A1.4.2).
        let hsm = hsm_with(vec![imk(Some(Brand::UnionPay), None, TEST_IMK)]);
        let pan = "6200000000000000019";
        let card = opened(pan);
        let iad = cvn18::issuer_application_data([0x03, 0xA0, 0, 0]);
        let imk = IssuerMasterKey::new(decode_hex::<16>(TEST_IMK).unwrap());
        let option_b = IccMasterKey::derive_option_b(&imk, pan, 1).unwrap();
        let arqc = cvn18::arqc(&cvn18::session_key(&option_b, 9), &data(9), &iad);
        assert!(hsm.verify_arqc(&card, 1, &data(9), &iad, &arqc).is_ok());
        // The defect: a card keyed with option A instead is refused.
        let option_a = IccMasterKey::derive_option_a(&imk, pan, 1).unwrap();
        let wrong = cvn18::arqc(&cvn18::session_key(&option_a, 9), &data(9), &iad);
        assert!(matches!(
            hsm.verify_arqc(&card, 1, &data(9), &iad, &wrong),
            Err(HsmError::ArqcMismatch)
        ));
    }

    #[test]
    fn refuses_a_cryptogram_over_other_data_or_another_card_key() {
        let hsm = hsm_with(vec![imk(Some(Brand::Visa), None, TEST_IMK)]);
        let card = opened("4111111111111111");
        let iad = cvn18::issuer_application_data([0x03, 0xA0, 0, 0]);
        let arqc = card_arqc(TEST_IMK, "4111111111111111", 1, &data(7), &iad);
        let refused = |psn: u8, data: &TransactionData, arqc: &[u8; 8]| {
            matches!(
                hsm.verify_arqc(&card, psn, data, &iad, arqc),
                Err(HsmError::ArqcMismatch)
            )
        };
        assert!(refused(2, &data(7), &arqc), "another PAN sequence number");
        assert!(refused(1, &data(8), &arqc), "another ATC");
        let mut amount = data(7);
        amount.amount_authorised[5] = 1;
        assert!(refused(1, &amount, &arqc), "another amount");
        let foreign = card_arqc(OTHER_IMK, "4111111111111111", 1, &data(7), &iad);
        assert!(refused(1, &data(7), &foreign), "another issuer's key");
    }

    #[test]
    fn the_longest_prefix_wins_then_the_brand() {
        let hsm = hsm_with(vec![
            imk(Some(Brand::Visa), None, TEST_IMK),
            imk(None, Some("4"), OTHER_IMK),
            imk(None, Some("411111"), TEST_IMK),
        ]);
        let iad = cvn18::issuer_application_data([0x03, 0xA0, 0, 0]);
        let verifies = |pan: &str, key: &str| {
            let arqc = card_arqc(key, pan, 1, &data(1), &iad);
            hsm.verify_arqc(&opened(pan), 1, &data(1), &iad, &arqc)
                .is_ok()
        };
        assert!(verifies("4111111111111111", TEST_IMK));
        assert!(!verifies("4111111111111111", OTHER_IMK));
        assert!(verifies("4000000000000002", OTHER_IMK));
        assert!(!verifies("4000000000000002", TEST_IMK));
        let mastercard = opened("5555555555554444");
        assert_eq!(
            hsm.verify_arqc(&mastercard, 1, &data(1), &iad, &[0; 8])
                .map(|_| ()),
            Err(HsmError::NoIssuerMasterKey(mastercard.masked_pan.clone()))
        );
    }
}
