package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

var _ directory.Store = (*DB)(nil)

// unlimited stands for "no limit" in a LIMIT clause both engines accept.
const unlimited = math.MaxInt32

// pageLimit turns a caller's limit into a LIMIT value: limit <= 0 means no limit.
func pageLimit(limit int) int {
	if limit <= 0 || limit > unlimited {
		return unlimited
	}
	return limit
}

// CreateTenant inserts t and its verified domains (lower-cased, in order) in
// one transaction. A tenant id or a domain already taken is
// store.ErrAlreadyExists.
func (db *DB) CreateTenant(ctx context.Context, t directory.Tenant) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.exec(ctx, `INSERT INTO tenants
			(id, display_name, initial_domain, cloud, managed, preview_opt_in, notification_language, created_at, privacy_url, subject_salt)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			t.ID, t.DisplayName, strings.ToLower(t.InitialDomain), string(t.Cloud), t.Managed, t.PreviewOptIn,
			t.NotificationLanguage, toDB(t.CreatedAt), t.PrivacyURL, t.SubjectSalt)
		if err != nil {
			return uniqueOr(err, "create tenant")
		}
		for i, d := range tenantDomains(t) {
			_, err := db.exec(ctx, `INSERT INTO tenant_domains (domain, tenant_id, position) VALUES ($1, $2, $3)`,
				d, t.ID, i)
			if err != nil {
				return uniqueOr(err, fmt.Sprintf("create tenant: domain %q", d))
			}
		}
		return nil
	})
}

// tenantDomains returns t's domains lower-cased, without blanks or repeats.
func tenantDomains(t directory.Tenant) []string {
	out := make([]string, 0, len(t.Domains))
	seen := make(map[string]bool, len(t.Domains))
	for _, d := range t.Domains {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, d)
	}
	return out
}

// tenantSelect reads tenants with their domains, one row per domain (or one
// row with NULL domain for a tenant without any). The subquery in %s selects
// the tenants and orders them; it is a constant of this file, never input.
const tenantSelect = `SELECT t.id, t.display_name, t.initial_domain, t.cloud, t.managed, t.preview_opt_in,
	t.notification_language, t.created_at, t.privacy_url, t.subject_salt, d.domain
	FROM (%s) t
	LEFT JOIN tenant_domains d ON d.tenant_id = t.id
	ORDER BY t.id, d.position`

// GetTenant returns the tenant with that id, or store.ErrNotFound.
func (db *DB) GetTenant(ctx context.Context, id string) (directory.Tenant, error) {
	ts, err := db.queryTenants(ctx, `SELECT * FROM tenants WHERE id = $1`, id)
	return oneTenant(ts, err, "get tenant")
}

// GetTenantByDomain returns the tenant that verified domain, compared in
// lower case, or store.ErrNotFound.
func (db *DB) GetTenantByDomain(ctx context.Context, domain string) (directory.Tenant, error) {
	ts, err := db.queryTenants(ctx,
		`SELECT * FROM tenants WHERE id = (SELECT tenant_id FROM tenant_domains WHERE domain = $1)`,
		strings.ToLower(strings.TrimSpace(domain)))
	return oneTenant(ts, err, "get tenant by domain")
}

// ListTenants returns tenants ordered by id, after afterID, at most limit
// (limit <= 0: all of them).
func (db *DB) ListTenants(ctx context.Context, afterID string, limit int) ([]directory.Tenant, error) {
	ts, err := db.queryTenants(ctx, `SELECT * FROM tenants WHERE id > $1 ORDER BY id LIMIT $2`,
		afterID, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return ts, nil
}

func oneTenant(ts []directory.Tenant, err error, what string) (directory.Tenant, error) {
	if err != nil {
		return directory.Tenant{}, fmt.Errorf("%s: %w", what, err)
	}
	if len(ts) == 0 {
		return directory.Tenant{}, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return ts[0], nil
}

// queryTenants runs tenantSelect around sub and folds the domain rows into
// their tenants, keeping the order.
func (db *DB) queryTenants(ctx context.Context, sub string, args ...any) ([]directory.Tenant, error) {
	rows, err := db.query(ctx, fmt.Sprintf(tenantSelect, sub), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []directory.Tenant
	for rows.Next() {
		var (
			t         directory.Tenant
			cloud     string
			createdAt int64
			domain    sql.NullString
		)
		if err := rows.Scan(&t.ID, &t.DisplayName, &t.InitialDomain, &cloud, &t.Managed, &t.PreviewOptIn,
			&t.NotificationLanguage, &createdAt, &t.PrivacyURL, &t.SubjectSalt, &domain); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != t.ID {
			t.Cloud = directory.Cloud(cloud)
			t.CreatedAt = fromDB(createdAt)
			out = append(out, t)
		}
		if domain.Valid {
			last := &out[len(out)-1]
			last.Domains = append(last.Domains, domain.String)
		}
	}
	return out, rows.Err()
}

// userColumns lists the users columns in the order scanUser reads them.
const userColumns = `tenant_id, id, user_type, display_name, mail, user_principal_name, creation_type,
	preferred_language, external_user_state, external_user_state_changed_at, idp, idp_issuer, created_at,
	account_enabled, tokens_valid_after, other_mails, given_name, surname, job_title, properties,
	last_sign_in_at, last_sign_in_request_id, last_non_interactive_sign_in_at,
	last_non_interactive_sign_in_request_id, last_successful_sign_in_at, last_successful_sign_in_request_id`

// CreateUser inserts u. An id or an address (any case) already used in the
// tenant is store.ErrAlreadyExists.
func (db *DB) CreateUser(ctx context.Context, u directory.User) error {
	others, err := jsonStrings(u.OtherMails)
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	props, err := propertiesJSON(u.Properties)
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	a := u.SignInActivity
	_, err = db.exec(ctx, `INSERT INTO users (`+userColumns+`, mail_lower)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
			$21, $22, $23, $24, $25, $26, $27)`,
		u.TenantID, u.ID, string(u.UserType), u.DisplayName, u.Mail, u.UserPrincipalName, u.CreationType,
		u.PreferredLanguage, string(u.ExternalUserState), toDB(u.ExternalUserStateChangedAt),
		string(u.IdP), u.IdPIssuer, toDB(u.CreatedAt), u.AccountEnabled, toDB(u.TokensValidAfter),
		others, u.GivenName, u.Surname, u.JobTitle, props,
		toDB(a.LastSignIn), a.LastSignInRequestID, toDB(a.LastNonInteractiveSignIn), a.LastNonInteractiveSignInRequestID,
		toDB(a.LastSuccessfulSignIn), a.LastSuccessfulSignInRequestID, strings.ToLower(u.Mail))
	if err != nil {
		return uniqueOr(err, "create user")
	}
	return nil
}

// GetUser returns the tenant's user with that id, or store.ErrNotFound.
func (db *DB) GetUser(ctx context.Context, tenantID, id string) (directory.User, error) {
	if db.readsUserWithPolicy(ctx) {
		return db.getUserWithPolicy(ctx, "get user", `u.id = $2`, tenantID, id)
	}
	row := db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	u, err := scanUser(row)
	if err != nil {
		return u, notFound(err, "get user")
	}
	return u, nil
}

// GetUserByMail returns the tenant's user with that address, compared in
// lower case, or store.ErrNotFound.
func (db *DB) GetUserByMail(ctx context.Context, tenantID, mail string) (directory.User, error) {
	if db.readsUserWithPolicy(ctx) {
		return db.getUserWithPolicy(ctx, "get user by mail", `u.mail_lower = $2`, tenantID, strings.ToLower(mail))
	}
	row := db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = $1 AND mail_lower = $2`,
		tenantID, strings.ToLower(mail))
	u, err := scanUser(row)
	if err != nil {
		return u, notFound(err, "get user by mail")
	}
	return u, nil
}

