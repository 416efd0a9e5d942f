//! Voiding from the sale details: only an approved, unsettled transaction
//! can be voided (a settled one is refunded instead). A void without an
//! answer keeps its idempotency key, so pressing again cannot void twice.

use super::receipt::ReceiptFlow;
use super::{Command, Reply};
use crate::error::UserMessage;
use crate::notice::Notice;
use mpos_wire::api::{ReceiptDestination, TransactionSummary, TxnStatus, VoidRequest};
use mpos_wire::ErrorCode;

/// How the void flow ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoidExit {
    /// Back to the search results.
    BackToSearch,
    /// The session ended.
    Login(UserMessage),
}

/// Where the void stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoidStep {
    /// Sale details.
    Detail(TransactionSummary),
    /// Void sent, waiting for the answer.
    Voiding(TransactionSummary),
    /// Voided.
    Done(TransactionSummary),
    /// The e-receipt of the void.
    Receipt(ReceiptFlow),
    /// Over.
    Exit(VoidExit),
}

/// What the user or the driver feeds the void flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoidInput {
    /// "Void now", with a fresh key in case this is a new void.
    VoidNow {
        /// Random 128-bit hex from the driver.
        fresh_key: String,
    },
    /// "Back to sale details".
    BackToDetails,
    /// "Send e-receipt" without a destination yet: show the receipt and its QR code.
    ShowReceipt,
    /// "Send e-receipt" with a destination.
    SendReceipt {
        /// Where to.
        destination: ReceiptDestination,
    },
    /// Done with the receipt.
    FinishReceipt,
    /// One step back.
    Back,
    /// Result of a command.
    Reply(Reply),
}

/// Whether the app may offer "Void now" for a transaction.
pub fn can_void(transaction: &TransactionSummary) -> bool {
    transaction.status == TxnStatus::Approved && !transaction.is_settled()
}

/// Why a transaction cannot be voided, if it cannot.
pub fn void_refusal(transaction: &TransactionSummary) -> Option<UserMessage> {
    if transaction.is_settled() {
        return Some(ErrorCode::AlreadySettled.into());
    }
    match transaction.status {
        TxnStatus::Approved => None,
        TxnStatus::Voided | TxnStatus::Reversed => Some(ErrorCode::AlreadyVoided.into()),
        TxnStatus::Pending | TxnStatus::Declined => Some(ErrorCode::NotApproved.into()),
    }
}

/// The void state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidFlow {
    step: VoidStep,
    message: Option<UserMessage>,
    pending_key: Option<String>,
}

impl VoidFlow {
    /// Opens the sale details.
    pub fn new(transaction: TransactionSummary) -> VoidFlow {
        VoidFlow {
            step: VoidStep::Detail(transaction),
            message: None,
            pending_key: None,
        }
    }

    /// The current step.
    pub fn step(&self) -> &VoidStep {
        &self.step
    }

    /// The message to show, if any.
    pub fn message(&self) -> Option<&UserMessage> {
        match &self.step {
            VoidStep::Receipt(receipt) => receipt.message(),
            _ => self.message.as_ref(),
        }
    }

    /// Feeds one input; returns the commands to run.
    pub fn handle(&mut self, input: VoidInput) -> Vec<Command> {
        let step = std::mem::replace(&mut self.step, VoidStep::Exit(VoidExit::BackToSearch));
        let (step, commands) = self.next(step, input);
        self.step = step;
        commands
    }

