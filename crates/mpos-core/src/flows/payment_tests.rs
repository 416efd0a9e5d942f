//! Every branch of the sale/refund state machine, without I/O.

use super::*;
use crate::flows::testing::{self, chip_payload, swipe_payload};
use crate::model::reader::ReaderInfo;
use mpos_wire::api::{ReversalResponse, SendReceiptResponse};
use mpos_wire::ApiError;

fn sale() -> PaymentFlow {
    PaymentFlow::new(
        TxnKind::Sale,
        testing::config(),
        "amy".into(),
        Timing::default(),
    )
}

fn refund() -> PaymentFlow {
    PaymentFlow::new(
        TxnKind::Refund,
        testing::config(),
        "amy".into(),
        Timing::default(),
    )
}

/// The timer the flow starts while the card decides on the host's answer.
fn card_verdict_timer(key: &str) -> Command {
    Command::StartTimer {
        timer: Timer::CardVerdict {
            idempotency_key: key.into(),
        },
        after_ms: Timing::default().card_verdict_ms,
    }
}

/// The host's answer reached the reader; the card's verdict follows.
fn card_verdict(flow: &mut PaymentFlow, verdict: Result<(), ReaderError>) -> Vec<Command> {
    let commands = reply(flow, Reply::OnlineResultSent(Ok(())));
    assert_eq!(commands, vec![card_verdict_timer("key-1")]);
    reader(flow, ReaderEvent::OnlineResultAnswered(verdict))
}

/// The wait before the reversal's next try, after `failures` failures.
fn reversal_retry_timer(key: &str, failures: u32) -> Command {
    Command::StartTimer {
        timer: Timer::ReversalRetry {
            idempotency_key: key.into(),
        },
        after_ms: [500, 1_000, 2_000, 4_000][failures as usize - 1],
    }
}

fn twd(dollars: u64) -> Money {
    Money::twd_dollars(dollars).unwrap()
}

fn reader(flow: &mut PaymentFlow, event: ReaderEvent) -> Vec<Command> {
    flow.handle(PaymentInput::Reader {
        event,
        fresh_key: "key-1".into(),
    })
}

fn reply(flow: &mut PaymentFlow, reply: Reply) -> Vec<Command> {
    flow.handle(PaymentInput::Reply(reply))
}

fn api(code: ErrorCode) -> HostError {
    HostError::Api(ApiError::new(code))
}

/// Amount, brand, "Pay now" with a reader.
fn at_card(dollars: u64, brand: Brand) -> PaymentFlow {
    let mut flow = sale();
    flow.handle(PaymentInput::EnterAmount { dollars });
    flow.handle(PaymentInput::ChooseBrand { brand });
    let commands = flow.handle(PaymentInput::Proceed {
        kind: TxnKind::Sale,
        reader_connected: true,
    });
    assert_eq!(
        commands,
        vec![Command::StartReader(ReaderRequest {
            amount: twd(dollars),
            kind: TxnKind::Sale,
            chip_allowed: true,
            swipe_allowed: true,
        })]
    );
    flow
}

/// A refund up to the card, with the code typed.
fn refund_at_card(dollars: u64, brand: Brand, code: &str) -> PaymentFlow {
    let mut flow = refund();
    flow.handle(PaymentInput::EnterAmount { dollars });
    flow.handle(PaymentInput::ChooseBrand { brand });
    assert!(flow
        .handle(PaymentInput::Proceed {
            kind: TxnKind::Refund,
            reader_connected: true,
        })
        .is_empty());
    assert_eq!(flow.step(), &PaymentStep::RefundAuthCode);
    flow.handle(PaymentInput::EnterAuthCode { code: code.into() });
    flow.handle(PaymentInput::ContinueRefund {
        reader_connected: true,
    });
    flow
}

/// Card read and journaled: returns the Authorize command's request.
fn send(flow: &mut PaymentFlow, event: ReaderEvent) -> AuthorizeRequest {
    let commands = reader(flow, event);
    assert!(matches!(
        commands.as_slice(),
        [Command::Journal(JournalUpdate::Begin(InFlightRecord {
            state: JournalState::Authorizing,
            ..
        }))]
    ));
    let commands = reply(flow, Reply::JournalWritten(Ok(())));
    match commands.as_slice() {
        [Command::Authorize {
            idempotency_key,
            request,
        }] => {
            assert_eq!(idempotency_key, "key-1");
            request.clone()
        }
        other => panic!("expected Authorize, got {other:?}"),
    }
}

/// The host approves and the reader takes the approval; returns every command.
fn approve(
    flow: &mut PaymentFlow,
    dollars: u64,
    brand: Brand,
    signature_required: bool,
) -> Vec<Command> {
    let response = testing::authorization(
        flow.kind(),
        TxnStatus::Approved,
        twd(dollars),
        brand,
        signature_required,
    );
    let mut commands = reply(flow, Reply::Authorized(Ok(response)));
    assert!(
        matches!(
            commands.as_slice(),
            [Command::ReaderOnlineResult(OnlineResult {
                approved: true,
                ..
            })]
        ),
        "{commands:?}"
    );
    assert!(flow.is_critical());
    commands.extend(card_verdict(flow, Ok(())));
    commands
}

fn is_receipt(flow: &PaymentFlow) -> bool {
    matches!(flow.step(), PaymentStep::Receipt(_))
}

fn is_signature(flow: &PaymentFlow) -> bool {
    matches!(flow.step(), PaymentStep::Signature { .. })
}

