//! Typed messages: what a frame's TYPE and payload mean.
//!
//! Multi-byte integers are big-endian. Variable fields carry their length
//! first (one byte, or two for fields that may exceed 255). Decoding is
//! strict: every length and code is range-checked and trailing bytes are an
//! error, so a parser under fuzzing can only return `Ok` or a typed error.

mod codec;
mod command;
mod event;
mod link;
mod pin;

pub use command::{EntryModes, OnlineResult, StartTransaction};
pub use event::{
    CardData, CardDataError, ChipFailure, ReaderErrorCode, ReaderErrorReport, ReaderInfo,
    TransactionDone, TransactionOutcome,
};
pub use link::{LinkProbe, LinkSettings, ProbeReply};
pub use pin::{PinBlock, PinKeys, PinPadLayout, KEYS, MAX_PIN_DIGITS, MIN_PIN_DIGITS};

use crate::frame::{parse_frame, Direction, Frame, FrameError, FrameType};
use codec::Cursor;

/// Why a payload is not a valid message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The payload ends inside a field.
    #[error("message truncated in field {field}")]
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// A field's length or value is out of range.
    #[error("message field {field} is invalid")]
    InvalidField {
        /// The offending field.
        field: &'static str,
    },
    /// Bytes left after the last field.
    #[error("{0} bytes after the last field of the message")]
    TrailingBytes(usize),
    /// ACK and NAK frames carry link control, not messages.
    #[error("frame type {0:?} carries no message")]
    NotAMessage(FrameType),
}

/// Every message of the protocol, in both directions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// 0x10, phone to reader: ask for [`Message::Info`].
    GetInfo,
    /// 0x11, phone to reader: collect a card.
    StartTransaction(StartTransaction),
    /// 0x12, phone to reader: the host's answer.
    OnlineResult(OnlineResult),
    /// 0x13, phone to reader: stop the transaction.
    Cancel,
    /// 0x14, phone to reader: a PIN entry for the card just read.
    RequestPin,
    /// 0x16, phone to reader: the keys the cardholder touched.
    PinEntered(PinKeys),
    /// 0x40, phone to reader: send a test pattern at these settings.
    LinkProbe(LinkProbe),
    /// 0x41, phone to reader: use these settings from now on.
    SetLink(LinkSettings),
    /// 0x80, reader to phone: identity, battery, KSN.
    Info(ReaderInfo),
    /// 0x81, reader to phone: a card went into the slot.
    CardInserted,
    /// 0x82, reader to phone: card data.
    CardRead(CardData),
    /// 0x83, reader to phone: the card left the slot.
    CardRemoved,
    /// 0x84, reader to phone: the chip could not be read.
    ChipReadFailed(ChipFailure),
    /// 0x85, reader to phone: a swipe could not be decoded.
    SwipeFailed,
    /// 0x86, reader to phone: the transaction ended.
    TransactionDone(TransactionDone),
    /// 0x87, reader to phone: chip first refused the swipe of a chip card; insert it.
    InsertChip,
    /// 0x88, reader to phone: the keypad layout of this PIN entry.
    PinPad(PinPadLayout),
    /// 0x89, reader to phone: the enciphered PIN.
    PinBlock(PinBlock),
    /// 0x8F, reader to phone: a command was refused.
    Error(ReaderErrorReport),
    /// 0xC0, reader to phone: the test pattern.
    ProbeReply(ProbeReply),
}

impl Message {
    /// The TYPE byte of the frame that carries this message.
    pub fn frame_type(&self) -> FrameType {
        match self {
            Message::GetInfo => FrameType::GetInfo,
            Message::StartTransaction(_) => FrameType::StartTransaction,
            Message::OnlineResult(_) => FrameType::OnlineResult,
            Message::Cancel => FrameType::Cancel,
            Message::RequestPin => FrameType::RequestPin,
            Message::PinEntered(_) => FrameType::PinEntered,
            Message::LinkProbe(_) => FrameType::LinkProbe,
            Message::SetLink(_) => FrameType::SetLink,
            Message::Info(_) => FrameType::Info,
            Message::CardInserted => FrameType::CardInserted,
            Message::CardRead(_) => FrameType::CardRead,
            Message::CardRemoved => FrameType::CardRemoved,
            Message::ChipReadFailed(_) => FrameType::ChipReadFailed,
            Message::SwipeFailed => FrameType::SwipeFailed,
            Message::TransactionDone(_) => FrameType::TransactionDone,
            Message::InsertChip => FrameType::InsertChip,
            Message::PinPad(_) => FrameType::PinPad,
            Message::PinBlock(_) => FrameType::PinBlock,
            Message::Error(_) => FrameType::Error,
            Message::ProbeReply(_) => FrameType::ProbeReply,
        }
    }

