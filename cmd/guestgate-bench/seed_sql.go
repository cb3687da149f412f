package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/guestgate/guestgate/internal/directory"
)

// seedDirectorySQL stores the same n users as seedDirectory, in PostgreSQL
// by INSERT … SELECT over generate_series: the server builds every row, so
// a million users take seconds, not the minutes of a million statements.
// Each column is the expression of what seedDirectory computes in Go
// (seedAddress, lastSignInOf, the one member in ten, the properties of one
// user in three), so the queries of usersQueries select the same shares.
func seedDirectorySQL(ctx context.Context, dsn string, tn directory.Tenant, n int, nowUS int64) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("seed users: %w", err)
	}
	defer db.Close()
	const chunk = 100000
	for from := 0; from < n; from += chunk {
		to := min(from+chunk, n) - 1
		if _, err := db.ExecContext(ctx, seedUsersSQL, tn.ID, tn.InitialDomain, nowUS, from, to); err != nil {
			return fmt.Errorf("seed users %d–%d: %w", from, to, err)
		}
		if from > 0 {
			logf("  %d of %d users", from, n)
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE users"); err != nil {
		return fmt.Errorf("seed users: analyze: %w", err)
	}
	return nil
}

// seedUsersSQL inserts users $4…$5 of tenant $1 (initial domain $2), now
// being $3 (unix microseconds). A day is 86 400 s: the times are UTC.
const seedUsersSQL = `
INSERT INTO users (tenant_id, id, user_type, display_name, mail, mail_lower, user_principal_name,
	creation_type, preferred_language, external_user_state, external_user_state_changed_at, idp,
	idp_issuer, created_at, account_enabled, properties, last_sign_in_at, last_sign_in_request_id,
	last_successful_sign_in_at, last_successful_sign_in_request_id)
SELECT $1, gen_random_uuid()::text,
	CASE WHEN member THEN 'Member' ELSE 'Guest' END,
	chr(65 + (i * 31) % 26) || letter || ' Guest ' || i,
	addr, addr,
	CASE WHEN member THEN 'member' || lpad(i::text, 7, '0') || '@' || $2
		ELSE replace(addr, '@', '_') || '#EXT#@' || $2 END,
	CASE WHEN member THEN '' ELSE 'Invitation' END, '',
	CASE WHEN member THEN '' ELSE 'Accepted' END, $3::bigint, 'mail', 'mail', $3::bigint, TRUE,
	CASE WHEN i % 3 = 0 THEN '{"companyName":"Partner ' || (i % 97) || '","department":"Sales"}' ELSE '{}' END,
	last, CASE WHEN last = 0 THEN '' ELSE req END,
	last, CASE WHEN last = 0 THEN '' ELSE req END
FROM (
	SELECT i, i % 10 = 9 AS member, letter,
		letter || lpad(i::text, 7, '0') || '@partner' || (i % 97) || '.example' AS addr,
		CASE WHEN i % 5 = 4 THEN 0::bigint
			ELSE $3::bigint - (((i::bigint * 7919) % 365) * 86400 + i % 3600) * 1000000 END AS last,
		gen_random_uuid()::text AS req
	FROM (SELECT i, chr(97 + ((i::bigint * 7919) % 26)::int) AS letter
		FROM generate_series($4::int, $5::int) AS i) AS s
) AS u`
