//! API errors as HTTP responses, and extractors that turn malformed input
//! into a `bad_request` [`ApiError`] instead of axum's plain-text rejections.

use crate::store::{Refusal, StoreError};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mpos_wire::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;

/// An error a handler returns; it becomes `ApiError` JSON with the code's
/// status (and a `Retry-After` header when the client should wait).
#[derive(Debug, Clone)]
pub struct AppError {
    /// What the client reads.
    pub error: ApiError,
    /// Seconds the client should wait before trying again.
    pub retry_after_secs: Option<u64>,
}

impl AppError {
    /// An error with a detail line.
    pub fn detail(code: ErrorCode, detail: impl Into<String>) -> Self {
        AppError::from(ApiError::new(code).with_detail(detail))
    }

    /// An error the client may retry after `seconds`.
    pub fn retry_after(code: ErrorCode, seconds: u64) -> Self {
        AppError {
            retry_after_secs: Some(seconds),
            ..AppError::detail(code, format!("try again in {seconds} s"))
        }
    }

    /// The error's code.
    pub fn code(&self) -> ErrorCode {
        self.error.code
    }

    /// The HTTP status of the error.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.error.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<ApiError> for AppError {
    fn from(error: ApiError) -> Self {
        AppError {
            error,
            retry_after_secs: None,
        }
    }
}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        AppError::from(ApiError::new(code))
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Refused(refusal) => AppError::from(refusal_code(refusal)),
            other => {
                tracing::error!(error = %other, "store failure");
                AppError::from(ErrorCode::Internal)
            }
        }
    }
}

/// The API's code for a rule's refusal.
pub fn refusal_code(refusal: Refusal) -> ErrorCode {
    match refusal {
        Refusal::TransactionNotFound => ErrorCode::NotFound,
        Refusal::AlreadyVoided => ErrorCode::AlreadyVoided,
        Refusal::NotApproved => ErrorCode::NotApproved,
        Refusal::AlreadySettled => ErrorCode::AlreadySettled,
        Refusal::HasRefunds => ErrorCode::HasRefunds,
        Refusal::AlreadyReversed => ErrorCode::AlreadyReversed,
        Refusal::DailyLimitExceeded => ErrorCode::LimitPerDayExceeded,
        Refusal::OriginalNotFound => ErrorCode::OriginalNotFound,
        Refusal::RefundExceedsOriginal => ErrorCode::RefundExceedsOriginal,
        Refusal::ReversalWindowPassed => ErrorCode::ReversalWindowPassed,
        Refusal::ReversalNotOwner => ErrorCode::ReversalNotOwner,
        Refusal::SignatureAlreadyStored => ErrorCode::BadRequest,
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(error: tokio::task::JoinError) -> Self {
        tracing::error!(error = %error, "background task failed");
        AppError::from(ErrorCode::Internal)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, axum::Json(self.error)).into_response();
        if let Some(seconds) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// A JSON body; malformed JSON is a `bad_request` ApiError.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Json::<T>::from_request(req, state)
            .await
            .map(|axum::Json(value)| ApiJson(value))
            .map_err(|rejection| AppError::detail(ErrorCode::BadRequest, rejection.body_text()))
    }
}

/// A query string; malformed queries are a `bad_request` ApiError.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection| AppError::detail(ErrorCode::BadRequest, rejection.body_text()))
    }
}

/// A path parameter; bad ones are a `bad_request` ApiError.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|rejection| AppError::detail(ErrorCode::BadRequest, rejection.body_text()))
    }
}

/// Unknown paths answer with a `not_found` ApiError.
pub async fn not_found() -> AppError {
    AppError::from(ErrorCode::NotFound)
}

/// Known paths with the wrong method answer with a `bad_request` ApiError.
pub async fn method_not_allowed() -> Response {
    let mut response =
        AppError::detail(ErrorCode::BadRequest, "method not allowed").into_response();
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}
