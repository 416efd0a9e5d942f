//! What the shells draw: one variant per KGI mPOS screen, with every value
//! the screen shows. Rendering is a pure function of the navigation state.

use super::engine::{Engine, Route};
use crate::error::UserMessage;
use crate::flows::login::LoginStep;
use crate::flows::payment::{CardPrompt, PaymentFlow, PaymentStep};
use crate::flows::query::{QueryFlow, QueryStep};
use crate::flows::settlement::SettlementStep;
use crate::flows::void::{can_void, VoidFlow, VoidStep};
use crate::receipt::qr::QrMatrix;
use mpos_wire::api::{
    BatchSummary, SettlementPreview, TransactionSearch, TransactionSummary, TxnKind,
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
        stroke_count: u32,
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
}

/// The screen of the current navigation state.
pub(crate) fn render(engine: &Engine) -> Screen {
    match &engine.route {
        Route::Login(flow) => {
            let message = flow.message().cloned();
            match flow.step() {
                LoginStep::Credentials | LoginStep::Ready(_) => Screen::Login {
                    reader_connected: engine.reader_connected,
                    message,
                },
                LoginStep::Activation => Screen::Activation { message },
                LoginStep::NewPassword => Screen::NewPassword { message },
                LoginStep::LoadingConfig => Screen::Loading { message },
            }
        }
        Route::Home { message } => {
            let (display_name, merchant_name) = engine
                .session
                .as_ref()
                .map(|s| {
                    (
                        s.profile.display_name.clone(),
                        s.config.merchant_name.clone(),
                    )
                })
                .unwrap_or_default();
            Screen::Home {
                display_name,
                merchant_name,
                reader_connected: engine.reader_connected,
                message: message.clone(),
            }
        }
        Route::Payment(flow) => payment_screen(flow),
        Route::Transactions(flow) => query_screen(flow),
    }
}

fn payment_screen(flow: &PaymentFlow) -> Screen {
    let message = flow.message().cloned();
    let amount = flow.amount().unwrap_or(Money::twd_minor(0));
    let brand = flow.brand().unwrap_or(Brand::Visa);
    match flow.step() {
        PaymentStep::Amount | PaymentStep::Exit(_) => Screen::Amount {
            kind: flow.kind(),
            dollars: flow.dollars(),
            brand: flow.brand(),
            accepted_brands: flow.accepted_brands(),
            message,
        },
        PaymentStep::RefundAuthCode => Screen::RefundAuthCode {
            amount,
            brand,
            auth_code: flow.auth_code().to_string(),
            message,
        },
        PaymentStep::PresentCard { chip, prompt } => Screen::PresentCard {
            kind: flow.kind(),
            amount,
            brand,
            prompt: *prompt,
            chip_failures: chip.chip_failures(),
            message,
        },
        PaymentStep::Authorizing { in_flight, .. } | PaymentStep::Completing { in_flight, .. } => {
            Screen::Authorizing {
                kind: flow.kind(),
                amount: in_flight.amount,
                brand: in_flight.brand,
                masked_pan: in_flight.masked_pan.to_string(),
            }
        }
        PaymentStep::OutcomeUnknown {
            in_flight,
            acknowledged,
            ..
        } => Screen::OutcomeUnknown {
            kind: flow.kind(),
            amount: in_flight.amount,
            masked_pan: in_flight.masked_pan.to_string(),
            reversal_acknowledged: *acknowledged,
            message,
        },
        PaymentStep::Declined { transaction } => Screen::Declined {
            amount: transaction.amount,
            masked_pan: transaction.masked_pan.to_string(),
            response_code: transaction.response_code.clone(),
            response_text: transaction.response_text.clone(),
            message,
        },
        PaymentStep::FetchingTransaction { .. } => Screen::Loading { message },
        PaymentStep::Signature {
            transaction,
            strokes,
            ..
        } => Screen::Signature {
            transaction: transaction.clone(),
            stroke_count: u32::try_from(strokes.len()).unwrap_or(u32::MAX),
            message,
        },
        PaymentStep::Receipt(receipt) => receipt_screen(
            receipt.transaction(),
            receipt.sent_to(),
            receipt.message().cloned(),
        ),
    }
}

fn query_screen(flow: &QueryFlow) -> Screen {
    let message = flow.message().cloned();
    match flow.step() {
        QueryStep::Password => Screen::QueryPassword { message },
        QueryStep::Search | QueryStep::Exit(_) => Screen::TransactionSearch {
            criteria: flow.criteria().clone(),
            results: flow.results().to_vec(),
            message,
        },
        QueryStep::Detail(detail) => void_screen(detail),
        QueryStep::Settlement(settlement) => {
            let message = settlement.message().cloned();
            match settlement.step() {
                SettlementStep::Review(preview) => Screen::SettlementReview {
                    preview: preview.clone(),
                    message,
                },
                SettlementStep::Settling(preview) => Screen::SettlementReview {
                    preview: Some(preview.clone()),
                    message,
                },
                SettlementStep::Done(batch) => Screen::SettlementDone {
                    batch: batch.clone(),
                },
                SettlementStep::Exit(_) => Screen::Loading { message },
            }
        }
    }
}

fn void_screen(flow: &VoidFlow) -> Screen {
    let message = flow.message().cloned();
    match flow.step() {
        VoidStep::Detail(transaction) | VoidStep::Voiding(transaction) => {
            Screen::TransactionDetail {
                transaction: transaction.clone(),
                can_void: can_void(transaction) && matches!(flow.step(), VoidStep::Detail(_)),
                message,
            }
        }
        VoidStep::Done(transaction) => Screen::VoidDone {
            transaction: transaction.clone(),
        },
        VoidStep::Receipt(receipt) => receipt_screen(
            receipt.transaction(),
            receipt.sent_to(),
            receipt.message().cloned(),
        ),
        VoidStep::Exit(_) => Screen::Loading { message },
    }
}

fn receipt_screen(
    transaction: &TransactionSummary,
    sent_to: &[String],
    message: Option<UserMessage>,
) -> Screen {
    Screen::Receipt {
        transaction: transaction.clone(),
        receipt_url: transaction.receipt_url.clone(),
        qr: QrMatrix::encode(&transaction.receipt_url).unwrap_or_else(|_| QrMatrix::empty()),
        sent_to: sent_to.to_vec(),
        message,
    }
}