fn unknown_state(flow: &PaymentFlow) -> (u32, bool) {
    match flow.step() {
        PaymentStep::OutcomeUnknown {
            attempts,
            acknowledged,
            ..
        } => (*attempts, *acknowledged),
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
}

fn prompt(flow: &PaymentFlow) -> CardPrompt {
    match flow.step() {
        PaymentStep::PresentCard { prompt, .. } => *prompt,
        other => panic!("expected PresentCard, got {other:?}"),
    }
}

fn code(flow: &PaymentFlow) -> &str {
    &flow.message().expect("a message").code
}

fn sends_money(commands: &[Command]) -> bool {
    commands.iter().any(|command| {
        matches!(
            command,
            Command::Authorize { .. } | Command::Journal(JournalUpdate::Begin(_))
        )
    })
}

// --- amount and brand -------------------------------------------------------

#[test]
fn amount_must_be_above_zero() {
    let mut flow = sale();
    flow.handle(PaymentInput::ChooseBrand { brand: Brand::Visa });
    let commands = flow.handle(PaymentInput::Proceed {
        kind: TxnKind::Sale,
        reader_connected: true,
    });
    assert!(commands.is_empty());
    assert_eq!(flow.step(), &PaymentStep::Amount);
    assert_eq!(code(&flow), "amount_required");
}

#[test]
fn amount_that_overflows_is_refused() {
    let mut flow = sale();
    flow.handle(PaymentInput::EnterAmount { dollars: u64::MAX });
    flow.handle(PaymentInput::ChooseBrand { brand: Brand::Visa });
    flow.handle(PaymentInput::Proceed {
        kind: TxnKind::Sale,
        reader_connected: true,
    });
    assert_eq!(code(&flow), "amount_too_large");
    assert_eq!(flow.step(), &PaymentStep::Amount);
}

#[test]
fn brand_must_be_chosen_and_accepted() {
    let mut flow = sale();
    flow.handle(PaymentInput::EnterAmount { dollars: 100 });
    flow.handle(PaymentInput::Proceed {
        kind: TxnKind::Sale,
        reader_connected: true,
    });
    assert_eq!(code(&flow), "brand_required");
    flow.handle(PaymentInput::ChooseBrand {
        brand: Brand::UnionPay,
    });
    assert_eq!(code(&flow), "brand_not_accepted");
    assert_eq!(flow.brand(), None);
    assert_eq!(
        flow.accepted_brands(),
        vec![Brand::Visa, Brand::Mastercard, Brand::Jcb]
    );
}

#[test]
fn payment_needs_a_connected_reader() {
    let mut flow = sale();
    flow.handle(PaymentInput::EnterAmount { dollars: 100 });
    flow.handle(PaymentInput::ChooseBrand { brand: Brand::Visa });
    let commands = flow.handle(PaymentInput::Proceed {
        kind: TxnKind::Sale,
        reader_connected: false,
    });
    assert!(commands.is_empty());
    assert_eq!(flow.step(), &PaymentStep::Amount);
    assert_eq!(code(&flow), "reader_not_connected");
}

#[test]
fn refund_button_does_nothing_on_a_sale() {
    let mut flow = sale();
    flow.handle(PaymentInput::EnterAmount { dollars: 100 });
    flow.handle(PaymentInput::ChooseBrand { brand: Brand::Visa });
    let commands = flow.handle(PaymentInput::Proceed {
        kind: TxnKind::Refund,
        reader_connected: true,
    });
    assert!(commands.is_empty());
    assert_eq!(flow.step(), &PaymentStep::Amount);
}

#[test]
fn back_from_amount_leaves_the_flow() {
    let mut flow = sale();
    flow.handle(PaymentInput::Back);
    assert_eq!(flow.step(), &PaymentStep::Exit(PaymentExit::Home(None)));
}

// --- card presentation ------------------------------------------------------

#[test]
fn chip_sale_is_journaled_before_it_is_sent() {
    let mut flow = at_card(120, Brand::Jcb);
    let commands = reader(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Jcb)));
    assert_eq!(
        commands,
        vec![Command::Journal(JournalUpdate::Begin(InFlightRecord {
            kind: TxnKind::Sale,
            idempotency_key: "key-1".into(),
            username: "amy".into(),
            amount: twd(120),
            brand: Brand::Jcb,
            masked_pan: MaskedPan::from_pan(testing::test_pan(Brand::Jcb)).unwrap(),
            state: JournalState::Authorizing,
        }))]
    );
    assert!(flow.is_critical());
    let commands = reply(&mut flow, Reply::JournalWritten(Ok(())));
    assert_eq!(
        commands,
        vec![Command::Authorize {
            idempotency_key: "key-1".into(),
            request: AuthorizeRequest::Sale(SaleRequest {
                amount: twd(120),
                brand: Brand::Jcb,
                card: chip_payload(Brand::Jcb),
                pin: None,
            }),
        }]
    );
    // The request (and its envelope) is not kept once handed over.
    assert!(matches!(
        flow.step(),
        PaymentStep::Authorizing { request: None, .. }
    ));
}

#[test]
fn journal_failure_sends_nothing() {
    let mut flow = at_card(120, Brand::Jcb);
    reader(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Jcb)));
    let commands = reply(&mut flow, Reply::JournalWritten(Err("disk full".into())));
    assert_eq!(commands, vec![Command::CancelReader]);
    assert_eq!(flow.step(), &PaymentStep::Amount);
    assert_eq!(code(&flow), "journal_unavailable");
}

#[test]
fn card_of_another_brand_is_refused_and_the_reader_rearmed() {
    let mut flow = at_card(100, Brand::Visa);
    let commands = reader(
        &mut flow,
        ReaderEvent::ChipRead(chip_payload(Brand::Mastercard)),
    );
    assert!(!sends_money(&commands));
    assert_eq!(commands[0], Command::CancelReader);
    assert!(matches!(commands[1], Command::StartReader(_)));
    assert_eq!(code(&flow), "brand_mismatch");
    assert_eq!(prompt(&flow), CardPrompt::InsertOrSwipe);
    // The right card goes through afterwards.
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
}

