//! The administrators repository: the merchant portal's named accounts,
//! their lockout, second factor, portal sessions and API tokens.

use super::rows::{opt_time_col, time_col};
use super::sql::{args, Row, Tx, Value};
use super::{Store, StoreError};
use crate::clock::format_time;
use crate::ids::new_id;
use time::OffsetDateTime;

/// Where a portal session stands in the sign-in sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminStage {
    /// The password was right; the second factor comes next.
    SecondFactor,
    /// The password was right and no second factor is enrolled yet: enrol one.
    Enrol,
    /// Fully signed in.
    SignedIn,
}

impl AdminStage {
    fn as_str(self) -> &'static str {
        match self {
            AdminStage::SecondFactor => "second_factor",
            AdminStage::Enrol => "enrol",
            AdminStage::SignedIn => "signed_in",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "second_factor" => Ok(AdminStage::SecondFactor),
            "enrol" => Ok(AdminStage::Enrol),
            "signed_in" => Ok(AdminStage::SignedIn),
            other => Err(StoreError::Corrupt(format!("admin stage {other}"))),
        }
    }
}

/// A merchant administrator.
#[derive(Clone)]
pub struct AdminRow {
    /// Id.
    pub id: String,
    /// Sign-in name.
    pub username: String,
    /// Person's name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Argon2id hash of the password; `None` for the automation account.
    pub password_hash: Option<String>,
    /// Base32 TOTP secret, once enrolled.
    pub totp_secret: Option<String>,
    /// The last TOTP time step accepted.
    pub totp_last_step: u64,
    /// Keyed digests of the unused recovery codes.
    pub recovery_digests: Vec<String>,
    /// Consecutive wrong passwords or codes since the last success or lock.
    pub failed_logins: u32,
    /// Locked until.
    pub locked_until: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for AdminRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// A portal session (the cookie's token itself is never stored).
#[derive(Debug, Clone)]
pub struct AdminSessionRow {
    /// SHA-256 of the cookie's token, hex.
    pub token_hash: String,
    /// Whose.
    pub admin_id: String,
    /// Where in the sign-in sequence.
    pub stage: AdminStage,
    /// The token every form of this session carries.
    pub csrf_token: String,
    /// The TOTP secret shown at enrolment, until confirmed.
    pub pending_secret: Option<String>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last request.
    pub last_seen_at: OffsetDateTime,
    /// Ends at the latest.
    pub expires_at: OffsetDateTime,
}

/// An API token of an administrator (its digest only).
#[derive(Debug, Clone)]
pub struct ApiTokenRow {
    /// Id.
    pub id: String,
    /// Whose.
    pub admin_id: String,
    /// What it is for, as its creator wrote.
    pub label: String,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
}

/// An administrator to create.
#[derive(Debug, Clone)]
pub struct NewAdmin {
    /// Sign-in name.
    pub username: String,
    /// Person's name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Argon2id hash of the password; `None` for an automation account.
    pub password_hash: Option<String>,
    /// Now.
    pub created_at: OffsetDateTime,
}

/// Administrators (see [`Store::admins`]).
pub struct Admins<'s> {
    pub(super) store: &'s Store,
}

fn admin(row: &Row) -> Result<AdminRow, StoreError> {
    let non_negative = |column: &str| -> Result<i64, StoreError> {
        let value = row.int(column)?;
        if value < 0 {
            return Err(StoreError::Corrupt(format!("{column} = {value}")));
        }
        Ok(value)
    };
    Ok(AdminRow {
        id: row.text("id")?,
        username: row.text("username")?,
        name: row.text("name")?,
        email: row.text("email")?,
        password_hash: row.opt_text("password_hash")?,
        totp_secret: row.opt_text("totp_secret")?,
        totp_last_step: non_negative("totp_last_step")? as u64,
        recovery_digests: row
            .text("recovery_digests")?
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        failed_logins: u32::try_from(non_negative("failed_logins")?).unwrap_or(u32::MAX),
        locked_until: opt_time_col("locked_until", row.opt_text("locked_until")?)?,
        created_at: time_col("created_at", &row.text("created_at")?)?,
    })
}

