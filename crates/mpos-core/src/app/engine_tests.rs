//! Navigation between flows, without I/O.

use super::*;
use crate::app::screen::render;
use crate::flows::testing;
use crate::flows::timing::Timing;
use crate::model::host_error::HostError;
use crate::model::in_flight::{InFlightRecord, JournalState};
use crate::model::screen::Screen;
use crate::model::session::SessionToken;
use mpos_wire::api::{LoginResponse, ReversalReason, ReversalResponse, SessionStage, TxnStatus};
use mpos_wire::{ApiError, Brand, ErrorCode, MaskedPan, Money};

fn reader_info() -> ReaderInfo {
    ReaderInfo {
        serial: "RDR-7".into(),
        firmware: "1.2".into(),
        battery_percent: Some(80),
        ksn: "FFFF9876543210E00001".into(),
    }
}

fn act(engine: &mut Engine, action: UserAction) -> Vec<Command> {
    engine.handle(Input::Action {
        action,
        reader: engine_reader(engine),
        fresh_key: "fresh".into(),
    })
}

/// Tests keep the reader plugged in unless they unplug it through the flag.
fn engine_reader(engine: &Engine) -> Option<ReaderInfo> {
    engine.reader_connected.then(reader_info)
}

fn reply(engine: &mut Engine, reply: Reply) -> Vec<Command> {
    engine.handle(Input::Reply(reply))
}

fn logged_in() -> Reply {
    Reply::LoggedIn(Ok(LoginResponse {
        session_token: "tok".into(),
        expires_at: "2025-03-01T12:00:00Z".into(),
        stage: SessionStage::Ready,
        user: testing::profile(),
    }))
}

fn login(engine: &mut Engine) -> Vec<Command> {
    let commands = act(
        engine,
        UserAction::Login {
            username: "amy".into(),
            password: "135790".into(),
        },
    );
    assert!(matches!(commands.as_slice(), [Command::Login(_)]));
    assert_eq!(
        reply(engine, logged_in()),
        vec![Command::FetchTerminalConfig]
    );
    reply(engine, Reply::TerminalConfig(Ok(testing::config())))
}

fn home() -> Engine {
    let (mut engine, commands) = Engine::start(ResumeDecision::Nothing, true, Timing::default());
    assert!(commands.is_empty());
    assert!(login(&mut engine).is_empty());
    assert!(matches!(render(&engine), Screen::Home { .. }));
    engine
}

fn record(state: JournalState) -> InFlightRecord {
    InFlightRecord {
        kind: TxnKind::Sale,
        idempotency_key: "old".into(),
        username: "amy".into(),
        amount: Money::twd_minor(50_000),
        brand: Brand::Visa,
        masked_pan: MaskedPan::from_pan("4111111111111111").unwrap(),
        state,
    }
}

fn message_code(screen: &Screen) -> Option<String> {
    let message = match screen {
        Screen::Login { message, .. }
        | Screen::Home { message, .. }
        | Screen::Amount { message, .. }
        | Screen::OutcomeUnknown { message, .. }
        | Screen::QueryPassword { message }
        | Screen::Loading { message } => message,
        _ => return None,
    };
    message.as_ref().map(|m| m.code.clone())
}

#[test]
fn starts_at_login_and_shows_the_reader_state() {
    let (engine, _) = Engine::start(ResumeDecision::Nothing, false, Timing::default());
    assert_eq!(
        render(&engine),
        Screen::Login {
            reader_connected: false,
            message: None
        }
    );
}

#[test]
fn login_without_a_reader_is_refused() {
    let (mut engine, _) = Engine::start(ResumeDecision::Nothing, false, Timing::default());
    let commands = act(
        &mut engine,
        UserAction::Login {
            username: "amy".into(),
            password: "135790".into(),
        },
    );
    assert!(commands.is_empty());
    assert_eq!(
        message_code(&render(&engine)).as_deref(),
        Some("reader_not_connected")
    );
}

#[test]
fn reader_events_update_the_login_screen() {
    let (mut engine, _) = Engine::start(ResumeDecision::Nothing, false, Timing::default());
    engine.handle(Input::Reader {
        event: ReaderEvent::Connected(reader_info()),
        fresh_key: "k".into(),
    });
    assert!(matches!(
        render(&engine),
        Screen::Login {
            reader_connected: true,
            ..
        }
    ));
}

