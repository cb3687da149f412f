package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
)

// Reads that answer the next step of a request too (store.WithRequestMemo).
// A sign-in's requests each read an app and then what goes with it: the
// callback reads the completed request, then its app; the code exchange
// reads the app, then its secrets. Outside a transaction, in a request,
// the first read brings the second in the same statement and keeps it in
// the request's memo, so the second costs no round trip. A transaction
// always reads the database; the app writes drop what the memo holds.

// requestMemo returns the request's memo when ctx reads outside a
// transaction, else nil.
func (db *DB) requestMemo(ctx context.Context) *store.Memo {
	if _, inTx := ctx.Value(txKey{}).(*txState); inTx {
		return nil
	}
	return store.MemoOf(ctx)
}

func appMemo(tenantID, appID string) string        { return "app/" + tenantID + "/" + appID }
func appSecretsMemo(tenantID, appID string) string { return "app-secrets/" + tenantID + "/" + appID }

// dropAppMemo forgets the app and its secrets (the request changes them).
func dropAppMemo(ctx context.Context, tenantID, appID string) {
	m := store.MemoOf(ctx)
	m.Drop(appMemo(tenantID, appID))
	m.Drop(appSecretsMemo(tenantID, appID))
}

// getAppWithSecrets reads an app and its secrets in one statement (a row
// per secret, or one without), unless the request read the app already.
func (db *DB) getAppWithSecrets(ctx context.Context, m *store.Memo, tenantID, appID string) (oidc.App, error) {
	if v, ok := m.Get(appMemo(tenantID, appID)); ok {
		return v.(oidc.App), nil
	}
	rows, err := db.query(ctx, `SELECT `+qualify("a", appColumns)+`, s.id, s.secret_hash, s.created_at
		FROM apps a LEFT JOIN app_secrets s ON s.tenant_id = a.tenant_id AND s.app_id = a.app_id
		WHERE a.tenant_id = $1 AND a.app_id = $2 ORDER BY s.created_at, s.id`, tenantID, appID)
	if err != nil {
		return oidc.App{}, fmt.Errorf("get app: %w", err)
	}
	defer rows.Close()
	var (
		r       appRow
		found   bool
		secrets []oidc.AppSecret
	)
	for rows.Next() {
		var (
			id        sql.NullString
			hash      []byte
			createdAt sql.NullInt64
		)
		if err := rows.Scan(append(r.dest(), &id, &hash, &createdAt)...); err != nil {
			return oidc.App{}, fmt.Errorf("get app: %w", err)
		}
		found = true
		if id.Valid {
			secrets = append(secrets, oidc.AppSecret{ID: id.String, Hash: hash, CreatedAt: fromDB(createdAt.Int64)})
		}
	}
	if err := rows.Err(); err != nil {
		return oidc.App{}, fmt.Errorf("get app: %w", err)
	}
	if !found {
		return oidc.App{}, fmt.Errorf("get app: %w", store.ErrNotFound)
	}
	a, err := r.app()
	if err != nil {
		return oidc.App{}, fmt.Errorf("get app: %w", err)
	}
	m.Put(appMemo(tenantID, appID), a)
	m.Put(appSecretsMemo(tenantID, appID), secrets)
	return a, nil
}

// getAuthRequestWithApp reads a request and its app in one statement and
// keeps the app in the memo. A request whose app is gone is gone too
// (DeleteApp deletes both in one transaction).
func (db *DB) getAuthRequestWithApp(ctx context.Context, m *store.Memo, tenantID, id string) (oidc.AuthRequestRecord, error) {
	var a appRow
	row := db.queryRow(ctx, `SELECT `+qualify("r", authRequestColumns)+`, `+qualify("a", appColumns)+`
		FROM oidc_auth_requests r JOIN apps a ON a.tenant_id = r.tenant_id AND a.app_id = r.client_id
		WHERE r.tenant_id = $1 AND r.id = $2`, tenantID, id)
	r, err := scanAuthRequest(row, a.dest()...)
	if err != nil {
		return oidc.AuthRequestRecord{}, notFound(err, "get auth request")
	}
	if app, err := a.app(); err == nil {
		m.Put(appMemo(tenantID, app.AppID), app)
	}
	return r, nil
}

// qualify prefixes each of a comma-separated column list with alias.
func qualify(alias, columns string) string {
	cols := strings.Split(strings.Join(strings.Fields(columns), " "), ", ")
	return alias + "." + strings.Join(cols, ", "+alias+".")
}
