//! No card number in clear on the phone: after a whole day of every flow,
//! the app's storage, every screen it showed and its log hold at most the
//! first 6 and last 4 digits, and the log holds no password or code. The
//! receipts (e-mail, SMS, hosted page) and the gateway's log are held to
//! the same rule. PIN material too: no test card's PIN, typed right or
//! wrong, and no clear PIN field appears anywhere.

use mpos_cards::CardId;
use mpos_core::{Screen, UserAction};
use mpos_e2e::log_capture::LogCapture;
use mpos_e2e::pan_scan::{scan, Finding};
use mpos_e2e::world::roomy_limits;
use mpos_e2e::{Phone, PhoneOptions, World, NEW_PASSWORD};
use mpos_wire::api::{ReceiptDestination, TransactionSearch};
use mpos_wire::Brand;
use std::path::Path;

/// Every file under `dir`, as text (SQLite pages and WAL frames included).
fn files_as_text(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read dir") {
                pending.push(entry.expect("dir entry").path());
            }
        } else {
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                // Removed between listing and reading (SQLite's -wal at close): not stored.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => panic!("{}: {e}", path.display()),
            };
            out.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    out
}

/// Whether `secret` appears in `text` as a whole word.
fn has_word(text: &str, secret: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| word == secret)
}

