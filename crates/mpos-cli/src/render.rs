//! Screens as text: what a terminal shows of each `Screen`, with the same
//! titles, fields and buttons as the KGI mPOS app (Chinese / English).

use mpos_core::{CardPrompt, Screen, UserMessage};
use mpos_wire::api::{TransactionSummary, TxnKind, TxnStatus};
use std::fmt::Write;

const WIDTH: usize = 64;

/// The screen as a framed block of text.
pub fn render_screen(screen: &Screen) -> String {
    let mut body = Vec::new();
    let title = match screen {
        Screen::Login {
            reader_connected,
            message,
        } => {
            body.push(format!(
                "讀卡機 Reader: {}",
                if *reader_connected {
                    "已連接 connected"
                } else {
                    "請插上讀卡機 plug in the reader"
                }
            ));
            body.push("帳號 Account: ______   密碼 Password: ______".into());
            push_message(&mut body, message);
            body.push("[登入 Log in]".into());
            "mPOS 登入 Log in"
        }
        Screen::Activation { message } => {
            body.push("請輸入簡訊中的啟動驗證碼 Enter the activation code from the SMS".into());
            push_message(&mut body, message);
            body.push("[確認 Confirm]".into());
            "首次登入 First login"
        }
        Screen::NewPassword { message } => {
            body.push("新密碼 New password (6 碼數字 6 digits): ______".into());
            body.push("再次輸入 Confirm: ______".into());
            push_message(&mut body, message);
            body.push("[確認 Confirm]".into());
            "修改密碼 New password"
        }
        Screen::Loading { message } => {
            push_message(&mut body, message);
            body.push("處理中 Please wait ...".into());
            "mPOS"
        }
        Screen::Home {
            display_name,
            merchant_name,
            reader_connected,
            message,
        } => {
            body.push(merchant_name.clone());
            body.push(format!("使用者 User: {display_name}"));
            body.push(format!(
                "讀卡機 Reader: {}",
                if *reader_connected {
                    "已連接 connected"
                } else {
                    "未連接 not connected"
                }
            ));
            push_message(&mut body, message);
            body.push("[開始接受付款 Start accepting payment]".into());
            body.push("[開始接受退貨 Start accepting refund]".into());
            body.push("[交易明細 Transaction details]   [登出 Log out]".into());
            "首頁 Home"
        }
        Screen::Amount {
            kind,
            dollars,
            brand,
            accepted_brands,
            message,
        } => {
            let amount = mpos_wire::Money::twd_dollars(*dollars)
                .map_or_else(|| format!("NT${dollars}"), |m| m.to_string());
            body.push(format!("金額 Amount: {amount}"));
            let brands: Vec<String> = accepted_brands
                .iter()
                .map(|b| {
                    if Some(*b) == *brand {
                        format!("({b})")
                    } else {
                        b.to_string()
                    }
                })
                .collect();
            body.push(format!("卡別 Brand: {}", brands.join("  ")));
            push_message(&mut body, message);
            body.push(match kind {
                TxnKind::Sale => "[立即付款 Pay now]".into(),
                TxnKind::Refund => "[立即退貨 Refund now]".into(),
            });
            match kind {
                TxnKind::Sale => "開始付款 Payment",
                TxnKind::Refund => "開始退貨 Refund",
            }
        }
        Screen::RefundAuthCode {
            amount,
            brand,
            auth_code,
            message,
        } => {
            body.push(format!("退貨金額 Refund: {amount}  {brand}"));
            body.push(format!(
                "原交易授權碼 Original authorization code: {auth_code}"
            ));
            push_message(&mut body, message);
            body.push("[繼續 Continue]".into());
            "退貨 Refund"
        }
        Screen::PresentCard {
            kind,
            amount,
            brand,
            prompt,
            chip_failures,
            message,
        } => {
            body.push(format!("{amount}  {brand}"));
            body.push(
                match prompt {
                    CardPrompt::InsertOrSwipe => {
                        "請插卡或刷卡 Insert or swipe the card (chip first)"
                    }
                    CardPrompt::InsertChip => "此為晶片卡，請插卡 Chip card: insert the chip",
                    CardPrompt::SwipeOnly => "退貨僅能刷卡 Refunds: swipe the card",
                    CardPrompt::SwipeAfterChipFailure => {
                        "晶片無法讀取，請刷卡 Chip unreadable: swipe the card"
                    }
                }
                .into(),
            );
            if *chip_failures > 0 {
                body.push(format!("晶片讀取失敗次數 Chip failures: {chip_failures}"));
            }
            push_message(&mut body, message);
            body.push("[取消 Cancel]".into());
            match kind {
                TxnKind::Sale => "插卡或刷卡 Present card",
                TxnKind::Refund => "刷卡 Swipe card",
            }
        }
        Screen::Authorizing {
            kind,
            amount,
            brand,
            masked_pan,
        } => {
            body.push(format!("{kind:?} {amount}  {brand}  {masked_pan}"));
            body.push("授權中，請稍候 Authorizing, please wait ...".into());
            "授權 Authorizing"
        }
        Screen::OutcomeUnknown {
            amount,
            masked_pan,
            reversal_acknowledged,
            message,
            ..
        } => {
            body.push(format!("{amount}  {masked_pan}"));
            body.push(if *reversal_acknowledged {
                "已沖正，未扣款 Reversed: the card was not charged".into()
            } else {
                "結果未知，沖正中 Outcome unknown: reversing ...".into()
            });
            push_message(&mut body, message);
            "交易結果未知 Outcome unknown"
        }
        Screen::Declined {
            amount,
            masked_pan,
            response_code,
            response_text,
            message,
        } => {
            body.push(format!("{amount}  {masked_pan}"));
            body.push(format!("拒絕 Declined: {response_code} {response_text}"));
            push_message(&mut body, message);
            body.push("[返回 Back]".into());
            "交易失敗 Declined"
        }
        Screen::Signature {
            transaction,
            stroke_count,
            message,
        } => {
            push_transaction(&mut body, transaction);
            body.push(format!(
                "請持卡人簽名 Cardholder, please sign ({stroke_count} strokes)"
            ));
            body.push("+------------------------------------------+".into());
            body.push(format!(
                "|{:^42}|",
                if *stroke_count > 0 {
                    "~~~ signed ~~~"
                } else {
                    ""
                }
            ));
            body.push("+------------------------------------------+".into());
            push_message(&mut body, message);
            body.push("[清除 Clear]   [確認 Confirm]".into());
            "簽名 Signature"
        }
        Screen::Receipt {
            transaction,
            receipt_url,
            qr,
            sent_to,
            message,
        } => {
            push_transaction(&mut body, transaction);
            body.push(format!("電子簽單 e-receipt: {receipt_url}"));
            body.extend(qr.to_terminal_text().lines().map(str::to_string));
            for to in sent_to {
                body.push(format!("已寄出 Sent to: {to}"));
            }
            push_message(&mut body, message);
            body.push(
                "E-mail / 手機 Mobile: ______  [寄出電子簽單 Send e-receipt]  [完成 Done]".into(),
            );
            "電子簽單 e-receipt"
        }
        Screen::QueryPassword { message } => {
            body.push("請輸入用戶密碼 Enter your password".into());
            push_message(&mut body, message);
            body.push("[登入 Log in]".into());
            "交易明細 Transaction details"
        }
        Screen::TransactionSearch {
            criteria,
            results,
            message,
        } => {
            body.push(format!(
                "卡後四碼 Last 4: {}  授權碼 Auth code: {}  調閱編號 Invoice: {}",
                criteria.last4.as_deref().unwrap_or("-"),
                criteria.auth_code.as_deref().unwrap_or("-"),
                criteria.invoice_no.as_deref().unwrap_or("-")
            ));
            for t in results {
                body.push(format!(
                    "{} {:?} {} {} {} {:?}",
                    t.invoice_no,
                    t.kind,
                    t.amount,
                    t.masked_pan,
                    t.auth_code.as_deref().unwrap_or("-"),
                    t.status
                ));
            }
            push_message(&mut body, message);
            body.push("[搜尋 Search]   [進入結帳 Enter settlement]".into());
            "未請款交易明細 Unsettled transactions"
        }
        Screen::TransactionDetail {
            transaction,
            can_void,
            message,
        } => {
            push_transaction(&mut body, transaction);
            push_message(&mut body, message);
            if *can_void {
                body.push("[立即取消 Void now]".into());
            }
            "銷售詳情 Sale details"
        }
        Screen::VoidDone { transaction } => {
            push_transaction(&mut body, transaction);
            body.push("[寄出電子簽單 Send e-receipt]   [返回銷售詳情 Back to sale details]".into());
            "已取消 Voided"
        }
        Screen::SettlementReview { preview, message } => {
            match preview {
                Some(preview) => {
                    let t = &preview.totals;
                    body.push(format!("待結帳筆數 Pending count: {}", t.count));
                    body.push(format!("待結帳金額 Pending amount: {}", t.net_total));
                    body.push(format!(
                        "銷售 Sales: {} / {}   退貨 Refunds: {} / {}",
                        t.sales_count, t.sales_total, t.refunds_count, t.refunds_total
                    ));
                    for b in &t.per_brand {
                        body.push(format!(
                            "  {}: {} sales {}, {} refunds {}",
                            b.brand, b.sales_count, b.sales_total, b.refunds_count, b.refunds_total
                        ));
                    }
                    body.push(format!(
                        "自動結帳 Automatic settlement: {}",
                        preview.next_auto_settlement
                    ));
                }
                None => body.push("載入中 Loading ...".into()),
            }
            push_message(&mut body, message);
            body.push("[立即結帳 Settle now]".into());
            "信用卡結帳 Settlement"
        }
        Screen::SettlementDone { batch } => {
            body.push(format!("批次 Batch: {}", batch.id));
            body.push(format!("營業日 Business date: {}", batch.business_date));
            body.push(format!(
                "筆數 Count: {}   金額 Net: {}",
                batch.totals.count, batch.totals.net_total
            ));
            "結帳完成 Settled"
        }
    };
    frame(title, &body)
}

