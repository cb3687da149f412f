package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
)

var _ oidc.AuthRequestStore = (*DB)(nil)

// errEmptyTokenHash refuses a refresh token record without a hash.
var errEmptyTokenHash = errors.New("empty refresh token hash")

const authRequestColumns = `tenant_id, id, client_id, redirect_uri, scopes, state, nonce, response_type,
	response_mode, prompt, max_age, login_hint, ui_locales, code_challenge, code_challenge_method,
	created_at, expires_at, user_id, auth_time, amr, idp, session_id, done_at`

// CreateOIDCAuthRequest inserts an authorization request (a signed-in one,
// or a pending one in tests and earlier versions). An id that exists is
// store.ErrAlreadyExists, without failing the transaction in ctx.
func (db *DB) CreateOIDCAuthRequest(ctx context.Context, r oidc.AuthRequestRecord) error {
	lists, err := oidcLists(r.Scopes, r.Prompt, r.UILocales, r.AMR)
	if err != nil {
		return fmt.Errorf("create auth request: %w", err)
	}
	res, err := db.exec(ctx, `INSERT INTO oidc_auth_requests (`+authRequestColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
		ON CONFLICT (tenant_id, id) DO NOTHING`,
		r.TenantID, r.ID, r.ClientID, r.RedirectURI, lists[0], r.State, r.Nonce, r.ResponseType,
		r.ResponseMode, lists[1], r.MaxAge, r.LoginHint, lists[2], r.CodeChallenge, r.CodeChallengeMethod,
		toDB(r.CreatedAt), toDB(r.ExpiresAt), r.UserID, toDB(r.AuthTime), lists[3], r.IdP, r.SessionID, toDB(r.DoneAt))
	if err != nil {
		return uniqueOr(err, "create auth request")
	}
	if err := oneRow(res, "create auth request"); err != nil {
		return fmt.Errorf("create auth request: %w", store.ErrAlreadyExists)
	}
	return nil
}

// GetOIDCAuthRequest returns the request, expired or not, or store.ErrNotFound.
func (db *DB) GetOIDCAuthRequest(ctx context.Context, tenantID, id string) (oidc.AuthRequestRecord, error) {
	if m := db.requestMemo(ctx); m != nil {
		return db.getAuthRequestWithApp(ctx, m, tenantID, id)
	}
	row := db.queryRow(ctx, `SELECT `+authRequestColumns+` FROM oidc_auth_requests WHERE tenant_id = $1 AND id = $2`,
		tenantID, id)
	r, err := scanAuthRequest(row)
	if err != nil {
		return oidc.AuthRequestRecord{}, notFound(err, "get auth request")
	}
	return r, nil
}

// CompleteOIDCAuthRequest records a sign-in on a pending, unexpired request
// with one conditional UPDATE. When it touches no row, a read tells a
// completed request (store.ErrConflict) from a missing or expired one
// (store.ErrNotFound).
func (db *DB) CompleteOIDCAuthRequest(ctx context.Context, tenantID, id string, c oidc.AuthCompletion, codeExpiresAt time.Time) error {
	amr, err := oidcList(c.AMR)
	if err != nil {
		return fmt.Errorf("complete auth request: %w", err)
	}
	res, err := db.exec(ctx, `UPDATE oidc_auth_requests
		SET user_id = $3, auth_time = $4, amr = $5, idp = $6, session_id = $7, done_at = $8, expires_at = $9
		WHERE tenant_id = $1 AND id = $2 AND done_at = 0 AND expires_at > $8`,
		tenantID, id, c.UserID, toDB(c.AuthTime), amr, c.IdP, c.SessionID, toDB(c.DoneAt), toDB(codeExpiresAt))
	if err != nil {
		return fmt.Errorf("complete auth request: %w", err)
	}
	if err := oneRow(res, "complete auth request"); err == nil {
		return nil
	}
	cur, err := db.GetOIDCAuthRequest(ctx, tenantID, id)
	if err != nil {
		return fmt.Errorf("complete auth request: %w", err)
	}
	if cur.Done() {
		return fmt.Errorf("complete auth request: already completed: %w", store.ErrConflict)
	}
	return fmt.Errorf("complete auth request: expired: %w", store.ErrNotFound)
}

// ConsumeOIDCAuthRequest redeems a completed, unexpired request and
// returns it, in one UPDATE … RETURNING that spends its code (expires_at
// 0) and keeps the row, so its pending handle cannot complete again: of
// concurrent callers exactly one gets the row.
func (db *DB) ConsumeOIDCAuthRequest(ctx context.Context, tenantID, id string, now time.Time) (oidc.AuthRequestRecord, error) {
	row := db.queryRowWrite(ctx, `UPDATE oidc_auth_requests SET expires_at = 0
		WHERE tenant_id = $1 AND id = $2 AND done_at > 0 AND expires_at > $3
		RETURNING `+authRequestColumns, tenantID, id, toDB(now))
	r, err := scanAuthRequest(row)
	if err != nil {
		return oidc.AuthRequestRecord{}, notFound(err, "consume auth request")
	}
	return r, nil
}

// DeleteOIDCAuthRequest removes a request; a missing one is not an error.
func (db *DB) DeleteOIDCAuthRequest(ctx context.Context, tenantID, id string) error {
	if _, err := db.exec(ctx, `DELETE FROM oidc_auth_requests WHERE tenant_id = $1 AND id = $2`, tenantID, id); err != nil {
		return fmt.Errorf("delete auth request: %w", err)
	}
	return nil
}

func scanAuthRequest(row interface{ Scan(...any) error }, extra ...any) (oidc.AuthRequestRecord, error) {
	var (
		r                                      oidc.AuthRequestRecord
		scopes, prompt, uiLocales, amr         string
		createdAt, expiresAt, authTime, doneAt int64
	)
	err := row.Scan(append([]any{&r.TenantID, &r.ID, &r.ClientID, &r.RedirectURI, &scopes, &r.State, &r.Nonce, &r.ResponseType,
		&r.ResponseMode, &prompt, &r.MaxAge, &r.LoginHint, &uiLocales, &r.CodeChallenge, &r.CodeChallengeMethod,
		&createdAt, &expiresAt, &r.UserID, &authTime, &amr, &r.IdP, &r.SessionID, &doneAt}, extra...)...)
	if err != nil {
		return oidc.AuthRequestRecord{}, err
	}
	lists, err := oidcListsFrom(scopes, prompt, uiLocales, amr)
	if err != nil {
		return oidc.AuthRequestRecord{}, fmt.Errorf("auth request %s: %w", r.ID, err)
	}
	r.Scopes, r.Prompt, r.UILocales, r.AMR = lists[0], lists[1], lists[2], lists[3]
	r.CreatedAt, r.ExpiresAt = fromDB(createdAt), fromDB(expiresAt)
	r.AuthTime, r.DoneAt = fromDB(authTime), fromDB(doneAt)
	return r, nil
}

const refreshTokenColumns = `tenant_id, token_hash, family_id, client_id, user_id, session_id, scopes, amr, idp,
	auth_time, created_at, expires_at, used_at`

// CreateOIDCRefreshToken inserts a refresh token record.
func (db *DB) CreateOIDCRefreshToken(ctx context.Context, t oidc.RefreshTokenRecord) error {
	if len(t.TokenHash) == 0 {
		return fmt.Errorf("create refresh token: %w", errEmptyTokenHash)
	}
	lists, err := oidcLists(t.Scopes, t.AMR)
	if err != nil {
		return fmt.Errorf("create refresh token: %w", err)
	}
	_, err = db.exec(ctx, `INSERT INTO oidc_refresh_tokens (`+refreshTokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		t.TenantID, t.TokenHash, t.FamilyID, t.ClientID, t.UserID, t.SessionID, lists[0], lists[1], t.IdP,
		toDB(t.AuthTime), toDB(t.CreatedAt), toDB(t.ExpiresAt), toDB(t.UsedAt))
	if err != nil {
		return uniqueOr(err, "create refresh token")
	}
	return nil
}

// GetOIDCRefreshToken returns the token with that hash, or store.ErrNotFound.
func (db *DB) GetOIDCRefreshToken(ctx context.Context, tenantID string, hash []byte) (oidc.RefreshTokenRecord, error) {
	if len(hash) == 0 {
		return oidc.RefreshTokenRecord{}, notFound(sql.ErrNoRows, "get refresh token")
	}
	row := db.queryRow(ctx, `SELECT `+refreshTokenColumns+` FROM oidc_refresh_tokens
		WHERE tenant_id = $1 AND token_hash = $2`, tenantID, hash)
	t, err := scanRefreshToken(row)
	if err != nil {
		return oidc.RefreshTokenRecord{}, notFound(err, "get refresh token")
	}
	return t, nil
}

// ConsumeOIDCRefreshToken marks the unexpired, unused token used and
// returns it, in one UPDATE … RETURNING: of concurrent callers exactly one
// gets the row. The row stays until it expires, as the mark of a replay.
func (db *DB) ConsumeOIDCRefreshToken(ctx context.Context, tenantID string, hash []byte, now time.Time) (oidc.RefreshTokenRecord, error) {
	if len(hash) == 0 {
		return oidc.RefreshTokenRecord{}, notFound(sql.ErrNoRows, "consume refresh token")
	}
	row := db.queryRowWrite(ctx, `UPDATE oidc_refresh_tokens SET used_at = $3
		WHERE tenant_id = $1 AND token_hash = $2 AND expires_at > $3 AND used_at = 0
		RETURNING `+refreshTokenColumns, tenantID, hash, toDB(now))
	t, err := scanRefreshToken(row)
	if err != nil {
		return oidc.RefreshTokenRecord{}, notFound(err, "consume refresh token")
	}
	return t, nil
}

// DeleteOIDCRefreshTokens removes a user's refresh tokens for one client, or
// for every client when clientID is empty.
func (db *DB) DeleteOIDCRefreshTokens(ctx context.Context, tenantID, clientID, userID string) error {
	var err error
	if clientID == "" {
		_, err = db.exec(ctx, `DELETE FROM oidc_refresh_tokens WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID)
	} else {
		_, err = db.exec(ctx, `DELETE FROM oidc_refresh_tokens WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3`,
			tenantID, userID, clientID)
	}
	if err != nil {
		return fmt.Errorf("delete refresh tokens: %w", err)
	}
	return nil
}

