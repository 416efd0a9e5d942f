//! The PostgreSQL backend: a pool of connections, one transaction per unit
//! of work (READ COMMITTED), and named locks as transaction-scoped advisory
//! locks, so every gateway instance on the database takes the same ones.

use super::sql::{lock_key, postgres_parameters, Row, Tx, TxFuture, Value};
use super::StoreError;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use std::error::Error;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::NoTls;

/// Schema migrations; index + 1 is the version each one produces.
const MIGRATIONS: &[&str] = &[
    include_str!("schema/postgres_v1.sql"),
    include_str!("schema/postgres_v2.sql"),
    include_str!("schema/postgres_v3.sql"),
];

/// The lock instances hold while one of them migrates the schema.
const MIGRATION_LOCK: &str = "mpos-gateway schema migration";

/// The PostgreSQL database: a connection pool.
pub struct PostgresDb {
    pool: Pool,
}

/// One open PostgreSQL transaction.
struct PgTx<'c> {
    inner: deadpool_postgres::Transaction<'c>,
}

impl PostgresDb {
    /// Connects to `url` (`postgres://user@host:port/db`) with at most
    /// `connections` connections, and migrates the schema.
    pub async fn connect(url: &str, connections: usize) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Database(format!("database url: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(connections.max(1))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(Duration::from_secs(10)))
            .create_timeout(Some(Duration::from_secs(10)))
            .build()
            .map_err(|e| StoreError::Database(format!("database pool: {e}")))?;
        let db = PostgresDb { pool };
        db.migrate().await?;
        Ok(db)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let key = lock_key(MIGRATION_LOCK);
        // A session lock: instances starting together migrate one at a time.
        client
            .execute("SELECT pg_advisory_lock($1)", &[&key])
            .await
            .map_err(database)?;
        let result = migrate_locked(&mut client).await;
        client
            .execute("SELECT pg_advisory_unlock($1)", &[&key])
            .await
            .map_err(database)?;
        result
    }

    /// The schema version of the database.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_one("SELECT version FROM schema_version", &[])
            .await
            .map_err(database)?;
        Ok(row.get(0))
    }

    /// Runs `work` in one transaction and commits it.
    pub async fn transaction<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut dyn Tx) -> TxFuture<'t, T> + Send + 'static,
    {
        let mut client = self.client().await?;
        let inner = client.transaction().await.map_err(database)?;
        let mut tx = PgTx { inner };
        // On an error the transaction is dropped, which rolls it back.
        let value = work(&mut tx).await?;
        tx.inner.commit().await.map_err(database)?;
        Ok(value)
    }
}

async fn migrate_locked(client: &mut deadpool_postgres::Object) -> Result<(), StoreError> {
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")
        .await
        .map_err(database)?;
    let version: i64 = client
        .query_opt("SELECT version FROM schema_version", &[])
        .await
        .map_err(database)?
        .map_or(0, |row| row.get(0));
    let latest = MIGRATIONS.len() as i64;
    if version > latest {
        return Err(StoreError::SchemaTooNew(version));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = client.transaction().await.map_err(database)?;
        tx.batch_execute(sql).await.map_err(database)?;
        tx.execute("DELETE FROM schema_version", &[])
            .await
            .map_err(database)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&(index as i64 + 1)],
        )
        .await
        .map_err(database)?;
        tx.commit().await.map_err(database)?;
        tracing::info!(version = index + 1, "database schema migrated");
    }
    Ok(())
}

fn database(error: tokio_postgres::Error) -> StoreError {
    let constraint = [
        SqlState::UNIQUE_VIOLATION,
        SqlState::FOREIGN_KEY_VIOLATION,
        SqlState::CHECK_VIOLATION,
        SqlState::NOT_NULL_VIOLATION,
    ];
    let message = match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    };
    match error.code() {
        Some(code) if constraint.contains(code) => StoreError::Constraint(message),
        Some(_) => StoreError::Database(message),
        None if error.is_closed() => StoreError::Unavailable(message),
        None => StoreError::Database(message),
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => match *ty {
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                Type::BOOL => (*n != 0).to_sql(ty, out),
                _ => n.to_sql(ty, out),
            },
            Value::Bool(b) => b.to_sql(ty, out),
            Value::Text(text) => text.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn column_value(row: &tokio_postgres::Row, index: usize) -> Result<Value, StoreError> {
    let ty = row.columns()[index].type_();
    let value = match *ty {
        Type::INT8 => row
            .try_get::<_, Option<i64>>(index)
            .map(|v| v.map(Value::Int)),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(index)
            .map(|v| v.map(|n| Value::Int(n.into()))),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(index)
            .map(|v| v.map(|n| Value::Int(n.into()))),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(index)
            .map(|v| v.map(Value::Bool)),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME => row
            .try_get::<_, Option<String>>(index)
            .map(|v| v.map(Value::Text)),
        // pg_advisory_xact_lock returns void.
        Type::VOID => Ok(None),
        _ => return Err(StoreError::Corrupt(format!("a column of type {ty}"))),
    };
    value
        .map(|v| v.unwrap_or(Value::Null))
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn params(args: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|arg| arg as &(dyn ToSql + Sync)).collect()
}

impl PgTx<'_> {
    async fn statement(&self, sql: &str) -> Result<tokio_postgres::Statement, StoreError> {
        self.inner
            .prepare_cached(&postgres_parameters(sql))
            .await
            .map_err(database)
    }
}

impl Tx for PgTx<'_> {
    fn execute<'a>(&'a mut self, sql: &'a str, args: &'a [Value]) -> TxFuture<'a, u64> {
        Box::pin(async move {
            let statement = self.statement(sql).await?;
            self.inner
                .execute(&statement, &params(args))
                .await
                .map_err(database)
        })
    }

    fn query<'a>(&'a mut self, sql: &'a str, args: &'a [Value]) -> TxFuture<'a, Vec<Row>> {
        Box::pin(async move {
            let statement = self.statement(sql).await?;
            let rows = self
                .inner
                .query(&statement, &params(args))
                .await
                .map_err(database)?;
            let names: Arc<[String]> = statement
                .columns()
                .iter()
                .map(|c| c.name().to_string())
                .collect();
            rows.iter()
                .map(|row| {
                    let values = (0..names.len())
                        .map(|i| column_value(row, i))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Row::new(names.clone(), values))
                })
                .collect()
        })
    }

    fn lock<'a>(&'a mut self, name: &'a str) -> TxFuture<'a, ()> {
        Box::pin(async move {
            let key = lock_key(name);
            self.inner
                .execute("SELECT pg_advisory_xact_lock($1)", &[&key])
                .await
                .map_err(database)?;
            Ok(())
        })
    }
}
