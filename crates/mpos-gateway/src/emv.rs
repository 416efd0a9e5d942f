//! Chip reads: the EMV data the reader sent must be strict BER-TLV, must be
//! about this very transaction (amount 9F02, currency 5F2A, type 9C) and
//! must carry an ARQC (9F26) that the HSM verifies with the card's own key.
//! An approval goes back with the issuer's ARPC (method 2) so the card can
//! finish with a TC in its second GENERATE AC. Nothing of it is stored:
//! the verified ARQC lives in memory until the answer is built.

use crate::hsm::{Hsm, HsmError, OpenedCard, VerifiedArqc};
use mpos_crypto::emv::transaction_data::fixed;
use mpos_crypto::emv::{cvn18, CardStatusUpdate, EmvError, TransactionData};
use mpos_crypto::tlv::{self, tags, TlvError};
use mpos_wire::api::{IssuerAuthentication, TxnKind};
use mpos_wire::{ErrorCode, Money};

/// Cryptogram information data bits 8-7: the type of cryptogram.
const CID_TYPE_MASK: u8 = 0xC0;
/// Cryptogram information data type of an ARQC.
const CID_ARQC: u8 = 0x80;

/// Why a chip read was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChipError {
    /// A chip read without EMV data.
    #[error("chip read without EMV data")]
    Missing,
    /// The EMV data is not strict BER-TLV.
    #[error("EMV data: {0}")]
    Tlv(#[from] TlvError),
    /// A data object is missing or has the wrong length.
    #[error("EMV data: {0}")]
    DataObject(#[from] EmvError),
    /// The card did not ask to go online (9F27 is not an ARQC).
    #[error("the cryptogram is not an ARQC")]
    NotArqc,
    /// The issuer application data is not Visa CVN 18.
    #[error("unsupported cryptogram version")]
    UnsupportedCryptogramVersion,
    /// 9F02 is not the amount asked for.
    #[error("the cryptogram covers another amount")]
    AmountMismatch,
    /// 5F2A is not the currency asked for.
    #[error("the cryptogram covers another currency")]
    CurrencyMismatch,
    /// 9C is not the kind of transaction asked for.
    #[error("the cryptogram covers another transaction type")]
    KindMismatch,
    /// The HSM refused the cryptogram.
    #[error("{0}")]
    Hsm(#[from] HsmError),
}

impl ChipError {
    /// What the phone is told: unreadable data may be read again; a
    /// cryptogram that does not prove this transaction is refused as such.
    pub fn code(&self) -> ErrorCode {
        match self {
            ChipError::Missing | ChipError::Tlv(_) | ChipError::DataObject(_) => {
                ErrorCode::CardDataInvalid
            }
            ChipError::NotArqc
            | ChipError::UnsupportedCryptogramVersion
            | ChipError::AmountMismatch
            | ChipError::CurrencyMismatch
            | ChipError::KindMismatch
            | ChipError::Hsm(_) => ErrorCode::CryptogramInvalid,
        }
    }
}

/// The EMV transaction type (9C) of a transaction kind.
pub fn transaction_type(kind: TxnKind) -> u64 {
    match kind {
        TxnKind::Sale => 0,
        TxnKind::Refund => 20,
    }
}

/// Checks a chip read's EMV data against the request and verifies its ARQC.
pub fn verify_chip(
    hsm: &Hsm,
    card: &OpenedCard,
    emv_tlv: Option<&str>,
    amount: Money,
    kind: TxnKind,
) -> Result<VerifiedArqc, ChipError> {
    let objects = tlv::parse_hex(emv_tlv.ok_or(ChipError::Missing)?)?;
    let data = TransactionData::from_objects(&objects)?;
    let arqc: [u8; 8] = fixed(&objects, tags::APPLICATION_CRYPTOGRAM)?;
    let [cid]: [u8; 1] = fixed(&objects, tags::CRYPTOGRAM_INFORMATION_DATA)?;
    let iad = tlv::find_bytes(&objects, tags::ISSUER_APPLICATION_DATA)
        .ok_or(EmvError::MissingDataObject(tags::ISSUER_APPLICATION_DATA))?;
    // EMV Book 2 A1.4.1: without a PAN sequence number, 00 is used.
    let pan_sequence = match tlv::find_bytes(&objects, tags::PAN_SEQUENCE_NUMBER) {
        None => 0,
        Some(_) => {
            let psn: [u8; 1] = fixed(&objects, tags::PAN_SEQUENCE_NUMBER)?;
            u8::try_from(tlv::numeric_value(&psn)?).expect("one BCD byte is at most 99")
        }
    };
    if cid & CID_TYPE_MASK != CID_ARQC {
        return Err(ChipError::NotArqc);
    }
    cvn18::card_verification_results(iad).map_err(|_| ChipError::UnsupportedCryptogramVersion)?;
    if tlv::numeric_value(&data.amount_authorised)? != amount.minor {
        return Err(ChipError::AmountMismatch);
    }
    if tlv::numeric_value(&data.transaction_currency_code)?
        != u64::from(amount.currency.numeric_code())
    {
        return Err(ChipError::CurrencyMismatch);
    }
    if tlv::numeric_value(&data.transaction_type)? != transaction_type(kind) {
        return Err(ChipError::KindMismatch);
    }
    Ok(hsm.verify_arqc(card, pan_sequence, &data, iad, &arqc)?)
}

/// The issuer authentication data for an approval: ARPC method 2 over the
/// ARQC and a card status update that approves, with the response code.
pub fn approval(verified: &VerifiedArqc, response_code: &str) -> IssuerAuthentication {
    let csu = CardStatusUpdate::approval();
    IssuerAuthentication {
        arpc_hex: hex::encode_upper(verified.arpc(&csu)),
        csu_hex: hex::encode_upper(csu.0),
        arc: response_code.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{BdkConfig, HsmConfig, IssuerMasterKeyConfig};
    use crate::hsm::test_reads::{clear_card, payload};
    use mpos_crypto::emv::{IccMasterKey, IssuerMasterKey};
    use mpos_crypto::envelope::ReaderKeys;
    use mpos_crypto::tlv::{Tag, Tlv};
    use mpos_wire::Brand;

    const BDK: [u8; 16] = [0x11; 16];
    const IMK: &str = "0123456789ABCDEFFEDCBA9876543210";
    const PAN: &str = "4111111111111111";

    fn hsm() -> Hsm {
        let config = HsmConfig {
            bdks: vec![BdkConfig {
                id_hex: "12345678".into(),
                bdk_hex: hex::encode_upper(BDK),
                scheme: Default::default(),
            }],
            issuer_master_keys: vec![IssuerMasterKeyConfig {
                brand: Some(Brand::Visa),
                bin_prefix: None,
                imk_hex: IMK.into(),
            }],
            token_key_hex: None,
            zone_pin_key_hex: None,
        };
        Hsm::new(&config, [7; 32])
    }

    /// The card, opened by the HSM from a sealed read as in a sale.
    fn card(hsm: &Hsm) -> OpenedCard {
        let sealed = ReaderKeys::inject(&BDK, [0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1])
            .seal(&clear_card(PAN))
            .unwrap();
        hsm.open(&payload(sealed, PAN, Brand::Visa)).unwrap()
    }

    /// A chip's first GENERATE AC for NT$100.00 (PSN 01, ATC 5).
    fn chip_objects() -> Vec<Tlv> {
        let data = TransactionData {
            amount_authorised: [0, 0, 0, 0x01, 0, 0],
            amount_other: [0; 6],
            terminal_country_code: [0x01, 0x58],
            terminal_verification_results: [0; 5],
            transaction_currency_code: [0x09, 0x01],
            transaction_date: [0x30, 0x03, 0x10],
            transaction_type: [0x00],
            unpredictable_number: [9, 8, 7, 6],
            application_interchange_profile: [0x1C, 0x00],
            application_transaction_counter: [0, 5],
        };
        let iad = cvn18::issuer_application_data([0x03, 0xA0, 0, 0]);
        let imk = IssuerMasterKey::from_hex(IMK).unwrap();
        let icc = IccMasterKey::derive_option_a(&imk, PAN, 1).unwrap();
        let arqc = cvn18::arqc(&cvn18::session_key(&icc, 5), &data, &iad);
        let mut objects = data.to_objects();
        objects.extend([
            Tlv::primitive(tags::PAN_SEQUENCE_NUMBER, [0x01]).unwrap(),
            Tlv::primitive(tags::ISSUER_APPLICATION_DATA, iad).unwrap(),
            Tlv::primitive(tags::APPLICATION_CRYPTOGRAM, arqc).unwrap(),
            Tlv::primitive(tags::CRYPTOGRAM_INFORMATION_DATA, [0x80]).unwrap(),
        ]);
        objects
    }

    fn with(tag: Tag, value: Option<&[u8]>) -> String {
        let objects: Vec<Tlv> = chip_objects()
            .into_iter()
            .filter_map(|o| match (o.tag() == tag, value) {
                (false, _) => Some(o),
                (true, Some(v)) => Some(Tlv::primitive(tag, v.to_vec()).unwrap()),
                (true, None) => None,
            })
            .collect();
        tlv::encode_hex(&objects)
    }

    fn verify(text: &str, minor: u64, kind: TxnKind) -> Result<VerifiedArqc, ChipError> {
        let hsm = hsm();
        verify_chip(&hsm, &card(&hsm), Some(text), Money::twd_minor(minor), kind)
    }

    #[test]
    fn an_honest_read_verifies_and_its_approval_carries_the_arpc() {
        let honest = tlv::encode_hex(&chip_objects());
        let verified = verify(&honest, 10_000, TxnKind::Sale).unwrap();
        let answer = approval(&verified, "00");
        assert_eq!(answer.csu_hex, "00800000");
        assert_eq!(answer.arc, "00");
        assert_eq!(answer.arpc_hex.len(), 8);
        // Without a PAN sequence number the card is taken as PSN 00: another key.
        let without_psn = with(tags::PAN_SEQUENCE_NUMBER, None);
        assert!(matches!(
            verify(&without_psn, 10_000, TxnKind::Sale),
            Err(ChipError::Hsm(HsmError::ArqcMismatch))
        ));
    }

    #[test]
    fn each_refusal_names_its_reason_and_code() {
        let honest = tlv::encode_hex(&chip_objects());
        let cases: Vec<(Result<VerifiedArqc, ChipError>, ChipError, ErrorCode)> = vec![
            (
                {
                    let hsm = hsm();
                    verify_chip(
                        &hsm,
                        &card(&hsm),
                        None,
                        Money::twd_minor(10_000),
                        TxnKind::Sale,
                    )
                },
                ChipError::Missing,
                ErrorCode::CardDataInvalid,
            ),
            (
                verify(&honest[..honest.len() - 2], 10_000, TxnKind::Sale),
                ChipError::Tlv(TlvError::TruncatedValue {
                    offset: 87,
                    length: 1,
                    available: 0,
                }),
                ErrorCode::CardDataInvalid,
            ),
            (
                verify(
                    &with(tags::APPLICATION_CRYPTOGRAM, None),
                    10_000,
                    TxnKind::Sale,
                ),
                ChipError::DataObject(EmvError::MissingDataObject(tags::APPLICATION_CRYPTOGRAM)),
                ErrorCode::CardDataInvalid,
            ),
            (
                verify(
                    &with(tags::PAN_SEQUENCE_NUMBER, Some(&[0x1A])),
                    10_000,
                    TxnKind::Sale,
                ),
                ChipError::Tlv(TlvError::NotNumeric),
                ErrorCode::CardDataInvalid,
            ),
            (
                verify(
                    &with(tags::CRYPTOGRAM_INFORMATION_DATA, Some(&[0x00])),
                    10_000,
                    TxnKind::Sale,
                ),
                ChipError::NotArqc,
                ErrorCode::CryptogramInvalid,
            ),
            (
                verify(
                    &with(
                        tags::ISSUER_APPLICATION_DATA,
                        Some(&[0x06, 0x01, 0x0A, 0x03, 0xA0, 0, 0]),
                    ),
                    10_000,
                    TxnKind::Sale,
                ),
                ChipError::UnsupportedCryptogramVersion,
                ErrorCode::CryptogramInvalid,
            ),
            (
                verify(&honest, 10_001, TxnKind::Sale),
                ChipError::AmountMismatch,
                ErrorCode::CryptogramInvalid,
            ),
            (
                verify(
                    &with(tags::TRANSACTION_CURRENCY_CODE, Some(&[0x08, 0x40])),
                    10_000,
                    TxnKind::Sale,
                ),
                ChipError::CurrencyMismatch,
                ErrorCode::CryptogramInvalid,
            ),
            (
                verify(&honest, 10_000, TxnKind::Refund),
                ChipError::KindMismatch,
                ErrorCode::CryptogramInvalid,
            ),
            (
                verify(
                    &with(tags::UNPREDICTABLE_NUMBER, Some(&[0; 4])),
                    10_000,
                    TxnKind::Sale,
                ),
                ChipError::Hsm(HsmError::ArqcMismatch),
                ErrorCode::CryptogramInvalid,
            ),
        ];
        for (i, (result, error, code)) in cases.into_iter().enumerate() {
            let refused = result.map(|_| ()).unwrap_err();
            assert_eq!(refused, error, "case {i}");
            assert_eq!(refused.code(), code, "case {i}");
        }
    }
}
