//! `POST /v1/app/transactions/{id}/receipt`: the receipt link by e-mail or
//! SMS, for the session user's own transactions only, within the rate
//! limits (per session, and SMS per user: each SMS costs the merchant).

use crate::auth::session::ReadySession;
use crate::error::{ApiJson, ApiPath, AppError};
use crate::notify::contact::{mask_email, mask_mobile, valid_email, valid_mobile};
use crate::notify::mail::Mail;
use crate::notify::sms::Sms;
use crate::rate_limits::Limit;
use crate::receipts::facts::{receipt_facts, receipt_text, status_notice, Fact};
use crate::state::AppState;
use crate::store::TxnRow;
use askama::Template;
use axum::extract::State;
use axum::Json;
use mpos_wire::api::{ReceiptDestination, SendReceiptRequest, SendReceiptResponse};
use mpos_wire::ErrorCode;

/// The e-mail's HTML part: the same facts as its text part, and the link.
#[derive(Template)]
#[template(path = "receipt/mail.html")]
pub struct ReceiptMail {
    /// The receipt's lines.
    pub facts: Vec<Fact>,
    /// What it must say above all.
    pub notice: Option<&'static str>,
    /// The amount, for the headline.
    pub amount: String,
    /// The hosted receipt.
    pub url: String,
}

/// The receipt e-mail: a text part and an HTML part saying the same.
pub async fn receipt_mail(state: &AppState, txn: &TxnRow, to: &str) -> Result<Mail, AppError> {
    let original = match &txn.original_id {
        Some(id) => state.store.transactions().by_id(id).await?,
        None => None,
    };
    let facts = receipt_facts(
        &state.config.merchant.name,
        &state.config.merchant.id,
        txn,
        original.as_ref(),
    );
    let url = state.receipt_url(&txn.receipt_token);
    let notice = status_notice(txn);
    let html = ReceiptMail {
        facts: facts.clone(),
        notice,
        amount: txn.amount.to_string(),
        url: url.clone(),
    }
    .render()
    .map_err(|e| AppError::detail(ErrorCode::Internal, format!("receipt e-mail: {e}")))?;
    Ok(Mail {
        to: to.to_string(),
        subject: format!("{} 電子簽單 / e-receipt", state.config.merchant.name),
        body: receipt_text(&facts, notice, &url),
        html: Some(html),
    })
}

/// The receipt SMS: short, with the amount, the authorization code and the link.
pub fn receipt_sms_text(state: &AppState, txn: &TxnRow) -> String {
    format!(
        "{merchant} 電子簽單 e-receipt {amount} 授權碼 Auth {auth} {url}",
        merchant = state.config.merchant.name,
        amount = txn.amount,
        auth = txn.auth_code.as_deref().unwrap_or("-"),
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
    let (channel, sent_to, result) = match request.destination {
        ReceiptDestination::Email(address) => {
            let address = address.trim().to_string();
            if !valid_email(&address) {
                return Err(ErrorCode::InvalidContact.into());
            }
            let mail = receipt_mail(&state, &txn, &address).await?;
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
                message: receipt_sms_text(&state, &txn),
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
