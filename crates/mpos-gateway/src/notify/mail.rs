//! E-mail: lettre over SMTP to the configured relay (STARTTLS by default,
//! or TLS from the first byte; plain text in development mode only), or the outbox.

use super::outbox::Outbox;
use super::NotifyError;
use crate::config::{SmtpConfig, SmtpTls};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::message::MultiPart;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
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
    /// An HTML alternative saying the same, if any (sent as multipart/alternative).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// Where e-mails go.
pub enum Mailer {
    /// A real SMTP relay.
    Smtp {
        /// The transport (boxed: with TLS parameters it is large).
        transport: Box<AsyncSmtpTransport<Tokio1Executor>>,
        /// Sender.
        from: Mailbox,
    },
    /// The development outbox file.
    Outbox(Outbox),
}

/// The SMTP transport `smtp` asks for: its TLS mode, and the relay's
/// certificate authority from `ca_cert_path` or else the public web roots.
fn transport(smtp: &SmtpConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, NotifyError> {
    let builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .timeout(Some(Duration::from_secs(15)));
    let builder = match smtp.tls {
        SmtpTls::None => builder,
        SmtpTls::Starttls => builder.tls(Tls::Required(tls_parameters(smtp)?)),
        SmtpTls::Tls => builder.tls(Tls::Wrapper(tls_parameters(smtp)?)),
    };
    Ok(builder.build())
}

fn tls_parameters(smtp: &SmtpConfig) -> Result<TlsParameters, NotifyError> {
    let tls_error = |e: &dyn std::fmt::Display| NotifyError::Smtp(format!("smtp TLS: {e}"));
    let mut parameters = TlsParameters::builder(smtp.host.clone());
    if let Some(path) = &smtp.ca_cert_path {
        let pem =
            std::fs::read(path).map_err(|e| tls_error(&format!("{}: {e}", path.display())))?;
        let certificate = Certificate::from_pem(&pem).map_err(|e| tls_error(&e))?;
        parameters = parameters.add_root_certificate(certificate);
    }
    parameters.build_rustls().map_err(|e| tls_error(&e))
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
                let transport = Box::new(transport(smtp)?);
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
                let builder = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(mail.subject.clone());
                let message = match &mail.html {
                    Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                        mail.body.clone(),
                        html.clone(),
                    )),
                    None => builder
                        .header(ContentType::TEXT_PLAIN)
                        .body(mail.body.clone()),
                }
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
