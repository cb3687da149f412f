package storetest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/store"
)

func testTenantPrivacy(t *testing.T, open Open) {
	t.Run("tenant_privacy_url_created_with_tenant", func(t *testing.T) {
		s := open(t)
		want := sampleTenant("fabrikam")
		want.PrivacyURL = "https://fabrikam.example/privacy"
		must(t, "create tenant", s.CreateTenant(t.Context(), want))
		got, err := s.GetTenant(t.Context(), want.ID)
		must(t, "get tenant", err)
		wantEqual(t, "tenant", got, want)
	})
	t.Run("tenant_privacy_url_set_and_cleared", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		wantEqual(t, "privacy URL of a new tenant", tn.PrivacyURL, "")
		const u = "https://contoso.example/legal/privacy"
		must(t, "set privacy URL", s.SetTenantPrivacyURL(t.Context(), tn.ID, u))
		got, err := s.GetTenant(t.Context(), tn.ID)
		must(t, "get tenant", err)
		want := tn
		want.PrivacyURL = u
		wantEqual(t, "tenant after setting the privacy URL", got, want)
		byDomain, err := s.GetTenantByDomain(t.Context(), tn.Domains[len(tn.Domains)-1])
		must(t, "get tenant by domain", err)
		wantEqual(t, "privacy URL by domain", byDomain.PrivacyURL, u)
		all, err := s.ListTenants(t.Context(), "", 0)
		must(t, "list tenants", err)
		for _, x := range all {
			if x.ID == other.ID && x.PrivacyURL != "" {
				t.Fatalf("the other tenant got the privacy URL %q", x.PrivacyURL)
			}
			if x.ID == tn.ID && x.PrivacyURL != u {
				t.Fatalf("listed privacy URL = %q, want %q", x.PrivacyURL, u)
			}
		}
		must(t, "clear privacy URL", s.SetTenantPrivacyURL(t.Context(), tn.ID, ""))
		got, err = s.GetTenant(t.Context(), tn.ID)
		must(t, "get tenant", err)
		wantEqual(t, "tenant after clearing the privacy URL", got, tn)
	})
	t.Run("tenant_privacy_url_unknown_tenant_not_found", func(t *testing.T) {
		s := open(t)
		err := s.SetTenantPrivacyURL(t.Context(), uuid.NewString(), "https://nobody.example/privacy")
		wantErr(t, "set privacy URL of an unknown tenant", err, store.ErrNotFound)
	})
}
