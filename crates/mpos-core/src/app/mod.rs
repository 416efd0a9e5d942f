//! [`MposApp`]: the one object the shells hold. It owns the navigation
//! state, runs every command the flows ask for, and publishes the
//! [`Screen`] after each change.
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

mod action;
mod driver;
mod engine;
mod screen;

pub use crate::flows::payment::CardPrompt;
pub use action::UserAction;
pub use screen::Screen;

use crate::error::CoreError;
use crate::flows::timing::{RetryPolicy, Timing};
use crate::flows::Command;
use crate::host::{HostClient, HostConfig};
use crate::journal::Journal;
use crate::model::in_flight::resume_decision;
use crate::model::reader::ReaderEvent;
use crate::model::timer::Timer;
use crate::reader::{CardReader, ReaderEventSink};
use driver::{cancelled_reply, new_idempotency_key, Driver};
use engine::{Engine, Input};
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::runtime::{Handle, Runtime};
use tokio::sync::{mpsc, oneshot, watch};

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
    /// Wait after a reversal's first failed try; it doubles per failure, to 30 s.
    pub reversal_retry_ms: u64,
}

/// Told about every new screen; never called while the app holds a lock.
pub trait ScreenListener: Send + Sync {
    /// The screen changed.
    fn on_screen_changed(&self, screen: Screen);
}

/// The newest screen and its number (1 for the first change).
#[derive(Debug, Clone)]
struct Published {
    version: u64,
    screen: Screen,
}

/// Something for the actor.
enum Job {
    /// A user action; `done` hears when it and its commands are through.
    Action {
        action: UserAction,
        done: oneshot::Sender<()>,
    },
    /// A reader event.
    Reader(ReaderEvent),
    /// A flow's timer ran out.
    Timer(Timer),
}

/// The app object.
pub struct MposApp {
    jobs: mpsc::UnboundedSender<Job>,
    published: watch::Sender<Published>,
    subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Screen>>>>,
    listener_task: Mutex<Option<tokio::task::JoinHandle<()>>>,
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

        let timing = Timing {
            reversal_retry: RetryPolicy {
                first_ms: config.reversal_retry_ms,
                max_ms: Timing::default().reversal_retry.max_ms,
            },
            ..Timing::default()
        };
        let (engine, startup) =
            Engine::start(resume_decision(left), reader.info().is_some(), timing);
        let (published, _) = watch::channel(Published {
            version: 0,
            screen: screen::render(&engine),
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
            cancel,
            handle,
            runtime: Mutex::new(runtime),
        }))
    }

    /// The current screen.
    pub fn screen(&self) -> Screen {
        self.published.borrow().screen.clone()
    }

    /// Runs an action and every command it causes, then returns the new screen.
    pub async fn act(&self, action: UserAction) -> Screen {
        let (done, finished) = oneshot::channel();
        if self.jobs.send(Job::Action { action, done }).is_ok() {
            let _ = finished.await;
        }
        self.screen()
    }

    /// Cancels the gateway request running now, if it moves no money (a
    /// login, a search, a receipt...): its flow hears it was cancelled.
    /// Sales, refunds, reversals, voids and settlement always run to their end.
    pub fn cancel(&self) {
        self.cancel.send_modify(|generation| *generation += 1);
    }

    /// Every screen from now on, in order, starting with the current one.
    pub fn subscribe(&self) -> mpsc::UnboundedReceiver<Screen> {
        let (sender, screens) = mpsc::unbounded_channel();
        let mut subscribers = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        // Under the lock, so no screen published meanwhile is missed or doubled.
        let _ = sender.send(self.screen());
        subscribers.push(sender);
        screens
    }

    /// Sets the listener; it is told the current screen at once, then every change.
    pub fn set_listener(&self, listener: Arc<dyn ScreenListener>) {
        let mut screens = self.subscribe();
        let task = self.handle.spawn(async move {
            while let Some(screen) = screens.recv().await {
                listener.on_screen_changed(screen);
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

    /// Waits until the screen differs from the one last returned by
    /// `screen`, `act` or this method (reader-driven changes), or until the
    /// timeout; returns the screen then.
    pub async fn wait_for_screen_change(&self, timeout_ms: u64) -> Screen {
        let mut versions = self.published.subscribe();
        let seen = versions.borrow_and_update().version;
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
    subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Screen>>>>,
    cancelled: watch::Receiver<u64>,
}

impl Actor {
    async fn run(mut self, mut queue: mpsc::UnboundedReceiver<Job>, startup: Vec<Command>) {
        self.drain(startup.into()).await;
        // Ends when the app is gone (timers and the reader's sink hold the queue weakly).
        while let Some(job) = queue.recv().await {
            let (input, done) = match job {
                Job::Action { action, done } => {
                    let input = Input::Action {
                        action,
                        reader: self.driver.reader.info(),
                        fresh_key: new_idempotency_key(),
                    };
                    (input, Some(done))
                }
                Job::Reader(event) => {
                    let input = Input::Reader {
                        event,
                        fresh_key: new_idempotency_key(),
                    };
                    (input, None)
                }
                Job::Timer(timer) => (Input::Timer(timer), None),
            };
            let commands = self.engine.handle(input);
            self.publish();
            self.drain(commands.into()).await;
            if let Some(done) = done {
                let _ = done.send(());
            }
        }
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

    /// Runs one command; one that moves no money gives way to a cancel.
    async fn run_one(&mut self, command: Command) -> Option<crate::flows::Reply> {
        let token = self.engine.token().cloned();
        let Some(on_cancel) = cancelled_reply(&command) else {
            return self.driver.run(command, token.as_ref()).await;
        };
        // Only a cancel from now on counts.
        self.cancelled.borrow_and_update();
        tokio::select! {
            reply = self.driver.run(command, token.as_ref()) => reply,
            Ok(()) = self.cancelled.changed() => Some(on_cancel),
        }
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

    fn publish(&self) {
        let screen = screen::render(&self.engine);
        // Under the subscribers' lock, so a new subscriber gets each screen once.
        let mut subscribers = self.subscribers.lock().unwrap_or_else(|p| p.into_inner());
        let changed = self.published.send_if_modified(|published| {
            if published.screen == screen {
                return false;
            }
            published.version += 1;
            published.screen = screen.clone();
            true
        });
        if changed {
            subscribers.retain(|subscriber| subscriber.send(screen.clone()).is_ok());
        }
    }
}

#[cfg(test)]
mod tests;
