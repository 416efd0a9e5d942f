-- Version 3: sessions end after a spell of inactivity (PCI DSS 8.2.8:
-- 15 minutes), so each session remembers when it was last used.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT;
UPDATE sessions SET last_seen_at = created_at;
