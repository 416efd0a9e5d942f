//! PIN entry end to end: the reader's shuffled keypad on the phone's
//! screen, key positions over the link, the reader's PIN block through the
//! gateway's HSM to the issuer simulator; a wrong PIN (55) lets the
//! cardholder try again on a new read, and the third wrong PIN in a row
//! blocks the card's PIN (75), after which even the right PIN is refused.
//! A PIN pad nobody touches closes by itself and charges nothing.

use mpos_cards::{CardId, TestCard};
use mpos_core::{Screen, UserAction};
use mpos_e2e::screens::message_code;
use mpos_e2e::world::roomy_limits;
use mpos_e2e::{PhoneOptions, World};
use mpos_wire::api::TxnStatus;
use mpos_wire::Brand;
use std::time::{Duration, Instant};

/// How long the PIN pad waits for a touch in these tests (30 s shipped).
const PIN_IDLE_MS: u64 = 1_000;

/// The card's PIN with every digit moved by one: always wrong.
fn wrong_pin(card: CardId) -> String {
    TestCard::get(card)
        .pin
        .bytes()
        .map(|b| char::from(b'0' + (b - b'0' + 1) % 10))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unionpay_sales_take_the_pin_on_aes_and_tdes_readers_over_audio() {
    let world = World::start().await;
    let credentials = world.create_user(roomy_limits()).await;
    for (legacy, dollars) in [(false, 700), (true, 800)] {
        let options = PhoneOptions::pinned_to(&world.gateway);
        let options = if legacy {
            options.over_audio_legacy()
        } else {
            options.over_audio()
        };
        let phone = world.phone_with(options);
        phone.plug_in().await;
        let screen = if legacy {
            phone
                .login(&credentials.username, mpos_e2e::NEW_PASSWORD)
                .await
        } else {
            phone.first_login(&credentials).await
        };
        assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");
        let sale = phone
            .chip_sale(dollars, Brand::UnionPay, CardId::UnionPayApproved)
            .await;
        assert_eq!(sale.status, TxnStatus::Approved, "legacy reader: {legacy}");
        assert!(sale.signed, "UnionPay signs");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_wrong_pins_in_a_row_block_the_cards_pin() {
    let world = World::start().await;
    let (phone, _) = world.active_phone(roomy_limits()).await;
    let card = CardId::UnionPayDebitApproved;
    let wrong = wrong_pin(card);

    phone.start_sale(600, Brand::UnionPay).await;
    let mut codes = Vec::new();
    for attempt in 1..=3 {
        let screen = phone.insert(card).await;
        assert!(matches!(screen, Screen::PinEntry { .. }), "{screen:?}");
        let screen = phone.enter_pin(&wrong).await;
        phone.remove_card();
        match &screen {
            Screen::WrongPin { response_code, .. } if attempt < 3 => {
                assert_eq!(message_code(&screen), Some("wrong_pin"));
                codes.push(response_code.clone());
                let again = phone.act(UserAction::RetryPin).await;
                assert!(matches!(again, Screen::PresentCard { .. }), "{again:?}");
                assert_eq!(
                    message_code(&again),
                    Some("present_card_for_pin_retry"),
                    "{again:?}"
                );
            }
            Screen::Declined { response_code, .. } if attempt == 3 => {
                assert_eq!(message_code(&screen), Some("pin_tries_exceeded"));
                codes.push(response_code.clone());
            }
            other => panic!("wrong PIN #{attempt} ended on {other:?}"),
        }
    }
    assert_eq!(codes, ["55", "55", "75"]);
    phone.cancel_payment().await;

    // Blocked: the right PIN is refused now too, and nothing is ever charged.
    phone.start_sale(600, Brand::UnionPay).await;
    phone.insert(card).await;
    let screen = phone.enter_pin(TestCard::get(card).pin).await;
    phone.remove_card();
    let Screen::Declined { response_code, .. } = &screen else {
        panic!("a blocked PIN declines, got {screen:?}");
    };
    assert_eq!(response_code, "75");
    phone.cancel_payment().await;
    let at_gateway = world.transactions().await;
    assert_eq!(at_gateway.len(), 4, "{at_gateway:?}");
    assert!(at_gateway
        .iter()
        .all(|t| t.status == TxnStatus::Declined && t.auth_code.is_none()));
    let mut answered: Vec<&str> = at_gateway
        .iter()
        .map(|t| t.response_code.as_str())
        .collect();
    answered.sort_unstable();
    assert_eq!(answered, ["55", "55", "75", "75"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_right_pin_after_a_wrong_one_is_approved_and_cancel_leaves_nothing() {
    let world = World::start().await;
    let (phone, _) = world.active_phone(roomy_limits()).await;
    let card = CardId::UnionPayApproved;
    // Cancel on the PIN pad: no request leaves the phone.
    phone.start_sale(500, Brand::UnionPay).await;
    let screen = phone.insert(card).await;
    assert!(matches!(screen, Screen::PinEntry { .. }), "{screen:?}");
    phone.remove_card();
    phone.cancel_payment().await;
    assert!(world.transactions().await.is_empty());
    // Wrong, then right on a new read.
    phone.start_sale(500, Brand::UnionPay).await;
    phone.insert(card).await;
    let screen = phone.enter_pin(&wrong_pin(card)).await;
    phone.remove_card();
    assert!(matches!(screen, Screen::WrongPin { .. }), "{screen:?}");
    phone.act(UserAction::RetryPin).await;
    phone.insert(card).await;
    let screen = phone.enter_pin(TestCard::get(card).pin).await;
    phone.remove_card();
    assert!(matches!(screen, Screen::Signature { .. }), "{screen:?}");
    let screen = phone.sign().await;
    let Screen::Receipt { transaction, .. } = screen else {
        panic!("the signature leads to the receipt");
    };
    assert_eq!(transaction.status, TxnStatus::Approved);
    phone.finish_receipt().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_pad_nobody_touches_closes_charges_nothing_and_a_new_read_pays() {
    let world = World::start().await;
    let (phone, _) = world
        .active_phone_with(roomy_limits(), |options| PhoneOptions {
            pin_entry_idle_ms: Some(PIN_IDLE_MS),
            ..options.over_audio()
        })
        .await;
    let card = CardId::UnionPayApproved;
    phone.start_sale(900, Brand::UnionPay).await;
    let screen = phone.insert(card).await;
    assert!(matches!(screen, Screen::PinEntry { .. }), "{screen:?}");
    let opened = Instant::now();

    // Nobody touches the pad: the phone closes it and the reader waits for
    // the card again; nothing went to the gateway.
    let screen = phone
        .wait_until("the idle PIN pad to close", |s| {
            matches!(s, Screen::PresentCard { .. })
        })
        .await;
    assert_eq!(
        message_code(&screen),
        Some("pin_entry_timed_out"),
        "{screen:?}"
    );
    // The phone's configured limit, not the shipped 30 s (generous bounds:
    // the wait starts when the reader asks, just before the pad shows).
    let waited = opened.elapsed();
    assert!(
        waited >= Duration::from_millis(PIN_IDLE_MS / 2) && waited < Duration::from_secs(15),
        "{waited:?}"
    );
    assert!(world.transactions().await.is_empty());

    // The card read again, and this time the PIN is typed: one approval.
    phone.remove_card();
    let screen = phone.insert(card).await;
    assert!(matches!(screen, Screen::PinEntry { .. }), "{screen:?}");
    let screen = phone.enter_pin(TestCard::get(card).pin).await;
    phone.remove_card();
    assert!(matches!(screen, Screen::Signature { .. }), "{screen:?}");
    let Screen::Receipt { transaction, .. } = phone.sign().await else {
        panic!("the signature leads to the receipt");
    };
    assert_eq!(transaction.status, TxnStatus::Approved);
    phone.finish_receipt().await;
    let at_gateway = world.transactions().await;
    assert_eq!(at_gateway.len(), 1, "{at_gateway:?}");
    assert_eq!(at_gateway[0].status, TxnStatus::Approved);
}
