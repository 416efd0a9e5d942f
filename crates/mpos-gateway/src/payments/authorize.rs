//! Asking the issuer and recording its answer, shared by sales and refunds.

use crate::error::AppError;
use crate::hsm::OpenedCard;
use crate::ids::{new_id, random_digits, random_hex};
use crate::issuer::IssuerDecision;
use crate::payments::expiry::expire_txn;
use crate::payments::summary::summarize;
use crate::state::AppState;
use crate::store::{IssuerOutcome, NewTxn, StoreError, TxnRow, UserRow};
use mpos_wire::api::{AuthorizationResponse, BrandRule, TxnKind, TxnStatus};
use mpos_wire::{Brand, EntryMode, ErrorCode, Money};

/// The merchant's rule for a brand it accepts.
pub fn accepted_rule(state: &AppState, brand: Brand) -> Result<BrandRule, AppError> {
    state
        .config
        .brands
        .iter()
        .find(|rule| rule.brand == brand && rule.accepted)
        .cloned()
        .ok_or_else(|| ErrorCode::BrandNotAccepted.into())
}

/// What a sale or refund asks for, before it is admitted.
pub struct Attempt<'a> {
    /// Sale or refund.
    pub kind: TxnKind,
    /// Amount asked for.
    pub amount: Money,
    /// Brand chosen on the phone.
    pub brand: Brand,
    /// How the card was read.
    pub entry_mode: EntryMode,
    /// The sale a refund gives back.
    pub original_id: Option<String>,
    /// The request's idempotency key.
    pub idempotency_key: String,
    /// Who asks.
    pub user: &'a UserRow,
}

/// The pending row for an attempt: only the masked PAN and the card token of the card.
pub fn pending_txn(state: &AppState, attempt: Attempt<'_>, card: &OpenedCard) -> NewTxn {
    let now = state.clock.now();
    NewTxn {
        id: new_id("txn"),
        user_id: attempt.user.id.clone(),
        merchant_id: state.config.merchant.id.clone(),
        terminal_id: attempt.user.terminal_id.clone(),
        kind: attempt.kind,
        amount: attempt.amount,
        brand: attempt.brand,
        masked_pan: card.masked_pan.clone(),
        card_token: card.card_token.clone(),
        entry_mode: attempt.entry_mode,
        created_at: now,
        business_date: state.cutoff.business_date(now),
        original_id: attempt.original_id,
        idempotency_key: attempt.idempotency_key,
        receipt_token: random_hex(16),
    }
}

/// The answer to a sale or refund: the transaction and whether the brand's rule wants a signature.
pub fn authorization_response(
    state: &AppState,
    row: &TxnRow,
    rule: &BrandRule,
) -> AuthorizationResponse {
    AuthorizationResponse {
        transaction: summarize(state, row),
        signature_required: row.status == TxnStatus::Approved
            && rule.signature.requires_signature(row.amount),
        issuer_authentication: None,
    }
}

/// Waits for the (simulated) issuer, then records its answer with a fresh,
/// unique 6-digit authorization code when approved. When the answer cannot
/// be recorded the transaction ends reversed rather than pending.
pub async fn record_issuer_answer(
    state: &AppState,
    txn_id: &str,
    decision: IssuerDecision,
) -> Result<TxnRow, AppError> {
    match complete(state, txn_id, decision).await {
        Ok(row) => Ok(row),
        Err(error) => give_up(state, txn_id, error).await,
    }
}

async fn complete(
    state: &AppState,
    txn_id: &str,
    decision: IssuerDecision,
) -> Result<TxnRow, AppError> {
    let answered_at = state.clock.now();
    for _ in 0..50 {
        let outcome = IssuerOutcome {
            response_code: decision.response_code.to_string(),
            response_text: decision.text().to_string(),
            auth_code: decision.approved().then(|| random_digits(6)),
            answered_at,
            business_date: state.cutoff.business_date(answered_at),
        };
        match state
            .store
            .transactions()
            .complete_authorization(txn_id, &outcome)
            .await
        {
            Err(StoreError::AuthCodeTaken) => continue,
            other => return other.map_err(AppError::from),
        }
    }
    Err(AppError::detail(
        ErrorCode::Internal,
        "no free authorization code",
    ))
}

/// Ends a transaction whose answer could not be recorded as reversed, so it
/// holds no limit and its key gets a final answer; when even that fails the
/// sweep ends it later.
async fn give_up(state: &AppState, txn_id: &str, error: AppError) -> Result<TxnRow, AppError> {
    tracing::error!(event = "authorization_not_recorded", transaction_id = %txn_id, error = %error.error, "issuer answer not recorded; reversing");
    match expire_txn(state, txn_id).await {
        Ok(Some(row)) => Ok(row),
        Ok(None) => match state.store.transactions().by_id(txn_id).await {
            Ok(Some(row)) if row.status != TxnStatus::Pending => Ok(row),
            _ => Err(error),
        },
        Err(e) => {
            tracing::error!(event = "pending_reversal_failed", transaction_id = %txn_id, error = %e, "left for the sweep");
            Err(error)
        }
    }
}

/// Logs the final state of an authorization (masked PAN only).
pub fn log_outcome(row: &TxnRow) {
    tracing::info!(
        event = "authorization_result",
        transaction_id = %row.id,
        kind = ?row.kind,
        status = ?row.status,
        response_code = %row.response_code,
        amount_minor = row.amount.minor,
        brand = row.brand.code(),
        masked_pan = %row.masked_pan,
        invoice_no = %row.invoice_no,
        auth_code = row.auth_code.as_deref().unwrap_or("-"),
        business_date = %crate::settlement::business_date::format_date(row.business_date),
        "issuer answered"
    );
}
