//! A reader event sink that remembers every event, for tests and the demo.

use mpos_core::reader::{ReaderEvent, ReaderEventSink};
use std::sync::Mutex;

/// Records reader events in order.
#[derive(Debug, Default)]
pub struct RecordingSink {
    events: Mutex<Vec<ReaderEvent>>,
}

impl RecordingSink {
    /// An empty recorder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every event so far.
    pub fn events(&self) -> Vec<ReaderEvent> {
        self.lock().clone()
    }

    /// Every event so far, forgetting them.
    pub fn take(&self) -> Vec<ReaderEvent> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ReaderEvent>> {
        // A panicking test thread must not hide the events from the others.
        self.events
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

impl ReaderEventSink for RecordingSink {
    fn on_reader_event(&self, event: ReaderEvent) {
        self.lock().push(event);
    }
}
