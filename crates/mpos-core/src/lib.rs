//! mpos-core: the phone's brain.
//!
//! - [`flows`]: pure state machines (login, sale and refund, void, query,
//!   settlement): inputs in, state and [`flows::Command`]s out, no I/O.
//! - [`app`]: [`MposApp`], the one object the shells talk to: it renders a
//!   [`Screen`], takes [`UserAction`]s and runs the flows' commands.
//! - [`host`]: the typed HTTPS client of the gateway, with key pinning.
//! - [`journal`]: the crash-safe record of the transaction in flight.
//! - [`receipt`]: the e-receipt QR code.
//! - [`reader`]: the card-reader boundary.

pub mod app;
pub mod error;
pub mod flows;
pub mod host;
pub mod journal;
pub mod model;
pub mod notice;
pub mod reader;
pub mod receipt;
pub mod view;

#[cfg(test)]
mod fake_gateway;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub use app::{AppConfig, CardPrompt, MposApp, Screen, ScreenListener, UserAction};
pub use error::{CoreError, UserMessage};
pub use notice::Notice;
pub use receipt::qr::QrMatrix;
