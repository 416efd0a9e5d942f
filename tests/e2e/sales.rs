//! Chip sales: the signature when the brand's rule asks for it, and the
//! e-receipt by e-mail (real SMTP) or SMS, with its hosted page over TLS.

use mpos_cards::{CardId, TestCard};
use mpos_core::{CardPrompt, Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::{dollars, roomy_limits};
use mpos_e2e::World;
use mpos_wire::api::{ReceiptDestination, TxnKind, TxnStatus};
use mpos_wire::{Brand, EntryMode};

const CUSTOMER_EMAIL: &str = "customer@example.tw";
const CUSTOMER_MOBILE: &str = "0987654321";

/// The hosted receipt page, fetched over TLS like the customer's browser.
async fn receipt_page(world: &World, url: &str) -> String {
    assert!(
        url.starts_with(&world.gateway.base_url),
        "the receipt is hosted by the gateway: {url}"
    );
    let response = world
        .gateway
        .http()
        .get(url)
        .send()
        .await
        .expect("receipt page");
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.text().await.expect("receipt page text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chip_sale_is_signed_and_its_e_receipt_mailed() {
    let world = World::start().await;
    let (phone, _) = world.active_phone(roomy_limits()).await;
    let card = TestCard::get(CardId::VisaChipApproved);

    let screen = phone.start_sale(4_800, Brand::Visa).await;
    assert!(
        matches!(
            screen,
            Screen::PresentCard {
                prompt: CardPrompt::InsertOrSwipe,
                kind: TxnKind::Sale,
                ..
            }
        ),
        "{screen:?}"
    );
    let screen = phone.insert(CardId::VisaChipApproved).await;
    phone.remove_card();
    let Screen::Signature { transaction, .. } = screen else {
        panic!("NT$4,800 on VISA is above NT$3,000: it must be signed, got {screen:?}");
    };
    assert_eq!(transaction.status, TxnStatus::Approved);
    assert_eq!(transaction.amount, dollars(4_800));
    assert_eq!(transaction.entry_mode, EntryMode::Chip);
    assert_eq!(transaction.masked_pan.as_str(), "411111******1111");
    // The gateway verified the ARQC and its ARPC reached the chip, which accepted (TC).
    assert_eq!(
        phone.reader().last_card_decision(),
        Some(mpos_sim::icc::CardDecision::Tc)
    );
    let auth_code = transaction
        .auth_code
        .clone()
        .expect("an approval has a code");
    assert_eq!(auth_code.len(), 6);

    // No way past the signature pad without a signature.
    let screen = phone.act(UserAction::ConfirmSignature).await;
    assert!(matches!(screen, Screen::Signature { .. }), "{screen:?}");
    assert_eq!(message_code(&screen), Some("signature_required"));
    for action in [
        UserAction::Back,
        UserAction::CancelPayment,
        UserAction::Logout,
    ] {
        let screen = phone.act(action).await;
        assert!(matches!(screen, Screen::Signature { .. }), "{screen:?}");
    }

    let screen = phone.sign().await;
    let Screen::Receipt {
        transaction: signed,
        receipt_url,
        qr,
        ..
    } = screen
    else {
        unreachable!()
    };
    assert!(signed.signed, "the receipt carries the signature");
    assert_eq!(signed.id, transaction.id);
    assert_eq!(receipt_url, transaction.receipt_url);
    assert!(
        qr.width >= 21 && qr.dark.iter().any(|d| *d),
        "a QR code is shown"
    );

    let screen = phone
        .act(UserAction::SendReceipt {
            destination: ReceiptDestination::Email(CUSTOMER_EMAIL.into()),
        })
        .await;
    let Screen::Receipt {
        sent_to, message, ..
    } = screen
    else {
        panic!("sending keeps the receipt on screen, got {screen:?}");
    };
    assert_eq!(message, None);
    assert_eq!(
        sent_to.len(),
        1,
        "the receipt screen confirms where it went"
    );
    assert!(
        !sent_to[0].contains(CUSTOMER_EMAIL),
        "shown masked: {sent_to:?}"
    );

    let mail = world.wait_for_mail_to(CUSTOMER_EMAIL, |_| true).await;
    let body = mail.text_body().expect("receipt e-mail text");
    assert!(body.contains(&auth_code), "{body}");
    assert!(body.contains(&receipt_url), "{body}");
    assert!(body.contains("411111******1111"), "{body}");
    assert!(!body.contains(card.pan), "{body}");
    // The HTML part says the same facts.
    let html = mail.html_body().expect("receipt e-mail HTML part");
    for fact in [
        auth_code.as_str(),
        receipt_url.as_str(),
        "411111******1111",
        "NT$4,800",
    ] {
        assert!(html.contains(fact), "{fact} in {html}");
        assert!(body.contains(fact), "{fact} in {body}");
    }
    assert!(!html.contains(card.pan), "{html}");

    let page = receipt_page(&world, &receipt_url).await;
    assert!(page.contains("411111******1111"), "{page}");
    assert!(page.contains(&auth_code), "{page}");
    assert!(
        page.contains("<svg"),
        "the signature is on the page: {page}"
    );
    assert!(!page.contains(card.pan), "{page}");

    phone.finish_receipt().await;
    let at_gateway = world.transaction(&transaction.id).await;
    assert_eq!(at_gateway.status, TxnStatus::Approved);
    assert!(at_gateway.signed);
    assert_eq!(at_gateway.amount, dollars(4_800));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_sales_and_jcb_need_no_signature_and_the_e_receipt_goes_by_sms() {
    let world = World::start().await;
    let (phone, _) = world.active_phone(roomy_limits()).await;

    // NT$250 on VISA is under the no-signature amount.
    phone.start_sale(250, Brand::Visa).await;
    let screen = phone.insert(CardId::VisaChipApproved).await;
    phone.remove_card();
    let Screen::Receipt { transaction, .. } = screen else {
        panic!("NT$250 needs no signature, got {screen:?}");
    };
    assert_eq!(transaction.status, TxnStatus::Approved);
    assert!(!transaction.signed);
    let screen = phone
        .act(UserAction::SendReceipt {
            destination: ReceiptDestination::Sms(CUSTOMER_MOBILE.into()),
        })
        .await;
    assert!(
        matches!(&screen, Screen::Receipt { sent_to, message: None, .. } if sent_to.len() == 1),
        "{screen:?}"
    );
    let sms = world
        .wait_for_sms_to(CUSTOMER_MOBILE, |sms| {
            sms.message.contains(&transaction.receipt_url)
        })
        .await;
    let auth_code = transaction.auth_code.clone().expect("approved");
    assert!(sms.message.contains(&auth_code), "{}", sms.message);
    assert!(!sms
        .message
        .contains(TestCard::get(CardId::VisaChipApproved).pan));
    let page = receipt_page(&world, &transaction.receipt_url).await;
    assert!(page.contains("411111******1111"), "{page}");
    assert!(!page.contains("<svg"), "no signature was taken: {page}");
    phone.finish_receipt().await;

    // JCB never signs in this configuration, even above NT$3,000.
    phone.start_sale(4_800, Brand::Jcb).await;
    let screen = phone.insert(CardId::JcbNoSignature).await;
    phone.remove_card();
    let Screen::Receipt {
        transaction: jcb, ..
    } = screen
    else {
        panic!("JCB needs no signature, got {screen:?}");
    };
    assert_eq!(jcb.status, TxnStatus::Approved);
    assert_eq!(jcb.brand, Brand::Jcb);
    assert!(!jcb.signed);
    phone.finish_receipt().await;

    // UnionPay always signs, even for NT$100.
    let union_pay = phone
        .chip_sale(100, Brand::UnionPay, CardId::UnionPayApproved)
        .await;
    assert!(union_pay.signed, "UnionPay is always signed");

    let all = world.transactions().await;
    assert_eq!(all.len(), 3, "{all:?}");
    for id in [&transaction.id, &jcb.id, &union_pay.id] {
        let at_gateway = all.iter().find(|t| &t.id == id).expect("listed");
        assert_eq!(at_gateway.status, TxnStatus::Approved);
    }
    assert!(!all.iter().find(|t| t.id == jcb.id).expect("listed").signed);
}
