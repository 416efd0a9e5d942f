//! The storage boundary: repositories per aggregate ([`Users`], [`Admins`], [`AuditLog`],
//! [`Sessions`], [`Idempotency`], [`Readers`], [`Transactions`],
//! [`Settlement`], [`RateLimitBuckets`], [`UnknownNames`], [`LegacySecrets`]), each method one explicit transaction,
//! written once against the small SQL of `sql.rs` and run on SQLite (the
//! embedded default, group commit) or PostgreSQL (several instances on one
//! database). Errors say what failed in storage terms; they carry neither SQL
//! types nor HTTP answers.

mod admins;
mod audit_log;
mod idempotency;
mod legacy_secrets;
mod postgres;
mod rate_limit_buckets;
mod readers;
mod rows;
mod sessions;
mod settlement;
pub(crate) mod sql;
mod sqlite;
mod transactions;
mod unknown_names;
mod users;

pub use admins::{AdminRow, AdminSessionRow, AdminStage, Admins, ApiTokenRow, NewAdmin};
pub use audit_log::{AuditEntry, AuditLog};
pub use idempotency::Idempotency;
pub use legacy_secrets::LegacySecrets;
pub use postgres::PostgresDb;
pub use rate_limit_buckets::RateLimitBuckets;
pub use readers::Readers;
pub use rows::text as stored_name;
pub use sessions::Sessions;
pub use settlement::Settlement;
pub use sqlite::SqliteDb;
pub use transactions::{Transactions, TxnFilter};
pub use unknown_names::UnknownNames;
pub use users::Users;

pub use crate::auth::lockout::Lane;
pub use crate::domain::refusal::Refusal;
use mpos_wire::api::{
    Limits, SessionStage, SettlementTrigger, Stroke, TxnKind, TxnStatus, UserStatus,
};
use mpos_wire::{Brand, EntryMode, MaskedPan, Money};
use sql::{Tx, TxFuture};
use std::path::Path;
use time::{Date, OffsetDateTime};

/// Why a store operation failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached (connection refused, pool exhausted).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database failed.
    #[error("database error: {0}")]
    Database(String),
    /// A uniqueness, reference or check constraint refused a write.
    #[error("constraint violated: {0}")]
    Constraint(String),
    /// A row holds a value the code does not understand.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The schema is newer than this program.
    #[error("database schema version {0} is newer than this gateway; upgrade the gateway")]
    SchemaTooNew(i64),
    /// The operation was refused by a business rule checked inside the transaction.
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// The user name is already taken.
    #[error("user name already taken")]
    UsernameTaken,
    /// The authorization code is already used; draw another.
    #[error("authorization code already used")]
    AuthCodeTaken,
}

/// Which database a [`Store`] runs on.
enum Backend {
    Sqlite(SqliteDb),
    Postgres(PostgresDb),
}

/// The gateway's storage: a database and its repositories.
pub struct Store {
    backend: Backend,
}

impl Store {
    /// Opens (creating when needed) the SQLite file at `path` and migrates it.
    pub fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        Ok(Store {
            backend: Backend::Sqlite(SqliteDb::open(path)?),
        })
    }

    /// An in-memory SQLite database, for unit tests.
    pub fn sqlite_in_memory() -> Result<Self, StoreError> {
        Ok(Store {
            backend: Backend::Sqlite(SqliteDb::open_in_memory()?),
        })
    }

    /// Connects to PostgreSQL at `url` with a pool of `connections` and migrates it.
    pub async fn connect_postgres(url: &str, connections: usize) -> Result<Self, StoreError> {
        Ok(Store {
            backend: Backend::Postgres(PostgresDb::connect(url, connections).await?),
        })
    }

    /// Which database this is, for logs: "sqlite" or "postgres".
    pub fn kind(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// The schema version of the database (each database counts its own).
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        match &self.backend {
            Backend::Sqlite(db) => db.schema_version().await,
            Backend::Postgres(db) => db.schema_version().await,
        }
    }

    /// Runs `work` in one transaction that may write; returns once it is durable.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut dyn Tx) -> TxFuture<'t, T> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite(db) => db.write(work).await,
            Backend::Postgres(db) => db.transaction(work).await,
        }
    }

    /// Runs `work` in one transaction that only reads.
    pub(crate) async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: for<'t> FnOnce(&'t mut dyn Tx) -> TxFuture<'t, T> + Send + 'static,
    {
        match &self.backend {
            Backend::Sqlite(db) => db.read(work).await,
            Backend::Postgres(db) => db.transaction(work).await,
        }
    }

    /// Phone users and their credentials.
    pub fn users(&self) -> Users<'_> {
        Users { store: self }
    }

    /// Merchant administrators, their portal sessions and API tokens.
    pub fn admins(&self) -> Admins<'_> {
        Admins { store: self }
    }

    /// The append-only log of administrative actions.
    pub fn audit_log(&self) -> AuditLog<'_> {
        AuditLog { store: self }
    }

    /// Login sessions.
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions { store: self }
    }

    /// Idempotency keys and their stored answers.
    pub fn idempotency(&self) -> Idempotency<'_> {
        Idempotency { store: self }
    }

    /// Readers' DUKPT counters.
    pub fn readers(&self) -> Readers<'_> {
        Readers { store: self }
    }

    /// Sales and refunds.
    pub fn transactions(&self) -> Transactions<'_> {
        Transactions { store: self }
    }

    /// Batches and the automatic runs.
    pub fn settlement(&self) -> Settlement<'_> {
        Settlement { store: self }
    }

    /// Rate-limit buckets every instance counts against together.
    pub fn rate_limit_buckets(&self) -> RateLimitBuckets<'_> {
        RateLimitBuckets { store: self }
    }

    /// Failed logins for user names no account has.
    pub fn unknown_names(&self) -> UnknownNames<'_> {
        UnknownNames { store: self }
    }

    /// Whether other gateway instances may share this database (PostgreSQL).
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Secrets an older version kept in the database.
    pub fn legacy_secrets(&self) -> LegacySecrets<'_> {
        LegacySecrets { store: self }
    }
}

