//! [`MposApp`]: the one object the shells hold. It owns the navigation
//! state, runs every command the flows ask for, and publishes a [`Frame`]
//! after each change: the [`Screen`] and its [`ScreenView`] in the user's
//! locale. Shells draw the view and send back edits and presses; Rust
//! callers (tests, the demo) may act with typed [`UserAction`]s.
//!
//! Runtime: `MposApp::new` uses the tokio runtime it is called from, if
//! any (tests, the desktop demo); otherwise it starts its own (2 worker
//! threads), as a mobile shell needs. Nothing blocks a thread: `act` and
//! `wait_for_screen_change` only await, from any executor.
//!
//! One task, the app's actor, owns the engine. Inputs (user actions,
//! reader events, timers) queue up and are handled one at a time, each
//! with every command it causes, feeding each reply back: while a
//! reversal is retried, later inputs wait, since nothing else may happen
//! before the outcome is settled. Waits are the flows' own timers, so a
//! reversal's backoff leaves the queue free between tries.

mod driver;
mod engine;
mod screen;

pub use crate::flows::payment::CardPrompt;
pub use crate::model::screen::Screen;
pub use crate::model::self_check::{
    CheckItem, CheckLine, CheckStatus, Finding, LinkQuality, PhonePower, ProfileOrigin,
};
pub use crate::model::user_action::UserAction;

use crate::error::CoreError;
use crate::flows::timing::{RetryPolicy, Timing};
use crate::flows::Command;
use crate::host::{HostClient, HostConfig};
use crate::journal::Journal;
use crate::model::in_flight::resume_decision;
use crate::model::reader::ReaderEvent;
use crate::model::timer::Timer;
use crate::reader::{CardReader, ReaderEventSink};
use crate::view::{
    self, Activity, FieldId, Form, Intent, Locale, Press, ScreenId, ScreenView, SignaturePoint,
};
use driver::{cancelled_reply, new_idempotency_key, Driver};
use engine::{Engine, Input};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::{Handle, Runtime};
use tokio::sync::{mpsc, oneshot, watch};

/// How the app reaches the gateway and where it keeps its journal.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AppConfig {
    /// Gateway base URL, `https://...`.
    pub gateway_url: String,
    /// PEM of the gateway's trust root.
    pub trust_root_pem: String,
    /// SHA-256 of the gateway certificate's SubjectPublicKeyInfo, hex: the
    /// current key, then, comma-separated, the backup key of the next rotation.
    pub pinned_spki_sha256: String,
    /// App-private directory for the journal.
    pub data_dir: String,
    /// Time limit of one gateway request.
    pub request_timeout_ms: u64,
    /// Wait after a reversal's first failed try; it doubles per failure, to 30 s.
    pub reversal_retry_ms: u64,
    /// The language of the screens at start (the phone's; changeable later).
    pub locale: Locale,
    /// How long the PIN pad waits for a touch before it closes; `None`
    /// (the shells' default) for the shipped 30 s. Tests shorten it.
    #[cfg_attr(feature = "uniffi", uniffi(default))]
    pub pin_entry_idle_ms: Option<u64>,
}

/// Told about every new screen; never called while the app holds a lock.
pub trait ScreenListener: Send + Sync {
    /// The screen changed.
    fn on_screen_changed(&self, screen: Screen);
}

/// What the app shows: the screen and its view in the user's locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The screen, language-neutral.
    pub screen: Screen,
    /// The screen ready to draw.
    pub view: ScreenView,
}

/// The newest frame and its number (1 for the first change).
#[derive(Debug, Clone)]
struct Published {
    version: u64,
    frame: Frame,
}

/// Something for the actor; `done` hears when it and its commands are through.
enum Job {
    /// A user action.
    Action {
        action: UserAction,
        done: oneshot::Sender<()>,
    },
    /// A button or option pressed.
    Press {
        intent: Intent,
        done: oneshot::Sender<()>,
    },
    /// An input edited.
    Edit {
        field: FieldId,
        text: String,
        done: oneshot::Sender<()>,
    },
    /// The language changed.
    Locale(Locale, oneshot::Sender<()>),
    /// The platform allowed or denied the microphone.
    Microphone(bool, oneshot::Sender<()>),
    /// The platform read the phone's battery.
    PhonePower(Option<PhonePower>, oneshot::Sender<()>),
    /// A reader event.
    Reader(ReaderEvent),
    /// A flow's timer ran out.
    Timer(Timer),
}

/// The app object.
pub struct MposApp {
    jobs: mpsc::UnboundedSender<Job>,
    published: watch::Sender<Published>,
    subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Frame>>>>,
    listener_task: Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// The frame version last returned to the caller.
    seen: AtomicU64,
    cancel: watch::Sender<u64>,
    handle: Handle,
    runtime: Mutex<Option<Runtime>>,
}

