//! Visa cryptogram version 18, the EMV common core scheme our virtual
//! cards and the gateway use: a session key per transaction (common
//! session key derivation, R = ATC || 00..00), a cryptogram over the
//! transaction data followed by the whole issuer application data (9F10)
//! with ISO 9797-1 padding method 2, and ARPC method 2 with a card status
//! update.
//!
//! Card keys come from `IccMasterKey::derive`: option A for card numbers
//! of up to 16 digits, option B for 17 to 19, as EMV Book 2 A1.4 and Visa
//! derive them.

use super::cryptogram::{self, CardStatusUpdate};
use super::keys::{IccMasterKey, SessionKey};
use super::transaction_data::TransactionData;
use super::EmvError;
use crate::mac::Padding;

/// The cryptogram version number in the issuer application data.
pub const CVN: u8 = 0x12;
/// Derivation key index the virtual cards carry.
pub const DERIVATION_KEY_INDEX: u8 = 0x01;
/// Length of the issuer application data: length byte, DKI, CVN, 4-byte CVR.
pub const IAD_LEN: usize = 7;

/// Visa issuer application data, format 0/1/3: `06` || DKI || CVN || CVR (CVR byte 1 is its length, `03`).
pub fn issuer_application_data(cvr: [u8; 4]) -> [u8; IAD_LEN] {
    [
        0x06,
        DERIVATION_KEY_INDEX,
        CVN,
        cvr[0],
        cvr[1],
        cvr[2],
        cvr[3],
    ]
}

/// The card verification results from CVN 18 issuer application data; anything else is refused.
pub fn card_verification_results(iad: &[u8]) -> Result<[u8; 4], EmvError> {
    match iad {
        [0x06, _dki, CVN, cvr @ ..] if cvr.len() == 4 && cvr[0] == 0x03 => {
            Ok(cvr.try_into().expect("4 bytes"))
        }
        _ => Err(EmvError::UnsupportedIssuerApplicationData),
    }
}

/// The session key of a transaction.
pub fn session_key(icc: &IccMasterKey, atc: u16) -> SessionKey {
    SessionKey::for_atc(icc, atc)
}

/// The cryptogram input: transaction data || issuer application data.
pub fn input(data: &TransactionData, iad: &[u8]) -> Vec<u8> {
    let mut bytes = data.to_bytes();
    bytes.extend_from_slice(iad);
    bytes
}

/// The card's ARQC (or TC/AAC: the same computation with other CVR bits).
pub fn arqc(key: &SessionKey, data: &TransactionData, iad: &[u8]) -> [u8; 8] {
    cryptogram::application_cryptogram(key, &input(data, iad), Padding::Method2)
}

/// Whether `arqc` is the card's cryptogram for this data (constant-time comparison).
pub fn verify_arqc(key: &SessionKey, data: &TransactionData, iad: &[u8], arqc: &[u8; 8]) -> bool {
    cryptogram::verify_application_cryptogram(key, &input(data, iad), Padding::Method2, arqc)
}

/// The issuer's 4-byte ARPC (method 2, no proprietary data).
pub fn arpc(key: &SessionKey, arqc: &[u8; 8], csu: &CardStatusUpdate) -> [u8; 4] {
    cryptogram::arpc_method_2(key, arqc, csu, &[]).expect("no proprietary data")
}

/// Whether `arpc` answers this ARQC with this CSU (what the card checks in the second GENERATE AC).
pub fn verify_arpc(
    key: &SessionKey,
    arqc: &[u8; 8],
    csu: &CardStatusUpdate,
    arpc: &[u8; 4],
) -> bool {
    cryptogram::verify_arpc_method_2(key, arqc, csu, &[], arpc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emv::keys::IssuerMasterKey;
    use crate::emv::transaction_data::tests::vector_data;

    /// pyemv tests/test_cvn_hsm.py (test_visa_cvn18): PAN 1234567890123456,
    /// PSN 00, the test issuer master key, ATC 001C.
    fn card_key() -> IccMasterKey {
        let imk = IssuerMasterKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        IccMasterKey::derive_option_a(&imk, "1234567890123456", 0).unwrap()
    }

    fn iad() -> Vec<u8> {
        hex::decode("06011203A0B800").unwrap()
    }

    #[test]
    fn session_key_arqc_and_arpc_vectors() {
        let session = session_key(&card_key(), 0x001C);
        assert_eq!(hex::encode_upper(&session.check_value()[..2]), "22C8");
        let arqc = arqc(&session, &vector_data(), &iad());
        assert_eq!(hex::encode_upper(arqc), "7A788EA6B8A3E733");
        assert!(verify_arqc(&session, &vector_data(), &iad(), &arqc));
        let arpc = arpc(&session, &arqc, &CardStatusUpdate([0; 4]));
        assert_eq!(hex::encode_upper(arpc), "9AF514C1");
        assert!(verify_arpc(
            &session,
            &arqc,
            &CardStatusUpdate([0; 4]),
            &arpc
        ));
        assert!(!verify_arpc(
            &session,
            &arqc,
            &CardStatusUpdate::approval(),
            &arpc
        ));
    }

    #[test]
    fn another_atc_is_another_key() {
        let good = arqc(&session_key(&card_key(), 0x001C), &vector_data(), &iad());
        let other = session_key(&card_key(), 0x001D);
        assert!(!verify_arqc(&other, &vector_data(), &iad(), &good));
    }

    #[test]
    fn issuer_application_data_round_trips_and_refuses_other_layouts() {
        let cvr = [0x03, 0xA0, 0xB8, 0x00];
        let iad = issuer_application_data(cvr);
        assert_eq!(iad.to_vec(), super::tests::iad());
        assert_eq!(card_verification_results(&iad), Ok(cvr));
        for bad in [
            "06010A03A0B800",   // CVN 10
            "06011203A0B8",     // short
            "06011203A0B80000", // long
            "07011203A0B800",   // wrong length byte
            "06011204A0B800",   // CVR length byte
            "",
        ] {
            assert_eq!(
                card_verification_results(&hex::decode(bad).unwrap()),
                Err(EmvError::UnsupportedIssuerApplicationData),
                "{bad}"
            );
        }
    }
}
