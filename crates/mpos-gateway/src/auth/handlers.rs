//! The app's login sequence: login -> activate (first login) -> new
//! password -> ready; plus verify-password, logout and terminal-config.

use crate::auth::activation::code_is_live;
use crate::auth::lockout::{lane_for, lock_end, locked_error, locked_until, Lane};
use crate::auth::password::{is_six_digits, Verdict};
use crate::auth::session::{new_token, token_hash, ReadySession, Session, REENTRY_MINUTES};
use crate::clock::format_time;
use crate::error::{ApiJson, AppError};
use crate::rate_limits::Limit;
use crate::server::ClientAddr;
use crate::state::AppState;
use crate::store::{Attempt, SessionRow, UserRow};
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

/// Counts a secret's check (activation code, password) against the rate
/// limits of the client's address and of the session.
async fn limit_secrets(
    state: &AppState,
    client: ClientAddr,
    session: &Session,
) -> Result<(), AppError> {
    state
        .rate_limits
        .check(Limit::SecretPerAddress, &client.key())
        .await?;
    state
        .rate_limits
        .check(Limit::SecretPerSession, &session.row.token_hash)
        .await
}

/// Refuses a locked account.
fn ensure_unlocked(state: &AppState, user: &UserRow) -> Result<(), AppError> {
    let now = state.clock.now();
    match locked_until(user.locked_until, now) {
        Some(until) => Err(locked_error(until, now)),
        None => Ok(()),
    }
}

/// Checks a password or activation code under the lockout rule. The attempt
/// is reserved (counted as a failure) in the store before the slow Argon2
/// check, so parallel guesses cannot get more than `max_failed_logins`
/// evaluations; a right secret then resets the count, unless other attempts
/// locked the account meanwhile. `wrong` is the answer to a wrong secret.
async fn check_secret(
    state: &AppState,
    user: &UserRow,
    secret: String,
    hash: String,
    wrong: ErrorCode,
    lane: Lane,
    trust_reader: Option<&str>,
) -> Result<(), AppError> {
    let security = &state.config.security;
    let now = state.clock.now();
    let attempt = state
        .store
        .users()
        .reserve_attempt(
            &user.id,
            lane,
            now,
            security.max_failed_logins,
            lock_end(now, security.lock_minutes),
        )
        .await?;
    let own_lock = match attempt {
        Attempt::Locked(until) => {
            tracing::info!(event = "credential_refused_locked", user_id = %user.id, ?lane, "account locked; secret not checked");
            return Err(locked_error(until, now));
        }
        Attempt::Reserved { locked_until } => locked_until,
    };
    let verdict = state.passwords.verify(secret.clone(), hash.clone()).await?;
    let now = state.clock.now();
    if let Verdict::Right { rehash } = verdict {
        if rehash {
            // A hash from before the pepper: replace it while the secret is at hand.
            let peppered = state.passwords.hash(secret).await?;
            state
                .store
                .users()
                .replace_secret_hash(&user.id, &hash, &peppered)
                .await?;
            tracing::info!(event = "secret_rehashed", user_id = %user.id, "hash moved under the pepper");
        }
        return match state
            .store
            .users()
            .attempt_succeeded(&user.id, lane, now, own_lock, trust_reader)
            .await?
        {
            Some(until) => {
                tracing::info!(event = "credential_refused_locked", user_id = %user.id, "account locked by parallel attempts");
                Err(locked_error(until, now))
            }
            None => Ok(()),
        };
    }
    match own_lock {
        Some(until) => {
            tracing::warn!(event = "account_locked", user_id = %user.id, ?lane, until = %format_time(until), "account locked after repeated failures");
            Err(locked_error(until, now))
        }
        None => {
            tracing::info!(event = "credential_rejected", user_id = %user.id, "wrong password or code");
            Err(wrong.into())
        }
    }
}

/// Checks a user's password, counting failures toward the lock of `lane`;
/// a login that succeeds trusts its reader (`trust_reader`) from then on.
async fn check_password(
    state: &AppState,
    user: &UserRow,
    password: &str,
    lane: Lane,
    trust_reader: Option<&str>,
) -> Result<(), AppError> {
    check_secret(
        state,
        user,
        password.to_string(),
        user.password_hash.clone(),
        ErrorCode::InvalidCredentials,
        lane,
        trust_reader,
    )
    .await
}

/// The answer to a login for a name no account has: the same Argon2 work
/// and the same answers, lock included, as a wrong password for a real one.
async fn refuse_unknown_name(state: &AppState, name: &str, password: String) -> AppError {
    let now = state.clock.now();
    let locked = match state.unknown_names.locked(&state.store, name, now).await {
        Ok(locked) => locked,
        Err(e) => return e.into(),
    };
    if let Some(until) = locked {
        return locked_error(until, now);
    }
    if let Err(e) = state.passwords.verify_unknown_user(password).await {
        return e.into();
    }
    tracing::info!(
        event = "login_rejected",
        reason = "unknown_user",
        "login refused"
    );
    let now = state.clock.now();
    match state.unknown_names.fail(&state.store, name, now).await {
        Ok(Some(until)) => locked_error(until, now),
        Ok(None) => ErrorCode::InvalidCredentials.into(),
        Err(e) => e.into(),
    }
}

