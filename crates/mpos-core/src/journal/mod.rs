//! The crash-safe journal of the transaction in flight (SQLite, WAL,
//! `synchronous=FULL`): written before a sale or refund leaves the phone
//! and after each outcome, so that a restart knows whether a reversal or a
//! signature is still owed. It holds a masked PAN at most, never card data.

use crate::model::in_flight::{InFlightRecord, JournalState, JournalUpdate};
use mpos_wire::api::{ReversalReason, TxnKind};
use mpos_wire::{Brand, Currency, MaskedPan, Money};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::Mutex;

/// Finished rows kept for support; older ones are deleted.
const DONE_ROWS_KEPT: i64 = 50;

/// Changes to the first table, in order; `PRAGMA user_version` counts
/// those applied. Only ever append: phones in the field hold every version.
const MIGRATIONS: [&str; 1] = [
    // 1: who made the payment. Older rows get '' (unknown user).
    "ALTER TABLE in_flight ADD COLUMN username TEXT NOT NULL DEFAULT ''",
];

/// Why the journal failed.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// SQLite refused.
    #[error("journal storage failed: {0}")]
    Storage(#[from] rusqlite::Error),
    /// A row could not be read back (written by another version?).
    #[error("journal row is corrupt: {0}")]
    Corrupt(String),
    /// A state change named a transaction the journal does not hold.
    #[error("no journaled transaction has this idempotency key")]
    UnknownKey,
}

/// The journal file.
pub struct Journal {
    connection: Mutex<Connection>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Journal")
    }
}

impl Journal {
    /// Opens (or creates) the journal file.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let mut connection = Connection::open(path)?;
        // WAL + FULL: a committed row survives power loss, not just a crash.
        let mode: String =
            connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(JournalError::Corrupt(format!(
                "journal_mode is {mode}, not wal"
            )));
        }
        connection.pragma_update(None, "synchronous", "FULL")?;
        // The first version's table; later columns come from MIGRATIONS.
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS in_flight (
                 seq             INTEGER PRIMARY KEY AUTOINCREMENT,
                 idempotency_key TEXT NOT NULL UNIQUE,
                 kind            TEXT NOT NULL,
                 amount_minor    INTEGER NOT NULL,
                 currency        TEXT NOT NULL,
                 brand           TEXT NOT NULL,
                 masked_pan      TEXT NOT NULL,
                 state           TEXT NOT NULL,
                 reversal_reason TEXT,
                 transaction_id  TEXT
             );",
        )?;
        migrate(&mut connection)?;
        Ok(Journal {
            connection: Mutex::new(connection),
        })
    }

    /// Applies one update, durably, before returning.
    pub fn apply(&self, update: &JournalUpdate) -> Result<(), JournalError> {
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        match update {
            JournalUpdate::Begin(record) => {
                let (state, reason, transaction_id) = state_columns(&record.state);
                connection.execute(
                    "INSERT INTO in_flight (idempotency_key, kind, amount_minor, currency, brand,
                                            masked_pan, state, reversal_reason, transaction_id,
                                            username)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        record.idempotency_key,
                        kind_code(record.kind),
                        i64::try_from(record.amount.minor)
                            .map_err(|_| JournalError::Corrupt("amount too large".into()))?,
                        "TWD",
                        record.brand.code(),
                        record.masked_pan.as_str(),
                        state,
                        reason,
                        transaction_id,
                        record.username,
                    ],
                )?;
            }
            JournalUpdate::SetState {
                idempotency_key,
                state,
            } => {
                let (state_code, reason, transaction_id) = state_columns(state);
                let changed = connection.execute(
                    "UPDATE in_flight SET state = ?2, reversal_reason = ?3, transaction_id = ?4
                     WHERE idempotency_key = ?1",
                    params![idempotency_key, state_code, reason, transaction_id],
                )?;
                if changed == 0 {
                    return Err(JournalError::UnknownKey);
                }
                if *state == JournalState::Done {
                    connection.execute(
                        "DELETE FROM in_flight WHERE state = 'done' AND seq NOT IN
                           (SELECT seq FROM in_flight WHERE state = 'done' ORDER BY seq DESC LIMIT ?1)",
                        params![DONE_ROWS_KEPT],
                    )?;
                }
            }
        }
        Ok(())
    }

    /// The newest transaction that still needs something, if any.
    pub fn in_flight(&self) -> Result<Option<InFlightRecord>, JournalError> {
        let connection = self
            .connection
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let row = connection
            .query_row(
                "SELECT idempotency_key, kind, amount_minor, currency, brand, masked_pan,
                        state, reversal_reason, transaction_id, username
                 FROM in_flight WHERE state <> 'done' ORDER BY seq DESC LIMIT 1",
                [],
                |row| {
                    Ok(RawRow {
                        idempotency_key: row.get(0)?,
                        kind: row.get(1)?,
                        amount_minor: row.get(2)?,
                        currency: row.get(3)?,
                        brand: row.get(4)?,
                        masked_pan: row.get(5)?,
                        state: row.get(6)?,
                        reversal_reason: row.get(7)?,
                        transaction_id: row.get(8)?,
                        username: row.get(9)?,
                    })
                },
            )
            .optional()?;
        row.map(RawRow::into_record).transpose()
    }
}

