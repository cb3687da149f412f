// Package brandingtest has an in-memory branding.Store for tests of the
// packages that serve branding.
package brandingtest

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/store"
)

// MemStore keeps branding rows in memory, with the SQL store's rules: ids
// are matched ignoring case and kept as written.
type MemStore struct {
	mu   sync.Mutex
	rows map[string][]branding.Branding // tenant id → rows
}

var _ branding.Store = (*MemStore)(nil)

// GetBranding returns the row whose id equals lang ignoring case.
func (m *MemStore) GetBranding(_ context.Context, tenantID, lang string) (branding.Branding, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.rows[tenantID] {
		if strings.EqualFold(b.Lang, lang) {
			return b, nil
		}
	}
	return branding.Branding{}, store.ErrNotFound
}

// ListBranding returns the tenant's rows, the default first, then by id.
func (m *MemStore) ListBranding(_ context.Context, tenantID string) ([]branding.Branding, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]branding.Branding(nil), m.rows[tenantID]...)
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Lang == "") != (out[j].Lang == "") {
			return out[i].Lang == ""
		}
		return strings.ToLower(out[i].Lang) < strings.ToLower(out[j].Lang)
	})
	return out, nil
}

// PutBranding writes b; store.ErrAlreadyExists when its id is taken in another case.
func (m *MemStore) PutBranding(_ context.Context, b branding.Branding) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rows == nil {
		m.rows = map[string][]branding.Branding{}
	}
	rows := m.rows[b.TenantID]
	for i, r := range rows {
		if r.Lang == b.Lang {
			rows[i] = b
			return nil
		}
		if strings.EqualFold(r.Lang, b.Lang) {
			return store.ErrAlreadyExists
		}
	}
	m.rows[b.TenantID] = append(rows, b)
	return nil
}
