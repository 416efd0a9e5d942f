//! Where the card-token HMAC key lives: never in the database. Whoever holds
//! a copy of `gateway.db` and that key can recover every PAN by trying the
//! few million numbers that share a token's BIN and last 4 digits, so the key
//! comes from the configuration (the HSM/KMS in production) or from its own
//! owner-only file, `DIR/hsm/card-token.key`.

use crate::config::decode_hex;
use crate::ids::random_hex;
use crate::store::{Store, StoreError};
use std::path::{Path, PathBuf};

/// Directory under the data directory that holds key files.
pub const KEY_DIR: &str = "hsm";
/// The key file's name inside [`KEY_DIR`].
pub const KEY_FILE: &str = "card-token.key";
/// Name of the database row where versions before this one kept the key.
pub const LEGACY_SECRET: &str = "card_token_key";

/// Why the card-token key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TokenKeyError {
    /// The key file or its directory could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The key file (or the configured key) does not hold 64 hex digits.
    #[error("key file {0} must hold 64 hex digits; restore it from your backup")]
    Malformed(PathBuf),
    /// The database and the key file hold different keys.
    #[error(
        "the database holds a card-token key different from {0}; keep the one your card tokens were made with and remove the other"
    )]
    Conflict(PathBuf),
    /// The database failed.
    #[error("database: {0}")]
    Store(#[from] StoreError),
}

/// The key file's path under a data directory.
pub fn key_path(data_dir: &Path) -> PathBuf {
    data_dir.join(KEY_DIR).join(KEY_FILE)
}

/// The card-token key: the configured one, else the key file's (created on
/// first start). A key an older version kept in the database is moved to the
/// file and erased from the database first.
pub async fn load(
    configured: Option<&str>,
    data_dir: &Path,
    store: &Store,
) -> Result<[u8; 32], TokenKeyError> {
    let path = key_path(data_dir);
    if let Some(legacy) = store.legacy_secrets().get(LEGACY_SECRET).await? {
        migrate(&path, &legacy)?;
        store.legacy_secrets().delete(LEGACY_SECRET).await?;
        tracing::warn!(event = "token_key_moved", path = %path.display(), "card-token key moved out of the database");
    }
    load_key_file(configured, &path)
}

/// A 32-byte key kept outside the database: the configured one (64 hex
/// digits, from the HSM/KMS in production), else the owner-only key file at
/// `path`, created with a random key on first start.
pub fn load_key_file(configured: Option<&str>, path: &Path) -> Result<[u8; 32], TokenKeyError> {
    if let Some(key) = configured {
        return decode_hex::<32>(key).ok_or_else(|| TokenKeyError::Malformed(path.to_path_buf()));
    }
    match read(path)? {
        Some(key) => Ok(key),
        None => {
            let hex = random_hex(32);
            write_new(path, &hex)?;
            tracing::info!(event = "key_file_created", path = %path.display(), "key file created");
            read(path)?.ok_or_else(|| TokenKeyError::Malformed(path.to_path_buf()))
        }
    }
}

/// Writes the database's key to the file, or checks that the file holds the same key.
fn migrate(path: &Path, legacy: &str) -> Result<(), TokenKeyError> {
    let legacy_key =
        decode_hex::<32>(legacy.trim()).ok_or_else(|| StoreError::Corrupt(LEGACY_SECRET.into()))?;
    match read(path)? {
        // A crash between writing the file and erasing the row leaves both.
        Some(key) if key == legacy_key => Ok(()),
        Some(_) => Err(TokenKeyError::Conflict(path.to_path_buf())),
        None => write_new(path, &hex::encode(legacy_key)),
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TokenKeyError {
    let path = path.to_path_buf();
    move |source| TokenKeyError::Io { path, source }
}

/// The key in the file; `None` when there is no file.
fn read(path: &Path) -> Result<Option<[u8; 32]>, TokenKeyError> {
    match std::fs::read_to_string(path) {
        Ok(text) => decode_hex::<32>(text.trim())
            .map(Some)
            .ok_or_else(|| TokenKeyError::Malformed(path.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

/// Creates the file, owner read/write only from its first byte.
fn write_new(path: &Path, hex: &str) -> Result<(), TokenKeyError> {
    crate::private_files::write_new(path, hex.as_bytes()).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn store(dir: &Path) -> Store {
        Store::open_sqlite(&dir.join("gateway.db")).unwrap()
    }

    fn insert_legacy(dir: &Path, value: &str) {
        let conn = rusqlite::Connection::open(dir.join("gateway.db")).unwrap();
        conn.execute(
            "INSERT INTO secrets (name, value) VALUES (?1, ?2)",
            [LEGACY_SECRET, value],
        )
        .unwrap();
    }

    #[tokio::test]
    async fn created_once_in_an_owner_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let first = load(None, dir.path(), &store).await.unwrap();
        assert_eq!(load(None, dir.path(), &store).await.unwrap(), first);
        let path = key_path(dir.path());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), hex::encode(first));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            store.legacy_secrets().get(LEGACY_SECRET).await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn a_database_key_moves_to_the_file() {
        let dir = tempfile::tempdir().unwrap();
        drop(store(dir.path()));
        let legacy = "ab".repeat(32);
        insert_legacy(dir.path(), &legacy);
        let store = store(dir.path());
        assert_eq!(
            hex::encode(load(None, dir.path(), &store).await.unwrap()),
            legacy
        );
        assert_eq!(
            store.legacy_secrets().get(LEGACY_SECRET).await.unwrap(),
            None
        );
        assert_eq!(
            std::fs::read_to_string(key_path(dir.path())).unwrap(),
            legacy
        );
    }

    #[tokio::test]
    async fn a_different_key_in_file_and_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        load(None, dir.path(), &store).await.unwrap();
        insert_legacy(dir.path(), &"cd".repeat(32));
        assert!(matches!(
            load(None, dir.path(), &store).await,
            Err(TokenKeyError::Conflict(_))
        ));
        assert!(store
            .legacy_secrets()
            .get(LEGACY_SECRET)
            .await
            .unwrap()
            .is_some());
    }

    #[tokio::test]
    async fn a_configured_key_wins() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path());
        let configured = "11".repeat(32);
        assert_eq!(
            load(Some(&configured), dir.path(), &store).await.unwrap(),
            [0x11; 32]
        );
        assert!(!key_path(dir.path()).exists());
    }
}
