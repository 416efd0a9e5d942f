//! Published TEST key material for the virtual reader. Never a production key.
//!
//! The BDK and initial key id are the AES-128 DUKPT test values of ANSI
//! X9.24-3-2017 (also in openemv/dukpt's tests), so anyone can check an
//! envelope by hand. The first 4 bytes of an initial key id name the BDK;
//! the last 4 name the device.
//!
//! Legacy (TDES DUKPT) readers use the ANSI X9.24-1 Annex A test BDK and
//! KSN. A TDES KSN's first 5 bytes (the key set identifier) name the BDK,
//! the next 19 bits the device, the last 21 bits count transactions.

/// TEST ONLY: the published X9.24-3 AES-128 test BDK `FEDCBA9876543210F1F1F1F1F1F1F1F1`.
pub const TEST_BDK: [u8; 16] = [
    0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1, 0xF1,
];

/// TEST ONLY: the published EMV test issuer master key (AC) `0123456789ABCDEFFEDCBA9876543210`
/// (EMV test vectors; pyemv's tests), under which every virtual chip card is
/// personalised. The gateway's HSM gets the same key from test configuration only.
pub const TEST_ISSUER_MASTER_KEY: [u8; 16] = [
    0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10,
];

/// TEST ONLY: the BDK id, the first 4 bytes of every test initial key id.
pub const TEST_BDK_ID: [u8; 4] = [0x12, 0x34, 0x56, 0x78];

/// TEST ONLY: the published initial key id `1234567890123456` (device `90123456`).
pub const TEST_INITIAL_KEY_ID: [u8; 8] = test_initial_key_id(0x9012_3456);

/// TEST ONLY: an initial key id under the test BDK for another device, so
/// two virtual readers in one test never share KSNs.
pub const fn test_initial_key_id(device_id: u32) -> [u8; 8] {
    let device = device_id.to_be_bytes();
    [
        TEST_BDK_ID[0],
        TEST_BDK_ID[1],
        TEST_BDK_ID[2],
        TEST_BDK_ID[3],
        device[0],
        device[1],
        device[2],
        device[3],
    ]
}

/// TEST ONLY: the published X9.24-1 TDES DUKPT test BDK `0123456789ABCDEFFEDCBA9876543210`.
pub const TEST_TDES_BDK: [u8; 16] = [
    0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10,
];

/// TEST ONLY: the key set identifier of the published test KSN, naming the TDES test BDK.
pub const TEST_TDES_KSI: [u8; 5] = [0xFF, 0xFF, 0x98, 0x76, 0x54];

/// TEST ONLY: the published initial KSN `FFFF9876543210E00000` (device `19087`).
pub const TEST_TDES_INITIAL_KSN: [u8; 10] = test_tdes_initial_ksn(0x1_9087);

/// TEST ONLY: an initial KSN under the TDES test BDK for another device
/// (its low 19 bits), counter 0.
pub const fn test_tdes_initial_ksn(device_id: u32) -> [u8; 10] {
    let device = ((device_id & 0x7_FFFF) << 5).to_be_bytes();
    [
        TEST_TDES_KSI[0],
        TEST_TDES_KSI[1],
        TEST_TDES_KSI[2],
        TEST_TDES_KSI[3],
        TEST_TDES_KSI[4],
        device[1],
        device[2],
        device[3],
        0,
        0,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use mpos_crypto::dukpt::{aes128, Key16};

    #[test]
    fn test_keys_are_the_published_vector() {
        let initial = aes128::initial_key(&Key16::new(TEST_BDK), &TEST_INITIAL_KEY_ID);
        assert_eq!(initial.to_hex(), "1273671EA26AC29AFA4D1084127652A1");
    }

    #[test]
    fn test_issuer_master_key_is_the_published_vector() {
        use mpos_crypto::emv::IssuerMasterKey;
        let imk = IssuerMasterKey::new(TEST_ISSUER_MASTER_KEY);
        assert_eq!(hex::encode_upper(&imk.check_value()[..2]), "08D7");
    }

    #[test]
    fn tdes_test_keys_are_the_published_vector() {
        use mpos_crypto::dukpt::tdes;
        let ksn = tdes::Ksn::new(TEST_TDES_INITIAL_KSN);
        assert_eq!(ksn.to_hex(), "FFFF9876543210E00000");
        let ipek = tdes::ipek(&Key16::new(TEST_TDES_BDK), &ksn);
        assert_eq!(ipek.to_hex(), "6AC292FAA1315B4D858AB3A3D7D5933A");
        let other = test_tdes_initial_ksn(7);
        assert_eq!(other[..5], TEST_TDES_KSI);
        assert_eq!(tdes::Ksn::new(other).to_hex(), "FFFF9876540000E00000");
        assert_eq!(tdes::Ksn::new(other).counter(), 0);
    }

    #[test]
    fn device_ids_share_the_bdk_id() {
        let other = test_initial_key_id(7);
        assert_eq!(other[..4], TEST_BDK_ID);
        assert_eq!(other[4..], [0, 0, 0, 7]);
        assert_ne!(other, TEST_INITIAL_KEY_ID);
    }
}
