//! Password and activation-code hashing (Argon2id, PHC strings) and the
//! 6-digit password rule. The product's passwords are 6 digits, a million
//! possibilities, so a stolen database alone must not be enough to search
//! them: every hash mixes in a pepper, Argon2's secret input, kept outside
//! the database (`hsm/password-pepper.key` or the configuration). Hashes
//! made before the pepper (no `keyid` in the PHC string) still verify, and
//! a login that proves one replaces it (`Verdict::Right { rehash: true }`).
//!
//! Hashing is slow on purpose and runs on the blocking pool behind a few
//! permits, so a flood of logins queues instead of running hundreds of
//! 19 MiB Argon2 computations at once.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, KeyId, Params, ParamsBuilder, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinError;
use zeroize::Zeroizing;

/// How many Argon2 computations may run at once.
pub const ARGON2_PERMITS: usize = 4;

static ARGON2_SLOTS: Semaphore = Semaphore::const_new(ARGON2_PERMITS);

/// The `keyid` written into peppered hashes (the pepper's version).
const PEPPER_KEY_ID: &[u8] = b"p1";

/// What checking a secret against a stored hash found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The secret matches; `rehash` when the hash predates the pepper.
    Right {
        /// Whether the stored hash should be replaced by a peppered one.
        rehash: bool,
    },
    /// It does not (or the stored hash is malformed).
    Wrong,
}

impl Verdict {
    /// Whether the secret matched.
    pub fn is_right(self) -> bool {
        matches!(self, Verdict::Right { .. })
    }
}

/// Hashes and checks secrets under the gateway's pepper.
#[derive(Clone)]
pub struct Passwords(Arc<Inner>);

struct Inner {
    pepper: Zeroizing<[u8; 32]>,
    /// A hash of a random secret nobody knows: checking a login for an
    /// unknown user name against it costs what a real check costs.
    dummy: String,
}

impl Passwords {
    /// Hashing under `pepper`.
    pub fn new(pepper: [u8; 32]) -> Self {
        let mut inner = Inner {
            pepper: Zeroizing::new(pepper),
            dummy: String::new(),
        };
        inner.dummy = inner.hash(&crate::ids::random_hex(16));
        Passwords(Arc::new(inner))
    }

    /// Hashes on the blocking pool.
    pub async fn hash(&self, secret: String) -> Result<String, JoinError> {
        let inner = self.0.clone();
        with_argon2_permit(move || inner.hash(&secret)).await
    }

    /// Checks on the blocking pool.
    pub async fn verify(&self, secret: String, hash: String) -> Result<Verdict, JoinError> {
        let inner = self.0.clone();
        with_argon2_permit(move || inner.verify(&secret, &hash)).await
    }

    /// The keyed digest a recovery code is stored as, under the pepper.
    pub fn recovery_digest(&self, code: &str) -> String {
        crate::auth::second_factor::recovery_digest(&self.0.pepper[..], code)
    }

    /// Spends one real Argon2 check for a login whose user name does not exist.
    pub async fn verify_unknown_user(&self, secret: String) -> Result<(), JoinError> {
        let inner = self.0.clone();
        with_argon2_permit(move || {
            inner.verify(&secret, &inner.dummy);
        })
        .await
    }
}

impl Inner {
    fn peppered(&self) -> Argon2<'_> {
        let mut params = ParamsBuilder::new();
        params
            .m_cost(Params::DEFAULT_M_COST)
            .t_cost(Params::DEFAULT_T_COST)
            .p_cost(Params::DEFAULT_P_COST)
            .keyid(KeyId::new(PEPPER_KEY_ID).expect("a short key id"));
        let params = params.build().expect("the default costs are valid");
        Argon2::new_with_secret(
            self.pepper.as_slice(),
            Algorithm::Argon2id,
            Version::V0x13,
            params,
        )
        .expect("a 32-byte secret is within Argon2's limit")
    }

    fn hash(&self, secret: &str) -> String {
        let salt = SaltString::generate(&mut OsRng);
        self.peppered()
            .hash_password(secret.as_bytes(), &salt)
            .expect("Argon2 with default parameters accepts any input")
            .to_string()
    }

    fn verify(&self, secret: &str, hash: &str) -> Verdict {
        let Ok(parsed) = PasswordHash::new(hash) else {
            return Verdict::Wrong;
        };
        let legacy = parsed.params.get_str("keyid").is_none();
        let right = if legacy {
            Argon2::default().verify_password(secret.as_bytes(), &parsed)
        } else {
            self.peppered().verify_password(secret.as_bytes(), &parsed)
        };
        match right {
            Ok(()) => Verdict::Right { rehash: legacy },
            Err(_) => Verdict::Wrong,
        }
    }
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

/// The product's password rule: exactly 6 ASCII digits.
pub fn is_six_digits(password: &str) -> bool {
    password.len() == 6 && password.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passwords(byte: u8) -> Passwords {
        Passwords::new([byte; 32])
    }

    #[tokio::test]
    async fn hashes_verify_under_their_pepper_only_and_differ_per_salt() {
        let gateway = passwords(7);
        let a = gateway.hash("135790".into()).await.unwrap();
        let b = gateway.hash("135790".into()).await.unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$") && a.contains("keyid="), "{a}");
        let check = |hash: &str, secret: &str| gateway.0.verify(secret, hash);
        assert_eq!(check(&a, "135790"), Verdict::Right { rehash: false });
        assert_eq!(check(&a, "135791"), Verdict::Wrong);
        assert_eq!(check("not a hash", "135790"), Verdict::Wrong);
        // The database alone is not enough: without the pepper nothing matches.
        assert_eq!(passwords(8).0.verify("135790", &a), Verdict::Wrong);
        assert!(
            Argon2::default()
                .verify_password(b"135790", &PasswordHash::new(&a).unwrap())
                .is_err(),
            "an attacker's plain Argon2 cannot check a guess"
        );
    }

    #[test]
    fn a_hash_from_before_the_pepper_verifies_once_and_asks_to_be_replaced() {
        let legacy = Argon2::default()
            .hash_password(b"246802", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        let gateway = passwords(7);
        assert_eq!(
            gateway.0.verify("246802", &legacy),
            Verdict::Right { rehash: true }
        );
        assert_eq!(gateway.0.verify("246803", &legacy), Verdict::Wrong);
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
    async fn unknown_users_cost_a_real_check() {
        let gateway = passwords(7);
        let started = std::time::Instant::now();
        gateway.verify_unknown_user("135790".into()).await.unwrap();
        assert!(started.elapsed() > std::time::Duration::from_millis(1));
    }

    #[test]
    fn six_digit_rule() {
        assert!(is_six_digits("012345"));
        for bad in ["12345", "1234567", "12345a", "１２３４５６", ""] {
            assert!(!is_six_digits(bad), "{bad}");
        }
    }
}
