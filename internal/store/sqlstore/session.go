package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/store"
)

var _ session.Store = (*DB)(nil)

// sessionColumns lists the sessions columns in the order scanSession reads them.
const sessionColumns = `tenant_id, id_hash, user_id, auth_time, expires_at, amr, idp, revoked_at`

// CreateSession inserts s; an id hash already used in the tenant is
// store.ErrAlreadyExists.
func (db *DB) CreateSession(ctx context.Context, s session.Session) error {
	if len(s.IDHash) == 0 {
		return fmt.Errorf("create session: %w", errEmptyHash)
	}
	amr, err := jsonStrings(s.AMR)
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	_, err = db.exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		s.TenantID, s.IDHash, s.UserID, toDB(s.AuthTime), toDB(s.ExpiresAt), amr, s.IdP, toDB(s.RevokedAt))
	if err != nil {
		return uniqueOr(err, "create session")
	}
	return nil
}

// GetSession returns the tenant's session with that id hash, revoked and
// expired ones included, or store.ErrNotFound.
func (db *DB) GetSession(ctx context.Context, tenantID string, idHash []byte) (session.Session, error) {
	if len(idHash) == 0 {
		return session.Session{}, fmt.Errorf("get session: %w", store.ErrNotFound)
	}
	row := db.queryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE tenant_id = $1 AND id_hash = $2`,
		tenantID, idHash)
	s, err := scanSession(row)
	if err != nil {
		return s, notFound(err, "get session")
	}
	return s, nil
}

// ListSessions returns a user's sessions in the tenant, newest first.
func (db *DB) ListSessions(ctx context.Context, tenantID, userID string) ([]session.Session, error) {
	rows, err := db.query(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE tenant_id = $1 AND user_id = $2 ORDER BY auth_time DESC, id_hash`, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	defer rows.Close()
	var out []session.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("list sessions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// RevokeSession marks one session revoked at at; a session revoked before
// keeps its first revocation time. store.ErrNotFound if the tenant has no
// such session.
func (db *DB) RevokeSession(ctx context.Context, tenantID string, idHash []byte, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("revoke session: %w", errZeroTime)
	}
	res, err := db.exec(ctx, `UPDATE sessions SET revoked_at = CASE WHEN revoked_at = 0 THEN $3 ELSE revoked_at END
		WHERE tenant_id = $1 AND id_hash = $2`, tenantID, idHash, toDB(at))
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return affectedOrNotFound(res, "revoke session")
}

// RevokeUserSessions marks every session of the user not yet revoked as
// revoked at at. A user without sessions is not an error.
func (db *DB) RevokeUserSessions(ctx context.Context, tenantID, userID string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("revoke user sessions: %w", errZeroTime)
	}
	_, err := db.exec(ctx, `UPDATE sessions SET revoked_at = $3
		WHERE tenant_id = $1 AND user_id = $2 AND revoked_at = 0`, tenantID, userID, toDB(at))
	if err != nil {
		return fmt.Errorf("revoke user sessions: %w", err)
	}
	return nil
}

// scanSession reads one row of sessionColumns.
func scanSession(row interface{ Scan(...any) error }) (session.Session, error) {
	var (
		s                              session.Session
		authTime, expiresAt, revokedAt int64
		amr                            string
	)
	err := row.Scan(&s.TenantID, &s.IDHash, &s.UserID, &authTime, &expiresAt, &amr, &s.IdP, &revokedAt)
	if err != nil {
		return session.Session{}, err
	}
	if s.AMR, err = stringsFromJSON(amr); err != nil {
		return session.Session{}, fmt.Errorf("amr: %w", err)
	}
	s.AuthTime, s.ExpiresAt, s.RevokedAt = fromDB(authTime), fromDB(expiresAt), fromDB(revokedAt)
	return s, nil
}
