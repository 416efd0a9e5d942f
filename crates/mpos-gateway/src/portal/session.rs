//! Portal sessions: a random token in a `__Host-` cookie (Secure, HttpOnly,
//! SameSite=Strict, whole site, gone when the browser closes), stored only
//! as SHA-256, ended by signing out, after `portal.idle_minutes` without a
//! request, or `portal.session_hours` after sign-in. Every form carries the
//! session's CSRF token; the sign-in form, before any session, carries the
//! token of its own short-lived cookie (double submit).

use super::text::Locale;
use crate::auth::session::token_hash;
use crate::ids::random_hex;
use crate::state::AppState;
use crate::store::{AdminRow, AdminSessionRow, AdminStage};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use time::{Duration, OffsetDateTime};

/// The session cookie.
pub const SESSION_COOKIE: &str = "__Host-mpos_portal";
/// The sign-in form's CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "__Host-mpos_signin";
/// The language cookie.
pub const LANG_COOKIE: &str = "mpos_lang";

/// The value of cookie `name` in a request, if sent.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// A `Set-Cookie` value for a secret cookie (`None` deletes it).
pub fn secret_cookie(name: &str, value: Option<&str>) -> String {
    match value {
        Some(value) => format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict"),
        None => format!("{name}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"),
    }
}

/// A fresh token for a cookie or a form (128 random bits, hex).
pub fn new_token() -> String {
    random_hex(16)
}

/// Whether two tokens are equal, in time independent of where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The language of a request: the cookie, else the browser's first choice, else 中文.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    if let Some(locale) = cookie(headers, LANG_COOKIE).and_then(Locale::from_code) {
        return locale;
    }
    let preferred = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if preferred
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("en")
    {
        Locale::En
    } else {
        Locale::ZhTw
    }
}

/// Whether a session is still open at `now` (pure: the rule in one place).
pub fn is_open(session: &AdminSessionRow, now: OffsetDateTime, idle_minutes: u32) -> bool {
    now < session.expires_at
        && now - session.last_seen_at < Duration::minutes(i64::from(idle_minutes))
}

/// A portal session found from the request's cookie, at any stage.
#[derive(Debug, Clone)]
pub struct AnySession {
    /// The stored session.
    pub session: AdminSessionRow,
    /// Its administrator.
    pub admin: AdminRow,
    /// The request's language.
    pub locale: Locale,
}

/// A fully signed-in session (password and second factor).
#[derive(Debug, Clone)]
pub struct PortalSession(pub AnySession);

/// Why no session: go to the sign-in page (saying so when one timed out).
#[derive(Debug)]
pub struct SignInFirst {
    ended: bool,
}

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        let target = if self.ended {
            "/portal/login?ended=1"
        } else {
            "/portal/login"
        };
        let mut response = Redirect::to(target).into_response();
        if self.ended {
            if let Ok(value) = secret_cookie(SESSION_COOKIE, None).parse() {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
        }
        response
    }
}

impl FromRequestParts<AppState> for AnySession {
    type Rejection = SignInFirst;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let locale = locale_of(&parts.headers);
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(SignInFirst { ended: false })?;
        let hash = token_hash(token);
        let admins = state.store.admins();
        let session = admins
            .session(&hash)
            .await
            .ok()
            .flatten()
            .ok_or(SignInFirst { ended: false })?;
        let now = state.clock.now();
        if !is_open(&session, now, state.config.portal.idle_minutes) {
            let _ = admins.end_session(&hash).await;
            return Err(SignInFirst { ended: true });
        }
        let admin = admins
            .by_id(&session.admin_id)
            .await
            .ok()
            .flatten()
            .ok_or(SignInFirst { ended: false })?;
        if admins.touch_session(&hash, now).await.is_err() {
            return Err(SignInFirst { ended: false });
        }
        Ok(AnySession {
            session,
            admin,
            locale,
        })
    }
}

impl FromRequestParts<AppState> for PortalSession {
    type Rejection = SignInFirst;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let any = AnySession::from_request_parts(parts, state).await?;
        if any.session.stage == AdminStage::SignedIn {
            Ok(PortalSession(any))
        } else {
            Err(SignInFirst { ended: false })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(last_seen: OffsetDateTime, expires: OffsetDateTime) -> AdminSessionRow {
        AdminSessionRow {
            token_hash: String::new(),
            admin_id: String::new(),
            stage: AdminStage::SignedIn,
            csrf_token: String::new(),
            pending_secret: None,
            created_at: last_seen,
            last_seen_at: last_seen,
            expires_at: expires,
        }
    }

    #[test]
    fn idle_for_the_timeout_or_past_the_end_closes_the_session() {
        let t = time::macros::datetime!(2030-01-01 10:00 UTC);
        let s = session(t, t + Duration::hours(12));
        assert!(is_open(&s, t + Duration::minutes(14), 15));
        assert!(!is_open(&s, t + Duration::minutes(15), 15));
        let late = session(t + Duration::hours(12), t + Duration::hours(12));
        assert!(!is_open(&late, t + Duration::hours(12), 15));
    }

    #[test]
    fn cookies_are_read_by_exact_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "x__Host-mpos_portal=evil; __Host-mpos_portal=abc; mpos_lang=en"
                .parse()
                .unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(locale_of(&headers), Locale::En);
        let secret = secret_cookie(SESSION_COOKIE, Some("abc"));
        for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(secret.contains(attribute), "{attribute}");
        }
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(same_token("abcd", "abcd"));
        assert!(!same_token("abcd", "abce"));
        assert!(!same_token("abcd", "abc"));
    }
}
