//! What the user can do: one variant per button or form of the KGI mPOS screens.

use mpos_wire::api::{Point, ReceiptDestination, TransactionSearch};
use mpos_wire::Brand;
use std::fmt;

/// A user action; the shells send one per tap or submitted form.
#[derive(Clone, PartialEq, Eq)]
pub enum UserAction {
    /// "Log in" (登入).
    Login {
        /// Account name.
        username: String,
        /// Default password (first login) or the 6-digit password.
        password: String,
    },
    /// "Confirm" with the SMS activation code (啟動驗證碼).
    SubmitActivationCode {
        /// The code.
        code: String,
    },
    /// "Confirm" with the new 6-digit password, entered twice.
    SetNewPassword {
        /// New password.
        password: String,
        /// The same again.
        confirmation: String,
    },
    /// "Start accepting payment" (開始接受付款).
    StartSale,
    /// "Start accepting refund" (開始接受退貨).
    StartRefund,
    /// The amount field, in whole NT$.
    EnterAmount {
        /// Whole dollars.
        dollars: u64,
    },
    /// The card-brand choice (卡別).
    ChooseBrand {
        /// The brand.
        brand: Brand,
    },
    /// "Pay now" (立即付款).
    PayNow,
    /// "Refund now" (立即退貨).
    RefundNow,
    /// The original authorization code (原交易授權碼).
    EnterOriginalAuthCode {
        /// As typed.
        code: String,
    },
    /// "Continue" (繼續) after the authorization code.
    ContinueRefund,
    /// A key of the PIN pad touched: its position on the reader's layout.
    PinKey {
        /// 0 to 9, in the keypad's reading order.
        key: u8,
    },
    /// Clear the PIN entered so far (清除).
    ClearPin,
    /// Confirm the PIN (確認).
    ConfirmPin,
    /// After a wrong PIN: read the card again and enter the PIN again.
    RetryPin,
    /// One pen stroke on the signature pad.
    AddSignatureStroke {
        /// Points in a 0..=1000 square.
        points: Vec<Point>,
    },
    /// Clear the signature pad.
    ClearSignature,
    /// Confirm the signature.
    ConfirmSignature,
    /// "Send e-receipt" (寄出電子簽單) to an e-mail address or a mobile number.
    SendReceipt {
        /// Where to.
        destination: ReceiptDestination,
    },
    /// After a void: show the e-receipt and its QR code without sending yet.
    ShowReceipt,
    /// Done with the receipt.
    FinishReceipt,
    /// Main menu "Transaction details" (交易明細).
    OpenTransactions,
    /// The password, again, before the transaction query.
    EnterQueryPassword {
        /// As typed.
        password: String,
    },
    /// Search unsettled transactions by one criterion.
    Search {
        /// Last 4 digits, authorization code or invoice number (調閱編號).
        criteria: TransactionSearch,
    },
    /// A search result tapped.
    OpenTransaction {
        /// Its gateway id.
        id: String,
    },
    /// "Void now" (立即取消).
    VoidNow,
    /// "Back to sale details" (返回銷售詳情).
    BackToDetails,
    /// "Enter settlement" (進入結帳).
    EnterSettlement,
    /// "Settle now" (立即結帳).
    SettleNow,
    /// The back button.
    Back,
    /// Log out.
    Logout,
    /// Abandon the payment in progress (only before the card is read).
    CancelPayment,
    /// "Pre-shift check" (開班前檢查), from login or home.
    OpenSelfCheck,
    /// "Check again" on the pre-shift check.
    RunSelfCheck,
}

impl fmt::Debug for UserAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Passwords and codes never reach a log line.
        match self {
            UserAction::Login { username, .. } => {
                write!(
                    f,
                    "Login {{ username: {username:?}, password: <redacted> }}"
                )
            }
            UserAction::SubmitActivationCode { .. } => {
                f.write_str("SubmitActivationCode { <redacted> }")
            }
            UserAction::SetNewPassword { .. } => f.write_str("SetNewPassword { <redacted> }"),
            UserAction::EnterQueryPassword { .. } => {
                f.write_str("EnterQueryPassword { <redacted> }")
            }
            UserAction::StartSale => f.write_str("StartSale"),
            UserAction::StartRefund => f.write_str("StartRefund"),
            UserAction::EnterAmount { dollars } => {
                write!(f, "EnterAmount {{ dollars: {dollars} }}")
            }
            UserAction::ChooseBrand { brand } => write!(f, "ChooseBrand {{ brand: {brand:?} }}"),
            UserAction::PayNow => f.write_str("PayNow"),
            UserAction::RefundNow => f.write_str("RefundNow"),
            UserAction::EnterOriginalAuthCode { code } => {
                write!(f, "EnterOriginalAuthCode {{ code: {code:?} }}")
            }
            UserAction::ContinueRefund => f.write_str("ContinueRefund"),
            UserAction::AddSignatureStroke { points } => {
                write!(f, "AddSignatureStroke {{ points: {} }}", points.len())
            }
            // Which key was touched stays out of logs: with the layout it is the PIN.
            UserAction::PinKey { .. } => f.write_str("PinKey"),
            UserAction::ClearPin => f.write_str("ClearPin"),
            UserAction::ConfirmPin => f.write_str("ConfirmPin"),
            UserAction::RetryPin => f.write_str("RetryPin"),
            UserAction::ClearSignature => f.write_str("ClearSignature"),
            UserAction::ConfirmSignature => f.write_str("ConfirmSignature"),
            UserAction::SendReceipt { .. } => f.write_str("SendReceipt { <contact> }"),
            UserAction::ShowReceipt => f.write_str("ShowReceipt"),
            UserAction::FinishReceipt => f.write_str("FinishReceipt"),
            UserAction::OpenTransactions => f.write_str("OpenTransactions"),
            UserAction::Search { criteria } => write!(f, "Search {{ criteria: {criteria:?} }}"),
            UserAction::OpenTransaction { id } => write!(f, "OpenTransaction {{ id: {id:?} }}"),
            UserAction::VoidNow => f.write_str("VoidNow"),
            UserAction::BackToDetails => f.write_str("BackToDetails"),
            UserAction::EnterSettlement => f.write_str("EnterSettlement"),
            UserAction::SettleNow => f.write_str("SettleNow"),
            UserAction::Back => f.write_str("Back"),
            UserAction::Logout => f.write_str("Logout"),
            UserAction::CancelPayment => f.write_str("CancelPayment"),
            UserAction::OpenSelfCheck => f.write_str("OpenSelfCheck"),
            UserAction::RunSelfCheck => f.write_str("RunSelfCheck"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets_and_contacts() {
        let actions = [
            UserAction::Login {
                username: "amy".into(),
                password: "secret-1".into(),
            },
            UserAction::SubmitActivationCode {
                code: "secret-2".into(),
            },
            UserAction::SetNewPassword {
                password: "secret-3".into(),
                confirmation: "secret-3".into(),
            },
            UserAction::EnterQueryPassword {
                password: "secret-4".into(),
            },
            UserAction::SendReceipt {
                destination: ReceiptDestination::Email("secret-5@example.tw".into()),
            },
        ];
        let text = format!("{actions:?}");
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("amy"));
    }
}
