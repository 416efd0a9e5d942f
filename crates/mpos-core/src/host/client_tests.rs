//! The client against a real TLS server on loopback.

use super::*;
use crate::fake_gateway::{Answer, FakeGateway};
use crate::flows::testing;
use mpos_wire::api::{SessionStage, TxnKind, TxnStatus};
use mpos_wire::{Brand, ErrorCode, Money};
use serde_json::json;

fn config(gateway: &FakeGateway, timeout_ms: u64) -> HostConfig {
    HostConfig {
        gateway_url: gateway.url.clone(),
        trust_root_pem: gateway.root_pem.clone(),
        pinned_spki_sha256: gateway.pin.clone(),
        request_timeout: Duration::from_millis(timeout_ms),
    }
}

fn client(gateway: &FakeGateway) -> HostClient {
    HostClient::new(&config(gateway, 5_000)).unwrap()
}

fn login_answer() -> serde_json::Value {
    serde_json::to_value(LoginResponse {
        session_token: "sess-abc".into(),
        expires_at: "2025-03-01T12:00:00Z".into(),
        stage: SessionStage::Ready,
        user: testing::profile(),
    })
    .unwrap()
}

fn sale_request() -> SaleRequest {
    SaleRequest {
        amount: Money::twd_minor(10_000),
        brand: Brand::Visa,
        card: testing::chip_payload(Brand::Visa),
        pin: None,
    }
}

#[tokio::test]
async fn the_login_token_goes_with_the_requests_given_it() {
    let gateway = FakeGateway::start(|request| match request.path() {
        paths::LOGIN => Answer::Json(200, login_answer()),
        _ => Answer::Json(200, serde_json::to_value(testing::config()).unwrap()),
    })
    .await;
    let client = client(&gateway);
    let request = LoginRequest {
        username: "amy".into(),
        password: "135790".into(),
        reader_serial: Some("R1".into()),
    };
    let response = client.login(&request).await.unwrap();
    assert_eq!(response.user.username, "amy");
    let token = SessionToken::new(response.session_token);
    let config = client.terminal_config(Some(&token)).await.unwrap();
    assert_eq!(config.merchant_id, "M001");

    let sent = gateway.requests();
    assert_eq!(sent[0].method, "POST");
    assert_eq!(sent[0].json()["password"], "135790");
    assert_eq!(sent[0].header("authorization"), None);
    assert_eq!(sent[1].method, "GET");
    assert_eq!(sent[1].path(), paths::TERMINAL_CONFIG);
    assert_eq!(sent[1].header("authorization"), Some("Bearer sess-abc"));
}

#[tokio::test]
async fn sale_carries_its_idempotency_key_and_reads_the_answer() {
    let answer = testing::authorization(
        TxnKind::Sale,
        TxnStatus::Approved,
        Money::twd_minor(10_000),
        Brand::Visa,
        false,
    );
    let body = serde_json::to_value(&answer).unwrap();
    let gateway = FakeGateway::start(move |_| Answer::Json(201, body.clone())).await;
    let client = client(&gateway);
    let response = client
        .sale(None, "0123456789abcdef0123456789abcdef", &sale_request())
        .await
        .unwrap();
    assert_eq!(response, answer);
    let sent = &gateway.requests_to(paths::SALES)[0];
    assert_eq!(
        sent.header("idempotency-key"),
        Some("0123456789abcdef0123456789abcdef")
    );
    assert_eq!(sent.json()["card"]["masked_pan"], "411111******1111");
}