/// A phone user with its credentials.
#[derive(Clone)]
pub struct UserRow {
    /// Id.
    pub id: String,
    /// Account name.
    pub username: String,
    /// Person's name.
    pub name: String,
    /// Mobile number.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Account state.
    pub status: UserStatus,
    /// Limits.
    pub limits: Limits,
    /// Terminal id.
    pub terminal_id: String,
    /// Argon2id hash of the password.
    pub password_hash: String,
    /// Whether the password is still the generated default.
    pub password_is_default: bool,
    /// Whether the activation code was entered.
    pub activated: bool,
    /// Argon2id hash of the activation code, until used.
    pub activation_code_hash: Option<String>,
    /// When the activation code stops working.
    pub activation_expires_at: Option<OffsetDateTime>,
    /// Consecutive failures since the last success or lock (own reader's lane).
    pub failed_logins: u32,
    /// Locked until (own reader's lane).
    pub locked_until: Option<OffsetDateTime>,
    /// The reader serial of the user's last successful login.
    pub trusted_reader: Option<String>,
    /// Locked until, for attempts from any other reader.
    pub elsewhere_locked_until: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// Fresh credentials: a default password and an activation code (hashed).
#[derive(Clone)]
pub struct NewCredentials {
    /// Hash of the default password.
    pub password_hash: String,
    /// Hash of the activation code.
    pub activation_code_hash: String,
    /// When the code expires.
    pub activation_expires_at: OffsetDateTime,
}

/// A user to create.
#[derive(Clone)]
pub struct NewUser {
    /// Account name.
    pub username: String,
    /// Person's name.
    pub name: String,
    /// Mobile number.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Limits.
    pub limits: Limits,
    /// Initial credentials.
    pub credentials: NewCredentials,
    /// Now.
    pub created_at: OffsetDateTime,
}

/// A login session (the token itself is never stored).
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Whose.
    pub user_id: String,
    /// Where in the first-login sequence.
    pub stage: SessionStage,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Expires.
    pub expires_at: OffsetDateTime,
    /// Until when the user's re-entered password opens transaction details.
    pub verified_until: Option<OffsetDateTime>,
    /// When a request last used it (recorded every `domain::session::TOUCH_EVERY` at most).
    pub last_seen_at: OffsetDateTime,
}

/// A transaction as stored: masked PAN and card token only.
#[derive(Debug, Clone)]
pub struct TxnRow {
    /// Id.
    pub id: String,
    /// Phone user.
    pub user_id: String,
    /// Merchant.
    pub merchant_id: String,
    /// Terminal.
    pub terminal_id: String,
    /// Sale or refund.
    pub kind: TxnKind,
    /// State.
    pub status: TxnStatus,
    /// Amount.
    pub amount: Money,
    /// Brand.
    pub brand: Brand,
    /// Masked PAN.
    pub masked_pan: MaskedPan,
    /// HMAC of the PAN.
    pub card_token: String,
    /// How the card was read.
    pub entry_mode: EntryMode,
    /// Authorization code.
    pub auth_code: Option<String>,
    /// 調閱編號.
    pub invoice_no: String,
    /// ISO 8583 response code.
    pub response_code: String,
    /// Response text.
    pub response_text: String,
    /// Received.
    pub created_at: OffsetDateTime,
    /// Approved.
    pub approved_at: Option<OffsetDateTime>,
    /// Business date.
    pub business_date: Date,
    /// Batch, once settled.
    pub batch_id: Option<String>,
    /// The sale a refund refunds.
    pub original_id: Option<String>,
    /// The client's idempotency key.
    pub idempotency_key: String,
    /// A reversal arrived while the issuer was still deciding.
    pub reversal_requested: bool,
    /// Token of the hosted receipt page.
    pub receipt_token: String,
    /// Signature, once signed.
    pub signature: Option<Vec<Stroke>>,
    /// For sales: sum of approved refunds.
    pub refunded: Money,
}

impl TxnRow {
    /// Whether the row is a capture that settlement must close.
    pub fn is_capture(&self) -> bool {
        self.status == TxnStatus::Approved
    }
}

