//! What the journal remembers about the transaction in flight, and the
//! pure decision of what to do with it when the app starts again.

use mpos_wire::api::{ReversalReason, TxnKind};
use mpos_wire::{Brand, MaskedPan, Money};
use serde::{Deserialize, Serialize};

/// Where the transaction in flight stands, as far as the phone knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum JournalState {
    /// The authorization is (about to be) sent; no answer read yet.
    Authorizing,
    /// The outcome is unknown and a reversal is owed to the gateway.
    ReversalPending {
        /// Why the reversal is sent.
        reason: ReversalReason,
    },
    /// Approved; the cardholder has not signed yet.
    AwaitingSignature {
        /// Gateway id of the approved transaction.
        transaction_id: String,
    },
    /// Nothing is owed any more.
    Done,
}

/// One sale or refund in flight. Holds no card number beyond the masked
/// one, and no card ciphertext: after sending, the phone needs neither.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlightRecord {
    /// Sale or refund.
    pub kind: TxnKind,
    /// The request's idempotency key; a reversal names it.
    pub idempotency_key: String,
    /// Who made it (gateway user name); only they may resume its
    /// signature. Empty when unknown.
    pub username: String,
    /// Amount.
    pub amount: Money,
    /// Brand.
    pub brand: Brand,
    /// First 6 and last 4 digits.
    pub masked_pan: MaskedPan,
    /// Where it stands.
    pub state: JournalState,
}

/// A change to the journal, written by the driver when a flow asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalUpdate {
    /// A new transaction is about to be sent.
    Begin(InFlightRecord),
    /// The transaction with this key moved on.
    SetState {
        /// Idempotency key of the transaction.
        idempotency_key: String,
        /// Its new state.
        state: JournalState,
    },
}

/// What to do at start-up about a transaction left in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResumeDecision {
    /// Nothing was left in flight.
    Nothing,
    /// The outcome is unknown: reverse it before anything else.
    SendReversal {
        /// The transaction.
        record: InFlightRecord,
        /// Why.
        reason: ReversalReason,
    },
    /// Approved without a signature yet: collect it after login.
    ResumeSignature {
        /// The transaction.
        record: InFlightRecord,
        /// Gateway id of the approved transaction.
        transaction_id: String,
    },
}

/// Decides what a transaction left in the journal needs.
///
/// `Authorizing` means the app stopped between writing the journal and
/// reading an answer: the request may have reached the gateway, so it is
/// reversed as `Interrupted`. A pending reversal keeps its first reason.
pub fn resume_decision(record: Option<InFlightRecord>) -> ResumeDecision {
    let Some(record) = record else {
        return ResumeDecision::Nothing;
    };
    match record.state.clone() {
        JournalState::Authorizing => ResumeDecision::SendReversal {
            record,
            reason: ReversalReason::Interrupted,
        },
        JournalState::ReversalPending { reason } => ResumeDecision::SendReversal { record, reason },
        JournalState::AwaitingSignature { transaction_id } => ResumeDecision::ResumeSignature {
            record,
            transaction_id,
        },
        JournalState::Done => ResumeDecision::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: JournalState) -> InFlightRecord {
        InFlightRecord {
            kind: TxnKind::Sale,
            idempotency_key: "k1".into(),
            username: "amy".into(),
            amount: Money::twd_minor(10_000),
            brand: Brand::Visa,
            masked_pan: MaskedPan::from_pan("4111111111111111").unwrap(),
            state,
        }
    }

    #[test]
    fn interrupted_authorization_is_reversed_as_interrupted() {
        let decision = resume_decision(Some(record(JournalState::Authorizing)));
        assert!(matches!(
            decision,
            ResumeDecision::SendReversal {
                reason: ReversalReason::Interrupted,
                ..
            }
        ));
    }

    #[test]
    fn pending_reversal_keeps_its_reason() {
        let decision = resume_decision(Some(record(JournalState::ReversalPending {
            reason: ReversalReason::Timeout,
        })));
        assert!(matches!(
            decision,
            ResumeDecision::SendReversal {
                reason: ReversalReason::Timeout,
                ..
            }
        ));
    }

    #[test]
    fn awaiting_signature_resumes_at_signature() {
        let decision = resume_decision(Some(record(JournalState::AwaitingSignature {
            transaction_id: "t9".into(),
        })));
        match decision {
            ResumeDecision::ResumeSignature { transaction_id, .. } => {
                assert_eq!(transaction_id, "t9")
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn done_or_empty_needs_nothing() {
        assert_eq!(resume_decision(None), ResumeDecision::Nothing);
        assert_eq!(
            resume_decision(Some(record(JournalState::Done))),
            ResumeDecision::Nothing
        );
    }
}
