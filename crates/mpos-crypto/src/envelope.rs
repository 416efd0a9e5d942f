//! The reader's card envelope: clear card data sealed under a DUKPT data
//! key, opened only by the gateway's HSM module. Two schemes, told apart by
//! the KSN's length: AES-128 DUKPT (ANSI X9.24-3, 24 hex digits), the
//! default, and TDES DUKPT (ANSI X9.24-1, 20 hex digits) for legacy readers
//! ([`LegacyReaderKeys`], described in `legacy`).
//!
//! AES KSN: 12 bytes, the 8-byte initial key id then the 32-bit counter, as 24
//! uppercase hex digits. Plaintext: ASCII `PAN=YYMMSSS` (track-2-equivalent
//! data without sentinels), followed for a fallback swipe by `|F` and the
//! number of chip failures the reader saw first (its attestation: the phone
//! cannot add or change it, the MAC covers it), padded with ISO 9797-1 method 2 (`80 00..`) and
//! encrypted with AES-128-CBC under the counter's data-encryption key with a
//! zero IV (the key is used once, so a fixed IV leaks nothing).
//!
//! Encrypt-then-MAC: the envelope's `ciphertext` is the CBC ciphertext
//! followed by an 8-byte AES-CMAC (NIST SP 800-38B, truncated) under the
//! counter's MAC-generation key, computed over the 12 KSN bytes and the CBC
//! ciphertext. [`open`] checks the MAC in constant time before it decrypts,
//! so a changed byte, a swapped KSN or a wrong BDK is refused before any
//! plaintext exists, and CBC's malleability cannot be used to edit fields.

mod legacy;
mod pin;

pub use legacy::LegacyReaderKeys;
pub use pin::{open_pin, EncipheredPin, PinEnvelopeError};

use crate::dukpt::aes128::{self, KeyUsage};
use crate::dukpt::Key16;
use aes::Aes128;
use cbc::cipher::block_padding::NoPadding;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use cmac::{Cmac, Mac};

/// Clear card data as the reader read it (track-2-equivalent fields).
#[derive(Clone, PartialEq, Eq)]
pub struct ClearCard {
    /// Primary account number.
    pub pan: String,
    /// Expiry, `YYMM`.
    pub expiry: String,
    /// Service code, 3 digits.
    pub service_code: String,
    /// Chip failures the reader saw before this swipe (its fallback
    /// attestation); 0 for chip reads and ordinary swipes.
    pub chip_failures: u8,
}

impl std::fmt::Debug for ClearCard {
    /// Never prints the number in clear.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClearCard")
            .field("pan", &"<hidden>")
            .finish_non_exhaustive()
    }
}

/// A sealed envelope: the key serial number and the ciphertext, both hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedCard {
    /// DUKPT key serial number, hex: 24 digits (AES) or 20 (TDES).
    pub ksn: String,
    /// CBC ciphertext then the 8-byte MAC, hex.
    pub ciphertext: String,
}

/// Why an envelope could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The KSN is not 24 (AES) or 20 (TDES) hex digits, or its counter is invalid.
    #[error("invalid key serial number")]
    InvalidKsn,
    /// The ciphertext is not hex or not a whole number of blocks.
    #[error("malformed ciphertext")]
    MalformedCiphertext,
    /// The MAC does not match: a changed envelope, another KSN or a wrong BDK.
    #[error("card data failed its integrity check")]
    AuthenticationFailed,
    /// The plaintext did not parse as card data.
    #[error("card data did not decrypt to a valid track")]
    InvalidPlaintext,
    /// The reader's transaction counter is exhausted.
    #[error("the reader's key counter is exhausted")]
    CounterExhausted,
}

/// The DUKPT scheme of an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// AES-128 DUKPT (ANSI X9.24-3), 12-byte KSN: the default.
    Aes128,
    /// TDES DUKPT (ANSI X9.24-1), 10-byte KSN: legacy readers.
    Tdes,
}

impl Scheme {
    /// The scheme a KSN belongs to, by its length: 24 hex digits AES, 20 TDES.
    pub fn of_ksn(ksn_hex: &str) -> Result<Scheme, EnvelopeError> {
        match ksn_hex.len() {
            24 => Ok(Scheme::Aes128),
            20 => Ok(Scheme::Tdes),
            _ => Err(EnvelopeError::InvalidKsn),
        }
    }
}

