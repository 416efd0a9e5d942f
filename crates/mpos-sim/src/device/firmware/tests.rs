use super::*;
use crate::device::KeyScheme;
use crate::test_keys::{TEST_BDK, TEST_INITIAL_KEY_ID, TEST_ISSUER_MASTER_KEY};
use mpos_core::reader::audio_jack::issuer_auth_data;
use mpos_crypto::emv::CardStatusUpdate;
use mpos_link::message::EntryModes;
use mpos_wire::api::{IssuerAuthentication, TxnKind};
use mpos_wire::Money;

fn firmware() -> Firmware {
    Firmware::new(
        &TEST_BDK,
        TEST_INITIAL_KEY_ID,
        "SIM-90123456",
        &TEST_ISSUER_MASTER_KEY,
    )
}

fn terminal() -> Terminal {
    Terminal {
        date: time::macros::date!(2025 - 03 - 07),
        unpredictable_number: [0x52, 0xBF, 0x45, 0x85],
    }
}

fn start(kind: TxnKind, minor: u64) -> Message {
    let sale = kind == TxnKind::Sale;
    Message::StartTransaction(StartTransaction {
        amount: Money::twd_minor(minor),
        kind,
        entry_modes: EntryModes {
            chip: sale,
            swipe: true,
            fallback: sale,
        },
    })
}

fn out(firmware: &mut Firmware) -> Vec<Message> {
    std::iter::from_fn(|| firmware.poll_message()).collect()
}

/// The one message the firmware sent.
fn one(firmware: &mut Firmware) -> Message {
    let mut messages = out(firmware);
    assert_eq!(messages.len(), 1, "{messages:?}");
    messages.remove(0)
}

fn in_sale(minor: u64) -> Firmware {
    let mut firmware = firmware();
    firmware.on_message(start(TxnKind::Sale, minor), 0);
    assert_eq!(out(&mut firmware), vec![]);
    firmware
}

fn card(id: CardId) -> &'static TestCard {
    TestCard::get(id)
}

fn issuer_answer(read: &CardData, csu: CardStatusUpdate) -> IssuerAuthentication {
    crate::test_issuer::answer(&read.to_payload(), csu)
}

fn open(read: &CardData) -> ClearCard {
    crate::test_issuer::open(&read.to_payload())
}

fn online(approved: bool, issuer: Option<&IssuerAuthentication>) -> Message {
    Message::OnlineResult(OnlineResult {
        approved,
        response_code: if approved { "00" } else { "05" }.into(),
        auth_code: approved.then(|| "123456".into()),
        issuer_auth_data: issuer_auth_data(issuer),
    })
}

fn chip_read(firmware: &mut Firmware, id: CardId) -> CardData {
    firmware.insert(card(id), true, terminal());
    match out(firmware).as_slice() {
        [Message::CardInserted, Message::CardRead(read)] => read.clone(),
        other => panic!("expected a chip read, got {other:?}"),
    }
}

fn done(messages: &[Message]) -> &TransactionDone {
    match messages {
        [Message::TransactionDone(done)] => done,
        other => panic!("expected TransactionDone, got {other:?}"),
    }
}

fn cid(done: &TransactionDone) -> u8 {
    let objects = tlv::parse(&done.emv_tlv).unwrap();
    tlv::find_bytes(&objects, tags::CRYPTOGRAM_INFORMATION_DATA).unwrap()[0]
}

#[test]
fn info_reports_identity_and_the_next_ksn() {
    let mut firmware = firmware();
    firmware.on_message(Message::GetInfo, 0);
    let Message::Info(info) = one(&mut firmware) else {
        panic!()
    };
    assert_eq!(info.serial, "SIM-90123456");
    assert_eq!(info.ksn_hex(), "123456789012345600000001");
    assert_eq!(info.battery_percent, Some(100));
}

