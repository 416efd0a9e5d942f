//! A phone: `mpos-core`'s [`MposApp`] with a virtual reader plugged into
//! its jack, its own app-private storage, and its own async runtime, so a
//! crash can be simulated by stopping that runtime mid-request.
//!
//! The reader is the event-level [`VirtualReader`], or, with
//! [`PhoneOptions::audio`], the reader device on the far end of the audio
//! jack: the app's `AudioJackReader` and the device exchange audio samples
//! only, in real time ([`AudioLoop`]).

use crate::gateway_process::GatewayProcess;
use crate::log_capture::{self, LogCapture};
use crate::screens::{card_handled, signature_strokes};
use crate::world::{Credentials, NEW_PASSWORD};
use mpos_cards::{CardId, TestCard};
use mpos_core::reader::audio_jack::AudioJackReader;
use mpos_core::reader::CardReader;
use mpos_core::{AppConfig, MposApp, Screen, ScreenListener, UserAction};
use mpos_sim::device::KeyScheme;
use mpos_sim::{AudioLoop, AudioLoopConfig, CardHands, ReaderDevice, VirtualReader};
use mpos_wire::api::{BatchSummary, SettlementPreview, TransactionSearch, TransactionSummary};
use mpos_wire::Brand;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

/// How long a screen change may take (a normal authorization included).
pub const SCREEN_TIMEOUT: Duration = Duration::from_secs(30);

/// Each phone's reader gets its own device id, so no two readers share KSNs.
static NEXT_READER: AtomicU32 = AtomicU32::new(0x00E2_E001);

/// How a phone reaches the gateway.
#[derive(Clone)]
pub struct PhoneOptions {
    /// Gateway base URL.
    pub gateway_url: String,
    /// PEM of the trust root the app is built with.
    pub trust_root_pem: String,
    /// Pinned SPKI SHA-256, hex.
    pub pinned_spki_sha256: String,
    /// Time limit of one gateway request.
    pub request_timeout_ms: u64,
    /// Wait between reversal tries.
    pub reversal_retry_ms: u64,
    /// Where the core's tracing output goes, when captured.
    pub log: Option<LogCapture>,
    /// Whether the reader is the device on the far end of the audio jack.
    pub audio: bool,
    /// Whether that device is a legacy reader sealing with TDES DUKPT.
    pub legacy_reader: bool,
    /// How long the PIN pad waits for a touch; `None` for the app's 30 s.
    pub pin_entry_idle_ms: Option<u64>,
}

impl PhoneOptions {
    /// The app as shipped for this gateway: its certificate as trust root, its key pinned.
    pub fn pinned_to(gateway: &GatewayProcess) -> PhoneOptions {
        PhoneOptions {
            gateway_url: gateway.base_url.clone(),
            trust_root_pem: gateway.cert_pem.clone(),
            pinned_spki_sha256: gateway.spki_sha256.clone(),
            request_timeout_ms: 15_000,
            reversal_retry_ms: 300,
            log: None,
            audio: false,
            legacy_reader: false,
            pin_entry_idle_ms: None,
        }
    }

    /// The same phone with its reader on the far end of the audio jack.
    pub fn over_audio(self) -> PhoneOptions {
        PhoneOptions {
            audio: true,
            ..self
        }
    }

    /// The same phone with a legacy (TDES DUKPT) reader on the far end of the audio jack.
    pub fn over_audio_legacy(self) -> PhoneOptions {
        PhoneOptions {
            legacy_reader: true,
            ..self.over_audio()
        }
    }
}

/// The reader in the phone's jack.
enum Reader {
    /// Reader events straight into the app.
    Events(Arc<VirtualReader>),
    /// The reader device, joined to the app's audio-jack driver by audio only.
    Audio(Arc<AudioLoop>),
}

