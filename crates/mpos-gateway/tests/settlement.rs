//! Business dates, manual settlement, and the automatic 23:00 run.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::CardId;
use mpos_wire::api::paths;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// Waits until the scheduler has had several ticks.
async fn let_scheduler_run() {
    tokio::time::sleep(Duration::from_millis(400)).await;
}

/// Every approved capture is in exactly one batch, and each batch's count matches its members.
async fn assert_each_capture_in_one_batch(gw: &TestGateway) {
    let batches = gw.batches().await;
    let transactions = gw.transactions().await;
    let mut members: HashMap<String, u64> = HashMap::new();
    for t in &transactions {
        if let Some(batch) = t["batch_id"].as_str() {
            assert_eq!(
                t["status"], "approved",
                "only approved captures are settled: {t}"
            );
            *members.entry(batch.to_string()).or_default() += 1;
        }
    }
    for batch in &batches {
        let id = batch["id"].as_str().unwrap();
        assert_eq!(
            batch["totals"]["count"].as_u64(),
            members.get(id).copied().or(Some(0)),
            "batch {id}"
        );
    }
    let total: u64 = batches
        .iter()
        .map(|b| b["totals"]["count"].as_u64().unwrap())
        .sum();
    let settled = transactions
        .iter()
        .filter(|t| t["batch_id"].is_string())
        .count() as u64;
    assert_eq!(total, settled);
}

#[tokio::test]
async fn business_date_cuts_off_at_23_00_taipei() {
    let gw = TestGateway::start().await;
    let mut user = gw.ready_user("amy").await;
    let reader = Reader::new();
    gw.set_clock("2030-03-10T14:59:59Z").await; // 22:59:59 Taipei
    gw.relogin(&mut user).await;
    let before = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    assert_eq!(before["business_date"], "2030-03-10");
    gw.set_clock("2030-03-10T15:00:00Z").await; // 23:00:00 Taipei
    let at = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    assert_eq!(at["business_date"], "2030-03-11");
    gw.later(&mut user, "2030-03-10T16:30:00Z").await; // 00:30 next day Taipei
    let after_midnight = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    assert_eq!(after_midnight["business_date"], "2030-03-11");
}