/// `POST /v1/app/login`.
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, AppError> {
    // Before any database read or Argon2 work: a flood costs a hash lookup.
    state
        .rate_limits
        .check(Limit::LoginPerAddress, &client.key())
        .await?;
    state
        .rate_limits
        .check(
            Limit::LoginPerUsername,
            &request.username.trim().to_lowercase(),
        )
        .await?;
    // The product logs in only with the card reader plugged in.
    let Some(reader_serial) = request
        .reader_serial
        .as_deref()
        .map(str::trim)
        .filter(|serial| !serial.is_empty())
    else {
        tracing::info!(
            event = "login_rejected",
            reason = "no_reader",
            "login refused"
        );
        return Err(ErrorCode::ReaderRequired.into());
    };
    let Some(user) = state
        .store
        .users()
        .by_username(request.username.trim())
        .await?
    else {
        return Err(refuse_unknown_name(&state, &request.username, request.password).await);
    };
    let lane = lane_for(user.trusted_reader.as_deref(), reader_serial);
    check_password(&state, &user, &request.password, lane, Some(reader_serial)).await?;
    // Only someone with the right password learns that the account is disabled.
    if user.status == UserStatus::Disabled {
        tracing::info!(event = "login_rejected", reason = "disabled", user_id = %user.id, "login refused");
        return Err(ErrorCode::AccountDisabled.into());
    }
    let now = state.clock.now();
    let token = new_token();
    let stage = stage_after_login(&user);
    let row = SessionRow {
        token_hash: token_hash(&token),
        user_id: user.id.clone(),
        stage,
        created_at: now,
        expires_at: now + time::Duration::minutes(i64::from(state.config.security.session_minutes)),
        verified_until: None,
        last_seen_at: now,
    };
    state.store.sessions().insert(&row).await?;
    tracing::info!(event = "login", user_id = %user.id, ?stage, reader_serial = %reader_serial, "logged in");
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
    client: ClientAddr,
    session: Session,
    ApiJson(request): ApiJson<ActivateRequest>,
) -> Result<Json<StageResponse>, AppError> {
    limit_secrets(&state, client, &session).await?;
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
    check_secret(
        &state,
        user,
        code,
        code_hash.clone(),
        ErrorCode::ActivationCodeInvalid,
        Lane::OwnReader,
        None,
    )
    .await?;
    // The code is single-use: only the request that clears it wins.
    if !state
        .store
        .users()
        .consume_activation_code(&user.id, &code_hash)
        .await?
    {
        return Err(ErrorCode::ActivationCodeInvalid.into());
    }
    state
        .store
        .sessions()
        .set_stage(
            &session.row.token_hash,
            SessionStage::PasswordChangeRequired,
        )
        .await?;
    tracing::info!(event = "activated", user_id = %user.id, "activation code accepted");
    Ok(Json(StageResponse {
        stage: SessionStage::PasswordChangeRequired,
    }))
}

/// `POST /v1/app/password`.
pub async fn change_password(
    State(state): State<AppState>,
    client: ClientAddr,
    session: Session,
    ApiJson(request): ApiJson<ChangePasswordRequest>,
) -> Result<Json<StageResponse>, AppError> {
    limit_secrets(&state, client, &session).await?;
    // The rule is about the request's shape, so it is answered before the
    // lock and the current password: a malformed request is a 400 whatever
    // the account's state, and it spends none of the user's tries.
    if !is_six_digits(&request.new_password) {
        return Err(ErrorCode::PasswordRule.into());
    }
    let user = &session.user;
    match session.row.stage {
        SessionStage::ActivationRequired => return Err(ErrorCode::ActivationRequired.into()),
        SessionStage::PasswordChangeRequired => ensure_unlocked(&state, user)?,
        SessionStage::Ready => {
            let current = request.current_password.as_deref().ok_or_else(|| {
                AppError::detail(ErrorCode::BadRequest, "current_password is required")
            })?;
            check_password(&state, user, current, Lane::OwnReader, None).await?;
        }
    }
    if state
        .passwords
        .verify(request.new_password.clone(), user.password_hash.clone())
        .await?
        .is_right()
    {
        return Err(AppError::detail(
            ErrorCode::PasswordRule,
            "the new password must differ from the old one",
        ));
    }
    let hash = state.passwords.hash(request.new_password).await?;
    state
        .store
        .users()
        .set_password(&user.id, &hash, &session.row.token_hash)
        .await?;
    state
        .store
        .sessions()
        .set_stage(&session.row.token_hash, SessionStage::Ready)
        .await?;
    tracing::info!(event = "password_changed", user_id = %user.id, "password changed");
    Ok(Json(StageResponse {
        stage: SessionStage::Ready,
    }))
}

/// `POST /v1/app/verify-password`.
pub async fn verify_password(
    State(state): State<AppState>,
    client: ClientAddr,
    ReadySession(session): ReadySession,
    ApiJson(request): ApiJson<VerifyPasswordRequest>,
) -> Result<Json<StageResponse>, AppError> {
    limit_secrets(&state, client, &session).await?;
    check_password(
        &state,
        &session.user,
        &request.password,
        Lane::OwnReader,
        None,
    )
    .await?;
    // Opens transaction details (search, void, settlement) for a short while.
    let until = state.clock.now() + time::Duration::minutes(REENTRY_MINUTES);
    state
        .store
        .sessions()
        .set_verified_until(&session.row.token_hash, until)
        .await?;
    tracing::info!(event = "password_reentered", user_id = %session.user.id, until = %format_time(until), "transaction details opened");
    Ok(Json(StageResponse {
        stage: SessionStage::Ready,
    }))
}

/// `POST /v1/app/logout`.
pub async fn logout(
    State(state): State<AppState>,
    session: Session,
) -> Result<StatusCode, AppError> {
    state
        .store
        .sessions()
        .delete(&session.row.token_hash)
        .await?;
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