/// A day at the shop: every flow the app has, on one phone.
async fn a_day_of_trading(world: &World, phone: &mut Phone, username: &str) {
    // A signed sale, e-receipt by e-mail.
    phone.start_sale(4_800, Brand::Visa).await;
    let screen = phone.insert(CardId::VisaChipApproved).await;
    phone.remove_card();
    assert!(matches!(screen, Screen::Signature { .. }), "{screen:?}");
    phone.sign().await;
    phone
        .act(UserAction::SendReceipt {
            destination: ReceiptDestination::Email("customer@example.tw".into()),
        })
        .await;
    phone.finish_receipt().await;
    // Small sale, e-receipt by SMS.
    phone.start_sale(250, Brand::Mastercard).await;
    phone.insert(CardId::MastercardChipApproved).await;
    phone.remove_card();
    phone
        .act(UserAction::SendReceipt {
            destination: ReceiptDestination::Sms("0987654321".into()),
        })
        .await;
    phone.finish_receipt().await;
    let jcb = phone
        .chip_sale(500, Brand::Jcb, CardId::JcbNoSignature)
        .await;
    // A PIN sale, and a wrong PIN before the right one.
    phone
        .chip_sale(300, Brand::UnionPay, CardId::UnionPayApproved)
        .await;
    phone.start_sale(350, Brand::UnionPay).await;
    phone.insert(CardId::UnionPayDebitApproved).await;
    let screen = phone.enter_pin("086421").await;
    phone.remove_card();
    assert!(matches!(screen, Screen::WrongPin { .. }), "{screen:?}");
    phone.act(UserAction::RetryPin).await;
    phone.insert(CardId::UnionPayDebitApproved).await;
    let screen = phone.enter_pin("975310").await;
    phone.remove_card();
    assert!(matches!(screen, Screen::Signature { .. }), "{screen:?}");
    phone.sign().await;
    phone.finish_receipt().await;
    // A decline.
    phone.start_sale(900, Brand::Visa).await;
    let screen = phone.insert(CardId::VisaDeclined51).await;
    phone.remove_card();
    assert!(matches!(screen, Screen::Declined { .. }), "{screen:?}");
    phone.cancel_payment().await;
    // Chip first, then the fallback swipe.
    phone.start_sale(600, Brand::Visa).await;
    phone.swipe(CardId::VisaChipApproved).await;
    for _ in 0..3 {
        phone.insert_unreadable(CardId::VisaChipApproved).await;
        phone.remove_card();
    }
    let screen = phone.swipe(CardId::VisaChipApproved).await;
    assert!(matches!(screen, Screen::Receipt { .. }), "{screen:?}");
    phone.finish_receipt().await;
    // A stripe-only card.
    phone.start_sale(200, Brand::Visa).await;
    phone.swipe(CardId::VisaSwipeOnlyApproved).await;
    phone.finish_receipt().await;
    // A slow issuer, still within the phone's time limit.
    let slow = phone
        .chip_sale(1_100, Brand::Visa, CardId::VisaSlowIssuer)
        .await;
    // A refund: inserted (refused), then swiped.
    phone
        .start_refund(
            400,
            Brand::Visa,
            slow.auth_code.as_deref().expect("approved"),
        )
        .await;
    phone.insert(CardId::VisaSlowIssuer).await;
    phone.remove_card();
    let screen = phone.swipe(CardId::VisaSlowIssuer).await;
    assert!(matches!(screen, Screen::Receipt { .. }), "{screen:?}");
    phone.finish_receipt().await;
    // Transaction details: searches, a void, the settlement.
    phone.open_transactions().await;
    for criteria in [
        TransactionSearch {
            last4: Some("1111".into()),
            ..TransactionSearch::default()
        },
        TransactionSearch {
            invoice_no: Some(jcb.invoice_no.clone()),
            ..TransactionSearch::default()
        },
        TransactionSearch {
            auth_code: jcb.auth_code.clone(),
            ..TransactionSearch::default()
        },
    ] {
        phone.search(criteria).await;
    }
    phone
        .act(UserAction::OpenTransaction { id: jcb.id.clone() })
        .await;
    let screen = phone.act(UserAction::VoidNow).await;
    assert!(matches!(screen, Screen::VoidDone { .. }), "{screen:?}");
    phone.act(UserAction::ShowReceipt).await;
    phone.act(UserAction::FinishReceipt).await;
    phone.act(UserAction::Back).await;
    phone.settlement_preview().await;
    phone.settle_now().await;
    phone.act(UserAction::Back).await;
    phone.act(UserAction::Back).await;
    // The app is killed on the signature pad, and picks up after login.
    phone.start_sale(3_500, Brand::Mastercard).await;
    let screen = phone.insert(CardId::MastercardChipApproved).await;
    phone.remove_card();
    assert!(matches!(screen, Screen::Signature { .. }), "{screen:?}");
    phone.restart().await;
    phone
        .wait_until("the login that resumes the signature", |s| {
            matches!(s, Screen::Login { .. })
        })
        .await;
    phone.login(username, NEW_PASSWORD).await;
    phone
        .wait_until("the resumed signature", |s| {
            matches!(s, Screen::Signature { .. })
        })
        .await;
    phone.sign().await;
    phone.finish_receipt().await;
    assert!(world.transactions().await.len() >= 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_card_number_in_clear_in_the_phones_storage_screens_log_or_receipts() {
    let world = World::start().await;
    let log = LogCapture::new();
    let credentials = world.create_user(roomy_limits()).await;
    // Through the audio jack, as in the field: the reader's frames cross the
    // simulated phone audio path, so the link layer's buffers and logs are
    // part of what is scanned.
    let mut phone = world.phone_with(
        PhoneOptions {
            log: Some(log.clone()),
            ..PhoneOptions::pinned_to(&world.gateway)
        }
        .over_audio(),
    );
    phone.plug_in().await;
    let screen = phone.first_login(&credentials).await;
    assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");
    a_day_of_trading(&world, &mut phone, &credentials.username).await;

    let mut findings: Vec<Finding> = Vec::new();
    let files = files_as_text(phone.data_dir());
    assert!(
        files.iter().any(|(name, _)| name.contains("journal")),
        "the journal is in the app's storage: {:?}",
        files.iter().map(|(name, _)| name).collect::<Vec<_>>()
    );
    for (name, text) in &files {
        findings.extend(scan(name, text));
    }
    let screens = phone.screens_seen();
    assert!(screens.len() > 50, "every screen was recorded");
    for (i, screen) in screens.iter().enumerate() {
        findings.extend(scan(&format!("screen #{i}"), screen));
    }
    let log_text = log.text();
    assert!(
        log_text.len() > 1_000,
        "the core's log was captured: {log_text}"
    );
    findings.extend(scan("phone log", &log_text));
    findings.extend(scan("gateway log", &world.gateway.log_lines().join("\n")));
    // Receipts hold at most the first 6 and last 4 digits too.
    for mail in world.smtp.messages() {
        findings.extend(scan("e-mail", &mail.data));
        findings.extend(scan("e-mail text", &mail.text_body().unwrap_or_default()));
    }
    for sms in world.sms.messages() {
        findings.extend(scan("SMS", &sms.message));
    }
    for transaction in world.transactions().await {
        let page = world
            .gateway
            .http()
            .get(&transaction.receipt_url)
            .send()
            .await
            .expect("receipt page")
            .text()
            .await
            .expect("receipt page text");
        findings.extend(scan(&transaction.receipt_url, &page));
    }
    assert!(
        findings.is_empty(),
        "card data in clear on the phone side:\n{findings:#?}"
    );
    // The wrong PIN typed is not a catalogue PIN: look for it by hand.
    for (name, text) in files.iter().chain([
        &("phone log".to_string(), log_text.clone()),
        &(
            "gateway log".to_string(),
            world.gateway.log_lines().join("\n"),
        ),
    ]) {
        assert!(
            !has_word(text, "086421"),
            "the wrong PIN typed is in {name}"
        );
    }

    // No password or activation code in the phone's log either.
    for (what, secret) in [
        ("default password", credentials.default_password.as_str()),
        ("activation code", credentials.activation_code.as_str()),
        ("password", NEW_PASSWORD),
    ] {
        assert!(
            !has_word(&log_text, secret),
            "the {what} is in the phone's log"
        );
    }
}
