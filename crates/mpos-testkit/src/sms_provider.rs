//! A fake SMS provider: the third-party HTTP API the gateway sends SMS through.
//!
//! `POST /messages` with JSON `{"to": "...", "message": "..."}` and, when
//! the provider was started with a token, `Authorization: Bearer <token>`.
//! Answers `202 {"id": "sms-N"}` and keeps the message. Plain HTTP on
//! 127.0.0.1: it stands in for a provider we cannot reach from tests.

use crate::inbox::{Inbox, WaitTimeout};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Path of the send endpoint.
pub const MESSAGES_PATH: &str = "/messages";

/// One SMS the provider accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsMessage {
    /// Id the provider answered with.
    pub id: String,
    /// Destination number as sent.
    pub to: String,
    /// Text of the message.
    pub message: String,
}

/// The request body the provider accepts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendSmsRequest {
    /// Destination number.
    pub to: String,
    /// Text.
    pub message: String,
}

/// The provider's answer to an accepted message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendSmsResponse {
    /// The provider's message id.
    pub id: String,
}

/// Why the provider could not start.
#[derive(Debug, thiserror::Error)]
#[error("the fake SMS provider could not listen on 127.0.0.1: {0}")]
pub struct StartError(#[from] std::io::Error);

/// A running fake SMS provider; it stops when dropped.
#[derive(Debug)]
pub struct FakeSmsProvider {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

#[derive(Debug)]
struct Shared {
    expected_token: Option<String>,
    inbox: Inbox<SmsMessage>,
    next_id: AtomicU64,
    unavailable: AtomicBool,
}

impl FakeSmsProvider {
    /// Starts on an ephemeral port of 127.0.0.1; with a token, requests must carry it as a bearer token.
    pub async fn start(expected_token: Option<String>) -> Result<FakeSmsProvider, StartError> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            expected_token,
            inbox: Inbox::default(),
            next_id: AtomicU64::new(1),
            unavailable: AtomicBool::new(false),
        });
        let app = Router::new()
            .route(MESSAGES_PATH, post(send))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            // The server only ends when the task is aborted on drop.
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeSmsProvider { addr, shared, task })
    }

    /// Base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every message accepted so far.
    pub fn messages(&self) -> Vec<SmsMessage> {
        self.shared.inbox.all()
    }

    /// The first message (already here or yet to come) that matches.
    pub async fn wait_for_message(
        &self,
        predicate: impl Fn(&SmsMessage) -> bool,
        timeout: Duration,
    ) -> Result<SmsMessage, WaitTimeout> {
        self.shared.inbox.wait_for(predicate, timeout).await
    }

    /// While set, every request is answered `503` (a provider outage).
    pub fn set_unavailable(&self, unavailable: bool) {
        self.shared.unavailable.store(unavailable, Ordering::SeqCst);
    }
}

impl Drop for FakeSmsProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn error(status: StatusCode, text: &str) -> Response {
    (status, Json(serde_json::json!({ "error": text }))).into_response()
}

async fn send(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    if shared.unavailable.load(Ordering::SeqCst) {
        return error(StatusCode::SERVICE_UNAVAILABLE, "provider unavailable");
    }
    if let Some(token) = &shared.expected_token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        if presented != Some(token.as_str()) {
            return error(StatusCode::UNAUTHORIZED, "missing or wrong bearer token");
        }
    }
    let Ok(request) = serde_json::from_str::<SendSmsRequest>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "body must be {\"to\", \"message\"}",
        );
    };
    if request.to.trim().is_empty() || request.message.is_empty() {
        return error(StatusCode::BAD_REQUEST, "to and message must not be empty");
    }
    let id = format!("sms-{}", shared.next_id.fetch_add(1, Ordering::SeqCst));
    shared.inbox.push(SmsMessage {
        id: id.clone(),
        to: request.to,
        message: request.message,
    });
    (StatusCode::ACCEPTED, Json(SendSmsResponse { id })).into_response()
}
