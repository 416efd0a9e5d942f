//! `GET /v1/app/status`: the pre-shift check's view of the gateway, open
//! to anyone and naming nothing of any merchant.
// Amounts in the shared helpers are written dollars_cents.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_gateway::config::AppReleasesConfig;
use mpos_wire::api::{paths, AppStatus};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn anyone_gets_the_gateway_clock_and_the_announced_versions() {
    let mut config = test_config();
    config.app_releases = AppReleasesConfig {
        latest: "1.4.0".into(),
        minimum: "1.2.0".into(),
    };
    let gw = TestGateway::start_with(config).await;
    gw.set_clock("2031-03-04T05:06:07.000Z").await;

    let (status, body) = gw
        .call(Method::GET, paths::APP_STATUS, None, None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: AppStatus = serde_json::from_value(body.clone()).unwrap();
    assert_eq!(answer.latest_app_version, "1.4.0");
    assert_eq!(answer.minimum_app_version, "1.2.0");
    assert!(
        answer.server_time.starts_with("2031-03-04T05:06:0"),
        "the gateway's own clock: {}",
        answer.server_time
    );
    // Nothing but the three fields: no merchant, no user, no secret.
    assert_eq!(body.as_object().unwrap().len(), 3, "{body}");

    // A session is not needed, and a bad one does not matter either.
    let (status, _) = gw
        .call(Method::GET, paths::APP_STATUS, Some("forged"), None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = gw
        .call(Method::POST, paths::APP_STATUS, None, None, None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
}
