//! Frames: the unit the modem carries and the ARQ acknowledges.
//!
//! ```text
//! offset  size  field
//! 0       1     CTRL   bit 7 direction (0 phone->reader, 1 reader->phone),
//!                      bits 6..4 zero, bits 3..0 protocol version (1)
//! 1       1     TYPE   frame type (FrameType)
//! 2       1     SEQ    sequence number, 0..=255, wrapping
//! 3       2     LEN    payload length N, big-endian, 0..=1024
//! 5       1     HCS    CRC-8/SMBUS over bytes 0..=4
//! 6       N     PAYLOAD
//! 6+N     2     FCS    CRC-16/IBM-3740 over bytes 0..6+N, big-endian
//! ```
//!
//! The header has its own check so that a receiver trusts LEN before it
//! waits for the payload, and can NAK a frame whose payload was damaged.

use crate::crc::{crc16, crc8};

/// Protocol version carried in CTRL bits 3..0.
pub const VERSION: u8 = 1;
/// Bytes before the payload.
pub const HEADER_LEN: usize = 6;
/// Bytes after the payload.
pub const FCS_LEN: usize = 2;
/// Largest payload a frame may carry.
pub const MAX_PAYLOAD: usize = 1024;
/// Largest frame, header to FCS.
pub const MAX_FRAME_LEN: usize = HEADER_LEN + MAX_PAYLOAD + FCS_LEN;

const DIRECTION_BIT: u8 = 0x80;
const RESERVED_BITS: u8 = 0x70;
const VERSION_BITS: u8 = 0x0F;

/// Which way a frame travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Phone to reader, on the right audio channel.
    Downlink,
    /// Reader to phone, on the microphone line.
    Uplink,
}

impl Direction {
    /// The other direction.
    pub fn reverse(self) -> Direction {
        match self {
            Direction::Downlink => Direction::Uplink,
            Direction::Uplink => Direction::Downlink,
        }
    }
}

/// The TYPE byte: what a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FrameType {
    /// Acknowledges the sequenced frame whose SEQ it repeats (both directions).
    Ack = 0x06,
    /// Asks for a retransmission of the frame whose SEQ it repeats (both directions).
    Nak = 0x15,
    /// Phone asks for the reader's identity, battery and KSN.
    GetInfo = 0x10,
    /// Phone asks the reader to collect a card.
    StartTransaction = 0x11,
    /// Phone passes the host's answer to the reader.
    OnlineResult = 0x12,
    /// Phone stops the transaction.
    Cancel = 0x13,
    /// Phone asks the reader for a PIN entry for the card just read.
    RequestPin = 0x14,
    /// Phone passes the keypad positions the cardholder touched.
    PinEntered = 0x16,
    /// Phone asks for a test pattern at a given uplink rate and level (auto-configuration).
    LinkProbe = 0x40,
    /// Phone sets the reader's uplink rate and level.
    SetLink = 0x41,
    /// Reader's identity, battery and KSN.
    Info = 0x80,
    /// A card went into the chip slot.
    CardInserted = 0x81,
    /// Card data was read (chip, swipe or fallback swipe).
    CardRead = 0x82,
    /// The card left the slot.
    CardRemoved = 0x83,
    /// The chip could not be read.
    ChipReadFailed = 0x84,
    /// A swipe could not be decoded.
    SwipeFailed = 0x85,
    /// The transaction ended on the reader.
    TransactionDone = 0x86,
    /// Chip first: a chip card was swiped; the cardholder must insert it.
    InsertChip = 0x87,
    /// The keypad layout for one PIN entry.
    PinPad = 0x88,
    /// The enciphered PIN block.
    PinBlock = 0x89,
    /// The reader refused a command.
    Error = 0x8F,
    /// The reader's answer to LinkProbe and SetLink: a test pattern.
    ProbeReply = 0xC0,
}

