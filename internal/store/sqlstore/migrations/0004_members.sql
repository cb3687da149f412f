-- Members who sign in with a password (internal/member). Times are unix
-- microseconds, as in 0001.

-- Graph's accountEnabled. Existing users (guests) stay enabled.
ALTER TABLE users ADD COLUMN account_enabled BOOLEAN NOT NULL DEFAULT TRUE;

-- A member's password as an argon2id PHC string; never the password itself.
-- At most one per user; it goes with the user.
CREATE TABLE member_passwords (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    hash       TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

-- Wrong-password counters, one fixed window per key: "account:{address}"
-- and "client:{address}". Counting is one upsert, so concurrent failures in
-- any process are all counted; a window that ended is replaced by a new one.
CREATE TABLE password_failures (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    key          TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
