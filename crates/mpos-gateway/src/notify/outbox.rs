//! The development outbox: one JSON object per line, appended, so a
//! developer (or a test) can read what would have been sent.

use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// An append-only JSON-lines file.
#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    lock: Mutex<()>,
}

impl Outbox {
    /// An outbox writing to `path` (created with its directory on first write).
    pub fn new(path: PathBuf) -> Self {
        Outbox {
            path,
            lock: Mutex::new(()),
        }
    }

    /// Where the lines go.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record as a line.
    pub fn append<T: Serialize>(&self, record: &T) -> std::io::Result<()> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let mut line = serde_json::to_vec(record)?;
        line.push(b'\n');
        let mut file = crate::private_files::open_append(&self.path)?;
        file.write_all(&line)
    }
}
