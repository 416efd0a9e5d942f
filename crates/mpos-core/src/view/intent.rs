//! What a shell sends back: the [`Intent`] of a pressed button or chosen
//! option, and the [`FieldId`] of an edited input. Together with the
//! inputs' text (kept in [`super::form::Form`]) they become the core's
//! typed `UserAction`s; the shells never build one.

use mpos_wire::Brand;

/// The inputs of every screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum FieldId {
    /// Login: account name.
    Username,
    /// Login: password (default or own).
    Password,
    /// First login: the SMS code.
    ActivationCode,
    /// First login: new 6-digit password.
    NewPassword,
    /// First login: the same again.
    NewPasswordConfirmation,
    /// Sale or refund amount, whole NT$.
    Amount,
    /// Refund: the original authorization code.
    OriginalAuthCode,
    /// Receipt: e-mail address or mobile number.
    ReceiptContact,
    /// Transaction details: the password again.
    QueryPassword,
    /// Search: the card's last 4 digits.
    SearchLast4,
    /// Search: authorization code.
    SearchAuthCode,
    /// Search: invoice number (調閱編號).
    SearchInvoiceNo,
}

/// A card brand the cashier can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CardBrand {
    /// Visa.
    Visa,
    /// Mastercard.
    Mastercard,
    /// JCB.
    Jcb,
    /// UnionPay (銀聯).
    UnionPay,
    /// American Express.
    Amex,
}

impl From<Brand> for CardBrand {
    fn from(brand: Brand) -> CardBrand {
        match brand {
            Brand::Visa => CardBrand::Visa,
            Brand::Mastercard => CardBrand::Mastercard,
            Brand::Jcb => CardBrand::Jcb,
            Brand::UnionPay => CardBrand::UnionPay,
            Brand::Amex => CardBrand::Amex,
        }
    }
}

impl From<CardBrand> for Brand {
    fn from(brand: CardBrand) -> Brand {
        match brand {
            CardBrand::Visa => Brand::Visa,
            CardBrand::Mastercard => Brand::Mastercard,
            CardBrand::Jcb => Brand::Jcb,
            CardBrand::UnionPay => Brand::UnionPay,
            CardBrand::Amex => Brand::Amex,
        }
    }
}

/// What a button or an option asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Intent {
    /// 登入, with the account and password inputs.
    LogIn,
    /// 確認 the activation code.
    SubmitActivationCode,
    /// 確認 the new password (both inputs).
    SetNewPassword,
    /// 開始接受付款.
    StartSale,
    /// 開始接受退貨.
    StartRefund,
    /// 交易明細.
    OpenTransactions,
    /// 登出.
    LogOut,
    /// A card brand chosen.
    ChooseBrand {
        /// The brand.
        brand: CardBrand,
    },
    /// 立即付款.
    PayNow,
    /// 立即退貨.
    RefundNow,
    /// 繼續 after the original authorization code.
    ContinueRefund,
    /// Abandon the payment (before the card is read) or leave a decline.
    CancelPayment,
    /// A key of the PIN pad (its position; the shell never knows the digit's meaning).
    PinKey {
        /// 0 to 9, in the keypad's reading order.
        key: u8,
    },
    /// 清除 the PIN entered so far.
    ClearPin,
    /// 確認 the PIN.
    ConfirmPin,
    /// 重新輸入密碼 after a wrong PIN.
    RetryPin,
    /// Clear the signature pad.
    ClearSignature,
    /// 確認簽名.
    ConfirmSignature,
    /// 寄出電子簽單 to the contact input.
    SendReceipt,
    /// After a void: show the e-receipt.
    ShowReceipt,
    /// 完成 on the receipt.
    FinishReceipt,
    /// 確認 the password again before the transaction details.
    SubmitQueryPassword,
    /// 查詢 with the search inputs.
    Search,
    /// A search result tapped.
    OpenTransaction {
        /// Its gateway id.
        id: String,
    },
    /// 立即取消.
    VoidNow,
    /// 返回銷售詳情.
    BackToDetails,
    /// 進入結帳.
    EnterSettlement,
    /// 立即結帳.
    SettleNow,
    /// One step back (the system back button too).
    Back,
    /// Stop the request running now (only one that moves no money).
    CancelRequest,
    /// 開班前檢查, from login or home.
    OpenSelfCheck,
    /// 重新檢查 on the pre-shift check.
    RunSelfCheck,
}
