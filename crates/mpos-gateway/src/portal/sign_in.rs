//! Signing in to the portal: account and password, then the second factor
//! (a TOTP code or a recovery code), enrolling an authenticator at the first
//! sign-in, and signing out. Wrong passwords and codes count toward the same
//! lockout as phone users' (`security.max_failed_logins`, `lock_minutes`);
//! attempts are rate-limited per address and per account name.

use super::chrome::Chrome;
use super::session::{
    cookie, locale_of, new_token, same_token, secret_cookie, AnySession, PortalSession,
    LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use super::text::{Locale, Text};
use super::{page, see_other};
use crate::audit::{record, Action, Actor};
use crate::auth::lockout::{local_lock_end, locked_until};
use crate::auth::second_factor::{
    enrolment_qr_svg, enrolment_uri, matching_step, new_recovery_codes, new_secret,
};
use crate::auth::session::token_hash;
use crate::rate_limits::Limit;
use crate::server::ClientAddr;
use crate::state::AppState;
use crate::store::{AdminRow, AdminSessionRow, AdminStage};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use time::Duration;

/// The sign-in page.
#[derive(Template)]
#[template(path = "portal/login.html")]
pub struct LoginPage {
    /// Layout.
    pub chrome: Chrome,
    /// The form's CSRF token (also in its cookie).
    pub csrf: String,
    /// The account name typed, kept after an error.
    pub username: String,
}

/// The second-factor page.
#[derive(Template)]
#[template(path = "portal/second_factor.html")]
pub struct SecondFactorPage {
    /// Layout.
    pub chrome: Chrome,
}

/// The enrolment page.
#[derive(Template)]
#[template(path = "portal/enrol.html")]
pub struct EnrolPage {
    /// Layout.
    pub chrome: Chrome,
    /// The QR code (SVG markup made here, from the secret only).
    pub qr_svg: String,
    /// The secret, in groups of four for typing.
    pub secret_groups: String,
}

/// The recovery codes, shown once.
#[derive(Template)]
#[template(path = "portal/recovery.html")]
pub struct RecoveryPage {
    /// Layout.
    pub chrome: Chrome,
    /// The codes.
    pub codes: Vec<String>,
}

/// Query of the sign-in page.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    ended: Option<String>,
    out: Option<String>,
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// A form with a code.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
}

/// A form with only its CSRF token (sign out, the users' and tokens' action buttons).
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    /// The session's CSRF token, as the form carried it.
    #[serde(default)]
    pub csrf: String,
}

/// Whether a form's token is the session's.
pub fn csrf_matches(form_token: &str, session: &AnySession) -> bool {
    same_token(form_token, &session.session.csrf_token)
}

/// The answer to a form without the session's CSRF token: 403, nothing done.
pub fn form_expired(locale: Locale) -> Response {
    tracing::warn!(event = "csrf_refused", "form posted without its CSRF token");
    super::chrome::message(locale, StatusCode::FORBIDDEN, locale.text().form_expired)
}

fn login_page(
    locale: Locale,
    status: StatusCode,
    username: &str,
    notice: Option<&str>,
    error: Option<&str>,
) -> Response {
    let t = locale.text();
    let csrf = new_token();
    let page_data = LoginPage {
        chrome: Chrome::public(locale, t.sign_in_title, "/portal/login")
            .with_notice(notice)
            .with_error(error),
        csrf: csrf.clone(),
        username: username.to_string(),
    };
    let mut response = page(status, &page_data);
    set_cookie(
        &mut response,
        &secret_cookie(LOGIN_CSRF_COOKIE, Some(&csrf)),
    );
    response
}

fn set_cookie(response: &mut Response, value: &str) {
    if let Ok(value) = value.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn actor(admin: &AdminRow, client: &ClientAddr) -> Actor {
    Actor {
        admin_id: admin.id.clone(),
        username: admin.username.clone(),
        client: client.key(),
    }
}

/// `GET /portal/login`.
pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    let locale = locale_of(&headers);
    if signed_in(&state, &headers).await {
        return see_other("/portal/users");
    }
    let t = locale.text();
    let notice = if query.ended.is_some() {
        Some(t.session_ended)
    } else if query.out.is_some() {
        Some(t.signed_out)
    } else {
        None
    };
    login_page(locale, StatusCode::OK, "", notice, None)
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return false;
    };
    match state.store.admins().session(&token_hash(token)).await {
        Ok(Some(session)) => {
            session.stage == AdminStage::SignedIn
                && super::session::is_open(
                    &session,
                    state.clock.now(),
                    state.config.portal.idle_minutes,
                )
        }
        _ => false,
    }
}

