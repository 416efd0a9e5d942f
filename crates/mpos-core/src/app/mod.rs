//! [`MposApp`]: the one object the shells hold. It owns the navigation
//! state, runs every command the flows ask for, and publishes the
//! [`Screen`] after each change.
//!
//! Runtime: `MposApp::new` uses the tokio runtime it is called from, if
//! any (tests, the desktop demo); otherwise it starts its own (2 worker
//! threads), as a mobile shell needs. Either way, `act` and
//! `wait_for_screen_change` run their work on that runtime, so they can be
//! awaited from any executor.
//!
//! Inputs (user actions, reader events, start-up work) are handled one at
//! a time, in arrival order, each with every command it causes: while a
//! reversal is retried, later inputs wait, since nothing else may happen
//! before the outcome is settled.

mod action;
mod driver;
mod engine;
mod screen;

pub use crate::flows::payment::CardPrompt;
pub use action::UserAction;
pub use screen::Screen;

use crate::error::CoreError;
use crate::host::{HostClient, HostConfig};
use crate::journal::record::resume_decision;
use crate::journal::Journal;
use crate::reader::{CardReader, ReaderEvent, ReaderEventSink};
use driver::{new_idempotency_key, Driver};
use engine::{Engine, Input};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::runtime::{Handle, Runtime};
use tokio::sync::{mpsc, watch};

/// How the app reaches the gateway and where it keeps its journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// Gateway base URL, `https://...`.
    pub gateway_url: String,
    /// PEM of the gateway's trust root.
    pub trust_root_pem: String,
    /// SHA-256 of the gateway certificate's SubjectPublicKeyInfo, hex.
    pub pinned_spki_sha256: String,
    /// App-private directory for the journal.
    pub data_dir: String,
    /// Time limit of one gateway request.
    pub request_timeout_ms: u64,
    /// Wait between reversal tries.
    pub reversal_retry_ms: u64,
}

/// Told about every new screen; never called while the app holds a lock.
pub trait ScreenListener: Send + Sync {
    /// The screen changed.
    fn on_screen_changed(&self, screen: Screen);
}

/// The app object.
pub struct MposApp {
    me: Weak<MposApp>,
    runtime: Mutex<Option<Runtime>>,
    handle: Handle,
    engine: tokio::sync::Mutex<Engine>,
    driver: Driver,
    published: Mutex<(u64, Screen)>,
    version: watch::Sender<u64>,
    seen: AtomicU64,
    listener: Arc<Mutex<Option<Arc<dyn ScreenListener>>>>,
    notify: mpsc::UnboundedSender<Screen>,
    shutdown: watch::Sender<bool>,
}

/// Forwards reader events into the app's queue; holds no reference to the app.
struct EventSink {
    events: mpsc::UnboundedSender<ReaderEvent>,
}

impl ReaderEventSink for EventSink {
    fn on_reader_event(&self, event: ReaderEvent) {
        // After the app is gone the queue is closed and events are dropped.
        let _ = self.events.send(event);
    }
}

