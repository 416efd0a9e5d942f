//! Store tests against a real SQLite file: atomic admission, idempotency
//! claims, reversals, and batches that never share a capture.

use super::*;
use crate::store::SqliteStore;
use mpos_wire::api::{Limits, TxnKind, UserStatus};
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
    assert_eq!(store.schema_version().unwrap(), 3);
    drop(store);
    let again = SqliteStore::open(&dir.path().join("gateway.db")).unwrap();
    assert_eq!(again.schema_version().unwrap(), 3);
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
            .claim_idempotency("m", &user.id, "k", "sale", "h1", now)
            .unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        store
            .claim_idempotency("m", &user.id, "k", "sale", "h1", now)
            .unwrap(),
        Claim::InProgress
    );
    assert_eq!(
        store
            .claim_idempotency("m", &user.id, "k", "sale", "h2", now)
            .unwrap(),
        Claim::Conflict
    );
    store
        .complete_idempotency(&user.id, "k", 200, "{}")
        .unwrap();
    assert_eq!(
        store
            .claim_idempotency("m", &user.id, "k", "sale", "h1", now)
            .unwrap(),
        Claim::Replay {
            status: 200,
            body: "{}".into()
        }
    );
    // A released claim (internal failure, nothing recorded) can be claimed again.
    store
        .claim_idempotency("m", &user.id, "r", "sale", "h", now)
        .unwrap();
    store.release_idempotency(&user.id, "r").unwrap();
    assert_eq!(
        store
            .claim_idempotency("m", &user.id, "r", "sale", "h", now)
            .unwrap(),
        Claim::Claimed
    );
    // A tombstone refuses the late original.
    assert!(matches!(
        store.reverse("m", &user.id, "late", now, WINDOW).unwrap(),
        ReversalOutcome::Tombstone
    ));
    assert_eq!(
        store
            .claim_idempotency("m", &user.id, "late", "sale", "h", now)
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
        .claim_idempotency("m", &user.id, "k", "sale", "h", now)
        .unwrap();
    let pending = store
        .insert_pending(
            &new_txn(&user, "k", 100, date!(2030 - 01 - 01)),
            Admission::Sale {
                per_day: Money::twd_minor(1_000),
            },
        )
        .unwrap();
    match store.reverse("m", &user.id, "k", now, WINDOW).unwrap() {
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
fn attempts_are_counted_before_they_are_evaluated() {
    let (_dir, store) = store();
    let user = user(&store, "dan");
    let now = datetime!(2030-01-01 00:00 UTC);
    let until = datetime!(2030-01-01 00:30 UTC);
    for _ in 0..4 {
        assert_eq!(
            store
                .reserve_attempt(&user.id, Lane::OwnReader, now, 5, until)
                .unwrap(),
            Attempt::Reserved { locked_until: None }
        );
    }
    assert_eq!(
        store
            .reserve_attempt(&user.id, Lane::OwnReader, now, 5, until)
            .unwrap(),
        Attempt::Reserved {
            locked_until: Some(until)
        }
    );
    let row = store.user_by_id(&user.id).unwrap().unwrap();
    assert_eq!((row.failed_logins, row.locked_until), (0, Some(until)));
    // Locked: nothing more is evaluated, and an earlier attempt that turns out right is refused.
    assert_eq!(
        store
            .reserve_attempt(&user.id, Lane::OwnReader, now, 5, until)
            .unwrap(),
        Attempt::Locked(until)
    );
    assert_eq!(
        store
            .attempt_succeeded(&user.id, Lane::OwnReader, now, None, None)
            .unwrap(),
        Some(until)
    );
    // The attempt that set the lock itself was right: it lifts its own lock.
    assert_eq!(
        store
            .attempt_succeeded(&user.id, Lane::OwnReader, now, Some(until), None)
            .unwrap(),
        None
    );
    let row = store.user_by_id(&user.id).unwrap().unwrap();
    assert_eq!((row.failed_logins, row.locked_until), (0, None));
    // After a lock ends the count starts again.
    let later = datetime!(2030-01-01 01:00 UTC);
    for _ in 0..5 {
        store
            .reserve_attempt(&user.id, Lane::OwnReader, now, 5, until)
            .unwrap();
    }
    assert_eq!(
        store
            .reserve_attempt(&user.id, Lane::OwnReader, later, 5, later)
            .unwrap(),
        Attempt::Reserved { locked_until: None }
    );
    assert_eq!(
        store
            .attempt_succeeded(&user.id, Lane::OwnReader, later, None, None)
            .unwrap(),
        None
    );
}

#[test]
fn parallel_reservations_never_exceed_the_maximum() {
    let (_dir, store) = store();
    let user = user(&store, "eli");
    let now = datetime!(2030-01-01 00:00 UTC);
    let until = datetime!(2030-01-01 00:30 UTC);
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let (store, id) = (store.clone(), user.id.clone());
            std::thread::spawn(move || {
                store
                    .reserve_attempt(&id, Lane::OwnReader, now, 5, until)
                    .unwrap()
            })
        })
        .collect();
    let attempts: Vec<Attempt> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let evaluated = attempts
        .iter()
        .filter(|a| matches!(a, Attempt::Reserved { .. }))
        .count();
    assert_eq!(evaluated, 5);
}

