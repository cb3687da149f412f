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

-- App secrets in their own table, so an app can hold several during a
-- rotation. Whether an app is public (no secret, PKCE) is now said by a
-- column, not by a missing secret: removing every secret of a confidential
-- app leaves it unable to authenticate, never public. An app's existing
-- secret keeps the app's id as its secret id.
ALTER TABLE apps ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE apps SET public = (secret_hash IS NULL);
CREATE TABLE app_secrets (
    tenant_id   TEXT NOT NULL,
    app_id      TEXT NOT NULL,
    id          TEXT NOT NULL,
    secret_hash BYTEA NOT NULL, -- SHA-256 of the 256-bit random secret
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, app_id, id),
    FOREIGN KEY (tenant_id, app_id) REFERENCES apps (tenant_id, app_id)
);
INSERT INTO app_secrets (tenant_id, app_id, id, secret_hash, created_at)
    SELECT tenant_id, app_id, app_id, secret_hash, created_at FROM apps WHERE secret_hash IS NOT NULL;
ALTER TABLE apps DROP COLUMN secret_hash;
CREATE INDEX oidc_auth_requests_client ON oidc_auth_requests (tenant_id, client_id);

-- Each tenant's salt for pairwise subjects, so that changing the
-- deployment's secret never changes a subject. New tenants get a random
-- one at creation. Existing tenants keep '' here: the provider stores for
-- them, at its next start, the key their subjects were derived from until
-- now (from the secret), so their subjects do not change.
ALTER TABLE tenants ADD COLUMN subject_salt TEXT NOT NULL DEFAULT '';
