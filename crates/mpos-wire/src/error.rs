//! The one error type of the HTTP API: a stable code plus messages, in
//! Traditional Chinese and English, that tell the user what to do next.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why the gateway refused a request. The JSON form is the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body, query or headers are malformed.
    BadRequest,
    /// No session, or the session token is unknown.
    Unauthorized,
    /// The session has expired.
    SessionExpired,
    /// The session is not allowed to do this (wrong stage or role).
    Forbidden,
    /// Wrong user name or password.
    InvalidCredentials,
    /// Too many wrong passwords; the account is locked for a while.
    AccountLocked,
    /// The administrator disabled the account.
    AccountDisabled,
    /// First login: the SMS activation code must be entered first.
    ActivationRequired,
    /// First login: a new password must be set first.
    PasswordChangeRequired,
    /// Transaction details need the password entered again (a short-lived grant).
    PasswordReentryRequired,
    /// Login needs the card reader plugged in (its serial number).
    ReaderRequired,
    /// The activation code is wrong or already used.
    ActivationCodeInvalid,
    /// The activation code is older than its lifetime.
    ActivationCodeExpired,
    /// The new password is not exactly 6 digits, or repeats the old one.
    PasswordRule,
    /// The amount is above the user's per-transaction limit.
    LimitPerTransactionExceeded,
    /// The amount would take the user above the daily limit.
    LimitPerDayExceeded,
    /// The amount is zero or out of range.
    InvalidAmount,
    /// The chosen brand is not accepted by this merchant.
    BrandNotAccepted,
    /// The card's brand differs from the brand chosen on screen.
    BrandMismatch,
    /// A chip card was swiped without a chip failure first.
    ChipRequired,
    /// Refunds take the magnetic stripe only.
    SwipeRequired,
    /// The encrypted card data could not be opened or checked.
    CardDataInvalid,
    /// The chip's cryptogram (ARQC) did not verify, or does not cover this amount, currency or kind.
    CryptogramInvalid,
    /// The reader's key serial number was used before.
    KsnReused,
    /// The card's brand and amount need the cardholder's PIN, and none came.
    PinRequired,
    /// The PIN block could not be deciphered for this card read.
    PinDataInvalid,
    /// No transaction has this authorization code or id.
    OriginalNotFound,
    /// The refund is larger than what is left of the original sale.
    RefundExceedsOriginal,
    /// The refund card is not the card of the original sale.
    CardMismatch,
    /// The transaction is already settled; refund it instead.
    AlreadySettled,
    /// The transaction is already voided or reversed.
    AlreadyVoided,
    /// Only approved transactions can be voided or refunded.
    NotApproved,
    /// The sale has refunds; void those first.
    HasRefunds,
    /// The thing asked for does not exist.
    NotFound,
    /// The idempotency key was used with a different request.
    IdempotencyConflict,
    /// A request with this idempotency key is still being processed.
    RequestInProgress,
    /// The reversal came first, so this request is refused.
    AlreadyReversed,
    /// The approved original is older than the reversal window: void it with the password instead.
    ReversalWindowPassed,
    /// Another user made the original: only that user (or a void with the password) may undo it.
    ReversalNotOwner,
    /// Too many requests of this kind from this user, session or address; wait and try again.
    TooManyRequests,
    /// The request did not arrive whole in time.
    RequestTimeout,
    /// Nothing to settle.
    NothingToSettle,
    /// The e-mail address or phone number is malformed.
    InvalidContact,
    /// The e-mail or SMS could not be handed to the provider.
    DeliveryFailed,
    /// The gateway failed; the request may be retried.
    Internal,
}