#[test]
fn plugging_the_reader_in_clears_the_plug_in_message() {
    let (mut engine, _) = Engine::start(ResumeDecision::Nothing, false, Timing::default());
    let commands = act(
        &mut engine,
        UserAction::Login {
            username: "amy".into(),
            password: "135790".into(),
        },
    );
    assert!(commands.is_empty());
    assert!(matches!(
        render(&engine),
        Screen::Login { message: Some(ref m), .. } if m.code == "reader_not_connected"
    ));
    engine.handle(Input::Reader {
        event: ReaderEvent::Connected(reader_info()),
        fresh_key: "k".into(),
    });
    assert!(matches!(
        render(&engine),
        Screen::Login {
            reader_connected: true,
            message: None
        }
    ));
}

#[test]
fn login_leads_home_with_the_user_and_merchant() {
    let engine = home();
    assert_eq!(
        render(&engine),
        Screen::Home {
            display_name: "Amy Lin".into(),
            merchant_name: "Tea House".into(),
            reader_connected: true,
            message: None,
        }
    );
}

#[test]
fn starting_a_payment_needs_the_reader() {
    let mut engine = home();
    engine.reader_connected = false;
    act(&mut engine, UserAction::StartSale);
    assert_eq!(
        message_code(&render(&engine)).as_deref(),
        Some("reader_not_connected")
    );
    engine.reader_connected = true;
    act(&mut engine, UserAction::StartSale);
    match render(&engine) {
        Screen::Amount {
            kind,
            accepted_brands,
            ..
        } => {
            assert_eq!(kind, TxnKind::Sale);
            assert_eq!(
                accepted_brands,
                vec![Brand::Visa, Brand::Mastercard, Brand::Jcb]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refund_walks_amount_code_and_swipe_screens() {
    let mut engine = home();
    act(&mut engine, UserAction::StartRefund);
    act(&mut engine, UserAction::EnterAmount { dollars: 80 });
    act(&mut engine, UserAction::ChooseBrand { brand: Brand::Visa });
    act(&mut engine, UserAction::RefundNow);
    assert!(matches!(render(&engine), Screen::RefundAuthCode { .. }));
    act(
        &mut engine,
        UserAction::EnterOriginalAuthCode {
            code: "a1b2c3".into(),
        },
    );
    let commands = act(&mut engine, UserAction::ContinueRefund);
    assert!(matches!(commands.as_slice(), [Command::StartReader(_)]));
    assert!(matches!(
        render(&engine),
        Screen::PresentCard {
            prompt: crate::flows::payment::CardPrompt::SwipeOnly,
            ..
        }
    ));
}

#[test]
fn cancel_payment_returns_home() {
    let mut engine = home();
    act(&mut engine, UserAction::StartSale);
    act(&mut engine, UserAction::CancelPayment);
    assert!(matches!(render(&engine), Screen::Home { .. }));
}

#[test]
fn logout_returns_to_login() {
    let mut engine = home();
    assert_eq!(
        act(&mut engine, UserAction::Logout),
        vec![Command::Logout(SessionToken::new("tok"))]
    );
    assert!(matches!(render(&engine), Screen::Login { .. }));
    assert!(engine.session.is_none());
}

#[test]
fn logout_is_ignored_while_a_signature_is_owed() {
    let mut engine = home();
    act(&mut engine, UserAction::StartSale);
    act(&mut engine, UserAction::EnterAmount { dollars: 100 });
    act(
        &mut engine,
        UserAction::ChooseBrand {
            brand: Brand::Mastercard,
        },
    );
    act(&mut engine, UserAction::PayNow);
    engine.handle(Input::Reader {
        event: ReaderEvent::ChipRead(testing::chip_payload(Brand::Mastercard)),
        fresh_key: "k1".into(),
    });
    reply(&mut engine, Reply::JournalWritten(Ok(())));
    let approved = testing::authorization(
        TxnKind::Sale,
        TxnStatus::Approved,
        Money::twd_minor(10_000),
        Brand::Mastercard,
        true,
    );
    reply(&mut engine, Reply::Authorized(Ok(approved)));
    assert!(matches!(render(&engine), Screen::Authorizing { .. }));
    reply(&mut engine, Reply::OnlineResultSent(Ok(())));
    engine.handle(Input::Reader {
        event: ReaderEvent::OnlineResultAnswered(Ok(())),
        fresh_key: "k2".into(),
    });
    assert!(matches!(render(&engine), Screen::Signature { .. }));
    assert!(act(&mut engine, UserAction::Logout).is_empty());
    assert!(matches!(render(&engine), Screen::Signature { .. }));
}

#[test]
fn transactions_ask_for_the_password_first() {
    let mut engine = home();
    act(&mut engine, UserAction::OpenTransactions);
    assert_eq!(render(&engine), Screen::QueryPassword { message: None });
    let commands = act(
        &mut engine,
        UserAction::EnterQueryPassword {
            password: "135790".into(),
        },
    );
    assert!(matches!(commands.as_slice(), [Command::VerifyPassword(_)]));
    reply(&mut engine, Reply::PasswordVerified(Ok(())));
    assert!(matches!(render(&engine), Screen::TransactionSearch { .. }));
    let expired = HostError::Api(ApiError::new(ErrorCode::SessionExpired));
    act(
        &mut engine,
        UserAction::Search {
            criteria: mpos_wire::api::TransactionSearch {
                last4: Some("1111".into()),
                ..Default::default()
            },
        },
    );
    reply(&mut engine, Reply::SearchResults(Err(expired)));
    assert_eq!(
        message_code(&render(&engine)).as_deref(),
        Some("session_expired")
    );
    assert!(engine.session.is_none());
}

#[test]
fn reversal_left_in_flight_goes_out_before_login() {
    let decision = ResumeDecision::SendReversal {
        record: record(JournalState::Authorizing),
        reason: ReversalReason::Interrupted,
    };
    let (mut engine, commands) = Engine::start(decision, true, Timing::default());
    assert!(commands
        .iter()
        .any(|c| matches!(c, Command::SendReversal { attempt: 0, .. })));
    assert!(matches!(
        render(&engine),
        Screen::OutcomeUnknown {
            reversal_acknowledged: false,
            ..
        }
    ));
    // Nothing else can be done meanwhile.
    act(
        &mut engine,
        UserAction::Login {
            username: "amy".into(),
            password: "135790".into(),
        },
    );
    assert!(matches!(render(&engine), Screen::OutcomeUnknown { .. }));

    // The gateway wants a session: log in, then the reversal goes out again.
    let unauthorized = HostError::Api(ApiError::new(ErrorCode::Unauthorized));
    reply(&mut engine, Reply::Reversed(Err(unauthorized)));
    assert_eq!(
        message_code(&render(&engine)).as_deref(),
        Some("reversal_needs_login")
    );
    let commands = login(&mut engine);
    assert!(commands.iter().any(|c| matches!(
        c,
        Command::SendReversal { request, attempt: 0 } if request.original_idempotency_key == "old"
    )));
    reply(
        &mut engine,
        Reply::Reversed(Ok(ReversalResponse {
            acknowledged: true,
            transaction_id: None,
        })),
    );
    assert!(matches!(
        render(&engine),
        Screen::OutcomeUnknown {
            reversal_acknowledged: true,
            ..
        }
    ));
    act(&mut engine, UserAction::Back);
    assert!(matches!(render(&engine), Screen::Home { .. }));
}

#[test]
fn acknowledged_reversal_before_login_leads_to_login() {
    let decision = ResumeDecision::SendReversal {
        record: record(JournalState::Authorizing),
        reason: ReversalReason::Interrupted,
    };
    let (mut engine, _) = Engine::start(decision, true, Timing::default());
    reply(
        &mut engine,
        Reply::Reversed(Ok(ReversalResponse {
            acknowledged: true,
            transaction_id: None,
        })),
    );
    act(&mut engine, UserAction::Back);
    assert!(matches!(render(&engine), Screen::Login { .. }));
}

#[test]
fn owed_signature_is_collected_right_after_login() {
    let decision = ResumeDecision::ResumeSignature {
        record: record(JournalState::AwaitingSignature {
            transaction_id: "t8".into(),
        }),
        transaction_id: "t8".into(),
    };
    let (mut engine, commands) = Engine::start(decision, true, Timing::default());
    assert!(commands.is_empty());
    assert_eq!(
        message_code(&render(&engine)).as_deref(),
        Some("signature_needs_login")
    );
    let commands = login(&mut engine);
    assert_eq!(commands, vec![Command::GetTransaction("t8".into())]);
    let approved = testing::summary(
        "t8",
        TxnKind::Sale,
        TxnStatus::Approved,
        Money::twd_minor(50_000),
        Brand::Visa,
    );
    reply(&mut engine, Reply::Transaction(Ok(approved)));
    match render(&engine) {
        Screen::Signature {
            transaction,
            strokes,
            ..
        } => {
            assert_eq!(transaction.id, "t8");
            assert!(strokes.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

/// Logs in as another user of the same merchant.
fn login_as(engine: &mut Engine, username: &str) -> Vec<Command> {
    act(
        engine,
        UserAction::Login {
            username: username.into(),
            password: "135790".into(),
        },
    );
    let mut user = testing::profile();
    user.username = username.into();
    user.display_name = username.into();
    reply(
        engine,
        Reply::LoggedIn(Ok(LoginResponse {
            session_token: "tok".into(),
            expires_at: "2025-03-01T12:00:00Z".into(),
            stage: SessionStage::Ready,
            user,
        })),
    );
    reply(engine, Reply::TerminalConfig(Ok(testing::config())))
}

fn owed_signature_of(username: &str) -> ResumeDecision {
    let mut owed = record(JournalState::AwaitingSignature {
        transaction_id: "t8".into(),
    });
    owed.username = username.into();
    ResumeDecision::ResumeSignature {
        record: owed,
        transaction_id: "t8".into(),
    }
}

#[test]
fn owed_signature_waits_for_the_user_who_took_the_payment() {
    let (mut engine, _) = Engine::start(owed_signature_of("amy"), true, Timing::default());
    let commands = login_as(&mut engine, "bob");
    assert!(commands.is_empty());
    match render(&engine) {
        Screen::Home {
            message: Some(message),
            ..
        } => {
            assert_eq!(message.code, "signature_owed_by_another_user");
            assert!(message.en.contains("User amy has"), "{}", message.en);
            assert!(message.zh.contains("amy"));
        }
        other => panic!("{other:?}"),
    }
    // Kept for its owner: bob logs out, amy logs in and collects it.
    assert_eq!(engine.owed, Some(owed_signature_of("amy")));
    act(&mut engine, UserAction::Logout);
    assert_eq!(
        login_as(&mut engine, "amy"),
        vec![Command::GetTransaction("t8".into())]
    );
    assert!(matches!(render(&engine), Screen::Loading { .. }));
    assert_eq!(engine.owed, None);
}

#[test]
fn owed_signature_of_a_row_without_a_user_goes_to_whoever_logs_in() {
    let (mut engine, _) = Engine::start(owed_signature_of(""), true, Timing::default());
    assert_eq!(
        login_as(&mut engine, "bob"),
        vec![Command::GetTransaction("t8".into())]
    );
}

#[test]
fn owed_reversal_goes_out_after_any_login() {
    let mut owed = record(JournalState::Authorizing);
    owed.username = "amy".into();
    let decision = ResumeDecision::SendReversal {
        record: owed,
        reason: ReversalReason::Interrupted,
    };
    let (mut engine, _) = Engine::start(decision, true, Timing::default());
    let unauthorized = HostError::Api(ApiError::new(ErrorCode::Unauthorized));
    reply(&mut engine, Reply::Reversed(Err(unauthorized)));
    let commands = login_as(&mut engine, "bob");
    assert!(commands.iter().any(|c| matches!(
        c,
        Command::SendReversal { request, attempt: 0 } if request.original_idempotency_key == "old"
    )));
}

/// A sale at Home whose answer was lost: reversing.
fn reversing_from_home() -> Engine {
    let mut engine = home();
    act(&mut engine, UserAction::StartSale);
    act(&mut engine, UserAction::EnterAmount { dollars: 100 });
    act(&mut engine, UserAction::ChooseBrand { brand: Brand::Visa });
    act(&mut engine, UserAction::PayNow);
    engine.handle(Input::Reader {
        event: ReaderEvent::ChipRead(testing::chip_payload(Brand::Visa)),
        fresh_key: "k1".into(),
    });
    reply(&mut engine, Reply::JournalWritten(Ok(())));
    reply(&mut engine, Reply::Authorized(Err(HostError::Timeout)));
    assert!(matches!(render(&engine), Screen::OutcomeUnknown { .. }));
    engine
}

#[test]
fn settled_original_leaves_the_unknown_outcome_screen_truthfully() {
    let mut engine = reversing_from_home();
    let settled = HostError::Api(ApiError::new(ErrorCode::AlreadySettled));
    let commands = reply(&mut engine, Reply::Reversed(Err(settled)));
    assert!(!commands
        .iter()
        .any(|c| matches!(c, Command::SendReversal { .. })));
    assert_eq!(
        message_code(&render(&engine)).as_deref(),
        Some("reversal_refused_charged")
    );
    assert!(matches!(render(&engine), Screen::Home { .. }));
    assert_eq!(engine.owed, None);
}

#[test]
fn refused_reversal_goes_home_and_is_sent_again_after_the_next_login() {
    let mut engine = reversing_from_home();
    let forbidden = HostError::Api(ApiError::new(ErrorCode::Forbidden));
    let commands = reply(&mut engine, Reply::Reversed(Err(forbidden)));
    assert!(commands.is_empty());
    assert!(matches!(render(&engine), Screen::Home { .. }));
    assert_eq!(message_code(&render(&engine)).as_deref(), Some("forbidden"));
    act(&mut engine, UserAction::Logout);
    let commands = login(&mut engine);
    assert!(commands.iter().any(|c| matches!(
        c,
        Command::SendReversal { request, attempt: 0 } if request.original_idempotency_key == "k1"
    )));
    assert!(matches!(render(&engine), Screen::OutcomeUnknown { .. }));
}

fn self_check_lines(engine: &Engine) -> Vec<crate::model::self_check::CheckLine> {
    match render(engine) {
        Screen::SelfCheck { lines, .. } => lines,
        other => panic!("expected the pre-shift check, got {other:?}"),
    }
}

#[test]
fn the_self_check_opens_from_login_and_goes_back_to_the_login_as_it_was() {
    use crate::model::self_check::{CheckItem, CheckStatus};
    let (mut engine, _) = Engine::start(ResumeDecision::Nothing, false, Timing::default());
    // Half-way through a first login: the activation code is asked for.
    act(
        &mut engine,
        UserAction::Login {
            username: "amy".into(),
            password: "default1".into(),
        },
    );
    reply(
        &mut engine,
        Reply::LoggedIn(Ok(LoginResponse {
            session_token: "tok".into(),
            expires_at: "2025-03-01T12:00:00Z".into(),
            stage: SessionStage::ActivationRequired,
            user: testing::profile(),
        })),
    );
    let before = render(&engine);
    assert!(matches!(before, Screen::Activation { .. }), "{before:?}");
    // Only login and home open it; the activation step keeps its place.
    assert!(act(&mut engine, UserAction::OpenSelfCheck).is_empty());
    assert_eq!(render(&engine), before);

    let (mut engine, _) = Engine::start(ResumeDecision::Nothing, false, Timing::default());
    let commands = act(&mut engine, UserAction::OpenSelfCheck);
    assert_eq!(commands, vec![Command::CheckReader, Command::CheckGateway]);
    let lines = self_check_lines(&engine);
    assert_eq!(lines.len(), CheckItem::ALL.len());
    assert!(matches!(
        render(&engine),
        Screen::SelfCheck { running: true, .. }
    ));

    // A reader plugged in meanwhile is checked again, and the login
    // underneath learns of it too.
    let commands = engine.handle(Input::Reader {
        event: ReaderEvent::Connected(reader_info()),
        fresh_key: "k".into(),
    });
    assert!(commands.is_empty(), "the first reader check still runs");
    reply(
        &mut engine,
        Reply::ReaderChecked(crate::model::self_check::ReaderCheck {
            info: Some(reader_info()),
            link: None,
            saved_profile_model: None,
        }),
    );
    let reader = self_check_lines(&engine)
        .into_iter()
        .find(|line| line.item == CheckItem::Reader)
        .unwrap();
    assert_eq!(reader.status, CheckStatus::Ok);
    // The phone's battery comes from the platform at any time.
    engine.set_phone_power(Some(crate::model::self_check::PhonePower {
        percent: 12,
        charging: false,
    }));
    let battery = self_check_lines(&engine)
        .into_iter()
        .find(|line| line.item == CheckItem::PhoneBattery)
        .unwrap();
    assert_eq!(battery.status, CheckStatus::Warning);

    assert!(act(&mut engine, UserAction::Back).is_empty());
    assert!(matches!(
        render(&engine),
        Screen::Login {
            reader_connected: true,
            ..
        }
    ));
}

#[test]
fn the_self_check_opens_from_home_keeps_the_session_and_goes_back_home() {
    let mut engine = home();
    let commands = act(&mut engine, UserAction::OpenSelfCheck);
    assert_eq!(commands, vec![Command::CheckReader, Command::CheckGateway]);
    // The gateway check is the session's business only in name: the status
    // needs none, and the session stays.
    assert_eq!(engine.token().map(SessionToken::as_str), Some("tok"));
    // Sale buttons do nothing here.
    assert!(act(&mut engine, UserAction::StartSale).is_empty());
    assert!(matches!(render(&engine), Screen::SelfCheck { .. }));
    reply(&mut engine, Reply::GatewayChecked(Err(HostError::Timeout)));
    act(&mut engine, UserAction::Back);
    assert!(matches!(render(&engine), Screen::Home { .. }));
    assert!(engine.session.is_some());
}
