//! Manual settlement: review what is pending (count, net amount, per
//! brand), settle now, see the closed batch.

use super::{Command, Reply};
use crate::error::UserMessage;
use crate::notice::Notice;
use mpos_wire::api::{BatchSummary, SettlementPreview};
use mpos_wire::ErrorCode;

/// How the settlement flow ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettlementExit {
    /// Back to the transaction search.
    BackToTransactions,
    /// The session ended.
    Login(UserMessage),
}

/// Where the settlement stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettlementStep {
    /// The preview, once loaded.
    Review(Option<SettlementPreview>),
    /// Settle sent, waiting for the batch.
    Settling(SettlementPreview),
    /// Closed.
    Done(BatchSummary),
    /// Over.
    Exit(SettlementExit),
}

/// What the user or the driver feeds the settlement flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettlementInput {
    /// "Settle now".
    SettleNow,
    /// Back.
    Back,
    /// Result of a command.
    Reply(Reply),
}

/// The settlement state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementFlow {
    step: SettlementStep,
    message: Option<UserMessage>,
}

impl SettlementFlow {
    /// "Enter settlement": loads the preview.
    pub fn start() -> (SettlementFlow, Vec<Command>) {
        let flow = SettlementFlow {
            step: SettlementStep::Review(None),
            message: None,
        };
        (flow, vec![Command::FetchSettlementPreview])
    }

    /// The current step.
    pub fn step(&self) -> &SettlementStep {
        &self.step
    }

    /// The message to show, if any.
    pub fn message(&self) -> Option<&UserMessage> {
        self.message.as_ref()
    }

    /// Feeds one input; returns the commands to run.
    pub fn handle(&mut self, input: SettlementInput) -> Vec<Command> {
        let step = std::mem::replace(
            &mut self.step,
            SettlementStep::Exit(SettlementExit::BackToTransactions),
        );
        let (step, commands) = self.next(step, input);
        self.step = step;
        commands
    }

