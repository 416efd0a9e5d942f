//! Sales: issuer answers, card checks, limits, idempotency.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::CardId;
use mpos_wire::api::paths;
use mpos_wire::{Brand, EntryMode};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

#[tokio::test]
async fn approved_sale_keeps_only_masked_pan_and_token() {
    let gw = TestGateway::start_with(sqlite_test_config()).await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::new();
    let (status, body) = gw
        .sale(&user, &reader, CardId::VisaChipApproved, 1_200_00)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let txn = &body["transaction"];
    assert_eq!(txn["status"], "approved");
    assert_eq!(txn["response_code"], "00");
    assert_eq!(txn["masked_pan"], "411111******1111");
    assert_eq!(txn["entry_mode"], "chip");
    assert_eq!(txn["invoice_no"], "000001");
    assert_eq!(txn["business_date"], "2030-03-10");
    let auth = txn["auth_code"].as_str().unwrap();
    assert!(
        auth.len() == 6 && auth.bytes().all(|b| b.is_ascii_digit()),
        "{auth}"
    );
    assert!(txn["receipt_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/r/", gw.base)));
    assert_eq!(
        body["signature_required"], false,
        "VISA signs only above NT$3,000"
    );

    let second = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 3_000_01)
        .await;
    assert_eq!(second["invoice_no"], "000002", "per-terminal sequence");
    assert_ne!(second["auth_code"], txn["auth_code"]);

    let (_, union_pay) = gw
        .sale(&user, &reader, CardId::UnionPayApproved, 100_00)
        .await;
    assert_eq!(
        union_pay["signature_required"], true,
        "UnionPay always signs"
    );
    let (_, big) = gw
        .sale(&user, &reader, CardId::MastercardChipApproved, 3_000_01)
        .await;
    assert_eq!(big["signature_required"], true);

    // The database file holds no clear card number.
    let stopped = gw.stop().await;
    for file in ["gateway.db", "gateway.db-wal"] {
        let bytes = std::fs::read(stopped.path().join(file)).unwrap_or_default();
        for pan in ["4111111111111111", "6200000000000005", "5555555555554444"] {
            assert!(
                !bytes.windows(pan.len()).any(|w| w == pan.as_bytes()),
                "{pan} found in {file}"
            );
        }
    }
}

#[tokio::test]
async fn issuer_declines_by_card() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("bob").await;
    let reader = Reader::new();
    for (card, expected) in [
        (CardId::VisaDeclined05, "05"),
        (CardId::VisaDeclined51, "51"),
        (CardId::VisaExpired, "54"),
        (CardId::VisaLost, "41"),
        (CardId::VisaStolen, "43"),
    ] {
        let (status, body) = gw.sale(&user, &reader, card, 100_00).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let txn = &body["transaction"];
        assert_eq!(txn["status"], "declined", "{card:?}");
        assert_eq!(txn["response_code"], expected, "{card:?}");
        assert!(txn["auth_code"].is_null());
        assert_eq!(body["signature_required"], false);
    }
    let all = gw.transactions().await;
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|t| t["status"] == "declined"));
}

#[tokio::test]
async fn expiry_is_judged_by_the_taipei_month() {
    let gw = TestGateway::start().await;
    let mut user = gw.ready_user("cal").await;
    let reader = Reader::new();
    // Test cards expire 12/2030: on 2030-12-31 23:30 Taipei (15:30 UTC) they still work.
    gw.set_clock("2030-12-31T15:30:00Z").await;
    gw.relogin(&mut user).await;
    let txn = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    assert_eq!(
        txn["business_date"], "2031-01-01",
        "after 23:00 the capture is next day's"
    );
    // 2031-01-01 00:30 Taipei is 2030-12-31 16:30 UTC: expired in Taipei.
    gw.later(&mut user, "2030-12-31T16:30:00Z").await;
    let (_, body) = gw
        .sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    assert_eq!(body["transaction"]["response_code"], "54");
}

