//! The gateway's HTTP API as typed async methods, one per endpoint of
//! `mpos_wire::api::paths`, over rustls (ring) with the pinned verifier.

use super::pinning::{
    certificate_not_after, is_certificate_rejected, is_pin_mismatch, PinnedServerVerifier,
    PinningError,
};
use crate::model::host_error::HostError;
use crate::model::session::SessionToken;
use mpos_wire::api::{
    paths, ActivateRequest, AppStatus, AuthorizationResponse, ChangePasswordRequest, LoginRequest,
    LoginResponse, RefundRequest, ReversalRequest, ReversalResponse, SaleRequest,
    SendReceiptRequest, SendReceiptResponse, SettleResponse, SettlementPreview, SignatureRequest,
    StageResponse, TerminalConfig, TransactionList, TransactionSearch, TransactionSummary,
    VerifyPasswordRequest, VoidRequest, IDEMPOTENCY_KEY_HEADER,
};
use mpos_wire::ApiError;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Where the gateway is and how to trust it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig {
    /// Base URL, `https://...`.
    pub gateway_url: String,
    /// PEM of the certificate(s) the chain must end at.
    pub trust_root_pem: String,
    /// SHA-256 of the gateway certificate's SubjectPublicKeyInfo, hex: the
    /// current key, then, comma-separated, the backup key of the next rotation.
    pub pinned_spki_sha256: String,
    /// Time limit of one request, connection included.
    pub request_timeout: Duration,
}

/// Why the client could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostSetupError {
    /// The URL is not an `https://` URL.
    #[error("the gateway URL must start with https://: {0}")]
    InvalidUrl(String),
    /// The trust root or pin is unusable.
    #[error(transparent)]
    Tls(#[from] PinningError),
    /// reqwest refused the settings.
    #[error("could not build the HTTP client: {0}")]
    Client(String),
}

/// The typed client. It holds no session: each call takes the token of
/// the session it belongs to (the navigation engine owns the session).
pub struct HostClient {
    http: reqwest::Client,
    base: String,
}

/// The session a call belongs to, if any.
type Token<'a> = Option<&'a SessionToken>;

