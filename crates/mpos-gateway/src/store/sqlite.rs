//! The SQLite backend: one writer thread that owns the write connection and
//! commits in groups, and one reader thread on a second connection.
//!
//! Group commit: the writer takes every transaction queued while it was
//! busy, runs each inside its own savepoint (a failing one rolls back alone)
//! and commits them with one fsync. Nobody hears a result before the commit
//! that made it durable (WAL, `synchronous = FULL`). SQLite allows one writer
//! at a time anyway, so every write transaction excludes every other and
//! check-then-write sequences need no further lock.

use super::sql::{Row, Tx, TxFuture, Value};
use super::StoreError;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};
use std::future::Future;
use std::path::Path;
use std::pin::pin;
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll, Waker};
use tokio::sync::oneshot;

/// Schema migrations; index + 1 is the version each one produces.
const MIGRATIONS: &[&str] = &[
    include_str!("schema/sqlite_v1.sql"),
    include_str!("schema/sqlite_v2.sql"),
    include_str!("schema/sqlite_v3.sql"),
    include_str!("schema/sqlite_v4.sql"),
    include_str!("schema/sqlite_v5.sql"),
    include_str!("schema/sqlite_v6.sql"),
];

/// At most this many transactions share one commit.
const MAX_GROUP: usize = 512;

/// One unit of work for a database thread: runs against the connection and
/// returns whether it succeeded and how to deliver its result once the
/// group's commit is known.
enum Job {
    /// Work inside the group's transaction.
    InTransaction(Work),
    /// Work on the bare connection, between groups (pragmas, checkpoints).
    Direct(Box<dyn FnOnce(&Connection) + Send>),
}
/// A transaction's work: given the connection (or why there is none), runs
/// and says whether it succeeded and how to deliver its result.
type Work = Box<dyn FnOnce(Result<&mut SqliteTx, StoreError>) -> (bool, Deliver) + Send>;
type Deliver = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

/// The SQLite database: channels to its writer and reader threads.
pub struct SqliteDb {
    writer: mpsc::Sender<Job>,
    reader: mpsc::Sender<Job>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Drop for SqliteDb {
    /// Closes the queues and waits for the threads: once the store is gone
    /// its connections are closed (the WAL checkpointed and removed), so a
    /// stopped gateway leaves its files settled.
    fn drop(&mut self) {
        drop(std::mem::replace(&mut self.writer, mpsc::channel().0));
        drop(std::mem::replace(&mut self.reader, mpsc::channel().0));
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// The connection a thread owns, lent to one job at a time.
pub struct SqliteTx {
    conn: Connection,
}

impl SqliteDb {
    /// Opens (creating when needed) the database file and migrates it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut writer = configure(Connection::open(path).map_err(database)?)?;
        migrate(&mut writer)?;
        let reader = configure(Connection::open(path).map_err(database)?)?;
        reader
            .pragma_update(None, "query_only", "ON")
            .map_err(database)?;
        let (writer, writer_thread) = spawn("mpos-db-writer", writer, true)?;
        let (reader, reader_thread) = spawn("mpos-db-reader", reader, false)?;
        Ok(SqliteDb {
            writer,
            reader,
            threads: vec![writer_thread, reader_thread],
        })
    }

    /// An in-memory database (one connection reads and writes), for unit tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let mut conn = configure(Connection::open_in_memory().map_err(database)?)?;
        migrate(&mut conn)?;
        let (writer, thread) = spawn("mpos-db-memory", conn, true)?;
        Ok(SqliteDb {
            reader: writer.clone(),
            writer,
            threads: vec![thread],
        })
    }

    /// Runs `work` in a write transaction; returns once it is durable.
    pub async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut dyn Tx) -> TxFuture<'t, T> + Send + 'static,
    {
        submit(&self.writer, work).await
    }

    /// Runs `work` in a read transaction (one consistent snapshot).
    pub async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut dyn Tx) -> TxFuture<'t, T> + Send + 'static,
    {
        submit(&self.reader, work).await
    }

    /// The schema version of the database.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        self.with_connection(|conn| {
            conn.pragma_query_value(None, "user_version", |row| row.get(0))
                .map_err(database)
        })
        .await
    }

    /// Runs `work` directly on the write connection, outside any transaction
    /// (pragmas, checkpoints).
    pub async fn with_connection<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let job = Job::Direct(Box::new(move |conn: &Connection| {
            let _ = answer.send(work(conn));
        }));
        self.writer.send(job).map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

async fn submit<T, F>(queue: &mpsc::Sender<Job>, work: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: for<'t> FnOnce(&'t mut dyn Tx) -> TxFuture<'t, T> + Send + 'static,
{
    let (answer, answered) = oneshot::channel();
    let job = Job::InTransaction(Box::new(move |tx: Result<&mut SqliteTx, StoreError>| {
        let result = tx.and_then(|tx| run_to_completion(work(tx)));
        let ok = result.is_ok();
        let deliver: Deliver = Box::new(move |committed| {
            let _ = answer.send(committed.and(result));
        });
        (ok, deliver)
    }));
    queue.send(job).map_err(|_| stopped())?;
    answered.await.map_err(|_| stopped())?
}

/// Polls a transaction's work to its end. SQLite's [`Tx`] never waits, so the
/// work completes in one poll; work that waits on something else is a bug.
fn run_to_completion<T>(
    work: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    let mut work = pin!(work);
    match work.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StoreError::Database(
            "a SQLite transaction waited on something other than the database".into(),
        )),
    }
}

