//! Application cryptograms (ARQC, TC, AAC; EMV Book 2, 8.1) and the
//! issuer's answer to them, the ARPC (Book 2, 8.2): method 1 encrypts the
//! ARQC with the authorisation response code, method 2 MACs the ARQC with
//! the card status update.

use super::keys::{tdes_encrypt, CryptogramKey};
use super::EmvError;
use crate::mac::{self, Padding};

/// The longest proprietary authentication data ARPC method 2 takes.
pub const MAX_PROPRIETARY_DATA: usize = 8;

/// An 8-byte application cryptogram: ISO 9797-1 MAC algorithm 3 of the card and terminal data.
pub fn application_cryptogram<K: CryptogramKey>(key: &K, data: &[u8], padding: Padding) -> [u8; 8] {
    mac::retail_mac(key.key_bytes(), data, padding)
}

/// Whether `cryptogram` is the application cryptogram of `data` (compared in constant time).
pub fn verify_application_cryptogram<K: CryptogramKey>(
    key: &K,
    data: &[u8],
    padding: Padding,
    cryptogram: &[u8; 8],
) -> bool {
    mac::verify_retail_mac(key.key_bytes(), data, padding, cryptogram)
}

/// ARPC method 1: TDES(ARQC xor (ARC || 00 00 00 00 00 00)), 8 bytes.
pub fn arpc_method_1<K: CryptogramKey>(key: &K, arqc: &[u8; 8], arc: [u8; 2]) -> [u8; 8] {
    let mut block = *arqc;
    block[0] ^= arc[0];
    block[1] ^= arc[1];
    tdes_encrypt(key.key_bytes(), block)
}

/// ARPC method 2: the leftmost 4 bytes of MAC algorithm 3 (padding method 2)
/// of ARQC || CSU || proprietary authentication data (0 to 8 bytes).
pub fn arpc_method_2<K: CryptogramKey>(
    key: &K,
    arqc: &[u8; 8],
    csu: &CardStatusUpdate,
    proprietary: &[u8],
) -> Result<[u8; 4], EmvError> {
    if proprietary.len() > MAX_PROPRIETARY_DATA {
        return Err(EmvError::ProprietaryDataTooLong(proprietary.len()));
    }
    let mut data = Vec::with_capacity(8 + 4 + proprietary.len());
    data.extend_from_slice(arqc);
    data.extend_from_slice(&csu.0);
    data.extend_from_slice(proprietary);
    let mac = mac::retail_mac(key.key_bytes(), &data, Padding::Method2);
    Ok([mac[0], mac[1], mac[2], mac[3]])
}

/// Whether `arpc` is the method 2 ARPC for this ARQC and CSU (compared in constant time).
pub fn verify_arpc_method_2<K: CryptogramKey>(
    key: &K,
    arqc: &[u8; 8],
    csu: &CardStatusUpdate,
    proprietary: &[u8],
    arpc: &[u8; 4],
) -> bool {
    arpc_method_2(key, arqc, csu, proprietary)
        .is_ok_and(|expected| mac::constant_time_eq(&expected, arpc))
}

/// The 4-byte card status update the issuer sends with an ARPC method 2
/// (EMV Common Core Definitions layout: byte 2 bit 8 is "issuer approves
/// online transaction"). The ARPC authenticates it, so a terminal cannot
/// turn a decline into an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardStatusUpdate(pub [u8; 4]);

impl CardStatusUpdate {
    /// Byte 2, bit 8.
    const APPROVES: u8 = 0x80;

    /// The issuer approves the online transaction; nothing else changes on the card.
    pub fn approval() -> Self {
        CardStatusUpdate([0, Self::APPROVES, 0, 0])
    }

    /// The issuer declines; nothing else changes on the card.
    pub fn decline() -> Self {
        CardStatusUpdate([0; 4])
    }

