//! A phone of the demo: `mpos-core`'s app with the virtual reader plugged
//! into it, and the screens it shows printed as the user sees them.

use crate::demo::DemoError;
use crate::demo::Report;
use mpos_cards::CardId;
use mpos_core::{AppConfig, MposApp, Screen, UserAction};
use mpos_sim::VirtualReader;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a reader-driven screen change may take (an authorization included).
const SCREEN_TIMEOUT: Duration = Duration::from_secs(20);

/// One phone with its reader.
pub struct Phone {
    /// Who holds it, for the printed screens.
    pub label: &'static str,
    app: Arc<MposApp>,
    reader: Arc<VirtualReader>,
    report: Arc<Report>,
    _data_dir: tempfile::TempDir,
}

impl Phone {
    /// A phone talking to the gateway at `base_url`, pinned to its key.
    pub fn new(
        label: &'static str,
        base_url: String,
        cert_pem: String,
        spki_sha256: String,
        reader_device_id: u32,
        report: Arc<Report>,
    ) -> Result<Phone, DemoError> {
        let data_dir =
            tempfile::tempdir().map_err(|e| DemoError::Setup(format!("phone storage: {e}")))?;
        let reader = Arc::new(VirtualReader::new(
            &mpos_sim::TEST_BDK,
            mpos_sim::test_initial_key_id(reader_device_id),
            format!("SIM-{reader_device_id:08X}"),
            &mpos_sim::TEST_ISSUER_MASTER_KEY,
        ));
        let app = MposApp::new(
            AppConfig {
                gateway_url: base_url,
                trust_root_pem: cert_pem,
                pinned_spki_sha256: spki_sha256,
                data_dir: data_dir.path().display().to_string(),
                request_timeout_ms: 15_000,
                reversal_retry_ms: 500,
            },
            reader.clone(),
        )
        .map_err(|e| DemoError::Setup(format!("phone: {e}")))?;
        Ok(Phone {
            label,
            app,
            reader,
            report,
            _data_dir: data_dir,
        })
    }

    /// Does what the user does and prints the screen that follows.
    pub async fn act(&self, action: UserAction) -> Screen {
        let label = format!("{action:?}");
        let screen = self.app.act(action).await;
        self.report.screen(self.label, &label, &screen);
        screen
    }

    /// The cardholder's or cashier's hands on the reader.
    pub fn reader(&self) -> &VirtualReader {
        &self.reader
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
        self.reader.insert(card);
        self.report.hands(self.label, &format!("inserts {card:?}"));
        self.wait_until(what, done).await
    }

    /// Swipes a card and waits for the screen that follows.
    pub async fn swipe(
        &self,
        card: CardId,
        what: &str,
        done: impl Fn(&Screen) -> bool,
    ) -> Result<Screen, DemoError> {
        self.reader.swipe(card);
        self.report.hands(self.label, &format!("swipes {card:?}"));
        self.wait_until(what, done).await
    }

    /// Takes the card out of the reader.
    pub fn remove_card(&self) {
        self.reader.remove_card();
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
                self.report.screen(self.label, what, &screen);
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