#[test]
fn reset_credentials_keeps_a_disabled_user_disabled() {
    let (_dir, store) = store();
    let fox = user(&store, "fox");
    store.disable_user(&fox.id).unwrap();
    let credentials = NewCredentials {
        password_hash: "h2".into(),
        activation_code_hash: "c2".into(),
        activation_expires_at: datetime!(2030-01-02 00:15 UTC),
    };
    let row = store
        .reset_credentials(&fox.id, &credentials)
        .unwrap()
        .unwrap();
    assert_eq!(row.status, UserStatus::Disabled);
    assert_eq!(row.password_hash, "h2");
    // An enabled user goes back to first login.
    let active = user(&store, "gil");
    let row = store
        .reset_credentials(&active.id, &credentials)
        .unwrap()
        .unwrap();
    assert_eq!(row.status, UserStatus::PendingActivation);
}

#[test]
fn the_two_lockout_lanes_count_and_lock_apart() {
    let (_dir, store) = store();
    let user = user(&store, "lan");
    let now = datetime!(2030-01-01 00:00 UTC);
    let until = datetime!(2030-01-01 00:30 UTC);
    for _ in 0..4 {
        store
            .reserve_attempt(&user.id, Lane::Elsewhere, now, 5, until)
            .unwrap();
    }
    assert_eq!(
        store
            .reserve_attempt(&user.id, Lane::Elsewhere, now, 5, until)
            .unwrap(),
        Attempt::Reserved {
            locked_until: Some(until)
        }
    );
    assert_eq!(
        store
            .reserve_attempt(&user.id, Lane::Elsewhere, now, 5, until)
            .unwrap(),
        Attempt::Locked(until)
    );
    // The own reader's lane is untouched, and a login there trusts its reader.
    assert_eq!(
        store
            .reserve_attempt(&user.id, Lane::OwnReader, now, 5, until)
            .unwrap(),
        Attempt::Reserved { locked_until: None }
    );
    assert_eq!(
        store
            .attempt_succeeded(&user.id, Lane::OwnReader, now, None, Some("R-1"))
            .unwrap(),
        None
    );
    let row = store.user_by_id(&user.id).unwrap().unwrap();
    assert_eq!(row.trusted_reader.as_deref(), Some("R-1"));
    assert_eq!(row.elsewhere_locked_until, Some(until));
    assert_eq!(row.locked_until, None);
}

/// The reversal window the store tests use.
const WINDOW: time::Duration = crate::domain::reversal::DEFAULT_WINDOW;

