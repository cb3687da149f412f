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
		def := branding.Branding{TenantID: tn.ID, BackgroundColor: "#00A0E0", SignInPageText: "Partners only", UsernameHintText: "someone@example.com", PrivacyURL: "https://fabrikam.example/privacy",
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
	// Issue 22, item 13: localization ids are kept as written ("ja-JP",
	// and a "ja" row written before stays "ja"), found ignoring case, one
	// per id in any case; ListBranding gives the default first, then by id.
	t.Run("branding_localization_ids_kept_as_sent", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		rows := []branding.Branding{
			{TenantID: tn.ID, Lang: "ja-JP", SignInPageText: "ようこそ", UsernameHintText: "あなた@fabrikam.example", Logo: []byte{}, UpdatedAt: at},
			{TenantID: tn.ID, Lang: "fr-FR", BackgroundColor: "#00000F", SignInPageText: " ", Logo: []byte{}, UpdatedAt: at},
			{TenantID: tn.ID, Lang: "ja", SignInPageText: "古い行", Logo: []byte{}, UpdatedAt: at},
			{TenantID: tn.ID, SignInPageText: "default", Logo: []byte{}, UpdatedAt: at},
		}
		for _, b := range rows {
			must(t, "put "+b.Lang, s.PutBranding(t.Context(), b))
		}
		got, err := s.GetBranding(t.Context(), tn.ID, "JA-jp")
		must(t, "get JA-jp", err)
		wantEqual(t, "ja-JP found ignoring case, id as written", got, rows[0])
		got, err = s.GetBranding(t.Context(), tn.ID, "ja")
		must(t, "get ja", err)
		wantEqual(t, "the ja row", got, rows[2])
		if err := s.PutBranding(t.Context(), branding.Branding{TenantID: tn.ID, Lang: "FR-fr", Logo: []byte{}, UpdatedAt: at}); !errors.Is(err, store.ErrAlreadyExists) {
			t.Fatalf("put FR-fr beside fr-FR: %v, want store.ErrAlreadyExists", err)
		}
		list, err := s.ListBranding(t.Context(), tn.ID)
		must(t, "list", err)
		var ids []string
		for _, b := range list {
			ids = append(ids, b.Lang)
		}
		wantEqual(t, "ids listed", ids, []string{"", "fr-FR", "ja", "ja-JP"})
		wantEqual(t, "fr-FR listed whole", list[1], rows[1])
		other := seedTenant(t, s, "contoso")
		list, err = s.ListBranding(t.Context(), other.ID)
		must(t, "list other", err)
		if len(list) != 0 {
			t.Fatalf("the other tenant lists %d rows", len(list))
		}
	})
}
