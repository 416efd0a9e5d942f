//! The app's login sequence: login -> activate (first login) -> new
//! password -> ready; plus verify-password, logout and terminal-config.

use crate::auth::activation::code_is_live;
use crate::auth::lockout::{lock_end, locked_error, locked_until};
use crate::auth::password::{hash_secret_async, is_six_digits, verify_secret_async};
use crate::auth::session::{new_token, token_hash, ReadySession, Session};
use crate::clock::format_time;
use crate::error::{ApiJson, AppError};
use crate::state::AppState;
use crate::store::{SessionRow, UserRow};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use mpos_wire::api::{
    ActivateRequest, ChangePasswordRequest, LoginRequest, LoginResponse, SessionStage,
    StageResponse, TerminalConfig, UserProfile, UserStatus, VerifyPasswordRequest,
};
use mpos_wire::{Currency, ErrorCode};

/// The phone user's own view of the account.
pub fn profile(state: &AppState, user: &UserRow) -> UserProfile {
    UserProfile {
        user_id: user.id.clone(),
        username: user.username.clone(),
        display_name: user.name.clone(),
        merchant_name: state.config.merchant.name.clone(),
        limits: user.limits.clone(),
    }
}

/// Where a user who just proved the password stands in first login.
fn stage_after_login(user: &UserRow) -> SessionStage {
    match (user.password_is_default, user.activated) {
        (true, false) => SessionStage::ActivationRequired,
        (true, true) => SessionStage::PasswordChangeRequired,
        (false, _) => SessionStage::Ready,
    }
}

/// Refuses a locked account.
fn ensure_unlocked(state: &AppState, user: &UserRow) -> Result<(), AppError> {
    match locked_until(user.locked_until, state.clock.now()) {
        Some(until) => Err(locked_error(until)),
        None => Ok(()),
    }
}

/// Counts a wrong secret and says what the user gets: `wrong`, or locked when this failure locked the account.
fn count_failure(state: &AppState, user: &UserRow, wrong: ErrorCode) -> AppError {
    let security = &state.config.security;
    let end = lock_end(state.clock.now(), security.lock_minutes);
    match state
        .store
        .record_failure(&user.id, security.max_failed_logins, end)
    {
        Ok(Some(until)) => {
            tracing::warn!(event = "account_locked", user_id = %user.id, until = %format_time(until), "account locked after repeated failures");
            locked_error(until)
        }
        Ok(None) => {
            tracing::info!(event = "credential_rejected", user_id = %user.id, "wrong password or code");
            wrong.into()
        }
        Err(e) => e.into(),
    }
}

/// Checks a user's password, counting failures toward the lock.
async fn check_password(state: &AppState, user: &UserRow, password: &str) -> Result<(), AppError> {
    ensure_unlocked(state, user)?;
    if verify_secret_async(password.to_string(), user.password_hash.clone()).await? {
        state.store.clear_failures(&user.id)?;
        Ok(())
    } else {
        Err(count_failure(state, user, ErrorCode::InvalidCredentials))
    }
}

/// `POST /v1/app/login`.
pub async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, AppError> {
    let Some(user) = state.store.user_by_username(request.username.trim())? else {
        tracing::info!(
            event = "login_rejected",
            reason = "unknown_user",
            "login refused"
        );
        return Err(ErrorCode::InvalidCredentials.into());
    };
    if user.status == UserStatus::Disabled {
        tracing::info!(event = "login_rejected", reason = "disabled", user_id = %user.id, "login refused");
        return Err(ErrorCode::AccountDisabled.into());
    }
    check_password(&state, &user, &request.password).await?;
    let now = state.clock.now();
    let token = new_token();
    let stage = stage_after_login(&user);
    let row = SessionRow {
        token_hash: token_hash(&token),
        user_id: user.id.clone(),
        stage,
        created_at: now,
        expires_at: now + time::Duration::minutes(i64::from(state.config.security.session_minutes)),
    };
    state.store.insert_session(&row)?;
    tracing::info!(event = "login", user_id = %user.id, ?stage, reader_serial = request.reader_serial.as_deref().unwrap_or("-"), "logged in");
    Ok(Json(LoginResponse {
        session_token: token,
        expires_at: format_time(row.expires_at),
        stage,
        user: profile(&state, &user),
    }))
}

