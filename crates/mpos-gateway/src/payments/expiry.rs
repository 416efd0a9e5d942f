//! Pending transactions the gateway gives up on. A transaction stays
//! `pending` only while its issuer is being asked; if the answer cannot be
//! recorded (store failure, no free authorization code, a dead task, a
//! restart during a slow issuer) it would hold the daily limit, block voids
//! and keep its idempotency key `request_in_progress` forever. Such rows end
//! `reversed` with response code `91` (issuer unavailable), and their key
//! gets that as its final answer, so a retry learns the outcome.

use crate::payments::authorize::{accepted_rule, authorization_response};
use crate::payments::summary::summarize;
use crate::state::AppState;
use crate::store::{PendingSelector, StoreError, TxnRow};
use mpos_wire::api::AuthorizationResponse;

/// The final answer of a sale or refund request from its transaction: a
/// given-up one (reversed), or one decided whose answer was lost in a crash
/// (then asking for the signature the brand's rule wants, as the lost
/// answer did).
pub fn answer(state: &AppState, row: &TxnRow) -> (u16, String) {
    let response = match accepted_rule(state, row.brand) {
        Ok(rule) => authorization_response(state, row, &rule),
        Err(_) => AuthorizationResponse {
            transaction: summarize(state, row),
            signature_required: false,
            issuer_authentication: None,
        },
    };
    (200, serde_json::to_string(&response).unwrap_or_default())
}

async fn expire(state: &AppState, which: PendingSelector) -> Result<Vec<TxnRow>, StoreError> {
    let answering = state.clone();
    let rows = state
        .store
        .transactions()
        .expire_pending(
            which,
            state.clock.now(),
            Box::new(move |row| answer(&answering, row)),
        )
        .await?;
    for row in &rows {
        tracing::warn!(
            event = "pending_reversed",
            transaction_id = %row.id,
            user_id = %row.user_id,
            masked_pan = %row.masked_pan,
            amount_minor = row.amount.minor,
            response_code = %row.response_code,
            "pending transaction given up and reversed"
        );
    }
    Ok(rows)
}

/// Reverses every transaction pending for longer than `issuer.pending_timeout_ms`.
/// Runs at start-up and on every scheduler tick; returns how many it ended.
pub async fn sweep(state: &AppState) -> Result<usize, StoreError> {
    let timeout = i64::try_from(state.config.issuer.pending_timeout_ms).unwrap_or(i64::MAX);
    let Some(before) = state
        .clock
        .now()
        .checked_sub(time::Duration::milliseconds(timeout))
    else {
        return Ok(0);
    };
    Ok(expire(state, PendingSelector::CreatedBefore(before))
        .await?
        .len())
}

/// Reverses one transaction whose answer could not be recorded; `None` when it is no longer pending.
pub async fn expire_txn(state: &AppState, id: &str) -> Result<Option<TxnRow>, StoreError> {
    Ok(expire(state, PendingSelector::Id(id.to_string()))
        .await?
        .into_iter()
        .next())
}

/// Reverses the pending transaction of a user's idempotency key, if any (its task died).
pub async fn expire_key(
    state: &AppState,
    user_id: &str,
    key: &str,
) -> Result<Option<TxnRow>, StoreError> {
    let which = PendingSelector::Key {
        user_id: user_id.to_string(),
        key: key.to_string(),
    };
    Ok(expire(state, which).await?.into_iter().next())
}
