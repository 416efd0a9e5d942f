//! The transactions repository: sales and refunds from admission to their
//! final state. Each method is one transaction; the rules it applies (the
//! daily limit, the refund ceiling, void and reversal eligibility) are the
//! pure functions of `crate::domain`, fed with what the transaction reads.
//!
//! Locks, always taken in this order so no two transactions wait on each
//! other: the idempotency key (`key:`), then the original sale (`txn:`),
//! then the user's daily total (`daily:`).

use super::idempotency::{held_by_another, key_lock, key_reversed};
use super::rows::{self, minor, money, text, TXN_SELECT};
use super::sql::{args, Tx, Value};
use super::{
    Admission, ExpiredAnswer, IssuerOutcome, NewTxn, PendingSelector, Refusal, ReversalOutcome,
    SearchCriterion, Store, StoreError, TxnRow, EXPIRED_RESPONSE_CODE, EXPIRED_RESPONSE_TEXT,
};
use crate::clock::format_time;
use crate::domain::daily_limit;
use crate::domain::reversal::{may_reverse_approved, ApprovedOriginal};
use crate::settlement::business_date::format_date;
use mpos_wire::api::{Stroke, TxnKind, TxnStatus};
use mpos_wire::Money;
use time::{Date, OffsetDateTime};

/// Sales and refunds (see [`Store::transactions`]).
pub struct Transactions<'s> {
    pub(super) store: &'s Store,
}

/// Transactions matching `clause` (WHERE and/or ORDER BY over alias `t`).
pub(super) async fn txns_where(
    tx: &mut dyn Tx,
    clause: &str,
    args: &[Value],
) -> Result<Vec<TxnRow>, StoreError> {
    tx.query(&format!("{TXN_SELECT} {clause}"), args)
        .await?
        .iter()
        .map(rows::txn)
        .collect()
}

async fn txn_where(
    tx: &mut dyn Tx,
    clause: &str,
    args: &[Value],
) -> Result<Option<TxnRow>, StoreError> {
    Ok(txns_where(tx, clause, args).await?.into_iter().next())
}

async fn txn_required(tx: &mut dyn Tx, id: &str) -> Result<TxnRow, StoreError> {
    txn_where(tx, "WHERE t.id = ?1", args![id])
        .await?
        .ok_or(StoreError::Refused(Refusal::TransactionNotFound))
}

fn txn_lock(id: &str) -> String {
    format!("txn:{id}")
}

fn daily_lock(user_id: &str) -> String {
    format!("daily:{user_id}")
}

/// The user's sales pending or approved on `date` (read from the index alone).
async fn sales_on(tx: &mut dyn Tx, user_id: &str, date: Date) -> Result<Money, StoreError> {
    let used = tx
        .query_one(
            "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM transactions WHERE user_id = ?1 \
             AND business_date = ?2 AND kind = 'sale' AND status IN ('pending', 'approved')",
            args![user_id, format_date(date)],
        )
        .await?
        .first_int()?;
    money(used)
}

/// Refunds against `original_id` that are pending or approved.
async fn live_refunds(tx: &mut dyn Tx, original_id: &str) -> Result<u64, StoreError> {
    let count = tx
        .query_one(
            "SELECT COUNT(*) FROM transactions WHERE original_id = ?1 AND status IN ('pending', 'approved')",
            args![original_id],
        )
        .await?
        .first_int()?;
    Ok(count.max(0) as u64)
}

/// Ends one pending transaction as reversed and stores the final answer of
/// its idempotency key when that is still processing.
async fn expire_one(
    tx: &mut dyn Tx,
    id: &str,
    now: OffsetDateTime,
    answer: &ExpiredAnswer,
) -> Result<Option<TxnRow>, StoreError> {
    let changed = tx
        .execute(
            "UPDATE transactions SET status = 'reversed', response_code = ?2, response_text = ?3, updated_at = ?4 \
             WHERE id = ?1 AND status = 'pending'",
            args![id, EXPIRED_RESPONSE_CODE, EXPIRED_RESPONSE_TEXT, format_time(now)],
        )
        .await?;
    if changed == 0 {
        return Ok(None);
    }
    let row = txn_required(tx, id).await?;
    let (status, body) = answer(&row);
    tx.execute(
        "UPDATE idempotency SET state = 'done', response_status = ?3, response_body = ?4 \
         WHERE user_id = ?1 AND key = ?2 AND state = 'processing'",
        args![&row.user_id, &row.idempotency_key, status, body],
    )
    .await?;
    Ok(Some(row))
}

