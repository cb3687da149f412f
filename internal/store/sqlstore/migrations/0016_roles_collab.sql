-- Directory role assignments (internal/roles, R10) and the external
-- collaboration settings (who may invite, which domains, the guest access
-- level). Times are unix microseconds, lists JSON text, as in 0001.
CREATE TABLE role_assignments (
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    id                 TEXT NOT NULL,
    principal_id       TEXT NOT NULL,
    role_definition_id TEXT NOT NULL,
    directory_scope_id TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, principal_id, role_definition_id, directory_scope_id)
);

CREATE TABLE collaboration_settings (
    tenant_id          TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    allow_invites_from TEXT NOT NULL,
    guest_user_role_id TEXT NOT NULL,
    domain_mode        TEXT NOT NULL,
    domains            TEXT NOT NULL, -- JSON array
    updated_at         BIGINT NOT NULL
);
