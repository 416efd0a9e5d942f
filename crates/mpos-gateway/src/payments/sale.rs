//! `POST /v1/app/sales`: check, open the card, admit atomically against the
//! daily limit, ask the issuer, keep only the masked PAN and card token.

use crate::auth::session::ReadySession;
use crate::error::{ApiJson, AppError};
use crate::ids::{new_id, random_hex};
use crate::issuer;
use crate::payments::authorize::{log_outcome, record_issuer_answer};
use crate::payments::card::open_card;
use crate::payments::idempotency;
use crate::payments::limits::check_sale;
use crate::payments::summary::summarize;
use crate::settlement::business_date::TAIPEI;
use crate::state::AppState;
use crate::store::{Admission, NewTxn, UserRow};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use mpos_wire::api::{AuthorizationResponse, SaleRequest, TxnKind, TxnStatus};
use mpos_wire::{EntryMode, ErrorCode};

/// The handler.
pub async fn sale(
    State(state): State<AppState>,
    ReadySession(session): ReadySession,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SaleRequest>,
) -> Response {
    let key = match idempotency::key_from(&headers) {
        Ok(key) => key,
        Err(e) => return e.into_response(),
    };
    let hash = idempotency::request_hash("sale", &request);
    let user = session.user;
    let work = authorize_sale(state.clone(), user.clone(), key.clone(), request);
    idempotency::run(state, user.id, key, "sale", hash, work).await
}

/// The sale itself, run once per idempotency key.
pub async fn authorize_sale(
    state: AppState,
    user: UserRow,
    key: String,
    request: SaleRequest,
) -> Result<AuthorizationResponse, AppError> {
    let rule = state
        .config
        .brands
        .iter()
        .find(|rule| rule.brand == request.brand && rule.accepted)
        .cloned()
        .ok_or(ErrorCode::BrandNotAccepted)?;
    check_sale(request.amount, &user.limits)?;
    let card = open_card(&state, &request.card)?;
    if card.brand != Some(request.brand) {
        tracing::info!(event = "sale_refused", reason = "brand_mismatch", masked_pan = %card.masked_pan, "card brand differs from the chosen brand");
        return Err(ErrorCode::BrandMismatch.into());
    }
    if card.has_chip() && request.card.entry_mode == EntryMode::Swipe {
        tracing::info!(event = "sale_refused", reason = "chip_required", masked_pan = %card.masked_pan, "chip card swiped");
        return Err(ErrorCode::ChipRequired.into());
    }
    let now = state.clock.now();
    let pending = state.store.insert_pending(
        &NewTxn {
            id: new_id("txn"),
            user_id: user.id.clone(),
            merchant_id: state.config.merchant.id.clone(),
            terminal_id: user.terminal_id.clone(),
            kind: TxnKind::Sale,
            amount: request.amount,
            brand: request.brand,
            masked_pan: card.masked_pan.clone(),
            card_token: card.card_token.clone(),
            entry_mode: request.card.entry_mode,
            created_at: now,
            business_date: state.cutoff.business_date(now),
            original_id: None,
            idempotency_key: key,
            receipt_token: random_hex(16),
        },
        Admission::Sale {
            per_day: user.limits.per_day,
        },
    );
    let pending = pending.inspect_err(|e| {
        tracing::info!(event = "sale_refused", reason = %e, masked_pan = %card.masked_pan, amount_minor = request.amount.minor, "sale not admitted");
    })?;
    tracing::info!(event = "sale_pending", transaction_id = %pending.id, masked_pan = %pending.masked_pan, amount_minor = pending.amount.minor, "sent to issuer");
    let decision = issuer::authorize_sale(&card, now.to_offset(TAIPEI).date());
    // The clear card data is not needed any more.
    drop(card);
    let row = record_issuer_answer(&state, &pending.id, decision).await?;
    log_outcome(&row);
    let signature_required =
        row.status == TxnStatus::Approved && rule.signature.requires_signature(row.amount);
    Ok(AuthorizationResponse {
        transaction: summarize(&state, &row),
        signature_required,
    })
}
