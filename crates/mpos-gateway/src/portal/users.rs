//! The phone users' pages: the list, adding a user, a user's detail with
//! their limits, and the actions (disable, enable, reset the password,
//! resend the activation). Each action goes through `admin::phone_users`
//! (the API's own path, audited there) and says what happened and what the
//! user will receive.

use super::chrome::{message, Chrome, Section};
use super::format::{dollars_field, parse_dollars, taipei_time};
use super::session::PortalSession;
use super::sign_in::{csrf_matches, form_expired, session_actor, CsrfForm};
use super::text::{user_status, Locale, Text};
use super::{page, see_other};
use crate::admin::phone_users::{self, valid_username};
use crate::error::AppError;
use crate::notify::contact::{valid_email, valid_mobile};
use crate::server::ClientAddr;
use crate::state::AppState;
use crate::store::UserRow;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use mpos_wire::api::{CreateUserRequest, Limits, UserStatus};
use mpos_wire::ErrorCode;
use serde::Deserialize;

/// A user as a row of the list shows them.
#[derive(Debug, Clone)]
pub struct UserView {
    /// Id (for links).
    pub id: String,
    /// Name.
    pub name: String,
    /// Account.
    pub username: String,
    /// Terminal.
    pub terminal_id: String,
    /// Mobile.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Status, in words.
    pub status: &'static str,
    /// Status code for styling.
    pub status_class: &'static str,
    /// Limit per sale.
    pub per_transaction: String,
    /// Limit per day.
    pub per_day: String,
    /// Limit per refund.
    pub refund: String,
    /// Locked until, in words, when locked.
    pub locked: Option<String>,
    /// Created.
    pub created_at: String,
    /// Whether the activation can be resent (not activated yet).
    pub pending: bool,
    /// Whether disabled.
    pub disabled: bool,
}

/// The view of a user in `locale`.
pub fn user_view(state: &AppState, locale: Locale, user: &UserRow) -> UserView {
    let now = state.clock.now();
    let locked =
        crate::auth::lockout::locked_until(user.locked_until.max(user.elsewhere_locked_until), now)
            .map(|until| format!("{} {}", locale.text().locked, taipei_time(until)));
    UserView {
        id: user.id.clone(),
        name: user.name.clone(),
        username: user.username.clone(),
        terminal_id: user.terminal_id.clone(),
        phone: user.phone.clone(),
        email: user.email.clone(),
        status: user_status(locale, user.status),
        status_class: match user.status {
            UserStatus::PendingActivation => "status-pending_activation",
            UserStatus::Active => "status-active",
            UserStatus::Disabled => "status-disabled",
        },
        per_transaction: user.limits.per_transaction.to_string(),
        per_day: user.limits.per_day.to_string(),
        refund: user
            .limits
            .refund_per_transaction
            .unwrap_or(user.limits.per_transaction)
            .to_string(),
        locked,
        created_at: taipei_time(user.created_at),
        pending: user.status == UserStatus::PendingActivation,
        disabled: user.status == UserStatus::Disabled,
    }
}

/// The list page.
#[derive(Template)]
#[template(path = "portal/users.html")]
pub struct UsersPage {
    /// Layout.
    pub chrome: Chrome,
    /// Users.
    pub users: Vec<UserView>,
}

/// The add-user form (also shown again with errors).
#[derive(Template)]
#[template(path = "portal/user_new.html")]
pub struct NewUserPage {
    /// Layout.
    pub chrome: Chrome,
    /// What was typed.
    pub form: NewUserForm,
    /// What to fix.
    pub problems: Vec<&'static str>,
}

/// A user's page.
#[derive(Template)]
#[template(path = "portal/user_detail.html")]
pub struct UserPage {
    /// Layout.
    pub chrome: Chrome,
    /// The user.
    pub user: UserView,
    /// The limits form's values.
    pub limits: LimitsForm,
    /// What to fix in the limits.
    pub problems: Vec<&'static str>,
}