fn session(row: &Row) -> Result<AdminSessionRow, StoreError> {
    Ok(AdminSessionRow {
        token_hash: row.text("token_hash")?,
        admin_id: row.text("admin_id")?,
        stage: AdminStage::parse(&row.text("stage")?)?,
        csrf_token: row.text("csrf_token")?,
        pending_secret: row.opt_text("pending_secret")?,
        created_at: time_col("created_at", &row.text("created_at")?)?,
        last_seen_at: time_col("last_seen_at", &row.text("last_seen_at")?)?,
        expires_at: time_col("expires_at", &row.text("expires_at")?)?,
    })
}

fn api_token(row: &Row) -> Result<ApiTokenRow, StoreError> {
    Ok(ApiTokenRow {
        id: row.text("id")?,
        admin_id: row.text("admin_id")?,
        label: row.text("label")?,
        created_at: time_col("created_at", &row.text("created_at")?)?,
        revoked_at: opt_time_col("revoked_at", row.opt_text("revoked_at")?)?,
    })
}

async fn admin_where(
    tx: &mut dyn Tx,
    clause: &str,
    args: &[super::sql::Value],
) -> Result<Option<AdminRow>, StoreError> {
    tx.query_opt(&format!("SELECT * FROM admins {clause}"), args)
        .await?
        .as_ref()
        .map(admin)
        .transpose()
}

/// The lock every change of one administrator's credentials takes.
fn admin_lock(id: &str) -> String {
    format!("admin:{id}")
}

