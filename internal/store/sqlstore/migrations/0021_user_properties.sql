-- Every property of Graph's microsoft.graph.user (internal/graph keeps the
-- list, from Graph's CSDL metadata).
--
-- The directory properties an admin may set beyond the ones with columns
-- (department, companyName, businessPhones, employeeOrgData, …) are one
-- JSON object, by Graph's name: they are read and written with the whole
-- user, and none is a $filter key here, so a column each would only widen
-- every statement over users. A property that becomes filterable gets its
-- own column (or an expression index) then.
ALTER TABLE users ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';
ALTER TABLE deleted_users ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';

-- Graph's signInActivity, written in the transaction that records each
-- sign-in (unix microseconds, 0 = null; the request id is the sign-in
-- log entry's id). lastSignInDateTime and lastSuccessfulSignInDateTime are
-- $filter keys (stale guests): an index each, keyset-ordered by id.
ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_sign_in_request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_non_interactive_sign_in_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_non_interactive_sign_in_request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_successful_sign_in_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_successful_sign_in_request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deleted_users ADD COLUMN last_sign_in_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deleted_users ADD COLUMN last_sign_in_request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deleted_users ADD COLUMN last_non_interactive_sign_in_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deleted_users ADD COLUMN last_non_interactive_sign_in_request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deleted_users ADD COLUMN last_successful_sign_in_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deleted_users ADD COLUMN last_successful_sign_in_request_id TEXT NOT NULL DEFAULT '';

CREATE INDEX users_last_sign_in ON users (tenant_id, last_sign_in_at, id);
CREATE INDEX users_last_successful_sign_in ON users (tenant_id, last_successful_sign_in_at, id);
