//! The app object in-process: real TLS to a scripted server, a fake
//! reader, a real journal file. Navigation and the money rules that need
//! the pieces together (cross-process runs with the real gateway are the
//! end-to-end suite's).

use super::*;
use crate::fake_gateway::{Answer, FakeGateway, Recorded};
use crate::flows::testing;
use crate::model::in_flight::{InFlightRecord, JournalState, JournalUpdate};
use crate::reader::{OnlineResult, ReaderError, ReaderInfo, ReaderRequest};
use mpos_wire::api::{
    paths, LoginResponse, ReceiptDestination, SessionStage, TransactionSearch, TxnKind, TxnStatus,
};
use mpos_wire::{ApiError, Brand, ErrorCode, MaskedPan, Money};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Weak};

/// A reader driven by the test.
#[derive(Default)]
struct FakeReader {
    info: Mutex<Option<ReaderInfo>>,
    sink: Mutex<Option<Arc<dyn ReaderEventSink>>>,
    started: Mutex<Vec<ReaderRequest>>,
    results: Mutex<Vec<OnlineResult>>,
    /// Answer the host's approval with the card's decline (AAC).
    refuse_results: std::sync::atomic::AtomicBool,
    cancels: AtomicUsize,
    /// The key positions each PIN entry sent.
    pin_keys: Mutex<Vec<Vec<u8>>>,
}

impl FakeReader {
    fn plugged() -> Arc<FakeReader> {
        let reader = FakeReader::default();
        *reader.info.lock().unwrap() = Some(ReaderInfo {
            serial: "RDR-7".into(),
            firmware: "1.2".into(),
            battery_percent: None,
            ksn: "FFFF9876543210E00001".into(),
        });
        Arc::new(reader)
    }

    fn emit(&self, event: ReaderEvent) {
        let sink = self
            .sink
            .lock()
            .unwrap()
            .clone()
            .expect("the app registered a sink");
        sink.on_reader_event(event);
    }
}

impl CardReader for FakeReader {
    fn set_event_sink(&self, sink: Arc<dyn ReaderEventSink>) {
        *self.sink.lock().unwrap() = Some(sink);
    }
    fn info(&self) -> Option<ReaderInfo> {
        self.info.lock().unwrap().clone()
    }
    fn start_transaction(&self, request: ReaderRequest) -> Result<(), ReaderError> {
        self.started.lock().unwrap().push(request);
        Ok(())
    }
    fn online_result(&self, result: OnlineResult) -> Result<(), ReaderError> {
        self.results.lock().unwrap().push(result);
        let verdict = if self.refuse_results.load(Ordering::SeqCst) {
            Err(ReaderError::CardDeclined)
        } else {
            Ok(())
        };
        self.emit(ReaderEvent::OnlineResultAnswered(verdict));
        Ok(())
    }
    fn request_pin(&self) -> Result<(), ReaderError> {
        self.emit(ReaderEvent::PinPad(crate::reader::KeypadLayout {
            digits: FAKE_KEYPAD,
        }));
        Ok(())
    }
    fn enter_pin(&self, keys: Vec<u8>) -> Result<(), ReaderError> {
        self.pin_keys.lock().unwrap().push(keys);
        self.emit(ReaderEvent::PinEntered(mpos_wire::api::PinBlockPayload {
            ksn: "FFFF9876543210E00001".into(),
            block: "0123456789ABCDEF".into(),
        }));
        Ok(())
    }
    fn cancel(&self) {
        self.cancels.fetch_add(1, Ordering::SeqCst);
    }
}

/// The fake reader's keypad: key k shows digit (k + 3) mod 10.
const FAKE_KEYPAD: [u8; 10] = [3, 4, 5, 6, 7, 8, 9, 0, 1, 2];

/// Records every screen the listener hears of.
#[derive(Default)]
struct Recorder {
    screens: Mutex<Vec<Screen>>,
}

impl ScreenListener for Recorder {
    fn on_screen_changed(&self, screen: Screen) {
        self.screens.lock().unwrap().push(screen);
    }
}

fn login_answer() -> serde_json::Value {
    serde_json::to_value(LoginResponse {
        session_token: "sess-1".into(),
        expires_at: "2025-03-01T12:00:00Z".into(),
        stage: SessionStage::Ready,
        user: testing::profile(),
    })
    .unwrap()
}

