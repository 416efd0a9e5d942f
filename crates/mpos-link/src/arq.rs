//! Stop-and-wait ARQ, one independent stream per direction.
//!
//! A pure state machine: frames and timeouts in, [`ArqOutput`]s out. It never
//! reads a clock; the driver starts and stops the one timer it asks for.
//!
//! Rules (mirrored in `docs/reader-protocol.md`):
//! - a sequenced frame waits in a queue until the previous one is acknowledged;
//!   SEQ counts up by one per new frame and wraps after 255;
//! - the receiver ACKs every sequenced frame whose FCS is good, including
//!   duplicates, and NAKs one whose header is good but FCS is bad;
//! - a duplicate (same SEQ and same FCS as the last accepted frame) is ACKed
//!   but not delivered again;
//! - the sender retransmits the same bytes on NAK or timeout, at most
//!   `max_attempts` transmissions in all, then reports the frame as failed;
//! - a frame from the peer while waiting for an ACK restarts the timer,
//!   because the peer sends its ACK only after the frame it was sending.

use crate::frame::{encode_frame, parse_frame, Direction, EncodeError, FrameError, FrameType};
use crate::message::{Message, MessageError};
use crate::modulator::air_millis;
use crate::phy::BitRate;
use std::collections::VecDeque;

/// NAK reason: the frame check sequence failed.
pub const NAK_BAD_FCS: u8 = 0x01;
/// NAK reason: the receiver had no room for the frame.
pub const NAK_NO_ROOM: u8 = 0x02;

/// Time a receiver may take to start its ACK after a frame ends, in ms.
pub const TURNAROUND_MS: u32 = 20;
/// Slack added to every ACK timeout, in ms.
pub const MARGIN_MS: u32 = 50;
/// Transmissions of a frame before it is reported failed (1 + 3 retries).
pub const MAX_ATTEMPTS: u8 = 4;

/// ACK timeout when the peer answers at `peer_rate`: turnaround, an empty
/// frame's air time, and margin; counted from the end of our transmission.
pub fn ack_timeout_ms(peer_rate: BitRate) -> u32 {
    TURNAROUND_MS
        + air_millis(crate::frame::HEADER_LEN + crate::frame::FCS_LEN, peer_rate).ceil() as u32
        + MARGIN_MS
}

/// Tunables of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArqConfig {
    /// Transmissions of a frame before it is reported failed.
    pub max_attempts: u8,
    /// ACK timeout in milliseconds, from the end of our transmission.
    pub ack_timeout_ms: u32,
    /// Frames that may wait, the one in flight included.
    pub queue_limit: usize,
}

impl ArqConfig {
    /// The protocol's defaults for a peer that answers at `peer_rate`.
    pub fn for_peer_rate(peer_rate: BitRate) -> ArqConfig {
        ArqConfig {
            max_attempts: MAX_ATTEMPTS,
            ack_timeout_ms: ack_timeout_ms(peer_rate),
            queue_limit: 8,
        }
    }
}

/// What the endpoint asks its driver to do, or tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArqOutput {
    /// Modulate and send these frame bytes (CTRL through FCS).
    Transmit(Vec<u8>),
    /// (Re)start the ACK timer: it fires `millis` after our transmitter falls silent.
    StartTimer {
        /// Timeout in milliseconds.
        millis: u32,
    },
    /// Stop the ACK timer.
    StopTimer,
    /// A new frame from the peer, for the layer above.
    Received {
        /// Its type.
        frame_type: FrameType,
        /// Its sequence number.
        seq: u8,
        /// Its payload.
        payload: Vec<u8>,
    },
    /// The peer acknowledged our frame.
    Delivered {
        /// Its type.
        frame_type: FrameType,
        /// Its sequence number.
        seq: u8,
    },
    /// The peer never acknowledged our frame: the link is probably lost.
    Failed {
        /// Its type.
        frame_type: FrameType,
        /// Its sequence number.
        seq: u8,
    },
}

