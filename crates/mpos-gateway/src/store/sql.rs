//! The small SQL both databases speak: [`Value`]s in, [`Row`]s out, and one
//! open transaction, [`Tx`]. The repositories are written once against it;
//! `sqlite.rs` and `postgres.rs` implement it.
//!
//! Statements use SQLite's numbered parameters (`?1`, `?2`); the PostgreSQL
//! backend rewrites them to `$1`, `$2`. Both schemas name their insertion
//! order column `rowid`, store booleans as `TRUE`/`FALSE`, times and dates as
//! text, and money as 64-bit integers, so one statement text serves both.

use super::StoreError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// One parameter or column value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit integer.
    Int(i64),
    /// Text.
    Text(String),
    /// A boolean (an integer 0/1 in SQLite).
    Bool(bool),
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(value.to_string())
    }
}

impl From<&String> for Value {
    fn from(value: &String) -> Self {
        Value::Text(value.clone())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}

impl From<u32> for Value {
    fn from(value: u32) -> Self {
        Value::Int(i64::from(value))
    }
}

impl From<u16> for Value {
    fn from(value: u16) -> Self {
        Value::Int(i64::from(value))
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

/// Parameters from a list of expressions of mixed types.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::sql::Value::from($value)),*][..]
    };
}
pub(crate) use args;

/// One result row: its column names (shared by the rows of one query) and values.
#[derive(Debug, Clone)]
pub struct Row {
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    /// A row of `values` named by `names`.
    pub fn new(names: Arc<[String]>, values: Vec<Value>) -> Self {
        Row { names, values }
    }

    fn value(&self, column: &str) -> Result<&Value, StoreError> {
        self.names
            .iter()
            .position(|name| name == column)
            .map(|index| &self.values[index])
            .ok_or_else(|| StoreError::Corrupt(format!("no column {column}")))
    }

    fn first(&self) -> Result<&Value, StoreError> {
        self.values
            .first()
            .ok_or_else(|| StoreError::Corrupt("empty row".into()))
    }

    /// A text column that may be NULL.
    pub fn opt_text(&self, column: &str) -> Result<Option<String>, StoreError> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Text(text) => Ok(Some(text.clone())),
            other => Err(StoreError::Corrupt(format!("{column} = {other:?}"))),
        }
    }

    /// A text column.
    pub fn text(&self, column: &str) -> Result<String, StoreError> {
        self.opt_text(column)?
            .ok_or_else(|| StoreError::Corrupt(format!("{column} is NULL")))
    }

    /// An integer column that may be NULL.
    pub fn opt_int(&self, column: &str) -> Result<Option<i64>, StoreError> {
        integer(column, self.value(column)?)
    }

    /// An integer column.
    pub fn int(&self, column: &str) -> Result<i64, StoreError> {
        self.opt_int(column)?
            .ok_or_else(|| StoreError::Corrupt(format!("{column} is NULL")))
    }

    /// A boolean column (SQLite keeps 0/1).
    pub fn bool(&self, column: &str) -> Result<bool, StoreError> {
        boolean(column, self.value(column)?)
    }

    /// The first column as an integer (`COUNT(*)`, `SUM(...)`), 0 when NULL.
    pub fn first_int(&self) -> Result<i64, StoreError> {
        Ok(integer("first column", self.first()?)?.unwrap_or(0))
    }

    /// The first column as a boolean (`EXISTS(...)`).
    pub fn first_bool(&self) -> Result<bool, StoreError> {
        boolean("first column", self.first()?)
    }

    /// The first column as text that may be NULL (`MAX(...)`).
    pub fn first_opt_text(&self) -> Result<Option<String>, StoreError> {
        match self.first()? {
            Value::Null => Ok(None),
            Value::Text(text) => Ok(Some(text.clone())),
            other => Err(StoreError::Corrupt(format!("first column = {other:?}"))),
        }
    }
}

fn integer(column: &str, value: &Value) -> Result<Option<i64>, StoreError> {
    match value {
        Value::Null => Ok(None),
        Value::Int(n) => Ok(Some(*n)),
        Value::Bool(b) => Ok(Some(i64::from(*b))),
        other => Err(StoreError::Corrupt(format!("{column} = {other:?}"))),
    }
}

fn boolean(column: &str, value: &Value) -> Result<bool, StoreError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Int(n) => Ok(*n != 0),
        other => Err(StoreError::Corrupt(format!("{column} = {other:?}"))),
    }
}

/// A future a transaction's work returns, borrowing the transaction.
pub type TxFuture<'t, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 't>>;

/// One open transaction. Everything done through it commits together or not
/// at all; the backend commits (durably) before the caller hears the result.
pub trait Tx: Send {
    /// Runs a statement; returns the number of rows it changed.
    fn execute<'a>(&'a mut self, sql: &'a str, args: &'a [Value]) -> TxFuture<'a, u64>;

    /// Runs a query; returns every row.
    fn query<'a>(&'a mut self, sql: &'a str, args: &'a [Value]) -> TxFuture<'a, Vec<Row>>;

    /// Holds the named lock until this transaction ends, so check-then-write
    /// sequences under the same name never interleave, across gateway
    /// instances too. (SQLite has one writer: every write transaction
    /// already excludes the others, so its lock is free.)
    fn lock<'a>(&'a mut self, name: &'a str) -> TxFuture<'a, ()>;

    /// Whether no other transaction can run between this one's statements
    /// (SQLite's one writer), so what it read stays true until it ends.
    fn is_serialized(&self) -> bool {
        false
    }
}

impl dyn Tx + '_ {
    /// The first row, if any.
    pub async fn query_opt(
        &mut self,
        sql: &str,
        args: &[Value],
    ) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, args).await?.into_iter().next())
    }

    /// The one row a query must return (an aggregate, `EXISTS`, `RETURNING`).
    pub async fn query_one(&mut self, sql: &str, args: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, args)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a query that returns one row returned none".into()))
    }
}

/// The 64-bit key a named lock takes in PostgreSQL's advisory-lock space.
pub fn lock_key(name: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// SQLite's `?N` parameters as PostgreSQL's `$N`.
pub fn postgres_parameters(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(|next| next.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_dollar_numbers_outside_quotes_only() {
        assert_eq!(
            postgres_parameters("SELECT a FROM t WHERE b = ?1 AND c IN (?2, '?3') AND d = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c IN ($2, '?3') AND d = $12"
        );
    }

    #[test]
    fn lock_keys_differ_by_name_and_are_stable() {
        assert_eq!(lock_key("user:1"), lock_key("user:1"));
        assert_ne!(lock_key("user:1"), lock_key("user:2"));
    }

    #[test]
    fn rows_read_booleans_from_either_database() {
        let names: Arc<[String]> = vec!["a".to_string(), "b".to_string()].into();
        let row = Row::new(names, vec![Value::Int(1), Value::Bool(false)]);
        assert!(row.bool("a").unwrap());
        assert!(!row.bool("b").unwrap());
        assert_eq!(row.int("b").unwrap(), 0);
        assert!(matches!(row.text("a"), Err(StoreError::Corrupt(_))));
        assert!(matches!(row.int("c"), Err(StoreError::Corrupt(_))));
    }
}
