//! `POST /v1/app/transactions/{id}/receipt`: the receipt link by e-mail or
//! SMS, for the session user's own transactions only, within the rate
//! limits (per session, and SMS per user: each SMS costs the merchant).

use crate::auth::session::ReadySession;
use crate::error::{ApiJson, ApiPath, AppError};
use crate::notify::contact::{mask_email, mask_mobile, valid_email, valid_mobile};
use crate::notify::mail::Mail;
use crate::notify::sms::Sms;
use crate::rate_limits::Limit;
use crate::receipts::page::{kind_label, status_label};
use crate::state::AppState;
use crate::store::TxnRow;
use axum::extract::State;
use axum::Json;
use mpos_wire::api::{ReceiptDestination, SendReceiptRequest, SendReceiptResponse};
use mpos_wire::ErrorCode;

/// The receipt's text: amount, masked PAN, authorization code and link.
pub fn receipt_text(state: &AppState, txn: &TxnRow) -> String {
    format!(
        "{merchant} 電子簽單 e-receipt\n{kind} {status}\n金額 Amount: {amount}\n卡號 Card: {card}\n授權碼 Auth code: {auth}\n調閱編號 Invoice no.: {invoice}\n{url}",
        merchant = state.config.merchant.name,
        kind = kind_label(txn.kind),
        status = status_label(txn.status),
        amount = txn.amount,
        card = txn.masked_pan,
        auth = txn.auth_code.as_deref().unwrap_or("-"),
        invoice = txn.invoice_no,
        url = state.receipt_url(&txn.receipt_token),
    )
}

/// The handler.
pub async fn send(
    State(state): State<AppState>,
    ReadySession(session): ReadySession,
    ApiPath(id): ApiPath<String>,
    ApiJson(request): ApiJson<SendReceiptRequest>,
) -> Result<Json<SendReceiptResponse>, AppError> {
    state
        .rate_limits
        .check(Limit::ReceiptPerSession, &session.row.token_hash)
        .await?;
    let txn = state
        .store
        .transactions()
        .by_id(&id)
        .await?
        .filter(|t| t.merchant_id == state.config.merchant.id && t.user_id == session.user.id)
        .ok_or(ErrorCode::NotFound)?;
    let text = receipt_text(&state, &txn);
    let (channel, sent_to, result) = match request.destination {
        ReceiptDestination::Email(address) => {
            let address = address.trim().to_string();
            if !valid_email(&address) {
                return Err(ErrorCode::InvalidContact.into());
            }
            let mail = Mail {
                to: address.clone(),
                subject: format!("{} 電子簽單 / e-receipt", state.config.merchant.name),
                body: text,
            };
            (
                "email",
                mask_email(&address),
                state.mailer.send(&mail).await,
            )
        }
        ReceiptDestination::Sms(number) => {
            let number = number.trim().to_string();
            if !valid_mobile(&number) {
                return Err(ErrorCode::InvalidContact.into());
            }
            state
                .rate_limits
                .check(Limit::SmsPerUser, &session.user.id)
                .await?;
            let sms = Sms {
                to: number.clone(),
                message: text,
            };
            ("sms", mask_mobile(&number), state.sms.send(&sms).await)
        }
    };
    match result {
        Ok(()) => {
            tracing::info!(event = "receipt_sent", channel, transaction_id = %txn.id, user_id = %session.user.id, sent_to = %sent_to, "e-receipt sent");
            Ok(Json(SendReceiptResponse { sent_to }))
        }
        Err(e) => {
            tracing::error!(event = "receipt_failed", channel, transaction_id = %txn.id, error = %e, "e-receipt delivery failed");
            Err(ErrorCode::DeliveryFailed.into())
        }
    }
}