// RevokeOIDCGrant deletes the family's refresh tokens and records the
// family revoked until until (keeping a later instant already recorded),
// in one transaction.
func (db *DB) RevokeOIDCGrant(ctx context.Context, tenantID, familyID string, until time.Time) error {
	if familyID == "" {
		return fmt.Errorf("revoke grant: empty family id")
	}
	err := db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.exec(ctx, `DELETE FROM oidc_refresh_tokens WHERE tenant_id = $1 AND family_id = $2`, tenantID, familyID); err != nil {
			return err
		}
		if _, err := db.exec(ctx, `INSERT INTO oidc_revoked_grants (tenant_id, family_id, expires_at) VALUES ($1, $2, $3)
			ON CONFLICT (tenant_id, family_id) DO NOTHING`, tenantID, familyID, toDB(until)); err != nil {
			return err
		}
		_, err := db.exec(ctx, `UPDATE oidc_revoked_grants SET expires_at = $3
			WHERE tenant_id = $1 AND family_id = $2 AND expires_at < $3`, tenantID, familyID, toDB(until))
		return err
	})
	if err != nil {
		return fmt.Errorf("revoke grant: %w", err)
	}
	return nil
}

// OIDCGrantRevoked reports whether the family has a revocation record.
func (db *DB) OIDCGrantRevoked(ctx context.Context, tenantID, familyID string) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM oidc_revoked_grants WHERE tenant_id = $1 AND family_id = $2`,
		tenantID, familyID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("grant revoked: %w", err)
	}
	return n > 0, nil
}

// DeleteExpiredOIDCGrants removes refresh tokens and revocation records
// that expired before t, and authorization requests whose code expired
// (or was spent) before t and that were created before
// requestsCreatedBefore, in one transaction.
func (db *DB) DeleteExpiredOIDCGrants(ctx context.Context, before, requestsCreatedBefore time.Time) (int64, error) {
	ctx = asJob(ctx)
	var total int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		total = 0
		for _, d := range []struct {
			q    string
			args []any
		}{
			{`DELETE FROM oidc_auth_requests WHERE expires_at < $1 AND created_at < $2`, []any{toDB(before), toDB(requestsCreatedBefore)}},
			{`DELETE FROM oidc_refresh_tokens WHERE expires_at < $1`, []any{toDB(before)}},
			{`DELETE FROM oidc_revoked_grants WHERE expires_at < $1`, []any{toDB(before)}},
		} {
			res, err := db.exec(ctx, d.q, d.args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("delete expired oidc grants: %w", err)
	}
	return total, nil
}

func scanRefreshToken(row interface{ Scan(...any) error }) (oidc.RefreshTokenRecord, error) {
	var (
		t                              oidc.RefreshTokenRecord
		scopes, amr                    string
		authTime, createdAt, expiresAt int64
		usedAt                         int64
	)
	err := row.Scan(&t.TenantID, &t.TokenHash, &t.FamilyID, &t.ClientID, &t.UserID, &t.SessionID, &scopes, &amr, &t.IdP,
		&authTime, &createdAt, &expiresAt, &usedAt)
	if err != nil {
		return oidc.RefreshTokenRecord{}, err
	}
	lists, err := oidcListsFrom(scopes, amr)
	if err != nil {
		return oidc.RefreshTokenRecord{}, fmt.Errorf("refresh token: %w", err)
	}
	t.Scopes, t.AMR = lists[0], lists[1]
	t.AuthTime, t.CreatedAt, t.ExpiresAt, t.UsedAt = fromDB(authTime), fromDB(createdAt), fromDB(expiresAt), fromDB(usedAt)
	return t, nil
}

// oidcList encodes a list for a JSON text column; nil is "[]".
func oidcList(list []string) (string, error) {
	if len(list) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return "", fmt.Errorf("encode list: %w", err)
	}
	return string(b), nil
}

func oidcLists(lists ...[]string) ([]string, error) {
	out := make([]string, len(lists))
	for i, l := range lists {
		s, err := oidcList(l)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// oidcListsFrom decodes JSON text columns; an empty list is nil.
func oidcListsFrom(cols ...string) ([][]string, error) {
	out := make([][]string, len(cols))
	for i, c := range cols {
		if c == "" || c == "[]" {
			continue
		}
		if err := json.Unmarshal([]byte(c), &out[i]); err != nil {
			return nil, fmt.Errorf("decode list: %w", err)
		}
	}
	return out, nil
}