#[tokio::test]
async fn api_errors_are_typed_with_their_detail() {
    let gateway = FakeGateway::start(|_| {
        let error = ApiError::new(ErrorCode::AccountLocked).with_detail("until 14:35");
        Answer::Json(423, serde_json::to_value(error).unwrap())
    })
    .await;
    let error = client(&gateway)
        .login(&LoginRequest {
            username: "amy".into(),
            password: "000000".into(),
            reader_serial: None,
        })
        .await
        .unwrap_err();
    match error {
        HostError::Api(api) => {
            assert_eq!(api.code, ErrorCode::AccountLocked);
            assert_eq!(api.detail.as_deref(), Some("until 14:35"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unreadable_answers_are_malformed() {
    let gateway = FakeGateway::start(|request| match request.path() {
        paths::SALES => Answer::Raw(200, "{\"transaction\":".into()),
        _ => Answer::Raw(502, "<html>Bad gateway</html>".into()),
    })
    .await;
    let client = client(&gateway);
    let error = client.sale(None, "k", &sale_request()).await.unwrap_err();
    assert!(matches!(error, HostError::Malformed(_)), "{error:?}");
    assert!(error.outcome_unknown());
    let error = client.settlement_preview(None).await.unwrap_err();
    assert!(
        matches!(error, HostError::Malformed(ref text) if text.contains("502")),
        "{error:?}"
    );
}

#[tokio::test]
async fn silence_is_a_timeout_with_unknown_outcome() {
    let gateway = FakeGateway::start(|_| Answer::Hang).await;
    let client = HostClient::new(&config(&gateway, 300)).unwrap();
    let error = client.sale(None, "k", &sale_request()).await.unwrap_err();
    assert_eq!(error, HostError::Timeout);
    assert!(error.outcome_unknown());
    // The request did leave the phone: that is why the outcome is unknown.
    assert_eq!(gateway.requests_to(paths::SALES).len(), 1);
}

#[tokio::test]
async fn another_server_key_is_a_pin_mismatch_and_nothing_is_sent() {
    let gateway = FakeGateway::start(|_| Answer::Json(200, json!({}))).await;
    let mut settings = config(&gateway, 5_000);
    settings.pinned_spki_sha256 = "ab".repeat(32);
    let client = HostClient::new(&settings).unwrap();
    let error = client.sale(None, "k", &sale_request()).await.unwrap_err();
    assert_eq!(error, HostError::PinMismatch);
    assert!(!error.outcome_unknown());
    assert!(gateway.requests().is_empty());
}

#[tokio::test]
async fn untrusted_root_is_a_secure_connection_failure_and_nothing_is_sent() {
    let gateway = FakeGateway::start(|_| Answer::Json(200, json!({}))).await;
    let other = FakeGateway::start(|_| Answer::Json(200, json!({}))).await;
    let mut settings = config(&gateway, 5_000);
    settings.trust_root_pem = other.root_pem.clone();
    let error = HostClient::new(&settings)
        .unwrap()
        .settlement_preview(None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, HostError::UntrustedCertificate(_)),
        "{error:?}"
    );
    assert!(
        !error.outcome_unknown(),
        "the handshake failed before any request"
    );
    assert_eq!(error.user_message().code, "secure_connection_failed");
    assert!(gateway.requests().is_empty());
}

#[tokio::test]
async fn refused_connection_is_a_transport_error() {
    let gateway = FakeGateway::start(|_| Answer::Json(200, json!({}))).await;
    let mut settings = config(&gateway, 2_000);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = listener.local_addr().unwrap().port();
    drop(listener);
    settings.gateway_url = format!("https://127.0.0.1:{closed_port}");
    let error = HostClient::new(&settings)
        .unwrap()
        .settlement_preview(None)
        .await
        .unwrap_err();
    assert!(matches!(error, HostError::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn search_sends_one_query_parameter() {
    let gateway = FakeGateway::start(|_| Answer::Json(200, json!({"transactions": []}))).await;
    let criteria = TransactionSearch {
        invoice_no: Some("000042".into()),
        ..TransactionSearch::default()
    };
    let list = client(&gateway).search(None, &criteria).await.unwrap();
    assert!(list.transactions.is_empty());
    assert_eq!(
        gateway.requests()[0].target,
        "/v1/app/transactions?invoice_no=000042"
    );
}

#[tokio::test]
async fn reversal_names_the_original_key() {
    let gateway = FakeGateway::start(|_| {
        Answer::Json(200, json!({"acknowledged": true, "transaction_id": null}))
    })
    .await;
    let request = ReversalRequest {
        original_idempotency_key: "orig-key".into(),
        reason: mpos_wire::api::ReversalReason::Timeout,
    };
    let client = client(&gateway);
    assert!(client.reverse(None, &request).await.unwrap().acknowledged);
    assert!(client.reverse(None, &request).await.unwrap().acknowledged);
    let sent = gateway.requests_to(paths::REVERSALS);
    assert_eq!(sent[0].json()["original_idempotency_key"], "orig-key");
    assert_eq!(sent[0].json()["reason"], "timeout");
    // Its own key (the gateway refuses the original's), the same on every retry.
    let key = sent[0].header("idempotency-key").unwrap();
    assert_ne!(key, "orig-key");
    assert_eq!(key, "reversal-timeout-orig-key");
    assert_eq!(sent[1].header("idempotency-key"), Some(key));
}

#[tokio::test]
async fn void_and_signature_answer_the_transaction() {
    let summary = testing::summary(
        "t 1",
        TxnKind::Sale,
        TxnStatus::Voided,
        Money::twd_minor(100),
        Brand::Visa,
    );
    let bare = serde_json::to_value(&summary).unwrap();
    let gateway = FakeGateway::start(move |_| Answer::Json(200, bare.clone())).await;
    let client = client(&gateway);
    let voided = client
        .void(
            None,
            "k",
            &VoidRequest {
                transaction_id: "t 1".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(voided, summary);
    let signature = SignatureRequest { strokes: vec![] };
    assert_eq!(
        client
            .upload_signature(None, "t 1", &signature)
            .await
            .unwrap(),
        summary
    );
    // The id is one encoded path segment.
    assert_eq!(
        gateway.requests()[1].path(),
        "/v1/app/transactions/t%201/signature"
    );
}

#[tokio::test]
async fn logout_forgets_the_token_even_when_it_fails() {
    let gateway = FakeGateway::start(|request| match request.path() {
        paths::LOGIN => Answer::Json(200, login_answer()),
        _ => Answer::Json(
            500,
            serde_json::to_value(ApiError::new(ErrorCode::Internal)).unwrap(),
        ),
    })
    .await;
    let client = client(&gateway);
    client
        .login(&LoginRequest {
            username: "amy".into(),
            password: "135790".into(),
            reader_serial: None,
        })
        .await
        .unwrap();
    assert!(client.logout(&SessionToken::new("sess-abc")).await.is_err());
}

#[test]
fn only_https_urls_are_accepted() {
    let base = HostConfig {
        gateway_url: "http://gw.example".into(),
        trust_root_pem: String::new(),
        pinned_spki_sha256: "00".repeat(32),
        request_timeout: Duration::from_secs(1),
    };
    assert!(matches!(
        HostClient::new(&base),
        Err(HostSetupError::InvalidUrl(_))
    ));
    let empty = HostConfig {
        gateway_url: "https://".into(),
        ..base
    };
    assert!(matches!(
        HostClient::new(&empty),
        Err(HostSetupError::InvalidUrl(_))
    ));
}

#[test]
fn ids_are_percent_encoded() {
    assert_eq!(path_segment("t-1_a.b~"), "t-1_a.b~");
    assert_eq!(path_segment("a/b?c"), "a%2Fb%3Fc");
}
