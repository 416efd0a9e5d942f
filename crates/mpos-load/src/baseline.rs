//! The yardstick: how many durable commits per second this disk gives one
//! writer that commits each row on its own (SQLite, WAL, synchronous=FULL:
//! one fsync per commit), measured in the same run as the load.

use std::path::Path;
use std::time::Instant;

/// Commits per second of single-row transactions, each fsync'd.
pub fn fsync_commits_per_second(dir: &Path, commits: usize) -> f64 {
    let conn = rusqlite::Connection::open(dir.join("baseline.db")).expect("open");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("full");
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
        .expect("table");
    let started = Instant::now();
    for i in 0..commits {
        conn.execute("INSERT INTO t (v) VALUES (?1)", [format!("row {i}")])
            .expect("commit");
    }
    commits as f64 / started.elapsed().as_secs_f64()
}
