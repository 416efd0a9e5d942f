//! The fake SMS provider against a real HTTP client.

use mpos_testkit::{activation, FakeSmsProvider};
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

fn client() -> reqwest::Client {
    // reqwest is built without a default rustls provider (the workspace picks ring).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

#[tokio::test]
async fn accepts_a_message_with_the_right_token() {
    let provider = FakeSmsProvider::start(Some("s3cret".into())).await.unwrap();
    let response = client()
        .post(format!("{}/messages", provider.url()))
        .bearer_auth("s3cret")
        .json(&json!({"to": "0912345678", "message": "啟動驗證碼 Activation code: 042519"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let body: Value = response.json().await.unwrap();
    let id = body["id"].as_str().unwrap().to_string();

    let sms = provider
        .wait_for_message(|m| m.to == "0912345678", WAIT)
        .await
        .unwrap();
    assert_eq!(sms.id, id);
    assert_eq!(activation::activation_code(&sms.message).unwrap(), "042519");
    assert_eq!(provider.messages().len(), 1);
}

#[tokio::test]
async fn refuses_a_missing_or_wrong_token() {
    let provider = FakeSmsProvider::start(Some("s3cret".into())).await.unwrap();
    let url = format!("{}/messages", provider.url());
    let body = json!({"to": "0912345678", "message": "hi"});
    let none = client().post(&url).json(&body).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let wrong = client()
        .post(&url)
        .bearer_auth("guess")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(provider.messages().is_empty());
}

#[tokio::test]
async fn without_a_token_any_request_is_accepted_and_ids_differ() {
    let provider = FakeSmsProvider::start(None).await.unwrap();
    let url = format!("{}/messages", provider.url());
    let mut ids = Vec::new();
    for to in ["0911111111", "+886922222222"] {
        let response = client()
            .post(&url)
            .json(&json!({"to": to, "message": "receipt"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        let body: Value = response.json().await.unwrap();
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    assert_ne!(ids[0], ids[1]);
    let recipients: Vec<String> = provider.messages().into_iter().map(|m| m.to).collect();
    assert_eq!(recipients, vec!["0911111111", "+886922222222"]);
}

#[tokio::test]
async fn refuses_malformed_bodies() {
    let provider = FakeSmsProvider::start(None).await.unwrap();
    let url = format!("{}/messages", provider.url());
    for body in [
        r#"{"to":"0912345678"}"#,
        "not json",
        r#"{"to":" ","message":"x"}"#,
        r#"{"to":"0912345678","message":""}"#,
    ] {
        let response = client()
            .post(&url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
    }
    assert!(provider.messages().is_empty());
}

#[tokio::test]
async fn an_outage_answers_503_and_loses_nothing_after() {
    let provider = FakeSmsProvider::start(None).await.unwrap();
    let url = format!("{}/messages", provider.url());
    let body = json!({"to": "0912345678", "message": "x"});
    provider.set_unavailable(true);
    assert_eq!(
        client()
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
    provider.set_unavailable(false);
    assert_eq!(
        client()
            .post(&url)
            .json(&body)
            .send()
            .await
            .unwrap()
            .status(),
        202
    );
    assert_eq!(provider.messages().len(), 1);
}

#[tokio::test]
async fn wait_times_out_without_a_match() {
    let provider = FakeSmsProvider::start(None).await.unwrap();
    let error = provider
        .wait_for_message(|_| true, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!(error.received, 0);
}
