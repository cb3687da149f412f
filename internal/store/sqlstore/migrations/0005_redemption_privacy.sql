-- The redemption configuration of DESIGN section 3 (Graph's
-- crossTenantAccessPolicy/default invitationRedemptionIdentityProviderConfiguration,
-- internal/policy) and the tenant's privacy statement URL (internal/directory).
-- Times are unix microseconds, lists JSON text.

-- One row per tenant once its configuration was first changed; no row means
-- the default configuration (and isServiceDefault). Updates lock this row
-- (SELECT … FOR UPDATE), which serializes a tenant's changes across processes.
CREATE TABLE redemption_policies (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants (id),
    precedence TEXT NOT NULL, -- JSON array of primary identity provider names, first wins
    fallback   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The link the sign-in consent page shows; '' when the tenant set none.
ALTER TABLE tenants ADD COLUMN privacy_url TEXT NOT NULL DEFAULT '';