/// Forwards reader events into the app's queue; does not keep it open.
struct EventSink {
    jobs: mpsc::WeakUnboundedSender<Job>,
}

impl ReaderEventSink for EventSink {
    fn on_reader_event(&self, event: ReaderEvent) {
        // After the app is gone the queue is closed and events are dropped.
        if let Some(jobs) = self.jobs.upgrade() {
            let _ = jobs.send(Job::Reader(event));
        }
    }
}

impl MposApp {
    /// Builds the app: checks the configuration, opens the journal, registers
    /// with the reader and resumes whatever a previous run left in flight.
    /// Screens are in Traditional Chinese until [`MposApp::set_locale`].
    pub fn new(config: AppConfig, reader: Arc<dyn CardReader>) -> Result<Arc<MposApp>, CoreError> {
        let invalid = |reason: String| CoreError::InvalidConfig { reason };
        let host = HostClient::new(&HostConfig {
            gateway_url: config.gateway_url.clone(),
            trust_root_pem: config.trust_root_pem.clone(),
            pinned_spki_sha256: config.pinned_spki_sha256.clone(),
            request_timeout: Duration::from_millis(config.request_timeout_ms.max(1)),
        })
        .map_err(|e| invalid(e.to_string()))?;
        let data_dir = PathBuf::from(&config.data_dir);
        std::fs::create_dir_all(&data_dir).map_err(|e| invalid(format!("data_dir: {e}")))?;
        let journal =
            Journal::open(&data_dir.join("journal.json")).map_err(|e| CoreError::Journal {
                reason: e.to_string(),
            })?;
        let left = journal.in_flight().map_err(|e| CoreError::Journal {
            reason: e.to_string(),
        })?;

        let (runtime, handle) = match Handle::try_current() {
            Ok(handle) => (None, handle),
            Err(_) => {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("mpos-core")
                    .enable_all()
                    .build()
                    .map_err(|e| CoreError::Runtime {
                        reason: e.to_string(),
                    })?;
                let handle = runtime.handle().clone();
                (Some(runtime), handle)
            }
        };

        let timing = Timing {
            reversal_retry: RetryPolicy {
                first_ms: config.reversal_retry_ms,
                max_ms: Timing::default().reversal_retry.max_ms,
            },
            pin_entry_idle_ms: config
                .pin_entry_idle_ms
                .map_or(Timing::default().pin_entry_idle_ms, |ms| ms.max(1)),
            ..Timing::default()
        };
        let (engine, startup) =
            Engine::start(resume_decision(left), reader.info().is_some(), timing);
        let form = Form::new();
        let locale = config.locale;
        let (published, _) = watch::channel(Published {
            version: 0,
            frame: frame(&engine, &form, Activity::default(), locale),
        });
        let (jobs, queue) = mpsc::unbounded_channel();
        let (cancel, cancelled) = watch::channel(0);
        let subscribers = Arc::new(Mutex::new(Vec::new()));
        let actor = Actor {
            engine,
            driver: Driver {
                host,
                reader: reader.clone(),
                journal,
            },
            jobs: jobs.downgrade(),
            published: published.clone(),
            subscribers: subscribers.clone(),
            cancelled,
            form,
            locale,
            activity: Activity::default(),
        };
        handle.spawn(actor.run(queue, startup));
        reader.set_event_sink(Arc::new(EventSink {
            jobs: jobs.downgrade(),
        }));
        // A new app owns no reader transaction: one an earlier, killed app
        // left running would read the next card for that app's amount.
        reader.cancel();
        Ok(Arc::new(MposApp {
            jobs,
            published,
            subscribers,
            listener_task: Mutex::new(None),
            seen: AtomicU64::new(0),
            cancel,
            handle,
            runtime: Mutex::new(runtime),
        }))
    }

    /// The current screen.
    pub fn screen(&self) -> Screen {
        self.looked_at().screen
    }

    /// The current screen, ready to draw.
    pub fn view(&self) -> ScreenView {
        self.looked_at().view
    }

    /// The current frame, remembered as seen by [`MposApp::wait_for_screen_change`].
    fn looked_at(&self) -> Frame {
        let published = self.published.borrow();
        self.seen.store(published.version, Ordering::SeqCst);
        published.frame.clone()
    }

    /// Runs an action and every command it causes, then returns the new screen.
    pub async fn act(&self, action: UserAction) -> Screen {
        self.run_job(|done| Job::Action { action, done }).await;
        self.screen()
    }

