//! Captures every log line of a login + sale + refund + receipt flow and
//! checks that no card number, password or activation code is in them.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::{CardId, TestCard};
use mpos_wire::api::paths;
use mpos_wire::EntryMode;
use reqwest::StatusCode;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_hold_no_pan_password_or_activation_code() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .without_time()
        .with_writer(move || writer.clone())
        .init();

    let gw = TestGateway::start().await;
    let delivered = gw.create_user("amy", &default_limits()).await;
    gw.login("amy", "wrong-password").await;
    let (_, login) = gw.login("amy", &delivered.default_password).await;
    let token = login["session_token"].as_str().unwrap().to_string();
    let (status, _) = gw
        .post(
            paths::ACTIVATE,
            Some(&token),
            json!({ "activation_code": delivered.activation_code }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = gw
        .post(
            paths::PASSWORD,
            Some(&token),
            json!({ "new_password": "864209" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let user = AppUser {
        token: token.clone(),
        id: String::new(),
        username: "amy".into(),
        password: "864209".into(),
        terminal_id: String::new(),
    };
    let (status, _) = gw
        .post(
            paths::VERIFY_PASSWORD,
            Some(&token),
            json!({ "password": "864209" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let reader = Reader::new();
    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 500_00)
        .await;
    gw.sale(&user, &reader, CardId::VisaDeclined51, 500_00)
        .await;
    let bad = sale_body(&reader, CardId::VisaChipApproved, 500_00, EntryMode::Swipe);
    gw.financial(paths::SALES, &user, &new_key(), bad).await;
    let refund = refund_body(
        &reader,
        CardId::VisaChipApproved,
        100_00,
        sale["auth_code"].as_str().unwrap(),
        EntryMode::Swipe,
    );
    gw.financial(paths::REFUNDS, &user, &new_key(), refund)
        .await;
    let receipt = paths::fill(paths::RECEIPT, sale["id"].as_str().unwrap());
    gw.post(
        &receipt,
        Some(&token),
        json!({ "destination": { "channel": "email", "to": "chen@example.com" } }),
    )
    .await;
    gw.post(paths::SETTLE, Some(&token), json!({})).await;
    gw.stop().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("411111******1111"),
        "the flow was logged with masked PANs"
    );
    assert!(logs.contains("authorization_result"));
    for card in [CardId::VisaChipApproved, CardId::VisaDeclined51] {
        assert!(
            !logs.contains(TestCard::get(card).pan),
            "PAN of {card:?} in logs"
        );
    }
    for secret in [
        delivered.default_password.as_str(),
        delivered.activation_code.as_str(),
        "864209",
        "wrong-password",
        token.as_str(),
    ] {
        assert!(!logs.contains(secret), "secret {secret} in logs");
    }
    assert!(
        !logs.contains(TEST_BDK_HEX) && !logs.contains(&TEST_BDK_HEX.to_ascii_lowercase()),
        "key in logs"
    );
}
