package sqlstore

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/guestgate/guestgate/internal/branding"
)

var _ branding.Store = (*DB)(nil)

// GetBranding returns the tenant's branding in lang, or store.ErrNotFound.
func (db *DB) GetBranding(ctx context.Context, tenantID, lang string) (branding.Branding, error) {
	b := branding.Branding{TenantID: tenantID, Lang: lang}
	var logo string
	var at int64
	err := db.queryRow(ctx, `SELECT background_color, sign_in_page_text, privacy_url, logo_type, logo, updated_at
		FROM branding WHERE tenant_id = $1 AND lang = $2`, tenantID, lang).
		Scan(&b.BackgroundColor, &b.SignInPageText, &b.PrivacyURL, &b.LogoType, &logo, &at)
	if err != nil {
		return branding.Branding{}, notFound(err, "get branding")
	}
	if b.Logo, err = base64.StdEncoding.DecodeString(logo); err != nil {
		return branding.Branding{}, fmt.Errorf("get branding: logo: %w", err)
	}
	b.UpdatedAt = fromDB(at)
	return b, nil
}

// PutBranding writes b as its tenant's branding in its language (an upsert).
func (db *DB) PutBranding(ctx context.Context, b branding.Branding) error {
	_, err := db.exec(ctx, `INSERT INTO branding (tenant_id, lang, background_color, sign_in_page_text, privacy_url, logo_type, logo, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (tenant_id, lang) DO UPDATE SET background_color = excluded.background_color,
			sign_in_page_text = excluded.sign_in_page_text, privacy_url = excluded.privacy_url,
			logo_type = excluded.logo_type, logo = excluded.logo, updated_at = excluded.updated_at`,
		b.TenantID, b.Lang, b.BackgroundColor, b.SignInPageText, b.PrivacyURL, b.LogoType,
		base64.StdEncoding.EncodeToString(b.Logo), toDB(b.UpdatedAt))
	if err != nil {
		return uniqueOr(err, "put branding")
	}
	return nil
}
