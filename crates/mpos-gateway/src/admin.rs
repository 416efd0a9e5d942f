//! The merchant administrator's API: phone users (create, disable, reset
//! password), every transaction, every batch.

use crate::auth::activation::{issue, IssuedCredentials};
use crate::auth::admin_token::Admin;
use crate::clock::format_time;
use crate::error::{ApiJson, ApiPath, AppError};
use crate::ids::random_digits;
use crate::notify::contact::{valid_email, valid_mobile};
use crate::notify::mail::Mail;
use crate::notify::sms::Sms;
use crate::payments::summary::summarize;
use crate::settlement::batch::batch_summary;
use crate::state::AppState;
use crate::store::{NewUser, StoreError, UserRow};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use mpos_wire::api::{AdminUser, BatchList, CreateUserRequest, Limits, TransactionList, UserList};
use mpos_wire::ErrorCode;

/// Subject of the activation e-mail.
pub const ACTIVATION_SUBJECT: &str =
    "凱基 mPOS 行動裝置使用者帳號啟用通知 / mPOS mobile user account activation notice";

/// Line of the activation e-mail that carries the account name. Users and
/// test tools read these lines (`mpos-testkit::activation` keeps a copy).
pub const ACCOUNT_LINE: &str = "帳號 Account: ";
/// Line of the activation e-mail that carries the default password.
pub const PASSWORD_LINE: &str = "預設密碼 Default password: ";
/// Text of the activation SMS before the code.
pub const ACTIVATION_CODE_LINE: &str = "啟動驗證碼 Activation code: ";

/// The administrator's view of a user.
pub fn admin_user(state: &AppState, user: &UserRow) -> AdminUser {
    AdminUser {
        id: user.id.clone(),
        username: user.username.clone(),
        name: user.name.clone(),
        phone: user.phone.clone(),
        email: user.email.clone(),
        status: user.status,
        limits: user.limits.clone(),
        terminal_id: user.terminal_id.clone(),
        // Either lane's lock: the administrator sees that someone was locked out.
        locked_until: crate::auth::lockout::locked_until(
            user.locked_until.max(user.elsewhere_locked_until),
            state.clock.now(),
        )
        .map(format_time),
        created_at: format_time(user.created_at),
    }
}

fn validate_limits(limits: &Limits) -> Result<(), AppError> {
    let positive = limits.per_transaction.minor > 0
        && limits.per_day.minor > 0
        && limits.refund_per_transaction.is_none_or(|m| m.minor > 0);
    if positive {
        Ok(())
    } else {
        Err(AppError::detail(
            ErrorCode::InvalidAmount,
            "every limit must be above zero",
        ))
    }
}

