//! End-to-end tests: each starts the real `mpos-gateway` binary (TLS, key
//! pinned by the phone, SQLite, test clock) with a real loopback SMTP server
//! and a fake SMS provider, and drives phones made of `mpos-core` and the
//! virtual reader (event-level, or on the far end of the audio jack in
//! `audio`) exactly as a cashier would. Every test checks the product
//! rule on screen and, through the merchant portal's API, that nothing was
//! charged, lost or counted twice.
//!
//! Amounts are whole NT$ as the cashier types them. Build the gateway
//! first: `cargo build -p mpos-gateway --bins`.

mod activation;
mod audio;
mod card_data;
mod chip_first;
mod crash_journal;
mod declines;
mod journal_faults;
mod limits;
mod lockout;
mod login;
mod pin;
mod pinning;
mod query;
mod refunds;
mod sales;
mod self_check;
mod settlement;
mod timeout_reversal;
mod voids;
