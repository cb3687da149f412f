package storetest

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
)

// sampleApp returns a confidential app of the tenant created at createdAt.
func sampleApp(tenantID, name string, createdAt time.Time) oidc.App {
	h := sha256.Sum256([]byte("secret of " + name))
	return oidc.App{
		TenantID: tenantID, AppID: uuid.NewString(), DisplayName: name, SecretHash: h[:],
		Permissions:            []string{"User.Invite.All", "User.Read.All"},
		RedirectURIs:           []string{"https://" + name + ".example/callback", "http://localhost:8080/cb"},
		PostLogoutRedirectURIs: []string{"https://" + name + ".example/"},
		CreatedAt:              createdAt,
	}
}

// seedApp creates sampleApp(…) in s.
func seedApp(t *testing.T, s Store, tenantID, name string, createdAt time.Time) oidc.App {
	t.Helper()
	a := sampleApp(tenantID, name, createdAt)
	must(t, "create app "+name, s.CreateApp(t.Context(), a))
	return a
}

func testApps(t *testing.T, open Open) {
	t.Run("create_get_confidential", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		want := seedApp(t, s, tn.ID, "portal", at(0))
		got, err := s.GetApp(t.Context(), tn.ID, want.AppID)
		must(t, "get app", err)
		wantEqual(t, "app", got, want)
		if got.Public() {
			t.Fatal("an app with a secret reads back as public")
		}
		_, err = s.GetApp(t.Context(), tn.ID, uuid.NewString())
		wantErr(t, "get unknown app", err, store.ErrNotFound)
	})
	t.Run("create_get_public", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		want := sampleApp(tn.ID, "spa", at(0))
		want.SecretHash, want.Permissions, want.PostLogoutRedirectURIs = nil, nil, nil
		must(t, "create public app", s.CreateApp(t.Context(), want))
		got, err := s.GetApp(t.Context(), tn.ID, want.AppID)
		must(t, "get app", err)
		wantEqual(t, "public app", got, want)
		if !got.Public() {
			t.Fatal("an app without a secret reads back as confidential")
		}
	})
	t.Run("duplicate_app_id", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		a := seedApp(t, s, tn.ID, "portal", at(0))
		dup := sampleApp(tn.ID, "other", at(time.Second))
		dup.AppID = a.AppID
		wantErr(t, "create app with a taken id", s.CreateApp(t.Context(), dup), store.ErrAlreadyExists)
	})
	t.Run("isolation_app_not_found_in_other_tenant", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		app := seedApp(t, s, a.ID, "portal", at(0))
		_, err := s.GetApp(t.Context(), b.ID, app.AppID)
		wantErr(t, "get A's app with B's id", err, store.ErrNotFound)
		list, err := s.ListApps(t.Context(), b.ID)
		must(t, "list B's apps", err)
		if len(list) != 0 {
			t.Fatalf("tenant B lists %d apps of tenant A", len(list))
		}
	})
	t.Run("list_oldest_first", func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		second := seedApp(t, s, tn.ID, "second", at(time.Hour))
		first := seedApp(t, s, tn.ID, "first", at(0))
		seedApp(t, s, other.ID, "elsewhere", at(0))
		got, err := s.ListApps(t.Context(), tn.ID)
		must(t, "list apps", err)
		wantEqual(t, "apps", got, []oidc.App{first, second})
	})
}
