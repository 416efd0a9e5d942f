//! The crash-safe journal of the transaction in flight: written before a
//! sale or refund leaves the phone and after each outcome, so that a
//! restart knows whether a reversal or a signature is still owed. It holds
//! a masked PAN at most, never card data.
//!
//! One small JSON file, replaced atomically on every change: the new
//! content goes to a temporary file, is flushed to the disk, and is renamed
//! over the old one, and the folder is flushed too. A crash at any moment
//! leaves either the old journal or the new one, never a mix. (A SQLite
//! database did this before; for one row in flight and a few finished ones
//! it cost the phone's library a third of a megabyte: ADR 0006.)

use crate::model::in_flight::{InFlightRecord, JournalState, JournalUpdate};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Finished rows kept for support; older ones are dropped.
const DONE_ROWS_KEPT: usize = 50;

/// The layout of the file; a file of a later layout is not misread.
const FORMAT: u32 = 1;

/// Why the journal failed.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The file could not be read or written.
    #[error("journal storage failed: {0}")]
    Storage(#[from] std::io::Error),
    /// The file could not be read back (written by another version?).
    #[error("journal file is corrupt: {0}")]
    Corrupt(String),
    /// A state change named a transaction the journal does not hold.
    #[error("no journaled transaction has this idempotency key")]
    UnknownKey,
    /// A new transaction reused the key of one the journal holds.
    #[error("a journaled transaction already has this idempotency key")]
    DuplicateKey,
}

/// What the file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Contents {
    format: u32,
    /// Oldest first.
    rows: Vec<InFlightRecord>,
}

/// The journal file.
pub struct Journal {
    path: PathBuf,
    rows: Mutex<Vec<InFlightRecord>>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Journal")
    }
}

impl Journal {
    /// Opens the journal file, or creates it (so a phone whose storage
    /// cannot be written finds out before any payment starts).
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        // A write the crash interrupted before its rename: the old file stands.
        let _ = std::fs::remove_file(temporary(path));
        let rows = match std::fs::read(path) {
            Ok(bytes) => {
                let contents: Contents = serde_json::from_slice(&bytes)
                    .map_err(|error| JournalError::Corrupt(error.to_string()))?;
                if contents.format != FORMAT {
                    return Err(JournalError::Corrupt(format!(
                        "format {} is not {FORMAT}",
                        contents.format
                    )));
                }
                contents.rows
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let empty = Vec::new();
                write_atomically(path, &empty)?;
                empty
            }
            Err(error) => return Err(error.into()),
        };
        Ok(Journal {
            path: path.to_path_buf(),
            rows: Mutex::new(rows),
        })
    }

    /// Applies one update, durably, before returning; on an error nothing changed.
    pub fn apply(&self, update: &JournalUpdate) -> Result<(), JournalError> {
        let mut rows = self
            .rows
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let mut changed = rows.clone();
        match update {
            JournalUpdate::Begin(record) => {
                if changed
                    .iter()
                    .any(|row| row.idempotency_key == record.idempotency_key)
                {
                    return Err(JournalError::DuplicateKey);
                }
                changed.push(record.clone());
            }
            JournalUpdate::SetState {
                idempotency_key,
                state,
            } => {
                let row = changed
                    .iter_mut()
                    .find(|row| &row.idempotency_key == idempotency_key)
                    .ok_or(JournalError::UnknownKey)?;
                row.state = state.clone();
                prune(&mut changed);
            }
        }
        write_atomically(&self.path, &changed)?;
        *rows = changed;
        Ok(())
    }

    /// The newest transaction that still needs something, if any.
    pub fn in_flight(&self) -> Result<Option<InFlightRecord>, JournalError> {
        let rows = self
            .rows
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        Ok(rows
            .iter()
            .rev()
            .find(|row| row.state != JournalState::Done)
            .cloned())
    }
}

/// Keeps the newest finished rows only.
fn prune(rows: &mut Vec<InFlightRecord>) {
    let done = rows
        .iter()
        .filter(|row| row.state == JournalState::Done)
        .count();
    let mut extra = done.saturating_sub(DONE_ROWS_KEPT);
    rows.retain(|row| {
        let drop = extra > 0 && row.state == JournalState::Done;
        if drop {
            extra -= 1;
        }
        !drop
    });
}

fn temporary(path: &Path) -> PathBuf {
    path.with_extension("tmp")
}

/// Writes `rows` to a temporary file, flushes it, renames it over `path`,
/// and flushes the folder, so the change survives a power cut.
fn write_atomically(path: &Path, rows: &[InFlightRecord]) -> Result<(), JournalError> {
    let contents = Contents {
        format: FORMAT,
        rows: rows.to_vec(),
    };
    let bytes =
        serde_json::to_vec(&contents).map_err(|error| JournalError::Corrupt(error.to_string()))?;
    let temporary = temporary(path);
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)?;
    if let Some(folder) = path.parent() {
        // The rename itself is only durable once the folder is on disk.
        std::fs::File::open(folder)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
