-- Version 3: the merchant portal's administrators, their sessions and API
-- tokens, and the audit log of every administrative action.

CREATE TABLE admins (
    id                  TEXT PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    email               TEXT NOT NULL,
    -- NULL for the automation account, which only has API tokens.
    password_hash       TEXT,
    -- Base32 TOTP secret once enrolled; the last time step accepted (no replays).
    totp_secret         TEXT,
    totp_last_step      BIGINT NOT NULL DEFAULT 0,
    -- Keyed digests of the unused recovery codes, space separated.
    recovery_digests    TEXT NOT NULL DEFAULT '',
    failed_logins       BIGINT NOT NULL DEFAULT 0,
    locked_until        TEXT,
    created_at          TEXT NOT NULL
);

CREATE TABLE admin_sessions (
    token_hash      TEXT PRIMARY KEY,
    admin_id        TEXT NOT NULL REFERENCES admins(id),
    stage           TEXT NOT NULL CHECK (stage IN ('second_factor', 'enrol', 'signed_in')),
    csrf_token      TEXT NOT NULL,
    -- The TOTP secret offered at enrolment, until confirmed.
    pending_secret  TEXT,
    created_at      TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    expires_at      TEXT NOT NULL
);
CREATE INDEX admin_sessions_admin ON admin_sessions(admin_id);

CREATE TABLE admin_api_tokens (
    id              TEXT PRIMARY KEY,
    admin_id        TEXT NOT NULL REFERENCES admins(id),
    token_hash      TEXT NOT NULL UNIQUE,
    label           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    revoked_at      TEXT
);

CREATE TABLE audit_log (
    seq             BIGSERIAL PRIMARY KEY,
    at              TEXT NOT NULL,
    admin_id        TEXT NOT NULL,
    admin_username  TEXT NOT NULL,
    action          TEXT NOT NULL,
    target          TEXT NOT NULL,
    detail          TEXT NOT NULL,
    client          TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);

-- Never editable: the database itself refuses changes and deletions.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE INDEX transactions_created ON transactions(created_at);
