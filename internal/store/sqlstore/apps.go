package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
)

var (
	_ oidc.AppStore = (*DB)(nil)
	_ oidc.KeyStore = (*DB)(nil)
)

// appColumns lists the apps columns in the order scanApp reads them.
const appColumns = `tenant_id, app_id, display_name, public, permissions, redirect_uris,
	post_logout_redirect_uris, created_at, id_token_signed_response_alg`

// CreateApp inserts a (without secrets: AddAppSecret) with its assignment
// settings (internal/assignment); an app id already used in the tenant is
// store.ErrAlreadyExists.
func (db *DB) CreateApp(ctx context.Context, a oidc.App) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.insertApp(ctx, a); err != nil {
			return err
		}
		return db.createAssignmentSettings(ctx, a.TenantID, a.AppID)
	})
}

// insertApp inserts the apps row of a.
func (db *DB) insertApp(ctx context.Context, a oidc.App) error {
	lists := make([]string, 3)
	for i, l := range [][]string{a.Permissions, a.RedirectURIs, a.PostLogoutRedirectURIs} {
		var err error
		if lists[i], err = jsonStrings(l); err != nil {
			return fmt.Errorf("create app: %w", err)
		}
	}
	_, err := db.exec(ctx, `INSERT INTO apps (`+appColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		a.TenantID, a.AppID, a.DisplayName, a.PublicClient, lists[0], lists[1], lists[2], toDB(a.CreatedAt), a.IDTokenAlg())
	if err != nil {
		return uniqueOr(err, "create app")
	}
	return nil
}

// GetApp returns the tenant's app with that id, or store.ErrNotFound.
// Outside a transaction, in a request, it reads the app's secrets in the
// same statement and keeps both in the request's memo (appmemo.go).
func (db *DB) GetApp(ctx context.Context, tenantID, appID string) (oidc.App, error) {
	if m := db.requestMemo(ctx); m != nil {
		return db.getAppWithSecrets(ctx, m, tenantID, appID)
	}
	row := db.queryRow(ctx, `SELECT `+appColumns+` FROM apps WHERE tenant_id = $1 AND app_id = $2`,
		tenantID, appID)
	a, err := scanApp(row)
	if err != nil {
		return a, notFound(err, "get app")
	}
	return a, nil
}

