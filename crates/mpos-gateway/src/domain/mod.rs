//! The gateway's rules as pure functions: values in, a decision out. No
//! I/O, no clock, no SQL and no HTTP live here, so each rule is tested on
//! its own and the stores and handlers only gather facts and apply verdicts.

pub mod client_address;
pub mod daily_limit;
pub mod fallback;
pub mod idempotency_key;
pub mod rate_limit;
pub mod receipt_page;
pub mod refusal;
pub mod reversal;
pub mod session;