impl ErrorCode {
    /// HTTP status for this code.
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            BadRequest | PasswordRule | InvalidAmount | InvalidContact | CardDataInvalid
            | PinDataInvalid => 400,
            Unauthorized | SessionExpired | InvalidCredentials => 401,
            Forbidden
            | AccountDisabled
            | ActivationRequired
            | PasswordChangeRequired
            | PasswordReentryRequired
            | ReversalNotOwner => 403,
            OriginalNotFound | NotFound => 404,
            IdempotencyConflict | RequestInProgress | AlreadyReversed | AlreadySettled
            | AlreadyVoided | NotApproved | HasRefunds | KsnReused | ReversalWindowPassed => 409,
            ActivationCodeInvalid
            | ActivationCodeExpired
            | LimitPerTransactionExceeded
            | LimitPerDayExceeded
            | BrandNotAccepted
            | BrandMismatch
            | ChipRequired
            | SwipeRequired
            | CryptogramInvalid
            | PinRequired
            | RefundExceedsOriginal
            | CardMismatch
            | NothingToSettle
            | ReaderRequired => 422,
            RequestTimeout => 408,
            AccountLocked => 423,
            TooManyRequests => 429,
            DeliveryFailed => 502,
            Internal => 500,
        }
    }

    /// What the user reads, in Traditional Chinese, saying what to do next.
    pub fn message_zh(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadRequest => "請求格式錯誤，請更新 App 後再試。",
            Unauthorized => "請重新登入。",
            SessionExpired => "登入已逾時，請重新登入。",
            Forbidden => "您沒有執行此操作的權限，請洽特店管理者。",
            InvalidCredentials => "帳號或密碼錯誤，請重新輸入。連續錯誤 5 次將鎖定帳號。",
            AccountLocked => "密碼錯誤次數過多，帳號已暫時鎖定，請稍後再試或洽特店管理者重設密碼。",
            AccountDisabled => "帳號已停用，請洽特店管理者。",
            ActivationRequired => "首次登入請先輸入簡訊中的啟動驗證碼。",
            PasswordChangeRequired => "請先設定新密碼（6 碼數字）。",
            PasswordReentryRequired => "請重新輸入密碼後再查詢交易明細。",
            ReaderRequired => "請插上讀卡機後再登入。",
            ActivationCodeInvalid => "啟動驗證碼錯誤，請確認簡訊後重新輸入。",
            ActivationCodeExpired => "啟動驗證碼已逾期，請洽特店管理者重新發送。",
            PasswordRule => "新密碼須為 6 碼數字，且不可與原密碼相同，請重新設定。",
            LimitPerTransactionExceeded => {
                "金額超過單筆交易限額，請降低金額或洽特店管理者調整限額。"
            }
            LimitPerDayExceeded => "已超過今日交易限額，請洽特店管理者調整限額。",
            InvalidAmount => "金額不正確，請重新輸入。",
            BrandNotAccepted => "本特店不接受此卡別，請改用其他卡片。",
            BrandMismatch => "卡片與所選卡別不符，請重新選擇卡別。",
            ChipRequired => "此為晶片卡，請插入晶片，勿刷磁條。",
            SwipeRequired => "退貨交易僅能刷卡，請刷磁條。",
            CardDataInvalid => "無法辨識卡片資料，請重新插卡或刷卡。",
            CryptogramInvalid => "晶片卡驗證失敗，請重新插卡；若仍失敗，請改用其他卡片。",
            KsnReused => "讀卡機安全檢查失敗，請重新插拔讀卡機後再試。",
            PinRequired => "此卡需由持卡人輸入密碼，請重新交易並請持卡人輸入密碼。",
            PinDataInvalid => "密碼資料無法驗證，請重新插卡或刷卡，並請持卡人重新輸入密碼。",
            OriginalNotFound => "查無原交易，請確認授權碼後重新輸入。",
            RefundExceedsOriginal => "退貨金額超過原交易可退金額，請修改金額。",
            CardMismatch => "退貨須使用原交易之卡片，請改刷原卡。",
            AlreadySettled => "此交易已請款結帳，無法取消，請改做退貨。",
            AlreadyVoided => "此交易已取消，無需再次取消。",
            NotApproved => "此交易未核准，無法取消或退貨。",
            HasRefunds => "此交易已有退貨，請先取消退貨交易。",
            NotFound => "查無資料。",
            IdempotencyConflict => "交易編號重複，請重新開始交易。",
            RequestInProgress => "交易處理中，請稍候。",
            AlreadyReversed => "此交易已沖正，請重新開始交易。",
            ReversalWindowPassed => {
                "此交易核准已久，無法自動沖正；如需取消，請至交易明細輸入密碼後取消交易。"
            }
            ReversalNotOwner => {
                "此交易由其他使用者建立，請該使用者登入本機處理，或至交易明細輸入密碼後取消交易。"
            }
            TooManyRequests => "操作過於頻繁，請稍候一分鐘再試。",
            RequestTimeout => "連線逾時，請確認網路後再試一次。",
            NothingToSettle => "目前沒有待結帳交易。",
            InvalidContact => "E-mail 或手機號碼格式錯誤，請重新輸入。",
            DeliveryFailed => "電子簽單寄送失敗，請稍後再試或改用 QR Code。",
            Internal => "系統忙碌中，請稍後再試。",
        }
    }

    /// What the user reads, in English, saying what to do next.
    pub fn message_en(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadRequest => "The request was malformed. Update the app and try again.",
            Unauthorized => "Please log in again.",
            SessionExpired => "Your session has expired. Please log in again.",
            Forbidden => "You are not allowed to do this. Ask your merchant administrator.",
            InvalidCredentials => "Wrong user name or password. Try again; 5 wrong tries lock the account.",
            AccountLocked => "Too many wrong passwords: the account is locked for a while. Try later or ask your administrator to reset the password.",
            AccountDisabled => "This account is disabled. Ask your merchant administrator.",
            ActivationRequired => "First login: enter the activation code from the SMS.",
            PasswordChangeRequired => "Set a new password of exactly 6 digits first.",
            PasswordReentryRequired => "Enter your password again to open transaction details.",
            ReaderRequired => "Plug in the card reader, then log in.",
            ActivationCodeInvalid => "Wrong activation code. Check the SMS and enter it again.",
            ActivationCodeExpired => "The activation code has expired. Ask your merchant administrator to send a new one.",
            PasswordRule => "The new password must be exactly 6 digits and differ from the old one.",
            LimitPerTransactionExceeded => "The amount is above your per-transaction limit. Lower it or ask your administrator to raise the limit.",
            LimitPerDayExceeded => "This would exceed your daily limit. Ask your administrator to raise the limit.",
            InvalidAmount => "The amount is not valid. Enter it again.",
            BrandNotAccepted => "This card brand is not accepted here. Use another card.",
            BrandMismatch => "The card does not match the chosen brand. Choose the brand again.",
            ChipRequired => "This is a chip card: insert the chip, do not swipe.",
            SwipeRequired => "Refunds are swipe only: swipe the magnetic stripe.",
            CardDataInvalid => "The card could not be read. Insert or swipe it again.",
            CryptogramInvalid => "The chip card failed its security check. Insert it again; if it fails again, use another card.",
            KsnReused => "The reader failed a security check. Reconnect the reader and try again.",
            PinRequired => "This card needs the cardholder's PIN. Start the sale again and let the cardholder enter it.",
            PinDataInvalid => "The PIN could not be checked. Insert or swipe the card again and let the cardholder enter the PIN again.",
            OriginalNotFound => "No original transaction has this authorization code. Check the code and enter it again.",
            RefundExceedsOriginal => "The refund is more than what is left of the original sale. Change the amount.",
            CardMismatch => "A refund must go to the card of the original sale. Swipe that card.",
            AlreadySettled => "This transaction is settled and cannot be voided. Make a refund instead.",
            AlreadyVoided => "This transaction is already voided.",
            NotApproved => "This transaction was not approved, so it cannot be voided or refunded.",
            HasRefunds => "This sale has refunds. Void the refunds first.",
            NotFound => "Nothing was found.",
            IdempotencyConflict => "Duplicate transaction number. Start the transaction again.",
            RequestInProgress => "The transaction is still being processed. Please wait.",
            AlreadyReversed => "This transaction was reversed. Start it again.",
            ReversalWindowPassed => "This sale was approved too long ago to be cancelled automatically. To cancel it, void it under Transaction details with your password.",
            ReversalNotOwner => "Another user made this transaction. Ask them to log in on this phone, or void it under Transaction details with your password.",
            TooManyRequests => "Too many attempts. Wait a minute and try again.",
            RequestTimeout => "The connection was too slow. Check the network and try again.",
            NothingToSettle => "There is nothing to settle.",
            InvalidContact => "The e-mail address or phone number is not valid. Enter it again.",
            DeliveryFailed => "The e-receipt could not be sent. Try again later or show the QR code.",
            Internal => "The system is busy. Try again later.",
        }
    }
}

