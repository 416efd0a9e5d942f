//! Chip sales: the HSM verifies the ARQC with the card's key (from the
//! issuer master key, the PAN in the envelope and the PSN), the cryptogram
//! must cover this amount, currency and kind, and an approval returns the
//! ARPC the card checks in its second GENERATE AC. Nothing of the
//! cryptogram is kept.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::{CardId, TestCard};
use mpos_crypto::emv::{cvn18, CardStatusUpdate};
use mpos_crypto::tlv::{self, tags, Tag, Tlv};
use mpos_gateway::config::IssuerMasterKeyConfig;
use mpos_wire::api::{paths, TxnKind};
use mpos_wire::{Brand, EntryMode, Money};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// The chip's data objects in a sale body.
fn objects(body: &Value) -> Vec<Tlv> {
    tlv::parse_hex(body["card"]["emv_tlv"].as_str().unwrap()).unwrap()
}

/// Replaces (or with `None` removes) one data object of the body's chip data.
fn with_object(mut body: Value, tag: Tag, value: Option<&[u8]>) -> Value {
    let objects: Vec<Tlv> = objects(&body)
        .into_iter()
        .filter_map(|object| match (object.tag() == tag, value) {
            (false, _) => Some(object),
            (true, Some(value)) => Some(Tlv::primitive(tag, value.to_vec()).unwrap()),
            (true, None) => None,
        })
        .collect();
    body["card"]["emv_tlv"] = json!(tlv::encode_hex(&objects));
    body
}

fn arqc(body: &Value) -> [u8; 8] {
    tlv::find_bytes(&objects(body), tags::APPLICATION_CRYPTOGRAM)
        .unwrap()
        .try_into()
        .unwrap()
}

fn atc(body: &Value) -> u16 {
    let objects = objects(body);
    let bytes = tlv::find_bytes(&objects, tags::ATC).unwrap();
    u16::from_be_bytes(bytes.try_into().unwrap())
}

#[tokio::test]
async fn an_approved_chip_sale_returns_an_arpc_the_card_can_verify() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::new();
    let body = sale_body(&reader, CardId::VisaChipApproved, 480_00, EntryMode::Chip);
    let (status, response) = gw
        .financial(paths::SALES, &user, &new_key(), body.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{response}");
    assert_eq!(response["transaction"]["status"], "approved");
    let auth = &response["issuer_authentication"];
    assert_eq!(auth["csu_hex"], "00800000", "{response}");
    assert_eq!(auth["arc"], "00");
    // What the card computes in its second GENERATE AC, independently.
    let card = TestCard::get(CardId::VisaChipApproved);
    let session = card_session_key(card, atc(&body));
    let arpc: [u8; 4] = hex::decode(auth["arpc_hex"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    assert!(cvn18::verify_arpc(
        &session,
        &arqc(&body),
        &CardStatusUpdate::approval(),
        &arpc
    ));
    assert!(!cvn18::verify_arpc(
        &session,
        &arqc(&body),
        &CardStatusUpdate::decline(),
        &arpc
    ));
}

#[tokio::test]
async fn a_legacy_readers_tdes_sealed_chip_sale_is_approved_and_its_ksn_cannot_be_replayed() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("lee").await;
    let reader = Reader::legacy();
    let first = sale_body(&reader, CardId::VisaChipApproved, 480_00, EntryMode::Chip);
    let second = sale_body(&reader, CardId::VisaChipApproved, 120_00, EntryMode::Chip);
    let ksn = first["card"]["ksn"].as_str().unwrap().to_string();
    assert_eq!(ksn.len(), 20, "a TDES KSN: {ksn}");
    assert!(
        ksn.starts_with("FFFF987654") && ksn.ends_with("00001"),
        "{ksn}"
    );
    let (status, response) = gw
        .financial(paths::SALES, &user, &new_key(), first.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{response}");
    assert_eq!(response["transaction"]["status"], "approved");
    assert_eq!(response["transaction"]["masked_pan"], "411111******1111");
    assert!(response["issuer_authentication"]["arpc_hex"].is_string());
    // The same TDES envelope again, under a new idempotency key: a replay.
    let (status, body) = gw.financial(paths::SALES, &user, &new_key(), first).await;
    assert_eq!((status, code(&body)), (StatusCode::CONFLICT, "ksn_reused"));
    // The reader's next counter is fine.
    let (status, response) = gw.financial(paths::SALES, &user, &new_key(), second).await;
    assert_eq!(status, StatusCode::OK, "{response}");
    assert_eq!(gw.transactions().await.len(), 2);
}

#[tokio::test]
async fn a_tdes_envelope_under_an_unknown_key_set_or_another_bdk_is_refused() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("kim").await;
    let tdes_bdk = hex_bdk(TEST_TDES_BDK_HEX);
    let mut unknown_set = [0u8; 10];
    unknown_set[..5].copy_from_slice(&[0xFF, 0xFF, 0x12, 0x34, 0x56]);
    let forged_ksn = {
        let mut ksn = [0u8; 10];
        ksn[..5].copy_from_slice(&TEST_TDES_KSI);
        ksn[5] = 0x01;
        ksn
    };
    for reader in [
        Reader::legacy_with_bdk(&tdes_bdk, unknown_set),
        Reader::legacy_with_bdk(&hex_bdk(TEST_BDK_HEX), forged_ksn),
    ] {
        let body = sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
        let (status, resp) = gw.financial(paths::SALES, &user, &new_key(), body).await;
        assert_eq!(
            (status, code(&resp)),
            (StatusCode::BAD_REQUEST, "card_data_invalid")
        );
    }
    assert!(gw.transactions().await.is_empty());
}

#[tokio::test]
async fn declines_and_swipes_get_no_issuer_authentication() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("bob").await;
    let reader = Reader::new();
    let (status, declined) = gw
        .sale(&user, &reader, CardId::VisaDeclined05, 100_00)
        .await;
    assert_eq!(status, StatusCode::OK, "{declined}");
    assert_eq!(declined["transaction"]["status"], "declined");
    assert!(
        declined.get("issuer_authentication").is_none(),
        "{declined}"
    );
    let (status, swiped) = gw
        .sale(&user, &reader, CardId::VisaSwipeOnlyApproved, 100_00)
        .await;
    assert_eq!(swiped["transaction"]["status"], "approved", "{swiped}");
    assert_eq!(status, StatusCode::OK);
    assert!(swiped.get("issuer_authentication").is_none(), "{swiped}");
}

