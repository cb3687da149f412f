-- User queries of the admin API ($filter, $orderby, $search on /v1.0/users).
-- Text keys are compared in lower case and in byte order (SQLite's BINARY),
-- so startsWith is a range scan: key >= prefix AND key < prefix || U+10FFFF.
-- Every index ends with id, the tie-breaker of keyset paging.

-- Graph's otherMails beyond a guest's own address: a JSON array of strings.
ALTER TABLE users ADD COLUMN other_mails TEXT NOT NULL DEFAULT '[]';

CREATE INDEX users_mail_key ON users (tenant_id, mail_lower, id);
CREATE INDEX users_upn_key ON users (tenant_id, lower(user_principal_name), id);
CREATE INDEX users_display_name_key ON users (tenant_id, lower(display_name), id);
CREATE INDEX users_user_type ON users (tenant_id, user_type, id);
CREATE INDEX users_external_user_state ON users (tenant_id, external_user_state, id);
