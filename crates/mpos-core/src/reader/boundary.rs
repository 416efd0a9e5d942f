//! The card-reader boundary. A reader (the audio-jack driver, or the
//! virtual one in `mpos-sim`) implements [`CardReader`]; it reports what
//! the cardholder does through the [`ReaderEventSink`] the app registers.
//! The data both carry is in [`crate::model::reader`].

use crate::model::reader::{OnlineResult, ReaderError, ReaderEvent, ReaderInfo, ReaderRequest};
use crate::model::self_check::LinkQuality;

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
    /// Hands the host's answer to the reader without waiting: the card's
    /// verdict comes later as [`ReaderEvent::OnlineResultAnswered`]. An
    /// error means the answer could not be handed over at all.
    fn online_result(&self, result: OnlineResult) -> Result<(), ReaderError>;
    /// Asks the reader for a PIN entry for the card just read; the layout
    /// comes back as [`ReaderEvent::PinPad`].
    fn request_pin(&self) -> Result<(), ReaderError>;
    /// Hands the reader the keypad positions the cardholder touched (never
    /// digits); the block comes back as [`ReaderEvent::PinEntered`].
    fn enter_pin(&self, keys: Vec<u8>) -> Result<(), ReaderError>;
    /// Stops collecting; the reader returns to idle.
    fn cancel(&self);
    /// The audio link as measured when it was set up, for the pre-shift
    /// check; `None` when no link is up or the reader is not on audio.
    fn link_quality(&self) -> Option<LinkQuality> {
        None
    }
    /// The phone model whose link settings are known, when no link is up.
    fn saved_profile_model(&self) -> Option<String> {
        None
    }
}
