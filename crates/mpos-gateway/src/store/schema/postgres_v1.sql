-- Version 1 of the gateway schema on PostgreSQL: the same tables and
-- columns as SQLite's version 3, so one statement text serves both. Money
-- is BIGINT minor units; times are RFC 3339 UTC text with millisecond
-- precision (text order is time order); business dates are YYYY-MM-DD in
-- Asia/Taipei; `rowid` keeps insertion order where SQLite has its own.

CREATE TABLE users (
    rowid                   BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id                      TEXT PRIMARY KEY,
    username                TEXT NOT NULL UNIQUE,
    name                    TEXT NOT NULL,
    phone                   TEXT NOT NULL,
    email                   TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('pending_activation', 'active', 'disabled')),
    limit_per_txn_minor     BIGINT NOT NULL CHECK (limit_per_txn_minor > 0),
    limit_per_day_minor     BIGINT NOT NULL CHECK (limit_per_day_minor > 0),
    limit_refund_minor      BIGINT CHECK (limit_refund_minor IS NULL OR limit_refund_minor > 0),
    currency                TEXT NOT NULL,
    terminal_id             TEXT NOT NULL UNIQUE,
    password_hash           TEXT NOT NULL,
    password_is_default     BOOLEAN NOT NULL,
    activated               BOOLEAN NOT NULL,
    activation_code_hash    TEXT,
    activation_expires_at   TEXT,
    failed_logins           BIGINT NOT NULL DEFAULT 0,
    locked_until            TEXT,
    created_at              TEXT NOT NULL,
    trusted_reader          TEXT,
    elsewhere_failed_logins BIGINT NOT NULL DEFAULT 0,
    elsewhere_locked_until  TEXT
);

CREATE TABLE sessions (
    token_hash      TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    stage           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    verified_until  TEXT,
    last_seen_at    TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE terminal_sequences (
    terminal_id     TEXT PRIMARY KEY,
    last_invoice    BIGINT NOT NULL
);

CREATE TABLE batches (
    rowid           BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL,
    terminal_id     TEXT NOT NULL,
    business_date   TEXT NOT NULL,
    closed_at       TEXT NOT NULL,
    trigger         TEXT NOT NULL CHECK (trigger IN ('manual', 'automatic'))
);

CREATE TABLE transactions (
    rowid               BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id                  TEXT PRIMARY KEY,
    user_id             TEXT NOT NULL REFERENCES users(id),
    merchant_id         TEXT NOT NULL,
    terminal_id         TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
    status              TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'voided', 'reversed')),
    amount_minor        BIGINT NOT NULL CHECK (amount_minor > 0),
    currency            TEXT NOT NULL,
    brand               TEXT NOT NULL,
    masked_pan          TEXT NOT NULL,
    card_token          TEXT NOT NULL,
    entry_mode          TEXT NOT NULL,
    auth_code           TEXT,
    invoice_no          TEXT NOT NULL,
    response_code       TEXT NOT NULL,
    response_text       TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    approved_at         TEXT,
    business_date       TEXT NOT NULL,
    batch_id            TEXT REFERENCES batches(id),
    original_id         TEXT REFERENCES transactions(id),
    idempotency_key     TEXT NOT NULL,
    reversal_requested  BOOLEAN NOT NULL DEFAULT FALSE,
    receipt_token       TEXT NOT NULL UNIQUE,
    signature_json      TEXT,
    updated_at          TEXT NOT NULL,
    UNIQUE (user_id, idempotency_key)
);
CREATE UNIQUE INDEX transactions_auth_code ON transactions(auth_code) WHERE auth_code IS NOT NULL;
CREATE INDEX transactions_user_date ON transactions(user_id, business_date);
CREATE INDEX transactions_terminal_unsettled ON transactions(terminal_id) WHERE batch_id IS NULL;
CREATE INDEX transactions_original ON transactions(original_id);
CREATE INDEX transactions_merchant_key ON transactions(merchant_id, idempotency_key);
CREATE INDEX transactions_pending ON transactions(created_at) WHERE status = 'pending';
CREATE INDEX transactions_batch ON transactions(batch_id);

-- One row per (user, Idempotency-Key). state: processing, done, reversed.
-- A row in state reversed without a request is a reversal tombstone.
CREATE TABLE idempotency (
    user_id         TEXT NOT NULL REFERENCES users(id),
    key             TEXT NOT NULL,
    endpoint        TEXT NOT NULL,
    body_hash       TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('processing', 'done', 'reversed')),
    response_status BIGINT,
    response_body   TEXT,
    created_at      TEXT NOT NULL,
    merchant_id     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_merchant_key ON idempotency(merchant_id, key);

-- Highest DUKPT counter seen per reader (initial key id).
CREATE TABLE reader_counters (
    reader_id       TEXT PRIMARY KEY,
    last_counter    BIGINT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- Business dates whose 23:00 automatic settlement has run.
CREATE TABLE settlement_runs (
    business_date   TEXT PRIMARY KEY,
    ran_at          TEXT NOT NULL,
    batch_count     BIGINT NOT NULL
);
