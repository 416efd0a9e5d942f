//! Closing a million captures: one terminal's approved, unsettled sales
//! (bulk-loaded straight into a SQLite file first), closed into one batch
//! through the store as the manual settlement does.

use mpos_gateway::store::Store;
use std::path::Path;
use std::time::{Duration, Instant};

/// The time `settle_terminal` takes to close `captures` captures.
pub async fn close_captures(dir: &Path, captures: usize) -> Duration {
    let path = dir.join("settle.db");
    let store = Store::open_sqlite(&path).expect("open");
    let users = crate::setup::selling_users(&store, 1).await;
    drop(users);
    let terminal = store.users().list().await.expect("users")[0].clone();
    drop(store);
    bulk_load(&path, &terminal.id, &terminal.terminal_id, captures);
    let store = Store::open_sqlite(&path).expect("reopen");
    let now = time::OffsetDateTime::now_utc();
    let started = Instant::now();
    let batch = store
        .settlement()
        .settle_terminal(&terminal.terminal_id, "load", now.date(), now)
        .await
        .expect("settle")
        .expect("a batch");
    let elapsed = started.elapsed();
    assert_eq!(
        batch.count() as usize,
        captures,
        "every capture in the batch"
    );
    elapsed
}

fn bulk_load(path: &Path, user_id: &str, terminal_id: &str, captures: usize) {
    let mut conn = rusqlite::Connection::open(path).expect("open");
    let tx = conn.transaction().expect("begin");
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO transactions (id, user_id, merchant_id, terminal_id, kind, status, amount_minor, currency, brand, \
                 masked_pan, card_token, entry_mode, auth_code, invoice_no, response_code, response_text, created_at, approved_at, \
                 business_date, batch_id, original_id, idempotency_key, reversal_requested, receipt_token, signature_json, updated_at) \
                 VALUES (?1, ?2, 'load', ?3, 'sale', 'approved', 100, 'TWD', 'visa', '411111******1111', 'token', 'chip', ?4, ?5, '00', \
                 'Approved', '2030-03-10T02:00:00.000Z', '2030-03-10T02:00:00.000Z', '2030-03-10', NULL, NULL, ?6, 0, ?7, NULL, \
                 '2030-03-10T02:00:00.000Z')",
            )
            .expect("prepare");
        for i in 0..captures {
            insert
                .execute(rusqlite::params![
                    format!("txn_{i:09}"),
                    user_id,
                    terminal_id,
                    format!("{i:09}"),
                    format!("{:06}", i % 1_000_000),
                    format!("key{i:09}"),
                    format!("receipt{i:09}"),
                ])
                .expect("insert");
        }
    }
    tx.commit().expect("commit");
}
