//! Two gateway instances on one PostgreSQL database behave as one gateway:
//! the same request sent to both charges once, limits and refund ceilings
//! hold when sales race across them, a DUKPT counter seen by one is a
//! replay at the other, wrong passwords, unknown names and rate limits
//! count together, and the 23:00
//! settlement closes each capture into exactly one batch although both
//! schedulers run it.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use futures_util::future::join_all;
use mpos_cards::CardId;
use mpos_wire::api::{paths, Limits};
use mpos_wire::{EntryMode, Money};
use reqwest::StatusCode;
use std::collections::HashMap;
use std::time::Duration;

/// Two instances on one fresh database, clocks at the test morning.
async fn two_instances() -> (TestGateway, TestGateway) {
    let config = postgres_test_config();
    let a = TestGateway::start_with(config.clone()).await;
    let b = TestGateway::start_with(config).await;
    (a, b)
}

fn limits(per_day: u64) -> Limits {
    Limits {
        per_transaction: Money::twd_minor(per_day),
        per_day: Money::twd_minor(per_day),
        refund_per_transaction: None,
    }
}

#[tokio::test]
async fn one_request_sent_to_both_instances_charges_once() {
    let (a, b) = two_instances().await;
    let user = a.ready_user("amy").await;
    let reader = Reader::new();
    let key = new_key();
    let body = sale_body(&reader, CardId::VisaChipApproved, 120_00, EntryMode::Chip);
    let (first, second) = tokio::join!(
        a.financial(paths::SALES, &user, &key, body.clone()),
        b.financial(paths::SALES, &user, &key, body.clone()),
    );
    // One is answered; the other is the same answer or "still in progress".
    let answers = [first, second];
    let approved: Vec<_> = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .collect();
    assert!(!approved.is_empty(), "{answers:?}");
    for (status, body) in &answers {
        assert!(
            *status == StatusCode::OK || code(body) == "request_in_progress",
            "{status} {body}"
        );
    }
    // A retry at either instance replays the one transaction.
    let (status, again) = b.financial(paths::SALES, &user, &key, body).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        again["transaction"]["id"],
        approved[0].1["transaction"]["id"]
    );
    let sales = a.transactions().await;
    assert_eq!(sales.len(), 1, "charged once: {sales:?}");
}

#[tokio::test]
async fn the_daily_limit_holds_when_sales_race_across_instances() {
    let (a, b) = two_instances().await;
    let user = a.ready_user_with("bob", &limits(1_000_00)).await;
    // One reader each: a reader's own counter only goes up in the order it sends.
    let keys: Vec<String> = (0..8).map(|_| new_key()).collect();
    let mut racing = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let gw = if i % 2 == 0 { &a } else { &b };
        let body = sale_body(
            &Reader::new(),
            CardId::VisaChipApproved,
            300_00,
            EntryMode::Chip,
        );
        racing.push(gw.financial(paths::SALES, &user, key, body));
    }
    let answers = join_all(racing).await;
    let approved = answers
        .iter()
        .filter(|(_, body)| body["transaction"]["status"] == "approved")
        .count();
    assert_eq!(
        approved, 3,
        "NT$1,000 a day holds three NT$300 sales: {answers:?}"
    );
    for (status, body) in &answers {
        assert!(
            body["transaction"]["status"] == "approved" || code(body) == "limit_per_day_exceeded",
            "{status} {body}"
        );
    }
}

#[tokio::test]
async fn a_counter_seen_by_one_instance_is_a_replay_at_the_other() {
    let (a, b) = two_instances().await;
    let user = a.ready_user("cat").await;
    let reader = Reader::new();
    let body = sale_body(&reader, CardId::VisaChipApproved, 50_00, EntryMode::Chip);
    let (status, first) = a
        .financial(paths::SALES, &user, &new_key(), body.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    // The same reader message (same KSN) under a new key, at the other instance.
    let (status, replayed) = b.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(
        (status.as_u16(), code(&replayed)),
        (409, "ksn_reused"),
        "{replayed}"
    );
    assert_eq!(a.transactions().await.len(), 1);
}

#[tokio::test]
async fn wrong_passwords_at_either_instance_count_together() {
    let (a, b) = two_instances().await;
    let user = a.ready_user("dan").await;
    for attempt in 1..=4 {
        let gw = if attempt % 2 == 0 { &a } else { &b };
        let (status, body) = gw.login("dan", "000000").await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, "invalid_credentials")
        );
    }
    let (status, body) = b.login("dan", "000000").await;
    assert_eq!((status.as_u16(), code(&body)), (423, "account_locked"));
    // Locked at both: the right password too.
    let (status, body) = a.login("dan", &user.password).await;
    assert_eq!((status.as_u16(), code(&body)), (423, "account_locked"));
}

