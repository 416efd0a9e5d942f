//! The [`Screen`] of the navigation state: a pure function of the engine.

use super::engine::{Engine, Route};
use crate::error::UserMessage;
use crate::flows::login::LoginStep;
use crate::flows::payment::{PaymentFlow, PaymentStep};
use crate::flows::query::{QueryFlow, QueryStep};
use crate::flows::settlement::SettlementStep;
use crate::flows::void::{can_void, VoidFlow, VoidStep};
use crate::model::screen::Screen;
use crate::notice::Notice;
use crate::receipt::qr::QrMatrix;
use mpos_wire::api::TransactionSummary;
use mpos_wire::{Brand, Money};

/// The screen of the current navigation state.
pub(crate) fn render(engine: &Engine) -> Screen {
    match &engine.route {
        Route::Login(flow) => {
            let message = flow.message().cloned();
            match flow.step() {
                LoginStep::Credentials | LoginStep::Ready(_) => Screen::Login {
                    reader_connected: engine.reader_connected,
                    message: message.or_else(|| microphone_notice(engine)),
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
                message: message.clone().or_else(|| microphone_notice(engine)),
            }
        }
        Route::Payment(flow) => payment_screen(flow),
        Route::Transactions(flow) => query_screen(flow),
        Route::SelfCheck { flow, .. } => Screen::SelfCheck {
            lines: flow.lines().to_vec(),
            running: flow.is_running(),
        },
    }
}

/// Without the microphone the reader can never answer: say how to allow it.
fn microphone_notice(engine: &Engine) -> Option<UserMessage> {
    (!engine.microphone_allowed).then(|| Notice::MicrophoneNeeded.into())
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
        PaymentStep::PinEntry(entry) => Screen::PinEntry {
            amount,
            brand,
            masked_pan: entry.masked_pan().to_string(),
            keypad: entry.layout(),
            entered: u32::try_from(entry.entered()).unwrap_or(u32::MAX),
            sent: entry.is_sent(),
            message,
        },
        PaymentStep::WrongPin { transaction } => Screen::WrongPin {
            amount: transaction.amount,
            masked_pan: transaction.masked_pan.to_string(),
            response_code: transaction.response_code.clone(),
            response_text: transaction.response_text.clone(),
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
            strokes: strokes.clone(),
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