fn configure(conn: Connection) -> Result<Connection, StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(database)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(database)?;
    // FULL: a commit is on disk (the WAL fsync'd) before the answer that reports it.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(database)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(database)?;
    // Pages in memory, not re-read through pread on every lookup: 64 MB of
    // cache per connection, and the file mapped for reads.
    conn.pragma_update(None, "cache_size", -65_536)
        .map_err(database)?;
    conn.pragma_update(None, "mmap_size", 1_i64 << 30)
        .map_err(database)?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(database)?;
    let latest = MIGRATIONS.len() as i64;
    if version > latest {
        return Err(StoreError::SchemaTooNew(version));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(database)?;
        tx.execute_batch(sql).map_err(database)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)
            .map_err(database)?;
        tx.commit().map_err(database)?;
        tracing::info!(version = index + 1, "database schema migrated");
    }
    Ok(())
}

fn spawn(
    name: &str,
    conn: Connection,
    writes: bool,
) -> Result<(mpsc::Sender<Job>, std::thread::JoinHandle<()>), StoreError> {
    let (queue, jobs) = mpsc::channel::<Job>();
    let thread = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || serve(SqliteTx { conn }, &jobs, writes))
        .map_err(|e| StoreError::Database(format!("cannot start the database thread: {e}")))?;
    Ok((queue, thread))
}

/// A database thread: runs the queued jobs in groups, one transaction each.
fn serve(mut tx: SqliteTx, jobs: &mpsc::Receiver<Job>, writes: bool) {
    let mut next = None;
    loop {
        let first = match next.take() {
            Some(job) => job,
            None => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        let first = match first {
            Job::Direct(work) => {
                work(&tx.conn);
                continue;
            }
            Job::InTransaction(work) => work,
        };
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(Job::InTransaction(work)) => group.push(work),
                Ok(direct) => {
                    next = Some(direct);
                    break;
                }
                Err(_) => break,
            }
        }
        run_group(&mut tx, group, writes);
    }
}

/// Runs a group of transactions, each in its own savepoint, and commits them
/// together; then tells each its result.
fn run_group(tx: &mut SqliteTx, group: Vec<Work>, writes: bool) {
    let begin = if writes { "BEGIN IMMEDIATE" } else { "BEGIN" };
    if let Err(error) = tx.conn.execute_batch(begin).map_err(database) {
        for work in group {
            let (_, deliver) = work(Err(error.clone()));
            deliver(Ok(()));
        }
        return;
    }
    let mut deliveries = Vec::with_capacity(group.len());
    for work in group {
        let _ = tx.execute_now("SAVEPOINT job", &[]);
        let (ok, deliver) = work(Ok(&mut *tx));
        if !ok {
            let _ = tx.execute_now("ROLLBACK TO job", &[]);
        }
        let _ = tx.execute_now("RELEASE job", &[]);
        deliveries.push(deliver);
    }
    let committed = tx.conn.execute_batch("COMMIT").map_err(database);
    if committed.is_err() {
        let _ = tx.conn.execute_batch("ROLLBACK");
    }
    for deliver in deliveries {
        deliver(committed.clone());
    }
}

fn database(error: rusqlite::Error) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(e, _)
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Constraint(error.to_string())
        }
        _ => StoreError::Database(error.to_string()),
    }
}

fn stopped() -> StoreError {
    StoreError::Database("the database thread stopped".into())
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Owned(rusqlite::types::Value::Null),
            Value::Int(n) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(*n)),
            Value::Bool(b) => ToSqlOutput::Owned(rusqlite::types::Value::Integer(i64::from(*b))),
            Value::Text(text) => ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes())),
        })
    }
}

fn column_value(value: ValueRef<'_>) -> Result<Value, StoreError> {
    match value {
        ValueRef::Null => Ok(Value::Null),
        ValueRef::Integer(n) => Ok(Value::Int(n)),
        ValueRef::Text(bytes) => String::from_utf8(bytes.to_vec())
            .map(Value::Text)
            .map_err(|_| StoreError::Corrupt("text that is not UTF-8".into())),
        ValueRef::Real(_) | ValueRef::Blob(_) => {
            Err(StoreError::Corrupt("a column of an unexpected type".into()))
        }
    }
}

impl SqliteTx {
    fn query_now(&mut self, sql: &str, args: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut statement = self.conn.prepare_cached(sql).map_err(database)?;
        let names: Arc<[String]> = statement
            .column_names()
            .into_iter()
            .map(str::to_string)
            .collect();
        let width = names.len();
        let mut rows = statement
            .query(rusqlite::params_from_iter(args))
            .map_err(database)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(database)? {
            let values = (0..width)
                .map(|i| column_value(row.get_ref(i).map_err(database)?))
                .collect::<Result<Vec<_>, _>>()?;
            out.push(Row::new(names.clone(), values));
        }
        Ok(out)
    }

    fn execute_now(&mut self, sql: &str, args: &[Value]) -> Result<u64, StoreError> {
        let mut statement = self.conn.prepare_cached(sql).map_err(database)?;
        let changed = statement
            .execute(rusqlite::params_from_iter(args))
            .map_err(database)?;
        Ok(changed as u64)
    }
}

impl Tx for SqliteTx {
    fn execute<'a>(&'a mut self, sql: &'a str, args: &'a [Value]) -> TxFuture<'a, u64> {
        let result = self.execute_now(sql, args);
        Box::pin(std::future::ready(result))
    }

    fn query<'a>(&'a mut self, sql: &'a str, args: &'a [Value]) -> TxFuture<'a, Vec<Row>> {
        let result = self.query_now(sql, args);
        Box::pin(std::future::ready(result))
    }

    fn lock<'a>(&'a mut self, _name: &'a str) -> TxFuture<'a, ()> {
        Box::pin(std::future::ready(Ok(())))
    }

    fn is_serialized(&self) -> bool {
        true
    }
}