#[test]
fn an_approved_chip_sale_ends_with_the_cards_tc() {
    let mut firmware = in_sale(480_000);
    let read = chip_read(&mut firmware, CardId::VisaChipApproved);
    assert_eq!(read.entry_mode, EntryMode::Chip);
    assert_eq!(read.masked_pan.as_str(), "411111******1111");
    assert_eq!(open(&read).pan, "4111111111111111");
    let objects = tlv::parse(read.emv_tlv.as_ref().unwrap()).unwrap();
    assert_eq!(
        tlv::numeric_value(tlv::find_bytes(&objects, tags::AMOUNT_AUTHORISED).unwrap()),
        Ok(480_000)
    );
    let answer = issuer_answer(&read, CardStatusUpdate::approval());
    firmware.on_message(online(true, Some(&answer)), 1_000);
    let messages = out(&mut firmware);
    let done = done(&messages);
    assert_eq!(done.outcome, TransactionOutcome::Approved);
    assert_eq!(cid(done), CID_TC);
    assert_eq!(firmware.last_card_decision(), Some(CardDecision::Tc));
    assert!(!firmware.transaction_active());
}

#[test]
fn a_chip_that_declines_after_approval_is_reported_declined_by_card() {
    let mut firmware = in_sale(80_000);
    let read = chip_read(&mut firmware, CardId::VisaChipDeclinesAfterApproval);
    let answer = issuer_answer(&read, CardStatusUpdate::approval());
    firmware.on_message(online(true, Some(&answer)), 1_000);
    let messages = out(&mut firmware);
    assert_eq!(done(&messages).outcome, TransactionOutcome::DeclinedByCard);
    assert_eq!(cid(done(&messages)), CID_AAC);
    assert_eq!(firmware.last_card_decision(), Some(CardDecision::Aac));
}

#[test]
fn an_approval_without_a_valid_arpc_or_without_the_card_is_not_accepted() {
    let mut firmware = in_sale(5_000);
    chip_read(&mut firmware, CardId::VisaChipApproved);
    firmware.on_message(online(true, None), 1_000);
    assert_eq!(
        done(&out(&mut firmware)).outcome,
        TransactionOutcome::DeclinedByCard
    );
    // The card was pulled out before the host answered: the chip cannot finish.
    firmware.remove_card();
    firmware.on_message(start(TxnKind::Sale, 5_000), 2_000);
    out(&mut firmware);
    let read = chip_read(&mut firmware, CardId::VisaChipApproved);
    firmware.remove_card();
    out(&mut firmware);
    let answer = issuer_answer(&read, CardStatusUpdate::approval());
    firmware.on_message(online(true, Some(&answer)), 3_000);
    assert_eq!(
        done(&out(&mut firmware)).outcome,
        TransactionOutcome::Failed
    );
    // A host decline is a host decline.
    firmware.on_message(start(TxnKind::Sale, 5_000), 4_000);
    chip_read(&mut firmware, CardId::VisaDeclined05);
    firmware.on_message(online(false, None), 5_000);
    assert_eq!(
        done(&out(&mut firmware)).outcome,
        TransactionOutcome::DeclinedByHost
    );
}

#[test]
fn chip_first_refuses_a_chip_swipe_until_three_chip_failures_then_falls_back() {
    let mut firmware = in_sale(30_000);
    let visa = card(CardId::VisaChipApproved);
    firmware.swipe(visa);
    assert_eq!(out(&mut firmware), vec![Message::InsertChip]);
    for failure in 1..=3 {
        firmware.insert(visa, false, terminal());
        assert_eq!(
            out(&mut firmware),
            vec![
                Message::CardInserted,
                Message::ChipReadFailed(ChipFailure::NoAnswerToReset)
            ]
        );
        assert_eq!(firmware.chip_failures(), failure);
        firmware.remove_card();
        assert_eq!(out(&mut firmware), vec![Message::CardRemoved]);
        if failure < 3 {
            firmware.swipe(visa);
            assert_eq!(out(&mut firmware), vec![Message::InsertChip], "{failure}");
        }
    }
    firmware.swipe(visa);
    let Message::CardRead(read) = one(&mut firmware) else {
        panic!()
    };
    assert_eq!(read.entry_mode, EntryMode::FallbackSwipe);
    assert_eq!(read.emv_tlv, None);
    assert_eq!(read.service_code, "201");
    assert_eq!(open(&read).pan, "4111111111111111");
    // The host's answer ends a swiped transaction with no chip data.
    firmware.on_message(online(true, None), 10_000);
    let messages = out(&mut firmware);
    assert_eq!(done(&messages).outcome, TransactionOutcome::Approved);
    assert!(done(&messages).emv_tlv.is_empty());
    // A new transaction starts without failures.
    firmware.on_message(start(TxnKind::Sale, 30_000), 11_000);
    firmware.swipe(visa);
    assert_eq!(out(&mut firmware), vec![Message::InsertChip]);
}

