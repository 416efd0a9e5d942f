//! Store tests against a real SQLite file: atomic admission, idempotency
//! claims, reversals, and batches that never share a capture.

use super::*;
use crate::store::SqliteStore;
use mpos_wire::api::{Limits, TxnKind};
use std::sync::Arc;
use time::macros::{date, datetime};

fn store() -> (tempfile::TempDir, Arc<SqliteStore>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(&dir.path().join("gateway.db")).unwrap());
    (dir, store)
}

fn user(store: &SqliteStore, name: &str) -> UserRow {
    store
        .create_user(&NewUser {
            username: name.into(),
            name: name.into(),
            phone: "0912345678".into(),
            email: "a@example.com".into(),
            limits: Limits {
                per_transaction: Money::twd_minor(1_000),
                per_day: Money::twd_minor(1_000),
                refund_per_transaction: None,
            },
            credentials: NewCredentials {
                password_hash: "h".into(),
                activation_code_hash: "c".into(),
                activation_expires_at: datetime!(2030-01-01 00:15 UTC),
            },
            created_at: datetime!(2030-01-01 00:00 UTC),
        })
        .unwrap()
}

fn new_txn(user: &UserRow, key: &str, minor: u64, business_date: Date) -> NewTxn {
    NewTxn {
        id: crate::ids::new_id("txn"),
        user_id: user.id.clone(),
        merchant_id: "m".into(),
        terminal_id: user.terminal_id.clone(),
        kind: TxnKind::Sale,
        amount: Money::twd_minor(minor),
        brand: Brand::Visa,
        masked_pan: MaskedPan::from_pan("4111111111111111").unwrap(),
        card_token: "tok".into(),
        entry_mode: EntryMode::Chip,
        created_at: datetime!(2030-01-01 02:00 UTC),
        business_date,
        original_id: None,
        idempotency_key: key.into(),
        receipt_token: crate::ids::random_hex(16),
    }
}

fn approve(store: &SqliteStore, id: &str, code: &str, business_date: Date) -> TxnRow {
    store
        .complete_authorization(
            id,
            &IssuerOutcome {
                response_code: "00".into(),
                response_text: "Approved".into(),
                auth_code: Some(code.into()),
                answered_at: datetime!(2030-01-01 02:00 UTC),
                business_date,
            },
        )
        .unwrap()
}

#[test]
fn migrates_to_the_latest_version_once() {
    let (dir, store) = store();
    assert_eq!(store.schema_version().unwrap(), 1);
    drop(store);
    let again = SqliteStore::open(&dir.path().join("gateway.db")).unwrap();
    assert_eq!(again.schema_version().unwrap(), 1);
}

#[test]
fn parallel_admissions_never_exceed_the_daily_limit() {
    let (_dir, store) = store();
    let user = user(&store, "amy");
    let threads: Vec<_> = (0..10)
        .map(|i| {
            let (store, user) = (store.clone(), user.clone());
            std::thread::spawn(move || {
                store.insert_pending(
                    &new_txn(&user, &format!("k{i}"), 300, date!(2030 - 01 - 01)),
                    Admission::Sale {
                        per_day: Money::twd_minor(1_000),
                    },
                )
            })
        })
        .collect();
    let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let admitted = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(admitted, 3);
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| matches!(e, StoreError::Refused(ErrorCode::LimitPerDayExceeded))));
    let invoices: std::collections::BTreeSet<String> = results
        .iter()
        .flatten()
        .map(|t| t.invoice_no.clone())
        .collect();
    assert_eq!(invoices.len(), 3, "distinct invoice numbers");
}

#[test]
fn idempotency_claims() {
    let (_dir, store) = store();
    let user = user(&store, "bob");
    let now = datetime!(2030-01-01 00:00 UTC);
    assert_eq!(
        store
            .claim_idempotency(&user.id, "k", "sale", "h1", now)
            .unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        store
            .claim_idempotency(&user.id, "k", "sale", "h1", now)
            .unwrap(),
        Claim::InProgress
    );
    assert_eq!(
        store
            .claim_idempotency(&user.id, "k", "sale", "h2", now)
            .unwrap(),
        Claim::Conflict
    );
    store
        .complete_idempotency(&user.id, "k", 200, "{}")
        .unwrap();
    assert_eq!(
        store
            .claim_idempotency(&user.id, "k", "sale", "h1", now)
            .unwrap(),
        Claim::Replay {
            status: 200,
            body: "{}".into()
        }
    );
    // A released claim (internal failure, nothing recorded) can be claimed again.
    store
        .claim_idempotency(&user.id, "r", "sale", "h", now)
        .unwrap();
    store.release_idempotency(&user.id, "r").unwrap();
    assert_eq!(
        store
            .claim_idempotency(&user.id, "r", "sale", "h", now)
            .unwrap(),
        Claim::Claimed
    );
    // A tombstone refuses the late original.
    assert!(matches!(
        store.reverse(&user.id, "late", now).unwrap(),
        ReversalOutcome::Tombstone
    ));
    assert_eq!(
        store
            .claim_idempotency(&user.id, "late", "sale", "h", now)
            .unwrap(),
        Claim::Reversed
    );
}

