//! `POST /v1/app/sales`: check, open the card, translate the PIN block
//! when the brand's rule asks a PIN, verify a chip read's ARQC,
//! admit atomically against the daily limit, ask the issuer, answer a chip
//! approval with the ARPC, keep only the masked PAN and card token.

use crate::auth::session::ReadySession;
use crate::domain::fallback::{self, FallbackVerdict};
use crate::emv;
use crate::error::{ApiJson, AppError};
use crate::payments::authorize::{
    accepted_rule, authorization_response, log_outcome, pending_txn, record_issuer_answer, Attempt,
};
use crate::payments::card::open_card;
use crate::payments::idempotency::{self, IdempotencyKey};
use crate::payments::limits::check_sale;
use crate::settlement::business_date::TAIPEI;
use crate::state::AppState;
use crate::store::{Admission, UserRow};
use axum::extract::State;
use axum::response::Response;
use mpos_wire::api::{AuthorizationResponse, SaleRequest, TxnKind, TxnStatus};
use mpos_wire::{EntryMode, ErrorCode};

/// The handler.
pub async fn sale(
    State(state): State<AppState>,
    ReadySession(session): ReadySession,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<SaleRequest>,
) -> Response {
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
    let rule = accepted_rule(&state, request.brand)?;
    check_sale(request.amount, &user.limits)?;
    let card = open_card(&state, &request.card).await?;
    if card.brand != Some(request.brand) {
        tracing::info!(event = "sale_refused", reason = "brand_mismatch", masked_pan = %card.masked_pan, "card brand differs from the chosen brand");
        return Err(ErrorCode::BrandMismatch.into());
    }
    match fallback::judge(
        card.has_chip(),
        request.card.entry_mode,
        card.attested_chip_failures,
    ) {
        FallbackVerdict::NotASwipeOfAChipCard => {}
        FallbackVerdict::Attested => {
            tracing::info!(event = "fallback_swipe", masked_pan = %card.masked_pan, reader_id = %card.reader_id, chip_failures = card.attested_chip_failures, "fallback swipe attested by the reader");
        }
        FallbackVerdict::Refused => {
            tracing::warn!(event = "sale_refused", reason = "chip_required", masked_pan = %card.masked_pan, reader_id = %card.reader_id, entry_mode = ?request.card.entry_mode, chip_failures = card.attested_chip_failures, "chip card swiped without the reader's fallback attestation");
            return Err(ErrorCode::ChipRequired.into());
        }
    }
    let pin = match (&request.pin, rule.requires_pin(request.amount)) {
        (None, true) => {
            tracing::info!(event = "sale_refused", reason = "pin_required", masked_pan = %card.masked_pan, "the brand's rule asks a PIN and none came");
            return Err(ErrorCode::PinRequired.into());
        }
        (None, false) => None,
        (Some(pin), _) => Some(state.hsm.translate_pin(pin, &card).map_err(|e| {
            tracing::warn!(event = "sale_refused", reason = %e, masked_pan = %card.masked_pan, "PIN block refused");
            AppError::from(ErrorCode::PinDataInvalid)
        })?),
    };
    let chip = if request.card.entry_mode == EntryMode::Chip {
        let verified = emv::verify_chip(
            &state.hsm,
            &card,
            request.card.emv_tlv.as_deref(),
            request.amount,
            TxnKind::Sale,
        );
        Some(verified.map_err(|e| {
            tracing::warn!(event = "sale_refused", reason = %e, masked_pan = %card.masked_pan, "chip data refused");
            AppError::from(e.code())
        })?)
    } else {
        None
    };
    let attempt = Attempt {
        kind: TxnKind::Sale,
        amount: request.amount,
        brand: request.brand,
        entry_mode: request.card.entry_mode,
        original_id: None,
        idempotency_key: key,
        user: &user,
    };
    let pending = state
        .store
        .transactions()
        .insert_pending(
            &pending_txn(&state, attempt, &card),
            Admission::Sale {
                per_day: user.limits.per_day,
            },
        )
        .await;
    let pending = pending.inspect_err(|e| {
        tracing::info!(event = "sale_refused", reason = %e, masked_pan = %card.masked_pan, amount_minor = request.amount.minor, "sale not admitted");
    })?;
    tracing::info!(event = "sale_pending", transaction_id = %pending.id, masked_pan = %pending.masked_pan, amount_minor = pending.amount.minor, "sent to issuer");
    let today = state.clock.now().to_offset(TAIPEI).date();
    let decision = state
        .issuer
        .authorize_sale(&card, pin.as_ref(), today)
        .await;
    // The clear card data is not needed any more.
    drop(card);
    let row = record_issuer_answer(&state, &pending.id, decision).await?;
    log_outcome(&row);
    let mut response = authorization_response(&state, &row, &rule);
    if let Some(chip) = chip.filter(|_| row.status == TxnStatus::Approved) {
        response.issuer_authentication = Some(emv::approval(&chip, &row.response_code));
    }
    Ok(response)
}
