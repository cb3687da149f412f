-- Sign-in log queries of the admin API ($filter on /v1.0/auditLogs/signIns).
-- Each index starts with the tenant and a column clients filter on with eq,
-- and ends with (created_at, id), the order and keyset of every page, so a
-- page of one user's, one address's or one app's sign-ins reads only its
-- rows in either direction. Time ranges alone use sign_ins_newest (0008).
-- userPrincipalName compares in any case, as its index is built.

CREATE INDEX sign_ins_user_id ON sign_ins (tenant_id, user_id, created_at, id);
CREATE INDEX sign_ins_upn ON sign_ins (tenant_id, lower(user_principal_name), created_at, id);
CREATE INDEX sign_ins_app_id ON sign_ins (tenant_id, app_id, created_at, id);
