//! The storage boundary. [`Store`] is what the gateway needs from a
//! database, one atomic operation per method, so a PostgreSQL implementation
//! can sit beside [`SqliteStore`] later. Methods are synchronous and short.

mod sqlite;

pub use sqlite::SqliteStore;

pub use crate::auth::lockout::Lane;
use mpos_wire::api::{
    Limits, SessionStage, SettlementTrigger, Stroke, TxnKind, TxnStatus, UserStatus,
};
use mpos_wire::{Brand, EntryMode, ErrorCode, MaskedPan, Money};
use time::{Date, OffsetDateTime};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// A row holds a value the code does not understand.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// The schema is newer than this program.
    #[error("database schema version {0} is newer than this gateway; upgrade the gateway")]
    SchemaTooNew(i64),
    /// The operation was refused by a business rule checked inside the transaction.
    #[error("refused: {0:?}")]
    Refused(ErrorCode),
    /// The user name is already taken.
    #[error("user name already taken")]
    UsernameTaken,
    /// The authorization code is already used; draw another.
    #[error("authorization code already used")]
    AuthCodeTaken,
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
#[derive(Debug, Clone, Copy)]
pub enum PendingSelector<'a> {
    /// Every pending transaction received before this time (the sweep).
    CreatedBefore(OffsetDateTime),
    /// One transaction (its authorization failed inside the gateway).
    Id(&'a str),
    /// The transaction of a user's idempotency key (its task died).
    Key {
        /// User.
        user_id: &'a str,
        /// Idempotency key.
        key: &'a str,
    },
}

/// The final answer stored for the idempotency key of an expired transaction.
pub type ExpiredAnswer<'a> = &'a dyn Fn(&TxnRow) -> (u16, String);

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
    /// The captures in it.
    pub captures: Vec<TxnRow>,
}

/// The gateway's storage.
pub trait Store: Send + Sync {
    // ---- users
    /// Creates a user with a fresh terminal id.
    fn create_user(&self, user: &NewUser) -> Result<UserRow, StoreError>;
    /// A user by id.
    fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError>;
    /// A user by account name.
    fn user_by_username(&self, username: &str) -> Result<Option<UserRow>, StoreError>;
    /// Every user, oldest first.
    fn list_users(&self) -> Result<Vec<UserRow>, StoreError>;
    /// Disables a user and ends its sessions.
    fn disable_user(&self, id: &str) -> Result<Option<UserRow>, StoreError>;
    /// New default password and activation code; back to pending, lock cleared, sessions ended.
    fn reset_credentials(
        &self,
        id: &str,
        credentials: &NewCredentials,
    ) -> Result<Option<UserRow>, StoreError>;
    /// Reserves one password or activation-code attempt in `lane` before it
    /// is evaluated: refuses while the lane is locked, else counts it as a
    /// failure, locking the lane until `lock_until` when the count reaches `max`.
    fn reserve_attempt(
        &self,
        id: &str,
        lane: Lane,
        now: OffsetDateTime,
        max: u32,
        lock_until: OffsetDateTime,
    ) -> Result<Attempt, StoreError>;
    /// A reserved attempt was right: resets the lane's count and, for a
    /// login, trusts its reader from now on. Returns the lock end, and
    /// changes nothing, when other attempts locked the lane meanwhile;
    /// `own_lock` is the lock this attempt's own reservation set, which it lifts.
    fn attempt_succeeded(
        &self,
        id: &str,
        lane: Lane,
        now: OffsetDateTime,
        own_lock: Option<OffsetDateTime>,
        trust_reader: Option<&str>,
    ) -> Result<Option<OffsetDateTime>, StoreError>;
    /// Replaces the user's password or activation-code hash `old` by `new`
    /// (the same secret under the pepper); no effect when `old` changed meanwhile.
    fn replace_secret_hash(&self, id: &str, old: &str, new: &str) -> Result<(), StoreError>;
    /// Uses the activation code whose hash is `code_hash`; false when it was used meanwhile.
    fn consume_activation_code(&self, id: &str, code_hash: &str) -> Result<bool, StoreError>;
    /// Sets the user's own password, makes the account active and ends every
    /// other session of the user (one opened with the old password must not outlive it).
    fn set_password(
        &self,
        id: &str,
        password_hash: &str,
        keep_session: &str,
    ) -> Result<(), StoreError>;

    // ---- sessions
    /// Stores a session.
    fn insert_session(&self, session: &SessionRow) -> Result<(), StoreError>;
    /// A session by token hash.
    fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError>;
    /// Moves a session to another stage.
    fn set_session_stage(&self, token_hash: &str, stage: SessionStage) -> Result<(), StoreError>;
    /// Records a request's use of the session.
    fn touch_session(&self, token_hash: &str, now: OffsetDateTime) -> Result<(), StoreError>;
    /// Ends a session.
    fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Records that the session's user re-entered the password, valid until `until`.
    fn set_verified_until(&self, token_hash: &str, until: OffsetDateTime)
        -> Result<(), StoreError>;