// ListApps returns the tenant's apps, oldest first.
func (db *DB) ListApps(ctx context.Context, tenantID string) ([]oidc.App, error) {
	rows, err := db.query(ctx, `SELECT `+appColumns+` FROM apps WHERE tenant_id = $1
		ORDER BY created_at, app_id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	defer rows.Close()
	var out []oidc.App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, fmt.Errorf("list apps: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	return out, nil
}

// scanApp reads one row of appColumns.
func scanApp(row interface{ Scan(...any) error }) (oidc.App, error) {
	var r appRow
	if err := row.Scan(r.dest()...); err != nil {
		return oidc.App{}, err
	}
	return r.app()
}

// appRow is what appColumns read.
type appRow struct {
	a                        oidc.App
	perms, redirects, logout string
	createdAt                int64
}

func (r *appRow) dest() []any {
	return []any{&r.a.TenantID, &r.a.AppID, &r.a.DisplayName, &r.a.PublicClient, &r.perms, &r.redirects, &r.logout, &r.createdAt,
		&r.a.IDTokenSignedResponseAlg}
}

func (r *appRow) app() (oidc.App, error) {
	a := r.a
	var err error
	if a.Permissions, err = stringsFromJSON(r.perms); err != nil {
		return oidc.App{}, fmt.Errorf("permissions: %w", err)
	}
	if a.RedirectURIs, err = stringsFromJSON(r.redirects); err != nil {
		return oidc.App{}, fmt.Errorf("redirect_uris: %w", err)
	}
	if a.PostLogoutRedirectURIs, err = stringsFromJSON(r.logout); err != nil {
		return oidc.App{}, fmt.Errorf("post_logout_redirect_uris: %w", err)
	}
	a.CreatedAt = fromDB(r.createdAt)
	return a, nil
}

// SetAppIDTokenAlg sets how the app's tokens are signed; store.ErrNotFound
// if the tenant has no such app.
func (db *DB) SetAppIDTokenAlg(ctx context.Context, tenantID, appID, alg string) error {
	res, err := db.exec(ctx, `UPDATE apps SET id_token_signed_response_alg = $3 WHERE tenant_id = $1 AND app_id = $2`,
		tenantID, appID, alg)
	if err != nil {
		return fmt.Errorf("set app id token alg: %w", err)
	}
	return affectedOrNotFound(res, "set app id token alg")
}

// DeleteApp removes the app, its secrets, refresh tokens, pending
// authorization requests, assignment settings and app role assignments in
// one transaction; store.ErrNotFound if the
// tenant has no such app.
func (db *DB) DeleteApp(ctx context.Context, tenantID, appID string) error {
	dropAppMemo(ctx, tenantID, appID)
	return db.InTx(ctx, func(ctx context.Context) error {
		for _, q := range []string{
			`DELETE FROM app_secrets WHERE tenant_id = $1 AND app_id = $2`,
			`DELETE FROM oidc_refresh_tokens WHERE tenant_id = $1 AND client_id = $2`,
			`DELETE FROM oidc_auth_requests WHERE tenant_id = $1 AND client_id = $2`,
			`DELETE FROM app_role_assignments WHERE tenant_id = $1 AND app_id = $2`,
			`DELETE FROM app_assignment_settings WHERE tenant_id = $1 AND app_id = $2`,
		} {
			if _, err := db.exec(ctx, q, tenantID, appID); err != nil {
				return fmt.Errorf("delete app: %w", err)
			}
		}
		res, err := db.exec(ctx, `DELETE FROM apps WHERE tenant_id = $1 AND app_id = $2`, tenantID, appID)
		if err != nil {
			return fmt.Errorf("delete app: %w", err)
		}
		return affectedOrNotFound(res, "delete app")
	})
}

// AddAppSecret inserts a secret of an existing app.
func (db *DB) AddAppSecret(ctx context.Context, tenantID, appID string, s oidc.AppSecret) error {
	dropAppMemo(ctx, tenantID, appID)
	if len(s.Hash) == 0 || s.ID == "" {
		return fmt.Errorf("add app secret: empty id or hash")
	}
	_, err := db.exec(ctx, `INSERT INTO app_secrets (tenant_id, app_id, id, secret_hash, created_at) VALUES ($1, $2, $3, $4, $5)`,
		tenantID, appID, s.ID, s.Hash, toDB(s.CreatedAt))
	switch {
	case err != nil && isForeignKeyViolation(err):
		return fmt.Errorf("add app secret: no such app: %w", store.ErrNotFound)
	case err != nil:
		return uniqueOr(err, "add app secret")
	}
	return nil
}

// ListAppSecrets returns the app's secrets, oldest first (those the
// request read with the app, outside a transaction: appmemo.go).
func (db *DB) ListAppSecrets(ctx context.Context, tenantID, appID string) ([]oidc.AppSecret, error) {
	if v, ok := db.requestMemo(ctx).Get(appSecretsMemo(tenantID, appID)); ok {
		return slices.Clone(v.([]oidc.AppSecret)), nil
	}
	rows, err := db.query(ctx, `SELECT id, secret_hash, created_at FROM app_secrets
		WHERE tenant_id = $1 AND app_id = $2 ORDER BY created_at, id`, tenantID, appID)
	if err != nil {
		return nil, fmt.Errorf("list app secrets: %w", err)
	}
	defer rows.Close()
	var out []oidc.AppSecret
	for rows.Next() {
		var (
			s         oidc.AppSecret
			createdAt int64
		)
		if err := rows.Scan(&s.ID, &s.Hash, &createdAt); err != nil {
			return nil, fmt.Errorf("list app secrets: %w", err)
		}
		s.CreatedAt = fromDB(createdAt)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list app secrets: %w", err)
	}
	return out, nil
}

// DeleteAppSecret removes one secret of the app; store.ErrNotFound if none.
func (db *DB) DeleteAppSecret(ctx context.Context, tenantID, appID, secretID string) error {
	dropAppMemo(ctx, tenantID, appID)
	res, err := db.exec(ctx, `DELETE FROM app_secrets WHERE tenant_id = $1 AND app_id = $2 AND id = $3`, tenantID, appID, secretID)
	if err != nil {
		return fmt.Errorf("delete app secret: %w", err)
	}
	return affectedOrNotFound(res, "delete app secret")
}

// signingKeyColumns lists the signing_keys columns in the order ListSigningKeys reads them.
const signingKeyColumns = `id, algorithm, private_der, created_at, retired_at`

// CreateSigningKey inserts k; a key id already used is store.ErrAlreadyExists.
func (db *DB) CreateSigningKey(ctx context.Context, k oidc.SigningKey) error {
	if len(k.PrivateDER) == 0 {
		return fmt.Errorf("create signing key: empty private key")
	}
	_, err := db.exec(ctx, `INSERT INTO signing_keys (`+signingKeyColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		k.ID, k.Algorithm, k.PrivateDER, toDB(k.CreatedAt), toDB(k.RetiredAt))
	if err != nil {
		return uniqueOr(err, "create signing key")
	}
	return nil
}

// ListSigningKeys returns every key, retired ones included, newest first.
func (db *DB) ListSigningKeys(ctx context.Context) ([]oidc.SigningKey, error) {
	rows, err := db.query(ctx, `SELECT `+signingKeyColumns+` FROM signing_keys ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	defer rows.Close()
	var out []oidc.SigningKey
	for rows.Next() {
		var (
			k                    oidc.SigningKey
			createdAt, retiredAt int64
		)
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateDER, &createdAt, &retiredAt); err != nil {
			return nil, fmt.Errorf("list signing keys: %w", err)
		}
		k.CreatedAt, k.RetiredAt = fromDB(createdAt), fromDB(retiredAt)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return out, nil
}

// RetireSigningKeys sets RetiredAt on every current key of keepID's
// algorithm other than keepID; keys of other algorithms stay current.
func (db *DB) RetireSigningKeys(ctx context.Context, keepID string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("retire signing keys: %w", errZeroTime)
	}
	_, err := db.exec(ctx, `UPDATE signing_keys SET retired_at = $2 WHERE retired_at = 0 AND id <> $1
		AND algorithm = (SELECT algorithm FROM signing_keys WHERE id = $1)`,
		keepID, toDB(at))
	if err != nil {
		return fmt.Errorf("retire signing keys: %w", err)
	}
	return nil
}

// ReplaceSigningKeyPrivate rewrites a key's private bytes if they are
// still old, with one conditional UPDATE.
func (db *DB) ReplaceSigningKeyPrivate(ctx context.Context, id string, old, replacement []byte) (bool, error) {
	if len(replacement) == 0 {
		return false, fmt.Errorf("replace signing key: empty private key")
	}
	res, err := db.exec(ctx, `UPDATE signing_keys SET private_der = $3 WHERE id = $1 AND private_der = $2`, id, old, replacement)
	if err != nil {
		return false, fmt.Errorf("replace signing key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("replace signing key: %w", err)
	}
	return n == 1, nil
}

// DeleteSigningKeysRetiredBefore removes keys retired before t; current
// keys are never removed.
func (db *DB) DeleteSigningKeysRetiredBefore(ctx context.Context, t time.Time) error {
	_, err := db.exec(ctx, `DELETE FROM signing_keys WHERE retired_at > 0 AND retired_at < $1`, toDB(t))
	if err != nil {
		return fmt.Errorf("delete retired signing keys: %w", err)
	}
	return nil
}