impl Transactions<'_> {
    /// Inserts a pending transaction with the next invoice number, checking `admission`
    /// and that its idempotency key was not reversed, in one transaction.
    pub async fn insert_pending(
        &self,
        txn: &NewTxn,
        admission: Admission,
    ) -> Result<TxnRow, StoreError> {
        let txn = txn.clone();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&key_lock(&txn.merchant_id, &txn.idempotency_key)).await?;
                    if key_reversed(tx, &txn.user_id, &txn.idempotency_key).await? {
                        return Err(StoreError::Refused(Refusal::AlreadyReversed));
                    }
                    match admission {
                        Admission::Sale { per_day } => {
                            tx.lock(&daily_lock(&txn.user_id)).await?;
                            let used = sales_on(tx, &txn.user_id, txn.business_date).await?;
                            if !daily_limit::fits(used, txn.amount, per_day) {
                                return Err(StoreError::Refused(Refusal::DailyLimitExceeded));
                            }
                        }
                        Admission::Refund => {
                            let original_id = txn.original_id.clone().unwrap_or_default();
                            tx.lock(&txn_lock(&original_id)).await?;
                            let original = txn_where(tx, "WHERE t.id = ?1", args![&original_id])
                                .await?
                                .filter(|o| o.kind == TxnKind::Sale && o.status == TxnStatus::Approved)
                                .ok_or(StoreError::Refused(Refusal::OriginalNotFound))?;
                            let refunded = tx
                                .query_one(
                                    "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM transactions \
                                     WHERE original_id = ?1 AND kind = 'refund' AND status IN ('pending', 'approved')",
                                    args![&original_id],
                                )
                                .await?
                                .first_int()?;
                            if refunded.saturating_add(minor(txn.amount)) > minor(original.amount) {
                                return Err(StoreError::Refused(Refusal::RefundExceedsOriginal));
                            }
                        }
                    }
                    let invoice = tx
                        .query_one(
                            "INSERT INTO terminal_sequences (terminal_id, last_invoice) VALUES (?1, 1) \
                             ON CONFLICT (terminal_id) DO UPDATE SET last_invoice = CASE \
                             WHEN terminal_sequences.last_invoice >= 999999 THEN 1 ELSE terminal_sequences.last_invoice + 1 END \
                             RETURNING last_invoice",
                            args![&txn.terminal_id],
                        )
                        .await?
                        .first_int()?;
                    let now = format_time(txn.created_at);
                    tx.execute(
                        "INSERT INTO transactions (id, user_id, merchant_id, terminal_id, kind, status, amount_minor, currency, brand, \
                         masked_pan, card_token, entry_mode, auth_code, invoice_no, response_code, response_text, created_at, approved_at, \
                         business_date, batch_id, original_id, idempotency_key, reversal_requested, receipt_token, signature_json, updated_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, 'TWD', ?7, ?8, ?9, ?10, NULL, ?11, '', 'Pending', ?12, NULL, ?13, NULL, ?14, ?15, FALSE, ?16, NULL, ?12)",
                        args![
                            &txn.id,
                            &txn.user_id,
                            &txn.merchant_id,
                            &txn.terminal_id,
                            text(txn.kind),
                            minor(txn.amount),
                            text(txn.brand),
                            txn.masked_pan.as_str(),
                            &txn.card_token,
                            text(txn.entry_mode),
                            format!("{invoice:06}"),
                            &now,
                            format_date(txn.business_date),
                            txn.original_id.clone(),
                            &txn.idempotency_key,
                            &txn.receipt_token,
                        ],
                    )
                    .await?;
                    // The row as written, without reading it back.
                    Ok(TxnRow {
                        id: txn.id,
                        user_id: txn.user_id,
                        merchant_id: txn.merchant_id,
                        terminal_id: txn.terminal_id,
                        kind: txn.kind,
                        status: TxnStatus::Pending,
                        amount: txn.amount,
                        brand: txn.brand,
                        masked_pan: txn.masked_pan,
                        card_token: txn.card_token,
                        entry_mode: txn.entry_mode,
                        auth_code: None,
                        invoice_no: format!("{invoice:06}"),
                        response_code: String::new(),
                        response_text: "Pending".into(),
                        created_at: rows::time_col("created_at", &now)?,
                        approved_at: None,
                        business_date: txn.business_date,
                        batch_id: None,
                        original_id: txn.original_id,
                        idempotency_key: txn.idempotency_key,
                        reversal_requested: false,
                        receipt_token: txn.receipt_token,
                        signature: None,
                        refunded: Money::twd_minor(0),
                    })
                })
            })
            .await
    }

    /// Records the issuer's answer; a transaction marked for reversal ends
    /// reversed, never approved, and so does an approval that lands on a
    /// business date whose daily limit it would exceed.
    pub async fn complete_authorization(
        &self,
        id: &str,
        outcome: &IssuerOutcome,
    ) -> Result<TxnRow, StoreError> {
        let id = id.to_string();
        let outcome = outcome.clone();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    let first = txn_required(tx, &id).await?;
                    if first.status != TxnStatus::Pending {
                        return Ok(first);
                    }
                    // A reversal of the same key must see the answer or be seen by it.
                    tx.lock(&key_lock(&first.merchant_id, &first.idempotency_key)).await?;
                    let approved = outcome.auth_code.is_some();
                    let recount = approved
                        && first.kind == TxnKind::Sale
                        && daily_limit::recount_on_landing(first.business_date, outcome.business_date);
                    if recount {
                        tx.lock(&daily_lock(&first.user_id)).await?;
                    }
                    // Read again under the locks, unless nothing could have run between.
                    let current = if tx.is_serialized() {
                        first
                    } else {
                        txn_required(tx, &id).await?
                    };
                    if current.status != TxnStatus::Pending {
                        return Ok(current);
                    }
                    // An approval after the cut-off lands on the next business date:
                    // it must fit that day's limit too, or it is not kept.
                    let over_limit_on_landing = recount && {
                        let per_day = tx
                            .query_one("SELECT limit_per_day_minor FROM users WHERE id = ?1", args![&current.user_id])
                            .await?
                            .first_int()?;
                        // The transaction itself still carries its admission
                        // date, so it is not in the landing date's sum.
                        let used = sales_on(tx, &current.user_id, outcome.business_date).await?;
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
                        ("61".to_string(), "Exceeds the daily limit of the capture date".to_string())
                    } else {
                        (outcome.response_code.clone(), outcome.response_text.clone())
                    };
                    let result = tx
                        .execute(
                            "UPDATE transactions SET status = ?2, response_code = ?3, response_text = ?4, auth_code = ?5, approved_at = ?6, \
                             business_date = ?7, updated_at = ?8, reversal_requested = reversal_requested OR ?9 \
                             WHERE id = ?1 AND status = 'pending'",
                            args![
                                &id,
                                text(status),
                                &response_code,
                                &response_text,
                                outcome.auth_code.clone(),
                                approved.then(|| now.clone()),
                                format_date(business_date),
                                &now,
                                over_limit_on_landing,
                            ],
                        )
                        .await;
                    match result {
                        Err(StoreError::Constraint(_)) => return Err(StoreError::AuthCodeTaken),
                        other => other?,
                    };
                    // The row as written, without reading it back.
                    Ok(TxnRow {
                        status,
                        response_code,
                        response_text,
                        auth_code: outcome.auth_code.clone(),
                        approved_at: approved.then(|| rows::time_col("approved_at", &now)).transpose()?,
                        business_date,
                        reversal_requested: current.reversal_requested || over_limit_on_landing,
                        ..current
                    })
                })
            })
            .await
    }

    /// A transaction by id.
    pub async fn by_id(&self, id: &str) -> Result<Option<TxnRow>, StoreError> {
        self.one("WHERE t.id = ?1", vec![id.into()]).await
    }

    /// A transaction by receipt token.
    pub async fn by_receipt_token(&self, token: &str) -> Result<Option<TxnRow>, StoreError> {
        self.one("WHERE t.receipt_token = ?1", vec![token.into()])
            .await
    }

    /// The approved sale of a merchant with this authorization code.
    pub async fn sale_by_auth_code(
        &self,
        merchant_id: &str,
        auth_code: &str,
    ) -> Result<Option<TxnRow>, StoreError> {
        self.one(
            "WHERE t.merchant_id = ?1 AND t.auth_code = ?2 AND t.kind = 'sale' AND t.status = 'approved'",
            vec![merchant_id.into(), auth_code.into()],
        )
        .await
    }

    /// Voids an approved, unsettled transaction of the merchant made by `user_id`.
    pub async fn void(
        &self,
        id: &str,
        merchant_id: &str,
        user_id: &str,
        now: OffsetDateTime,
    ) -> Result<TxnRow, StoreError> {
        let (id, merchant_id, user_id) =
            (id.to_string(), merchant_id.to_string(), user_id.to_string());
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&txn_lock(&id)).await?;
                    let txn = txn_where(tx, "WHERE t.id = ?1", args![&id])
                        .await?
                        .filter(|t| t.merchant_id == merchant_id && t.user_id == user_id)
                        .ok_or(StoreError::Refused(Refusal::TransactionNotFound))?;
                    match txn.status {
                        TxnStatus::Voided | TxnStatus::Reversed => return Err(StoreError::Refused(Refusal::AlreadyVoided)),
                        TxnStatus::Pending | TxnStatus::Declined => return Err(StoreError::Refused(Refusal::NotApproved)),
                        TxnStatus::Approved => {}
                    }
                    if txn.batch_id.is_some() {
                        return Err(StoreError::Refused(Refusal::AlreadySettled));
                    }
                    if live_refunds(tx, &id).await? > 0 {
                        return Err(StoreError::Refused(Refusal::HasRefunds));
                    }
                    let changed = tx
                        .execute(
                            "UPDATE transactions SET status = 'voided', updated_at = ?2 WHERE id = ?1 AND status = 'approved' AND batch_id IS NULL",
                            args![&id, format_time(now)],
                        )
                        .await?;
                    if changed == 0 {
                        // Settled between the read and the update (another instance).
                        return Err(StoreError::Refused(Refusal::AlreadySettled));
                    }
                    txn_required(tx, &id).await
                })
            })
            .await
    }

    /// Reverses whatever `user_id`'s request with `key` did, or records a
    /// tombstone that refuses it if it comes late. Refused when another user
    /// of the merchant holds the key, and for an approved original as
    /// `domain::reversal::may_reverse_approved` decides with `window`.
    pub async fn reverse(
        &self,
        merchant_id: &str,
        user_id: &str,
        key: &str,
        now: OffsetDateTime,
        window: time::Duration,
    ) -> Result<ReversalOutcome, StoreError> {
        let (merchant_id, user_id, key) = (
            merchant_id.to_string(),
            user_id.to_string(),
            key.to_string(),
        );
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&key_lock(&merchant_id, &key)).await?;
                    if held_by_another(tx, &merchant_id, &user_id, &key).await? {
                        return Err(StoreError::Refused(Refusal::ReversalNotOwner));
                    }
                    let changed = tx
                        .execute(
                            "UPDATE idempotency SET state = 'reversed' WHERE user_id = ?1 AND key = ?2",
                            args![&user_id, &key],
                        )
                        .await?;
                    let txns = txns_where(
                        tx,
                        "WHERE t.user_id = ?1 AND t.idempotency_key = ?2 ORDER BY t.created_at, t.rowid",
                        args![&user_id, &key],
                    )
                    .await?;
                    if txns.is_empty() {
                        if changed > 0 {
                            return Ok(ReversalOutcome::NoTransaction);
                        }
                        tx.execute(
                            "INSERT INTO idempotency (user_id, key, endpoint, body_hash, state, created_at, merchant_id) \
                             VALUES (?1, ?2, 'tombstone', '', 'reversed', ?3, ?4)",
                            args![&user_id, &key, format_time(now), &merchant_id],
                        )
                        .await?;
                        return Ok(ReversalOutcome::Tombstone);
                    }
                    let stamp = format_time(now);
                    for txn in &txns {
                        match txn.status {
                            TxnStatus::Pending => {
                                tx.execute(
                                    "UPDATE transactions SET reversal_requested = TRUE, updated_at = ?2 WHERE id = ?1",
                                    args![&txn.id, &stamp],
                                )
                                .await?;
                            }
                            TxnStatus::Approved => {
                                tx.lock(&txn_lock(&txn.id)).await?;
                                let original = ApprovedOriginal {
                                    admitted_at: txn.created_at,
                                    settled: txn.batch_id.is_some(),
                                    live_refunds: live_refunds(tx, &txn.id).await?,
                                };
                                may_reverse_approved(original, now, window)
                                    .map_err(|refusal| StoreError::Refused(refusal.into()))?;
                                let changed = tx
                                    .execute(
                                        "UPDATE transactions SET status = 'reversed', reversal_requested = TRUE, updated_at = ?2 \
                                         WHERE id = ?1 AND status = 'approved' AND batch_id IS NULL",
                                        args![&txn.id, &stamp],
                                    )
                                    .await?;
                                if changed == 0 {
                                    return Err(StoreError::Refused(Refusal::AlreadySettled));
                                }
                            }
                            TxnStatus::Declined | TxnStatus::Voided | TxnStatus::Reversed => {}
                        }
                    }
                    Ok(ReversalOutcome::Transaction(Box::new(txn_required(tx, &txns[0].id).await?)))
                })
            })
            .await
    }

    /// Ends the selected pending transactions as reversed (`91`, issuer
    /// unavailable), releasing what they held, and stores `answer` as the final
    /// answer of their idempotency keys still processing. Returns them. The
    /// sweep ([`PendingSelector::CreatedBefore`]) also releases keys claimed
    /// before that time that are still processing without a transaction.
    pub async fn expire_pending(
        &self,
        which: PendingSelector,
        now: OffsetDateTime,
        answer: ExpiredAnswer,
    ) -> Result<Vec<TxnRow>, StoreError> {
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    let (clause, args): (&str, Vec<Value>) = match &which {
                        PendingSelector::CreatedBefore(at) => ("created_at < ?1", vec![format_time(*at).into()]),
                        PendingSelector::Id(id) => ("id = ?1", vec![id.into()]),
                        PendingSelector::Key { user_id, key } => {
                            ("user_id = ?1 AND idempotency_key = ?2", vec![user_id.into(), key.into()])
                        }
                    };
                    let pending = tx
                        .query(
                            &format!(
                                "SELECT id, merchant_id, idempotency_key FROM transactions \
                                 WHERE status = 'pending' AND {clause} ORDER BY created_at, rowid"
                            ),
                            &args,
                        )
                        .await?;
                    let mut expired = Vec::new();
                    for row in pending {
                        tx.lock(&key_lock(&row.text("merchant_id")?, &row.text("idempotency_key")?)).await?;
                        expired.extend(expire_one(tx, &row.text("id")?, now, &answer).await?);
                    }
                    if let PendingSelector::CreatedBefore(at) = which {
                        // A claim whose request died after its transaction was
                        // decided but before the answer was stored (a crash
                        // between the two commits): the decision is the answer.
                        let decided = tx
                            .query(
                                "SELECT i.user_id, i.key, t.id FROM idempotency i JOIN transactions t \
                                 ON t.user_id = i.user_id AND t.idempotency_key = i.key \
                                 WHERE i.state = 'processing' AND i.created_at < ?1 AND t.status != 'pending'",
                                args![format_time(at)],
                            )
                            .await?;
                        for claim in decided {
                            let row = txn_required(tx, &claim.text("id")?).await?;
                            let (status, body) = answer(&row);
                            tx.execute(
                                "UPDATE idempotency SET state = 'done', response_status = ?3, response_body = ?4 \
                                 WHERE user_id = ?1 AND key = ?2 AND state = 'processing'",
                                args![claim.text("user_id")?, claim.text("key")?, status, body],
                            )
                            .await?;
                            tracing::warn!(event = "answer_recovered", transaction_id = %row.id, "a decided transaction's lost answer stored from its state");
                        }
                        // A claim whose request died before admitting a transaction.
                        tx.execute(
                            "DELETE FROM idempotency WHERE state = 'processing' AND created_at < ?1 AND NOT EXISTS \
                             (SELECT 1 FROM transactions t WHERE t.user_id = idempotency.user_id AND t.idempotency_key = idempotency.key)",
                            args![format_time(at)],
                        )
                        .await?;
                    }
                    Ok(expired)
                })
            })
            .await
    }

    /// Stores the signature of an approved transaction that has none yet.
    pub async fn set_signature(
        &self,
        id: &str,
        strokes: &[Stroke],
        now: OffsetDateTime,
    ) -> Result<TxnRow, StoreError> {
        let id = id.to_string();
        let json =
            serde_json::to_string(strokes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&txn_lock(&id)).await?;
                    let txn = txn_required(tx, &id).await?;
                    if txn.status != TxnStatus::Approved {
                        return Err(StoreError::Refused(Refusal::NotApproved));
                    }
                    if txn.signature.is_some() {
                        return Err(StoreError::Refused(Refusal::SignatureAlreadyStored));
                    }
                    tx.execute(
                        "UPDATE transactions SET signature_json = ?2, updated_at = ?3 WHERE id = ?1",
                        args![&id, json, format_time(now)],
                    )
                    .await?;
                    txn_required(tx, &id).await
                })
            })
            .await
    }

    /// A user's unsettled captures (approved, not in a batch) matching a criterion, newest first.
    pub async fn search_unsettled(
        &self,
        user_id: &str,
        criterion: &SearchCriterion,
    ) -> Result<Vec<TxnRow>, StoreError> {
        let (clause, value) = match criterion {
            SearchCriterion::Last4(v) => ("substr(t.masked_pan, length(t.masked_pan) - 3) = ?2", v),
            SearchCriterion::AuthCode(v) => ("t.auth_code = ?2", v),
            SearchCriterion::InvoiceNo(v) => ("t.invoice_no = ?2", v),
        };
        self.all(
            format!(
                "WHERE t.user_id = ?1 AND t.status = 'approved' AND t.batch_id IS NULL AND {clause} \
                 ORDER BY t.created_at DESC, t.rowid DESC"
            ),
            vec![user_id.into(), value.into()],
        )
        .await
    }

    /// One page of the transactions `filter` matches, newest first, and how many match in all.
    pub async fn filtered(
        &self,
        filter: &TxnFilter,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<TxnRow>, u64), StoreError> {
        let (clause, mut args) = filter.where_clause();
        let count_args = args.clone();
        let count_sql = format!("SELECT COUNT(*) FROM transactions t {clause}");
        args.push(Value::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
        args.push(Value::Int(i64::try_from(offset).unwrap_or(i64::MAX)));
        let n = args.len();
        let page = format!(
            "{clause} ORDER BY t.created_at DESC, t.id DESC LIMIT ?{} OFFSET ?{n}",
            n - 1
        );
        self.store
            .read(move |tx| {
                Box::pin(async move {
                    let total = tx.query_one(&count_sql, &count_args).await?.first_int()?;
                    let rows = txns_where(tx, &page, &args).await?;
                    Ok((rows, u64::try_from(total).unwrap_or(0)))
                })
            })
            .await
    }

    /// Every transaction, newest first.
    pub async fn list(&self) -> Result<Vec<TxnRow>, StoreError> {
        self.all(
            "ORDER BY t.created_at DESC, t.rowid DESC".into(),
            Vec::new(),
        )
        .await
    }

    async fn one(
        &self,
        clause: &'static str,
        args: Vec<Value>,
    ) -> Result<Option<TxnRow>, StoreError> {
        self.store
            .read(move |tx| Box::pin(async move { txn_where(tx, clause, &args).await }))
            .await
    }

    async fn all(&self, clause: String, args: Vec<Value>) -> Result<Vec<TxnRow>, StoreError> {
        self.store
            .read(move |tx| Box::pin(async move { txns_where(tx, &clause, &args).await }))
            .await
    }
}