#[tokio::test]
async fn chip_data_must_be_present_complete_and_strict_ber_tlv() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("cat").await;
    let reader = Reader::new();
    let fresh = || sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut body = fresh();
    body["card"]["emv_tlv"] = Value::Null;
    cases.push(("no EMV data", body));
    let mut body = fresh();
    body["card"]["emv_tlv"] = json!("");
    cases.push(("empty EMV data", body));
    cases.push((
        "no ARQC (9F26)",
        with_object(fresh(), tags::APPLICATION_CRYPTOGRAM, None),
    ));
    cases.push((
        "no issuer application data (9F10)",
        with_object(fresh(), tags::ISSUER_APPLICATION_DATA, None),
    ));
    cases.push((
        "a 7-byte ARQC",
        with_object(fresh(), tags::APPLICATION_CRYPTOGRAM, Some(&[1; 7])),
    ));
    let mut body = fresh();
    let text = body["card"]["emv_tlv"].as_str().unwrap().to_string();
    body["card"]["emv_tlv"] = json!(text[..text.len() - 2]);
    cases.push(("truncated", body));
    let mut body = fresh();
    assert!(text.starts_with("9F0206"), "{text}");
    body["card"]["emv_tlv"] = json!(format!("9F028106{}", &text[6..]));
    cases.push(("a non-minimal length", body));
    let mut body = fresh();
    body["card"]["emv_tlv"] = json!(format!("{text}Z"));
    cases.push(("not hex", body));
    for (what, body) in cases {
        let (status, response) = gw.financial(paths::SALES, &user, &new_key(), body).await;
        assert_eq!(
            (status, code(&response)),
            (StatusCode::BAD_REQUEST, "card_data_invalid"),
            "{what}: {response}"
        );
    }
    assert!(
        gw.transactions().await.is_empty(),
        "refused reads leave nothing"
    );
}