    /// The direction this message travels.
    pub fn direction(&self) -> Direction {
        if self.frame_type().allowed(Direction::Downlink) {
            Direction::Downlink
        } else {
            Direction::Uplink
        }
    }

    /// Appends the payload bytes to `out`; on error `out` is left as it was.
    pub fn encode_payload(&self, out: &mut Vec<u8>) -> Result<(), MessageError> {
        let start = out.len();
        let result = match self {
            Message::GetInfo
            | Message::Cancel
            | Message::CardInserted
            | Message::CardRemoved
            | Message::SwipeFailed
            | Message::InsertChip
            | Message::RequestPin => Ok(()),
            Message::PinEntered(m) => m.encode(out),
            Message::PinPad(m) => {
                m.encode(out);
                Ok(())
            }
            Message::PinBlock(m) => m.encode(out),
            Message::StartTransaction(m) => m.encode(out),
            Message::OnlineResult(m) => m.encode(out),
            Message::LinkProbe(m) => m.encode(out),
            Message::SetLink(m) => {
                m.encode(out);
                Ok(())
            }
            Message::Info(m) => m.encode(out),
            Message::CardRead(m) => m.encode(out),
            Message::ChipReadFailed(reason) => {
                out.push(*reason as u8);
                Ok(())
            }
            Message::TransactionDone(m) => m.encode(out),
            Message::Error(m) => m.encode(out),
            Message::ProbeReply(m) => m.encode(out),
        };
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    /// Decodes the payload of a frame of type `frame_type`.
    pub fn decode(frame_type: FrameType, payload: &[u8]) -> Result<Message, MessageError> {
        let mut cursor = Cursor::new(payload);
        let message = match frame_type {
            FrameType::Ack | FrameType::Nak => return Err(MessageError::NotAMessage(frame_type)),
            FrameType::GetInfo => Message::GetInfo,
            FrameType::Cancel => Message::Cancel,
            FrameType::CardInserted => Message::CardInserted,
            FrameType::CardRemoved => Message::CardRemoved,
            FrameType::SwipeFailed => Message::SwipeFailed,
            FrameType::InsertChip => Message::InsertChip,
            FrameType::RequestPin => Message::RequestPin,
            FrameType::PinEntered => Message::PinEntered(PinKeys::decode(&mut cursor)?),
            FrameType::PinPad => Message::PinPad(PinPadLayout::decode(&mut cursor)?),
            FrameType::PinBlock => Message::PinBlock(PinBlock::decode(&mut cursor)?),
            FrameType::StartTransaction => {
                Message::StartTransaction(StartTransaction::decode(&mut cursor)?)
            }
            FrameType::OnlineResult => Message::OnlineResult(OnlineResult::decode(&mut cursor)?),
            FrameType::LinkProbe => Message::LinkProbe(LinkProbe::decode(&mut cursor)?),
            FrameType::SetLink => Message::SetLink(LinkSettings::decode(&mut cursor)?),
            FrameType::Info => Message::Info(ReaderInfo::decode(&mut cursor)?),
            FrameType::CardRead => Message::CardRead(CardData::decode(&mut cursor)?),
            FrameType::ChipReadFailed => Message::ChipReadFailed(
                ChipFailure::from_byte(cursor.u8("reason")?)
                    .ok_or(MessageError::InvalidField { field: "reason" })?,
            ),
            FrameType::TransactionDone => {
                Message::TransactionDone(TransactionDone::decode(&mut cursor)?)
            }
            FrameType::Error => Message::Error(ReaderErrorReport::decode(&mut cursor)?),
            FrameType::ProbeReply => Message::ProbeReply(ProbeReply::decode(&mut cursor)?),
        };
        cursor.finish()?;
        Ok(message)
    }
}

/// Why bytes are not a valid frame carrying a valid message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The frame layer refused the bytes.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The frame is sound but its payload is not a valid message.
    #[error(transparent)]
    Message(#[from] MessageError),
}

/// Parses a frame and the message it carries: the fuzzing entry point for both layers.
pub fn parse_message(bytes: &[u8]) -> Result<(Frame<'_>, Message), ParseError> {
    let frame = parse_frame(bytes)?;
    let message = Message::decode(frame.frame_type, frame.payload)?;
    Ok((frame, message))
}

#[cfg(test)]
mod tests;
