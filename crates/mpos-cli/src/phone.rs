//! A phone of the demo: `mpos-core`'s app with its audio-jack driver, the
//! virtual reader device in the jack, and nothing between them but audio
//! samples ([`AudioLoop`], in real time); the screens it shows are printed
//! as the user sees them.

use crate::demo::DemoError;
use crate::demo::Report;
use mpos_cards::CardId;
use mpos_core::reader::audio_jack::AudioJackReader;
use mpos_core::{AppConfig, MposApp, Screen, ScreenListener, UserAction};
use mpos_link::LinkProfile;
use mpos_sim::{AudioLoop, AudioLoopConfig, ReaderDevice};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a reader-driven screen change may take (an authorization included).
const SCREEN_TIMEOUT: Duration = Duration::from_secs(20);

/// The phone model the demo's phones report (the key of the link profile).
pub const PHONE_MODEL: &str = "mpos demo phone (48 kHz)";

/// How long the hands wait for the reader's messages to reach the app.
const QUIET: Duration = Duration::from_secs(3);

/// Every screen the app published, in order (some flash by between two looks).
#[derive(Default)]
struct ScreenHistory {
    screens: Mutex<Vec<Screen>>,
}

impl ScreenListener for ScreenHistory {
    fn on_screen_changed(&self, screen: Screen) {
        self.screens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(screen);
    }
}

/// One phone with its reader.
pub struct Phone {
    /// Who holds it, for the printed screens.
    pub label: &'static str,
    app: Arc<MposApp>,
    reader: AudioLoop,
    history: Arc<ScreenHistory>,
    report: Arc<Report>,
    _data_dir: tempfile::TempDir,
}

impl Phone {
    /// A phone talking to the gateway at `base_url`, pinned to its key,
    /// starting from the link `profile` stored for its model, if any.
    pub fn new(
        label: &'static str,
        base_url: String,
        cert_pem: String,
        spki_sha256: String,
        reader_device_id: u32,
        profile: Option<LinkProfile>,
        report: Arc<Report>,
    ) -> Result<Phone, DemoError> {
        let data_dir =
            tempfile::tempdir().map_err(|e| DemoError::Setup(format!("phone storage: {e}")))?;
        let config = AudioLoopConfig::typical_phone();
        let driver = AudioJackReader::new(config.sample_rate, PHONE_MODEL)
            .map_err(|e| DemoError::Setup(format!("audio-jack driver: {e}")))?;
        if let Some(profile) = profile {
            driver.remember_profile(profile);
        }
        let driver = Arc::new(driver);
        let device = ReaderDevice::new(
            config.sample_rate,
            &mpos_sim::TEST_BDK,
            mpos_sim::test_initial_key_id(reader_device_id),
            format!("SIM-{reader_device_id:08X}"),
            &mpos_sim::TEST_ISSUER_MASTER_KEY,
        );
        let reader = AudioLoop::start(driver.clone(), device, config)
            .map_err(|e| DemoError::Setup(format!("audio: {e}")))?;
        let app = MposApp::new(
            AppConfig {
                gateway_url: base_url,
                trust_root_pem: cert_pem,
                pinned_spki_sha256: spki_sha256,
                data_dir: data_dir.path().display().to_string(),
                request_timeout_ms: 15_000,
                reversal_retry_ms: 500,
                locale: report.locale(),
                pin_entry_idle_ms: None,
            },
            driver,
        )
        .map_err(|e| DemoError::Setup(format!("phone: {e}")))?;
        let history = Arc::new(ScreenHistory::default());
        app.set_listener(history.clone());
        Ok(Phone {
            label,
            app,
            reader,
            history,
            report,
            _data_dir: data_dir,
        })
    }

    /// Does what the user does and prints the screen that follows.
    pub async fn act(&self, action: UserAction) -> Screen {
        let label = format!("{action:?}");
        let screen = self.app.act(action).await;
        self.report.screen(self.label, &label, &self.app.view());
        screen
    }