impl FrameType {
    /// Every frame type, for exhaustive tests and documentation.
    pub const ALL: [FrameType; 22] = [
        FrameType::Ack,
        FrameType::Nak,
        FrameType::GetInfo,
        FrameType::StartTransaction,
        FrameType::OnlineResult,
        FrameType::Cancel,
        FrameType::RequestPin,
        FrameType::PinEntered,
        FrameType::LinkProbe,
        FrameType::SetLink,
        FrameType::Info,
        FrameType::CardInserted,
        FrameType::CardRead,
        FrameType::CardRemoved,
        FrameType::ChipReadFailed,
        FrameType::SwipeFailed,
        FrameType::TransactionDone,
        FrameType::InsertChip,
        FrameType::PinPad,
        FrameType::PinBlock,
        FrameType::Error,
        FrameType::ProbeReply,
    ];

    /// The type named by a TYPE byte, if any.
    pub fn from_byte(byte: u8) -> Option<FrameType> {
        FrameType::ALL.into_iter().find(|t| *t as u8 == byte)
    }

    /// Whether frames of this type may travel in `direction`.
    pub fn allowed(self, direction: Direction) -> bool {
        match self {
            FrameType::Ack | FrameType::Nak => true,
            other if (other as u8) < 0x80 => direction == Direction::Downlink,
            _ => direction == Direction::Uplink,
        }
    }

    /// Whether the ARQ acknowledges and deduplicates this type.
    ///
    /// ACK and NAK are never acknowledged; link-management frames are
    /// answered by a ProbeReply instead, because they change the rate the
    /// answer comes back at.
    pub fn is_sequenced(self) -> bool {
        !matches!(
            self,
            FrameType::Ack
                | FrameType::Nak
                | FrameType::LinkProbe
                | FrameType::SetLink
                | FrameType::ProbeReply
        )
    }
}

/// A parsed frame, borrowing its payload from the received bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// Which way it travelled.
    pub direction: Direction,
    /// What it carries.
    pub frame_type: FrameType,
    /// Sequence number.
    pub seq: u8,
    /// The payload, 0..=1024 bytes.
    pub payload: &'a [u8],
    /// The frame check sequence, which the ARQ uses to recognise duplicates.
    pub fcs: u16,
}

/// Why bytes are not a valid frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Fewer bytes than the header or the declared length need.
    #[error("frame truncated: {got} bytes, {needed} needed")]
    Truncated {
        /// Bytes the frame needs.
        needed: usize,
        /// Bytes received.
        got: usize,
    },
    /// CTRL has reserved bits set or names another protocol version.
    #[error("unsupported frame control byte {0:#04x}")]
    BadControl(u8),
    /// The header check sequence does not match.
    #[error("frame header check failed")]
    BadHeaderCheck,
    /// LEN exceeds the 1024-byte maximum.
    #[error("frame declares a {0}-byte payload, more than 1024")]
    LengthTooLarge(usize),
    /// TYPE names no frame type.
    #[error("unknown frame type {0:#04x}")]
    UnknownType(u8),
    /// TYPE may not travel in the direction CTRL gives.
    #[error("frame type {frame_type:?} may not travel {direction:?}")]
    WrongDirection {
        /// The frame's type.
        frame_type: FrameType,
        /// The direction CTRL gives.
        direction: Direction,
    },
    /// More bytes than LEN declares.
    #[error("{extra} bytes after the frame check sequence")]
    TrailingBytes {
        /// Bytes past the end of the frame.
        extra: usize,
    },
    /// The payload was damaged; the header (checked by HCS) says which frame it was.
    #[error("frame check sequence failed for frame {seq} ({frame_type:?})")]
    BadCrc {
        /// The damaged frame's direction.
        direction: Direction,
        /// The damaged frame's type.
        frame_type: FrameType,
        /// The damaged frame's sequence number.
        seq: u8,
    },
}

/// The total frame length a header declares, or `None` if the header is not
/// valid (used by the demodulator to know how many bytes to collect).
pub fn declared_frame_len(header: &[u8]) -> Option<usize> {
    let header = header.get(..HEADER_LEN)?;
    check_header(header)
        .ok()
        .map(|len| HEADER_LEN + len + FCS_LEN)
}

/// Checks CTRL, HCS and LEN; returns the payload length.
fn check_header(header: &[u8]) -> Result<usize, FrameError> {
    let ctrl = header[0];
    if ctrl & RESERVED_BITS != 0 || ctrl & VERSION_BITS != VERSION {
        return Err(FrameError::BadControl(ctrl));
    }
    if crc8(&header[..5]) != header[5] {
        return Err(FrameError::BadHeaderCheck);
    }
    let len = usize::from(u16::from_be_bytes([header[3], header[4]]));
    if len > MAX_PAYLOAD {
        return Err(FrameError::LengthTooLarge(len));
    }
    Ok(len)
}

