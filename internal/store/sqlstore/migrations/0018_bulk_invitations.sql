-- Bulk invitations (internal/bulkinvite): an uploaded CSV is a job and its
-- rows, kept here so that every process shows the same progress and
-- results, and a job whose process died is finished by another. One worker
-- at a time works on a job: the holder of its lease (lease_owner, until
-- lease_until). finished_at is 0 until every row has its result; finished
-- jobs are purged after their retention. Times are unix microseconds, as
-- in 0001.
CREATE TABLE bulk_invitation_jobs (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    id          TEXT NOT NULL,
    created_by  TEXT NOT NULL, -- the admin's user id
    invited_by  TEXT NOT NULL, -- the admin's display name, the mails' inviter
    created_at  BIGINT NOT NULL,
    total       INTEGER NOT NULL,
    lease_owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- The sweeper's scan (unfinished jobs whose lease ended) and the purge.
CREATE INDEX bulk_invitation_jobs_lease ON bulk_invitation_jobs (finished_at, lease_until);

-- One row of the CSV per line, as uploaded, with its result: state is
-- pending, ok (user_id is the guest) or failed (error says why).
CREATE TABLE bulk_invitation_rows (
    tenant_id    TEXT NOT NULL,
    job_id       TEXT NOT NULL,
    line         INTEGER NOT NULL,
    email        TEXT NOT NULL,
    redirect_url TEXT NOT NULL,
    send_email   TEXT NOT NULL,
    message      TEXT NOT NULL,
    state        TEXT NOT NULL,
    error        TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, job_id, line),
    FOREIGN KEY (tenant_id, job_id) REFERENCES bulk_invitation_jobs (tenant_id, id)
);
