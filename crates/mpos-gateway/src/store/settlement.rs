//! The settlement repository: closing captures into batches, by hand per
//! terminal or automatically per business date. A capture is in exactly one
//! batch or in none: the batch is created and its captures marked in one
//! transaction, under the terminal's lock; the automatic run of a date
//! happens once, under the run's lock, on every instance together.

use super::rows::{self, text};
use super::sql::{args, Tx, Value};
use super::{BatchRow, CaptureGroup, SettlementTrigger, Store, StoreError};
use crate::clock::format_time;
use crate::ids::new_id;
use crate::settlement::business_date::format_date;
use time::{Date, OffsetDateTime};

/// Batches (see [`Store::settlement`]).
pub struct Settlement<'s> {
    pub(super) store: &'s Store,
}

/// The lock of the automatic run.
const AUTOMATIC_RUN_LOCK: &str = "settlement:automatic";

/// Creates one batch of a terminal's unsettled captures with business date
/// at or before `up_to` (all of them when `None`).
async fn close_batch(
    tx: &mut dyn Tx,
    terminal_id: &str,
    merchant_id: &str,
    business_date: Date,
    now: OffsetDateTime,
    trigger: SettlementTrigger,
    up_to: Option<Date>,
) -> Result<Option<BatchRow>, StoreError> {
    tx.lock(&format!("terminal:{terminal_id}")).await?;
    let up_to = up_to
        .map(format_date)
        .unwrap_or_else(|| "9999-12-31".into());
    let id = new_id("bat");
    tx.execute(
        "INSERT INTO batches (id, merchant_id, terminal_id, business_date, closed_at, trigger) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        args![&id, merchant_id, terminal_id, format_date(business_date), format_time(now), text(trigger)],
    )
    .await?;
    let closed = tx
        .execute(
            "UPDATE transactions SET batch_id = ?1, updated_at = ?2 WHERE terminal_id = ?3 AND batch_id IS NULL \
             AND status = 'approved' AND business_date <= ?4",
            args![&id, format_time(now), terminal_id, up_to],
        )
        .await?;
    if closed == 0 {
        tx.execute("DELETE FROM batches WHERE id = ?1", args![&id])
            .await?;
        return Ok(None);
    }
    let groups = groups_where(tx, "batch_id = ?1", args![&id]).await?;
    Ok(Some(BatchRow {
        id,
        merchant_id: merchant_id.to_string(),
        terminal_id: terminal_id.to_string(),
        business_date,
        closed_at: now,
        trigger,
        groups,
    }))
}

/// Approved captures matching `clause`, summed per kind and brand (in SQL:
/// a batch of a million captures never comes into memory row by row).
async fn groups_where(
    tx: &mut dyn Tx,
    clause: &str,
    args: &[Value],
) -> Result<Vec<CaptureGroup>, StoreError> {
    tx.query(
        &format!(
            "SELECT kind, brand, COUNT(*) AS captures, CAST(SUM(amount_minor) AS BIGINT) AS total \
             FROM transactions WHERE status = 'approved' AND {clause} GROUP BY kind, brand ORDER BY kind, brand"
        ),
        args,
    )
    .await?
    .iter()
    .map(|row| {
        Ok(CaptureGroup {
            kind: rows::from_text("kind", &row.text("kind")?)?,
            brand: rows::from_text("brand", &row.text("brand")?)?,
            count: u64::try_from(row.int("captures")?).unwrap_or(0),
            total: rows::money(row.int("total")?)?,
        })
    })
    .collect()
}

impl Settlement<'_> {
    /// A terminal's approved, unsettled captures, summed per kind and brand.
    pub async fn unsettled(&self, terminal_id: &str) -> Result<Vec<CaptureGroup>, StoreError> {
        let terminal_id = terminal_id.to_string();
        self.store
            .read(move |tx| {
                Box::pin(async move {
                    groups_where(
                        tx,
                        "terminal_id = ?1 AND batch_id IS NULL",
                        args![terminal_id],
                    )
                    .await
                })
            })
            .await
    }

    /// Closes every unsettled capture of a terminal into one batch; `None` when there is none.
    pub async fn settle_terminal(
        &self,
        terminal_id: &str,
        merchant_id: &str,
        business_date: Date,
        now: OffsetDateTime,
    ) -> Result<Option<BatchRow>, StoreError> {
        let (terminal_id, merchant_id) = (terminal_id.to_string(), merchant_id.to_string());
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    close_batch(
                        tx,
                        &terminal_id,
                        &merchant_id,
                        business_date,
                        now,
                        SettlementTrigger::Manual,
                        None,
                    )
                    .await
                })
            })
            .await
    }

    /// The automatic run for business date `date`: per terminal, closes every unsettled
    /// capture with business date at or before it. `None` when that date already ran.
    pub async fn run_automatic(
        &self,
        date: Date,
        now: OffsetDateTime,
    ) -> Result<Option<Vec<BatchRow>>, StoreError> {
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(AUTOMATIC_RUN_LOCK).await?;
                    let date_text = format_date(date);
                    let done = tx
                        .query_one("SELECT EXISTS(SELECT 1 FROM settlement_runs WHERE business_date = ?1)", args![&date_text])
                        .await?
                        .first_bool()?;
                    if done {
                        return Ok(None);
                    }
                    let terminals = tx
                        .query(
                            "SELECT DISTINCT terminal_id, merchant_id FROM transactions WHERE batch_id IS NULL AND status = 'approved' \
                             AND business_date <= ?1 ORDER BY terminal_id",
                            args![&date_text],
                        )
                        .await?;
                    let mut batches = Vec::new();
                    for terminal in terminals {
                        let (terminal_id, merchant_id) = (terminal.text("terminal_id")?, terminal.text("merchant_id")?);
                        if let Some(batch) =
                            close_batch(tx, &terminal_id, &merchant_id, date, now, SettlementTrigger::Automatic, Some(date)).await?
                        {
                            batches.push(batch);
                        }
                    }
                    tx.execute(
                        "INSERT INTO settlement_runs (business_date, ran_at, batch_count) VALUES (?1, ?2, ?3)",
                        args![date_text, format_time(now), batches.len() as i64],
                    )
                    .await?;
                    Ok(Some(batches))
                })
            })
            .await
    }

    /// The latest business date whose automatic run is recorded.
    pub async fn last_automatic_run(&self) -> Result<Option<Date>, StoreError> {
        self.store
            .read(|tx| {
                Box::pin(async move {
                    tx.query_one("SELECT MAX(business_date) FROM settlement_runs", &[])
                        .await?
                        .first_opt_text()?
                        .map(|d| rows::date_col(&d))
                        .transpose()
                })
            })
            .await
    }

    /// Every batch, newest first.
    pub async fn list_batches(&self) -> Result<Vec<BatchRow>, StoreError> {
        self.store
            .read(|tx| {
                Box::pin(async move {
                    let batches = tx
                        .query(
                            "SELECT id, merchant_id, terminal_id, business_date, closed_at, trigger FROM batches \
                             ORDER BY closed_at DESC, rowid DESC",
                            &[],
                        )
                        .await?;
                    let mut out = Vec::with_capacity(batches.len());
                    for batch in batches {
                        let groups = groups_where(tx, "batch_id = ?1", args![batch.text("id")?]).await?;
                        out.push(rows::batch(&batch, groups)?);
                    }
                    Ok(out)
                })
            })
            .await
    }
}
