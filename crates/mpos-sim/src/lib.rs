//! The virtual card reader: what the cardholder does with a test card
//! (insert, swipe, remove) becomes the reader events the phone expects,
//! with the card data sealed in a real AES DUKPT envelope.
//!
//! It works at the event level of `mpos_core::reader::CardReader`; the
//! audio-level reader (FSK frames over the jack) comes next and reuses it.

pub mod chip_data;
pub mod icc;
pub mod magstripe;
pub mod reader;
pub mod recording_sink;
pub mod test_keys;

pub use reader::VirtualReader;
pub use recording_sink::RecordingSink;
pub use test_keys::{
    test_initial_key_id, TEST_BDK, TEST_BDK_ID, TEST_INITIAL_KEY_ID, TEST_ISSUER_MASTER_KEY,
};
