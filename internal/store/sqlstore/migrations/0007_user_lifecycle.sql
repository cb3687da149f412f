-- The guest lifecycle (internal/lifecycle): ending a user's access at once,
-- more of Graph's user properties, soft-deleted users and superseded redeem
-- links. Times are unix microseconds (0 = unset), lists JSON text, as in 0001.

-- Every session, refresh token and access token from a sign-in before this
-- instant is dead (revokeSignInSessions, disabling, deleting). 0 = none.
ALTER TABLE users ADD COLUMN tokens_valid_after BIGINT NOT NULL DEFAULT 0;
-- Graph's givenName, surname and jobTitle (otherMails came with 0006).
ALTER TABLE users ADD COLUMN given_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN surname TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN job_title TEXT NOT NULL DEFAULT '';

-- Soft-deleted users (Graph's directory/deletedItems): the users row is
-- moved here, so every query over users stays correct unchanged, and moved
-- back by a restore. A member's password hash travels with the row ('' for
-- none). Rows older than 30 days are purged.
CREATE TABLE deleted_users (
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
    account_enabled                BOOLEAN NOT NULL,
    tokens_valid_after             BIGINT NOT NULL,
    other_mails                    TEXT NOT NULL,
    given_name                     TEXT NOT NULL,
    surname                        TEXT NOT NULL,
    job_title                      TEXT NOT NULL,
    password_hash                  TEXT NOT NULL,
    deleted_at                     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX deleted_users_age ON deleted_users (deleted_at);

-- A redeem link stops working once a newer invitation of the same user
-- supersedes it (a resent invitation, a redemption reset).
ALTER TABLE invitations ADD COLUMN superseded_at BIGINT NOT NULL DEFAULT 0;