/// Why a frame could not be queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ArqError {
    /// Too many frames are waiting for the peer.
    #[error(
        "讀卡機連線忙碌中，請稍候再試。 The reader link is busy: wait a moment and try again."
    )]
    QueueFull,
    /// The frame cannot be built.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The message cannot be encoded.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// ACK and NAK are sent by the endpoint itself.
    #[error("frame type {0:?} is link control, sent by the endpoint itself")]
    ControlFrame(FrameType),
}

#[derive(Debug, Clone)]
struct Pending {
    frame_type: FrameType,
    seq: u8,
    bytes: Vec<u8>,
}

/// One end of the link: sends our frames reliably, receives the peer's.
#[derive(Debug, Clone)]
pub struct Endpoint {
    tx: Direction,
    config: ArqConfig,
    next_seq: u8,
    in_flight: Option<(Pending, u8)>,
    queue: VecDeque<Pending>,
    last_rx: Option<(u8, u16)>,
    outputs: VecDeque<ArqOutput>,
}

impl Endpoint {
    /// An endpoint that transmits in `tx` and receives the reverse direction.
    pub fn new(tx: Direction, config: ArqConfig) -> Endpoint {
        Endpoint {
            tx,
            config,
            next_seq: 0,
            in_flight: None,
            queue: VecDeque::new(),
            last_rx: None,
            outputs: VecDeque::new(),
        }
    }

    /// Changes the timeouts, for example after the uplink rate changed.
    pub fn set_config(&mut self, config: ArqConfig) {
        self.config = config;
    }

    /// The current tunables.
    pub fn config(&self) -> ArqConfig {
        self.config
    }

