//! EMV application cryptograms: how a chip card proves a transaction to its
//! issuer (the ARQC) and how the issuer's answer proves itself to the card
//! (the ARPC).
//!
//! [`keys`] holds the key hierarchy (issuer master key, ICC master key by
//! option A, common session key); [`cryptogram`] the MAC and ARPC methods;
//! [`transaction_data`] the terminal and card data objects a cryptogram
//! covers; [`cvn10`] and [`cvn18`] the two Visa cryptogram versions built
//! from them. The virtual cards and the gateway speak CVN 18.

pub mod cryptogram;
pub mod cvn10;
pub mod cvn18;
pub mod keys;
pub mod transaction_data;

pub use cryptogram::CardStatusUpdate;
pub use keys::{CryptogramKey, IccMasterKey, IssuerMasterKey, SessionKey};
pub use transaction_data::TransactionData;

use crate::tlv::Tag;

/// Why EMV key or cryptogram input was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmvError {
    /// A key is not 32 hex digits.
    #[error("malformed key: expected 32 hex digits")]
    MalformedKey,
    /// A card number is not 12 to 19 digits.
    #[error("the card number is not 12 to 19 digits")]
    InvalidPan,
    /// A PAN sequence number is above 99.
    #[error("PAN sequence number {0} is not two digits")]
    InvalidPanSequence(u8),
    /// A data object the cryptogram covers is missing.
    #[error("EMV data object {0} is missing")]
    MissingDataObject(Tag),
    /// A data object has the wrong length for its format.
    #[error("EMV data object {tag} has {found} bytes; {expected} expected")]
    WrongLength {
        /// The tag.
        tag: Tag,
        /// The length its format fixes.
        expected: usize,
        /// The length it had.
        found: usize,
    },
    /// The issuer application data is not the layout of this cryptogram version.
    #[error("issuer application data is not in the expected format")]
    UnsupportedIssuerApplicationData,
    /// ARPC method 2 takes at most 8 bytes of proprietary authentication data.
    #[error("{0} bytes of proprietary authentication data; at most 8 are allowed")]
    ProprietaryDataTooLong(usize),
}