    /// Whether the issuer approved.
    pub fn approves(&self) -> bool {
        self.0[1] & Self::APPROVES != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emv::keys::{IccMasterKey, IssuerMasterKey, SessionKey};

    /// test-vectors.md "EMV application cryptograms" (pyemv tests/test_ac_hsm.py).
    fn keys() -> (IccMasterKey, SessionKey) {
        let imk = IssuerMasterKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        let icc = IccMasterKey::derive_option_a(&imk, "9901234567890123", 45).unwrap();
        let r = hex::decode("1234567890123456").unwrap().try_into().unwrap();
        let session = SessionKey::derive_common(&icc, r);
        (icc, session)
    }

    fn arqc() -> [u8; 8] {
        let (_, session) = keys();
        let data = hex::decode("0123456789ABCDEF0123456789ABCDEF").unwrap();
        application_cryptogram(&session, &data, Padding::Method2)
    }

    #[test]
    fn arqc_vector_padding_method_2() {
        assert_eq!(hex::encode_upper(arqc()), "4B46013359B7A58B");
    }

    #[test]
    fn arqc_vectors_padding_method_1() {
        // pyemv tests/test_ac_hsm.py, Visa padding: whole blocks get none, 17 bytes get 7 zeros.
        let (_, session) = keys();
        let whole = hex::decode("0123456789ABCDEF0123456789ABCDEF").unwrap();
        assert_eq!(
            hex::encode_upper(application_cryptogram(&session, &whole, Padding::Method1)),
            "922F3E83125EB46B"
        );
        let mut odd = whole.clone();
        odd.push(0x01);
        assert_eq!(
            hex::encode_upper(application_cryptogram(&session, &odd, Padding::Method1)),
            "2E141C6BC4A20DA8"
        );
    }

    #[test]
    fn arqc_verification_refuses_any_change() {
        let (icc, session) = keys();
        let data = hex::decode("0123456789ABCDEF0123456789ABCDEF").unwrap();
        let good = arqc();
        assert!(verify_application_cryptogram(
            &session,
            &data,
            Padding::Method2,
            &good
        ));
        let mut bad = good;
        bad[0] ^= 0x01;
        assert!(!verify_application_cryptogram(
            &session,
            &data,
            Padding::Method2,
            &bad
        ));
        assert!(!verify_application_cryptogram(
            &session,
            &data,
            Padding::Method1,
            &good
        ));
        assert!(!verify_application_cryptogram(
            &icc,
            &data,
            Padding::Method2,
            &good
        ));
        let mut other = data;
        other[15] ^= 0x01;
        assert!(!verify_application_cryptogram(
            &session,
            &other,
            Padding::Method2,
            &good
        ));
    }

    #[test]
    fn arpc_method_1_vector() {
        let (icc, _) = keys();
        assert_eq!(
            hex::encode_upper(arpc_method_1(&icc, &arqc(), [0x00, 0x00])),
            "F8C9CECAABD55AD1"
        );
        assert_ne!(
            arpc_method_1(&icc, &arqc(), *b"00"),
            arpc_method_1(&icc, &arqc(), *b"05")
        );
    }

    #[test]
    fn arpc_method_2_vectors() {
        let (_, session) = keys();
        let csu = CardStatusUpdate([0; 4]);
        let proprietary = hex::decode("1234567890ABCDEF").unwrap();
        let arpc = arpc_method_2(&session, &arqc(), &csu, &proprietary).unwrap();
        assert_eq!(hex::encode_upper(arpc), "4962B76C");
        // pyemv tests/test_ac_hsm.py, without proprietary data.
        let bare = arpc_method_2(&session, &arqc(), &csu, &[]).unwrap();
        assert_eq!(hex::encode_upper(bare), "7DFB1188");
        assert!(verify_arpc_method_2(
            &session,
            &arqc(),
            &csu,
            &proprietary,
            &arpc
        ));
        assert!(!verify_arpc_method_2(&session, &arqc(), &csu, &[], &arpc));
    }

    #[test]
    fn arpc_method_2_binds_the_card_status_update() {
        let (_, session) = keys();
        let approval =
            arpc_method_2(&session, &arqc(), &CardStatusUpdate::approval(), &[]).unwrap();
        assert!(verify_arpc_method_2(
            &session,
            &arqc(),
            &CardStatusUpdate::approval(),
            &[],
            &approval
        ));
        assert!(!verify_arpc_method_2(
            &session,
            &arqc(),
            &CardStatusUpdate::decline(),
            &[],
            &approval
        ));
        assert!(CardStatusUpdate::approval().approves());
        assert!(!CardStatusUpdate::decline().approves());
    }

    #[test]
    fn arpc_method_2_refuses_long_proprietary_data() {
        let (_, session) = keys();
        assert_eq!(
            arpc_method_2(&session, &arqc(), &CardStatusUpdate::decline(), &[0; 9]),
            Err(EmvError::ProprietaryDataTooLong(9))
        );
    }
}
