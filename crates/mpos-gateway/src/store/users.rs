//! The users repository: phone users, their credentials and lockout lanes.

use super::rows::{self, minor, opt_time_col};
use super::sql::{args, Tx, Value};
use super::{Attempt, Lane, NewCredentials, NewUser, Store, StoreError, UserRow};
use crate::clock::format_time;
use crate::ids::new_id;
use time::OffsetDateTime;

/// Phone users (see [`Store::users`]).
pub struct Users<'s> {
    pub(super) store: &'s Store,
}

/// Users matching `clause` (a WHERE and/or ORDER BY clause).
pub(super) async fn users_where(
    tx: &mut dyn Tx,
    clause: &str,
    args: &[Value],
) -> Result<Vec<UserRow>, StoreError> {
    tx.query(&format!("SELECT * FROM users {clause}"), args)
        .await?
        .iter()
        .map(rows::user)
        .collect()
}

async fn user_where(
    tx: &mut dyn Tx,
    clause: &str,
    args: &[Value],
) -> Result<Option<UserRow>, StoreError> {
    Ok(users_where(tx, clause, args).await?.into_iter().next())
}

/// The count and lock columns of a lockout lane (fixed names, never input).
fn lane_columns(lane: Lane) -> (&'static str, &'static str) {
    match lane {
        Lane::OwnReader => ("failed_logins", "locked_until"),
        Lane::Elsewhere => ("elsewhere_failed_logins", "elsewhere_locked_until"),
    }
}

/// The lane's stored lock end, as text (compared as written), under the user's lock.
async fn locked_lane(
    tx: &mut dyn Tx,
    id: &str,
    locked_col: &str,
) -> Result<Option<String>, StoreError> {
    tx.lock(&user_lock(id)).await?;
    tx.query_one(
        &format!("SELECT {locked_col} FROM users WHERE id = ?1"),
        args![id],
    )
    .await?
    .opt_text(locked_col)
}

/// The lock every change of one user's credentials or lockout takes.
fn user_lock(id: &str) -> String {
    format!("user:{id}")
}

