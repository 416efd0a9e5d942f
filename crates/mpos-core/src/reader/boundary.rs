//! The card-reader boundary. A reader (the virtual one in `mpos-sim` today,
//! the audio-jack driver next) implements [`CardReader`]; it reports what
//! the cardholder does through the [`ReaderEventSink`] the app registers.
//!
//! The phone only ever sees [`CardPayload`]: a masked number, the brand,
//! the entry mode, the service code, and the reader's DUKPT envelope.

use mpos_wire::api::{IssuerAuthentication, TxnKind};
use mpos_wire::{CardPayload, Money};

/// Identity and state of a connected reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderInfo {
    /// Reader serial number.
    pub serial: String,
    /// Firmware version.
    pub firmware: String,
    /// Battery level in percent, if the reader has a battery.
    pub battery_percent: Option<u8>,
    /// Current DUKPT key serial number, hex.
    pub ksn: String,
}

/// What the app asks the reader to collect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderRequest {
    /// Amount shown to the cardholder and bound into the chip's cryptogram.
    pub amount: Money,
    /// Sale or refund.
    pub kind: TxnKind,
    /// Whether the chip may be read (false for refunds: swipe only).
    pub chip_allowed: bool,
    /// Whether a swipe may be read.
    pub swipe_allowed: bool,
}

/// The host's answer, passed back to the reader so a chip card can finish
/// (second GENERATE AC) or the reader can show the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineResult {
    /// Whether the host approved.
    pub approved: bool,
    /// Authorization code, when approved.
    pub auth_code: Option<String>,
    /// ISO 8583 response code.
    pub response_code: String,
    /// The issuer's ARPC for the chip's second GENERATE AC (approved chip sales only).
    pub issuer_authentication: Option<IssuerAuthentication>,
}

/// Something the cardholder or the reader did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReaderEvent {
    /// A reader was plugged in and answered.
    Connected(ReaderInfo),
    /// The reader was unplugged or stopped answering.
    Disconnected,
    /// A card went into the chip slot.
    CardInserted,
    /// The chip was read; the payload's entry mode is `Chip`.
    ChipRead(CardPayload),
    /// The chip could not be read.
    ChipReadFailed,
    /// A stripe was swiped and decoded; the payload's entry mode is `Swipe`.
    CardSwiped(CardPayload),
    /// A swipe could not be decoded.
    SwipeFailed,
    /// The reader's chip-first firmware refused the swipe of a chip card:
    /// the cardholder must insert it (the stripe was not handed over).
    InsertChip,
    /// The card left the slot.
    CardRemoved,
}

/// Why a reader refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReaderError {
    /// No reader is plugged in.
    #[error("no card reader is connected")]
    NotConnected,
    /// The reader is already collecting a card.
    #[error("the reader is busy with another transaction")]
    Busy,
    /// The reader did not answer in time.
    #[error("the card reader did not answer")]
    Timeout,
    /// The chip declined the approved transaction (AAC in the second GENERATE AC).
    #[error("the card declined the transaction")]
    CardDeclined,
}

/// Receives reader events; the app registers one with its reader.
pub trait ReaderEventSink: Send + Sync {
    /// Called for every event, from the reader's own thread or task.
    fn on_reader_event(&self, event: ReaderEvent);
}

/// A card reader: what the app can ask of it.
pub trait CardReader: Send + Sync {
    /// Registers the sink that receives every later event.
    fn set_event_sink(&self, sink: std::sync::Arc<dyn ReaderEventSink>);
    /// The connected reader, or `None` when nothing is plugged in.
    fn info(&self) -> Option<ReaderInfo>;
    /// Starts collecting a card for a transaction.
    fn start_transaction(&self, request: ReaderRequest) -> Result<(), ReaderError>;
    /// Hands the host's answer to the reader.
    fn online_result(&self, result: OnlineResult) -> Result<(), ReaderError>;
    /// Stops collecting; the reader returns to idle.
    fn cancel(&self);
}
