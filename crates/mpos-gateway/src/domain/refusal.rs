//! Why a payment rule refused an operation, in the domain's words. The HTTP
//! layer (`error.rs`) maps each refusal to the API's error code.

use crate::domain::reversal::ReversalRefusal;

/// A rule, checked inside the operation's transaction, refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such transaction (or not the caller's).
    TransactionNotFound,
    /// The transaction is already voided or reversed.
    AlreadyVoided,
    /// The transaction is not approved (pending or declined).
    NotApproved,
    /// The transaction is in a settled batch.
    AlreadySettled,
    /// Refunds against the sale are pending or approved.
    HasRefunds,
    /// The idempotency key of the request was reversed.
    AlreadyReversed,
    /// The sale would exceed the user's daily limit.
    DailyLimitExceeded,
    /// The sale a refund names is not an approved sale.
    OriginalNotFound,
    /// Refunds would exceed the original sale.
    RefundExceedsOriginal,
    /// The approved original is older than the reversal window.
    ReversalWindowPassed,
    /// Another user made the original.
    ReversalNotOwner,
    /// The transaction already has a signature.
    SignatureAlreadyStored,
}

impl From<ReversalRefusal> for Refusal {
    fn from(refusal: ReversalRefusal) -> Self {
        match refusal {
            ReversalRefusal::NotOwner => Refusal::ReversalNotOwner,
            ReversalRefusal::Settled => Refusal::AlreadySettled,
            ReversalRefusal::HasRefunds => Refusal::HasRefunds,
            ReversalRefusal::WindowPassed => Refusal::ReversalWindowPassed,
        }
    }
}