#[tokio::test]
async fn chip_cards_must_not_be_swiped_unless_the_chip_failed() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("dan").await;
    let reader = Reader::new();
    let swiped = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Swipe);
    let (status, body) = gw.financial(paths::SALES, &user, &new_key(), swiped).await;
    assert_eq!((status.as_u16(), code(&body)), (422, "chip_required"));
    let fallback = sale_body(
        &reader,
        CardId::VisaChipApproved,
        100_00,
        EntryMode::FallbackSwipe,
    );
    let (status, body) = gw
        .financial(paths::SALES, &user, &new_key(), fallback)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["transaction"]["entry_mode"], "fallback_swipe");
    let stripe_only = sale_body(
        &reader,
        CardId::VisaSwipeOnlyApproved,
        100_00,
        EntryMode::Swipe,
    );
    let (status, body) = gw
        .financial(paths::SALES, &user, &new_key(), stripe_only)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["transaction"]["status"], "approved");
}

#[tokio::test]
async fn a_refunds_swipe_of_a_chip_card_relabelled_fallback_is_refused_as_a_sale() {
    // The attack: a refund is swipe only, so the reader seals an ordinary
    // swipe of a chip card; a tampered phone relabels it "fallback_swipe"
    // and sends it as a sale. The reader's sealed count says no chip
    // failure happened, so the gateway refuses it.
    let gw = TestGateway::start().await;
    let user = gw.ready_user("ela").await;
    let reader = Reader::new();
    let mut relabelled = reader.read(CardId::VisaChipApproved, EntryMode::Swipe);
    relabelled.entry_mode = EntryMode::FallbackSwipe;
    let body = json!({
        "amount": mpos_wire::Money::twd_minor(100_00),
        "brand": "visa",
        "card": relabelled,
    });
    let (status, body) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (422, "chip_required"),
        "{body}"
    );
    assert!(gw.transactions().await.is_empty(), "nothing was charged");
}

#[tokio::test]
async fn brand_must_match_and_be_accepted() {
    let mut config = test_config();
    config
        .brands
        .iter_mut()
        .find(|b| b.brand == Brand::Amex)
        .unwrap()
        .accepted = false;
    let gw = TestGateway::start_with(config).await;
    let user = gw.ready_user("eve").await;
    let reader = Reader::new();
    let body = sale_body_brand(&reader, CardId::VisaChipApproved, 100_00, Brand::Jcb);
    let (status, body) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!((status.as_u16(), code(&body)), (422, "brand_mismatch"));
    let body = sale_body(&reader, CardId::AmexApproved, 100_00, EntryMode::Chip);
    let (status, body) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!((status.as_u16(), code(&body)), (422, "brand_not_accepted"));
    assert!(
        gw.transactions().await.is_empty(),
        "refused sales leave no transaction"
    );
}

#[tokio::test]
async fn card_data_is_checked_by_the_hsm() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("fay").await;
    let reader = Reader::new();

    // Masked PAN that is not the card's.
    let mut body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    body["card"]["masked_pan"] = json!("424242******4242");
    let (status, resp) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::BAD_REQUEST, "card_data_invalid")
    );

    // Tampered ciphertext.
    let mut body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let cipher = body["card"]["ciphertext"].as_str().unwrap().to_string();
    let first = if cipher.starts_with('0') { '1' } else { '0' };
    let flipped = format!("{first}{}", &cipher[1..]);
    body["card"]["ciphertext"] = json!(flipped);
    let (status, resp) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::BAD_REQUEST, "card_data_invalid")
    );

    // A reader injected from an unknown BDK.
    let stranger = Reader::with_bdk(
        &hex_bdk("00112233445566778899AABBCCDDEEFF"),
        [9, 9, 9, 9, 1, 2, 3, 4],
    );
    let body = sale_body(&stranger, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, resp) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::BAD_REQUEST, "card_data_invalid")
    );

    // Right key id, wrong BDK.
    let forger = Reader::with_bdk(
        &hex_bdk("00112233445566778899AABBCCDDEEFF"),
        [0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4],
    );
    let body = sale_body(&forger, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, resp) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::BAD_REQUEST, "card_data_invalid")
    );
}

