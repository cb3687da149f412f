package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/federation"
)

var _ federation.Store = (*DB)(nil)

const federationColumns = `f.tenant_id, f.id, f.kind, f.display_name, f.issuer, f.settings, f.created_at, f.updated_at`

// CreateFederation stores f and claims its domains; a taken id or domain
// is store.ErrAlreadyExists.
func (db *DB) CreateFederation(ctx context.Context, f federation.Federation) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		settings, err := json.Marshal(f.Settings)
		if err != nil {
			return fmt.Errorf("create federation: %w", err)
		}
		_, err = db.exec(ctx, `INSERT INTO federations (tenant_id, id, kind, display_name, issuer, settings, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			f.TenantID, f.ID, string(f.Kind), f.DisplayName, f.Issuer, string(settings), toDB(f.CreatedAt), toDB(f.UpdatedAt))
		if err != nil {
			return uniqueOr(err, "create federation")
		}
		return db.claimDomains(ctx, f)
	})
}

func (db *DB) claimDomains(ctx context.Context, f federation.Federation) error {
	for _, d := range f.Domains {
		if _, err := db.exec(ctx, `INSERT INTO federation_domains (tenant_id, domain, federation_id) VALUES ($1, $2, $3)`, f.TenantID, d, f.ID); err != nil {
			return uniqueOr(err, "claim federation domain "+d)
		}
	}
	return nil
}

// GetFederation returns one federation, or store.ErrNotFound.
func (db *DB) GetFederation(ctx context.Context, tenantID, id string) (federation.Federation, error) {
	fs, err := db.queryFederations(ctx, `WHERE f.tenant_id = $1 AND f.id = $2`, tenantID, id)
	if err != nil {
		return federation.Federation{}, err
	}
	if len(fs) == 0 {
		return federation.Federation{}, notFound(sql.ErrNoRows, "get federation")
	}
	return fs[0], nil
}

// ListFederations returns the tenant's federations ordered by id.
func (db *DB) ListFederations(ctx context.Context, tenantID string) ([]federation.Federation, error) {
	return db.queryFederations(ctx, `WHERE f.tenant_id = $1`, tenantID)
}

// FederationForDomain returns the federation claiming domain, or store.ErrNotFound.
func (db *DB) FederationForDomain(ctx context.Context, tenantID, domain string) (federation.Federation, error) {
	fs, err := db.queryFederations(ctx, `JOIN federation_domains d ON d.tenant_id = f.tenant_id AND d.federation_id = f.id
		WHERE d.tenant_id = $1 AND d.domain = $2`, tenantID, domain)
	if err != nil {
		return federation.Federation{}, err
	}
	if len(fs) == 0 {
		return federation.Federation{}, notFound(sql.ErrNoRows, "federation for domain")
	}
	return fs[0], nil
}

func (db *DB) queryFederations(ctx context.Context, where string, args ...any) ([]federation.Federation, error) {
	rows, err := db.query(ctx, `SELECT `+federationColumns+` FROM federations f `+where+` ORDER BY f.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("query federations: %w", unavailable(err))
	}
	defer rows.Close()
	var out []federation.Federation
	for rows.Next() {
		var (
			f                  federation.Federation
			kind, settings     string
			created, updatedAt int64
		)
		if err := rows.Scan(&f.TenantID, &f.ID, &kind, &f.DisplayName, &f.Issuer, &settings, &created, &updatedAt); err != nil {
			return nil, fmt.Errorf("query federations: %w", unavailable(err))
		}
		f.Kind, f.CreatedAt, f.UpdatedAt = federation.Kind(kind), fromDB(created), fromDB(updatedAt)
		if err := json.Unmarshal([]byte(settings), &f.Settings); err != nil {
			return nil, fmt.Errorf("query federations: settings of %s: %w", f.ID, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query federations: %w", unavailable(err))
	}
	for i := range out {
		if out[i].Domains, err = db.federationDomains(ctx, out[i].TenantID, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) federationDomains(ctx context.Context, tenantID, id string) ([]string, error) {
	rows, err := db.query(ctx, `SELECT domain FROM federation_domains WHERE tenant_id = $1 AND federation_id = $2 ORDER BY domain`, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("federation domains: %w", unavailable(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("federation domains: %w", unavailable(err))
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// UpdateFederation reads f for update, applies fn and writes the result
// with its domains, in one transaction (joining the caller's).
func (db *DB) UpdateFederation(ctx context.Context, tenantID, id string, fn func(*federation.Federation) error) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		var locked string
		if err := db.queryRow(ctx, `SELECT id FROM federations WHERE tenant_id = $1 AND id = $2`+db.d.forUpdate, tenantID, id).Scan(&locked); err != nil {
			return notFound(err, "update federation")
		}
		f, err := db.GetFederation(ctx, tenantID, id)
		if err != nil {
			return err
		}
		if err := fn(&f); err != nil {
			return err
		}
		settings, err := json.Marshal(f.Settings)
		if err != nil {
			return fmt.Errorf("update federation: %w", err)
		}
		res, err := db.exec(ctx, `UPDATE federations SET display_name = $3, issuer = $4, settings = $5, updated_at = $6
			WHERE tenant_id = $1 AND id = $2`, tenantID, id, f.DisplayName, f.Issuer, string(settings), toDB(f.UpdatedAt))
		if err != nil {
			return fmt.Errorf("update federation: %w", unavailable(err))
		}
		if err := affectedOrNotFound(res, "update federation"); err != nil {
			return err
		}
		if _, err := db.exec(ctx, `DELETE FROM federation_domains WHERE tenant_id = $1 AND federation_id = $2`, tenantID, id); err != nil {
			return fmt.Errorf("update federation: %w", unavailable(err))
		}
		return db.claimDomains(ctx, f)
	})
}

// DeleteFederation removes a federation and its domains.
func (db *DB) DeleteFederation(ctx context.Context, tenantID, id string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.exec(ctx, `DELETE FROM federation_domains WHERE tenant_id = $1 AND federation_id = $2`, tenantID, id); err != nil {
			return fmt.Errorf("delete federation: %w", unavailable(err))
		}
		res, err := db.exec(ctx, `DELETE FROM federations WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		if err != nil {
			return fmt.Errorf("delete federation: %w", unavailable(err))
		}
		return affectedOrNotFound(res, "delete federation")
	})
}

// ConsumeAssertion records a SAML assertion id as used until expires; a
// second use is store.ErrAlreadyExists. Records of the tenant expired by
// now are dropped first, so a table of used ids never grows without bound.
func (db *DB) ConsumeAssertion(ctx context.Context, tenantID, key string, now, expires time.Time) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.exec(ctx, `DELETE FROM federation_assertions WHERE tenant_id = $1 AND expires_at < $2`, tenantID, toDB(now)); err != nil {
			return fmt.Errorf("consume assertion: %w", unavailable(err))
		}
		if _, err := db.exec(ctx, `INSERT INTO federation_assertions (tenant_id, assertion_key, expires_at) VALUES ($1, $2, $3)`,
			tenantID, key, toDB(expires)); err != nil {
			return uniqueOr(err, "consume assertion")
		}
		return nil
	})
}