    /// The cardholder's or cashier's hands on the reader (they wait for the
    /// reader to have heard the phone, so call them from a blocking context).
    pub fn reader(&self) -> &AudioLoop {
        &self.reader
    }

    /// How many screens the app has published so far.
    pub fn screens_shown(&self) -> usize {
        self.history
            .screens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// The screens published since the first `from`, once one of them is
    /// `done` or [`QUIET`] has passed: the listener may still be delivering
    /// the screen that [`Phone::wait_until`] saw as current (it did, under
    /// load, and a step found none).
    pub async fn screens_since_until(
        &self,
        from: usize,
        done: impl Fn(&Screen) -> bool,
    ) -> Vec<Screen> {
        let deadline = Instant::now() + QUIET;
        loop {
            let shown = self.screens_since(from);
            if shown.iter().any(&done) || Instant::now() >= deadline {
                return shown;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The screens published since the first `from`.
    fn screens_since(&self, from: usize) -> Vec<Screen> {
        let screens = self
            .history
            .screens
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        screens.get(from..).unwrap_or_default().to_vec()
    }

    /// The link profile the driver learned for this phone model.
    pub fn link_profile(&self) -> Option<LinkProfile> {
        self.reader.phone().profile()
    }

    /// Runs the hands, then waits until the reader's answer reached the app.
    fn hands(&self, action: impl FnOnce(&AudioLoop)) {
        tokio::task::block_in_place(|| {
            action(&self.reader);
            self.reader.wait_quiet(QUIET);
        });
    }

    /// Plugs the reader into the headset jack and waits for the app to notice.
    pub async fn plug_in_reader(&self) -> Result<Screen, DemoError> {
        self.reader.plug_in();
        self.wait_until("reader connected", |screen| {
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

    /// Inserts a card and waits for the screen that follows the authorization.
    pub async fn insert(
        &self,
        card: CardId,
        what: &str,
        done: impl Fn(&Screen) -> bool,
    ) -> Result<Screen, DemoError> {
        self.hands(|reader| reader.insert(card));
        self.report.hands(self.label, &format!("inserts {card:?}"));
        self.wait_until(what, done).await
    }

    /// Inserts a chip card whose chip does not answer and waits for the screen that follows.
    pub async fn insert_unreadable(
        &self,
        card: CardId,
        what: &str,
        done: impl Fn(&Screen) -> bool,
    ) -> Result<Screen, DemoError> {
        self.hands(|reader| reader.insert_with_unreadable_chip(card));
        self.report.hands(
            self.label,
            &format!("inserts {card:?}, its chip unreadable"),
        );
        self.wait_until(what, done).await
    }

    /// Swipes a card and waits for the screen that follows.
    pub async fn swipe(
        &self,
        card: CardId,
        what: &str,
        done: impl Fn(&Screen) -> bool,
    ) -> Result<Screen, DemoError> {
        self.hands(|reader| reader.swipe(card));
        self.report.hands(self.label, &format!("swipes {card:?}"));
        self.wait_until(what, done).await
    }

    /// Takes the card out of the reader.
    pub fn remove_card(&self) {
        self.hands(AudioLoop::remove_card);
    }

    /// Waits until the app shows a screen `done` accepts, printing it.
    pub async fn wait_until(
        &self,
        what: &str,
        done: impl Fn(&Screen) -> bool,
    ) -> Result<Screen, DemoError> {
        let deadline = Instant::now() + SCREEN_TIMEOUT;
        loop {
            let screen = self.app.screen();
            if done(&screen) {
                self.report.screen(self.label, what, &self.app.view());
                return Ok(screen);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(DemoError::Stuck {
                    waiting_for: what.to_string(),
                    screen: format!("{screen:?}"),
                });
            }
            self.app
                .wait_for_screen_change(u64::try_from(left.as_millis()).unwrap_or(u64::MAX))
                .await;
        }
    }
}
