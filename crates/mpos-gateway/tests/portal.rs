//! The merchant portal over real TLS, as a browser without JavaScript uses
//! it: named administrators, the second factor, sessions, CSRF, the audit
//! log, API tokens, and the attacks on each (a form without its token, a
//! cookie replayed after sign-out, a replayed code, script in a name, a
//! revoked token). The journey in a real browser is tests/browser.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::{tls_config_for, TestGateway, MORNING};
use mpos_gateway::auth::second_factor::{code_at_step, step_at};
use mpos_gateway::clock::parse_time;
use mpos_gateway::first_admin::{create_admin, AdminRequest, CreatedAdmin};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;

/// A browser without JavaScript: keeps cookies, never follows redirects.
struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
}

/// A page: status, where it redirects, its HTML.
struct Page {
    status: StatusCode,
    location: Option<String>,
    html: String,
    set_cookies: Vec<String>,
}

impl Browser {
    fn new(gw: &TestGateway) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .use_preconfigured_tls(tls_config_for(&gw.gw().cert_pem))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: gw.base.clone(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let request = if self.cookies.is_empty() {
            request
        } else {
            request.header(COOKIE, self.cookie_header())
        };
        let response = request.send().await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let set_cookies: Vec<String> = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        for cookie in &set_cookies {
            let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.into(), value.into());
            }
        }
        Page {
            status,
            location,
            html: response.text().await.unwrap(),
            set_cookies,
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let request = self.client.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }
}

/// The value of the first `name="csrf"` field.
fn csrf(html: &str) -> String {
    between(html, "name=\"csrf\" value=\"", "\"")
}

fn between(html: &str, start: &str, end: &str) -> String {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    html[from..][..html[from..].find(end).unwrap()].to_string()
}

async fn first_admin(gw: &TestGateway, username: &str) -> CreatedAdmin {
    let config = gw_config(gw);
    create_admin(
        &config,
        gw.dir.path(),
        &AdminRequest {
            username: username.into(),
            name: format!("{username} 管理者"),
            email: format!("{username}@merchant.example"),
        },
        parse_time(MORNING).unwrap(),
    )
    .await
    .unwrap()
}

/// The configuration the test gateway runs with (its database and pepper).
fn gw_config(gw: &TestGateway) -> mpos_gateway::GatewayConfig {
    gw.config.clone()
}

/// The TOTP code of now on the gateway's clock.
fn code(secret: &str, now: &str) -> String {
    code_at_step(secret, step_at(parse_time(now).unwrap())).unwrap()
}

