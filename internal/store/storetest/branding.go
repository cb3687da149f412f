package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/store"
)

func testBranding(t *testing.T, open Open) {
	t.Run("branding_per_tenant_and_language", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		other := seedTenant(t, s, "contoso")
		if _, err := s.GetBranding(t.Context(), tn.ID, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("branding of a new tenant: %v, want store.ErrNotFound", err)
		}
		at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		def := branding.Branding{TenantID: tn.ID, BackgroundColor: "#00A0E0", SignInPageText: "Partners only", PrivacyURL: "https://fabrikam.example/privacy",
			LogoType: "image/png", Logo: []byte{0x89, 'P', 'N', 'G', 0}, UpdatedAt: at}
		ja := branding.Branding{TenantID: tn.ID, Lang: "ja", SignInPageText: "パートナー専用", Logo: []byte{}, UpdatedAt: at}
		must(t, "put default", s.PutBranding(t.Context(), def))
		must(t, "put ja", s.PutBranding(t.Context(), ja))
		got, err := s.GetBranding(t.Context(), tn.ID, "")
		must(t, "get default", err)
		wantEqual(t, "default branding", got, def)
		gotJA, err := s.GetBranding(t.Context(), tn.ID, "ja")
		must(t, "get ja", err)
		wantEqual(t, "ja branding", gotJA, ja)
		def.SignInPageText = "Changed"
		must(t, "put default again", s.PutBranding(t.Context(), def))
		got, err = s.GetBranding(t.Context(), tn.ID, "")
		must(t, "get default again", err)
		wantEqual(t, "default branding after the upsert", got, def)
		if _, err := s.GetBranding(t.Context(), other.ID, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the other tenant's branding: %v, want store.ErrNotFound", err)
		}
	})
}
