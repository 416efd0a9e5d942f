//! Visa cryptogram version 10: the ICC master key itself computes the
//! cryptogram (no session key), over the transaction data followed by the
//! 4-byte card verification results, with ISO 9797-1 padding method 1;
//! the issuer answers with ARPC method 1. Kept for legacy cards and as a
//! published known-answer test of the whole chain.

use super::cryptogram::{self, arpc_method_1};
use super::keys::IccMasterKey;
use super::transaction_data::TransactionData;
use crate::mac::Padding;

/// The cryptogram input: transaction data || CVR.
pub fn input(data: &TransactionData, cvr: &[u8; 4]) -> Vec<u8> {
    let mut bytes = data.to_bytes();
    bytes.extend_from_slice(cvr);
    bytes
}

/// The card's ARQC (or TC/AAC: the same computation with other CVR bits).
pub fn arqc(key: &IccMasterKey, data: &TransactionData, cvr: &[u8; 4]) -> [u8; 8] {
    cryptogram::application_cryptogram(key, &input(data, cvr), Padding::Method1)
}

/// Whether `arqc` is the card's cryptogram for this data (constant-time comparison).
pub fn verify_arqc(
    key: &IccMasterKey,
    data: &TransactionData,
    cvr: &[u8; 4],
    arqc: &[u8; 8],
) -> bool {
    cryptogram::verify_application_cryptogram(key, &input(data, cvr), Padding::Method1, arqc)
}

/// The issuer's ARPC (method 1) with the 2-byte authorisation response code, e.g. `b"00"`.
pub fn arpc(key: &IccMasterKey, arqc: &[u8; 8], arc: [u8; 2]) -> [u8; 8] {
    arpc_method_1(key, arqc, arc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emv::keys::IssuerMasterKey;
    use crate::emv::transaction_data::tests::vector_data;

    /// The card of pyemv tests/test_cvn_hsm.py (test_visa_cvn10): PAN
    /// 1234567890123456, PSN 00, under the test issuer master key.
    fn card_key() -> IccMasterKey {
        let imk = IssuerMasterKey::from_hex("0123456789ABCDEFFEDCBA9876543210").unwrap();
        IccMasterKey::derive_option_a(&imk, "1234567890123456", 0).unwrap()
    }

    const CVR: [u8; 4] = [0x03, 0xA0, 0x60, 0x10];

    #[test]
    fn card_key_vector() {
        assert_eq!(hex::encode_upper(&card_key().check_value()[..2]), "BAB0");
    }

    #[test]
    fn arqc_and_arpc_vectors() {
        let key = card_key();
        let arqc = arqc(&key, &vector_data(), &CVR);
        assert_eq!(hex::encode_upper(arqc), "29CCA15AE665FA2E");
        assert!(verify_arqc(&key, &vector_data(), &CVR, &arqc));
        assert_eq!(
            hex::encode_upper(arpc(&key, &arqc, [0x30, 0x30])),
            "28993816AFAE4AEB"
        );
    }

    #[test]
    fn the_cryptogram_covers_every_field() {
        let key = card_key();
        let good = arqc(&key, &vector_data(), &CVR);
        let mut amount = vector_data();
        amount.amount_authorised[5] = 0x01;
        assert!(!verify_arqc(&key, &amount, &CVR, &good));
        let mut atc = vector_data();
        atc.application_transaction_counter = [0x00, 0x1D];
        assert!(!verify_arqc(&key, &atc, &CVR, &good));
        assert!(!verify_arqc(
            &key,
            &vector_data(),
            &[0x03, 0xA0, 0x60, 0x11],
            &good
        ));
    }
}
