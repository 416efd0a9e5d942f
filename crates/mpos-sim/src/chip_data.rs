//! The EMV data objects a chip read hands to the phone, as hex BER-TLV.
//!
//! The PAN (tag 5A) and track 2 equivalent (57) are left out on purpose:
//! the card number travels only inside the DUKPT envelope.

use mpos_crypto::tlv::{self, tags, Tlv, TlvError};
use mpos_wire::api::TxnKind;
use mpos_wire::Money;

/// Application interchange profile of the virtual cards: SDA and cardholder verification supported.
pub const AIP: [u8; 2] = [0x18, 0x00];

/// What the card and the terminal contribute to one chip read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChipData {
    /// Amount authorised.
    pub amount: Money,
    /// Sale or refund.
    pub kind: TxnKind,
    /// Transaction date (the reader's local date, Asia/Taipei).
    pub date: time::Date,
    /// The terminal's unpredictable number.
    pub unpredictable_number: [u8; 4],
    /// The card's PAN sequence number.
    pub pan_sequence: u8,
    /// The card's application transaction counter.
    pub atc: u16,
}

/// EMV transaction type (tag 9C) of a transaction kind.
pub fn transaction_type(kind: TxnKind) -> u64 {
    match kind {
        TxnKind::Sale => 0,
        TxnKind::Refund => 20,
    }
}

impl ChipData {
    /// The data objects: 9F02, 5F2A, 9A, 9C, 9F37, 5F34, 82, 9F36.
    pub fn objects(&self) -> Result<Vec<Tlv>, TlvError> {
        let date = u64::from(self.date.year().rem_euclid(100) as u16) * 10_000
            + u64::from(u8::from(self.date.month())) * 100
            + u64::from(self.date.day());
        Ok(vec![
            Tlv::numeric(tags::AMOUNT_AUTHORISED, self.amount.minor, 12)?,
            Tlv::numeric(
                tags::TRANSACTION_CURRENCY_CODE,
                u64::from(self.amount.currency.numeric_code()),
                3,
            )?,
            Tlv::numeric(tags::TRANSACTION_DATE, date, 6)?,
            Tlv::numeric(tags::TRANSACTION_TYPE, transaction_type(self.kind), 2)?,
            Tlv::primitive(tags::UNPREDICTABLE_NUMBER, self.unpredictable_number)?,
            Tlv::numeric(tags::PAN_SEQUENCE_NUMBER, u64::from(self.pan_sequence), 2)?,
            Tlv::primitive(tags::AIP, AIP)?,
            Tlv::primitive(tags::ATC, self.atc.to_be_bytes())?,
        ])
    }

    /// The data objects as uppercase hex BER-TLV.
    pub fn to_hex(&self) -> Result<String, TlvError> {
        Ok(tlv::encode_hex(&self.objects()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(kind: TxnKind) -> ChipData {
        ChipData {
            amount: Money::twd_minor(120_050),
            kind,
            date: time::macros::date!(2025 - 03 - 07),
            unpredictable_number: [0xDE, 0xAD, 0xBE, 0xEF],
            pan_sequence: 1,
            atc: 0x001C,
        }
    }

    #[test]
    fn encodes_every_object_in_emv_formats() {
        let hex = data(TxnKind::Sale).to_hex().unwrap();
        assert_eq!(
            hex,
            "9F0206000000120050\
             5F2A020901\
             9A03250307\
             9C0100\
             9F3704DEADBEEF\
             5F340101\
             82021800\
             9F3602001C"
        );
    }

    #[test]
    fn refund_is_transaction_type_20() {
        let objects = data(TxnKind::Refund).objects().unwrap();
        assert_eq!(
            tlv::find_bytes(&objects, tags::TRANSACTION_TYPE),
            Some(&[0x20][..])
        );
    }

    #[test]
    fn never_carries_the_pan() {
        let objects = data(TxnKind::Sale).objects().unwrap();
        assert!(tlv::find(&objects, tags::PAN).is_none());
    }

    #[test]
    fn refuses_an_amount_beyond_twelve_digits() {
        let mut big = data(TxnKind::Sale);
        big.amount = Money::twd_minor(1_000_000_000_000);
        assert!(matches!(
            big.to_hex(),
            Err(TlvError::NumberTooLarge { digits: 12, .. })
        ));
    }
}
