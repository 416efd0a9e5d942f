//! Password and activation-code hashing (Argon2id, PHC strings) and the
//! 6-digit password rule. Hashing is slow on purpose: call it off the
//! async threads ([`hash_secret`] and [`verify_secret`] are blocking). The
//! async forms share a few permits, so a flood of logins queues instead of
//! running hundreds of 19 MiB Argon2 computations at once.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::LazyLock;
use tokio::sync::Semaphore;
use tokio::task::JoinError;

/// How many Argon2 computations may run at once.
pub const ARGON2_PERMITS: usize = 4;

static ARGON2_SLOTS: Semaphore = Semaphore::const_new(ARGON2_PERMITS);

/// A hash of a random secret nobody knows: checking a login for an unknown
/// user name against it costs what a real check costs, so the answer's
/// timing does not tell which accounts exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_secret(&crate::ids::random_hex(16)));

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

/// Runs Argon2 work on the blocking pool once one of the [`ARGON2_PERMITS`] is free.
pub async fn with_argon2_permit<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, JoinError> {
    // The semaphore is a static that is never closed, so acquiring cannot fail.
    let _permit = ARGON2_SLOTS
        .acquire()
        .await
        .expect("the Argon2 semaphore is never closed");
    tokio::task::spawn_blocking(work).await
}

/// Hashes on the blocking pool.
pub async fn hash_secret_async(secret: String) -> Result<String, JoinError> {
    with_argon2_permit(move || hash_secret(&secret)).await
}

/// Verifies on the blocking pool.
pub async fn verify_secret_async(secret: String, hash: String) -> Result<bool, JoinError> {
    with_argon2_permit(move || verify_secret(&secret, &hash)).await
}

/// Spends one real Argon2 check for a login whose user name does not exist; never matches.
pub async fn verify_unknown_user(secret: String) -> Result<bool, JoinError> {
    with_argon2_permit(move || {
        verify_secret(&secret, &DUMMY_HASH);
        false
    })
    .await
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

    #[tokio::test]
    async fn at_most_the_permitted_argon2_computations_run_at_once() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..ARGON2_PERMITS * 4)
            .map(|_| {
                let (running, peak) = (running.clone(), peak.clone());
                tokio::spawn(with_argon2_permit(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(30));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert!(
            peak.load(Ordering::SeqCst) <= ARGON2_PERMITS,
            "peak {peak:?}"
        );
        assert!(
            peak.load(Ordering::SeqCst) >= 2,
            "work still runs in parallel"
        );
    }

    #[tokio::test]
    async fn unknown_users_never_match() {
        assert!(!verify_unknown_user("135790".into()).await.unwrap());
        assert!(!verify_unknown_user(String::new()).await.unwrap());
    }

    #[test]
    fn six_digit_rule() {
        assert!(is_six_digits("012345"));
        for bad in ["12345", "1234567", "12345a", "１２３４５６", ""] {
            assert!(!is_six_digits(bad), "{bad}");
        }
    }
}