impl std::fmt::Debug for HostClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl HostClient {
    /// Builds the client; no connection is made yet.
    pub fn new(config: &HostConfig) -> Result<HostClient, HostSetupError> {
        let base = config.gateway_url.trim().trim_end_matches('/').to_string();
        let rest = base.strip_prefix("https://").unwrap_or_default();
        if rest.is_empty() || rest.contains(char::is_whitespace) {
            return Err(HostSetupError::InvalidUrl(config.gateway_url.clone()));
        }
        let verifier =
            PinnedServerVerifier::new(&config.trust_root_pem, &config.pinned_spki_sha256)?;
        let tls = verifier.into_client_config()?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout)
            .https_only(true)
            // The self-check reads the gateway certificate's expiry.
            .tls_info(true)
            .build()
            .map_err(|e| HostSetupError::Client(e.to_string()))?;
        Ok(HostClient { http, base })
    }

    /// `POST /v1/app/login`; the answer carries the new session's token.
    pub async fn login(&self, request: &LoginRequest) -> Result<LoginResponse, HostError> {
        self.send(self.post(None, paths::LOGIN).json(request)).await
    }

    /// `POST /v1/app/activate`.
    pub async fn activate(
        &self,
        token: Token<'_>,
        request: &ActivateRequest,
    ) -> Result<StageResponse, HostError> {
        self.send(self.post(token, paths::ACTIVATE).json(request))
            .await
    }

    /// `POST /v1/app/password`.
    pub async fn change_password(
        &self,
        token: Token<'_>,
        request: &ChangePasswordRequest,
    ) -> Result<StageResponse, HostError> {
        self.send(self.post(token, paths::PASSWORD).json(request))
            .await
    }

    /// `POST /v1/app/verify-password`.
    pub async fn verify_password(
        &self,
        token: Token<'_>,
        request: &VerifyPasswordRequest,
    ) -> Result<(), HostError> {
        self.send_ignoring_body(self.post(token, paths::VERIFY_PASSWORD).json(request))
            .await
    }

    /// `POST /v1/app/logout`: ends the session of `token`.
    pub async fn logout(&self, token: &SessionToken) -> Result<(), HostError> {
        self.send_ignoring_body(self.post(Some(token), paths::LOGOUT))
            .await
    }

    /// `GET /v1/app/terminal-config`.
    pub async fn terminal_config(&self, token: Token<'_>) -> Result<TerminalConfig, HostError> {
        self.send(self.get(token, paths::TERMINAL_CONFIG)).await
    }

    /// `GET /v1/app/status` (no session), with the expiry of the
    /// certificate the gateway presented (Unix seconds), when readable.
    pub async fn app_status(&self) -> Result<(AppStatus, Option<i64>), HostError> {
        let response = self
            .get(None, paths::APP_STATUS)
            .send()
            .await
            .map_err(transport_error)?;
        let not_after = response
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .and_then(|info| info.peer_certificate())
            .and_then(certificate_not_after);
        let (status, body) = Self::read(response).await?;
        let answer = serde_json::from_slice(&body)
            .map_err(|e| HostError::Malformed(format!("HTTP {status}: {e}")))?;
        Ok((answer, not_after))
    }

    /// `POST /v1/app/sales` with the request's idempotency key.
    pub async fn sale(
        &self,
        token: Token<'_>,
        idempotency_key: &str,
        request: &SaleRequest,
    ) -> Result<AuthorizationResponse, HostError> {
        self.send(
            self.post(token, paths::SALES)
                .header(IDEMPOTENCY_KEY_HEADER, idempotency_key)
                .json(request),
        )
        .await
    }

    /// `POST /v1/app/refunds` with the request's idempotency key.
    pub async fn refund(
        &self,
        token: Token<'_>,
        idempotency_key: &str,
        request: &RefundRequest,
    ) -> Result<AuthorizationResponse, HostError> {
        self.send(
            self.post(token, paths::REFUNDS)
                .header(IDEMPOTENCY_KEY_HEADER, idempotency_key)
                .json(request),
        )
        .await
    }

    /// `POST /v1/app/voids` with the void's idempotency key.
    pub async fn void(
        &self,
        token: Token<'_>,
        idempotency_key: &str,
        request: &VoidRequest,
    ) -> Result<TransactionSummary, HostError> {
        self.send(
            self.post(token, paths::VOIDS)
                .header(IDEMPOTENCY_KEY_HEADER, idempotency_key)
                .json(request),
        )
        .await
    }

    /// `POST /v1/app/reversals`: the body names the original request by its
    /// idempotency key; the header carries [`reversal_idempotency_key`].
    pub async fn reverse(
        &self,
        token: Token<'_>,
        request: &ReversalRequest,
    ) -> Result<ReversalResponse, HostError> {
        let builder = self
            .post(token, paths::REVERSALS)
            .header(IDEMPOTENCY_KEY_HEADER, reversal_idempotency_key(request))
            .json(request);
        self.send(builder).await
    }

    /// `GET /v1/app/transactions?last4=|auth_code=|invoice_no=`.
    pub async fn search(
        &self,
        token: Token<'_>,
        criteria: &TransactionSearch,
    ) -> Result<TransactionList, HostError> {
        self.send(self.get(token, paths::TRANSACTIONS).query(criteria))
            .await
    }

    /// `GET /v1/app/transactions/{id}`.
    pub async fn get_transaction(
        &self,
        token: Token<'_>,
        id: &str,
    ) -> Result<TransactionSummary, HostError> {
        self.send(self.get(token, &paths::fill(paths::TRANSACTION, &path_segment(id))))
            .await
    }

    /// `POST /v1/app/transactions/{id}/signature`.
    pub async fn upload_signature(
        &self,
        token: Token<'_>,
        id: &str,
        request: &SignatureRequest,
    ) -> Result<TransactionSummary, HostError> {
        self.send(
            self.post(token, &paths::fill(paths::SIGNATURE, &path_segment(id)))
                .json(request),
        )
        .await
    }

    /// `POST /v1/app/transactions/{id}/receipt`.
    pub async fn send_receipt(
        &self,
        token: Token<'_>,
        id: &str,
        request: &SendReceiptRequest,
    ) -> Result<SendReceiptResponse, HostError> {
        self.send(
            self.post(token, &paths::fill(paths::RECEIPT, &path_segment(id)))
                .json(request),
        )
        .await
    }

    /// `GET /v1/app/settlement`.
    pub async fn settlement_preview(
        &self,
        token: Token<'_>,
    ) -> Result<SettlementPreview, HostError> {
        self.send(self.get(token, paths::SETTLEMENT_PREVIEW)).await
    }

    /// `POST /v1/app/settlement`.
    pub async fn settle(&self, token: Token<'_>) -> Result<SettleResponse, HostError> {
        self.send(self.post(token, paths::SETTLE)).await
    }

    fn get(&self, token: Token<'_>, path: &str) -> RequestBuilder {
        self.request(token, Method::GET, path)
    }

    fn post(&self, token: Token<'_>, path: &str) -> RequestBuilder {
        self.request(token, Method::POST, path)
    }

    fn request(&self, token: Token<'_>, method: Method, path: &str) -> RequestBuilder {
        let builder = self.http.request(method, format!("{}{}", self.base, path));
        match token {
            Some(token) => builder.bearer_auth(token.as_str()),
            None => builder,
        }
    }

    async fn send<T: DeserializeOwned>(&self, builder: RequestBuilder) -> Result<T, HostError> {
        let (status, body) = self.exchange(builder).await?;
        serde_json::from_slice(&body)
            .map_err(|e| HostError::Malformed(format!("HTTP {status}: {e}")))
    }

    async fn send_ignoring_body(&self, builder: RequestBuilder) -> Result<(), HostError> {
        self.exchange(builder).await.map(|_| ())
    }

    /// Sends and reads the whole answer; any non-2xx becomes an error.
    async fn exchange(&self, builder: RequestBuilder) -> Result<(StatusCode, Vec<u8>), HostError> {
        let response = builder.send().await.map_err(transport_error)?;
        Self::read(response).await
    }

    /// Reads the whole answer; any non-2xx becomes an error.
    async fn read(response: reqwest::Response) -> Result<(StatusCode, Vec<u8>), HostError> {
        let status = response.status();
        let body = response.bytes().await.map_err(transport_error)?.to_vec();
        if status.is_success() {
            return Ok((status, body));
        }
        match serde_json::from_slice::<ApiError>(&body) {
            Ok(error) => Err(HostError::Api(error)),
            // A proxy's error page says nothing about what the gateway did.
            Err(_) => Err(HostError::Malformed(format!(
                "HTTP {status} without an API error body"
            ))),
        }
    }
}

/// The reversal's own idempotency key. The gateway wants one distinct from
/// the original's; deriving it from the original key and the reason makes
/// every retry, even after a restart, the same request.
pub fn reversal_idempotency_key(request: &ReversalRequest) -> String {
    let reason = serde_json::to_value(request.reason)
        .ok()
        .and_then(|value| value.as_str().map(str::to_string))
        .unwrap_or_else(|| "reversal".to_string());
    format!("reversal-{reason}-{}", request.original_idempotency_key)
}

fn transport_error(error: reqwest::Error) -> HostError {
    if is_pin_mismatch(&error) {
        HostError::PinMismatch
    } else if is_certificate_rejected(&error) {
        HostError::UntrustedCertificate(describe(&error.without_url()))
    } else if error.is_timeout() {
        HostError::Timeout
    } else if error.is_decode() || error.is_body() {
        HostError::Malformed(error.without_url().to_string())
    } else {
        HostError::Transport(describe(&error.without_url()))
    }
}

/// The error and its causes on one line (reqwest's own text is only the top).
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Percent-encodes an id for use as one path segment.
fn path_segment(id: &str) -> String {
    let mut encoded = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
