package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/store"
)

func sampleFederation(tenantID, id string, domains ...string) federation.Federation {
	return federation.Federation{
		TenantID: tenantID, ID: id, Kind: federation.KindSAML, DisplayName: "Partner " + id,
		Issuer: "https://idp.partner.example/" + id, Domains: domains,
		Settings: federation.Settings{Protocol: federation.ProtocolSAML, PassiveSignInURI: "https://idp.partner.example/sso",
			SigningCertificates: []string{"MIIB"}, SealedSecret: "sealed"},
		CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour),
	}
}

func testFederation(t *testing.T, open Open) {
	t.Run("F_round_trip_and_domain_lookup", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		f := sampleFederation(tn.ID, "a", "partner.example", "partner2.example")
		must(t, "create", s.CreateFederation(t.Context(), f))
		got, err := s.GetFederation(t.Context(), tn.ID, "a")
		must(t, "get", err)
		wantEqual(t, "federation read back", got, f)
		byDomain, err := s.FederationForDomain(t.Context(), tn.ID, "partner2.example")
		must(t, "by domain", err)
		wantEqual(t, "federation by domain", byDomain.ID, "a")
		_, err = s.FederationForDomain(t.Context(), tn.ID, "other.example")
		wantErr(t, "unclaimed domain", err, store.ErrNotFound)
		other := seedTenant(t, s, "contoso")
		_, err = s.FederationForDomain(t.Context(), other.ID, "partner.example")
		wantErr(t, "another tenant's domain", err, store.ErrNotFound)
	})
	t.Run("F3_one_federation_per_domain", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		must(t, "create", s.CreateFederation(t.Context(), sampleFederation(tn.ID, "a", "partner.example")))
		err := s.CreateFederation(t.Context(), sampleFederation(tn.ID, "b", "partner.example"))
		wantErr(t, "second federation of a domain", err, store.ErrAlreadyExists)
		if _, err := s.GetFederation(t.Context(), tn.ID, "b"); err == nil {
			t.Fatal("the refused federation was stored")
		}
		other := seedTenant(t, s, "contoso")
		must(t, "the same domain at another tenant", s.CreateFederation(t.Context(), sampleFederation(other.ID, "a", "partner.example")))
	})
	t.Run("F_update_domains_and_delete", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		must(t, "create", s.CreateFederation(t.Context(), sampleFederation(tn.ID, "a", "partner.example")))
		must(t, "update", s.UpdateFederation(t.Context(), tn.ID, "a", func(f *federation.Federation) error {
			f.DisplayName, f.Domains, f.UpdatedAt = "Renamed", []string{"new.example"}, at(2*time.Hour)
			f.Settings.Authoritative = true
			return nil
		}))
		got, err := s.GetFederation(t.Context(), tn.ID, "a")
		must(t, "get", err)
		wantEqual(t, "renamed", got.DisplayName, "Renamed")
		wantEqual(t, "domains", got.Domains, []string{"new.example"})
		wantEqual(t, "settings", got.Settings.Authoritative, true)
		_, err = s.FederationForDomain(t.Context(), tn.ID, "partner.example")
		wantErr(t, "a released domain", err, store.ErrNotFound)
		err = s.UpdateFederation(t.Context(), tn.ID, "missing", func(*federation.Federation) error { return nil })
		wantErr(t, "update of a missing federation", err, store.ErrNotFound)
		list, err := s.ListFederations(t.Context(), tn.ID)
		must(t, "list", err)
		wantEqual(t, "list length", len(list), 1)
		must(t, "delete", s.DeleteFederation(t.Context(), tn.ID, "a"))
		wantErr(t, "delete twice", s.DeleteFederation(t.Context(), tn.ID, "a"), store.ErrNotFound)
		_, err = s.FederationForDomain(t.Context(), tn.ID, "new.example")
		wantErr(t, "domain of a deleted federation", err, store.ErrNotFound)
	})
	t.Run("F_assertion_used_once", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		ctx := context.Background()
		now := at(time.Hour)
		must(t, "first use", s.ConsumeAssertion(ctx, tn.ID, "key-1", now, now.Add(5*time.Minute)))
		wantErr(t, "second use", s.ConsumeAssertion(ctx, tn.ID, "key-1", now.Add(time.Minute), now.Add(5*time.Minute)), store.ErrAlreadyExists)
		must(t, "another tenant's assertion", s.ConsumeAssertion(ctx, seedTenant(t, s, "contoso").ID, "key-1", now, now.Add(5*time.Minute)))
		must(t, "an expired record no longer counts", s.ConsumeAssertion(ctx, tn.ID, "key-1", now.Add(10*time.Minute), now.Add(15*time.Minute)))
	})
}
