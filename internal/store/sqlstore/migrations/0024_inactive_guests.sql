-- Inactive guests (internal/inactive): guests whose last successful
-- sign-in is before a cutoff, never-signed-in ones (0) first, keyset-paged
-- by (last_successful_sign_in_at, id). Members are most of a large tenant
-- and many never sign in here (0): a partial index over guests alone keeps
-- a page from reading past them.
CREATE INDEX users_guest_last_successful_sign_in ON users (tenant_id, last_successful_sign_in_at, id)
    WHERE user_type = 'Guest';
