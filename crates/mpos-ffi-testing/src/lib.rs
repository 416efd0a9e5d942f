//! mpos-ffi-testing: the virtual card reader for the shells' tests and
//! previews, as a library of its own (Kotlin `uniffi.mpos_ffi_testing`,
//! Swift `mpos_ffi_testing`), so the phone library ships no test code and
//! no test key. It is `mpos-sim`'s reader device behind a typical phone's
//! analog paths, fed and read by address like the app's `AudioJack`.

uniffi::setup_scaffolding!();

// The app's buffer type, the same file: both libraries share the contract.
#[path = "../../mpos-ffi/src/sample_buffers.rs"]
mod sample_buffers;
mod virtual_reader;

pub use virtual_reader::{mpos_virtual_reader_process, BlockError, TestCard, VirtualReader};
