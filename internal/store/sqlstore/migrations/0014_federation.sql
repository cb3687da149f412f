-- Federation with partners' identity providers (internal/federation):
-- SAML 2.0 and OpenID Connect federations by domain and the Google
-- preset, the domains each claims, and the SAML assertion ids already
-- used. Times are unix microseconds, settings JSON text, as in 0001.
CREATE TABLE federations (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    issuer       TEXT NOT NULL,
    settings     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- One federation per domain of a tenant (the look-up at redemption).
CREATE TABLE federation_domains (
    tenant_id     TEXT NOT NULL,
    domain        TEXT NOT NULL,
    federation_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, domain),
    FOREIGN KEY (tenant_id, federation_id) REFERENCES federations (tenant_id, id) ON DELETE CASCADE
);

-- SAML assertion ids accepted, each once, until they expire.
CREATE TABLE federation_assertions (
    tenant_id     TEXT NOT NULL,
    assertion_key TEXT NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, assertion_key)
);
CREATE INDEX federation_assertions_expiry ON federation_assertions (expires_at);
