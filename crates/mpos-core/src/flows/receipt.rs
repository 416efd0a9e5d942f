//! The e-receipt step shared by sale, refund and void: show the QR code of
//! the receipt page, optionally send it by e-mail or SMS, as often as asked.
//! After a sale or refund it also waits for the journal's `done`: until that
//! is on disk the user may not leave (see [`JournalWrite`]).

use super::journal_write::JournalWrite;
use super::{Command, Reply};
use crate::error::UserMessage;
use crate::model::in_flight::JournalUpdate;
use crate::notice::Notice;
use mpos_wire::api::{ReceiptDestination, SendReceiptRequest, TransactionSummary};

/// The receipt step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptFlow {
    transaction: TransactionSummary,
    sent_to: Vec<String>,
    message: Option<UserMessage>,
    unsaved: Option<JournalWrite>,
}

impl ReceiptFlow {
    /// The receipt of a finished transaction.
    pub fn new(transaction: TransactionSummary) -> ReceiptFlow {
        ReceiptFlow {
            transaction,
            sent_to: Vec::new(),
            message: None,
            unsaved: None,
        }
    }

    /// The receipt of an approved payment whose journal `update` is being
    /// written; returns the command that writes it.
    pub fn saving(
        transaction: TransactionSummary,
        update: JournalUpdate,
    ) -> (ReceiptFlow, Command) {
        let (write, command) = JournalWrite::start(update);
        let mut receipt = ReceiptFlow::new(transaction);
        receipt.unsaved = Some(write);
        (receipt, command)
    }

    /// Whether a journal write is still waiting to be on disk.
    pub fn is_unsaved(&self) -> bool {
        self.unsaved.is_some()
    }

    /// The user wants to leave: allowed once the journal write is on disk;
    /// otherwise the write is tried again and the user stays.
    pub fn leave(&mut self) -> Result<(), Vec<Command>> {
        match &mut self.unsaved {
            None => Ok(()),
            Some(write) => {
                self.message = Some(Notice::JournalNotSaved.into());
                Err(vec![write.retry()])
            }
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

    /// A reply; returns the commands it calls for.
    pub fn on_reply(&mut self, reply: &Reply) -> Vec<Command> {
        match reply {
            Reply::ReceiptSent(Ok(response)) => {
                self.sent_to.push(response.sent_to.clone());
                self.message = None;
            }
            Reply::ReceiptSent(Err(error)) => {
                self.message = Some(error.user_message());
            }
            Reply::JournalWritten(Ok(())) if self.unsaved.is_some() => {
                self.unsaved = None;
                if self
                    .message
                    .as_ref()
                    .is_some_and(|m| m.code == Notice::JournalNotSaved.code())
                {
                    self.message = None;
                }
            }
            Reply::JournalWritten(Err(_)) => {
                if let Some(write) = &mut self.unsaved {
                    self.message = Some(Notice::JournalNotSaved.into());
                    return write.failed().into_iter().collect();
                }
            }
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::testing;
    use crate::model::host_error::HostError;
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

    fn done(key: &str) -> JournalUpdate {
        JournalUpdate::SetState {
            idempotency_key: key.into(),
            state: crate::model::in_flight::JournalState::Done,
        }
    }

    #[test]
    fn failed_journal_write_is_retried_and_keeps_the_user_here() {
        let (mut receipt, first) = ReceiptFlow::saving(flow().transaction().clone(), done("k1"));
        assert_eq!(first, Command::Journal(done("k1")));
        let failed = Reply::JournalWritten(Err("disk I/O error".into()));
        assert_eq!(
            receipt.on_reply(&failed),
            vec![Command::Journal(done("k1"))]
        );
        assert_eq!(receipt.message().unwrap().code, "journal_not_saved");
        // Out of immediate tries: leaving is refused and tries again.
        receipt.on_reply(&failed);
        assert!(receipt.on_reply(&failed).is_empty());
        assert_eq!(receipt.leave(), Err(vec![Command::Journal(done("k1"))]));
        assert_eq!(receipt.message().unwrap().code, "journal_not_saved");
        // On disk at last: the user may go.
        assert!(receipt.on_reply(&Reply::JournalWritten(Ok(()))).is_empty());
        assert!(receipt.message().is_none());
        assert_eq!(receipt.leave(), Ok(()));
    }

    #[test]
    fn receipt_without_a_write_can_always_be_left() {
        let mut receipt = flow();
        assert!(receipt
            .on_reply(&Reply::JournalWritten(Err("x".into())))
            .is_empty());
        assert_eq!(receipt.leave(), Ok(()));
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
