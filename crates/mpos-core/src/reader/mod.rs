//! The card reader as the core sees it: the boundary trait and the
//! audio-jack driver behind it. The events and requests themselves are
//! plain data in [`crate::model::reader`], re-exported here.

pub mod audio_jack;
mod boundary;

pub use crate::model::reader::{
    KeypadLayout, OnlineResult, ReaderError, ReaderEvent, ReaderInfo, ReaderRequest,
};
pub use boundary::{CardReader, ReaderEventSink};