    /// A button or option pressed: runs what it asks with the inputs' text,
    /// then returns the new view. [`Intent::CancelRequest`] cancels the
    /// request running now (see [`MposApp::cancel`]) without waiting for it.
    pub async fn press(&self, intent: Intent) -> ScreenView {
        if intent == Intent::CancelRequest {
            self.cancel();
            return self.view();
        }
        self.run_job(|done| Job::Press { intent, done }).await;
        self.view()
    }

    /// An input's text changed.
    pub async fn edit(&self, field: FieldId, text: String) -> ScreenView {
        self.run_job(|done| Job::Edit { field, text, done }).await;
        self.view()
    }

    /// One pen stroke on the signature pad, pen down to pen up.
    pub async fn add_stroke(&self, points: Vec<SignaturePoint>) -> ScreenView {
        let points = points
            .into_iter()
            .map(|p| mpos_wire::api::Point { x: p.x, y: p.y })
            .collect();
        self.act(UserAction::AddSignatureStroke { points }).await;
        self.view()
    }

    /// Switches every string of every screen to `locale`.
    pub async fn set_locale(&self, locale: Locale) -> ScreenView {
        self.run_job(|done| Job::Locale(locale, done)).await;
        self.view()
    }

    /// The platform's answer about the microphone: without it the reader
    /// cannot be heard, and the login and home screens say how to allow it.
    pub async fn set_microphone_allowed(&self, allowed: bool) -> ScreenView {
        self.run_job(|done| Job::Microphone(allowed, done)).await;
        self.view()
    }

    /// The phone's battery as the platform reads it, for the pre-shift
    /// check (`None`: the platform cannot tell).
    pub async fn set_phone_power(&self, power: Option<PhonePower>) -> ScreenView {
        self.run_job(|done| Job::PhonePower(power, done)).await;
        self.view()
    }

    async fn run_job(&self, job: impl FnOnce(oneshot::Sender<()>) -> Job) {
        let (done, finished) = oneshot::channel();
        if self.jobs.send(job(done)).is_ok() {
            let _ = finished.await;
        }
    }

    /// Cancels the gateway request running now, if it moves no money (a
    /// login, a search, a receipt...): its flow hears it was cancelled.
    /// Sales, refunds, reversals, voids and settlement always run to their end.
    pub fn cancel(&self) {
        self.cancel.send_modify(|generation| *generation += 1);
    }

    /// Every frame from now on, in order, starting with the current one.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<Frame> {
        let (sender, frames) = mpsc::unbounded_channel();
        let mut subscribers = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        // Under the lock, so no frame published meanwhile is missed or doubled.
        let _ = sender.send(self.published.borrow().frame.clone());
        subscribers.push(sender);
        frames
    }

    /// Sets the listener; it is told the current screen at once, then every change.
    pub fn set_listener(&self, listener: Arc<dyn ScreenListener>) {
        let mut frames = self.subscribe();
        let task = self.handle.spawn(async move {
            let mut last = None;
            while let Some(frame) = frames.recv().await {
                // A view-only change (language, busy, inputs) is no new screen.
                if last.as_ref() != Some(&frame.screen) {
                    last = Some(frame.screen.clone());
                    listener.on_screen_changed(frame.screen);
                }
            }
        });
        let previous = self
            .listener_task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(task);
        if let Some(previous) = previous {
            previous.abort();
        }
    }

    /// Waits until the frame differs from the one last returned by
    /// `screen`, `view`, `act`, `press` or this method (reader-driven
    /// changes), or until the timeout; returns the screen then.
    pub async fn wait_for_screen_change(&self, timeout_ms: u64) -> Screen {
        let seen = self.seen.load(Ordering::SeqCst);
        let mut versions = self.published.subscribe();
        // Frames change for views too (busy, language): callers look again.
        let changed = versions.wait_for(|published| published.version > seen);
        let _ = tokio::time::timeout(Duration::from_millis(timeout_ms), changed).await;
        self.screen()
    }

    /// The runtime the app runs on (the caller's, or its own).
    pub fn runtime_handle(&self) -> Handle {
        self.handle.clone()
    }
}

impl Drop for MposApp {
    fn drop(&mut self) {
        if let Some(task) = self
            .listener_task
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            task.abort();
        }
        let runtime = self
            .runtime
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(runtime) = runtime {
            // Dropping may happen on one of the runtime's own threads.
            runtime.shutdown_background();
        }
    }
}

/// The task that owns the engine.
struct Actor {
    engine: Engine,
    driver: Driver,
    /// For timers; weak, so the queue closes when the app is dropped.
    jobs: mpsc::WeakUnboundedSender<Job>,
    published: watch::Sender<Published>,
    subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Frame>>>>,
    cancelled: watch::Receiver<u64>,
    form: Form,
    locale: Locale,
    activity: Activity,
}