fn valid_username(name: &str) -> bool {
    (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// The activation e-mail's body: account name and default password.
fn activation_mail(state: &AppState, user: &UserRow, credentials: &IssuedCredentials) -> Mail {
    let minutes = state.config.security.activation_code_minutes;
    let body = format!(
        "{name} 您好：\n\n\
         您的凱基 mPOS 行動裝置使用者帳號已建立（特店：{merchant}）。\n\n\
         {ACCOUNT_LINE}{username}\n\
         {PASSWORD_LINE}{password}\n\n\
         首次登入請輸入帳號與預設密碼，再輸入簡訊中的啟動驗證碼（{minutes} 分鐘內有效），並設定 6 碼數字新密碼。\n\n\
         Hello {name},\n\n\
         Your mPOS mobile user account has been created (merchant: {merchant}).\n\n\
         At first login enter the account and default password, then the activation code from the SMS \
         (valid for {minutes} minutes), then set a new password of exactly 6 digits.\n",
        name = user.name,
        merchant = state.config.merchant.name,
        username = user.username,
        password = credentials.default_password,
    );
    Mail {
        to: user.email.clone(),
        subject: ACTIVATION_SUBJECT.into(),
        body,
    }
}

/// Sends the activation e-mail and SMS.
async fn send_credentials(
    state: &AppState,
    user: &UserRow,
    credentials: &IssuedCredentials,
) -> Result<(), AppError> {
    let minutes = state.config.security.activation_code_minutes;
    let sms = Sms {
        to: user.phone.clone(),
        message: format!(
            "凱基 mPOS {ACTIVATION_CODE_LINE}{}（{minutes} 分鐘內有效 valid for {minutes} min）",
            credentials.activation_code
        ),
    };
    let mail_result = state
        .mailer
        .send(&activation_mail(state, user, credentials))
        .await;
    let sms_result = state.sms.send(&sms).await;
    for (channel, result) in [("email", &mail_result), ("sms", &sms_result)] {
        match result {
            Ok(()) => {
                tracing::info!(event = "activation_notice_sent", channel, user_id = %user.id, "activation notice sent")
            }
            Err(e) => {
                tracing::error!(event = "activation_notice_failed", channel, user_id = %user.id, error = %e, "activation notice failed")
            }
        }
    }
    if mail_result.is_err() || sms_result.is_err() {
        return Err(AppError::detail(
            ErrorCode::DeliveryFailed,
            "the account is saved; use reset-password to send new credentials",
        ));
    }
    Ok(())
}

/// `POST /v1/admin/users`.
pub async fn create_user(
    State(state): State<AppState>,
    _admin: Admin,
    ApiJson(request): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<AdminUser>), AppError> {
    let name = request.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::detail(
            ErrorCode::BadRequest,
            "name must be 1 to 100 characters",
        ));
    }
    // Checked as given (the OpenAPI document's patterns): no trimming.
    let email = request.email.clone();
    let phone = request.phone.clone();
    if !valid_email(&email) {
        return Err(AppError::detail(ErrorCode::InvalidContact, "email"));
    }
    if !valid_mobile(&phone) {
        return Err(AppError::detail(
            ErrorCode::InvalidContact,
            "phone: 09xxxxxxxx or +8869xxxxxxxx",
        ));
    }
    validate_limits(&request.limits)?;
    if let Some(username) = &request.username {
        if !valid_username(username) {
            return Err(AppError::detail(
                ErrorCode::BadRequest,
                "username: 3 to 32 letters, digits, '.', '_' or '-'",
            ));
        }
    }
    let now = state.clock.now();
    let credentials = issue(
        &state.passwords,
        now,
        state.config.security.activation_code_minutes,
    )
    .await?;
    let mut attempts = 0;
    let user = loop {
        let username = request
            .username
            .clone()
            .unwrap_or_else(|| format!("mpos{}", random_digits(6)));
        let new = NewUser {
            username,
            name: name.clone(),
            phone: phone.clone(),
            email: email.clone(),
            limits: request.limits.clone(),
            credentials: credentials.stored.clone(),
            created_at: now,
        };
        match state.store.users().create(&new).await {
            Ok(user) => break user,
            Err(StoreError::UsernameTaken) if request.username.is_none() && attempts < 10 => {
                attempts += 1
            }
            Err(StoreError::UsernameTaken) => {
                return Err(AppError::detail(
                    ErrorCode::BadRequest,
                    "username already taken",
                ))
            }
            Err(e) => return Err(e.into()),
        }
    };
    tracing::info!(event = "user_created", user_id = %user.id, terminal_id = %user.terminal_id, "phone user created");
    send_credentials(&state, &user, &credentials).await?;
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
    _admin: Admin,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AdminUser>, AppError> {
    let user = state
        .store
        .users()
        .disable(&id)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    tracing::info!(event = "user_disabled", user_id = %user.id, "phone user disabled");
    Ok(Json(admin_user(&state, &user)))
}

/// `POST /v1/admin/users/{id}/reset-password`.
pub async fn reset_password(
    State(state): State<AppState>,
    _admin: Admin,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AdminUser>, AppError> {
    state
        .store
        .users()
        .by_id(&id)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let credentials = issue(
        &state.passwords,
        state.clock.now(),
        state.config.security.activation_code_minutes,
    )
    .await?;
    let user = state
        .store
        .users()
        .reset_credentials(&id, &credentials.stored)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    tracing::info!(event = "password_reset", user_id = %user.id, "phone user password reset");
    send_credentials(&state, &user, &credentials).await?;
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