#[test]
fn a_stripe_only_card_is_swiped_at_once() {
    let mut firmware = in_sale(30_000);
    firmware.swipe(card(CardId::VisaSwipeOnlyApproved));
    let Message::CardRead(read) = one(&mut firmware) else {
        panic!()
    };
    assert_eq!(read.entry_mode, EntryMode::Swipe);
    assert_eq!(read.service_code, "101");
}

#[test]
fn refunds_are_swipe_only() {
    let mut firmware = firmware();
    firmware.on_message(start(TxnKind::Refund, 100_000), 0);
    let visa = card(CardId::VisaChipApproved);
    firmware.insert(visa, true, terminal());
    assert_eq!(out(&mut firmware), vec![Message::CardInserted]);
    firmware.remove_card();
    out(&mut firmware);
    firmware.swipe(visa);
    let Message::CardRead(read) = one(&mut firmware) else {
        panic!()
    };
    assert_eq!(read.entry_mode, EntryMode::Swipe);
    assert_eq!(read.emv_tlv, None);
}

#[test]
fn commands_out_of_turn_are_refused() {
    let mut firmware = in_sale(100);
    firmware.on_message(start(TxnKind::Sale, 100), 10);
    let refusal = |code, command| {
        Message::Error(ReaderErrorReport {
            code,
            command: Some(command),
        })
    };
    assert_eq!(
        out(&mut firmware),
        vec![refusal(ReaderErrorCode::Busy, FrameType::StartTransaction)]
    );
    firmware.on_message(Message::Cancel, 20);
    assert_eq!(
        done(&out(&mut firmware)).outcome,
        TransactionOutcome::Cancelled
    );
    firmware.on_message(Message::Cancel, 30);
    firmware.on_message(online(true, None), 40);
    assert_eq!(
        out(&mut firmware),
        vec![
            refusal(ReaderErrorCode::NoTransaction, FrameType::Cancel),
            refusal(ReaderErrorCode::NoTransaction, FrameType::OnlineResult)
        ]
    );
}

#[test]
fn a_transaction_without_a_card_times_out_after_a_minute() {
    let mut firmware = in_sale(100);
    firmware.tick(CARD_WAIT_MS - 1);
    assert!(firmware.transaction_active());
    firmware.tick(CARD_WAIT_MS);
    assert_eq!(
        done(&out(&mut firmware)).outcome,
        TransactionOutcome::TimedOut
    );
    assert!(!firmware.transaction_active());
    // Once a card was read, the reader waits for the host instead.
    let mut firmware = in_sale(100);
    chip_read(&mut firmware, CardId::VisaChipApproved);
    firmware.tick(2 * CARD_WAIT_MS);
    assert!(firmware.transaction_active());
}

#[test]
fn without_a_transaction_only_the_slot_is_reported_and_power_loss_ends_it() {
    let mut firmware = firmware();
    let visa = card(CardId::VisaChipApproved);
    firmware.insert(visa, true, terminal());
    firmware.swipe(visa);
    firmware.insert(card(CardId::JcbNoSignature), true, terminal());
    firmware.remove_card();
    assert_eq!(
        out(&mut firmware),
        vec![Message::CardInserted, Message::CardRemoved]
    );
    firmware.on_message(start(TxnKind::Sale, 100), 0);
    firmware.on_message(Message::GetInfo, 0);
    firmware.power_down();
    assert!(!firmware.transaction_active());
    assert!(!firmware.has_output());
}

#[test]
fn no_message_carries_the_card_number_in_clear() {
    let mut firmware = in_sale(5_000);
    let visa = card(CardId::VisaChipApproved);
    firmware.swipe(visa);
    firmware.insert(visa, true, terminal());
    firmware.on_message(online(true, None), 0);
    firmware.on_message(start(TxnKind::Refund, 5_000), 0);
    firmware.swipe(visa);
    firmware.on_message(Message::GetInfo, 0);
    let messages = out(&mut firmware);
    let reads = messages
        .iter()
        .filter(|m| matches!(m, Message::CardRead(_)))
        .count();
    assert_eq!(reads, 2, "{messages:?}");
    for message in messages {
        let mut payload = Vec::new();
        message.encode_payload(&mut payload).unwrap();
        let text = String::from_utf8_lossy(&payload);
        assert!(!text.contains(visa.pan), "{message:?}");
        assert!(!hex::encode(&payload).contains(visa.pan), "{message:?}");
    }
}

