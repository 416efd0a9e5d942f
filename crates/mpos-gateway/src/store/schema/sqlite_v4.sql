-- Version 4: settlement reads a batch's captures by batch id.
CREATE INDEX transactions_batch ON transactions(batch_id);
