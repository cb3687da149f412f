-- Invitation details Graph SDKs send and read back (internal/invitation) and
-- the sign-in log (Graph's signIn, internal/audit). Times are unix
-- microseconds, lists JSON text.

-- The display names of the cc recipients, index by index with cc_recipients,
-- and the object ids of the invitedUserSponsors.
ALTER TABLE invitations ADD COLUMN cc_names TEXT NOT NULL DEFAULT '[]';
ALTER TABLE invitations ADD COLUMN sponsors TEXT NOT NULL DEFAULT '[]';

-- One row per interactive sign-in or failed attempt. A success is written in
-- the transaction that starts its session; a failure on its own. No sequence
-- row: sign-ins of a tenant must not queue behind one counter, so lists page
-- by (created_at, id), newest first.
CREATE TABLE sign_ins (
    tenant_id                TEXT NOT NULL REFERENCES tenants (id),
    id                       TEXT NOT NULL,
    created_at               BIGINT NOT NULL,
    user_id                  TEXT NOT NULL, -- '' when the address is no user of the tenant
    user_principal_name      TEXT NOT NULL,
    user_display_name        TEXT NOT NULL,
    user_type                TEXT NOT NULL, -- member, guest
    app_id                   TEXT NOT NULL,
    app_display_name         TEXT NOT NULL,
    ip_address               TEXT NOT NULL,
    user_agent               TEXT NOT NULL,
    client_app_used          TEXT NOT NULL,
    correlation_id           TEXT NOT NULL,
    error_code               INTEGER NOT NULL, -- 0: success
    failure_reason           TEXT NOT NULL,
    additional_details       TEXT NOT NULL,
    idp                      TEXT NOT NULL, -- mail, the home tenant's issuer, '' for members
    authentication_method    TEXT NOT NULL,
    cross_tenant_access_type TEXT NOT NULL, -- none, b2bCollaboration
    home_tenant_id           TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE INDEX sign_ins_newest ON sign_ins (tenant_id, created_at, id);
