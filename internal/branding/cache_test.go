package branding

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/store"
)

// memStore is a Store in memory that counts reads.
type memStore struct {
	rows  map[string]Branding
	reads int
}

func (m *memStore) GetBranding(_ context.Context, tenantID, lang string) (Branding, error) {
	m.reads++
	b, ok := m.rows[tenantID+"/"+lang]
	if !ok {
		return Branding{}, store.ErrNotFound
	}
	return b, nil
}

func (m *memStore) ListBranding(_ context.Context, tenantID string) ([]Branding, error) {
	m.reads++
	var out []Branding
	for _, b := range m.rows {
		if b.TenantID == tenantID {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Lang < out[j].Lang })
	return out, nil
}

func (m *memStore) PutBranding(_ context.Context, b Branding) error {
	m.rows[b.TenantID+"/"+b.Lang] = b
	return nil
}

func TestForDisplayCache(t *testing.T) {
	ctx := context.Background()
	st := &memStore{rows: map[string]Branding{}}
	fake := clock.NewFake(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	s := NewService(st, fake)
	png := []byte("\x89PNG logo bytes")
	st.rows["t1/"] = Branding{TenantID: "t1", BackgroundColor: "#112233", LogoType: "image/png", Logo: png}

	b, err := s.ForDisplay(ctx, "t1", "ja")
	if err != nil || b.BackgroundColor != "#112233" || b.LogoType != "image/png" || b.Logo != nil {
		t.Fatalf("ForDisplay = %+v, %v; want the default's colour and logo type, no bytes", b, err)
	}
	reads := st.reads
	if _, err := s.ForDisplay(ctx, "t1", "ja"); err != nil || st.reads != reads {
		t.Errorf("a second ForDisplay read the store (%d reads, want %d)", st.reads, reads)
	}
	if _, err := s.ForDisplay(ctx, "t2", "en"); err != nil {
		t.Fatal(err)
	}
	reads = st.reads
	if b, _ := s.ForDisplay(ctx, "t2", "en"); st.reads != reads || !b.Empty() {
		t.Errorf("a tenant without branding: %d more reads, %+v", st.reads-reads, b)
	}

	// A change through the service shows at once.
	if _, err := s.Update(ctx, "t1", "ja", Patch{BackgroundColor: ptr("#445566")}); err != nil {
		t.Fatal(err)
	}
	if b, _ := s.ForDisplay(ctx, "t1", "ja"); b.BackgroundColor != "#445566" {
		t.Errorf("after Update, ForDisplay = %q, want #445566", b.BackgroundColor)
	}
	// A change by another process shows within the TTL.
	st.rows["t1/ja"] = Branding{TenantID: "t1", Lang: "ja", BackgroundColor: "#778899"}
	if b, _ := s.ForDisplay(ctx, "t1", "ja"); b.BackgroundColor != "#445566" {
		t.Errorf("within the TTL: %q, want the cached #445566", b.BackgroundColor)
	}
	fake.Advance(displayCacheTTL)
	if b, _ := s.ForDisplay(ctx, "t1", "ja"); b.BackgroundColor != "#778899" {
		t.Errorf("after the TTL: %q, want #778899", b.BackgroundColor)
	}
	// For still serves the logo's bytes.
	if b, _ := s.For(ctx, "t1", ""); string(b.Logo) != string(png) {
		t.Errorf("For lost the logo bytes")
	}
}

func ptr[T any](v T) *T { return &v }
