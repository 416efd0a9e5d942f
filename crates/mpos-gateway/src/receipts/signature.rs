//! `POST /v1/app/transactions/{id}/signature`: on the session user's own transactions only.

use crate::auth::session::ReadySession;
use crate::error::{ApiJson, ApiPath, AppError};
use crate::payments::summary::summarize;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use mpos_wire::api::{SignatureRequest, Stroke, TransactionSummary};
use mpos_wire::ErrorCode;

/// Checks the pad's output: 1..=50 strokes of 2..=2000 points inside the 0..=1000 square.
pub fn validate(strokes: &[Stroke]) -> Result<(), AppError> {
    if strokes.is_empty() || strokes.len() > 50 {
        return Err(AppError::detail(
            ErrorCode::BadRequest,
            "a signature has 1 to 50 strokes",
        ));
    }
    for stroke in strokes {
        if !(2..=2000).contains(&stroke.points.len()) {
            return Err(AppError::detail(
                ErrorCode::BadRequest,
                "each stroke has 2 to 2000 points",
            ));
        }
        if stroke.points.iter().any(|p| p.x > 1000 || p.y > 1000) {
            return Err(AppError::detail(
                ErrorCode::BadRequest,
                "points lie within 0..=1000",
            ));
        }
    }
    Ok(())
}

/// The handler.
pub async fn sign(
    State(state): State<AppState>,
    ReadySession(session): ReadySession,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<SignatureRequest>,
) -> Result<Json<TransactionSummary>, AppError> {
    validate(&request.strokes)?;
    let txn = state
        .store
        .transactions()
        .by_id(&id)
        .await?
        .filter(|t| t.merchant_id == state.config.merchant.id && t.user_id == session.user.id)
        .ok_or(ErrorCode::NotFound)?;
    let row = state
        .store
        .transactions()
        .set_signature(&txn.id, &request.strokes, state.clock.now())
        .await
        .map_err(|e| match e {
            crate::store::StoreError::Refused(crate::store::Refusal::SignatureAlreadyStored) => {
                AppError::detail(ErrorCode::BadRequest, "the transaction is already signed")
            }
            other => other.into(),
        })?;
    tracing::info!(event = "signed", transaction_id = %row.id, user_id = %session.user.id, strokes = request.strokes.len(), "signature stored");
    Ok(Json(summarize(&state, &row)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mpos_wire::api::Point;

    fn stroke(n: usize, at: u16) -> Stroke {
        Stroke {
            points: vec![Point { x: at, y: at }; n],
        }
    }

    #[test]
    fn bounds() {
        assert!(validate(&[stroke(2, 1000)]).is_ok());
        assert!(validate(&[]).is_err());
        assert!(validate(&vec![stroke(2, 0); 51]).is_err());
        assert!(validate(&vec![stroke(2, 0); 50]).is_ok());
        assert!(validate(&[stroke(1, 0)]).is_err());
        assert!(validate(&[stroke(2001, 0)]).is_err());
        assert!(validate(&[stroke(2000, 0)]).is_ok());
        assert!(validate(&[stroke(2, 1001)]).is_err());
    }
}
