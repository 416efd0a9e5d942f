//! Keeps docs/openapi.json in step with the router and the wire types.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use mpos_gateway::routes;
use mpos_wire::api::*;
use mpos_wire::{ApiError, Brand, CardPayload, Currency, EntryMode, ErrorCode, MaskedPan, Money};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

fn document() -> Value {
    serde_json::from_str(mpos_gateway::openapi::DOCUMENT).expect("docs/openapi.json is JSON")
}

fn money() -> Money {
    Money::twd_minor(100)
}

fn limits() -> Limits {
    Limits {
        per_transaction: money(),
        per_day: money(),
        refund_per_transaction: Some(money()),
    }
}

fn card() -> CardPayload {
    CardPayload {
        masked_pan: MaskedPan::from_pan("4111111111111111").unwrap(),
        brand: Brand::Visa,
        entry_mode: EntryMode::Chip,
        service_code: "201".into(),
        ksn: "123456789012345600000001".into(),
        ciphertext: "00".into(),
        emv_tlv: Some("9F2701".into()),
    }
}

fn summary() -> TransactionSummary {
    TransactionSummary {
        id: "txn".into(),
        kind: TxnKind::Sale,
        status: TxnStatus::Approved,
        amount: money(),
        brand: Brand::Visa,
        masked_pan: MaskedPan::from_pan("4111111111111111").unwrap(),
        entry_mode: EntryMode::Chip,
        auth_code: Some("123456".into()),
        invoice_no: "000001".into(),
        response_code: "00".into(),
        response_text: "Approved".into(),
        created_at: "2030-01-01T00:00:00.000Z".into(),
        business_date: "2030-01-01".into(),
        batch_id: Some("bat".into()),
        refunded: money(),
        original_transaction_id: Some("txn0".into()),
        signed: true,
        receipt_url: "https://x/r/t".into(),
    }
}

fn issuer_authentication() -> IssuerAuthentication {
    IssuerAuthentication {
        arpc_hex: "9AF514C1".into(),
        csu_hex: "00800000".into(),
        arc: "00".into(),
    }
}

fn totals() -> SettlementTotals {
    SettlementTotals {
        count: 1,
        net_total: money(),
        sales_count: 1,
        sales_total: money(),
        refunds_count: 0,
        refunds_total: money(),
        per_brand: vec![BrandTotal {
            brand: Brand::Visa,
            sales_count: 1,
            sales_total: money(),
            refunds_count: 0,
            refunds_total: money(),
        }],
    }
}

fn batch() -> BatchSummary {
    BatchSummary {
        id: "bat".into(),
        business_date: "2030-01-01".into(),
        closed_at: "2030-01-01T15:00:00.000Z".into(),
        trigger: SettlementTrigger::Automatic,
        totals: totals(),
    }
}

fn admin_user() -> AdminUser {
    AdminUser {
        id: "usr".into(),
        username: "amy".into(),
        name: "Amy".into(),
        phone: "0912345678".into(),
        email: "a@example.com".into(),
        status: UserStatus::Active,
        limits: limits(),
        terminal_id: "T0000001".into(),
        locked_until: Some("2030-01-01T00:30:00.000Z".into()),
        created_at: "2030-01-01T00:00:00.000Z".into(),
    }
}