#[test]
fn swiped_chip_card_is_refused_until_three_chip_failures() {
    let mut flow = at_card(100, Brand::Visa);
    let commands = reader(
        &mut flow,
        ReaderEvent::CardSwiped(swipe_payload(Brand::Visa, "201")),
    );
    assert!(!sends_money(&commands));
    assert_eq!(code(&flow), "chip_required");
    assert_eq!(prompt(&flow), CardPrompt::InsertChip);

    for failures in 1..=2 {
        reader(&mut flow, ReaderEvent::CardInserted);
        reader(&mut flow, ReaderEvent::ChipReadFailed);
        assert_eq!(code(&flow), "chip_read_failed", "after {failures}");
        let commands = reader(
            &mut flow,
            ReaderEvent::CardSwiped(swipe_payload(Brand::Visa, "201")),
        );
        assert!(!sends_money(&commands), "swipe after {failures} failures");
    }
    reader(&mut flow, ReaderEvent::ChipReadFailed);
    assert_eq!(prompt(&flow), CardPrompt::SwipeAfterChipFailure);
    assert_eq!(code(&flow), "swipe_after_chip_failure");

    let request = send(
        &mut flow,
        ReaderEvent::CardSwiped(swipe_payload(Brand::Visa, "201")),
    );
    match request {
        AuthorizeRequest::Sale(sale) => assert_eq!(sale.card.entry_mode, EntryMode::FallbackSwipe),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reader_applying_chip_first_asks_for_the_chip_without_a_new_read() {
    let mut flow = at_card(100, Brand::Visa);
    let commands = reader(&mut flow, ReaderEvent::InsertChip);
    // The reader keeps its transaction: no cancel, no new start, no money.
    assert!(commands.is_empty(), "{commands:?}");
    assert_eq!(code(&flow), "chip_required");
    assert_eq!(prompt(&flow), CardPrompt::InsertChip);
    // A refund never asks for the chip, whatever a reader says.
    let mut refund = refund_at_card(100, Brand::Visa, "123456");
    assert!(reader(&mut refund, ReaderEvent::InsertChip).is_empty());
    assert_eq!(prompt(&refund), CardPrompt::SwipeOnly);
    assert_ne!(
        refund.message().map(|m| m.code.as_str()),
        Some("chip_required")
    );
}

#[test]
fn card_without_chip_swipes_at_once() {
    let mut flow = at_card(100, Brand::Visa);
    let request = send(
        &mut flow,
        ReaderEvent::CardSwiped(swipe_payload(Brand::Visa, "101")),
    );
    match request {
        AuthorizeRequest::Sale(sale) => assert_eq!(sale.card.entry_mode, EntryMode::Swipe),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unreadable_swipe_asks_again() {
    let mut flow = at_card(100, Brand::Visa);
    assert!(reader(&mut flow, ReaderEvent::SwipeFailed).is_empty());
    assert_eq!(code(&flow), "swipe_failed");
}

#[test]
fn unplugged_reader_is_reported_and_rearmed_when_back() {
    let mut flow = at_card(100, Brand::Visa);
    reader(&mut flow, ReaderEvent::Disconnected);
    assert_eq!(code(&flow), "reader_disconnected");
    let info = ReaderInfo {
        serial: "R1".into(),
        firmware: "1.0".into(),
        battery_percent: None,
        ksn: "FFFF9876543210E00002".into(),
    };
    let commands = reader(&mut flow, ReaderEvent::Connected(info));
    assert!(matches!(commands.as_slice(), [Command::StartReader(_)]));
    assert!(flow.message().is_none());
}

#[test]
fn reader_that_cannot_start_is_reported() {
    let mut flow = at_card(100, Brand::Visa);
    reply(&mut flow, Reply::ReaderStarted(Err(ReaderError::Busy)));
    assert_eq!(code(&flow), "reader_busy");
}

#[test]
fn back_and_cancel_at_the_card_stop_the_reader() {
    let mut flow = at_card(100, Brand::Visa);
    assert_eq!(flow.handle(PaymentInput::Back), vec![Command::CancelReader]);
    assert_eq!(flow.step(), &PaymentStep::Amount);
    assert_eq!(flow.dollars(), 100);
    let mut flow = at_card(100, Brand::Visa);
    assert_eq!(
        flow.handle(PaymentInput::Cancel),
        vec![Command::CancelReader]
    );
    assert_eq!(flow.step(), &PaymentStep::Exit(PaymentExit::Home(None)));
}

// --- answers ------------------------------------------------------------------

#[test]
fn approval_without_signature_goes_to_the_receipt() {
    let mut flow = at_card(120, Brand::Jcb);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Jcb)));
    let commands = approve(&mut flow, 120, Brand::Jcb, false);
    assert!(is_receipt(&flow));
    assert_eq!(
        commands,
        vec![
            Command::ReaderOnlineResult(OnlineResult {
                approved: true,
                auth_code: Some("A1B2C3".into()),
                response_code: "00".into(),
                issuer_authentication: None,
            }),
            Command::Journal(JournalUpdate::SetState {
                idempotency_key: "key-1".into(),
                state: JournalState::Done,
            }),
        ]
    );
    // Until `done` is on disk the receipt cannot be left.
    assert!(flow.is_critical());
    reply(&mut flow, Reply::JournalWritten(Ok(())));
    assert!(!flow.is_critical());
}

#[test]
fn signature_follows_the_terminal_rule_of_brand_and_amount() {
    // (brand, dollars, gateway asks, signature expected)
    let cases = [
        (Brand::Visa, 3_000, false, false), // the rule is strictly above NT$3,000
        (Brand::Visa, 3_001, false, true),
        (Brand::Mastercard, 1, false, true), // always
        (Brand::Jcb, 90_000, false, false),  // never
        (Brand::Jcb, 10, true, true),        // the gateway's word adds a signature
    ];
    for (brand, dollars, asked, expected) in cases {
        let mut flow = at_card(dollars, brand);
        send(&mut flow, ReaderEvent::ChipRead(chip_payload(brand)));
        let commands = approve(&mut flow, dollars, brand, asked);
        assert_eq!(is_signature(&flow), expected, "{brand:?} NT${dollars}");
        assert_eq!(is_receipt(&flow), !expected, "{brand:?} NT${dollars}");
        let awaiting = commands.iter().any(|c| {
            matches!(
                c,
                Command::Journal(JournalUpdate::SetState {
                    state: JournalState::AwaitingSignature { .. },
                    ..
                })
            )
        });
        assert_eq!(awaiting, expected, "journal of {brand:?} NT${dollars}");
    }
}

#[test]
fn decline_shows_the_issuer_answer_and_lets_the_user_retry() {
    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    let response = testing::authorization(
        TxnKind::Sale,
        TxnStatus::Declined,
        twd(100),
        Brand::Visa,
        false,
    );
    let commands = reply(&mut flow, Reply::Authorized(Ok(response)));
    match flow.step() {
        PaymentStep::Declined { transaction } => assert_eq!(transaction.response_code, "05"),
        other => panic!("{other:?}"),
    }
    assert_eq!(code(&flow), "declined");
    assert!(
        commands.contains(&Command::Journal(JournalUpdate::SetState {
            idempotency_key: "key-1".into(),
            state: JournalState::Done,
        }))
    );
    assert!(commands.iter().any(|c| matches!(
        c,
        Command::ReaderOnlineResult(OnlineResult {
            approved: false,
            ..
        })
    )));
    flow.handle(PaymentInput::Back);
    assert_eq!(flow.step(), &PaymentStep::Amount);
    assert_eq!((flow.dollars(), flow.brand()), (100, Some(Brand::Visa)));
}

#[test]
fn timeout_reverses_until_acknowledged_and_never_shows_a_result() {
    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    let commands = reply(&mut flow, Reply::Authorized(Err(HostError::Timeout)));
    assert_eq!(
        commands,
        vec![
            Command::Journal(JournalUpdate::SetState {
                idempotency_key: "key-1".into(),
                state: JournalState::ReversalPending {
                    reason: ReversalReason::Timeout
                },
            }),
            Command::SendReversal {
                request: ReversalRequest {
                    original_idempotency_key: "key-1".into(),
                    reason: ReversalReason::Timeout,
                },
                attempt: 0,
            },
            Command::CancelReader,
        ]
    );
    assert_eq!(unknown_state(&flow), (0, false));
    assert_eq!(code(&flow), "outcome_unknown");

    // The user cannot leave, and failures are retried with the same key.
    for (attempt, failure) in [
        HostError::Timeout,
        HostError::Transport("connection refused".into()),
        api(ErrorCode::Internal),
    ]
    .into_iter()
    .enumerate()
    {
        assert!(flow.handle(PaymentInput::Cancel).is_empty());
        assert!(flow.handle(PaymentInput::Back).is_empty());
        let commands = reply(&mut flow, Reply::Reversed(Err(failure)));
        let attempt = attempt as u32 + 1;
        // The flow waits, longer after each failure, before the next try.
        assert_eq!(commands, vec![reversal_retry_timer("key-1", attempt)]);
        assert_eq!(unknown_state(&flow), (attempt, false));
        // A timer of another transaction is not this one's.
        assert!(flow
            .handle(PaymentInput::Timer(Timer::ReversalRetry {
                idempotency_key: "other".into(),
            }))
            .is_empty());
        let commands = flow.handle(PaymentInput::Timer(Timer::ReversalRetry {
            idempotency_key: "key-1".into(),
        }));
        assert_eq!(
            commands,
            vec![Command::SendReversal {
                request: ReversalRequest {
                    original_idempotency_key: "key-1".into(),
                    reason: ReversalReason::Timeout,
                },
                attempt,
            }]
        );
        assert!(flow.is_critical());
    }

    // A late approval must not turn the screen into "approved".
    let late = testing::authorization(
        TxnKind::Sale,
        TxnStatus::Approved,
        twd(100),
        Brand::Visa,
        false,
    );
    assert!(reply(&mut flow, Reply::Authorized(Ok(late))).is_empty());
    assert!(!unknown_state(&flow).1);

    // An answer that does not acknowledge is no acknowledgement.
    let commands = reply(
        &mut flow,
        Reply::Reversed(Ok(ReversalResponse {
            acknowledged: false,
            transaction_id: None,
        })),
    );
    assert_eq!(commands, vec![reversal_retry_timer("key-1", 4)]);

    let commands = reply(
        &mut flow,
        Reply::Reversed(Ok(ReversalResponse {
            acknowledged: true,
            transaction_id: Some("t1".into()),
        })),
    );
    assert_eq!(
        commands,
        vec![Command::Journal(JournalUpdate::SetState {
            idempotency_key: "key-1".into(),
            state: JournalState::Done,
        })]
    );
    assert_eq!(unknown_state(&flow), (4, true));
    assert_eq!(code(&flow), "not_charged");
    assert!(!flow.is_critical());
    // The pending timer, once acknowledged, sends nothing.
    assert!(flow
        .handle(PaymentInput::Timer(Timer::ReversalRetry {
            idempotency_key: "key-1".into(),
        }))
        .is_empty());
    // "You can try again": back to the amount, kept.
    flow.handle(PaymentInput::Back);
    assert_eq!(flow.step(), &PaymentStep::Amount);
    assert_eq!(flow.dollars(), 100);
}

#[test]
fn unreadable_or_inconsistent_answers_are_reversed() {
    let unreadable = Reply::Authorized(Err(HostError::Malformed("eof".into())));
    let other_amount = Reply::Authorized(Ok(testing::authorization(
        TxnKind::Sale,
        TxnStatus::Approved,
        twd(999),
        Brand::Visa,
        false,
    )));
    let pending = Reply::Authorized(Ok(testing::authorization(
        TxnKind::Sale,
        TxnStatus::Pending,
        twd(100),
        Brand::Visa,
        false,
    )));
    let in_progress = Reply::Authorized(Err(api(ErrorCode::RequestInProgress)));
    for answer in [unreadable, other_amount, pending] {
        let mut flow = at_card(100, Brand::Visa);
        send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
        let commands = reply(&mut flow, answer);
        assert!(matches!(
            commands[1],
            Command::SendReversal {
                request: ReversalRequest {
                    reason: ReversalReason::MalformedResponse,
                    ..
                },
                attempt: 0,
            }
        ));
        assert_eq!(unknown_state(&flow), (0, false));
    }
    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    reply(&mut flow, in_progress);
    assert_eq!(unknown_state(&flow), (0, false));
}

#[test]
fn typed_refusals_return_to_the_step_that_can_fix_them() {
    // (error, expected step kind, message code)
    let mut flow = at_card(60_000, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    let commands = reply(
        &mut flow,
        Reply::Authorized(Err(api(ErrorCode::LimitPerTransactionExceeded))),
    );
    assert_eq!(flow.step(), &PaymentStep::Amount);
    assert_eq!(code(&flow), "limit_per_transaction_exceeded");
    assert!(
        commands.contains(&Command::Journal(JournalUpdate::SetState {
            idempotency_key: "key-1".into(),
            state: JournalState::Done,
        }))
    );
    assert!(!commands
        .iter()
        .any(|c| matches!(c, Command::SendReversal { .. })));

    let mut flow = at_card(100, Brand::Visa);
    send(
        &mut flow,
        ReaderEvent::CardSwiped(swipe_payload(Brand::Visa, "101")),
    );
    let commands = reply(
        &mut flow,
        Reply::Authorized(Err(api(ErrorCode::ChipRequired))),
    );
    assert_eq!(prompt(&flow), CardPrompt::InsertChip);
    assert!(commands
        .iter()
        .any(|c| matches!(c, Command::StartReader(_))));

    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    reply(
        &mut flow,
        Reply::Authorized(Err(api(ErrorCode::CardDataInvalid))),
    );
    assert_eq!(prompt(&flow), CardPrompt::InsertOrSwipe);
    assert_eq!(code(&flow), "card_data_invalid");

    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    reply(&mut flow, Reply::Authorized(Err(HostError::PinMismatch)));
    assert_eq!(flow.step(), &PaymentStep::Amount);
    assert_eq!(code(&flow), "secure_connection_failed");
}

#[test]
fn expired_session_during_authorization_goes_to_login() {
    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    reply(
        &mut flow,
        Reply::Authorized(Err(api(ErrorCode::SessionExpired))),
    );
    match flow.step() {
        PaymentStep::Exit(PaymentExit::Login {
            message,
            unfinished,
        }) => {
            assert_eq!(message.code, "session_expired");
            assert_eq!(unfinished, &None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn expired_session_during_reversal_keeps_the_reversal_owed() {
    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    reply(&mut flow, Reply::Authorized(Err(HostError::Timeout)));
    reply(
        &mut flow,
        Reply::Reversed(Err(api(ErrorCode::SessionExpired))),
    );
    match flow.step() {
        PaymentStep::Exit(PaymentExit::Login {
            message,
            unfinished: Some(ResumeDecision::SendReversal { record, reason }),
        }) => {
            assert_eq!(message.code, "reversal_needs_login");
            assert_eq!(record.idempotency_key, "key-1");
            assert_eq!(*reason, ReversalReason::Timeout);
        }
        other => panic!("{other:?}"),
    }
}

/// A sale whose answer was lost, now at OutcomeUnknown (reason Timeout).
fn reversing_sale() -> PaymentFlow {
    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    reply(&mut flow, Reply::Authorized(Err(HostError::Timeout)));
    assert_eq!(unknown_state(&flow), (0, false));
    flow
}

fn sends_reversal(commands: &[Command]) -> bool {
    commands
        .iter()
        .any(|c| matches!(c, Command::SendReversal { .. }))
}

#[test]
fn reversal_refused_as_settled_or_refunded_ends_as_charged() {
    for refusal in [ErrorCode::AlreadySettled, ErrorCode::HasRefunds] {
        let mut flow = reversing_sale();
        let commands = reply(&mut flow, Reply::Reversed(Err(api(refusal))));
        // The outcome is known now: approved and kept. Nothing is owed.
        assert_eq!(
            commands,
            vec![Command::Journal(JournalUpdate::SetState {
                idempotency_key: "key-1".into(),
                state: JournalState::Done,
            })],
            "{refusal:?}"
        );
        match flow.step() {
            PaymentStep::Exit(PaymentExit::Home(Some(message))) => {
                assert_eq!(message.code, "reversal_refused_charged");
                assert!(message.en.contains("the card was charged"));
                assert!(message.zh.contains("持卡人已被扣款"));
            }
            other => panic!("{refusal:?}: {other:?}"),
        }
        assert!(!flow.is_critical());
    }
}

#[test]
fn reversal_after_the_gateways_window_ends_as_charged_and_says_to_void() {
    let mut flow = reversing_sale();
    let commands = reply(
        &mut flow,
        Reply::Reversed(Err(api(ErrorCode::ReversalWindowPassed))),
    );
    assert_eq!(
        commands,
        vec![Command::Journal(JournalUpdate::SetState {
            idempotency_key: "key-1".into(),
            state: JournalState::Done,
        })],
        "the outcome is known: approved, and no reversal is owed any more"
    );
    match flow.step() {
        PaymentStep::Exit(PaymentExit::Home(Some(message))) => {
            assert_eq!(message.code, "reversal_too_late_charged");
            assert!(message.en.contains("void it under Transaction details"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn reversal_of_another_users_sale_stays_owed_until_a_later_login() {
    let mut flow = reversing_sale();
    let commands = reply(
        &mut flow,
        Reply::Reversed(Err(api(ErrorCode::ReversalNotOwner))),
    );
    assert!(
        !sends_reversal(&commands),
        "the same refusal would come back at once"
    );
    match flow.step() {
        PaymentStep::Exit(PaymentExit::Postponed {
            message,
            unfinished,
        }) => {
            assert_eq!(message.code, "reversal_not_owner");
            assert!(
                matches!(unfinished, ResumeDecision::SendReversal { .. }),
                "still owed: {unfinished:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refund_whose_reversal_is_refused_as_settled_says_the_money_went_back() {
    let mut flow = refund_at_card(50, Brand::Visa, "A1B2C3");
    send(
        &mut flow,
        ReaderEvent::CardSwiped(swipe_payload(Brand::Visa, "101")),
    );
    reply(&mut flow, Reply::Authorized(Err(HostError::Timeout)));
    reply(
        &mut flow,
        Reply::Reversed(Err(api(ErrorCode::AlreadySettled))),
    );
    match flow.step() {
        PaymentStep::Exit(PaymentExit::Home(Some(message))) => {
            assert_eq!(message.code, "reversal_refused_refunded")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn transient_reversal_failures_are_retried() {
    let mut flow = reversing_sale();
    let failures = [
        HostError::Malformed("HTTP 502 without an API error body".into()),
        api(ErrorCode::RequestInProgress),
        api(ErrorCode::DeliveryFailed),
    ];
    for (attempt, failure) in failures.into_iter().enumerate() {
        let commands = reply(&mut flow, Reply::Reversed(Err(failure)));
        let attempt = attempt as u32 + 1;
        assert_eq!(commands, vec![reversal_retry_timer("key-1", attempt)]);
        let commands = flow.handle(PaymentInput::Timer(Timer::ReversalRetry {
            idempotency_key: "key-1".into(),
        }));
        assert!(
            matches!(commands.as_slice(), [Command::SendReversal { attempt: a, .. }] if *a == attempt)
        );
        assert_eq!(unknown_state(&flow), (attempt, false));
    }
}

#[test]
fn other_reversal_refusals_stop_and_wait_for_the_next_login() {
    let refusals = [
        api(ErrorCode::Forbidden),
        api(ErrorCode::BadRequest),
        api(ErrorCode::NotFound),
        HostError::PinMismatch,
    ];
    for refusal in refusals {
        let expected = refusal.user_message();
        let mut flow = reversing_sale();
        let commands = reply(&mut flow, Reply::Reversed(Err(refusal.clone())));
        // No retry now, and the journal keeps reversal_pending (no `done`).
        assert!(commands.is_empty(), "{refusal:?}: {commands:?}");
        match flow.step() {
            PaymentStep::Exit(PaymentExit::Postponed {
                message,
                unfinished: ResumeDecision::SendReversal { record, reason },
            }) => {
                assert_eq!(message, &expected);
                assert_eq!(*reason, ReversalReason::Timeout);
                assert_eq!(record.idempotency_key, "key-1");
                assert_eq!(record.username, "amy");
                assert_eq!(
                    record.state,
                    JournalState::ReversalPending {
                        reason: ReversalReason::Timeout
                    }
                );
            }
            other => panic!("{refusal:?}: {other:?}"),
        }
    }
}

#[test]
fn disabled_account_ends_the_session() {
    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    reply(
        &mut flow,
        Reply::Authorized(Err(api(ErrorCode::AccountDisabled))),
    );
    match flow.step() {
        PaymentStep::Exit(PaymentExit::Login {
            message,
            unfinished: None,
        }) => assert_eq!(message.code, "account_disabled"),
        other => panic!("{other:?}"),
    }

    // During a reversal: the reversal stays owed for whoever logs in next.
    let mut flow = reversing_sale();
    let commands = reply(
        &mut flow,
        Reply::Reversed(Err(api(ErrorCode::AccountDisabled))),
    );
    assert!(!sends_reversal(&commands));
    match flow.step() {
        PaymentStep::Exit(PaymentExit::Login {
            message,
            unfinished: Some(ResumeDecision::SendReversal { record, .. }),
        }) => {
            assert_eq!(message.code, "account_disabled");
            assert_eq!(record.idempotency_key, "key-1");
        }
        other => panic!("{other:?}"),
    }
}

// --- the reader and the approval ------------------------------------------------

#[test]
fn sale_the_reader_does_not_finish_is_reversed() {
    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    let approved = testing::authorization(
        TxnKind::Sale,
        TxnStatus::Approved,
        twd(100),
        Brand::Visa,
        false,
    );
    let commands = reply(&mut flow, Reply::Authorized(Ok(approved)));
    // Nothing is journaled as approved before the reader took the answer.
    assert!(matches!(
        commands.as_slice(),
        [Command::ReaderOnlineResult(OnlineResult {
            approved: true,
            ..
        })]
    ));
    assert!(flow.is_critical());
    let commands = reply(
        &mut flow,
        Reply::OnlineResultSent(Err(ReaderError::NotConnected)),
    );
    let reason = ReversalReason::CardDeclinedAfterApproval;
    assert_eq!(
        commands,
        vec![
            Command::Journal(JournalUpdate::SetState {
                idempotency_key: "key-1".into(),
                state: JournalState::ReversalPending { reason },
            }),
            Command::SendReversal {
                request: ReversalRequest {
                    original_idempotency_key: "key-1".into(),
                    reason,
                },
                attempt: 0,
            },
            Command::CancelReader,
        ]
    );
    assert_eq!(unknown_state(&flow), (0, false));
    assert_eq!(code(&flow), "reader_refused_approval");
    assert!(flow.handle(PaymentInput::Cancel).is_empty());
    reply(
        &mut flow,
        Reply::Reversed(Ok(ReversalResponse {
            acknowledged: true,
            transaction_id: Some("t1".into()),
        })),
    );
    assert_eq!(unknown_state(&flow), (0, true));
    assert_eq!(code(&flow), "not_charged");
}

#[test]
fn the_issuers_arpc_goes_to_the_card_and_its_decline_reverses_the_sale() {
    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    let mut approved = testing::authorization(
        TxnKind::Sale,
        TxnStatus::Approved,
        twd(100),
        Brand::Visa,
        false,
    );
    let arpc = mpos_wire::api::IssuerAuthentication {
        arpc_hex: "9AF514C1".into(),
        csu_hex: "00800000".into(),
        arc: "00".into(),
    };
    approved.issuer_authentication = Some(arpc.clone());
    let commands = reply(&mut flow, Reply::Authorized(Ok(approved)));
    assert!(
        matches!(
            commands.as_slice(),
            [Command::ReaderOnlineResult(OnlineResult {
                approved: true,
                issuer_authentication: Some(given),
                ..
            })] if *given == arpc
        ),
        "{commands:?}"
    );
    let commands = card_verdict(&mut flow, Err(ReaderError::CardDeclined));
    assert!(commands.contains(&Command::SendReversal {
        request: ReversalRequest {
            original_idempotency_key: "key-1".into(),
            reason: ReversalReason::CardDeclinedAfterApproval,
        },
        attempt: 0,
    }));
    assert_eq!(code(&flow), "reader_refused_approval");
}

#[test]
fn refund_goes_on_when_the_reader_does_not_take_the_answer() {
    let mut flow = refund_at_card(50, Brand::Jcb, "A1B2C3");
    send(
        &mut flow,
        ReaderEvent::CardSwiped(swipe_payload(Brand::Jcb, "101")),
    );
    let approved = testing::authorization(
        TxnKind::Refund,
        TxnStatus::Approved,
        twd(50),
        Brand::Jcb,
        false,
    );
    reply(&mut flow, Reply::Authorized(Ok(approved)));
    let commands = reply(
        &mut flow,
        Reply::OnlineResultSent(Err(ReaderError::NotConnected)),
    );
    assert!(is_receipt(&flow));
    assert!(!sends_reversal(&commands));
}

// --- signature and receipt ------------------------------------------------------

fn at_signature() -> PaymentFlow {
    let mut flow = at_card(100, Brand::Mastercard);
    send(
        &mut flow,
        ReaderEvent::ChipRead(chip_payload(Brand::Mastercard)),
    );
    approve(&mut flow, 100, Brand::Mastercard, true);
    assert!(is_signature(&flow));
    reply(&mut flow, Reply::JournalWritten(Ok(())));
    flow
}

fn stroke_count(flow: &PaymentFlow) -> usize {
    match flow.step() {
        PaymentStep::Signature { strokes, .. } => strokes.len(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn signature_needs_a_real_stroke_before_upload() {
    let mut flow = at_signature();
    assert!(flow.handle(PaymentInput::ConfirmSignature).is_empty());
    assert_eq!(code(&flow), "signature_required");
    // A single dot is not a signature.
    flow.handle(PaymentInput::AddStroke {
        points: vec![Point { x: 10, y: 10 }],
    });
    assert!(flow.handle(PaymentInput::ConfirmSignature).is_empty());
    let line = vec![Point { x: 10, y: 10 }, Point { x: 200, y: 40 }];
    flow.handle(PaymentInput::AddStroke {
        points: line.clone(),
    });
    assert_eq!(stroke_count(&flow), 2);
    flow.handle(PaymentInput::ClearSignature);
    assert_eq!(stroke_count(&flow), 0);
    flow.handle(PaymentInput::AddStroke {
        points: line.clone(),
    });
    let commands = flow.handle(PaymentInput::ConfirmSignature);
    assert_eq!(
        commands,
        vec![Command::UploadSignature {
            transaction_id: "t1".into(),
            request: SignatureRequest {
                strokes: vec![Stroke { points: line }]
            },
        }]
    );
}

#[test]
fn signature_cannot_be_skipped() {
    let mut flow = at_signature();
    flow.handle(PaymentInput::Back);
    flow.handle(PaymentInput::Cancel);
    flow.handle(PaymentInput::FinishReceipt);
    assert!(is_signature(&flow));
    assert!(flow.is_critical());
}

#[test]
fn uploaded_signature_closes_the_journal_and_shows_the_receipt() {
    let mut flow = at_signature();
    flow.handle(PaymentInput::AddStroke {
        points: vec![Point { x: 1, y: 1 }, Point { x: 2, y: 2 }],
    });
    flow.handle(PaymentInput::ConfirmSignature);
    let mut signed = testing::summary(
        "t1",
        TxnKind::Sale,
        TxnStatus::Approved,
        twd(100),
        Brand::Mastercard,
    );
    signed.signed = true;
    let commands = reply(&mut flow, Reply::SignatureUploaded(Ok(signed)));
    assert_eq!(
        commands,
        vec![Command::Journal(JournalUpdate::SetState {
            idempotency_key: "key-1".into(),
            state: JournalState::Done,
        })]
    );
    match flow.step() {
        PaymentStep::Receipt(receipt) => assert!(receipt.transaction().signed),
        other => panic!("{other:?}"),
    }
}

#[test]
fn failed_signature_upload_stays_or_asks_for_login() {
    let mut flow = at_signature();
    reply(&mut flow, Reply::SignatureUploaded(Err(HostError::Timeout)));
    assert!(is_signature(&flow));
    assert_eq!(code(&flow), "no_connection");
    reply(
        &mut flow,
        Reply::SignatureUploaded(Err(api(ErrorCode::Unauthorized))),
    );
    match flow.step() {
        PaymentStep::Exit(PaymentExit::Login {
            unfinished:
                Some(ResumeDecision::ResumeSignature {
                    transaction_id,
                    record,
                }),
            ..
        }) => {
            assert_eq!(transaction_id, "t1");
            assert_eq!(record.idempotency_key, "key-1");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn receipt_sends_and_finishes_home() {
    let mut flow = at_card(120, Brand::Jcb);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Jcb)));
    approve(&mut flow, 120, Brand::Jcb, false);
    reply(&mut flow, Reply::JournalWritten(Ok(())));
    let commands = flow.handle(PaymentInput::SendReceipt {
        destination: ReceiptDestination::Email("amy@example.tw".into()),
    });
    assert!(matches!(commands.as_slice(), [Command::SendReceipt { .. }]));
    reply(
        &mut flow,
        Reply::ReceiptSent(Ok(SendReceiptResponse {
            sent_to: "a***@example.tw".into(),
        })),
    );
    match flow.step() {
        PaymentStep::Receipt(receipt) => assert_eq!(receipt.sent_to(), ["a***@example.tw"]),
        other => panic!("{other:?}"),
    }
    flow.handle(PaymentInput::FinishReceipt);
    assert_eq!(flow.step(), &PaymentStep::Exit(PaymentExit::Home(None)));
}

fn awaiting(key: &str) -> Command {
    Command::Journal(JournalUpdate::SetState {
        idempotency_key: key.into(),
        state: JournalState::AwaitingSignature {
            transaction_id: "t1".into(),
        },
    })
}

fn done_command(key: &str) -> Command {
    Command::Journal(JournalUpdate::SetState {
        idempotency_key: key.into(),
        state: JournalState::Done,
    })
}

#[test]
fn failed_awaiting_signature_write_is_retried_before_the_signature_leaves() {
    let mut flow = at_card(100, Brand::Mastercard);
    send(
        &mut flow,
        ReaderEvent::ChipRead(chip_payload(Brand::Mastercard)),
    );
    let commands = approve(&mut flow, 100, Brand::Mastercard, true);
    assert_eq!(commands.last(), Some(&awaiting("key-1")));
    let failed = Reply::JournalWritten(Err("disk I/O error".into()));
    assert_eq!(reply(&mut flow, failed.clone()), vec![awaiting("key-1")]);
    assert_eq!(code(&flow), "journal_not_saved");
    reply(&mut flow, failed.clone());
    // Out of immediate tries: the next one waits for the user.
    assert!(reply(&mut flow, failed).is_empty());
    flow.handle(PaymentInput::AddStroke {
        points: vec![Point { x: 1, y: 1 }, Point { x: 2, y: 2 }],
    });
    // Confirming tries the write again instead of uploading.
    assert_eq!(
        flow.handle(PaymentInput::ConfirmSignature),
        vec![awaiting("key-1")]
    );
    assert_eq!(code(&flow), "journal_not_saved");
    flow.handle(PaymentInput::Back);
    flow.handle(PaymentInput::Cancel);
    assert!(is_signature(&flow));
    assert!(reply(&mut flow, Reply::JournalWritten(Ok(()))).is_empty());
    assert!(flow.message().is_none());
    assert!(matches!(
        flow.handle(PaymentInput::ConfirmSignature).as_slice(),
        [Command::UploadSignature { .. }]
    ));
}

#[test]
fn receipt_cannot_be_left_until_done_is_on_disk() {
    let mut flow = at_card(120, Brand::Jcb);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Jcb)));
    approve(&mut flow, 120, Brand::Jcb, false);
    let failed = Reply::JournalWritten(Err("disk I/O error".into()));
    assert_eq!(reply(&mut flow, failed), vec![done_command("key-1")]);
    assert_eq!(code(&flow), "journal_not_saved");
    for leave in [
        PaymentInput::FinishReceipt,
        PaymentInput::Back,
        PaymentInput::Cancel,
    ] {
        assert_eq!(flow.handle(leave), vec![done_command("key-1")]);
        assert!(is_receipt(&flow));
        assert_eq!(code(&flow), "journal_not_saved");
    }
    // Critical meanwhile, so logging out is refused too.
    assert!(flow.is_critical());
    reply(&mut flow, Reply::JournalWritten(Ok(())));
    assert!(!flow.is_critical());
    assert!(flow.message().is_none());
    assert!(flow.handle(PaymentInput::FinishReceipt).is_empty());
    assert_eq!(flow.step(), &PaymentStep::Exit(PaymentExit::Home(None)));
}

#[test]
fn receipt_after_the_signature_waits_for_done_too() {
    let mut flow = at_signature();
    flow.handle(PaymentInput::AddStroke {
        points: vec![Point { x: 1, y: 1 }, Point { x: 2, y: 2 }],
    });
    flow.handle(PaymentInput::ConfirmSignature);
    let mut signed = testing::summary(
        "t1",
        TxnKind::Sale,
        TxnStatus::Approved,
        twd(100),
        Brand::Mastercard,
    );
    signed.signed = true;
    reply(&mut flow, Reply::SignatureUploaded(Ok(signed)));
    reply(&mut flow, Reply::JournalWritten(Err("disk full".into())));
    assert_eq!(
        flow.handle(PaymentInput::FinishReceipt),
        vec![done_command("key-1")]
    );
    assert!(is_receipt(&flow));
}

// --- refund -----------------------------------------------------------------------

#[test]
fn refund_needs_a_valid_authorization_code_first() {
    let mut flow = refund();
    flow.handle(PaymentInput::EnterAmount { dollars: 50 });
    flow.handle(PaymentInput::ChooseBrand { brand: Brand::Visa });
    flow.handle(PaymentInput::Proceed {
        kind: TxnKind::Refund,
        reader_connected: true,
    });
    for bad in ["", "12345", "1234567", "12 456"] {
        flow.handle(PaymentInput::EnterAuthCode { code: bad.into() });
        let commands = flow.handle(PaymentInput::ContinueRefund {
            reader_connected: true,
        });
        assert!(commands.is_empty(), "{bad:?}");
        assert_eq!(code(&flow), "auth_code_invalid");
        assert_eq!(flow.step(), &PaymentStep::RefundAuthCode);
    }
    flow.handle(PaymentInput::EnterAuthCode {
        code: "a1b2c3".into(),
    });
    let commands = flow.handle(PaymentInput::ContinueRefund {
        reader_connected: false,
    });
    assert!(commands.is_empty());
    assert_eq!(code(&flow), "reader_not_connected");
    let commands = flow.handle(PaymentInput::ContinueRefund {
        reader_connected: true,
    });
    assert_eq!(
        commands,
        vec![Command::StartReader(ReaderRequest {
            amount: twd(50),
            kind: TxnKind::Refund,
            chip_allowed: false,
            swipe_allowed: true,
        })]
    );
    assert_eq!(prompt(&flow), CardPrompt::SwipeOnly);
}

#[test]
fn refund_is_swipe_only() {
    let mut flow = refund_at_card(50, Brand::Visa, "a1b2c3");
    let commands = reader(&mut flow, ReaderEvent::CardInserted);
    assert!(!sends_money(&commands));
    assert_eq!(code(&flow), "swipe_required");
    let commands = reader(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    assert!(!sends_money(&commands));
    assert_eq!(code(&flow), "swipe_required");
    // The stripe of a chip card is the normal read for a refund.
    let request = send(
        &mut flow,
        ReaderEvent::CardSwiped(swipe_payload(Brand::Visa, "201")),
    );
    match request {
        AuthorizeRequest::Refund(refund) => {
            assert_eq!(refund.original_auth_code, "A1B2C3");
            assert_eq!(refund.card.entry_mode, EntryMode::Swipe);
            assert_eq!(refund.amount, twd(50));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refund_with_unknown_original_goes_back_to_the_code() {
    let mut flow = refund_at_card(50, Brand::Visa, "ZZZZZZ");
    send(
        &mut flow,
        ReaderEvent::CardSwiped(swipe_payload(Brand::Visa, "101")),
    );
    reply(
        &mut flow,
        Reply::Authorized(Err(api(ErrorCode::OriginalNotFound))),
    );
    assert_eq!(flow.step(), &PaymentStep::RefundAuthCode);
    assert_eq!(code(&flow), "original_not_found");
}

#[test]
fn approved_refund_follows_the_signature_rule_too() {
    let mut flow = refund_at_card(50, Brand::Mastercard, "A1B2C3");
    send(
        &mut flow,
        ReaderEvent::CardSwiped(swipe_payload(Brand::Mastercard, "101")),
    );
    approve(&mut flow, 50, Brand::Mastercard, false);
    assert!(is_signature(&flow));
}

#[test]
fn back_from_the_refund_card_returns_to_the_code() {
    let mut flow = refund_at_card(50, Brand::Visa, "A1B2C3");
    assert_eq!(flow.handle(PaymentInput::Back), vec![Command::CancelReader]);
    assert_eq!(flow.step(), &PaymentStep::RefundAuthCode);
    flow.handle(PaymentInput::Back);
    assert_eq!(flow.step(), &PaymentStep::Amount);
}

// --- resuming after a restart ---------------------------------------------------

fn record(state: JournalState) -> InFlightRecord {
    InFlightRecord {
        kind: TxnKind::Sale,
        idempotency_key: "old-key".into(),
        username: "amy".into(),
        amount: twd(300),
        brand: Brand::Visa,
        masked_pan: MaskedPan::from_pan("4111111111111111").unwrap(),
        state,
    }
}

#[test]
fn resumed_reversal_is_sent_first_and_home_follows() {
    let decision = ResumeDecision::SendReversal {
        record: record(JournalState::Authorizing),
        reason: ReversalReason::Interrupted,
    };
    let (mut flow, commands) =
        PaymentFlow::resume(testing::config(), decision, Timing::default()).unwrap();
    assert_eq!(
        commands,
        vec![
            Command::Journal(JournalUpdate::SetState {
                idempotency_key: "old-key".into(),
                state: JournalState::ReversalPending {
                    reason: ReversalReason::Interrupted
                },
            }),
            Command::SendReversal {
                request: ReversalRequest {
                    original_idempotency_key: "old-key".into(),
                    reason: ReversalReason::Interrupted,
                },
                attempt: 0,
            },
        ]
    );
    assert_eq!(unknown_state(&flow), (0, false));
    reply(
        &mut flow,
        Reply::Reversed(Ok(ReversalResponse {
            acknowledged: true,
            transaction_id: None,
        })),
    );
    flow.handle(PaymentInput::Back);
    assert_eq!(flow.step(), &PaymentStep::Exit(PaymentExit::Home(None)));
}

#[test]
fn resumed_signature_loads_the_transaction_first() {
    let decision = |state| ResumeDecision::ResumeSignature {
        record: record(state),
        transaction_id: "t5".into(),
    };
    let awaiting = JournalState::AwaitingSignature {
        transaction_id: "t5".into(),
    };
    let (mut flow, commands) = PaymentFlow::resume(
        testing::config(),
        decision(awaiting.clone()),
        Timing::default(),
    )
    .unwrap();
    assert_eq!(commands, vec![Command::GetTransaction("t5".into())]);
    assert!(flow.is_critical());
    let unsigned = testing::summary(
        "t5",
        TxnKind::Sale,
        TxnStatus::Approved,
        twd(300),
        Brand::Visa,
    );
    reply(&mut flow, Reply::Transaction(Ok(unsigned.clone())));
    assert!(is_signature(&flow));

    // Signed meanwhile: straight to the receipt.
    let (mut flow, _) = PaymentFlow::resume(
        testing::config(),
        decision(awaiting.clone()),
        Timing::default(),
    )
    .unwrap();
    let mut signed = unsigned.clone();
    signed.signed = true;
    let commands = reply(&mut flow, Reply::Transaction(Ok(signed)));
    assert!(is_receipt(&flow));
    assert_eq!(
        commands,
        vec![Command::Journal(JournalUpdate::SetState {
            idempotency_key: "old-key".into(),
            state: JournalState::Done,
        })]
    );

    // Voided meanwhile: nothing to sign.
    let (mut flow, _) = PaymentFlow::resume(
        testing::config(),
        decision(awaiting.clone()),
        Timing::default(),
    )
    .unwrap();
    let mut voided = unsigned;
    voided.status = TxnStatus::Voided;
    reply(&mut flow, Reply::Transaction(Ok(voided)));
    assert!(matches!(
        flow.step(),
        PaymentStep::Exit(PaymentExit::Home(Some(_)))
    ));

    // Not reachable: still owed after the next login.
    let (mut flow, _) =
        PaymentFlow::resume(testing::config(), decision(awaiting), Timing::default()).unwrap();
    reply(&mut flow, Reply::Transaction(Err(HostError::Timeout)));
    assert!(matches!(
        flow.step(),
        PaymentStep::Exit(PaymentExit::Login {
            unfinished: Some(ResumeDecision::ResumeSignature { .. }),
            ..
        })
    ));
}

#[test]
fn resumed_signature_keeps_the_user_who_paid() {
    let mut bobs = record(JournalState::AwaitingSignature {
        transaction_id: "t5".into(),
    });
    bobs.username = "bob".into();
    let decision = ResumeDecision::ResumeSignature {
        record: bobs,
        transaction_id: "t5".into(),
    };
    let (mut flow, _) =
        PaymentFlow::resume(testing::config(), decision, Timing::default()).unwrap();
    reply(&mut flow, Reply::Transaction(Err(HostError::Timeout)));
    match flow.step() {
        PaymentStep::Exit(PaymentExit::Login {
            unfinished: Some(ResumeDecision::ResumeSignature { record, .. }),
            ..
        }) => assert_eq!(record.username, "bob"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn nothing_to_resume_gives_no_flow() {
    assert!(PaymentFlow::resume(
        testing::config(),
        ResumeDecision::Nothing,
        Timing::default()
    )
    .is_none());
}

#[test]
fn a_card_that_never_gives_its_verdict_is_reversed_when_the_wait_ends() {
    let mut flow = at_card(100, Brand::Visa);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Visa)));
    let approved = testing::authorization(
        TxnKind::Sale,
        TxnStatus::Approved,
        twd(100),
        Brand::Visa,
        false,
    );
    reply(&mut flow, Reply::Authorized(Ok(approved)));
    assert_eq!(
        reply(&mut flow, Reply::OnlineResultSent(Ok(()))),
        vec![card_verdict_timer("key-1")]
    );
    // Another transaction's timer changes nothing.
    let stale = Timer::CardVerdict {
        idempotency_key: "older".into(),
    };
    assert!(flow.handle(PaymentInput::Timer(stale)).is_empty());
    assert!(matches!(flow.step(), PaymentStep::Completing { .. }));
    let commands = flow.handle(PaymentInput::Timer(Timer::CardVerdict {
        idempotency_key: "key-1".into(),
    }));
    assert!(commands.contains(&Command::CancelReader), "{commands:?}");
    assert!(commands.contains(&Command::SendReversal {
        request: ReversalRequest {
            original_idempotency_key: "key-1".into(),
            reason: ReversalReason::CardDeclinedAfterApproval,
        },
        attempt: 0,
    }));
    // The verdict arriving after the wait is over changes nothing.
    assert!(reader(&mut flow, ReaderEvent::OnlineResultAnswered(Ok(()))).is_empty());
    assert_eq!(unknown_state(&flow), (0, false));
}

#[test]
fn a_verdict_in_time_leaves_the_pending_timer_without_effect() {
    let mut flow = at_card(100, Brand::Jcb);
    send(&mut flow, ReaderEvent::ChipRead(chip_payload(Brand::Jcb)));
    approve(&mut flow, 100, Brand::Jcb, false);
    assert!(is_receipt(&flow));
    assert!(flow
        .handle(PaymentInput::Timer(Timer::CardVerdict {
            idempotency_key: "key-1".into(),
        }))
        .is_empty());
    assert!(is_receipt(&flow));
}
