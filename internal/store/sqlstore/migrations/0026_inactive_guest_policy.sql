-- The inactive-guest policy (internal/inactivepolicy): per tenant, days
-- (0: off) and warn_days, the next scheduled run and the lease of the one
-- runner working on the tenant (lease_owner, until lease_until). Times are
-- unix microseconds, as in 0001.
CREATE TABLE inactive_guest_policies (
    tenant_id   TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    days        INTEGER NOT NULL,
    warn_days   INTEGER NOT NULL,
    updated_at  BIGINT NOT NULL,
    next_run_at BIGINT NOT NULL,
    lease_owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL
);

-- The runners' scan: policies that are on and due.
CREATE INDEX inactive_guest_policies_due ON inactive_guest_policies (next_run_at) WHERE days > 0;

-- When a guest's sponsors were last warned: one row per guest, so a
-- warning is mailed once per inactivity cycle, not on every run. Purging
-- the user removes it.
CREATE TABLE inactive_guest_warnings (
    tenant_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    warned_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
