-- Who set each tenant's inactive-guest policy (internal/inactivepolicy,
-- Policy.SetBy): the object id of the member who set it in the console,
-- '' for the operator (the guestgate CLI). The policy disables with its
-- setter's current authority (R14). Policies set before this migration
-- take their setter from the latest "Update inactive guest policy" audit
-- record, whose initiated_by names the member (or, for the CLI, no user);
-- a policy whose record is gone is the operator's, as every policy was.
-- The backfill reads JSON, which each engine spells its own way (the
-- PostgreSQL twin is 0028_inactive_policy_set_by.postgres.sql).
ALTER TABLE inactive_guest_policies ADD COLUMN set_by TEXT NOT NULL DEFAULT '';

UPDATE inactive_guest_policies SET set_by = COALESCE((
    SELECT json_extract(a.initiated_by, '$.UserID') FROM directory_audits a
    WHERE a.tenant_id = inactive_guest_policies.tenant_id AND a.activity = 'Update inactive guest policy'
    ORDER BY a.seq DESC LIMIT 1), '');
