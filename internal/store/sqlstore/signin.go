package sqlstore

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/audit"
)

var _ audit.SignInStore = (*DB)(nil)

// signInColumns lists the sign_ins columns in the order scanSignIn reads them.
const signInColumns = `tenant_id, id, created_at, user_id, user_principal_name, user_display_name, user_type,
	app_id, app_display_name, ip_address, user_agent, client_app_used, correlation_id, error_code,
	failure_reason, additional_details, idp, authentication_method, cross_tenant_access_type, home_tenant_id`

// AppendSignIn stores s in the transaction in ctx (or its own): one
// insert, no counter row, so a tenant's sign-ins never wait for each other,
// and, for a user of the tenant, the update of the user's signInActivity
// in the same transaction (no commit of its own). Only a later sign-in
// moves the activity forward.
func (db *DB) AppendSignIn(ctx context.Context, s audit.SignIn) error {
	if s.UserID == "" {
		return db.insertSignIn(ctx, s)
	}
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.insertSignIn(ctx, s); err != nil {
			return err
		}
		return db.recordSignInActivity(ctx, s)
	})
}

// recordSignInActivity moves the user's signInActivity to s. Every
// recorded sign-in is interactive (token refreshes are not logged);
// a successful one (error code 0) is also the last successful sign-in.
func (db *DB) recordSignInActivity(ctx context.Context, s audit.SignIn) error {
	at := toDB(s.CreatedAt)
	set := `last_sign_in_at = $3, last_sign_in_request_id = $4`
	if s.ErrorCode == 0 {
		set += `, last_successful_sign_in_at = $3, last_successful_sign_in_request_id = $4`
	}
	_, err := db.exec(ctx, `UPDATE users SET `+set+`
		WHERE tenant_id = $1 AND id = $2 AND last_sign_in_at <= $3`, s.TenantID, s.UserID, at, s.ID)
	if err != nil {
		return fmt.Errorf("append sign-in: sign-in activity: %w", err)
	}
	return nil
}

func (db *DB) insertSignIn(ctx context.Context, s audit.SignIn) error {
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
