//! The journal survives a crash, resumes the right way, and never stores a card number.

use super::*;
use crate::model::in_flight::{resume_decision, ResumeDecision};
use mpos_wire::luhn_valid;

const TEST_PANS: [&str; 3] = ["4111111111111111", "5555555555554444", "3566002020360505"];

fn record(key: &str, pan: &str, state: JournalState) -> InFlightRecord {
    InFlightRecord {
        kind: TxnKind::Sale,
        idempotency_key: key.into(),
        username: "amy".into(),
        amount: Money::twd_minor(123_400),
        brand: Brand::from_pan(pan).unwrap(),
        masked_pan: MaskedPan::from_pan(pan).unwrap(),
        state,
    }
}

fn set(key: &str, state: JournalState) -> JournalUpdate {
    JournalUpdate::SetState {
        idempotency_key: key.into(),
        state,
    }
}

/// Leaves the connection open, as a killed process would.
fn crash(journal: Journal) {
    std::mem::forget(journal);
}

#[test]
fn authorizing_left_by_a_crash_resumes_as_a_reversal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let journal = Journal::open(&path).unwrap();
    let written = record("k1", TEST_PANS[0], JournalState::Authorizing);
    journal
        .apply(&JournalUpdate::Begin(written.clone()))
        .unwrap();
    crash(journal);

    let reopened = Journal::open(&path).unwrap();
    let found = reopened.in_flight().unwrap();
    assert_eq!(found.as_ref(), Some(&written));
    assert_eq!(
        resume_decision(found),
        ResumeDecision::SendReversal {
            record: written,
            reason: ReversalReason::Interrupted,
        }
    );
}

#[test]
fn pending_reversal_keeps_its_reason_across_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let journal = Journal::open(&path).unwrap();
    journal
        .apply(&JournalUpdate::Begin(record(
            "k1",
            TEST_PANS[0],
            JournalState::Authorizing,
        )))
        .unwrap();
    let pending = JournalState::ReversalPending {
        reason: ReversalReason::MalformedResponse,
    };
    journal.apply(&set("k1", pending)).unwrap();
    crash(journal);

    let decision = resume_decision(Journal::open(&path).unwrap().in_flight().unwrap());
    assert!(matches!(
        decision,
        ResumeDecision::SendReversal {
            reason: ReversalReason::MalformedResponse,
            ..
        }
    ));
}

#[test]
fn awaiting_signature_resumes_at_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let journal = Journal::open(&path).unwrap();
    journal
        .apply(&JournalUpdate::Begin(record(
            "k1",
            TEST_PANS[1],
            JournalState::Authorizing,
        )))
        .unwrap();
    journal
        .apply(&set(
            "k1",
            JournalState::AwaitingSignature {
                transaction_id: "t42".into(),
            },
        ))
        .unwrap();
    crash(journal);

    match resume_decision(Journal::open(&path).unwrap().in_flight().unwrap()) {
        ResumeDecision::ResumeSignature {
            transaction_id,
            record,
        } => {
            assert_eq!(transaction_id, "t42");
            assert_eq!(record.masked_pan.as_str(), "555555******4444");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn finished_transactions_need_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let journal = Journal::open(&path).unwrap();
    assert_eq!(journal.in_flight().unwrap(), None);
    journal
        .apply(&JournalUpdate::Begin(record(
            "k1",
            TEST_PANS[0],
            JournalState::Authorizing,
        )))
        .unwrap();
    journal.apply(&set("k1", JournalState::Done)).unwrap();
    crash(journal);
    assert_eq!(
        resume_decision(Journal::open(&path).unwrap().in_flight().unwrap()),
        ResumeDecision::Nothing
    );
}

#[test]
fn the_newest_unfinished_transaction_wins() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    journal
        .apply(&JournalUpdate::Begin(record(
            "k1",
            TEST_PANS[0],
            JournalState::Authorizing,
        )))
        .unwrap();
    journal
        .apply(&JournalUpdate::Begin(record(
            "k2",
            TEST_PANS[1],
            JournalState::Authorizing,
        )))
        .unwrap();
    assert_eq!(journal.in_flight().unwrap().unwrap().idempotency_key, "k2");
    journal.apply(&set("k2", JournalState::Done)).unwrap();
    assert_eq!(journal.in_flight().unwrap().unwrap().idempotency_key, "k1");
}

#[test]
fn the_user_who_paid_is_kept_across_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let journal = Journal::open(&path).unwrap();
    let mut written = record("k1", TEST_PANS[0], JournalState::Authorizing);
    written.username = "bob".into();
    journal
        .apply(&JournalUpdate::Begin(written.clone()))
        .unwrap();
    journal
        .apply(&set(
            "k1",
            JournalState::AwaitingSignature {
                transaction_id: "t1".into(),
            },
        ))
        .unwrap();
    crash(journal);
    let found = Journal::open(&path).unwrap().in_flight().unwrap().unwrap();
    assert_eq!(found.username, "bob");
}