#[test]
fn pending_marked_for_reversal_never_ends_approved() {
    let (_dir, store) = store();
    let user = user(&store, "cat");
    let now = datetime!(2030-01-01 00:00 UTC);
    store
        .claim_idempotency(&user.id, "k", "sale", "h", now)
        .unwrap();
    let pending = store
        .insert_pending(
            &new_txn(&user, "k", 100, date!(2030 - 01 - 01)),
            Admission::Sale {
                per_day: Money::twd_minor(1_000),
            },
        )
        .unwrap();
    match store.reverse(&user.id, "k", now).unwrap() {
        ReversalOutcome::Transaction(row) => assert!(row.reversal_requested),
        other => panic!("{other:?}"),
    }
    let done = approve(&store, &pending.id, "111111", date!(2030 - 01 - 01));
    assert_eq!(done.status, TxnStatus::Reversed);
}

#[test]
fn every_capture_lands_in_exactly_one_batch() {
    let (_dir, store) = store();
    let amy = user(&store, "amy");
    let bob = user(&store, "bob");
    let per_day = Admission::Sale {
        per_day: Money::twd_minor(1_000_000),
    };
    let d1 = date!(2030 - 01 - 01);
    let d2 = date!(2030 - 01 - 02);
    let mut ids = Vec::new();
    for (i, (u, day)) in [(&amy, d1), (&amy, d2), (&bob, d1), (&bob, d1)]
        .into_iter()
        .enumerate()
    {
        let t = store
            .insert_pending(&new_txn(u, &format!("k{i}"), 100, day), per_day)
            .unwrap();
        approve(&store, &t.id, &format!("00000{i}"), day);
        ids.push(t.id);
    }
    let now = datetime!(2030-01-01 15:00 UTC);
    let batches = store.run_automatic_settlement(d1, now).unwrap().unwrap();
    assert_eq!(batches.len(), 2);
    assert!(
        store.run_automatic_settlement(d1, now).unwrap().is_none(),
        "a date runs once"
    );
    // A manual settle afterwards takes only what is left.
    let manual = store
        .settle_terminal(&amy.terminal_id, "m", d2, now)
        .unwrap()
        .unwrap();
    assert_eq!(manual.captures.len(), 1);
    assert!(store
        .settle_terminal(&amy.terminal_id, "m", d2, now)
        .unwrap()
        .is_none());

    let all = store.list_batches().unwrap();
    let mut seen = std::collections::HashMap::new();
    for batch in &all {
        for capture in &batch.captures {
            assert_eq!(capture.batch_id.as_deref(), Some(batch.id.as_str()));
            *seen.entry(capture.id.clone()).or_insert(0) += 1;
        }
    }
    for id in &ids {
        assert_eq!(seen.get(id), Some(&1), "{id}");
    }
    assert_eq!(store.last_automatic_run().unwrap(), Some(d1));
}

#[test]
fn reader_counters_only_go_up() {
    let (_dir, store) = store();
    let now = datetime!(2030-01-01 00:00 UTC);
    assert!(store.record_reader_counter("R1", 5, now).unwrap());
    assert!(!store.record_reader_counter("R1", 5, now).unwrap());
    assert!(!store.record_reader_counter("R1", 4, now).unwrap());
    assert!(store.record_reader_counter("R1", 6, now).unwrap());
    assert!(store.record_reader_counter("R2", 1, now).unwrap());
}

#[test]
fn lockout_counting() {
    let (_dir, store) = store();
    let user = user(&store, "dan");
    let until = datetime!(2030-01-01 00:30 UTC);
    for _ in 0..4 {
        assert_eq!(store.record_failure(&user.id, 5, until).unwrap(), None);
    }
    assert_eq!(
        store.record_failure(&user.id, 5, until).unwrap(),
        Some(until)
    );
    let row = store.user_by_id(&user.id).unwrap().unwrap();
    assert_eq!((row.failed_logins, row.locked_until), (0, Some(until)));
    store.clear_failures(&user.id).unwrap();
    assert_eq!(
        store.user_by_id(&user.id).unwrap().unwrap().locked_until,
        None
    );
}
