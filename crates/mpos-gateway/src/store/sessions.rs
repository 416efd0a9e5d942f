//! The sessions repository: login sessions, stored by token hash.

use super::rows::{self, text};
use super::sql::args;
use super::{SessionRow, SessionStage, Store, StoreError};
use crate::clock::format_time;
use time::OffsetDateTime;

/// Login sessions (see [`Store::sessions`]).
pub struct Sessions<'s> {
    pub(super) store: &'s Store,
}

impl Sessions<'_> {
    /// Stores a session.
    pub async fn insert(&self, session: &SessionRow) -> Result<(), StoreError> {
        let session = session.clone();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "INSERT INTO sessions (token_hash, user_id, stage, created_at, expires_at, verified_until, last_seen_at) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        args![
                            session.token_hash,
                            session.user_id,
                            text(session.stage),
                            format_time(session.created_at),
                            format_time(session.expires_at),
                            session.verified_until.map(format_time),
                            format_time(session.last_seen_at),
                        ],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    /// A session by token hash.
    pub async fn get(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let token_hash = token_hash.to_string();
        self.store
            .read(move |tx| {
                Box::pin(async move {
                    tx.query_opt(
                        "SELECT token_hash, user_id, stage, created_at, expires_at, verified_until, last_seen_at \
                         FROM sessions WHERE token_hash = ?1",
                        args![token_hash],
                    )
                    .await?
                    .as_ref()
                    .map(rows::session)
                    .transpose()
                })
            })
            .await
    }

    /// Moves a session to another stage.
    pub async fn set_stage(&self, token_hash: &str, stage: SessionStage) -> Result<(), StoreError> {
        self.update(
            "UPDATE sessions SET stage = ?2 WHERE token_hash = ?1",
            token_hash,
            text(stage),
        )
        .await
    }

    /// Records a request's use of the session.
    pub async fn touch(&self, token_hash: &str, now: OffsetDateTime) -> Result<(), StoreError> {
        self.update(
            "UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1",
            token_hash,
            format_time(now),
        )
        .await
    }

    /// Records that the session's user re-entered the password, valid until `until`.
    pub async fn set_verified_until(
        &self,
        token_hash: &str,
        until: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.update(
            "UPDATE sessions SET verified_until = ?2 WHERE token_hash = ?1",
            token_hash,
            format_time(until),
        )
        .await
    }

    /// Ends a session.
    pub async fn delete(&self, token_hash: &str) -> Result<(), StoreError> {
        let token_hash = token_hash.to_string();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "DELETE FROM sessions WHERE token_hash = ?1",
                        args![token_hash],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn update(
        &self,
        sql: &'static str,
        token_hash: &str,
        value: String,
    ) -> Result<(), StoreError> {
        let token_hash = token_hash.to_string();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(sql, args![token_hash, value]).await?;
                    Ok(())
                })
            })
            .await
    }
}
