//! What administrators do to phone users, through the portal or the API:
//! create, change limits, disable and enable, reset the password, resend the
//! activation. Each checks its input, writes, records itself in the audit
//! log, and sends the user what the action promises.

use crate::audit::{record, Action, Actor};
use crate::auth::activation::{issue, IssuedCredentials};
use crate::clock::format_time;
use crate::error::AppError;
use crate::ids::random_digits;
use crate::notify::contact::{valid_email, valid_mobile};
use crate::notify::mail::Mail;
use crate::notify::sms::Sms;
use crate::state::AppState;
use crate::store::{NewUser, StoreError, UserRow};
use mpos_wire::api::{AdminUser, CreateUserRequest, Limits, UserStatus};
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

/// Refuses limits that are not all above zero.
pub fn validate_limits(limits: &Limits) -> Result<(), AppError> {
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

/// Whether an account name is 3 to 32 letters, digits, `.`, `_` or `-`.
pub fn valid_username(name: &str) -> bool {
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
        html: None,
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

/// Whether the e-mail and SMS an action promises went out (the action
/// itself stands either way; a failed notice answers `delivery_failed`).
pub type Delivery = Result<(), AppError>;

/// New credentials for a user, sent by e-mail and SMS.
async fn issue_and_send(state: &AppState, user: &UserRow) -> Result<(UserRow, Delivery), AppError> {
    let credentials = issue(
        &state.passwords,
        state.clock.now(),
        state.config.security.activation_code_minutes,
    )
    .await?;
    let user = state
        .store
        .users()
        .reset_credentials(&user.id, &credentials.stored)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    let delivery = send_credentials(state, &user, &credentials).await;
    Ok((user, delivery))
}

async fn existing(state: &AppState, id: &str) -> Result<UserRow, AppError> {
    Ok(state
        .store
        .users()
        .by_id(id)
        .await?
        .ok_or(ErrorCode::NotFound)?)
}

/// The limits as the audit log writes them.
pub fn limits_detail(limits: &Limits) -> String {
    let refund = limits
        .refund_per_transaction
        .map_or_else(|| "-".to_string(), |m| m.to_string());
    format!(
        "per transaction {}, per day {}, refund per transaction {refund}",
        limits.per_transaction, limits.per_day
    )
}

/// Adds a phone user and sends the activation e-mail (account, default
/// password) and SMS (activation code). A failed notice leaves the user saved.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    request: &CreateUserRequest,
) -> Result<(UserRow, Delivery), AppError> {
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
    let detail = format!(
        "{} ({}); {}",
        user.username,
        user.terminal_id,
        limits_detail(&user.limits)
    );
    record(state, actor, Action::UserCreated, &user.id, &detail).await?;
    let delivery = send_credentials(state, &user, &credentials).await;
    Ok((user, delivery))
}

/// Replaces a phone user's limits.
pub async fn set_limits(
    state: &AppState,
    actor: &Actor,
    id: &str,
    limits: &Limits,
) -> Result<UserRow, AppError> {
    validate_limits(limits)?;
    let user = state
        .store
        .users()
        .set_limits(id, limits)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    record(
        state,
        actor,
        Action::UserLimitsChanged,
        &user.id,
        &limits_detail(limits),
    )
    .await?;
    Ok(user)
}

/// Disables a phone user: their sessions end and they cannot log in.
pub async fn disable(state: &AppState, actor: &Actor, id: &str) -> Result<UserRow, AppError> {
    let user = state
        .store
        .users()
        .disable(id)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    tracing::info!(event = "user_disabled", user_id = %user.id, "phone user disabled");
    record(state, actor, Action::UserDisabled, &user.id, &user.username).await?;
    Ok(user)
}

/// Enables a disabled phone user again.
pub async fn enable(state: &AppState, actor: &Actor, id: &str) -> Result<UserRow, AppError> {
    let user = state
        .store
        .users()
        .enable(id)
        .await?
        .ok_or(ErrorCode::NotFound)?;
    record(state, actor, Action::UserEnabled, &user.id, &user.username).await?;
    Ok(user)
}

/// Resets a phone user's password: a new default password by e-mail and a
/// new activation code by SMS; their sessions end and the lock clears.
pub async fn reset_password(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<(UserRow, Delivery), AppError> {
    let user = existing(state, id).await?;
    record(
        state,
        actor,
        Action::UserPasswordReset,
        &user.id,
        &user.username,
    )
    .await?;
    let (user, delivery) = issue_and_send(state, &user).await?;
    tracing::info!(event = "password_reset", user_id = %user.id, "phone user password reset");
    Ok((user, delivery))
}

/// Sends a user who has not activated yet a fresh activation (the earlier
/// code and default password stop working).
pub async fn resend_activation(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<(UserRow, Delivery), AppError> {
    let user = existing(state, id).await?;
    if user.status != UserStatus::PendingActivation {
        return Err(AppError::detail(
            ErrorCode::BadRequest,
            "only a user who has not activated yet can be sent the activation again",
        ));
    }
    record(
        state,
        actor,
        Action::UserActivationResent,
        &user.id,
        &user.username,
    )
    .await?;
    issue_and_send(state, &user).await
}
