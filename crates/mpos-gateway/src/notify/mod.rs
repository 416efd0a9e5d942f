//! Messages to people: e-mail over SMTP, SMS through the provider's HTTP
//! API, each with a development outbox file when no provider is configured.

pub mod contact;
pub mod mail;
pub mod outbox;
pub mod sms;

/// Why a message could not be handed over.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The address could not be used.
    #[error("invalid address: {0}")]
    Address(String),
    /// The SMTP server refused or could not be reached.
    #[error("SMTP delivery failed: {0}")]
    Smtp(String),
    /// The SMS provider refused or could not be reached.
    #[error("SMS delivery failed: {0}")]
    Sms(String),
    /// The outbox file could not be written.
    #[error("outbox write failed: {0}")]
    Outbox(#[from] std::io::Error),
}