/// `POST /v1/app/activate`.
pub async fn activate(
    State(state): State<AppState>,
    session: Session,
    ApiJson(request): ApiJson<ActivateRequest>,
) -> Result<Json<StageResponse>, AppError> {
    match session.row.stage {
        SessionStage::ActivationRequired => {}
        SessionStage::PasswordChangeRequired => {
            return Err(ErrorCode::PasswordChangeRequired.into())
        }
        SessionStage::Ready => {
            return Err(AppError::detail(
                ErrorCode::Forbidden,
                "the account is already activated",
            ))
        }
    }
    let user = &session.user;
    ensure_unlocked(&state, user)?;
    let Some(code_hash) = user.activation_code_hash.clone() else {
        return Err(ErrorCode::ActivationCodeInvalid.into());
    };
    if !code_is_live(user.activation_expires_at, state.clock.now()) {
        tracing::info!(event = "activation_rejected", reason = "expired", user_id = %user.id, "activation code expired");
        return Err(ErrorCode::ActivationCodeExpired.into());
    }
    let code = request.activation_code.trim().to_string();
    if !verify_secret_async(code, code_hash.clone()).await? {
        return Err(count_failure(
            &state,
            user,
            ErrorCode::ActivationCodeInvalid,
        ));
    }
    // The code is single-use: only the request that clears it wins.
    if !state.store.consume_activation_code(&user.id, &code_hash)? {
        return Err(ErrorCode::ActivationCodeInvalid.into());
    }
    state.store.clear_failures(&user.id)?;
    state.store.set_session_stage(
        &session.row.token_hash,
        SessionStage::PasswordChangeRequired,
    )?;
    tracing::info!(event = "activated", user_id = %user.id, "activation code accepted");
    Ok(Json(StageResponse {
        stage: SessionStage::PasswordChangeRequired,
    }))
}

/// `POST /v1/app/password`.
pub async fn change_password(
    State(state): State<AppState>,
    session: Session,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> Result<Json<StageResponse>, AppError> {
    let user = &session.user;
    match session.row.stage {
        SessionStage::ActivationRequired => return Err(ErrorCode::ActivationRequired.into()),
        SessionStage::PasswordChangeRequired => ensure_unlocked(&state, user)?,
        SessionStage::Ready => {
            let current = request.current_password.as_deref().ok_or_else(|| {
                AppError::detail(ErrorCode::BadRequest, "current_password is required")
            })?;
            check_password(&state, user, current).await?;
        }
    }
    if !is_six_digits(&request.new_password) {
        return Err(ErrorCode::PasswordRule.into());
    }
    if verify_secret_async(request.new_password.clone(), user.password_hash.clone()).await? {
        return Err(AppError::detail(
            ErrorCode::PasswordRule,
            "the new password must differ from the old one",
        ));
    }
    let hash = hash_secret_async(request.new_password).await?;
    state.store.set_password(&user.id, &hash)?;
    state
        .store
        .set_session_stage(&session.row.token_hash, SessionStage::Ready)?;
    tracing::info!(event = "password_changed", user_id = %user.id, "password changed");
    Ok(Json(StageResponse {
        stage: SessionStage::Ready,
    }))
}

/// `POST /v1/app/verify-password`.
pub async fn verify_password(
    State(state): State<AppState>,
    ReadySession(session): ReadySession,
    ApiJson(request): ApiJson<VerifyPasswordRequest>,
) -> Result<Json<StageResponse>, AppError> {
    check_password(&state, &session.user, &request.password).await?;
    Ok(Json(StageResponse {
        stage: SessionStage::Ready,
    }))
}

/// `POST /v1/app/logout`.
pub async fn logout(
    State(state): State<AppState>,
    session: Session,
) -> Result<StatusCode, AppError> {
    state.store.delete_session(&session.row.token_hash)?;
    tracing::info!(event = "logout", user_id = %session.user.id, "logged out");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/app/terminal-config`.
pub async fn terminal_config(
    State(state): State<AppState>,
    ReadySession(session): ReadySession,
) -> Json<TerminalConfig> {
    Json(TerminalConfig {
        merchant_id: state.config.merchant.id.clone(),
        merchant_name: state.config.merchant.name.clone(),
        terminal_id: session.user.terminal_id.clone(),
        currency: Currency::Twd,
        brands: state.config.brands.clone(),
        time_zone: "Asia/Taipei".into(),
        auto_settle_at: state.config.settlement.auto_local_time.clone(),
    })
}