    // ---- idempotency and readers
    /// Claims `key` at the merchant for `user` with this endpoint and body
    /// hash: a key another user of the merchant holds answers
    /// [`Claim::Conflict`]; one this user reversed, [`Claim::Reversed`].
    fn claim_idempotency(
        &self,
        merchant_id: &str,
        user_id: &str,
        key: &str,
        endpoint: &str,
        body_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Claim, StoreError>;
    /// Stores the final answer of a claimed key (no effect once reversed).
    fn complete_idempotency(
        &self,
        user_id: &str,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError>;
    /// Gives a claimed key up after an internal failure, so the client may retry.
    fn release_idempotency(&self, user_id: &str, key: &str) -> Result<(), StoreError>;
    /// Records a reader's DUKPT counter; false when it is not above the last one seen.
    fn record_reader_counter(
        &self,
        reader_id: &str,
        counter: u32,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    // ---- transactions
    /// Inserts a pending transaction with the next invoice number, checking `admission`
    /// and that its idempotency key was not reversed, in one transaction.
    fn insert_pending(&self, txn: &NewTxn, admission: Admission) -> Result<TxnRow, StoreError>;
    /// Records the issuer's answer; a transaction marked for reversal ends reversed, never approved.
    fn complete_authorization(
        &self,
        id: &str,
        outcome: &IssuerOutcome,
    ) -> Result<TxnRow, StoreError>;
    /// A transaction by id.
    fn txn_by_id(&self, id: &str) -> Result<Option<TxnRow>, StoreError>;
    /// A transaction by receipt token.
    fn txn_by_receipt_token(&self, token: &str) -> Result<Option<TxnRow>, StoreError>;
    /// The approved sale of a merchant with this authorization code.
    fn sale_by_auth_code(
        &self,
        merchant_id: &str,
        auth_code: &str,
    ) -> Result<Option<TxnRow>, StoreError>;
    /// Voids an approved, unsettled transaction of the merchant made by `user_id`.
    fn void_txn(
        &self,
        id: &str,
        merchant_id: &str,
        user_id: &str,
        now: OffsetDateTime,
    ) -> Result<TxnRow, StoreError>;
    /// Reverses whatever `user_id`'s request with `key` did, or records a
    /// tombstone that refuses it if it comes late. Refused when another user
    /// of the merchant holds the key, and for an approved original as
    /// `domain::reversal::may_reverse_approved` decides with `window`.
    fn reverse(
        &self,
        merchant_id: &str,
        user_id: &str,
        key: &str,
        now: OffsetDateTime,
        window: time::Duration,
    ) -> Result<ReversalOutcome, StoreError>;
    /// Ends the selected pending transactions as reversed (`91`, issuer
    /// unavailable), releasing what they held, and stores `answer` as the final
    /// answer of their idempotency keys still processing. Returns them. The
    /// sweep ([`PendingSelector::CreatedBefore`]) also releases keys claimed
    /// before that time that are still processing without a transaction.
    fn expire_pending(
        &self,
        which: PendingSelector<'_>,
        now: OffsetDateTime,
        answer: ExpiredAnswer<'_>,
    ) -> Result<Vec<TxnRow>, StoreError>;
    /// Stores the signature of an approved transaction that has none yet.
    fn set_signature(
        &self,
        id: &str,
        strokes: &[Stroke],
        now: OffsetDateTime,
    ) -> Result<TxnRow, StoreError>;
    /// A user's unsettled captures (approved, not in a batch) matching a criterion, newest first.
    fn search_unsettled(
        &self,
        user_id: &str,
        criterion: &SearchCriterion,
    ) -> Result<Vec<TxnRow>, StoreError>;
    /// Every transaction, newest first.
    fn list_transactions(&self) -> Result<Vec<TxnRow>, StoreError>;

    // ---- settlement
    /// Approved, unsettled captures of a terminal.
    fn unsettled_captures(&self, terminal_id: &str) -> Result<Vec<TxnRow>, StoreError>;
    /// Closes every unsettled capture of a terminal into one batch; `None` when there is none.
    fn settle_terminal(
        &self,
        terminal_id: &str,
        merchant_id: &str,
        business_date: Date,
        now: OffsetDateTime,
    ) -> Result<Option<BatchRow>, StoreError>;
    /// The automatic run for business date `date`: per terminal, closes every unsettled
    /// capture with business date at or before it. `None` when that date already ran.
    fn run_automatic_settlement(
        &self,
        date: Date,
        now: OffsetDateTime,
    ) -> Result<Option<Vec<BatchRow>>, StoreError>;
    /// The latest business date whose automatic run is recorded.
    fn last_automatic_run(&self) -> Result<Option<Date>, StoreError>;
    /// Every batch, newest first.
    fn list_batches(&self) -> Result<Vec<BatchRow>, StoreError>;

    // ---- secrets (only to move them out: keys never live in the database)
    /// A secret an older version stored in the database, if any.
    fn legacy_secret(&self, name: &str) -> Result<Option<String>, StoreError>;
    /// Erases a legacy secret, overwriting its bytes in the database file.
    fn delete_secret(&self, name: &str) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests;
