//! The phone's settlement screens: preview and settle now. Both sit under
//! transaction details, so they need the re-entered password.

use crate::auth::session::VerifiedSession;
use crate::clock::format_time;
use crate::error::AppError;
use crate::settlement::batch::{batch_summary, totals};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use mpos_wire::api::{SettleResponse, SettlementPreview};
use mpos_wire::ErrorCode;

/// `GET /v1/app/settlement`: the terminal's unsettled captures.
pub async fn preview(
    State(state): State<AppState>,
    VerifiedSession(session): VerifiedSession,
) -> Result<Json<SettlementPreview>, AppError> {
    let unsettled = state
        .store
        .settlement()
        .unsettled(&session.user.terminal_id)
        .await?;
    Ok(Json(SettlementPreview {
        totals: totals(&unsettled),
        next_auto_settlement: format_time(state.cutoff.next_run(state.clock.now())),
    }))
}

/// `POST /v1/app/settlement`: closes the terminal's unsettled captures into a batch now.
pub async fn settle(
    State(state): State<AppState>,
    VerifiedSession(session): VerifiedSession,
) -> Result<Json<SettleResponse>, AppError> {
    let now = state.clock.now();
    let user = &session.user;
    let batch = state
        .store
        .settlement()
        .settle_terminal(
            &user.terminal_id,
            &state.config.merchant.id,
            state.cutoff.business_date(now),
            now,
        )
        .await?
        .ok_or(ErrorCode::NothingToSettle)?;
    tracing::info!(event = "batch_closed", trigger = "manual", batch_id = %batch.id, terminal_id = %batch.terminal_id, captures = batch.count(), user_id = %user.id, "manual settlement closed a batch");
    Ok(Json(SettleResponse {
        batch: batch_summary(&batch),
    }))
}
