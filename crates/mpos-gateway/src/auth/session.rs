//! Sessions: random 32-byte bearer tokens, stored only as SHA-256, with an
//! expiry, an idle timeout (`domain::session`), and a first-login stage that limits what the session may call.
//! Transaction details (search, void, settlement) also need a short-lived
//! grant that re-entering the password gives: the phone alone cannot be
//! trusted to ask for it.

use crate::domain::session::{verdict, SessionVerdict};
use crate::error::AppError;
use crate::ids::random_hex;
use crate::state::AppState;
use crate::store::{SessionRow, UserRow};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use mpos_wire::api::{SessionStage, UserStatus};
use mpos_wire::ErrorCode;
use sha2::{Digest, Sha256};

/// How long a re-entered password opens transaction details.
pub const REENTRY_MINUTES: i64 = 15;

/// A new session token (64 hex digits).
pub fn new_token() -> String {
    random_hex(32)
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A logged-in session in any stage.
#[derive(Debug, Clone)]
pub struct Session {
    /// The session row.
    pub row: SessionRow,
    /// Its user.
    pub user: UserRow,
}

/// A session that finished first login.
#[derive(Debug, Clone)]
pub struct ReadySession(pub Session);

/// A ready session whose user re-entered the password in the last [`REENTRY_MINUTES`].
#[derive(Debug, Clone)]
pub struct VerifiedSession(pub Session);

impl FromRequestParts<AppState> for Session {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ErrorCode::Unauthorized)?;
        let hash = token_hash(token);
        let row = state
            .store
            .sessions()
            .get(&hash)
            .await?
            .ok_or(ErrorCode::Unauthorized)?;
        let now = state.clock.now();
        match verdict(
            row.expires_at,
            row.last_seen_at,
            now,
            state.config.security.session_idle(),
        ) {
            SessionVerdict::Live { touch } => {
                if touch {
                    state.store.sessions().touch(&hash, now).await?;
                }
            }
            SessionVerdict::Expired | SessionVerdict::Idle => {
                state.store.sessions().delete(&hash).await?;
                return Err(ErrorCode::SessionExpired.into());
            }
        }
        let user = state
            .store
            .users()
            .by_id(&row.user_id)
            .await?
            .ok_or(ErrorCode::Unauthorized)?;
        if user.status == UserStatus::Disabled {
            return Err(ErrorCode::AccountDisabled.into());
        }
        Ok(Session { row, user })
    }
}

impl FromRequestParts<AppState> for ReadySession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await?;
        match session.row.stage {
            SessionStage::Ready => Ok(ReadySession(session)),
            SessionStage::ActivationRequired => Err(ErrorCode::ActivationRequired.into()),
            SessionStage::PasswordChangeRequired => Err(ErrorCode::PasswordChangeRequired.into()),
        }
    }
}

impl FromRequestParts<AppState> for VerifiedSession {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ReadySession(session) = ReadySession::from_request_parts(parts, state).await?;
        if session
            .row
            .verified_until
            .is_some_and(|until| until > state.clock.now())
        {
            Ok(VerifiedSession(session))
        } else {
            Err(ErrorCode::PasswordReentryRequired.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let token = new_token();
        assert_eq!(token.len(), 64);
        assert_ne!(token, new_token());
        assert_eq!(token_hash(&token).len(), 64);
        assert_ne!(token_hash(&token), token);
    }
}