/// A transaction to insert as pending.
#[derive(Debug, Clone)]
pub struct NewTxn {
    /// Id.
    pub id: String,
    /// Phone user.
    pub user_id: String,
    /// Merchant.
    pub merchant_id: String,
    /// Terminal.
    pub terminal_id: String,
    /// Sale or refund.
    pub kind: TxnKind,
    /// Amount.
    pub amount: Money,
    /// Brand.
    pub brand: Brand,
    /// Masked PAN.
    pub masked_pan: MaskedPan,
    /// HMAC of the PAN.
    pub card_token: String,
    /// How the card was read.
    pub entry_mode: EntryMode,
    /// Now.
    pub created_at: OffsetDateTime,
    /// Business date of now (limits are per business date).
    pub business_date: Date,
    /// The sale a refund refunds.
    pub original_id: Option<String>,
    /// The client's idempotency key (must be claimed already).
    pub idempotency_key: String,
    /// Receipt page token.
    pub receipt_token: String,
}

/// What must hold for a pending row to be admitted, checked atomically.
#[derive(Debug, Clone, Copy)]
pub enum Admission {
    /// A sale: pending + approved sales of the business date plus this one stay within `per_day`.
    Sale {
        /// The user's daily limit.
        per_day: Money,
    },
    /// A refund: earlier approved or pending refunds plus this one stay within the original.
    Refund,
}

/// The issuer's answer, to record.
#[derive(Debug, Clone)]
pub struct IssuerOutcome {
    /// ISO 8583 response code.
    pub response_code: String,
    /// Text.
    pub response_text: String,
    /// Authorization code when approved.
    pub auth_code: Option<String>,
    /// When the answer came.
    pub answered_at: OffsetDateTime,
    /// Business date of the answer (the capture's business date when approved).
    pub business_date: Date,
}

/// ISO 8583 response code of a pending transaction the gateway gave up on.
pub const EXPIRED_RESPONSE_CODE: &str = "91";
/// Response text of a pending transaction the gateway gave up on.
pub const EXPIRED_RESPONSE_TEXT: &str = "Issuer unavailable, reversed";

/// What reserving a password or activation-code attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The account is locked until then: do not evaluate the secret.
    Locked(OffsetDateTime),
    /// The attempt is counted as a failure in advance; evaluate the secret.
    Reserved {
        /// The lock end when this attempt reached the maximum and locked the account.
        locked_until: Option<OffsetDateTime>,
    },
}

/// Which pending transactions [`Store::expire_pending`] ends.
#[derive(Debug, Clone)]
pub enum PendingSelector {
    /// Every pending transaction received before this time (the sweep).
    CreatedBefore(OffsetDateTime),
    /// One transaction (its authorization failed inside the gateway).
    Id(String),
    /// The transaction of a user's idempotency key (its task died).
    Key {
        /// User.
        user_id: String,
        /// Idempotency key.
        key: String,
    },
}

/// The final answer stored for the idempotency key of an expired transaction.
pub type ExpiredAnswer = Box<dyn Fn(&TxnRow) -> (u16, String) + Send + Sync>;

/// Result of claiming an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The caller owns the key and must complete or release it.
    Claimed,
    /// The same request was answered before: send this again.
    Replay {
        /// HTTP status.
        status: u16,
        /// JSON body.
        body: String,
    },
    /// The same request is still being processed.
    InProgress,
    /// The key was used with another request.
    Conflict,
    /// A reversal for this key was recorded.
    Reversed,
}

/// What a reversal did.
#[derive(Debug, Clone)]
pub enum ReversalOutcome {
    /// The original never arrived; a tombstone now refuses it.
    Tombstone,
    /// The original arrived but created no transaction (refused or failed).
    NoTransaction,
    /// The transaction, after the reversal (reversed, or pending and marked).
    Transaction(Box<TxnRow>),
}

/// A search of one user's unsettled transactions.
#[derive(Debug, Clone)]
pub enum SearchCriterion {
    /// Last 4 digits.
    Last4(String),
    /// Authorization code.
    AuthCode(String),
    /// Invoice number.
    InvoiceNo(String),
}

/// A closed settlement batch.
#[derive(Debug, Clone)]
pub struct BatchRow {
    /// Id.
    pub id: String,
    /// Merchant.
    pub merchant_id: String,
    /// Terminal.
    pub terminal_id: String,
    /// Business date closed.
    pub business_date: Date,
    /// When closed.
    pub closed_at: OffsetDateTime,
    /// Manual or automatic.
    pub trigger: SettlementTrigger,
    /// Its captures, summed per kind and brand.
    pub groups: Vec<CaptureGroup>,
}

impl BatchRow {
    /// How many captures it holds.
    pub fn count(&self) -> u64 {
        self.groups.iter().map(|g| g.count).sum()
    }
}

/// Captures of one kind and brand, summed (what settlement totals are made of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureGroup {
    /// Sale or refund.
    pub kind: TxnKind,
    /// Card brand.
    pub brand: Brand,
    /// How many.
    pub count: u64,
    /// Their amounts summed.
    pub total: Money,
}

#[cfg(test)]
mod tests;
