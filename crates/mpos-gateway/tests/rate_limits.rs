//! Rate limits at the production rates, tried as an attacker would: a
//! flood of logins for one name and from one address, a stolen session
//! sending receipt SMS to arbitrary numbers, and password guesses in one
//! session. Each refusal is `too_many_requests` with a `Retry-After`.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::CardId;
use mpos_gateway::config::RateLimitConfig;
use mpos_gateway::GatewayConfig;
use mpos_wire::api::paths;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

/// The test configuration with the production rate limits.
fn production_rates() -> GatewayConfig {
    let mut config = test_config();
    config.rate_limits = RateLimitConfig::default();
    config
}

/// Sends a login that may say, in `X-Forwarded-For`, which client it comes from.
async fn login_from(
    gw: &TestGateway,
    username: &str,
    forwarded_for: Option<&str>,
) -> (StatusCode, Option<String>) {
    let mut request = gw.client.post(gw.url(paths::LOGIN));
    if let Some(client) = forwarded_for {
        request = request.header("x-forwarded-for", client);
    }
    let response = request
        .json(&json!({ "username": username, "password": "000000", "reader_serial": "SIM-0001" }))
        .send()
        .await
        .unwrap();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (response.status(), retry_after)
}

/// Sends `count` logins at once (the limits are checked before the slow
/// hash, so a flood meets them at once); returns the statuses and the
/// `Retry-After` values of the refusals.
async fn flood(
    gw: &Arc<TestGateway>,
    count: usize,
    name: impl Fn(usize) -> String,
) -> (Vec<StatusCode>, Vec<u64>) {
    flood_from(gw, count, |n| (name(n), None)).await
}

/// A flood whose `n`-th login names its user and, maybe, the client a balancer forwards.
async fn flood_from(
    gw: &Arc<TestGateway>,
    count: usize,
    sender: impl Fn(usize) -> (String, Option<String>),
) -> (Vec<StatusCode>, Vec<u64>) {
    let attempts: Vec<_> = (0..count)
        .map(|n| {
            let (name, forwarded) = sender(n);
            let gw = gw.clone();
            tokio::spawn(async move { login_from(&gw, &name, forwarded.as_deref()).await })
        })
        .collect();
    let mut statuses = Vec::new();
    let mut waits = Vec::new();
    for attempt in attempts {
        let (status, retry_after) = attempt.await.unwrap();
        if status == StatusCode::TOO_MANY_REQUESTS {
            waits.push(retry_after.expect("Retry-After").parse().unwrap());
        }
        statuses.push(status);
    }
    (statuses, waits)
}

fn refused(statuses: &[StatusCode]) -> usize {
    statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count()
}

#[tokio::test]
async fn a_flood_of_logins_for_one_name_is_cut_off_and_others_still_log_in() {
    let gw = Arc::new(TestGateway::start_with(production_rates()).await);
    let user = gw.ready_user("amy").await;
    let limit = RateLimitConfig::default().logins_per_username_per_minute as usize;
    // The name is compared without case or spaces: no way around the limit.
    let (statuses, waits) = flood(&gw, limit + 10, |n| {
        if n % 2 == 0 {
            "ghost".into()
        } else {
            " GHOST ".into()
        }
    })
    .await;
    assert!(refused(&statuses) >= 9, "{statuses:?}");
    assert!(waits.iter().all(|w| (1..=60).contains(w)), "{waits:?}");
    let (status, body) = gw.login("amy", &user.password).await;
    assert_eq!(status, StatusCode::OK, "another name still logs in: {body}");
}

