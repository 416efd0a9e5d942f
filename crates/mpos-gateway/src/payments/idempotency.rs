//! Idempotency keys. The first request with a key claims it; the answer is
//! stored with it. The same key and body again replays that answer; while
//! the first is still running the retry gets `request_in_progress`; another
//! body under the same key gets `idempotency_conflict`; a key that was
//! reversed gets `already_reversed`; a key another user of the merchant
//! holds gets `idempotency_conflict` (keys are scoped to the merchant and
//! owned by the user who sent them first). The work
//! runs in its own task, so a client that hangs up cannot leave a payment
//! half done; if the task dies, its pending transaction ends reversed.

use crate::domain::idempotency_key;
use crate::error::AppError;
use crate::payments::expiry::{answer, expire_key};
use crate::state::AppState;
use crate::store::Claim;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mpos_wire::api::IDEMPOTENCY_KEY_HEADER;
use mpos_wire::{ApiError, ErrorCode};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::future::Future;

/// Header set on replayed answers.
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";

/// The request's `Idempotency-Key` header, checked as
/// `domain::idempotency_key` sets: the one place a handler gets its key
/// from. A missing or malformed key is `bad_request` before the body is read.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        key_from(&parts.headers).map(IdempotencyKey)
    }
}

/// The idempotency key in `headers`, in the form `domain::idempotency_key` sets.
fn key_from(headers: &HeaderMap) -> Result<String, AppError> {
    let value = headers.get(IDEMPOTENCY_KEY_HEADER).ok_or_else(|| {
        AppError::detail(
            ErrorCode::BadRequest,
            "the Idempotency-Key header is required",
        )
    })?;
    let key = value.to_str().map_err(|_| {
        AppError::detail(
            ErrorCode::BadRequest,
            "Idempotency-Key must be visible ASCII",
        )
    })?;
    idempotency_key::check(key)
        .map_err(|e| AppError::detail(ErrorCode::BadRequest, e.to_string()))?;
    Ok(key.to_string())
}

/// Hash identifying a request: endpoint and canonical JSON body.
pub fn request_hash<T: Serialize>(endpoint: &str, request: &T) -> String {
    let mut hasher = Sha256::new();
    hasher.update(endpoint.as_bytes());
    hasher.update(b"\n");
    hasher.update(serde_json::to_vec(request).unwrap_or_default());
    hex::encode(hasher.finalize())
}

fn json_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// Runs `work` once per `(user, key)`; see the module comment.
pub async fn run<T, W>(
    state: AppState,
    user_id: String,
    key: String,
    endpoint: &'static str,
    hash: String,
    work: W,
) -> Response
where
    T: Serialize + Send + 'static,
    W: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let now = state.clock.now();
    let claim = match state
        .store
        .idempotency()
        .claim(
            &state.config.merchant.id,
            &user_id,
            &key,
            endpoint,
            &hash,
            now,
        )
        .await
    {
        Ok(claim) => claim,
        Err(e) => return AppError::from(e).into_response(),
    };
    match claim {
        Claim::Claimed => {}
        Claim::Replay { status, body } => {
            tracing::info!(event = "idempotent_replay", endpoint, user_id = %user_id, "replayed stored answer");
            let mut response = json_response(status, body);
            response
                .headers_mut()
                .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
            return response;
        }
        Claim::InProgress => return AppError::from(ErrorCode::RequestInProgress).into_response(),
        Claim::Conflict => return AppError::from(ErrorCode::IdempotencyConflict).into_response(),
        Claim::Reversed => return AppError::from(ErrorCode::AlreadyReversed).into_response(),
    }
    let (task_state, task_user, task_key) = (state.clone(), user_id.clone(), key.clone());
    let task = tokio::spawn(async move {
        let (state, user_id, key) = (task_state, task_user, task_key);
        let (status, body) = match work.await {
            Ok(value) => (200u16, serde_json::to_string(&value).unwrap_or_default()),
            Err(error) => (
                error.error.code.http_status(),
                serde_json::to_string(&error.error).unwrap_or_default(),
            ),
        };
        let stored = if status == ErrorCode::Internal.http_status() {
            // Nothing was decided: let the client retry with the same key.
            state.store.idempotency().release(&user_id, &key).await
        } else {
            state
                .store
                .idempotency()
                .complete(&user_id, &key, status, &body)
                .await
        };
        if let Err(e) = stored {
            tracing::error!(event = "idempotency_store_failed", error = %e, "could not store the answer");
        }
        (status, body)
    });
    match task.await {
        Ok((status, body)) => json_response(status, body),
        Err(e) => {
            tracing::error!(event = "payment_task_failed", error = %e, "payment task failed");
            match expire_key(&state, &user_id, &key).await {
                Ok(Some(row)) => {
                    let (status, body) = answer(&state, &row);
                    json_response(status, body)
                }
                expired => {
                    if matches!(expired, Ok(None)) {
                        // Nothing was admitted: let the client retry with the same key.
                        if let Err(e) = state.store.idempotency().release(&user_id, &key).await {
                            tracing::error!(event = "idempotency_store_failed", error = %e, "could not release the key");
                        }
                    }
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        axum::Json(ApiError::new(ErrorCode::Internal)),
                    )
                        .into_response()
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_required_and_has_128_bits() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            key_from(&headers).unwrap_err().code(),
            ErrorCode::BadRequest
        );
        headers.insert(IDEMPOTENCY_KEY_HEADER, HeaderValue::from_static("order-42"));
        assert!(key_from(&headers).is_err());
        let key = "0123456789abcdef".repeat(2);
        headers.insert(IDEMPOTENCY_KEY_HEADER, HeaderValue::from_str(&key).unwrap());
        assert_eq!(key_from(&headers).unwrap(), key);
    }

    #[test]
    fn hash_depends_on_endpoint_and_body() {
        let a = request_hash("sale", &serde_json::json!({"a": 1}));
        assert_eq!(a, request_hash("sale", &serde_json::json!({"a": 1})));
        assert_ne!(a, request_hash("sale", &serde_json::json!({"a": 2})));
        assert_ne!(a, request_hash("refund", &serde_json::json!({"a": 1})));
    }
}
