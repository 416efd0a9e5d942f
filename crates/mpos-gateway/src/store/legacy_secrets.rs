//! Secrets an older SQLite gateway kept in its database, read once to move
//! them into files and then erased. Keys never live in the database, so a
//! PostgreSQL database has none.

use super::sqlite::SqliteDb;
use super::{Backend, Store, StoreError};
use rusqlite::OptionalExtension;

/// Legacy secrets (see [`Store::legacy_secrets`]).
pub struct LegacySecrets<'s> {
    pub(super) store: &'s Store,
}

impl LegacySecrets<'_> {
    fn sqlite(&self) -> Option<&SqliteDb> {
        match &self.store.backend {
            Backend::Sqlite(db) => Some(db),
            Backend::Postgres(_) => None,
        }
    }

    /// The secret an older version stored under `name`, if any.
    pub async fn get(&self, name: &str) -> Result<Option<String>, StoreError> {
        let Some(db) = self.sqlite() else {
            return Ok(None);
        };
        let name = name.to_string();
        db.with_connection(move |conn| {
            conn.query_row("SELECT value FROM secrets WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| StoreError::Database(e.to_string()))
        })
        .await
    }

    /// Erases a legacy secret, overwriting its bytes in the database file.
    pub async fn delete(&self, name: &str) -> Result<(), StoreError> {
        let Some(db) = self.sqlite() else {
            return Ok(());
        };
        let name = name.to_string();
        db.with_connection(move |conn| {
            // Overwrite the freed bytes, then fold the WAL into the file and
            // empty it, so no copy of the secret stays in either file.
            let erase = || -> rusqlite::Result<()> {
                conn.pragma_update(None, "secure_delete", "ON")?;
                conn.execute("DELETE FROM secrets WHERE name = ?1", [&name])?;
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
                Ok(())
            };
            erase().map_err(|e| StoreError::Database(e.to_string()))
        })
        .await
    }
}
