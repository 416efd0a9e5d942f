//! `POST /v1/app/voids`: cancels an approved, unsettled transaction the
//! session's user made, releasing its authorization (it stops counting
//! toward limits). Needs the re-entered password, like the details screen.

use crate::auth::session::VerifiedSession;
use crate::error::{ApiJson, AppError};
use crate::payments::idempotency::{self, IdempotencyKey};
use crate::payments::summary::summarize;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;
use mpos_wire::api::{TransactionSummary, VoidRequest};

/// The handler; answers with the voided transaction.
pub async fn void(
    State(state): State<AppState>,
    VerifiedSession(session): VerifiedSession,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<VoidRequest>,
) -> Response {
    let hash = idempotency::request_hash("void", &request);
    let work = void_transaction(state.clone(), session.user.id.clone(), request);
    idempotency::run(state, session.user.id, key, "void", hash, work).await
}

/// Voids one transaction.
pub async fn void_transaction(
    state: AppState,
    user_id: String,
    request: VoidRequest,
) -> Result<TransactionSummary, AppError> {
    let row = state
        .store
        .transactions().void(&request.transaction_id, &state.config.merchant.id, &user_id, state.clock.now()).await
        .inspect_err(|e| tracing::info!(event = "void_refused", reason = %e, transaction_id = %request.transaction_id, "void refused"))?;
    tracing::info!(event = "voided", transaction_id = %row.id, user_id = %user_id, masked_pan = %row.masked_pan, amount_minor = row.amount.minor, "transaction voided");
    Ok(summarize(&state, &row))
}
