package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/store"
)

var _ policy.Store = (*DB)(nil)

// GetEmailPolicy reads the tenant's preview flag and stored configuration
// in one primary-key read (a tenant without a row has the default
// configuration). An unknown tenant is store.ErrNotFound. Outside a
// transaction, a policy the request read with a user (GetUserByMail) is
// not read again.
func (db *DB) GetEmailPolicy(ctx context.Context, tenantID string) (policy.Stored, error) {
	if st, ok := db.keptPolicy(ctx, tenantID); ok {
		return st, nil
	}
	var p emailPolicyRow
	err := db.queryRow(ctx, `SELECT `+emailPolicyColumns+`
		FROM tenants t LEFT JOIN email_otp_policies p ON p.tenant_id = t.id
		WHERE t.id = $1`, tenantID).Scan(p.dest()...)
	if err != nil {
		return policy.Stored{}, notFound(err, "get email policy")
	}
	return p.stored("get email policy")
}

// emailPolicyColumns are a tenant's (t) preview flag and email policy (p,
// left joined: a tenant without a row has the default configuration).
const emailPolicyColumns = `t.preview_opt_in, p.state, p.allow_external, p.include_targets, p.exclude_targets, p.updated_at`

// emailPolicyRow is what emailPolicyColumns read.
type emailPolicyRow struct {
	preview                  bool
	state, allow, incl, excl sql.NullString
	updatedAt                sql.NullInt64
}

func (r *emailPolicyRow) dest() []any {
	return []any{&r.preview, &r.state, &r.allow, &r.incl, &r.excl, &r.updatedAt}
}

func (r *emailPolicyRow) stored(what string) (policy.Stored, error) {
	st := policy.Stored{PreviewOptIn: r.preview}
	if !r.state.Valid {
		st.Config = policy.DefaultEmailConfig()
		return st, nil
	}
	var err error
	st.Config, err = decodeEmailConfig(r.state.String, r.allow.String, r.incl.String, r.excl.String, r.updatedAt.Int64)
	if err != nil {
		return st, fmt.Errorf("%s: %w", what, err)
	}
	return st, nil
}

// emailPolicyMemo is the request memo's key of a tenant's email policy.
func emailPolicyMemo(tenantID string) string { return "email-policy/" + tenantID }

// keepPolicy keeps the tenant's policy read with a user: outside a
// transaction in the request's memo; inside one in the transaction's own,
// so that the transaction that ends a sign-in, which reads the user with
// the policy and then decides with the policy (the decision made again
// where the session starts), decides on the policy it read itself, in one
// round trip instead of two. A transaction keeps only what it read; an
// update of the policy in it drops it (UpdateEmailPolicy).
func (db *DB) keepPolicy(ctx context.Context, tenantID string, st policy.Stored) {
	if tx, ok := ctx.Value(txKey{}).(*txState); ok {
		if tx.policies == nil {
			tx.policies = map[string]policy.Stored{}
		}
		tx.policies[tenantID] = st
		return
	}
	store.MemoOf(ctx).Put(emailPolicyMemo(tenantID), st)
}

// keptPolicy returns what keepPolicy kept in ctx's transaction or, outside
// one, in the request's memo.
func (db *DB) keptPolicy(ctx context.Context, tenantID string) (policy.Stored, bool) {
	if tx, ok := ctx.Value(txKey{}).(*txState); ok {
		st, ok := tx.policies[tenantID]
		return st, ok
	}
	v, ok := store.MemoOf(ctx).Get(emailPolicyMemo(tenantID))
	if !ok {
		return policy.Stored{}, false
	}
	return v.(policy.Stored), true
}

// readsUserWithPolicy reports whether a read of a user in ctx brings the
// tenant's policy along (getUserWithPolicy): in a request, or in a
// transaction, where something keeps it.
func (db *DB) readsUserWithPolicy(ctx context.Context) bool {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return true
	}
	return store.MemoOf(ctx) != nil
}

