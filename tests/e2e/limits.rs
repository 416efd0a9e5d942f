//! The administrator's limits: per transaction and per day, refused with
//! their own message and nothing charged.

use mpos_cards::CardId;
use mpos_core::Screen;
use mpos_e2e::screens::{message_code, payment_finished};
use mpos_e2e::world::{dollars, limits};
use mpos_e2e::{Phone, World};
use mpos_wire::api::TxnStatus;
use mpos_wire::Brand;

/// A VISA sale the limits should refuse: returns the screen that says why.
async fn refused_sale(phone: &Phone, amount: u64) -> Screen {
    let mut screen = phone.start_sale(amount, Brand::Visa).await;
    // The phone may refuse before the card; otherwise the gateway does after it.
    if matches!(screen, Screen::PresentCard { .. }) {
        screen = phone.insert(CardId::VisaChipApproved).await;
        phone.remove_card();
    }
    assert!(
        !payment_finished(&screen),
        "NT${amount} must be refused before any authorization, got {screen:?}"
    );
    phone.cancel_payment().await;
    screen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amounts_over_the_per_transaction_or_daily_limit_are_refused_and_not_charged() {
    let world = World::start().await;
    let (phone, _) = world.active_phone(limits(3_000, 5_000)).await;

    let screen = refused_sale(&phone, 3_001).await;
    assert_eq!(
        message_code(&screen),
        Some("limit_per_transaction_exceeded"),
        "{screen:?}"
    );
    assert!(
        world
            .transactions()
            .await
            .iter()
            .all(|t| t.status != TxnStatus::Approved),
        "nothing charged"
    );

    // Exactly the limit is allowed.
    let first = phone
        .chip_sale(3_000, Brand::Visa, CardId::VisaChipApproved)
        .await;
    assert_eq!(first.status, TxnStatus::Approved);

    // NT$3,000 + NT$2,001 is over the NT$5,000 day.
    let screen = refused_sale(&phone, 2_001).await;
    assert_eq!(
        message_code(&screen),
        Some("limit_per_day_exceeded"),
        "{screen:?}"
    );

    // NT$3,000 + NT$2,000 is exactly the day.
    let second = phone
        .chip_sale(2_000, Brand::Mastercard, CardId::MastercardChipApproved)
        .await;
    assert_eq!(second.status, TxnStatus::Approved);

    // The day is full: even NT$1 is refused.
    let screen = refused_sale(&phone, 1).await;
    assert_eq!(
        message_code(&screen),
        Some("limit_per_day_exceeded"),
        "{screen:?}"
    );

    let all = world.transactions().await;
    let mut charged: Vec<_> = all
        .iter()
        .filter(|t| t.status == TxnStatus::Approved)
        .map(|t| (t.id.clone(), t.amount.minor))
        .collect();
    charged.sort();
    let mut expected = vec![
        (first.id.clone(), dollars(3_000).minor),
        (second.id.clone(), dollars(2_000).minor),
    ];
    expected.sort();
    assert_eq!(
        charged, expected,
        "only the two sales within the limits: {all:?}"
    );
}
