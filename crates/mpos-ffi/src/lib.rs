//! mpos-ffi: the phone app's one boundary, for the Kotlin and Swift shells.
//!
//! A thin layer over `mpos-core` (like matrix-rust-sdk's
//! `bindings/matrix-sdk-ffi`): [`MposApp`], the one facade, built from an
//! [`AppConfig`](mpos_core::AppConfig) record and an [`AudioJack`]; a
//! [`ViewListener`] whose subscription returns a [`TaskHandle`]; async
//! methods that run on the core's one tokio runtime; one flat error,
//! [`MposError`]. The view model's records, enums and intents are the
//! core's own (`mpos_core::view`, derived for UniFFI there), so no type is
//! written twice.
//!
//! Audio crosses without copies or allocation: the [`AudioJack`] owns one
//! input and one output buffer, the shell's audio thread writes and reads
//! them in place by address, and `process` runs the reader link on them.
//!
//! The virtual reader for tests and previews is another library,
//! `mpos-ffi-testing`, so no test code ships in this one.

uniffi::setup_scaffolding!();

mod app;
mod audio_jack;
mod error;
mod sample_buffers;
mod task_handle;

pub use app::{locale_for_tag, MposApp, ViewListener};
pub use audio_jack::{mpos_audio_jack_process, AudioJack};
pub use error::MposError;
pub use task_handle::TaskHandle;