fn legacy_firmware() -> Firmware {
    Firmware::with_keys(
        &KeyScheme::tdes_test(),
        "SIM-T0019087",
        &TEST_ISSUER_MASTER_KEY,
    )
}

#[test]
fn a_legacy_reader_seals_with_tdes_dukpt() {
    let mut firmware = legacy_firmware();
    firmware.on_message(Message::GetInfo, 0);
    let Message::Info(info) = one(&mut firmware) else {
        panic!()
    };
    assert_eq!(info.ksn_hex(), "FFFF9876543210E00001");
    firmware.on_message(start(TxnKind::Sale, 480_000), 0);
    let read = chip_read(&mut firmware, CardId::VisaChipApproved);
    assert_eq!(read.to_payload().ksn, "FFFF9876543210E00001");
    assert_eq!(open(&read).pan, "4111111111111111");
    // The AES test BDK does not open it.
    let sealed = mpos_crypto::envelope::SealedCard {
        ksn: read.to_payload().ksn,
        ciphertext: read.to_payload().ciphertext,
    };
    assert!(mpos_crypto::envelope::open(&TEST_BDK, &sealed).is_err());
    // The chip's cryptogram is the same whatever seals the card data.
    let answer = issuer_answer(&read, CardStatusUpdate::approval());
    firmware.on_message(online(true, Some(&answer)), 1_000);
    assert_eq!(
        done(&out(&mut firmware)).outcome,
        TransactionOutcome::Approved
    );
    firmware.on_message(start(TxnKind::Sale, 30_000), 2_000);
    firmware.swipe(card(CardId::VisaSwipeOnlyApproved));
    let Message::CardRead(swiped) = one(&mut firmware) else {
        panic!()
    };
    assert_eq!(swiped.to_payload().ksn, "FFFF9876543210E00002");
    assert_eq!(open(&swiped).pan, card(CardId::VisaSwipeOnlyApproved).pan);
}

#[test]
fn a_swipe_that_does_not_decode_is_a_failed_swipe_and_seals_nothing() {
    let mut firmware = in_sale(30_000);
    let stripe_only = card(CardId::VisaSwipeOnlyApproved);
    firmware.swipe_badly(stripe_only);
    assert_eq!(out(&mut firmware), vec![Message::SwipeFailed]);
    // No key was used and the transaction still waits for a card.
    firmware.on_message(Message::GetInfo, 10);
    let Message::Info(info) = one(&mut firmware) else {
        panic!()
    };
    assert_eq!(info.ksn_hex(), "123456789012345600000001");
    assert!(firmware.transaction_active());
    firmware.swipe(stripe_only);
    let Message::CardRead(read) = one(&mut firmware) else {
        panic!()
    };
    assert_eq!(read.entry_mode, EntryMode::Swipe);
    assert_eq!(open(&read).pan, stripe_only.pan);
    assert_eq!(firmware.swipe_count(), 2);
    // A chip card swiped badly cannot be judged: it is a failed swipe too.
    firmware.on_message(Message::Cancel, 20);
    out(&mut firmware);
    firmware.on_message(start(TxnKind::Sale, 30_000), 30);
    firmware.swipe_badly(card(CardId::VisaChipApproved));
    assert_eq!(out(&mut firmware), vec![Message::SwipeFailed]);
}

#[test]
fn swipes_are_seeded_by_the_serial_and_the_swipe_count() {
    let seeds: Vec<u64> = (0..3).map(|n| swipe_seed("SIM-90123456", n)).collect();
    assert_eq!(
        seeds,
        (0..3)
            .map(|n| swipe_seed("SIM-90123456", n))
            .collect::<Vec<_>>()
    );
    assert_ne!(seeds[0], seeds[1]);
    assert_ne!(seeds[0], swipe_seed("SIM-90123457", 0));
    // The swipes a reader makes differ from one to the next.
    let params = |seed| super::super::stripe_read::swipe_params(SwipeStyle::Good, seed);
    assert_ne!(params(seeds[0]), params(seeds[1]));
}

