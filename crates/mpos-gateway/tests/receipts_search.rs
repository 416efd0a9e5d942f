//! Signatures, e-receipts, the hosted receipt page, and the transaction search.
// Amounts are written dollars_cents: 1_000_00 is NT$1,000.00.
#![allow(clippy::inconsistent_digit_grouping)]

mod common;

use common::*;
use mpos_cards::CardId;
use mpos_wire::api::paths;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn strokes(n: usize, points: usize, max: u16) -> Value {
    let stroke: Vec<Value> = (0..points)
        .map(|i| json!({ "x": (i as u16 * 7) % (max + 1), "y": max }))
        .collect();
    json!({ "strokes": vec![json!({ "points": stroke }); n] })
}

#[tokio::test]
async fn signature_is_validated_stored_once_and_drawn_on_the_receipt() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("amy").await;
    let reader = Reader::new();
    let sale = gw
        .approved_sale(&user, &reader, CardId::UnionPayApproved, 100_00)
        .await;
    let path = paths::fill(paths::SIGNATURE, sale["id"].as_str().unwrap());
    for bad in [
        strokes(0, 2, 10),
        strokes(51, 2, 10),
        strokes(1, 1, 10),
        strokes(1, 2001, 10),
        strokes(1, 2, 1001),
    ] {
        let (status, body) = gw.post(&path, Some(&user.token), bad).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "bad_request")
        );
    }
    let (status, signed) = gw.post(&path, Some(&user.token), strokes(2, 3, 1000)).await;
    assert_eq!(status, StatusCode::OK, "{signed}");
    assert_eq!(signed["signed"], true);
    let (status, _) = gw.post(&path, Some(&user.token), strokes(1, 2, 10)).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a signature cannot be replaced"
    );

    let page = gw
        .client
        .get(sale["receipt_url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert_eq!(html.matches("<polyline").count(), 2);
    assert!(html.contains("points=\"0,1000 7,1000 14,1000\""));
    assert!(html.contains("620000******0005"));
    assert!(!html.contains("6200000000000005"));
    assert!(html.contains(sale["auth_code"].as_str().unwrap()));
    assert!(html.contains(sale["invoice_no"].as_str().unwrap()));
    assert!(html.contains("NT$100"));
    assert!(html.contains("2030-03-10 10:00"), "date in Asia/Taipei");
    assert!(html.contains("APPROVED"));

    let (_, declined) = gw
        .sale(&user, &reader, CardId::VisaDeclined05, 100_00)
        .await;
    let path = paths::fill(
        paths::SIGNATURE,
        declined["transaction"]["id"].as_str().unwrap(),
    );
    let (status, body) = gw.post(&path, Some(&user.token), strokes(1, 2, 10)).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "not_approved")
    );
}

