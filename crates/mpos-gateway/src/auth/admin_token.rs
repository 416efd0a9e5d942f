//! Administrators' API tokens for automation: random, stored only as
//! SHA-256, each belonging to one named administrator and revocable in the
//! portal. The data directory's `admin-token` file (mode 0600) holds the
//! token of the built-in `automation` account, registered at start unless
//! it was ever registered (so a revoked file token stays revoked).

use crate::audit::Actor;
use crate::auth::session::{bearer, token_hash};
use crate::error::AppError;
use crate::ids::random_hex;
use crate::server::ClientAddr;
use crate::state::AppState;
use crate::store::{NewAdmin, Store, StoreError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use mpos_wire::ErrorCode;
use std::path::Path;
use time::OffsetDateTime;

/// The account that owns the data directory's token file.
pub const AUTOMATION_USERNAME: &str = "automation";
/// The label of the file token.
const FILE_TOKEN_LABEL: &str = "admin-token file";

/// A fresh API token (64 hex digits).
pub fn new_token() -> String {
    random_hex(32)
}

/// Reads the token file, creating it with a fresh token when missing.
pub fn load_or_create(path: &Path) -> std::io::Result<String> {
    if path.exists() {
        let token = std::fs::read_to_string(path)?.trim().to_string();
        if !token.is_empty() {
            return Ok(token);
        }
    }
    let token = new_token();
    if path.exists() {
        std::fs::remove_file(path)?;
    }
    crate::private_files::write_new(path, token.as_bytes())?;
    Ok(token)
}

/// Registers the file token as the `automation` account's, unless a token
/// with its digest was ever stored (revoked tokens stay revoked).
pub async fn register_file_token(
    store: &Store,
    token: &str,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let hash = token_hash(token);
    if store.admins().api_token_known(&hash).await? {
        return Ok(());
    }
    let automation = match store.admins().by_username(AUTOMATION_USERNAME).await? {
        Some(admin) => admin,
        None => {
            let new = NewAdmin {
                username: AUTOMATION_USERNAME.into(),
                name: "Automation (data-directory token)".into(),
                email: String::new(),
                password_hash: None,
                created_at: now,
            };
            match store.admins().create(&new).await {
                Ok(admin) => admin,
                // Another instance created it first.
                Err(StoreError::UsernameTaken) => store
                    .admins()
                    .by_username(AUTOMATION_USERNAME)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt("automation account vanished".into()))?,
                Err(e) => return Err(e),
            }
        }
    };
    match store
        .admins()
        .create_api_token(&automation.id, &hash, FILE_TOKEN_LABEL, now)
        .await
    {
        Ok(_) | Err(StoreError::Constraint(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// An administrator proven by an unrevoked API token, and where the request came from.
#[derive(Debug, Clone)]
pub struct Admin(pub Actor);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ErrorCode::Unauthorized)?;
        // Looked up by digest: the comparison never sees the token's prefix.
        let admin = state
            .store
            .admins()
            .by_api_token(&token_hash(token))
            .await?
            .ok_or(ErrorCode::Unauthorized)?;
        let client = ClientAddr::from_request_parts(parts, state)
            .await
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default();
        Ok(Admin(Actor {
            admin_id: admin.id,
            username: admin.username,
            client,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_with_owner_only_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("admin-token");
        let first = load_or_create(&path).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(load_or_create(&path).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[tokio::test]
    async fn the_file_token_is_registered_once_and_stays_revoked() {
        let store = Store::sqlite_in_memory().unwrap();
        let now = OffsetDateTime::now_utc();
        register_file_token(&store, "file-token", now)
            .await
            .unwrap();
        register_file_token(&store, "file-token", now)
            .await
            .unwrap();
        let tokens = store.admins().api_tokens().await.unwrap();
        assert_eq!(tokens.len(), 1);
        let owner = store
            .admins()
            .by_api_token(&token_hash("file-token"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(owner.username, AUTOMATION_USERNAME);
        assert!(owner.password_hash.is_none());
        store
            .admins()
            .revoke_api_token(&tokens[0].id, now)
            .await
            .unwrap();
        register_file_token(&store, "file-token", now)
            .await
            .unwrap();
        assert!(store
            .admins()
            .by_api_token(&token_hash("file-token"))
            .await
            .unwrap()
            .is_none());
    }
}