fn push_message(body: &mut Vec<String>, message: &Option<UserMessage>) {
    if let Some(message) = message {
        body.push(format!("! {}", message.zh));
        body.push(format!("! {}", message.en));
    }
}

fn push_transaction(body: &mut Vec<String>, t: &TransactionSummary) {
    let kind = match t.kind {
        TxnKind::Sale => "一般交易 Sale",
        TxnKind::Refund => "退貨 Refund",
    };
    let status = match t.status {
        TxnStatus::Approved => "核准 Approved",
        TxnStatus::Declined => "拒絕 Declined",
        TxnStatus::Voided => "已取消 Voided",
        TxnStatus::Reversed => "已沖正 Reversed",
        TxnStatus::Pending => "處理中 Pending",
    };
    body.push(format!("{kind}  {status}  {}", t.amount));
    body.push(format!("{}  {}  {:?}", t.brand, t.masked_pan, t.entry_mode));
    body.push(format!(
        "授權碼 Auth code: {}   調閱編號 Invoice: {}",
        t.auth_code.as_deref().unwrap_or("-"),
        t.invoice_no
    ));
    if t.batch_id.is_some() {
        body.push("已請款 Settled".into());
    }
}

fn frame(title: &str, body: &[String]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "+{}+", "-".repeat(WIDTH));
    let _ = writeln!(out, "| {title}");
    let _ = writeln!(out, "+{}+", "-".repeat(WIDTH));
    for line in body {
        let _ = writeln!(out, "| {line}");
    }
    let _ = write!(out, "+{}+", "-".repeat(WIDTH));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_without_reader_says_to_plug_it_in() {
        let text = render_screen(&Screen::Login {
            reader_connected: false,
            message: None,
        });
        assert!(text.contains("請插上讀卡機"), "{text}");
        assert!(text.contains("[登入 Log in]"));
    }

    #[test]
    fn messages_show_in_both_languages() {
        let message = UserMessage::from_code(mpos_wire::ErrorCode::AlreadySettled);
        let text = render_screen(&Screen::NewPassword {
            message: Some(message),
        });
        assert!(text.contains("退貨"), "{text}");
        assert!(text.contains("refund"), "{text}");
    }
}
