//! The virtual card reader: what the cardholder does with a test card
//! (insert, swipe, remove) becomes the reader events the phone expects,
//! with the card data sealed in a real DUKPT envelope (AES-128, or TDES
//! for a legacy reader).
//!
//! The firmware side (the device, its cards, the head model) needs nothing
//! of the phone. The `phone` feature adds what joins it to `mpos-core`:
//! [`VirtualReader`] works at the event level of
//! `mpos_core::reader::CardReader`; [`device::ReaderDevice`] is the reader
//! on the far end of the headset jack, speaking the audio link of
//! `docs/reader-protocol.md` with its own firmware (whose swipes go through
//! the magnetic head model and the F2F decoder), and [`AudioLoop`] joins
//! it to the phone's `AudioJackReader` through simulated audio only.

#[cfg(feature = "phone")]
pub mod audio_loop;
pub mod chip_data;
pub mod device;
pub mod emv_kernel;
#[cfg(feature = "phone")]
pub mod hands;
pub mod icc;
pub mod jack_peer;
pub mod magstripe;
#[cfg(feature = "phone")]
pub mod reader;
#[cfg(feature = "phone")]
pub mod recording_sink;
#[cfg(test)]
mod test_issuer;
pub mod test_keys;

#[cfg(feature = "phone")]
pub use audio_loop::AudioLoop;
pub use device::ReaderDevice;
#[cfg(feature = "phone")]
pub use hands::CardHands;
pub use jack_peer::{AudioLoopConfig, JackPeer};
#[cfg(feature = "phone")]
pub use reader::VirtualReader;
#[cfg(feature = "phone")]
pub use recording_sink::RecordingSink;
pub use test_keys::{
    test_initial_key_id, test_tdes_initial_ksn, TEST_BDK, TEST_BDK_ID, TEST_INITIAL_KEY_ID,
    TEST_ISSUER_MASTER_KEY, TEST_TDES_BDK, TEST_TDES_INITIAL_KSN, TEST_TDES_KSI,
};
