//! The EMV key hierarchy for application cryptograms (EMV Book 2, Annex A1):
//! issuer master key -> ICC master key (option A for card numbers of up to
//! 16 digits, option B beyond, per card) -> session key
//! (common session key derivation, per transaction). Every key is a
//! double-length TDES key whose `Debug` never shows the bytes.

use super::EmvError;
use des::cipher::{BlockEncrypt, KeyInit};
use des::TdesEde2;
use std::fmt;

/// 16 key bytes, wiped (best effort) when dropped.
#[derive(Clone, PartialEq, Eq)]
struct KeyBytes([u8; 16]);

impl Drop for KeyBytes {
    fn drop(&mut self) {
        self.0 = [0; 16];
        std::hint::black_box(&self.0);
    }
}

pub(crate) mod sealed {
    /// Gives the crate, and only the crate, the bytes of a key.
    pub trait Sealed {
        fn key_bytes(&self) -> &[u8; 16];
    }
}

/// A key that application cryptograms and ARPCs can be computed under:
/// the ICC master key (Visa CVN 10, ARPC method 1) or a session key.
pub trait CryptogramKey: sealed::Sealed {}

macro_rules! double_length_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq)]
        pub struct $name(KeyBytes);

        impl $name {
            /// The key check value: the first 3 bytes of the key's encryption of zeros.
            pub fn check_value(&self) -> [u8; 3] {
                let block = tdes_encrypt(&self.0 .0, [0; 8]);
                [block[0], block[1], block[2]]
            }
        }

        impl sealed::Sealed for $name {
            fn key_bytes(&self) -> &[u8; 16] {
                &self.0 .0
            }
        }

        impl fmt::Debug for $name {
            /// Keys never reach logs.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

double_length_key!(
    /// An issuer master key for application cryptograms (MK-AC), held by the issuer's HSM only.
    IssuerMasterKey
);
double_length_key!(
    /// A card's own master key, derived from the issuer master key at personalisation.
    IccMasterKey
);
double_length_key!(
    /// A per-transaction key derived from the ICC master key.
    SessionKey
);

impl CryptogramKey for IccMasterKey {}
impl CryptogramKey for SessionKey {}

impl IssuerMasterKey {
    /// Wraps raw key bytes.
    pub fn new(bytes: [u8; 16]) -> Self {
        IssuerMasterKey(KeyBytes(bytes))
    }

    /// Parses 32 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, EmvError> {
        let bytes = hex::decode(text).map_err(|_| EmvError::MalformedKey)?;
        let bytes: [u8; 16] = bytes.try_into().map_err(|_| EmvError::MalformedKey)?;
        Ok(IssuerMasterKey::new(bytes))
    }
}

/// The card number and PAN sequence number, checked, as the digits of PAN || PSN.
fn pan_and_sequence(pan: &str, pan_sequence: u8) -> Result<String, EmvError> {
    if !(12..=19).contains(&pan.len()) || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EmvError::InvalidPan);
    }
    if pan_sequence > 99 {
        return Err(EmvError::InvalidPanSequence(pan_sequence));
    }
    Ok(format!("{pan}{pan_sequence:02}"))
}

/// 16 decimal digits as 8 bytes.
fn digits_to_block(digits: &str) -> [u8; 8] {
    hex::decode(digits)
        .expect("decimal digits are hex digits")
        .try_into()
        .expect("16 digits are 8 bytes")
}

/// EMV Book 2 A1.4.2's decimalization of a SHA-1 result: its decimal
/// digits in order, then, while fewer than 16, its letters A..F in order
/// as 0..5.
fn decimalize(hash_hex: &str) -> String {
    let decimal = hash_hex.chars().filter(char::is_ascii_digit);
    let letters = hash_hex
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .map(|c| char::from(b'0' + (c.to_ascii_uppercase() as u8 - b'A')));
    decimal.chain(letters).take(16).collect()
}

impl IccMasterKey {
    /// The card's master key as EMV Book 2 A1.4 derives it: option A for
    /// card numbers of up to 16 digits, option B for 17 to 19.
    pub fn derive(
        issuer: &IssuerMasterKey,
        pan: &str,
        pan_sequence: u8,
    ) -> Result<IccMasterKey, EmvError> {
        if pan.len() > 16 {
            Self::derive_option_b(issuer, pan, pan_sequence)
        } else {
            Self::derive_option_a(issuer, pan, pan_sequence)
        }
    }

    /// EMV Book 2 A1.4.1, option A: the rightmost 16 digits of PAN || PSN
    /// (left-padded with zeros when shorter) as 8 bytes Y; the key is
    /// TDES(Y) || TDES(Y xor FF..FF) under the issuer master key, with odd parity.
    pub fn derive_option_a(
        issuer: &IssuerMasterKey,
        pan: &str,
        pan_sequence: u8,
    ) -> Result<IccMasterKey, EmvError> {
        let digits = pan_and_sequence(pan, pan_sequence)?;
        let rightmost = &digits[digits.len().saturating_sub(16)..];
        let y = digits_to_block(&format!("{rightmost:0>16}"));
        let key = split_derive(&issuer.0 .0, y, y.map(|b| !b));
        Ok(IccMasterKey(KeyBytes(key)))
    }

