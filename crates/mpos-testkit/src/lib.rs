//! Test support for the cross-process tests and the demo: the third
//! parties the gateway talks to, run for real on the loopback interface.
//!
//! - [`smtp_server`]: an SMTP server (RFC 5321 subset) that keeps every message.
//! - [`sms_provider`]: a fake SMS provider's HTTP API that keeps every message.
//! - [`postgres_server`]: a PostgreSQL server on loopback, a fresh database per caller.
//! - [`activation`]: reads the account, default password and activation
//!   code out of the activation e-mail and SMS.

pub mod activation;
pub mod benchmark_report;
pub mod inbox;
pub mod mime;
pub mod postgres_server;
pub mod sms_provider;
pub mod smtp_server;

pub use activation::ActivationTextError;
pub use inbox::WaitTimeout;
pub use postgres_server::PostgresServer;
pub use sms_provider::{FakeSmsProvider, SmsMessage};
pub use smtp_server::{ReceivedMail, SmtpServer};
