//! What a card reader reports and is asked, as plain data: the flows'
//! vocabulary for the reader. The phone only ever sees [`CardPayload`]: a
//! masked number, the brand, the entry mode, the service code, and the
//! reader's DUKPT envelope.

use mpos_wire::api::{IssuerAuthentication, PinBlockPayload, TxnKind};
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

/// The reader's keypad for one PIN entry: the digit on each of the ten
/// keys (keys 0 to 8 in three rows of three, key 9 alone below). Drawn on
/// screen; with the keys touched it would give the PIN away, so it is never logged.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeypadLayout {
    /// `digits[key]` is the digit shown on `key`.
    pub digits: [u8; 10],
}

impl std::fmt::Debug for KeypadLayout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeypadLayout(<hidden>)")
    }
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
    /// The reader's keypad layout for the PIN entry the app asked for.
    PinPad(KeypadLayout),
    /// The reader enciphered the PIN typed on that keypad.
    PinEntered(PinBlockPayload),
    /// The reader refused the PIN entry (it lost the card read).
    PinEntryFailed,
    /// The reader finished with the host's answer given by
    /// `CardReader::online_result`: `Ok` when the card accepted it, an
    /// error when the card declined an approval or the reader lost the
    /// transaction.
    OnlineResultAnswered(Result<(), ReaderError>),
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
    /// The reader refused the command (a PIN entry it no longer holds).
    #[error("the card reader refused the command")]
    Refused,
    /// The chip declined the approved transaction (AAC in the second GENERATE AC).
    #[error("the card declined the transaction")]
    CardDeclined,
}