impl Reader {
    fn start(device: u32, audio: bool, legacy: bool) -> Reader {
        let serial = format!("SIM-{device:08X}");
        let initial_key_id = mpos_sim::test_initial_key_id(device);
        if !audio {
            return Reader::Events(Arc::new(VirtualReader::new(
                &mpos_sim::TEST_BDK,
                initial_key_id,
                serial,
                &mpos_sim::TEST_ISSUER_MASTER_KEY,
            )));
        }
        let config = AudioLoopConfig::typical_phone();
        let driver = AudioJackReader::new(config.sample_rate, "e2e phone").expect("48 kHz");
        let keys = if legacy {
            KeyScheme::Tdes {
                bdk: mpos_sim::TEST_TDES_BDK,
                initial_ksn: mpos_sim::test_tdes_initial_ksn(device),
            }
        } else {
            KeyScheme::Aes128 {
                bdk: mpos_sim::TEST_BDK,
                initial_key_id,
            }
        };
        let device = ReaderDevice::with_keys(
            config.sample_rate,
            &keys,
            serial,
            &mpos_sim::TEST_ISSUER_MASTER_KEY,
        );
        let audio = AudioLoop::start(Arc::new(driver), device, config).expect("audio loop");
        Reader::Audio(Arc::new(audio))
    }

    fn card_reader(&self) -> Arc<dyn CardReader> {
        match self {
            Reader::Events(reader) => reader.clone(),
            Reader::Audio(audio) => audio.phone().clone(),
        }
    }

    fn hands(&self) -> &dyn CardHands {
        match self {
            Reader::Events(reader) => reader.as_ref(),
            Reader::Audio(audio) => audio.as_ref(),
        }
    }
}

/// Keeps the Debug text of every screen the app published.
#[derive(Default)]
struct ScreenRecorder {
    seen: Mutex<Vec<String>>,
}

impl ScreenRecorder {
    fn record(&self, screen: &Screen) {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(format!("{screen:?}"));
    }
}

impl ScreenListener for ScreenRecorder {
    fn on_screen_changed(&self, screen: Screen) {
        self.record(&screen);
    }
}

/// One phone with its reader.
pub struct Phone {
    app: Arc<MposApp>,
    runtime: Option<Runtime>,
    reader: Reader,
    config: AppConfig,
    log: Option<LogCapture>,
    screens: Arc<ScreenRecorder>,
    data_dir: tempfile::TempDir,
}

impl Phone {
    /// Installs and opens the app (reader not plugged in yet).
    pub fn start(options: PhoneOptions) -> Phone {
        let data_dir = tempfile::tempdir().expect("phone storage");
        let device = NEXT_READER.fetch_add(1, Ordering::SeqCst);
        let reader = Reader::start(device, options.audio, options.legacy_reader);
        let config = AppConfig {
            gateway_url: options.gateway_url,
            trust_root_pem: options.trust_root_pem,
            pinned_spki_sha256: options.pinned_spki_sha256,
            data_dir: data_dir.path().display().to_string(),
            request_timeout_ms: options.request_timeout_ms,
            reversal_retry_ms: options.reversal_retry_ms,
            locale: mpos_core::view::Locale::ZhTw,
            pin_entry_idle_ms: options.pin_entry_idle_ms,
        };
        let screens = Arc::new(ScreenRecorder::default());
        let (runtime, app) = launch(
            &config,
            reader.card_reader(),
            options.log.as_ref(),
            &screens,
        );
        Phone {
            app,
            runtime: Some(runtime),
            reader,
            config,
            log: options.log,
            screens,
            data_dir,
        }
    }

