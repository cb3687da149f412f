package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/guestgate/guestgate/internal/branding"
)

var _ branding.Store = (*DB)(nil)

const brandingColumns = `lang, background_color, sign_in_page_text, username_hint_text, privacy_url, logo_type, logo, updated_at`

func scanBranding(row interface{ Scan(...any) error }, tenantID string) (branding.Branding, error) {
	b := branding.Branding{TenantID: tenantID}
	var logo string
	var at int64
	if err := row.Scan(&b.Lang, &b.BackgroundColor, &b.SignInPageText, &b.UsernameHintText, &b.PrivacyURL, &b.LogoType, &logo, &at); err != nil {
		return branding.Branding{}, err
	}
	var err error
	if b.Logo, err = base64.StdEncoding.DecodeString(logo); err != nil {
		return branding.Branding{}, fmt.Errorf("logo: %w", err)
	}
	b.UpdatedAt = fromDB(at)
	return b, nil
}

// GetBranding returns the tenant's branding whose id is lang ignoring
// case (the id as stored), or store.ErrNotFound.
func (db *DB) GetBranding(ctx context.Context, tenantID, lang string) (branding.Branding, error) {
	b, err := scanBranding(db.queryRow(ctx, `SELECT `+brandingColumns+`
		FROM branding WHERE tenant_id = $1 AND lower(lang) = lower($2)`, tenantID, lang), tenantID)
	if err != nil {
		return branding.Branding{}, notFound(err, "get branding")
	}
	return b, nil
}

// ListBranding returns the tenant's branding rows, the default first, then by id.
func (db *DB) ListBranding(ctx context.Context, tenantID string) ([]branding.Branding, error) {
	rows, err := db.query(ctx, `SELECT `+brandingColumns+`
		FROM branding WHERE tenant_id = $1 ORDER BY lang <> '', lower(lang), lang`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list branding: %w", unavailable(err))
	}
	defer rows.Close()
	var out []branding.Branding
	for rows.Next() {
		b, err := scanBranding(rows, tenantID)
		if err != nil {
			return nil, fmt.Errorf("list branding: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list branding: %w", unavailable(err))
	}
	return out, nil
}

// PutBranding writes b as its tenant's branding with its id (an upsert);
// store.ErrAlreadyExists when the id is taken in another case.
func (db *DB) PutBranding(ctx context.Context, b branding.Branding) error {
	_, err := db.exec(ctx, `INSERT INTO branding (tenant_id, lang, background_color, sign_in_page_text, username_hint_text, privacy_url, logo_type, logo, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (tenant_id, lang) DO UPDATE SET background_color = excluded.background_color,
			sign_in_page_text = excluded.sign_in_page_text, username_hint_text = excluded.username_hint_text,
			privacy_url = excluded.privacy_url, logo_type = excluded.logo_type, logo = excluded.logo, updated_at = excluded.updated_at`,
		b.TenantID, b.Lang, b.BackgroundColor, b.SignInPageText, b.UsernameHintText, b.PrivacyURL, b.LogoType,
		base64.StdEncoding.EncodeToString(b.Logo), toDB(b.UpdatedAt))
	if err != nil {
		return uniqueOr(err, "put branding")
	}
	return nil
}