/// An error as the HTTP API returns it: `{"code": ..., "message": ..., "message_zh": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable machine-readable reason.
    pub code: ErrorCode,
    /// English text for the user.
    pub message: String,
    /// Traditional Chinese text for the user.
    pub message_zh: String,
    /// Extra detail that is safe to show (for example when a lock ends).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ApiError {
    /// The error for a code with its standard messages.
    pub fn new(code: ErrorCode) -> Self {
        ApiError {
            code,
            message: code.message_en().to_string(),
            message_zh: code.message_zh().to_string(),
            detail: None,
        }
    }

    /// Adds a detail line.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError::new(code)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_snake_case_code() {
        let json = serde_json::to_value(ApiError::new(ErrorCode::AlreadySettled)).unwrap();
        assert_eq!(json["code"], "already_settled");
        assert!(json["message_zh"].as_str().unwrap().contains("退貨"));
        assert!(json.get("detail").is_none());
    }

    #[test]
    fn statuses_are_client_or_server_errors() {
        assert_eq!(ErrorCode::AccountLocked.http_status(), 423);
        assert_eq!(ErrorCode::Internal.http_status(), 500);
        assert_eq!(ErrorCode::InvalidCredentials.http_status(), 401);
        assert_eq!(ErrorCode::PasswordReentryRequired.http_status(), 403);
        assert_eq!(ErrorCode::ReaderRequired.http_status(), 422);
    }

    #[test]
    fn new_codes_serialize_and_tell_what_to_do() {
        let json = serde_json::to_value(ApiError::new(ErrorCode::PasswordReentryRequired)).unwrap();
        assert_eq!(json["code"], "password_reentry_required");
        assert_eq!(json["message_zh"], "請重新輸入密碼後再查詢交易明細。");
        let json = serde_json::to_value(ApiError::new(ErrorCode::ReaderRequired)).unwrap();
        assert_eq!(json["code"], "reader_required");
        assert_eq!(json["message"], "Plug in the card reader, then log in.");
    }

    #[test]
    fn cryptogram_invalid_is_unprocessable_and_says_what_to_do() {
        let json = serde_json::to_value(ApiError::new(ErrorCode::CryptogramInvalid)).unwrap();
        assert_eq!(json["code"], "cryptogram_invalid");
        assert_eq!(ErrorCode::CryptogramInvalid.http_status(), 422);
        assert!(json["message"]
            .as_str()
            .unwrap()
            .contains("Insert it again"));
        assert!(json["message_zh"].as_str().unwrap().contains("重新插卡"));
    }
}
