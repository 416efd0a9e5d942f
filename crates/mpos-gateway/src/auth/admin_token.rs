//! The merchant administrator's bearer token: random, kept in
//! `DIR/admin-token` (mode 0600), compared by its SHA-256.

use crate::error::AppError;
use crate::ids::random_hex;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use mpos_wire::ErrorCode;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Reads the token file, creating it with a fresh token when missing.
pub fn load_or_create(path: &Path) -> std::io::Result<String> {
    if path.exists() {
        let token = std::fs::read_to_string(path)?.trim().to_string();
        if !token.is_empty() {
            return Ok(token);
        }
    }
    let token = random_hex(32);
    if path.exists() {
        std::fs::remove_file(path)?;
    }
    crate::private_files::write_new(path, token.as_bytes())?;
    Ok(token)
}

/// SHA-256 of a token.
pub fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Proof that the request carries the admin token.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = crate::auth::session::bearer(parts).ok_or(ErrorCode::Unauthorized)?;
        // Comparing digests keeps the comparison time independent of the token's prefix.
        if digest(token) == state.admin_token_sha256 {
            Ok(Admin)
        } else {
            Err(ErrorCode::Unauthorized.into())
        }
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
}
