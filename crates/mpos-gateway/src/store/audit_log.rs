//! The audit log repository: every administrative action, appended and
//! never changed (the schema's triggers refuse updates and deletions).

use super::rows::time_col;
use super::sql::{args, Row};
use super::{Store, StoreError};
use crate::clock::format_time;
use time::OffsetDateTime;

/// One administrative action: who, what, on what, when, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Order of recording (filled in by the store).
    pub seq: i64,
    /// When.
    pub at: OffsetDateTime,
    /// Which administrator.
    pub admin_id: String,
    /// Their sign-in name at the time.
    pub admin_username: String,
    /// What they did (`portal::audit::Action` names).
    pub action: String,
    /// On what (a user, token or transaction id; may be empty).
    pub target: String,
    /// Facts of the action, never secrets (e.g. the new limits).
    pub detail: String,
    /// The client address the request came from.
    pub client: String,
}

/// The audit log (see [`Store::audit_log`]).
pub struct AuditLog<'s> {
    pub(super) store: &'s Store,
}

fn entry(row: &Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: row.int("seq")?,
        at: time_col("at", &row.text("at")?)?,
        admin_id: row.text("admin_id")?,
        admin_username: row.text("admin_username")?,
        action: row.text("action")?,
        target: row.text("target")?,
        detail: row.text("detail")?,
        client: row.text("client")?,
    })
}

impl AuditLog<'_> {
    /// Appends an entry (its `seq` is ignored).
    pub async fn append(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let e = entry.clone();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    tx.execute(
                        "INSERT INTO audit_log (at, admin_id, admin_username, action, target, detail, client) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        args![
                            format_time(e.at),
                            e.admin_id,
                            e.admin_username,
                            e.action,
                            e.target,
                            e.detail,
                            e.client
                        ],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    /// Entries newest first: `limit` of them after skipping `offset`.
    pub async fn page(&self, offset: u64, limit: u64) -> Result<Vec<AuditEntry>, StoreError> {
        let (offset, limit) = (offset as i64, limit as i64);
        self.store
            .read(move |tx| {
                Box::pin(async move {
                    tx.query(
                        "SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?1 OFFSET ?2",
                        args![limit, offset],
                    )
                    .await?
                    .iter()
                    .map(entry)
                    .collect()
                })
            })
            .await
    }
}
