//! Rows to domain values and back: enums as their snake_case names, times
//! as RFC 3339 text, dates as YYYY-MM-DD, money as minor units.

use super::sql::Row;
use super::{BatchRow, CaptureGroup, SessionRow, StoreError, TxnRow, UserRow};
use crate::clock::parse_time;
use crate::settlement::business_date::parse_date;
use mpos_wire::api::Limits;
use mpos_wire::{MaskedPan, Money};
use serde::de::DeserializeOwned;
use serde::Serialize;
use time::{Date, OffsetDateTime};

/// The columns of a transaction, with the sum of its approved refunds.
pub const TXN_SELECT: &str = "SELECT t.*, (SELECT CAST(COALESCE(SUM(r.amount_minor), 0) AS BIGINT) \
     FROM transactions r WHERE r.original_id = t.id AND r.kind = 'refund' AND r.status = 'approved') AS refunded \
     FROM transactions t";

/// The snake_case JSON name of a serde enum, as stored in TEXT columns.
pub fn text<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => panic!("not a unit enum: {other:?}"),
    }
}

/// A serde enum from its stored name.
pub fn from_text<T: DeserializeOwned>(column: &str, value: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(value.to_string()))
        .map_err(|_| StoreError::Corrupt(format!("{column} = {value}")))
}

/// A stored time.
pub fn time_col(column: &str, value: &str) -> Result<OffsetDateTime, StoreError> {
    parse_time(value).map_err(|_| StoreError::Corrupt(format!("{column} = {value}")))
}

/// A stored time that may be absent.
pub fn opt_time_col(
    column: &str,
    value: Option<String>,
) -> Result<Option<OffsetDateTime>, StoreError> {
    value.map(|v| time_col(column, &v)).transpose()
}

/// A stored business date.
pub fn date_col(value: &str) -> Result<Date, StoreError> {
    parse_date(value).ok_or_else(|| StoreError::Corrupt(format!("business_date = {value}")))
}

/// Stored minor units as money.
pub fn money(minor: i64) -> Result<Money, StoreError> {
    u64::try_from(minor)
        .map(Money::twd_minor)
        .map_err(|_| StoreError::Corrupt(format!("negative amount {minor}")))
}

/// Money as stored minor units.
pub fn minor(amount: Money) -> i64 {
    i64::try_from(amount.minor).unwrap_or(i64::MAX)
}

/// A `users` row.
pub fn user(row: &Row) -> Result<UserRow, StoreError> {
    Ok(UserRow {
        id: row.text("id")?,
        username: row.text("username")?,
        name: row.text("name")?,
        phone: row.text("phone")?,
        email: row.text("email")?,
        status: from_text("status", &row.text("status")?)?,
        limits: Limits {
            per_transaction: money(row.int("limit_per_txn_minor")?)?,
            per_day: money(row.int("limit_per_day_minor")?)?,
            refund_per_transaction: row.opt_int("limit_refund_minor")?.map(money).transpose()?,
        },
        terminal_id: row.text("terminal_id")?,
        password_hash: row.text("password_hash")?,
        password_is_default: row.bool("password_is_default")?,
        activated: row.bool("activated")?,
        activation_code_hash: row.opt_text("activation_code_hash")?,
        activation_expires_at: opt_time_col(
            "activation_expires_at",
            row.opt_text("activation_expires_at")?,
        )?,
        failed_logins: u32::try_from(row.int("failed_logins")?).unwrap_or(0),
        locked_until: opt_time_col("locked_until", row.opt_text("locked_until")?)?,
        trusted_reader: row.opt_text("trusted_reader")?,
        elsewhere_locked_until: opt_time_col(
            "elsewhere_locked_until",
            row.opt_text("elsewhere_locked_until")?,
        )?,
        created_at: time_col("created_at", &row.text("created_at")?)?,
    })
}

/// A `sessions` row.
pub fn session(row: &Row) -> Result<SessionRow, StoreError> {
    let created_at = time_col("created_at", &row.text("created_at")?)?;
    Ok(SessionRow {
        token_hash: row.text("token_hash")?,
        user_id: row.text("user_id")?,
        stage: from_text("stage", &row.text("stage")?)?,
        created_at,
        expires_at: time_col("expires_at", &row.text("expires_at")?)?,
        verified_until: opt_time_col("verified_until", row.opt_text("verified_until")?)?,
        last_seen_at: opt_time_col("last_seen_at", row.opt_text("last_seen_at")?)?
            .unwrap_or(created_at),
    })
}

/// A `transactions` row read through [`TXN_SELECT`].
pub fn txn(row: &Row) -> Result<TxnRow, StoreError> {
    Ok(TxnRow {
        id: row.text("id")?,
        user_id: row.text("user_id")?,
        merchant_id: row.text("merchant_id")?,
        terminal_id: row.text("terminal_id")?,
        kind: from_text("kind", &row.text("kind")?)?,
        status: from_text("status", &row.text("status")?)?,
        amount: money(row.int("amount_minor")?)?,
        brand: from_text("brand", &row.text("brand")?)?,
        masked_pan: MaskedPan::try_from(row.text("masked_pan")?)
            .map_err(|_| StoreError::Corrupt("masked_pan".into()))?,
        card_token: row.text("card_token")?,
        entry_mode: from_text("entry_mode", &row.text("entry_mode")?)?,
        auth_code: row.opt_text("auth_code")?,
        invoice_no: row.text("invoice_no")?,
        response_code: row.text("response_code")?,
        response_text: row.text("response_text")?,
        created_at: time_col("created_at", &row.text("created_at")?)?,
        approved_at: opt_time_col("approved_at", row.opt_text("approved_at")?)?,
        business_date: date_col(&row.text("business_date")?)?,
        batch_id: row.opt_text("batch_id")?,
        original_id: row.opt_text("original_id")?,
        idempotency_key: row.text("idempotency_key")?,
        reversal_requested: row.bool("reversal_requested")?,
        receipt_token: row.text("receipt_token")?,
        signature: row
            .opt_text("signature_json")?
            .map(|json| {
                serde_json::from_str(&json)
                    .map_err(|_| StoreError::Corrupt("signature_json".into()))
            })
            .transpose()?,
        refunded: money(row.int("refunded")?)?,
    })
}

/// A `batches` row with its captures' sums.
pub fn batch(row: &Row, groups: Vec<CaptureGroup>) -> Result<BatchRow, StoreError> {
    Ok(BatchRow {
        id: row.text("id")?,
        merchant_id: row.text("merchant_id")?,
        terminal_id: row.text("terminal_id")?,
        business_date: date_col(&row.text("business_date")?)?,
        closed_at: time_col("closed_at", &row.text("closed_at")?)?,
        trigger: from_text("trigger", &row.text("trigger")?)?,
        groups,
    })
}