impl MposApp {
    /// Builds the app: checks the configuration, opens the journal, registers
    /// with the reader and resumes whatever a previous run left in flight.
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
            Journal::open(&data_dir.join("journal.db")).map_err(|e| CoreError::Journal {
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

        let (engine, startup) = Engine::start(resume_decision(left), reader.info().is_some());
        let first_screen = screen::render(&engine);
        let (version, _) = watch::channel(0);
        let (notify, notifications) = mpsc::unbounded_channel();
        let (events_tx, events) = mpsc::unbounded_channel();
        let (shutdown, _) = watch::channel(false);
        let listener = Arc::new(Mutex::new(None));
        let driver = Driver {
            host,
            reader: reader.clone(),
            journal,
            reversal_retry: Duration::from_millis(config.reversal_retry_ms),
        };
        let app = Arc::new_cyclic(|me| MposApp {
            me: me.clone(),
            runtime: Mutex::new(runtime),
            handle: handle.clone(),
            engine: tokio::sync::Mutex::new(engine),
            driver,
            published: Mutex::new((0, first_screen)),
            version,
            seen: AtomicU64::new(0),
            listener: listener.clone(),
            notify,
            shutdown,
        });

        handle.spawn(notify_listener(
            notifications,
            listener,
            app.shutdown.subscribe(),
        ));
        handle.spawn(pump_reader_events(
            Arc::downgrade(&app),
            events,
            app.shutdown.subscribe(),
        ));
        reader.set_event_sink(Arc::new(EventSink { events: events_tx }));
        // A new app owns no reader transaction: one an earlier, killed app
        // left running would read the next card for that app's amount.
        reader.cancel();
        if !startup.is_empty() {
            let resumed = app.clone();
            handle.spawn(async move { resumed.run_commands(startup).await });
        }
        Ok(app)
    }

    /// The current screen.
    pub fn screen(&self) -> Screen {
        let published = self.published.lock().unwrap_or_else(|p| p.into_inner());
        self.seen.store(published.0, Ordering::SeqCst);
        published.1.clone()
    }

    /// Runs an action and every command it causes, then returns the new screen.
    pub async fn act(&self, action: UserAction) -> Screen {
        if let Some(app) = self.me.upgrade() {
            let task = self.handle.spawn(async move {
                let reader = app.driver.reader.info();
                let input = Input::Action {
                    action,
                    reader,
                    fresh_key: new_idempotency_key(),
                };
                app.process(input).await;
            });
            if let Err(error) = task.await {
                tracing::error!(%error, "action task failed");
            }
        }
        self.screen()
    }

    /// Sets the listener; it is told the current screen at once, then every change.
    pub fn set_listener(&self, listener: Arc<dyn ScreenListener>) {
        *self.listener.lock().unwrap_or_else(|p| p.into_inner()) = Some(listener);
        let current = self
            .published
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clone();
        let _ = self.notify.send(current);
    }

    /// Waits until the screen differs from the one last returned by
    /// `screen`, `act` or this method (reader-driven changes), or until the
    /// timeout; returns the screen then.
    pub async fn wait_for_screen_change(&self, timeout_ms: u64) -> Screen {
        let seen = self.seen.load(Ordering::SeqCst);
        let mut versions = self.version.subscribe();
        let wait = self.handle.spawn(async move {
            let changed = versions.wait_for(|version| *version > seen);
            let _ = tokio::time::timeout(Duration::from_millis(timeout_ms), changed).await;
        });
        let _ = wait.await;
        self.screen()
    }

    /// Handles one input and runs the commands it causes, in order, feeding
    /// each reply back, until nothing is left to do.
    async fn process(&self, input: Input) {
        let mut engine = self.engine.lock().await;
        let commands = engine.handle(input);
        self.publish(screen::render(&engine));
        self.drain(&mut engine, commands.into()).await;
    }

    async fn run_commands(&self, commands: Vec<crate::flows::Command>) {
        let mut engine = self.engine.lock().await;
        self.drain(&mut engine, commands.into()).await;
    }

    async fn drain(&self, engine: &mut Engine, mut queue: VecDeque<crate::flows::Command>) {
        while let Some(command) = queue.pop_front() {
            if let Some(reply) = self.driver.run(command).await {
                queue.extend(engine.handle(Input::Reply(reply)));
                self.publish(screen::render(engine));
            }
        }
    }

    fn publish(&self, screen: Screen) {
        let mut published = self.published.lock().unwrap_or_else(|p| p.into_inner());
        if published.1 == screen {
            return;
        }
        published.0 += 1;
        published.1 = screen.clone();
        self.version.send_replace(published.0);
        let _ = self.notify.send(screen);
    }
}

impl Drop for MposApp {
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
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

async fn notify_listener(
    mut screens: mpsc::UnboundedReceiver<Screen>,
    listener: Arc<Mutex<Option<Arc<dyn ScreenListener>>>>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let screen = tokio::select! {
            screen = screens.recv() => match screen {
                Some(screen) => screen,
                None => return,
            },
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        // Cloned out so the call happens with no lock held.
        let current = listener.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(listener) = current {
            listener.on_screen_changed(screen);
        }
    }
}

async fn pump_reader_events(
    app: Weak<MposApp>,
    mut events: mpsc::UnboundedReceiver<ReaderEvent>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let event = tokio::select! {
            event = events.recv() => match event {
                Some(event) => event,
                None => return,
            },
            _ = shutdown.wait_for(|stop| *stop) => return,
        };
        let Some(app) = app.upgrade() else { return };
        let input = Input::Reader {
            event,
            fresh_key: new_idempotency_key(),
        };
        app.process(input).await;
    }
}

#[cfg(test)]
mod tests;
