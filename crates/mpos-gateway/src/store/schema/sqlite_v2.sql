-- Version 2: merchant-scoped reversals, the password re-entry grant, and
-- indexes for the pending-transaction sweep.

-- Until when the session's user re-entered the password (transaction details).
ALTER TABLE sessions ADD COLUMN verified_until TEXT;

-- Reversals find an original by (merchant, key) whichever user of the
-- merchant sends them. '' marks rows written before version 2; they belong
-- to the gateway's one merchant.
ALTER TABLE idempotency ADD COLUMN merchant_id TEXT NOT NULL DEFAULT '';
UPDATE idempotency SET merchant_id = COALESCE(
    (SELECT t.merchant_id FROM transactions t WHERE t.user_id = idempotency.user_id AND t.idempotency_key = idempotency.key),
    '');
CREATE INDEX idempotency_merchant_key ON idempotency(merchant_id, key);
CREATE INDEX transactions_merchant_key ON transactions(merchant_id, idempotency_key);
CREATE INDEX transactions_pending ON transactions(created_at) WHERE status = 'pending';