// UpdateEmailPolicy reads the tenant's policy for update, applies fn and
// writes the policy and the preview flag back, in one transaction (joining
// the caller's). The policy row is created first if missing, so that the
// lock always has a row to hold: concurrent updates of one tenant, in any
// process, run one after the other and each sees the previous result.
func (db *DB) UpdateEmailPolicy(ctx context.Context, tenantID string, fn func(*policy.Stored) error) error {
	store.MemoOf(ctx).Drop(emailPolicyMemo(tenantID))
	return db.InTx(ctx, func(ctx context.Context) error {
		if tx, ok := ctx.Value(txKey{}).(*txState); ok {
			delete(tx.policies, tenantID) // read again from here on, with this update
		}
		if err := db.ensureEmailPolicyRow(ctx, tenantID); err != nil {
			return err
		}
		var (
			st                       policy.Stored
			state, allow, incl, excl string
			updatedAt                int64
		)
		err := db.queryRow(ctx, `SELECT state, allow_external, include_targets, exclude_targets, updated_at
			FROM email_otp_policies WHERE tenant_id = $1`+db.d.forUpdate, tenantID).Scan(&state, &allow, &incl, &excl, &updatedAt)
		if err != nil {
			return notFound(err, "update email policy")
		}
		if st.Config, err = decodeEmailConfig(state, allow, incl, excl, updatedAt); err != nil {
			return fmt.Errorf("update email policy: %w", err)
		}
		// Read after taking the lock: the flag changes only under it.
		if err := db.queryRow(ctx, `SELECT preview_opt_in FROM tenants WHERE id = $1`, tenantID).Scan(&st.PreviewOptIn); err != nil {
			return notFound(err, "update email policy: tenant")
		}
		oldPreview := st.PreviewOptIn
		if err := fn(&st); err != nil {
			return fmt.Errorf("update email policy: %w", err)
		}
		if err := db.writeEmailPolicy(ctx, tenantID, st.Config); err != nil {
			return err
		}
		if st.PreviewOptIn != oldPreview {
			if _, err := db.exec(ctx, `UPDATE tenants SET preview_opt_in = $2 WHERE id = $1`, tenantID, st.PreviewOptIn); err != nil {
				return fmt.Errorf("update email policy: preview flag: %w", err)
			}
		}
		return nil
	})
}

// ensureEmailPolicyRow inserts the default configuration for a tenant that
// has no row yet. A tenant that does not exist is store.ErrNotFound.
func (db *DB) ensureEmailPolicyRow(ctx context.Context, tenantID string) error {
	var exists int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM tenants WHERE id = $1`, tenantID).Scan(&exists); err != nil {
		return fmt.Errorf("update email policy: find tenant: %w", err)
	}
	if exists == 0 {
		return notFound(sql.ErrNoRows, "update email policy: tenant")
	}
	d := policy.DefaultEmailConfig()
	incl, excl, err := encodeTargets(d)
	if err != nil {
		return fmt.Errorf("update email policy: %w", err)
	}
	_, err = db.exec(ctx, `INSERT INTO email_otp_policies
		(tenant_id, state, allow_external, include_targets, exclude_targets, updated_at)
		VALUES ($1, $2, $3, $4, $5, 0)
		ON CONFLICT (tenant_id) DO NOTHING`, tenantID, d.State, string(d.AllowExternal), incl, excl)
	if err != nil {
		return fmt.Errorf("update email policy: create row: %w", err)
	}
	return nil
}

func (db *DB) writeEmailPolicy(ctx context.Context, tenantID string, c policy.EmailConfig) error {
	incl, excl, err := encodeTargets(c)
	if err != nil {
		return fmt.Errorf("update email policy: %w", err)
	}
	res, err := db.exec(ctx, `UPDATE email_otp_policies SET state = $2, allow_external = $3,
		include_targets = $4, exclude_targets = $5, updated_at = $6 WHERE tenant_id = $1`,
		tenantID, c.State, string(c.AllowExternal), incl, excl, toDB(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("update email policy: %w", err)
	}
	return affectedOrNotFound(res, "update email policy")
}

func encodeTargets(c policy.EmailConfig) (incl, excl string, err error) {
	enc := func(ts []policy.Target) (string, error) {
		if ts == nil {
			ts = []policy.Target{}
		}
		b, err := json.Marshal(ts)
		return string(b), err
	}
	if incl, err = enc(c.IncludeTargets); err != nil {
		return "", "", fmt.Errorf("encode include targets: %w", err)
	}
	if excl, err = enc(c.ExcludeTargets); err != nil {
		return "", "", fmt.Errorf("encode exclude targets: %w", err)
	}
	return incl, excl, nil
}

func decodeEmailConfig(state, allow, incl, excl string, updatedAt int64) (policy.EmailConfig, error) {
	c := policy.EmailConfig{State: state, AllowExternal: policy.AllowExternal(allow), UpdatedAt: fromDB(updatedAt)}
	if err := json.Unmarshal([]byte(incl), &c.IncludeTargets); err != nil {
		return c, fmt.Errorf("decode include targets: %w", err)
	}
	if err := json.Unmarshal([]byte(excl), &c.ExcludeTargets); err != nil {
		return c, fmt.Errorf("decode exclude targets: %w", err)
	}
	if c.IncludeTargets == nil {
		c.IncludeTargets = []policy.Target{}
	}
	if c.ExcludeTargets == nil {
		c.ExcludeTargets = []policy.Target{}
	}
	return c, nil
}