    fn next(
        &mut self,
        step: SettlementStep,
        input: SettlementInput,
    ) -> (SettlementStep, Vec<Command>) {
        match (step, input) {
            (
                SettlementStep::Review(_),
                SettlementInput::Reply(Reply::SettlementPreview(result)),
            ) => match result {
                Ok(preview) => {
                    self.message = (preview.totals.count == 0)
                        .then(|| ErrorCode::NothingToSettle.into())
                        .or(self.message.take());
                    (SettlementStep::Review(Some(preview)), Vec::new())
                }
                Err(error) if error.ends_session() => (
                    SettlementStep::Exit(SettlementExit::Login(error.user_message())),
                    Vec::new(),
                ),
                Err(error) => {
                    self.message = Some(error.user_message());
                    (SettlementStep::Review(None), Vec::new())
                }
            },
            (SettlementStep::Review(Some(preview)), SettlementInput::SettleNow) => {
                if preview.totals.count == 0 {
                    self.message = Some(ErrorCode::NothingToSettle.into());
                    return (SettlementStep::Review(Some(preview)), Vec::new());
                }
                self.message = None;
                (SettlementStep::Settling(preview), vec![Command::Settle])
            }
            (SettlementStep::Review(None), SettlementInput::SettleNow) => {
                // Nothing reviewed, nothing settled: load the preview again.
                (
                    SettlementStep::Review(None),
                    vec![Command::FetchSettlementPreview],
                )
            }
            (SettlementStep::Settling(preview), SettlementInput::Reply(Reply::Settled(result))) => {
                match result {
                    Ok(response) => {
                        self.message = None;
                        (SettlementStep::Done(response.batch), Vec::new())
                    }
                    Err(error) if error.ends_session() => (
                        SettlementStep::Exit(SettlementExit::Login(error.user_message())),
                        Vec::new(),
                    ),
                    Err(error) => {
                        // Whatever happened, the fresh preview tells what is still pending.
                        self.message = Some(if error.outcome_unknown() {
                            Notice::SettleOutcomeUnknown.into()
                        } else {
                            error.user_message()
                        });
                        (
                            SettlementStep::Review(Some(preview)),
                            vec![Command::FetchSettlementPreview],
                        )
                    }
                }
            }
            (SettlementStep::Review(_) | SettlementStep::Done(_), SettlementInput::Back) => (
                SettlementStep::Exit(SettlementExit::BackToTransactions),
                Vec::new(),
            ),
            (step, _) => (step, Vec::new()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::host_error::HostError;
    use mpos_wire::api::{BrandTotal, SettleResponse, SettlementTotals, SettlementTrigger};
    use mpos_wire::{ApiError, Brand, Money};

    fn totals(count: u32) -> SettlementTotals {
        SettlementTotals {
            count,
            net_total: Money::twd_minor(150_000 * u64::from(count)),
            sales_count: count,
            sales_total: Money::twd_minor(150_000 * u64::from(count)),
            refunds_count: 0,
            refunds_total: Money::twd_minor(0),
            per_brand: vec![BrandTotal {
                brand: Brand::Visa,
                sales_count: count,
                sales_total: Money::twd_minor(150_000 * u64::from(count)),
                refunds_count: 0,
                refunds_total: Money::twd_minor(0),
            }],
        }
    }

    fn preview(count: u32) -> SettlementPreview {
        SettlementPreview {
            totals: totals(count),
            next_auto_settlement: "2025-03-01T15:00:00Z".into(),
        }
    }

    fn batch() -> BatchSummary {
        BatchSummary {
            id: "B1".into(),
            business_date: "2025-03-01".into(),
            closed_at: "2025-03-01T10:00:00Z".into(),
            trigger: SettlementTrigger::Manual,
            totals: totals(2),
        }
    }

    fn loaded(count: u32) -> SettlementFlow {
        let (mut flow, commands) = SettlementFlow::start();
        assert_eq!(commands, vec![Command::FetchSettlementPreview]);
        flow.handle(SettlementInput::Reply(Reply::SettlementPreview(Ok(
            preview(count),
        ))));
        flow
    }

    #[test]
    fn review_then_settle_then_done() {
        let mut flow = loaded(2);
        assert_eq!(flow.step(), &SettlementStep::Review(Some(preview(2))));
        assert!(flow.message().is_none());
        assert_eq!(
            flow.handle(SettlementInput::SettleNow),
            vec![Command::Settle]
        );
        flow.handle(SettlementInput::Reply(Reply::Settled(Ok(SettleResponse {
            batch: batch(),
        }))));
        assert_eq!(flow.step(), &SettlementStep::Done(batch()));
        flow.handle(SettlementInput::Back);
        assert_eq!(
            flow.step(),
            &SettlementStep::Exit(SettlementExit::BackToTransactions)
        );
    }

    #[test]
    fn nothing_pending_is_not_sent() {
        let mut flow = loaded(0);
        assert_eq!(flow.message().unwrap().code, "nothing_to_settle");
        assert!(flow.handle(SettlementInput::SettleNow).is_empty());
        assert_eq!(flow.step(), &SettlementStep::Review(Some(preview(0))));
    }

    #[test]
    fn unanswered_settle_reloads_the_preview() {
        let mut flow = loaded(2);
        flow.handle(SettlementInput::SettleNow);
        let commands = flow.handle(SettlementInput::Reply(Reply::Settled(Err(
            HostError::Timeout,
        ))));
        assert_eq!(commands, vec![Command::FetchSettlementPreview]);
        assert_eq!(flow.message().unwrap().code, "settle_outcome_unknown");
        // The batch went through after all: the new preview is empty.
        flow.handle(SettlementInput::Reply(Reply::SettlementPreview(Ok(
            preview(0),
        ))));
        assert_eq!(flow.message().unwrap().code, "nothing_to_settle");
    }

    #[test]
    fn failed_preview_can_be_loaded_again() {
        let (mut flow, _) = SettlementFlow::start();
        flow.handle(SettlementInput::Reply(Reply::SettlementPreview(Err(
            HostError::Timeout,
        ))));
        assert_eq!(flow.step(), &SettlementStep::Review(None));
        assert_eq!(flow.message().unwrap().code, "no_connection");
        assert_eq!(
            flow.handle(SettlementInput::SettleNow),
            vec![Command::FetchSettlementPreview]
        );
    }

    #[test]
    fn expired_session_leaves_for_login() {
        let mut flow = loaded(1);
        flow.handle(SettlementInput::SettleNow);
        let expired = HostError::Api(ApiError::new(ErrorCode::SessionExpired));
        flow.handle(SettlementInput::Reply(Reply::Settled(Err(expired))));
        assert!(matches!(
            flow.step(),
            SettlementStep::Exit(SettlementExit::Login(_))
        ));
    }
}
