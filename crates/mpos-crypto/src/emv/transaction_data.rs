//! The data objects every Visa cryptogram version covers, in the order
//! they are MACed (the EMV Book 2 recommended minimum set, D.1): nine from
//! the terminal's CDOL1 answer and two from the card.

use super::EmvError;
use crate::tlv::{self, tags, Tag, Tlv};

/// Terminal and card data of one transaction, as raw EMV values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionData {
    /// 9F02 Amount, authorised (n12).
    pub amount_authorised: [u8; 6],
    /// 9F03 Amount, other (n12).
    pub amount_other: [u8; 6],
    /// 9F1A Terminal country code (n3).
    pub terminal_country_code: [u8; 2],
    /// 95 Terminal verification results.
    pub terminal_verification_results: [u8; 5],
    /// 5F2A Transaction currency code (n3).
    pub transaction_currency_code: [u8; 2],
    /// 9A Transaction date (n6, YYMMDD).
    pub transaction_date: [u8; 3],
    /// 9C Transaction type (n2).
    pub transaction_type: [u8; 1],
    /// 9F37 Unpredictable number, the terminal's challenge.
    pub unpredictable_number: [u8; 4],
    /// 82 Application interchange profile (card).
    pub application_interchange_profile: [u8; 2],
    /// 9F36 Application transaction counter (card).
    pub application_transaction_counter: [u8; 2],
}

/// Length of the MACed concatenation.
pub const LEN: usize = 6 + 6 + 2 + 5 + 2 + 3 + 1 + 4 + 2 + 2;

impl TransactionData {
    /// The values concatenated in MAC order.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(LEN);
        for field in self.fields() {
            out.extend_from_slice(field.1);
        }
        out
    }

    /// The application transaction counter as a number.
    pub fn atc(&self) -> u16 {
        u16::from_be_bytes(self.application_transaction_counter)
    }

    /// Reads every field from parsed BER-TLV; each must be present with its exact length.
    pub fn from_objects(objects: &[Tlv]) -> Result<TransactionData, EmvError> {
        Ok(TransactionData {
            amount_authorised: fixed(objects, tags::AMOUNT_AUTHORISED)?,
            amount_other: fixed(objects, tags::AMOUNT_OTHER)?,
            terminal_country_code: fixed(objects, tags::TERMINAL_COUNTRY_CODE)?,
            terminal_verification_results: fixed(objects, tags::TVR)?,
            transaction_currency_code: fixed(objects, tags::TRANSACTION_CURRENCY_CODE)?,
            transaction_date: fixed(objects, tags::TRANSACTION_DATE)?,
            transaction_type: fixed(objects, tags::TRANSACTION_TYPE)?,
            unpredictable_number: fixed(objects, tags::UNPREDICTABLE_NUMBER)?,
            application_interchange_profile: fixed(objects, tags::AIP)?,
            application_transaction_counter: fixed(objects, tags::ATC)?,
        })
    }

    /// The fields as primitive data objects, in MAC order.
    pub fn to_objects(&self) -> Vec<Tlv> {
        self.fields()
            .into_iter()
            .map(|(tag, value)| Tlv::primitive(tag, value).expect("these tags are primitive"))
            .collect()
    }

    fn fields(&self) -> [(Tag, &[u8]); 10] {
        [
            (tags::AMOUNT_AUTHORISED, &self.amount_authorised),
            (tags::AMOUNT_OTHER, &self.amount_other),
            (tags::TERMINAL_COUNTRY_CODE, &self.terminal_country_code),
            (tags::TVR, &self.terminal_verification_results),
            (
                tags::TRANSACTION_CURRENCY_CODE,
                &self.transaction_currency_code,
            ),
            (tags::TRANSACTION_DATE, &self.transaction_date),
            (tags::TRANSACTION_TYPE, &self.transaction_type),
            (tags::UNPREDICTABLE_NUMBER, &self.unpredictable_number),
            (tags::AIP, &self.application_interchange_profile),
            (tags::ATC, &self.application_transaction_counter),
        ]
    }
}

/// The value of `tag`, which must be exactly `N` bytes.
pub fn fixed<const N: usize>(objects: &[Tlv], tag: Tag) -> Result<[u8; N], EmvError> {
    let bytes = tlv::find_bytes(objects, tag).ok_or(EmvError::MissingDataObject(tag))?;
    bytes.try_into().map_err(|_| EmvError::WrongLength {
        tag,
        expected: N,
        found: bytes.len(),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The terminal and card data of the pyemv Visa CVN 10 / CVN 18 vectors (test-vectors.md).
    pub(crate) fn vector_data() -> TransactionData {
        let h = |text: &str| hex::decode(text).unwrap();
        TransactionData {
            amount_authorised: h("000000004000").try_into().unwrap(),
            amount_other: h("000000000000").try_into().unwrap(),
            terminal_country_code: h("0124").try_into().unwrap(),
            terminal_verification_results: h("8000048000").try_into().unwrap(),
            transaction_currency_code: h("0124").try_into().unwrap(),
            transaction_date: h("191105").try_into().unwrap(),
            transaction_type: [0x01],
            unpredictable_number: h("52BF4585").try_into().unwrap(),
            application_interchange_profile: h("1800").try_into().unwrap(),
            application_transaction_counter: h("001C").try_into().unwrap(),
        }
    }

    #[test]
    fn concatenates_in_mac_order() {
        let data = vector_data();
        assert_eq!(
            hex::encode_upper(data.to_bytes()),
            concat!(
                "000000004000",
                "000000000000",
                "0124",
                "8000048000",
                "0124",
                "191105",
                "01",
                "52BF4585",
                "1800",
                "001C"
            )
        );
        assert_eq!(data.to_bytes().len(), LEN);
        assert_eq!(data.atc(), 0x1C);
    }

    #[test]
    fn round_trips_through_tlv() {
        let data = vector_data();
        let hex_tlv = tlv::encode_hex(&data.to_objects());
        assert!(hex_tlv.starts_with("9F0206000000004000"), "{hex_tlv}");
        let parsed = tlv::parse_hex(&hex_tlv).unwrap();
        assert_eq!(TransactionData::from_objects(&parsed).unwrap(), data);
    }

    #[test]
    fn a_missing_or_misfit_object_is_named() {
        let data = vector_data();
        let without_un: Vec<Tlv> = data
            .to_objects()
            .into_iter()
            .filter(|o| o.tag() != tags::UNPREDICTABLE_NUMBER)
            .collect();
        assert_eq!(
            TransactionData::from_objects(&without_un),
            Err(EmvError::MissingDataObject(tags::UNPREDICTABLE_NUMBER))
        );
        let mut objects = data.to_objects();
        objects[0] = Tlv::primitive(tags::AMOUNT_AUTHORISED, [0u8; 5]).unwrap();
        assert_eq!(
            TransactionData::from_objects(&objects),
            Err(EmvError::WrongLength {
                tag: tags::AMOUNT_AUTHORISED,
                expected: 6,
                found: 5
            })
        );
    }
}
