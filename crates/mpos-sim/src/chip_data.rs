//! The data of a chip read: what the terminal (the reader) contributes to
//! the card's cryptogram, and the data objects the phone forwards to the
//! gateway as hex BER-TLV.
//!
//! The PAN (tag 5A) and track 2 equivalent (57) are left out on purpose:
//! the card number travels only inside the DUKPT envelope, and the gateway
//! takes it from there to derive the card's key.

use mpos_crypto::emv::TransactionData;
use mpos_crypto::tlv::{self, tags, Tag, Tlv, TlvError};
use mpos_wire::api::TxnKind;
use mpos_wire::Money;

/// Terminal country code (9F1A): Taiwan, ISO 3166 numeric 158.
pub const TERMINAL_COUNTRY_CODE: u64 = 158;
/// Terminal verification results (95) of a read where every terminal check passed.
pub const TVR_ALL_CHECKS_PASSED: [u8; 5] = [0; 5];
/// Cryptogram information data (9F27) of an ARQC: "go online".
pub const CID_ARQC: u8 = 0x80;

/// What the terminal contributes to one chip read (the card's CDOL1 answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalData {
    /// Amount authorised.
    pub amount: Money,
    /// Sale or refund.
    pub kind: TxnKind,
    /// Transaction date (the reader's local date, Asia/Taipei).
    pub date: time::Date,
    /// The terminal's challenge to the card.
    pub unpredictable_number: [u8; 4],
}

/// EMV transaction type (tag 9C) of a transaction kind.
pub fn transaction_type(kind: TxnKind) -> u64 {
    match kind {
        TxnKind::Sale => 0,
        TxnKind::Refund => 20,
    }
}

impl TerminalData {
    /// The cryptogram's transaction data, completed with the card's AIP and ATC.
    pub fn transaction_data(&self, aip: [u8; 2], atc: u16) -> Result<TransactionData, TlvError> {
        let date = u64::from(self.date.year().rem_euclid(100) as u16) * 10_000
            + u64::from(u8::from(self.date.month())) * 100
            + u64::from(self.date.day());
        Ok(TransactionData {
            amount_authorised: bcd(tags::AMOUNT_AUTHORISED, self.amount.minor, 12)?,
            amount_other: bcd(tags::AMOUNT_OTHER, 0, 12)?,
            terminal_country_code: bcd(tags::TERMINAL_COUNTRY_CODE, TERMINAL_COUNTRY_CODE, 3)?,
            terminal_verification_results: TVR_ALL_CHECKS_PASSED,
            transaction_currency_code: bcd(
                tags::TRANSACTION_CURRENCY_CODE,
                u64::from(self.amount.currency.numeric_code()),
                3,
            )?,
            transaction_date: bcd(tags::TRANSACTION_DATE, date, 6)?,
            transaction_type: bcd(tags::TRANSACTION_TYPE, transaction_type(self.kind), 2)?,
            unpredictable_number: self.unpredictable_number,
            application_interchange_profile: aip,
            application_transaction_counter: atc.to_be_bytes(),
        })
    }
}

/// `value` as an EMV `n` field of `digits` digits in exactly `N` bytes.
fn bcd<const N: usize>(tag: Tag, value: u64, digits: usize) -> Result<[u8; N], TlvError> {
    let object = Tlv::numeric(tag, value, digits)?;
    Ok(object
        .bytes()
        .expect("numeric objects are primitive")
        .try_into()
        .expect("digits fit N bytes"))
}

/// A completed first GENERATE AC: everything the phone forwards about the chip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipRead {
    /// Terminal and card data the cryptogram covers.
    pub data: TransactionData,
    /// The card's PAN sequence number (5F34).
    pub pan_sequence: u8,
    /// Issuer application data (9F10), carrying the card verification results.
    pub issuer_application_data: Vec<u8>,
    /// The authorisation request cryptogram (9F26).
    pub arqc: [u8; 8],
}

impl ChipRead {
    /// The data objects: the cryptogram's transaction data, then 5F34, 9F10, 9F26, 9F27.
    pub fn objects(&self) -> Result<Vec<Tlv>, TlvError> {
        let mut objects = self.data.to_objects();
        objects.extend([
            Tlv::numeric(tags::PAN_SEQUENCE_NUMBER, u64::from(self.pan_sequence), 2)?,
            Tlv::primitive(
                tags::ISSUER_APPLICATION_DATA,
                self.issuer_application_data.clone(),
            )?,
            Tlv::primitive(tags::APPLICATION_CRYPTOGRAM, self.arqc)?,
            Tlv::primitive(tags::CRYPTOGRAM_INFORMATION_DATA, [CID_ARQC])?,
        ]);
        Ok(objects)
    }

    /// The data objects as uppercase hex BER-TLV.
    pub fn to_hex(&self) -> Result<String, TlvError> {
        Ok(tlv::encode_hex(&self.objects()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terminal(kind: TxnKind) -> TerminalData {
        TerminalData {
            amount: Money::twd_minor(120_050),
            kind,
            date: time::macros::date!(2025 - 03 - 07),
            unpredictable_number: [0xDE, 0xAD, 0xBE, 0xEF],
        }
    }

    fn read(kind: TxnKind) -> ChipRead {
        ChipRead {
            data: terminal(kind)
                .transaction_data([0x1C, 0x00], 0x001C)
                .unwrap(),
            pan_sequence: 1,
            issuer_application_data: vec![0x06, 0x01, 0x12, 0x03, 0xA0, 0x00, 0x00],
            arqc: [1, 2, 3, 4, 5, 6, 7, 8],
        }
    }

    #[test]
    fn encodes_every_object_in_emv_formats() {
        let hex = read(TxnKind::Sale).to_hex().unwrap();
        assert_eq!(
            hex,
            concat!(
                "9F0206000000120050",
                "9F0306000000000000",
                "9F1A020158",
                "95050000000000",
                "5F2A020901",
                "9A03250307",
                "9C0100",
                "9F3704DEADBEEF",
                "82021C00",
                "9F3602001C",
                "5F340101",
                "9F100706011203A00000",
                "9F26080102030405060708",
                "9F270180",
            )
        );
    }

    #[test]
    fn refund_is_transaction_type_20() {
        let objects = read(TxnKind::Refund).objects().unwrap();
        assert_eq!(
            tlv::find_bytes(&objects, tags::TRANSACTION_TYPE),
            Some(&[0x20][..])
        );
    }

    #[test]
    fn the_gateway_reads_back_the_same_transaction_data() {
        let read = read(TxnKind::Sale);
        let objects = tlv::parse_hex(&read.to_hex().unwrap()).unwrap();
        assert_eq!(TransactionData::from_objects(&objects).unwrap(), read.data);
    }

    #[test]
    fn never_carries_the_pan() {
        let objects = read(TxnKind::Sale).objects().unwrap();
        assert!(tlv::find(&objects, tags::PAN).is_none());
    }

    #[test]
    fn refuses_an_amount_beyond_twelve_digits() {
        let mut big = terminal(TxnKind::Sale);
        big.amount = Money::twd_minor(1_000_000_000_000);
        assert!(matches!(
            big.transaction_data([0x1C, 0x00], 1),
            Err(TlvError::NumberTooLarge { digits: 12, .. })
        ));
    }
}
