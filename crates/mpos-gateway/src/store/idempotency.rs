//! The idempotency repository: who holds each `Idempotency-Key` of a
//! merchant, and the final answer stored for it. Keys are scoped to the
//! merchant and owned by their first sender.

use super::sql::{args, Tx};
use super::{Claim, Store, StoreError};
use crate::clock::format_time;
use time::OffsetDateTime;

/// Idempotency keys (see [`Store::idempotency`]).
pub struct Idempotency<'s> {
    pub(super) store: &'s Store,
}

/// The lock every claim or reversal of one key at one merchant takes.
pub(super) fn key_lock(merchant_id: &str, key: &str) -> String {
    format!("key:{merchant_id}:{key}")
}

/// Whether a user other than `user_id` holds `key` at the merchant. Rows
/// from before SQLite schema version 2 have merchant '' and belong to the
/// gateway's one merchant.
pub(super) async fn held_by_another(
    tx: &mut dyn Tx,
    merchant_id: &str,
    user_id: &str,
    key: &str,
) -> Result<bool, StoreError> {
    tx.query_one(
        "SELECT EXISTS(SELECT 1 FROM idempotency WHERE key = ?2 AND merchant_id IN (?1, '') AND user_id != ?3)",
        args![merchant_id, key, user_id],
    )
    .await?
    .first_bool()
}

/// Whether `user_id` reversed `key` (or left a tombstone for it).
pub(super) async fn key_reversed(
    tx: &mut dyn Tx,
    user_id: &str,
    key: &str,
) -> Result<bool, StoreError> {
    tx.query_one(
        "SELECT EXISTS(SELECT 1 FROM idempotency WHERE user_id = ?1 AND key = ?2 AND state = 'reversed')",
        args![user_id, key],
    )
    .await?
    .first_bool()
}

impl Idempotency<'_> {
    /// Claims `key` at the merchant for `user` with this endpoint and body
    /// hash: a key another user of the merchant holds answers
    /// [`Claim::Conflict`]; one this user reversed, [`Claim::Reversed`].
    pub async fn claim(
        &self,
        merchant_id: &str,
        user_id: &str,
        key: &str,
        endpoint: &str,
        body_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Claim, StoreError> {
        let (merchant_id, user_id, key, endpoint, body_hash) = (
            merchant_id.to_string(),
            user_id.to_string(),
            key.to_string(),
            endpoint.to_string(),
            body_hash.to_string(),
        );
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.lock(&key_lock(&merchant_id, &key)).await?;
                    if held_by_another(tx, &merchant_id, &user_id, &key).await? {
                        return Ok(Claim::Conflict);
                    }
                    let existing = tx
                        .query_opt(
                            "SELECT endpoint, body_hash, state, response_status, response_body \
                             FROM idempotency WHERE user_id = ?1 AND key = ?2",
                            args![&user_id, &key],
                        )
                        .await?;
                    let Some(existing) = existing else {
                        tx.execute(
                            "INSERT INTO idempotency (user_id, key, endpoint, body_hash, state, created_at, merchant_id) \
                             VALUES (?1, ?2, ?3, ?4, 'processing', ?5, ?6)",
                            args![user_id, key, endpoint, body_hash, format_time(now), merchant_id],
                        )
                        .await?;
                        return Ok(Claim::Claimed);
                    };
                    let state = existing.text("state")?;
                    if state == "reversed" {
                        return Ok(Claim::Reversed);
                    }
                    if existing.text("endpoint")? != endpoint || existing.text("body_hash")? != body_hash {
                        return Ok(Claim::Conflict);
                    }
                    let status = existing
                        .opt_int("response_status")?
                        .and_then(|status| u16::try_from(status).ok());
                    match (state.as_str(), status, existing.opt_text("response_body")?) {
                        ("done", Some(status), Some(body)) => Ok(Claim::Replay { status, body }),
                        _ => Ok(Claim::InProgress),
                    }
                })
            })
            .await
    }

    /// Stores the final answer of a claimed key (no effect once reversed).
    pub async fn complete(
        &self,
        user_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        let (user_id, key, body) = (user_id.to_string(), key.to_string(), body.to_string());
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "UPDATE idempotency SET state = 'done', response_status = ?3, response_body = ?4 \
                         WHERE user_id = ?1 AND key = ?2 AND state = 'processing'",
                        args![user_id, key, status, body],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    /// Gives a claimed key up after an internal failure, so the client may retry.
    pub async fn release(&self, user_id: &str, key: &str) -> Result<(), StoreError> {
        let (user_id, key) = (user_id.to_string(), key.to_string());
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "DELETE FROM idempotency WHERE user_id = ?1 AND key = ?2 AND state = 'processing' \
                         AND NOT EXISTS (SELECT 1 FROM transactions WHERE user_id = ?1 AND idempotency_key = ?2)",
                        args![user_id, key],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }
}
