//! `POST /v1/app/refunds`: against an approved sale found by its
//! authorization code, swiped, with the same card, within what is left.

use crate::auth::session::ReadySession;
use crate::error::{ApiJson, AppError};
use crate::payments::authorize::{
    accepted_rule, authorization_response, log_outcome, pending_txn, record_issuer_answer, Attempt,
};
use crate::payments::card::open_card;
use crate::payments::idempotency::{self, IdempotencyKey};
use crate::payments::limits::{check_amount, check_refund};
use crate::state::AppState;
use crate::store::{Admission, UserRow};
use axum::extract::State;
use axum::response::Response;
use mpos_wire::api::{AuthorizationResponse, RefundRequest, TxnKind};
use mpos_wire::ErrorCode;

/// The handler.
pub async fn refund(
    State(state): State<AppState>,
    ReadySession(session): ReadySession,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<RefundRequest>,
) -> Response {
    let hash = idempotency::request_hash("refund", &request);
    let user = session.user;
    let work = authorize_refund(state.clone(), user.clone(), key.clone(), request);
    idempotency::run(state, user.id, key, "refund", hash, work).await
}

/// The refund itself, run once per idempotency key.
pub async fn authorize_refund(
    state: AppState,
    user: UserRow,
    key: String,
    request: RefundRequest,
) -> Result<AuthorizationResponse, AppError> {
    check_amount(request.amount)?;
    let rule = accepted_rule(&state, request.brand)?;
    let original = state
        .store
        .transactions()
        .sale_by_auth_code(&state.config.merchant.id, request.original_auth_code.trim())
        .await?
        .ok_or(ErrorCode::OriginalNotFound)?;
    if !request.card.entry_mode.is_swipe() {
        return Err(ErrorCode::SwipeRequired.into());
    }
    let card = open_card(&state, &request.card).await?;
    if card.brand != Some(request.brand) || original.brand != request.brand {
        return Err(ErrorCode::BrandMismatch.into());
    }
    if card.card_token != original.card_token {
        tracing::info!(event = "refund_refused", reason = "card_mismatch", masked_pan = %card.masked_pan, original_id = %original.id, "refund card is not the sale's card");
        return Err(ErrorCode::CardMismatch.into());
    }
    if request.amount.minor
        > original
            .amount
            .minor
            .saturating_sub(original.refunded.minor)
    {
        return Err(ErrorCode::RefundExceedsOriginal.into());
    }
    check_refund(request.amount, &user.limits)?;
    let attempt = Attempt {
        kind: TxnKind::Refund,
        amount: request.amount,
        brand: request.brand,
        entry_mode: request.card.entry_mode,
        original_id: Some(original.id.clone()),
        idempotency_key: key,
        user: &user,
    };
    let pending = state
        .store
        .transactions().insert_pending(&pending_txn(&state, attempt, &card), Admission::Refund).await
        .inspect_err(|e| tracing::info!(event = "refund_refused", reason = %e, original_id = %original.id, "refund not admitted"))?;
    tracing::info!(event = "refund_pending", transaction_id = %pending.id, original_id = %original.id, masked_pan = %pending.masked_pan, amount_minor = pending.amount.minor, "sent to issuer");
    let decision = state.issuer.authorize_refund(&card).await;
    drop(card);
    let row = record_issuer_answer(&state, &pending.id, decision).await?;
    log_outcome(&row);
    Ok(authorization_response(&state, &row, &rule))
}
