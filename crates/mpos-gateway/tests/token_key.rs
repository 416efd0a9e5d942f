//! The card-token HMAC key never lives in the database: with a copy of
//! `gateway.db` and that key, PANs could be recovered by trying every
//! number that shares a token's BIN and last 4 digits.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::CardId;
use std::path::Path;

fn key_file(dir: &Path) -> std::path::PathBuf {
    dir.join("hsm").join("card-token.key")
}

/// Every file of the database (main file, WAL, shared memory).
fn database_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .starts_with("gateway.db")
        })
        .map(|entry| {
            (
                entry.file_name().to_string_lossy().into_owned(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

fn assert_not_in_database(dir: &Path, key_hex: &str) {
    let raw = hex::decode(key_hex).unwrap();
    let needles = [
        key_hex.to_ascii_lowercase().into_bytes(),
        key_hex.to_ascii_uppercase().into_bytes(),
        raw,
    ];
    let files = database_bytes(dir);
    assert!(files.iter().any(|(name, _)| name == "gateway.db"));
    for (name, bytes) in files {
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "the token key is in {name}"
            );
        }
    }
}

#[tokio::test]
async fn the_token_key_is_kept_in_its_own_owner_only_file() {
    let gw = TestGateway::start_with(sqlite_test_config()).await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::new();
    gw.approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    let path = key_file(gw.dir.path());
    let key = std::fs::read_to_string(&path).unwrap();
    assert_eq!(hex::decode(key.trim()).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_not_in_database(gw.dir.path(), key.trim());
    let dir = gw.stop().await;
    assert_not_in_database(dir.path(), key.trim());
    // A restart keeps the same key, so card tokens stay comparable.
    let gw = TestGateway::start_in(dir, sqlite_test_config()).await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), key);
    gw.stop().await;
}

#[tokio::test]
async fn a_key_an_older_version_stored_in_the_database_moves_to_the_file() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let db = dir.path().join("gateway.db");
    drop(mpos_gateway::store::Store::open_sqlite(&db).unwrap());
    let legacy = "5a".repeat(32);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "INSERT INTO secrets (name, value) VALUES ('card_token_key', ?1)",
            [&legacy],
        )
        .unwrap();
    let gw = TestGateway::start_in(dir, sqlite_test_config()).await;
    assert_eq!(
        std::fs::read_to_string(key_file(gw.dir.path())).unwrap(),
        legacy
    );
    assert_not_in_database(gw.dir.path(), &legacy);
    let dir = gw.stop().await;
    assert_not_in_database(dir.path(), &legacy);
}
