//! Rate limits on what a stranger, a stolen session or a script could
//! abuse: logins per client address and per user name, activation codes and
//! password checks per address and per session, e-receipts per session and
//! SMS per user. The rule is `domain::rate_limit`'s token bucket; this holds
//! the buckets in memory on the monotonic clock (never the settable business
//! clock), and, when several instances share a PostgreSQL database, also in
//! the database on the wall clock, so the rates hold for all of them
//! together. The memory bucket comes first: a flood at one instance is
//! refused without touching the database.

use crate::config::RateLimitConfig;
use crate::domain::rate_limit::{take, Bucket, Rate};
use crate::error::AppError;
use crate::store::Store;
use mpos_wire::ErrorCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Buckets kept before full (rested) ones are forgotten.
const PRUNE_ABOVE: usize = 100_000;

/// What is being limited, and by which key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// Logins from one client address.
    LoginPerAddress,
    /// Logins naming one user name (known or not).
    LoginPerUsername,
    /// Activation codes, password re-entries and changes from one client address.
    SecretPerAddress,
    /// Activation codes, password re-entries and changes in one session.
    SecretPerSession,
    /// E-receipts sent from one session.
    ReceiptPerSession,
    /// Receipt SMS sent by one user.
    SmsPerUser,
}

/// The gateway's buckets.
pub struct RateLimits {
    config: RateLimitConfig,
    started: Instant,
    buckets: Mutex<HashMap<(Limit, String), Bucket>>,
    shared: Option<Arc<Store>>,
}

impl RateLimits {
    /// Empty buckets under `config`'s rates, in memory only.
    pub fn new(config: RateLimitConfig) -> Self {
        RateLimits {
            config,
            started: Instant::now(),
            buckets: Mutex::new(HashMap::new()),
            shared: None,
        }
    }

    /// Buckets in memory and, when `store` is shared by several instances, in it too.
    pub fn with_store(config: RateLimitConfig, store: Arc<Store>) -> Self {
        let mut limits = RateLimits::new(config);
        limits.shared = store.is_shared().then_some(store);
        limits
    }

    fn rate(&self, limit: Limit) -> Rate {
        let c = &self.config;
        match limit {
            Limit::LoginPerAddress => Rate::per_minute(c.logins_per_address_per_minute),
            Limit::LoginPerUsername => Rate::per_minute(c.logins_per_username_per_minute),
            Limit::SecretPerAddress => Rate::per_minute(c.secrets_per_address_per_minute),
            Limit::SecretPerSession => Rate::per_minute(c.secrets_per_session_per_minute),
            Limit::ReceiptPerSession => Rate::per_minute(c.receipts_per_session_per_minute),
            Limit::SmsPerUser => Rate::per_hour(c.sms_per_user_per_hour),
        }
    }

    /// Counts one request against `limit` for `key`; `too_many_requests`
    /// (saying when to try again) once the bucket is empty.
    pub async fn check(&self, limit: Limit, key: &str) -> Result<(), AppError> {
        self.check_here(limit, key)
            .map_err(|wait_us| refusal(limit, wait_us))?;
        if let Some(store) = &self.shared {
            let now_us = wall_clock_us();
            let bucket = format!("{limit:?}:{key}");
            store
                .rate_limit_buckets()
                .take(&bucket, self.rate(limit), now_us)
                .await?
                .map_err(|wait_us| refusal(limit, wait_us))?;
        }
        Ok(())
    }

    /// Forgets the shared buckets that are full again.
    pub async fn sweep_shared(&self) -> Result<(), crate::store::StoreError> {
        if let Some(store) = &self.shared {
            store.rate_limit_buckets().sweep(wall_clock_us()).await?;
        }
        Ok(())
    }

    /// This instance's own bucket; `Err(wait_us)` when refused.
    fn check_here(&self, limit: Limit, key: &str) -> Result<(), u64> {
        let rate = self.rate(limit);
        let now_us = self.started.elapsed().as_micros() as u64;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, bucket| !bucket.is_full(now_us));
        }
        let entry = (limit, key.to_string());
        let (bucket, verdict) = take(buckets.get(&entry).copied(), rate, now_us);
        buckets.insert(entry, bucket);
        drop(buckets);
        verdict
    }
}

/// Microseconds of wall-clock time: the one clock every instance shares.
fn wall_clock_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

fn refusal(limit: Limit, wait_us: u64) -> AppError {
    tracing::warn!(
        event = "rate_limited",
        ?limit,
        "request refused by a rate limit"
    );
    AppError::retry_after(ErrorCode::TooManyRequests, wait_us.div_ceil(1_000_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_and_limits_have_their_own_buckets() {
        let limits = RateLimits::new(RateLimitConfig {
            logins_per_username_per_minute: 2,
            ..RateLimitConfig::default()
        });
        assert!(limits.check(Limit::LoginPerUsername, "amy").await.is_ok());
        assert!(limits.check(Limit::LoginPerUsername, "amy").await.is_ok());
        let refused = limits
            .check(Limit::LoginPerUsername, "amy")
            .await
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::TooManyRequests);
        assert_eq!(refused.retry_after_secs, Some(30));
        assert!(limits.check(Limit::LoginPerUsername, "bob").await.is_ok());
        assert!(limits.check(Limit::LoginPerAddress, "amy").await.is_ok());
    }
}