/// What the merchant portal filters transactions by; every field optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TxnFilter {
    /// Created at or after (UTC).
    pub from: Option<OffsetDateTime>,
    /// Created before (UTC).
    pub until: Option<OffsetDateTime>,
    /// The phone user's id.
    pub user_id: Option<String>,
    /// The brand's stored name.
    pub brand: Option<String>,
    /// The status's stored name.
    pub status: Option<String>,
    /// Whether settled (in a batch) or not.
    pub settled: Option<bool>,
    /// The card number's last 4 digits.
    pub last4: Option<String>,
    /// Authorization code.
    pub auth_code: Option<String>,
    /// Invoice number.
    pub invoice_no: Option<String>,
}

impl TxnFilter {
    /// The WHERE clause (fixed column names, every value a parameter) and its parameters.
    pub fn where_clause(&self) -> (String, Vec<Value>) {
        let mut conditions: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        let mut add = |condition: &str, value: Value| {
            args.push(value);
            conditions.push(condition.replace('?', &format!("?{}", args.len())));
        };
        if let Some(from) = self.from {
            add("t.created_at >= ?", format_time(from).into());
        }
        if let Some(until) = self.until {
            add("t.created_at < ?", format_time(until).into());
        }
        let equal = [
            ("t.user_id = ?", &self.user_id),
            ("t.brand = ?", &self.brand),
            ("t.status = ?", &self.status),
            (
                "substr(t.masked_pan, length(t.masked_pan) - 3) = ?",
                &self.last4,
            ),
            ("t.auth_code = ?", &self.auth_code),
            ("t.invoice_no = ?", &self.invoice_no),
        ];
        for (condition, value) in equal {
            if let Some(value) = value {
                add(condition, value.clone().into());
            }
        }
        match self.settled {
            Some(true) => conditions.push("t.batch_id IS NOT NULL".into()),
            Some(false) => conditions.push("t.batch_id IS NULL".into()),
            None => {}
        }
        if conditions.is_empty() {
            (String::new(), args)
        } else {
            (format!("WHERE {}", conditions.join(" AND ")), args)
        }
    }
}

#[cfg(test)]
mod filter_tests {
    use super::*;

    #[test]
    fn every_value_is_a_parameter_numbered_in_order() {
        let filter = TxnFilter {
            brand: Some("visa".into()),
            last4: Some("0119' OR 1=1 --".into()),
            settled: Some(false),
            ..TxnFilter::default()
        };
        let (clause, args) = filter.where_clause();
        assert_eq!(
            clause,
            "WHERE t.brand = ?1 AND substr(t.masked_pan, length(t.masked_pan) - 3) = ?2 AND t.batch_id IS NULL"
        );
        assert_eq!(args.len(), 2);
        assert!(!clause.contains("0119"));
    }

    #[test]
    fn no_filter_no_clause() {
        assert_eq!(TxnFilter::default().where_clause(), (String::new(), vec![]));
    }
}
