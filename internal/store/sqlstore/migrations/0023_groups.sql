-- Security groups (internal/groups) and their members. A member is a user
-- or a group of the same tenant, so groups nest; member_type says which.
-- A deleted group keeps its row with deleted_at set (0 while live), so a
-- restore brings back its members and memberships too, as the reproduced
-- product does within its 30 days. Times are unix microseconds, as in 0001.
-- The table is directory_groups: GROUPS is a keyword in both engines.
CREATE TABLE directory_groups (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    id            TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    description   TEXT NOT NULL,
    mail_nickname TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    deleted_at    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX directory_groups_deleted ON directory_groups (tenant_id, deleted_at, id);

CREATE TABLE group_members (
    tenant_id   TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    member_id   TEXT NOT NULL,
    member_type TEXT NOT NULL, -- 'user' or 'group'
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, group_id, member_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES directory_groups (tenant_id, id)
);
-- memberOf: the groups one member is in.
CREATE INDEX group_members_member ON group_members (tenant_id, member_id, group_id);
