//! Chip first: a chip card's swipe is refused before anything is sent; after
//! three chip failures the swipe is accepted as a fallback.

use mpos_cards::CardId;
use mpos_core::{CardPrompt, Screen};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::roomy_limits;
use mpos_e2e::World;
use mpos_wire::api::{paths, TxnStatus};
use mpos_wire::{Brand, EntryMode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swiped_chip_card_is_refused_until_the_chip_failed_three_times() {
    let world = World::start().await;
    let (phone, _) = world.active_phone(roomy_limits()).await;

    // Swiping a chip card first: refused on the phone, nothing sent.
    phone.start_sale(1_000, Brand::Visa).await;
    let screen = phone.swipe(CardId::VisaChipApproved).await;
    assert!(
        matches!(
            screen,
            Screen::PresentCard {
                prompt: CardPrompt::InsertChip,
                ..
            }
        ),
        "{screen:?}"
    );
    assert_eq!(message_code(&screen), Some("chip_required"));
    assert_eq!(world.gateway.logged_requests_to(paths::SALES).await, 0);
    assert!(world.transactions().await.is_empty());
    // Inserting it then works.
    let screen = phone.insert(CardId::VisaChipApproved).await;
    phone.remove_card();
    let Screen::Receipt { transaction, .. } = screen else {
        panic!("the inserted chip is authorized, got {screen:?}");
    };
    assert_eq!(transaction.entry_mode, EntryMode::Chip);
    phone.finish_receipt().await;

    // Fallback: the chip fails, and fails again; a swipe is still refused.
    phone.start_sale(1_000, Brand::Visa).await;
    for failures in 1..=2u32 {
        let screen = phone.insert_unreadable(CardId::VisaChipApproved).await;
        phone.remove_card();
        assert!(
            matches!(screen, Screen::PresentCard { chip_failures, .. } if chip_failures == failures),
            "{screen:?}"
        );
        assert_eq!(message_code(&screen), Some("chip_read_failed"));
    }
    let screen = phone.swipe(CardId::VisaChipApproved).await;
    assert_eq!(message_code(&screen), Some("chip_required"), "{screen:?}");
    assert_eq!(world.gateway.logged_requests_to(paths::SALES).await, 1);

    // The third failure opens the fallback swipe.
    let screen = phone.insert_unreadable(CardId::VisaChipApproved).await;
    phone.remove_card();
    assert!(
        matches!(
            screen,
            Screen::PresentCard {
                prompt: CardPrompt::SwipeAfterChipFailure,
                chip_failures: 3,
                ..
            }
        ),
        "{screen:?}"
    );
    let screen = phone.swipe(CardId::VisaChipApproved).await;
    let Screen::Receipt {
        transaction: fallback,
        ..
    } = screen
    else {
        panic!("the fallback swipe is authorized, got {screen:?}");
    };
    assert_eq!(fallback.entry_mode, EntryMode::FallbackSwipe);
    phone.finish_receipt().await;
    let at_gateway = world.transaction(&fallback.id).await;
    assert_eq!(at_gateway.entry_mode, EntryMode::FallbackSwipe);
    assert_eq!(at_gateway.status, TxnStatus::Approved);

    // A card without a chip is swiped at once.
    phone.start_sale(300, Brand::Visa).await;
    let screen = phone.swipe(CardId::VisaSwipeOnlyApproved).await;
    let Screen::Receipt {
        transaction: stripe,
        ..
    } = screen
    else {
        panic!("a stripe-only card is authorized on its swipe, got {screen:?}");
    };
    assert_eq!(stripe.entry_mode, EntryMode::Swipe);
    phone.finish_receipt().await;
    assert_eq!(world.transactions().await.len(), 3);
}
