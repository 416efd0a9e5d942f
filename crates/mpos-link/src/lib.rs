//! The audio-jack reader link, sans-IO.
//!
//! The phone (`mpos-core`) and the virtual reader (`mpos-sim`) share this
//! crate: both ends speak the protocol of `docs/reader-protocol.md`.
//!
//! - [`phy`], [`line_code`], [`modulator`], [`demodulator`]: the power tone and
//!   the biphase-mark modem, samples in and out;
//! - [`frame`], [`crc`]: frames with header and frame checks; [`parse_frame`]
//!   is the strict, panic-free parser that runs under fuzzing;
//! - [`message`]: typed commands and events; [`examples`]: one frame of each,
//!   the worked examples of the protocol document;
//! - [`arq`]: stop-and-wait acknowledgement and retransmission;
//! - [`autoconfig`], [`profile`], [`prbs`]: finding (with a PRBS-9 test
//!   pattern) and remembering what a phone's audio path supports;
//! - [`station`]: the three above driven by sample counts, one per end;
//! - [`channel`], [`loopback`]: a simulated phone audio path, and two stations
//!   joined by it, for tests and benchmarks.
//!
//! Nothing here touches a clock, a socket or a random source: time enters
//! as sample counts or timeout calls, and the channel's noise is seeded.

pub mod arq;
pub mod autoconfig;
pub mod channel;
pub mod crc;
pub mod demodulator;
pub mod examples;
pub mod frame;
pub mod line_code;
pub mod loopback;
pub mod message;
pub mod modulator;
pub mod phy;
pub mod prbs;
pub mod profile;
pub mod station;

pub use arq::{ArqConfig, ArqOutput, Endpoint};
pub use autoconfig::{AutoConfig, AutoConfigError, AutoConfigOutput, ProbeObservation};
pub use demodulator::{Demodulator, RxStats};
pub use frame::{encode_frame, parse_frame, Direction, Frame, FrameError, FrameType};
pub use message::{parse_message, Message, MessageError, ParseError};
pub use modulator::Modulator;
pub use phy::{BitRate, PowerTone, UplinkLevel};
pub use profile::{LinkProfile, ProfileBook};
pub use station::{Role, Station, StationError, StationEvent};
