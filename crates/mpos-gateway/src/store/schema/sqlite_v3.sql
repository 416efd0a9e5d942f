-- Version 3: sessions end after a spell of inactivity (PCI DSS 8.2.8:
-- 15 minutes), so each session remembers when it was last used.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
UPDATE sessions SET last_seen_at = created_at;

-- Lockout lanes: wrong passwords sent with the reader the user last logged
-- in with count apart from those sent with any other reader, so a stranger
-- who guesses from elsewhere locks only "elsewhere" and never the cashier
-- at their own reader. failed_logins/locked_until are the own reader's lane.
ALTER TABLE users ADD COLUMN trusted_reader TEXT;
ALTER TABLE users ADD COLUMN elsewhere_failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN elsewhere_locked_until TEXT;
