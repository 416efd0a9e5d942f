//! The virtual card reader: what the cardholder does with a test card
//! (insert, swipe, remove) becomes the reader events the phone expects,
//! with the card data sealed in a real DUKPT envelope (AES-128, or TDES
//! for a legacy reader).
//!
//! Two readers: [`VirtualReader`] works at the event level of
//! `mpos_core::reader::CardReader`; [`device::ReaderDevice`] is the reader
//! on the far end of the headset jack, speaking the audio link of
//! `docs/reader-protocol.md` with its own firmware (whose swipes go through
//! the magnetic head model and the F2F decoder), and [`AudioLoop`] joins
//! it to the phone's `AudioJackReader` through simulated audio only.

pub mod audio_loop;
pub mod chip_data;
pub mod device;
pub mod emv_kernel;
pub mod hands;
pub mod icc;
pub mod magstripe;
pub mod reader;
pub mod recording_sink;
#[cfg(test)]
mod test_issuer;
pub mod test_keys;

pub use audio_loop::{AudioLoop, AudioLoopConfig};
pub use device::ReaderDevice;
pub use hands::CardHands;
pub use reader::VirtualReader;
pub use recording_sink::RecordingSink;
pub use test_keys::{
    test_initial_key_id, test_tdes_initial_ksn, TEST_BDK, TEST_BDK_ID, TEST_INITIAL_KEY_ID,
    TEST_ISSUER_MASTER_KEY, TEST_TDES_BDK, TEST_TDES_INITIAL_KSN, TEST_TDES_KSI,
};
