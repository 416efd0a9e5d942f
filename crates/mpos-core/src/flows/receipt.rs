//! The e-receipt step shared by sale, refund and void: show the QR code of
//! the receipt page, optionally send it by e-mail or SMS, as often as asked.

use super::{Command, Reply};
use crate::error::UserMessage;
use crate::notice::Notice;
use mpos_wire::api::{ReceiptDestination, SendReceiptRequest, TransactionSummary};

/// The receipt step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptFlow {
    transaction: TransactionSummary,
    sent_to: Vec<String>,
    message: Option<UserMessage>,
}

impl ReceiptFlow {
    /// The receipt of a finished transaction.
    pub fn new(transaction: TransactionSummary) -> ReceiptFlow {
        ReceiptFlow {
            transaction,
            sent_to: Vec::new(),
            message: None,
        }
    }

    /// The transaction on the receipt.
    pub fn transaction(&self) -> &TransactionSummary {
        &self.transaction
    }

    /// Where the receipt went so far (masked by the gateway).
    pub fn sent_to(&self) -> &[String] {
        &self.sent_to
    }

    /// The message to show, if any.
    pub fn message(&self) -> Option<&UserMessage> {
        self.message.as_ref()
    }

    /// "Send e-receipt" pressed.
    pub fn send(&mut self, destination: ReceiptDestination) -> Vec<Command> {
        let destination = match destination {
            ReceiptDestination::Email(to) => ReceiptDestination::Email(to.trim().to_string()),
            ReceiptDestination::Sms(to) => ReceiptDestination::Sms(to.trim().to_string()),
        };
        let empty = match &destination {
            ReceiptDestination::Email(to) | ReceiptDestination::Sms(to) => to.is_empty(),
        };
        if empty {
            self.message = Some(Notice::ReceiptDestinationMissing.into());
            return Vec::new();
        }
        self.message = None;
        vec![Command::SendReceipt {
            transaction_id: self.transaction.id.clone(),
            request: SendReceiptRequest { destination },
        }]
    }

    /// A reply; returns whether it was the receipt's.
    pub fn on_reply(&mut self, reply: &Reply) -> bool {
        match reply {
            Reply::ReceiptSent(Ok(response)) => {
                self.sent_to.push(response.sent_to.clone());
                self.message = None;
                true
            }
            Reply::ReceiptSent(Err(error)) => {
                self.message = Some(error.user_message());
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::testing;
    use crate::host::HostError;
    use mpos_wire::api::{SendReceiptResponse, TxnKind, TxnStatus};
    use mpos_wire::{ApiError, Brand, ErrorCode, Money};

    fn flow() -> ReceiptFlow {
        ReceiptFlow::new(testing::summary(
            "t7",
            TxnKind::Sale,
            TxnStatus::Approved,
            Money::twd_minor(5_000),
            Brand::Visa,
        ))
    }

    #[test]
    fn sends_to_a_trimmed_destination_and_lists_it() {
        let mut receipt = flow();
        let commands = receipt.send(ReceiptDestination::Sms(" 0912345678 ".into()));
        assert_eq!(
            commands,
            vec![Command::SendReceipt {
                transaction_id: "t7".into(),
                request: SendReceiptRequest {
                    destination: ReceiptDestination::Sms("0912345678".into())
                },
            }]
        );
        receipt.on_reply(&Reply::ReceiptSent(Ok(SendReceiptResponse {
            sent_to: "0912***678".into(),
        })));
        assert_eq!(receipt.sent_to(), ["0912***678"]);
    }

    #[test]
    fn empty_destination_is_refused_locally() {
        let mut receipt = flow();
        assert!(receipt
            .send(ReceiptDestination::Email("  ".into()))
            .is_empty());
        assert_eq!(
            receipt.message().unwrap().code,
            "receipt_destination_missing"
        );
    }

    #[test]
    fn delivery_failure_shows_the_gateway_message() {
        let mut receipt = flow();
        receipt.send(ReceiptDestination::Email("a@b.tw".into()));
        receipt.on_reply(&Reply::ReceiptSent(Err(HostError::Api(ApiError::new(
            ErrorCode::InvalidContact,
        )))));
        assert_eq!(receipt.message().unwrap().code, "invalid_contact");
        assert!(receipt.sent_to().is_empty());
    }
}
