//! Refunds against an authorization code, and voids.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::CardId;
use mpos_wire::api::paths;
use mpos_wire::EntryMode;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn partial_refunds_sum_up_to_the_original() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::new();
    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 1_000_00)
        .await;
    let auth = sale["auth_code"].as_str().unwrap();

    let body = refund_body(
        &reader,
        CardId::VisaChipApproved,
        600_00,
        auth,
        EntryMode::Swipe,
    );
    let (status, first) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let refund = &first["transaction"];
    assert_eq!(refund["kind"], "refund");
    assert_eq!(refund["status"], "approved");
    assert_eq!(refund["original_transaction_id"], sale["id"]);
    assert_ne!(refund["auth_code"], sale["auth_code"]);

    let body = refund_body(
        &reader,
        CardId::VisaChipApproved,
        400_01,
        auth,
        EntryMode::Swipe,
    );
    let (status, resp) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!(
        (status.as_u16(), code(&resp)),
        (422, "refund_exceeds_original")
    );
    let body = refund_body(
        &reader,
        CardId::VisaChipApproved,
        400_00,
        auth,
        EntryMode::Swipe,
    );
    let (status, _) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        gw.txn(&user, sale["id"].as_str().unwrap()).await["refunded"]["minor"],
        1_000_00
    );
    let body = refund_body(&reader, CardId::VisaChipApproved, 1, auth, EntryMode::Swipe);
    let (_, resp) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!(code(&resp), "refund_exceeds_original");
}

#[tokio::test]
async fn refund_checks_original_card_and_entry_mode() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("bob").await;
    let reader = Reader::new();
    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 500_00)
        .await;
    let auth = sale["auth_code"].as_str().unwrap();

    let body = refund_body(
        &reader,
        CardId::VisaChipApproved,
        100_00,
        auth,
        EntryMode::Chip,
    );
    let (status, resp) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!((status.as_u16(), code(&resp)), (422, "swipe_required"));

    let body = refund_body(
        &reader,
        CardId::VisaSwipeOnlyApproved,
        100_00,
        auth,
        EntryMode::Swipe,
    );
    let (status, resp) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!((status.as_u16(), code(&resp)), (422, "card_mismatch"));

    let wrong_auth = if auth == "000000" { "000001" } else { "000000" };
    let body = refund_body(
        &reader,
        CardId::VisaChipApproved,
        100_00,
        wrong_auth,
        EntryMode::Swipe,
    );
    let (status, resp) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::NOT_FOUND, "original_not_found")
    );

    // A declined sale has no authorization code to refund; a voided one is gone.
    let (status, _) = gw
        .financial(
            paths::VOIDS,
            &user,
            &new_key(),
            json!({ "transaction_id": sale["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let body = refund_body(
        &reader,
        CardId::VisaChipApproved,
        100_00,
        auth,
        EntryMode::Swipe,
    );
    let (status, resp) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::NOT_FOUND, "original_not_found")
    );
}

#[tokio::test]
async fn refunds_have_their_own_limit_and_work_after_settlement() {
    let gw = TestGateway::start().await;
    let limits = mpos_wire::api::Limits {
        per_transaction: mpos_wire::Money::twd_minor(5_000_00),
        per_day: mpos_wire::Money::twd_minor(50_000_00),
        refund_per_transaction: Some(mpos_wire::Money::twd_minor(1_000_00)),
    };
    let user = gw.ready_user_with("cat", &limits).await;
    let reader = Reader::new();
    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaSwipeOnlyApproved, 3_000_00)
        .await;
    let auth = sale["auth_code"].as_str().unwrap();
    let (status, _) = gw.post(paths::SETTLE, Some(&user.token), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let body = refund_body(
        &reader,
        CardId::VisaSwipeOnlyApproved,
        1_000_01,
        auth,
        EntryMode::Swipe,
    );
    let (status, resp) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!(
        (status.as_u16(), code(&resp)),
        (422, "limit_per_transaction_exceeded")
    );
    let body = refund_body(
        &reader,
        CardId::VisaSwipeOnlyApproved,
        1_000_00,
        auth,
        EntryMode::Swipe,
    );
    let (status, resp) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!(status, StatusCode::OK, "{resp}");
    assert_eq!(resp["transaction"]["status"], "approved");
}

