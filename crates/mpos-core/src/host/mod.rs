//! The gateway as the phone sees it: a typed HTTPS client whose TLS trusts
//! one root and one pinned server key.

pub mod client;
pub mod error;
pub mod pinning;

pub use client::{HostClient, HostConfig, HostSetupError};
pub use error::HostError;
pub use pinning::{PinMismatch, PinnedServerVerifier, PinningError};
