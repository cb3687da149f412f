package sqlstore

import (
	"context"

	"github.com/guestgate/guestgate/internal/audit"
)

var _ audit.SignInStore = (*DB)(nil)

// signInColumns lists the sign_ins columns in the order scanSignIn reads them.
const signInColumns = `tenant_id, id, created_at, user_id, user_principal_name, user_display_name, user_type,
	app_id, app_display_name, ip_address, user_agent, client_app_used, correlation_id, error_code,
	failure_reason, additional_details, idp, authentication_method, cross_tenant_access_type, home_tenant_id`

// AppendSignIn stores s in the transaction in ctx (or its own): one
// insert, no counter row, so a tenant's sign-ins never wait for each other.
func (db *DB) AppendSignIn(ctx context.Context, s audit.SignIn) error {
	_, err := db.exec(ctx, `INSERT INTO sign_ins (`+signInColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		s.TenantID, s.ID, toDB(s.CreatedAt), s.UserID, s.UserPrincipalName, s.UserDisplayName, s.UserType,
		s.AppID, s.AppDisplayName, s.IPAddress, s.UserAgent, s.ClientAppUsed, s.CorrelationID, s.ErrorCode,
		s.FailureReason, s.AdditionalDetails, s.IdP, s.AuthenticationMethod, s.CrossTenantAccessType, s.HomeTenantID)
	if err != nil {
		return uniqueOr(err, "append sign-in")
	}
	return nil
}

// ListSignIns returns the tenant's sign-ins newest first, after the
// cursor, at most limit (<= 0: all).
func (db *DB) ListSignIns(ctx context.Context, tenantID string, after audit.SignInCursor, limit int) ([]audit.SignIn, error) {
	return db.QuerySignIns(ctx, tenantID, audit.SignInQuery{After: after, Limit: limit})
}

// GetSignIn returns the tenant's sign-in with that id, or store.ErrNotFound.
func (db *DB) GetSignIn(ctx context.Context, tenantID, id string) (audit.SignIn, error) {
	s, err := scanSignIn(db.queryRow(ctx, `SELECT `+signInColumns+` FROM sign_ins WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	if err != nil {
		return s, notFound(err, "get sign-in")
	}
	return s, nil
}

func scanSignIn(row interface{ Scan(...any) error }) (audit.SignIn, error) {
	var (
		s  audit.SignIn
		at int64
	)
	err := row.Scan(&s.TenantID, &s.ID, &at, &s.UserID, &s.UserPrincipalName, &s.UserDisplayName, &s.UserType,
		&s.AppID, &s.AppDisplayName, &s.IPAddress, &s.UserAgent, &s.ClientAppUsed, &s.CorrelationID, &s.ErrorCode,
		&s.FailureReason, &s.AdditionalDetails, &s.IdP, &s.AuthenticationMethod, &s.CrossTenantAccessType, &s.HomeTenantID)
	if err != nil {
		return audit.SignIn{}, err
	}
	s.CreatedAt = fromDB(at)
	return s, nil
}
