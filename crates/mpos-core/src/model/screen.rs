//! [`Screen`]: which KGI mPOS screen the app is on, with every value it
//! shows, language-neutral. The view model (`crate::view`) renders it in
//! the user's language for the shells; tests and the demo read it.

use crate::error::UserMessage;
use crate::flows::payment::CardPrompt;
use crate::model::reader::KeypadLayout;
use crate::model::self_check::CheckLine;
use crate::receipt::qr::QrMatrix;
use mpos_wire::api::{
    BatchSummary, SettlementPreview, Stroke, TransactionSearch, TransactionSummary, TxnKind,
};
use mpos_wire::{Brand, Money};

/// A screen and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// mPOS login (登入): plug in the reader, user name and password.
    Login {
        /// Whether a reader is plugged in (login needs one).
        reader_connected: bool,
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// First login: the SMS activation code.
    Activation {
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// First login: the new 6-digit password, twice.
    NewPassword {
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// A short wait (loading settings or a transaction).
    Loading {
        /// What is happening, if worth saying.
        message: Option<UserMessage>,
    },
    /// Home (首頁) / main menu.
    Home {
        /// The user's name.
        display_name: String,
        /// The merchant.
        merchant_name: String,
        /// Whether a reader is plugged in.
        reader_connected: bool,
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// Amount and card brand.
    Amount {
        /// Sale or refund.
        kind: TxnKind,
        /// Whole NT$ entered (0: none yet).
        dollars: u64,
        /// Brand chosen.
        brand: Option<Brand>,
        /// Brands to offer.
        accepted_brands: Vec<Brand>,
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// Refund: the original authorization code.
    RefundAuthCode {
        /// Refund amount.
        amount: Money,
        /// Brand.
        brand: Brand,
        /// The code as typed.
        auth_code: String,
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// Insert or swipe the card.
    PresentCard {
        /// Sale or refund.
        kind: TxnKind,
        /// Amount.
        amount: Money,
        /// Brand.
        brand: Brand,
        /// What to ask the cardholder.
        prompt: CardPrompt,
        /// Chip reads that failed in this transaction.
        chip_failures: u32,
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// The cardholder enters the PIN on the reader's keypad layout.
    PinEntry {
        /// Amount.
        amount: Money,
        /// Brand.
        brand: Brand,
        /// First 6 and last 4 digits.
        masked_pan: String,
        /// The digit on each key, once the reader sent the layout.
        keypad: Option<KeypadLayout>,
        /// Keys touched so far (shown as dots).
        entered: u32,
        /// Whether the PIN went to the reader.
        sent: bool,
        /// What to do.
        message: Option<UserMessage>,
    },
    /// The issuer said the PIN was wrong.
    WrongPin {
        /// Amount.
        amount: Money,
        /// First 6 and last 4 digits.
        masked_pan: String,
        /// ISO 8583 response code (55).
        response_code: String,
        /// Issuer's text.
        response_text: String,
        /// What to do next.
        message: Option<UserMessage>,
    },
    /// Waiting for the bank.
    Authorizing {
        /// Sale or refund.
        kind: TxnKind,
        /// Amount.
        amount: Money,
        /// Brand.
        brand: Brand,
        /// First 6 and last 4 digits.
        masked_pan: String,
    },
    /// No answer: the outcome is unknown and being reversed. Never a result.
    OutcomeUnknown {
        /// Sale or refund.
        kind: TxnKind,
        /// Amount.
        amount: Money,
        /// First 6 and last 4 digits.
        masked_pan: String,
        /// Whether the gateway acknowledged the reversal (then: not charged).
        reversal_acknowledged: bool,
        /// What to do.
        message: Option<UserMessage>,
    },
    /// The issuer declined.
    Declined {
        /// Amount.
        amount: Money,
        /// First 6 and last 4 digits.
        masked_pan: String,
        /// ISO 8583 response code.
        response_code: String,
        /// Issuer's text.
        response_text: String,
        /// What to do.
        message: Option<UserMessage>,
    },
    /// The cardholder signs on screen.
    Signature {
        /// The approved transaction.
        transaction: TransactionSummary,
        /// Strokes drawn so far.
        strokes: Vec<Stroke>,
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// The e-receipt (電子簽單): QR code and sending by e-mail or SMS.
    Receipt {
        /// The transaction.
        transaction: TransactionSummary,
        /// The hosted receipt page.
        receipt_url: String,
        /// The QR code of `receipt_url`.
        qr: QrMatrix,
        /// Where it was sent so far (masked).
        sent_to: Vec<String>,
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// Transaction details: re-enter the password.
    QueryPassword {
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// Search form and unsettled results.
    TransactionSearch {
        /// The form as last submitted.
        criteria: TransactionSearch,
        /// Unsettled transactions found.
        results: Vec<TransactionSummary>,
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// Sale details (銷售詳情).
    TransactionDetail {
        /// The transaction.
        transaction: TransactionSummary,
        /// Whether "Void now" is offered.
        can_void: bool,
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// Voided: send the e-receipt or go back to the sale details.
    VoidDone {
        /// The voided transaction.
        transaction: TransactionSummary,
    },
    /// Settlement review: pending count and amounts.
    SettlementReview {
        /// What settling now would close; `None` until loaded.
        preview: Option<SettlementPreview>,
        /// What went wrong or what to do.
        message: Option<UserMessage>,
    },
    /// Settled.
    SettlementDone {
        /// The closed batch.
        batch: BatchSummary,
    },
    /// The pre-shift check (開班前檢查): device, reader, software, network.
    SelfCheck {
        /// One line per check, in order.
        lines: Vec<CheckLine>,
        /// Whether a check still runs.
        running: bool,
    },
}
