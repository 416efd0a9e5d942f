//! TEST ONLY: the issuer's side of a chip read, as the gateway's HSM
//! computes it: opens the envelope, derives the card's key from the test
//! issuer master key, verifies the ARQC and answers with an ARPC (method 2).

use crate::test_keys::{TEST_BDK, TEST_ISSUER_MASTER_KEY, TEST_TDES_BDK};
use mpos_crypto::emv::{cvn18, CardStatusUpdate, IccMasterKey, IssuerMasterKey, TransactionData};
use mpos_crypto::envelope::{self, ClearCard, Scheme, SealedCard};
use mpos_crypto::tlv::{self, tags};
use mpos_wire::api::IssuerAuthentication;
use mpos_wire::CardPayload;

/// Opens a payload's envelope with the test BDK of its scheme.
pub fn open(payload: &CardPayload) -> ClearCard {
    let bdk = match Scheme::of_ksn(&payload.ksn).expect("a valid KSN") {
        Scheme::Aes128 => TEST_BDK,
        Scheme::Tdes => TEST_TDES_BDK,
    };
    envelope::open(
        &bdk,
        &SealedCard {
            ksn: payload.ksn.clone(),
            ciphertext: payload.ciphertext.clone(),
        },
    )
    .expect("the test BDK opens the envelope")
}

/// The issuer's answer to a chip read; panics if the ARQC does not verify.
pub fn answer(payload: &CardPayload, csu: CardStatusUpdate) -> IssuerAuthentication {
    let objects = tlv::parse_hex(payload.emv_tlv.as_ref().expect("a chip read")).unwrap();
    let data = TransactionData::from_objects(&objects).unwrap();
    let iad = tlv::find_bytes(&objects, tags::ISSUER_APPLICATION_DATA).unwrap();
    let arqc: [u8; 8] = tlv::find_bytes(&objects, tags::APPLICATION_CRYPTOGRAM)
        .unwrap()
        .try_into()
        .unwrap();
    let psn =
        tlv::numeric_value(tlv::find_bytes(&objects, tags::PAN_SEQUENCE_NUMBER).unwrap()).unwrap();
    let imk = IssuerMasterKey::new(TEST_ISSUER_MASTER_KEY);
    let key = IccMasterKey::derive(&imk, &open(payload).pan, psn as u8).unwrap();
    let session = cvn18::session_key(&key, data.atc());
    assert!(
        cvn18::verify_arqc(&session, &data, iad, &arqc),
        "ARQC verifies"
    );
    IssuerAuthentication {
        arpc_hex: hex::encode_upper(cvn18::arpc(&session, &arqc, &csu)),
        csu_hex: hex::encode_upper(csu.0),
        arc: "00".into(),
    }
}