#[tokio::test]
async fn an_approval_landing_after_23_00_counts_on_its_landing_day() {
    // A slow sale admitted at 22:59:59 is approved after the cut-off and
    // lands on the next business date, where a faster sale already used the
    // limit: it must not be kept, or the day's limit is exceeded.
    let limits = mpos_wire::api::Limits {
        per_transaction: mpos_wire::Money::twd_minor(1_000_00),
        per_day: mpos_wire::Money::twd_minor(1_000_00),
        refund_per_transaction: None,
    };
    let gw = std::sync::Arc::new(TestGateway::start().await);
    let mut user = gw.ready_user_with("kai", &limits).await;
    gw.later(&mut user, "2030-03-10T14:59:59Z").await; // 22:59:59 Taipei
    let reader = std::sync::Arc::new(Reader::new());
    let slow = {
        let (gw, user, reader) = (gw.clone(), user.clone(), reader.clone());
        tokio::spawn(async move {
            gw.sale(&user, &reader, CardId::VisaSlowIssuer, 600_00)
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(1_100)).await; // past 23:00:00 on the test clock
    let fast = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 600_00)
        .await;
    assert_eq!(fast["business_date"], "2030-03-11");
    let (status, slow) = slow.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{slow}");
    let slow = &slow["transaction"];
    assert_eq!(slow["status"], "reversed", "{slow}");
    assert_eq!(slow["response_code"], "61");
    let kept: u64 = gw
        .transactions()
        .await
        .iter()
        .filter(|t| t["status"] == "approved" && t["business_date"] == "2030-03-11")
        .map(|t| t["amount"]["minor"].as_u64().unwrap())
        .sum();
    assert_eq!(kept, 600_00, "the day holds no more than its limit");
}

#[tokio::test]
async fn manual_settlement_closes_the_terminal_once() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("bob").await;
    let other = gw.ready_user("cat").await;
    let reader = Reader::new();
    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 1_000_00)
        .await;
    gw.approved_sale(&user, &reader, CardId::JcbNoSignature, 500_00)
        .await;
    gw.sale(&user, &reader, CardId::VisaDeclined05, 700_00)
        .await;
    let voided = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 900_00)
        .await;
    gw.financial(
        paths::VOIDS,
        &user,
        &new_key(),
        json!({ "transaction_id": voided["id"] }),
    )
    .await;
    let body = refund_body(
        &reader,
        CardId::VisaChipApproved,
        300_00,
        sale["auth_code"].as_str().unwrap(),
        mpos_wire::EntryMode::Swipe,
    );
    gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    gw.approved_sale(&other, &reader, CardId::VisaChipApproved, 4_000_00)
        .await;

    let (status, preview) = gw.get(paths::SETTLEMENT_PREVIEW, &user.token).await;
    assert_eq!(status, StatusCode::OK);
    let totals = &preview["totals"];
    assert_eq!(totals["count"], 3);
    assert_eq!(totals["sales_count"], 2);
    assert_eq!(totals["sales_total"]["minor"], 1_500_00);
    assert_eq!(totals["refunds_total"]["minor"], 300_00);
    assert_eq!(totals["net_total"]["minor"], 1_200_00);
    assert_eq!(totals["per_brand"].as_array().unwrap().len(), 2);
    assert_eq!(preview["next_auto_settlement"], "2030-03-10T15:00:00.000Z");

    let (status, settled) = gw.post(paths::SETTLE, Some(&user.token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{settled}");
    assert_eq!(settled["batch"]["trigger"], "manual");
    assert_eq!(settled["batch"]["business_date"], "2030-03-10");
    assert_eq!(settled["batch"]["totals"], *totals);
    let (status, body) = gw.post(paths::SETTLE, Some(&user.token), json!({})).await;
    assert_eq!((status.as_u16(), code(&body)), (422, "nothing_to_settle"));
    let (_, preview) = gw.get(paths::SETTLEMENT_PREVIEW, &user.token).await;
    assert_eq!(preview["totals"]["count"], 0);

    // The other terminal is untouched.
    let (_, preview) = gw.get(paths::SETTLEMENT_PREVIEW, &other.token).await;
    assert_eq!(preview["totals"]["count"], 1);
    assert_each_capture_in_one_batch(&gw).await;
}

#[tokio::test]
async fn automatic_settlement_runs_once_and_takes_only_due_captures() {
    // Kept for the restart: the same database.
    let config = test_config();
    let gw = TestGateway::start_with(config.clone()).await;
    let mut amy = gw.ready_user("amy").await;
    let mut bob = gw.ready_user("bob").await;
    let reader = Reader::new();
    gw.set_clock("2030-03-10T12:00:00Z").await; // 20:00 Taipei
    gw.relogin(&mut amy).await;
    gw.relogin(&mut bob).await;
    let_scheduler_run().await;
    assert!(gw.batches().await.is_empty(), "nothing before 23:00");
    let a1 = gw
        .approved_sale(&amy, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    let a2 = gw
        .approved_sale(&amy, &reader, CardId::MastercardChipApproved, 200_00)
        .await;
    let b1 = gw
        .approved_sale(&bob, &reader, CardId::VisaChipApproved, 300_00)
        .await;
    let declined = gw
        .sale(&bob, &reader, CardId::VisaDeclined51, 400_00)
        .await
        .1["transaction"]
        .clone();
    let_scheduler_run().await;
    assert!(gw.batches().await.is_empty());

    gw.later(&mut amy, "2030-03-10T15:00:01Z").await; // 23:00:01 Taipei
    let late = gw
        .approved_sale(&amy, &reader, CardId::VisaChipApproved, 500_00)
        .await;
    assert_eq!(late["business_date"], "2030-03-11");
    let_scheduler_run().await;

    let batches = gw.batches().await;
    assert_eq!(batches.len(), 2, "one batch per terminal: {batches:?}");
    for batch in &batches {
        assert_eq!(batch["trigger"], "automatic");
        assert_eq!(batch["business_date"], "2030-03-10");
    }
    let by_id: HashMap<String, Value> = gw
        .transactions()
        .await
        .into_iter()
        .map(|t| (t["id"].as_str().unwrap().to_string(), t))
        .collect();
    let batch_of = |t: &Value| by_id[t["id"].as_str().unwrap()]["batch_id"].clone();
    assert!(batch_of(&a1).is_string());
    assert_eq!(batch_of(&a1), batch_of(&a2));
    assert!(batch_of(&b1).is_string());
    assert_ne!(batch_of(&a1), batch_of(&b1));
    assert!(
        batch_of(&late).is_null(),
        "after the cut-off: next day's batch"
    );
    assert!(batch_of(&declined).is_null());

    // More ticks, the same evening: nothing new.
    let_scheduler_run().await;
    assert_eq!(gw.batches().await.len(), 2);
    assert_each_capture_in_one_batch(&gw).await;

    // A restart does not run the date again; the next evening takes the late sale.
    let dir = gw.stop().await;
    let gw = TestGateway::start_in(dir, config).await;
    gw.set_clock("2030-03-10T15:30:00Z").await;
    let_scheduler_run().await;
    assert_eq!(gw.batches().await.len(), 2);
    gw.set_clock("2030-03-11T15:00:01Z").await;
    let_scheduler_run().await;
    let batches = gw.batches().await;
    assert_eq!(batches.len(), 3);
    assert_eq!(batches[0]["business_date"], "2030-03-11");
    assert_eq!(batches[0]["totals"]["count"], 1);
    assert_each_capture_in_one_batch(&gw).await;
}

#[tokio::test]
async fn missed_days_are_caught_up() {
    let gw = TestGateway::start().await;
    let mut user = gw.ready_user("dan").await;
    let reader = Reader::new();
    gw.approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await; // 2030-03-10
    gw.set_clock("2030-03-11T02:00:00Z").await;
    // The gateway was "down" over the 03-10 cut-off; then one more sale on 03-11.
    gw.relogin(&mut user).await;
    let_scheduler_run().await;
    gw.approved_sale(&user, &reader, CardId::VisaChipApproved, 200_00)
        .await;
    gw.set_clock("2030-03-13T02:00:00Z").await;
    let_scheduler_run().await;
    let batches = gw.batches().await;
    let dates: Vec<&str> = batches
        .iter()
        .map(|b| b["business_date"].as_str().unwrap())
        .collect();
    assert_eq!(
        dates,
        vec!["2030-03-11", "2030-03-10"],
        "newest first, one per date with captures"
    );
    assert_each_capture_in_one_batch(&gw).await;
}
