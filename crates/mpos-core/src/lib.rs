//! mpos-core: the phone's brain.
//!
//! What callers use: [`MposApp`] (built from an [`AppConfig`] and a
//! [`reader::CardReader`]), the [`view`] model it publishes (each screen
//! ready to draw, in Traditional Chinese or English) with the
//! [`view::Intent`]s and [`view::FieldId`]s a shell sends back, the
//! language-neutral [`Screen`] and typed [`UserAction`]s for Rust callers,
//! and the [`reader`] boundary with its audio-jack driver.
//!
//! Inside: `model/` is the pure data the flows speak in, `flows/` the pure
//! state machines, `app/` the actor that runs them against `host/` (the
//! gateway's HTTPS client), `journal/` (the crash-safe record of the
//! transaction in flight) and the reader; `receipt/` makes the QR code.

pub mod app;
pub mod error;
mod flows;
mod host;
mod journal;
mod model;
mod notice;
pub mod reader;
mod receipt;
pub mod view;

#[cfg(test)]
mod fake_gateway;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!();

pub use app::{
    AppConfig, CardPrompt, CheckItem, CheckLine, CheckStatus, Finding, Frame, LinkQuality, MposApp,
    PhonePower, ProfileOrigin, Screen, ScreenListener, UserAction,
};
pub use error::{CoreError, UserMessage};
pub use receipt::qr::QrMatrix;
