//! `GET /r/{token}`: the hosted e-receipt the QR code and the messages link
//! to. Anyone with the link may read it (the token is 128 random bits); it
//! stays online `security.receipt_page_days`, and its content security
//! policy allows nothing but its own inline style and drawing.

use super::facts::{missing_signature_text, receipt_facts, status_notice, Fact};
use super::signature_svg;
use crate::domain::receipt_page::is_online;
use crate::state::AppState;
use crate::store::TxnRow;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use mpos_wire::api::{BrandRule, TxnStatus};

pub use super::facts::{kind_label, status_label};

/// Whether the terminal's brand rule asked this transaction for a signature
/// (it was approved, so the phone showed the signature pad).
pub fn signature_required(brands: &[BrandRule], txn: &TxnRow) -> bool {
    matches!(txn.status, TxnStatus::Approved | TxnStatus::Voided)
        && brands
            .iter()
            .find(|rule| rule.brand == txn.brand)
            .is_some_and(|rule| rule.signature.requires_signature(txn.amount))
}

/// The receipt page.
#[derive(Template)]
#[template(path = "receipt/page.html")]
pub struct ReceiptPage {
    /// The receipt's lines.
    pub facts: Vec<Fact>,
    /// What it must say above all (voided, refunded...).
    pub notice: Option<&'static str>,
    /// The signature (SVG drawn here from numbers), if signed.
    pub signature_svg: Option<String>,
    /// What to say without one.
    pub no_signature: &'static str,
    /// Whether the transaction counts against the card (for the headline's colour).
    pub charged: bool,
    /// The amount, for the headline.
    pub amount: String,
}

/// A page that says only why there is no receipt.
#[derive(Template)]
#[template(path = "receipt/gone.html")]
pub struct GonePage {
    /// Title in both languages.
    pub title: &'static str,
    /// What to do, in both languages.
    pub message: &'static str,
}

/// The receipt page of `txn` (`original`: the sale a refund returns).
pub fn render(
    merchant_name: &str,
    merchant_id: &str,
    brands: &[BrandRule],
    txn: &TxnRow,
    original: Option<&TxnRow>,
) -> Result<String, askama::Error> {
    ReceiptPage {
        facts: receipt_facts(merchant_name, merchant_id, txn, original),
        notice: status_notice(txn),
        signature_svg: txn.signature.as_deref().map(signature_svg::render),
        no_signature: missing_signature_text(brands, txn),
        charged: txn.status == TxnStatus::Approved,
        amount: txn.amount.to_string(),
    }
    .render()
}

/// What the receipt page may load: nothing from anywhere, its own inline
/// style and SVG only, and it may not be framed.
pub const PAGE_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const EXPIRED: GonePage = GonePage {
    title: "簽單已下架 Receipt expired",
    message:
        "此電子簽單已超過保存期限，請洽特店。This e-receipt is no longer online; ask the merchant.",
};

const NOT_FOUND: GonePage = GonePage {
    title: "查無簽單 Receipt not found",
    message: "請確認連結是否完整。Check that the link is complete.",
};

/// The handler.
pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (status, html) = match lookup(&state, &token).await {
        Ok(Some((txn, _)))
            if !is_online(
                txn.created_at,
                state.clock.now(),
                state.config.security.receipt_page_days,
            ) =>
        {
            (StatusCode::GONE, EXPIRED.render())
        }
        Ok(Some((txn, original))) => (
            StatusCode::OK,
            render(
                &state.config.merchant.name,
                &state.config.merchant.id,
                &state.config.brands,
                &txn,
                original.as_ref(),
            ),
        ),
        Ok(None) => (StatusCode::NOT_FOUND, NOT_FOUND.render()),
        Err(e) => {
            tracing::error!(error = %e, "receipt page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, NOT_FOUND.render())
        }
    };
    let html = html.unwrap_or_else(|e| {
        tracing::error!(error = %e, "receipt template failed");
        String::new()
    });
    (
        status,
        [(header::CONTENT_SECURITY_POLICY, PAGE_POLICY)],
        Html(html),
    )
        .into_response()
}

/// The transaction of a receipt token, and the original sale of a refund.
async fn lookup(
    state: &AppState,
    token: &str,
) -> Result<Option<(TxnRow, Option<TxnRow>)>, crate::store::StoreError> {
    let Some(txn) = state.store.transactions().by_receipt_token(token).await? else {
        return Ok(None);
    };
    let original = match &txn.original_id {
        Some(id) => state.store.transactions().by_id(id).await?,
        None => None,
    };
    Ok(Some((txn, original)))
}
