//! Store tests against a real SQLite file: atomic admission, idempotency
//! claims, reversals, and batches that never share a capture.

use super::*;
use crate::store::Store;
use mpos_testkit::PostgresServer;
use mpos_wire::api::{Limits, TxnKind, UserStatus};
use std::sync::Arc;
use time::macros::{date, datetime};

fn sqlite() -> (tempfile::TempDir, Arc<Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open_sqlite(&dir.path().join("gateway.db")).unwrap());
    (dir, store)
}

async fn postgres() -> Arc<Store> {
    let url = PostgresServer::shared().fresh_database();
    Arc::new(Store::connect_postgres(&url, 8).await.unwrap())
}

/// Runs each listed test on a SQLite file and on a PostgreSQL database.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (_dir, store) = super::sqlite();
                    super::$name(store).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::postgres().await).await;
                }
            )*
        }
    };
}

async fn user(store: &Store, name: &str) -> UserRow {
    store
        .users()
        .create(&NewUser {
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
        .await
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

async fn approve(store: &Store, id: &str, code: &str, business_date: Date) -> TxnRow {
    store
        .transactions()
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
        .await
        .unwrap()
}

#[tokio::test]
async fn sqlite_migrates_to_the_latest_version_once() {
    let (dir, store) = sqlite();
    assert_eq!(store.schema_version().await.unwrap(), 6);
    drop(store);
    let again = Store::open_sqlite(&dir.path().join("gateway.db")).unwrap();
    assert_eq!(again.schema_version().await.unwrap(), 6);
}

#[tokio::test]
async fn postgres_migrates_once_even_when_instances_start_together() {
    let url = PostgresServer::shared().fresh_database();
    let (a, b) = tokio::join!(
        Store::connect_postgres(&url, 2),
        Store::connect_postgres(&url, 2)
    );
    assert_eq!(a.unwrap().schema_version().await.unwrap(), 3);
    assert_eq!(b.unwrap().schema_version().await.unwrap(), 3);
}

async fn parallel_admissions_never_exceed_the_daily_limit(store: Arc<Store>) {
    let user = user(&store, "amy").await;
    let threads: Vec<_> = (0..10)
        .map(|i| {
            let (store, user) = (store.clone(), user.clone());
            tokio::spawn(async move {
                store
                    .transactions()
                    .insert_pending(
                        &new_txn(&user, &format!("k{i}"), 300, date!(2030 - 01 - 01)),
                        Admission::Sale {
                            per_day: Money::twd_minor(1_000),
                        },
                    )
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for thread in threads {
        results.push(thread.await.unwrap());
    }
    let admitted = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(admitted, 3);
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| matches!(e, StoreError::Refused(Refusal::DailyLimitExceeded))));
    let invoices: std::collections::BTreeSet<String> = results
        .iter()
        .flatten()
        .map(|t| t.invoice_no.clone())
        .collect();
    assert_eq!(invoices.len(), 3, "distinct invoice numbers");
}

async fn parallel_refunds_never_exceed_the_original(store: Arc<Store>) {
    let user = user(&store, "ann").await;
    let sale = store
        .transactions()
        .insert_pending(
            &new_txn(&user, "sale", 1_000, date!(2030 - 01 - 01)),
            Admission::Sale {
                per_day: Money::twd_minor(1_000),
            },
        )
        .await
        .unwrap();
    approve(&store, &sale.id, "100001", date!(2030 - 01 - 01)).await;
    let threads: Vec<_> = (0..10)
        .map(|i| {
            let (store, user, original) = (store.clone(), user.clone(), sale.id.clone());
            tokio::spawn(async move {
                let mut refund = new_txn(&user, &format!("r{i}"), 300, date!(2030 - 01 - 01));
                refund.kind = TxnKind::Refund;
                refund.original_id = Some(original);
                store
                    .transactions()
                    .insert_pending(&refund, Admission::Refund)
                    .await
            })
        })
        .collect();
    let mut admitted = 0;
    for thread in threads {
        match thread.await.unwrap() {
            Ok(_) => admitted += 1,
            Err(e) => assert!(
                matches!(e, StoreError::Refused(Refusal::RefundExceedsOriginal)),
                "{e}"
            ),
        }
    }
    assert_eq!(admitted, 3, "three NT$3 refunds fit a NT$10 sale");
}

async fn idempotency_claims(store: Arc<Store>) {
    let user = user(&store, "bob").await;
    let now = datetime!(2030-01-01 00:00 UTC);
    assert_eq!(
        store
            .idempotency()
            .claim("m", &user.id, "k", "sale", "h1", now)
            .await
            .unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        store
            .idempotency()
            .claim("m", &user.id, "k", "sale", "h1", now)
            .await
            .unwrap(),
        Claim::InProgress
    );
    assert_eq!(
        store
            .idempotency()
            .claim("m", &user.id, "k", "sale", "h2", now)
            .await
            .unwrap(),
        Claim::Conflict
    );
    store
        .idempotency()
        .complete(&user.id, "k", 200, "{}")
        .await
        .unwrap();
    assert_eq!(
        store
            .idempotency()
            .claim("m", &user.id, "k", "sale", "h1", now)
            .await
            .unwrap(),
        Claim::Replay {
            status: 200,
            body: "{}".into()
        }
    );
    // A released claim (internal failure, nothing recorded) can be claimed again.
    store
        .idempotency()
        .claim("m", &user.id, "r", "sale", "h", now)
        .await
        .unwrap();
    store.idempotency().release(&user.id, "r").await.unwrap();
    assert_eq!(
        store
            .idempotency()
            .claim("m", &user.id, "r", "sale", "h", now)
            .await
            .unwrap(),
        Claim::Claimed
    );
    // A tombstone refuses the late original.
    assert!(matches!(
        store
            .transactions()
            .reverse("m", &user.id, "late", now, WINDOW)
            .await
            .unwrap(),
        ReversalOutcome::Tombstone
    ));
    assert_eq!(
        store
            .idempotency()
            .claim("m", &user.id, "late", "sale", "h", now)
            .await
            .unwrap(),
        Claim::Reversed
    );
}

async fn pending_marked_for_reversal_never_ends_approved(store: Arc<Store>) {
    let user = user(&store, "cat").await;
    let now = datetime!(2030-01-01 00:00 UTC);
    store
        .idempotency()
        .claim("m", &user.id, "k", "sale", "h", now)
        .await
        .unwrap();
    let pending = store
        .transactions()
        .insert_pending(
            &new_txn(&user, "k", 100, date!(2030 - 01 - 01)),
            Admission::Sale {
                per_day: Money::twd_minor(1_000),
            },
        )
        .await
        .unwrap();
    match store
        .transactions()
        .reverse("m", &user.id, "k", now, WINDOW)
        .await
        .unwrap()
    {
        ReversalOutcome::Transaction(row) => assert!(row.reversal_requested),
        other => panic!("{other:?}"),
    }
    let done = approve(&store, &pending.id, "111111", date!(2030 - 01 - 01)).await;
    assert_eq!(done.status, TxnStatus::Reversed);
}

async fn every_capture_lands_in_exactly_one_batch(store: Arc<Store>) {
    let amy = user(&store, "amy").await;
    let bob = user(&store, "bob").await;
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
            .transactions()
            .insert_pending(&new_txn(u, &format!("k{i}"), 100, day), per_day)
            .await
            .unwrap();
        approve(&store, &t.id, &format!("00000{i}"), day).await;
        ids.push(t.id);
    }
    let now = datetime!(2030-01-01 15:00 UTC);
    let batches = store
        .settlement()
        .run_automatic(d1, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(batches.len(), 2);
    assert!(
        store
            .settlement()
            .run_automatic(d1, now)
            .await
            .unwrap()
            .is_none(),
        "a date runs once"
    );
    // A manual settle afterwards takes only what is left.
    let manual = store
        .settlement()
        .settle_terminal(&amy.terminal_id, "m", d2, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(manual.count(), 1);
    assert!(store
        .settlement()
        .settle_terminal(&amy.terminal_id, "m", d2, now)
        .await
        .unwrap()
        .is_none());

    let all = store.settlement().list_batches().await.unwrap();
    let batch_ids: Vec<&str> = all.iter().map(|b| b.id.as_str()).collect();
    for id in &ids {
        let txn = store.transactions().by_id(id).await.unwrap().unwrap();
        let batch = txn.batch_id.expect("every capture settled");
        assert!(
            batch_ids.contains(&batch.as_str()),
            "{id} in a listed batch"
        );
    }
    let counted: u64 = all.iter().map(BatchRow::count).sum();
    assert_eq!(counted, ids.len() as u64, "no capture counted twice");
    assert_eq!(
        store.settlement().last_automatic_run().await.unwrap(),
        Some(d1)
    );
}

async fn reader_counters_only_go_up(store: Arc<Store>) {
    let now = datetime!(2030-01-01 00:00 UTC);
    assert!(store.readers().record_counter("R1", 5, now).await.unwrap());
    assert!(!store.readers().record_counter("R1", 5, now).await.unwrap());
    assert!(!store.readers().record_counter("R1", 4, now).await.unwrap());
    assert!(store.readers().record_counter("R1", 6, now).await.unwrap());
    assert!(store.readers().record_counter("R2", 1, now).await.unwrap());
}

async fn attempts_are_counted_before_they_are_evaluated(store: Arc<Store>) {
    let user = user(&store, "dan").await;
    let now = datetime!(2030-01-01 00:00 UTC);
    let until = datetime!(2030-01-01 00:30 UTC);
    for _ in 0..4 {
        assert_eq!(
            store
                .users()
                .reserve_attempt(&user.id, Lane::OwnReader, now, 5, until)
                .await
                .unwrap(),
            Attempt::Reserved { locked_until: None }
        );
    }
    assert_eq!(
        store
            .users()
            .reserve_attempt(&user.id, Lane::OwnReader, now, 5, until)
            .await
            .unwrap(),
        Attempt::Reserved {
            locked_until: Some(until)
        }
    );
    let row = store.users().by_id(&user.id).await.unwrap().unwrap();
    assert_eq!((row.failed_logins, row.locked_until), (0, Some(until)));
    // Locked: nothing more is evaluated, and an earlier attempt that turns out right is refused.
    assert_eq!(
        store
            .users()
            .reserve_attempt(&user.id, Lane::OwnReader, now, 5, until)
            .await
            .unwrap(),
        Attempt::Locked(until)
    );
    assert_eq!(
        store
            .users()
            .attempt_succeeded(&user.id, Lane::OwnReader, now, None, None)
            .await
            .unwrap(),
        Some(until)
    );
    // The attempt that set the lock itself was right: it lifts its own lock.
    assert_eq!(
        store
            .users()
            .attempt_succeeded(&user.id, Lane::OwnReader, now, Some(until), None)
            .await
            .unwrap(),
        None
    );
    let row = store.users().by_id(&user.id).await.unwrap().unwrap();
    assert_eq!((row.failed_logins, row.locked_until), (0, None));
    // After a lock ends the count starts again.
    let later = datetime!(2030-01-01 01:00 UTC);
    for _ in 0..5 {
        store
            .users()
            .reserve_attempt(&user.id, Lane::OwnReader, now, 5, until)
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .users()
            .reserve_attempt(&user.id, Lane::OwnReader, later, 5, later)
            .await
            .unwrap(),
        Attempt::Reserved { locked_until: None }
    );
    assert_eq!(
        store
            .users()
            .attempt_succeeded(&user.id, Lane::OwnReader, later, None, None)
            .await
            .unwrap(),
        None
    );
}

async fn parallel_reservations_never_exceed_the_maximum(store: Arc<Store>) {
    let user = user(&store, "eli").await;
    let now = datetime!(2030-01-01 00:00 UTC);
    let until = datetime!(2030-01-01 00:30 UTC);
    let threads: Vec<_> = (0..20)
        .map(|_| {
            let (store, id) = (store.clone(), user.id.clone());
            tokio::spawn(async move {
                store
                    .users()
                    .reserve_attempt(&id, Lane::OwnReader, now, 5, until)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut attempts: Vec<Attempt> = Vec::new();
    for thread in threads {
        attempts.push(thread.await.unwrap());
    }
    let evaluated = attempts
        .iter()
        .filter(|a| matches!(a, Attempt::Reserved { .. }))
        .count();
    assert_eq!(evaluated, 5);
}

async fn reset_credentials_keeps_a_disabled_user_disabled(store: Arc<Store>) {
    let fox = user(&store, "fox").await;
    store.users().disable(&fox.id).await.unwrap();
    let credentials = NewCredentials {
        password_hash: "h2".into(),
        activation_code_hash: "c2".into(),
        activation_expires_at: datetime!(2030-01-02 00:15 UTC),
    };
    let row = store
        .users()
        .reset_credentials(&fox.id, &credentials)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, UserStatus::Disabled);
    assert_eq!(row.password_hash, "h2");
    // An enabled user goes back to first login.
    let active = user(&store, "gil").await;
    let row = store
        .users()
        .reset_credentials(&active.id, &credentials)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, UserStatus::PendingActivation);
}

async fn the_two_lockout_lanes_count_and_lock_apart(store: Arc<Store>) {
    let user = user(&store, "lan").await;
    let now = datetime!(2030-01-01 00:00 UTC);
    let until = datetime!(2030-01-01 00:30 UTC);
    for _ in 0..4 {
        store
            .users()
            .reserve_attempt(&user.id, Lane::Elsewhere, now, 5, until)
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .users()
            .reserve_attempt(&user.id, Lane::Elsewhere, now, 5, until)
            .await
            .unwrap(),
        Attempt::Reserved {
            locked_until: Some(until)
        }
    );
    assert_eq!(
        store
            .users()
            .reserve_attempt(&user.id, Lane::Elsewhere, now, 5, until)
            .await
            .unwrap(),
        Attempt::Locked(until)
    );
    // The own reader's lane is untouched, and a login there trusts its reader.
    assert_eq!(
        store
            .users()
            .reserve_attempt(&user.id, Lane::OwnReader, now, 5, until)
            .await
            .unwrap(),
        Attempt::Reserved { locked_until: None }
    );
    assert_eq!(
        store
            .users()
            .attempt_succeeded(&user.id, Lane::OwnReader, now, None, Some("R-1"))
            .await
            .unwrap(),
        None
    );
    let row = store.users().by_id(&user.id).await.unwrap().unwrap();
    assert_eq!(row.trusted_reader.as_deref(), Some("R-1"));
    assert_eq!(row.elsewhere_locked_until, Some(until));
    assert_eq!(row.locked_until, None);
}

/// The reversal window the store tests use.
const WINDOW: time::Duration = crate::domain::reversal::DEFAULT_WINDOW;

async fn keys_belong_to_their_first_sender_at_the_merchant(store: Arc<Store>) {
    let amy = user(&store, "amy").await;
    let bob = user(&store, "bob").await;
    let now = datetime!(2030-01-01 00:00 UTC);
    let per_day = Admission::Sale {
        per_day: Money::twd_minor(1_000),
    };
    store
        .idempotency()
        .claim("m", &amy.id, "k", "sale", "h", now)
        .await
        .unwrap();
    let sale = store
        .transactions()
        .insert_pending(&new_txn(&amy, "k", 100, date!(2030 - 01 - 01)), per_day)
        .await
        .unwrap();
    approve(&store, &sale.id, "123456", date!(2030 - 01 - 01)).await;
    // Bob cannot use Amy's key, nor reverse what she sent with it.
    assert_eq!(
        store
            .idempotency()
            .claim("m", &bob.id, "k", "sale", "h", now)
            .await
            .unwrap(),
        Claim::Conflict
    );
    assert!(matches!(
        store
            .transactions()
            .reverse("m", &bob.id, "k", now, WINDOW)
            .await,
        Err(StoreError::Refused(Refusal::ReversalNotOwner))
    ));
    assert_eq!(
        store
            .transactions()
            .by_id(&sale.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        TxnStatus::Approved
    );
    // Another merchant's reversal of the same key finds nothing of this merchant.
    assert!(matches!(
        store
            .transactions()
            .reverse("other", &bob.id, "k", now, WINDOW)
            .await
            .unwrap(),
        ReversalOutcome::Tombstone
    ));
    // Bob's tombstone is his: Amy's later request with that key is a conflict, not reversed.
    assert!(matches!(
        store
            .transactions()
            .reverse("m", &bob.id, "late", now, WINDOW)
            .await
            .unwrap(),
        ReversalOutcome::Tombstone
    ));
    assert_eq!(
        store
            .idempotency()
            .claim("m", &amy.id, "late", "sale", "h", now)
            .await
            .unwrap(),
        Claim::Conflict
    );
    // Amy reverses her own sale.
    match store
        .transactions()
        .reverse("m", &amy.id, "k", now, WINDOW)
        .await
        .unwrap()
    {
        ReversalOutcome::Transaction(row) => {
            assert_eq!(row.id, sale.id);
            assert_eq!(row.status, TxnStatus::Reversed);
        }
        other => panic!("{other:?}"),
    }
}

async fn an_approved_sale_is_reversible_only_inside_the_window(store: Arc<Store>) {
    let amy = user(&store, "amy").await;
    let txn = new_txn(&amy, "k", 100, date!(2030 - 01 - 01));
    store
        .idempotency()
        .claim("m", &amy.id, "k", "sale", "h", txn.created_at)
        .await
        .unwrap();
    let sale = store
        .transactions()
        .insert_pending(
            &txn,
            Admission::Sale {
                per_day: Money::twd_minor(1_000),
            },
        )
        .await
        .unwrap();
    approve(&store, &sale.id, "123456", date!(2030 - 01 - 01)).await;
    let late = txn.created_at + WINDOW + time::Duration::seconds(1);
    assert!(matches!(
        store
            .transactions()
            .reverse("m", &amy.id, "k", late, WINDOW)
            .await,
        Err(StoreError::Refused(Refusal::ReversalWindowPassed))
    ));
    let stored = store.transactions().by_id(&sale.id).await.unwrap().unwrap();
    assert_eq!(
        stored.status,
        TxnStatus::Approved,
        "the refusal changed nothing"
    );
    assert!(!stored.reversal_requested);
    assert_eq!(
        store
            .idempotency()
            .claim("m", &amy.id, "k", "sale", "h", late)
            .await
            .unwrap(),
        Claim::InProgress,
        "the key is not marked reversed either"
    );
}

async fn voids_are_limited_to_the_users_own_transactions(store: Arc<Store>) {
    let amy = user(&store, "amy").await;
    let bob = user(&store, "bob").await;
    let now = datetime!(2030-01-01 03:00 UTC);
    let sale = store
        .transactions()
        .insert_pending(
            &new_txn(&amy, "k", 100, date!(2030 - 01 - 01)),
            Admission::Sale {
                per_day: Money::twd_minor(1_000),
            },
        )
        .await
        .unwrap();
    approve(&store, &sale.id, "123456", date!(2030 - 01 - 01)).await;
    assert!(matches!(
        store.transactions().void(&sale.id, "m", &bob.id, now).await,
        Err(StoreError::Refused(Refusal::TransactionNotFound))
    ));
    assert_eq!(
        store
            .transactions()
            .void(&sale.id, "m", &amy.id, now)
            .await
            .unwrap()
            .status,
        TxnStatus::Voided
    );
}

async fn search_shows_only_unsettled_captures(store: Arc<Store>) {
    let amy = user(&store, "amy").await;
    let day = date!(2030 - 01 - 01);
    let now = datetime!(2030-01-01 03:00 UTC);
    let per_day = Admission::Sale {
        per_day: Money::twd_minor(1_000),
    };
    let approved = store
        .transactions()
        .insert_pending(&new_txn(&amy, "a", 100, day), per_day)
        .await
        .unwrap();
    approve(&store, &approved.id, "111111", day).await;
    store
        .transactions()
        .insert_pending(&new_txn(&amy, "p", 100, day), per_day)
        .await
        .unwrap();
    let declined = store
        .transactions()
        .insert_pending(&new_txn(&amy, "d", 100, day), per_day)
        .await
        .unwrap();
    store
        .transactions()
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
        .await
        .unwrap();
    let voided = store
        .transactions()
        .insert_pending(&new_txn(&amy, "v", 100, day), per_day)
        .await
        .unwrap();
    approve(&store, &voided.id, "222222", day).await;
    store
        .transactions()
        .void(&voided.id, "m", &amy.id, now)
        .await
        .unwrap();
    let found = store
        .transactions()
        .search_unsettled(&amy.id, &SearchCriterion::Last4("1111".into()))
        .await
        .unwrap();
    let ids: Vec<&str> = found.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, vec![approved.id.as_str()]);
}

async fn stuck_pending_transactions_end_reversed_with_a_final_answer(store: Arc<Store>) {
    let amy = user(&store, "amy").await;
    let day = date!(2030 - 01 - 01);
    let created = datetime!(2030-01-01 02:00 UTC);
    let per_day = Admission::Sale {
        per_day: Money::twd_minor(1_000),
    };
    store
        .idempotency()
        .claim("m", &amy.id, "old", "sale", "h", created)
        .await
        .unwrap();
    let old = store
        .transactions()
        .insert_pending(&new_txn(&amy, "old", 1_000, day), per_day)
        .await
        .unwrap();
    // A claim whose request died before admitting anything.
    store
        .idempotency()
        .claim("m", &amy.id, "lost", "sale", "h", created)
        .await
        .unwrap();
    assert!(matches!(
        store
            .transactions()
            .insert_pending(&new_txn(&amy, "more", 1, day), per_day)
            .await,
        Err(StoreError::Refused(Refusal::DailyLimitExceeded))
    ));
    let answer = || -> ExpiredAnswer {
        Box::new(|row: &TxnRow| (200u16, format!("{{\"id\":\"{}\"}}", row.id)))
    };
    // Not old enough yet: nothing changes.
    let expired = store
        .transactions()
        .expire_pending(PendingSelector::CreatedBefore(created), created, answer())
        .await
        .unwrap();
    assert!(expired.is_empty());
    let later = datetime!(2030-01-01 02:01:01 UTC);
    let expired = store
        .transactions()
        .expire_pending(
            PendingSelector::CreatedBefore(datetime!(2030-01-01 02:00:01 UTC)),
            later,
            answer(),
        )
        .await
        .unwrap();
    assert_eq!(expired.len(), 1);
    let row = store.transactions().by_id(&old.id).await.unwrap().unwrap();
    assert_eq!(row.status, TxnStatus::Reversed);
    assert_eq!(row.response_code, EXPIRED_RESPONSE_CODE);
    assert_eq!(
        store
            .idempotency()
            .claim("m", &amy.id, "old", "sale", "h", later)
            .await
            .unwrap(),
        Claim::Replay {
            status: 200,
            body: format!("{{\"id\":\"{}\"}}", old.id)
        }
    );
    assert_eq!(
        store
            .idempotency()
            .claim("m", &amy.id, "lost", "sale", "h", later)
            .await
            .unwrap(),
        Claim::Claimed,
        "the dead claim was released"
    );
    // The limit is free again, and a late issuer answer does not approve it.
    store
        .transactions()
        .insert_pending(&new_txn(&amy, "more", 1_000, day), per_day)
        .await
        .unwrap();
    assert_eq!(
        approve(&store, &old.id, "333333", day).await.status,
        TxnStatus::Reversed
    );
}

async fn a_failed_authorization_ends_reversed_by_id_or_by_key(store: Arc<Store>) {
    let amy = user(&store, "amy").await;
    let day = date!(2030 - 01 - 01);
    let now = datetime!(2030-01-01 02:00:05 UTC);
    let per_day = Admission::Sale {
        per_day: Money::twd_minor(1_000),
    };
    let answer = || -> ExpiredAnswer { Box::new(|row: &TxnRow| (200u16, row.id.clone())) };
    let by_id = store
        .transactions()
        .insert_pending(&new_txn(&amy, "a", 100, day), per_day)
        .await
        .unwrap();
    let by_key = store
        .transactions()
        .insert_pending(&new_txn(&amy, "b", 100, day), per_day)
        .await
        .unwrap();
    let ended = store
        .transactions()
        .expire_pending(PendingSelector::Id(by_id.id.clone()), now, answer())
        .await
        .unwrap();
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].status, TxnStatus::Reversed);
    assert_eq!(
        store
            .transactions()
            .by_id(&by_key.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        TxnStatus::Pending,
        "only the selected one"
    );
    let ended = store
        .transactions()
        .expire_pending(
            PendingSelector::Key {
                user_id: amy.id.clone(),
                key: "b".into(),
            },
            now,
            answer(),
        )
        .await
        .unwrap();
    assert_eq!(ended[0].id, by_key.id);
    // Nothing pending is left: a second call changes nothing.
    assert!(store
        .transactions()
        .expire_pending(PendingSelector::Id(by_id.id.clone()), now, answer())
        .await
        .unwrap()
        .is_empty());
}

on_both_databases!(
    parallel_refunds_never_exceed_the_original,
    parallel_admissions_never_exceed_the_daily_limit,
    idempotency_claims,
    pending_marked_for_reversal_never_ends_approved,
    every_capture_lands_in_exactly_one_batch,
    reader_counters_only_go_up,
    attempts_are_counted_before_they_are_evaluated,
    parallel_reservations_never_exceed_the_maximum,
    reset_credentials_keeps_a_disabled_user_disabled,
    the_two_lockout_lanes_count_and_lock_apart,
    keys_belong_to_their_first_sender_at_the_merchant,
    an_approved_sale_is_reversible_only_inside_the_window,
    voids_are_limited_to_the_users_own_transactions,
    search_shows_only_unsettled_captures,
    stuck_pending_transactions_end_reversed_with_a_final_answer,
    a_failed_authorization_ends_reversed_by_id_or_by_key,
    the_audit_log_refuses_changes_and_deletions,
    a_totp_step_and_a_recovery_code_are_used_once,
    admin_failures_lock_at_the_maximum,
    filters_find_transactions_by_each_field,
);

async fn the_audit_log_refuses_changes_and_deletions(store: Arc<Store>) {
    let entry = AuditEntry {
        seq: 0,
        at: OffsetDateTime::now_utc(),
        admin_id: "adm_1".into(),
        admin_username: "boss".into(),
        action: "user_created".into(),
        target: "usr_1".into(),
        detail: "limits".into(),
        client: "127.0.0.1".into(),
    };
    store.audit_log().append(&entry).await.unwrap();
    store.audit_log().append(&entry).await.unwrap();
    let rewrite = store
        .write(|tx| {
            Box::pin(async move {
                tx.execute("UPDATE audit_log SET action = 'nothing'", &[])
                    .await
            })
        })
        .await;
    assert!(rewrite.is_err(), "an update must be refused: {rewrite:?}");
    let erase = store
        .write(|tx| Box::pin(async move { tx.execute("DELETE FROM audit_log", &[]).await }))
        .await;
    assert!(erase.is_err(), "a deletion must be refused: {erase:?}");
    let entries = store.audit_log().page(0, 10).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.action == "user_created"));
    assert!(entries[0].seq > entries[1].seq, "newest first");
}

async fn admin_row(store: &Store, name: &str) -> AdminRow {
    store
        .admins()
        .create(&NewAdmin {
            username: name.into(),
            name: name.into(),
            email: format!("{name}@example.com"),
            password_hash: Some("hash".into()),
            created_at: OffsetDateTime::now_utc(),
        })
        .await
        .unwrap()
}

async fn a_totp_step_and_a_recovery_code_are_used_once(store: Arc<Store>) {
    let admin = admin_row(&store, "boss").await;
    assert!(matches!(
        store
            .admins()
            .create(&NewAdmin {
                username: "boss".into(),
                name: "x".into(),
                email: "x@example.com".into(),
                password_hash: None,
                created_at: OffsetDateTime::now_utc(),
            })
            .await,
        Err(StoreError::UsernameTaken)
    ));
    store
        .admins()
        .enrol(&admin.id, "SECRET", 100, &["d1".into(), "d2".into()])
        .await
        .unwrap();
    let admins = store.admins();
    assert!(
        !admins.use_totp_step(&admin.id, 100).await.unwrap(),
        "the enrolment's step"
    );
    assert!(
        !admins.use_totp_step(&admin.id, 99).await.unwrap(),
        "an older step"
    );
    assert!(admins.use_totp_step(&admin.id, 101).await.unwrap());
    assert!(
        !admins.use_totp_step(&admin.id, 101).await.unwrap(),
        "replayed"
    );
    assert!(admins.use_recovery_digest(&admin.id, "d2").await.unwrap());
    assert!(
        !admins.use_recovery_digest(&admin.id, "d2").await.unwrap(),
        "used up"
    );
    assert!(
        !admins.use_recovery_digest(&admin.id, "d3").await.unwrap(),
        "never issued"
    );
    let stored = admins.by_id(&admin.id).await.unwrap().unwrap();
    assert_eq!(stored.recovery_digests, vec!["d1".to_string()]);
    assert_eq!(stored.totp_secret.as_deref(), Some("SECRET"));
}

async fn admin_failures_lock_at_the_maximum(store: Arc<Store>) {
    let admin = admin_row(&store, "boss").await;
    let now = OffsetDateTime::now_utc();
    for _ in 0..4 {
        assert_eq!(
            store
                .admins()
                .record_failure(&admin.id, now, 5, 15)
                .await
                .unwrap(),
            None
        );
    }
    let locked = store
        .admins()
        .record_failure(&admin.id, now, 5, 15)
        .await
        .unwrap();
    assert_eq!(locked, Some(now + time::Duration::minutes(15)));
    let stored = store.admins().by_id(&admin.id).await.unwrap().unwrap();
    assert_eq!(
        stored.failed_logins, 0,
        "the count starts again after a lock"
    );
    store
        .admins()
        .record_failure(&admin.id, now, 5, 15)
        .await
        .unwrap();
    store.admins().record_success(&admin.id).await.unwrap();
    assert_eq!(
        store
            .admins()
            .by_id(&admin.id)
            .await
            .unwrap()
            .unwrap()
            .failed_logins,
        0
    );
}

/// An approved sale of `minor` by `who`; its id.
async fn approved(store: &Store, who: &UserRow, minor: u64) -> String {
    let day = date!(2030 - 01 - 01);
    let key = crate::ids::random_hex(8);
    let txn = store
        .transactions()
        .insert_pending(
            &new_txn(who, &key, minor, day),
            Admission::Sale {
                per_day: Money::twd_minor(1_000_000),
            },
        )
        .await
        .unwrap();
    approve(store, &txn.id, &crate::ids::random_digits(6), day).await;
    txn.id
}

async fn filters_find_transactions_by_each_field(store: Arc<Store>) {
    let alice = user(&store, "alice").await;
    let bob = user(&store, "bob").await;
    let mut ids = Vec::new();
    for (who, minor) in [(&alice, 100u64), (&bob, 200), (&alice, 300)] {
        ids.push(approved(&store, who, minor).await);
    }
    let all = store
        .transactions()
        .filtered(&TxnFilter::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(all.1, 3);
    let by_user = TxnFilter {
        user_id: Some(alice.id.clone()),
        ..TxnFilter::default()
    };
    let (rows, total) = store.transactions().filtered(&by_user, 0, 1).await.unwrap();
    assert_eq!((rows.len(), total), (1, 2), "one page of one, two in all");
    let (second_page, _) = store.transactions().filtered(&by_user, 1, 1).await.unwrap();
    assert_ne!(rows[0].id, second_page[0].id);
    let txn = store.transactions().by_id(&ids[1]).await.unwrap().unwrap();
    for filter in [
        TxnFilter {
            invoice_no: Some(txn.invoice_no.clone()),
            user_id: Some(bob.id.clone()),
            ..TxnFilter::default()
        },
        TxnFilter {
            auth_code: txn.auth_code.clone(),
            ..TxnFilter::default()
        },
    ] {
        let (rows, _) = store.transactions().filtered(&filter, 0, 10).await.unwrap();
        assert_eq!(
            rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
            vec![ids[1].clone()],
            "{filter:?}"
        );
    }
    let last4 = TxnFilter {
        last4: Some(txn.masked_pan.last4().to_string()),
        ..TxnFilter::default()
    };
    assert_eq!(
        store
            .transactions()
            .filtered(&last4, 0, 10)
            .await
            .unwrap()
            .1,
        3
    );
    let nobody = TxnFilter {
        last4: Some("0000".into()),
        ..TxnFilter::default()
    };
    assert_eq!(
        store
            .transactions()
            .filtered(&nobody, 0, 10)
            .await
            .unwrap()
            .1,
        0
    );
    let settled = TxnFilter {
        settled: Some(true),
        ..TxnFilter::default()
    };
    assert_eq!(
        store
            .transactions()
            .filtered(&settled, 0, 10)
            .await
            .unwrap()
            .1,
        0
    );
    let future = TxnFilter {
        from: Some(datetime!(2030-01-02 00:00 UTC)),
        ..TxnFilter::default()
    };
    assert_eq!(
        store
            .transactions()
            .filtered(&future, 0, 10)
            .await
            .unwrap()
            .1,
        0
    );
}