    /// EMV Book 2 A1.4.2, option B: SHA-1 of PAN || PSN (BCD, a leading
    /// zero nibble when odd), decimalized to 16 digits Z; the key is
    /// TDES(Z) || TDES(Z xor FF..FF) under the issuer master key, with odd parity.
    pub fn derive_option_b(
        issuer: &IssuerMasterKey,
        pan: &str,
        pan_sequence: u8,
    ) -> Result<IccMasterKey, EmvError> {
        use sha1::{Digest, Sha1};
        let digits = pan_and_sequence(pan, pan_sequence)?;
        let even = if digits.len() % 2 == 1 {
            format!("0{digits}")
        } else {
            digits
        };
        let x = hex::decode(even).expect("decimal digits are hex digits");
        let z = digits_to_block(&decimalize(&hex::encode_upper(Sha1::digest(&x))));
        let key = split_derive(&issuer.0 .0, z, z.map(|b| !b));
        Ok(IccMasterKey(KeyBytes(key)))
    }
}

impl SessionKey {
    /// EMV Book 2 A1.3.1, common session key derivation: with the 8-byte
    /// diversification value R, the key is TDES(R0 R1 F0 R3..R7) ||
    /// TDES(R0 R1 0F R3..R7) under the ICC master key, with odd parity.
    pub fn derive_common(icc: &IccMasterKey, r: [u8; 8]) -> SessionKey {
        let (mut left, mut right) = (r, r);
        left[2] = 0xF0;
        right[2] = 0x0F;
        SessionKey(KeyBytes(split_derive(&icc.0 .0, left, right)))
    }

    /// The application cryptogram session key of a transaction: R = ATC || 00 00 00 00 00 00.
    pub fn for_atc(icc: &IccMasterKey, atc: u16) -> SessionKey {
        let [high, low] = atc.to_be_bytes();
        SessionKey::derive_common(icc, [high, low, 0, 0, 0, 0, 0, 0])
    }
}

/// Two TDES encryptions under `key` joined into a parity-adjusted key.
fn split_derive(key: &[u8; 16], left: [u8; 8], right: [u8; 8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&tdes_encrypt(key, left));
    out[8..].copy_from_slice(&tdes_encrypt(key, right));
    out.map(odd_parity)
}

/// One block of 2-key TDES (EDE) encryption.
pub(crate) fn tdes_encrypt(key: &[u8; 16], block: [u8; 8]) -> [u8; 8] {
    let cipher = TdesEde2::new(key.into());
    let mut block = block.into();
    cipher.encrypt_block(&mut block);
    block.into()
}

/// Sets each byte's low bit so the byte has an odd number of one bits (DES key parity).
fn odd_parity(byte: u8) -> u8 {
    let high = byte & 0xFE;
    if high.count_ones() % 2 == 0 {
        high | 1
    } else {
        high
    }
}

#[cfg(test)]
mod tests {
    use super::sealed::Sealed;
    use super::*;

    /// Published pyemv test issuer master key (tests/test_ac_hsm.py).
    const IMK: &str = "0123456789ABCDEFFEDCBA9876543210";

    fn kcv2(check_value: [u8; 3]) -> String {
        hex::encode_upper(&check_value[..2])
    }

    #[test]
    fn issuer_master_key_check_value() {
        let imk = IssuerMasterKey::from_hex(IMK).unwrap();
        assert_eq!(kcv2(imk.check_value()), "08D7");
    }

    #[test]
    fn icc_master_key_option_a_vector() {
        // test-vectors.md: PAN 9901234567890123, PSN 45 -> KCV 1DA5.
        let imk = IssuerMasterKey::from_hex(IMK).unwrap();
        let icc = IccMasterKey::derive_option_a(&imk, "9901234567890123", 45).unwrap();
        assert_eq!(kcv2(icc.check_value()), "1DA5");
        // A different PSN is a different card key.
        let other = IccMasterKey::derive_option_a(&imk, "9901234567890123", 46).unwrap();
        assert_ne!(other, icc);
    }

    #[test]
    fn option_a_keeps_the_rightmost_16_digits_and_sets_parity() {
        // pyemv kd.derive_icc_mk_a docstring: a 17-digit PAN, PSN 01.
        let imk = IssuerMasterKey::from_hex(IMK).unwrap();
        let icc = IccMasterKey::derive_option_a(&imk, "12345678901234567", 1).unwrap();
        assert_eq!(
            hex::encode_upper(icc.key_bytes()),
            "73AD54688CEF2934B0979857E3C719F1"
        );
        assert!(icc.key_bytes().iter().all(|b| b.count_ones() % 2 == 1));
    }

