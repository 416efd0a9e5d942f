-- Version 2: state every gateway instance on one database must share.

-- Rate-limit buckets (the GCRA's theoretical arrival time, in microseconds
-- of wall-clock time) by limit and key. Full buckets are swept.
CREATE TABLE rate_limit_buckets (
    bucket      TEXT PRIMARY KEY,
    next_us     BIGINT NOT NULL
);

-- Wrong logins for user names no account has, counted as a real account's
-- own-reader lane would be, so the answers never tell which names exist.
CREATE TABLE unknown_names (
    name            TEXT PRIMARY KEY,
    failed_logins   BIGINT NOT NULL,
    locked_until    TEXT,
    last_failure    TEXT NOT NULL
);
CREATE INDEX unknown_names_last_failure ON unknown_names(last_failure);

-- The daily limit sums a user's sales of one business date: from the index
-- alone, without visiting each row.
CREATE INDEX transactions_user_day_amounts ON transactions(user_id, business_date, kind, status, amount_minor);
DROP INDEX transactions_user_date;
