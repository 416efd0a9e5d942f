//! Financial requests: sale, refund, void, reversal, each behind an
//! idempotency key; and the phone's transaction search.

pub mod authorize;
pub mod card;
pub mod expiry;
pub mod idempotency;
pub mod limits;
pub mod refund;
pub mod reversal;
pub mod sale;
pub mod search;
pub mod summary;
pub mod void;
