//! `POST /v1/app/reversals`: the phone does not know how a request ended.
//! An approved, unsettled result is reversed; a pending one is marked so
//! that the issuer's answer ends reversed; a request that never arrived
//! leaves a tombstone that refuses it if it comes late. Only the user who
//! sent the original may reverse it, and an approved one only within the
//! reversal window (`domain::reversal`): a reversal needs no password, so
//! anything else must be a void, which does.

use crate::auth::session::ReadySession;
use crate::domain::idempotency_key;
use crate::error::{ApiJson, AppError};
use crate::payments::idempotency::{self, IdempotencyKey};
use crate::state::AppState;
use crate::store::ReversalOutcome;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use mpos_wire::api::{ReversalRequest, ReversalResponse};
use mpos_wire::ErrorCode;

/// The handler.
pub async fn reversal(
    State(state): State<AppState>,
    ReadySession(session): ReadySession,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<ReversalRequest>,
) -> Response {
    let original = request.original_idempotency_key.as_str();
    if let Err(e) = idempotency_key::check(original) {
        return AppError::detail(
            ErrorCode::BadRequest,
            format!("original_idempotency_key: {e}"),
        )
        .into_response();
    }
    if original == key {
        return AppError::detail(
            ErrorCode::BadRequest,
            "a reversal needs its own Idempotency-Key",
        )
        .into_response();
    }
    let hash = idempotency::request_hash("reversal", &request);
    let work = reverse(state.clone(), session.user.id.clone(), request);
    idempotency::run(state, session.user.id, key, "reversal", hash, work).await
}

/// Records the reversal.
pub async fn reverse(
    state: AppState,
    user_id: String,
    request: ReversalRequest,
) -> Result<ReversalResponse, AppError> {
    let outcome = state
        .store
        .transactions()
        .reverse(
            &state.config.merchant.id,
            &user_id,
            &request.original_idempotency_key,
            state.clock.now(),
            state.config.security.reversal_window(),
        )
        .await?;
    let transaction_id = match outcome {
        ReversalOutcome::Tombstone => {
            tracing::info!(event = "reversal_tombstone", user_id = %user_id, reason = ?request.reason, "original not received; it will be refused");
            None
        }
        ReversalOutcome::NoTransaction => {
            tracing::info!(event = "reversal_no_transaction", user_id = %user_id, reason = ?request.reason, "original created no transaction");
            None
        }
        ReversalOutcome::Transaction(row) => {
            tracing::info!(event = "reversal", user_id = %user_id, transaction_id = %row.id, status = ?row.status, masked_pan = %row.masked_pan, reason = ?request.reason, "reversal recorded");
            Some(row.id)
        }
    };
    Ok(ReversalResponse {
        acknowledged: true,
        transaction_id,
    })
}
