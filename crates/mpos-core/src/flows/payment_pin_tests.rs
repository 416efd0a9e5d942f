//! The PIN steps of the sale state machine: asked by the brand's rule,
//! entered as key positions on the reader's layout, sent as the reader's
//! block with the sale, and the issuer's wrong PIN (55) and blocked PIN (75).

use super::*;
use crate::flows::testing::{self, chip_payload, swipe_payload};

const LAYOUT: KeypadLayout = KeypadLayout {
    digits: [7, 2, 9, 0, 4, 1, 8, 5, 3, 6],
};

fn pin_block() -> PinBlockPayload {
    PinBlockPayload {
        ksn: "FFFF9876543210E00001".into(),
        block: "A912150391AB65A67E52883D81CE2D15".into(),
    }
}

fn sale_at_card(dollars: u64, brand: Brand) -> PaymentFlow {
    let mut flow = PaymentFlow::new(
        TxnKind::Sale,
        testing::pin_config(),
        "amy".into(),
        Timing::default(),
    );
    flow.handle(PaymentInput::EnterAmount { dollars });
    flow.handle(PaymentInput::ChooseBrand { brand });
    flow.handle(PaymentInput::Proceed {
        kind: TxnKind::Sale,
        reader_connected: true,
    });
    flow
}

/// A NT$500 UnionPay chip sale showing the reader's keypad.
fn at_the_pin_pad() -> PaymentFlow {
    let mut flow = sale_at_card(500, Brand::UnionPay);
    reader(
        &mut flow,
        ReaderEvent::ChipRead(chip_payload(Brand::UnionPay)),
    );
    reader(&mut flow, ReaderEvent::PinPad(LAYOUT));
    flow
}

fn reader(flow: &mut PaymentFlow, event: ReaderEvent) -> Vec<Command> {
    flow.handle(PaymentInput::Reader {
        event,
        fresh_key: "key-1".into(),
    })
}

/// The idle wait of a PIN entry under `key` after `touches` touches.
fn idle_timer(key: &str, touches: u32) -> Timer {
    Timer::PinEntry {
        idempotency_key: key.into(),
        touches,
    }
}

/// The command that starts [`idle_timer`].
fn idle_wait(key: &str, touches: u32) -> Command {
    Command::StartTimer {
        timer: idle_timer(key, touches),
        after_ms: Timing::default().pin_entry_idle_ms,
    }
}

fn code(flow: &PaymentFlow) -> String {
    flow.message().expect("a message").code.clone()
}

fn entry(flow: &PaymentFlow) -> &PinEntry {
    match flow.step() {
        PaymentStep::PinEntry(entry) => entry,
        other => panic!("expected PIN entry, got {other:?}"),
    }
}

/// The keys of `digits` on [`LAYOUT`], touched one by one; each touch
/// starts a new idle wait.
fn touch(flow: &mut PaymentFlow, digits: &str) -> Vec<u8> {
    digits
        .bytes()
        .map(|d| {
            let key = LAYOUT.digits.iter().position(|&x| x == d - b'0').unwrap() as u8;
            let touches = entry(flow).touches + 1;
            assert_eq!(
                flow.handle(PaymentInput::PinKey { key }),
                vec![idle_wait("key-1", touches)]
            );
            key
        })
        .collect()
}

/// A UnionPay chip sale up to the PIN block's journaling.
fn up_to_the_pin_block(flow: &mut PaymentFlow) -> AuthorizeRequest {
    assert_eq!(
        reader(flow, ReaderEvent::ChipRead(chip_payload(Brand::UnionPay))),
        vec![Command::RequestPin, idle_wait("key-1", 0)]
    );
    assert_eq!(code(flow), "enter_pin");
    reader(flow, ReaderEvent::PinPad(LAYOUT));
    let keys = touch(flow, "246813");
    assert_eq!(
        flow.handle(PaymentInput::ConfirmPin),
        vec![Command::EnterPin(keys)]
    );
    assert!(entry(flow).is_sent());
    let commands = reader(flow, ReaderEvent::PinEntered(pin_block()));
    assert!(matches!(
        commands.as_slice(),
        [Command::Journal(JournalUpdate::Begin(_))]
    ));
    match flow
        .handle(PaymentInput::Reply(Reply::JournalWritten(Ok(()))))
        .as_slice()
    {
        [Command::Authorize { request, .. }] => request.clone(),
        other => panic!("expected Authorize, got {other:?}"),
    }
}

