//! The audit log page: every administrative action, newest first, paged.
//! It only reads; nothing in the portal or the API changes an entry.

use super::chrome::{Chrome, Section};
use super::format::taipei_time;
use super::session::PortalSession;
use super::text::action;
use crate::audit::Action;
use crate::state::AppState;
use crate::store::AuditEntry;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// Entries per page.
pub const PAGE_SIZE: u64 = 100;

/// An entry as the page shows it.
#[derive(Debug, Clone)]
pub struct EntryView {
    /// When, Taipei.
    pub at: String,
    /// Who.
    pub admin: String,
    /// What, in words.
    pub action: String,
    /// On what.
    pub target: String,
    /// Facts.
    pub detail: String,
    /// From where.
    pub client: String,
}

/// The page.
#[derive(Template)]
#[template(path = "portal/audit.html")]
pub struct AuditPage {
    /// Layout.
    pub chrome: Chrome,
    /// Entries.
    pub entries: Vec<EntryView>,
    /// Link to older entries.
    pub older: Option<String>,
    /// Link to newer entries.
    pub newer: Option<String>,
}

/// Query: the page, from 1.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<u64>,
}

fn entry_view(locale: super::text::Locale, entry: &AuditEntry) -> EntryView {
    EntryView {
        at: taipei_time(entry.at),
        admin: entry.admin_username.clone(),
        action: Action::from_name(&entry.action)
            .map_or_else(|| entry.action.clone(), |a| action(locale, a).to_string()),
        target: entry.target.clone(),
        detail: entry.detail.clone(),
        client: entry.client.clone(),
    }
}

/// `GET /portal/audit`.
pub async fn page(
    State(state): State<AppState>,
    PortalSession(session): PortalSession,
    Query(query): Query<PageQuery>,
) -> Response {
    let locale = session.locale;
    let t = locale.text();
    let page_no = query.page.unwrap_or(1).max(1);
    // One more than a page: whether older entries exist.
    let entries = match state
        .store
        .audit_log()
        .page((page_no - 1) * PAGE_SIZE, PAGE_SIZE + 1)
        .await
    {
        Ok(entries) => entries,
        Err(e) => return super::users::failed(locale, &e.into()),
    };
    let has_older = entries.len() as u64 > PAGE_SIZE;
    let page_data = AuditPage {
        chrome: Chrome::signed_in(&session, Section::Audit, t.audit_title, "/portal/audit"),
        entries: entries
            .iter()
            .take(PAGE_SIZE as usize)
            .map(|e| entry_view(locale, e))
            .collect(),
        older: has_older.then(|| format!("/portal/audit?page={}", page_no + 1)),
        newer: (page_no > 1).then(|| format!("/portal/audit?page={}", page_no - 1)),
    };
    super::page(StatusCode::OK, &page_data)
}