/// The add-user form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewUserForm {
    /// CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Mobile.
    #[serde(default)]
    pub phone: String,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Account (optional).
    #[serde(default)]
    pub username: String,
    /// Limit per sale, NT$.
    #[serde(default)]
    pub per_transaction: String,
    /// Limit per day, NT$.
    #[serde(default)]
    pub per_day: String,
    /// Limit per refund, NT$ (optional).
    #[serde(default)]
    pub refund: String,
}

/// The limits form's fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LimitsForm {
    /// CSRF token.
    #[serde(default)]
    pub csrf: String,
    /// Limit per sale, NT$.
    #[serde(default)]
    pub per_transaction: String,
    /// Limit per day, NT$.
    #[serde(default)]
    pub per_day: String,
    /// Limit per refund, NT$ (optional).
    #[serde(default)]
    pub refund: String,
}

/// Limits from the three fields, or what is wrong with them.
pub fn parse_limits(
    t: &'static Text,
    per_transaction: &str,
    per_day: &str,
    refund: &str,
) -> Result<Limits, &'static str> {
    let per_transaction = parse_dollars(per_transaction).ok_or(t.error_limits)?;
    let per_day = parse_dollars(per_day).ok_or(t.error_limits)?;
    let refund_per_transaction = if refund.trim().is_empty() {
        None
    } else {
        Some(parse_dollars(refund).ok_or(t.error_limits)?)
    };
    Ok(Limits {
        per_transaction,
        per_day,
        refund_per_transaction,
    })
}

/// The request a filled-in form makes, or every problem with it.
pub fn parse_new_user(
    t: &'static Text,
    form: &NewUserForm,
) -> Result<CreateUserRequest, Vec<&'static str>> {
    let mut problems = Vec::new();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        problems.push(t.error_name);
    }
    let phone = form.phone.trim();
    if !valid_mobile(phone) {
        problems.push(t.error_phone);
    }
    let email = form.email.trim();
    if !valid_email(email) {
        problems.push(t.error_email);
    }
    let username = form.username.trim();
    if !username.is_empty() && !valid_username(username) {
        problems.push(t.error_account);
    }
    let limits = parse_limits(t, &form.per_transaction, &form.per_day, &form.refund);
    match (problems.is_empty(), limits) {
        (true, Ok(limits)) => Ok(CreateUserRequest {
            name: name.to_string(),
            phone: phone.to_string(),
            email: email.to_string(),
            username: (!username.is_empty()).then(|| username.to_string()),
            limits,
        }),
        (_, Err(limit_problem)) => {
            problems.push(limit_problem);
            Err(problems)
        }
        (false, Ok(_)) => Err(problems),
    }
}

/// Query carrying the notice of the action just done.
#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// The words of a notice code (the code is ours; nothing typed is echoed).
fn notice_text(t: &'static Text, code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "created" => t.notice_created,
        "limits" => t.notice_limits,
        "disabled" => t.notice_disabled,
        "enabled" => t.notice_enabled,
        "reset" => t.notice_reset,
        "resent" => t.notice_resent,
        "delivery_failed" => t.notice_delivery_failed,
        _ => return None,
    })
}

/// `GET /portal/users`.
pub async fn list(
    State(state): State<AppState>,
    PortalSession(session): PortalSession,
    Query(query): Query<NoticeQuery>,
) -> Response {
    let locale = session.locale;
    let t = locale.text();
    let users = match state.store.users().list().await {
        Ok(users) => users,
        Err(e) => return failed(locale, &AppError::from(e)),
    };
    let page_data = UsersPage {
        chrome: Chrome::signed_in(&session, Section::Users, t.users_title, "/portal/users")
            .with_notice(notice_text(t, query.notice.as_deref())),
        users: users.iter().map(|u| user_view(&state, locale, u)).collect(),
    };
    page(StatusCode::OK, &page_data)
}

/// `GET /portal/users/new`.
pub async fn new_form(PortalSession(session): PortalSession) -> Response {
    let t = session.locale.text();
    let page_data = NewUserPage {
        chrome: Chrome::signed_in(&session, Section::Users, t.add_user, "/portal/users/new"),
        form: NewUserForm::default(),
        problems: Vec::new(),
    };
    page(StatusCode::OK, &page_data)
}

