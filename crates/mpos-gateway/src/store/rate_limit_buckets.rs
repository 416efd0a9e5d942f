//! The rate-limit buckets repository: the buckets every gateway instance on
//! the database counts against together. The rule is
//! `domain::rate_limit::take`; this keeps its one number per bucket.

use super::sql::args;
use super::{Store, StoreError};
use crate::domain::rate_limit::{take, Bucket, Rate};

/// Shared rate-limit buckets (see [`Store::rate_limit_buckets`]).
pub struct RateLimitBuckets<'s> {
    pub(super) store: &'s Store,
}

fn to_db(us: u64) -> i64 {
    i64::try_from(us).unwrap_or(i64::MAX)
}

impl RateLimitBuckets<'_> {
    /// Counts one request against `bucket` at `now_us` (wall-clock
    /// microseconds, which every instance shares); `Err(wait_us)` inside
    /// when it must be refused.
    pub async fn take(
        &self,
        bucket: &str,
        rate: Rate,
        now_us: u64,
    ) -> Result<Result<(), u64>, StoreError> {
        let bucket = bucket.to_string();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&format!("rate:{bucket}")).await?;
                    let kept = tx
                        .query_opt(
                            "SELECT next_us FROM rate_limit_buckets WHERE bucket = ?1",
                            args![&bucket],
                        )
                        .await?
                        .map(|row| row.int("next_us"))
                        .transpose()?
                        .map(|next| Bucket {
                            next_us: u64::try_from(next).unwrap_or(0),
                        });
                    let (kept, verdict) = take(kept, rate, now_us);
                    tx.execute(
                        "INSERT INTO rate_limit_buckets (bucket, next_us) VALUES (?1, ?2) \
                         ON CONFLICT (bucket) DO UPDATE SET next_us = excluded.next_us",
                        args![bucket, to_db(kept.next_us)],
                    )
                    .await?;
                    Ok(verdict)
                })
            })
            .await
    }

    /// Forgets buckets that are full again at `now_us`.
    pub async fn sweep(&self, now_us: u64) -> Result<u64, StoreError> {
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "DELETE FROM rate_limit_buckets WHERE next_us <= ?1",
                        args![to_db(now_us)],
                    )
                    .await
                })
            })
            .await
    }
}