/// Why a password or code was refused, as the page says it.
fn locked_message(t: &Text, until: time::OffsetDateTime, now: time::OffsetDateTime) -> String {
    format!(
        "{} {} (Asia/Taipei)",
        t.locked_until,
        local_lock_end(until, now)
    )
}

/// `POST /portal/login`.
pub async fn submit(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let locale = locale_of(&headers);
    let t = locale.text();
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !same_token(&form.csrf, expected) {
        tracing::warn!(
            event = "csrf_refused",
            "sign-in posted without its CSRF token"
        );
        return login_page(
            locale,
            StatusCode::FORBIDDEN,
            "",
            None,
            Some(t.form_expired),
        );
    }
    let username = form.username.trim().to_string();
    let limits = [
        (Limit::LoginPerAddress, format!("portal:{}", client.key())),
        (Limit::LoginPerUsername, format!("portal:{username}")),
    ];
    for (limit, key) in limits {
        if state.rate_limits.check(limit, &key).await.is_err() {
            return login_page(
                locale,
                StatusCode::TOO_MANY_REQUESTS,
                &username,
                None,
                Some(t.too_many_attempts),
            );
        }
    }
    let now = state.clock.now();
    let admin = match state.store.admins().by_username(&username).await {
        Ok(admin) => admin,
        Err(e) => return server_error(locale, &e),
    };
    let Some((admin, hash)) = admin.and_then(|a| a.password_hash.clone().map(|h| (a, h))) else {
        // An unknown name costs what a real check costs, and reads the same.
        let _ = state.passwords.verify_unknown_user(form.password).await;
        return login_page(
            locale,
            StatusCode::UNAUTHORIZED,
            &username,
            None,
            Some(t.wrong_credentials),
        );
    };
    if let Some(until) = locked_until(admin.locked_until, now) {
        return login_page(
            locale,
            StatusCode::LOCKED,
            &username,
            None,
            Some(&locked_message(t, until, now)),
        );
    }
    let right = match state.passwords.verify(form.password, hash).await {
        Ok(verdict) => verdict.is_right(),
        Err(_) => false,
    };
    let who = actor(&admin, &client);
    if !right {
        return wrong_password(&state, &admin, &who, locale, &username).await;
    }
    if let Err(e) = state.store.admins().record_success(&admin.id).await {
        return server_error(locale, &e);
    }
    let (stage, pending_secret, next) = match admin.totp_secret {
        Some(_) => (AdminStage::SecondFactor, None, "/portal/second-factor"),
        None => (AdminStage::Enrol, Some(new_secret()), "/portal/enrol"),
    };
    // A new token at every sign-in: a cookie planted before it opens nothing.
    let token = crate::auth::session::new_token();
    let session = AdminSessionRow {
        token_hash: token_hash(&token),
        admin_id: admin.id.clone(),
        stage,
        csrf_token: new_token(),
        pending_secret,
        created_at: now,
        last_seen_at: now,
        expires_at: now + Duration::hours(i64::from(state.config.portal.session_hours)),
    };
    if let Err(e) = state.store.admins().insert_session(&session).await {
        return server_error(locale, &e);
    }
    let mut response = see_other(next);
    set_cookie(&mut response, &secret_cookie(SESSION_COOKIE, Some(&token)));
    set_cookie(&mut response, &secret_cookie(LOGIN_CSRF_COOKIE, None));
    response
}

/// Counts a wrong password, records it, and answers the sign-in page with
/// what to do (try again, or wait for the lock to end).
async fn wrong_password(
    state: &AppState,
    admin: &AdminRow,
    who: &Actor,
    locale: Locale,
    username: &str,
) -> Response {
    let t = locale.text();
    let now = state.clock.now();
    let security = &state.config.security;
    let locked = match state
        .store
        .admins()
        .record_failure(
            &admin.id,
            now,
            security.max_failed_logins,
            security.lock_minutes,
        )
        .await
    {
        Ok(locked) => locked,
        Err(e) => return server_error(locale, &e),
    };
    if let Err(e) = record(state, who, Action::SignInFailed, &admin.id, "").await {
        return server_error(locale, &e);
    }
    match locked {
        Some(until) => login_page(
            locale,
            StatusCode::LOCKED,
            username,
            None,
            Some(&locked_message(t, until, now)),
        ),
        None => login_page(
            locale,
            StatusCode::UNAUTHORIZED,
            username,
            None,
            Some(t.wrong_credentials),
        ),
    }
}