/// Parses one frame (CTRL through FCS; the on-air preamble and sync word are
/// not part of it). Strict: any malformed input is an error, never a panic.
pub fn parse_frame(bytes: &[u8]) -> Result<Frame<'_>, FrameError> {
    let Some(header) = bytes.get(..HEADER_LEN) else {
        return Err(FrameError::Truncated {
            needed: HEADER_LEN + FCS_LEN,
            got: bytes.len(),
        });
    };
    let len = check_header(header)?;
    let direction = if header[0] & DIRECTION_BIT != 0 {
        Direction::Uplink
    } else {
        Direction::Downlink
    };
    let frame_type = FrameType::from_byte(header[1]).ok_or(FrameError::UnknownType(header[1]))?;
    if !frame_type.allowed(direction) {
        return Err(FrameError::WrongDirection {
            frame_type,
            direction,
        });
    }
    let total = HEADER_LEN + len + FCS_LEN;
    if bytes.len() < total {
        return Err(FrameError::Truncated {
            needed: total,
            got: bytes.len(),
        });
    }
    if bytes.len() > total {
        return Err(FrameError::TrailingBytes {
            extra: bytes.len() - total,
        });
    }
    let seq = header[2];
    let fcs = u16::from_be_bytes([bytes[total - 2], bytes[total - 1]]);
    if crc16(&bytes[..total - 2]) != fcs {
        return Err(FrameError::BadCrc {
            direction,
            frame_type,
            seq,
        });
    }
    Ok(Frame {
        direction,
        frame_type,
        seq,
        payload: &bytes[HEADER_LEN..total - 2],
        fcs,
    })
}

/// Why a frame could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The payload exceeds 1024 bytes.
    #[error("payload of {0} bytes exceeds the 1024-byte frame limit")]
    PayloadTooLarge(usize),
    /// The type may not travel in that direction.
    #[error("frame type {0:?} may not travel {1:?}")]
    WrongDirection(FrameType, Direction),
}