/// Login and terminal settings, then `rest` for everything else.
fn scripted(
    rest: impl Fn(&Recorded) -> Answer + Send + Sync + 'static,
) -> impl Fn(&Recorded) -> Answer + Send + Sync + 'static {
    move |request| match request.path() {
        paths::LOGIN => Answer::Json(200, login_answer()),
        paths::TERMINAL_CONFIG => {
            Answer::Json(200, serde_json::to_value(testing::config()).unwrap())
        }
        paths::LOGOUT => Answer::Json(204, json!({})),
        _ => rest(request),
    }
}

fn config(gateway: &FakeGateway, dir: &tempfile::TempDir) -> AppConfig {
    AppConfig {
        gateway_url: gateway.url.clone(),
        trust_root_pem: gateway.root_pem.clone(),
        pinned_spki_sha256: gateway.pin.clone(),
        data_dir: dir.path().to_string_lossy().into_owned(),
        request_timeout_ms: 2_000,
        reversal_retry_ms: 10,
        locale: crate::view::Locale::En,
        pin_entry_idle_ms: None,
    }
}

async fn logged_in(app: &MposApp) -> Screen {
    app.act(UserAction::Login {
        username: "amy".into(),
        password: "135790".into(),
    })
    .await
}

/// Waits (bounded) for a screen matching `want`.
async fn wait_until(app: &MposApp, want: impl Fn(&Screen) -> bool) -> Screen {
    let mut screen = app.screen();
    for _ in 0..100 {
        if want(&screen) {
            return screen;
        }
        screen = app.wait_for_screen_change(100).await;
    }
    panic!("screen never matched; last: {screen:?}");
}

async fn to_card(app: &MposApp, dollars: u64, brand: Brand) -> Screen {
    app.act(UserAction::StartSale).await;
    app.act(UserAction::EnterAmount { dollars }).await;
    app.act(UserAction::ChooseBrand { brand }).await;
    app.act(UserAction::PayNow).await
}

fn authorization_body(status: TxnStatus, dollars: u64, brand: Brand) -> serde_json::Value {
    let answer = testing::authorization(
        TxnKind::Sale,
        status,
        Money::twd_dollars(dollars).unwrap(),
        brand,
        false,
    );
    serde_json::to_value(answer).unwrap()
}

#[tokio::test]
async fn login_needs_a_plugged_reader_and_sends_nothing_without() {
    let gateway = FakeGateway::start(scripted(|_| Answer::Json(404, json!({})))).await;
    let dir = tempfile::tempdir().unwrap();
    let reader = Arc::new(FakeReader::default());
    let app = MposApp::new(config(&gateway, &dir), reader).unwrap();
    let screen = logged_in(&app).await;
    match screen {
        Screen::Login {
            reader_connected,
            message,
        } => {
            assert!(!reader_connected);
            assert_eq!(message.unwrap().code, "reader_not_connected");
        }
        other => panic!("{other:?}"),
    }
    assert!(gateway.requests().is_empty());
}

