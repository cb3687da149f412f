-- guestgate schema, written once for both engines (PostgreSQL dialect that
-- SQLite also accepts). Times are unix microseconds (BIGINT, 0 = unset) so
-- neither engine's time zone handling matters.

CREATE TABLE tenants (
    id                    TEXT PRIMARY KEY,
    display_name          TEXT NOT NULL,
    initial_domain        TEXT NOT NULL,
    cloud                 TEXT NOT NULL,
    managed               BOOLEAN NOT NULL,
    preview_opt_in        BOOLEAN NOT NULL,
    notification_language TEXT NOT NULL DEFAULT '',
    created_at            BIGINT NOT NULL
);

-- A verified domain belongs to exactly one tenant; it routes /{domain}/… (R5).
CREATE TABLE tenant_domains (
    domain    TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    position  INTEGER NOT NULL
);
CREATE INDEX tenant_domains_tenant ON tenant_domains (tenant_id);

CREATE TABLE users (
    tenant_id                      TEXT NOT NULL REFERENCES tenants (id),
    id                             TEXT NOT NULL,
    user_type                      TEXT NOT NULL,
    display_name                   TEXT NOT NULL,
    mail                           TEXT NOT NULL,
    mail_lower                     TEXT NOT NULL,
    user_principal_name            TEXT NOT NULL,
    creation_type                  TEXT NOT NULL,
    preferred_language             TEXT NOT NULL,
    external_user_state            TEXT NOT NULL,
    external_user_state_changed_at BIGINT NOT NULL,
    idp                            TEXT NOT NULL,
    idp_issuer                     TEXT NOT NULL,
    created_at                     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, mail_lower)
);

CREATE TABLE invitations (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    id               TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    email            TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    redirect_url     TEXT NOT NULL,
    send_message     BOOLEAN NOT NULL,
    message_language TEXT NOT NULL,
    custom_message   TEXT NOT NULL,
    cc_recipients    TEXT NOT NULL, -- JSON array
    invited_by       TEXT NOT NULL,
    ticket_hash      BYTEA NOT NULL,
    status           TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, ticket_hash)
);
CREATE INDEX invitations_user ON invitations (tenant_id, user_id);

-- One live passcode per address and tenant, with its send accounting (R3).
CREATE TABLE otp_codes (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    address      TEXT NOT NULL,
    code_hash    BYTEA NOT NULL,
    issued_at    BIGINT NOT NULL,
    attempts     INTEGER NOT NULL,
    used_at      BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    window_count INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, address)
);

CREATE TABLE sessions (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    id_hash    BYTEA NOT NULL,
    user_id    TEXT NOT NULL,
    auth_time  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    amr        TEXT NOT NULL, -- JSON array
    idp        TEXT NOT NULL,
    revoked_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id_hash)
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

-- Transactional outbox: a row is written with the state that caused the mail.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    message         TEXT NOT NULL, -- JSON: recipients, subject, bodies
    created_at      BIGINT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL, -- 0 once sent or given up
    claim_token     TEXT NOT NULL,
    claimed_until   BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL,
    last_error      TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE next_attempt_at > 0;
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE apps (
    tenant_id                 TEXT NOT NULL REFERENCES tenants (id),
    app_id                    TEXT NOT NULL,
    display_name              TEXT NOT NULL,
    secret_hash               BYTEA,
    permissions               TEXT NOT NULL, -- JSON array
    redirect_uris             TEXT NOT NULL, -- JSON array
    post_logout_redirect_uris TEXT NOT NULL, -- JSON array
    created_at                BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, app_id)
);

CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    algorithm   TEXT NOT NULL,
    private_der BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT NOT NULL
);