    #[test]
    fn option_b_for_card_numbers_longer_than_16_digits() {
        // Computed independently twice: pyemv 1.5.0 kd.derive_icc_mk_b, and a
        // script following EMV Book 2 A1.4.2 over Python's cryptography.
        let imk = IssuerMasterKey::from_hex(IMK).unwrap();
        for (pan, psn, key) in [
            ("99012345678901234", 45, "985EC4FD3EDF6162E31AF1C7D0543416"),
            ("9901234567890123456", 0, "0D45207A0B4919642CFB01108F2A9D43"),
            ("6200000000000000019", 1, "704AC25BF1DF49AD46C8FB64CE0D5246"),
        ] {
            let b = IccMasterKey::derive_option_b(&imk, pan, psn).unwrap();
            assert_eq!(hex::encode_upper(b.key_bytes()), key, "{pan}");
            assert_eq!(IccMasterKey::derive(&imk, pan, psn).unwrap(), b, "{pan}");
            assert_ne!(
                IccMasterKey::derive_option_a(&imk, pan, psn).unwrap(),
                b,
                "option A would give another key: the defect"
            );
        }
        // Up to 16 digits, derive is option A (the published 1DA5 vector).
        let a = IccMasterKey::derive(&imk, "9901234567890123", 45).unwrap();
        assert_eq!(kcv2(a.check_value()), "1DA5");
    }

    #[test]
    fn decimalization_takes_digits_then_letters() {
        assert_eq!(decimalize("1A2B3C4D5E6F7A8B9C0D"), "1234567890012345");
        assert_eq!(decimalize("ABCDEF0123456789ABCDEF"), "0123456789012345");
    }

    #[test]
    fn option_a_pads_short_pans_on_the_left() {
        // 12 digits + PSN = 14 digits, so Y is 00 || digits: the same key as the padded number.
        let imk = IssuerMasterKey::from_hex(IMK).unwrap();
        let short = IccMasterKey::derive_option_a(&imk, "123456789012", 3).unwrap();
        let padded = IccMasterKey::derive_option_a(&imk, "00123456789012", 3).unwrap();
        assert_eq!(short, padded);
    }

    #[test]
    fn option_a_refuses_bad_numbers() {
        let imk = IssuerMasterKey::from_hex(IMK).unwrap();
        for pan in [
            "",
            "12345678901",
            "12345678901234567890",
            "41111111111111x1",
        ] {
            assert_eq!(
                IccMasterKey::derive_option_a(&imk, pan, 0),
                Err(EmvError::InvalidPan),
                "{pan:?}"
            );
        }
        assert_eq!(
            IccMasterKey::derive_option_a(&imk, "4111111111111111", 100),
            Err(EmvError::InvalidPanSequence(100))
        );
    }

    #[test]
    fn common_session_key_vectors() {
        let imk = IssuerMasterKey::from_hex(IMK).unwrap();
        let icc = IccMasterKey::derive_option_a(&imk, "9901234567890123", 45).unwrap();
        // test-vectors.md: R = 1234567890123456 -> KCV 0995.
        let r = hex::decode("1234567890123456").unwrap().try_into().unwrap();
        assert_eq!(
            kcv2(SessionKey::derive_common(&icc, r).check_value()),
            "0995"
        );
        // pyemv kd.derive_common_sk docstring: the IMK bytes as MK, R = ATC 001C || zeros.
        let mk = IccMasterKey(KeyBytes(hex::decode(IMK).unwrap().try_into().unwrap()));
        assert_eq!(
            hex::encode_upper(SessionKey::for_atc(&mk, 0x001C).key_bytes()),
            "E9FB384AF807B940FEDCEA613461B0C4"
        );
        assert_ne!(
            SessionKey::for_atc(&mk, 0x001C),
            SessionKey::for_atc(&mk, 0x001D)
        );
    }

    #[test]
    fn malformed_keys_are_refused() {
        for text in [
            "",
            "0123",
            "0123456789ABCDEFFEDCBA987654321G",
            &"00".repeat(24),
        ] {
            assert_eq!(
                IssuerMasterKey::from_hex(text),
                Err(EmvError::MalformedKey),
                "{text}"
            );
        }
    }

    #[test]
    fn debug_never_shows_key_bytes() {
        let imk = IssuerMasterKey::from_hex(IMK).unwrap();
        let icc = IccMasterKey::derive_option_a(&imk, "9901234567890123", 45).unwrap();
        let session = SessionKey::for_atc(&icc, 1);
        let text = format!("{imk:?} {icc:?} {session:?}");
        assert_eq!(
            text,
            "IssuerMasterKey(<redacted>) IccMasterKey(<redacted>) SessionKey(<redacted>)"
        );
    }

    #[test]
    fn odd_parity_fixes_only_the_low_bit() {
        assert_eq!(odd_parity(0x00), 0x01);
        assert_eq!(odd_parity(0x01), 0x01);
        assert_eq!(odd_parity(0xFE), 0xFE);
        assert_eq!(odd_parity(0xFF), 0xFE);
        assert_eq!(odd_parity(0x03), 0x02);
    }
}
