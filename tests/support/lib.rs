//! Support for the end-to-end tests: the real gateway binary over TLS, a
//! real SMTP server and a fake SMS provider on loopback, and phones made of
//! `mpos-core` plus the virtual reader.

pub mod gateway_process;
pub mod log_capture;
pub mod pan_scan;
pub mod phone;
pub mod screens;
pub mod world;

pub use gateway_process::{GatewayOptions, GatewayProcess};
pub use phone::{Phone, PhoneOptions};
pub use world::{Credentials, World, NEW_PASSWORD};