#[tokio::test]
async fn void_rules() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("dan").await;
    let reader = Reader::new();
    let void = |id: serde_json::Value| json!({ "transaction_id": id });

    // Unsettled approved: voided; twice: already voided.
    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    let (status, voided) = gw
        .financial(paths::VOIDS, &user, &new_key(), void(sale["id"].clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{voided}");
    assert_eq!(voided["status"], "voided");
    let (status, resp) = gw
        .financial(paths::VOIDS, &user, &new_key(), void(sale["id"].clone()))
        .await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "already_voided")
    );

    // Declined: not approved.
    let (_, declined) = gw
        .sale(&user, &reader, CardId::VisaDeclined05, 100_00)
        .await;
    let (status, resp) = gw
        .financial(
            paths::VOIDS,
            &user,
            &new_key(),
            void(declined["transaction"]["id"].clone()),
        )
        .await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "not_approved")
    );

    // With a live refund: has refunds, until the refund is voided.
    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 500_00)
        .await;
    let body = refund_body(
        &reader,
        CardId::VisaChipApproved,
        100_00,
        sale["auth_code"].as_str().unwrap(),
        EntryMode::Swipe,
    );
    let (_, refund) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    let (status, resp) = gw
        .financial(paths::VOIDS, &user, &new_key(), void(sale["id"].clone()))
        .await;
    assert_eq!((status, code(&resp)), (StatusCode::CONFLICT, "has_refunds"));
    let (status, _) = gw
        .financial(
            paths::VOIDS,
            &user,
            &new_key(),
            void(refund["transaction"]["id"].clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        gw.txn(&user, sale["id"].as_str().unwrap()).await["refunded"]["minor"],
        0
    );
    let (status, _) = gw
        .financial(paths::VOIDS, &user, &new_key(), void(sale["id"].clone()))
        .await;
    assert_eq!(status, StatusCode::OK);

    // Settled: refund instead.
    let settled = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    let (status, _) = gw.post(paths::SETTLE, Some(&user.token), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, resp) = gw
        .financial(paths::VOIDS, &user, &new_key(), void(settled["id"].clone()))
        .await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "already_settled")
    );

    // Unknown id.
    let (status, resp) = gw
        .financial(paths::VOIDS, &user, &new_key(), void(json!("txn_nothing")))
        .await;
    assert_eq!((status, code(&resp)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn the_receipt_page_says_when_a_sale_was_voided_or_refunded() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("rita").await;
    let reader = Reader::new();
    let page = |url: &str| {
        let url = url.to_string();
        let client = gw.client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };

    let voided = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    let before = page(voided["receipt_url"].as_str().unwrap()).await;
    assert!(!before.contains("status-notice"), "{before}");
    let (status, _) = gw
        .financial(
            paths::VOIDS,
            &user,
            &new_key(),
            json!({ "transaction_id": voided["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let after = page(voided["receipt_url"].as_str().unwrap()).await;
    assert!(after.contains("已取消 VOIDED"), "{after}");
    assert!(after.contains("the cardholder is not charged"), "{after}");

    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 1_000_00)
        .await;
    let body = refund_body(
        &reader,
        CardId::VisaChipApproved,
        600_00,
        sale["auth_code"].as_str().unwrap(),
        EntryMode::Swipe,
    );
    let (status, refund) = gw.financial(paths::REFUNDS, &user, &new_key(), body).await;
    assert_eq!(status, StatusCode::OK, "{refund}");
    let original = page(sale["receipt_url"].as_str().unwrap()).await;
    assert!(original.contains("Refunded"), "{original}");
    assert!(original.contains("NT$600"), "{original}");
    let refund_page = page(refund["transaction"]["receipt_url"].as_str().unwrap()).await;
    assert!(refund_page.contains("退貨 REFUND"), "{refund_page}");
    assert!(refund_page.contains("This is a refund"), "{refund_page}");
    assert!(
        refund_page.contains(sale["invoice_no"].as_str().unwrap()),
        "names the original's invoice: {refund_page}"
    );
}
