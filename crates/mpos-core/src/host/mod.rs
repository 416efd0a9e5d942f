//! The gateway as the phone sees it: a typed HTTPS client whose TLS trusts
//! one root and one pinned server key.

pub mod client;
pub mod pinning;

pub use client::{HostClient, HostConfig};
