//! `GET /r/{token}`: the hosted e-receipt the QR code and the messages link
//! to. Anyone with the link may read it (the token is 128 random bits); it
//! stays online `security.receipt_page_days`, and its content security
//! policy allows nothing but its own inline style and drawing.

use super::escape_html;
use super::signature_svg;
use crate::domain::receipt_page::is_online;
use crate::settlement::business_date::TAIPEI;
use crate::state::AppState;
use crate::store::TxnRow;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use mpos_wire::api::{BrandRule, TxnKind, TxnStatus};
use mpos_wire::EntryMode;

/// Kind in both languages.
pub fn kind_label(kind: TxnKind) -> &'static str {
    match kind {
        TxnKind::Sale => "一般交易 SALE",
        TxnKind::Refund => "退貨 REFUND",
    }
}

/// Status in both languages.
pub fn status_label(status: TxnStatus) -> &'static str {
    match status {
        TxnStatus::Pending => "處理中 PENDING",
        TxnStatus::Approved => "核准 APPROVED",
        TxnStatus::Declined => "拒絕 DECLINED",
        TxnStatus::Voided => "已取消 VOIDED",
        TxnStatus::Reversed => "已沖正 REVERSED",
    }
}

fn entry_label(mode: EntryMode) -> &'static str {
    match mode {
        EntryMode::Chip => "晶片 CHIP",
        EntryMode::Swipe => "磁條 SWIPE",
        EntryMode::FallbackSwipe => "磁條（晶片失敗）FALLBACK SWIPE",
    }
}

/// Whether the terminal's brand rule asked this transaction for a signature
/// (it was approved, so the phone showed the signature pad).
pub fn signature_required(brands: &[BrandRule], txn: &TxnRow) -> bool {
    matches!(txn.status, TxnStatus::Approved | TxnStatus::Voided)
        && brands
            .iter()
            .find(|rule| rule.brand == txn.brand)
            .is_some_and(|rule| rule.signature.requires_signature(txn.amount))
}

/// The receipt as an HTML page; `signature_required` tells a missing
/// signature from one that was never needed.
pub fn render(
    merchant_name: &str,
    merchant_id: &str,
    txn: &TxnRow,
    signature_required: bool,
) -> String {
    let local = txn.created_at.to_offset(TAIPEI);
    let date = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} (Asia/Taipei)",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    );
    let rows = [
        ("特店 Merchant", format!("{merchant_name} ({merchant_id})")),
        ("端末機 Terminal", txn.terminal_id.clone()),
        ("交易類別 Type", kind_label(txn.kind).to_string()),
        ("狀態 Status", status_label(txn.status).to_string()),
        ("金額 Amount", txn.amount.to_string()),
        ("卡別 Brand", txn.brand.display_name().to_string()),
        ("卡號 Card", txn.masked_pan.to_string()),
        ("輸入方式 Entry", entry_label(txn.entry_mode).to_string()),
        (
            "授權碼 Auth code",
            txn.auth_code.clone().unwrap_or_else(|| "-".into()),
        ),
        ("調閱編號 Invoice no.", txn.invoice_no.clone()),
        ("日期 Date", date),
    ];
    let mut table = String::new();
    for (label, value) in rows {
        table.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            escape_html(label),
            escape_html(&value)
        ));
    }
    let signature = match &txn.signature {
        Some(strokes) => format!(
            "<h2>持卡人簽名 Cardholder signature</h2>\n{}",
            signature_svg::render(strokes)
        ),
        None if signature_required => "<p>簽名未上傳 Signature missing</p>".to_string(),
        None => "<p>免簽名 No signature</p>".to_string(),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-Hant\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>電子簽單 e-receipt</title></head><body>\n<h1>電子簽單 e-receipt</h1>\n<table>\n{table}</table>\n{signature}\n</body></html>\n"
    )
}

fn expired_page() -> String {
    "<!DOCTYPE html>\n<html lang=\"zh-Hant\"><head><meta charset=\"utf-8\"><title>簽單已下架 Receipt expired</title></head>\
     <body><h1>簽單已下架 Receipt expired</h1><p>此電子簽單已超過保存期限，請洽特店。This e-receipt is no longer online; ask the merchant.</p></body></html>\n"
        .to_string()
}

/// What the receipt page may load: nothing from anywhere, its own inline
/// style and SVG only, and it may not be framed.
pub const PAGE_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn not_found_page() -> String {
    "<!DOCTYPE html>\n<html lang=\"zh-Hant\"><head><meta charset=\"utf-8\"><title>查無簽單 Receipt not found</title></head>\
     <body><h1>查無簽單 Receipt not found</h1><p>請確認連結是否完整。Check that the link is complete.</p></body></html>\n"
        .to_string()
}

/// The handler.
pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let (status, html) = match state.store.transactions().by_receipt_token(&token).await {
        Ok(Some(txn))
            if !is_online(
                txn.created_at,
                state.clock.now(),
                state.config.security.receipt_page_days,
            ) =>
        {
            (StatusCode::GONE, expired_page())
        }
        Ok(Some(txn)) => (
            StatusCode::OK,
            render(
                &state.config.merchant.name,
                &state.config.merchant.id,
                &txn,
                signature_required(&state.config.brands, &txn),
            ),
        ),
        Ok(None) => (StatusCode::NOT_FOUND, not_found_page()),
        Err(e) => {
            tracing::error!(error = %e, "receipt page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, not_found_page())
        }
    };
    (
        status,
        [(header::CONTENT_SECURITY_POLICY, PAGE_POLICY)],
        Html(html),
    )
        .into_response()
}
