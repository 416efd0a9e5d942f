//! Formats shared by the phone (`mpos-core`) and the acquirer host (`mpos-gateway`).
//!
//! Nothing here does I/O. Every type is plain data so that it crosses the
//! HTTP API as JSON and, later, the UniFFI boundary as a record or enum.

pub mod api;
pub mod brand;
pub mod card;
pub mod error;
pub mod money;
pub mod version;

pub use brand::Brand;
pub use card::{luhn_valid, mask_pan, CardPayload, EntryMode, MaskedPan};
pub use error::{ApiError, ErrorCode};
pub use money::{Currency, Money};
pub use version::{AppVersion, VersionError};
