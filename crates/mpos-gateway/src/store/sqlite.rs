//! [`Store`] on SQLite: one connection behind a mutex (SQLite serialises
//! writers anyway), WAL journal, foreign keys on, schema versions in
//! `PRAGMA user_version`. Every check-then-write runs in one IMMEDIATE
//! transaction, so two requests can never both pass a limit check.

use super::*;
use crate::clock::{format_time, parse_time};
use crate::domain::daily_limit;
use crate::domain::reversal::{may_reverse_approved, ApprovedOriginal, ReversalRefusal};
use crate::ids::new_id;
use crate::settlement::business_date::{format_date, parse_date};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// Schema migrations; index + 1 is the version each one produces.
const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
];

/// The SQLite store.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

const TXN_SELECT: &str =
    "SELECT t.*, (SELECT COALESCE(SUM(r.amount_minor), 0) FROM transactions r \
     WHERE r.original_id = t.id AND r.kind = 'refund' AND r.status = 'approved') AS refunded \
     FROM transactions t";

impl SqliteStore {
    /// Opens (creating when needed) the database file and migrates it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// An in-memory database, for unit tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a commit is on disk (the WAL fsync'd) before the answer that reports it.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .lock()
            .pragma_query_value(None, "user_version", |row| row.get(0))?)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-done SQL
        // transaction behind (it rolls back on drop), so the data is sound.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let latest = MIGRATIONS.len() as i64;
    if version > latest {
        return Err(StoreError::SchemaTooNew(version));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "database schema migrated");
    }
    Ok(())
}

/// The snake_case JSON name of a serde enum, as stored in TEXT columns.
fn text<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => panic!("not a unit enum: {other:?}"),
    }
}

fn from_text<T: DeserializeOwned>(column: &str, value: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .map_err(|_| StoreError::Corrupt(format!("{column} = {value}")))
}

fn time_col(column: &str, value: &str) -> Result<OffsetDateTime, StoreError> {
    parse_time(value).map_err(|_| StoreError::Corrupt(format!("{column} = {value}")))
}

fn opt_time_col(column: &str, value: Option<String>) -> Result<Option<OffsetDateTime>, StoreError> {
    value.map(|v| time_col(column, &v)).transpose()
}

fn date_col(value: &str) -> Result<Date, StoreError> {
    parse_date(value).ok_or_else(|| StoreError::Corrupt(format!("business_date = {value}")))
}

fn money(minor: i64) -> Result<Money, StoreError> {
    u64::try_from(minor)
        .map(Money::twd_minor)
        .map_err(|_| StoreError::Corrupt(format!("negative amount {minor}")))
}

fn minor(amount: Money) -> i64 {
    i64::try_from(amount.minor).unwrap_or(i64::MAX)
}

