//! Transactions left pending (the gateway died while the issuer was
//! deciding) are given up after `issuer.pending_timeout_ms`: reversed with
//! response code 91, their limit released, their key answered for good.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::{CardId, TestCard};
use mpos_gateway::clock::parse_time;
use mpos_gateway::payments::idempotency::request_hash;
use mpos_gateway::store::{Admission, Claim, NewTxn, Store};
use mpos_wire::api::{paths, Limits, SaleRequest, TxnKind};
use mpos_wire::{EntryMode, MaskedPan, Money};
use reqwest::StatusCode;
use std::time::Duration;

/// Waits until the scheduler has had several ticks.
async fn let_scheduler_run() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

#[tokio::test]
async fn a_sale_left_pending_by_a_restart_ends_reversed_and_frees_the_limit() {
    let limits = Limits {
        per_transaction: Money::twd_minor(1_000_00),
        per_day: Money::twd_minor(1_000_00),
        refund_per_transaction: None,
    };
    let gw = TestGateway::start_with(sqlite_test_config()).await;
    let user = gw.ready_user_with("amy", &limits).await;
    let reader = Reader::new();
    let key = new_key();
    let body = sale_body(&reader, CardId::VisaSlowIssuer, 1_000_00, EntryMode::Chip);
    let merchant_id = sqlite_test_config().merchant.id;
    let dir = gw.stop().await;

    // What the store holds when the gateway dies during the slow issuer:
    // the key claimed and the sale admitted as pending.
    {
        let store = Store::open_sqlite(&dir.path().join("gateway.db")).unwrap();
        let request: SaleRequest = serde_json::from_value(body.clone()).unwrap();
        let created = parse_time(MORNING).unwrap();
        let claim = store
            .idempotency()
            .claim(
                &merchant_id,
                &user.id,
                &key,
                "sale",
                &request_hash("sale", &request),
                created,
            )
            .await
            .unwrap();
        assert_eq!(claim, Claim::Claimed);
        let card = TestCard::get(CardId::VisaSlowIssuer);
        store
            .transactions()
            .insert_pending(
                &NewTxn {
                    id: mpos_gateway::ids::new_id("txn"),
                    user_id: user.id.clone(),
                    merchant_id: merchant_id.clone(),
                    terminal_id: user.terminal_id.clone(),
                    kind: TxnKind::Sale,
                    amount: request.amount,
                    brand: request.brand,
                    masked_pan: MaskedPan::from_pan(card.pan).unwrap(),
                    card_token: "token".into(),
                    entry_mode: EntryMode::Chip,
                    created_at: created,
                    business_date: time::macros::date!(2030 - 03 - 10),
                    original_id: None,
                    idempotency_key: key.clone(),
                    receipt_token: mpos_gateway::ids::random_hex(16),
                },
                Admission::Sale {
                    per_day: limits.per_day,
                },
            )
            .await
            .unwrap();
    }

    let gw = TestGateway::start_in(dir, sqlite_test_config()).await;
    let_scheduler_run().await;
    // Within the timeout nothing changes: pending, in progress, the limit held.
    let pending = gw.transactions().await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["status"], "pending");
    let (status, resp) = gw.financial(paths::SALES, &user, &key, body.clone()).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "request_in_progress")
    );
    let (status, resp) = gw
        .sale(&user, &reader, CardId::VisaChipApproved, 1_00)
        .await;
    assert_eq!(
        (status.as_u16(), code(&resp)),
        (422, "limit_per_day_exceeded")
    );

    // 61 s later (the default timeout is 60 s) the sweep gives it up.
    gw.set_clock("2030-03-10T02:01:01Z").await;
    let_scheduler_run().await;
    let id = pending[0]["id"].as_str().unwrap();
    let txn = gw.txn(&user, id).await;
    assert_eq!(txn["status"], "reversed");
    assert_eq!(txn["response_code"], "91");
    assert_eq!(txn["response_text"], "Issuer unavailable, reversed");
    // The retry gets a definite answer: the reversed sale.
    let (status, resp) = gw.financial(paths::SALES, &user, &key, body).await;
    assert_eq!(status, StatusCode::OK, "{resp}");
    assert_eq!(resp["transaction"]["id"], id);
    assert_eq!(resp["transaction"]["status"], "reversed");
    assert_eq!(resp["signature_required"], false);
    // The daily limit is free again.
    gw.approved_sale(&user, &reader, CardId::VisaChipApproved, 1_000_00)
        .await;
}

#[tokio::test]
async fn the_pending_timeout_must_exceed_the_slow_issuer_delay() {
    let mut config = sqlite_test_config();
    config.issuer.pending_timeout_ms = config.issuer.slow_delay_ms;
    let dir = tempfile::tempdir().unwrap();
    let started = mpos_gateway::start(mpos_gateway::StartOptions {
        data_dir: dir.path().to_path_buf(),
        listen: "127.0.0.1:0".parse().unwrap(),
        config,
        tls: None,
        test_clock: true,
    })
    .await;
    assert!(matches!(
        started,
        Err(mpos_gateway::GatewayError::Config(_))
    ));
}