/// One serialized sample per object schema, every optional field filled.
fn samples() -> BTreeMap<&'static str, Value> {
    let v = |x: serde_json::Result<Value>| x.unwrap();
    let profile = UserProfile {
        user_id: "u".into(),
        username: "amy".into(),
        display_name: "Amy".into(),
        merchant_name: "m".into(),
        limits: limits(),
    };
    let rule = BrandRule {
        brand: Brand::Visa,
        accepted: true,
        signature: SignatureRule::Above { minor: 1 },
        pin_required: true,
        pin_from_minor: 100_000,
    };
    let stroke = Stroke {
        points: vec![Point { x: 1, y: 2 }],
    };
    BTreeMap::from([
        (
            "ApiError",
            v(serde_json::to_value(
                ApiError::new(ErrorCode::AccountLocked).with_detail("until"),
            )),
        ),
        ("Money", v(serde_json::to_value(money()))),
        (
            "AppStatus",
            v(serde_json::to_value(AppStatus {
                server_time: "2030-01-01T00:00:00.000Z".into(),
                latest_app_version: "1.4.0".into(),
                minimum_app_version: "1.2.0".into(),
            })),
        ),
        ("CardPayload", v(serde_json::to_value(card()))),
        (
            "LoginRequest",
            v(serde_json::to_value(LoginRequest {
                username: "a".into(),
                password: "p".into(),
                reader_serial: Some("r".into()),
            })),
        ),
        ("Limits", v(serde_json::to_value(limits()))),
        ("UserProfile", v(serde_json::to_value(&profile))),
        (
            "LoginResponse",
            v(serde_json::to_value(LoginResponse {
                session_token: "t".into(),
                expires_at: "e".into(),
                stage: SessionStage::Ready,
                user: profile.clone(),
            })),
        ),
        (
            "ActivateRequest",
            v(serde_json::to_value(ActivateRequest {
                activation_code: "123456".into(),
            })),
        ),
        (
            "ChangePasswordRequest",
            v(serde_json::to_value(ChangePasswordRequest {
                new_password: "123456".into(),
                current_password: Some("654321".into()),
            })),
        ),
        (
            "VerifyPasswordRequest",
            v(serde_json::to_value(VerifyPasswordRequest {
                password: "123456".into(),
            })),
        ),
        (
            "StageResponse",
            v(serde_json::to_value(StageResponse {
                stage: SessionStage::Ready,
            })),
        ),
        (
            "SignatureRule",
            v(serde_json::to_value(SignatureRule::Above { minor: 1 })),
        ),
        ("BrandRule", v(serde_json::to_value(&rule))),
        (
            "TerminalConfig",
            v(serde_json::to_value(TerminalConfig {
                merchant_id: "m".into(),
                merchant_name: "n".into(),
                terminal_id: "t".into(),
                currency: Currency::Twd,
                brands: vec![rule.clone()],
                time_zone: "Asia/Taipei".into(),
                auto_settle_at: "23:00".into(),
            })),
        ),
        (
            "SaleRequest",
            v(serde_json::to_value(SaleRequest {
                amount: money(),
                brand: Brand::Visa,
                card: card(),
                pin: Some(PinBlockPayload {
                    ksn: "123456789012345600000001".into(),
                    block: "A912150391AB65A67E52883D81CE2D15".into(),
                }),
            })),
        ),
        (
            "PinBlockPayload",
            v(serde_json::to_value(PinBlockPayload {
                ksn: "FFFF9876543210E00001".into(),
                block: "0123456789ABCDEF".into(),
            })),
        ),
        (
            "RefundRequest",
            v(serde_json::to_value(RefundRequest {
                amount: money(),
                brand: Brand::Visa,
                original_auth_code: "123456".into(),
                card: card(),
            })),
        ),
        (
            "VoidRequest",
            v(serde_json::to_value(VoidRequest {
                transaction_id: "t".into(),
            })),
        ),
        (
            "ReversalRequest",
            v(serde_json::to_value(ReversalRequest {
                original_idempotency_key: "k".into(),
                reason: ReversalReason::Timeout,
            })),
        ),
        (
            "ReversalResponse",
            v(serde_json::to_value(ReversalResponse {
                acknowledged: true,
                transaction_id: Some("t".into()),
            })),
        ),
        ("TransactionSummary", v(serde_json::to_value(summary()))),
        (
            "AuthorizationResponse",
            v(serde_json::to_value(AuthorizationResponse {
                transaction: summary(),
                signature_required: true,
                issuer_authentication: Some(issuer_authentication()),
            })),
        ),
        (
            "IssuerAuthentication",
            v(serde_json::to_value(issuer_authentication())),
        ),
        ("Point", v(serde_json::to_value(Point { x: 1, y: 2 }))),
        ("Stroke", v(serde_json::to_value(&stroke))),
        (
            "SignatureRequest",
            v(serde_json::to_value(SignatureRequest {
                strokes: vec![stroke.clone()],
            })),
        ),
        (
            "ReceiptDestination",
            v(serde_json::to_value(ReceiptDestination::Email(
                "a@example.com".into(),
            ))),
        ),
        (
            "SendReceiptRequest",
            v(serde_json::to_value(SendReceiptRequest {
                destination: ReceiptDestination::Sms("0912345678".into()),
            })),
        ),
        (
            "SendReceiptResponse",
            v(serde_json::to_value(SendReceiptResponse {
                sent_to: "a".into(),
            })),
        ),
        (
            "TransactionSearch",
            v(serde_json::to_value(TransactionSearch {
                last4: Some("1111".into()),
                auth_code: Some("123456".into()),
                invoice_no: Some("000001".into()),
            })),
        ),
        (
            "TransactionList",
            v(serde_json::to_value(TransactionList {
                transactions: vec![summary()],
            })),
        ),
        (
            "BrandTotal",
            v(serde_json::to_value(&totals().per_brand[0])),
        ),
        ("SettlementTotals", v(serde_json::to_value(totals()))),
        (
            "SettlementPreview",
            v(serde_json::to_value(SettlementPreview {
                totals: totals(),
                next_auto_settlement: "n".into(),
            })),
        ),
        ("BatchSummary", v(serde_json::to_value(batch()))),
        (
            "SettleResponse",
            v(serde_json::to_value(SettleResponse { batch: batch() })),
        ),
        (
            "BatchList",
            v(serde_json::to_value(BatchList {
                batches: vec![batch()],
            })),
        ),
        (
            "CreateUserRequest",
            v(serde_json::to_value(CreateUserRequest {
                name: "n".into(),
                phone: "p".into(),
                email: "e".into(),
                username: Some("u".into()),
                limits: limits(),
            })),
        ),
        ("AdminUser", v(serde_json::to_value(admin_user()))),
        (
            "UserList",
            v(serde_json::to_value(UserList {
                users: vec![admin_user()],
            })),
        ),
        (
            "SetClockRequest",
            v(serde_json::to_value(SetClockRequest { now: "n".into() })),
        ),
        ("Health", json!({ "status": "ok" })),
    ])
}

