-- Production hardening of tokens, apps and secrets (internal/oidc). Times
-- are unix microseconds (0 = unset), as in 0001.

-- Refresh-token families: every token of a rotation chain carries the id of
-- the authorization request whose code started it. A rotated token is
-- marked used instead of deleted, so presenting it again is recognised as
-- a replay, which revokes the whole family. Tokens from before this
-- migration have no family ('') and get one at their next rotation.
ALTER TABLE oidc_refresh_tokens ADD COLUMN family_id TEXT NOT NULL DEFAULT '';
ALTER TABLE oidc_refresh_tokens ADD COLUMN used_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX oidc_refresh_tokens_family ON oidc_refresh_tokens (tenant_id, family_id);

-- Revoked authorizations (a replayed code, a reused refresh token): access
-- tokens issued from the family are refused until expires_at, when the
-- last of them has expired anyway.
CREATE TABLE oidc_revoked_grants (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    family_id  TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, family_id)
);
CREATE INDEX oidc_revoked_grants_expiry ON oidc_revoked_grants (expires_at);