#[tokio::test]
async fn the_cryptogram_must_prove_this_very_sale() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("dan").await;
    let reader = Reader::new();
    let fresh = || sale_body(&reader, CardId::VisaChipApproved, 100_00, EntryMode::Chip);
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut body = fresh();
    body["amount"] = json!(Money::twd_minor(200_00));
    cases.push(("the card signed NT$100, the request asks NT$200", body));
    let mut body = fresh();
    let mut forged = arqc(&body);
    forged[7] ^= 1;
    body = with_object(body, tags::APPLICATION_CRYPTOGRAM, Some(&forged));
    cases.push(("a changed ARQC", body));
    cases.push((
        "another currency (USD 840)",
        with_object(
            fresh(),
            tags::TRANSACTION_CURRENCY_CODE,
            Some(&[0x08, 0x40]),
        ),
    ));
    let mut body = with_object(
        fresh(),
        tags::AMOUNT_AUTHORISED,
        Some(&[0, 0, 0, 0x02, 0, 0]),
    );
    body["amount"] = json!(Money::twd_minor(200_00));
    cases.push((
        "9F02 and the request say NT$200, the ARQC covers NT$100",
        body,
    ));
    cases.push((
        "another PAN sequence number",
        with_object(fresh(), tags::PAN_SEQUENCE_NUMBER, Some(&[0x02])),
    ));
    cases.push((
        "a TC instead of an ARQC",
        with_object(fresh(), tags::CRYPTOGRAM_INFORMATION_DATA, Some(&[0x40])),
    ));
    cases.push((
        "cryptogram version 10",
        with_object(
            fresh(),
            tags::ISSUER_APPLICATION_DATA,
            Some(&[0x06, 0x01, 0x0A, 0x03, 0xA0, 0, 0]),
        ),
    ));
    let payload = reader.read_for(
        CardId::VisaChipApproved,
        EntryMode::Chip,
        100_00,
        TxnKind::Refund,
    );
    cases.push((
        "a refund's cryptogram (9C 20) sent as a sale",
        json!({ "amount": Money::twd_minor(100_00), "brand": Brand::Visa, "card": payload }),
    ));
    for (what, body) in cases {
        let (status, response) = gw.financial(paths::SALES, &user, &new_key(), body).await;
        assert_eq!(
            (status, code(&response)),
            (StatusCode::UNPROCESSABLE_ENTITY, "cryptogram_invalid"),
            "{what}: {response}"
        );
        assert!(response["message_zh"].as_str().unwrap().contains("晶片"));
    }
    assert!(
        gw.transactions().await.is_empty(),
        "refused reads leave nothing"
    );
    // The same card still works with an honest read.
    gw.approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
}

#[tokio::test]
async fn a_card_without_an_issuer_master_key_cannot_pay_by_chip() {
    let mut config = test_config();
    config.hsm.issuer_master_keys = vec![IssuerMasterKeyConfig {
        brand: Some(Brand::Mastercard),
        bin_prefix: None,
        imk_hex: TEST_IMK_HEX.into(),
    }];
    let gw = TestGateway::start_with(config).await;
    let user = gw.ready_user("eve").await;
    let reader = Reader::new();
    let (status, response) = gw
        .sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    assert_eq!(
        (status, code(&response)),
        (StatusCode::UNPROCESSABLE_ENTITY, "cryptogram_invalid")
    );
    gw.approved_sale(&user, &reader, CardId::MastercardChipApproved, 100_00)
        .await;
}

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

/// Every file under `dir`, as bytes.
fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            match std::fs::read(&path) {
                Ok(bytes) => out.push((path.display().to_string(), bytes)),
                // Removed between listing and reading (SQLite's -wal at close): not stored.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => panic!("{}: {e}", path.display()),
            }
        }
    }
    out
}

#[tokio::test]
async fn nothing_of_the_cryptogram_is_stored_or_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .without_time()
        .with_writer(move || writer.clone())
        .init();
    let gw = TestGateway::start_with(sqlite_test_config()).await;
    let user = gw.ready_user("fay").await;
    let reader = Reader::new();
    let approved = sale_body(&reader, CardId::VisaChipApproved, 250_00, EntryMode::Chip);
    let (status, _) = gw
        .financial(paths::SALES, &user, &new_key(), approved.clone())
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut refused = sale_body(&reader, CardId::VisaChipApproved, 250_00, EntryMode::Chip);
    refused["amount"] = json!(Money::twd_minor(251_00));
    let (status, _) = gw
        .financial(paths::SALES, &user, &new_key(), refused.clone())
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("sale_refused"), "the refusal is logged");
    let dir = gw.stop().await;
    let stored = files(dir.path());
    assert!(stored.iter().any(|(name, _)| name.ends_with("gateway.db")));
    for body in [&approved, &refused] {
        let arqc = arqc(body);
        let tlv_hex = body["card"]["emv_tlv"].as_str().unwrap();
        for needle in [
            hex::encode_upper(arqc),
            hex::encode(arqc),
            tlv_hex.to_string(),
        ] {
            assert!(!log.contains(&needle), "{needle} in the log");
            for (name, bytes) in &stored {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{needle} in {name}"
                );
            }
        }
        for (name, bytes) in &stored {
            assert!(
                !bytes.windows(8).any(|w| w == arqc),
                "the raw ARQC is in {name}"
            );
        }
    }
}