fn server_error(locale: Locale, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %error, "portal request failed");
    super::chrome::message(
        locale,
        StatusCode::INTERNAL_SERVER_ERROR,
        locale.text().server_error,
    )
}

/// `GET /portal/second-factor`.
pub async fn second_factor_form(session: AnySession) -> Response {
    match session.session.stage {
        AdminStage::SecondFactor => {}
        AdminStage::Enrol => return see_other("/portal/enrol"),
        AdminStage::SignedIn => return see_other("/portal/users"),
    }
    let t = session.locale.text();
    let page_data = SecondFactorPage {
        chrome: Chrome {
            csrf: session.session.csrf_token.clone(),
            ..Chrome::public(
                session.locale,
                t.second_factor_title,
                "/portal/second-factor",
            )
        },
    };
    page(StatusCode::OK, &page_data)
}

/// The checks every code form passes first: its CSRF token and the
/// session's stage (`Err(Some(answer))`), then the per-session rate of codes
/// (`Err(None)`: the caller shows its own page, saying to wait).
async fn check_code_form(
    state: &AppState,
    session: &AnySession,
    csrf: &str,
    stage: AdminStage,
) -> Result<(), Option<Response>> {
    if !csrf_matches(csrf, session) {
        return Err(Some(form_expired(session.locale)));
    }
    if session.session.stage != stage {
        return Err(Some(see_other("/portal/login")));
    }
    let key = format!("portal:{}", session.session.token_hash);
    match state.rate_limits.check(Limit::SecretPerSession, &key).await {
        Ok(()) => Ok(()),
        Err(_) => Err(None),
    }
}

/// `POST /portal/second-factor`: a TOTP code or a recovery code.
pub async fn second_factor_submit(
    State(state): State<AppState>,
    client: ClientAddr,
    session: AnySession,
    Form(form): Form<CodeForm>,
) -> Response {
    let locale = session.locale;
    let t = locale.text();
    match check_code_form(&state, &session, &form.csrf, AdminStage::SecondFactor).await {
        Ok(()) => {}
        Err(Some(answer)) => return answer,
        Err(None) => {
            return code_again(&session, StatusCode::TOO_MANY_REQUESTS, t.too_many_attempts)
        }
    }
    let admin = &session.admin;
    let now = state.clock.now();
    if let Some(until) = locked_until(admin.locked_until, now) {
        let _ = state
            .store
            .admins()
            .end_session(&session.session.token_hash)
            .await;
        return signed_out_with(locale, StatusCode::LOCKED, &locked_message(t, until, now));
    }
    let who = actor(admin, &client);
    let code = form.code.trim();
    let secret = admin.totp_secret.clone().unwrap_or_default();
    let accepted = match matching_step(&secret, code, now) {
        Some(step) => state
            .store
            .admins()
            .use_totp_step(&admin.id, step)
            .await
            .unwrap_or(false)
            .then_some(Action::SignedIn),
        None => state
            .store
            .admins()
            .use_recovery_digest(&admin.id, &state.passwords.recovery_digest(code))
            .await
            .unwrap_or(false)
            .then_some(Action::RecoveryCodeUsed),
    };
    let Some(how) = accepted else {
        let security = &state.config.security;
        let locked = state
            .store
            .admins()
            .record_failure(
                &admin.id,
                now,
                security.max_failed_logins,
                security.lock_minutes,
            )
            .await
            .ok()
            .flatten();
        let _ = record(&state, &who, Action::SecondFactorFailed, &admin.id, "").await;
        if let Some(until) = locked {
            let _ = state
                .store
                .admins()
                .end_session(&session.session.token_hash)
                .await;
            return signed_out_with(locale, StatusCode::LOCKED, &locked_message(t, until, now));
        }
        return code_again(&session, StatusCode::UNAUTHORIZED, t.wrong_code);
    };
    if how == Action::RecoveryCodeUsed {
        let _ = record(&state, &who, Action::RecoveryCodeUsed, &admin.id, "").await;
    }
    complete_sign_in(&state, &session, &who).await
}

async fn complete_sign_in(state: &AppState, session: &AnySession, who: &Actor) -> Response {
    let locale = session.locale;
    let admins = state.store.admins();
    let done = async {
        admins.record_success(&session.admin.id).await?;
        admins
            .set_session_stage(&session.session.token_hash, AdminStage::SignedIn, None)
            .await?;
        record(state, who, Action::SignedIn, &session.admin.id, "").await
    };
    match done.await {
        Ok(()) => see_other("/portal/users"),
        Err(e) => server_error(locale, &e),
    }
}

