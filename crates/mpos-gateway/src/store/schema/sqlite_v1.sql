-- Version 1 of the gateway schema. Money is INTEGER minor units; times are
-- RFC 3339 UTC text with millisecond precision (so text order is time order);
-- business dates are YYYY-MM-DD in Asia/Taipei.

CREATE TABLE users (
    id                      TEXT PRIMARY KEY,
    username                TEXT NOT NULL UNIQUE,
    name                    TEXT NOT NULL,
    phone                   TEXT NOT NULL,
    email                   TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('pending_activation', 'active', 'disabled')),
    limit_per_txn_minor     INTEGER NOT NULL CHECK (limit_per_txn_minor > 0),
    limit_per_day_minor     INTEGER NOT NULL CHECK (limit_per_day_minor > 0),
    limit_refund_minor      INTEGER CHECK (limit_refund_minor IS NULL OR limit_refund_minor > 0),
    currency                TEXT NOT NULL,
    terminal_id             TEXT NOT NULL UNIQUE,
    password_hash           TEXT NOT NULL,
    password_is_default     INTEGER NOT NULL,
    activated               INTEGER NOT NULL,
    activation_code_hash    TEXT,
    activation_expires_at   TEXT,
    failed_logins           INTEGER NOT NULL DEFAULT 0,
    locked_until            TEXT,
    created_at              TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    stage       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE terminal_sequences (
    terminal_id     TEXT PRIMARY KEY,
    last_invoice    INTEGER NOT NULL
);

CREATE TABLE batches (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL,
    terminal_id     TEXT NOT NULL,
    business_date   TEXT NOT NULL,
    closed_at       TEXT NOT NULL,
    trigger         TEXT NOT NULL CHECK (trigger IN ('manual', 'automatic'))
);

CREATE TABLE transactions (
    id                  TEXT PRIMARY KEY,
    user_id             TEXT NOT NULL REFERENCES users(id),
    merchant_id         TEXT NOT NULL,
    terminal_id         TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('sale', 'refund')),
    status              TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'voided', 'reversed')),
    amount_minor        INTEGER NOT NULL CHECK (amount_minor > 0),
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
    reversal_requested  INTEGER NOT NULL DEFAULT 0,
    receipt_token       TEXT NOT NULL UNIQUE,
    signature_json      TEXT,
    updated_at          TEXT NOT NULL,
    UNIQUE (user_id, idempotency_key)
);
CREATE UNIQUE INDEX transactions_auth_code ON transactions(auth_code) WHERE auth_code IS NOT NULL;
CREATE INDEX transactions_user_date ON transactions(user_id, business_date);
CREATE INDEX transactions_terminal_unsettled ON transactions(terminal_id) WHERE batch_id IS NULL;
CREATE INDEX transactions_original ON transactions(original_id);

-- One row per (user, Idempotency-Key). state: processing, done, reversed.
-- A row in state reversed without a request is a reversal tombstone.
CREATE TABLE idempotency (
    user_id         TEXT NOT NULL REFERENCES users(id),
    key             TEXT NOT NULL,
    endpoint        TEXT NOT NULL,
    body_hash       TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('processing', 'done', 'reversed')),
    response_status INTEGER,
    response_body   TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Highest DUKPT counter seen per reader (initial key id).
CREATE TABLE reader_counters (
    reader_id       TEXT PRIMARY KEY,
    last_counter    INTEGER NOT NULL,
    updated_at      TEXT NOT NULL
);

-- Business dates whose 23:00 automatic settlement has run.
CREATE TABLE settlement_runs (
    business_date   TEXT PRIMARY KEY,
    ran_at          TEXT NOT NULL,
    batch_count     INTEGER NOT NULL
);

-- Keys generated at first start (the card-token key when not configured).
CREATE TABLE secrets (
    name    TEXT PRIMARY KEY,
    value   TEXT NOT NULL
);