// getUserWithPolicy reads a user of tenantID (where: the condition on
// u, $2 its argument) and, in the same statement, the tenant's email
// policy, which it keeps in the request's memo or, in a transaction, the
// transaction's (keepPolicy): every step of a sign-in that looks a user up
// decides next with the tenant's policy (GetEmailPolicy: the sign-in
// pages, the session's start, the access re-check of a token),
// and this spares that step a round trip. The tenant drives the read, so
// an address that is no user costs the same one round trip and brings the
// policy too: the sign-in pages answer it as a guest who has not redeemed
// yet, with the same reads (docs/security.md, Enumeration).
func (db *DB) getUserWithPolicy(ctx context.Context, what, where, tenantID, arg string) (directory.User, error) {
	var (
		p     emailPolicyRow
		found bool
	)
	row := db.queryRow(ctx, `SELECT `+userColumnsOfUOrZero+`, u.id IS NOT NULL, `+emailPolicyColumns+`
		FROM tenants t LEFT JOIN email_otp_policies p ON p.tenant_id = t.id
		LEFT JOIN users u ON u.tenant_id = t.id AND `+where+`
		WHERE t.id = $1`, tenantID, arg)
	u, err := scanUser(row, append([]any{&found}, p.dest()...)...)
	if err != nil {
		return directory.User{}, notFound(err, what)
	}
	if st, err := p.stored(what + ": email policy"); err == nil {
		db.keepPolicy(ctx, tenantID, st)
	}
	if !found {
		return directory.User{}, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return u, nil
}

// userColumnsOfUOrZero are userColumns of the table aliased u, with the
// zero value of each where u has no row (a left join that found no user).
var userColumnsOfUOrZero = func() string {
	zero := map[string]string{
		"external_user_state_changed_at": "0", "created_at": "0", "account_enabled": "false", "tokens_valid_after": "0",
		"last_sign_in_at": "0", "last_non_interactive_sign_in_at": "0", "last_successful_sign_in_at": "0",
	}
	cols := strings.Split(strings.Join(strings.Fields(userColumns), " "), ", ")
	for i, c := range cols {
		z, ok := zero[c]
		if !ok {
			z = "''"
		}
		cols[i] = "COALESCE(u." + c + ", " + z + ")"
	}
	return strings.Join(cols, ", ")
}()

// ListUsers returns the tenant's users ordered by id, after afterID, at
// most limit (limit <= 0: all of them).
func (db *DB) ListUsers(ctx context.Context, tenantID, afterID string, limit int) ([]directory.User, error) {
	rows, err := db.query(ctx, `SELECT `+userColumns+` FROM users
		WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, afterID, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []directory.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return out, nil
}

// errUserKeyChanged reports an UpdateUser callback that changed the key.
var errUserKeyChanged = errors.New("the update changed the user's tenant or id")

// UpdateUser reads the user for update, applies fn and writes the result
// back, in one transaction (joining the caller's). An error from fn aborts
// the update and is returned wrapped. A new address taken by another user of
// the tenant is store.ErrAlreadyExists.
func (db *DB) UpdateUser(ctx context.Context, tenantID, id string, fn func(*directory.User) error) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		row := db.queryRow(ctx, `SELECT `+userColumns+` FROM users
			WHERE tenant_id = $1 AND id = $2`+db.d.forUpdate, tenantID, id)
		u, err := scanUser(row)
		if err != nil {
			return notFound(err, "update user")
		}
		if err := fn(&u); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if u.TenantID != tenantID || u.ID != id {
			return fmt.Errorf("update user: %w", errUserKeyChanged)
		}
		return db.writeUser(ctx, u)
	})
}

// writeUser rewrites every column of an existing user but its key,
// tokens_valid_after (which only SetTokensValidAfter moves) and the
// sign-in activity (which only AppendSignIn moves).
func (db *DB) writeUser(ctx context.Context, u directory.User) error {
	others, err := jsonStrings(u.OtherMails)
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	props, err := propertiesJSON(u.Properties)
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	res, err := db.exec(ctx, `UPDATE users SET user_type = $3, display_name = $4, mail = $5, mail_lower = $6,
		user_principal_name = $7, creation_type = $8, preferred_language = $9, external_user_state = $10,
		external_user_state_changed_at = $11, idp = $12, idp_issuer = $13, created_at = $14, account_enabled = $15,
		other_mails = $16, given_name = $17, surname = $18, job_title = $19, properties = $20
		WHERE tenant_id = $1 AND id = $2`,
		u.TenantID, u.ID, string(u.UserType), u.DisplayName, u.Mail, strings.ToLower(u.Mail),
		u.UserPrincipalName, u.CreationType, u.PreferredLanguage, string(u.ExternalUserState),
		toDB(u.ExternalUserStateChangedAt), string(u.IdP), u.IdPIssuer, toDB(u.CreatedAt), u.AccountEnabled,
		others, u.GivenName, u.Surname, u.JobTitle, props)
	if err != nil {
		return uniqueOr(err, "update user")
	}
	return affectedOrNotFound(res, "update user")
}

// scanUser reads one row of userColumns, then any extra columns into extra.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (directory.User, error) {
	var (
		u                                        directory.User
		userType, state, idp, others, props      string
		stateChangedAt, createdAtRaw, validAfter int64
		last, lastNonInteractive, lastSuccess    int64
		a                                        = &u.SignInActivity
	)
	dest := append([]any{&u.TenantID, &u.ID, &userType, &u.DisplayName, &u.Mail, &u.UserPrincipalName,
		&u.CreationType, &u.PreferredLanguage, &state, &stateChangedAt, &idp, &u.IdPIssuer, &createdAtRaw,
		&u.AccountEnabled, &validAfter, &others, &u.GivenName, &u.Surname, &u.JobTitle, &props,
		&last, &a.LastSignInRequestID, &lastNonInteractive, &a.LastNonInteractiveSignInRequestID,
		&lastSuccess, &a.LastSuccessfulSignInRequestID}, extra...)
	if err := row.Scan(dest...); err != nil {
		return directory.User{}, err
	}
	a.LastSignIn, a.LastNonInteractiveSignIn, a.LastSuccessfulSignIn = fromDB(last), fromDB(lastNonInteractive), fromDB(lastSuccess)
	var err error
	if u.Properties, err = propertiesFromJSON(props); err != nil {
		return directory.User{}, fmt.Errorf("properties: %w", err)
	}
	if u.OtherMails, err = stringsFromJSON(others); err != nil {
		return directory.User{}, fmt.Errorf("other_mails: %w", err)
	}
	if len(u.OtherMails) == 0 {
		u.OtherMails = nil
	}
	u.TokensValidAfter = fromDB(validAfter)
	u.UserType = directory.UserType(userType)
	u.ExternalUserState = directory.ExternalUserState(state)
	u.ExternalUserStateChangedAt = fromDB(stateChangedAt)
	u.IdP = directory.IdP(idp)
	u.CreatedAt = fromDB(createdAtRaw)
	return u, nil
}
