//! The data directory after a working day: the database and its WAL, the
//! TLS key, the admin token, the card-token key and the outboxes (which
//! hold default passwords and activation codes) are readable by the
//! gateway's user alone.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::CardId;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn walk(dir: &Path, found: &mut Vec<(String, bool, u32)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        let mode = meta.permissions().mode() & 0o777;
        found.push((entry.path().display().to_string(), meta.is_dir(), mode));
        if meta.is_dir() {
            walk(&entry.path(), found);
        }
    }
}

#[tokio::test]
async fn every_file_is_owner_only_and_every_directory_too() {
    let gw = TestGateway::start_with(sqlite_test_config()).await;
    let user = gw.ready_user("fia").await;
    gw.approved_sale(&user, &Reader::new(), CardId::VisaChipApproved, 100_00)
        .await;
    let dir = gw.dir.path().to_path_buf();
    let mut found = Vec::new();
    walk(&dir, &mut found);
    let names: Vec<&str> = found
        .iter()
        .map(|(path, _, _)| path.rsplit('/').next().unwrap())
        .collect();
    for expected in [
        "gateway.db",
        "gateway.db-wal",
        "admin-token",
        "mail.jsonl",
        "sms.jsonl",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let root = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(root, 0o700, "the data directory");
    for (path, is_dir, mode) in &found {
        let wanted = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*mode, wanted, "{path} is {mode:o}");
    }
}