/// The positions of `pin`'s digits on `layout`, as the cardholder touches them.
fn keys_for(layout: &PinPadLayout, pin: &str) -> PinKeys {
    let digits = layout.digits();
    let keys = pin
        .bytes()
        .map(|b| {
            let position = digits.iter().position(|&d| d == b - b'0').unwrap();
            u8::try_from(position).unwrap()
        })
        .collect();
    PinKeys::new(keys).unwrap()
}

fn pin_pad(firmware: &mut Firmware) -> PinPadLayout {
    firmware.on_message(Message::RequestPin, 0);
    match one(firmware) {
        Message::PinPad(layout) => layout,
        other => panic!("expected a keypad, got {other:?}"),
    }
}

fn refused(firmware: &mut Firmware, command: FrameType) {
    assert_eq!(
        one(firmware),
        Message::Error(ReaderErrorReport {
            code: ReaderErrorCode::NoTransaction,
            command: Some(command),
        })
    );
}

#[test]
fn the_pin_typed_on_the_shuffled_keypad_reaches_the_hsm_under_the_reads_ksn() {
    let mut firmware = in_sale(150_000);
    // No card read yet: nothing to bind a PIN to.
    firmware.on_message(Message::RequestPin, 0);
    refused(&mut firmware, FrameType::RequestPin);
    let read = chip_read(&mut firmware, CardId::UnionPayApproved);
    let layout = pin_pad(&mut firmware);
    firmware.on_message(Message::PinEntered(keys_for(&layout, "857301")), 0);
    let Message::PinBlock(block) = one(&mut firmware) else {
        panic!("expected a PIN block");
    };
    assert_eq!((block.ksn.clone(), block.format()), (read.ksn.clone(), 4));
    let enciphered = mpos_crypto::envelope::EncipheredPin {
        ksn: hex::encode_upper(&block.ksn),
        block: hex::encode_upper(&block.block),
    };
    let pan = open(&read).pan;
    let pin = mpos_crypto::envelope::open_pin(&TEST_BDK, &enciphered, &pan).unwrap();
    assert_eq!(pin.as_str(), "857301");
    // One PIN per card read: the counter's PIN key is not used twice.
    firmware.on_message(Message::RequestPin, 0);
    refused(&mut firmware, FrameType::RequestPin);
    firmware.on_message(Message::PinEntered(keys_for(&layout, "857301")), 0);
    refused(&mut firmware, FrameType::PinEntered);
}

#[test]
fn every_entry_gets_a_new_layout_of_all_ten_digits() {
    let mut layouts = std::collections::HashSet::new();
    let mut firmware = firmware();
    for _ in 0..20 {
        firmware.on_message(start(TxnKind::Sale, 10_000), 0);
        chip_read(&mut firmware, CardId::UnionPayApproved);
        let layout = pin_pad(&mut firmware);
        let mut sorted = layout.digits();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        layouts.insert(layout.digits());
        firmware.on_message(Message::Cancel, 0);
        out(&mut firmware);
        firmware.remove_card();
        out(&mut firmware);
    }
    assert!(layouts.len() >= 19, "{} distinct of 20", layouts.len());
}

#[test]
fn a_tdes_reader_sends_a_format_0_block_the_hsm_opens() {
    let mut firmware = legacy_firmware();
    firmware.on_message(start(TxnKind::Sale, 10_000), 0);
    let read = chip_read(&mut firmware, CardId::UnionPayApproved);
    let layout = pin_pad(&mut firmware);
    firmware.on_message(Message::PinEntered(keys_for(&layout, "4321")), 0);
    let Message::PinBlock(block) = one(&mut firmware) else {
        panic!("expected a PIN block");
    };
    assert_eq!((block.ksn.len(), block.format()), (10, 0));
    let enciphered = mpos_crypto::envelope::EncipheredPin {
        ksn: hex::encode_upper(&block.ksn),
        block: hex::encode_upper(&block.block),
    };
    let bdk = crate::test_keys::TEST_TDES_BDK;
    let pan = mpos_crypto::envelope::open(
        &bdk,
        &mpos_crypto::envelope::SealedCard {
            ksn: hex::encode_upper(&read.ksn),
            ciphertext: hex::encode_upper(&read.ciphertext),
        },
    )
    .unwrap()
    .pan;
    let pin = mpos_crypto::envelope::open_pin(&bdk, &enciphered, &pan).unwrap();
    assert_eq!(pin.as_str(), "4321");
}