fn is_constraint(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// Reads a row's columns first (SQLite errors), then converts (our errors).
fn read_row<T, R>(
    row: &Row<'_>,
    read: impl FnOnce(&Row<'_>) -> rusqlite::Result<R>,
    convert: impl FnOnce(R) -> Result<T, StoreError>,
) -> rusqlite::Result<Result<T, StoreError>> {
    read(row).map(convert)
}

struct RawUser {
    id: String,
    username: String,
    name: String,
    phone: String,
    email: String,
    status: String,
    per_txn: i64,
    per_day: i64,
    refund: Option<i64>,
    terminal_id: String,
    password_hash: String,
    password_is_default: bool,
    activated: bool,
    activation_code_hash: Option<String>,
    activation_expires_at: Option<String>,
    failed_logins: i64,
    locked_until: Option<String>,
    trusted_reader: Option<String>,
    elsewhere_locked_until: Option<String>,
    created_at: String,
}

fn user_from_row(row: &Row<'_>) -> rusqlite::Result<Result<UserRow, StoreError>> {
    read_row(
        row,
        |r| {
            Ok(RawUser {
                id: r.get("id")?,
                username: r.get("username")?,
                name: r.get("name")?,
                phone: r.get("phone")?,
                email: r.get("email")?,
                status: r.get("status")?,
                per_txn: r.get("limit_per_txn_minor")?,
                per_day: r.get("limit_per_day_minor")?,
                refund: r.get("limit_refund_minor")?,
                terminal_id: r.get("terminal_id")?,
                password_hash: r.get("password_hash")?,
                password_is_default: r.get("password_is_default")?,
                activated: r.get("activated")?,
                activation_code_hash: r.get("activation_code_hash")?,
                activation_expires_at: r.get("activation_expires_at")?,
                failed_logins: r.get("failed_logins")?,
                locked_until: r.get("locked_until")?,
                trusted_reader: r.get("trusted_reader")?,
                elsewhere_locked_until: r.get("elsewhere_locked_until")?,
                created_at: r.get("created_at")?,
            })
        },
        |raw| {
            Ok(UserRow {
                status: from_text("status", &raw.status)?,
                limits: Limits {
                    per_transaction: money(raw.per_txn)?,
                    per_day: money(raw.per_day)?,
                    refund_per_transaction: raw.refund.map(money).transpose()?,
                },
                activation_expires_at: opt_time_col(
                    "activation_expires_at",
                    raw.activation_expires_at,
                )?,
                locked_until: opt_time_col("locked_until", raw.locked_until)?,
                elsewhere_locked_until: opt_time_col(
                    "elsewhere_locked_until",
                    raw.elsewhere_locked_until,
                )?,
                trusted_reader: raw.trusted_reader,
                created_at: time_col("created_at", &raw.created_at)?,
                failed_logins: u32::try_from(raw.failed_logins).unwrap_or(0),
                id: raw.id,
                username: raw.username,
                name: raw.name,
                phone: raw.phone,
                email: raw.email,
                terminal_id: raw.terminal_id,
                password_hash: raw.password_hash,
                password_is_default: raw.password_is_default,
                activated: raw.activated,
                activation_code_hash: raw.activation_code_hash,
            })
        },
    )
}

struct RawTxn {
    id: String,
    user_id: String,
    merchant_id: String,
    terminal_id: String,
    kind: String,
    status: String,
    amount_minor: i64,
    brand: String,
    masked_pan: String,
    card_token: String,
    entry_mode: String,
    auth_code: Option<String>,
    invoice_no: String,
    response_code: String,
    response_text: String,
    created_at: String,
    approved_at: Option<String>,
    business_date: String,
    batch_id: Option<String>,
    original_id: Option<String>,
    idempotency_key: String,
    reversal_requested: bool,
    receipt_token: String,
    signature_json: Option<String>,
    refunded: i64,
}

fn txn_from_row(row: &Row<'_>) -> rusqlite::Result<Result<TxnRow, StoreError>> {
    read_row(
        row,
        |r| {
            Ok(RawTxn {
                id: r.get("id")?,
                user_id: r.get("user_id")?,
                merchant_id: r.get("merchant_id")?,
                terminal_id: r.get("terminal_id")?,
                kind: r.get("kind")?,
                status: r.get("status")?,
                amount_minor: r.get("amount_minor")?,
                brand: r.get("brand")?,
                masked_pan: r.get("masked_pan")?,
                card_token: r.get("card_token")?,
                entry_mode: r.get("entry_mode")?,
                auth_code: r.get("auth_code")?,
                invoice_no: r.get("invoice_no")?,
                response_code: r.get("response_code")?,
                response_text: r.get("response_text")?,
                created_at: r.get("created_at")?,
                approved_at: r.get("approved_at")?,
                business_date: r.get("business_date")?,
                batch_id: r.get("batch_id")?,
                original_id: r.get("original_id")?,
                idempotency_key: r.get("idempotency_key")?,
                reversal_requested: r.get("reversal_requested")?,
                receipt_token: r.get("receipt_token")?,
                signature_json: r.get("signature_json")?,
                refunded: r.get("refunded")?,
            })
        },
        |raw| {
            Ok(TxnRow {
                kind: from_text("kind", &raw.kind)?,
                status: from_text("status", &raw.status)?,
                amount: money(raw.amount_minor)?,
                brand: from_text("brand", &raw.brand)?,
                masked_pan: MaskedPan::try_from(raw.masked_pan)
                    .map_err(|_| StoreError::Corrupt("masked_pan".into()))?,
                entry_mode: from_text("entry_mode", &raw.entry_mode)?,
                created_at: time_col("created_at", &raw.created_at)?,
                approved_at: opt_time_col("approved_at", raw.approved_at)?,
                business_date: date_col(&raw.business_date)?,
                signature: raw
                    .signature_json
                    .map(|json| {
                        serde_json::from_str(&json)
                            .map_err(|_| StoreError::Corrupt("signature_json".into()))
                    })
                    .transpose()?,
                refunded: money(raw.refunded)?,
                id: raw.id,
                user_id: raw.user_id,
                merchant_id: raw.merchant_id,
                terminal_id: raw.terminal_id,
                card_token: raw.card_token,
                auth_code: raw.auth_code,
                invoice_no: raw.invoice_no,
                response_code: raw.response_code,
                response_text: raw.response_text,
                batch_id: raw.batch_id,
                original_id: raw.original_id,
                idempotency_key: raw.idempotency_key,
                reversal_requested: raw.reversal_requested,
                receipt_token: raw.receipt_token,
            })
        },
    )
}

fn query_users(
    conn: &Connection,
    where_clause: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<UserRow>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT * FROM users {where_clause}"))?;
    let rows = stmt.query_map(args, user_from_row)?;
    rows.map(|r| r?).collect()
}

fn one_user(
    conn: &Connection,
    where_clause: &str,
    args: impl rusqlite::Params,
) -> Result<Option<UserRow>, StoreError> {
    Ok(query_users(conn, where_clause, args)?.into_iter().next())
}

fn query_txns(
    conn: &Connection,
    where_clause: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<TxnRow>, StoreError> {
    let mut stmt = conn.prepare(&format!("{TXN_SELECT} {where_clause}"))?;
    let rows = stmt.query_map(args, txn_from_row)?;
    rows.map(|r| r?).collect()
}

fn one_txn(
    conn: &Connection,
    where_clause: &str,
    args: impl rusqlite::Params,
) -> Result<Option<TxnRow>, StoreError> {
    Ok(query_txns(conn, where_clause, args)?.into_iter().next())
}

fn txn_required(conn: &Connection, id: &str) -> Result<TxnRow, StoreError> {
    one_txn(conn, "WHERE t.id = ?1", [id])?.ok_or(StoreError::Refused(ErrorCode::NotFound))
}

/// Creates one batch for a terminal from the captures `predicate` selects.
fn close_batch(
    tx: &Transaction<'_>,
    terminal_id: &str,
    merchant_id: &str,
    business_date: Date,
    now: OffsetDateTime,
    trigger: SettlementTrigger,
    cutoff: Option<Date>,
) -> Result<Option<BatchRow>, StoreError> {
    let cutoff_text = cutoff
        .map(format_date)
        .unwrap_or_else(|| "9999-12-31".into());
    let pending: i64 = tx.query_row(
        "SELECT COUNT(*) FROM transactions WHERE terminal_id = ?1 AND batch_id IS NULL \
         AND status = 'approved' AND business_date <= ?2",
        params![terminal_id, cutoff_text],
        |r| r.get(0),
    )?;
    if pending == 0 {
        return Ok(None);
    }
    let id = new_id("bat");
    tx.execute(
        "INSERT INTO batches (id, merchant_id, terminal_id, business_date, closed_at, trigger) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, merchant_id, terminal_id, format_date(business_date), format_time(now), text(trigger)],
    )?;
    // The batch id is set in the same transaction that created the batch:
    // a capture is in exactly one batch or in none, never in two.
    tx.execute(
        "UPDATE transactions SET batch_id = ?1, updated_at = ?2 WHERE terminal_id = ?3 AND batch_id IS NULL \
         AND status = 'approved' AND business_date <= ?4",
        params![id, format_time(now), terminal_id, cutoff_text],
    )?;
    let captures = query_txns(
        tx,
        "WHERE t.batch_id = ?1 ORDER BY t.created_at, t.rowid",
        [&id],
    )?;
    Ok(Some(BatchRow {
        id,
        merchant_id: merchant_id.to_string(),
        terminal_id: terminal_id.to_string(),
        business_date,
        closed_at: now,
        trigger,
        captures,
    }))
}

/// Whether a user other than `?3` holds `?2` at merchant `?1`. Keys are
/// scoped to the merchant and owned by their first sender; rows from before
/// schema version 2 have merchant '' and belong to the gateway's one merchant.
const HELD_BY_ANOTHER: &str = "SELECT EXISTS(SELECT 1 FROM idempotency \
     WHERE key = ?2 AND merchant_id IN (?1, '') AND user_id != ?3)";

/// Whether another user of the merchant holds `key`.
fn held_by_another(
    tx: &Connection,
    merchant_id: &str,
    user_id: &str,
    key: &str,
) -> Result<bool, StoreError> {
    Ok(tx.query_row(HELD_BY_ANOTHER, [merchant_id, key, user_id], |r| r.get(0))?)
}

/// The user's sales pending or approved on `date`, leaving out `except`.
fn sales_on(
    tx: &Connection,
    user_id: &str,
    date: Date,
    except: Option<&str>,
) -> Result<Money, StoreError> {
    let used: i64 = tx.query_row(
        "SELECT COALESCE(SUM(amount_minor), 0) FROM transactions WHERE user_id = ?1 AND kind = 'sale' \
         AND status IN ('pending', 'approved') AND business_date = ?2 AND id != ?3",
        params![user_id, format_date(date), except.unwrap_or("")],
        |r| r.get(0),
    )?;
    money(used)
}

/// The count and lock columns of a lockout lane (fixed names, never input).
fn lane_columns(lane: Lane) -> (&'static str, &'static str) {
    match lane {
        Lane::OwnReader => ("failed_logins", "locked_until"),
        Lane::Elsewhere => ("elsewhere_failed_logins", "elsewhere_locked_until"),
    }
}

/// Whether `user_id` reversed `key` (or left a tombstone for it).
fn key_reversed(tx: &Connection, user_id: &str, key: &str) -> Result<bool, StoreError> {
    Ok(tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM idempotency WHERE user_id = ?1 AND key = ?2 AND state = 'reversed')",
        [user_id, key],
        |r| r.get(0),
    )?)
}

/// Ends one pending transaction as reversed and stores the final answer of
/// its idempotency key when that is still processing.
fn expire_one(
    tx: &Transaction<'_>,
    id: &str,
    now: OffsetDateTime,
    answer: ExpiredAnswer<'_>,
) -> Result<Option<TxnRow>, StoreError> {
    let changed = tx.execute(
        "UPDATE transactions SET status = 'reversed', response_code = ?2, response_text = ?3, updated_at = ?4 \
         WHERE id = ?1 AND status = 'pending'",
        params![id, EXPIRED_RESPONSE_CODE, EXPIRED_RESPONSE_TEXT, format_time(now)],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    let row = txn_required(tx, id)?;
    let (status, body) = answer(&row);
    tx.execute(
        "UPDATE idempotency SET state = 'done', response_status = ?3, response_body = ?4 \
         WHERE user_id = ?1 AND key = ?2 AND state = 'processing'",
        params![row.user_id, row.idempotency_key, status, body],
    )?;
    Ok(Some(row))
}

impl Store for SqliteStore {
    fn create_user(&self, user: &NewUser) -> Result<UserRow, StoreError> {
        self.write(|tx| {
            let taken: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)", [&user.username], |r| r.get(0))?;
            if taken {
                return Err(StoreError::UsernameTaken);
            }
            let count: i64 = tx.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
            let terminal_id = format!("T{:07}", count + 1);
            let id = new_id("usr");
            tx.execute(
                "INSERT INTO users (id, username, name, phone, email, status, limit_per_txn_minor, limit_per_day_minor, \
                 limit_refund_minor, currency, terminal_id, password_hash, password_is_default, activated, \
                 activation_code_hash, activation_expires_at, failed_logins, locked_until, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending_activation', ?6, ?7, ?8, 'TWD', ?9, ?10, 1, 0, ?11, ?12, 0, NULL, ?13)",
                params![
                    id,
                    user.username,
                    user.name,
                    user.phone,
                    user.email,
                    minor(user.limits.per_transaction),
                    minor(user.limits.per_day),
                    user.limits.refund_per_transaction.map(minor),
                    terminal_id,
                    user.credentials.password_hash,
                    user.credentials.activation_code_hash,
                    format_time(user.credentials.activation_expires_at),
                    format_time(user.created_at),
                ],
            )?;
            one_user(tx, "WHERE id = ?1", [&id])?.ok_or_else(|| StoreError::Corrupt("user vanished".into()))
        })
    }

    fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        one_user(&self.lock(), "WHERE id = ?1", [id])
    }

    fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        one_user(&self.lock(), "WHERE username = ?1", [username])
    }

    fn list_users(&self) -> Result<Vec<UserRow>, StoreError> {
        query_users(&self.lock(), "ORDER BY created_at, rowid", [])
    }

    fn disable_user(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        self.write(|tx| {
            tx.execute("UPDATE users SET status = 'disabled' WHERE id = ?1", [id])?;
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            one_user(tx, "WHERE id = ?1", [id])
        })
    }

    fn reset_credentials(
        &self,
        id: &str,
        credentials: &NewCredentials,
    ) -> Result<Option<UserRow>, StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE users SET status = CASE WHEN status = 'disabled' THEN status ELSE 'pending_activation' END, password_hash = ?2, password_is_default = 1, activated = 0, \
                 activation_code_hash = ?3, activation_expires_at = ?4, failed_logins = 0, locked_until = NULL, \
                 elsewhere_failed_logins = 0, elsewhere_locked_until = NULL WHERE id = ?1",
                params![
                    id,
                    credentials.password_hash,
                    credentials.activation_code_hash,
                    format_time(credentials.activation_expires_at)
                ],
            )?;
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            one_user(tx, "WHERE id = ?1", [id])
        })
    }

    fn reserve_attempt(
        &self,
        id: &str,
        lane: Lane,
        now: OffsetDateTime,
        max: u32,
        lock_until: OffsetDateTime,
    ) -> Result<Attempt, StoreError> {
        let (failed_col, locked_col) = lane_columns(lane);
        self.write(|tx| {
            let locked: Option<String> = tx.query_row(
                &format!("SELECT {locked_col} FROM users WHERE id = ?1"),
                [id],
                |r| r.get(0),
            )?;
            if let Some(until) = opt_time_col(locked_col, locked)?.filter(|until| *until > now) {
                return Ok(Attempt::Locked(until));
            }
            // Counted before the slow hash check, so parallel guesses cannot all be evaluated.
            let failed: i64 = tx.query_row(
                &format!(
                    "UPDATE users SET {failed_col} = {failed_col} + 1, {locked_col} = NULL WHERE id = ?1 RETURNING {failed_col}"
                ),
                [id],
                |r| r.get(0),
            )?;
            if failed < i64::from(max) {
                return Ok(Attempt::Reserved { locked_until: None });
            }
            tx.execute(
                &format!("UPDATE users SET {failed_col} = 0, {locked_col} = ?2 WHERE id = ?1"),
                params![id, format_time(lock_until)],
            )?;
            Ok(Attempt::Reserved {
                locked_until: Some(lock_until),
            })
        })
    }

    fn attempt_succeeded(
        &self,
        id: &str,
        lane: Lane,
        now: OffsetDateTime,
        own_lock: Option<OffsetDateTime>,
        trust_reader: Option<&str>,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let (failed_col, locked_col) = lane_columns(lane);
        self.write(|tx| {
            let locked: Option<String> = tx.query_row(
                &format!("SELECT {locked_col} FROM users WHERE id = ?1"),
                [id],
                |r| r.get(0),
            )?;
            let own = own_lock.map(format_time);
            if let Some(until) =
                opt_time_col(locked_col, locked.clone())?.filter(|until| *until > now)
            {
                if locked != own {
                    return Ok(Some(until));
                }
            }
            tx.execute(
                &format!("UPDATE users SET {failed_col} = 0, {locked_col} = NULL WHERE id = ?1"),
                [id],
            )?;
            if let Some(reader) = trust_reader {
                tx.execute(
                    "UPDATE users SET trusted_reader = ?2 WHERE id = ?1",
                    [id, reader],
                )?;
            }
            Ok(None)
        })
    }

    fn replace_secret_hash(&self, id: &str, old: &str, new: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2",
                [id, old, new],
            )?;
            tx.execute(
                "UPDATE users SET activation_code_hash = ?3 WHERE id = ?1 AND activation_code_hash = ?2",
                [id, old, new],
            )?;
            Ok(())
        })
    }

    fn consume_activation_code(&self, id: &str, code_hash: &str) -> Result<bool, StoreError> {
        let changed = self.lock().execute(
            "UPDATE users SET activation_code_hash = NULL, activated = 1 WHERE id = ?1 AND activation_code_hash = ?2",
            [id, code_hash],
        )?;
        Ok(changed == 1)
    }

    fn set_password(
        &self,
        id: &str,
        password_hash: &str,
        keep_session: &str,
    ) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "UPDATE users SET password_hash = ?2, password_is_default = 0, \
                 status = CASE WHEN status = 'disabled' THEN status ELSE 'active' END WHERE id = ?1",
                [id, password_hash],
            )?;
            tx.execute(
                "DELETE FROM sessions WHERE user_id = ?1 AND token_hash != ?2",
                [id, keep_session],
            )?;
            Ok(())
        })
    }

    fn insert_session(&self, session: &SessionRow) -> Result<(), StoreError> {
        self.lock().execute(
            "INSERT INTO sessions (token_hash, user_id, stage, created_at, expires_at, verified_until, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                session.token_hash,
                session.user_id,
                text(session.stage),
                format_time(session.created_at),
                format_time(session.expires_at),
                session.verified_until.map(format_time),
                format_time(session.last_seen_at),
            ],
        )?;
        Ok(())
    }

    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let conn = self.lock();
        let raw = conn
            .query_row(
                "SELECT token_hash, user_id, stage, created_at, expires_at, verified_until, last_seen_at FROM sessions WHERE token_hash = ?1",
                [token_hash],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get::<_, String>(4)?, r.get::<_, Option<String>>(5)?, r.get::<_, Option<String>>(6)?)),
            )
            .optional()?;
        raw.map(
            |(token_hash, user_id, stage, created_at, expires_at, verified_until, last_seen_at)| {
                let created_at = time_col("created_at", &created_at)?;
                Ok(SessionRow {
                    token_hash,
                    user_id,
                    stage: from_text("stage", &stage)?,
                    created_at,
                    expires_at: time_col("expires_at", &expires_at)?,
                    verified_until: opt_time_col("verified_until", verified_until)?,
                    last_seen_at: opt_time_col("last_seen_at", last_seen_at)?.unwrap_or(created_at),
                })
            },
        )
        .transpose()
    }

    fn set_session_stage(&self, token_hash: &str, stage: SessionStage) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE sessions SET stage = ?2 WHERE token_hash = ?1",
            [token_hash, &text(stage)],
        )?;
        Ok(())
    }

    fn touch_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
            [token_hash, &format_time(now)],
        )?;
        Ok(())
    }

    fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.lock()
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }

    fn set_verified_until(
        &self,
        token_hash: &str,
        until: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE sessions SET verified_until = ?2 WHERE token_hash = ?1",
            [token_hash, &format_time(until)],
        )?;
        Ok(())
    }

    fn claim_idempotency(
        &self,
        merchant_id: &str,
        user_id: &str,
        key: &str,
        endpoint: &str,
        body_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Claim, StoreError> {
        self.write(|tx| {
            if held_by_another(tx, merchant_id, user_id, key)? {
                return Ok(Claim::Conflict);
            }
            let existing = tx
                .query_row(
                    "SELECT endpoint, body_hash, state, response_status, response_body FROM idempotency WHERE user_id = ?1 AND key = ?2",
                    [user_id, key],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, Option<u16>>(3)?,
                            r.get::<_, Option<String>>(4)?,
                        ))
                    },
                )
                .optional()?;
            let Some((old_endpoint, old_hash, state, status, body)) = existing else {
                tx.execute(
                    "INSERT INTO idempotency (user_id, key, endpoint, body_hash, state, created_at, merchant_id) \
                     VALUES (?1, ?2, ?3, ?4, 'processing', ?5, ?6)",
                    params![user_id, key, endpoint, body_hash, format_time(now), merchant_id],
                )?;
                return Ok(Claim::Claimed);
            };
            if state == "reversed" {
                return Ok(Claim::Reversed);
            }
            if old_endpoint != endpoint || old_hash != body_hash {
                return Ok(Claim::Conflict);
            }
            match (state.as_str(), status, body) {
                ("done", Some(status), Some(body)) => Ok(Claim::Replay { status, body }),
                _ => Ok(Claim::InProgress),
            }
        })
    }

    fn complete_idempotency(
        &self,
        user_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        self.lock().execute(
            "UPDATE idempotency SET state = 'done', response_status = ?3, response_body = ?4 \
             WHERE user_id = ?1 AND key = ?2 AND state = 'processing'",
            params![user_id, key, status, body],
        )?;
        Ok(())
    }

    fn release_idempotency(&self, user_id: &str, key: &str) -> Result<(), StoreError> {
        self.lock().execute(
            "DELETE FROM idempotency WHERE user_id = ?1 AND key = ?2 AND state = 'processing' \
             AND NOT EXISTS (SELECT 1 FROM transactions WHERE user_id = ?1 AND idempotency_key = ?2)",
            [user_id, key],
        )?;
        Ok(())
    }

    fn record_reader_counter(
        &self,
        reader_id: &str,
        counter: u32,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let last: Option<i64> = tx
                .query_row("SELECT last_counter FROM reader_counters WHERE reader_id = ?1", [reader_id], |r| r.get(0))
                .optional()?;
            if last.is_some_and(|last| i64::from(counter) <= last) {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO reader_counters (reader_id, last_counter, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (reader_id) DO UPDATE SET last_counter = excluded.last_counter, updated_at = excluded.updated_at",
                params![reader_id, counter, format_time(now)],
            )?;
            Ok(true)
        })
    }

    fn insert_pending(&self, txn: &NewTxn, admission: Admission) -> Result<TxnRow, StoreError> {
        self.write(|tx| {
            if key_reversed(tx, &txn.user_id, &txn.idempotency_key)? {
                return Err(StoreError::Refused(ErrorCode::AlreadyReversed));
            }
            match admission {
                Admission::Sale { per_day } => {
                    let used = sales_on(tx, &txn.user_id, txn.business_date, None)?;
                    if !daily_limit::fits(used, txn.amount, per_day) {
                        return Err(StoreError::Refused(ErrorCode::LimitPerDayExceeded));
                    }
                }
                Admission::Refund => {
                    let original_id = txn.original_id.as_deref().unwrap_or_default();
                    let original = one_txn(tx, "WHERE t.id = ?1", [original_id])?
                        .filter(|o| o.kind == TxnKind::Sale && o.status == TxnStatus::Approved)
                        .ok_or(StoreError::Refused(ErrorCode::OriginalNotFound))?;
                    let refunded: i64 = tx.query_row(
                        "SELECT COALESCE(SUM(amount_minor), 0) FROM transactions WHERE original_id = ?1 AND kind = 'refund' \
                         AND status IN ('pending', 'approved')",
                        [original_id],
                        |r| r.get(0),
                    )?;
                    if refunded.saturating_add(minor(txn.amount)) > minor(original.amount) {
                        return Err(StoreError::Refused(ErrorCode::RefundExceedsOriginal));
                    }
                }
            }
            let invoice: i64 = tx.query_row(
                "INSERT INTO terminal_sequences (terminal_id, last_invoice) VALUES (?1, 1) \
                 ON CONFLICT (terminal_id) DO UPDATE SET last_invoice = CASE WHEN last_invoice >= 999999 THEN 1 ELSE last_invoice + 1 END \
                 RETURNING last_invoice",
                [&txn.terminal_id],
                |r| r.get(0),
            )?;
            let now = format_time(txn.created_at);
            tx.execute(
                "INSERT INTO transactions (id, user_id, merchant_id, terminal_id, kind, status, amount_minor, currency, brand, \
                 masked_pan, card_token, entry_mode, auth_code, invoice_no, response_code, response_text, created_at, approved_at, \
                 business_date, batch_id, original_id, idempotency_key, reversal_requested, receipt_token, signature_json, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, 'TWD', ?7, ?8, ?9, ?10, NULL, ?11, '', 'Pending', ?12, NULL, ?13, NULL, ?14, ?15, 0, ?16, NULL, ?12)",
                params![
                    txn.id,
                    txn.user_id,
                    txn.merchant_id,
                    txn.terminal_id,
                    text(txn.kind),
                    minor(txn.amount),
                    text(txn.brand),
                    txn.masked_pan.as_str(),
                    txn.card_token,
                    text(txn.entry_mode),
                    format!("{invoice:06}"),
                    now,
                    format_date(txn.business_date),
                    txn.original_id,
                    txn.idempotency_key,
                    txn.receipt_token,
                ],
            )?;
            txn_required(tx, &txn.id)
        })
    }

    fn complete_authorization(
        &self,
        id: &str,
        outcome: &IssuerOutcome,
    ) -> Result<TxnRow, StoreError> {
        self.write(|tx| {
            let current = txn_required(tx, id)?;
            if current.status != TxnStatus::Pending {
                return Ok(current);
            }
            let approved = outcome.auth_code.is_some();
            // An approval after the cut-off lands on the next business date:
            // it must fit that day's limit too, or it is not kept.
            let over_limit_on_landing = approved
                && current.kind == TxnKind::Sale
                && daily_limit::recount_on_landing(current.business_date, outcome.business_date)
                && {
                    let per_day: i64 = tx.query_row(
                        "SELECT limit_per_day_minor FROM users WHERE id = ?1",
                        [&current.user_id],
                        |r| r.get(0),
                    )?;
                    let used = sales_on(tx, &current.user_id, outcome.business_date, Some(id))?;
                    !daily_limit::fits(used, current.amount, money(per_day)?)
                };
            if over_limit_on_landing {
                tracing::warn!(event = "capture_over_daily_limit", transaction_id = %id, "approval landed on a day whose limit it exceeds; reversing");
            }
            let status = match (approved, current.reversal_requested || over_limit_on_landing) {
                (true, true) => TxnStatus::Reversed,
                (true, false) => TxnStatus::Approved,
                (false, _) => TxnStatus::Declined,
            };
            let now = format_time(outcome.answered_at);
            let business_date = if approved { outcome.business_date } else { current.business_date };
            let (response_code, response_text) = if over_limit_on_landing {
                ("61", "Exceeds the daily limit of the capture date")
            } else {
                (outcome.response_code.as_str(), outcome.response_text.as_str())
            };
            let result = tx.execute(
                "UPDATE transactions SET status = ?2, response_code = ?3, response_text = ?4, auth_code = ?5, approved_at = ?6, \
                 business_date = ?7, updated_at = ?8, reversal_requested = reversal_requested OR ?9 WHERE id = ?1",
                params![
                    id,
                    text(status),
                    response_code,
                    response_text,
                    outcome.auth_code,
                    approved.then(|| now.clone()),
                    format_date(business_date),
                    now,
                    over_limit_on_landing,
                ],
            );
            match result {
                Err(e) if is_constraint(&e) => return Err(StoreError::AuthCodeTaken),
                other => other?,
            };
            txn_required(tx, id)
        })
    }

    fn txn_by_id(&self, id: &str) -> Result<Option<TxnRow>, StoreError> {
        one_txn(&self.lock(), "WHERE t.id = ?1", [id])
    }

    fn txn_by_receipt_token(&self, token: &str) -> Result<Option<TxnRow>, StoreError> {
        one_txn(&self.lock(), "WHERE t.receipt_token = ?1", [token])
    }

    fn sale_by_auth_code(
        &self,
        merchant_id: &str,
        auth_code: &str,
    ) -> Result<Option<TxnRow>, StoreError> {
        one_txn(
            &self.lock(),
            "WHERE t.merchant_id = ?1 AND t.auth_code = ?2 AND t.kind = 'sale' AND t.status = 'approved'",
            [merchant_id, auth_code],
        )
    }

    fn void_txn(
        &self,
        id: &str,
        merchant_id: &str,
        user_id: &str,
        now: OffsetDateTime,
    ) -> Result<TxnRow, StoreError> {
        self.write(|tx| {
            let txn = one_txn(tx, "WHERE t.id = ?1", [id])?
                .filter(|t| t.merchant_id == merchant_id && t.user_id == user_id)
                .ok_or(StoreError::Refused(ErrorCode::NotFound))?;
            match txn.status {
                TxnStatus::Voided | TxnStatus::Reversed => return Err(StoreError::Refused(ErrorCode::AlreadyVoided)),
                TxnStatus::Pending | TxnStatus::Declined => return Err(StoreError::Refused(ErrorCode::NotApproved)),
                TxnStatus::Approved => {}
            }
            if txn.batch_id.is_some() {
                return Err(StoreError::Refused(ErrorCode::AlreadySettled));
            }
            let live_refunds: i64 = tx.query_row(
                "SELECT COUNT(*) FROM transactions WHERE original_id = ?1 AND status IN ('pending', 'approved')",
                [id],
                |r| r.get(0),
            )?;
            if live_refunds > 0 {
                return Err(StoreError::Refused(ErrorCode::HasRefunds));
            }
            tx.execute(
                "UPDATE transactions SET status = 'voided', updated_at = ?2 WHERE id = ?1 AND status = 'approved' AND batch_id IS NULL",
                [id, &format_time(now)],
            )?;
            txn_required(tx, id)
        })
    }

    fn reverse(
        &self,
        merchant_id: &str,
        user_id: &str,
        key: &str,
        now: OffsetDateTime,
        window: time::Duration,
    ) -> Result<ReversalOutcome, StoreError> {
        self.write(|tx| {
            if held_by_another(tx, merchant_id, user_id, key)? {
                return Err(StoreError::Refused(ReversalRefusal::NotOwner.code()));
            }
            let changed = tx.execute(
                "UPDATE idempotency SET state = 'reversed' WHERE user_id = ?1 AND key = ?2",
                [user_id, key],
            )?;
            let txns = query_txns(
                tx,
                "WHERE t.user_id = ?1 AND t.idempotency_key = ?2 ORDER BY t.created_at, t.rowid",
                [user_id, key],
            )?;
            if txns.is_empty() {
                if changed > 0 {
                    return Ok(ReversalOutcome::NoTransaction);
                }
                tx.execute(
                    "INSERT INTO idempotency (user_id, key, endpoint, body_hash, state, created_at, merchant_id) \
                     VALUES (?1, ?2, 'tombstone', '', 'reversed', ?3, ?4)",
                    params![user_id, key, format_time(now), merchant_id],
                )?;
                return Ok(ReversalOutcome::Tombstone);
            }
            let stamp = format_time(now);
            for txn in &txns {
                match txn.status {
                    TxnStatus::Pending => {
                        tx.execute(
                            "UPDATE transactions SET reversal_requested = 1, updated_at = ?2 WHERE id = ?1",
                            [&txn.id, &stamp],
                        )?;
                    }
                    TxnStatus::Approved => {
                        let live_refunds: i64 = tx.query_row(
                            "SELECT COUNT(*) FROM transactions WHERE original_id = ?1 AND status IN ('pending', 'approved')",
                            [&txn.id],
                            |r| r.get(0),
                        )?;
                        let original = ApprovedOriginal {
                            admitted_at: txn.created_at,
                            settled: txn.batch_id.is_some(),
                            live_refunds: live_refunds.max(0) as u64,
                        };
                        may_reverse_approved(original, now, window)
                            .map_err(|refusal| StoreError::Refused(refusal.code()))?;
                        tx.execute(
                            "UPDATE transactions SET status = 'reversed', reversal_requested = 1, updated_at = ?2 WHERE id = ?1",
                            [&txn.id, &stamp],
                        )?;
                    }
                    TxnStatus::Declined | TxnStatus::Voided | TxnStatus::Reversed => {}
                }
            }
            Ok(ReversalOutcome::Transaction(Box::new(txn_required(tx, &txns[0].id)?)))
        })
    }

    fn expire_pending(
        &self,
        which: PendingSelector<'_>,
        now: OffsetDateTime,
        answer: ExpiredAnswer<'_>,
    ) -> Result<Vec<TxnRow>, StoreError> {
        self.write(|tx| {
            let ids: Vec<String> = {
                let (clause, args): (&str, Vec<String>) = match which {
                    PendingSelector::CreatedBefore(at) => ("created_at < ?1", vec![format_time(at)]),
                    PendingSelector::Id(id) => ("id = ?1", vec![id.to_string()]),
                    PendingSelector::Key { user_id, key } => {
                        ("user_id = ?1 AND idempotency_key = ?2", vec![user_id.to_string(), key.to_string()])
                    }
                };
                let mut stmt = tx.prepare(&format!(
                    "SELECT id FROM transactions WHERE status = 'pending' AND {clause} ORDER BY created_at, rowid"
                ))?;
                let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?;
                rows.collect::<Result<_, _>>()?
            };
            let mut expired = Vec::new();
            for id in ids {
                expired.extend(expire_one(tx, &id, now, answer)?);
            }
            if let PendingSelector::CreatedBefore(at) = which {
                // A claim whose request died before admitting a transaction.
                tx.execute(
                    "DELETE FROM idempotency WHERE state = 'processing' AND created_at < ?1 AND NOT EXISTS \
                     (SELECT 1 FROM transactions t WHERE t.user_id = idempotency.user_id AND t.idempotency_key = idempotency.key)",
                    [format_time(at)],
                )?;
            }
            Ok(expired)
        })
    }

    fn set_signature(
        &self,
        id: &str,
        strokes: &[Stroke],
        now: OffsetDateTime,
    ) -> Result<TxnRow, StoreError> {
        self.write(|tx| {
            let txn = txn_required(tx, id)?;
            if txn.status != TxnStatus::Approved {
                return Err(StoreError::Refused(ErrorCode::NotApproved));
            }
            if txn.signature.is_some() {
                return Err(StoreError::Refused(ErrorCode::BadRequest));
            }
            let json =
                serde_json::to_string(strokes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.execute(
                "UPDATE transactions SET signature_json = ?2, updated_at = ?3 WHERE id = ?1",
                [id, &json, &format_time(now)],
            )?;
            txn_required(tx, id)
        })
    }

    fn search_unsettled(
        &self,
        user_id: &str,
        criterion: &SearchCriterion,
    ) -> Result<Vec<TxnRow>, StoreError> {
        let (clause, value) = match criterion {
            SearchCriterion::Last4(v) => ("substr(t.masked_pan, -4) = ?2", v),
            SearchCriterion::AuthCode(v) => ("t.auth_code = ?2", v),
            SearchCriterion::InvoiceNo(v) => ("t.invoice_no = ?2", v),
        };
        query_txns(
            &self.lock(),
            &format!(
                "WHERE t.user_id = ?1 AND t.status = 'approved' AND t.batch_id IS NULL AND {clause} \
                 ORDER BY t.created_at DESC, t.rowid DESC"
            ),
            [user_id, value.as_str()],
        )
    }

    fn list_transactions(&self) -> Result<Vec<TxnRow>, StoreError> {
        query_txns(&self.lock(), "ORDER BY t.created_at DESC, t.rowid DESC", [])
    }

    fn unsettled_captures(&self, terminal_id: &str) -> Result<Vec<TxnRow>, StoreError> {
        query_txns(
            &self.lock(),
            "WHERE t.terminal_id = ?1 AND t.batch_id IS NULL AND t.status = 'approved' ORDER BY t.created_at, t.rowid",
            [terminal_id],
        )
    }

    fn settle_terminal(
        &self,
        terminal_id: &str,
        merchant_id: &str,
        business_date: Date,
        now: OffsetDateTime,
    ) -> Result<Option<BatchRow>, StoreError> {
        self.write(|tx| {
            close_batch(
                tx,
                terminal_id,
                merchant_id,
                business_date,
                now,
                SettlementTrigger::Manual,
                None,
            )
        })
    }

    fn run_automatic_settlement(
        &self,
        date: Date,
        now: OffsetDateTime,
    ) -> Result<Option<Vec<BatchRow>>, StoreError> {
        self.write(|tx| {
            let date_text = format_date(date);
            let done: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM settlement_runs WHERE business_date = ?1)", [&date_text], |r| r.get(0))?;
            if done {
                return Ok(None);
            }
            let terminals: Vec<(String, String)> = {
                let mut stmt = tx.prepare(
                    "SELECT DISTINCT terminal_id, merchant_id FROM transactions WHERE batch_id IS NULL AND status = 'approved' \
                     AND business_date <= ?1 ORDER BY terminal_id",
                )?;
                let rows = stmt.query_map([&date_text], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<Result<_, _>>()?
            };
            let mut batches = Vec::new();
            for (terminal_id, merchant_id) in terminals {
                if let Some(batch) = close_batch(tx, &terminal_id, &merchant_id, date, now, SettlementTrigger::Automatic, Some(date))? {
                    batches.push(batch);
                }
            }
            tx.execute(
                "INSERT INTO settlement_runs (business_date, ran_at, batch_count) VALUES (?1, ?2, ?3)",
                params![date_text, format_time(now), batches.len() as i64],
            )?;
            Ok(Some(batches))
        })
    }

    fn last_automatic_run(&self) -> Result<Option<Date>, StoreError> {
        let latest: Option<String> =
            self.lock()
                .query_row("SELECT MAX(business_date) FROM settlement_runs", [], |r| {
                    r.get(0)
                })?;
        latest.map(|d| date_col(&d)).transpose()
    }

    fn list_batches(&self) -> Result<Vec<BatchRow>, StoreError> {
        let conn = self.lock();
        let raw: Vec<(String, String, String, String, String, String)> = {
            let mut stmt = conn.prepare(
                "SELECT id, merchant_id, terminal_id, business_date, closed_at, trigger FROM batches ORDER BY closed_at DESC, rowid DESC",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        raw.into_iter()
            .map(
                |(id, merchant_id, terminal_id, business_date, closed_at, trigger)| {
                    let captures = query_txns(
                        &conn,
                        "WHERE t.batch_id = ?1 ORDER BY t.created_at, t.rowid",
                        [&id],
                    )?;
                    Ok(BatchRow {
                        business_date: date_col(&business_date)?,
                        closed_at: time_col("closed_at", &closed_at)?,
                        trigger: from_text("trigger", &trigger)?,
                        id,
                        merchant_id,
                        terminal_id,
                        captures,
                    })
                },
            )
            .collect()
    }

    fn legacy_secret(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn delete_secret(&self, name: &str) -> Result<(), StoreError> {
        let conn = self.lock();
        // Overwrite the freed bytes, then fold the WAL into the file and empty
        // it, so no copy of the secret stays in either file.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute("DELETE FROM secrets WHERE name = ?1", [name])?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}