#[test]
fn a_journal_of_the_first_version_gains_the_user_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    // The file as the first version left it: no username column, version 0.
    let old = rusqlite::Connection::open(&path).unwrap();
    old.execute_batch(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE in_flight (
             seq             INTEGER PRIMARY KEY AUTOINCREMENT,
             idempotency_key TEXT NOT NULL UNIQUE,
             kind            TEXT NOT NULL,
             amount_minor    INTEGER NOT NULL,
             currency        TEXT NOT NULL,
             brand           TEXT NOT NULL,
             masked_pan      TEXT NOT NULL,
             state           TEXT NOT NULL,
             reversal_reason TEXT,
             transaction_id  TEXT
         );
         INSERT INTO in_flight (idempotency_key, kind, amount_minor, currency, brand,
                                masked_pan, state, reversal_reason, transaction_id)
         VALUES ('old-key', 'sale', 50000, 'TWD', 'visa', '411111******1111',
                 'awaiting_signature', NULL, 't7');",
    )
    .unwrap();
    drop(old);

    let journal = Journal::open(&path).unwrap();
    let found = journal.in_flight().unwrap().unwrap();
    assert_eq!(found.idempotency_key, "old-key");
    assert_eq!(found.username, "");
    assert_eq!(
        found.state,
        JournalState::AwaitingSignature {
            transaction_id: "t7".into()
        }
    );
    // New rows carry their user, and opening again migrates nothing twice.
    let mut newer = record("k2", TEST_PANS[1], JournalState::Authorizing);
    newer.username = "bob".into();
    journal.apply(&JournalUpdate::Begin(newer)).unwrap();
    drop(journal);
    let reopened = Journal::open(&path).unwrap();
    assert_eq!(reopened.in_flight().unwrap().unwrap().username, "bob");
}

#[test]
fn unknown_key_and_duplicate_begin_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("journal.db")).unwrap();
    assert!(matches!(
        journal.apply(&set("nope", JournalState::Done)),
        Err(JournalError::UnknownKey)
    ));
    let begin = JournalUpdate::Begin(record("k1", TEST_PANS[0], JournalState::Authorizing));
    journal.apply(&begin).unwrap();
    assert!(matches!(
        journal.apply(&begin),
        Err(JournalError::Storage(_))
    ));
}

#[test]
fn finished_rows_are_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let journal = Journal::open(&path).unwrap();
    for i in 0..(DONE_ROWS_KEPT + 10) {
        let key = format!("k{i}");
        journal
            .apply(&JournalUpdate::Begin(record(
                &key,
                TEST_PANS[0],
                JournalState::Authorizing,
            )))
            .unwrap();
        journal.apply(&set(&key, JournalState::Done)).unwrap();
    }
    drop(journal);
    let connection = Connection::open(&path).unwrap();
    let rows: i64 = connection
        .query_row("SELECT COUNT(*) FROM in_flight", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, DONE_ROWS_KEPT);
}

#[test]
fn file_is_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let _journal = Journal::open(&path).unwrap();
    let connection = Connection::open(&path).unwrap();
    let mode: String = connection
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

/// Every run of 13 to 19 digits in the text, found in any window.
fn luhn_valid_runs(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for run in text.split(|c: char| !c.is_ascii_digit()) {
        for len in 13..=19.min(run.len()) {
            for start in 0..=(run.len() - len) {
                let candidate = &run[start..start + len];
                if luhn_valid(candidate) {
                    found.push(candidate.to_string());
                }
            }
        }
    }
    found
}

#[test]
fn luhn_scan_finds_a_card_number() {
    // The scanner itself must be able to fail.
    assert_eq!(
        luhn_valid_runs("x4111111111111111y"),
        vec!["4111111111111111"]
    );
    assert!(luhn_valid_runs("411111******1111").is_empty());
}

#[test]
fn rows_and_files_never_hold_a_card_number() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.db");
    let journal = Journal::open(&path).unwrap();
    for (i, pan) in TEST_PANS.iter().enumerate() {
        let key = format!("key-{i}-of-test");
        journal
            .apply(&JournalUpdate::Begin(record(
                &key,
                pan,
                JournalState::Authorizing,
            )))
            .unwrap();
        journal
            .apply(&set(
                &key,
                JournalState::ReversalPending {
                    reason: ReversalReason::Timeout,
                },
            ))
            .unwrap();
    }

    // Every column of every row, as text.
    let connection = Connection::open(&path).unwrap();
    let mut statement = connection.prepare("SELECT * FROM in_flight").unwrap();
    let columns = statement.column_count();
    let mut rows = statement.query([]).unwrap();
    let mut text = String::new();
    while let Some(row) = rows.next().unwrap() {
        for column in 0..columns {
            let value: rusqlite::types::Value = row.get(column).unwrap();
            text.push_str(&format!("{value:?}|"));
        }
    }
    assert!(
        text.contains("411111******1111"),
        "the masked PAN is stored"
    );
    assert_eq!(luhn_valid_runs(&text), Vec::<String>::new());

    // And the bytes on disk, WAL included.
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap();
        let printable: String = bytes
            .iter()
            .map(|&b| if b.is_ascii_digit() { b as char } else { ' ' })
            .collect();
        for pan in TEST_PANS {
            assert!(!printable.contains(pan));
        }
        assert_eq!(luhn_valid_runs(&printable), Vec::<String>::new());
    }
}
