//! PIN blocks at the sale endpoint: who sends them and what a forged,
//! moved or missing one gets. The brand's rule (UnionPay in the default
//! configuration) asks a PIN; the HSM translates the reader's block to the
//! zone PIN key; the issuer simulator checks the card's PIN and counts
//! wrong tries.
// Amounts are written dollars_cents: 100_00 is NT$100.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::{code, default_entry, new_key, sale_body_with_pin, Reader, TestGateway};
use mpos_cards::{CardId, TestCard};
use mpos_wire::api::paths;
use reqwest::StatusCode;

const UNIONPAY: CardId = CardId::UnionPayApproved;

fn right_pin(card: CardId) -> &'static str {
    TestCard::get(card).pin
}

#[tokio::test]
async fn a_sale_the_rule_asks_a_pin_for_is_refused_without_one_and_nothing_is_kept() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::new();
    let body = sale_body_with_pin(&reader, UNIONPAY, 100_00, default_entry(UNIONPAY), None);
    let (status, answer) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(code(&answer), "pin_required");
    assert!(
        gw.transactions().await.is_empty(),
        "no transaction was recorded"
    );
    // With the right PIN the same card is approved.
    let pin = Some(right_pin(UNIONPAY));
    let body = sale_body_with_pin(&reader, UNIONPAY, 100_00, default_entry(UNIONPAY), pin);
    let (status, answer) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["transaction"]["status"], "approved");
}

#[tokio::test]
async fn a_wrong_pin_is_declined_55_and_the_third_in_a_row_75() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::new();
    let card = CardId::UnionPayDebitApproved;
    let mut answers = Vec::new();
    for pin in ["000000", "111111", "222222", right_pin(card)] {
        let body = sale_body_with_pin(&reader, card, 60_00, default_entry(card), Some(pin));
        let (status, answer) = gw.financial(paths::SALES, &user, &new_key(), body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["transaction"]["status"], "declined");
        answers.push(answer["transaction"]["response_code"].clone());
    }
    assert_eq!(answers, ["55", "55", "75", "75"], "blocked after three");
    // Another card's count is its own.
    let body = sale_body_with_pin(
        &reader,
        UNIONPAY,
        60_00,
        default_entry(UNIONPAY),
        Some(right_pin(UNIONPAY)),
    );
    let (_, answer) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(answer["transaction"]["status"], "approved");
}

#[tokio::test]
async fn a_right_pin_before_the_third_wrong_one_starts_the_count_again() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::new();
    let card = CardId::UnionPayDebitApproved;
    let mut answers = Vec::new();
    for pin in ["000000", "000000", right_pin(card), "000000", "000000"] {
        let body = sale_body_with_pin(&reader, card, 60_00, default_entry(card), Some(pin));
        let (_, answer) = gw.financial(paths::SALES, &user, &new_key(), body).await;
        answers.push(answer["transaction"]["response_code"].clone());
    }
    assert_eq!(answers, ["55", "55", "00", "55", "55"]);
}

#[tokio::test]
async fn a_pin_block_moved_to_another_read_forged_or_from_another_reader_is_refused() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::new();
    let pin = Some(right_pin(UNIONPAY));
    // The block of an earlier read, sent with a later read of the same card.
    let earlier = sale_body_with_pin(&reader, UNIONPAY, 100_00, default_entry(UNIONPAY), pin);
    let mut later = sale_body_with_pin(&reader, UNIONPAY, 100_00, default_entry(UNIONPAY), pin);
    later["pin"] = earlier["pin"].clone();
    let (status, answer) = gw.financial(paths::SALES, &user, &new_key(), later).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(code(&answer), "pin_data_invalid");
    // A changed byte of the block.
    let mut forged = sale_body_with_pin(&reader, UNIONPAY, 100_00, default_entry(UNIONPAY), pin);
    let block = forged["pin"]["block"].as_str().unwrap().to_string();
    let flipped = if block.starts_with('0') { "1" } else { "0" };
    forged["pin"]["block"] = format!("{flipped}{}", &block[1..]).into();
    let (status, answer) = gw.financial(paths::SALES, &user, &new_key(), forged).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::BAD_REQUEST, "pin_data_invalid")
    );
    // Another reader's block for the same card and PIN.
    let other = Reader::new();
    let theirs = sale_body_with_pin(&other, UNIONPAY, 100_00, default_entry(UNIONPAY), pin);
    let mut mine = sale_body_with_pin(&reader, UNIONPAY, 100_00, default_entry(UNIONPAY), pin);
    mine["pin"] = theirs["pin"].clone();
    let (status, answer) = gw.financial(paths::SALES, &user, &new_key(), mine).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::BAD_REQUEST, "pin_data_invalid")
    );
    // Malformed: not hex, the wrong length, an unknown field.
    for pin_json in [
        serde_json::json!({ "ksn": "zz", "block": "00" }),
        serde_json::json!({ "ksn": "00", "block": "00", "format": 4 }),
    ] {
        let mut body = sale_body_with_pin(&reader, UNIONPAY, 100_00, default_entry(UNIONPAY), None);
        body["pin"] = pin_json;
        let (status, _) = gw.financial(paths::SALES, &user, &new_key(), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    // None of the refusals counted as a wrong PIN at the issuer.
    let body = sale_body_with_pin(&reader, UNIONPAY, 100_00, default_entry(UNIONPAY), pin);
    let (_, answer) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(answer["transaction"]["status"], "approved");
}

#[tokio::test]
async fn a_tdes_readers_format_0_block_is_verified_and_the_log_holds_no_pin() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::legacy();
    let card = CardId::UnionPayDebitApproved;
    let body = sale_body_with_pin(
        &reader,
        card,
        90_00,
        default_entry(card),
        Some(right_pin(card)),
    );
    assert_eq!(
        body["pin"]["block"].as_str().unwrap().len(),
        16,
        "format 0, 8 bytes"
    );
    let (_, answer) = gw.financial(paths::SALES, &user, &new_key(), body).await;
    assert_eq!(answer["transaction"]["status"], "approved", "{answer}");
    let wrong = sale_body_with_pin(&reader, card, 90_00, default_entry(card), Some("123456"));
    let (_, answer) = gw.financial(paths::SALES, &user, &new_key(), wrong).await;
    assert_eq!(answer["transaction"]["response_code"], "55");
}