#[test]
fn a_brand_that_asks_a_pin_sends_the_readers_block_with_the_sale() {
    let mut flow = sale_at_card(500, Brand::UnionPay);
    let AuthorizeRequest::Sale(sale) = up_to_the_pin_block(&mut flow) else {
        panic!("a sale");
    };
    assert_eq!(sale.pin, Some(pin_block()));
    assert_eq!(sale.card, chip_payload(Brand::UnionPay));
}

#[test]
fn the_pin_is_asked_from_the_rules_amount_up_and_never_for_refunds() {
    // Visa asks from NT$10,000.
    let mut below = sale_at_card(9_999, Brand::Visa);
    let commands = reader(&mut below, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    assert!(matches!(commands.as_slice(), [Command::Journal(_)]));
    let mut at = sale_at_card(10_000, Brand::Visa);
    let commands = reader(&mut at, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    assert_eq!(commands, vec![Command::RequestPin, idle_wait("key-1", 0)]);
    // Mastercard's rule asks none.
    let mut other = sale_at_card(50_000, Brand::Mastercard);
    let commands = reader(
        &mut other,
        ReaderEvent::ChipRead(chip_payload(Brand::Mastercard)),
    );
    assert!(matches!(commands.as_slice(), [Command::Journal(_)]));
    // A UnionPay refund is swiped and sent without a PIN.
    let mut refund = PaymentFlow::new(
        TxnKind::Refund,
        testing::pin_config(),
        "amy".into(),
        Timing::default(),
    );
    refund.handle(PaymentInput::EnterAmount { dollars: 500 });
    refund.handle(PaymentInput::ChooseBrand {
        brand: Brand::UnionPay,
    });
    refund.handle(PaymentInput::Proceed {
        kind: TxnKind::Refund,
        reader_connected: true,
    });
    refund.handle(PaymentInput::EnterAuthCode {
        code: "A1B2C3".into(),
    });
    refund.handle(PaymentInput::ContinueRefund {
        reader_connected: true,
    });
    let commands = reader(
        &mut refund,
        ReaderEvent::CardSwiped(swipe_payload(Brand::UnionPay, "201")),
    );
    assert!(matches!(commands.as_slice(), [Command::Journal(_)]));
}

#[test]
fn keys_count_only_on_the_readers_pad_between_4_and_12_and_clear_empties() {
    let mut flow = sale_at_card(500, Brand::UnionPay);
    reader(
        &mut flow,
        ReaderEvent::ChipRead(chip_payload(Brand::UnionPay)),
    );
    // Before the reader's layout a touch means nothing.
    flow.handle(PaymentInput::PinKey { key: 1 });
    assert_eq!(entry(&flow).entered(), 0);
    assert!(flow.handle(PaymentInput::ConfirmPin).is_empty());
    reader(&mut flow, ReaderEvent::PinPad(LAYOUT));
    touch(&mut flow, "123");
    assert!(flow.handle(PaymentInput::ConfirmPin).is_empty());
    assert_eq!(code(&flow), "pin_too_short");
    flow.handle(PaymentInput::ClearPin);
    assert_eq!(entry(&flow).entered(), 0);
    touch(&mut flow, "123456789012");
    flow.handle(PaymentInput::PinKey { key: 0 });
    assert_eq!(entry(&flow).entered(), 12, "a 13th digit is ignored");
    flow.handle(PaymentInput::PinKey { key: 10 });
    assert_eq!(entry(&flow).entered(), 12, "no key 10 on the pad");
    // The state's debug output never lists the keys.
    let debug = format!("{:?}", flow.step());
    assert!(debug.contains("keys: 12"), "{debug}");
}

#[test]
fn cancelling_the_pin_ends_the_sale_and_stops_the_reader() {
    let mut flow = at_the_pin_pad();
    touch(&mut flow, "24");
    assert_eq!(
        flow.handle(PaymentInput::Cancel),
        vec![Command::CancelReader]
    );
    assert_eq!(flow.step(), &PaymentStep::Exit(PaymentExit::Home(None)));
}

#[test]
fn a_reader_that_loses_the_pin_entry_reads_the_card_again() {
    let mut flow = sale_at_card(500, Brand::UnionPay);
    reader(
        &mut flow,
        ReaderEvent::ChipRead(chip_payload(Brand::UnionPay)),
    );
    let commands = reader(&mut flow, ReaderEvent::PinEntryFailed);
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert!(matches!(commands[1], Command::StartReader(_)));
    assert!(matches!(flow.step(), PaymentStep::PresentCard { .. }));
    assert_eq!(code(&flow), "present_card_for_pin_retry");
}

#[test]
fn a_pin_pad_left_untouched_closes_and_charges_nothing() {
    let mut flow = at_the_pin_pad();
    // The wait started with the request is outdated by a touch; a clear
    // is a touch too.
    touch(&mut flow, "24");
    assert_eq!(
        flow.handle(PaymentInput::ClearPin),
        vec![idle_wait("key-1", 3)]
    );
    for stale in [idle_timer("key-1", 0), idle_timer("key-1", 2)] {
        assert!(flow.handle(PaymentInput::Timer(stale)).is_empty());
        assert!(matches!(flow.step(), PaymentStep::PinEntry(_)));
    }
    assert!(flow
        .handle(PaymentInput::Timer(idle_timer("key-9", 3)))
        .is_empty());
    // The last touch's wait ends the entry: no request was sent, the
    // reader's pad is closed and a new read starts a new entry.
    let commands = flow.handle(PaymentInput::Timer(idle_timer("key-1", 3)));
    assert!(matches!(
        commands.as_slice(),
        [Command::CancelReader, Command::StartReader(_)]
    ));
    assert!(matches!(flow.step(), PaymentStep::PresentCard { .. }));
    assert_eq!(code(&flow), "pin_entry_timed_out");
}

#[test]
fn the_idle_wait_does_not_cut_a_pin_already_sent_to_the_reader() {
    let mut flow = at_the_pin_pad();
    let keys = touch(&mut flow, "2468");
    assert_eq!(
        flow.handle(PaymentInput::ConfirmPin),
        vec![Command::EnterPin(keys)]
    );
    assert!(flow
        .handle(PaymentInput::Timer(idle_timer("key-1", 4)))
        .is_empty());
    assert!(entry(&flow).is_sent());
}

fn declined_with(flow: &mut PaymentFlow, response_code: &str) -> Vec<Command> {
    let mut answer = testing::authorization(
        TxnKind::Sale,
        TxnStatus::Declined,
        Money::twd_dollars(500).unwrap(),
        Brand::UnionPay,
        false,
    );
    answer.transaction.response_code = response_code.into();
    flow.handle(PaymentInput::Reply(Reply::Authorized(Ok(answer))))
}

#[test]
fn a_wrong_pin_charges_nothing_and_offers_another_try_with_a_new_read() {
    let mut flow = sale_at_card(500, Brand::UnionPay);
    up_to_the_pin_block(&mut flow);
    let commands = declined_with(&mut flow, "55");
    // The reader ends its transaction and the journal closes the attempt.
    assert!(matches!(
        commands.as_slice(),
        [
            Command::ReaderOnlineResult(OnlineResult {
                approved: false,
                ..
            }),
            Command::Journal(JournalUpdate::SetState {
                state: JournalState::Done,
                ..
            })
        ]
    ));
    assert!(matches!(flow.step(), PaymentStep::WrongPin { .. }));
    assert_eq!(code(&flow), "wrong_pin");
    let commands = flow.handle(PaymentInput::RetryPin);
    assert!(matches!(commands.as_slice(), [Command::StartReader(_)]));
    assert!(matches!(flow.step(), PaymentStep::PresentCard { .. }));
    assert_eq!(code(&flow), "present_card_for_pin_retry");
    // The new read asks the PIN again, under a new idempotency key.
    assert_eq!(
        flow.handle(PaymentInput::Reader {
            event: ReaderEvent::ChipRead(chip_payload(Brand::UnionPay)),
            fresh_key: "key-2".into(),
        }),
        vec![Command::RequestPin, idle_wait("key-2", 0)]
    );
}

#[test]
fn too_many_wrong_pins_decline_with_what_to_do() {
    let mut flow = sale_at_card(500, Brand::UnionPay);
    up_to_the_pin_block(&mut flow);
    declined_with(&mut flow, "75");
    assert!(matches!(flow.step(), PaymentStep::Declined { .. }));
    assert_eq!(code(&flow), "pin_tries_exceeded");
    // Any other decline keeps the general message.
    let mut other = sale_at_card(500, Brand::UnionPay);
    up_to_the_pin_block(&mut other);
    declined_with(&mut other, "05");
    assert_eq!(code(&other), "declined");
}