struct RawRow {
    idempotency_key: String,
    kind: String,
    amount_minor: i64,
    currency: String,
    brand: String,
    masked_pan: String,
    state: String,
    reversal_reason: Option<String>,
    transaction_id: Option<String>,
    username: String,
}

impl RawRow {
    fn into_record(self) -> Result<InFlightRecord, JournalError> {
        let corrupt = |what: &str| JournalError::Corrupt(what.to_string());
        let kind = match self.kind.as_str() {
            "sale" => TxnKind::Sale,
            "refund" => TxnKind::Refund,
            _ => return Err(corrupt("kind")),
        };
        if self.currency != "TWD" {
            return Err(corrupt("currency"));
        }
        let amount = Money {
            minor: u64::try_from(self.amount_minor).map_err(|_| corrupt("amount"))?,
            currency: Currency::Twd,
        };
        let brand = Brand::from_code(&self.brand).ok_or_else(|| corrupt("brand"))?;
        let masked_pan = MaskedPan::try_from(self.masked_pan).map_err(|_| corrupt("masked_pan"))?;
        let state = match (
            self.state.as_str(),
            self.reversal_reason,
            self.transaction_id,
        ) {
            ("authorizing", _, _) => JournalState::Authorizing,
            ("reversal_pending", Some(reason), _) => JournalState::ReversalPending {
                reason: reason_from_code(&reason).ok_or_else(|| corrupt("reversal_reason"))?,
            },
            ("awaiting_signature", _, Some(transaction_id)) => {
                JournalState::AwaitingSignature { transaction_id }
            }
            ("done", _, _) => JournalState::Done,
            _ => return Err(corrupt("state")),
        };
        Ok(InFlightRecord {
            kind,
            idempotency_key: self.idempotency_key,
            username: self.username,
            amount,
            brand,
            masked_pan,
            state,
        })
    }
}

/// Brings an older journal file up to date, in one transaction, so a
/// crash half-way leaves the old version intact.
fn migrate(connection: &mut Connection) -> Result<(), JournalError> {
    let applied: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let applied = usize::try_from(applied)
        .map_err(|_| JournalError::Corrupt(format!("negative schema version {applied}")))?;
    if applied >= MIGRATIONS.len() {
        return Ok(());
    }
    let transaction = connection.transaction()?;
    for migration in &MIGRATIONS[applied..] {
        transaction.execute_batch(migration)?;
    }
    transaction.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
    transaction.commit()?;
    Ok(())
}

fn kind_code(kind: TxnKind) -> &'static str {
    match kind {
        TxnKind::Sale => "sale",
        TxnKind::Refund => "refund",
    }
}

fn state_columns(state: &JournalState) -> (&'static str, Option<&'static str>, Option<String>) {
    match state {
        JournalState::Authorizing => ("authorizing", None, None),
        JournalState::ReversalPending { reason } => {
            ("reversal_pending", Some(reason_code(*reason)), None)
        }
        JournalState::AwaitingSignature { transaction_id } => {
            ("awaiting_signature", None, Some(transaction_id.clone()))
        }
        JournalState::Done => ("done", None, None),
    }
}

const REASONS: [(ReversalReason, &str); 4] = [
    (ReversalReason::Timeout, "timeout"),
    (ReversalReason::MalformedResponse, "malformed_response"),
    (
        ReversalReason::CardDeclinedAfterApproval,
        "card_declined_after_approval",
    ),
    (ReversalReason::Interrupted, "interrupted"),
];

fn reason_code(reason: ReversalReason) -> &'static str {
    REASONS
        .iter()
        .find(|(r, _)| *r == reason)
        .map(|(_, code)| *code)
        .unwrap_or("interrupted")
}

fn reason_from_code(code: &str) -> Option<ReversalReason> {
    REASONS
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(reason, _)| *reason)
}

#[cfg(test)]
mod tests;
