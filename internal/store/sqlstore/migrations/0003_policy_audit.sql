-- The email OTP policy (internal/policy, DESIGN section 4) and the directory
-- audit log (internal/audit). Times are unix microseconds, lists JSON text.

-- One row per tenant once its policy was first changed; no row means the
-- default configuration. Updates lock this row (SELECT … FOR UPDATE), which
-- serializes a tenant's policy changes across processes.
CREATE TABLE email_otp_policies (
    tenant_id       TEXT PRIMARY KEY REFERENCES tenants (id),
    state           TEXT NOT NULL,
    allow_external  TEXT NOT NULL,
    include_targets TEXT NOT NULL, -- JSON array
    exclude_targets TEXT NOT NULL, -- JSON array
    updated_at      BIGINT NOT NULL
);

-- Each tenant's last audit sequence number: appending takes the next one
-- with an upsert, which also orders concurrent appends by commit.
CREATE TABLE audit_sequences (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants (id),
    last_seq  BIGINT NOT NULL
);

CREATE TABLE directory_audits (
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    seq                BIGINT NOT NULL,
    id                 TEXT NOT NULL,
    category           TEXT NOT NULL,
    correlation_id     TEXT NOT NULL,
    result             TEXT NOT NULL,
    result_reason      TEXT NOT NULL,
    activity           TEXT NOT NULL,
    activity_at        BIGINT NOT NULL,
    logged_by_service  TEXT NOT NULL,
    operation_type     TEXT NOT NULL,
    initiated_by       TEXT NOT NULL, -- JSON object
    targets            TEXT NOT NULL, -- JSON array
    additional_details TEXT NOT NULL, -- JSON array
    PRIMARY KEY (tenant_id, seq),
    UNIQUE (tenant_id, id)
);