#[tokio::test]
async fn receipt_page_shows_voids_and_unknown_tokens_are_404() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("bob").await;
    let reader = Reader::new();
    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    gw.financial(
        paths::VOIDS,
        &user,
        &new_key(),
        json!({ "transaction_id": sale["id"] }),
    )
    .await;
    let html = gw
        .client
        .get(sale["receipt_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("VOIDED"));
    assert!(html.contains("免簽名 No signature"));
    let missing = gw
        .client
        .get(gw.url(&paths::fill(
            paths::RECEIPT_PAGE,
            "0123456789abcdef0123456789abcdef",
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains("Receipt not found"));
}

#[tokio::test]
async fn e_receipt_by_mail_and_sms_is_masked_in_the_answer() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("cat").await;
    let reader = Reader::new();
    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 1_234_00)
        .await;
    let path = paths::fill(paths::RECEIPT, sale["id"].as_str().unwrap());

    let (status, body) = gw
        .post(
            &path,
            Some(&user.token),
            json!({ "destination": { "channel": "email", "to": "chen@example.com" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sent_to"], "c***@example.com");
    let mail = gw.outbox("mail.jsonl").pop().unwrap();
    assert_eq!(mail["to"], "chen@example.com");
    let text = mail["body"].as_str().unwrap();
    for needle in [
        "NT$1,234",
        "411111******1111",
        sale["auth_code"].as_str().unwrap(),
        sale["receipt_url"].as_str().unwrap(),
    ] {
        assert!(text.contains(needle), "{needle} missing in {text}");
    }
    assert!(!text.contains("4111111111111111"));

    let (status, body) = gw
        .post(
            &path,
            Some(&user.token),
            json!({ "destination": { "channel": "sms", "to": "0912345678" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["sent_to"], "0912***678");
    let sms = gw.outbox("sms.jsonl").pop().unwrap();
    assert!(sms["message"]
        .as_str()
        .unwrap()
        .contains(sale["receipt_url"].as_str().unwrap()));

    for bad in [
        json!({ "channel": "email", "to": "chen" }),
        json!({ "channel": "sms", "to": "12345" }),
    ] {
        let (status, body) = gw
            .post(&path, Some(&user.token), json!({ "destination": bad }))
            .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "invalid_contact")
        );
    }
}

#[tokio::test]
async fn search_finds_only_the_users_unsettled_transactions() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("dan").await;
    let other = gw.ready_user("eve").await;
    let reader = Reader::new();
    let visa = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    let master = gw
        .approved_sale(&user, &reader, CardId::MastercardChipApproved, 200_00)
        .await;
    gw.approved_sale(&other, &reader, CardId::VisaChipApproved, 300_00)
        .await;

    let search = |query: String| {
        let gw = &gw;
        let token = user.token.clone();
        async move {
            gw.get(&format!("{}?{query}", paths::TRANSACTIONS), &token)
                .await
        }
    };
    let (status, found) = search("last4=1111".into()).await;
    assert_eq!(status, StatusCode::OK);
    let list = found["transactions"].as_array().unwrap();
    assert_eq!(list.len(), 1, "the other user's sale is not shown");
    assert_eq!(list[0]["id"], visa["id"]);
    let (_, found) = search(format!(
        "auth_code={}",
        master["auth_code"].as_str().unwrap()
    ))
    .await;
    assert_eq!(found["transactions"][0]["id"], master["id"]);
    let (_, found) = search(format!(
        "invoice_no={}",
        visa["invoice_no"].as_str().unwrap()
    ))
    .await;
    assert_eq!(found["transactions"][0]["id"], visa["id"]);

    for bad in [
        "",
        "last4=1111&auth_code=123456",
        "last4=11",
        "invoice_no=abc",
        "last4=1111&last4=2222",
    ] {
        let (status, body) = search(bad.into()).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{bad}"
        );
    }

    // Settled transactions leave the app's search (the portal still lists them).
    gw.post(paths::SETTLE, Some(&user.token), json!({})).await;
    let (_, found) = search("last4=1111".into()).await;
    assert!(found["transactions"].as_array().unwrap().is_empty());
    assert_eq!(gw.transactions().await.len(), 3);

    // One transaction by id: own only.
    assert_eq!(
        gw.txn(&user, visa["id"].as_str().unwrap()).await["id"],
        visa["id"]
    );
    let (status, _) = gw
        .get(
            &paths::fill(paths::TRANSACTION, visa["id"].as_str().unwrap()),
            &other.token,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn transaction_details_need_the_password_reentered_within_15_minutes() {
    let gw = TestGateway::start().await;
    let mut user = gw.ready_user("fay").await;
    let reader = Reader::new();
    let sale = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    let id = sale["id"].as_str().unwrap();
    // A new session (the phone restarted) has no grant yet.
    let (status, login) = gw.login(&user.username, &user.password).await;
    assert_eq!(status, StatusCode::OK);
    user.token = login["session_token"].as_str().unwrap().to_string();
    let search = format!("{}?last4=1111", paths::TRANSACTIONS);
    let void = json!({ "transaction_id": id });
    let refused = |(status, body): (StatusCode, Value)| {
        assert_eq!(
            (status, code(&body)),
            (StatusCode::FORBIDDEN, "password_reentry_required"),
            "{body}"
        );
    };
    refused(gw.get(&search, &user.token).await);
    refused(gw.get(paths::SETTLEMENT_PREVIEW, &user.token).await);
    refused(gw.post(paths::SETTLE, Some(&user.token), json!({})).await);
    refused(
        gw.financial(paths::VOIDS, &user, &new_key(), void.clone())
            .await,
    );
    // One transaction by id stays open: the phone resumes a signature with it.
    assert_eq!(gw.txn(&user, id).await["status"], "approved");

    gw.reenter_password(&user.token, &user.password).await;
    let (status, found) = gw.get(&search, &user.token).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["transactions"][0]["id"], id);
    let (status, _) = gw.get(paths::SETTLEMENT_PREVIEW, &user.token).await;
    assert_eq!(status, StatusCode::OK);

    // The grant lasts 15 minutes.
    gw.set_clock("2030-03-10T02:14:00Z").await;
    assert_eq!(gw.get(&search, &user.token).await.0, StatusCode::OK);
    gw.set_clock("2030-03-10T02:16:00Z").await;
    refused(gw.get(&search, &user.token).await);
    refused(gw.get(paths::SETTLEMENT_PREVIEW, &user.token).await);
    gw.reenter_password(&user.token, &user.password).await;
    let (status, voided) = gw.financial(paths::VOIDS, &user, &new_key(), void).await;
    assert_eq!(status, StatusCode::OK, "{voided}");
    // A wrong password gives no grant.
    let (status, login) = gw.login(&user.username, &user.password).await;
    assert_eq!(status, StatusCode::OK);
    let token = login["session_token"].as_str().unwrap();
    let (status, _) = gw
        .post(
            paths::VERIFY_PASSWORD,
            Some(token),
            json!({ "password": "000000" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    refused(gw.get(&search, token).await);
}

#[tokio::test]
async fn void_signature_and_receipt_only_on_the_users_own_transactions() {
    let gw = TestGateway::start().await;
    let owner = gw.ready_user("gil").await;
    let other = gw.ready_user("hao").await;
    let reader = Reader::new();
    let sale = gw
        .approved_sale(&owner, &reader, CardId::UnionPayApproved, 100_00)
        .await;
    let id = sale["id"].as_str().unwrap();
    let not_found = |(status, body): (StatusCode, Value)| {
        assert_eq!(
            (status, code(&body)),
            (StatusCode::NOT_FOUND, "not_found"),
            "{body}"
        );
    };
    not_found(
        gw.financial(
            paths::VOIDS,
            &other,
            &new_key(),
            json!({ "transaction_id": id }),
        )
        .await,
    );
    not_found(
        gw.post(
            &paths::fill(paths::SIGNATURE, id),
            Some(&other.token),
            strokes(1, 2, 10),
        )
        .await,
    );
    not_found(
        gw.post(
            &paths::fill(paths::RECEIPT, id),
            Some(&other.token),
            json!({ "destination": { "channel": "sms", "to": "0912345678" } }),
        )
        .await,
    );
    assert!(gw.outbox("sms.jsonl").iter().all(|m| !m["message"]
        .as_str()
        .unwrap()
        .contains(sale["receipt_url"].as_str().unwrap())));
    let txn = gw.txn(&owner, id).await;
    assert_eq!(
        (txn["status"].as_str(), txn["signed"].as_bool()),
        (Some("approved"), Some(false))
    );
    // The owner can.
    let (status, _) = gw
        .post(
            &paths::fill(paths::SIGNATURE, id),
            Some(&owner.token),
            strokes(1, 2, 10),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = gw
        .financial(
            paths::VOIDS,
            &owner,
            &new_key(),
            json!({ "transaction_id": id }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn search_shows_only_approved_unsettled_captures() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("ike").await;
    let reader = Reader::new();
    let approved = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    let voided = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 200_00)
        .await;
    let (status, _) = gw
        .financial(
            paths::VOIDS,
            &user,
            &new_key(),
            json!({ "transaction_id": voided["id"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let key = new_key();
    let body = sale_body(
        &reader,
        CardId::VisaChipApproved,
        300_00,
        mpos_wire::EntryMode::Chip,
    );
    let (_, reversed) = gw.financial(paths::SALES, &user, &key, body).await;
    let (status, _) = gw
        .financial(
            paths::REVERSALS,
            &user,
            &new_key(),
            json!({ "original_idempotency_key": key, "reason": "timeout" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, declined) = gw
        .sale(&user, &reader, CardId::VisaDeclined05, 400_00)
        .await;
    assert_eq!(declined["transaction"]["status"], "declined");

    let search = |query: String| {
        let (gw, token) = (&gw, user.token.clone());
        async move {
            let (status, body) = gw
                .get(&format!("{}?{query}", paths::TRANSACTIONS), &token)
                .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body["transactions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        search("last4=1111".into()).await,
        vec![approved["id"].clone()]
    );
    for hidden in [&voided, &reversed["transaction"], &declined["transaction"]] {
        let invoice = hidden["invoice_no"].as_str().unwrap();
        assert!(
            search(format!("invoice_no={invoice}")).await.is_empty(),
            "{hidden}"
        );
    }
    let auth = voided["auth_code"].as_str().unwrap();
    assert!(search(format!("auth_code={auth}")).await.is_empty());
}

#[tokio::test]
async fn receipt_page_tells_a_missing_signature_from_none_needed() {
    let gw = TestGateway::start().await;
    let user = gw.ready_user("jon").await;
    let reader = Reader::new();
    let page = |url: String| {
        let gw = &gw;
        async move {
            gw.client
                .get(url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    // UnionPay always signs; the signature never came.
    let unsigned = gw
        .approved_sale(&user, &reader, CardId::UnionPayApproved, 100_00)
        .await;
    let html = page(unsigned["receipt_url"].as_str().unwrap().into()).await;
    assert!(html.contains("簽名未上傳 Signature missing"), "{html}");
    assert!(!html.contains("免簽名"));
    // Visa below NT$3,000 needs no signature.
    let small = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 100_00)
        .await;
    let html = page(small["receipt_url"].as_str().unwrap().into()).await;
    assert!(html.contains("免簽名 No signature"));
    assert!(!html.contains("Signature missing"));
    // Visa above NT$3,000 needs one.
    let large = gw
        .approved_sale(&user, &reader, CardId::VisaChipApproved, 3_000_01)
        .await;
    let html = page(large["receipt_url"].as_str().unwrap().into()).await;
    assert!(html.contains("簽名未上傳 Signature missing"));
}

#[tokio::test]
async fn the_receipt_page_loads_nothing_foreign_and_goes_offline_after_90_days() {
    let gw = TestGateway::start().await;
    let mut user = gw.ready_user("ida").await;
    let sale = gw
        .approved_sale(&user, &Reader::new(), CardId::VisaChipApproved, 100_00)
        .await;
    let url = sale["receipt_url"].as_str().unwrap().to_string();
    let page = gw.client.get(&url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("script-src"), "no script at all: {policy}");
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
        ("strict-transport-security", "max-age=31536000"),
    ] {
        assert_eq!(page.headers()[name], value, "{name}");
    }
    // The API's answers carry them too, with a policy that loads nothing.
    let api = gw
        .client
        .get(gw.url(paths::TERMINAL_CONFIG))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        api.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    // 90 days after the sale it is still there; a second later it is gone.
    let made = mpos_gateway::clock::parse_time(sale["created_at"].as_str().unwrap()).unwrap();
    let at = |offset: time::Duration| mpos_gateway::clock::format_time(made + offset);
    gw.later(
        &mut user,
        &at(time::Duration::days(90) - time::Duration::seconds(1)),
    )
    .await;
    assert_eq!(
        gw.client.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    gw.set_clock(&at(time::Duration::days(90) + time::Duration::seconds(1)))
        .await;
    let gone = gw.client.get(&url).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::GONE);
    assert!(gone.text().await.unwrap().contains("Receipt expired"));
}
