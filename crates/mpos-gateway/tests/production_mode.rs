//! Production mode: what it refuses at startup (the settable test clock,
//! the published test keys, plain SMTP, plain-http SMS), and e-mail that
//! goes over STARTTLS to a real SMTP server that requires it.

mod common;

use common::*;
use mpos_gateway::config::{Mode, SmsConfig, SmtpConfig, SmtpTls};
use mpos_gateway::{start, GatewayConfig, GatewayError, StartOptions};
use mpos_testkit::smtp_server::SmtpServer;
use mpos_wire::api::paths;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

async fn start_in_temp(
    config: GatewayConfig,
    test_clock: bool,
) -> Result<mpos_gateway::RunningGateway, GatewayError> {
    let dir = tempfile::tempdir().unwrap();
    start(StartOptions {
        data_dir: dir.keep(),
        listen: "127.0.0.1:0".parse().unwrap(),
        config,
        tls: None,
        test_clock,
    })
    .await
}

/// The test configuration with keys no standard publishes.
fn private_keys(mut config: GatewayConfig) -> GatewayConfig {
    for bdk in &mut config.hsm.bdks {
        bdk.bdk_hex = "8E3A0C5B71D94F26A1B0C3D4E5F60718".into();
    }
    for imk in &mut config.hsm.issuer_master_keys {
        imk.imk_hex = "5B71D94F268E3A0CE5F60718A1B0C3D4".into();
    }
    config.hsm.zone_pin_key_hex = Some("C3D4E5F60718A1B05B71D94F268E3A0C".into());
    config
}

#[tokio::test]
async fn production_refuses_the_test_clock_test_keys_plain_smtp_and_http_sms() {
    let mut config = test_config();
    config.mode = Mode::Production;
    config.smtp = Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: 2525,
        from: "mpos@example.com".into(),
        tls: SmtpTls::None,
        ca_cert_path: None,
    });
    config.sms = Some(SmsConfig {
        url: "http://127.0.0.1:9/send".into(),
        bearer_token: None,
    });
    let error = start_in_temp(config, true).await.unwrap_err();
    let GatewayError::NotForProduction(refusals) = &error else {
        panic!("{error}");
    };
    let text = error.to_string();
    for reason in [
        "test clock",
        "published test key",
        "zone_pin_key_hex",
        "smtp.tls",
        "sms.url",
    ] {
        assert!(text.contains(reason), "{reason} missing from: {text}");
    }
    assert!(refusals.len() >= 5, "{refusals:?}");
}

#[tokio::test]
async fn production_runs_without_a_clock_route() {
    let mut config = private_keys(test_config());
    config.mode = Mode::Production;
    let gateway = start_in_temp(config, false).await.unwrap();
    let client = client_for(&gateway.cert_pem);
    let response = client
        .put(format!("{}{}", gateway.base_url(), paths::TEST_CLOCK))
        .json(&json!({ "now": "2030-01-01T00:00:00Z" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    gateway.shutdown().await;
}

#[tokio::test]
async fn activation_mail_goes_over_starttls_to_a_relay_that_requires_it() {
    let smtp = SmtpServer::start_with_starttls().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("relay.pem");
    std::fs::write(&ca, smtp.certificate_pem().unwrap()).unwrap();
    let mut config = test_config();
    config.smtp = Some(SmtpConfig {
        host: "localhost".into(),
        port: smtp.addr().port(),
        from: "mpos@example.com".into(),
        tls: SmtpTls::Starttls,
        ca_cert_path: Some(ca),
    });
    let gw = TestGateway::start_with(config).await;
    let (status, body) = gw
        .post(
            paths::ADMIN_USERS,
            Some(&gw.admin_token()),
            json!({ "name": "Lin", "phone": "0912345678", "email": "lin@example.com", "username": "lin", "limits": default_limits() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mail = smtp
        .wait_for_message(|m| m.to == ["lin@example.com"], Duration::from_secs(10))
        .await
        .expect("the activation e-mail");
    assert!(mail.over_tls, "sent after STARTTLS");
}

#[tokio::test]
async fn a_relay_that_offers_no_starttls_gets_nothing_in_the_clear() {
    let smtp = SmtpServer::start().await.unwrap();
    let mut config = test_config();
    config.smtp = Some(SmtpConfig {
        host: "localhost".into(),
        port: smtp.addr().port(),
        from: "mpos@example.com".into(),
        tls: SmtpTls::Starttls,
        ca_cert_path: None,
    });
    let gw = TestGateway::start_with(config).await;
    let _ = gw
        .post(
            paths::ADMIN_USERS,
            Some(&gw.admin_token()),
            json!({ "name": "Wu", "phone": "0912345679", "email": "wu@example.com", "username": "wu", "limits": default_limits() }),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(smtp.messages().is_empty(), "no mail went out in plain text");
}

#[tokio::test]
async fn production_refuses_a_certificate_valid_for_more_than_two_years() {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.not_before = time::OffsetDateTime::now_utc();
    params.not_after = params.not_before + time::Duration::days(5 * 365);
    let cert = params.self_signed(&key).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    let mut config = private_keys(test_config());
    config.mode = Mode::Production;
    let error = start(StartOptions {
        data_dir: dir.path().join("data"),
        listen: "127.0.0.1:0".parse().unwrap(),
        config,
        tls: Some((cert_path, key_path)),
        test_clock: false,
    })
    .await
    .unwrap_err();
    assert!(error.to_string().contains("valid for 1825 days"), "{error}");
}
