//! The merchant portal (特店入口網站): server-rendered pages for named
//! administrators, in Traditional Chinese and English, with no JavaScript.
//! Who may call what is in `docs/security.md`: every page but sign-in needs a
//! signed-in session (password and second factor); every form carries the
//! session's CSRF token; every action lands in the audit log.

pub mod audit_page;
pub mod chrome;
pub mod csv;
pub mod format;
pub mod session;
pub mod settlement_page;
pub mod sign_in;
pub mod text;
pub mod tokens;
pub mod transactions;
pub mod users;

use crate::state::AppState;
use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

/// What the portal's pages may load: their own style sheet and nothing
/// else; forms post only to the portal; never framed.
pub const PORTAL_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The portal's style sheet.
const STYLE: &str = include_str!("../../templates/portal/portal.css");

/// The portal's routes (HTML, outside the API's OpenAPI document).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/", get(home))
        .route("/portal/portal.css", get(style))
        .route("/portal/lang/{code}", get(chrome::switch_language))
        .route("/portal/login", get(sign_in::form).post(sign_in::submit))
        .route(
            "/portal/second-factor",
            get(sign_in::second_factor_form).post(sign_in::second_factor_submit),
        )
        .route(
            "/portal/enrol",
            get(sign_in::enrol_form).post(sign_in::enrol_submit),
        )
        .route("/portal/logout", post(sign_in::sign_out))
        .route("/portal/users", get(users::list).post(users::create))
        .route("/portal/users/new", get(users::new_form))
        .route("/portal/users/{id}", get(users::detail))
        .route("/portal/users/{id}/limits", post(users::set_limits))
        .route("/portal/users/{id}/{action}", post(users::act))
        .route("/portal/transactions", get(transactions::list))
        .route("/portal/transactions.csv", get(transactions::export))
        .route("/portal/transactions/{id}", get(transactions::detail))
        .route("/portal/settlement", get(settlement_page::page))
        .route("/portal/audit", get(audit_page::page))
        .route("/portal/tokens", get(tokens::list).post(tokens::create))
        .route("/portal/tokens/{id}/revoke", post(tokens::revoke))
}

/// `GET /portal`: the phone users page (sign-in first if needed).
async fn home() -> Redirect {
    Redirect::to("/portal/users")
}

/// `GET /portal/portal.css`.
async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

/// A rendered page with the portal's policy.
pub fn page<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_SECURITY_POLICY, PORTAL_POLICY)],
            Html(html),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "portal template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// A redirect after a form (303: the browser follows with GET).
pub fn see_other(target: &str) -> Response {
    Redirect::to(target).into_response()
}
