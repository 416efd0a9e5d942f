//! Support for the end-to-end tests: the real gateway binary over TLS, a
//! real SMTP server and a fake SMS provider on loopback, and phones made of
//! `mpos-core` plus the virtual reader.

pub mod gateway_process;
pub mod phone;
pub mod world;

pub use gateway_process::{GatewayOptions, GatewayProcess};
pub use phone::Phone;
pub use world::{Credentials, World};
