//! The gateway as the phone sees it: a typed HTTPS client whose TLS trusts
//! one root and one pinned server key.

pub mod client;
pub mod pinning;

pub use crate::model::host_error::HostError;
pub use client::{HostClient, HostConfig, HostSetupError};
pub use pinning::{PinMismatch, PinnedServerVerifier, PinningError};