#[test]
fn routes_and_documented_operations_are_the_same_set() {
    let routes: BTreeSet<(String, String)> = routes::table(true)
        .iter()
        .map(|r| (r.method.as_str().to_ascii_lowercase(), r.path.to_string()))
        .collect();
    let doc = document();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.clone(), path.clone()));
        }
    }
    assert_eq!(
        routes, documented,
        "router (left) vs docs/openapi.json (right)"
    );
    assert!(
        !routes::table(false)
            .iter()
            .any(|r| r.path == paths::TEST_CLOCK),
        "test clock only on request"
    );
}

#[test]
fn documented_properties_are_the_serialized_fields() {
    let doc = document();
    let samples = samples();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (name, schema) in schemas {
        let Some(properties) = schema.get("properties") else {
            assert!(
                schema.get("enum").is_some() || schema.get("type") == Some(&json!("string")),
                "{name} is neither object nor string"
            );
            continue;
        };
        let sample = samples
            .get(name.as_str())
            .unwrap_or_else(|| panic!("no sample for schema {name}"));
        let documented: BTreeSet<&String> = properties.as_object().unwrap().keys().collect();
        let serialized: BTreeSet<&String> = sample.as_object().unwrap().keys().collect();
        assert_eq!(
            documented, serialized,
            "schema {name}: documented (left) vs serialized (right)"
        );
        for required in schema["required"].as_array().unwrap() {
            assert!(
                documented.contains(&required.as_str().unwrap().to_string()),
                "{name}: required {required} is not a property"
            );
        }
    }
    for name in samples.keys() {
        assert!(schemas.contains_key(*name), "sample {name} has no schema");
    }
}

fn check_enum<T: DeserializeOwned>(doc: &Value, name: &str) {
    for value in doc["components"]["schemas"][name]["enum"]
        .as_array()
        .unwrap()
    {
        assert!(
            serde_json::from_value::<T>(value.clone()).is_ok(),
            "{name}: {value} is not a variant"
        );
    }
}

#[test]
fn documented_enum_values_are_variants() {
    let doc = document();
    check_enum::<ErrorCode>(&doc, "ErrorCode");
    check_enum::<Currency>(&doc, "Currency");
    check_enum::<Brand>(&doc, "Brand");
    check_enum::<EntryMode>(&doc, "EntryMode");
    check_enum::<SessionStage>(&doc, "SessionStage");
    check_enum::<TxnKind>(&doc, "TxnKind");
    check_enum::<TxnStatus>(&doc, "TxnStatus");
    check_enum::<ReversalReason>(&doc, "ReversalReason");
    check_enum::<SettlementTrigger>(&doc, "SettlementTrigger");
    check_enum::<UserStatus>(&doc, "UserStatus");
    // Every error code a handler can return is documented.
    let codes = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(codes, 45, "the number of ErrorCode variants");
    for brand in Brand::ALL {
        assert!(doc["components"]["schemas"]["Brand"]["enum"]
            .as_array()
            .unwrap()
            .contains(&serde_json::to_value(brand).unwrap()));
    }
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    fn walk(value: &Value, doc: &Value) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    let pointer = target.strip_prefix('#').expect("local reference");
                    assert!(doc.pointer(pointer).is_some(), "dangling {target}");
                }
                map.values().for_each(|v| walk(v, doc));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, doc)),
            _ => {}
        }
    }
    walk(&doc, &doc);
    assert_eq!(doc["openapi"], "3.1.0");
}

#[tokio::test]
async fn the_gateway_serves_the_document() {
    let gw = common::TestGateway::start().await;
    let served: Value = gw
        .client
        .get(gw.url(paths::OPENAPI))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, document());
}
