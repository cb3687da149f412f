-- OpenID Connect grants (internal/oidc). Times are unix microseconds
-- (0 = unset), lists are JSON arrays in TEXT, as in 0001.

-- An authorization request: pending until the user signs in (done_at > 0),
-- then the grant its authorization code redeems, deleted on redemption.
-- expires_at is the login deadline while pending, the code's expiry once done.
CREATE TABLE oidc_auth_requests (
    tenant_id             TEXT NOT NULL REFERENCES tenants (id),
    id                    TEXT NOT NULL,
    client_id             TEXT NOT NULL,
    redirect_uri          TEXT NOT NULL,
    scopes                TEXT NOT NULL, -- JSON array
    state                 TEXT NOT NULL,
    nonce                 TEXT NOT NULL,
    response_type         TEXT NOT NULL,
    response_mode         TEXT NOT NULL,
    prompt                TEXT NOT NULL, -- JSON array
    max_age               BIGINT NOT NULL, -- seconds, -1 = none
    login_hint            TEXT NOT NULL,
    ui_locales            TEXT NOT NULL, -- JSON array
    code_challenge        TEXT NOT NULL,
    code_challenge_method TEXT NOT NULL,
    created_at            BIGINT NOT NULL,
    expires_at            BIGINT NOT NULL,
    user_id               TEXT NOT NULL,
    auth_time             BIGINT NOT NULL,
    amr                   TEXT NOT NULL, -- JSON array
    idp                   TEXT NOT NULL,
    session_id            TEXT NOT NULL,
    done_at               BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX oidc_auth_requests_expiry ON oidc_auth_requests (expires_at);

-- Refresh tokens, kept as SHA-256 of the token. Rotation deletes the old
-- row and inserts the new one with the same expires_at.
CREATE TABLE oidc_refresh_tokens (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    token_hash BYTEA NOT NULL,
    client_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    session_id TEXT NOT NULL,
    scopes     TEXT NOT NULL, -- JSON array
    amr        TEXT NOT NULL, -- JSON array
    idp        TEXT NOT NULL,
    auth_time  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, token_hash)
);
CREATE INDEX oidc_refresh_tokens_user ON oidc_refresh_tokens (tenant_id, user_id, client_id);
CREATE INDEX oidc_refresh_tokens_expiry ON oidc_refresh_tokens (expires_at);