impl Users<'_> {
    /// Creates a user with the next terminal id.
    pub async fn create(&self, user: &NewUser) -> Result<UserRow, StoreError> {
        let user = user.clone();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    // Terminal ids count users: one creation at a time.
                    tx.lock("users").await?;
                    let taken = tx
                        .query_one(
                            "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
                            args![&user.username],
                        )
                        .await?
                        .first_bool()?;
                    if taken {
                        return Err(StoreError::UsernameTaken);
                    }
                    let count = tx
                        .query_one("SELECT COUNT(*) FROM users", &[])
                        .await?
                        .first_int()?;
                    let terminal_id = format!("T{:07}", count + 1);
                    let id = new_id("usr");
                    tx.execute(
                        "INSERT INTO users (id, username, name, phone, email, status, limit_per_txn_minor, limit_per_day_minor, \
                         limit_refund_minor, currency, terminal_id, password_hash, password_is_default, activated, \
                         activation_code_hash, activation_expires_at, failed_logins, locked_until, created_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, 'pending_activation', ?6, ?7, ?8, 'TWD', ?9, ?10, TRUE, FALSE, ?11, ?12, 0, NULL, ?13)",
                        args![
                            &id,
                            &user.username,
                            &user.name,
                            &user.phone,
                            &user.email,
                            minor(user.limits.per_transaction),
                            minor(user.limits.per_day),
                            user.limits.refund_per_transaction.map(minor),
                            terminal_id,
                            &user.credentials.password_hash,
                            &user.credentials.activation_code_hash,
                            format_time(user.credentials.activation_expires_at),
                            format_time(user.created_at),
                        ],
                    )
                    .await?;
                    user_where(tx, "WHERE id = ?1", args![id])
                        .await?
                        .ok_or_else(|| StoreError::Corrupt("user vanished".into()))
                })
            })
            .await
    }

    /// A user by id.
    pub async fn by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let id = id.to_string();
        self.store
            .read(move |tx| {
                Box::pin(async move { user_where(tx, "WHERE id = ?1", args![id]).await })
            })
            .await
    }

    /// A user by account name.
    pub async fn by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        let username = username.to_string();
        self.store
            .read(move |tx| {
                Box::pin(
                    async move { user_where(tx, "WHERE username = ?1", args![username]).await },
                )
            })
            .await
    }

    /// Every user, oldest first.
    pub async fn list(&self) -> Result<Vec<UserRow>, StoreError> {
        self.store
            .read(|tx| {
                Box::pin(async move { users_where(tx, "ORDER BY created_at, rowid", &[]).await })
            })
            .await
    }

    /// Disables a user and ends its sessions.
    pub async fn disable(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let id = id.to_string();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "UPDATE users SET status = 'disabled' WHERE id = ?1",
                        args![&id],
                    )
                    .await?;
                    tx.execute("DELETE FROM sessions WHERE user_id = ?1", args![&id])
                        .await?;
                    user_where(tx, "WHERE id = ?1", args![id]).await
                })
            })
            .await
    }

    /// Enables a disabled user again: active if the first login was completed, else pending activation.
    pub async fn enable(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let id = id.to_string();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "UPDATE users SET status = CASE WHEN activated AND NOT password_is_default \
                         THEN 'active' ELSE 'pending_activation' END WHERE id = ?1 AND status = 'disabled'",
                        args![&id],
                    )
                    .await?;
                    user_where(tx, "WHERE id = ?1", args![id]).await
                })
            })
            .await
    }

    /// Replaces a user's limits (sales already made stand).
    pub async fn set_limits(
        &self,
        id: &str,
        limits: &mpos_wire::api::Limits,
    ) -> Result<Option<UserRow>, StoreError> {
        let id = id.to_string();
        let limits = limits.clone();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&user_lock(&id)).await?;
                    tx.execute(
                        "UPDATE users SET limit_per_txn_minor = ?2, limit_per_day_minor = ?3, limit_refund_minor = ?4 WHERE id = ?1",
                        args![
                            &id,
                            minor(limits.per_transaction),
                            minor(limits.per_day),
                            limits.refund_per_transaction.map(minor)
                        ],
                    )
                    .await?;
                    user_where(tx, "WHERE id = ?1", args![id]).await
                })
            })
            .await
    }

    /// New default password and activation code; back to pending, lock cleared, sessions ended.
    pub async fn reset_credentials(
        &self,
        id: &str,
        credentials: &NewCredentials,
    ) -> Result<Option<UserRow>, StoreError> {
        let id = id.to_string();
        let credentials = credentials.clone();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&user_lock(&id)).await?;
                    tx.execute(
                        "UPDATE users SET status = CASE WHEN status = 'disabled' THEN status ELSE 'pending_activation' END, \
                         password_hash = ?2, password_is_default = TRUE, activated = FALSE, \
                         activation_code_hash = ?3, activation_expires_at = ?4, failed_logins = 0, locked_until = NULL, \
                         elsewhere_failed_logins = 0, elsewhere_locked_until = NULL WHERE id = ?1",
                        args![
                            &id,
                            credentials.password_hash,
                            credentials.activation_code_hash,
                            format_time(credentials.activation_expires_at)
                        ],
                    )
                    .await?;
                    tx.execute("DELETE FROM sessions WHERE user_id = ?1", args![&id])
                        .await?;
                    user_where(tx, "WHERE id = ?1", args![id]).await
                })
            })
            .await
    }

    /// Reserves one password or activation-code attempt in `lane` before it
    /// is evaluated: refuses while the lane is locked, else counts it as a
    /// failure, locking the lane until `lock_until` when the count reaches `max`.
    pub async fn reserve_attempt(
        &self,
        id: &str,
        lane: Lane,
        now: OffsetDateTime,
        max: u32,
        lock_until: OffsetDateTime,
    ) -> Result<Attempt, StoreError> {
        let id = id.to_string();
        let (failed_col, locked_col) = lane_columns(lane);
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    let locked = locked_lane(tx, &id, locked_col).await?;
                    if let Some(until) = opt_time_col(locked_col, locked)?.filter(|until| *until > now) {
                        return Ok(Attempt::Locked(until));
                    }
                    // Counted before the slow hash check, so parallel guesses cannot all be evaluated.
                    let failed = tx
                        .query_one(
                            &format!(
                                "UPDATE users SET {failed_col} = {failed_col} + 1, {locked_col} = NULL WHERE id = ?1 RETURNING {failed_col}"
                            ),
                            args![&id],
                        )
                        .await?
                        .first_int()?;
                    if failed < i64::from(max) {
                        return Ok(Attempt::Reserved { locked_until: None });
                    }
                    tx.execute(
                        &format!("UPDATE users SET {failed_col} = 0, {locked_col} = ?2 WHERE id = ?1"),
                        args![&id, format_time(lock_until)],
                    )
                    .await?;
                    Ok(Attempt::Reserved {
                        locked_until: Some(lock_until),
                    })
                })
            })
            .await
    }

    /// A reserved attempt was right: resets the lane's count and, for a
    /// login, trusts its reader from now on. Returns the lock end, and
    /// changes nothing, when other attempts locked the lane meanwhile;
    /// `own_lock` is the lock this attempt's own reservation set, which it lifts.
    pub async fn attempt_succeeded(
        &self,
        id: &str,
        lane: Lane,
        now: OffsetDateTime,
        own_lock: Option<OffsetDateTime>,
        trust_reader: Option<&str>,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let id = id.to_string();
        let trust_reader = trust_reader.map(str::to_string);
        let (failed_col, locked_col) = lane_columns(lane);
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    let locked = locked_lane(tx, &id, locked_col).await?;
                    let own = own_lock.map(format_time);
                    if let Some(until) =
                        opt_time_col(locked_col, locked.clone())?.filter(|until| *until > now)
                    {
                        if locked != own {
                            return Ok(Some(until));
                        }
                    }
                    tx.execute(
                        &format!(
                            "UPDATE users SET {failed_col} = 0, {locked_col} = NULL WHERE id = ?1"
                        ),
                        args![&id],
                    )
                    .await?;
                    if let Some(reader) = trust_reader {
                        tx.execute(
                            "UPDATE users SET trusted_reader = ?2 WHERE id = ?1",
                            args![&id, reader],
                        )
                        .await?;
                    }
                    Ok(None)
                })
            })
            .await
    }

    /// Replaces the user's password or activation-code hash `old` by `new`
    /// (the same secret under the pepper); no effect when `old` changed meanwhile.
    pub async fn replace_secret_hash(
        &self,
        id: &str,
        old: &str,
        new: &str,
    ) -> Result<(), StoreError> {
        let (id, old, new) = (id.to_string(), old.to_string(), new.to_string());
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "UPDATE users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2",
                        args![&id, &old, &new],
                    )
                    .await?;
                    tx.execute(
                        "UPDATE users SET activation_code_hash = ?3 WHERE id = ?1 AND activation_code_hash = ?2",
                        args![&id, &old, &new],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    /// Uses the activation code whose hash is `code_hash`; false when it was used meanwhile.
    pub async fn consume_activation_code(
        &self,
        id: &str,
        code_hash: &str,
    ) -> Result<bool, StoreError> {
        let (id, code_hash) = (id.to_string(), code_hash.to_string());
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    let changed = tx
                        .execute(
                            "UPDATE users SET activation_code_hash = NULL, activated = TRUE WHERE id = ?1 AND activation_code_hash = ?2",
                            args![id, code_hash],
                        )
                        .await?;
                    Ok(changed == 1)
                })
            })
            .await
    }

    /// Sets the user's own password, makes the account active and ends every
    /// other session of the user (one opened with the old password must not outlive it).
    pub async fn set_password(
        &self,
        id: &str,
        password_hash: &str,
        keep_session: &str,
    ) -> Result<(), StoreError> {
        let (id, password_hash, keep_session) = (
            id.to_string(),
            password_hash.to_string(),
            keep_session.to_string(),
        );
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&user_lock(&id)).await?;
                    tx.execute(
                        "UPDATE users SET password_hash = ?2, password_is_default = FALSE, \
                         status = CASE WHEN status = 'disabled' THEN status ELSE 'active' END WHERE id = ?1",
                        args![&id, password_hash],
                    )
                    .await?;
                    tx.execute(
                        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash != ?2",
                        args![&id, keep_session],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }
}
