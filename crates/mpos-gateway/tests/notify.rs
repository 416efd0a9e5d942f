//! E-mail over a real SMTP conversation and SMS over HTTP, against
//! minimal fake servers on loopback.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use common::*;
use mpos_gateway::config::{SmsConfig, SmtpConfig, SmtpTls};
use mpos_wire::api::paths;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Accepts SMTP sessions and keeps each message's DATA.
async fn fake_smtp() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let store = messages.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    match verb.as_str() {
                        "EHLO" | "HELO" => {
                            write.write_all(b"250-fake\r\n250 OK\r\n").await.unwrap()
                        }
                        "DATA" => {
                            write.write_all(b"354 go on\r\n").await.unwrap();
                            let mut data = String::new();
                            while let Ok(Some(line)) = lines.next_line().await {
                                if line == "." {
                                    break;
                                }
                                data.push_str(&line);
                                data.push('\n');
                            }
                            store.lock().unwrap().push(data);
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => write.write_all(b"250 OK\r\n").await.unwrap(),
                    }
                }
            });
        }
    });
    (port, messages)
}

/// What the fake provider received: the Authorization header and the JSON body.
type Received = Arc<Mutex<Vec<(Option<String>, Value)>>>;

#[derive(Clone)]
struct SmsProvider {
    received: Received,
    status: StatusCode,
}

async fn receive(
    State(provider): State<SmsProvider>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let auth = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_string());
    provider
        .received
        .lock()
        .unwrap()
        .push((auth, serde_json::from_str(&body).unwrap()));
    provider.status
}

async fn fake_sms(status: StatusCode) -> (String, Received) {
    let provider = SmsProvider {
        received: Arc::default(),
        status,
    };
    let received = provider.received.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/send", post(receive))
        .with_state(provider);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

/// The decoded text body of a MIME message (base64 or quoted-printable).
fn decoded_body(message: &str) -> String {
    let (headers, body) = message.split_once("\n\n").unwrap();
    let headers = headers.to_ascii_lowercase();
    if headers.contains("content-transfer-encoding: base64") {
        let joined: String = body.lines().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap(),
        )
        .unwrap()
    } else if headers.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\n", "");
        let mut bytes = Vec::new();
        let raw = joined.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'=' && i + 2 < raw.len() {
                bytes.push(
                    u8::from_str_radix(std::str::from_utf8(&raw[i + 1..i + 3]).unwrap(), 16)
                        .unwrap(),
                );
                i += 3;
            } else {
                bytes.push(raw[i]);
                i += 1;
            }
        }
        String::from_utf8(bytes).unwrap()
    } else {
        body.to_string()
    }
}

