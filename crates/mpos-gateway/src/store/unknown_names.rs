//! The unknown-names repository: wrong logins for user names no account
//! has, counted as a real account's own-reader lane is, across every
//! gateway instance on the database.

use super::rows::opt_time_col;
use super::sql::args;
use super::{Store, StoreError};
use crate::clock::format_time;
use time::OffsetDateTime;

/// Unknown names' failures (see [`Store::unknown_names`]).
pub struct UnknownNames<'s> {
    pub(super) store: &'s Store,
}

impl UnknownNames<'_> {
    /// The lock end while `name` (already normalised) is locked at `now`.
    pub async fn locked(
        &self,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let name = name.to_string();
        self.store
            .read(move |tx| {
                Box::pin(async move {
                    let locked = tx
                        .query_opt(
                            "SELECT locked_until FROM unknown_names WHERE name = ?1",
                            args![name],
                        )
                        .await?
                        .map(|row| row.opt_text("locked_until"))
                        .transpose()?
                        .flatten();
                    Ok(opt_time_col("locked_until", locked)?.filter(|until| *until > now))
                })
            })
            .await
    }

    /// Counts a failed login for `name`; locks it until `lock_until` (and
    /// returns that) when this failure is the `max`-th.
    pub async fn fail(
        &self,
        name: &str,
        now: OffsetDateTime,
        max: u32,
        lock_until: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let name = name.to_string();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&format!("unknown:{name}")).await?;
                    let failed = tx
                        .query_one(
                            "INSERT INTO unknown_names (name, failed_logins, locked_until, last_failure) VALUES (?1, 1, NULL, ?2) \
                             ON CONFLICT (name) DO UPDATE SET failed_logins = unknown_names.failed_logins + 1, \
                             locked_until = NULL, last_failure = excluded.last_failure RETURNING failed_logins",
                            args![&name, format_time(now)],
                        )
                        .await?
                        .first_int()?;
                    if failed < i64::from(max) {
                        return Ok(None);
                    }
                    tx.execute(
                        "UPDATE unknown_names SET failed_logins = 0, locked_until = ?2 WHERE name = ?1",
                        args![name, format_time(lock_until)],
                    )
                    .await?;
                    Ok(Some(lock_until))
                })
            })
            .await
    }

    /// Forgets names whose last failure is before `before` (their count and lock have lapsed).
    pub async fn sweep(&self, before: OffsetDateTime) -> Result<u64, StoreError> {
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "DELETE FROM unknown_names WHERE last_failure < ?1 AND (locked_until IS NULL OR locked_until < ?1)",
                        args![format_time(before)],
                    )
                    .await
                })
            })
            .await
    }
}
