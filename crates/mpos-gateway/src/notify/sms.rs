//! SMS: `POST {"to": ..., "message": ...}` as JSON to the provider's URL,
//! with an optional bearer token; any 2xx answer means accepted. Without a
//! provider the message goes to the outbox file.

use super::outbox::Outbox;
use super::NotifyError;
use crate::config::SmsConfig;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// One text message, also the provider's request body.
#[derive(Clone, Serialize)]
pub struct Sms {
    /// Mobile number.
    pub to: String,
    /// Text.
    pub message: String,
}

/// Where text messages go.
pub enum SmsSender {
    /// An HTTP provider.
    Http {
        /// Client (rustls on ring, public roots).
        client: reqwest::Client,
        /// Provider endpoint.
        url: String,
        /// Optional bearer token.
        bearer_token: Option<String>,
    },
    /// The development outbox file.
    Outbox(Outbox),
}

impl SmsSender {
    /// The provider when configured, else `outbox`.
    pub fn new(config: Option<&SmsConfig>, outbox: PathBuf) -> Result<Self, NotifyError> {
        let Some(config) = config else {
            return Ok(SmsSender::Outbox(Outbox::new(outbox)));
        };
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| NotifyError::Sms(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(Duration::from_secs(15))
            .build()
            .map_err(|e| NotifyError::Sms(e.to_string()))?;
        Ok(SmsSender::Http {
            client,
            url: config.url.clone(),
            bearer_token: config.bearer_token.clone(),
        })
    }

    /// Sends one message.
    pub async fn send(&self, sms: &Sms) -> Result<(), NotifyError> {
        match self {
            SmsSender::Http {
                client,
                url,
                bearer_token,
            } => {
                let mut request = client.post(url).json(sms);
                if let Some(token) = bearer_token {
                    request = request.bearer_auth(token);
                }
                let response = request
                    .send()
                    .await
                    .map_err(|e| NotifyError::Sms(e.without_url().to_string()))?;
                if response.status().is_success() {
                    Ok(())
                } else {
                    Err(NotifyError::Sms(format!(
                        "provider answered {}",
                        response.status()
                    )))
                }
            }
            SmsSender::Outbox(outbox) => Ok(outbox.append(sms)?),
        }
    }
}
