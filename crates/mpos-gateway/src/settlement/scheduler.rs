//! The automatic settlement: a task that looks at the [`Clock`] every
//! `check_interval_ms` and, once a business date's cut-off (23:00
//! Asia/Taipei) has passed, runs that date's settlement exactly once. Runs
//! are recorded in the database, so restarts do not repeat a date and
//! missed dates are caught up in order. Each tick also gives up transactions
//! pending for too long (see [`crate::payments::expiry`]); once a minute the
//! task also forgets lapsed rate-limit buckets and unknown-name counts.

use crate::state::AppState;
use std::time::Duration;
use time::Date;

/// How many missed dates are caught up one by one; older ones fold into the oldest run.
const MAX_CATCH_UP_DAYS: i64 = 31;

/// The dates to run now, oldest first, given the last recorded run.
pub fn due_dates(last_run: Option<Date>, last_closed: Date) -> Vec<Date> {
    let first = match last_run {
        Some(last) if last >= last_closed => return Vec::new(),
        Some(last) => last.next_day().unwrap_or(last_closed),
        None => last_closed,
    };
    let earliest = last_closed - time::Duration::days(MAX_CATCH_UP_DAYS - 1);
    let mut date = first.max(earliest);
    let mut dates = Vec::new();
    while date <= last_closed {
        dates.push(date);
        match date.next_day() {
            Some(next) => date = next,
            None => break,
        }
    }
    dates
}

/// One look at the clock: sweeps stuck pending transactions, then runs every
/// due date. Returns how many batches closed.
pub async fn tick(state: &AppState) -> Result<usize, crate::store::StoreError> {
    if let Err(e) = crate::payments::expiry::sweep(state).await {
        // Settlement must not wait for the sweep; the next tick tries again.
        tracing::error!(event = "pending_sweep_failed", error = %e, "pending sweep failed");
    }
    let now = state.clock.now();
    let last_closed = state.cutoff.last_closed_date(now);
    let mut closed = 0;
    for date in due_dates(
        state.store.settlement().last_automatic_run().await?,
        last_closed,
    ) {
        if let Some(batches) = state.store.settlement().run_automatic(date, now).await? {
            for batch in &batches {
                tracing::info!(
                    event = "batch_closed",
                    trigger = "automatic",
                    batch_id = %batch.id,
                    terminal_id = %batch.terminal_id,
                    business_date = %crate::settlement::business_date::format_date(date),
                    captures = batch.count(),
                    "automatic settlement closed a batch"
                );
            }
            tracing::info!(event = "automatic_settlement_run", business_date = %crate::settlement::business_date::format_date(date), batches = batches.len(), "automatic settlement ran");
            closed += batches.len();
        }
    }
    Ok(closed)
}

/// How often lapsed rate-limit buckets and unknown names are forgotten.
const FORGET_EVERY: Duration = Duration::from_secs(60);

/// Forgets shared rate-limit buckets and unknown names whose counts have lapsed.
async fn forget_lapsed_counts(state: &AppState) -> Result<(), crate::store::StoreError> {
    state.rate_limits.sweep_shared().await?;
    state
        .unknown_names
        .sweep(&state.store, state.clock.now())
        .await
}

/// Runs [`tick`] forever; stops when the task is aborted.
pub async fn run(state: AppState) {
    let interval = Duration::from_millis(state.config.settlement.check_interval_ms.max(1));
    let mut last_forgot = std::time::Instant::now();
    loop {
        if last_forgot.elapsed() >= FORGET_EVERY {
            last_forgot = std::time::Instant::now();
            if let Err(e) = forget_lapsed_counts(&state).await {
                tracing::error!(event = "limits_sweep_failed", error = %e, "rate-limit sweep failed");
            }
        }
        let ticking = state.clone();
        // Its own task, so a panic in one tick is logged and the next tick runs.
        match tokio::spawn(async move { tick(&ticking).await }).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::error!(event = "automatic_settlement_failed", error = %e, "automatic settlement failed; will retry")
            }
            Err(e) => {
                tracing::error!(event = "automatic_settlement_failed", error = %e, "automatic settlement task failed")
            }
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn nothing_due_once_the_date_ran() {
        assert!(due_dates(Some(date!(2030 - 03 - 10)), date!(2030 - 03 - 10)).is_empty());
    }

    #[test]
    fn first_start_runs_only_the_last_closed_date() {
        assert_eq!(
            due_dates(None, date!(2030 - 03 - 10)),
            vec![date!(2030 - 03 - 10)]
        );
    }

    #[test]
    fn missed_dates_are_caught_up_in_order() {
        assert_eq!(
            due_dates(Some(date!(2030 - 03 - 07)), date!(2030 - 03 - 10)),
            vec![
                date!(2030 - 03 - 08),
                date!(2030 - 03 - 09),
                date!(2030 - 03 - 10)
            ]
        );
    }

    #[test]
    fn long_gaps_are_capped() {
        let dates = due_dates(Some(date!(2020 - 01 - 01)), date!(2030 - 03 - 10));
        assert_eq!(dates.len() as i64, MAX_CATCH_UP_DAYS);
        assert_eq!(dates.last(), Some(&date!(2030 - 03 - 10)));
    }
}
