//! [`TaskHandle`]: a task the core runs for a shell (a view listener),
//! stopped by `cancel` or when the shell drops the handle.

use tokio::task::JoinHandle;

/// Keeps a background task alive; cancel it or drop it to stop it.
#[derive(uniffi::Object)]
pub struct TaskHandle {
    task: JoinHandle<()>,
}

impl TaskHandle {
    /// Wraps a spawned task.
    pub(crate) fn new(task: JoinHandle<()>) -> TaskHandle {
        TaskHandle { task }
    }
}

#[uniffi::export]
impl TaskHandle {
    /// Stops the task.
    pub fn cancel(&self) {
        self.task.abort();
    }

    /// Whether the task has ended (cancelled or finished).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for TaskHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}