/// `POST /portal/users`: adds the user and sends the activation e-mail and SMS.
pub async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    portal: PortalSession,
    Form(form): Form<NewUserForm>,
) -> Response {
    let session = &portal.0;
    let locale = session.locale;
    let t = locale.text();
    if !csrf_matches(&form.csrf, session) {
        return form_expired(locale);
    }
    let again = |problems: Vec<&'static str>, form: NewUserForm| {
        let page_data = NewUserPage {
            chrome: Chrome::signed_in(session, Section::Users, t.add_user, "/portal/users/new")
                .with_error(Some(t.fix_form)),
            form,
            problems,
        };
        page(StatusCode::UNPROCESSABLE_ENTITY, &page_data)
    };
    let request = match parse_new_user(t, &form) {
        Ok(request) => request,
        Err(problems) => return again(problems, form),
    };
    let actor = session_actor(&portal, &client);
    match phone_users::create(&state, &actor, &request).await {
        Ok((user, delivery)) => see_other(&format!(
            "/portal/users/{}?notice={}",
            user.id,
            if delivery.is_ok() {
                "created"
            } else {
                "delivery_failed"
            }
        )),
        Err(e)
            if e.code() == ErrorCode::BadRequest
                && e.error.detail.as_deref() == Some("username already taken") =>
        {
            again(vec![t.error_account_taken], form)
        }
        Err(e) => failed(locale, &e),
    }
}

fn user_page(
    state: &AppState,
    session: &super::session::AnySession,
    user: &UserRow,
    notice: Option<&'static str>,
    problems: Vec<&'static str>,
    limits: Option<LimitsForm>,
) -> Response {
    let locale = session.locale;
    let t = locale.text();
    let here = format!("/portal/users/{}", user.id);
    let limits = limits.unwrap_or_else(|| LimitsForm {
        csrf: String::new(),
        per_transaction: dollars_field(user.limits.per_transaction),
        per_day: dollars_field(user.limits.per_day),
        refund: user
            .limits
            .refund_per_transaction
            .map(dollars_field)
            .unwrap_or_default(),
    });
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page_data = UserPage {
        chrome: Chrome::signed_in(session, Section::Users, &user.name, &here)
            .with_notice(notice)
            .with_error((!problems.is_empty()).then_some(t.fix_form)),
        user: user_view(state, locale, user),
        limits,
        problems,
    };
    page(status, &page_data)
}

/// `GET /portal/users/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    PortalSession(session): PortalSession,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Response {
    let t = session.locale.text();
    match state.store.users().by_id(&id).await {
        Ok(Some(user)) => user_page(
            &state,
            &session,
            &user,
            notice_text(t, query.notice.as_deref()),
            Vec::new(),
            None,
        ),
        Ok(None) => message(session.locale, StatusCode::NOT_FOUND, t.not_found),
        Err(e) => failed(session.locale, &AppError::from(e)),
    }
}

/// `POST /portal/users/{id}/limits`.
pub async fn set_limits(
    State(state): State<AppState>,
    client: ClientAddr,
    portal: PortalSession,
    Path(id): Path<String>,
    Form(form): Form<LimitsForm>,
) -> Response {
    let session = &portal.0;
    let locale = session.locale;
    let t = locale.text();
    if !csrf_matches(&form.csrf, session) {
        return form_expired(locale);
    }
    let limits = match parse_limits(t, &form.per_transaction, &form.per_day, &form.refund) {
        Ok(limits) => limits,
        Err(problem) => {
            return match state.store.users().by_id(&id).await {
                Ok(Some(user)) => {
                    user_page(&state, session, &user, None, vec![problem], Some(form))
                }
                Ok(None) => message(locale, StatusCode::NOT_FOUND, t.not_found),
                Err(e) => failed(locale, &AppError::from(e)),
            }
        }
    };
    let actor = session_actor(&portal, &client);
    match phone_users::set_limits(&state, &actor, &id, &limits).await {
        Ok(user) => see_other(&format!("/portal/users/{}?notice=limits", user.id)),
        Err(e) => failed(locale, &e),
    }
}

