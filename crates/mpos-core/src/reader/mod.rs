//! The card reader as the core sees it: a boundary trait, the events a
//! reader reports, and the audio-jack driver behind it.

pub mod audio_jack;
mod boundary;

pub use boundary::{
    CardReader, OnlineResult, ReaderError, ReaderEvent, ReaderEventSink, ReaderInfo, ReaderRequest,
};
