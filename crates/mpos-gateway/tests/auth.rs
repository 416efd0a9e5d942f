//! Login, lockout, activation and password rules over the real API.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_wire::api::paths;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn first_login_sequence_reaches_ready() {
    let gw = TestGateway::start().await;
    let delivered = gw.create_user("amy", &default_limits()).await;
    assert_eq!(delivered.user["status"], "pending_activation");
    assert_eq!(delivered.default_password.len(), 8);

    let (status, login) = gw.login("amy", &delivered.default_password).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(login["stage"], "activation_required");
    assert_eq!(login["user"]["username"], "amy");
    let token = login["session_token"].as_str().unwrap();

    // Before activation, everything but the next step is refused.
    let (status, body) = gw.get(paths::TERMINAL_CONFIG, token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(code(&body), "activation_required");
    let (status, body) = gw
        .post(
            paths::PASSWORD,
            Some(token),
            json!({ "new_password": "135790" }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "activation_required")
    );

    let (status, body) = gw
        .post(
            paths::ACTIVATE,
            Some(token),
            json!({ "activation_code": delivered.activation_code }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["stage"], "password_change_required");
    let (status, body) = gw.get(paths::TERMINAL_CONFIG, token).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "password_change_required")
    );

    let (status, body) = gw
        .post(
            paths::PASSWORD,
            Some(token),
            json!({ "new_password": "135790" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["stage"], "ready");
    let (status, config) = gw.get(paths::TERMINAL_CONFIG, token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(config["terminal_id"], delivered.user["terminal_id"]);
    assert_eq!(config["time_zone"], "Asia/Taipei");
    assert_eq!(config["brands"].as_array().unwrap().len(), 5);

    // The default password no longer works; the new one logs straight in.
    let (status, body) = gw.login("amy", &delivered.default_password).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    let (status, body) = gw.login("amy", "135790").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["stage"], "ready");
    let users = gw.admin_get(paths::ADMIN_USERS).await;
    assert_eq!(users["users"][0]["status"], "active");
}

#[tokio::test]
async fn five_wrong_passwords_lock_for_thirty_minutes() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("bob").await;
    for attempt in 1..=4 {
        let (status, body) = gw.login("bob", "000000").await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            "attempt {attempt}"
        );
    }
    let (status, body) = gw.login("bob", "000000").await;
    assert_eq!(status.as_u16(), 423);
    assert_eq!(code(&body), "account_locked");
    // Locked: even the right password is refused, and the detail says until when.
    let (status, body) = gw.login("bob", &user.password).await;
    assert_eq!(status.as_u16(), 423);
    assert!(
        body["detail"].as_str().unwrap() == "until 10:30 (Asia/Taipei)",
        "{body}"
    );
    let users = gw.admin_get(paths::ADMIN_USERS).await;
    assert!(users["users"][0]["locked_until"].is_string());

    gw.set_clock("2030-03-10T02:29:00Z").await;
    let (status, _) = gw.login("bob", &user.password).await;
    assert_eq!(
        status.as_u16(),
        423,
        "still locked one minute before the end"
    );

    gw.set_clock("2030-03-10T02:31:00Z").await;
    let (status, body) = gw.login("bob", &user.password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The count starts again after the lock: four wrong tries do not lock.
    for _ in 0..4 {
        assert_eq!(gw.login("bob", "000000").await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(gw.login("bob", &user.password).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_stranger_guessing_from_another_reader_cannot_lock_the_cashier_out() {
    // The attack: anyone who knows a user name sends five wrong passwords to
    // keep the account locked. Guesses from another reader lock only that
    // lane; the cashier at their own reader still logs in, and the lock still
    // stops the stranger, right password or not.
    let gw = TestGateway::start().await;
    let user = gw.ready_user("ned").await;
    for attempt in 1..=5 {
        let (status, _) = gw.login_with_reader("ned", "000000", "STRANGER-9").await;
        let expected = if attempt < 5 { 401 } else { 423 };
        assert_eq!(status.as_u16(), expected, "attempt {attempt}");
    }
    let (status, body) = gw.login("ned", &user.password).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the own reader's lane is open: {body}"
    );
    let (status, body) = gw
        .login_with_reader("ned", &user.password, "STRANGER-9")
        .await;
    assert_eq!((status.as_u16(), code(&body)), (423, "account_locked"));
    let users = gw.admin_get(paths::ADMIN_USERS).await;
    assert!(
        users["users"][0]["locked_until"].is_string(),
        "the administrator sees the lock"
    );
}

#[tokio::test]
async fn lockout_answers_do_not_tell_which_user_names_exist() {
    let gw = TestGateway::start().await;
    gw.ready_user("opal").await;
    let mut answers = Vec::new();
    for name in ["opal", "nobody-here"] {
        let mut seen = Vec::new();
        for _ in 0..6 {
            let (status, body) = gw.login_with_reader(name, "000000", "STRANGER-9").await;
            let detail = body["detail"].as_str().map(|d| d.len());
            seen.push((status.as_u16(), code(&body).to_string(), detail));
        }
        answers.push(seen);
    }
    assert_eq!(
        answers[0], answers[1],
        "a real and an unknown name answer alike"
    );
    assert_eq!(answers[0][4].0, 423, "the fifth wrong password locks");
}

#[tokio::test]
async fn a_disabled_account_is_told_only_to_whoever_has_its_password() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("pia").await;
    let (status, _) = gw
        .post(
            &paths::fill(paths::ADMIN_USER_DISABLE, &user.id),
            Some(&gw.admin_token()),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = gw.login("pia", "000000").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    let (status, body) = gw.login("pia", &user.password).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "account_disabled")
    );
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("cat").await;
    for _ in 0..4 {
        gw.login("cat", "000000").await;
    }
    assert_eq!(gw.login("cat", &user.password).await.0, StatusCode::OK);
    for _ in 0..4 {
        assert_eq!(gw.login("cat", "000000").await.0, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn activation_code_expires_after_fifteen_minutes() {
    let gw = TestGateway::start().await;
    let delivered = gw.create_user("dan", &default_limits()).await;
    gw.set_clock("2030-03-10T02:15:01Z").await;
    let (_, login) = gw.login("dan", &delivered.default_password).await;
    let token = login["session_token"].as_str().unwrap();
    let (status, body) = gw
        .post(
            paths::ACTIVATE,
            Some(token),
            json!({ "activation_code": delivered.activation_code }),
        )
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (422, "activation_code_expired")
    );

    // A reset sends a new code that works, and the old code does not.
    let id = delivered.user["id"].as_str().unwrap();
    let (status, reset) = gw
        .post(
            &paths::fill(paths::ADMIN_USER_RESET, id),
            Some(&gw.admin_token()),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    assert_eq!(reset["status"], "pending_activation");
    let (password, new_code) =
        gw.delivered("dan@example.com", delivered.user["phone"].as_str().unwrap());
    assert_ne!(password, delivered.default_password);
    let (status, body) = gw
        .post(
            paths::ACTIVATE,
            Some(token),
            json!({ "activation_code": new_code }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized"),
        "reset ends old sessions"
    );
    let (_, login) = gw.login("dan", &password).await;
    let token = login["session_token"].as_str().unwrap();
    if new_code != delivered.activation_code {
        let (status, body) = gw
            .post(
                paths::ACTIVATE,
                Some(token),
                json!({ "activation_code": delivered.activation_code }),
            )
            .await;
        assert_eq!(
            (status.as_u16(), code(&body)),
            (422, "activation_code_invalid")
        );
    }
    let (status, body) = gw
        .post(
            paths::ACTIVATE,
            Some(token),
            json!({ "activation_code": new_code }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn activation_code_works_just_before_expiry_and_only_once() {
    let gw = TestGateway::start().await;
    let delivered = gw.create_user("eve", &default_limits()).await;
    gw.set_clock("2030-03-10T02:14:00Z").await;
    let (_, first) = gw.login("eve", &delivered.default_password).await;
    let (_, second) = gw.login("eve", &delivered.default_password).await;
    let first = first["session_token"].as_str().unwrap();
    let second = second["session_token"].as_str().unwrap();
    let (status, _) = gw
        .post(
            paths::ACTIVATE,
            Some(first),
            json!({ "activation_code": delivered.activation_code }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = gw
        .post(
            paths::ACTIVATE,
            Some(second),
            json!({ "activation_code": delivered.activation_code }),
        )
        .await;
    assert_eq!(
        (status.as_u16(), code(&body)),
        (422, "activation_code_invalid"),
        "single use"
    );
}

#[tokio::test]
async fn wrong_activation_codes_count_toward_the_lock() {
    let gw = TestGateway::start().await;
    let delivered = gw.create_user("fay", &default_limits()).await;
    let (_, login) = gw.login("fay", &delivered.default_password).await;
    let token = login["session_token"].as_str().unwrap();
    let wrong = if delivered.activation_code == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..4 {
        let (status, body) = gw
            .post(
                paths::ACTIVATE,
                Some(token),
                json!({ "activation_code": wrong }),
            )
            .await;
        assert_eq!(
            (status.as_u16(), code(&body)),
            (422, "activation_code_invalid")
        );
    }
    let (status, body) = gw
        .post(
            paths::ACTIVATE,
            Some(token),
            json!({ "activation_code": wrong }),
        )
        .await;
    assert_eq!((status.as_u16(), code(&body)), (423, "account_locked"));
    let (status, _) = gw
        .post(
            paths::ACTIVATE,
            Some(token),
            json!({ "activation_code": delivered.activation_code }),
        )
        .await;
    assert_eq!(status.as_u16(), 423, "locked even with the right code");
}

#[tokio::test]
async fn password_rule_six_digits_and_different() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("gus").await;
    for bad in ["12345", "1234567", "abcdef", "12 456"] {
        let (status, body) = gw
            .post(
                paths::PASSWORD,
                Some(&user.token),
                json!({ "new_password": bad, "current_password": user.password }),
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "password_rule"),
            "{bad}"
        );
    }
    let (status, body) = gw
        .post(
            paths::PASSWORD,
            Some(&user.token),
            json!({ "new_password": user.password, "current_password": user.password }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "password_rule"),
        "same as old"
    );
    // After first login the current password is required.
    let (status, body) = gw
        .post(
            paths::PASSWORD,
            Some(&user.token),
            json!({ "new_password": "246802" }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    let (status, body) = gw
        .post(
            paths::PASSWORD,
            Some(&user.token),
            json!({ "new_password": "246802", "current_password": "000000" }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "invalid_credentials")
    );
    let (status, _) = gw
        .post(
            paths::PASSWORD,
            Some(&user.token),
            json!({ "new_password": "246802", "current_password": user.password }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(gw.login("gus", "246802").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_malformed_new_password_is_refused_before_the_lock_and_spends_no_try() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("kit").await;
    // Four malformed requests with a wrong current password: none is a try.
    for _ in 0..4 {
        let (status, body) = gw
            .post(
                paths::PASSWORD,
                Some(&user.token),
                json!({ "new_password": "12345*", "current_password": "000000" }),
            )
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "password_rule")
        );
    }
    let (status, _) = gw.login("kit", &user.password).await;
    assert_eq!(status, StatusCode::OK, "no try was spent");
    for _ in 0..5 {
        gw.post(
            paths::VERIFY_PASSWORD,
            Some(&user.token),
            json!({ "password": "000000" }),
        )
        .await;
    }
    // Locked now: a well-formed change is refused by the lock, a malformed
    // one is still a 400 saying what is wrong with it.
    let (status, body) = gw
        .post(
            paths::PASSWORD,
            Some(&user.token),
            json!({ "new_password": "246802", "current_password": user.password }),
        )
        .await;
    assert_eq!((status.as_u16(), code(&body)), (423, "account_locked"));
    let (status, body) = gw
        .post(
            paths::PASSWORD,
            Some(&user.token),
            json!({ "new_password": "060558*", "current_password": user.password }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "password_rule")
    );
}

#[tokio::test]
async fn first_password_may_not_repeat_the_default() {
    let gw = TestGateway::start().await;
    let delivered = gw.create_user("hal", &default_limits()).await;
    let (_, login) = gw.login("hal", &delivered.default_password).await;
    let token = login["session_token"].as_str().unwrap();
    gw.post(
        paths::ACTIVATE,
        Some(token),
        json!({ "activation_code": delivered.activation_code }),
    )
    .await;
    let (status, body) = gw
        .post(
            paths::PASSWORD,
            Some(token),
            json!({ "new_password": "12345a" }),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "password_rule")
    );
    // A second login before the new password resumes at the password step.
    let (_, again) = gw.login("hal", &delivered.default_password).await;
    assert_eq!(again["stage"], "password_change_required");
}

#[tokio::test]
async fn verify_password_counts_failures_and_logout_ends_the_session() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("ida").await;
    let (status, body) = gw
        .post(
            paths::VERIFY_PASSWORD,
            Some(&user.token),
            json!({ "password": user.password }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for _ in 0..4 {
        let (status, _) = gw
            .post(
                paths::VERIFY_PASSWORD,
                Some(&user.token),
                json!({ "password": "000000" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = gw
        .post(
            paths::VERIFY_PASSWORD,
            Some(&user.token),
            json!({ "password": "000000" }),
        )
        .await;
    assert_eq!((status.as_u16(), code(&body)), (423, "account_locked"));

    let other = gw.ready_user("joe").await;
    let (status, _) = gw
        .call(Method::POST, paths::LOGOUT, Some(&other.token), None, None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = gw.get(paths::TERMINAL_CONFIG, &other.token).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
}

#[tokio::test]
async fn sessions_expire_even_when_in_use() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("kay").await;
    // Used every ten minutes from 10:00 to 17:50 Taipei: never idle, until it expires at 18:00.
    for minutes in (10..480).step_by(10) {
        let now = time::macros::datetime!(2030-03-10 02:00 UTC) + time::Duration::minutes(minutes);
        gw.set_clock(&mpos_gateway::clock::format_time(now)).await;
        let (status, body) = gw.get(paths::TERMINAL_CONFIG, &user.token).await;
        assert_eq!(status, StatusCode::OK, "at +{minutes} min: {body}");
    }
    gw.set_clock("2030-03-10T10:01:00Z").await;
    let (status, body) = gw.get(paths::TERMINAL_CONFIG, &user.token).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "session_expired")
    );
}

#[tokio::test]
async fn a_session_left_unused_for_fifteen_minutes_ends() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("lou").await;
    gw.set_clock("2030-03-10T02:14:00Z").await;
    assert_eq!(
        gw.get(paths::TERMINAL_CONFIG, &user.token).await.0,
        StatusCode::OK,
        "fourteen minutes after the last use"
    );
    gw.set_clock("2030-03-10T02:29:01Z").await;
    let (status, body) = gw.get(paths::TERMINAL_CONFIG, &user.token).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "session_expired"),
        "fifteen minutes and a second after the last use"
    );
    // Gone for good: going back in time does not revive it.
    gw.set_clock("2030-03-10T02:20:00Z").await;
    assert_eq!(
        gw.get(paths::TERMINAL_CONFIG, &user.token).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_password_change_ends_the_users_other_sessions() {
    // The attack: someone who learned the password keeps a session open on
    // another phone; the user changes the password; that session must die.
    let gw = TestGateway::start().await;
    let user = gw.ready_user("mia").await;
    let (status, body) = gw.login("mia", &user.password).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let intruder = body["session_token"].as_str().unwrap().to_string();
    assert_eq!(
        gw.get(paths::TERMINAL_CONFIG, &intruder).await.0,
        StatusCode::OK
    );
    let (status, body) = gw
        .post(
            paths::PASSWORD,
            Some(&user.token),
            json!({ "current_password": user.password, "new_password": "975310" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        gw.get(paths::TERMINAL_CONFIG, &intruder).await.0,
        StatusCode::UNAUTHORIZED,
        "the other session ended"
    );
    assert_eq!(
        gw.get(paths::TERMINAL_CONFIG, &user.token).await.0,
        StatusCode::OK,
        "the session that changed the password goes on"
    );
}

#[tokio::test]
async fn disabled_users_cannot_log_in_or_continue() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("lee").await;
    let (status, body) = gw
        .post(
            &paths::fill(paths::ADMIN_USER_DISABLE, &user.id),
            Some(&gw.admin_token()),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "disabled");
    let (status, body) = gw.get(paths::TERMINAL_CONFIG, &user.token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = gw.login("lee", &user.password).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "account_disabled")
    );
}

#[tokio::test]
async fn admin_api_validates_and_requires_the_token() {
    let gw = TestGateway::start().await;
    let admin = gw.admin_token();
    let good = json!({ "name": "王", "phone": "0912345678", "email": "wang@example.com", "limits": default_limits() });
    let (status, body) = gw.post(paths::ADMIN_USERS, None, good.clone()).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let (status, _) = gw
        .post(paths::ADMIN_USERS, Some("wrong"), good.clone())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let mut bad_mail = good.clone();
    bad_mail["email"] = json!("not-an-address");
    assert_eq!(
        code(&gw.post(paths::ADMIN_USERS, Some(&admin), bad_mail).await.1),
        "invalid_contact"
    );
    let mut bad_phone = good.clone();
    bad_phone["phone"] = json!("12345");
    assert_eq!(
        code(&gw.post(paths::ADMIN_USERS, Some(&admin), bad_phone).await.1),
        "invalid_contact"
    );
    let mut zero = good.clone();
    zero["limits"]["per_day"]["minor"] = json!(0);
    assert_eq!(
        code(&gw.post(paths::ADMIN_USERS, Some(&admin), zero).await.1),
        "invalid_amount"
    );

    // No user name given: one is generated; the e-mail carries it.
    let (status, user) = gw
        .post(paths::ADMIN_USERS, Some(&admin), good.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let username = user["username"].as_str().unwrap();
    assert!(
        username.starts_with("mpos") && username.len() == 10,
        "{username}"
    );
    let mail = gw.outbox("mail.jsonl").pop().unwrap();
    assert_eq!(
        mail["subject"],
        "凱基 mPOS 行動裝置使用者帳號啟用通知 / mPOS mobile user account activation notice"
    );
    assert!(mail["body"].as_str().unwrap().contains(username));
    let sms = gw.outbox("sms.jsonl").pop().unwrap();
    assert_eq!(sms["to"], "0912345678");

    let (status, second) = gw
        .post(paths::ADMIN_USERS, Some(&admin), good.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(
        second["terminal_id"], user["terminal_id"],
        "each user gets a terminal"
    );
    let mut taken = good;
    taken["username"] = json!(username);
    assert_eq!(
        code(&gw.post(paths::ADMIN_USERS, Some(&admin), taken).await.1),
        "bad_request"
    );

    let (status, body) = gw
        .post(
            &paths::fill(paths::ADMIN_USER_DISABLE, "usr_nobody"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn malformed_input_is_an_api_error_not_plain_text() {
    let gw = TestGateway::start().await;
    let response = gw
        .client
        .post(gw.url(paths::LOGIN))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(code(&body), "bad_request");
    assert!(body["message_zh"].is_string());

    let response = gw
        .client
        .post(gw.url(paths::LOGIN))
        .json(&json!({ "username": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(code(&response.json().await.unwrap()), "bad_request");

    let (status, body) = gw
        .call(Method::GET, "/v1/nothing-here", None, None, None)
        .await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, body) = gw
        .call(Method::DELETE, paths::LOGIN, None, None, None)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::METHOD_NOT_ALLOWED, "bad_request")
    );
    let (status, body) = gw.call(Method::GET, paths::HEALTH, None, None, None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
}

#[tokio::test]
async fn parallel_wrong_guesses_get_at_most_max_failed_logins_evaluations() {
    let gw = std::sync::Arc::new(TestGateway::start().await);
    let user = gw.ready_user("max").await;
    let guesses: Vec<_> = (0..20)
        .map(|_| {
            let gw = gw.clone();
            tokio::spawn(async move { gw.login("max", "000000").await })
        })
        .collect();
    // As soon as the lock shows, the right password is refused, even while
    // guesses are still being checked.
    let mut locked = false;
    for _ in 0..200 {
        let users = gw.admin_get(paths::ADMIN_USERS).await;
        if users["users"][0]["locked_until"].is_string() {
            locked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(locked, "20 wrong guesses lock the account");
    let (status, body) = gw.login("max", &user.password).await;
    assert_eq!((status.as_u16(), code(&body)), (423, "account_locked"));
    let mut wrong = 0;
    for guess in guesses {
        let (status, body) = guess.await.unwrap();
        match status.as_u16() {
            401 => wrong += 1,
            423 => assert_eq!(code(&body), "account_locked"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    // Evaluated guesses answer invalid_credentials, except the one that locks.
    assert!(wrong < 5, "{wrong} guesses were evaluated past the limit");
    let (status, _) = gw.login("max", &user.password).await;
    assert_eq!(status.as_u16(), 423, "no evaluated guess lifted the lock");
    assert!(gw.admin_get(paths::ADMIN_USERS).await["users"][0]["locked_until"].is_string());
}

#[tokio::test]
async fn unknown_user_names_get_invalid_credentials() {
    let gw = TestGateway::start().await;
    gw.ready_user("ned").await;
    for name in ["nobody", "NED", ""] {
        let (status, body) = gw.login(name, "864209").await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, "invalid_credentials"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn login_needs_the_card_reader() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("oli").await;
    for reader in [json!(null), json!(""), json!("   ")] {
        let (status, body) = gw
            .post(
                paths::LOGIN,
                None,
                json!({ "username": "oli", "password": user.password, "reader_serial": reader }),
            )
            .await;
        assert_eq!(
            (status.as_u16(), code(&body)),
            (422, "reader_required"),
            "{reader}"
        );
    }
    // Without a reader the password is not even checked: no attempt counts toward the lock.
    for _ in 0..5 {
        let (status, body) = gw
            .post(
                paths::LOGIN,
                None,
                json!({ "username": "oli", "password": "000000" }),
            )
            .await;
        assert_eq!((status.as_u16(), code(&body)), (422, "reader_required"));
    }
    assert_eq!(gw.login("oli", &user.password).await.0, StatusCode::OK);
}

#[tokio::test]
async fn reset_password_keeps_a_disabled_user_disabled() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("pam").await;
    let admin = gw.admin_token();
    let (status, _) = gw
        .post(
            &paths::fill(paths::ADMIN_USER_DISABLE, &user.id),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = gw
        .post(
            &paths::fill(paths::ADMIN_USER_RESET, &user.id),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "disabled");
    let email = format!("{}@example.com", user.username);
    let phone = gw.admin_get(paths::ADMIN_USERS).await["users"][0]["phone"]
        .as_str()
        .unwrap()
        .to_string();
    let (password, _) = gw.delivered(&email, &phone);
    let (status, body) = gw.login("pam", &password).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "account_disabled")
    );
}

#[tokio::test]
async fn the_lock_end_is_shown_in_taipei_time_with_the_date_when_not_today() {
    let gw = TestGateway::start().await;
    let mut user = gw.ready_user("quy").await;
    gw.set_clock("2030-03-10T15:50:00Z").await; // 23:50 Taipei
    gw.relogin(&mut user).await;
    for _ in 0..4 {
        gw.login("quy", "000000").await;
    }
    let (status, body) = gw.login("quy", "000000").await;
    assert_eq!(status.as_u16(), 423);
    assert_eq!(body["detail"], "until 2030-03-11 00:20 (Asia/Taipei)");
}