#[tokio::test]
async fn a_replayed_envelope_is_refused() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("gus").await;
    let reader = Reader::new();
    let first = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let older = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let newest = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, _) = gw
        .financial(paths::SALES, &user, &new_key(), newest.clone())
        .await;
    assert_eq!(status, StatusCode::OK);
    // Same envelope under a new key, and an older counter: both refused.
    let (status, body) = gw.financial(paths::SALES, &user, &new_key(), newest).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "ksn_reused"));
    let (status, body) = gw.financial(paths::SALES, &user, &new_key(), first).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "ksn_reused"));
    let (status, body) = gw.financial(paths::SALES, &user, &new_key(), older).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "ksn_reused"));
    assert_eq!(gw.transactions().await.len(), 1);
}

fn limits(per_txn: u64, per_day: u64) -> mpos_wire::api::Limits {
    mpos_wire::api::Limits {
        per_transaction: mpos_wire::Money::twd_minor(per_txn),
        per_day: mpos_wire::Money::twd_minor(per_day),
        refund_per_transaction: None,
    }
}

#[tokio::test]
async fn per_transaction_and_per_day_limits() {
    let gw = TestGateway::start().await;
    let mut user = gw.ready_user_with("hal", &limits(500_00, 1_000_00)).await;
    let reader = Reader::new();
    let (status, body) = gw
        .sale(&user, &reader, CardId::VisaChipApproved, 500_01)
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (422, "limit_per_transaction_exceeded")
    );
    gw.approved_sale(&user, &reader, CardId::VisaChipApproved, 500_00)
        .await;
    // A declined sale does not use the daily limit.
    let (_, declined) = gw
        .sale(&user, &reader, CardId::VisaDeclined51, 400_00)
        .await;
    assert_eq!(declined["transaction"]["status"], "declined");
    gw.approved_sale(&user, &reader, CardId::VisaChipApproved, 400_00)
        .await;
    let (status, body) = gw
        .sale(&user, &reader, CardId::VisaChipApproved, 100_01)
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (422, "limit_per_day_exceeded")
    );
    let last = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    let (status, body) = gw.sale(&user, &reader, CardId::VisaChipApproved, 1).await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (422, "limit_per_day_exceeded")
    );

    // A void releases the authorization from the daily total.
    let (status, body) = gw
        .financial(
            paths::VOIDS,
            &user,
            &new_key(),
            json!({ "transaction_id": last["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    gw.approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;

    // The next business day starts from zero (after 23:00 Taipei).
    gw.set_clock("2030-03-10T15:00:00Z").await;
    gw.relogin(&mut user).await;
    let next = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 500_00)
        .await;
    assert_eq!(next["business_date"], "2030-03-11");
}

#[tokio::test]
async fn parallel_sales_cannot_exceed_the_daily_limit() {
    let gw = Arc::new(TestGateway::start().await);
    let user = gw.ready_user_with("ian", &limits(300_00, 1_000_00)).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let gw = gw.clone();
        let user = user.clone();
        // One reader per request: parallel requests from one reader would race on its counter.
        let body = sale_body(
            &Reader::new(),
            CardId::VisaChipApproved,
            300_00,
            EntryMode::Chip,
        );
        tasks.push(tokio::spawn(async move {
            gw.financial(paths::SALES, &user, &new_key(), body).await
        }));
    }
    let mut approved = 0;
    let mut refused = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        match status.as_u16() {
            200 => {
                assert_eq!(body["transaction"]["status"], "approved");
                approved += 1;
            }
            422 => {
                assert_eq!(code(&body), "limit_per_day_exceeded");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((approved, refused), (3, 5));
    let total: u64 = gw
        .transactions()
        .await
        .iter()
        .filter(|t| t["status"] == "approved")
        .map(|t| t["amount"]["minor"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 900_00);
}

#[tokio::test]
async fn idempotent_retry_replays_and_never_charges_twice() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("jon").await;
    let reader = Reader::new();
    let body = sale_body(&reader, CardId::VisaChipApproved, 250_00, EntryMode::Chip);
    let key = new_key();
    let (status, first) = gw.financial(paths::SALES, &user, &key, body.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, again) = gw.financial(paths::SALES, &user, &key, body.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first, again, "same answer, same transaction");
    assert_eq!(gw.transactions().await.len(), 1);

    // Same key, another body: conflict.
    let other = sale_body(&reader, CardId::VisaChipApproved, 999_00, EntryMode::Chip);
    let (status, body) = gw.financial(paths::SALES, &user, &key, other).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "idempotency_conflict")
    );

    // Refusals are replayed too (a retry does not hit the reader-counter check).
    let swiped = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Swipe);
    let refused_key = new_key();
    let (_, first) = gw
        .financial(paths::SALES, &user, &refused_key, swiped.clone())
        .await;
    let (_, again) = gw
        .financial(paths::SALES, &user, &refused_key, swiped)
        .await;
    assert_eq!(code(&first), "chip_required");
    assert_eq!(first, again);

    // No key: refused before anything happens.
    let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let (status, resp) = gw
        .call(
            reqwest::Method::POST,
            paths::SALES,
            Some(&user.token),
            None,
            Some(body),
        )
        .await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    assert_eq!(gw.transactions().await.len(), 1);
}

