//! Wrong logins for user names that no account has, counted as if the
//! account existed: after as many failures as lock a real account, the
//! name answers `account_locked` with a lock end too, so the answers
//! (`invalid_credentials`, then `account_locked`) never tell which names
//! exist. Kept in the database, so every instance on it counts together;
//! the scheduler forgets names idle longer than a lock.

use crate::auth::lockout::lock_end;
use crate::store::{Store, StoreError};
use time::OffsetDateTime;

/// The failures of unknown names.
pub struct UnknownNames {
    max_failed: u32,
    lock_minutes: u32,
}

impl UnknownNames {
    /// Counting as a real account's lockout does: `max_failed` failures lock for `lock_minutes`.
    pub fn new(max_failed: u32, lock_minutes: u32) -> Self {
        UnknownNames {
            max_failed,
            lock_minutes,
        }
    }

    fn key(name: &str) -> String {
        name.trim().to_lowercase()
    }

    /// The lock end while `name` is locked at `now`.
    pub async fn locked(
        &self,
        store: &Store,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        store.unknown_names().locked(&Self::key(name), now).await
    }

    /// Counts a failed login for `name`; the lock end when this failure locks it.
    pub async fn fail(
        &self,
        store: &Store,
        name: &str,
        now: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let until = lock_end(now, self.lock_minutes);
        store
            .unknown_names()
            .fail(&Self::key(name), now, self.max_failed, until)
            .await
    }

    /// Forgets names whose failures and lock have lapsed at `now`.
    pub async fn sweep(&self, store: &Store, now: OffsetDateTime) -> Result<(), StoreError> {
        let idle = time::Duration::minutes(i64::from(self.lock_minutes));
        store.unknown_names().sweep(now - idle).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[tokio::test]
    async fn an_unknown_name_locks_as_a_real_account_would_and_unlocks_in_time() {
        let store = Store::sqlite_in_memory().unwrap();
        let names = UnknownNames::new(3, 30);
        let now = datetime!(2030-01-01 00:00 UTC);
        assert_eq!(names.fail(&store, "Ghost", now).await.unwrap(), None);
        assert_eq!(names.fail(&store, " ghost ", now).await.unwrap(), None);
        let until = names
            .fail(&store, "GHOST", now)
            .await
            .unwrap()
            .expect("the third failure locks");
        assert_eq!(until, datetime!(2030-01-01 00:30 UTC));
        assert_eq!(
            names.locked(&store, "ghost", now).await.unwrap(),
            Some(until)
        );
        assert_eq!(names.locked(&store, "other", now).await.unwrap(), None);
        assert_eq!(
            names.locked(&store, "ghost", until).await.unwrap(),
            None,
            "the lock ends"
        );
        assert_eq!(
            names.fail(&store, "ghost", until).await.unwrap(),
            None,
            "and the count starts again"
        );
        names
            .sweep(&store, until + time::Duration::hours(1))
            .await
            .unwrap();
        assert_eq!(names.locked(&store, "ghost", until).await.unwrap(), None);
    }
}
