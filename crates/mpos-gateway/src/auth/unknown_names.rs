//! Wrong logins for user names that no account has, counted as if the
//! account existed: after as many failures as lock a real account, the
//! name answers `account_locked` with a lock end too, so the answers
//! (`invalid_credentials`, then `account_locked`) never tell which names
//! exist. Kept in memory per gateway instance; names idle longer than a
//! lock are forgotten when the table grows.

use crate::auth::lockout::{lock_end, locked_until};
use std::collections::HashMap;
use std::sync::Mutex;
use time::OffsetDateTime;

/// Names kept before idle ones are forgotten.
const PRUNE_ABOVE: usize = 100_000;

/// One unknown name's failures.
#[derive(Debug, Clone, Copy)]
struct Strikes {
    failed: u32,
    locked_until: Option<OffsetDateTime>,
    last_failure: OffsetDateTime,
}

/// The failures of unknown names.
pub struct UnknownNames {
    max_failed: u32,
    lock_minutes: u32,
    names: Mutex<HashMap<String, Strikes>>,
}

impl UnknownNames {
    /// Counting as a real account's lockout does: `max_failed` failures lock for `lock_minutes`.
    pub fn new(max_failed: u32, lock_minutes: u32) -> Self {
        UnknownNames {
            max_failed,
            lock_minutes,
            names: Mutex::new(HashMap::new()),
        }
    }

    fn key(name: &str) -> String {
        name.trim().to_lowercase()
    }

    /// The lock end while `name` is locked at `now`.
    pub fn locked(&self, name: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        names
            .get(&Self::key(name))
            .and_then(|strikes| locked_until(strikes.locked_until, now))
    }

    /// Counts a failed login for `name`; the lock end when this failure locks it.
    pub fn fail(&self, name: &str, now: OffsetDateTime) -> Option<OffsetDateTime> {
        let mut names = self.names.lock().unwrap_or_else(|e| e.into_inner());
        if names.len() > PRUNE_ABOVE {
            let idle = time::Duration::minutes(i64::from(self.lock_minutes));
            names.retain(|_, strikes| now - strikes.last_failure < idle);
        }
        let strikes = names.entry(Self::key(name)).or_insert(Strikes {
            failed: 0,
            locked_until: None,
            last_failure: now,
        });
        strikes.last_failure = now;
        strikes.locked_until = None;
        strikes.failed += 1;
        if strikes.failed < self.max_failed {
            return None;
        }
        strikes.failed = 0;
        let until = lock_end(now, self.lock_minutes);
        strikes.locked_until = Some(until);
        Some(until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn an_unknown_name_locks_as_a_real_account_would_and_unlocks_in_time() {
        let names = UnknownNames::new(3, 30);
        let now = datetime!(2030-01-01 00:00 UTC);
        assert_eq!(names.fail("Ghost", now), None);
        assert_eq!(names.fail(" ghost ", now), None);
        let until = names.fail("GHOST", now).expect("the third failure locks");
        assert_eq!(until, datetime!(2030-01-01 00:30 UTC));
        assert_eq!(names.locked("ghost", now), Some(until));
        assert_eq!(names.locked("other", now), None);
        assert_eq!(names.locked("ghost", until), None, "the lock ends");
        assert_eq!(
            names.fail("ghost", until),
            None,
            "and the count starts again"
        );
    }
}