#[tokio::test]
async fn a_retry_while_the_issuer_is_slow_is_told_to_wait() {
    let gw = Arc::new(TestGateway::start().await);
    let user = gw.ready_user("kim").await;
    let reader = Reader::new();
    let body = sale_body(&reader, CardId::VisaSlowIssuer, 100_00, EntryMode::Chip);
    let key = new_key();
    let slow = {
        let (gw, user, key, body) = (gw.clone(), user.clone(), key.clone(), body.clone());
        tokio::spawn(async move { gw.financial(paths::SALES, &user, &key, body).await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let (status, resp) = gw.financial(paths::SALES, &user, &key, body.clone()).await;
    assert_eq!(
        (status, code(&resp)),
        (StatusCode::CONFLICT, "request_in_progress")
    );
    let (status, first) = slow.await.unwrap();
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["transaction"]["status"], "approved");
    let (_, replay) = gw.financial(paths::SALES, &user, &key, body).await;
    assert_eq!(first, replay);
}

#[tokio::test]
async fn a_client_that_hangs_up_does_not_lose_the_payment() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("lou").await;
    let reader = Reader::new();
    let body = sale_body(&reader, CardId::VisaSlowIssuer, 100_00, EntryMode::Chip);
    let key = new_key();
    let impatient = gw
        .client
        .post(gw.url(paths::SALES))
        .bearer_auth(&user.token)
        .header("Idempotency-Key", &key)
        .timeout(std::time::Duration::from_millis(300))
        .json(&body)
        .send()
        .await;
    assert!(impatient.is_err(), "the client gave up");
    tokio::time::sleep(std::time::Duration::from_millis(1800)).await;
    let (status, replay) = gw.financial(paths::SALES, &user, &key, body).await;
    assert_eq!(status, StatusCode::OK, "{replay}");
    assert_eq!(replay["transaction"]["status"], "approved");
    let all: Vec<Value> = gw.transactions().await;
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn invalid_amounts_are_refused() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("max").await;
    let reader = Reader::new();
    let (status, body) = gw.sale(&user, &reader, CardId::VisaChipApproved, 0).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "invalid_amount")
    );
}
