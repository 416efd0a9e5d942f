//! The journal survives a crash, resumes the right way, and never stores a card number.

use super::*;
use crate::model::in_flight::{resume_decision, ResumeDecision};
use mpos_wire::api::{ReversalReason, TxnKind};
use mpos_wire::{luhn_valid, Brand, MaskedPan, Money};

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

/// Drops the journal without any goodbye, as a killed process would.
fn crash(journal: Journal) {
    std::mem::forget(journal);
}

#[test]
fn authorizing_left_by_a_crash_resumes_as_a_reversal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.json");
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
    let path = dir.path().join("journal.json");
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
    let path = dir.path().join("journal.json");
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
    let path = dir.path().join("journal.json");
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
    let journal = Journal::open(&dir.path().join("journal.json")).unwrap();
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
    let path = dir.path().join("journal.json");
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
fn a_write_cut_short_by_a_crash_leaves_the_last_journal_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.json");
    let journal = Journal::open(&path).unwrap();
    let written = record("k1", TEST_PANS[0], JournalState::Authorizing);
    journal
        .apply(&JournalUpdate::Begin(written.clone()))
        .unwrap();
    crash(journal);
    // The next write died after starting its temporary file, before the rename.
    std::fs::write(
        dir.path().join("journal.tmp"),
        b"{\"format\":1,\"rows\":[{\"kin",
    )
    .unwrap();
    let reopened = Journal::open(&path).unwrap();
    assert_eq!(reopened.in_flight().unwrap(), Some(written));
    assert!(
        !dir.path().join("journal.tmp").exists(),
        "the stray part is gone"
    );
}

#[test]
fn a_journal_that_cannot_be_read_is_an_error_not_an_empty_journal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.json");
    std::fs::write(&path, b"{\"format\":1,\"rows\":[{\"kind\":\"sale\"").unwrap();
    assert!(matches!(
        Journal::open(&path),
        Err(JournalError::Corrupt(_))
    ));
    // A later layout is not misread either.
    std::fs::write(&path, b"{\"format\":2,\"rows\":[]}").unwrap();
    assert!(matches!(
        Journal::open(&path),
        Err(JournalError::Corrupt(_))
    ));
    // Nor a card number in clear where a masked one belongs.
    let clear = serde_json::to_string(&Contents {
        format: FORMAT,
        rows: vec![record("k1", TEST_PANS[0], JournalState::Done)],
    })
    .unwrap()
    .replace("411111******1111", "4111111111111111");
    std::fs::write(&path, clear).unwrap();
    assert!(matches!(
        Journal::open(&path),
        Err(JournalError::Corrupt(_))
    ));
}

#[test]
fn a_folder_that_cannot_be_written_fails_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder").join("journal.json");
    assert!(matches!(
        Journal::open(&missing),
        Err(JournalError::Storage(_))
    ));
}

#[test]
fn unknown_key_and_duplicate_begin_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&dir.path().join("journal.json")).unwrap();
    assert!(matches!(
        journal.apply(&set("nope", JournalState::Done)),
        Err(JournalError::UnknownKey)
    ));
    let begin = JournalUpdate::Begin(record("k1", TEST_PANS[0], JournalState::Authorizing));
    journal.apply(&begin).unwrap();
    assert!(matches!(
        journal.apply(&begin),
        Err(JournalError::DuplicateKey)
    ));
    // A refused change leaves the journal as it was.
    assert_eq!(journal.in_flight().unwrap().unwrap().idempotency_key, "k1");
}

#[test]
fn finished_rows_are_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.json");
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
    // The newest unfinished row and the newest finished ones stay.
    journal
        .apply(&JournalUpdate::Begin(record(
            "open",
            TEST_PANS[1],
            JournalState::Authorizing,
        )))
        .unwrap();
    drop(journal);
    let contents: Contents = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(contents.rows.len(), DONE_ROWS_KEPT + 1);
    assert_eq!(
        contents.rows[0].idempotency_key, "k10",
        "the oldest went first"
    );
    let reopened = Journal::open(&path).unwrap();
    assert_eq!(
        reopened.in_flight().unwrap().unwrap().idempotency_key,
        "open"
    );
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
    let path = dir.path().join("journal.json");
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

    // The journal as it is on disk.
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("411111******1111"),
        "the masked PAN is stored"
    );
    assert_eq!(luhn_valid_runs(&text), Vec::<String>::new());

    // And every file in the folder.
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
