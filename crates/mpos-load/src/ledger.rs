//! The fault suite's ledger: what each client was finally told about each
//! sale, against what the database holds. A charge is *doubled* when one
//! sale (one idempotency key) has more than one approved transaction; it
//! is *lost* when the client and the database disagree about whether the
//! card was charged (told approved but nothing approved, or told
//! otherwise, or never told, while an approval stands).

use mpos_gateway::store::{Store, TxnRow};
use mpos_wire::api::TxnStatus;
use std::collections::HashMap;

/// What a client was finally told about one sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Told {
    /// Approved: the card is charged.
    Approved,
    /// Not charged: declined, reversed, or refused.
    NotCharged,
    /// No final answer reached the client.
    Nothing,
}

/// The figures of one fault case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Faults injected.
    pub faults: usize,
    /// Charges lost.
    pub lost: usize,
    /// Charges doubled.
    pub doubled: usize,
}

impl Figures {
    /// The line a case prints.
    pub fn line(&self, case: &str, seed: u64) -> String {
        format!(
            "fault case {case} (seed {seed}): faults injected {}, charges lost {}, charges doubled {}",
            self.faults, self.lost, self.doubled
        )
    }
}

/// Compares what clients were told (by idempotency key) with the database's transactions.
pub async fn reconcile(store: &Store, told: &HashMap<String, Told>, faults: usize) -> Figures {
    let rows = store
        .transactions()
        .list()
        .await
        .expect("list transactions");
    reconcile_rows(&rows, told, faults)
}

/// [`reconcile`] on rows already read.
pub fn reconcile_rows(rows: &[TxnRow], told: &HashMap<String, Told>, faults: usize) -> Figures {
    let mut approved: HashMap<&str, usize> = HashMap::new();
    for row in rows {
        if row.status == TxnStatus::Approved {
            *approved.entry(row.idempotency_key.as_str()).or_default() += 1;
        }
    }
    let mut figures = Figures {
        faults,
        ..Figures::default()
    };
    for (key, count) in &approved {
        figures.doubled += count.saturating_sub(1);
        if told.get(*key) != Some(&Told::Approved) {
            figures.lost += 1;
        }
    }
    for (key, answer) in told {
        if *answer == Told::Approved && !approved.contains_key(key.as_str()) {
            figures.lost += 1;
        }
    }
    figures
}
