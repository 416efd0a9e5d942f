//! The audio-jack reader end to end: the app's `AudioJackReader` and the
//! reader device exchange nothing but audio samples, in real time, through
//! a simulated phone audio path; the real gateway verifies the chip's ARQC
//! and its ARPC goes back through the audio to the card.

use mpos_cards::CardId;
use mpos_core::reader::CardReader;
use mpos_core::{CardPrompt, Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::{dollars, roomy_limits};
use mpos_e2e::{PhoneOptions, World};
use mpos_sim::icc::CardDecision;
use mpos_wire::api::{TxnKind, TxnStatus};
use mpos_wire::{Brand, EntryMode};
use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chip_sale_through_the_audio_jack_ends_with_the_cards_tc() {
    let world = World::start().await;
    let (phone, _) = world
        .active_phone_with(roomy_limits(), PhoneOptions::over_audio)
        .await;
    let profile = phone.audio().phone().profile().expect("auto-configured");
    assert_eq!(profile.phone_model, "e2e phone");

    let screen = phone.start_sale(4_800, Brand::Visa).await;
    assert!(
        matches!(
            screen,
            Screen::PresentCard {
                prompt: CardPrompt::InsertOrSwipe,
                ..
            }
        ),
        "{screen:?}"
    );
    let screen = phone.insert(CardId::VisaChipApproved).await;
    let Screen::Signature { transaction, .. } = screen else {
        panic!("NT$4,800 on VISA is signed, got {screen:?}");
    };
    // The gateway's ARPC crossed the audio and the chip accepted it.
    assert_eq!(
        phone.audio().device().last_card_decision(),
        Some(CardDecision::Tc)
    );
    assert!(!phone.audio().device().transaction_active());
    phone.remove_card();
    assert_eq!(transaction.entry_mode, EntryMode::Chip);
    assert_eq!(transaction.masked_pan.as_str(), "411111******1111");
    phone.sign().await;
    phone.finish_receipt().await;
    let at_gateway = world.transaction(&transaction.id).await;
    assert_eq!(at_gateway.status, TxnStatus::Approved);
    assert_eq!(at_gateway.amount, dollars(4_800));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chip_that_declines_the_approval_over_audio_is_reversed_at_the_gateway() {
    let world = World::start().await;
    let (phone, _) = world
        .active_phone_with(roomy_limits(), PhoneOptions::over_audio)
        .await;
    phone.start_sale(800, Brand::Visa).await;
    let inserted = Instant::now();
    let seen_before = phone.screens_seen().len();
    let screen = phone.insert(CardId::VisaChipDeclinesAfterApproval).await;
    assert!(
        matches!(screen, Screen::OutcomeUnknown { .. }),
        "the card refused the approval: no result is shown, got {screen:?}"
    );
    assert_eq!(
        phone.audio().device().last_card_decision(),
        Some(CardDecision::Aac)
    );
    let screen = phone
        .wait_until("the reversal to be acknowledged", |s| {
            matches!(
                s,
                Screen::OutcomeUnknown {
                    reversal_acknowledged: true,
                    ..
                }
            )
        })
        .await;
    assert_eq!(message_code(&screen), Some("not_charged"));
    let shown = phone.screens_seen()[seen_before..].to_vec();
    assert!(
        shown
            .iter()
            .all(|s| !s.starts_with("Signature") && !s.starts_with("Receipt")),
        "never shown as approved: {shown:#?}"
    );
    phone.remove_card();
    let reversed = world.final_state_of(dollars(800), inserted).await;
    assert_eq!(reversed.status, TxnStatus::Reversed, "{reversed:?}");
    assert_eq!(reversed.kind, TxnKind::Sale);
    assert_eq!(reversed.masked_pan.as_str(), "401288******1881");
    let screen = phone.act(UserAction::CancelPayment).await;
    assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readers_chip_first_rule_leads_to_an_approved_fallback_swipe() {
    let world = World::start().await;
    let (phone, _) = world
        .active_phone_with(roomy_limits(), PhoneOptions::over_audio)
        .await;
    phone.start_sale(300, Brand::Visa).await;
    let card = CardId::VisaChipApproved;
    let screen = phone.swipe(card).await;
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
    for attempt in 1..=3 {
        phone.insert_unreadable(card).await;
        phone.remove_card();
        assert_eq!(phone.audio().device().chip_failures(), attempt);
    }
    let screen = phone
        .wait_until("the fallback prompt", |s| {
            matches!(
                s,
                Screen::PresentCard {
                    prompt: CardPrompt::SwipeAfterChipFailure,
                    ..
                }
            )
        })
        .await;
    assert_eq!(message_code(&screen), Some("swipe_after_chip_failure"));
    let screen = phone.swipe(card).await;
    let Screen::Receipt { transaction, .. } = screen else {
        panic!("the fallback swipe is approved, got {screen:?}");
    };
    assert_eq!(transaction.entry_mode, EntryMode::FallbackSwipe);
    assert_eq!(
        world.transaction(&transaction.id).await.entry_mode,
        EntryMode::FallbackSwipe
    );
    phone.finish_receipt().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_legacy_tdes_reader_over_the_audio_jack_completes_a_chip_sale() {
    let world = World::start().await;
    let (phone, _) = world
        .active_phone_with(roomy_limits(), PhoneOptions::over_audio_legacy)
        .await;
    // The reader announces a 10-byte TDES KSN under the test key set.
    let ksn = phone.audio().phone().info().expect("connected").ksn;
    assert_eq!(ksn.len(), 20, "{ksn}");
    assert!(ksn.starts_with("FFFF987654"), "{ksn}");
    phone.start_sale(1_200, Brand::Visa).await;
    let screen = phone.insert(CardId::VisaChipApproved).await;
    let Screen::Receipt { transaction, .. } = screen else {
        panic!("NT$1,200 on VISA needs no signature, got {screen:?}");
    };
    // The gateway opened the TDES envelope and its ARPC reached the chip.
    assert_eq!(
        phone.audio().device().last_card_decision(),
        Some(CardDecision::Tc)
    );
    phone.remove_card();
    assert_eq!(transaction.entry_mode, EntryMode::Chip);
    assert_eq!(transaction.masked_pan.as_str(), "411111******1111");
    phone.finish_receipt().await;
    let at_gateway = world.transaction(&transaction.id).await;
    assert_eq!(at_gateway.status, TxnStatus::Approved);
    assert_eq!(at_gateway.amount, dollars(1_200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_decline_over_audio_the_next_card_is_read_at_once() {
    let world = World::start().await;
    let (phone, _) = world
        .active_phone_with(roomy_limits(), PhoneOptions::over_audio)
        .await;
    phone.start_sale(500, Brand::Visa).await;
    let declined = phone.insert(CardId::VisaDeclined05).await;
    assert!(matches!(declined, Screen::Declined { .. }), "{declined:?}");
    phone.remove_card();
    phone.act(UserAction::Back).await;
    let card = phone.act(UserAction::PayNow).await;
    assert!(matches!(card, Screen::PresentCard { .. }), "{card:?}");
    let approved = phone.insert(CardId::VisaChipApproved).await;
    assert!(
        matches!(approved, Screen::Receipt { .. }),
        "the next card is read and approved: {approved:?}"
    );
}
