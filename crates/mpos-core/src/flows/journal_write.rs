//! A journal write a step must see on disk before the user may go on.
//! After an approval the row moves on from `authorizing`; if that write is
//! lost, the next start reverses a payment whose goods were handed over.

use super::Command;
use crate::model::in_flight::JournalUpdate;

/// Tries of a failed write made at once; after them the write waits for
/// the user's next try, so a broken disk cannot spin the driver forever.
const IMMEDIATE_TRIES: u32 = 3;

/// A journal write not yet confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalWrite {
    update: JournalUpdate,
    failures: u32,
}

impl JournalWrite {
    /// Starts waiting for `update`; returns the command that writes it.
    pub fn start(update: JournalUpdate) -> (JournalWrite, Command) {
        let write = JournalWrite {
            update,
            failures: 0,
        };
        let command = write.command();
        (write, command)
    }

    /// The write failed; returns the command to try again at once, if any
    /// tries are left.
    pub fn failed(&mut self) -> Option<Command> {
        self.failures = self.failures.saturating_add(1);
        (self.failures < IMMEDIATE_TRIES).then(|| self.command())
    }

    /// The user tried to go on: a fresh round of tries, starting now.
    pub fn retry(&mut self) -> Command {
        self.failures = 0;
        self.command()
    }

    fn command(&self) -> Command {
        Command::Journal(self.update.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::in_flight::JournalState;

    #[test]
    fn failures_are_retried_a_few_times_then_wait_for_the_user() {
        let update = JournalUpdate::SetState {
            idempotency_key: "k1".into(),
            state: JournalState::Done,
        };
        let (mut write, first) = JournalWrite::start(update.clone());
        assert_eq!(first, Command::Journal(update.clone()));
        assert_eq!(write.failed(), Some(Command::Journal(update.clone())));
        assert_eq!(write.failed(), Some(Command::Journal(update.clone())));
        assert_eq!(write.failed(), None);
        assert_eq!(write.retry(), Command::Journal(update.clone()));
        assert_eq!(write.failed(), Some(Command::Journal(update)));
    }
}
