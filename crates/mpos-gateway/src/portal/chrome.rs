//! What every portal page around its content shows: title, navigation,
//! the administrator, the language switch, the sign-out form, and a notice
//! or error; plus the plain message page and the language switch itself.

use super::session::{AnySession, LANG_COOKIE};
use super::text::{Locale, Text};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The sections of the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Not signed in: no navigation.
    None,
    /// Phone users.
    Users,
    /// Transactions.
    Transactions,
    /// Settlement.
    Settlement,
    /// Audit log.
    Audit,
    /// API tokens.
    Tokens,
}

/// The layout's data.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The words.
    pub t: &'static Text,
    /// `lang` attribute.
    pub lang: &'static str,
    /// The page's title.
    pub title: String,
    /// Which section is open.
    pub section: Section,
    /// The administrator's name, when signed in.
    pub admin: Option<String>,
    /// The session's CSRF token (the sign-out form carries it).
    pub csrf: String,
    /// The link that switches to the other language and back here.
    pub switch_href: String,
    /// The other language's name.
    pub switch_label: &'static str,
    /// A notice of what happened.
    pub notice: Option<String>,
    /// An error saying what to do.
    pub error: Option<String>,
}

impl Chrome {
    /// The chrome of a page at `here` for someone not signed in.
    pub fn public(locale: Locale, title: &str, here: &str) -> Chrome {
        let other = locale.other();
        Chrome {
            t: locale.text(),
            lang: locale.html_lang(),
            title: title.to_string(),
            section: Section::None,
            admin: None,
            csrf: String::new(),
            switch_href: format!("/portal/lang/{}?back={}", other.code(), query_escape(here)),
            switch_label: other.text().language_name,
            notice: None,
            error: None,
        }
    }

    /// The chrome of a signed-in page.
    pub fn signed_in(session: &AnySession, section: Section, title: &str, here: &str) -> Chrome {
        Chrome {
            section,
            admin: Some(session.admin.name.clone()),
            csrf: session.session.csrf_token.clone(),
            ..Chrome::public(session.locale, title, here)
        }
    }

    /// Adds a notice.
    pub fn with_notice(mut self, notice: Option<&str>) -> Chrome {
        self.notice = notice.map(str::to_string);
        self
    }

    /// Adds an error.
    pub fn with_error(mut self, error: Option<&str>) -> Chrome {
        self.error = error.map(str::to_string);
        self
    }

    /// The navigation: link, label, and whether it is the open section.
    pub fn nav(&self) -> Vec<(&'static str, &'static str, bool)> {
        if self.section == Section::None {
            return Vec::new();
        }
        let t = self.t;
        [
            ("/portal/users", t.nav_users, Section::Users),
            (
                "/portal/transactions",
                t.nav_transactions,
                Section::Transactions,
            ),
            ("/portal/settlement", t.nav_settlement, Section::Settlement),
            ("/portal/audit", t.nav_audit, Section::Audit),
            ("/portal/tokens", t.nav_tokens, Section::Tokens),
        ]
        .into_iter()
        .map(|(href, label, section)| (href, label, section == self.section))
        .collect()
    }
}

/// Percent-escapes a path for a query value.
pub fn query_escape(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Whether `back` is a portal page (never another site: no open redirect).
pub fn is_portal_path(back: &str) -> bool {
    back.starts_with("/portal")
        && !back.contains("//")
        && !back.contains('\\')
        && back.bytes().all(|b| b.is_ascii_graphic())
}

/// A page that only says something (not found, form expired, error).
#[derive(Template)]
#[template(path = "portal/message.html")]
pub struct MessagePage {
    /// Layout.
    pub chrome: Chrome,
    /// What to say.
    pub message: String,
}

/// The message page with `status`.
pub fn message(locale: Locale, status: StatusCode, message: &str) -> Response {
    let page = MessagePage {
        chrome: Chrome::public(locale, locale.text().portal, "/portal"),
        message: message.to_string(),
    };
    super::page(status, &page)
}

/// Query of the language switch.
#[derive(Debug, Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// `GET /portal/lang/{code}?back=PATH`: remembers the language, returns to the page.
pub async fn switch_language(Path(code): Path<String>, Query(back): Query<Back>) -> Response {
    let Some(locale) = Locale::from_code(&code) else {
        return (StatusCode::NOT_FOUND, "unknown language").into_response();
    };
    let target = back
        .back
        .filter(|b| is_portal_path(b))
        .unwrap_or_else(|| "/portal".into());
    let mut response = Redirect::to(&target).into_response();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Secure; SameSite=Lax; Max-Age=31536000",
        locale.code()
    );
    if let Ok(value) = cookie.parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_portal_paths_are_returned_to() {
        assert!(is_portal_path("/portal/users?x=1"));
        for evil in [
            "https://evil.example/",
            "//evil.example/portal",
            "/portal//evil",
            "/\\evil",
            "/portal/\u{7f}",
            "/v1/admin/users",
        ] {
            assert!(!is_portal_path(evil), "{evil}");
        }
    }
}
