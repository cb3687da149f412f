-- Self-service sign-up to an app (R13). Personal accounts (the consumers
-- directory, a tenant created at start) and unmanaged tenants (tenants
-- with managed = FALSE) need no tables of their own.

-- The apps whose sign-in offers sign-up to people without an invitation.
ALTER TABLE apps ADD COLUMN sign_up BOOLEAN NOT NULL DEFAULT FALSE;

-- The domains a tenant restricts app sign-up to (none: any domain).
CREATE TABLE sign_up_domains (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    domain    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, domain)
);