#[test]
fn keys_belong_to_their_first_sender_at_the_merchant() {
    let (_dir, store) = store();
    let amy = user(&store, "amy");
    let bob = user(&store, "bob");
    let now = datetime!(2030-01-01 00:00 UTC);
    let per_day = Admission::Sale {
        per_day: Money::twd_minor(1_000),
    };
    store
        .claim_idempotency("m", &amy.id, "k", "sale", "h", now)
        .unwrap();
    let sale = store
        .insert_pending(&new_txn(&amy, "k", 100, date!(2030 - 01 - 01)), per_day)
        .unwrap();
    approve(&store, &sale.id, "123456", date!(2030 - 01 - 01));
    // Bob cannot use Amy's key, nor reverse what she sent with it.
    assert_eq!(
        store
            .claim_idempotency("m", &bob.id, "k", "sale", "h", now)
            .unwrap(),
        Claim::Conflict
    );
    assert!(matches!(
        store.reverse("m", &bob.id, "k", now, WINDOW),
        Err(StoreError::Refused(ErrorCode::ReversalNotOwner))
    ));
    assert_eq!(
        store.txn_by_id(&sale.id).unwrap().unwrap().status,
        TxnStatus::Approved
    );
    // Another merchant's reversal of the same key finds nothing of this merchant.
    assert!(matches!(
        store.reverse("other", &bob.id, "k", now, WINDOW).unwrap(),
        ReversalOutcome::Tombstone
    ));
    // Bob's tombstone is his: Amy's later request with that key is a conflict, not reversed.
    assert!(matches!(
        store.reverse("m", &bob.id, "late", now, WINDOW).unwrap(),
        ReversalOutcome::Tombstone
    ));
    assert_eq!(
        store
            .claim_idempotency("m", &amy.id, "late", "sale", "h", now)
            .unwrap(),
        Claim::Conflict
    );
    // Amy reverses her own sale.
    match store.reverse("m", &amy.id, "k", now, WINDOW).unwrap() {
        ReversalOutcome::Transaction(row) => {
            assert_eq!(row.id, sale.id);
            assert_eq!(row.status, TxnStatus::Reversed);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_approved_sale_is_reversible_only_inside_the_window() {
    let (_dir, store) = store();
    let amy = user(&store, "amy");
    let txn = new_txn(&amy, "k", 100, date!(2030 - 01 - 01));
    store
        .claim_idempotency("m", &amy.id, "k", "sale", "h", txn.created_at)
        .unwrap();
    let sale = store
        .insert_pending(
            &txn,
            Admission::Sale {
                per_day: Money::twd_minor(1_000),
            },
        )
        .unwrap();
    approve(&store, &sale.id, "123456", date!(2030 - 01 - 01));
    let late = txn.created_at + WINDOW + time::Duration::seconds(1);
    assert!(matches!(
        store.reverse("m", &amy.id, "k", late, WINDOW),
        Err(StoreError::Refused(ErrorCode::ReversalWindowPassed))
    ));
    let stored = store.txn_by_id(&sale.id).unwrap().unwrap();
    assert_eq!(
        stored.status,
        TxnStatus::Approved,
        "the refusal changed nothing"
    );
    assert!(!stored.reversal_requested);
    assert_eq!(
        store
            .claim_idempotency("m", &amy.id, "k", "sale", "h", late)
            .unwrap(),
        Claim::InProgress,
        "the key is not marked reversed either"
    );
}

#[test]
fn voids_are_limited_to_the_users_own_transactions() {
    let (_dir, store) = store();
    let amy = user(&store, "amy");
    let bob = user(&store, "bob");
    let now = datetime!(2030-01-01 03:00 UTC);
    let sale = store
        .insert_pending(
            &new_txn(&amy, "k", 100, date!(2030 - 01 - 01)),
            Admission::Sale {
                per_day: Money::twd_minor(1_000),
            },
        )
        .unwrap();
    approve(&store, &sale.id, "123456", date!(2030 - 01 - 01));
    assert!(matches!(
        store.void_txn(&sale.id, "m", &bob.id, now),
        Err(StoreError::Refused(ErrorCode::NotFound))
    ));
    assert_eq!(
        store.void_txn(&sale.id, "m", &amy.id, now).unwrap().status,
        TxnStatus::Voided
    );
}

#[test]
fn search_shows_only_unsettled_captures() {
    let (_dir, store) = store();
    let amy = user(&store, "amy");
    let day = date!(2030 - 01 - 01);
    let now = datetime!(2030-01-01 03:00 UTC);
    let per_day = Admission::Sale {
        per_day: Money::twd_minor(1_000),
    };
    let approved = store
        .insert_pending(&new_txn(&amy, "a", 100, day), per_day)
        .unwrap();
    approve(&store, &approved.id, "111111", day);
    store
        .insert_pending(&new_txn(&amy, "p", 100, day), per_day)
        .unwrap();
    let declined = store
        .insert_pending(&new_txn(&amy, "d", 100, day), per_day)
        .unwrap();
    store
        .complete_authorization(
            &declined.id,
            &IssuerOutcome {
                response_code: "05".into(),
                response_text: "Do not honour".into(),
                auth_code: None,
                answered_at: now,
                business_date: day,
            },
        )
        .unwrap();
    let voided = store
        .insert_pending(&new_txn(&amy, "v", 100, day), per_day)
        .unwrap();
    approve(&store, &voided.id, "222222", day);
    store.void_txn(&voided.id, "m", &amy.id, now).unwrap();
    let found = store
        .search_unsettled(&amy.id, &SearchCriterion::Last4("1111".into()))
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, vec![approved.id.as_str()]);
}

#[test]
fn stuck_pending_transactions_end_reversed_with_a_final_answer() {
    let (_dir, store) = store();
    let amy = user(&store, "amy");
    let day = date!(2030 - 01 - 01);
    let created = datetime!(2030-01-01 02:00 UTC);
    let per_day = Admission::Sale {
        per_day: Money::twd_minor(1_000),
    };
    store
        .claim_idempotency("m", &amy.id, "old", "sale", "h", created)
        .unwrap();
    let old = store
        .insert_pending(&new_txn(&amy, "old", 1_000, day), per_day)
        .unwrap();
    // A claim whose request died before admitting anything.
    store
        .claim_idempotency("m", &amy.id, "lost", "sale", "h", created)
        .unwrap();
    assert!(matches!(
        store.insert_pending(&new_txn(&amy, "more", 1, day), per_day),
        Err(StoreError::Refused(ErrorCode::LimitPerDayExceeded))
    ));
    let answer = |row: &TxnRow| (200u16, format!("{{\"id\":\"{}\"}}", row.id));
    // Not old enough yet: nothing changes.
    let expired = store
        .expire_pending(PendingSelector::CreatedBefore(created), created, &answer)
        .unwrap();
    assert!(expired.is_empty());
    let later = datetime!(2030-01-01 02:01:01 UTC);
    let expired = store
        .expire_pending(
            PendingSelector::CreatedBefore(datetime!(2030-01-01 02:00:01 UTC)),
            later,
            &answer,
        )
        .unwrap();
    assert_eq!(expired.len(), 1);
    let row = store.txn_by_id(&old.id).unwrap().unwrap();
    assert_eq!(row.status, TxnStatus::Reversed);
    assert_eq!(row.response_code, EXPIRED_RESPONSE_CODE);
    assert_eq!(
        store
            .claim_idempotency("m", &amy.id, "old", "sale", "h", later)
            .unwrap(),
        Claim::Replay {
            status: 200,
            body: format!("{{\"id\":\"{}\"}}", old.id)
        }
    );
    assert_eq!(
        store
            .claim_idempotency("m", &amy.id, "lost", "sale", "h", later)
            .unwrap(),
        Claim::Claimed,
        "the dead claim was released"
    );
    // The limit is free again, and a late issuer answer does not approve it.
    store
        .insert_pending(&new_txn(&amy, "more", 1_000, day), per_day)
        .unwrap();
    assert_eq!(
        approve(&store, &old.id, "333333", day).status,
        TxnStatus::Reversed
    );
}

#[test]
fn a_failed_authorization_ends_reversed_by_id_or_by_key() {
    let (_dir, store) = store();
    let amy = user(&store, "amy");
    let day = date!(2030 - 01 - 01);
    let now = datetime!(2030-01-01 02:00:05 UTC);
    let per_day = Admission::Sale {
        per_day: Money::twd_minor(1_000),
    };
    let answer = |row: &TxnRow| (200u16, row.id.clone());
    let by_id = store
        .insert_pending(&new_txn(&amy, "a", 100, day), per_day)
        .unwrap();
    let by_key = store
        .insert_pending(&new_txn(&amy, "b", 100, day), per_day)
        .unwrap();
    let ended = store
        .expire_pending(PendingSelector::Id(&by_id.id), now, &answer)
        .unwrap();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].status, TxnStatus::Reversed);
    assert_eq!(
        store.txn_by_id(&by_key.id).unwrap().unwrap().status,
        TxnStatus::Pending,
        "only the selected one"
    );
    let ended = store
        .expire_pending(
            PendingSelector::Key {
                user_id: &amy.id,
                key: "b",
            },
            now,
            &answer,
        )
        .unwrap();
    assert_eq!(ended[0].id, by_key.id);
    // Nothing pending is left: a second call changes nothing.
    assert!(store
        .expire_pending(PendingSelector::Id(&by_id.id), now, &answer)
        .unwrap()
        .is_empty());
}
