//! Reading screens: the message a screen shows, and which screens end a payment.

use mpos_core::{Screen, UserMessage};
use mpos_wire::api::Point;

/// The message a screen shows, if any.
pub fn message(screen: &Screen) -> Option<&UserMessage> {
    match screen {
        Screen::Login { message, .. }
        | Screen::Activation { message }
        | Screen::NewPassword { message }
        | Screen::Loading { message }
        | Screen::Home { message, .. }
        | Screen::Amount { message, .. }
        | Screen::RefundAuthCode { message, .. }
        | Screen::PresentCard { message, .. }
        | Screen::PinEntry { message, .. }
        | Screen::WrongPin { message, .. }
        | Screen::OutcomeUnknown { message, .. }
        | Screen::Declined { message, .. }
        | Screen::Signature { message, .. }
        | Screen::Receipt { message, .. }
        | Screen::QueryPassword { message }
        | Screen::TransactionSearch { message, .. }
        | Screen::TransactionDetail { message, .. }
        | Screen::SettlementReview { message, .. } => message.as_ref(),
        Screen::Authorizing { .. }
        | Screen::VoidDone { .. }
        | Screen::SettlementDone { .. }
        | Screen::SelfCheck { .. } => None,
    }
}

/// The stable code of the message a screen shows, if any.
pub fn message_code(screen: &Screen) -> Option<&str> {
    message(screen).map(|m| m.code.as_str())
}

/// Whether the payment has a result of any kind on screen.
pub fn payment_finished(screen: &Screen) -> bool {
    matches!(
        screen,
        Screen::Signature { .. }
            | Screen::Receipt { .. }
            | Screen::Declined { .. }
            | Screen::OutcomeUnknown { .. }
    )
}

/// Whether a card action has been dealt with: no longer waiting for the
/// card or the bank, or waiting again with something to tell the user.
pub fn card_handled(screen: &Screen) -> bool {
    match screen {
        Screen::Authorizing { .. } | Screen::Loading { .. } => false,
        Screen::PresentCard { message, .. } => message.is_some(),
        _ => true,
    }
}

/// A signature in two strokes on the 0..=1000 pad.
pub fn signature_strokes() -> Vec<Vec<Point>> {
    let wave = (0..=40u16)
        .map(|i| Point {
            x: 100 + i * 15,
            y: 500 + (i % 8) * 30,
        })
        .collect();
    let underline = (0..=20u16)
        .map(|i| Point {
            x: 150 + i * 30,
            y: 800,
        })
        .collect();
    vec![wave, underline]
}
