//! What a receipt says, in both languages, wherever it is shown: the hosted
//! page, the e-mail's text and HTML parts. A cardholder's language is not
//! known, so every label is Traditional Chinese and English side by side.

use crate::receipts::page::signature_required;
use crate::settlement::business_date::TAIPEI;
use crate::store::TxnRow;
use mpos_wire::api::{BrandRule, TxnKind, TxnStatus};
use mpos_wire::EntryMode;

/// One line of a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// Label in Traditional Chinese.
    pub zh: &'static str,
    /// Label in English.
    pub en: &'static str,
    /// The value.
    pub value: String,
}

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

/// `2030-03-10 10:00:00 (Asia/Taipei)`.
pub fn taipei_date_time(txn: &TxnRow) -> String {
    let local = txn.created_at.to_offset(TAIPEI);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} (Asia/Taipei)",
        local.year(),
        u8::from(local.month()),
        local.day(),
        local.hour(),
        local.minute(),
        local.second()
    )
}

/// The receipt's lines; `original` is the sale a refund returns.
pub fn receipt_facts(
    merchant_name: &str,
    merchant_id: &str,
    txn: &TxnRow,
    original: Option<&TxnRow>,
) -> Vec<Fact> {
    let fact = |zh, en, value: String| Fact { zh, en, value };
    let mut facts = vec![
        fact(
            "特店",
            "Merchant",
            format!("{merchant_name} ({merchant_id})"),
        ),
        fact("端末機", "Terminal", txn.terminal_id.clone()),
        fact("交易類別", "Type", kind_label(txn.kind).to_string()),
        fact("狀態", "Status", status_label(txn.status).to_string()),
        fact("金額", "Amount", txn.amount.to_string()),
        fact("卡別", "Brand", txn.brand.display_name().to_string()),
        fact("卡號", "Card", txn.masked_pan.to_string()),
        fact("輸入方式", "Entry", entry_label(txn.entry_mode).to_string()),
        fact(
            "授權碼",
            "Auth code",
            txn.auth_code.clone().unwrap_or_else(|| "-".into()),
        ),
        fact("調閱編號", "Invoice no.", txn.invoice_no.clone()),
        fact("日期", "Date", taipei_date_time(txn)),
    ];
    if txn.kind == TxnKind::Sale && txn.refunded.minor > 0 {
        facts.push(fact("已退貨", "Refunded", txn.refunded.to_string()));
    }
    if let Some(original) = original {
        facts.push(fact(
            "原交易調閱編號",
            "Original invoice no.",
            original.invoice_no.clone(),
        ));
    }
    facts
}

/// What the receipt must say above all, when the sale did not simply go through.
pub fn status_notice(txn: &TxnRow) -> Option<&'static str> {
    match (txn.kind, txn.status) {
        (_, TxnStatus::Voided) => Some("此交易已取消，持卡人不會被扣款。This transaction was voided: the cardholder is not charged."),
        (_, TxnStatus::Reversed) => Some("此交易已沖正，持卡人不會被扣款。This transaction was reversed: the cardholder is not charged."),
        (_, TxnStatus::Declined) => Some("此交易未核准，持卡人未被扣款。This transaction was declined: the cardholder was not charged."),
        (TxnKind::Refund, TxnStatus::Approved) => Some("此為退貨，款項將退回持卡人帳戶。This is a refund: the amount returns to the cardholder's account."),
        (TxnKind::Sale, TxnStatus::Approved) if txn.refunded.minor > 0 => Some("此交易已部分或全部退貨，見「已退貨」。This sale was refunded in part or whole; see Refunded."),
        _ => None,
    }
}

/// What the signature area says when there is no signature.
pub fn missing_signature_text(brands: &[BrandRule], txn: &TxnRow) -> &'static str {
    if signature_required(brands, txn) {
        "簽名未上傳 Signature missing"
    } else {
        "免簽名 No signature"
    }
}

/// The receipt as plain text (the e-mail's text part).
pub fn receipt_text(facts: &[Fact], notice: Option<&str>, url: &str) -> String {
    let mut text = String::from("電子簽單 e-receipt\n\n");
    if let Some(notice) = notice {
        text.push_str(notice);
        text.push_str("\n\n");
    }
    for f in facts {
        text.push_str(&format!("{} {}: {}\n", f.zh, f.en, f.value));
    }
    text.push_str(&format!("\n簽單與簽名 Receipt and signature: {url}\n"));
    text
}
