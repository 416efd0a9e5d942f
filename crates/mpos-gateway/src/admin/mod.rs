//! The merchant administrator's API for automation, behind an
//! administrator's API token: phone users, every transaction, every batch.
//! The portal's pages do the same through [`phone_users`].

pub mod phone_users;

pub use phone_users::{
    admin_user, ACCOUNT_LINE, ACTIVATION_CODE_LINE, ACTIVATION_SUBJECT, PASSWORD_LINE,
};

use crate::auth::admin_token::Admin;
use crate::error::{ApiJson, ApiPath, AppError};
use crate::payments::summary::summarize;
use crate::settlement::batch::batch_summary;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use mpos_wire::api::{AdminUser, BatchList, CreateUserRequest, TransactionList, UserList};

/// `POST /v1/admin/users`.
pub async fn create_user(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ApiJson(request): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<AdminUser>), AppError> {
    let (user, delivery) = phone_users::create(&state, &actor, &request).await?;
    delivery?;
    Ok((StatusCode::CREATED, Json(admin_user(&state, &user))))
}

/// `GET /v1/admin/users`.
pub async fn list_users(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<UserList>, AppError> {
    let users = state
        .store
        .users()
        .list()
        .await?
        .iter()
        .map(|u| admin_user(&state, u))
        .collect();
    Ok(Json(UserList { users }))
}

/// `POST /v1/admin/users/{id}/disable`.
pub async fn disable_user(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AdminUser>, AppError> {
    let user = phone_users::disable(&state, &actor, &id).await?;
    Ok(Json(admin_user(&state, &user)))
}

/// `POST /v1/admin/users/{id}/reset-password`.
pub async fn reset_password(
    State(state): State<AppState>,
    Admin(actor): Admin,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AdminUser>, AppError> {
    let (user, delivery) = phone_users::reset_password(&state, &actor, &id).await?;
    delivery?;
    Ok(Json(admin_user(&state, &user)))
}

/// `GET /v1/admin/transactions`.
pub async fn list_transactions(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<TransactionList>, AppError> {
    let transactions = state
        .store
        .transactions()
        .list()
        .await?
        .iter()
        .map(|t| summarize(&state, t))
        .collect();
    Ok(Json(TransactionList { transactions }))
}

/// `GET /v1/admin/batches`.
pub async fn list_batches(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<BatchList>, AppError> {
    let batches = state
        .store
        .settlement()
        .list_batches()
        .await?
        .iter()
        .map(batch_summary)
        .collect();
    Ok(Json(BatchList { batches }))
}
