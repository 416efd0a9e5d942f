//! Messages for rules the phone checks itself (the gateway's own refusals
//! come with their messages in `mpos_wire::ErrorCode`). Each one says what
//! to do next, in English and Traditional Chinese.

use crate::error::UserMessage;

/// A local message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notice {
    /// Login or payment without a reader.
    ReaderNotConnected,
    /// The reader went away while a card was expected.
    ReaderDisconnected,
    /// The reader is busy with another card.
    ReaderBusy,
    /// User name or password left empty.
    CredentialsMissing,
    /// Activation code left empty.
    ActivationCodeMissing,
    /// The new password is not exactly 6 digits.
    PasswordNotSixDigits,
    /// The two entries of the new password differ.
    PasswordMismatch,
    /// The gateway could not be reached (a non-financial request).
    NoConnection,
    /// The gateway's certificate did not match the pinned key.
    SecureConnectionFailed,
    /// The user cancelled a request that moves no money.
    Cancelled,
    /// The platform denied the microphone, so the reader cannot answer.
    MicrophoneNeeded,
    /// The gateway's answer could not be read (a non-financial request).
    UnexpectedAnswer,
    /// The amount is zero.
    AmountRequired,
    /// The amount does not fit.
    AmountTooLarge,
    /// No card brand chosen.
    BrandRequired,
    /// The authorization code is not 6 letters or digits.
    AuthCodeInvalid,
    /// The chip could not be read; insert again.
    ChipReadFailed,
    /// The chip failed 3 times: the stripe may now be swiped.
    SwipeAfterChipFailure,
    /// The stripe could not be read.
    SwipeFailed,
    /// The card was taken out before the chip was read.
    CardRemovedEarly,
    /// No answer to an authorization: it is being reversed.
    OutcomeUnknown,
    /// The reversal was acknowledged: nothing was charged.
    NotCharged,
    /// The reversal needs a session: log in again.
    ReversalNeedsLogin,
    /// An approved transaction still needs the cardholder's signature.
    SignatureNeedsLogin,
    /// Confirm pressed on an empty signature pad.
    SignatureRequired,
    /// The issuer declined.
    Declined,
    /// The PIN pad is showing: the cardholder enters the PIN privately.
    EnterPin,
    /// Confirm pressed with fewer than 4 digits.
    PinTooShort,
    /// The issuer said the PIN was wrong (55).
    WrongPin,
    /// The card is read again for the PIN's next try.
    PresentCardForPinRetry,
    /// Nobody touched the PIN pad in time: the entry was cancelled.
    PinEntryTimedOut,
    /// The issuer blocked the card's PIN after too many wrong tries (75).
    PinTriesExceeded,
    /// The local journal cannot be written, so no payment can start.
    JournalUnavailable,
    /// E-receipt destination left empty.
    ReceiptDestinationMissing,
    /// Query password left empty.
    QueryPasswordMissing,
    /// No search criterion.
    SearchCriterionMissing,
    /// More than one search criterion.
    SearchOneCriterion,
    /// Last 4 digits malformed.
    Last4Invalid,
    /// Invoice number malformed.
    InvoiceNoInvalid,
    /// The search found nothing unsettled.
    NoResults,
    /// A void got no answer; pressing again is safe.
    VoidOutcomeUnknown,
    /// A settlement got no answer; the preview is reloaded.
    SettleOutcomeUnknown,
    /// The approved transaction is no longer waiting for a signature.
    SignatureNoLongerNeeded,
    /// A sale's reversal was refused because it is settled or refunded: the card was charged.
    ReversalRefusedCharged,
    /// A refund's reversal was refused because it is settled: the money went back to the card.
    ReversalRefusedRefunded,
    /// A sale's reversal came after the gateway's window: the card was charged; a void undoes it.
    ReversalTooLateCharged,
    /// A refund's reversal came after the gateway's window: the money went back; the refund stands.
    ReversalTooLateRefunded,
    /// The reader did not take the host's approval (the card may have refused it): reversing.
    ReaderRefusedApproval,
    /// An approved payment could not be written to the journal; the user must stay.
    JournalNotSaved,
    /// The signature owed belongs to another user; its text names that user
    /// (see [`Notice::with_username`]).
    SignatureOwedByAnotherUser,
    /// The pre-shift check found everything fine.
    SelfCheckReady,
    /// The pre-shift check found something to see to soon.
    SelfCheckAttention,
    /// The pre-shift check found something that stops payments.
    SelfCheckFailed,
}

