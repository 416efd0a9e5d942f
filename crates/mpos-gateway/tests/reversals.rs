//! Reversals before, after and during an authorization.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::CardId;
use mpos_wire::api::paths;
use mpos_wire::EntryMode;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Sends a timeout reversal of `original_key` with a fresh key of its own.
async fn try_reverse(
    gw: &TestGateway,
    user: &AppUser,
    original_key: &str,
) -> (StatusCode, serde_json::Value) {
    gw.financial(
        paths::REVERSALS,
        user,
        &new_key(),
        json!({ "original_idempotency_key": original_key, "reason": "timeout" }),
    )
    .await
}

/// A reversal that must be acknowledged.
async fn reverse(gw: &TestGateway, user: &AppUser, original_key: &str) -> serde_json::Value {
    let (status, body) = try_reverse(gw, user, original_key).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["acknowledged"], true);
    body
}

#[tokio::test]
async fn reversal_before_the_original_refuses_it_when_it_arrives() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::new();
    let key = new_key();
    let ack = reverse(&gw, &user, &key).await;
    assert!(ack["transaction_id"].is_null());
    let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, resp) = gw.financial(paths::SALES, &user, &key, body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "already_reversed")
    );
    assert!(gw.transactions().await.is_empty(), "nothing was charged");
}

#[tokio::test]
async fn reversal_after_approval_reverses_and_releases_the_limit() {
    let gw = TestGateway::start().await;
    let limits = mpos_wire::api::Limits {
        per_transaction: mpos_wire::Money::twd_minor(1_000_00),
        per_day: mpos_wire::Money::twd_minor(1_000_00),
        refund_per_transaction: None,
    };
    let user = gw.ready_user_with("bob", &limits).await;
    let reader = Reader::new();
    let key = new_key();
    let body = sale_body(&reader, CardId::VisaChipApproved, 1_000_00, EntryMode::Chip);
    let (status, sale) = gw.financial(paths::SALES, &user, &key, body.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let id = sale["transaction"]["id"].as_str().unwrap();

    let reversal_key = new_key();
    let request = json!({ "original_idempotency_key": key, "reason": "malformed_response" });
    let (status, ack) = gw
        .financial(paths::REVERSALS, &user, &reversal_key, request.clone())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ack["transaction_id"], id);
    assert_eq!(gw.txn(&user, id).await["status"], "reversed");

    // Retried reversal: same answer. A second reversal of the same original: still acknowledged.
    let (_, again) = gw
        .financial(paths::REVERSALS, &user, &reversal_key, request)
        .await;
    assert_eq!(again, ack);
    assert_eq!(reverse(&gw, &user, &key).await["transaction_id"], id);
    // The original's key is now refused, not replayed as approved.
    let (status, resp) = gw.financial(paths::SALES, &user, &key, body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "already_reversed")
    );
    // The daily limit is free again.
    gw.approved_sale(&user, &reader, CardId::VisaChipApproved, 1_000_00)
        .await;
    // A reversed sale cannot be voided.
    let (status, resp) = gw
        .financial(
            paths::VOIDS,
            &user,
            &new_key(),
            json!({ "transaction_id": id }),
        )
        .await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "already_voided")
    );
}

#[tokio::test]
async fn reversal_during_a_slow_authorization_ends_reversed_never_approved() {
    let gw = Arc::new(TestGateway::start().await);
    let user = gw.ready_user("cat").await;
    let reader = Reader::new();
    let key = new_key();
    let body = sale_body(&reader, CardId::VisaSlowIssuer, 100_00, EntryMode::Chip);
    let sale = {
        let (gw, user, key) = (gw.clone(), user.clone(), key.clone());
        tokio::spawn(async move { gw.financial(paths::SALES, &user, &key, body).await })
    };
    tokio::time::sleep(Duration::from_millis(400)).await;
    let pending = gw.transactions().await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["status"], "pending");
    let ack = reverse(&gw, &user, &key).await;
    assert_eq!(ack["transaction_id"], pending[0]["id"]);

    let (status, resp) = sale.await.unwrap();
    assert_eq!(status, StatusCode::OK, "{resp}");
    assert_eq!(resp["transaction"]["status"], "reversed");
    assert_eq!(resp["signature_required"], false);
    let id = pending[0]["id"].as_str().unwrap();
    assert_eq!(gw.txn(&user, id).await["status"], "reversed");
    // Settlement does not pick it up.
    let (status, resp) = gw.post(paths::SETTLE, Some(&user.token), json!({})).await;
    assert_eq!((status.as_u16(), code(&resp)), (422, "nothing_to_settle"));
}

