//! Refunds: against the original authorization code, swipe only, never
//! more than what is left of the original sale.

use mpos_cards::CardId;
use mpos_core::{CardPrompt, Screen};
use mpos_e2e::screens::{message_code, payment_finished};
use mpos_e2e::world::{dollars, roomy_limits};
use mpos_e2e::{Phone, World};
use mpos_wire::api::{TxnKind, TxnStatus};
use mpos_wire::{Brand, EntryMode};

/// A refund the gateway should refuse after the swipe: returns the screen saying why.
async fn refused_refund(phone: &Phone, amount: u64, auth_code: &str, card: CardId) -> Screen {
    let screen = phone.start_refund(amount, Brand::Visa, auth_code).await;
    assert!(
        matches!(
            screen,
            Screen::PresentCard {
                prompt: CardPrompt::SwipeOnly,
                ..
            }
        ),
        "{screen:?}"
    );
    let screen = phone.swipe(card).await;
    assert!(
        !payment_finished(&screen),
        "a NT${amount} refund must be refused, got {screen:?}"
    );
    phone.cancel_payment().await;
    screen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_take_the_original_auth_code_a_swipe_and_at_most_the_original_amount() {
    let world = World::start().await;
    let (phone, _) = world.active_phone(roomy_limits()).await;
    let sale = phone
        .chip_sale(2_000, Brand::Visa, CardId::VisaChipApproved)
        .await;
    let auth_code = sale.auth_code.clone().expect("approved");

    // Refunds are swipe only: an inserted card is not read.
    let screen = phone.start_refund(1_500, Brand::Visa, &auth_code).await;
    assert!(
        matches!(
            screen,
            Screen::PresentCard {
                prompt: CardPrompt::SwipeOnly,
                kind: TxnKind::Refund,
                ..
            }
        ),
        "{screen:?}"
    );
    let screen = phone.insert(CardId::VisaChipApproved).await;
    assert!(matches!(screen, Screen::PresentCard { .. }), "{screen:?}");
    assert_eq!(message_code(&screen), Some("swipe_required"));
    phone.remove_card();
    assert_eq!(
        world.transactions().await.len(),
        1,
        "nothing was sent for the inserted card"
    );

    let screen = phone.swipe(CardId::VisaChipApproved).await;
    let refund = match screen {
        Screen::Receipt { transaction, .. } => transaction,
        Screen::Signature { .. } => match phone.sign().await {
            Screen::Receipt { transaction, .. } => transaction,
            _ => unreachable!(),
        },
        other => panic!("the refund ended on {other:?}"),
    };
    phone.finish_receipt().await;
    assert_eq!(refund.kind, TxnKind::Refund);
    assert_eq!(refund.status, TxnStatus::Approved);
    assert_eq!(refund.amount, dollars(1_500));
    assert_eq!(refund.entry_mode, EntryMode::Swipe);
    assert_eq!(
        refund.original_transaction_id.as_deref(),
        Some(sale.id.as_str())
    );

    // NT$500 is left: NT$600 is too much.
    let screen = refused_refund(&phone, 600, &auth_code, CardId::VisaChipApproved).await;
    assert_eq!(
        message_code(&screen),
        Some("refund_exceeds_original"),
        "{screen:?}"
    );

    // An unknown authorization code finds no original sale.
    let unknown = if auth_code == "ZZ9999" {
        "ZZ9998"
    } else {
        "ZZ9999"
    };
    let screen = refused_refund(&phone, 100, unknown, CardId::VisaChipApproved).await;
    assert_eq!(
        message_code(&screen),
        Some("original_not_found"),
        "{screen:?}"
    );

    // The money goes back to the card that paid, not to another one.
    let screen = refused_refund(&phone, 100, &auth_code, CardId::VisaSwipeOnlyApproved).await;
    assert_eq!(message_code(&screen), Some("card_mismatch"), "{screen:?}");

    // The last NT$500 refunds the sale in full; then not a dollar more.
    let screen = phone.start_refund(500, Brand::Visa, &auth_code).await;
    assert!(matches!(screen, Screen::PresentCard { .. }), "{screen:?}");
    let screen = phone.swipe(CardId::VisaChipApproved).await;
    let Screen::Receipt {
        transaction: rest, ..
    } = screen
    else {
        panic!("the NT$500 refund is approved, got {screen:?}");
    };
    assert_eq!(rest.status, TxnStatus::Approved);
    phone.finish_receipt().await;
    let screen = refused_refund(&phone, 1, &auth_code, CardId::VisaChipApproved).await;
    assert_eq!(
        message_code(&screen),
        Some("refund_exceeds_original"),
        "{screen:?}"
    );

    let all = world.transactions().await;
    let original = all.iter().find(|t| t.id == sale.id).expect("listed");
    assert_eq!(original.status, TxnStatus::Approved);
    assert_eq!(original.refunded, dollars(2_000));
    let mut refunds: Vec<_> = all
        .iter()
        .filter(|t| t.kind == TxnKind::Refund && t.status == TxnStatus::Approved)
        .map(|t| t.amount.minor)
        .collect();
    refunds.sort();
    assert_eq!(refunds, vec![50_000, 150_000], "{all:?}");
}
