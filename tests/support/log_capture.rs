//! Captures the phone core's tracing output (every level) into a buffer,
//! so a test can read what the app would have written to its log.
//!
//! The subscriber is installed as the thread default on the threads of the
//! phone's runtime only, so tests running in parallel do not mix their logs.

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tracing::dispatcher::{self, DefaultGuard, Dispatch};

thread_local! {
    static INSTALLED: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

/// A tracing subscriber writing plain text into memory.
#[derive(Clone)]
pub struct LogCapture {
    buffer: Arc<Mutex<Vec<u8>>>,
    dispatch: Dispatch,
    /// tracing-core asks only the current thread's dispatcher about a new
    /// callsite while a single dispatcher exists, and caches the answer for
    /// every thread: a callsite first hit by another test's phone would be
    /// "never" for this capture too. A second, silent dispatcher makes it
    /// ask all of them.
    _second: Dispatch,
}

struct BufferWriter(Arc<Mutex<Vec<u8>>>);

impl Write for BufferWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Default for LogCapture {
    fn default() -> Self {
        LogCapture::new()
    }
}

impl LogCapture {
    /// A capture of every event at TRACE and above, with span fields.
    pub fn new() -> LogCapture {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || BufferWriter(writer.clone()))
            .finish();
        LogCapture {
            buffer,
            _second: Dispatch::new(tracing::subscriber::NoSubscriber::default()),
            dispatch: Dispatch::new(subscriber),
        }
    }

    /// The dispatcher to install.
    pub fn dispatch(&self) -> Dispatch {
        self.dispatch.clone()
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

/// Makes `dispatch` the default of the calling thread for the thread's whole life.
pub fn install_on_this_thread(dispatch: &Dispatch) {
    let guard = dispatcher::set_default(dispatch);
    INSTALLED.with(|installed| *installed.borrow_mut() = Some(guard));
}