#[tokio::test]
async fn reversal_of_a_declined_or_refused_request_changes_nothing() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("dan").await;
    let reader = Reader::new();
    let key = new_key();
    let body = sale_body(&reader, CardId::VisaDeclined05, 100_00, EntryMode::Chip);
    let (_, declined) = gw.financial(paths::SALES, &user, &key, body).await;
    let id = declined["transaction"]["id"].as_str().unwrap();
    let ack = reverse(&gw, &user, &key).await;
    assert_eq!(ack["transaction_id"], id);
    assert_eq!(gw.txn(&user, id).await["status"], "declined");

    let refused_key = new_key();
    let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Swipe);
    let (_, refused) = gw.financial(paths::SALES, &user, &refused_key, body).await;
    assert_eq!(code(&refused), "chip_required");
    assert!(reverse(&gw, &user, &refused_key).await["transaction_id"].is_null());
}

#[tokio::test]
async fn reversal_of_a_settled_sale_is_refused() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("eve").await;
    let reader = Reader::new();
    let key = new_key();
    let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    gw.financial(paths::SALES, &user, &key, body).await;
    let (status, _) = gw.post(paths::SETTLE, Some(&user.token), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, resp) = try_reverse(&gw, &user, &key).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "already_settled")
    );
}

#[tokio::test]
async fn another_user_cannot_reverse_a_sale_without_the_password() {
    // The attack: user B, never re-entering a password, reverses user A's
    // approved sale by its key. The reversal is refused and the sale stands;
    // the owner may still reverse it, or void it with the password.
    let gw = TestGateway::start().await;
    let owner = gw.ready_user("fay").await;
    let other = gw.ready_user("gus").await;
    let reader = Reader::new();
    let key = new_key();
    let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, sale) = gw.financial(paths::SALES, &owner, &key, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{sale}");
    let id = sale["transaction"]["id"].as_str().unwrap();
    let (status, resp) = try_reverse(&gw, &other, &key).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::FORBIDDEN, "reversal_not_owner")
    );
    assert_eq!(gw.txn(&owner, id).await["status"], "approved");
    // The owner's retry still replays the approval.
    let (status, replay) = gw.financial(paths::SALES, &owner, &key, body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replay["transaction"]["status"], "approved");
    assert_eq!(reverse(&gw, &owner, &key).await["transaction_id"], id);
}

#[tokio::test]
async fn one_key_under_two_users_charges_once() {
    let gw = TestGateway::start().await;
    let amy = gw.ready_user("jan").await;
    let bob = gw.ready_user("kim").await;
    let reader = Reader::new();
    let key = new_key();
    let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, _) = gw.financial(paths::SALES, &amy, &key, body).await;
    assert_eq!(status, StatusCode::OK);
    let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, resp) = gw.financial(paths::SALES, &bob, &key, body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "idempotency_conflict")
    );
    assert_eq!(gw.transactions().await.len(), 1, "charged once");
}

#[tokio::test]
async fn a_tombstone_belongs_to_its_sender() {
    // A reversal sent early by one user leaves a tombstone under that user's
    // key. Another user's later request with the same key is refused as a
    // conflict, never answered `already_reversed` on the first user's behalf,
    // and charges nothing.
    let gw = TestGateway::start().await;
    let owner = gw.ready_user("hal").await;
    let other = gw.ready_user("ivy").await;
    let reader = Reader::new();
    let key = new_key();
    assert!(reverse(&gw, &other, &key).await["transaction_id"].is_null());
    let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, resp) = gw.financial(paths::SALES, &owner, &key, body.clone()).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "idempotency_conflict")
    );
    let (status, resp) = gw.financial(paths::SALES, &other, &key, body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "already_reversed")
    );
    assert!(gw.transactions().await.is_empty(), "nothing was charged");
}

#[tokio::test]
async fn an_approved_sale_past_the_reversal_window_needs_a_void() {
    let gw = TestGateway::start().await;
    let mut user = gw.ready_user("lea").await;
    gw.set_clock("2030-03-10T02:00:00Z").await;
    gw.relogin(&mut user).await;
    let reader = Reader::new();
    let key = new_key();
    let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, sale) = gw.financial(paths::SALES, &user, &key, body).await;
    assert_eq!(status, StatusCode::OK, "{sale}");
    let id = sale["transaction"]["id"].as_str().unwrap();
    // Five minutes and one second later (the default window is five minutes).
    gw.set_clock("2030-03-10T02:05:01Z").await;
    let (status, resp) = try_reverse(&gw, &user, &key).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "reversal_window_passed")
    );
    assert_eq!(gw.txn(&user, id).await["status"], "approved");
    gw.reenter_password(&user.token, &user.password).await;
    let (status, voided) = gw
        .financial(
            paths::VOIDS,
            &user,
            &new_key(),
            json!({ "transaction_id": id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{voided}");
    assert_eq!(gw.txn(&user, id).await["status"], "voided");
}

#[tokio::test]
async fn keys_of_less_than_128_bits_are_refused() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("max").await;
    let reader = Reader::new();
    let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, resp) = gw.financial(paths::SALES, &user, "order-42", body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (status, resp) = try_reverse(&gw, &user, "order-42").await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    assert!(gw.transactions().await.is_empty());
}