#[tokio::test]
async fn activation_goes_out_by_smtp_and_the_sms_provider() {
    let (smtp_port, mails) = fake_smtp().await;
    let (sms_url, texts) = fake_sms(StatusCode::ACCEPTED).await;
    let mut config = test_config();
    config.smtp = Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: smtp_port,
        from: "mpos@example.com".into(),
        tls: SmtpTls::None,
        ca_cert_path: None,
    });
    config.sms = Some(SmsConfig {
        url: sms_url,
        bearer_token: Some("sms-secret".into()),
    });
    let gw = TestGateway::start_with(config).await;

    let (status, user) = gw
        .post(
            paths::ADMIN_USERS,
            Some(&gw.admin_token()),
            json!({ "name": "陳小明", "phone": "0912345678", "email": "chen@example.com", "username": "chen", "limits": default_limits() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");

    let mail = mails.lock().unwrap().pop().expect("an e-mail arrived");
    assert!(mail.contains("To: chen@example.com"), "{mail}");
    assert!(mail.contains("Subject: "), "{mail}");
    let body = decoded_body(&mail);
    assert!(body.contains("chen"), "{body}");
    let password = body
        .lines()
        .find_map(|l| l.strip_prefix(mpos_gateway::admin::PASSWORD_LINE))
        .unwrap()
        .trim()
        .to_string();

    let (auth, sms) = texts.lock().unwrap().pop().expect("an SMS arrived");
    assert_eq!(auth.as_deref(), Some("Bearer sms-secret"));
    assert_eq!(sms["to"], "0912345678");
    let message = sms["message"].as_str().unwrap();
    let code: String = message
        .split(mpos_gateway::admin::ACTIVATION_CODE_LINE)
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();

    // The delivered credentials work.
    let (_, login) = gw.login("chen", &password).await;
    let token = login["session_token"].as_str().unwrap();
    let (status, _) = gw
        .post(
            paths::ACTIVATE,
            Some(token),
            json!({ "activation_code": code }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !gw.dir.path().join("outbox").exists(),
        "no outbox when providers are configured"
    );
}

#[tokio::test]
async fn a_refusing_sms_provider_is_a_delivery_failure() {
    let (sms_url, texts) = fake_sms(StatusCode::INTERNAL_SERVER_ERROR).await;
    let mut config = test_config();
    config.sms = Some(SmsConfig {
        url: sms_url,
        bearer_token: None,
    });
    let gw = TestGateway::start_with(config).await;
    let (status, body) = gw
        .post(
            paths::ADMIN_USERS,
            Some(&gw.admin_token()),
            json!({ "name": "A", "phone": "0912345678", "email": "a@example.com", "limits": default_limits() }),
        )
        .await;
    assert_eq!((status.as_u16(), code(&body)), (502, "delivery_failed"));
    assert_eq!(texts.lock().unwrap().len(), 1);
    assert_eq!(
        texts.lock().unwrap()[0].0,
        None,
        "no bearer token configured"
    );
    // The account exists; the administrator can resend with a reset.
    let users = gw.admin_get(paths::ADMIN_USERS).await;
    assert_eq!(users["users"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn receipt_by_sms_reaches_the_provider() {
    let (sms_url, texts) = fake_sms(StatusCode::OK).await;
    let mut config = test_config();
    config.sms = Some(SmsConfig {
        url: sms_url,
        bearer_token: None,
    });
    let gw = TestGateway::start_with(config).await;
    let (status, created) = gw
        .post(
            paths::ADMIN_USERS,
            Some(&gw.admin_token()),
            json!({ "name": "A", "phone": "0911111111", "email": "amy@example.com", "username": "amy", "limits": default_limits() }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let mail = gw.outbox("mail.jsonl").pop().unwrap();
    let password = mail["body"]
        .as_str()
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(mpos_gateway::admin::PASSWORD_LINE))
        .unwrap()
        .trim()
        .to_string();
    let (_, activation_sms) = texts.lock().unwrap().pop().unwrap();
    let code: String = activation_sms["message"]
        .as_str()
        .unwrap()
        .split(mpos_gateway::admin::ACTIVATION_CODE_LINE)
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    let (_, login) = gw.login("amy", &password).await;
    let token = login["session_token"].as_str().unwrap().to_string();
    gw.post(
        paths::ACTIVATE,
        Some(&token),
        json!({ "activation_code": code }),
    )
    .await;
    let (status, _) = gw
        .post(
            paths::PASSWORD,
            Some(&token),
            json!({ "new_password": "864209" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let user = AppUser {
        token,
        id: String::new(),
        username: "amy".into(),
        password: "864209".into(),
        terminal_id: String::new(),
    };
    let sale = gw
        .approved_sale(
            &user,
            &Reader::new(),
            mpos_cards::CardId::VisaChipApproved,
            880_00,
        )
        .await;
    let path = paths::fill(paths::RECEIPT, sale["id"].as_str().unwrap());
    let (status, body) = gw
        .post(
            &path,
            Some(&user.token),
            json!({ "destination": { "channel": "sms", "to": "+886912345678" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sent_to"], "+886***678");
    let (_, sms) = texts.lock().unwrap().pop().unwrap();
    assert_eq!(sms["to"], "+886912345678");
    assert!(sms["message"].as_str().unwrap().contains("NT$880"));
}
