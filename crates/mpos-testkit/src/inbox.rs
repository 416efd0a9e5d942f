//! What a fake third party received, with a way to wait for a message.

use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

/// No matching message arrived in time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no matching message within {waited:?}; {received} message(s) received in all")]
pub struct WaitTimeout {
    /// How long the wait lasted.
    pub waited: Duration,
    /// How many messages had arrived, none of them matching.
    pub received: usize,
}

/// Messages in arrival order; waiters wake on each new one.
#[derive(Debug)]
pub struct Inbox<T> {
    messages: Mutex<Vec<T>>,
    arrivals: watch::Sender<usize>,
}

impl<T: Clone> Default for Inbox<T> {
    fn default() -> Self {
        Inbox {
            messages: Mutex::new(Vec::new()),
            arrivals: watch::Sender::new(0),
        }
    }
}

impl<T: Clone> Inbox<T> {
    /// Stores a message and wakes the waiters.
    pub fn push(&self, message: T) {
        let count = {
            let mut messages = self.lock();
            messages.push(message);
            messages.len()
        };
        self.arrivals.send_replace(count);
    }

    /// Every message so far.
    pub fn all(&self) -> Vec<T> {
        self.lock().clone()
    }

    /// The first message (already here or yet to come) that matches, or a timeout.
    pub async fn wait_for(
        &self,
        predicate: impl Fn(&T) -> bool,
        timeout: Duration,
    ) -> Result<T, WaitTimeout> {
        let mut arrivals = self.arrivals.subscribe();
        let search = async {
            loop {
                // Subscribed before looking, so an arrival in between is not missed.
                if let Some(found) = self.lock().iter().find(|m| predicate(m)) {
                    return found.clone();
                }
                if arrivals.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::time::timeout(timeout, search)
            .await
            .map_err(|_| WaitTimeout {
                waited: timeout,
                received: self.lock().len(),
            })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<T>> {
        self.messages
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn finds_a_message_already_there() {
        let inbox = Inbox::default();
        inbox.push(7u32);
        assert_eq!(
            inbox.wait_for(|&m| m == 7, Duration::from_millis(10)).await,
            Ok(7)
        );
    }

    #[tokio::test]
    async fn wakes_on_a_later_arrival() {
        let inbox = Arc::new(Inbox::default());
        let writer = inbox.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            writer.push(1u32);
            writer.push(2u32);
        });
        assert_eq!(
            inbox.wait_for(|&m| m == 2, Duration::from_secs(5)).await,
            Ok(2)
        );
    }

    #[tokio::test]
    async fn times_out_when_nothing_matches() {
        let inbox = Inbox::default();
        inbox.push(1u32);
        assert_eq!(
            inbox.wait_for(|&m| m == 2, Duration::from_millis(30)).await,
            Err(WaitTimeout {
                waited: Duration::from_millis(30),
                received: 1
            })
        );
    }
}