impl Notice {
    /// Stable code, like the API's error codes.
    pub fn code(self) -> &'static str {
        use Notice::*;
        match self {
            ReaderNotConnected => "reader_not_connected",
            ReaderDisconnected => "reader_disconnected",
            ReaderBusy => "reader_busy",
            CredentialsMissing => "credentials_missing",
            ActivationCodeMissing => "activation_code_missing",
            PasswordNotSixDigits => "password_not_six_digits",
            PasswordMismatch => "password_mismatch",
            NoConnection => "no_connection",
            SecureConnectionFailed => "secure_connection_failed",
            Cancelled => "cancelled",
            MicrophoneNeeded => "microphone_needed",
            UnexpectedAnswer => "unexpected_answer",
            AmountRequired => "amount_required",
            AmountTooLarge => "amount_too_large",
            BrandRequired => "brand_required",
            AuthCodeInvalid => "auth_code_invalid",
            ChipReadFailed => "chip_read_failed",
            SwipeAfterChipFailure => "swipe_after_chip_failure",
            SwipeFailed => "swipe_failed",
            CardRemovedEarly => "card_removed_early",
            OutcomeUnknown => "outcome_unknown",
            NotCharged => "not_charged",
            ReversalNeedsLogin => "reversal_needs_login",
            SignatureNeedsLogin => "signature_needs_login",
            SignatureRequired => "signature_required",
            Declined => "declined",
            EnterPin => "enter_pin",
            PinTooShort => "pin_too_short",
            WrongPin => "wrong_pin",
            PresentCardForPinRetry => "present_card_for_pin_retry",
            PinEntryTimedOut => "pin_entry_timed_out",
            PinTriesExceeded => "pin_tries_exceeded",
            JournalUnavailable => "journal_unavailable",
            ReceiptDestinationMissing => "receipt_destination_missing",
            QueryPasswordMissing => "query_password_missing",
            SearchCriterionMissing => "search_criterion_missing",
            SearchOneCriterion => "search_one_criterion",
            Last4Invalid => "last4_invalid",
            InvoiceNoInvalid => "invoice_no_invalid",
            NoResults => "no_results",
            VoidOutcomeUnknown => "void_outcome_unknown",
            SettleOutcomeUnknown => "settle_outcome_unknown",
            SignatureNoLongerNeeded => "signature_no_longer_needed",
            ReversalRefusedCharged => "reversal_refused_charged",
            ReversalRefusedRefunded => "reversal_refused_refunded",
            ReversalTooLateCharged => "reversal_too_late_charged",
            ReversalTooLateRefunded => "reversal_too_late_refunded",
            ReaderRefusedApproval => "reader_refused_approval",
            JournalNotSaved => "journal_not_saved",
            SignatureOwedByAnotherUser => "signature_owed_by_another_user",
            SelfCheckReady => "self_check_ready",
            SelfCheckAttention => "self_check_attention",
            SelfCheckFailed => "self_check_failed",
        }
    }

    /// English text.
    pub fn en(self) -> &'static str {
        use Notice::*;
        match self {
            ReaderNotConnected => "Plug in the card reader, then try again.",
            ReaderDisconnected => "The card reader was unplugged. Plug it in again, then insert or swipe the card.",
            ReaderBusy => "The card reader is busy. Remove the card and try again.",
            CredentialsMissing => "Enter your user name and password.",
            ActivationCodeMissing => "Enter the activation code from the SMS.",
            PasswordNotSixDigits => "The new password must be exactly 6 digits. Enter it again.",
            PasswordMismatch => "The two passwords differ. Enter the same 6 digits twice.",
            NoConnection => "No connection to the bank. Check the network and try again.",
            SecureConnectionFailed => "The bank's server failed the security check. Do not continue; contact your merchant administrator.",
            UnexpectedAnswer => "The bank's answer could not be read. Try again later.",
            Cancelled => "Cancelled. Try again when you are ready.",
            MicrophoneNeeded => "The card reader talks through the headset jack's microphone. Allow mPOS to use the microphone: on Android, Settings > Apps > mPOS > Permissions; on iPhone, Settings > Privacy & Security > Microphone.",
            AmountRequired => "Enter an amount above NT$0.",
            AmountTooLarge => "The amount is too large. Enter it again.",
            BrandRequired => "Choose the card brand.",
            AuthCodeInvalid => "Enter the original authorization code: 6 letters or digits.",
            ChipReadFailed => "The chip could not be read. Remove the card and insert it again.",
            SwipeAfterChipFailure => "The chip could not be read 3 times. Swipe the card instead.",
            SwipeFailed => "The swipe could not be read. Swipe again, left to right, stripe facing you.",
            CardRemovedEarly => "The card was removed too early. Insert it again and leave it in.",
            OutcomeUnknown => "No answer from the bank: the result is unknown. The transaction is being cancelled; do not hand over goods and wait.",
            NotCharged => "The transaction was cancelled: the card was not charged. You can try again.",
            ReversalNeedsLogin => "An interrupted transaction must be cancelled. Log in again to finish cancelling it.",
            SignatureNeedsLogin => "An approved transaction still needs the cardholder's signature. Log in to collect it.",
            SignatureRequired => "Ask the cardholder to sign on the screen, then confirm.",
            Declined => "The card issuer declined. Ask for another card or another payment method.",
            EnterPin => "Hand the phone to the cardholder to enter the PIN privately. The keys are in a new order each time.",
            PinTooShort => "A PIN has 4 to 12 digits. Keep entering, or press Clear and start again.",
            WrongPin => "Wrong PIN: nothing was charged. Ask the cardholder to try again with the right PIN; too many wrong tries block the card.",
            PresentCardForPinRetry => "Insert or swipe the card again, then let the cardholder enter the PIN again.",
            PinEntryTimedOut => "The PIN was not entered in time, so the entry was cancelled and nothing was charged. Insert or swipe the card again to retry, or cancel the sale.",
            PinTriesExceeded => "Too many wrong PINs: the bank has blocked this card's PIN and nothing was charged. Ask for another card; the cardholder should contact the bank.",
            JournalUnavailable => "The phone's storage failed, so the payment cannot start. Free some space and restart the app.",
            ReceiptDestinationMissing => "Enter an e-mail address or a mobile number.",
            QueryPasswordMissing => "Enter your password.",
            SearchCriterionMissing => "Enter the card's last 4 digits, an authorization code or an invoice number.",
            SearchOneCriterion => "Search by one criterion at a time.",
            Last4Invalid => "The card's last digits must be exactly 4 digits.",
            InvoiceNoInvalid => "The invoice number must be 1 to 6 digits.",
            NoResults => "No unsettled transaction matches. Settled transactions are in the merchant portal.",
            VoidOutcomeUnknown => "No answer from the bank: the void may not be done. Press Void now again; it cannot void twice.",
            SettleOutcomeUnknown => "No answer from the bank: check the pending amount below before settling again.",
            SignatureNoLongerNeeded => "The interrupted transaction no longer needs a signature.",
            ReversalRefusedCharged => "This payment went through and is settled: the card was charged. Make a refund if the customer should get the money back.",
            ReversalRefusedRefunded => "This refund went through and is settled: the money was returned to the card.",
            ReversalTooLateCharged => "This payment went through: the card was charged, and it is too late to cancel it automatically. If the customer should not pay, void it under Transaction details.",
            ReversalTooLateRefunded => "This refund went through: the money was returned to the card, and it is too late to cancel it automatically.",
            ReaderRefusedApproval => "The card reader did not accept the bank's approval, so the payment is being cancelled. Do not hand over goods; wait.",
            JournalNotSaved => "The phone could not save this approved payment. Free some storage space, then try again. Do not close the app.",
            SignatureOwedByAnotherUser => "User {username} has a payment waiting for a signature; that user must log in to finish it.",
            SelfCheckReady => "All good: ready for the shift.",
            SelfCheckAttention => "You can take payments, but see to the lines marked Attention soon.",
            SelfCheckFailed => "Fix the lines marked Problem before taking payments.",
        }
    }

    /// Traditional Chinese text.
    pub fn zh(self) -> &'static str {
        use Notice::*;
        match self {
            ReaderNotConnected => "請插上讀卡機後再試。",
            ReaderDisconnected => "讀卡機已拔除，請重新插上讀卡機後再插卡或刷卡。",
            ReaderBusy => "讀卡機忙碌中，請取出卡片後再試。",
            CredentialsMissing => "請輸入用戶名稱及密碼。",
            ActivationCodeMissing => "請輸入簡訊中的啟動驗證碼。",
            PasswordNotSixDigits => "新密碼須為 6 碼數字，請重新輸入。",
            PasswordMismatch => "兩次輸入的密碼不一致，請輸入相同的 6 碼數字。",
            NoConnection => "無法連線至銀行，請檢查網路後再試。",
            SecureConnectionFailed => "銀行主機安全檢查失敗，請勿繼續交易並洽特店管理者。",
            UnexpectedAnswer => "無法辨識銀行回應，請稍後再試。",
            Cancelled => "已取消，準備好後請再試一次。",
            MicrophoneNeeded => "讀卡機經由耳機孔的麥克風與手機連線，請允許 mPOS 使用麥克風：Android 請至「設定 > 應用程式 > mPOS > 權限」；iPhone 請至「設定 > 隱私權與安全性 > 麥克風」。",
            AmountRequired => "請輸入大於 NT$0 的金額。",
            AmountTooLarge => "金額過大，請重新輸入。",
            BrandRequired => "請選擇卡別。",
            AuthCodeInvalid => "請輸入原交易授權碼（6 碼英數字）。",
            ChipReadFailed => "無法讀取晶片，請取出卡片後重新插卡。",
            SwipeAfterChipFailure => "晶片已 3 次無法讀取，請改刷磁條。",
            SwipeFailed => "無法讀取磁條，請由左至右重新刷卡（磁條面朝向自己）。",
            CardRemovedEarly => "卡片過早取出，請重新插卡並保持插入。",
            OutcomeUnknown => {
                "銀行未回應，交易結果不明，系統正在取消此筆交易，請勿交付商品並稍候。"
            }
            NotCharged => "交易已取消，卡片未被扣款，您可以重新交易。",
            ReversalNeedsLogin => "有一筆中斷的交易需要取消，請重新登入以完成取消。",
            SignatureNeedsLogin => "有一筆已核准的交易尚待持卡人簽名，請登入以完成簽名。",
            SignatureRequired => "請持卡人於螢幕上簽名後再確認。",
            Declined => "發卡銀行拒絕交易，請改用其他卡片或付款方式。",
            EnterPin => "請將手機交給持卡人私下輸入密碼；按鍵位置每次都會重新排列。",
            PinTooShort => "密碼為 4 至 12 碼，請繼續輸入，或按「清除」重新輸入。",
            WrongPin => "密碼錯誤，本筆未扣款。請持卡人以正確密碼再試一次；錯誤次數過多將鎖卡。",
            PresentCardForPinRetry => "請重新插卡或刷卡，再請持卡人重新輸入密碼。",
            PinEntryTimedOut => "密碼輸入逾時，已取消輸入，本筆未扣款。請重新插卡或刷卡再試，或取消交易。",
            PinTriesExceeded => "密碼錯誤次數過多，發卡銀行已鎖定此卡密碼，本筆未扣款。請改用其他卡片，並請持卡人洽發卡銀行。",
            JournalUnavailable => "手機儲存空間異常，無法開始交易，請釋放空間後重新開啟 App。",
            ReceiptDestinationMissing => "請輸入 E-mail 或手機號碼。",
            QueryPasswordMissing => "請輸入您的用戶密碼。",
            SearchCriterionMissing => "請輸入卡後四碼、授權碼或調閱編號。",
            SearchOneCriterion => "請一次只用一個條件查詢。",
            Last4Invalid => "卡後四碼須為 4 碼數字。",
            InvoiceNoInvalid => "調閱編號須為 1 至 6 碼數字。",
            NoResults => "查無符合的未請款交易，已請款交易請至特店入口網站查詢。",
            VoidOutcomeUnknown => {
                "銀行未回應，取消可能尚未完成，請再按一次立即取消（不會重複取消）。"
            }
            SettleOutcomeUnknown => "銀行未回應，請先確認下方待結帳金額再結帳。",
            SignatureNoLongerNeeded => "中斷的交易已不需簽名。",
            ReversalRefusedCharged => "此筆交易已完成請款，持卡人已被扣款；如需退款請做退貨交易。",
            ReversalRefusedRefunded => "此筆退貨已完成請款，款項已退回持卡人卡片。",
            ReversalTooLateCharged => "此筆交易已完成，持卡人已被扣款，且已超過自動取消時限；如持卡人不應付款，請至交易明細取消交易。",
            ReversalTooLateRefunded => "此筆退貨已完成，款項已退回持卡人卡片，且已超過自動取消時限。",
            ReaderRefusedApproval => {
                "讀卡機未接受銀行的核准，系統正在取消此筆交易，請勿交付商品並稍候。"
            }
            JournalNotSaved => "手機無法儲存此筆已核准的交易，請釋放儲存空間後再試，請勿關閉 App。",
            SignatureOwedByAnotherUser => {
                "上一位使用者 {username} 有一筆交易待簽名，請由該使用者登入完成。"
            }
            SelfCheckReady => "一切正常，可以開始營業。",
            SelfCheckAttention => "可以交易，但請盡快處理標示「注意」的項目。",
            SelfCheckFailed => "請先處理標示「異常」的項目，再開始交易。",
        }
    }

    /// The message with `{username}` filled in: a user name is no card
    /// data, and naming the user tells the merchant who must log in.
    pub fn with_username(self, username: &str) -> UserMessage {
        let mut message = UserMessage::from(self);
        message.en = message.en.replace("{username}", username);
        message.zh = message.zh.replace("{username}", username);
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owed_signature_message_names_the_user_in_both_languages() {
        let message = Notice::SignatureOwedByAnotherUser.with_username("bob");
        assert_eq!(message.code, "signature_owed_by_another_user");
        assert!(message.en.starts_with("User bob has"), "{}", message.en);
        assert!(message.zh.contains("上一位使用者 bob 有"), "{}", message.zh);
        assert!(!message.en.contains('{') && !message.zh.contains('{'));
    }
}
