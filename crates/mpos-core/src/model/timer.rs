//! Waits a flow asks for. Flows read no clock: they name a [`Timer`] and a
//! delay in a command, the driver sleeps, and the timer comes back as an
//! input. A timer names the transaction it belongs to, so one that fires
//! after its flow moved on is recognised and ignored.

/// A wait that ends in an input to the flow that asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Timer {
    /// Time to send an unacknowledged reversal again.
    ReversalRetry {
        /// The reversed request's idempotency key.
        idempotency_key: String,
    },
    /// The reader took too long to say whether the card accepted the host's answer.
    CardVerdict {
        /// The authorized request's idempotency key.
        idempotency_key: String,
    },
    /// Nobody touched the PIN pad for a while.
    PinEntry {
        /// The idempotency key the PIN block would start.
        idempotency_key: String,
        /// How many touches the entry had when the wait began: a later
        /// touch started a new wait, so this one no longer counts.
        touches: u32,
    },
}
