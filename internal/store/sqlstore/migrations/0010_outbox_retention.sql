-- Secrets at rest in the outbox (internal/mail): a message's bodies (the
-- passcode, the redeem link) move to their own column, emptied when the
-- message is sent or given up; the envelope stays for the operator until
-- the retention purge deletes the row. Times are unix microseconds.

-- JSON {"text","html"}; '' once the message is sent or given up. Rows
-- written before this migration keep their bodies inside message.
ALTER TABLE outbox ADD COLUMN body TEXT NOT NULL DEFAULT '';
-- When the message was sent or given up; 0 while it waits.
ALTER TABLE outbox ADD COLUMN completed_at BIGINT NOT NULL DEFAULT 0;

-- Mail finished before this migration: sent at sent_at, or given up (no
-- time recorded; its creation time stands in). The purge takes it in turn.
UPDATE outbox SET completed_at = CASE WHEN sent_at > 0 THEN sent_at ELSE created_at END
    WHERE next_attempt_at = 0;

CREATE INDEX outbox_completed ON outbox (completed_at) WHERE completed_at > 0;
-- Lease renewal finds the rows a dispatcher holds by their claim tokens.
CREATE INDEX outbox_claimed ON outbox (claim_token) WHERE claim_token <> '';