/// A reader's injected keys, of either scheme.
#[derive(Debug)]
pub enum DeviceKeys {
    /// AES-128 DUKPT.
    Aes128(ReaderKeys),
    /// TDES DUKPT, for legacy readers.
    Tdes(LegacyReaderKeys),
}

impl DeviceKeys {
    /// The KSN the next seal will use, hex.
    pub fn next_ksn(&self) -> String {
        match self {
            DeviceKeys::Aes128(keys) => keys.next_ksn(),
            DeviceKeys::Tdes(keys) => keys.next_ksn(),
        }
    }

    /// Seals card data under the next transaction key.
    pub fn seal(&mut self, card: &ClearCard) -> Result<SealedCard, EnvelopeError> {
        match self {
            DeviceKeys::Aes128(keys) => keys.seal(card),
            DeviceKeys::Tdes(keys) => keys.seal(card),
        }
    }

    /// Enciphers the cardholder's PIN for the card of the last seal, under
    /// that seal's KSN (format 4 for AES, format 0 for TDES; `random_fill`
    /// is format 4's).
    pub fn encipher_pin(
        &self,
        pin: &str,
        pan: &str,
        random_fill: &[u8; 8],
    ) -> Result<EncipheredPin, PinEnvelopeError> {
        match self {
            DeviceKeys::Aes128(keys) => keys.encipher_pin(pin, pan, random_fill),
            DeviceKeys::Tdes(keys) => keys.encipher_pin(pin, pan),
        }
    }

    /// The scheme of these keys.
    pub fn scheme(&self) -> Scheme {
        match self {
            DeviceKeys::Aes128(_) => Scheme::Aes128,
            DeviceKeys::Tdes(_) => Scheme::Tdes,
        }
    }
}

/// The reader's side: an initial key (loaded at key injection) and a counter.
pub struct ReaderKeys {
    initial_key_id: [u8; 8],
    initial_key: [u8; 16],
    counter: u32,
}

impl std::fmt::Debug for ReaderKeys {
    /// Shows the KSN, never the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReaderKeys")
            .field("initial_key_id", &hex::encode_upper(self.initial_key_id))
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}

impl ReaderKeys {
    /// Injects a reader: derives its initial key from the BDK and initial key id.
    pub fn inject(bdk: &[u8; 16], initial_key_id: [u8; 8]) -> Self {
        let initial_key = aes128::initial_key(&Key16::new(*bdk), &initial_key_id);
        ReaderKeys {
            initial_key_id,
            initial_key: *initial_key.as_bytes(),
            counter: 0,
        }
    }

    /// The KSN the next seal will use, hex; once the counter is exhausted, the last KSN used.
    pub fn next_ksn(&self) -> String {
        let counter = aes128::next_counter(self.counter).unwrap_or(self.counter);
        format_ksn(&self.initial_key_id, counter)
    }

    /// Seals card data under the next transaction key and advances the counter.
    ///
    /// Card data that [`open`] would refuse is refused here too, and then
    /// the counter does not move.
    pub fn seal(&mut self, card: &ClearCard) -> Result<SealedCard, EnvelopeError> {
        let plaintext = encode_card(card, AES_BLOCK)?;
        let counter = aes128::next_counter(self.counter).ok_or(EnvelopeError::CounterExhausted)?;
        let [data_key, mac_key] = self
            .working_keys(counter, [KeyUsage::DataEncrypt, KeyUsage::MacGeneration])
            .map_err(|_| EnvelopeError::InvalidKsn)?;
        self.counter = counter;
        let mut envelope =
            cbc::Encryptor::<Aes128>::new(data_key.as_bytes().into(), &[0u8; 16].into())
                .encrypt_padded_vec_mut::<NoPadding>(&plaintext);
        let ksn = format_ksn(&self.initial_key_id, counter);
        let tag = envelope_mac(
            &mac_key,
            &ksn_bytes(&self.initial_key_id, counter),
            &envelope,
        )
        .finalize()
        .into_bytes();
        envelope.extend_from_slice(&tag[..MAC_LEN]);
        Ok(SealedCard {
            ksn,
            ciphertext: hex::encode_upper(envelope),
        })
    }

