//! The API tokens page: every administrator's tokens for the admin API,
//! creating one (shown once, stored only as SHA-256) and revoking any.

use super::chrome::{message, Chrome, Section};
use super::format::taipei_time;
use super::session::PortalSession;
use super::sign_in::{csrf_matches, form_expired, session_actor, CsrfForm};
use crate::audit::{record, Action};
use crate::auth::admin_token::new_token;
use crate::auth::session::token_hash;
use crate::server::ClientAddr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use std::collections::HashMap;

/// A token as the list shows it.
#[derive(Debug, Clone)]
pub struct TokenView {
    /// Id.
    pub id: String,
    /// What it is for.
    pub label: String,
    /// Whose.
    pub owner: String,
    /// Created, Taipei.
    pub created_at: String,
    /// Revoked, Taipei, if it was.
    pub revoked_at: Option<String>,
}

/// The page.
#[derive(Template)]
#[template(path = "portal/tokens.html")]
pub struct TokensPage {
    /// Layout.
    pub chrome: Chrome,
    /// Tokens.
    pub tokens: Vec<TokenView>,
    /// A token just created, shown this once.
    pub new_token: Option<String>,
    /// The label typed, after an error.
    pub label: String,
}

/// Query carrying a notice.
#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// The create form.
#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label: String,
}

async fn render(
    state: &AppState,
    session: &super::session::AnySession,
    status: StatusCode,
    new_token: Option<String>,
    notice: Option<&str>,
    error: Option<&str>,
    label: String,
) -> Response {
    let locale = session.locale;
    let t = locale.text();
    let loaded = async {
        let owners: HashMap<String, String> = state
            .store
            .admins()
            .list()
            .await?
            .into_iter()
            .map(|a| (a.id, a.username))
            .collect();
        let tokens = state.store.admins().api_tokens().await?;
        Ok::<_, crate::store::StoreError>((owners, tokens))
    };
    let (owners, tokens) = match loaded.await {
        Ok(found) => found,
        Err(e) => return super::users::failed(locale, &e.into()),
    };
    let page_data = TokensPage {
        chrome: Chrome::signed_in(session, Section::Tokens, t.tokens_title, "/portal/tokens")
            .with_notice(notice)
            .with_error(error),
        tokens: tokens
            .iter()
            .map(|tok| TokenView {
                id: tok.id.clone(),
                label: tok.label.clone(),
                owner: owners.get(&tok.admin_id).cloned().unwrap_or_default(),
                created_at: taipei_time(tok.created_at),
                revoked_at: tok.revoked_at.map(taipei_time),
            })
            .collect(),
        new_token,
        label,
    };
    super::page(status, &page_data)
}

/// `GET /portal/tokens`.
pub async fn list(
    State(state): State<AppState>,
    PortalSession(session): PortalSession,
    Query(query): Query<NoticeQuery>,
) -> Response {
    let notice = (query.notice.as_deref() == Some("revoked"))
        .then_some(session.locale.text().notice_revoked);
    render(
        &state,
        &session,
        StatusCode::OK,
        None,
        notice,
        None,
        String::new(),
    )
    .await
}

/// `POST /portal/tokens`: a new token for the signed-in administrator, shown once.
pub async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    portal: PortalSession,
    Form(form): Form<CreateForm>,
) -> Response {
    let session = &portal.0;
    let t = session.locale.text();
    if !csrf_matches(&form.csrf, session) {
        return form_expired(session.locale);
    }
    let label = form.label.trim().to_string();
    if label.is_empty() || label.chars().count() > 60 {
        return render(
            &state,
            session,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            None,
            Some(t.error_label),
            label,
        )
        .await;
    }
    let token = new_token();
    let now = state.clock.now();
    let created = async {
        let row = state
            .store
            .admins()
            .create_api_token(&session.admin.id, &token_hash(&token), &label, now)
            .await?;
        record(
            &state,
            &session_actor(&portal, &client),
            Action::ApiTokenCreated,
            &row.id,
            &label,
        )
        .await
    };
    if let Err(e) = created.await {
        return super::users::failed(session.locale, &e.into());
    }
    render(
        &state,
        session,
        StatusCode::CREATED,
        Some(token),
        None,
        None,
        String::new(),
    )
    .await
}

/// `POST /portal/tokens/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    client: ClientAddr,
    portal: PortalSession,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let session = &portal.0;
    let locale = session.locale;
    if !csrf_matches(&form.csrf, session) {
        return form_expired(locale);
    }
    match state
        .store
        .admins()
        .revoke_api_token(&id, state.clock.now())
        .await
    {
        Ok(Some(row)) => {
            let actor = session_actor(&portal, &client);
            if let Err(e) =
                record(&state, &actor, Action::ApiTokenRevoked, &row.id, &row.label).await
            {
                return super::users::failed(locale, &e.into());
            }
            super::see_other("/portal/tokens?notice=revoked")
        }
        Ok(None) => message(locale, StatusCode::NOT_FOUND, locale.text().not_found),
        Err(e) => super::users::failed(locale, &e.into()),
    }
}