/// Appends a complete frame (CTRL through FCS) to `out`.
pub fn encode_frame(
    direction: Direction,
    frame_type: FrameType,
    seq: u8,
    payload: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(EncodeError::PayloadTooLarge(payload.len()));
    }
    if !frame_type.allowed(direction) {
        return Err(EncodeError::WrongDirection(frame_type, direction));
    }
    let start = out.len();
    let ctrl = VERSION
        | match direction {
            Direction::Downlink => 0,
            Direction::Uplink => DIRECTION_BIT,
        };
    let len = (payload.len() as u16).to_be_bytes();
    out.extend_from_slice(&[ctrl, frame_type as u8, seq, len[0], len[1]]);
    let hcs = crc8(&out[start..]);
    out.push(hcs);
    out.extend_from_slice(payload);
    let fcs = crc16(&out[start..]);
    out.extend_from_slice(&fcs.to_be_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(direction: Direction, frame_type: FrameType, seq: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_frame(direction, frame_type, seq, payload, &mut out).unwrap();
        out
    }

    #[test]
    fn round_trips_every_type_in_its_direction() {
        for frame_type in FrameType::ALL {
            for direction in [Direction::Downlink, Direction::Uplink] {
                if !frame_type.allowed(direction) {
                    continue;
                }
                let bytes = frame(direction, frame_type, 7, b"abc");
                let parsed = parse_frame(&bytes).unwrap();
                assert_eq!(parsed.frame_type, frame_type);
                assert_eq!(parsed.direction, direction);
                assert_eq!(parsed.seq, 7);
                assert_eq!(parsed.payload, b"abc");
                assert_eq!(declared_frame_len(&bytes), Some(bytes.len()));
            }
        }
    }

    #[test]
    fn empty_get_info_has_the_documented_bytes() {
        let bytes = frame(Direction::Downlink, FrameType::GetInfo, 0, &[]);
        assert_eq!(&bytes[..5], &[0x01, 0x10, 0x00, 0x00, 0x00]);
        assert_eq!(bytes[5], crc8(&bytes[..5]));
        assert_eq!(u16::from_be_bytes([bytes[6], bytes[7]]), crc16(&bytes[..6]));
    }

    #[test]
    fn rejects_truncation_at_every_length() {
        let bytes = frame(Direction::Uplink, FrameType::Info, 1, &[1, 2, 3, 4]);
        for cut in 0..bytes.len() {
            assert!(
                matches!(
                    parse_frame(&bytes[..cut]),
                    Err(FrameError::Truncated { .. })
                ),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn rejects_trailing_bytes() {
        let mut bytes = frame(Direction::Uplink, FrameType::Info, 1, &[9]);
        bytes.push(0);
        assert_eq!(
            parse_frame(&bytes),
            Err(FrameError::TrailingBytes { extra: 1 })
        );
    }

    #[test]
    fn bad_fcs_names_the_damaged_frame() {
        let mut bytes = frame(Direction::Downlink, FrameType::Cancel, 42, &[1, 2]);
        bytes[6] ^= 0x10;
        assert_eq!(
            parse_frame(&bytes),
            Err(FrameError::BadCrc {
                direction: Direction::Downlink,
                frame_type: FrameType::Cancel,
                seq: 42
            })
        );
    }

    #[test]
    fn bad_header_is_caught_before_the_length_is_trusted() {
        let mut bytes = frame(Direction::Downlink, FrameType::Cancel, 1, &[]);
        bytes[3] = 0x03; // LEN = 0x0300 without fixing HCS
        assert_eq!(parse_frame(&bytes), Err(FrameError::BadHeaderCheck));
        assert_eq!(declared_frame_len(&bytes), None);
    }

    #[test]
    fn rejects_oversized_length_even_with_a_valid_header_check() {
        let mut bytes = vec![0x01, 0x10, 0x00, 0x04, 0x01];
        bytes.push(crc8(&bytes));
        assert_eq!(parse_frame(&bytes), Err(FrameError::LengthTooLarge(1025)));
    }

    #[test]
    fn rejects_unknown_type_with_a_valid_header_check() {
        let mut bytes = vec![0x01, 0x77, 0x00, 0x00, 0x00];
        bytes.push(crc8(&bytes));
        let fcs = crc16(&bytes);
        bytes.extend_from_slice(&fcs.to_be_bytes());
        assert_eq!(parse_frame(&bytes), Err(FrameError::UnknownType(0x77)));
    }

    #[test]
    fn rejects_commands_travelling_uplink_and_events_downlink() {
        let mut bytes = vec![0x81, FrameType::StartTransaction as u8, 0, 0, 0];
        bytes.push(crc8(&bytes));
        bytes.extend_from_slice(&crc16(&bytes).to_be_bytes());
        assert!(matches!(
            parse_frame(&bytes),
            Err(FrameError::WrongDirection { .. })
        ));
        assert!(encode_frame(
            Direction::Downlink,
            FrameType::CardRead,
            0,
            &[],
            &mut Vec::new()
        )
        .is_err());
    }

    #[test]
    fn rejects_other_versions_and_reserved_bits() {
        for ctrl in [0x00, 0x02, 0x11, 0x41, 0x8F] {
            let mut bytes = vec![ctrl, 0x10, 0, 0, 0];
            bytes.push(crc8(&bytes));
            bytes.extend_from_slice(&crc16(&bytes).to_be_bytes());
            assert_eq!(parse_frame(&bytes), Err(FrameError::BadControl(ctrl)));
        }
    }

    #[test]
    fn refuses_to_build_an_oversized_frame() {
        let payload = vec![0u8; MAX_PAYLOAD + 1];
        let mut out = Vec::new();
        assert_eq!(
            encode_frame(
                Direction::Uplink,
                FrameType::CardRead,
                0,
                &payload,
                &mut out
            ),
            Err(EncodeError::PayloadTooLarge(1025))
        );
        assert!(out.is_empty());
    }

    #[test]
    fn never_panics_on_arbitrary_bytes() {
        // A cheap deterministic sweep; cargo-fuzz explores further.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for len in 0..64 {
            for _ in 0..200 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state as u8
                    })
                    .collect();
                let _ = parse_frame(&bytes);
                let _ = declared_frame_len(&bytes);
            }
        }
    }
}