fn code_again(session: &AnySession, status: StatusCode, error: &str) -> Response {
    let t = session.locale.text();
    let page_data = SecondFactorPage {
        chrome: Chrome {
            csrf: session.session.csrf_token.clone(),
            ..Chrome::public(
                session.locale,
                t.second_factor_title,
                "/portal/second-factor",
            )
        }
        .with_error(Some(error)),
    };
    page(status, &page_data)
}

fn signed_out_with(locale: Locale, status: StatusCode, error: &str) -> Response {
    let mut response = login_page(locale, status, "", None, Some(error));
    set_cookie(&mut response, &secret_cookie(SESSION_COOKIE, None));
    response
}

fn enrol_page(session: &AnySession, status: StatusCode, error: Option<&str>) -> Response {
    let t = session.locale.text();
    let secret = session.session.pending_secret.clone().unwrap_or_default();
    let uri = enrolment_uri("mpos", &session.admin.username, &secret);
    let svg = enrolment_qr_svg(&uri);
    let svg = svg
        .find("<svg")
        .map_or(String::new(), |at| svg[at..].to_string());
    let groups: Vec<String> = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let page_data = EnrolPage {
        chrome: Chrome {
            csrf: session.session.csrf_token.clone(),
            ..Chrome::public(session.locale, t.enrol_title, "/portal/enrol")
        }
        .with_error(error),
        qr_svg: svg,
        secret_groups: groups.join(" "),
    };
    page(status, &page_data)
}

/// `GET /portal/enrol`: the QR code of a new authenticator secret.
pub async fn enrol_form(session: AnySession) -> Response {
    match session.session.stage {
        AdminStage::Enrol => enrol_page(&session, StatusCode::OK, None),
        AdminStage::SecondFactor => see_other("/portal/second-factor"),
        AdminStage::SignedIn => see_other("/portal/users"),
    }
}

/// `POST /portal/enrol`: the first code from the new authenticator; shows the recovery codes once.
pub async fn enrol_submit(
    State(state): State<AppState>,
    client: ClientAddr,
    session: AnySession,
    Form(form): Form<CodeForm>,
) -> Response {
    let locale = session.locale;
    let t = locale.text();
    match check_code_form(&state, &session, &form.csrf, AdminStage::Enrol).await {
        Ok(()) => {}
        Err(Some(answer)) => return answer,
        Err(None) => {
            return enrol_page(
                &session,
                StatusCode::TOO_MANY_REQUESTS,
                Some(t.too_many_attempts),
            )
        }
    }
    let secret = session.session.pending_secret.clone().unwrap_or_default();
    let now = state.clock.now();
    let Some(step) = matching_step(&secret, &form.code, now) else {
        return enrol_page(&session, StatusCode::UNAUTHORIZED, Some(t.wrong_code));
    };
    let codes = new_recovery_codes();
    let digests: Vec<String> = codes
        .iter()
        .map(|c| state.passwords.recovery_digest(c))
        .collect();
    let who = actor(&session.admin, &client);
    let enrolled = async {
        state
            .store
            .admins()
            .enrol(&session.admin.id, &secret, step, &digests)
            .await?;
        record(
            &state,
            &who,
            Action::SecondFactorEnrolled,
            &session.admin.id,
            "",
        )
        .await
    };
    if let Err(e) = enrolled.await {
        return server_error(locale, &e);
    }
    let signed_in = complete_sign_in(&state, &session, &who).await;
    if signed_in.status() != StatusCode::SEE_OTHER {
        return signed_in;
    }
    let page_data = RecoveryPage {
        chrome: Chrome {
            csrf: session.session.csrf_token.clone(),
            ..Chrome::public(locale, t.recovery_title, "/portal/users")
        },
        codes,
    };
    page(StatusCode::OK, &page_data)
}

/// `POST /portal/logout`: ends the session; its cookie opens nothing any more.
pub async fn sign_out(
    State(state): State<AppState>,
    client: ClientAddr,
    session: AnySession,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !csrf_matches(&form.csrf, &session) {
        return form_expired(session.locale);
    }
    let who = actor(&session.admin, &client);
    let ended = async {
        state
            .store
            .admins()
            .end_session(&session.session.token_hash)
            .await?;
        record(&state, &who, Action::SignedOut, &session.admin.id, "").await
    };
    if let Err(e) = ended.await {
        return server_error(session.locale, &e);
    }
    let mut response = see_other("/portal/login?out=1");
    set_cookie(&mut response, &secret_cookie(SESSION_COOKIE, None));
    response
}

/// The actor of a signed-in session's request.
pub fn session_actor(session: &PortalSession, client: &ClientAddr) -> Actor {
    actor(&session.0.admin, client)
}
