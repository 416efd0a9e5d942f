//! The readers repository: the highest DUKPT counter seen per reader, so a
//! replayed or rewound transaction counter is refused.

use super::sql::args;
use super::{Store, StoreError};
use crate::clock::format_time;
use time::OffsetDateTime;

/// Readers' counters (see [`Store::readers`]).
pub struct Readers<'s> {
    pub(super) store: &'s Store,
}

impl Readers<'_> {
    /// Records a reader's DUKPT counter; false when it is not above the last one seen.
    pub async fn record_counter(
        &self,
        reader_id: &str,
        counter: u32,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let reader_id = reader_id.to_string();
        self.store
            .write(move |tx| {
                Box::pin(async move {
                    // One statement: the row lock makes it atomic across instances.
                    let recorded = tx
                        .query(
                            "INSERT INTO reader_counters (reader_id, last_counter, updated_at) VALUES (?1, ?2, ?3) \
                             ON CONFLICT (reader_id) DO UPDATE SET last_counter = excluded.last_counter, \
                             updated_at = excluded.updated_at \
                             WHERE reader_counters.last_counter < excluded.last_counter RETURNING last_counter",
                            args![reader_id, counter, format_time(now)],
                        )
                        .await?;
                    Ok(!recorded.is_empty())
                })
            })
            .await
    }
}
