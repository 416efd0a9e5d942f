//! [`MposApp`]: the one object a shell holds. It draws what
//! [`ViewListener::on_view`] hands it and sends back edits, presses,
//! signature strokes, the back button and the language.

use crate::audio_jack::AudioJack;
use crate::error::MposError;
use crate::task_handle::TaskHandle;
use mpos_core::view::{FieldId, Intent, Locale, ScreenView, SignaturePoint};
use mpos_core::{AppConfig, PhonePower};
use std::future::Future;
use std::sync::Arc;

/// Told every new view, in order, from one of the core's threads; a shell
/// hands it to its UI thread (Kotlin `Flow`, Swift `AsyncStream`).
#[uniffi::export(with_foreign)]
pub trait ViewListener: Send + Sync {
    /// The screen to draw now.
    fn on_view(&self, view: ScreenView);
}

/// The phone app.
#[derive(uniffi::Object)]
pub struct MposApp {
    core: Arc<mpos_core::MposApp>,
    /// The reader stays alive as long as the app.
    _reader: Arc<AudioJack>,
}

impl MposApp {
    /// Runs `work` on the core's runtime and waits for it without
    /// blocking: the future the shell awaits only waits on a join handle.
    async fn on_core<F>(&self, work: F) -> ScreenView
    where
        F: Future<Output = ScreenView> + Send + 'static,
    {
        match self.core.runtime_handle().spawn(work).await {
            Ok(view) => view,
            // Only a runtime shutting down cancels it; show what is there.
            Err(_) => self.core.view(),
        }
    }
}

#[uniffi::export]
impl MposApp {
    /// Starts the app on its own runtime: checks `config`, opens the
    /// journal in `config.data_dir`, listens to `reader`, and resumes what
    /// an earlier run left in flight (a reversal or a signature).
    #[uniffi::constructor]
    pub fn new(config: AppConfig, reader: Arc<AudioJack>) -> Result<Arc<MposApp>, MposError> {
        let core = mpos_core::MposApp::new(config, reader.reader())?;
        Ok(Arc::new(MposApp {
            core,
            _reader: reader,
        }))
    }

    /// The screen to draw now.
    pub fn view(&self) -> ScreenView {
        self.core.view()
    }

    /// Tells `listener` the current view at once, then every change, until
    /// the returned handle is cancelled or dropped.
    pub fn subscribe(&self, listener: Arc<dyn ViewListener>) -> Arc<TaskHandle> {
        let mut frames = self.core.subscribe();
        let task = self.core.runtime_handle().spawn(async move {
            while let Some(frame) = frames.recv().await {
                listener.on_view(frame.view);
            }
        });
        Arc::new(TaskHandle::new(task))
    }

    /// A button or option pressed; returns the view after everything it caused.
    pub async fn press(&self, intent: Intent) -> ScreenView {
        let core = self.core.clone();
        self.on_core(async move { core.press(intent).await }).await
    }

    /// An input's text changed.
    pub async fn edit(&self, field: FieldId, text: String) -> ScreenView {
        let core = self.core.clone();
        self.on_core(async move { core.edit(field, text).await })
            .await
    }

    /// One stroke on the signature pad (pen down to pen up), in a 0..=1000 square.
    pub async fn add_stroke(&self, points: Vec<SignaturePoint>) -> ScreenView {
        let core = self.core.clone();
        self.on_core(async move { core.add_stroke(points).await })
            .await
    }

    /// The system back button: does what the screen's back does and
    /// returns `true`, or returns `false` when the screen has no back (the
    /// shell then lets the system handle it).
    pub async fn back(&self) -> bool {
        let Some(intent) = self.core.view().back else {
            return false;
        };
        self.press(intent).await;
        true
    }

    /// Switches every string to `locale`.
    pub async fn set_locale(&self, locale: Locale) -> ScreenView {
        let core = self.core.clone();
        self.on_core(async move { core.set_locale(locale).await })
            .await
    }

    /// The platform allowed or denied the microphone (the reader's uplink);
    /// while denied, the login and home screens say how to allow it.
    pub async fn set_microphone_allowed(&self, allowed: bool) -> ScreenView {
        let core = self.core.clone();
        self.on_core(async move { core.set_microphone_allowed(allowed).await })
            .await
    }

    /// The phone's battery as the platform reads it (Android's
    /// `BatteryManager`, iOS's `UIDevice`), for the pre-shift check;
    /// `None` when the platform cannot tell.
    pub async fn set_phone_power(&self, power: Option<PhonePower>) -> ScreenView {
        let core = self.core.clone();
        self.on_core(async move { core.set_phone_power(power).await })
            .await
    }

    /// Cancels the gateway request running now, if it moves no money.
    pub fn cancel(&self) {
        self.core.cancel();
    }
}

/// The app's language for the platform's language tag (`zh-Hant-TW`,
/// `en-US`...): English for English, Traditional Chinese otherwise.
#[uniffi::export]
pub fn locale_for_tag(tag: String) -> Locale {
    Locale::from_tag(&tag)
}