    /// Kills the app the hard way (its runtime stops, whatever it was
    /// doing), then opens it again on the same storage, as after a crash.
    pub async fn restart(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            tokio::task::spawn_blocking(move || runtime.shutdown_timeout(Duration::from_secs(5)))
                .await
                .expect("runtime shut down");
        }
        let (runtime, app) = launch(
            &self.config,
            self.reader.card_reader(),
            self.log.as_ref(),
            &self.screens,
        );
        // The old app object goes only now, after every task holding it was dropped.
        self.app = app;
        self.runtime = Some(runtime);
    }

    /// The event-level reader, for what only it records (the host's last answer).
    pub fn reader(&self) -> &VirtualReader {
        match &self.reader {
            Reader::Events(reader) => reader,
            Reader::Audio(_) => panic!("this phone's reader is on the audio path: use audio()"),
        }
    }

    /// The audio path and the reader device, for a phone built [`PhoneOptions::over_audio`].
    pub fn audio(&self) -> &AudioLoop {
        match &self.reader {
            Reader::Audio(audio) => audio,
            Reader::Events(_) => panic!("this phone's reader is event-level: use reader()"),
        }
    }

    /// The cardholder's or cashier's hands on whichever reader the phone has.
    /// On the audio path they wait for the reader to be quiet: call them from
    /// a multi-threaded runtime.
    pub fn hands(&self) -> &dyn CardHands {
        self.reader.hands()
    }

    /// Runs the hands; on the audio path, off the async workers.
    fn use_hands(&self, action: impl FnOnce(&dyn CardHands)) {
        match &self.reader {
            Reader::Events(reader) => action(reader.as_ref()),
            Reader::Audio(audio) => tokio::task::block_in_place(|| action(audio.as_ref())),
        }
    }

    /// The app-private storage directory.
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// The Debug text of every screen the app showed so far.
    pub fn screens_seen(&self) -> Vec<String> {
        self.screens
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The current screen, drawn as the shells see it.
    pub fn view(&self) -> mpos_core::view::ScreenView {
        self.app.view()
    }

    /// What the platform tells the app of the phone's battery.
    pub async fn set_phone_power(&self, power: Option<mpos_core::PhonePower>) {
        self.app.set_phone_power(power).await;
    }

    /// The current screen.
    pub fn screen(&self) -> Screen {
        let screen = self.app.screen();
        self.screens.record(&screen);
        screen
    }

    /// Does what the user does; returns the screen that follows.
    pub async fn act(&self, action: UserAction) -> Screen {
        let screen = self.app.act(action).await;
        self.screens.record(&screen);
        screen
    }

    /// Waits until the app shows a screen `done` accepts (the current one counts).
    pub async fn wait_until(&self, what: &str, done: impl Fn(&Screen) -> bool) -> Screen {
        let deadline = Instant::now() + SCREEN_TIMEOUT;
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "waited {SCREEN_TIMEOUT:?} for {what}; the app still shows {screen:?}"
            );
            self.app.wait_for_screen_change(millis(left)).await;
        }
    }

    /// Does something to the reader, then waits for a screen change that `done` accepts.
    async fn after_reader(
        &self,
        what: &str,
        hands: impl FnOnce(&dyn CardHands),
        done: impl Fn(&Screen) -> bool,
    ) -> Screen {
        // Marks the current screen as seen, so only a change counts.
        self.screen();
        self.use_hands(hands);
        let deadline = Instant::now() + SCREEN_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "waited {SCREEN_TIMEOUT:?} after {what}; the app still shows {:?}",
                self.app.screen()
            );
            let screen = self.app.wait_for_screen_change(millis(left)).await;
            self.screens.record(&screen);
            if done(&screen) && Instant::now() < deadline {
                return screen;
            }
        }
    }

    /// Plugs the reader into the jack and waits for the app to notice.
    pub async fn plug_in(&self) -> Screen {
        self.use_hands(|hands| hands.plug_in());
        self.wait_until("the reader to be connected", |screen| {
            matches!(
                screen,
                Screen::Login {
                    reader_connected: true,
                    ..
                } | Screen::Home {
                    reader_connected: true,
                    ..
                }
            )
        })
        .await
    }

    /// Pulls the reader out and waits for the app to notice.
    pub async fn unplug(&self) -> Screen {
        self.use_hands(|hands| hands.unplug());
        self.wait_until("the reader to be disconnected", |screen| {
            matches!(
                screen,
                Screen::Login {
                    reader_connected: false,
                    ..
                } | Screen::Home {
                    reader_connected: false,
                    ..
                }
            )
        })
        .await
    }

    /// Inserts a chip card; waits until the app has dealt with it.
    pub async fn insert(&self, card: CardId) -> Screen {
        self.after_reader(
            &format!("inserting {card:?}"),
            |r| r.insert(card),
            card_handled,
        )
        .await
    }

    /// Inserts a chip card whose chip does not answer; waits until the app has dealt with it.
    pub async fn insert_unreadable(&self, card: CardId) -> Screen {
        self.after_reader(
            &format!("inserting {card:?} with an unreadable chip"),
            |r| r.insert_with_unreadable_chip(card),
            card_handled,
        )
        .await
    }

    /// Swipes a card; waits until the app has dealt with it.
    pub async fn swipe(&self, card: CardId) -> Screen {
        self.after_reader(
            &format!("swiping {card:?}"),
            |r| r.swipe(card),
            card_handled,
        )
        .await
    }

    /// Takes the card out of the slot.
    pub fn remove_card(&self) {
        self.use_hands(|hands| hands.remove_card());
    }

    /// "Log in" with these credentials.
    pub async fn login(&self, username: &str, password: &str) -> Screen {
        self.act(UserAction::Login {
            username: username.into(),
            password: password.into(),
        })
        .await
    }

    /// First login: default password, activation code, then [`NEW_PASSWORD`].
    pub async fn first_login(&self, credentials: &Credentials) -> Screen {
        let screen = self
            .login(&credentials.username, &credentials.default_password)
            .await;
        assert!(
            matches!(screen, Screen::Activation { message: None }),
            "the default password leads to the activation code, got {screen:?}"
        );
        let screen = self
            .act(UserAction::SubmitActivationCode {
                code: credentials.activation_code.clone(),
            })
            .await;
        assert!(
            matches!(screen, Screen::NewPassword { message: None }),
            "the activation code leads to the new password, got {screen:?}"
        );
        self.act(UserAction::SetNewPassword {
            password: NEW_PASSWORD.into(),
            confirmation: NEW_PASSWORD.into(),
        })
        .await
    }

    /// From home: "Start accepting payment", amount, brand, "Pay now".
    pub async fn start_sale(&self, dollars: u64, brand: Brand) -> Screen {
        self.open_amount(UserAction::StartSale, dollars, brand)
            .await;
        self.act(UserAction::PayNow).await
    }

    /// From home: "Start accepting refund", amount, brand, "Refund now",
    /// the original authorization code, "Continue".
    pub async fn start_refund(&self, dollars: u64, brand: Brand, auth_code: &str) -> Screen {
        self.open_amount(UserAction::StartRefund, dollars, brand)
            .await;
        let screen = self.act(UserAction::RefundNow).await;
        assert!(
            matches!(screen, Screen::RefundAuthCode { .. }),
            "a refund asks for the original authorization code, got {screen:?}"
        );
        self.act(UserAction::EnterOriginalAuthCode {
            code: auth_code.into(),
        })
        .await;
        self.act(UserAction::ContinueRefund).await
    }

    async fn open_amount(&self, start: UserAction, dollars: u64, brand: Brand) {
        let screen = self.screen();
        assert!(
            matches!(screen, Screen::Home { .. }),
            "a payment starts at home, the app shows {screen:?}"
        );
        let screen = self.act(start).await;
        assert!(
            matches!(screen, Screen::Amount { .. }),
            "the amount screen opens, got {screen:?}"
        );
        self.act(UserAction::EnterAmount { dollars }).await;
        self.act(UserAction::ChooseBrand { brand }).await;
    }

    /// The cardholder signs and confirms; returns the receipt screen.
    pub async fn sign(&self) -> Screen {
        for points in signature_strokes() {
            self.act(UserAction::AddSignatureStroke { points }).await;
        }
        let screen = self.act(UserAction::ConfirmSignature).await;
        assert!(
            matches!(screen, Screen::Receipt { .. }),
            "the signature leads to the e-receipt, got {screen:?}"
        );
        screen
    }

    /// An approved chip sale from home back to home, signed when asked; returns it.
    pub async fn chip_sale(&self, dollars: u64, brand: Brand, card: CardId) -> TransactionSummary {
        let screen = self.start_sale(dollars, brand).await;
        assert!(
            matches!(screen, Screen::PresentCard { .. }),
            "Pay now asks for the card, got {screen:?}"
        );
        let mut screen = self.insert(card).await;
        if matches!(screen, Screen::PinEntry { .. }) {
            screen = self.enter_pin(TestCard::get(card).pin).await;
        }
        self.remove_card();
        let transaction = match screen {
            Screen::Signature { .. } => match self.sign().await {
                Screen::Receipt { transaction, .. } => transaction,
                _ => unreachable!("sign() returns the receipt"),
            },
            Screen::Receipt { transaction, .. } => transaction,
            other => panic!("a NT${dollars} {brand:?} sale with {card:?} ended on {other:?}"),
        };
        self.finish_receipt().await;
        transaction
    }

    /// The cardholder types `pin` on the reader's keypad (each digit's key
    /// position) and confirms; returns the screen after the authorization.
    pub async fn enter_pin(&self, pin: &str) -> Screen {
        let screen = self
            .wait_until("the reader's keypad", |s| {
                matches!(
                    s,
                    Screen::PinEntry {
                        keypad: Some(_),
                        sent: false,
                        ..
                    }
                )
            })
            .await;
        let Screen::PinEntry {
            keypad: Some(keypad),
            ..
        } = screen
        else {
            unreachable!("waited for the keypad");
        };
        for digit in pin.bytes().map(|b| b - b'0') {
            let key = keypad
                .digits
                .iter()
                .position(|&shown| shown == digit)
                .expect("every digit is on the keypad");
            self.act(UserAction::PinKey { key: key as u8 }).await;
        }
        self.act(UserAction::ConfirmPin).await;
        self.wait_until("the PIN's authorization", |s| {
            !matches!(
                s,
                Screen::PinEntry { .. } | Screen::Authorizing { .. } | Screen::Loading { .. }
            )
        })
        .await
    }

    /// "Done" on the receipt: back home.
    pub async fn finish_receipt(&self) -> Screen {
        let screen = self.act(UserAction::FinishReceipt).await;
        assert!(
            matches!(screen, Screen::Home { .. }),
            "finishing the receipt returns home, got {screen:?}"
        );
        screen
    }

    /// Leaves a payment that did not go through (amount screen, decline...) for home.
    pub async fn cancel_payment(&self) -> Screen {
        let screen = self.act(UserAction::CancelPayment).await;
        assert!(
            matches!(screen, Screen::Home { .. }),
            "cancelling the payment returns home, got {screen:?}"
        );
        screen
    }

    /// Main menu "Transaction details" and the password again: the search screen.
    pub async fn open_transactions(&self) -> Screen {
        let screen = self.act(UserAction::OpenTransactions).await;
        assert!(
            matches!(screen, Screen::QueryPassword { .. }),
            "transaction details ask for the password again, got {screen:?}"
        );
        let screen = self
            .act(UserAction::EnterQueryPassword {
                password: NEW_PASSWORD.into(),
            })
            .await;
        assert!(
            matches!(screen, Screen::TransactionSearch { .. }),
            "the password opens the search, got {screen:?}"
        );
        screen
    }

    /// Searches by one criterion; returns the unsettled transactions listed.
    pub async fn search(&self, criteria: TransactionSearch) -> Vec<TransactionSummary> {
        match self.act(UserAction::Search { criteria }).await {
            Screen::TransactionSearch { results, .. } => results,
            other => panic!("a search shows results, got {other:?}"),
        }
    }

    /// From the search: "Enter settlement"; returns the loaded preview.
    pub async fn settlement_preview(&self) -> SettlementPreview {
        let screen = self.act(UserAction::EnterSettlement).await;
        match screen {
            Screen::SettlementReview {
                preview: Some(preview),
                ..
            } => preview,
            other => panic!("Enter settlement shows the pending totals, got {other:?}"),
        }
    }

    /// On the settlement review: "Settle now"; returns the closed batch.
    pub async fn settle_now(&self) -> BatchSummary {
        match self.act(UserAction::SettleNow).await {
            Screen::SettlementDone { batch } => batch,
            other => panic!("Settle now closes a batch, got {other:?}"),
        }
    }
}

impl Drop for Phone {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Starts a runtime and the app on it.
fn launch(
    config: &AppConfig,
    reader: Arc<dyn CardReader>,
    log: Option<&LogCapture>,
    screens: &Arc<ScreenRecorder>,
) -> (Runtime, Arc<MposApp>) {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(2).thread_name("phone").enable_all();
    if let Some(log) = log {
        let dispatch = log.dispatch();
        builder.on_thread_start(move || log_capture::install_on_this_thread(&dispatch));
    }
    let runtime = builder.build().expect("phone runtime");
    let start = || {
        let _inside = runtime.enter();
        MposApp::new(config.clone(), reader.clone()).expect("the app starts")
    };
    let app = match log {
        Some(log) => tracing::dispatcher::with_default(&log.dispatch(), start),
        None => start(),
    };
    app.set_listener(screens.clone());
    (runtime, app)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
