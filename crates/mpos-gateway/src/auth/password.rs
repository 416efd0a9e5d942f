//! Password and activation-code hashing (Argon2id, PHC strings) and the
//! 6-digit password rule. Hashing is slow on purpose: call it off the
//! async threads ([`hash_secret`] and [`verify_secret`] are blocking).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashes a secret with Argon2id and a random salt.
pub fn hash_secret(secret: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .expect("Argon2 with default parameters accepts any input")
        .to_string()
}

/// Whether `secret` matches a PHC hash; a malformed hash matches nothing.
pub fn verify_secret(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashes on the blocking pool.
pub async fn hash_secret_async(secret: String) -> Result<String, tokio::task::JoinError> {
    tokio::task::spawn_blocking(move || hash_secret(&secret)).await
}

/// Verifies on the blocking pool.
pub async fn verify_secret_async(
    secret: String,
    hash: String,
) -> Result<bool, tokio::task::JoinError> {
    tokio::task::spawn_blocking(move || verify_secret(&secret, &hash)).await
}

/// The product's password rule: exactly 6 ASCII digits.
pub fn is_six_digits(password: &str) -> bool {
    password.len() == 6 && password.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ_per_salt() {
        let a = hash_secret("135790");
        let b = hash_secret("135790");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_secret("135790", &a));
        assert!(!verify_secret("135791", &a));
        assert!(!verify_secret("135790", "not a hash"));
    }

    #[test]
    fn six_digit_rule() {
        assert!(is_six_digits("012345"));
        for bad in ["12345", "1234567", "12345a", "１２３４５６", ""] {
            assert!(!is_six_digits(bad), "{bad}");
        }
    }
}