    /// The working keys of `counter` for each usage, as the device derives them.
    fn working_keys<const N: usize>(
        &self,
        counter: u32,
        usages: [KeyUsage; N],
    ) -> Result<[Key16; N], crate::dukpt::DukptError> {
        let initial_key = Key16::new(self.initial_key);
        let derivation = aes128::derivation_key(&initial_key, &self.initial_key_id, counter)?;
        let keys = usages
            .map(|usage| aes128::working_key(&derivation, &self.initial_key_id, counter, usage));
        if let Some(Err(error)) = keys.iter().find(|key| key.is_err()) {
            return Err(error.clone());
        }
        Ok(keys.map(|key| key.expect("every key derived")))
    }

    /// Sets the counter, to test a reader near the end of its key life.
    #[cfg(test)]
    fn with_counter(mut self, counter: u32) -> Self {
        self.counter = counter;
        self
    }
}

/// The HSM's side: opens an envelope with the BDK, in the scheme its KSN's
/// length names (see [`Scheme::of_ksn`]).
pub fn open(bdk: &[u8; 16], sealed: &SealedCard) -> Result<ClearCard, EnvelopeError> {
    match Scheme::of_ksn(&sealed.ksn)? {
        Scheme::Aes128 => open_aes(bdk, sealed),
        Scheme::Tdes => legacy::open(bdk, sealed),
    }
}

/// Opens an AES DUKPT envelope.
fn open_aes(bdk: &[u8; 16], sealed: &SealedCard) -> Result<ClearCard, EnvelopeError> {
    let (initial_key_id, counter) = parse_ksn(&sealed.ksn)?;
    let envelope =
        hex::decode(&sealed.ciphertext).map_err(|_| EnvelopeError::MalformedCiphertext)?;
    let Some(body_len) = envelope.len().checked_sub(MAC_LEN) else {
        return Err(EnvelopeError::MalformedCiphertext);
    };
    if body_len == 0 || body_len % 16 != 0 {
        return Err(EnvelopeError::MalformedCiphertext);
    }
    let (ciphertext, tag) = envelope.split_at(body_len);
    let bdk = Key16::new(*bdk);
    let key_for = |usage| {
        aes128::host_working_key(&bdk, &initial_key_id, counter, usage)
            .map_err(|_| EnvelopeError::InvalidKsn)
    };
    envelope_mac(
        &key_for(KeyUsage::MacGeneration)?,
        &ksn_bytes(&initial_key_id, counter),
        ciphertext,
    )
    .verify_truncated_left(tag)
    .map_err(|_| EnvelopeError::AuthenticationFailed)?;
    let data_key = key_for(KeyUsage::DataEncrypt)?;
    let plaintext = cbc::Decryptor::<Aes128>::new(data_key.as_bytes().into(), &[0u8; 16].into())
        .decrypt_padded_vec_mut::<NoPadding>(ciphertext)
        .map_err(|_| EnvelopeError::MalformedCiphertext)?;
    decode_card(&plaintext, AES_BLOCK)
}

/// Splits a KSN into the reader's identity (hex) and its transaction
/// counter. AES: the 8-byte initial key id (16 digits). TDES: the KSN with
/// its counter cleared (20 digits), which names one device.
pub fn ksn_parts(ksn_hex: &str) -> Result<(String, u32), EnvelopeError> {
    match Scheme::of_ksn(ksn_hex)? {
        Scheme::Aes128 => {
            let (initial_key_id, counter) = parse_ksn(ksn_hex)?;
            Ok((hex::encode_upper(initial_key_id), counter))
        }
        Scheme::Tdes => {
            let ksn = legacy::parse_ksn(ksn_hex)?;
            Ok((ksn.initial().to_hex(), ksn.counter()))
        }
    }
}

