-- Which users and groups may reach which app (internal/assignment).
-- app_assignment_settings holds, per app, what the reproduced product
-- keeps on the app's service principal and application objects: the
-- object ids of the app's application and service principal (each
-- distinct from the app id, as in the reproduced product),
-- appRoleAssignmentRequired, groupMembershipClaims and the app roles (a
-- JSON array). Every app has one row; this migration gives existing apps
-- theirs. app_role_assignments are the assignments of a user or a group
-- to an app role (Graph's appRoleAssignment); a principal holds a role of
-- an app once. Times are unix microseconds, as in 0001.
CREATE TABLE app_assignment_settings (
    tenant_id               TEXT NOT NULL,
    app_id                  TEXT NOT NULL,
    application_object_id   TEXT NOT NULL,
    service_principal_id    TEXT NOT NULL,
    assignment_required     BOOLEAN NOT NULL DEFAULT FALSE,
    group_membership_claims TEXT NOT NULL DEFAULT 'None',
    app_roles               TEXT NOT NULL DEFAULT '[]', -- JSON array
    PRIMARY KEY (tenant_id, app_id),
    FOREIGN KEY (tenant_id, app_id) REFERENCES apps (tenant_id, app_id)
);
CREATE UNIQUE INDEX app_assignment_settings_sp ON app_assignment_settings (tenant_id, service_principal_id);
CREATE UNIQUE INDEX app_assignment_settings_application ON app_assignment_settings (tenant_id, application_object_id);

CREATE TABLE app_role_assignments (
    tenant_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    app_id         TEXT NOT NULL,
    principal_type TEXT NOT NULL, -- 'User' or 'Group'
    principal_id   TEXT NOT NULL,
    app_role_id    TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, app_id) REFERENCES apps (tenant_id, app_id)
);
CREATE UNIQUE INDEX app_role_assignments_one ON app_role_assignments (tenant_id, app_id, principal_id, app_role_id);
-- appRoleAssignedTo: an app's assignments, paged by id.
CREATE INDEX app_role_assignments_app ON app_role_assignments (tenant_id, app_id, id);
-- appRoleAssignments of a user or group, paged by id.
CREATE INDEX app_role_assignments_principal ON app_role_assignments (tenant_id, principal_id, id);

-- A version 4 UUID from random bytes (SQLite has no UUID function).
INSERT INTO app_assignment_settings (tenant_id, app_id, application_object_id, service_principal_id)
    SELECT tenant_id, app_id, lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
        substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1) ||
        substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
        lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
        substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + abs(random() % 4), 1) ||
        substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) FROM apps;
