package branding

import "context"

// Store keeps branding rows, one per tenant and language.
type Store interface {
	// GetBranding returns the row, or store.ErrNotFound.
	GetBranding(ctx context.Context, tenantID, lang string) (Branding, error)
	// PutBranding writes b as the row of its tenant and language.
	PutBranding(ctx context.Context, b Branding) error
}