/// 24 hex digits: the 8-byte initial key id and a valid counter.
fn parse_ksn(ksn_hex: &str) -> Result<([u8; 8], u32), EnvelopeError> {
    if ksn_hex.len() != 24 {
        return Err(EnvelopeError::InvalidKsn);
    }
    let bytes = hex::decode(ksn_hex).map_err(|_| EnvelopeError::InvalidKsn)?;
    let initial_key_id: [u8; 8] = bytes[..8].try_into().expect("12 bytes");
    let counter = u32::from_be_bytes(bytes[8..].try_into().expect("12 bytes"));
    aes128::validate_counter(counter).map_err(|_| EnvelopeError::InvalidKsn)?;
    Ok((initial_key_id, counter))
}

/// Bytes of the MAC that closes every envelope (truncated CMAC, or the full retail MAC).
const MAC_LEN: usize = 8;
/// The AES block size.
const AES_BLOCK: usize = 16;

/// CMAC state over the KSN and the CBC ciphertext, ready to finalize or verify.
fn envelope_mac(mac_key: &Key16, ksn: &[u8; 12], ciphertext: &[u8]) -> Cmac<Aes128> {
    let mut mac = <Cmac<Aes128> as Mac>::new_from_slice(mac_key.as_bytes())
        .expect("AES-128 keys are 16 bytes");
    mac.update(ksn);
    mac.update(ciphertext);
    mac
}

fn ksn_bytes(initial_key_id: &[u8; 8], counter: u32) -> [u8; 12] {
    let mut ksn = [0u8; 12];
    ksn[..8].copy_from_slice(initial_key_id);
    ksn[8..].copy_from_slice(&counter.to_be_bytes());
    ksn
}

fn format_ksn(initial_key_id: &[u8; 8], counter: u32) -> String {
    format!("{}{counter:08X}", hex::encode_upper(initial_key_id))
}

/// `PAN=YYMMSSS` (then `|Fn` when the reader saw chip failures), padded
/// with ISO 9797-1 method 2 to whole cipher blocks of `block` bytes.
fn encode_card(card: &ClearCard, block: usize) -> Result<Vec<u8>, EnvelopeError> {
    let mut text = format!("{}={}{}", card.pan, card.expiry, card.service_code);
    if card.chip_failures > 0 {
        text.push_str(&format!("|F{}", card.chip_failures));
    }
    // The same strict check the HSM applies, so a sealed card always opens.
    parse_track(text.as_bytes())?;
    let mut plaintext = text.into_bytes();
    plaintext.push(0x80);
    while plaintext.len() % block != 0 {
        plaintext.push(0);
    }
    Ok(plaintext)
}

/// Removes method-2 padding (at most one block of `block` bytes) and parses the track.
fn decode_card(plaintext: &[u8], block: usize) -> Result<ClearCard, EnvelopeError> {
    let marker = plaintext
        .iter()
        .rposition(|&b| b != 0)
        .ok_or(EnvelopeError::InvalidPlaintext)?;
    if plaintext[marker] != 0x80 || plaintext.len() - marker > block {
        return Err(EnvelopeError::InvalidPlaintext);
    }
    parse_track(&plaintext[..marker])
}