/// Signs in for the first time: password, enrolment; returns the secret and recovery codes.
async fn enrol(browser: &mut Browser, admin: &CreatedAdmin) -> (String, Vec<String>) {
    let login = browser.get("/portal/login").await;
    let token = csrf(&login.html);
    let after = browser
        .post(
            "/portal/login",
            &[
                ("csrf", &token),
                ("username", &admin.username),
                ("password", &admin.password),
            ],
        )
        .await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location.as_deref(), Some("/portal/enrol"));
    let enrol = browser.get("/portal/enrol").await;
    assert!(enrol.html.contains("<svg"), "the enrolment QR code");
    let secret: String = between(&enrol.html, "<code id=\"secret\">", "</code>")
        .split_whitespace()
        .collect();
    let done = browser
        .post(
            "/portal/enrol",
            &[
                ("csrf", &csrf(&enrol.html)),
                ("code", &code(&secret, MORNING)),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.html);
    let codes: Vec<String> = done
        .html
        .split("<li><code>")
        .skip(1)
        .map(|s| s[..s.find("</code>").unwrap()].to_string())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn signed_in(gw: &TestGateway, username: &str) -> (Browser, CreatedAdmin, String) {
    let admin = first_admin(gw, username).await;
    let mut browser = Browser::new(gw);
    let (secret, _) = enrol(&mut browser, &admin).await;
    (browser, admin, secret)
}

async fn add_user(browser: &mut Browser, name: &str, phone: &str, email: &str) -> Page {
    let form = browser.get("/portal/users/new").await;
    browser
        .post(
            "/portal/users",
            &[
                ("csrf", &csrf(&form.html)),
                ("name", name),
                ("phone", phone),
                ("email", email),
                ("username", ""),
                ("per_transaction", "50,000"),
                ("per_day", "200000"),
                ("refund", ""),
            ],
        )
        .await
}

#[tokio::test]
async fn an_administrator_enrols_signs_in_adds_a_user_and_every_step_is_audited() {
    let gw = TestGateway::start().await;
    let (mut browser, admin, _) = signed_in(&gw, "boss").await;
    let session = browser.cookies.get("__Host-mpos_portal").cloned().unwrap();
    let created = add_user(&mut browser, "王小明", "0912345678", "ming@example.com").await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let user_page = browser.get(created.location.as_deref().unwrap()).await;
    assert!(user_page.html.contains("王小明"));
    assert!(
        user_page.html.contains("電子郵件（帳號與預設密碼）"),
        "says what the user receives"
    );
    let (password, code) = gw.delivered("ming@example.com", "0912345678");
    assert_eq!(password.len(), 8);
    assert_eq!(code.len(), 6);
    // The same session all along (no new cookie per page).
    assert_eq!(browser.cookies.get("__Host-mpos_portal"), Some(&session));

    // Opening a transaction's detail (its signature) is audited too.
    let user = gw.ready_user("amy").await;
    let sale = gw
        .approved_sale(
            &user,
            &common::Reader::new(),
            mpos_cards::CardId::VisaChipApproved,
            100_00,
        )
        .await;
    let detail = browser
        .get(&format!(
            "/portal/transactions/{}",
            sale["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.html.contains("411111******1111"));
    let audit = browser.get("/portal/audit").await;
    for action in [
        "建立管理者",
        "設定兩步驟驗證",
        "登入",
        "新增使用者",
        "檢視交易明細",
    ] {
        assert!(audit.html.contains(action), "{action}");
    }
    assert!(audit.html.contains(&admin.username));
    assert!(audit.html.contains("127.0.0.1"), "from where");
}

#[tokio::test]
async fn the_session_cookie_is_host_only_secure_httponly_and_strict() {
    let gw = TestGateway::start().await;
    let admin = first_admin(&gw, "boss").await;
    let mut browser = Browser::new(&gw);
    let login = browser.get("/portal/login").await;
    let after = browser
        .post(
            "/portal/login",
            &[
                ("csrf", &csrf(&login.html)),
                ("username", "boss"),
                ("password", &admin.password),
            ],
        )
        .await;
    let cookie = after
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-mpos_portal="))
        .unwrap();
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    // Half signed in (no second factor yet): the pages stay shut.
    let users = browser.get("/portal/users").await;
    assert_eq!(users.status, StatusCode::SEE_OTHER);
    assert_eq!(users.location.as_deref(), Some("/portal/login"));
}

#[tokio::test]
async fn a_form_posted_without_the_sessions_csrf_token_does_nothing() {
    let gw = TestGateway::start().await;
    let (mut browser, _, _) = signed_in(&gw, "boss").await;
    let users_before = gw.admin_get("/v1/admin/users").await["users"]
        .as_array()
        .unwrap()
        .len();
    let form = [
        ("name", "Mallory"),
        ("phone", "0911111111"),
        ("email", "m@example.com"),
        ("per_transaction", "1000"),
        ("per_day", "1000"),
    ];
    let without = browser.post("/portal/users", &form).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    let mut forged = form.to_vec();
    forged.push(("csrf", "00000000000000000000000000000000"));
    let wrong = browser.post("/portal/users", &forged).await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // Another administrator's token is no good in this session either.
    let (other, _, _) = signed_in(&gw, "other").await;
    let other_page = {
        let mut other = other;
        other.get("/portal/users/new").await
    };
    let mut crossed = form.to_vec();
    let other_token = csrf(&other_page.html);
    crossed.push(("csrf", &other_token));
    let crossed_page = browser.post("/portal/users", &crossed).await;
    assert_eq!(crossed_page.status, StatusCode::FORBIDDEN);
    let users_after = gw.admin_get("/v1/admin/users").await["users"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(users_before, users_after);
    assert!(gw
        .outbox("sms.jsonl")
        .iter()
        .all(|m| m["to"] != "0911111111"));
    // The sign-in form needs its own cookie's token.
    let mut stranger = Browser::new(&gw);
    let forged_login = stranger
        .post(
            "/portal/login",
            &[("csrf", "x"), ("username", "boss"), ("password", "x")],
        )
        .await;
    assert_eq!(forged_login.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_session_cookie_replayed_after_sign_out_opens_nothing() {
    let gw = TestGateway::start().await;
    let (mut browser, _, _) = signed_in(&gw, "boss").await;
    let stolen = browser.cookies.clone();
    let page = browser.get("/portal/users").await;
    let out = browser
        .post("/portal/logout", &[("csrf", &csrf(&page.html))])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!browser.cookies.contains_key("__Host-mpos_portal"));
    let mut replay = Browser::new(&gw);
    replay.cookies = stolen;
    for path in [
        "/portal/users",
        "/portal/transactions",
        "/portal/audit",
        "/portal/transactions.csv",
    ] {
        let page = replay.get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(page.location.as_deref(), Some("/portal/login"), "{path}");
    }
}

#[tokio::test]
async fn an_idle_session_ends_after_fifteen_minutes() {
    let gw = TestGateway::start().await;
    let (mut browser, _, _) = signed_in(&gw, "boss").await;
    gw.set_clock("2030-03-10T02:14:00Z").await;
    assert_eq!(browser.get("/portal/users").await.status, StatusCode::OK);
    gw.set_clock("2030-03-10T02:29:01Z").await;
    let page = browser.get("/portal/users").await;
    assert_eq!(page.location.as_deref(), Some("/portal/login?ended=1"));
    let again = browser.get("/portal/users").await;
    assert_eq!(again.location.as_deref(), Some("/portal/login"));
}

#[tokio::test]
async fn script_in_a_users_name_is_shown_as_text_on_every_page() {
    let gw = TestGateway::start().await;
    let (mut browser, _, _) = signed_in(&gw, "boss").await;
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let created = add_user(&mut browser, evil, "0922222222", "evil@example.com").await;
    let detail_path = created.location.unwrap();
    for path in [
        detail_path.as_str(),
        "/portal/users",
        "/portal/transactions",
        "/portal/audit",
    ] {
        let page = browser.get(path).await;
        assert!(!page.html.contains("<script>alert"), "{path}");
        assert!(!page.html.contains("<img src=x"), "{path}");
    }
    let users = browser.get("/portal/users").await;
    assert!(
        users.html.contains("&#60;script&#62;alert(1)"),
        "{}",
        users.html
    );
}

#[tokio::test]
async fn a_code_is_accepted_once_and_a_recovery_code_once() {
    let gw = TestGateway::start().await;
    let admin = first_admin(&gw, "boss").await;
    let mut first = Browser::new(&gw);
    let (secret, recovery) = enrol(&mut first, &admin).await;

    // The enrolment's own code cannot sign in again (same time step).
    let mut second = Browser::new(&gw);
    let login = second.get("/portal/login").await;
    second
        .post(
            "/portal/login",
            &[
                ("csrf", &csrf(&login.html)),
                ("username", "boss"),
                ("password", &admin.password),
            ],
        )
        .await;
    let factor = second.get("/portal/second-factor").await;
    let replayed = second
        .post(
            "/portal/second-factor",
            &[
                ("csrf", &csrf(&factor.html)),
                ("code", &code(&secret, MORNING)),
            ],
        )
        .await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);
    // A recovery code works once, with or without its dash.
    let used = second
        .post(
            "/portal/second-factor",
            &[
                ("csrf", &csrf(&factor.html)),
                ("code", &recovery[0].replace('-', "").to_lowercase()),
            ],
        )
        .await;
    assert_eq!(used.location.as_deref(), Some("/portal/users"));

    let mut third = Browser::new(&gw);
    let login = third.get("/portal/login").await;
    third
        .post(
            "/portal/login",
            &[
                ("csrf", &csrf(&login.html)),
                ("username", "boss"),
                ("password", &admin.password),
            ],
        )
        .await;
    let factor = third.get("/portal/second-factor").await;
    let again = third
        .post(
            "/portal/second-factor",
            &[("csrf", &csrf(&factor.html)), ("code", &recovery[0])],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    // The next time step's code is fresh.
    gw.set_clock("2030-03-10T02:00:30Z").await;
    let fresh = third
        .post(
            "/portal/second-factor",
            &[
                ("csrf", &csrf(&factor.html)),
                ("code", &code(&secret, "2030-03-10T02:00:30Z")),
            ],
        )
        .await;
    assert_eq!(fresh.location.as_deref(), Some("/portal/users"));
}

async fn attempt(browser: &mut Browser, name: &str, password: &str) -> Page {
    let login = browser.get("/portal/login").await;
    browser
        .post(
            "/portal/login",
            &[
                ("csrf", &csrf(&login.html)),
                ("username", name),
                ("password", password),
            ],
        )
        .await
}

#[tokio::test]
async fn wrong_passwords_lock_the_administrator_and_unknown_names_read_the_same() {
    let gw = TestGateway::start().await;
    let admin = first_admin(&gw, "boss").await;
    let mut browser = Browser::new(&gw);
    let unknown = attempt(&mut browser, "nobody", "wrong-password").await;
    let wrong = attempt(&mut browser, "boss", "wrong-password").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.html.contains("帳號或密碼錯誤"));
    for _ in 0..3 {
        attempt(&mut browser, "boss", "wrong-password").await;
    }
    let locked = attempt(&mut browser, "boss", "wrong-password").await;
    assert_eq!(locked.status, StatusCode::LOCKED);
    let right_but_locked = attempt(&mut browser, "boss", &admin.password).await;
    assert_eq!(right_but_locked.status, StatusCode::LOCKED);
    assert!(
        right_but_locked.html.contains("Asia/Taipei"),
        "says until when"
    );
}

#[tokio::test]
async fn api_tokens_belong_to_an_administrator_are_audited_and_revocable() {
    let gw = TestGateway::start().await;
    let (mut browser, _, _) = signed_in(&gw, "boss").await;
    let page = browser.get("/portal/tokens").await;
    let created = browser
        .post(
            "/portal/tokens",
            &[("csrf", &csrf(&page.html)), ("label", "nightly export")],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let token = between(
        &created.html,
        "<code class=\"token\" id=\"new-token\">",
        "</code>",
    );
    let (status, user) = gw
        .post(
            "/v1/admin/users",
            Some(&token),
            json!({"name": "API user", "phone": "0933333333", "email": "api@example.com",
                   "limits": {"per_transaction": {"minor": 100000, "currency": "TWD"},
                              "per_day": {"minor": 1000000, "currency": "TWD"}}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    let audit = browser.get("/portal/audit").await;
    let row = audit
        .html
        .split("<tr>")
        .find(|r| r.contains("新增使用者"))
        .unwrap()
        .to_string();
    assert!(
        row.contains("boss"),
        "the API's action names the token's owner: {row}"
    );

    let list = browser.get("/portal/tokens").await;
    let revoke_path = between(&list.html, "action=\"/portal/tokens/tok", "/revoke\"");
    let revoked = browser
        .post(
            &format!("/portal/tokens/tok{revoke_path}/revoke"),
            &[("csrf", &csrf(&list.html))],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let (status, _) = gw.get("/v1/admin/users", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn portal_pages_carry_a_policy_that_runs_no_script() {
    let gw = TestGateway::start().await;
    let response = Browser::new(&gw)
        .client
        .get(format!("{}/portal/login", gw.base))
        .send()
        .await
        .unwrap();
    let policy = response
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.contains("default-src 'none'"));
    assert!(policy.contains("form-action 'self'"));
    assert!(policy.contains("frame-ancestors 'none'"));
    assert!(!policy.contains("script-src"));
    assert_eq!(response.headers().get("x-frame-options").unwrap(), "DENY");
}

#[tokio::test]
async fn the_language_switch_returns_only_to_portal_pages() {
    let gw = TestGateway::start().await;
    let mut browser = Browser::new(&gw);
    let english = browser.get("/portal/lang/en?back=/portal/login").await;
    assert_eq!(english.location.as_deref(), Some("/portal/login"));
    let login = browser.get("/portal/login").await;
    assert!(login.html.contains("Administrator sign-in"));
    let evil = browser
        .get("/portal/lang/en?back=https://evil.example/")
        .await;
    assert_eq!(evil.location.as_deref(), Some("/portal"));
}

fn api_user(users: &serde_json::Value, id: &str) -> serde_json::Value {
    users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id)
        .unwrap()
        .clone()
}

fn sent_to(gw: &TestGateway, file: &str, to: &str) -> usize {
    gw.outbox(file).iter().filter(|m| m["to"] == to).count()
}

#[tokio::test]
async fn each_user_action_says_what_happened_and_sends_what_it_promises() {
    let gw = TestGateway::start().await;
    let (mut browser, _, _) = signed_in(&gw, "boss").await;
    let created = add_user(&mut browser, "林小美", "0912000111", "mei@example.com").await;
    let location = created.location.unwrap();
    let user_path = location.split('?').next().unwrap().to_string();
    let id = user_path.rsplit('/').next().unwrap().to_string();
    assert_eq!(sent_to(&gw, "sms.jsonl", "0912000111"), 1);

    let page = browser.get(&user_path).await;
    let token = csrf(&page.html);
    let limits_path = format!("{user_path}/limits");
    let saved = browser
        .post(
            &limits_path,
            &[
                ("csrf", &token),
                ("per_transaction", "1,000"),
                ("per_day", "5000"),
                ("refund", "500"),
            ],
        )
        .await;
    assert_eq!(saved.location, Some(format!("{user_path}?notice=limits")));
    let notice = browser.get(saved.location.as_deref().unwrap()).await;
    assert!(notice.html.contains("限額已更新"), "says what happened");
    let limits = &api_user(&gw.admin_get("/v1/admin/users").await, &id)["limits"];
    assert_eq!(limits["per_transaction"]["minor"], 1_000_00);
    assert_eq!(limits["per_day"]["minor"], 5_000_00);
    assert_eq!(limits["refund_per_transaction"]["minor"], 500_00);
    let refused = browser
        .post(
            &limits_path,
            &[
                ("csrf", &token),
                ("per_transaction", "0"),
                ("per_day", "-5"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("限額須為大於 0 的整數元"));
    let unchanged = &api_user(&gw.admin_get("/v1/admin/users").await, &id)["limits"];
    assert_eq!(unchanged, limits, "a refused form changes nothing");

    let resent = browser
        .post(
            &format!("{user_path}/resend-activation"),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(resent.location, Some(format!("{user_path}?notice=resent")));
    assert_eq!(
        sent_to(&gw, "sms.jsonl", "0912000111"),
        2,
        "a new activation code"
    );
    assert_eq!(
        sent_to(&gw, "mail.jsonl", "mei@example.com"),
        2,
        "a new default password"
    );

    let disabled = browser
        .post(&format!("{user_path}/disable"), &[("csrf", &token)])
        .await;
    assert_eq!(
        disabled.location,
        Some(format!("{user_path}?notice=disabled"))
    );
    assert_eq!(
        api_user(&gw.admin_get("/v1/admin/users").await, &id)["status"],
        "disabled"
    );
    let shown = browser.get(disabled.location.as_deref().unwrap()).await;
    assert!(shown.html.contains("已停用"));
    assert!(shown.html.contains("/enable\""), "offers to enable");
    let enabled = browser
        .post(&format!("{user_path}/enable"), &[("csrf", &token)])
        .await;
    assert_eq!(
        enabled.location,
        Some(format!("{user_path}?notice=enabled"))
    );
    assert_eq!(
        api_user(&gw.admin_get("/v1/admin/users").await, &id)["status"],
        "pending_activation",
        "back to where it was: never activated"
    );

    // An activated user: reset works, resending the activation is refused with what to do.
    let active = gw.ready_user("amy").await;
    let active_path = format!("/portal/users/{}", active.id);
    let refused = browser
        .post(
            &format!("{active_path}/resend-activation"),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("請改用「重設密碼」"));
    let reset = browser
        .post(
            &format!("{active_path}/reset-password"),
            &[("csrf", &token)],
        )
        .await;
    assert_eq!(reset.location, Some(format!("{active_path}?notice=reset")));
    let (status, _) = gw.login("amy", &active.password).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the old password no longer works"
    );

    let missing = browser.get("/portal/users/usr_nobody").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let unknown_action = browser
        .post(&format!("{user_path}/delete"), &[("csrf", &token)])
        .await;
    assert_eq!(unknown_action.status, StatusCode::NOT_FOUND);
}