    fn next(&mut self, step: VoidStep, input: VoidInput) -> (VoidStep, Vec<Command>) {
        match (step, input) {
            (VoidStep::Detail(transaction), VoidInput::VoidNow { fresh_key }) => {
                if let Some(message) = void_refusal(&transaction) {
                    self.message = Some(message);
                    return (VoidStep::Detail(transaction), Vec::new());
                }
                self.message = None;
                let key = self.pending_key.get_or_insert(fresh_key).clone();
                let command = Command::Void {
                    idempotency_key: key,
                    request: VoidRequest {
                        transaction_id: transaction.id.clone(),
                    },
                };
                (VoidStep::Voiding(transaction), vec![command])
            }
            (VoidStep::Detail(_), VoidInput::Back) => {
                (VoidStep::Exit(VoidExit::BackToSearch), Vec::new())
            }
            (VoidStep::Voiding(transaction), VoidInput::Reply(Reply::Voided(result))) => {
                match result {
                    Ok(voided) => {
                        self.pending_key = None;
                        (VoidStep::Done(voided), Vec::new())
                    }
                    Err(error) if error.ends_session() => (
                        VoidStep::Exit(VoidExit::Login(error.user_message())),
                        Vec::new(),
                    ),
                    Err(error) if error.outcome_unknown() => {
                        // Keep the key: the retry is the same request.
                        self.message = Some(Notice::VoidOutcomeUnknown.into());
                        (VoidStep::Detail(transaction), Vec::new())
                    }
                    Err(error) => {
                        self.pending_key = None;
                        self.message = Some(error.user_message());
                        (VoidStep::Detail(transaction), Vec::new())
                    }
                }
            }
            (VoidStep::Done(voided), VoidInput::BackToDetails) => {
                self.message = None;
                (VoidStep::Detail(voided), Vec::new())
            }
            (VoidStep::Done(voided), VoidInput::ShowReceipt) => {
                (VoidStep::Receipt(ReceiptFlow::new(voided)), Vec::new())
            }
            (VoidStep::Done(voided), VoidInput::SendReceipt { destination }) => {
                let mut receipt = ReceiptFlow::new(voided);
                let commands = receipt.send(destination);
                (VoidStep::Receipt(receipt), commands)
            }
            (VoidStep::Done(_), VoidInput::Back) => {
                (VoidStep::Exit(VoidExit::BackToSearch), Vec::new())
            }
            (VoidStep::Receipt(mut receipt), input) => match input {
                VoidInput::SendReceipt { destination } => {
                    let commands = receipt.send(destination);
                    (VoidStep::Receipt(receipt), commands)
                }
                VoidInput::Reply(reply) => {
                    let commands = receipt.on_reply(&reply);
                    (VoidStep::Receipt(receipt), commands)
                }
                VoidInput::BackToDetails | VoidInput::FinishReceipt | VoidInput::Back => {
                    self.message = None;
                    (VoidStep::Detail(receipt.transaction().clone()), Vec::new())
                }
                _ => (VoidStep::Receipt(receipt), Vec::new()),
            },
            (step, _) => (step, Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flows::testing;
    use crate::model::host_error::HostError;
    use mpos_wire::api::{SendReceiptResponse, TxnKind};
    use mpos_wire::{ApiError, Brand, Money};

    fn approved() -> TransactionSummary {
        testing::summary(
            "t3",
            TxnKind::Sale,
            TxnStatus::Approved,
            Money::twd_minor(8_800),
            Brand::Visa,
        )
    }

    fn voided() -> TransactionSummary {
        TransactionSummary {
            status: TxnStatus::Voided,
            ..approved()
        }
    }

    fn void_now(flow: &mut VoidFlow, key: &str) -> Vec<Command> {
        flow.handle(VoidInput::VoidNow {
            fresh_key: key.into(),
        })
    }

    fn void_command(key: &str) -> Command {
        Command::Void {
            idempotency_key: key.into(),
            request: VoidRequest {
                transaction_id: "t3".into(),
            },
        }
    }

    #[test]
    fn unsettled_approved_sale_is_voided() {
        assert!(can_void(&approved()));
        let mut flow = VoidFlow::new(approved());
        assert_eq!(void_now(&mut flow, "k1"), vec![void_command("k1")]);
        assert_eq!(flow.step(), &VoidStep::Voiding(approved()));
        flow.handle(VoidInput::Reply(Reply::Voided(Ok(voided()))));
        assert_eq!(flow.step(), &VoidStep::Done(voided()));
        flow.handle(VoidInput::BackToDetails);
        assert_eq!(flow.step(), &VoidStep::Detail(voided()));
        // Now voided: a second void is refused locally.
        assert!(void_now(&mut flow, "k2").is_empty());
        assert_eq!(flow.message().unwrap().code, "already_voided");
    }

    #[test]
    fn settled_sale_must_be_refunded_instead() {
        let mut settled = approved();
        settled.batch_id = Some("B20250301".into());
        assert!(!can_void(&settled));
        let mut flow = VoidFlow::new(settled);
        assert!(void_now(&mut flow, "k1").is_empty());
        let message = flow.message().unwrap();
        assert_eq!(message.code, "already_settled");
        assert!(message.en.contains("refund"));
        assert!(message.zh.contains("退貨"));
    }

    #[test]
    fn declined_sale_cannot_be_voided() {
        let declined = TransactionSummary {
            status: TxnStatus::Declined,
            ..approved()
        };
        assert!(!can_void(&declined));
        let mut flow = VoidFlow::new(declined);
        assert!(void_now(&mut flow, "k1").is_empty());
        assert_eq!(flow.message().unwrap().code, "not_approved");
    }

    #[test]
    fn unanswered_void_is_retried_with_the_same_key() {
        let mut flow = VoidFlow::new(approved());
        void_now(&mut flow, "k1");
        flow.handle(VoidInput::Reply(Reply::Voided(Err(HostError::Timeout))));
        assert_eq!(flow.step(), &VoidStep::Detail(approved()));
        assert_eq!(flow.message().unwrap().code, "void_outcome_unknown");
        assert_eq!(void_now(&mut flow, "k2"), vec![void_command("k1")]);
    }

    #[test]
    fn refused_void_shows_why_and_a_new_try_gets_a_new_key() {
        let mut flow = VoidFlow::new(approved());
        void_now(&mut flow, "k1");
        let refusal = HostError::Api(ApiError::new(ErrorCode::HasRefunds));
        flow.handle(VoidInput::Reply(Reply::Voided(Err(refusal))));
        assert_eq!(flow.message().unwrap().code, "has_refunds");
        assert_eq!(void_now(&mut flow, "k2"), vec![void_command("k2")]);
    }

    #[test]
    fn expired_session_leaves_for_login() {
        let mut flow = VoidFlow::new(approved());
        void_now(&mut flow, "k1");
        let expired = HostError::Api(ApiError::new(ErrorCode::SessionExpired));
        flow.handle(VoidInput::Reply(Reply::Voided(Err(expired))));
        assert!(matches!(flow.step(), VoidStep::Exit(VoidExit::Login(_))));
    }

    #[test]
    fn void_receipt_then_back_to_sale_details() {
        let mut flow = VoidFlow::new(approved());
        void_now(&mut flow, "k1");
        flow.handle(VoidInput::Reply(Reply::Voided(Ok(voided()))));
        let commands = flow.handle(VoidInput::SendReceipt {
            destination: ReceiptDestination::Sms("0912345678".into()),
        });
        assert!(matches!(commands.as_slice(), [Command::SendReceipt { .. }]));
        flow.handle(VoidInput::Reply(Reply::ReceiptSent(Ok(
            SendReceiptResponse {
                sent_to: "0912***678".into(),
            },
        ))));
        match flow.step() {
            VoidStep::Receipt(receipt) => assert_eq!(receipt.sent_to(), ["0912***678"]),
            other => panic!("{other:?}"),
        }
        flow.handle(VoidInput::FinishReceipt);
        assert_eq!(flow.step(), &VoidStep::Detail(voided()));
        flow.handle(VoidInput::Back);
        assert_eq!(flow.step(), &VoidStep::Exit(VoidExit::BackToSearch));
    }

    #[test]
    fn show_receipt_without_sending() {
        let mut flow = VoidFlow::new(approved());
        void_now(&mut flow, "k1");
        flow.handle(VoidInput::Reply(Reply::Voided(Ok(voided()))));
        assert!(flow.handle(VoidInput::ShowReceipt).is_empty());
        assert!(matches!(flow.step(), VoidStep::Receipt(_)));
    }
}