/// Parses `PAN=YYMMSSS[|Fn]`: a Luhn-valid 12-19 digit PAN, a real month,
/// a 3-digit service code, and the chip failures of a fallback (1 to 255).
fn parse_track(track: &[u8]) -> Result<ClearCard, EnvelopeError> {
    let text = std::str::from_utf8(track).map_err(|_| EnvelopeError::InvalidPlaintext)?;
    let (text, chip_failures) = match text.split_once("|F") {
        None => (text, 0),
        Some((track, count)) => {
            let failures: u8 = count
                .parse()
                .ok()
                .filter(|n| *n > 0 && count.bytes().all(|b| b.is_ascii_digit()))
                .ok_or(EnvelopeError::InvalidPlaintext)?;
            (track, failures)
        }
    };
    let (pan, rest) = text
        .split_once('=')
        .ok_or(EnvelopeError::InvalidPlaintext)?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let pan_ok = (12..=19).contains(&pan.len()) && digits(pan) && mpos_wire::luhn_valid(pan);
    if !pan_ok || rest.len() != 7 || !digits(rest) {
        return Err(EnvelopeError::InvalidPlaintext);
    }
    let (expiry, service_code) = rest.split_at(4);
    let month: u8 = expiry[2..]
        .parse()
        .map_err(|_| EnvelopeError::InvalidPlaintext)?;
    if !(1..=12).contains(&month) {
        return Err(EnvelopeError::InvalidPlaintext);
    }
    Ok(ClearCard {
        pan: pan.to_string(),
        expiry: expiry.to_string(),
        service_code: service_code.to_string(),
        chip_failures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published X9.24-3 test BDK and initial key id.
    const BDK: [u8; 16] = [
        0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1,
        0xF1,
    ];
    const IKID: [u8; 8] = [0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x56];

    fn card(pan: &str) -> ClearCard {
        ClearCard {
            pan: pan.to_string(),
            expiry: "3012".to_string(),
            service_code: "201".to_string(),
            chip_failures: 0,
        }
    }

    fn sealed_visa() -> SealedCard {
        ReaderKeys::inject(&BDK, IKID)
            .seal(&card("4111111111111111"))
            .unwrap()
    }

    #[test]
    fn round_trips_card_data_of_every_pan_length() {
        let mut reader = ReaderKeys::inject(&BDK, IKID);
        for pan in [
            "411111111117",
            "378282246310005",
            "4111111111111111",
            "4111111111111111110",
        ] {
            assert!(mpos_wire::luhn_valid(pan), "{pan}");
            let sealed = reader.seal(&card(pan)).unwrap();
            assert_eq!(open(&BDK, &sealed).unwrap(), card(pan));
            assert!(!sealed.ciphertext.contains(pan));
        }
    }

    #[test]
    fn the_readers_fallback_attestation_travels_inside_the_mac() {
        let mut reader = ReaderKeys::inject(&BDK, IKID);
        let fallback = ClearCard {
            chip_failures: 3,
            ..card("4111111111111111")
        };
        let sealed = reader.seal(&fallback).unwrap();
        assert_eq!(open(&BDK, &sealed).unwrap().chip_failures, 3);
        // A phone that flips ciphertext bits to forge or drop the count is refused.
        let mut forged = sealed.clone();
        let mut bytes = hex::decode(&forged.ciphertext).unwrap();
        bytes[0] ^= 0x01;
        forged.ciphertext = hex::encode_upper(bytes);
        assert_eq!(
            open(&BDK, &forged),
            Err(EnvelopeError::AuthenticationFailed)
        );
        assert_eq!(
            parse_track(b"4111111111111111=3012201|F0"),
            Err(EnvelopeError::InvalidPlaintext)
        );
        assert_eq!(
            parse_track(b"4111111111111111=3012201|Fx"),
            Err(EnvelopeError::InvalidPlaintext)
        );
        assert_eq!(
            parse_track(b"4111111111111111=3012201")
                .unwrap()
                .chip_failures,
            0
        );
    }

    #[test]
    fn first_seal_uses_counter_one_and_each_seal_advances() {
        let mut reader = ReaderKeys::inject(&BDK, IKID);
        assert_eq!(reader.next_ksn(), "123456789012345600000001");
        let first = reader.seal(&card("4111111111111111")).unwrap();
        assert_eq!(first.ksn, "123456789012345600000001");
        assert_eq!(reader.next_ksn(), "123456789012345600000002");
        let second = reader.seal(&card("4111111111111111")).unwrap();
        assert_eq!(second.ksn, "123456789012345600000002");
        // Same card, new key: the ciphertexts differ.
        assert_ne!(first.ciphertext, second.ciphertext);
    }

    #[test]
    fn ciphertext_is_cbc_under_the_published_data_key() {
        // Counter 1's data-encryption key is a published X9.24-3 vector, so
        // the first envelope can be checked with the aes crate alone.
        let sealed = sealed_visa();
        let key: [u8; 16] = hex::decode("A35C412EFD41FDB98B69797C02DCD08F")
            .unwrap()
            .try_into()
            .unwrap();
        let envelope = hex::decode(&sealed.ciphertext).unwrap();
        assert_eq!(envelope.len(), 32 + MAC_LEN);
        let plain = cbc::Decryptor::<Aes128>::new(&key.into(), &[0u8; 16].into())
            .decrypt_padded_vec_mut::<NoPadding>(&envelope[..32])
            .unwrap();
        assert_eq!(&plain[..24], b"4111111111111111=3012201");
        assert_eq!(plain[24], 0x80);
        assert!(plain[25..].iter().all(|&b| b == 0));
        assert_eq!(plain.len(), 32);
    }

    #[test]
    fn wrong_bdk_fails_authentication() {
        let mut other = BDK;
        other[0] ^= 1;
        assert_eq!(
            open(&other, &sealed_visa()),
            Err(EnvelopeError::AuthenticationFailed)
        );
    }

    #[test]
    fn wrong_counter_fails_authentication() {
        let mut sealed = sealed_visa();
        sealed.ksn = "123456789012345600000002".to_string();
        assert_eq!(
            open(&BDK, &sealed),
            Err(EnvelopeError::AuthenticationFailed)
        );
    }

    #[test]
    fn any_tampered_byte_is_refused() {
        let sealed = sealed_visa();
        let bytes = hex::decode(&sealed.ciphertext).unwrap();
        for index in 0..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[index] ^= 0x01;
            let attempt = SealedCard {
                ksn: sealed.ksn.clone(),
                ciphertext: hex::encode_upper(tampered),
            };
            assert_eq!(
                open(&BDK, &attempt),
                Err(EnvelopeError::AuthenticationFailed),
                "byte {index}"
            );
        }
    }

    #[test]
    fn malformed_ciphertext_is_refused() {
        let sealed = sealed_visa();
        for ciphertext in [
            "",
            "XYZ",
            "00",
            &sealed.ciphertext[..30],
            &sealed.ciphertext[1..],
        ] {
            let attempt = SealedCard {
                ksn: sealed.ksn.clone(),
                ciphertext: ciphertext.to_string(),
            };
            assert_eq!(
                open(&BDK, &attempt),
                Err(EnvelopeError::MalformedCiphertext),
                "{ciphertext:?}"
            );
        }
    }

    #[test]
    fn malformed_and_invalid_ksns_are_refused() {
        let sealed = sealed_visa();
        for ksn in [
            "",
            "1234567890123456000001",
            "12345678901234560000000100",
            "12345678901234560000000G",
            "123456789012345600000000",
            "12345678901234560001FFFF",
        ] {
            let attempt = SealedCard {
                ksn: ksn.to_string(),
                ciphertext: sealed.ciphertext.clone(),
            };
            assert_eq!(
                open(&BDK, &attempt),
                Err(EnvelopeError::InvalidKsn),
                "{ksn}"
            );
            assert_eq!(ksn_parts(ksn), Err(EnvelopeError::InvalidKsn), "{ksn}");
        }
    }

    #[test]
    fn ksn_parts_splits_key_id_and_counter() {
        assert_eq!(
            ksn_parts("123456789012345600000001").unwrap(),
            ("1234567890123456".to_string(), 1)
        );
        assert_eq!(
            ksn_parts("ffffffff0000000100ffff00").unwrap(),
            ("FFFFFFFF00000001".to_string(), 0x00FF_FF00)
        );
    }

    #[test]
    fn seal_refuses_invalid_card_data_without_using_a_counter() {
        let mut reader = ReaderKeys::inject(&BDK, IKID);
        let bad = [
            card("4111111111111112"),
            card("41111111111"),
            card("41111111111111111111"),
            ClearCard {
                expiry: "3013".into(),
                ..card("4111111111111111")
            },
            ClearCard {
                expiry: "301".into(),
                ..card("4111111111111111")
            },
            ClearCard {
                service_code: "2O1".into(),
                ..card("4111111111111111")
            },
            ClearCard {
                pan: "4111111111111111=3012201".into(),
                ..card("4111111111111111")
            },
        ];
        for card in bad {
            assert_eq!(reader.seal(&card), Err(EnvelopeError::InvalidPlaintext));
        }
        assert_eq!(reader.next_ksn(), "123456789012345600000001");
    }

    #[test]
    fn open_checks_the_plaintext_strictly() {
        let key =
            aes128::host_working_key(&Key16::new(BDK), &IKID, 1, KeyUsage::DataEncrypt).unwrap();
        let mac_key =
            aes128::host_working_key(&Key16::new(BDK), &IKID, 1, KeyUsage::MacGeneration).unwrap();
        let seal_raw = |plain: &[u8]| {
            let mut envelope =
                cbc::Encryptor::<Aes128>::new(key.as_bytes().into(), &[0u8; 16].into())
                    .encrypt_padded_vec_mut::<NoPadding>(plain);
            let tag = envelope_mac(&mac_key, &ksn_bytes(&IKID, 1), &envelope)
                .finalize()
                .into_bytes();
            envelope.extend_from_slice(&tag[..MAC_LEN]);
            SealedCard {
                ksn: "123456789012345600000001".into(),
                ciphertext: hex::encode(envelope),
            }
        };
        let pad = |text: &str| {
            let mut bytes = text.as_bytes().to_vec();
            bytes.push(0x80);
            bytes.resize(bytes.len().div_ceil(16) * 16, 0);
            bytes
        };
        assert!(open(&BDK, &seal_raw(&pad("4111111111111111=3012201"))).is_ok());
        for text in [
            "4111111111111112=3012201",
            "4111111111111111=301220",
            "4111111111111111=30122011",
            "4111111111111111D3012201",
            "4111111111111111=3000201",
            "4111111111111111=30a2201",
            "=3012201",
        ] {
            assert_eq!(
                open(&BDK, &seal_raw(&pad(text))),
                Err(EnvelopeError::InvalidPlaintext),
                "{text}"
            );
        }
        // Padding: zeros only, a missing marker, and a whole extra block of padding.
        let mut zeros = b"4111111111111111=3012201".to_vec();
        zeros.resize(32, 0);
        let mut extra = pad("4111111111111111=3012201");
        extra.extend([0u8; 16]);
        let mut wrong_marker = pad("4111111111111111=3012201");
        wrong_marker[24] = 0x81;
        for plain in [zeros, extra, wrong_marker, vec![0u8; 32]] {
            assert_eq!(
                open(&BDK, &seal_raw(&plain)),
                Err(EnvelopeError::InvalidPlaintext)
            );
        }
    }

    #[test]
    fn exhausted_counter_is_reported() {
        let mut reader = ReaderKeys::inject(&BDK, IKID).with_counter(0xFFFE_8000);
        assert_eq!(reader.next_ksn(), "1234567890123456FFFF0000");
        let last = reader.seal(&card("4111111111111111")).unwrap();
        assert_eq!(last.ksn, "1234567890123456FFFF0000");
        assert!(open(&BDK, &last).is_ok());
        assert_eq!(
            reader.seal(&card("4111111111111111")),
            Err(EnvelopeError::CounterExhausted)
        );
    }

    #[test]
    fn device_keys_seal_in_their_scheme_and_open_picks_it_by_ksn_length() {
        let tdes_bdk: [u8; 16] = hex::decode("0123456789ABCDEFFEDCBA9876543210")
            .unwrap()
            .try_into()
            .unwrap();
        let tdes_ksn = [0xFF, 0xFF, 0x98, 0x76, 0x54, 0x32, 0x10, 0xE0, 0, 0];
        let readers = [
            (
                DeviceKeys::Aes128(ReaderKeys::inject(&BDK, IKID)),
                BDK,
                Scheme::Aes128,
            ),
            (
                DeviceKeys::Tdes(LegacyReaderKeys::inject(&tdes_bdk, tdes_ksn)),
                tdes_bdk,
                Scheme::Tdes,
            ),
        ];
        for (mut reader, bdk, scheme) in readers {
            assert_eq!(reader.scheme(), scheme);
            let next = reader.next_ksn();
            let sealed = reader.seal(&card("4111111111111111")).unwrap();
            assert_eq!(sealed.ksn, next);
            assert_eq!(Scheme::of_ksn(&sealed.ksn), Ok(scheme));
            assert_eq!(open(&bdk, &sealed).unwrap(), card("4111111111111111"));
        }
        assert_eq!(Scheme::of_ksn("1234"), Err(EnvelopeError::InvalidKsn));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let reader = ReaderKeys::inject(&BDK, IKID);
        let initial = aes128::initial_key(&Key16::new(BDK), &IKID).to_hex();
        let text = format!("{reader:?}");
        assert!(!text.contains(&initial) && !text.to_lowercase().contains(&initial.to_lowercase()));
        assert!(!format!("{:?}", card("4111111111111111")).contains("4111111111111111"));
    }
}