impl Actor {
    async fn run(mut self, mut queue: mpsc::UnboundedReceiver<Job>, startup: Vec<Command>) {
        self.drain(startup.into()).await;
        // Ends when the app is gone (timers and the reader's sink hold the queue weakly).
        while let Some(job) = queue.recv().await {
            let (actions, done) = match job {
                Job::Action { action, done } => (vec![action], Some(done)),
                Job::Press { intent, done } => match self.form.press(&intent) {
                    Press::Actions(actions) => (actions, Some(done)),
                    // Handled by the app before queuing; nothing runs now.
                    Press::CancelRequest => (Vec::new(), Some(done)),
                },
                Job::Edit { field, text, done } => {
                    let actions = self.form.edit(field, &text).into_iter().collect();
                    self.publish();
                    (actions, Some(done))
                }
                Job::Locale(locale, done) => {
                    self.locale = locale;
                    self.publish();
                    (Vec::new(), Some(done))
                }
                Job::PhonePower(power, done) => {
                    self.engine.set_phone_power(power);
                    self.publish();
                    (Vec::new(), Some(done))
                }
                Job::Microphone(allowed, done) => {
                    self.engine.set_microphone_allowed(allowed);
                    self.publish();
                    (Vec::new(), Some(done))
                }
                Job::Reader(event) => {
                    let input = Input::Reader {
                        event,
                        fresh_key: new_idempotency_key(),
                    };
                    self.handle(input).await;
                    continue;
                }
                Job::Timer(timer) => {
                    self.handle(Input::Timer(timer)).await;
                    continue;
                }
            };
            for action in actions {
                let input = Input::Action {
                    action,
                    reader: self.driver.reader.info(),
                    fresh_key: new_idempotency_key(),
                };
                self.handle(input).await;
            }
            if let Some(done) = done {
                let _ = done.send(());
            }
        }
    }

    /// Handles one input and every command it causes.
    async fn handle(&mut self, input: Input) {
        let commands = self.engine.handle(input);
        self.publish();
        self.drain(commands.into()).await;
    }

    /// Runs the commands in order, feeding each reply back, until nothing is left to do.
    async fn drain(&mut self, mut queue: VecDeque<Command>) {
        while let Some(command) = queue.pop_front() {
            if let Command::StartTimer { timer, after_ms } = command {
                self.start_timer(timer, after_ms);
                continue;
            }
            if let Some(reply) = self.run_one(command).await {
                queue.extend(self.engine.handle(Input::Reply(reply)));
                self.publish();
            }
        }
    }

    /// Runs one command, showing the user a request is on its way; one
    /// that moves no money gives way to a cancel.
    async fn run_one(&mut self, command: Command) -> Option<crate::flows::Reply> {
        let token = self.engine.token().cloned();
        let on_cancel = cancelled_reply(&command);
        self.activity = Activity {
            busy: command.is_gateway_request(),
            cancellable: on_cancel.is_some(),
        };
        if self.activity.busy {
            self.publish();
        }
        let reply = match on_cancel {
            None => self.driver.run(command, token.as_ref()).await,
            Some(on_cancel) => {
                // Only a cancel from now on counts.
                self.cancelled.borrow_and_update();
                tokio::select! {
                    reply = self.driver.run(command, token.as_ref()) => reply,
                    Ok(()) = self.cancelled.changed() => Some(on_cancel),
                }
            }
        };
        self.activity = Activity::default();
        reply
    }

    fn start_timer(&self, timer: Timer, after_ms: u64) {
        let jobs = self.jobs.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(after_ms)).await;
            if let Some(jobs) = jobs.upgrade() {
                let _ = jobs.send(Job::Timer(timer));
            }
        });
    }

    fn publish(&mut self) {
        self.form
            .follow(ScreenId::of(&screen::render(&self.engine)));
        let frame = frame(&self.engine, &self.form, self.activity, self.locale);
        // Under the subscribers' lock, so a new subscriber gets each frame once.
        let mut subscribers = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        let changed = self.published.send_if_modified(|published| {
            if published.frame == frame {
                return false;
            }
            published.version += 1;
            published.frame = frame.clone();
            true
        });
        if changed {
            subscribers.retain(|subscriber| subscriber.send(frame.clone()).is_ok());
        }
    }
}

/// The frame of the engine's state.
fn frame(engine: &Engine, form: &Form, activity: Activity, locale: Locale) -> Frame {
    let screen = screen::render(engine);
    let view = view::render(&screen, form, activity, locale);
    Frame { screen, view }
}

#[cfg(test)]
mod tests;