    /// Whether nothing is in flight or queued.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_none() && self.queue.is_empty()
    }

    /// Encodes and sends a message: reliably if its type is sequenced, once otherwise.
    /// Returns the sequence number of a sequenced frame.
    pub fn send_message(&mut self, message: &Message) -> Result<Option<u8>, ArqError> {
        let mut payload = Vec::new();
        message.encode_payload(&mut payload)?;
        let frame_type = message.frame_type();
        if frame_type.is_sequenced() {
            self.send(frame_type, &payload).map(Some)
        } else {
            self.send_unsequenced(frame_type, &payload).map(|()| None)
        }
    }

    /// Queues a sequenced frame; returns its sequence number.
    pub fn send(&mut self, frame_type: FrameType, payload: &[u8]) -> Result<u8, ArqError> {
        if !frame_type.is_sequenced() {
            return Err(ArqError::ControlFrame(frame_type));
        }
        let waiting = self.queue.len() + usize::from(self.in_flight.is_some());
        if waiting >= self.config.queue_limit {
            return Err(ArqError::QueueFull);
        }
        let seq = self.next_seq;
        let mut bytes = Vec::new();
        encode_frame(self.tx, frame_type, seq, payload, &mut bytes)?;
        self.next_seq = self.next_seq.wrapping_add(1);
        self.queue.push_back(Pending {
            frame_type,
            seq,
            bytes,
        });
        self.pump();
        Ok(seq)
    }

    /// Sends a link-management frame once, outside the ARQ (SEQ 0, no ACK).
    pub fn send_unsequenced(
        &mut self,
        frame_type: FrameType,
        payload: &[u8],
    ) -> Result<(), ArqError> {
        if frame_type.is_sequenced() || matches!(frame_type, FrameType::Ack | FrameType::Nak) {
            return Err(ArqError::ControlFrame(frame_type));
        }
        let mut bytes = Vec::new();
        encode_frame(self.tx, frame_type, 0, payload, &mut bytes)?;
        self.outputs.push_back(ArqOutput::Transmit(bytes));
        Ok(())
    }

    /// Handles bytes the demodulator produced. Returns the parse error of
    /// bytes that were not a usable frame (after sending a NAK if one is due).
    pub fn handle_frame(&mut self, bytes: &[u8]) -> Result<(), FrameError> {
        let rx = self.tx.reverse();
        let frame = match parse_frame(bytes) {
            Ok(frame) => frame,
            Err(FrameError::BadCrc {
                direction,
                frame_type,
                seq,
            }) if direction == rx && frame_type.is_sequenced() => {
                self.control(FrameType::Nak, seq, &[NAK_BAD_FCS]);
                return Err(FrameError::BadCrc {
                    direction,
                    frame_type,
                    seq,
                });
            }
            Err(error) => return Err(error),
        };
        if frame.direction != rx {
            // Our own frame leaking back into the microphone: not for us.
            return Ok(());
        }
        match frame.frame_type {
            FrameType::Ack => self.on_ack(frame.seq),
            FrameType::Nak => self.on_nak(frame.seq),
            frame_type => {
                if frame_type.is_sequenced() {
                    self.control(FrameType::Ack, frame.seq, &[]);
                    if self.last_rx == Some((frame.seq, frame.fcs)) {
                        self.restart_timer_if_waiting();
                        return Ok(());
                    }
                    self.last_rx = Some((frame.seq, frame.fcs));
                }
                self.outputs.push_back(ArqOutput::Received {
                    frame_type,
                    seq: frame.seq,
                    payload: frame.payload.to_vec(),
                });
                self.restart_timer_if_waiting();
            }
        }
        Ok(())
    }

    /// The ACK timer fired: retransmit, or give up after the last attempt.
    pub fn handle_timeout(&mut self) {
        self.retransmit_or_fail();
    }

    /// The next thing for the driver to do, in order.
    pub fn poll_output(&mut self) -> Option<ArqOutput> {
        self.outputs.pop_front()
    }

    /// Forgets everything in flight, queued and remembered (after the link was lost).
    pub fn reset(&mut self) {
        if self.in_flight.take().is_some() {
            self.outputs.push_back(ArqOutput::StopTimer);
        }
        self.queue.clear();
        self.last_rx = None;
    }

    fn control(&mut self, frame_type: FrameType, seq: u8, payload: &[u8]) {
        let mut bytes = Vec::with_capacity(crate::frame::HEADER_LEN + 3);
        if encode_frame(self.tx, frame_type, seq, payload, &mut bytes).is_ok() {
            self.outputs.push_back(ArqOutput::Transmit(bytes));
        }
    }

    fn on_ack(&mut self, seq: u8) {
        if !matches!(&self.in_flight, Some((p, _)) if p.seq == seq) {
            return; // a late ACK of a frame already settled
        }
        if let Some((pending, _)) = self.in_flight.take() {
            self.outputs.push_back(ArqOutput::StopTimer);
            self.outputs.push_back(ArqOutput::Delivered {
                frame_type: pending.frame_type,
                seq: pending.seq,
            });
        }
        self.pump();
    }

    fn on_nak(&mut self, seq: u8) {
        if matches!(&self.in_flight, Some((p, _)) if p.seq == seq) {
            self.retransmit_or_fail();
        }
    }

    fn retransmit_or_fail(&mut self) {
        let Some((pending, attempts)) = &mut self.in_flight else {
            return;
        };
        if *attempts >= self.config.max_attempts {
            let (pending, _) = self.in_flight.take().expect("checked above");
            self.outputs.push_back(ArqOutput::StopTimer);
            self.outputs.push_back(ArqOutput::Failed {
                frame_type: pending.frame_type,
                seq: pending.seq,
            });
            self.pump();
            return;
        }
        *attempts += 1;
        self.outputs
            .push_back(ArqOutput::Transmit(pending.bytes.clone()));
        self.outputs.push_back(ArqOutput::StartTimer {
            millis: self.config.ack_timeout_ms,
        });
    }

    fn restart_timer_if_waiting(&mut self) {
        if self.in_flight.is_some() {
            self.outputs.push_back(ArqOutput::StartTimer {
                millis: self.config.ack_timeout_ms,
            });
        }
    }

    fn pump(&mut self) {
        if self.in_flight.is_some() {
            return;
        }
        if let Some(pending) = self.queue.pop_front() {
            self.outputs
                .push_back(ArqOutput::Transmit(pending.bytes.clone()));
            self.outputs.push_back(ArqOutput::StartTimer {
                millis: self.config.ack_timeout_ms,
            });
            self.in_flight = Some((pending, 1));
        }
    }
}

#[cfg(test)]
mod tests;
