package branding

import "context"

// Store keeps branding rows, one per tenant and localization id ("" is the
// default branding).
type Store interface {
	// GetBranding returns the row whose id equals lang ignoring case, or
	// store.ErrNotFound. The row keeps the id as it was written.
	GetBranding(ctx context.Context, tenantID, lang string) (Branding, error)
	// ListBranding returns the tenant's rows, the default first, then by id.
	ListBranding(ctx context.Context, tenantID string) ([]Branding, error)
	// PutBranding writes b as the row of its tenant and id;
	// store.ErrAlreadyExists when another row has the id in another case.
	PutBranding(ctx context.Context, b Branding) error
}
