//! [`KeyScheme`]: the DUKPT scheme a reader is injected with, and what the
//! key injection facility loads: AES-128 DUKPT (ANSI X9.24-3) by default,
//! TDES DUKPT (ANSI X9.24-1) for legacy readers. The reader keeps only the
//! derived initial key ([`KeyScheme::inject`]), never the BDK.

use crate::test_keys::{TEST_BDK, TEST_INITIAL_KEY_ID, TEST_TDES_BDK, TEST_TDES_INITIAL_KSN};
use mpos_crypto::envelope::{DeviceKeys, LegacyReaderKeys, ReaderKeys};

/// Which DUKPT scheme, with the BDK and the reader's identity under it.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyScheme {
    /// AES-128 DUKPT: 12-byte KSNs.
    Aes128 {
        /// Base derivation key.
        bdk: [u8; 16],
        /// The reader's 8-byte initial key id (BDK id, then device id).
        initial_key_id: [u8; 8],
    },
    /// TDES DUKPT, for legacy readers: 10-byte KSNs.
    Tdes {
        /// Double-length TDES base derivation key.
        bdk: [u8; 16],
        /// The reader's initial KSN (key set id, device id, counter 0).
        initial_ksn: [u8; 10],
    },
}

impl KeyScheme {
    /// TEST ONLY: the published AES test BDK and initial key id.
    pub fn aes_test() -> KeyScheme {
        KeyScheme::Aes128 {
            bdk: TEST_BDK,
            initial_key_id: TEST_INITIAL_KEY_ID,
        }
    }

    /// TEST ONLY: the published TDES test BDK and initial KSN.
    pub fn tdes_test() -> KeyScheme {
        KeyScheme::Tdes {
            bdk: TEST_TDES_BDK,
            initial_ksn: TEST_TDES_INITIAL_KSN,
        }
    }

    /// Key injection: the reader's initial key and counter, derived here.
    pub fn inject(&self) -> DeviceKeys {
        match self {
            KeyScheme::Aes128 {
                bdk,
                initial_key_id,
            } => DeviceKeys::Aes128(ReaderKeys::inject(bdk, *initial_key_id)),
            KeyScheme::Tdes { bdk, initial_ksn } => {
                DeviceKeys::Tdes(LegacyReaderKeys::inject(bdk, *initial_ksn))
            }
        }
    }
}

impl std::fmt::Debug for KeyScheme {
    /// Names the scheme and the reader, never the BDK.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyScheme::Aes128 { initial_key_id, .. } => f
                .debug_struct("Aes128")
                .field("initial_key_id", &hex::encode_upper(initial_key_id))
                .finish_non_exhaustive(),
            KeyScheme::Tdes { initial_ksn, .. } => f
                .debug_struct("Tdes")
                .field("initial_ksn", &hex::encode_upper(initial_ksn))
                .finish_non_exhaustive(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mpos_crypto::envelope::Scheme;

    #[test]
    fn each_scheme_injects_keys_of_its_kind() {
        let aes = KeyScheme::aes_test().inject();
        assert_eq!(aes.scheme(), Scheme::Aes128);
        assert_eq!(aes.next_ksn(), "123456789012345600000001");
        let tdes = KeyScheme::tdes_test().inject();
        assert_eq!(tdes.scheme(), Scheme::Tdes);
        assert_eq!(tdes.next_ksn(), "FFFF9876543210E00001");
    }

    #[test]
    fn debug_hides_the_bdk() {
        for scheme in [KeyScheme::aes_test(), KeyScheme::tdes_test()] {
            let text = format!("{scheme:?}");
            assert!(
                !text.contains("FEDCBA98") && !text.contains("01234567"),
                "{text}"
            );
            assert!(
                !text.contains("254, 220") && !text.contains("1, 35, 69"),
                "{text}"
            );
        }
        assert!(format!("{:?}", KeyScheme::tdes_test()).contains("FFFF9876543210E00000"));
    }
}