impl Admins<'_> {
    /// Runs one statement in its own transaction.
    async fn run(&self, sql: &'static str, args: Vec<Value>) -> Result<u64, StoreError> {
        self.store
            .write(move |tx| Box::pin(async move { tx.execute(sql, &args).await }))
            .await
    }

    /// Creates an administrator; `UsernameTaken` when the name is used.
    pub async fn create(&self, new: &NewAdmin) -> Result<AdminRow, StoreError> {
        let new = new.clone();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock("admins").await?;
                    if admin_where(tx, "WHERE username = ?1", args![&new.username])
                        .await?
                        .is_some()
                    {
                        return Err(StoreError::UsernameTaken);
                    }
                    let id = new_id("adm");
                    tx.execute(
                        "INSERT INTO admins (id, username, name, email, password_hash, created_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        args![
                            &id,
                            new.username,
                            new.name,
                            new.email,
                            new.password_hash,
                            format_time(new.created_at)
                        ],
                    )
                    .await?;
                    admin_where(tx, "WHERE id = ?1", args![id])
                        .await?
                        .ok_or_else(|| StoreError::Corrupt("admin vanished".into()))
                })
            })
            .await
    }

    /// An administrator by sign-in name.
    pub async fn by_username(&self, username: &str) -> Result<Option<AdminRow>, StoreError> {
        let username = username.to_string();
        self.store
            .read(move |tx| {
                Box::pin(
                    async move { admin_where(tx, "WHERE username = ?1", args![username]).await },
                )
            })
            .await
    }

    /// An administrator by id.
    pub async fn by_id(&self, id: &str) -> Result<Option<AdminRow>, StoreError> {
        let id = id.to_string();
        self.store
            .read(move |tx| {
                Box::pin(async move { admin_where(tx, "WHERE id = ?1", args![id]).await })
            })
            .await
    }

    /// Counts a wrong password or code; locks the account for `lock_minutes`
    /// at the `max_failures`-th in a row. Returns the lock's end, if it locked.
    pub async fn record_failure(
        &self,
        id: &str,
        now: OffsetDateTime,
        max_failures: u32,
        lock_minutes: u32,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        let id = id.to_string();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&admin_lock(&id)).await?;
                    let failures = tx
                        .query_one("SELECT failed_logins FROM admins WHERE id = ?1", args![&id])
                        .await?
                        .first_int()?
                        + 1;
                    if failures >= i64::from(max_failures) {
                        let until = crate::auth::lockout::lock_end(now, lock_minutes);
                        tx.execute(
                            "UPDATE admins SET failed_logins = 0, locked_until = ?2 WHERE id = ?1",
                            args![&id, format_time(until)],
                        )
                        .await?;
                        Ok(Some(until))
                    } else {
                        tx.execute(
                            "UPDATE admins SET failed_logins = ?2 WHERE id = ?1",
                            args![&id, failures],
                        )
                        .await?;
                        Ok(None)
                    }
                })
            })
            .await
    }

    /// Clears the failure count after a right password or code.
    pub async fn record_success(&self, id: &str) -> Result<(), StoreError> {
        self.run(
            "UPDATE admins SET failed_logins = 0 WHERE id = ?1",
            vec![id.into()],
        )
        .await
        .map(drop)
    }

    /// Accepts TOTP time step `step` once: false when it (or a later one) was already used.
    pub async fn use_totp_step(&self, id: &str, step: u64) -> Result<bool, StoreError> {
        let id = id.to_string();
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    let changed = tx
                        .execute(
                            "UPDATE admins SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2",
                            args![id, step],
                        )
                        .await?;
                    Ok(changed == 1)
                })
            })
            .await
    }

    /// Uses up one recovery code by its digest: false when it is not (or no longer) valid.
    pub async fn use_recovery_digest(&self, id: &str, digest: &str) -> Result<bool, StoreError> {
        let id = id.to_string();
        let digest = digest.to_string();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&admin_lock(&id)).await?;
                    let Some(row) = admin_where(tx, "WHERE id = ?1", args![&id]).await? else {
                        return Ok(false);
                    };
                    if !row.recovery_digests.contains(&digest) {
                        return Ok(false);
                    }
                    let left: Vec<String> = row
                        .recovery_digests
                        .into_iter()
                        .filter(|d| *d != digest)
                        .collect();
                    tx.execute(
                        "UPDATE admins SET recovery_digests = ?2 WHERE id = ?1",
                        args![id, left.join(" ")],
                    )
                    .await?;
                    Ok(true)
                })
            })
            .await
    }

    /// Stores an enrolled second factor and fresh recovery codes' digests,
    /// and the time step the enrolment's code used.
    pub async fn enrol(
        &self,
        id: &str,
        secret: &str,
        step: u64,
        recovery_digests: &[String],
    ) -> Result<(), StoreError> {
        let id = id.to_string();
        let secret = secret.to_string();
        let digests = recovery_digests.join(" ");
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&admin_lock(&id)).await?;
                    tx.execute(
                        "UPDATE admins SET totp_secret = ?2, totp_last_step = ?3, recovery_digests = ?4 WHERE id = ?1",
                        args![id, secret, step, digests],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    /// Opens a portal session.
    pub async fn insert_session(&self, session: &AdminSessionRow) -> Result<(), StoreError> {
        let s = session.clone();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "INSERT INTO admin_sessions (token_hash, admin_id, stage, csrf_token, pending_secret, \
                         created_at, last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        args![
                            s.token_hash,
                            s.admin_id,
                            s.stage.as_str(),
                            s.csrf_token,
                            s.pending_secret,
                            format_time(s.created_at),
                            format_time(s.last_seen_at),
                            format_time(s.expires_at)
                        ],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    /// A portal session by its token's hash.
    pub async fn session(&self, token_hash: &str) -> Result<Option<AdminSessionRow>, StoreError> {
        let token_hash = token_hash.to_string();
        self.store
            .read(move |tx| {
                Box::pin(async move {
                    tx.query_opt(
                        "SELECT * FROM admin_sessions WHERE token_hash = ?1",
                        args![token_hash],
                    )
                    .await?
                    .as_ref()
                    .map(session)
                    .transpose()
                })
            })
            .await
    }

    /// Records a request in the session (its idle timer restarts).
    pub async fn touch_session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE admin_sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
            vec![token_hash.into(), format_time(now).into()],
        )
        .await
        .map(drop)
    }

    /// Moves a session to `stage` and sets (or clears) its pending enrolment secret.
    pub async fn set_session_stage(
        &self,
        token_hash: &str,
        stage: AdminStage,
        pending_secret: Option<String>,
    ) -> Result<(), StoreError> {
        self.run(
            "UPDATE admin_sessions SET stage = ?2, pending_secret = ?3 WHERE token_hash = ?1",
            vec![
                token_hash.into(),
                stage.as_str().into(),
                pending_secret.into(),
            ],
        )
        .await
        .map(drop)
    }

    /// Ends a session: its cookie opens nothing any more.
    pub async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.run(
            "DELETE FROM admin_sessions WHERE token_hash = ?1",
            vec![token_hash.into()],
        )
        .await
        .map(drop)
    }

    /// Stores an API token's digest for an administrator.
    pub async fn create_api_token(
        &self,
        admin_id: &str,
        token_hash: &str,
        label: &str,
        now: OffsetDateTime,
    ) -> Result<ApiTokenRow, StoreError> {
        let (admin_id, token_hash, label) = (
            admin_id.to_string(),
            token_hash.to_string(),
            label.to_string(),
        );
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    let id = new_id("tok");
                    tx.execute(
                        "INSERT INTO admin_api_tokens (id, admin_id, token_hash, label, created_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        args![&id, &admin_id, token_hash, &label, format_time(now)],
                    )
                    .await?;
                    Ok(ApiTokenRow {
                        id,
                        admin_id,
                        label,
                        created_at: now,
                        revoked_at: None,
                    })
                })
            })
            .await
    }

    /// The administrator an unrevoked API token belongs to.
    pub async fn by_api_token(&self, token_hash: &str) -> Result<Option<AdminRow>, StoreError> {
        let token_hash = token_hash.to_string();
        self.store
            .read(move |tx| {
                Box::pin(async move {
                    admin_where(
                        tx,
                        "WHERE id = (SELECT admin_id FROM admin_api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL)",
                        args![token_hash],
                    )
                    .await
                })
            })
            .await
    }

    /// Whether a token with this digest was ever stored (revoked or not).
    pub async fn api_token_known(&self, token_hash: &str) -> Result<bool, StoreError> {
        let token_hash = token_hash.to_string();
        self.store
            .read(move |tx| {
                Box::pin(async move {
                    tx.query_one(
                        "SELECT EXISTS(SELECT 1 FROM admin_api_tokens WHERE token_hash = ?1)",
                        args![token_hash],
                    )
                    .await?
                    .first_bool()
                })
            })
            .await
    }

    /// Every API token, newest first.
    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenRow>, StoreError> {
        self.store
            .read(move |tx| {
                Box::pin(async move {
                    tx.query(
                        "SELECT * FROM admin_api_tokens ORDER BY created_at DESC, id",
                        &[],
                    )
                    .await?
                    .iter()
                    .map(api_token)
                    .collect()
                })
            })
            .await
    }

    /// Revokes an API token; `None` when there is none by that id or it was already revoked.
    pub async fn revoke_api_token(
        &self,
        id: &str,
        now: OffsetDateTime,
    ) -> Result<Option<ApiTokenRow>, StoreError> {
        let id = id.to_string();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    let changed = tx
                        .execute(
                            "UPDATE admin_api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                            args![&id, format_time(now)],
                        )
                        .await?;
                    if changed == 0 {
                        return Ok(None);
                    }
                    tx.query_opt("SELECT * FROM admin_api_tokens WHERE id = ?1", args![id])
                        .await?
                        .as_ref()
                        .map(api_token)
                        .transpose()
                })
            })
            .await
    }

    /// Every administrator, by name.
    pub async fn list(&self) -> Result<Vec<AdminRow>, StoreError> {
        self.store
            .read(move |tx| {
                Box::pin(async move {
                    tx.query("SELECT * FROM admins ORDER BY username", &[])
                        .await?
                        .iter()
                        .map(admin)
                        .collect()
                })
            })
            .await
    }
}