#[tokio::test]
async fn an_unknown_name_locks_across_instances_as_a_real_one_does() {
    let (a, b) = two_instances().await;
    for attempt in 1..=4 {
        let gw = if attempt % 2 == 0 { &a } else { &b };
        let (status, body) = gw.login("ghost", "000000").await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, "invalid_credentials")
        );
    }
    let (status, body) = a.login("ghost", "000000").await;
    assert_eq!((status.as_u16(), code(&body)), (423, "account_locked"));
    let (status, body) = b.login("ghost", "123456").await;
    assert_eq!((status.as_u16(), code(&body)), (423, "account_locked"));
}

#[tokio::test]
async fn rate_limits_count_the_requests_of_every_instance_together() {
    let mut config = postgres_test_config();
    config.rate_limits.logins_per_username_per_minute = 3;
    let a = TestGateway::start_with(config.clone()).await;
    let b = TestGateway::start_with(config).await;
    let mut answers = Vec::new();
    for attempt in 0..4 {
        let gw = if attempt % 2 == 0 { &a } else { &b };
        answers.push(gw.login("fay", "000000").await);
    }
    // Each instance saw two: only their sum reaches the limit of three.
    for (status, body) in &answers[..3] {
        assert_eq!(code(body), "invalid_credentials", "{status} {body}");
    }
    let (status, body) = &answers[3];
    assert_eq!((status.as_u16(), code(body)), (429, "too_many_requests"));
}

#[tokio::test]
async fn refunds_racing_across_instances_stay_within_the_original() {
    let (a, b) = two_instances().await;
    let user = a.ready_user("eve").await;
    let reader = Reader::new();
    let sale = a
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 1_000_00)
        .await;
    let auth = sale["auth_code"].as_str().unwrap().to_string();
    let keys: Vec<String> = (0..6).map(|_| new_key()).collect();
    let mut racing = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let gw = if i % 2 == 0 { &a } else { &b };
        let body = refund_body(
            &Reader::new(),
            CardId::VisaChipApproved,
            400_00,
            &auth,
            EntryMode::Swipe,
        );
        racing.push(gw.financial(paths::REFUNDS, &user, key, body));
    }
    let answers = join_all(racing).await;
    let refunded: u64 = answers
        .iter()
        .filter(|(_, body)| body["transaction"]["status"] == "approved")
        .count() as u64
        * 400_00;
    assert_eq!(
        refunded, 800_00,
        "two NT$400 refunds fit NT$1,000: {answers:?}"
    );
    for (status, body) in &answers {
        assert!(
            body["transaction"]["status"] == "approved" || code(body) == "refund_exceeds_original",
            "{status} {body}"
        );
    }
}

#[tokio::test]
async fn both_schedulers_settle_each_capture_exactly_once() {
    let (a, b) = two_instances().await;
    let mut amy = a.ready_user("amy").await;
    let mut bob = b.ready_user("bob").await;
    let reader = Reader::new();
    for _ in 0..5 {
        a.approved_sale(&amy, &reader, CardId::VisaChipApproved, 10_00)
            .await;
        b.approved_sale(&bob, &reader, CardId::VisaChipApproved, 10_00)
            .await;
    }
    // 23:00:00.000 Taipei at both instances at once.
    let cutoff = "2030-03-10T15:00:00Z";
    tokio::join!(a.set_clock(cutoff), b.set_clock(cutoff));
    tokio::time::sleep(Duration::from_millis(600)).await;
    a.later(&mut amy, cutoff).await;
    b.later(&mut bob, cutoff).await;

    let batches = a.batches().await;
    assert_eq!(
        batches.len(),
        2,
        "one batch per terminal, not one per instance: {batches:?}"
    );
    assert_eq!(b.batches().await.len(), 2);
    let mut members: HashMap<String, u64> = HashMap::new();
    let transactions = b.transactions().await;
    for t in &transactions {
        let batch = t["batch_id"].as_str().expect("every capture settled");
        *members.entry(batch.to_string()).or_default() += 1;
    }
    for batch in &batches {
        assert_eq!(batch["trigger"], "automatic");
        let id = batch["id"].as_str().unwrap();
        assert_eq!(members.get(id), Some(&5), "a batch is never split: {batch}");
        assert_eq!(batch["totals"]["count"], 5);
    }
}
