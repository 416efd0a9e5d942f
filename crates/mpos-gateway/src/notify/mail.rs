//! E-mail: lettre over plain SMTP to the configured relay, or the outbox.

use super::outbox::Outbox;
use super::NotifyError;
use crate::config::SmtpConfig;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// One e-mail.
#[derive(Clone, Serialize)]
pub struct Mail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
}

/// Where e-mails go.
pub enum Mailer {
    /// A real SMTP relay.
    Smtp {
        /// The transport.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// Sender.
        from: Mailbox,
    },
    /// The development outbox file.
    Outbox(Outbox),
}

impl Mailer {
    /// SMTP when configured, else `outbox`.
    pub fn new(config: Option<&SmtpConfig>, outbox: PathBuf) -> Result<Self, NotifyError> {
        match config {
            Some(smtp) => {
                let from = smtp
                    .from
                    .parse::<Mailbox>()
                    .map_err(|e| NotifyError::Address(format!("smtp.from: {e}")))?;
                // Plain SMTP: the relay is local (loopback or the bank's own relay).
                let transport =
                    AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
                        .port(smtp.port)
                        .timeout(Some(Duration::from_secs(15)))
                        .build();
                Ok(Mailer::Smtp { transport, from })
            }
            None => Ok(Mailer::Outbox(Outbox::new(outbox))),
        }
    }

    /// Sends one e-mail.
    pub async fn send(&self, mail: &Mail) -> Result<(), NotifyError> {
        match self {
            Mailer::Smtp { transport, from } => {
                let to = mail
                    .to
                    .parse::<Mailbox>()
                    .map_err(|e| NotifyError::Address(e.to_string()))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(mail.subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(mail.body.clone())
                    .map_err(|e| NotifyError::Smtp(e.to_string()))?;
                transport
                    .send(message)
                    .await
                    .map_err(|e| NotifyError::Smtp(e.to_string()))?;
                Ok(())
            }
            Mailer::Outbox(outbox) => Ok(outbox.append(mail)?),
        }
    }
}