#[tokio::test]
async fn a_new_app_cancels_what_the_reader_collected_for_a_dead_one() {
    let gateway = FakeGateway::start(scripted(|_| Answer::Json(404, json!({})))).await;
    let dir = tempfile::tempdir().unwrap();
    let reader = FakeReader::plugged();
    let _app = MposApp::new(config(&gateway, &dir), reader.clone()).unwrap();
    assert_eq!(reader.cancels.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn chip_sale_reaches_the_receipt_and_sends_it() {
    let gateway = FakeGateway::start(scripted(|request| match request.path() {
        paths::SALES => Answer::Json(
            201,
            authorization_body(TxnStatus::Approved, 120, Brand::Jcb),
        ),
        "/v1/app/transactions/t1/receipt" => {
            Answer::Json(200, json!({"sent_to": "a***@example.tw"}))
        }
        _ => Answer::Json(
            404,
            serde_json::to_value(ApiError::new(ErrorCode::NotFound)).unwrap(),
        ),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let reader = FakeReader::plugged();
    let app = MposApp::new(config(&gateway, &dir), reader.clone()).unwrap();
    let recorder = Arc::new(Recorder::default());
    app.set_listener(recorder.clone());

    assert!(matches!(logged_in(&app).await, Screen::Home { .. }));
    let screen = to_card(&app, 120, Brand::Jcb).await;
    assert!(matches!(
        screen,
        Screen::PresentCard {
            prompt: CardPrompt::InsertOrSwipe,
            ..
        }
    ));
    assert_eq!(
        reader.started.lock().unwrap()[0].amount,
        Money::twd_dollars(120).unwrap()
    );

    reader.emit(ReaderEvent::CardInserted);
    reader.emit(ReaderEvent::ChipRead(testing::chip_payload(Brand::Jcb)));
    let screen = wait_until(&app, |s| matches!(s, Screen::Receipt { .. })).await;
    match &screen {
        Screen::Receipt {
            receipt_url, qr, ..
        } => {
            assert_eq!(receipt_url, "https://gw.example/r/t1");
            assert_eq!(qr, &crate::QrMatrix::encode(receipt_url).unwrap());
        }
        other => panic!("{other:?}"),
    }
    let sale = &gateway.requests_to(paths::SALES)[0];
    let key = sale.header("idempotency-key").unwrap();
    assert_eq!(key.len(), 32);
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(sale.header("authorization"), Some("Bearer sess-1"));
    assert!(reader.results.lock().unwrap()[0].approved);

    let screen = app
        .act(UserAction::SendReceipt {
            destination: ReceiptDestination::Email("amy@example.tw".into()),
        })
        .await;
    assert!(
        matches!(screen, Screen::Receipt { ref sent_to, .. } if sent_to == &["a***@example.tw"])
    );
    assert!(matches!(
        app.act(UserAction::FinishReceipt).await,
        Screen::Home { .. }
    ));

    // The journal has nothing owed.
    let journal = Journal::open(&dir.path().join("journal.json")).unwrap();
    assert_eq!(journal.in_flight().unwrap(), None);
    // The listener heard the authorization on its way.
    let heard = recorder.screens.lock().unwrap().clone();
    assert!(heard
        .iter()
        .any(|s| matches!(s, Screen::Authorizing { .. })));
}

#[tokio::test]
async fn lost_answer_is_reversed_until_acknowledged_and_never_shown_as_a_result() {
    let reversals = Arc::new(AtomicUsize::new(0));
    let counter = reversals.clone();
    let gateway = FakeGateway::start(scripted(move |request| match request.path() {
        paths::SALES => Answer::Hang,
        paths::REVERSALS => {
            // Two failures, then the acknowledgement.
            if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                Answer::Json(
                    500,
                    serde_json::to_value(ApiError::new(ErrorCode::Internal)).unwrap(),
                )
            } else {
                Answer::Json(200, json!({"acknowledged": true, "transaction_id": "t1"}))
            }
        }
        _ => Answer::Json(404, json!({})),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let reader = FakeReader::plugged();
    let mut settings = config(&gateway, &dir);
    settings.request_timeout_ms = 300;
    let app = MposApp::new(settings, reader.clone()).unwrap();
    let recorder = Arc::new(Recorder::default());
    app.set_listener(recorder.clone());
    logged_in(&app).await;
    to_card(&app, 100, Brand::Visa).await;
    reader.emit(ReaderEvent::ChipRead(testing::chip_payload(Brand::Visa)));

    let screen = wait_until(&app, |s| {
        matches!(
            s,
            Screen::OutcomeUnknown {
                reversal_acknowledged: true,
                ..
            }
        )
    })
    .await;
    match screen {
        Screen::OutcomeUnknown {
            message,
            masked_pan,
            ..
        } => {
            assert_eq!(message.unwrap().code, "not_charged");
            assert_eq!(masked_pan, "411111******1111");
        }
        other => panic!("{other:?}"),
    }
    let key = gateway.requests_to(paths::SALES)[0]
        .header("idempotency-key")
        .unwrap()
        .to_string();
    let sent = gateway.requests_to(paths::REVERSALS);
    assert_eq!(sent.len(), 3);
    for reversal in &sent {
        assert_eq!(reversal.json()["original_idempotency_key"], key.as_str());
        assert_ne!(reversal.header("idempotency-key"), Some(key.as_str()));
        assert_eq!(reversal.json()["reason"], "timeout");
    }
    // Give the listener task a moment, then check nothing claimed a result.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let heard = recorder.screens.lock().unwrap().clone();
    assert!(heard.iter().any(|s| matches!(
        s,
        Screen::OutcomeUnknown {
            reversal_acknowledged: false,
            ..
        }
    )));
    assert!(!heard.iter().any(|s| matches!(
        s,
        Screen::Receipt { .. } | Screen::Declined { .. } | Screen::Signature { .. }
    )));
    assert!(!reader.results.lock().unwrap().iter().any(|r| r.approved));
    let journal = Journal::open(&dir.path().join("journal.json")).unwrap();
    assert_eq!(journal.in_flight().unwrap(), None);
}

#[tokio::test]
async fn approval_the_reader_refuses_is_reversed_and_never_shown_as_approved() {
    let gateway = FakeGateway::start(scripted(|request| match request.path() {
        paths::SALES => Answer::Json(
            201,
            authorization_body(TxnStatus::Approved, 100, Brand::Visa),
        ),
        paths::REVERSALS => {
            Answer::Json(200, json!({"acknowledged": true, "transaction_id": "t1"}))
        }
        _ => Answer::Json(404, json!({})),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let reader = FakeReader::plugged();
    reader.refuse_results.store(true, Ordering::SeqCst);
    let app = MposApp::new(config(&gateway, &dir), reader.clone()).unwrap();
    let recorder = Arc::new(Recorder::default());
    app.set_listener(recorder.clone());
    logged_in(&app).await;
    to_card(&app, 100, Brand::Visa).await;
    reader.emit(ReaderEvent::ChipRead(testing::chip_payload(Brand::Visa)));

    let screen = wait_until(&app, |s| {
        matches!(
            s,
            Screen::OutcomeUnknown {
                reversal_acknowledged: true,
                ..
            }
        )
    })
    .await;
    match screen {
        Screen::OutcomeUnknown { message, .. } => {
            assert_eq!(message.unwrap().code, "not_charged")
        }
        other => panic!("{other:?}"),
    }
    let key = gateway.requests_to(paths::SALES)[0]
        .header("idempotency-key")
        .unwrap()
        .to_string();
    let sent = gateway.requests_to(paths::REVERSALS);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].json()["original_idempotency_key"], key.as_str());
    assert_eq!(sent[0].json()["reason"], "card_declined_after_approval");
    assert!(reader.results.lock().unwrap()[0].approved);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let heard = recorder.screens.lock().unwrap().clone();
    assert!(heard.iter().any(|s| matches!(
        s,
        Screen::OutcomeUnknown {
            reversal_acknowledged: false,
            message: Some(m),
            ..
        } if m.code == "reader_refused_approval"
    )));
    assert!(!heard
        .iter()
        .any(|s| matches!(s, Screen::Receipt { .. } | Screen::Signature { .. })));
    let journal = Journal::open(&dir.path().join("journal.json")).unwrap();
    assert_eq!(journal.in_flight().unwrap(), None);
}

#[tokio::test]
async fn restart_reversal_refused_as_settled_is_not_retried_forever() {
    let gateway = FakeGateway::start(scripted(|request| match request.path() {
        paths::REVERSALS => Answer::Json(
            409,
            serde_json::to_value(ApiError::new(ErrorCode::AlreadySettled)).unwrap(),
        ),
        _ => Answer::Json(404, json!({})),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    left_in_flight(&dir, JournalState::Authorizing);
    let app = MposApp::new(config(&gateway, &dir), FakeReader::plugged()).unwrap();
    let screen = wait_until(&app, |s| matches!(s, Screen::Login { .. })).await;
    match screen {
        Screen::Login { message, .. } => {
            assert_eq!(message.unwrap().code, "reversal_refused_charged")
        }
        other => panic!("{other:?}"),
    }
    // Retries would come every 10 ms; give them time to show up.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(gateway.requests_to(paths::REVERSALS).len(), 1);
    let journal = Journal::open(&dir.path().join("journal.json")).unwrap();
    assert_eq!(journal.in_flight().unwrap(), None);
    assert!(matches!(logged_in(&app).await, Screen::Home { .. }));
    assert_eq!(gateway.requests_to(paths::REVERSALS).len(), 1);
}

fn left_in_flight(dir: &tempfile::TempDir, state: JournalState) {
    let journal = Journal::open(&dir.path().join("journal.json")).unwrap();
    journal
        .apply(&JournalUpdate::Begin(InFlightRecord {
            kind: TxnKind::Sale,
            idempotency_key: "crashed-key".into(),
            username: "amy".into(),
            amount: Money::twd_dollars(500).unwrap(),
            brand: Brand::Visa,
            masked_pan: MaskedPan::from_pan("4111111111111111").unwrap(),
            state,
        }))
        .unwrap();
}

#[tokio::test]
async fn restart_after_a_crash_reverses_first() {
    let gateway = FakeGateway::start(scripted(|request| match request.path() {
        paths::REVERSALS => {
            Answer::Json(200, json!({"acknowledged": true, "transaction_id": null}))
        }
        _ => Answer::Json(404, json!({})),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    left_in_flight(&dir, JournalState::Authorizing);
    let app = MposApp::new(config(&gateway, &dir), FakeReader::plugged()).unwrap();
    assert!(matches!(
        app.screen(),
        Screen::OutcomeUnknown {
            reversal_acknowledged: false,
            ..
        }
    ));
    wait_until(&app, |s| {
        matches!(
            s,
            Screen::OutcomeUnknown {
                reversal_acknowledged: true,
                ..
            }
        )
    })
    .await;
    let reversal = &gateway.requests_to(paths::REVERSALS)[0];
    assert_eq!(reversal.json()["original_idempotency_key"], "crashed-key");
    assert_eq!(reversal.json()["reason"], "interrupted");
    assert!(matches!(
        app.act(UserAction::Back).await,
        Screen::Login { .. }
    ));
}

#[tokio::test]
async fn restart_reversal_that_needs_a_session_is_sent_after_login() {
    // Like the real gateway: reversals need a logged-in session.
    let gateway = FakeGateway::start(scripted(|request| match request.path() {
        paths::REVERSALS if request.header("authorization").is_none() => Answer::Json(
            401,
            serde_json::to_value(ApiError::new(ErrorCode::Unauthorized)).unwrap(),
        ),
        paths::REVERSALS => {
            Answer::Json(200, json!({"acknowledged": true, "transaction_id": null}))
        }
        _ => Answer::Json(404, json!({})),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    left_in_flight(&dir, JournalState::Authorizing);
    let app = MposApp::new(config(&gateway, &dir), FakeReader::plugged()).unwrap();
    let screen = wait_until(&app, |s| matches!(s, Screen::Login { .. })).await;
    match screen {
        Screen::Login { message, .. } => assert_eq!(message.unwrap().code, "reversal_needs_login"),
        other => panic!("{other:?}"),
    }
    match logged_in(&app).await {
        Screen::OutcomeUnknown {
            reversal_acknowledged,
            message,
            ..
        } => {
            assert!(reversal_acknowledged);
            assert_eq!(message.unwrap().code, "not_charged");
        }
        other => panic!("{other:?}"),
    }
    let sent = gateway.requests_to(paths::REVERSALS);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].json()["original_idempotency_key"], "crashed-key");
    assert!(matches!(
        app.act(UserAction::Back).await,
        Screen::Home { .. }
    ));
    let journal = Journal::open(&dir.path().join("journal.json")).unwrap();
    assert_eq!(journal.in_flight().unwrap(), None);
}

#[tokio::test]
async fn restart_with_a_signature_owed_returns_to_it_after_login() {
    let gateway = FakeGateway::start(scripted(|request| match request.path() {
        "/v1/app/transactions/t1" => {
            let approved = testing::summary(
                "t1",
                TxnKind::Sale,
                TxnStatus::Approved,
                Money::twd_dollars(500).unwrap(),
                Brand::Visa,
            );
            Answer::Json(200, serde_json::to_value(approved).unwrap())
        }
        _ => Answer::Json(404, json!({})),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    left_in_flight(&dir, JournalState::Authorizing);
    let journal = Journal::open(&dir.path().join("journal.json")).unwrap();
    journal
        .apply(&JournalUpdate::SetState {
            idempotency_key: "crashed-key".into(),
            state: JournalState::AwaitingSignature {
                transaction_id: "t1".into(),
            },
        })
        .unwrap();
    drop(journal);
    let app = MposApp::new(config(&gateway, &dir), FakeReader::plugged()).unwrap();
    match app.screen() {
        Screen::Login { message, .. } => assert_eq!(message.unwrap().code, "signature_needs_login"),
        other => panic!("{other:?}"),
    }
    match logged_in(&app).await {
        Screen::Signature { transaction, .. } => assert_eq!(transaction.id, "t1"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn query_void_and_settlement_navigation() {
    let approved = testing::summary(
        "t1",
        TxnKind::Sale,
        TxnStatus::Approved,
        Money::twd_minor(10_000),
        Brand::Visa,
    );
    let voided = mpos_wire::api::TransactionSummary {
        status: TxnStatus::Voided,
        ..approved.clone()
    };
    let (a, v) = (approved.clone(), voided.clone());
    let gateway = FakeGateway::start(scripted(move |request| match (request.method.as_str(), request.path()) {
        ("POST", paths::VERIFY_PASSWORD) => Answer::Json(200, json!({"stage": "ready"})),
        ("GET", paths::TRANSACTIONS) => Answer::Json(200, json!({"transactions": [a.clone()]})),
        ("GET", "/v1/app/transactions/t1") => Answer::Json(200, serde_json::to_value(&a).unwrap()),
        ("POST", paths::VOIDS) => Answer::Json(200, serde_json::to_value(&v).unwrap()),
        ("GET", paths::SETTLEMENT_PREVIEW) => Answer::Json(
            200,
            json!({"totals": {"count": 0, "net_total": {"minor": 0, "currency": "TWD"},
                   "sales_count": 0, "sales_total": {"minor": 0, "currency": "TWD"},
                   "refunds_count": 0, "refunds_total": {"minor": 0, "currency": "TWD"}, "per_brand": []},
                   "next_auto_settlement": "2025-03-01T15:00:00Z"}),
        ),
        _ => Answer::Json(404, json!({})),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let app = MposApp::new(config(&gateway, &dir), FakeReader::plugged()).unwrap();
    logged_in(&app).await;
    assert_eq!(
        app.act(UserAction::OpenTransactions).await,
        Screen::QueryPassword { message: None }
    );
    assert!(matches!(
        app.act(UserAction::EnterQueryPassword {
            password: "135790".into()
        })
        .await,
        Screen::TransactionSearch { .. }
    ));
    let criteria = TransactionSearch {
        last4: Some("1111".into()),
        ..Default::default()
    };
    match app.act(UserAction::Search { criteria }).await {
        Screen::TransactionSearch { results, .. } => assert_eq!(results, vec![approved.clone()]),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        gateway.requests_to(paths::TRANSACTIONS)[0].target,
        "/v1/app/transactions?last4=1111"
    );
    match app
        .act(UserAction::OpenTransaction { id: "t1".into() })
        .await
    {
        Screen::TransactionDetail { can_void, .. } => assert!(can_void),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        app.act(UserAction::VoidNow).await,
        Screen::VoidDone {
            transaction: voided.clone()
        }
    );
    let key = gateway.requests_to(paths::VOIDS)[0]
        .header("idempotency-key")
        .unwrap()
        .to_string();
    assert_eq!(key.len(), 32);
    match app.act(UserAction::BackToDetails).await {
        Screen::TransactionDetail { can_void, .. } => assert!(!can_void),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        app.act(UserAction::Back).await,
        Screen::TransactionSearch { .. }
    ));
    match app.act(UserAction::EnterSettlement).await {
        Screen::SettlementReview { preview, message } => {
            assert_eq!(preview.unwrap().totals.count, 0);
            assert_eq!(message.unwrap().code, "nothing_to_settle");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        app.act(UserAction::Back).await,
        Screen::TransactionSearch { .. }
    ));
    assert!(matches!(
        app.act(UserAction::Back).await,
        Screen::Home { .. }
    ));
    assert!(matches!(
        app.act(UserAction::Logout).await,
        Screen::Login { .. }
    ));
    assert_eq!(gateway.requests_to(paths::LOGOUT).len(), 1);
}

/// A listener that reads the app inside the callback: it would deadlock if
/// the app called it with a lock held.
struct Reentrant {
    app: Mutex<Weak<MposApp>>,
    calls: AtomicUsize,
}

impl ScreenListener for Reentrant {
    fn on_screen_changed(&self, _screen: Screen) {
        if let Some(app) = self.app.lock().unwrap().upgrade() {
            let _ = app.screen();
        }
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn listener_may_read_the_app_from_its_callback() {
    let gateway = FakeGateway::start(scripted(|_| Answer::Json(404, json!({})))).await;
    let dir = tempfile::tempdir().unwrap();
    let app = MposApp::new(config(&gateway, &dir), FakeReader::plugged()).unwrap();
    let listener = Arc::new(Reentrant {
        app: Mutex::new(Arc::downgrade(&app)),
        calls: AtomicUsize::new(0),
    });
    app.set_listener(listener.clone());
    assert!(matches!(logged_in(&app).await, Screen::Home { .. }));
    for _ in 0..50 {
        if listener.calls.load(Ordering::SeqCst) >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        listener.calls.load(Ordering::SeqCst) >= 2,
        "initial screen and Home"
    );
}

#[test]
fn without_a_runtime_the_app_starts_its_own() {
    // No tokio runtime here: the app builds one. The fake gateway needs a
    // runtime of its own, on another thread.
    let server = tokio::runtime::Runtime::new().unwrap();
    let gateway = server.block_on(FakeGateway::start(scripted(|_| {
        Answer::Json(404, json!({}))
    })));
    let dir = tempfile::tempdir().unwrap();
    let app = MposApp::new(config(&gateway, &dir), FakeReader::plugged()).unwrap();
    // Any executor can await the app's futures; here a bare current-thread one.
    let caller = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let screen = caller.block_on(logged_in(&app));
    assert!(matches!(screen, Screen::Home { .. }), "{screen:?}");
    drop(app);
    drop(gateway);
}

#[tokio::test]
async fn bad_configuration_is_refused() {
    let gateway = FakeGateway::start(scripted(|_| Answer::Json(404, json!({})))).await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = config(&gateway, &dir);
    settings.pinned_spki_sha256 = "not-hex".into();
    assert!(matches!(
        MposApp::new(settings, FakeReader::plugged()),
        Err(CoreError::InvalidConfig { .. })
    ));
    let mut settings = config(&gateway, &dir);
    settings.gateway_url = gateway.url.replace("https", "http");
    assert!(matches!(
        MposApp::new(settings, FakeReader::plugged()),
        Err(CoreError::InvalidConfig { .. })
    ));
}

#[tokio::test]
async fn a_hanging_search_gives_way_to_cancel_and_the_app_stays_usable() {
    let gateway = FakeGateway::start(scripted(|request| {
        match (request.method.as_str(), request.path()) {
            ("POST", paths::VERIFY_PASSWORD) => Answer::Json(200, json!({"stage": "ready"})),
            ("GET", paths::TRANSACTIONS) => Answer::Hang,
            _ => Answer::Json(404, json!({})),
        }
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut settings = config(&gateway, &dir);
    settings.request_timeout_ms = 30_000;
    let app = MposApp::new(settings, FakeReader::plugged()).unwrap();
    logged_in(&app).await;
    app.act(UserAction::OpenTransactions).await;
    app.act(UserAction::EnterQueryPassword {
        password: "135790".into(),
    })
    .await;
    let searching = {
        let app = app.clone();
        tokio::spawn(async move {
            let criteria = TransactionSearch {
                last4: Some("1111".into()),
                ..Default::default()
            };
            app.act(UserAction::Search { criteria }).await
        })
    };
    // Wait until the request reached the (silent) gateway, then cancel it.
    for _ in 0..200 {
        if !gateway.requests_to(paths::TRANSACTIONS).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = std::time::Instant::now();
    app.cancel();
    let screen = tokio::time::timeout(Duration::from_secs(5), searching)
        .await
        .expect("the cancel ends the wait")
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    match screen {
        Screen::TransactionSearch { message, .. } => {
            assert_eq!(message.unwrap().code, "cancelled")
        }
        other => panic!("{other:?}"),
    }
    // The queue is free again: the next action runs at once.
    assert!(matches!(
        app.act(UserAction::Back).await,
        Screen::Home { .. }
    ));
}

#[tokio::test]
async fn a_shell_drives_the_app_by_edits_and_presses_and_switches_language() {
    use crate::view::{CardBrand, FieldId, Intent, Locale, ScreenId};
    let gateway = FakeGateway::start(scripted(|_| Answer::Json(404, json!({})))).await;
    let dir = tempfile::tempdir().unwrap();
    let app = MposApp::new(config(&gateway, &dir), FakeReader::plugged()).unwrap();
    assert_eq!(app.view().screen, ScreenId::Login);
    assert_eq!(app.view().title, "mPOS log in");
    app.edit(FieldId::Username, "amy".into()).await;
    app.edit(FieldId::Password, "135790".into()).await;
    let home = app.press(Intent::LogIn).await;
    assert_eq!(home.screen, ScreenId::Home);
    assert_eq!(home.subtitle.as_deref(), Some("Tea House"));
    let login = &gateway.requests_to(paths::LOGIN)[0];
    assert_eq!(login.json()["username"], "amy");
    assert_eq!(login.json()["password"], "135790");

    let chinese = app.set_locale(Locale::ZhTw).await;
    assert_eq!(chinese.title, "首頁");
    assert_eq!(chinese.buttons[0].label, "開始接受付款");
    assert_eq!(app.screen(), app.act(UserAction::Back).await, "same screen");

    app.press(Intent::StartSale).await;
    let amount = app.edit(FieldId::Amount, "4800".into()).await;
    assert_eq!(amount.field("金額"), Some("NT$4,800"));
    let amount = app
        .press(Intent::ChooseBrand {
            brand: CardBrand::Jcb,
        })
        .await;
    let chosen = amount.choice.unwrap();
    assert!(chosen
        .options
        .iter()
        .any(|o| o.selected && o.label == "JCB"));
    let card = app.press(Intent::PayNow).await;
    assert_eq!(card.screen, ScreenId::PresentCard);
    assert!(card.keep_screen_on);
    let english = app.set_locale(Locale::En).await;
    assert_eq!(english.title, "Read the card");
    assert_eq!(english.field("Amount"), Some("NT$4,800"));
}

#[tokio::test]
async fn a_denied_microphone_is_explained_until_it_is_allowed() {
    let gateway = FakeGateway::start(scripted(|_| Answer::Json(404, json!({})))).await;
    let dir = tempfile::tempdir().unwrap();
    let app = MposApp::new(config(&gateway, &dir), FakeReader::plugged()).unwrap();
    let denied = app.set_microphone_allowed(false).await;
    assert_eq!(denied.message.unwrap().code, "microphone_needed");
    assert!(app.view().message.unwrap().text.contains("microphone"));
    let allowed = app.set_microphone_allowed(true).await;
    assert_eq!(allowed.message, None);
}

#[tokio::test]
async fn no_sale_leaves_the_phone_when_its_journal_cannot_be_written() {
    let gateway = FakeGateway::start(scripted(|request| match request.path() {
        paths::SALES => Answer::Json(
            201,
            authorization_body(TxnStatus::Approved, 100, Brand::Visa),
        ),
        _ => Answer::Json(404, json!({})),
    }))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let reader = FakeReader::plugged();
    let app = MposApp::new(config(&gateway, &dir), reader.clone()).unwrap();
    logged_in(&app).await;
    to_card(&app, 100, Brand::Visa).await;
    // The storage breaks: every next write of the journal fails (a folder
    // where the write's temporary file must go, which even root cannot replace).
    std::fs::create_dir(dir.path().join("journal.tmp")).unwrap();
    reader.emit(ReaderEvent::ChipRead(testing::chip_payload(Brand::Visa)));
    let screen = wait_until(&app, |s| {
        matches!(
            s,
            Screen::Amount {
                message: Some(_),
                ..
            }
        )
    })
    .await;
    match screen {
        Screen::Amount { message, .. } => {
            assert_eq!(message.unwrap().code, "journal_unavailable")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        gateway.requests_to(paths::SALES).is_empty(),
        "without a journal no sale is sent"
    );
}