#[tokio::test]
async fn a_flood_of_logins_from_one_address_is_cut_off() {
    let gw = Arc::new(TestGateway::start_with(production_rates()).await);
    let limit = RateLimitConfig::default().logins_per_address_per_minute as usize;
    let (statuses, waits) = flood(&gw, limit + 10, |n| format!("name{n}")).await;
    assert!(refused(&statuses) >= 9, "{statuses:?}");
    assert_eq!(waits.len(), refused(&statuses));
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn a_session_cannot_spray_receipt_sms_to_arbitrary_numbers() {
    // The attack: 30 receipt SMS to 30 numbers from one session in 0.1 s.
    let gw = TestGateway::start_with(production_rates()).await;
    let user = gw.ready_user("bob").await;
    let sale = gw
        .approved_sale(&user, &Reader::new(), CardId::VisaChipApproved, 100_00)
        .await;
    let path = paths::fill(paths::RECEIPT, sale["id"].as_str().unwrap());
    let before = gw.outbox("sms.jsonl").len();
    let mut refused = 0;
    for n in 0..30 {
        let (status, body) = gw
            .post(
                &path,
                Some(&user.token),
                json!({ "destination": { "channel": "sms", "to": format!("+8869{n:08}") } }),
            )
            .await;
        match status {
            StatusCode::OK => {}
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(code(&body), "too_many_requests");
                refused += 1;
            }
            other => panic!("{other}: {body}"),
        }
    }
    let sent = gw.outbox("sms.jsonl").len() - before;
    let limit = RateLimitConfig::default().receipts_per_session_per_minute as usize;
    assert_eq!(sent, limit, "only the session's allowance went out");
    assert_eq!(refused, 30 - limit);
}

#[tokio::test]
async fn receipt_sms_per_user_are_limited_across_sessions_but_e_mail_goes_on() {
    let mut config = production_rates();
    config.rate_limits.sms_per_user_per_hour = 3;
    let gw = TestGateway::start_with(config).await;
    let mut user = gw.ready_user("cat").await;
    let sale = gw
        .approved_sale(&user, &Reader::new(), CardId::VisaChipApproved, 100_00)
        .await;
    let path = paths::fill(paths::RECEIPT, sale["id"].as_str().unwrap());
    let sms = json!({ "destination": { "channel": "sms", "to": "+886912345678" } });
    for _ in 0..3 {
        assert_eq!(
            gw.post(&path, Some(&user.token), sms.clone()).await.0,
            StatusCode::OK
        );
    }
    // A new session does not reset the user's SMS allowance.
    gw.relogin(&mut user).await;
    let (status, body) = gw.post(&path, Some(&user.token), sms).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_requests")
    );
    let email = json!({ "destination": { "channel": "email", "to": "cardholder@example.com" } });
    assert_eq!(
        gw.post(&path, Some(&user.token), email).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn password_checks_in_one_session_are_limited() {
    let gw = TestGateway::start_with(production_rates()).await;
    let user = gw.ready_user("dan").await;
    let (status, body) = gw.login("dan", &user.password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["session_token"].as_str().unwrap().to_string();
    let limit = RateLimitConfig::default().secrets_per_session_per_minute;
    let verify = json!({ "password": user.password });
    for _ in 0..limit {
        let (status, body) = gw
            .post(paths::VERIFY_PASSWORD, Some(&token), verify.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = gw.post(paths::VERIFY_PASSWORD, Some(&token), verify).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::TOO_MANY_REQUESTS, "too_many_requests")
    );
}

#[tokio::test]
async fn behind_a_trusted_balancer_each_client_has_its_own_allowance() {
    let mut config = production_rates();
    config.network.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let gw = Arc::new(TestGateway::start_with(config).await);
    let limit = RateLimitConfig::default().logins_per_address_per_minute as usize;
    for n in 0..limit + 5 {
        let forwarded = format!("198.51.100.{n}");
        let (status, _) = login_from(&gw, &format!("shop{n}"), Some(&forwarded)).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "client {n} has its own allowance"
        );
    }
    // One client behind the balancer still meets its own limit.
    let (statuses, _) = flood_from(&gw, limit + 10, |n| {
        (format!("one{n}"), Some("203.0.113.5".to_string()))
    })
    .await;
    assert!(refused(&statuses) >= 9, "{statuses:?}");
}

#[tokio::test]
async fn a_client_that_is_not_a_trusted_balancer_cannot_pick_its_address() {
    let gw = Arc::new(TestGateway::start_with(production_rates()).await);
    let limit = RateLimitConfig::default().logins_per_address_per_minute as usize;
    let (statuses, _) = flood_from(&gw, limit + 10, |n| {
        (format!("spoof{n}"), Some(format!("198.51.100.{n}")))
    })
    .await;
    assert!(
        refused(&statuses) >= 9,
        "the header was ignored: {statuses:?}"
    );
}