/// `POST /portal/users/{id}/{action}`: disable, enable, reset-password, resend-activation.
pub async fn act(
    State(state): State<AppState>,
    client: ClientAddr,
    portal: PortalSession,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let session = &portal.0;
    let locale = session.locale;
    let t = locale.text();
    if !csrf_matches(&form.csrf, session) {
        return form_expired(locale);
    }
    let actor = session_actor(&portal, &client);
    let sent = |result: Result<(UserRow, phone_users::Delivery), AppError>| {
        result.map(|(user, delivery)| (user, delivery.is_ok()))
    };
    let (result, notice) = match action.as_str() {
        "disable" => (
            phone_users::disable(&state, &actor, &id)
                .await
                .map(|u| (u, true)),
            "disabled",
        ),
        "enable" => (
            phone_users::enable(&state, &actor, &id)
                .await
                .map(|u| (u, true)),
            "enabled",
        ),
        "reset-password" => (
            sent(phone_users::reset_password(&state, &actor, &id).await),
            "reset",
        ),
        "resend-activation" => (
            sent(phone_users::resend_activation(&state, &actor, &id).await),
            "resent",
        ),
        _ => return message(locale, StatusCode::NOT_FOUND, t.not_found),
    };
    match result {
        Ok((user, delivered)) => see_other(&format!(
            "/portal/users/{}?notice={}",
            user.id,
            if delivered { notice } else { "delivery_failed" }
        )),
        Err(e) if e.code() == ErrorCode::BadRequest => match state.store.users().by_id(&id).await {
            Ok(Some(user)) => user_page(
                &state,
                session,
                &user,
                None,
                vec![t.error_not_pending],
                None,
            ),
            _ => message(locale, StatusCode::NOT_FOUND, t.not_found),
        },
        Err(e) => failed(locale, &e),
    }
}

/// The page for an error an action could not recover from.
pub fn failed(locale: Locale, error: &AppError) -> Response {
    let t = locale.text();
    if error.code() == ErrorCode::NotFound {
        return message(locale, StatusCode::NOT_FOUND, t.not_found);
    }
    tracing::error!(code = ?error.code(), "portal action failed");
    message(locale, StatusCode::INTERNAL_SERVER_ERROR, t.server_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::text::EN;
    use mpos_wire::Money;

    fn form() -> NewUserForm {
        NewUserForm {
            csrf: String::new(),
            name: " 王小明 ".into(),
            phone: "0912345678".into(),
            email: "ming@example.com".into(),
            username: String::new(),
            per_transaction: "50,000".into(),
            per_day: "200000".into(),
            refund: String::new(),
        }
    }

    #[test]
    fn a_filled_form_makes_the_request() {
        let request = parse_new_user(&EN, &form()).unwrap();
        assert_eq!(request.name, "王小明");
        assert_eq!(request.username, None);
        assert_eq!(request.limits.per_transaction, Money::twd_minor(5_000_000));
        assert_eq!(request.limits.refund_per_transaction, None);
    }

    #[test]
    fn every_problem_is_listed() {
        let bad = NewUserForm {
            name: String::new(),
            phone: "12345".into(),
            email: "nope".into(),
            username: "a b".into(),
            per_day: "0".into(),
            ..form()
        };
        let problems = parse_new_user(&EN, &bad).unwrap_err();
        assert_eq!(
            problems,
            vec![
                EN.error_name,
                EN.error_phone,
                EN.error_email,
                EN.error_account,
                EN.error_limits
            ]
        );
    }

    #[test]
    fn notices_come_only_from_known_codes() {
        assert_eq!(notice_text(&EN, Some("created")), Some(EN.notice_created));
        assert_eq!(notice_text(&EN, Some("<script>")), None);
        assert_eq!(notice_text(&EN, None), None);
    }
}
